//go:build unix

// Package cputime reads the CPU time the process has used, for benchmarks
// that report it beside wall time: on a shared machine the wall time follows
// the neighbours' load, the process's CPU time much less. It depends on the
// standard library only, so any package's benchmarks can use it.
package cputime

import (
	"syscall"
	"time"
)

// Process is the CPU time (user and system) the process has used so far,
// or 0 when the system does not say.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

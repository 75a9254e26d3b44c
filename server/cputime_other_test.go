//go:build !unix

package server_test

import (
	"testing"
	"time"
)

// cpuTime is not measured here: the benchmarks report 0 cpu-ns/op.
func cpuTime(*testing.B) time.Duration { return 0 }

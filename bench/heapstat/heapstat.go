// Package heapstat reads the Go heap for benchmarks that report memory
// beside time: the live heap after a collection, and the peak heap in use
// while something runs. It depends on the standard library only, so any
// package's benchmarks can use it without an import cycle.
package heapstat

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Live is the live heap after a full collection. Two collections, so that
// objects freed by finalizers of the first are gone too.
func Live() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// Peak samples the heap in use every 20 ms until the returned stop is
// called; stop returns the highest sample. A sample is taken at once, so
// even a run shorter than the interval has a peak.
func Peak() (stop func() uint64) {
	var peak atomic.Uint64
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

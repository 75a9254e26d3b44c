package heapstat

import (
	"runtime"
	"testing"
	"time"
)

const size = 64 << 20

func TestPeakSeesMemoryFreedBeforeStop(t *testing.T) {
	runtime.GC()
	stop := Peak()
	buf := make([]byte, size)
	for i := range buf {
		buf[i] = 1 // touch it, so the pages are in use
	}
	time.Sleep(60 * time.Millisecond) // a few sampling intervals
	runtime.KeepAlive(buf)
	buf = nil
	runtime.GC()
	if peak := stop(); peak < size {
		t.Fatalf("peak %d bytes, want at least the %d held while sampling", peak, size)
	}
}

func TestLiveCountsWhatIsHeld(t *testing.T) {
	before := Live()
	held := make([]byte, size)
	after := Live()
	runtime.KeepAlive(held)
	if after-before < size {
		t.Fatalf("live heap grew by %d bytes holding %d", int64(after-before), size)
	}
	held = nil
	if freed := Live(); freed >= after {
		t.Fatalf("live heap %d after dropping %d bytes, was %d", freed, size, after)
	}
}

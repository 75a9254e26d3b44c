package github

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
)

// BenchmarkOrganisation5000 ingests a synthetic organisation of 5,000
// repositories (each with CODEOWNERS, a catalog-info.yaml and two
// Dockerfiles) from the httptest GitHub server into the embedded store, end
// to end, and reports repos/s and the peak heap seen while it ran.
func BenchmarkOrganisation5000(b *testing.B) {
	n := 5000
	if v, err := strconv.Atoi(os.Getenv("ESTATE_BENCH_REPOS")); err == nil && v > 0 {
		n = v // for quick profiling
	}
	f := newFake(b, "acme", n)
	populate(f)
	for i := 0; i < 40; i++ {
		f.teamRepos["justice-league"] = append(f.teamRepos["justice-league"], fmt.Sprintf("repo-%d", i))
	}
	s := newSource(b, f, nil, func(c *Config) { c.Concurrency = 16 })
	ctx := context.Background()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := embedded.Open(ctx, b.TempDir(), embedded.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := ingest.Run(ctx, st, s, ingest.Options{})
		if err != nil || rep.Status != ingest.StatusSucceeded {
			b.Fatalf("%s %v %v", rep.Status, err, rep.Errors)
		}
		b.StopTimer()
		stats, _ := st.Stats(ctx)
		if stats.Nodes[graph.KindRepository] != n || stats.Nodes[graph.KindApplication] != 2*n {
			b.Fatalf("stored %v", stats.Nodes)
		}
		st.Close()
		b.StartTimer()
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "repos/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}

package github

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/estate-cmdb/estate/bench/heapstat"
	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
)

// BenchmarkOrganisation5000 ingests a synthetic organisation of 5,000
// repositories (each with CODEOWNERS, a catalog-info.yaml and two
// Dockerfiles) from the httptest GitHub server and reports repos/s and the
// peak heap seen while it ran. "store" is the whole path, engine and
// embedded store included; its in-run peer "no-store" makes the same
// requests and decodes and analyses the same pages but only counts what the
// source emits, so the ratio is what validation, batching and the store add.
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

	b.Run("store", func(b *testing.B) {
		measure(b, n, func() {
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
		})
	})
	b.Run("no-store", func(b *testing.B) {
		measure(b, n, func() {
			var c countingEmitter
			if err := s.Run(ctx, &c); err != nil || c.errors > 0 {
				b.Fatalf("%v, %d item errors", err, c.errors)
			}
			if c.repos != n {
				b.Fatalf("emitted %d repositories, want %d", c.repos, n)
			}
		})
	})
}

// measure runs one ingest per iteration, sampling the heap every 20 ms,
// and reports repos/s and the peak heap in use.
func measure(b *testing.B, repos int, once func()) {
	runtime.GC()
	stop := heapstat.Peak()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		once()
	}
	b.StopTimer()
	peak := stop()
	b.ReportMetric(float64(repos*b.N)/b.Elapsed().Seconds(), "repos/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// countingEmitter counts what a source emits and keeps nothing.
type countingEmitter struct {
	mu                   sync.Mutex
	nodes, edges, errors int
	repos                int
}

func (c *countingEmitter) Node(n graph.NodeInput) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nodes++
	if n.Kind == graph.KindRepository {
		c.repos++
	}
	return nil
}

func (c *countingEmitter) Edge(graph.EdgeInput) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.edges++
	return nil
}

func (c *countingEmitter) ItemError(string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errors++
}

// Warn makes countingEmitter an ingest.Warner, as the engine is: warnings
// are not item errors.
func (c *countingEmitter) Warn(string, error) {}

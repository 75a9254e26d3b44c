package analysis_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/synthetic"
)

// The benchmark estate: synthetic tier M (about 100,000 nodes and 300,000
// relationships) in the embedded store, built once per process.
var (
	benchOnce    sync.Once
	benchStore   *embedded.Store
	benchSamples synthetic.Samples
	benchDir     string
	benchErr     error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchStore != nil {
		benchStore.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchEstate(b *testing.B) (*embedded.Store, synthetic.Samples) {
	b.Helper()
	benchOnce.Do(func() {
		ctx := context.Background()
		src, err := synthetic.New(synthetic.DefaultConfig(synthetic.TierM, 1))
		if err != nil {
			benchErr = err
			return
		}
		if benchDir, benchErr = os.MkdirTemp("", "estate-analysis-bench-"); benchErr != nil {
			return
		}
		benchStore, benchErr = embedded.Open(ctx, benchDir, embedded.Options{Logger: zerolog.Nop(), NoSync: true})
		if benchErr != nil {
			return
		}
		rep, err := ingest.Run(ctx, benchStore, src, ingest.Options{BatchSize: 20_000})
		if err != nil || rep.Status != ingest.StatusSucceeded {
			benchErr = fmt.Errorf("ingest: %v (status %s)", err, rep.Status)
			return
		}
		benchSamples = src.Samples(100)
		runtime.GC() // the ingest's garbage is not the answers' cost
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStore, benchSamples
}

// latencies collects per-operation durations and reports p50 and p99.
type latencies []time.Duration

func (l *latencies) time(fn func()) {
	t := time.Now()
	fn()
	*l = append(*l, time.Since(t))
}

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	s := slices.Clone(l)
	slices.Sort(s)
	pct := func(p float64) float64 {
		return float64(s[min(len(s)-1, int(p*float64(len(s))))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}

// mixed interleaves hot and uniform starts.
func mixed(hot, uniform []graph.Ref) []graph.Ref {
	var out []graph.Ref
	for i := 0; i < max(len(hot), len(uniform)); i++ {
		if i < len(hot) {
			out = append(out, hot[i])
		}
		if i < len(uniform) {
			out = append(out, uniform[i])
		}
	}
	return out
}

func BenchmarkWhoOwns(b *testing.B) {
	s, sm := benchEstate(b)
	var refs []graph.Ref
	for i := range 100 {
		for _, set := range [][]graph.Ref{sm.Applications, sm.Resources, sm.Repositories, sm.Services, sm.HotApplications} {
			if i < len(set) {
				refs = append(refs, set[i])
			}
		}
	}
	ctx := context.Background()
	var lat latencies
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r := refs[i%len(refs)]
		var o *analysis.Ownership
		var err error
		lat.time(func() { o, err = analysis.WhoOwns(ctx, s, string(r.Kind)+":"+r.Key) })
		if err != nil || o.Subject == nil || o.Subject.Key != r.Key {
			b.Fatalf("WhoOwns(%s): %+v, %v", r, o, err)
		}
	}
	lat.report(b)
}

func BenchmarkImpactDepth6(b *testing.B) {
	s, sm := benchEstate(b)
	refs := mixed(append(slices.Clone(sm.HotApplications), sm.HotResources...), append(slices.Clone(sm.Applications), sm.Repositories...))
	hot := map[graph.Ref]bool{}
	for _, r := range sm.HotApplications {
		hot[r] = true
	}
	ctx := context.Background()
	var lat latencies
	total := 0
	var (
		slowest   time.Duration
		slowRef   graph.Ref
		slowItems int
	)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r := refs[i%len(refs)]
		var res *analysis.ImpactResult
		var err error
		lat.time(func() {
			res, err = analysis.Impact(ctx, s, analysis.ImpactQuery{Refs: []string{string(r.Kind) + ":" + r.Key}, MaxDepth: 6})
		})
		if err != nil || len(res.Starts) != 1 || res.Starts[0].Key != r.Key || (hot[r] && len(res.Affected) == 0) {
			b.Fatalf("Impact(%s): %v, %v", r, res, err)
		}
		total += len(res.Affected)
		if d := lat[len(lat)-1]; d > slowest {
			slowest, slowRef, slowItems = d, r, len(res.Affected)
		}
	}
	b.Logf("slowest: %s from %s reaching %d items", slowest, slowRef, slowItems)
	lat.report(b)
	b.ReportMetric(float64(total)/float64(b.N), "items/op")
}

// compact is the benchmark graph as integer arrays (CSR), the floor a plain
// in-memory breadth-first search reaches.
type compact struct {
	index map[graph.ID]int32
	off   []int32
	adj   []int32
}

// buildCompact keeps, per node, the neighbours follow says to walk to.
func buildCompact(b *testing.B, s *embedded.Store, follow func(e *graph.Edge) (from, to graph.ID, ok bool)) *compact {
	b.Helper()
	ctx := context.Background()
	c := &compact{index: map[graph.ID]int32{}}
	id := func(x graph.ID) int32 {
		i, ok := c.index[x]
		if !ok {
			i = int32(len(c.index))
			c.index[x] = i
		}
		return i
	}
	var pairs [][2]int32
	if err := s.ScanEdges(ctx, func(e *graph.Edge) error {
		if f, t, ok := follow(e); ok {
			pairs = append(pairs, [2]int32{id(f), id(t)})
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	n := len(c.index)
	c.off = make([]int32, n+1)
	for _, p := range pairs {
		c.off[p[0]+1]++
	}
	for i := range n {
		c.off[i+1] += c.off[i]
	}
	c.adj = make([]int32, len(pairs))
	fill := slices.Clone(c.off)
	for _, p := range pairs {
		c.adj[fill[p[0]]] = p[1]
		fill[p[0]]++
	}
	return c
}

// bfs counts the nodes within depth of start.
func (c *compact) bfs(start int32, depth int, seen []uint32, stamp uint32) int {
	frontier := []int32{start}
	seen[start] = stamp
	n := 0
	for d := 0; d < depth && len(frontier) > 0; d++ {
		var next []int32
		for _, v := range frontier {
			for _, u := range c.adj[c.off[v]:c.off[v+1]] {
				if seen[u] != stamp {
					seen[u] = stamp
					next = append(next, u)
					n++
				}
			}
		}
		frontier = next
	}
	return n
}

func downstream(e *graph.Edge) (graph.ID, graph.ID, bool) {
	switch e.Type {
	case graph.RelDependsOn, graph.RelRunsOn:
		return e.To.ID(), e.From.ID(), true
	case graph.RelBuilds, graph.RelDefines, graph.RelPartOf:
		return e.From.ID(), e.To.ID(), true
	}
	return graph.ID{}, graph.ID{}, false
}

// ownership follows what WhoOwns reads: owners (OWNS in), ancestors
// (PART_OF out, RUNS_ON and DEPENDS_ON in, DEFINES in) and parent teams.
func ownership(e *graph.Edge) (graph.ID, graph.ID, bool) {
	switch e.Type {
	case graph.RelOwns, graph.RelRunsOn, graph.RelDependsOn, graph.RelDefines:
		return e.To.ID(), e.From.ID(), true
	case graph.RelPartOf, graph.RelMemberOf:
		return e.From.ID(), e.To.ID(), true
	}
	return graph.ID{}, graph.ID{}, false
}

func benchFloor(b *testing.B, follow func(*graph.Edge) (graph.ID, graph.ID, bool), refs []graph.Ref, depth int) {
	s, _ := benchEstate(b)
	c := buildCompact(b, s, follow)
	seen := make([]uint32, len(c.index))
	var lat latencies
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r := refs[i%len(refs)]
		start, ok := c.index[r.ID()]
		n := 0
		lat.time(func() {
			if ok {
				n = c.bfs(start, depth, seen, uint32(i+1))
			}
		})
		if n < 0 {
			b.Fatal("negative reach")
		}
	}
	lat.report(b)
}

// BenchmarkFloorWhoOwns is a BFS to depth 4 over the ownership arrays from
// the same starts as BenchmarkWhoOwns.
func BenchmarkFloorWhoOwns(b *testing.B) {
	_, sm := benchEstate(b)
	refs := mixed(sm.Applications, append(slices.Clone(sm.Resources), sm.Repositories...))
	benchFloor(b, ownership, refs, 4)
}

// BenchmarkFloorImpactDepth6 is a BFS to depth 6 over the downstream
// arrays from the same starts as BenchmarkImpactDepth6.
func BenchmarkFloorImpactDepth6(b *testing.B) {
	_, sm := benchEstate(b)
	refs := mixed(append(slices.Clone(sm.HotApplications), sm.HotResources...), append(slices.Clone(sm.Applications), sm.Repositories...))
	benchFloor(b, downstream, refs, 6)
}

package bench

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/bench/harness"
	"github.com/estate-cmdb/estate/bench/heapstat"
	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest/synthetic"
)

// BenchmarkMemory is figure F6's memory per node and per relationship on
// the embedded store: the M estate's items are collected first, then its
// nodes and then its relationships are applied to a fresh store, and the
// live heap is read after a collection at each step, so each figure
// includes its share of the store's indexes (adjacency counts as the
// relationships'). One iteration is one whole load.
func BenchmarkMemory(b *testing.B) {
	in := harness.NewMaps()
	if err := source(b, synthetic.TierM).Run(context.Background(), in); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var perNode, perEdge float64
	for b.Loop() {
		b.StopTimer()
		base := heapstat.Live()
		s, err := embedded.Open(ctx, b.TempDir(), embedded.Options{Logger: zerolog.Nop(), NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		at := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
		// A run id like the engine's, since every assertion holds one.
		batch := graph.Batch{Source: "synthetic", Run: uuid.NewString(), At: at}
		flush := func() {
			if _, err := s.Apply(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch.Nodes, batch.Edges = nil, nil
		}
		b.StartTimer()
		for _, n := range in.Nodes {
			if batch.Nodes = append(batch.Nodes, n); len(batch.Nodes) == 5000 {
				flush()
			}
		}
		flush()
		b.StopTimer()
		withNodes := heapstat.Live()
		b.StartTimer()
		for _, e := range in.Edges {
			if batch.Edges = append(batch.Edges, e); len(batch.Edges) == 5000 {
				flush()
			}
		}
		flush()
		b.StopTimer()
		withEdges := heapstat.Live()
		st, err := s.Stats(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if st.TotalNodes() != len(in.Nodes) || st.TotalEdges() != len(in.Edges) {
			b.Fatalf("store holds %d nodes and %d relationships, want %d and %d", st.TotalNodes(), st.TotalEdges(), len(in.Nodes), len(in.Edges))
		}
		perNode = float64(withNodes-base) / float64(len(in.Nodes))
		perEdge = float64(withEdges-withNodes) / float64(len(in.Edges))
		runtime.KeepAlive(s)
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(perNode, "B/node")
	b.ReportMetric(perEdge, "B/edge")
}

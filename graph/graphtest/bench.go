package graphtest

import (
	"fmt"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

// benchSize is the number of nodes of the store the read benchmarks query.
const benchSize = 5000

// RunBenchmarks runs the micro benchmarks against stores made by h: Apply of
// batches of 1,000 nodes (and their ~2,000 relationships), node lookups,
// neighbours for a page of 100 nodes, a depth-4 traversal, and the whole
// graph's topology beside the two scans it replaces. Each checks
// the answer inside the loop, so a broken backend cannot post a fast time.
func RunBenchmarks(b *testing.B, h Harness) {
	b.Run("Apply/Create1k", func(b *testing.B) {
		s := h(b)
		i := 0
		for b.Loop() {
			b.StopTimer()
			batch := SyntheticEstate(fmt.Sprintf("c%06d-", i), 1000)
			i++
			b.StartTimer()
			res, err := s.Apply(b.Context(), batch)
			if err != nil {
				b.Fatal(err)
			}
			if res.NodesCreated != len(batch.Nodes) || res.EdgesCreated != len(batch.Edges) {
				b.Fatalf("Apply of a new batch: %+v, want %d nodes and %d relationships created", res, len(batch.Nodes), len(batch.Edges))
			}
		}
		b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "nodes/s")
	})

	b.Run("Apply/Update1k", func(b *testing.B) {
		s := h(b)
		batch := SyntheticEstate("u-", 1000)
		MustApply(b, s, batch)
		for b.Loop() {
			res, err := s.Apply(b.Context(), batch)
			if err != nil {
				b.Fatal(err)
			}
			if res.NodesUpdated != len(batch.Nodes) || res.EdgesUpdated != len(batch.Edges) || res.NodesCreated+res.EdgesCreated != 0 {
				b.Fatalf("re-Apply: %+v, want %d nodes and %d relationships updated", res, len(batch.Nodes), len(batch.Edges))
			}
		}
		b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "nodes/s")
	})

	// One edit through the API: a single node, whose description changes
	// every time; a store's fixed cost per write.
	b.Run("Apply/Edit", func(b *testing.B) {
		s := h(b)
		ref := graph.Ref{Kind: graph.KindService, Key: "payments"}
		i := 0
		for b.Loop() {
			i++
			res, err := s.Apply(b.Context(), graph.Batch{Source: graph.SourceManual, Run: fmt.Sprint("edit-", i),
				Nodes: []graph.NodeInput{{Kind: ref.Kind, Key: ref.Key, Props: map[string]any{"description": fmt.Sprint("edit ", i)}}}})
			if err != nil || res.NodesCreated+res.NodesUpdated != 1 {
				b.Fatalf("edit: %+v, %v", res, err)
			}
		}
	})

	// The read benchmarks share one loaded store.
	s := h(b)
	estate := SyntheticEstate("", benchSize)
	MustApply(b, s, estate)
	var appRefs []graph.Ref
	for _, n := range estate.Nodes {
		if n.Kind == graph.KindApplication {
			appRefs = append(appRefs, n.Ref())
		}
	}

	b.Run("Node", func(b *testing.B) {
		i := 0
		for b.Loop() {
			r := appRefs[i%len(appRefs)]
			i++
			n, err := s.Node(b.Context(), r)
			if err != nil {
				b.Fatal(err)
			}
			if n.Key != r.Key {
				b.Fatalf("Node(%s) = %s", r, n.Ref())
			}
		}
	})

	b.Run("Nodes100", func(b *testing.B) {
		page := ids(appRefs[:100]...)
		for b.Loop() {
			ns, err := s.Nodes(b.Context(), page)
			if err != nil {
				b.Fatal(err)
			}
			if len(ns) != len(page) || ns[99] == nil || ns[99].ID != page[99] {
				b.Fatalf("Nodes of 100 ids returned %d", len(ns))
			}
		}
	})

	// Topology beside the two scans it spares the whole-graph answers.
	b.Run("Topology", func(b *testing.B) {
		for b.Loop() {
			t, err := s.Topology(b.Context())
			if err != nil {
				b.Fatal(err)
			}
			if len(t.Nodes) != len(estate.Nodes) || len(t.Links) != len(estate.Edges) {
				b.Fatalf("Topology: %d nodes and %d links, want %d and %d", len(t.Nodes), len(t.Links), len(estate.Nodes), len(estate.Edges))
			}
		}
	})
	b.Run("ScanNodes+ScanEdges", func(b *testing.B) {
		for b.Loop() {
			nodes, edges := 0, 0
			err := s.ScanNodes(b.Context(), func(*graph.Node) error { nodes++; return nil })
			if err == nil {
				err = s.ScanEdges(b.Context(), func(*graph.Edge) error { edges++; return nil })
			}
			if err != nil {
				b.Fatal(err)
			}
			if nodes != len(estate.Nodes) || edges != len(estate.Edges) {
				b.Fatalf("scans: %d nodes and %d relationships, want %d and %d", nodes, edges, len(estate.Nodes), len(estate.Edges))
			}
		}
	})

	// Each read runs whole and light (graph.Light, naming the properties
	// impact shows), side by side.
	for _, read := range []struct {
		name  string
		light *graph.Light
	}{{"", nil}, {"Light", &graph.Light{Props: []string{"tier", "path"}}}} {
		benchReads(b, s, estate, appRefs, read.name, read.light)
	}
}

// benchReads runs the neighbour and traversal benchmarks reading light, or
// whole when light is nil; name follows each benchmark's.
func benchReads(b *testing.B, s graph.Store, estate graph.Batch, appRefs []graph.Ref, name string, light *graph.Light) {
	b.Run("Neighbors100"+name, func(b *testing.B) {
		// Each application is PART_OF one service, DEPENDS_ON two others and
		// depended on by two.
		page := ids(appRefs[200:300]...)
		for b.Loop() {
			m, err := s.Neighbors(b.Context(), page, graph.NeighborQuery{Direction: graph.Both, Light: light})
			if err != nil {
				b.Fatal(err)
			}
			for _, id := range page {
				if len(m[id]) != 5 {
					b.Fatalf("Neighbors of an application: %d, want 5", len(m[id]))
				}
			}
		}
	})

	b.Run("TraverseDepth4"+name, func(b *testing.B) {
		// Impact of changing one application: who depends on it, and the
		// services and business unit they belong to.
		q := graph.TraverseQuery{Starts: ids(appRefs[len(appRefs)/2]), MaxDepth: 4, Light: light, Steps: []graph.Step{
			{Type: graph.RelDependsOn, Direction: graph.In}, {Type: graph.RelPartOf, Direction: graph.Out}}}
		want := reach(estate, q)
		for b.Loop() {
			tr, err := s.Traverse(b.Context(), q)
			if err != nil {
				b.Fatal(err)
			}
			if len(tr.Hits) != want || tr.Truncated || tr.Hits[len(tr.Hits)-1].Depth != 4 {
				b.Fatalf("Traverse depth 4: %d hits, want %d", len(tr.Hits), want)
			}
		}
	})
}

// reach counts the nodes a traversal reaches in the graph a batch describes,
// by a plain breadth-first walk: the expected answer for benchmarks.
func reach(b graph.Batch, q graph.TraverseQuery) int {
	adj := map[graph.ID][]graph.ID{}
	for _, e := range b.Edges {
		for _, st := range q.Steps {
			if st.Type != e.Type {
				continue
			}
			if st.Direction == graph.Out || st.Direction == graph.Both {
				adj[e.From.ID()] = append(adj[e.From.ID()], e.To.ID())
			}
			if st.Direction == graph.In || st.Direction == graph.Both {
				adj[e.To.ID()] = append(adj[e.To.ID()], e.From.ID())
			}
		}
	}
	seen := map[graph.ID]bool{}
	frontier := q.Starts
	for _, id := range frontier {
		seen[id] = true
	}
	n := 0
	for d := 0; d < q.MaxDepth; d++ {
		var next []graph.ID
		for _, id := range frontier {
			for _, to := range adj[id] {
				if !seen[to] {
					seen[to] = true
					next = append(next, to)
					n++
				}
			}
		}
		frontier = next
	}
	return n
}

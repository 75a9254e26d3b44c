package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/estate-cmdb/estate/bench/heapstat"
	"github.com/estate-cmdb/estate/graph"
)

// footprint is F6: the store's heap after a reopen (runtime.MemStats after
// GC), its start-up (reopen) time and its size on disk, beside the compact
// arrays and a naive map-of-slices graph of the same estate.
func (h *harness) footprint(ctx context.Context, kind string, s *opened, rec *recorder) error {
	nodes, edges := h.churn.TotalNodes(), h.churn.TotalEdges()
	// The growth is signed: when less is live after than before (a
	// reference to what should be gone), the figure shows it as negative
	// rather than wrapping around to 2^64.
	perItem := func(by string, before, after uint64) {
		bytes := float64(after) - float64(before)
		rec.add("F6", "heap", by, "MiB", bytes/(1<<20))
		rec.add("F6", "heap per node (all heap / nodes)", by, "B", bytes/float64(nodes))
		rec.add("F6", "heap per relationship (all heap / relationships)", by, "B", bytes/float64(edges))
	}
	// The embedded store is closed first (it locks its directory, and its
	// memory must not count twice: nothing may refer to it while the heap
	// is measured, and a closed store still holds its state); the Neo4j one
	// after the new one is open, so that its namespace can always be dropped.
	var old graph.Store
	if kind == StoreEmbedded {
		if err := s.Store.Close(); err != nil {
			return err
		}
		s.Store = nil
	} else {
		old = s.Store
	}
	before := heapstat.Live()
	start := time.Now()
	s2, err := s.reopen(ctx)
	if err != nil {
		return fmt.Errorf("reopen: %w", err)
	}
	st, err := s2.Stats(ctx)
	took := time.Since(start)
	if old != nil {
		old.Close()
	}
	s.setStore(s2)
	if err != nil {
		return err
	}
	rec.add("F6", "start-up (open and first answer)", "estate", "ms", float64(took.Microseconds())/1e3)
	rec.check("F6 reopen: nodes", nodes, st.TotalNodes())
	if kind == StoreEmbedded {
		perItem("estate", before, heapstat.Live())
		if err := writeHeapProfile(h.cfg.HeapProfile); err != nil {
			return err
		}
		size, err := dirSize(s.dir)
		if err != nil {
			return err
		}
		rec.add("F6", "on disk", "estate", "MiB", float64(size)/(1<<20))
	} else {
		rec.gap("F6", "heap and on-disk size", "Neo4j holds the graph in its own server process and store files, shared with other namespaces; only start-up is measured")
	}

	// The peers are built from the churned estate, generated again.
	churn, err := load(ctx, h.churnCfg)
	if err != nil {
		return err
	}
	before = heapstat.Live()
	b := NewCompactBuilder()
	for _, e := range churn.Edges {
		b.Add(e.From.ID(), e.To.ID())
	}
	c := b.Build()
	perItem("compact arrays (floor)", before, heapstat.Live())
	runtime.KeepAlive(c)

	before = heapstat.Live()
	naive := naiveGraph(churn)
	perItem("naive map-of-slices graph", before, heapstat.Live())
	runtime.KeepAlive(naive)
	return nil
}

// writeHeapProfile writes the live heap as of the last collection to the
// file, if one is named.
func writeHeapProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	err = pprof.Lookup("heap").WriteTo(f, 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("heap profile %s: %w", path, err)
	}
	return nil
}

// naiveGraph copies an estate into what a first program would write: nodes
// by id, and each node's relationships in a slice.
func naiveGraph(m *Maps) map[graph.ID]*naiveNode {
	g := make(map[graph.ID]*naiveNode, len(m.Nodes))
	for id, n := range m.Nodes {
		g[id] = &naiveNode{NodeInput: cloneNode(n)}
	}
	for _, e := range m.Edges {
		e.Props = cloneMap(e.Props)
		if from := g[e.From.ID()]; from != nil {
			from.out = append(from.out, e)
		}
		if to := g[e.To.ID()]; to != nil {
			to.in = append(to.in, e)
		}
	}
	return g
}

type naiveNode struct {
	graph.NodeInput
	out, in []graph.EdgeInput
}

func cloneNode(n graph.NodeInput) graph.NodeInput {
	n.Props = cloneMap(n.Props)
	if n.Labels != nil {
		l := make(map[string]string, len(n.Labels))
		for k, v := range n.Labels {
			l[k] = v
		}
		n.Labels = l
	}
	n.Aliases = slices.Clone(n.Aliases)
	return n
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	return n, err
}

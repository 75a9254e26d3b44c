package synthetic

import (
	"context"
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
)

// TestIngestIntoEmbeddedStore runs the three syncs of BENCHMARKS.md through
// the real engine into the embedded store: cold, identical (a no-op), and one
// churn step followed by the sweep.
func TestIngestIntoEmbeddedStore(t *testing.T) {
	ctx := context.Background()
	st, err := embedded.Open(ctx, t.TempDir(), embedded.Options{NoSync: true, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatalf("open embedded store: %v", err)
	}
	t.Cleanup(func() { st.Close() })

	baseCfg := sCfg()
	churnCfg := baseCfg
	churnCfg.Churn = 1
	base, churn := recordS(t, baseCfg), recordS(t, churnCfg)
	opts := ingest.Options{Logger: zerolog.Nop()}

	sync := func(name string, cfg Config) *ingest.Report {
		t.Helper()
		rep, err := ingest.Run(ctx, st, mustNew(t, cfg), opts)
		if err != nil {
			t.Fatalf("%s sync: %v", name, err)
		}
		if rep.Status != ingest.StatusSucceeded || len(rep.Errors) > 0 || rep.SweepHeld != "" {
			t.Fatalf("%s sync: status %s, %d item errors (%v), sweep held: %q", name, rep.Status, len(rep.Errors), rep.Errors[:min(3, len(rep.Errors))], rep.SweepHeld)
		}
		return rep
	}
	checkStats := func(name string, rec *recorder) {
		t.Helper()
		stats, err := st.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantNodes := map[graph.Kind]int{}
		for _, n := range rec.nodes {
			wantNodes[n.Kind]++
		}
		wantEdges := map[graph.RelType]int{}
		for _, e := range rec.edges {
			wantEdges[e.Type]++
		}
		for _, k := range graph.Kinds {
			if stats.Nodes[k] != wantNodes[k] {
				t.Errorf("after %s sync: store holds %d %s, the estate has %d", name, stats.Nodes[k], k, wantNodes[k])
			}
		}
		for _, rt := range graph.RelTypes {
			if stats.Edges[rt] != wantEdges[rt] {
				t.Errorf("after %s sync: store holds %d %s, the estate has %d", name, stats.Edges[rt], rt, wantEdges[rt])
			}
		}
	}

	// Cold.
	rep := sync("cold", baseCfg)
	if rep.Applied.NodesCreated != len(base.nodes) || rep.Applied.EdgesCreated != len(base.edges) {
		t.Errorf("cold sync created %d nodes and %d relationships, want %d and %d",
			rep.Applied.NodesCreated, rep.Applied.EdgesCreated, len(base.nodes), len(base.edges))
	}
	checkStats("cold", base)
	stats, _ := st.Stats(ctx)
	for k, n := range Counts(TierS) {
		if stats.Nodes[k] != n {
			t.Errorf("after cold sync: %d %s, tier table says %d", stats.Nodes[k], k, n)
		}
	}

	// Identical: nothing created, nothing swept.
	rep = sync("identical", baseCfg)
	if rep.Applied.NodesCreated != 0 || rep.Applied.EdgesCreated != 0 {
		t.Errorf("identical sync created %d nodes and %d relationships, want none", rep.Applied.NodesCreated, rep.Applied.EdgesCreated)
	}
	if rep.Swept == nil || rep.Swept.NodesRemoved+rep.Swept.EdgesRemoved != 0 {
		t.Errorf("identical sync swept %+v, want nothing", rep.Swept)
	}
	checkStats("identical", base)

	// Churn: the sweep removes what the step deleted or rewired, under the
	// mass-deletion guard.
	before := map[graph.Ref]bool{}
	for _, n := range base.nodes {
		before[n.Ref()] = true
	}
	added := 0
	for _, n := range churn.nodes {
		if !before[n.Ref()] {
			added++
		}
	}
	deleted := len(base.nodes) - (len(churn.nodes) - added)
	rep = sync("churn", churnCfg)
	if rep.Swept == nil {
		t.Fatal("churn sync swept nothing")
	}
	if rep.Swept.NodesRemoved != deleted {
		t.Errorf("churn sweep removed %d nodes, the step deleted %d", rep.Swept.NodesRemoved, deleted)
	}
	if rep.Applied.NodesCreated != added {
		t.Errorf("churn sync created %d nodes, the step added %d", rep.Applied.NodesCreated, added)
	}
	if rep.Swept.EdgesRemoved == 0 {
		t.Error("churn sweep removed no relationship")
	}
	t.Logf("churn sync: created %d nodes, %d relationships; swept %d nodes, %d relationships (of %d + %d held)",
		rep.Applied.NodesCreated, rep.Applied.EdgesCreated, rep.Swept.NodesRemoved, rep.Swept.EdgesRemoved,
		rep.Swept.SourceNodesBefore, rep.Swept.SourceEdgesBefore)
	checkStats("churn", churn)
}

package embedded_test

import (
	"context"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

// TestRunsSurviveRestart: run records are on disk, not only in memory, and
// reopening a store written before they existed works.
func TestRunsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	ctx := context.Background()
	if _, err := s.Apply(ctx, graphtest.SmallEstate()); err != nil {
		t.Fatal(err)
	}
	r := graph.IngestRun{ID: "r1", Source: "demo", Status: graph.RunSucceeded, Started: graphtest.T0,
		Ended: graphtest.T0.Add(time.Minute), Nodes: 3, Summary: map[string]int{"shadow.total": 2}}
	if err := s.PutRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.PutRun(ctx, r); graph.CodeOf(err) != graph.CodeUnavailable {
		t.Errorf("PutRun on a closed store: %v, want UNAVAILABLE", err)
	}

	s = open(t, dir)
	defer s.Close()
	got, err := graph.GetRun(ctx, s, "r1")
	if err != nil {
		t.Fatalf("after reopening: %v", err)
	}
	if got.Status != graph.RunSucceeded || got.Nodes != 3 || got.Summary["shadow.total"] != 2 || !got.Ended.Equal(r.Ended) {
		t.Errorf("after reopening: %+v, want %+v", got, r)
	}
}

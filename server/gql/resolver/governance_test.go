package resolver

import (
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded/embeddedtest"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

// An order by time reads every change the filters pick: over the bound it
// is LIMIT_EXCEEDED, saying how to narrow it, rather than a slow answer.
func TestChangesByTimeBounded(t *testing.T) {
	s := embeddedtest.Harness(t)
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	var nodes []graph.NodeInput
	for _, k := range []string{"github.com/acme/a@1/production", "github.com/acme/b@1/production", "github.com/acme/c@1/production"} {
		nodes = append(nodes, graph.NodeInput{Kind: graph.KindChange, Key: k, Labels: map[string]string{"status": "PENDING"},
			Props: map[string]any{"assessedAt": at.Format(time.RFC3339Nano), "class": "NORMAL", "status": "PENDING"}})
	}
	graphtest.MustApply(t, s, graph.Batch{Source: "governance", Run: "r1", At: at, Nodes: nodes})
	r := &Resolver{Store: s, MaxPageSize: 100}
	labels := map[string]string{"status": "PENDING"}
	p, err := r.changesByTime(t.Context(), labels, false, nil, nil)
	if err != nil || p.total != 3 {
		t.Fatalf("three changes: %+v, %v", p, err)
	}
	defer func(n int) { maxOrderedChanges = n }(maxOrderedChanges)
	maxOrderedChanges = 2
	_, err = r.changesByTime(t.Context(), labels, false, nil, nil)
	if graph.CodeOf(err) != graph.CodeLimitExceeded {
		t.Errorf("over the bound: %v, want LIMIT_EXCEEDED", err)
	}
}

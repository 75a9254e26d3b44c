package resolver

import (
	"fmt"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded/embeddedtest"
	"github.com/estate-cmdb/estate/graph/graphtest"
	"github.com/estate-cmdb/estate/server/gql/model"
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

// BenchmarkChangesByTime is what an order by time costs beside the first
// page by key (Store.List), at a size a team's queue reaches and at the
// bound: it reads, decodes and sorts every change the filters pick.
func BenchmarkChangesByTime(b *testing.B) {
	for _, n := range []int{1_000, maxOrderedChanges} {
		s := embeddedtest.Harness(b)
		at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		nodes := make([]graph.NodeInput, n)
		for i := range nodes {
			nodes[i] = graph.NodeInput{Kind: graph.KindChange, Key: fmt.Sprintf("github.com/acme/r%05d@c/production", (i*7919)%n),
				Labels: map[string]string{"status": "PENDING"},
				Props:  map[string]any{"assessedAt": at.Add(time.Duration(i) * time.Minute).Format(time.RFC3339Nano), "class": "NORMAL", "status": "PENDING"}}
		}
		graphtest.MustApply(b, s, graph.Batch{Source: "governance", Run: "r1", At: at, Nodes: nodes})
		r := &Resolver{Store: s, MaxPageSize: 100}
		labels := map[string]string{"status": "PENDING"}
		b.Run(fmt.Sprintf("%d/by-key", n), func(b *testing.B) {
			for b.Loop() {
				p, err := r.list(b.Context(), []graph.Kind{graph.KindChange}, []*model.LabelInput{{Key: "status", Value: "PENDING"}}, nil, nil, nil)
				if err != nil || p.total != n {
					b.Fatal(p.total, err)
				}
			}
		})
		b.Run(fmt.Sprintf("%d/by-time", n), func(b *testing.B) {
			for b.Loop() {
				p, err := r.changesByTime(b.Context(), labels, false, nil, nil)
				if err != nil || p.total != n || p.items[0].node.Key != "github.com/acme/r00000@c/production" {
					b.Fatal(p.total, err)
				}
			}
		})
	}
}

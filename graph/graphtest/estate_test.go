package graphtest_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

// The shared estates must be valid, free of duplicates (so that Apply
// counts are exact) and the same on every call.
func TestEstatesAreValid(t *testing.T) {
	for name, b := range map[string]graph.Batch{
		"SmallEstate":     graphtest.SmallEstate(),
		"SyntheticEstate": graphtest.SyntheticEstate("x-", 1000),
	} {
		t.Run(name, func(t *testing.T) {
			v, err := graph.ValidateBatch(b, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			seenNodes, seenEdges := map[graph.ID]bool{}, map[graph.ID]bool{}
			for _, n := range v.Nodes {
				if seenNodes[n.Ref().ID()] {
					t.Errorf("node %s twice", n.Ref())
				}
				seenNodes[n.Ref().ID()] = true
			}
			for _, e := range v.Edges {
				if seenEdges[e.ID()] {
					t.Errorf("relationship %s %s→%s twice", e.Type, e.From, e.To)
				}
				seenEdges[e.ID()] = true
				if !seenNodes[e.From.ID()] || !seenNodes[e.To.ID()] {
					t.Errorf("relationship %s %s→%s names a node outside the batch", e.Type, e.From, e.To)
				}
			}
		})
	}
	if !reflect.DeepEqual(graphtest.SmallEstate(), graphtest.SmallEstate()) {
		t.Error("SmallEstate differs between calls")
	}
	if b := graphtest.SyntheticEstate("", 1000); len(b.Nodes) != 1000 {
		t.Errorf("SyntheticEstate(1000) has %d nodes", len(b.Nodes))
	}
}

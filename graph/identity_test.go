package graph

import (
	"errors"
	"fmt"
	"testing"
)

// TestMergeIntoRefusesAHub: a duplicate with more relationships than one
// write may hold is refused, before anything is built.
func TestMergeIntoRefusesAHub(t *testing.T) {
	into := &Node{ID: NodeID(KindApplication, "a"), Kind: KindApplication, Key: "a"}
	from := &Node{ID: NodeID(KindApplication, "b"), Kind: KindApplication, Key: "b"}
	var edges []*Edge
	for i := range MaxBatchItems + 1 {
		other := Ref{Kind: KindApplication, Key: fmt.Sprint("c", i)}
		edges = append(edges, &Edge{Type: RelDependsOn, From: other, To: from.Ref()})
	}
	if _, _, err := MergeInto(into, from, edges); !errors.Is(err, ErrLimitExceeded) {
		t.Errorf("merging a node with %d relationships: %v, want LIMIT_EXCEEDED", len(edges), err)
	}
	if _, _, err := MergeInto(into, from, edges[:10]); err != nil {
		t.Errorf("merging a node with 10 relationships: %v", err)
	}
}

// TestDistinctAfterAMerge: a decision that a and b are two things holds
// for the node b was merged into, and is withdrawn by naming that node.
func TestDistinctAfterAMerge(t *testing.T) {
	team := func(key string, aliases ...Alias) *Node {
		return &Node{ID: NodeID(KindTeam, key), Kind: KindTeam, Key: key, Aliases: aliases}
	}
	a, b := team("payments"), team("payments-retail")
	labels, err := DistinctLabels([]*Node{a, b}, true)
	if err != nil {
		t.Fatal(err)
	}
	a.Labels = labels[a.ID]
	// b merged into c: c keeps b's key as an alias from the source merged.
	c := team("retail-payments", Alias{Value: "payments-retail", Source: AliasMerged})
	other := team("payments-retail-2", Alias{Value: "payments-retail", Source: "catalog"})
	for _, x := range []struct {
		o    *Node
		want bool
	}{{b, true}, {c, true}, {other, false}} {
		if got := DistinctFrom(a, x.o); got != x.want {
			t.Errorf("DistinctFrom(a, %s) = %v, want %v", x.o.Key, got, x.want)
		}
	}
	labels, err = DistinctLabels([]*Node{a, c}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := labels[a.ID][DistinctLabel]; got != "" {
		t.Errorf("a's label after withdrawing the decision about c: %q, want none", got)
	}
}

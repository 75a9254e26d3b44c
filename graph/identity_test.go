package graph

import (
	"errors"
	"fmt"
	"testing"
	"time"
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

// TestInputIDsFollowChanges: the ids DeriveIDs derives ahead for an input
// are its ids, and stay so when the input is changed since (as Redirect
// changes keys and ends): each is derived again.
func TestInputIDsFollowChanges(t *testing.T) {
	team, svc, other := Ref{Kind: KindTeam, Key: "payments"}, Ref{Kind: KindService, Key: "pay"}, Ref{Kind: KindService, Key: "cards"}
	b, err := ValidateBatch(Batch{Source: "s", Run: "r",
		Nodes: []NodeInput{{Kind: KindTeam, Key: " payments "}},
		Edges: []EdgeInput{{Type: RelOwns, From: team, To: svc, Props: map[string]any{"role": OwnerBusiness}}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	DeriveIDs(b.Nodes, b.Edges)
	n, e := b.Nodes[0], b.Edges[0]
	fresh := func(e EdgeInput) ID {
		return EdgeID(e.Type, NodeID(e.From.Kind, e.From.Key), NodeID(e.To.Kind, e.To.Key), roleOf(e))
	}
	if n.ID() != NodeID(KindTeam, "payments") || e.ID() != fresh(e) {
		t.Fatalf("validated ids: node %s, relationship %s", n.ID(), e.ID())
	}
	n.Key = "platform"
	if n.ID() != NodeID(KindTeam, "platform") {
		t.Errorf("node id after its key changed: %s", n.ID())
	}
	for name, change := range map[string]func(*EdgeInput){
		"end":  func(e *EdgeInput) { e.To = other },
		"role": func(e *EdgeInput) { e.Props = map[string]any{"role": OwnerSupport} },
		"type": func(e *EdgeInput) { e.Type = RelDependsOn; e.From = Ref{Kind: KindApplication, Key: "api"} },
	} {
		c := e
		change(&c)
		if from, to := c.EndIDs(); c.ID() != fresh(c) || from != c.From.ID() || to != c.To.ID() || c.ID() == e.ID() {
			t.Errorf("relationship ids after its %s changed: %s, want %s", name, c.ID(), fresh(c))
		}
	}
}

// TestCheckedBatchDerivesIDsWhileAsked: an ingest run derives a batch's
// ids only while the write before runs; the writer derives the rest.
func TestCheckedBatchDerivesIDsWhileAsked(t *testing.T) {
	c := NewCheckedBatch(0, 600)
	for i := range 600 {
		e := EdgeInput{Type: RelDependsOn, From: Ref{Kind: KindApplication, Key: fmt.Sprint("a", i)}, To: Ref{Kind: KindApplication, Key: "db"}}
		if err := c.Edge(e); err != nil {
			t.Fatal(err)
		}
	}
	asked := 0
	c.DeriveIDs(func() bool { asked++; return asked <= 2 }) // two chunks, then the write is done
	derived := 0
	for _, e := range c.items.edges {
		if e.id.typ != "" {
			derived++
		}
	}
	if derived != 512 {
		t.Errorf("derived the ids of %d relationships, want the first two chunks' 512", derived)
	}
	b, err := ValidateBatch(Batch{Source: "s", Run: "r", Checked: c}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	DeriveIDs(b.Nodes, b.Edges)
	for _, e := range b.Edges {
		if e.id.typ == "" || e.ID() != EdgeID(e.Type, e.From.ID(), e.To.ID(), "") {
			t.Fatalf("%s → %s: id %s after the writer derived the rest", e.From, e.To, e.ID())
		}
	}
	c.DeriveIDs(nil) // taken: nothing to derive, no panic
}

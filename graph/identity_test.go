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

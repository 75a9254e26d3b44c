package graph

import (
	"context"
	"slices"
	"time"
)

// Snapshot is a node and its relationships as the store held them at a
// past time.
type Snapshot struct {
	At time.Time
	// Node is nil when the node did not exist at At.
	Node *Node
	// Edges are the relationships with the node at one end, ordered by
	// CompareEdges.
	Edges []*Edge
	// Truncated is set when the node has more relationships now than one
	// neighbour read returns (MaxPageSize): Edges then misses some.
	Truncated bool
}

// AsOfReader is what AsOf reads: the current state and the audit trail.
type AsOfReader interface {
	Nodes(ctx context.Context, ids []ID) ([]*Node, error)
	Neighbors(ctx context.Context, ids []ID, q NeighborQuery) (map[ID][]Neighbor, error)
	History(ctx context.Context, q HistoryQuery) (*HistoryPage, error)
}

// AsOf returns node id and its relationships as they were at time at: the
// current state with every change since undone, using the state before
// the first change of each item after at (see audit.go). It is the same on
// every backend because it reads only the Store contract. Errors:
// CodeLimitExceeded when more than MaxAsOfEvents changes touched the node
// since at.
func AsOf(ctx context.Context, s AsOfReader, id ID, at time.Time) (*Snapshot, error) {
	// The first event of each item after at, found by reading the events
	// since at newest first and keeping the last one seen.
	first := map[ID]*AuditEvent{}
	q := HistoryQuery{ID: id, Since: at, First: MaxPageSize}
	for seen := 0; ; {
		page, err := s.History(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, e := range page.Events {
			first[e.Subject] = e
		}
		if seen += len(page.Events); seen > MaxAsOfEvents {
			return nil, Errorf(CodeLimitExceeded, "more than %d changes touched %s since %s: ask about a later time", MaxAsOfEvents, id, at.Format(time.RFC3339))
		}
		if !page.HasNext {
			break
		}
		q.After = page.EndCursor
	}

	nodes, err := s.Nodes(ctx, []ID{id})
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{At: at, Node: nodes[0]}
	if e := first[id]; e != nil && !e.IsEdge() {
		snap.Node = e.Node // nil when the node was created after at
	}

	nbrs, err := s.Neighbors(ctx, []ID{id}, NeighborQuery{Direction: Both, Limit: MaxPageSize})
	if err != nil {
		return nil, err
	}
	edges := map[ID]*Edge{}
	for _, n := range nbrs[id] {
		edges[n.Edge.ID] = n.Edge
	}
	snap.Truncated = len(nbrs[id]) >= MaxPageSize
	for sub, e := range first {
		if !e.IsEdge() {
			continue
		}
		if e.Edge == nil {
			delete(edges, sub) // created after at
		} else {
			edges[sub] = e.Edge
		}
	}
	for _, e := range edges {
		snap.Edges = append(snap.Edges, e)
	}
	slices.SortFunc(snap.Edges, CompareEdges)
	return snap, nil
}

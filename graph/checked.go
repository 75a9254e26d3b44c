package graph

import (
	"fmt"
	"slices"
	"sync"
)

// CheckedBatch holds items validated one by one as they were added, for a
// writer that validates each item anyway: the ingest engine reports a bad
// item and goes on without it, and every store validates its batch on entry
// (Store), so without this each item of every sync was checked twice.
// ValidateBatch trusts the items of a batch's Checked instead of checking
// them again. Nothing else can reach them: they are added only through
// Node and Edge, which keep the canonical copy (new maps and slices, not
// the caller's), and ValidateBatch takes them out, once, so no caller can
// change an item between its check and its write. It also derives the
// items' ids (Batch.IDs) as they are added: on the filler's goroutine,
// beside the store writing the batch before, rather than in the writer's.
// Copies of a CheckedBatch share its items, and so whether they were
// taken. The zero value is an empty batch; it is applied once.
type CheckedBatch struct{ items *checkedItems }

type checkedItems struct {
	mu    sync.Mutex
	nodes []NodeInput
	edges []EdgeInput
	ids   batchIDs
	// ends caches the ids of the relationships' ends: a batch's share
	// ends (accounts, hot services), and each is a SHA-1.
	ends map[Ref]ID
	// taken is set once ValidateBatch took the items out.
	taken bool
}

// NewCheckedBatch returns an empty checked batch with room for about so
// many nodes and relationships, so that filling it copies nothing.
func NewCheckedBatch(nodes, edges int) *CheckedBatch {
	return &CheckedBatch{items: &checkedItems{nodes: make([]NodeInput, 0, nodes), edges: make([]EdgeInput, 0, edges),
		ids: batchIDs{nodes: make([]ID, 0, nodes), edges: make([]EdgeIDs, 0, edges)}}}
}

// Node validates n as ValidateBatch does and adds its canonical form.
func (c *CheckedBatch) Node(n NodeInput) error {
	v, err := validateNode(n)
	if err != nil {
		return err
	}
	id := NodeID(v.Kind, v.Key)
	it, err := c.open()
	if err != nil {
		return fmt.Errorf("%s: %w", n.Ref(), err)
	}
	it.nodes = append(it.nodes, v)
	it.ids.nodes = append(it.ids.nodes, id)
	it.mu.Unlock()
	return nil
}

// Edge validates e as ValidateBatch does and adds its canonical form.
func (c *CheckedBatch) Edge(e EdgeInput) error {
	v, err := validateEdge(e)
	if err != nil {
		return err
	}
	it, err := c.open()
	if err != nil {
		return fmt.Errorf("%s %s → %s: %w", e.Type, e.From, e.To, err)
	}
	it.edges = append(it.edges, v)
	it.ids.edges = append(it.ids.edges, v.ids(&it.ends))
	it.mu.Unlock()
	return nil
}

// open returns the items locked, for adding to them, unless they were
// taken.
func (c *CheckedBatch) open() (*checkedItems, error) {
	if c.items == nil {
		c.items = &checkedItems{}
	}
	it := c.items
	it.mu.Lock()
	if it.taken {
		it.mu.Unlock()
		return nil, Errorf(CodeInvalid, "added to a batch already applied")
	}
	return it, nil
}

// Len is the number of items added.
func (c *CheckedBatch) Len() int {
	if c.items == nil {
		return 0
	}
	c.items.mu.Lock()
	defer c.items.mu.Unlock()
	return len(c.items.nodes) + len(c.items.edges)
}

// take hands the items and their ids to ValidateBatch, once: a batch
// applied again (a retry) is rejected rather than written empty.
func (c *CheckedBatch) take() ([]NodeInput, []EdgeInput, batchIDs, error) {
	if c.items == nil {
		c.items = &checkedItems{}
	}
	it := c.items
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.taken {
		return nil, nil, batchIDs{}, Errorf(CodeInvalid, "checked batch was already applied")
	}
	it.taken = true
	nodes, edges, ids := it.nodes, it.edges, it.ids
	it.nodes, it.edges, it.ids, it.ends = nil, nil, batchIDs{}, nil
	return nodes, edges, ids, nil
}

// EdgeIDs are the ids a relationship derives: its own and its ends'.
type EdgeIDs struct {
	ID, From, To ID
}

// batchIDs are the ids of a batch's items, in its order: possibly of only
// the first items (the checked ones).
type batchIDs struct {
	nodes []ID
	edges []EdgeIDs
}

// ids derives e's ids, its ends' from the cache ends (made when nil).
func (e EdgeInput) ids(ends *map[Ref]ID) EdgeIDs {
	if *ends == nil {
		*ends = map[Ref]ID{}
	}
	end := func(r Ref) ID {
		id, ok := (*ends)[r]
		if !ok {
			id = r.ID()
			(*ends)[r] = id
		}
		return id
	}
	from, to := end(e.From), end(e.To)
	return EdgeIDs{ID: e.IDBetween(from, to), From: from, To: to}
}

// IDs returns the ids of a validated batch's nodes and of its
// relationships with their ends, in the batch's order. Those of the items
// that came through a CheckedBatch were derived as they were added; the
// rest are derived here.
func (b Batch) IDs() ([]ID, []EdgeIDs) {
	nodes, edges := b.ids.nodes, b.ids.edges
	if len(nodes) < len(b.Nodes) {
		nodes = slices.Grow(nodes[:len(nodes):len(nodes)], len(b.Nodes)-len(nodes))
		for _, n := range b.Nodes[len(nodes):] {
			nodes = append(nodes, NodeID(n.Kind, n.Key))
		}
	}
	if len(edges) < len(b.Edges) {
		edges = slices.Grow(edges[:len(edges):len(edges)], len(b.Edges)-len(edges))
		var ends map[Ref]ID
		for _, e := range b.Edges[len(edges):] {
			edges = append(edges, e.ids(&ends))
		}
	}
	return nodes, edges
}

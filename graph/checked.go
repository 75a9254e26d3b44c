package graph

import (
	"fmt"
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
// change an item between its check and its write. Copies of a
// CheckedBatch share its items, and so whether they were taken. The zero
// value is an empty batch; it is applied once.
type CheckedBatch struct{ items *checkedItems }

type checkedItems struct {
	mu    sync.Mutex
	nodes []NodeInput
	edges []EdgeInput
	// taken is set once ValidateBatch took the items out.
	taken bool
}

// NewCheckedBatch returns an empty checked batch with room for about so
// many nodes and relationships, so that filling it copies nothing.
func NewCheckedBatch(nodes, edges int) *CheckedBatch {
	return &CheckedBatch{items: &checkedItems{nodes: make([]NodeInput, 0, nodes), edges: make([]EdgeInput, 0, edges)}}
}

// Node validates n as ValidateBatch does and adds its canonical form.
func (c *CheckedBatch) Node(n NodeInput) error {
	v, err := validateNode(n)
	if err != nil {
		return err
	}
	it, err := c.open()
	if err != nil {
		return fmt.Errorf("%s: %w", n.Ref(), err)
	}
	it.nodes = append(it.nodes, v)
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

// DeriveIDs derives the ids of the items added so far (graph.DeriveIDs)
// on the caller's goroutine, as long as while holds (asked every few
// hundred items); the writer derives the rest. Nothing once the items were
// taken.
func (c *CheckedBatch) DeriveIDs(while func() bool) {
	it, err := c.open()
	if err != nil {
		return
	}
	defer it.mu.Unlock()
	deriveIDs(it.nodes, it.edges, while)
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

// take hands the items to ValidateBatch, once: a batch applied again
// (a retry) is rejected rather than written empty.
func (c *CheckedBatch) take() ([]NodeInput, []EdgeInput, error) {
	if c.items == nil {
		c.items = &checkedItems{}
	}
	it := c.items
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.taken {
		return nil, nil, Errorf(CodeInvalid, "checked batch was already applied")
	}
	it.taken = true
	nodes, edges := it.nodes, it.edges
	it.nodes, it.edges = nil, nil
	return nodes, edges, nil
}

package graph

import "sync"

// CheckedBatch holds items validated one by one as they were added, for a
// writer that validates each item anyway: the ingest engine reports a bad
// item and goes on without it, and every store validates its batch on entry
// (Store), so without this each item of every sync was checked twice.
// ValidateBatch trusts the items of a batch's Checked instead of checking
// them again. Nothing else can reach them: they are added only through
// Node and Edge, which keep the canonical copy (new maps and slices, not
// the caller's), and ValidateBatch takes them out, once, so no caller can
// change an item between its check and its write. The zero value is an
// empty batch (so is NewCheckedBatch's); it is applied once.
type CheckedBatch struct {
	mu    sync.Mutex
	nodes []NodeInput
	edges []EdgeInput
	// taken is set once ValidateBatch took the items out.
	taken bool
}

// NewCheckedBatch returns an empty checked batch with room for about so
// many nodes and relationships, so that filling it copies nothing.
func NewCheckedBatch(nodes, edges int) *CheckedBatch {
	return &CheckedBatch{nodes: make([]NodeInput, 0, nodes), edges: make([]EdgeInput, 0, edges)}
}

// Node validates n as ValidateBatch does and adds its canonical form.
func (c *CheckedBatch) Node(n NodeInput) error {
	v, err := validateNode(n)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.taken {
		return Errorf(CodeInvalid, "%s: node added to a batch already applied", n.Ref())
	}
	c.nodes = append(c.nodes, v)
	return nil
}

// Edge validates e as ValidateBatch does and adds its canonical form.
func (c *CheckedBatch) Edge(e EdgeInput) error {
	v, err := validateEdge(e)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.taken {
		return Errorf(CodeInvalid, "%s %s → %s: relationship added to a batch already applied", e.Type, e.From, e.To)
	}
	c.edges = append(c.edges, v)
	return nil
}

// Len is the number of items added.
func (c *CheckedBatch) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.nodes) + len(c.edges)
}

// take hands the items to ValidateBatch, once: a batch applied again
// (a retry) is rejected rather than written empty.
func (c *CheckedBatch) take() ([]NodeInput, []EdgeInput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.taken {
		return nil, nil, Errorf(CodeInvalid, "checked batch was already applied")
	}
	c.taken = true
	nodes, edges := c.nodes, c.edges
	c.nodes, c.edges = nil, nil
	return nodes, edges, nil
}

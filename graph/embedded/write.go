package embedded

import (
	"context"
	"runtime"
	"slices"
	"sync"

	"github.com/estate-cmdb/estate/graph"
)

// Apply implements graph.Store.
func (s *Store) Apply(ctx context.Context, b graph.Batch) (graph.ApplyResult, error) {
	var res graph.ApplyResult
	b, err := graph.ValidateBatch(b, s.now())
	if err != nil {
		return res, err
	}
	graph.DeriveIDs(b.Nodes, b.Edges) // those the batch does not carry
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	st := s.readState()
	if len(st.redirects) > 0 {
		b = graph.Redirect(b, st.redirect)
	}
	c := newChanges()
	c.touch = touch{source: b.Source, run: b.Run, at: b.At}
	// Most of a re-sync re-asserts what is stored: such an item is only
	// touched (touch.go), neither merged nor copied, found without decoding
	// it (state.touchesNode, state.touchesEdge), and marked by its slot
	// (marks). An item asserted again later in the batch is merged into
	// its touched value and written in full: its mark is cleared, and it
	// is left out of the touched slots below.
	m := &s.marks
	m.next(len(st.nodes), len(st.edges))
	for _, in := range b.Nodes {
		id := in.ID()
		old, pending := c.putNodes[id]
		if !pending {
			i, stored := st.nodeAt.get(id)
			if stored && m.nodes[i] != m.gen && st.touchesNode(i, in, b.Source, b.At) {
				res.NodesUpdated++
				m.nodes[i] = m.gen
				c.touchedNodes = append(c.touchedNodes, i)
				continue
			}
			old = st.nodeView(id)
			if stored && m.nodes[i] == m.gen {
				m.nodes[i] = 0
				c.wasNodes[id], pending = old, true
				old, _ = c.touch.node(old)
			}
		}
		switch {
		case old == nil:
			res.NodesCreated++
		case pending:
		default:
			res.NodesUpdated++
			c.wasNodes[id] = old
		}
		c.putNodes[id] = graph.MergeNode(old, in, b.Source, b.Run, b.At)
	}
	for _, in := range b.Edges {
		from, to := in.EndIDs()
		ends := [2]graph.ID{from, to}
		id := in.IDBetween(from, to)
		old, pending := c.putEdges[id]
		if !pending {
			i, stored := st.edgeAt.get(id)
			if !stored {
				// Only a new relationship's ends are looked up: a stored
				// or pending one's exist (Apply removes nothing).
				for k, end := range []graph.Ref{in.From, in.To} {
					if !c.exists(st, ends[k]) {
						return graph.ApplyResult{}, graph.Errorf(graph.CodeNotFound,
							"%s relationship %s → %s: %s %q does not exist", in.Type, in.From, in.To, end.Kind, end.Key)
					}
				}
			} else if m.edges[i] != m.gen && st.touchesEdge(i, in, b.Source, b.At) {
				res.EdgesUpdated++
				m.edges[i] = m.gen
				c.touchedEdges = append(c.touchedEdges, i)
				continue
			} else {
				old = st.edge(i)
			}
			if stored && m.edges[i] == m.gen {
				m.edges[i] = 0
				c.wasEdges[id], pending = old, true
				old, _ = c.touch.edge(old)
			}
		}
		switch {
		case old == nil:
			res.EdgesCreated++
		case pending:
		default:
			res.EdgesUpdated++
			c.wasEdges[id] = old
		}
		c.ends[id] = ends
		if old == nil {
			c.putEdges[id] = graph.NewEdge(id, in, b.Source, b.Run, b.At)
		} else {
			c.putEdges[id] = graph.MergeEdge(old, in, b.Source, b.Run, b.At)
		}
	}
	c.touchedNodes = slices.DeleteFunc(c.touchedNodes, func(i int32) bool { return m.nodes[i] != m.gen })
	c.touchedEdges = slices.DeleteFunc(c.touchedEdges, func(i int32) bool { return m.edges[i] != m.gen })
	if err := s.commit(ctx, c, b.Source, b.Run); err != nil {
		return graph.ApplyResult{}, err
	}
	return res, nil
}

// readState returns the current state for a writer. Writers hold writeMu, so
// the state cannot change under them; only publish takes mu exclusively.
func (s *Store) readState() *state { return s.state }

// DeleteNodes implements graph.Store.
func (s *Store) DeleteNodes(ctx context.Context, ids []graph.ID) (int, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	st := s.readState()
	c := newChanges()
	for _, id := range ids {
		if st.has(id) && !c.delNodes[id] {
			c.deleteNode(st, id)
		}
	}
	if err := s.commit(ctx, c, "", ""); err != nil {
		return 0, err
	}
	return len(c.delNodes), nil
}

// Merge implements graph.Store.
func (s *Store) Merge(ctx context.Context, intoID, fromID graph.ID) (*graph.Node, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	st := s.readState()
	var edges []*graph.Edge
	var nodes [2]*graph.Node
	for k, id := range []graph.ID{intoID, fromID} {
		i, ok := st.nodeAt.get(id)
		if !ok {
			return nil, graph.Errorf(graph.CodeNotFound, "no node has the id %s", id)
		}
		nodes[k] = st.copyNode(i)
		for _, l := range [][]link{st.nodes[i].out, st.nodes[i].in} {
			for _, e := range l {
				edges = append(edges, st.edge(e.slot()))
			}
		}
	}
	into, from := nodes[0], nodes[1]
	n, moved, err := graph.MergeInto(into, from, edges)
	if err != nil {
		return nil, err
	}
	c := newChanges()
	c.deleteNode(st, fromID)
	c.putNodes[intoID], c.wasNodes[intoID] = n, into
	for _, e := range moved {
		if old := st.edgeByID(e.ID); old != nil {
			c.wasEdges[e.ID] = old
		}
		c.putEdges[e.ID] = e
	}
	out := graph.CloneNode(n) // the state takes n over when it publishes
	if err := s.commit(ctx, c, "", ""); err != nil {
		return nil, err
	}
	return out, nil
}

// Annotate implements graph.Store.
func (s *Store) Annotate(ctx context.Context, labels map[graph.ID]map[string]string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	st := s.readState()
	c := newChanges()
	for id, ls := range labels {
		old := st.node(id)
		if old == nil {
			return graph.Errorf(graph.CodeNotFound, "no node has the id %s", id)
		}
		n, err := graph.Annotated(old, ls)
		if err != nil {
			return err
		}
		c.putNodes[id], c.wasNodes[id] = n, old
	}
	return s.commit(ctx, c, "", "")
}

// DeleteEdges implements graph.Store.
func (s *Store) DeleteEdges(ctx context.Context, ids []graph.ID) (int, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	st := s.readState()
	c := newChanges()
	for _, id := range ids {
		if _, ok := st.edgeAt.get(id); ok {
			c.deleteEdge(id)
		}
	}
	if err := s.commit(ctx, c, "", ""); err != nil {
		return 0, err
	}
	return len(c.delEdges), nil
}

// Sweep implements graph.Store.
func (s *Store) Sweep(ctx context.Context, r graph.SweepRequest) (graph.SweepResult, error) {
	var res graph.SweepResult
	r, err := r.Normalize()
	if err != nil {
		return res, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	st := s.readState()
	c := newChanges()
	for i := range st.srcNodes[r.Source] {
		n := st.nodes[i].n
		id := n.ID
		if !graph.HasAnyKind(r.Kinds, n.Kind) {
			continue
		}
		res.SourceNodesBefore++
		if !graph.Retractable(n.Assertions, r) {
			continue // re-asserted by this run: nothing to copy or change
		}
		n = st.copyNode(i)
		graph.Retract(n, r)
		if len(n.Assertions) == 0 {
			c.deleteNode(st, id)
			res.NodesRemoved++
		} else {
			c.putNodes[id] = n
			res.NodesRetracted++
		}
	}
	// Relationships keep no index by source (it would cost more memory
	// than the relationship itself): the sweep reads every payload's
	// sources, which allocates nothing, in parts on every core (a sweep
	// reads what writeMu keeps still, and ends a sync while the source's
	// core is idle), and then retracts what they found.
	counted, retract := sweepEdges(st, r, c.delEdges)
	res.SourceEdgesBefore += counted
	for _, i := range retract {
		rec := &st.edges[i]
		id := rec.id
		e := st.edge(i)
		graph.RetractEdge(e, r)
		if len(e.Assertions) == 0 {
			c.deleteEdge(id)
		} else {
			c.putEdges[id] = e
			c.ends[id] = [2]graph.ID{st.nodes[rec.from].n.ID, st.nodes[rec.to].n.ID}
			res.EdgesRetracted++
		}
	}
	res.EdgesRemoved = len(c.delEdges)
	if r.DryRun {
		return res, ctx.Err()
	}
	if err := s.commit(ctx, c, r.Source, r.Run); err != nil {
		return graph.SweepResult{}, err
	}
	return res, nil
}

// readInPartsFrom is the number of slots from which a read of every
// relationship (a sweep's) or every node (Topology's) is done in one part
// per core; a variable so that tests can split small stores.
var readInPartsFrom = 1 << 16

// partsFor is how many parts a read of n slots is done in.
func partsFor(n int) int {
	if n >= readInPartsFrom {
		return runtime.GOMAXPROCS(0)
	}
	return 1
}

// sweepEdges reads every relationship's assertions for the sweep r: how
// many of those in its scope r's source asserts, and the slots of those
// whose assertion it retracts, in slot order, leaving out those in gone
// (an end is being removed). Large stores are read in one part per core.
func sweepEdges(st *state, r graph.SweepRequest, gone map[graph.ID]bool) (counted int, retract []int32) {
	parts := partsFor(len(st.edges))
	type found struct {
		counted int
		retract []int32
	}
	out := make([]found, parts)
	inParts(len(st.edges), parts, func(p, lo, hi int) {
		f := &out[p]
		for i := lo; i < hi; i++ {
			rec := &st.edges[i]
			if rec.typ == 0 {
				continue
			}
			asserted, retracts := st.sweeps(rec, r)
			if !asserted {
				continue
			}
			if !graph.HasAnyKind(r.Kinds, st.nodes[rec.from].n.Kind) && !graph.HasAnyKind(r.Kinds, st.nodes[rec.to].n.Kind) {
				continue
			}
			f.counted++
			if retracts && !gone[rec.id] {
				f.retract = append(f.retract, int32(i))
			}
		}
	})
	for _, f := range out {
		counted += f.counted
		retract = append(retract, f.retract...)
	}
	return counted, retract
}

// inParts calls do for n items cut into parts, side by side, and waits for
// them: do(p, lo, hi) handles items [lo, hi), part p. The calling goroutine
// does the first part.
func inParts(n, parts int, do func(p, lo, hi int)) {
	var wg sync.WaitGroup
	for p := 1; p < parts; p++ {
		wg.Go(func() { do(p, p*n/parts, (p+1)*n/parts) })
	}
	do(0, 0, n/parts)
	wg.Wait()
}

// Restore implements graph.Store.
func (s *Store) Restore(ctx context.Context, nodes []*graph.Node, edges []*graph.Edge) error {
	if len(nodes)+len(edges) > graph.MaxBatchItems {
		return graph.Errorf(graph.CodeLimitExceeded, "restore of %d items is over the limit of %d", len(nodes)+len(edges), graph.MaxBatchItems)
	}
	c := newChanges()
	for _, n := range nodes {
		n = graph.CloneNode(n)
		if err := graph.ValidateNode(n); err != nil {
			return err
		}
		c.putNodes[n.ID] = n
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	st := s.readState()
	for _, e := range edges {
		e = graph.CloneEdge(e)
		if err := graph.ValidateStoredEdge(e); err != nil {
			return err
		}
		for _, end := range []graph.Ref{e.From, e.To} {
			if !c.exists(st, end.ID()) {
				return graph.Errorf(graph.CodeNotFound, "%s relationship %s → %s: %s %q does not exist", e.Type, e.From, e.To, end.Kind, end.Key)
			}
		}
		c.putEdges[e.ID] = e
	}
	return s.commit(ctx, c, "", "")
}

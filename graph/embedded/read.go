package embedded

import (
	"context"
	"slices"
	"strings"

	"github.com/estate-cmdb/estate/graph"
)

// Nodes implements graph.Store.
func (s *Store) Nodes(ctx context.Context, ids []graph.ID) ([]*graph.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]*graph.Node, len(ids))
	s.mu.RLock()
	for i, id := range ids {
		out[i] = s.state.node(id)
	}
	s.mu.RUnlock()
	return out, nil
}

// Node implements graph.Store.
func (s *Store) Node(ctx context.Context, ref graph.Ref) (*graph.Node, error) {
	return graph.NodeByRef(ctx, s.Nodes, ref)
}

// Resolve implements graph.Store.
func (s *Store) Resolve(ctx context.Context, ref string, kinds []graph.Kind) ([]*graph.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key := strings.ToLower(strings.TrimSpace(ref))
	var out []*graph.Node
	s.mu.RLock()
	for _, i := range s.state.named(key, kinds) {
		out = append(out, s.state.copyNode(i))
	}
	s.mu.RUnlock()
	graph.SortNodes(out)
	return out, nil
}

// List implements graph.Store.
func (s *Store) List(ctx context.Context, q graph.ListQuery) (*graph.NodePage, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var after graph.Ref
	if q.After != "" {
		after, _ = graph.DecodeCursor(q.After)
	}
	kinds := q.PageKinds()

	page := &graph.NodePage{}
	s.mu.RLock()
	st := s.state
	for _, k := range kinds {
		tree, exact := st.listTree(k, q.Labels)
		// counted: every node of the tree matches, so its length is the
		// count, and the walk may start at the cursor and stop at a full
		// page; otherwise each node is checked and counted.
		counted := exact && q.Source == ""
		if counted {
			page.TotalCount += tree.Len()
			if q.After != "" && graph.KindRank(k) < graph.KindRank(after.Kind) {
				continue // the whole kind comes before the cursor
			}
		}
		visit := func(it keyItem) bool {
			if !counted {
				if q.Source != "" && !graph.AssertedBy(st.nodes[it.slot].n.Assertions, q.Source) || !st.hasLabels(it.slot, q.Labels) {
					return true
				}
				page.TotalCount++
			}
			n := st.nodes[it.slot].n
			if q.After != "" && graph.CompareRefs(n.Ref(), after) <= 0 {
				return true
			}
			if len(page.Nodes) == q.First {
				page.HasNext = true
				return !counted // keep counting only when the nodes must be checked
			}
			page.Nodes = append(page.Nodes, st.copyNode(it.slot))
			return true
		}
		if counted && q.After != "" && after.Kind == k {
			tree.AscendGreaterOrEqual(keyItem{key: after.Key}, visit)
		} else {
			tree.Ascend(visit)
		}
	}
	s.mu.RUnlock()
	page.FillCursors()
	return page, nil
}

// Search implements graph.Store. It scans every node: at the sizes the
// embedded store is meant for this takes milliseconds, and it keeps the
// ranking rules in one obvious place.
func (s *Store) Search(ctx context.Context, q graph.SearchQuery) ([]*graph.Node, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	text := strings.ToLower(q.Text)
	type scored struct {
		n    *graph.Node // as stored, without properties and labels
		slot int32
		rank int
	}
	var hits []scored
	s.mu.RLock()
	defer s.mu.RUnlock()
	for i := range s.state.nodes {
		n := s.state.nodes[i].n
		if n == nil || !graph.HasAnyKind(q.Kinds, n.Kind) {
			continue
		}
		if r := s.state.searchRank(int32(i), text); r >= 0 {
			hits = append(hits, scored{n, int32(i), r})
		}
	}
	slices.SortFunc(hits, func(a, b scored) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		return graph.CompareRefs(a.n.Ref(), b.n.Ref())
	})
	out := make([]*graph.Node, 0, min(len(hits), q.Limit))
	for _, h := range hits[:min(len(hits), q.Limit)] {
		out = append(out, s.state.copyNode(h.slot))
	}
	return out, nil
}

// Edges implements graph.Store.
func (s *Store) Edges(ctx context.Context, ids []graph.ID) ([]*graph.Edge, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]*graph.Edge, len(ids))
	s.mu.RLock()
	for i, id := range ids {
		out[i] = s.state.edgeByID(id)
	}
	s.mu.RUnlock()
	return out, nil
}

// Neighbors implements graph.Store.
func (s *Store) Neighbors(ctx context.Context, ids []graph.ID, q graph.NeighborQuery) (map[graph.ID][]graph.Neighbor, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[graph.ID][]graph.Neighbor, len(ids))
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.state
	want := typeSet(q.Types)
	kinds := kindSetOf(q.Kinds)
	// arcs are the relationships asked for, as slots; each node asked
	// about has a span of them.
	type arc struct {
		e, other int32
		code     relCode
		outgoing bool
	}
	type span struct {
		id       graph.ID
		from, to int
	}
	var arcs []arc
	spans := make([]span, 0, len(ids))
	kept := 0
	for _, id := range ids {
		i, ok := st.nodeAt.get(id)
		if _, done := out[id]; done || !ok {
			continue
		}
		out[id] = nil
		from := len(arcs)
		if q.Direction != graph.In {
			for _, l := range st.nodes[i].out {
				if c := l.code(); want[c] {
					e := l.slot()
					if to := st.edges[e].to; kinds.keeps(st, to) {
						arcs = append(arcs, arc{e, to, c, true})
					}
				}
			}
		}
		if q.Direction != graph.Out {
			for _, l := range st.nodes[i].in {
				if c := l.code(); want[c] {
					e := l.slot()
					if from := st.edges[e].from; kinds.keeps(st, from) {
						arcs = append(arcs, arc{e, from, c, false})
					}
				}
			}
		}
		if len(arcs) > from {
			spans = append(spans, span{id, from, len(arcs)})
			kept += min(len(arcs)-from, q.Limit)
		}
	}
	// Each node's arcs are ordered as graph.SortNeighbors orders (type,
	// other end, direction, role) from the records, and only those kept are
	// read. The neighbours and their relationships each come from one
	// array, each node's part capped: two allocations per call rather than
	// one per neighbour.
	order := func(a, b arc) int {
		if a.code != b.code {
			return int(a.code) - int(b.code) // codes follow graph.RelTypes
		}
		if c := graph.CompareRefs(st.nodes[a.other].n.Ref(), st.nodes[b.other].n.Ref()); c != 0 {
			return c
		}
		if a.outgoing != b.outgoing {
			if a.outgoing {
				return -1
			}
			return 1
		}
		return strings.Compare(st.role(a.e), st.role(b.e))
	}
	all := make([]graph.Neighbor, 0, kept)
	var edges []graph.Edge
	if !q.NodesOnly {
		edges = make([]graph.Edge, kept)
	}
	for _, sp := range spans {
		at := len(all)
		span := arcs[sp.from:sp.to]
		slices.SortFunc(span, order)
		for _, a := range span[:min(len(span), q.Limit)] {
			nb := graph.Neighbor{Node: st.readNode(a.other, q.Light), Outgoing: a.outgoing}
			if !q.NodesOnly {
				nb.Edge = &edges[len(all)]
				st.readEdge(nb.Edge, a.e, q.Light)
			}
			all = append(all, nb)
		}
		out[sp.id] = all[at:len(all):len(all)]
	}
	return out, nil
}

// Traverse implements graph.Store.
func (s *Store) Traverse(ctx context.Context, q graph.TraverseQuery) (*graph.Traversal, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out, in [256]bool // by relationship code: follow along, against the arrow
	for _, st := range q.Steps {
		c := relCodes[st.Type]
		out[c] = out[c] || st.Direction != graph.In
		in[c] = in[c] || st.Direction != graph.Out
	}
	type visit struct {
		depth int32
		via   int32 // the relationship slot that reached it; -1 for a start
		prev  int32 // the node slot it was reached from
		hit   int32 // its place in order
	}
	s.mu.RLock()
	st := s.state
	seen := map[int32]visit{}
	var starts []int32
	for _, id := range q.Starts {
		if i, ok := st.nodeAt.get(id); ok {
			if _, dup := seen[i]; !dup {
				seen[i] = visit{via: -1}
				starts = append(starts, i)
			}
		}
	}
	// order lists the nodes reached, breadth first: a level's frontier is
	// the part of it the level before added.
	var order []int32
	truncated := false
	frontier := starts
walk:
	for depth := int32(1); depth <= int32(q.MaxDepth) && len(frontier) > 0; depth++ {
		from := len(order)
		for _, at := range frontier {
			reach := func(e, to int32) bool {
				if _, ok := seen[to]; ok {
					return true
				}
				if len(order) == q.Limit {
					truncated = true
					return false
				}
				seen[to] = visit{depth: depth, via: e, prev: at, hit: int32(len(order))}
				order = append(order, to)
				return true
			}
			for _, l := range st.nodes[at].out {
				if e := l.slot(); out[l.code()] && !reach(e, st.edges[e].to) {
					break walk
				}
			}
			for _, l := range st.nodes[at].in {
				if e := l.slot(); in[l.code()] && !reach(e, st.edges[e].from) {
					break walk
				}
			}
		}
		frontier = order[from:]
	}
	// A hit's path is the path of the node it was reached from (earlier in
	// order) and one relationship more: each relationship is decoded once
	// and shared between the paths through it, so callers must treat paths
	// as read-only. The paths share one backing array, each capped.
	length := 0
	for _, i := range order {
		length += int(seen[i].depth)
	}
	edges := make([]*graph.Edge, 0, length)
	read := make([]graph.Edge, len(order)) // each hit's own relationship
	res := &graph.Traversal{Truncated: truncated, Hits: make([]graph.Hit, len(order))}
	for h, i := range order {
		v := seen[i]
		at := len(edges)
		if p := seen[v.prev]; p.via >= 0 {
			edges = append(edges, res.Hits[p.hit].Path...)
		}
		e := &read[h]
		st.readEdge(e, v.via, q.Light)
		edges = append(edges, e)
		res.Hits[h] = graph.Hit{Node: st.readNode(i, q.Light), Depth: int(v.depth), Path: edges[at:len(edges):len(edges)]}
	}
	s.mu.RUnlock()
	graph.SortHits(res.Hits)
	return res, nil
}

// ScanNodes implements graph.Store. It copies a chunk of nodes at a time
// under the read lock, so writers are not held up while fn runs.
func (s *Store) ScanNodes(ctx context.Context, fn func(*graph.Node) error) error {
	const chunk = 1000
	for _, k := range graph.Kinds {
		from, started := "", false
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			var batch []*graph.Node
			s.mu.RLock()
			tree := s.state.byKind[k]
			visit := func(it keyItem) bool {
				if started && it.key == from {
					return true
				}
				batch = append(batch, s.state.copyNode(it.slot))
				return len(batch) < chunk
			}
			if started {
				tree.AscendGreaterOrEqual(keyItem{key: from}, visit)
			} else {
				tree.Ascend(visit)
			}
			s.mu.RUnlock()
			for _, n := range batch {
				if err := fn(n); err != nil {
					return err
				}
			}
			if len(batch) < chunk {
				break
			}
			from, started = batch[len(batch)-1].Key, true
		}
	}
	return nil
}

// ScanEdges implements graph.Store.
func (s *Store) ScanEdges(ctx context.Context, fn func(*graph.Edge) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	order := s.state.edgeOrder()
	all := make([]*graph.Edge, len(order))
	for i, slot := range order {
		all[i] = s.state.edge(slot)
	}
	s.mu.RUnlock()
	for i, e := range all {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Topology implements graph.Store, from one reading of the state: a
// consistent whole, as ScanEdges' is.
func (s *Store) Topology(ctx context.Context) (*graph.Topology, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.state.topology(), nil
}

// Stats implements graph.Store.
func (s *Store) Stats(ctx context.Context) (graph.Stats, error) {
	if err := ctx.Err(); err != nil {
		return graph.Stats{}, err
	}
	st := graph.Stats{Nodes: map[graph.Kind]int{}, Edges: map[graph.RelType]int{}}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for k, t := range s.state.byKind {
		if n := t.Len(); n > 0 {
			st.Nodes[k] = n
		}
	}
	for _, r := range s.state.edges {
		if r.typ != 0 {
			st.Edges[r.typ.relType()]++
		}
	}
	return st, nil
}

// kindSet is the kinds of node a Neighbors call keeps (all when none are
// given).
type kindSet uint16

// kindBit is a kind's bit in a kindSet and in nodeRec.kind: one per place
// in graph.Kinds.
func kindBit(k graph.Kind) uint16 { return 1 << graph.KindRank(k) }

// kindSetOf returns the set of kinds, or every kind for none.
func kindSetOf(kinds []graph.Kind) kindSet {
	if len(kinds) == 0 {
		return ^kindSet(0)
	}
	var ks kindSet
	for _, k := range kinds {
		ks |= kindSet(kindBit(k))
	}
	return ks
}

// keeps reports whether the node in slot i is of a kind kept. Keeping
// every kind it reads nothing, and else the node's record only, not the
// node: each read is a cache miss per relationship on a large store.
func (ks kindSet) keeps(st *state, i int32) bool {
	return ks == ^kindSet(0) || uint16(ks)&st.nodes[i].kind != 0
}

// typeSet returns which relationship codes a query's types select (all when
// none are given). It looks up only the types asked for: it runs once per
// Neighbors call, and impact's smallest answers make three.
func typeSet(types []graph.RelType) (set [256]bool) {
	if len(types) == 0 {
		types = graph.RelTypes
	}
	for _, t := range types {
		set[relCodes[t]] = true // Normalize checked that t is one of RelTypes
	}
	return set
}

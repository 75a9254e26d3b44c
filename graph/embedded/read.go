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
		out[i] = s.state.nodes[id]
	}
	s.mu.RUnlock()
	for i, n := range out {
		out[i] = graph.CloneNode(n)
	}
	return out, nil
}

// Node implements graph.Store.
func (s *Store) Node(ctx context.Context, ref graph.Ref) (*graph.Node, error) {
	ref, err := graph.ValidateRef(ref)
	if err != nil {
		return nil, err
	}
	ns, err := s.Nodes(ctx, []graph.ID{ref.ID()})
	if err != nil {
		return nil, err
	}
	if ns[0] == nil {
		return nil, graph.Errorf(graph.CodeNotFound, "%s %q not found", ref.Kind, ref.Key)
	}
	return ns[0], nil
}

// Resolve implements graph.Store.
func (s *Store) Resolve(ctx context.Context, ref string, kinds []graph.Kind) ([]*graph.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key := strings.ToLower(strings.TrimSpace(ref))
	var out []*graph.Node
	s.mu.RLock()
	for _, id := range s.state.names[key] {
		if n := s.state.nodes[id]; n != nil && graph.HasAnyKind(kinds, n.Kind) {
			out = append(out, n)
		}
	}
	s.mu.RUnlock()
	sortNodes(out)
	return cloneAll(out), nil
}

func sortNodes(ns []*graph.Node) {
	slices.SortFunc(ns, func(a, b *graph.Node) int { return graph.CompareRefs(a.Ref(), b.Ref()) })
}

func cloneAll(ns []*graph.Node) []*graph.Node {
	for i, n := range ns {
		ns[i] = graph.CloneNode(n)
	}
	return ns
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
	kinds := q.Kinds
	if len(kinds) == 0 {
		kinds = graph.Kinds
	}
	kinds = slices.Clone(kinds)
	slices.SortFunc(kinds, func(a, b graph.Kind) int { return graph.KindRank(a) - graph.KindRank(b) })
	kinds = slices.Compact(kinds)

	page := &graph.NodePage{}
	s.mu.RLock()
	st := s.state
	match := func(n *graph.Node) bool {
		if q.Source != "" && !graph.AssertedBy(n.Assertions, q.Source) {
			return false
		}
		for k, v := range q.Labels {
			if got, ok := n.Labels[k]; !ok || got != v {
				return false
			}
		}
		return true
	}
	unfiltered := q.Source == "" && len(q.Labels) == 0
	for _, k := range kinds {
		tree := st.byKind[k]
		if unfiltered {
			page.TotalCount += tree.Len()
		}
		tree.Ascend(func(it keyItem) bool {
			n := st.nodes[it.id]
			if !match(n) {
				return true
			}
			if !unfiltered {
				page.TotalCount++
			}
			if q.After != "" && graph.CompareRefs(n.Ref(), after) <= 0 {
				return true
			}
			if len(page.Nodes) == q.First {
				page.HasNext = true
				return !unfiltered // keep counting only when filters apply
			}
			page.Nodes = append(page.Nodes, n)
			return true
		})
	}
	s.mu.RUnlock()
	cloneAll(page.Nodes)
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
		n    *graph.Node
		rank int
	}
	var hits []scored
	s.mu.RLock()
	for _, n := range s.state.nodes {
		if !graph.HasAnyKind(q.Kinds, n.Kind) {
			continue
		}
		if r := graph.SearchRank(n, text); r >= 0 {
			hits = append(hits, scored{n, r})
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(hits, func(a, b scored) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		return graph.CompareRefs(a.n.Ref(), b.n.Ref())
	})
	out := make([]*graph.Node, 0, min(len(hits), q.Limit))
	for _, h := range hits[:min(len(hits), q.Limit)] {
		out = append(out, graph.CloneNode(h.n))
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
		out[i] = s.state.edges[id]
	}
	s.mu.RUnlock()
	for i, e := range out {
		out[i] = graph.CloneEdge(e)
	}
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
	st := s.state
	for _, id := range ids {
		if _, done := out[id]; done || st.nodes[id] == nil {
			continue
		}
		var ns []graph.Neighbor
		if q.Direction != graph.In {
			for _, e := range st.out[id] {
				if len(q.Types) == 0 || slices.Contains(q.Types, e.Type) {
					ns = append(ns, graph.Neighbor{Edge: e, Node: st.nodes[e.To.ID()], Outgoing: true})
				}
			}
		}
		if q.Direction != graph.Out {
			for _, e := range st.in[id] {
				if len(q.Types) == 0 || slices.Contains(q.Types, e.Type) {
					ns = append(ns, graph.Neighbor{Edge: e, Node: st.nodes[e.From.ID()]})
				}
			}
		}
		out[id] = ns
	}
	s.mu.RUnlock()
	for id, ns := range out {
		graph.SortNeighbors(ns)
		if len(ns) > q.Limit {
			ns = ns[:q.Limit]
		}
		for i := range ns {
			ns[i].Edge = graph.CloneEdge(ns[i].Edge)
			ns[i].Node = graph.CloneNode(ns[i].Node)
		}
		out[id] = ns
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
	follow := map[graph.RelType]graph.Direction{}
	for _, st := range q.Steps {
		if d, ok := follow[st.Type]; ok && d != st.Direction {
			follow[st.Type] = graph.Both
		} else {
			follow[st.Type] = st.Direction
		}
	}
	type visit struct {
		depth int
		via   *graph.Edge // the edge that reached it; nil for a start
		prev  graph.ID
	}
	s.mu.RLock()
	st := s.state
	seen := map[graph.ID]visit{}
	var frontier []graph.ID
	for _, id := range q.Starts {
		if _, ok := seen[id]; !ok && st.nodes[id] != nil {
			seen[id] = visit{}
			frontier = append(frontier, id)
		}
	}
	var order []graph.ID
	truncated := false
walk:
	for depth := 1; depth <= q.MaxDepth && len(frontier) > 0; depth++ {
		var next []graph.ID
		for _, id := range frontier {
			reach := func(e *graph.Edge, to graph.ID) bool {
				if _, ok := seen[to]; ok {
					return true
				}
				if len(order) == q.Limit {
					truncated = true
					return false
				}
				seen[to] = visit{depth: depth, via: e, prev: id}
				order = append(order, to)
				next = append(next, to)
				return true
			}
			for _, e := range st.out[id] {
				if d, ok := follow[e.Type]; ok && d != graph.In && !reach(e, e.To.ID()) {
					break walk
				}
			}
			for _, e := range st.in[id] {
				if d, ok := follow[e.Type]; ok && d != graph.Out && !reach(e, e.From.ID()) {
					break walk
				}
			}
		}
		frontier = next
	}
	res := &graph.Traversal{Truncated: truncated, Hits: make([]graph.Hit, 0, len(order))}
	for _, id := range order {
		v := seen[id]
		path := make([]*graph.Edge, v.depth)
		for at, i := id, v.depth-1; i >= 0; i-- {
			pv := seen[at]
			path[i] = pv.via
			at = pv.prev
		}
		res.Hits = append(res.Hits, graph.Hit{Node: st.nodes[id], Depth: v.depth, Path: path})
	}
	s.mu.RUnlock()
	graph.SortHits(res.Hits)
	// Paths share their prefixes, so each edge is copied once and the
	// copies are shared between hits: callers must treat paths as read-only.
	copies := make(map[*graph.Edge]*graph.Edge, len(res.Hits))
	for i := range res.Hits {
		h := &res.Hits[i]
		h.Node = graph.CloneNode(h.Node)
		for j, e := range h.Path {
			c, ok := copies[e]
			if !ok {
				c = graph.CloneEdge(e)
				copies[e] = c
			}
			h.Path[j] = c
		}
	}
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
				batch = append(batch, s.state.nodes[it.id])
				return len(batch) < chunk
			}
			if started {
				tree.AscendGreaterOrEqual(keyItem{key: from}, visit)
			} else {
				tree.Ascend(visit)
			}
			s.mu.RUnlock()
			for _, n := range batch {
				if err := fn(graph.CloneNode(n)); err != nil {
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
	all := make([]*graph.Edge, 0, len(s.state.edges))
	for _, e := range s.state.edges {
		all = append(all, e)
	}
	s.mu.RUnlock()
	slices.SortFunc(all, graph.CompareEdges)
	for i, e := range all {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(graph.CloneEdge(e)); err != nil {
			return err
		}
	}
	return ctx.Err()
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
	for _, e := range s.state.edges {
		st.Edges[e.Type]++
	}
	return st, nil
}

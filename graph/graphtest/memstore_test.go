package graphtest_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

// memStore is a deliberately plain in-memory reference backend: maps under
// one lock, every query a scan, built from the graph package's shared
// helpers. It exists to exercise the conformance suite itself, not for use.
type memStore struct {
	mu    sync.RWMutex
	nodes map[graph.ID]*graph.Node
	edges map[graph.ID]*graph.Edge
	runs  map[string]*graph.IngestRun
	audit []*graph.AuditEvent // in commit order
}

func newMemStore() *memStore {
	return &memStore{nodes: map[graph.ID]*graph.Node{}, edges: map[graph.ID]*graph.Edge{}, runs: map[string]*graph.IngestRun{}}
}

func TestConformanceReference(t *testing.T) {
	graphtest.RunConformance(t, func(testing.TB) graph.Store { return newMemStore() })
}

func BenchmarkReference(b *testing.B) {
	graphtest.RunBenchmarks(b, func(testing.TB) graph.Store { return newMemStore() })
}

func (s *memStore) Apply(ctx context.Context, b graph.Batch) (graph.ApplyResult, error) {
	var res graph.ApplyResult
	if err := ctx.Err(); err != nil {
		return res, err
	}
	v, err := graph.ValidateBatch(b, time.Now())
	if err != nil {
		return res, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v = graph.Redirect(v, s.redirect)
	nodes, edges := map[graph.ID]*graph.Node{}, map[graph.ID]*graph.Edge{}
	for _, in := range v.Nodes {
		id := in.Ref().ID()
		old, staged := nodes[id]
		if !staged {
			old = s.nodes[id]
			if old == nil {
				res.NodesCreated++
			} else {
				res.NodesUpdated++
			}
		}
		nodes[id] = graph.MergeNode(old, in, v.Source, v.Run, v.At)
	}
	for _, in := range v.Edges {
		for _, end := range []graph.Ref{in.From, in.To} {
			if nodes[end.ID()] == nil && s.nodes[end.ID()] == nil {
				return graph.ApplyResult{}, graph.Errorf(graph.CodeNotFound, "%s %s→%s: no node %s", in.Type, in.From, in.To, end)
			}
		}
		id := in.ID()
		old, staged := edges[id]
		if !staged {
			old = s.edges[id]
			if old == nil {
				res.EdgesCreated++
			} else {
				res.EdgesUpdated++
			}
		}
		edges[id] = graph.MergeEdge(old, in, v.Source, v.Run, v.At)
	}
	rec := graph.NewAuditRecorder(ctx, v.Source, v.Run, time.Now())
	for id, n := range nodes {
		rec.Node(s.nodes[id], n)
		s.nodes[id] = n
	}
	for id, e := range edges {
		rec.Edge(s.edges[id], e)
		s.edges[id] = e
	}
	s.record(rec)
	return res, nil
}

// record keeps a write's audit events. The caller holds the lock.
func (s *memStore) record(rec *graph.AuditRecorder) {
	for _, e := range rec.Events(int64(len(s.audit))) {
		s.audit = append(s.audit, &e)
	}
}

func (s *memStore) History(ctx context.Context, q graph.HistoryQuery) (*graph.HistoryPage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*graph.AuditEvent
	for _, e := range s.audit {
		if e.Touches(q.ID) && e.At.After(q.Since) {
			c := *e
			c.Node, c.Edge = graph.CloneNode(e.Node), graph.CloneEdge(e.Edge)
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, graph.CompareAudit)
	return graph.PageHistory(out, q), nil
}

func (s *memStore) Nodes(ctx context.Context, ids []graph.ID) ([]*graph.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*graph.Node, len(ids))
	for i, id := range ids {
		out[i] = graph.CloneNode(s.nodes[id])
	}
	return out, nil
}

func (s *memStore) Node(ctx context.Context, ref graph.Ref) (*graph.Node, error) {
	return graph.NodeByRef(ctx, s.Nodes, ref)
}

// sorted returns clones of the nodes keep accepts, ordered kind then key.
// The caller holds the lock.
func (s *memStore) sorted(keep func(*graph.Node) bool) []*graph.Node {
	var out []*graph.Node
	for _, n := range s.nodes {
		if keep(n) {
			out = append(out, graph.CloneNode(n))
		}
	}
	slices.SortFunc(out, func(a, b *graph.Node) int { return graph.CompareRefs(a.Ref(), b.Ref()) })
	return out
}

func (s *memStore) Resolve(ctx context.Context, ref string, kinds []graph.Kind) ([]*graph.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.sorted(func(n *graph.Node) bool {
		if !graph.HasAnyKind(kinds, n.Kind) {
			return false
		}
		if strings.EqualFold(n.Key, ref) {
			return true
		}
		return slices.ContainsFunc(n.Aliases, func(a graph.Alias) bool { return strings.EqualFold(a.Value, ref) })
	}), nil
}

func (s *memStore) List(ctx context.Context, q graph.ListQuery) (*graph.NodePage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	var after *graph.Ref
	if q.After != "" {
		r, _ := graph.DecodeCursor(q.After)
		after = &r
	}
	s.mu.RLock()
	all := s.sorted(func(n *graph.Node) bool {
		if !graph.HasAnyKind(q.Kinds, n.Kind) || (q.Source != "" && !graph.AssertedBy(n.Assertions, q.Source)) {
			return false
		}
		for k, v := range q.Labels {
			if got, ok := n.Labels[k]; !ok || got != v {
				return false
			}
		}
		return true
	})
	s.mu.RUnlock()
	p := &graph.NodePage{TotalCount: len(all)}
	rest := all
	if after != nil {
		i, _ := slices.BinarySearchFunc(all, *after, func(n *graph.Node, r graph.Ref) int { return graph.CompareRefs(n.Ref(), r) })
		for i < len(all) && graph.CompareRefs(all[i].Ref(), *after) <= 0 {
			i++
		}
		rest = all[i:]
	}
	if len(rest) > q.First {
		rest, p.HasNext = rest[:q.First], true
	}
	p.Nodes = rest
	p.FillCursors()
	return p, nil
}

func (s *memStore) Search(ctx context.Context, q graph.SearchQuery) ([]*graph.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	text := strings.ToLower(q.Text)
	rank := func(n *graph.Node) int { return graph.SearchRank(n, text) }
	s.mu.RLock()
	hits := s.sorted(func(n *graph.Node) bool { return graph.HasAnyKind(q.Kinds, n.Kind) && rank(n) >= 0 })
	s.mu.RUnlock()
	slices.SortStableFunc(hits, func(a, b *graph.Node) int { return cmp.Compare(rank(a), rank(b)) })
	return hits[:min(len(hits), q.Limit)], nil
}

func (s *memStore) Edges(ctx context.Context, ids []graph.ID) ([]*graph.Edge, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*graph.Edge, len(ids))
	for i, id := range ids {
		out[i] = graph.CloneEdge(s.edges[id])
	}
	return out, nil
}

func (s *memStore) Neighbors(ctx context.Context, ids []graph.ID, q graph.NeighborQuery) (map[graph.ID][]graph.Neighbor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := map[graph.ID][]graph.Neighbor{}
	kept := func(r graph.Ref) bool { return len(q.Kinds) == 0 || slices.Contains(q.Kinds, r.Kind) }
	for _, id := range ids {
		var l []graph.Neighbor
		for _, e := range s.edges {
			if len(q.Types) > 0 && !slices.Contains(q.Types, e.Type) {
				continue
			}
			if e.From.ID() == id && q.Direction != graph.In && kept(e.To) {
				l = append(l, graph.Neighbor{Edge: q.Light.Edge(graph.CloneEdge(e)), Node: q.Light.Node(graph.CloneNode(s.nodes[e.To.ID()])), Outgoing: true})
			}
			if e.To.ID() == id && q.Direction != graph.Out && kept(e.From) {
				l = append(l, graph.Neighbor{Edge: q.Light.Edge(graph.CloneEdge(e)), Node: q.Light.Node(graph.CloneNode(s.nodes[e.From.ID()]))})
			}
		}
		graph.SortNeighbors(l)
		if q.NodesOnly {
			for i := range l {
				l[i].Edge = nil
			}
		}
		if len(l) > 0 {
			out[id] = l[:min(len(l), q.Limit)]
		}
	}
	return out, nil
}

func (s *memStore) Traverse(ctx context.Context, q graph.TraverseQuery) (*graph.Traversal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	follows := func(t graph.RelType, d graph.Direction) bool {
		return slices.ContainsFunc(q.Steps, func(st graph.Step) bool {
			return st.Type == t && (st.Direction == d || st.Direction == graph.Both)
		})
	}
	paths := map[graph.ID][]*graph.Edge{}
	for _, id := range q.Starts {
		paths[id] = []*graph.Edge{}
	}
	tr := &graph.Traversal{}
	frontier := slices.Clone(q.Starts)
	for depth := 1; depth <= q.MaxDepth && len(frontier) > 0; depth++ {
		var next []graph.ID
		for _, id := range frontier {
			for _, e := range s.edges {
				var to graph.ID
				switch {
				case e.From.ID() == id && follows(e.Type, graph.Out):
					to = e.To.ID()
				case e.To.ID() == id && follows(e.Type, graph.In):
					to = e.From.ID()
				default:
					continue
				}
				if _, seen := paths[to]; seen {
					continue
				}
				paths[to] = append(slices.Clone(paths[id]), q.Light.Edge(graph.CloneEdge(e)))
				next = append(next, to)
				tr.Hits = append(tr.Hits, graph.Hit{Node: q.Light.Node(graph.CloneNode(s.nodes[to])), Depth: depth, Path: paths[to]})
			}
		}
		frontier = next
	}
	graph.SortHits(tr.Hits)
	if len(tr.Hits) > q.Limit {
		tr.Hits, tr.Truncated = tr.Hits[:q.Limit], true
	}
	return tr, nil
}

func (s *memStore) DeleteNodes(ctx context.Context, ids []graph.ID) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := graph.NewAuditRecorder(ctx, "", "", time.Now())
	n := 0
	for _, id := range ids {
		if old, ok := s.nodes[id]; ok {
			rec.Node(old, nil)
			delete(s.nodes, id)
			n++
		}
	}
	for id, e := range s.edges {
		if s.nodes[e.From.ID()] == nil || s.nodes[e.To.ID()] == nil {
			rec.Edge(e, nil)
			delete(s.edges, id)
		}
	}
	s.record(rec)
	return n, nil
}

// redirect finds the node a merged id was merged into by looking at every
// node: the reference the stores' indexes must agree with.
func (s *memStore) redirect(id graph.ID) (graph.Ref, bool) {
	if s.nodes[id] != nil {
		return graph.Ref{}, false
	}
	for _, n := range s.nodes {
		if slices.Contains(graph.MergedIDs(n), id) {
			return n.Ref(), true
		}
	}
	return graph.Ref{}, false
}

func (s *memStore) Merge(ctx context.Context, intoID, fromID graph.ID) (*graph.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	into, from := s.nodes[intoID], s.nodes[fromID]
	if into == nil || from == nil {
		return nil, graph.Errorf(graph.CodeNotFound, "no node %s or %s", intoID, fromID)
	}
	var edges []*graph.Edge
	for _, e := range s.edges {
		if ids := []graph.ID{e.From.ID(), e.To.ID()}; slices.Contains(ids, intoID) || slices.Contains(ids, fromID) {
			edges = append(edges, e)
		}
	}
	n, moved, err := graph.MergeInto(into, from, edges)
	if err != nil {
		return nil, err
	}
	rec := graph.NewAuditRecorder(ctx, "", "", time.Now())
	rec.Node(from, nil)
	delete(s.nodes, fromID)
	for id, e := range s.edges {
		if e.From.ID() == fromID || e.To.ID() == fromID {
			rec.Edge(e, nil)
			delete(s.edges, id)
		}
	}
	rec.Node(into, n)
	s.nodes[intoID] = n
	for _, e := range moved {
		rec.Edge(s.edges[e.ID], e)
		s.edges[e.ID] = e
	}
	s.record(rec)
	return graph.CloneNode(n), nil
}

func (s *memStore) Annotate(ctx context.Context, labels map[graph.ID]map[string]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := map[graph.ID]*graph.Node{}
	for id, ls := range labels {
		if s.nodes[id] == nil {
			return graph.Errorf(graph.CodeNotFound, "no node %s", id)
		}
		n, err := graph.Annotated(s.nodes[id], ls)
		if err != nil {
			return err
		}
		next[id] = n
	}
	rec := graph.NewAuditRecorder(ctx, "", "", time.Now())
	for id, n := range next {
		rec.Node(s.nodes[id], n)
		s.nodes[id] = n
	}
	s.record(rec)
	return nil
}

func (s *memStore) DeleteEdges(ctx context.Context, ids []graph.ID) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := graph.NewAuditRecorder(ctx, "", "", time.Now())
	n := 0
	for _, id := range ids {
		if old, ok := s.edges[id]; ok {
			rec.Edge(old, nil)
			delete(s.edges, id)
			n++
		}
	}
	s.record(rec)
	return n, nil
}

func (s *memStore) Sweep(ctx context.Context, r graph.SweepRequest) (graph.SweepResult, error) {
	var res graph.SweepResult
	if err := ctx.Err(); err != nil {
		return res, err
	}
	r, err := r.Normalize()
	if err != nil {
		return res, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	nodes, removed := map[graph.ID]*graph.Node{}, map[graph.ID]bool{}
	for id, n := range s.nodes {
		if !graph.HasAnyKind(r.Kinds, n.Kind) || !graph.AssertedBy(n.Assertions, r.Source) {
			continue
		}
		res.SourceNodesBefore++
		c := graph.CloneNode(n)
		if !graph.Retract(c, r) {
			continue
		}
		if len(c.Assertions) == 0 {
			removed[id] = true
			res.NodesRemoved++
		} else {
			nodes[id] = c
			res.NodesRetracted++
		}
	}
	edges, gone := map[graph.ID]*graph.Edge{}, map[graph.ID]bool{}
	for id, e := range s.edges {
		inScope := graph.HasAnyKind(r.Kinds, e.From.Kind) || graph.HasAnyKind(r.Kinds, e.To.Kind)
		c := graph.CloneEdge(e)
		retracted := false
		if inScope && graph.AssertedBy(e.Assertions, r.Source) {
			res.SourceEdgesBefore++
			retracted = graph.RetractEdge(c, r)
		}
		switch {
		case removed[e.From.ID()] || removed[e.To.ID()] || (retracted && len(c.Assertions) == 0):
			gone[id] = true
			res.EdgesRemoved++
		case retracted:
			edges[id] = c
			res.EdgesRetracted++
		}
	}
	if r.DryRun {
		return res, nil
	}
	rec := graph.NewAuditRecorder(ctx, r.Source, r.Run, time.Now())
	for id, n := range nodes {
		rec.Node(s.nodes[id], n)
		s.nodes[id] = n
	}
	for id := range removed {
		rec.Node(s.nodes[id], nil)
		delete(s.nodes, id)
	}
	for id, e := range edges {
		rec.Edge(s.edges[id], e)
		s.edges[id] = e
	}
	for id := range gone {
		rec.Edge(s.edges[id], nil)
		delete(s.edges, id)
	}
	s.record(rec)
	return res, nil
}

func (s *memStore) ScanNodes(ctx context.Context, fn func(*graph.Node) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	all := s.sorted(func(*graph.Node) bool { return true })
	s.mu.RUnlock()
	for _, n := range all {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(n); err != nil {
			return err
		}
	}
	return nil
}

// Topology is the plainest answer: ScanNodes, then ScanEdges with each
// relationship's ends found by ref.
func (s *memStore) Topology(ctx context.Context) (*graph.Topology, error) {
	t := &graph.Topology{}
	at := map[graph.Ref]int32{}
	err := s.ScanNodes(ctx, func(n *graph.Node) error {
		at[n.Ref()] = int32(len(t.Nodes))
		t.Nodes = append(t.Nodes, n)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.ScanEdges(ctx, func(e *graph.Edge) error {
		from, okFrom := at[e.From]
		to, okTo := at[e.To]
		if okFrom && okTo { // else written between the two scans
			t.Links = append(t.Links, graph.Link{Type: e.Type, From: from, To: to})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (s *memStore) ScanEdges(ctx context.Context, fn func(*graph.Edge) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	var all []*graph.Edge
	for _, e := range s.edges {
		all = append(all, graph.CloneEdge(e))
	}
	s.mu.RUnlock()
	slices.SortFunc(all, graph.CompareEdges)
	for _, e := range all {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func (s *memStore) Restore(ctx context.Context, nodes []*graph.Node, edges []*graph.Edge) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ns := make([]*graph.Node, len(nodes))
	given := map[graph.ID]bool{}
	for i, n := range nodes {
		ns[i] = graph.CloneNode(n)
		if err := graph.ValidateNode(ns[i]); err != nil {
			return err
		}
		given[n.ID] = true
	}
	es := make([]*graph.Edge, len(edges))
	for i, e := range edges {
		es[i] = graph.CloneEdge(e)
		if err := graph.ValidateStoredEdge(es[i]); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range es {
		for _, end := range []graph.Ref{e.From, e.To} {
			if !given[end.ID()] && s.nodes[end.ID()] == nil {
				return graph.Errorf(graph.CodeNotFound, "%s %s→%s: no node %s", e.Type, e.From, e.To, end)
			}
		}
	}
	rec := graph.NewAuditRecorder(ctx, "", "", time.Now())
	for _, n := range ns {
		rec.Node(s.nodes[n.ID], n)
		s.nodes[n.ID] = n
	}
	for _, e := range es {
		rec.Edge(s.edges[e.ID], e)
		s.edges[e.ID] = e
	}
	s.record(rec)
	return nil
}

func (s *memStore) Stats(ctx context.Context) (graph.Stats, error) {
	if err := ctx.Err(); err != nil {
		return graph.Stats{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := graph.Stats{Nodes: map[graph.Kind]int{}, Edges: map[graph.RelType]int{}}
	for _, n := range s.nodes {
		st.Nodes[n.Kind]++
	}
	for _, e := range s.edges {
		st.Edges[e.Type]++
	}
	return st, nil
}

func (s *memStore) Ping(ctx context.Context) error { return ctx.Err() }

func (s *memStore) Close() error { return nil }

func (s *memStore) PutRun(ctx context.Context, r graph.IngestRun) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	v, err := graph.ValidateRun(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runs[v.ID] = v
	return nil
}

func (s *memStore) Runs(ctx context.Context, ids []string) ([]*graph.IngestRun, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*graph.IngestRun, len(ids))
	for i, id := range ids {
		out[i] = graph.CloneRun(s.runs[id])
	}
	return out, nil
}

func (s *memStore) ListRuns(ctx context.Context, q graph.RunQuery) (*graph.RunPage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	var all []*graph.IngestRun
	for _, r := range s.runs {
		if q.Matches(r) {
			all = append(all, graph.CloneRun(r))
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(all, graph.CompareRuns)
	return graph.PageRuns(all, q), nil
}

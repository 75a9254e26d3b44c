package embedded

import (
	"slices"
	"strings"

	"github.com/google/btree"

	"github.com/estate-cmdb/estate/graph"
)

// state is the in-memory copy of the graph with the indexes reads need.
// Stored *Node and *Edge values are never modified in place: a write
// replaces the pointer, so a reader may keep one after releasing the lock.
type state struct {
	nodes  map[graph.ID]*graph.Node
	edges  map[graph.ID]*graph.Edge
	byKind map[graph.Kind]*btree.BTreeG[keyItem]
	// out and in are adjacency lists; order is not kept (reads sort).
	out, in map[graph.ID][]*graph.Edge
	// names maps lower-cased keys and aliases to node ids, for Resolve.
	names map[string][]graph.ID
	// bySource maps each source to what it asserts, for sweeps and filters.
	srcNodes map[string]map[graph.ID]struct{}
	srcEdges map[string]map[graph.ID]struct{}
}

func newState() *state {
	st := &state{
		nodes: map[graph.ID]*graph.Node{}, edges: map[graph.ID]*graph.Edge{},
		byKind: map[graph.Kind]*btree.BTreeG[keyItem]{},
		out:    map[graph.ID][]*graph.Edge{}, in: map[graph.ID][]*graph.Edge{},
		names:    map[string][]graph.ID{},
		srcNodes: map[string]map[graph.ID]struct{}{}, srcEdges: map[string]map[graph.ID]struct{}{},
	}
	for _, k := range graph.Kinds {
		st.byKind[k] = newKindTree()
	}
	return st
}

func nameKeys(n *graph.Node) []string {
	ks := []string{strings.ToLower(n.Key)}
	for _, a := range n.Aliases {
		if l := strings.ToLower(a.Value); !slices.Contains(ks, l) {
			ks = append(ks, l)
		}
	}
	return ks
}

func (st *state) putNode(n *graph.Node) {
	if old := st.nodes[n.ID]; old != nil {
		st.unindexNode(old)
	}
	st.nodes[n.ID] = n
	st.byKind[n.Kind].ReplaceOrInsert(keyItem{key: n.Key, id: n.ID})
	for _, k := range nameKeys(n) {
		st.names[k] = append(st.names[k], n.ID)
	}
	for _, a := range n.Assertions {
		addTo(st.srcNodes, a.Source, n.ID)
	}
	// A replaced node keeps its relationships, whose stored ends are refs,
	// so adjacency needs no change.
}

func (st *state) unindexNode(n *graph.Node) {
	for _, k := range nameKeys(n) {
		ids := slices.DeleteFunc(st.names[k], func(id graph.ID) bool { return id == n.ID })
		if len(ids) == 0 {
			delete(st.names, k)
		} else {
			st.names[k] = ids
		}
	}
	for _, a := range n.Assertions {
		removeFrom(st.srcNodes, a.Source, n.ID)
	}
}

func (st *state) removeNode(id graph.ID) {
	n := st.nodes[id]
	if n == nil {
		return
	}
	st.unindexNode(n)
	st.byKind[n.Kind].Delete(keyItem{key: n.Key})
	delete(st.nodes, id)
	delete(st.out, id)
	delete(st.in, id)
}

func (st *state) putEdge(e *graph.Edge) {
	if old := st.edges[e.ID]; old != nil {
		st.removeEdge(e.ID)
	}
	st.edges[e.ID] = e
	from, to := e.From.ID(), e.To.ID()
	st.out[from] = append(st.out[from], e)
	st.in[to] = append(st.in[to], e)
	for _, a := range e.Assertions {
		addTo(st.srcEdges, a.Source, e.ID)
	}
}

func (st *state) removeEdge(id graph.ID) {
	e := st.edges[id]
	if e == nil {
		return
	}
	delete(st.edges, id)
	drop := func(m map[graph.ID][]*graph.Edge, at graph.ID) {
		l := slices.DeleteFunc(m[at], func(x *graph.Edge) bool { return x.ID == id })
		if len(l) == 0 {
			delete(m, at)
		} else {
			m[at] = l
		}
	}
	drop(st.out, e.From.ID())
	drop(st.in, e.To.ID())
	for _, a := range e.Assertions {
		removeFrom(st.srcEdges, a.Source, id)
	}
}

func addTo(m map[string]map[graph.ID]struct{}, src string, id graph.ID) {
	s := m[src]
	if s == nil {
		s = map[graph.ID]struct{}{}
		m[src] = s
	}
	s[id] = struct{}{}
}

func removeFrom(m map[string]map[graph.ID]struct{}, src string, id graph.ID) {
	if s := m[src]; s != nil {
		delete(s, id)
		if len(s) == 0 {
			delete(m, src)
		}
	}
}

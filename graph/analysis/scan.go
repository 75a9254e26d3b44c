package analysis

import (
	"context"

	"github.com/estate-cmdb/estate/graph"
)

// link is one relationship in the compact form whole-graph answers keep.
type link struct {
	typ      graph.RelType
	from, to graph.ID
}

// estate is the whole graph, read with one ScanNodes and one ScanEdges.
type estate struct {
	nodes  map[graph.ID]*graph.Node
	byKind map[graph.Kind][]*graph.Node // in scan order: by key
	out    map[graph.ID][]link
	in     map[graph.ID][]link
}

func scan(ctx context.Context, s Store) (*estate, error) {
	e := &estate{
		nodes: map[graph.ID]*graph.Node{}, byKind: map[graph.Kind][]*graph.Node{},
		out: map[graph.ID][]link{}, in: map[graph.ID][]link{},
	}
	err := s.ScanNodes(ctx, func(n *graph.Node) error {
		e.nodes[n.ID] = n
		e.byKind[n.Kind] = append(e.byKind[n.Kind], n)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.ScanEdges(ctx, func(ed *graph.Edge) error {
		l := link{typ: ed.Type, from: ed.From.ID(), to: ed.To.ID()}
		e.out[l.from] = append(e.out[l.from], l)
		e.in[l.to] = append(e.in[l.to], l)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// outOf returns the nodes n points at by t, of kind k ("" for any).
func (e *estate) outOf(id graph.ID, t graph.RelType, k graph.Kind) []*graph.Node {
	var ns []*graph.Node
	for _, l := range e.out[id] {
		if l.typ == t {
			if n := e.nodes[l.to]; n != nil && (k == "" || n.Kind == k) {
				ns = append(ns, n)
			}
		}
	}
	return ns
}

// into returns the nodes pointing at n by t, of kind k ("" for any).
func (e *estate) into(id graph.ID, t graph.RelType, k graph.Kind) []*graph.Node {
	var ns []*graph.Node
	for _, l := range e.in[id] {
		if l.typ == t {
			if n := e.nodes[l.from]; n != nil && (k == "" || n.Kind == k) {
				ns = append(ns, n)
			}
		}
	}
	return ns
}

func (e *estate) has(id graph.ID, t graph.RelType, out bool) bool {
	ls := e.in[id]
	if out {
		ls = e.out[id]
	}
	for _, l := range ls {
		if l.typ == t {
			return true
		}
	}
	return false
}

// owned reports whether an OWNS relationship points at id.
func (e *estate) owned(id graph.ID) bool { return e.has(id, graph.RelOwns, false) }

// appOwned: the application is owned, or its service is.
func (e *estate) appOwned(id graph.ID) bool {
	if e.owned(id) {
		return true
	}
	for _, s := range e.outOf(id, graph.RelPartOf, graph.KindService) {
		if e.owned(s.ID) {
			return true
		}
	}
	return false
}

// resourceOwned is the rule for "a resource has an owner": an OWNS
// relationship into it, or an owned application (appOwned) RUNS_ON or
// DEPENDS_ON it, or an owned repository DEFINES it.
func (e *estate) resourceOwned(id graph.ID) bool {
	if e.owned(id) {
		return true
	}
	for _, l := range e.in[id] {
		switch l.typ {
		case graph.RelRunsOn, graph.RelDependsOn:
			if n := e.nodes[l.from]; n != nil && n.Kind == graph.KindApplication && e.appOwned(n.ID) {
				return true
			}
		case graph.RelDefines:
			if e.owned(l.from) {
				return true
			}
		}
	}
	return false
}

// repoMapped: the repository BUILDS an application or DEFINES a resource.
func (e *estate) repoMapped(id graph.ID) bool {
	return e.has(id, graph.RelBuilds, true) || e.has(id, graph.RelDefines, true)
}

// unitsOf returns the business units an item is attributed to (keys):
// a service's own; an application's service's; a repository's through the
// applications it builds and the resources it defines; a resource's through
// the applications running on or depending on it and the repositories
// defining it; a cloud account's through its resources is not attempted.
func (e *estate) unitsOf(n *graph.Node) map[string]bool {
	out := map[string]bool{}
	var svc func(id graph.ID)
	svc = func(id graph.ID) {
		for _, b := range e.outOf(id, graph.RelPartOf, graph.KindBusinessUnit) {
			out[b.Key] = true
		}
	}
	app := func(id graph.ID) {
		for _, s := range e.outOf(id, graph.RelPartOf, graph.KindService) {
			svc(s.ID)
		}
	}
	res := func(id graph.ID) {
		for _, l := range e.in[id] {
			if l.typ == graph.RelRunsOn || l.typ == graph.RelDependsOn {
				app(l.from)
			}
			if l.typ == graph.RelDefines {
				for _, a := range e.outOf(l.from, graph.RelBuilds, graph.KindApplication) {
					app(a.ID)
				}
			}
		}
	}
	switch n.Kind {
	case graph.KindBusinessUnit:
		out[n.Key] = true
	case graph.KindService:
		svc(n.ID)
	case graph.KindApplication:
		app(n.ID)
	case graph.KindRepository:
		for _, a := range e.outOf(n.ID, graph.RelBuilds, graph.KindApplication) {
			app(a.ID)
		}
		for _, r := range e.outOf(n.ID, graph.RelDefines, graph.KindCloudResource) {
			res(r.ID)
		}
	case graph.KindCloudResource:
		res(n.ID)
	}
	return out
}

// accountOf returns the cloud account a resource is in, or nil.
func (e *estate) accountOf(id graph.ID) *graph.Node {
	if as := e.outOf(id, graph.RelInAccount, graph.KindCloudAccount); len(as) > 0 {
		return as[0]
	}
	return nil
}

package analysis

import (
	"context"

	"github.com/estate-cmdb/estate/graph"
)

// link is one relationship in the compact form whole-graph answers keep:
// its type and the nodes at its ends.
type link struct {
	typ      graph.RelType
	from, to *graph.Node
}

// estate is the whole graph, read with one ScanNodes and one ScanEdges.
// Relationships are kept by their ends' nodes, found by ref: deriving each
// end's id (a SHA-1) cost more than the rest of reading it.
type estate struct {
	byKind map[graph.Kind][]*graph.Node // in scan order: by key
	out    map[*graph.Node][]link
	in     map[*graph.Node][]link
}

func scan(ctx context.Context, s Store) (*estate, error) {
	e := &estate{byKind: map[graph.Kind][]*graph.Node{}, out: map[*graph.Node][]link{}, in: map[*graph.Node][]link{}}
	byRef := map[graph.Ref]*graph.Node{}
	err := s.ScanNodes(ctx, func(n *graph.Node) error {
		byRef[n.Ref()] = n
		e.byKind[n.Kind] = append(e.byKind[n.Kind], n)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.ScanEdges(ctx, func(ed *graph.Edge) error {
		// A relationship written after the nodes were read may name a
		// node they lack: it is left out, as its end is.
		from, to := byRef[ed.From], byRef[ed.To]
		if from == nil || to == nil {
			return nil
		}
		l := link{typ: ed.Type, from: from, to: to}
		e.out[from] = append(e.out[from], l)
		e.in[to] = append(e.in[to], l)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// outOf returns the nodes n points at by t, of kind k ("" for any).
func (e *estate) outOf(n *graph.Node, t graph.RelType, k graph.Kind) []*graph.Node {
	var ns []*graph.Node
	for _, l := range e.out[n] {
		if l.typ == t && (k == "" || l.to.Kind == k) {
			ns = append(ns, l.to)
		}
	}
	return ns
}

// into returns the nodes pointing at n by t, of kind k ("" for any).
func (e *estate) into(n *graph.Node, t graph.RelType, k graph.Kind) []*graph.Node {
	var ns []*graph.Node
	for _, l := range e.in[n] {
		if l.typ == t && (k == "" || l.from.Kind == k) {
			ns = append(ns, l.from)
		}
	}
	return ns
}

func (e *estate) has(n *graph.Node, t graph.RelType, out bool) bool {
	ls := e.in[n]
	if out {
		ls = e.out[n]
	}
	for _, l := range ls {
		if l.typ == t {
			return true
		}
	}
	return false
}

// owned reports whether an OWNS relationship points at id.
func (e *estate) owned(n *graph.Node) bool { return e.has(n, graph.RelOwns, false) }

// appOwned: the application is owned, or its service is.
func (e *estate) appOwned(n *graph.Node) bool {
	if e.owned(n) {
		return true
	}
	for _, s := range e.outOf(n, graph.RelPartOf, graph.KindService) {
		if e.owned(s) {
			return true
		}
	}
	return false
}

// resourceOwned is the rule for "a resource has an owner": an OWNS
// relationship into it, or an owned application (appOwned) RUNS_ON or
// DEPENDS_ON it, or an owned repository DEFINES it.
func (e *estate) resourceOwned(n *graph.Node) bool {
	if e.owned(n) {
		return true
	}
	for _, l := range e.in[n] {
		switch l.typ {
		case graph.RelRunsOn, graph.RelDependsOn:
			if l.from.Kind == graph.KindApplication && e.appOwned(l.from) {
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
func (e *estate) repoMapped(n *graph.Node) bool {
	return e.has(n, graph.RelBuilds, true) || e.has(n, graph.RelDefines, true)
}

// unitsOf returns the business units an item is attributed to (keys):
// a service's own; an application's service's; a repository's through the
// applications it builds and the resources it defines; a resource's through
// the applications running on or depending on it and the repositories
// defining it; a cloud account's through its resources is not attempted.
func (e *estate) unitsOf(n *graph.Node) map[string]bool {
	out := map[string]bool{}
	svc := func(s *graph.Node) {
		for _, b := range e.outOf(s, graph.RelPartOf, graph.KindBusinessUnit) {
			out[b.Key] = true
		}
	}
	app := func(a *graph.Node) {
		for _, s := range e.outOf(a, graph.RelPartOf, graph.KindService) {
			svc(s)
		}
	}
	res := func(r *graph.Node) {
		for _, l := range e.in[r] {
			if l.typ == graph.RelRunsOn || l.typ == graph.RelDependsOn {
				app(l.from)
			}
			if l.typ == graph.RelDefines {
				for _, a := range e.outOf(l.from, graph.RelBuilds, graph.KindApplication) {
					app(a)
				}
			}
		}
	}
	switch n.Kind {
	case graph.KindBusinessUnit:
		out[n.Key] = true
	case graph.KindService:
		svc(n)
	case graph.KindApplication:
		app(n)
	case graph.KindRepository:
		for _, a := range e.outOf(n, graph.RelBuilds, graph.KindApplication) {
			app(a)
		}
		for _, r := range e.outOf(n, graph.RelDefines, graph.KindCloudResource) {
			res(r)
		}
	case graph.KindCloudResource:
		res(n)
	}
	return out
}

// accountOf returns the cloud account a resource is in, or nil.
func (e *estate) accountOf(n *graph.Node) *graph.Node {
	if as := e.outOf(n, graph.RelInAccount, graph.KindCloudAccount); len(as) > 0 {
		return as[0]
	}
	return nil
}

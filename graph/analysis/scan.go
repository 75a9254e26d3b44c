package analysis

import (
	"context"
	"slices"
	"strings"

	"github.com/estate-cmdb/estate/graph"
)

// node is a node of the estate with its relationships.
type node struct {
	*graph.Node
	out, in []link
}

// link is one relationship of a node: its type and the node at the other
// end.
type link struct {
	typ   graph.RelType
	other *node
}

// estate is the whole graph, read with one Store.Topology call, each
// node holding its relationships: no map stands between a node and its
// neighbours, which at half a million nodes and 1.75 million
// relationships was most of an answer's time.
type estate struct {
	byKind map[graph.Kind][]*node // in ScanNodes order: by key
}

func scan(ctx context.Context, s Store) (*estate, error) {
	t, err := s.Topology(ctx)
	if err != nil {
		return nil, err
	}
	nodes := make([]node, len(t.Nodes))
	e := &estate{byKind: map[graph.Kind][]*node{}}
	for i, n := range t.Nodes {
		nodes[i].Node = n
		e.byKind[n.Kind] = append(e.byKind[n.Kind], &nodes[i])
	}
	// Every node's relationships in one array per direction, cut by node
	// after counting them.
	outs, ins := make([]int, len(nodes)), make([]int, len(nodes))
	for _, l := range t.Links {
		outs[l.From]++
		ins[l.To]++
	}
	outAll, inAll := make([]link, len(t.Links)), make([]link, len(t.Links))
	for i := range nodes {
		nodes[i].out, outAll = outAll[:0:outs[i]], outAll[outs[i]:]
		nodes[i].in, inAll = inAll[:0:ins[i]], inAll[ins[i]:]
	}
	for _, l := range t.Links {
		from, to := &nodes[l.From], &nodes[l.To]
		from.out = append(from.out, link{typ: l.Type, other: to})
		to.in = append(to.in, link{typ: l.Type, other: from})
	}
	return e, nil
}

// outOf returns the nodes n points at by t, of kind k ("" for any).
func (n *node) outOf(t graph.RelType, k graph.Kind) []*graph.Node { return ends(n.out, t, k) }

// into returns the nodes pointing at n by t, of kind k ("" for any).
func (n *node) into(t graph.RelType, k graph.Kind) []*graph.Node { return ends(n.in, t, k) }

func ends(ls []link, t graph.RelType, k graph.Kind) []*graph.Node {
	var ns []*graph.Node
	for _, l := range ls {
		if l.typ == t && (k == "" || l.other.Kind == k) {
			ns = append(ns, l.other.Node)
		}
	}
	return ns
}

// each calls fn with the nodes at the other end of ls by t, of kind k.
func each(ls []link, t graph.RelType, k graph.Kind, fn func(*node)) {
	for _, l := range ls {
		if l.typ == t && l.other.Kind == k {
			fn(l.other)
		}
	}
}

func has(ls []link, t graph.RelType) bool {
	for _, l := range ls {
		if l.typ == t {
			return true
		}
	}
	return false
}

// owned reports whether an OWNS relationship points at n.
func (n *node) owned() bool { return has(n.in, graph.RelOwns) }

// appOwned: the application is owned, or its service is.
func (n *node) appOwned() bool {
	if n.owned() {
		return true
	}
	for _, l := range n.out {
		if l.typ == graph.RelPartOf && l.other.Kind == graph.KindService && l.other.owned() {
			return true
		}
	}
	return false
}

// resourceOwned is the rule for "a resource has an owner": an OWNS
// relationship into it, or an owned application (appOwned) RUNS_ON or
// DEPENDS_ON it, or an owned repository DEFINES it.
func (n *node) resourceOwned() bool {
	if n.owned() {
		return true
	}
	for _, l := range n.in {
		switch l.typ {
		case graph.RelRunsOn, graph.RelDependsOn:
			if l.other.Kind == graph.KindApplication && l.other.appOwned() {
				return true
			}
		case graph.RelDefines:
			if l.other.owned() {
				return true
			}
		}
	}
	return false
}

// repoMapped: the repository BUILDS an application or DEFINES a resource.
func (n *node) repoMapped() bool {
	return has(n.out, graph.RelBuilds) || has(n.out, graph.RelDefines)
}

// unitsOf returns the keys of the business units an item is attributed to,
// each once, in no order:
// a service's own; an application's service's; a repository's through the
// applications it builds and the resources it defines; a resource's through
// the applications running on or depending on it and the repositories
// defining it; a cloud account's through its resources is not attempted.
func (n *node) unitsOf() []string {
	out := []string{} // an item has a few units at most
	add := func(key string) {
		if !slices.Contains(out, key) {
			out = append(out, key)
		}
	}
	svc := func(s *node) {
		each(s.out, graph.RelPartOf, graph.KindBusinessUnit, func(b *node) { add(b.Key) })
	}
	app := func(a *node) { each(a.out, graph.RelPartOf, graph.KindService, svc) }
	res := func(r *node) {
		for _, l := range r.in {
			if l.typ == graph.RelRunsOn || l.typ == graph.RelDependsOn {
				app(l.other)
			}
			if l.typ == graph.RelDefines {
				each(l.other.out, graph.RelBuilds, graph.KindApplication, app)
			}
		}
	}
	switch n.Kind {
	case graph.KindBusinessUnit:
		add(n.Key)
	case graph.KindService:
		svc(n)
	case graph.KindApplication:
		app(n)
	case graph.KindRepository:
		each(n.out, graph.RelBuilds, graph.KindApplication, app)
		each(n.out, graph.RelDefines, graph.KindCloudResource, res)
	case graph.KindCloudResource:
		res(n)
	}
	return out
}

// accountOf returns the cloud account a resource is in (the first by key
// should it be in several), or nil.
func (n *node) accountOf() *graph.Node {
	as := n.outOf(graph.RelInAccount, graph.KindCloudAccount)
	if len(as) == 0 {
		return nil
	}
	return slices.MinFunc(as, func(a, b *graph.Node) int { return strings.Compare(a.Key, b.Key) })
}

package graphtest

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

// lightEstate is a small estate whose nodes have properties beyond those a
// light read names, labels and aliases, and whose relationships carry a
// role and a path:
//
//	team t OWNS a (technical and business); repo r BUILDS a (path apps/a)
//	c DEPENDS_ON b DEPENDS_ON a; a PART_OF svc s
func lightEstate() graph.Batch {
	a, b, c, s, tm, r := app("a"), app("b"), app("c"), svc("s"), team("t"), repo("r")
	withProps := func(ref graph.Ref, name string, props map[string]any) graph.NodeInput {
		return graph.NodeInput{Kind: ref.Kind, Key: ref.Key, Name: name, Props: props,
			Labels: map[string]string{"env": "prod"}, Aliases: []string{ref.Key + "-alias"}}
	}
	return graph.Batch{Source: "src", Run: "r1", At: T0,
		Nodes: []graph.NodeInput{
			withProps(a, "App A", map[string]any{"description": "the a", "lifecycle": "production"}),
			withProps(b, "App B", map[string]any{"description": "the b"}),
			{Kind: c.Kind, Key: c.Key},
			withProps(s, "Service S", map[string]any{"tier": 1, "description": "the s", "lifecycle": "production"}),
			withProps(tm, "Team T", map[string]any{"email": "t@example.com", "contact": "#t", "description": "the t"}),
			withProps(r, "Repo R", map[string]any{"description": "the r", "visibility": "private"}),
		},
		Edges: []graph.EdgeInput{
			owns(tm, a, graph.OwnerTechnical),
			owns(tm, a, graph.OwnerBusiness),
			edge(graph.RelBuilds, r, a, "path", "apps/a"),
			dependsOn(b, a),
			dependsOn(c, b),
			partOf(a, s),
		}}
}

// testLight checks graph.Light on Traverse and Neighbors: the same hits,
// paths and neighbours as a full read, each node with its id, kind, key
// and name and only the named properties it has, no labels, and each
// relationship with its id, type, ends, only the named properties it has
// and an OWNS role.
func testLight(t *testing.T, h Harness) {
	s := h(t)
	b := lightEstate()
	MustApply(t, s, b)
	// "path" is a BUILDS property; an OWNS role is kept unnamed.
	light := &graph.Light{Props: []string{"tier", "email", "visibility", "path"}}
	checkLight(t, s, light)
	// The same batch again, as an unchanged sync does (a backend may take
	// a cheaper path for it), then a read of the same light values.
	b.Run, b.At = "r2", at(10)
	MustApply(t, s, b)
	t.Run("AfterResync", func(t *testing.T) { checkLight(t, s, light) })
	// Then the service's tier and the team's e-mail change: a backend that
	// keeps light values between reads must not answer with one from before
	// the write, nor with one read for other names.
	b.Run, b.At = "r3", at(20)
	for i, n := range b.Nodes {
		switch n.Ref() {
		case svc("s"):
			b.Nodes[i].Props = map[string]any{"tier": 2, "description": "the s"}
		case team("t"):
			b.Nodes[i].Props = map[string]any{"email": "t-team@example.com", "contact": "#t-team", "description": "the t"}
		}
	}
	MustApply(t, s, b)
	t.Run("AfterChange", func(t *testing.T) { checkLight(t, s, light) })
	t.Run("OtherNames", func(t *testing.T) { checkLight(t, s, &graph.Light{Props: []string{"contact", "tier"}}) })
}

func checkLight(t *testing.T, s graph.Store, light *graph.Light) {
	a := app("a")

	t.Run("Traverse", func(t *testing.T) {
		q := graph.TraverseQuery{Starts: ids(a), MaxDepth: 2, Steps: []graph.Step{
			{Type: graph.RelDependsOn, Direction: graph.In}, {Type: graph.RelPartOf, Direction: graph.Out},
			{Type: graph.RelBuilds, Direction: graph.In}, {Type: graph.RelOwns, Direction: graph.In},
		}}
		full, err := s.Traverse(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		q.Light = light
		got, err := s.Traverse(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Hits) != 5 || len(got.Hits) != len(full.Hits) {
			t.Fatalf("light traversal: %d hits, full %d, want 5 each (b, r, s, t, then c)", len(got.Hits), len(full.Hits))
		}
		for i, hit := range got.Hits {
			want := full.Hits[i]
			what := fmt.Sprintf("light hit %d (%s)", i, want.Node.Ref())
			checkLightNode(t, what, light, hit.Node, want.Node)
			if hit.Depth != want.Depth || len(hit.Path) != len(want.Path) {
				t.Errorf("%s: depth %d, path of %d; full read: %d, %d", what, hit.Depth, len(hit.Path), want.Depth, len(want.Path))
				continue
			}
			for j, e := range hit.Path {
				// t OWNS a twice: either relationship may be the path's.
				if w := want.Path[j]; e.Type != w.Type || e.From != w.From || e.To != w.To {
					t.Errorf("%s: path step %d is %s %s→%s, full read %s %s→%s", what, j, e.Type, e.From, e.To, w.Type, w.From, w.To)
				}
				stored, err := s.Edges(t.Context(), []graph.ID{e.ID})
				if err != nil || len(stored) != 1 {
					t.Fatalf("%s: reading path step %s: %v, %v", what, e.ID, stored, err)
				}
				checkLightEdge(t, what+" path", light, e, stored[0])
			}
		}
	})

	// Over a limit, a backend may order on a cheaper read than the one it
	// returns (the OWNS roles tell t's two relationships apart). Asked for
	// the nodes only, it returns the same nodes in the same order.
	for _, limit := range []int{0, 2} {
		for _, nodesOnly := range []bool{false, true} {
			t.Run(fmt.Sprintf("Neighbors/limit=%d/nodesOnly=%v", limit, nodesOnly), func(t *testing.T) {
				checkLightNeighbors(t, s, light, limit, nodesOnly)
			})
		}
	}
}

// checkLightNeighbors compares the light neighbours of lightEstate's a
// with their full read.
func checkLightNeighbors(t *testing.T, s graph.Store, light *graph.Light, limit int, nodesOnly bool) {
	a := app("a")
	full, err := s.Neighbors(t.Context(), ids(a), graph.NeighborQuery{Limit: limit})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Neighbors(t.Context(), ids(a), graph.NeighborQuery{Limit: limit, Light: light, NodesOnly: nodesOnly})
	if err != nil {
		t.Fatal(err)
	}
	got, want := m[a.ID()], full[a.ID()]
	if n := cmp.Or(limit, 5); len(got) != n || len(got) != len(want) {
		t.Fatalf("light neighbours of a: %d, full %d, want %d each", len(got), len(want), n)
	}
	for i, nb := range got {
		what := fmt.Sprintf("light neighbour %d (%s)", i, want[i].Node.Ref())
		if nb.Outgoing != want[i].Outgoing {
			t.Errorf("%s: outgoing %v, full read %v", what, nb.Outgoing, want[i].Outgoing)
		}
		checkLightNode(t, what, light, nb.Node, want[i].Node)
		switch {
		case nodesOnly && nb.Edge != nil:
			t.Errorf("%s: relationship %v, want none asked for the nodes only", what, nb.Edge)
		case !nodesOnly:
			checkLightEdge(t, what, light, nb.Edge, want[i].Edge)
		}
	}
}

// checkLightNode compares a light node with the full read of it.
func checkLightNode(t testing.TB, what string, l *graph.Light, got, full *graph.Node) {
	t.Helper()
	if got == nil || full == nil {
		t.Errorf("%s: node %v, full read %v", what, got, full)
		return
	}
	if got.ID != full.ID || got.Kind != full.Kind || got.Key != full.Key || got.Name != full.Name {
		t.Errorf("%s: %s %s %q %q, full read %s %s %q %q", what, got.ID, got.Kind, got.Key, got.Name, full.ID, full.Kind, full.Key, full.Name)
	}
	want := maps.Clone(full.Props)
	maps.DeleteFunc(want, func(k string, _ any) bool { return !slices.Contains(l.Props, k) })
	if len(want) == 0 {
		want = nil
	}
	if !reflect.DeepEqual(got.Props, want) {
		t.Errorf("%s: props %v, want only the named ones the node has: %v (full read %v)", what, got.Props, want, full.Props)
	}
	if got.Labels != nil {
		t.Errorf("%s: labels %v, want none on a light node", what, got.Labels)
	}
}

// checkLightEdge compares a light relationship with the full read of it:
// the same identity, the named properties it has and an OWNS role.
func checkLightEdge(t testing.TB, what string, l *graph.Light, got, full *graph.Edge) {
	t.Helper()
	if got == nil || full == nil {
		t.Errorf("%s: relationship %v, full read %v", what, got, full)
		return
	}
	want := maps.Clone(full.Props)
	maps.DeleteFunc(want, func(k string, _ any) bool {
		return !slices.Contains(l.Props, k) && (full.Type != graph.RelOwns || k != "role")
	})
	if len(want) == 0 {
		want = nil
	}
	if got.ID != full.ID || got.Type != full.Type || got.From != full.From || got.To != full.To || !reflect.DeepEqual(got.Props, want) {
		t.Errorf("%s: relationship %s %s %s→%s %v, full read %s %s %s→%s %v (want props %v)",
			what, got.ID, got.Type, got.From, got.To, got.Props, full.ID, full.Type, full.From, full.To, full.Props, want)
	}
}

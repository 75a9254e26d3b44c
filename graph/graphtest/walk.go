package graphtest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

func testEdges(t *testing.T, h Harness) {
	s := h(t)
	b := SmallEstate()
	MustApply(t, s, b)
	e1 := edge(graph.RelBuilds, repo(EstateMonorepo), app(EstatePaymentsAPI))
	e2 := owns(person(EstateAlice), svc(EstatePayments), graph.OwnerBusiness)
	ghost := dependsOn(app(EstateAccountsWeb), app(EstatePaymentsWorker))
	got, err := s.Edges(t.Context(), []graph.ID{e1.ID(), ghost.ID(), e2.ID(), e1.ID()})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[1] != nil {
		t.Fatalf("Edges(4 ids, the second missing) = %d entries, second %v; want 4 with nil second", len(got), got[1] != nil)
	}
	for i, want := range []graph.EdgeInput{e1, {}, e2, e1} {
		if i == 1 {
			continue
		}
		e := got[i]
		if e == nil || e.ID != want.ID() || e.Type != want.Type || e.From != want.From || e.To != want.To {
			t.Errorf("Edges[%d] = %v, want %s %s→%s", i, e, want.Type, want.From, want.To)
		}
	}
	if got[0] != nil && got[0].Props["path"] != "services/api" {
		t.Errorf("BUILDS props %v, want path services/api", got[0].Props)
	}
	if got[2] != nil && got[2].Role() != graph.OwnerBusiness {
		t.Errorf("OWNS role %q, want business", got[2].Role())
	}
	if none, err := s.Edges(t.Context(), nil); err != nil || len(none) != 0 {
		t.Errorf("Edges(nil) = %d entries, %v; want none", len(none), err)
	}
}

// nb describes one neighbour the way a user sees it.
type nb struct {
	Type  graph.RelType
	Other graph.Ref
	Out   bool
	Role  string
}

func (n nb) String() string {
	arrow := "<-"
	if n.Out {
		arrow = "->"
	}
	return fmt.Sprintf("%s%s%s(%s)", arrow, n.Type, n.Role, n.Other)
}

func compareNb(a, b nb) int {
	if c := cmp.Compare(graph.RelRank(a.Type), graph.RelRank(b.Type)); c != 0 {
		return c
	}
	return graph.CompareRefs(a.Other, b.Other)
}

func compareNbFull(a, b nb) int {
	return cmp.Or(compareNb(a, b), -cmp.Compare(fmt.Sprint(a.Out), fmt.Sprint(b.Out)), cmp.Compare(a.Role, b.Role))
}

// checkNeighbors checks the neighbours of the node asked against want, in
// the documented order: type in RelTypes order, then the other node's kind
// and key, then outgoing before incoming, then role (graph.SortNeighbors).
func checkNeighbors(t testing.TB, what string, asked graph.Ref, got []graph.Neighbor, want []nb) {
	t.Helper()
	var seen []nb
	for i, n := range got {
		if n.Edge == nil || n.Node == nil {
			t.Errorf("%s: neighbour %d has edge %v node %v", what, i, n.Edge != nil, n.Node != nil)
			return
		}
		e := n.Edge
		x := nb{Type: e.Type, Other: n.Node.Ref(), Out: n.Outgoing, Role: e.Role()}
		near, far := e.To, e.From
		if n.Outgoing {
			near, far = e.From, e.To
		}
		if near != asked || far != n.Node.Ref() {
			t.Errorf("%s: neighbour %s: relationship %s→%s does not join %s to %s in that direction",
				what, x, e.From, e.To, asked, n.Node.Ref())
		}
		if n.Node.ID != far.ID() || n.Node.Name == "" || len(n.Node.Assertions) == 0 {
			t.Errorf("%s: neighbour %s: node is not the whole stored node: %+v", what, x, n.Node)
		}
		if e.ID != graph.EdgeID(e.Type, e.From.ID(), e.To.ID(), e.Role()) {
			t.Errorf("%s: neighbour %s: relationship id %s is not its deterministic id", what, x, e.ID)
		}
		seen = append(seen, x)
	}
	w := slices.SortedStableFunc(slices.Values(want), compareNbFull)
	if fmt.Sprint(seen) != fmt.Sprint(w) {
		t.Errorf("%s (type, kind, key, outgoing first, role):\n got %v\nwant %v", what, seen, w)
	}
}

func testNeighbors(t *testing.T, h Harness) {
	s := h(t)
	var (
		checkout = app("checkout")
		cart     = app("cart")
		web      = app("web")
		shop     = svc("shop")
		db       = res("db")
		ecs      = res("ecs-checkout")
		tm       = team("t")
		rp       = repo("r")
		lonely   = app("lonely")
	)
	MustApply(t, s, graph.Batch{Source: "src", Run: "r1", At: T0,
		Nodes: nodes(checkout, cart, web, shop, db, ecs, tm, rp, lonely),
		Edges: []graph.EdgeInput{
			partOf(checkout, shop),
			dependsOn(checkout, db),
			dependsOn(checkout, cart),
			edge(graph.RelRunsOn, checkout, ecs),
			dependsOn(web, checkout),
			dependsOn(cart, checkout), // a two-node cycle
			owns(tm, checkout, graph.OwnerTechnical),
			owns(tm, checkout, graph.OwnerBusiness),
			edge(graph.RelBuilds, rp, checkout, "path", "apps/checkout"),
			partOf(cart, shop),
		}})
	out := []nb{
		{graph.RelPartOf, shop, true, ""},
		{graph.RelDependsOn, cart, true, ""},
		{graph.RelDependsOn, db, true, ""},
		{graph.RelRunsOn, ecs, true, ""},
	}
	in := []nb{
		{graph.RelBuilds, rp, false, ""},
		{graph.RelOwns, tm, false, graph.OwnerBusiness},
		{graph.RelOwns, tm, false, graph.OwnerTechnical},
		{graph.RelDependsOn, cart, false, ""},
		{graph.RelDependsOn, web, false, ""},
	}
	both := slices.SortedStableFunc(slices.Values(slices.Concat(out, in)), compareNb)
	cases := []struct {
		name string
		q    graph.NeighborQuery
		want []nb
	}{
		{"Out", graph.NeighborQuery{Direction: graph.Out}, out},
		{"In", graph.NeighborQuery{Direction: graph.In}, in},
		{"Both", graph.NeighborQuery{Direction: graph.Both}, both},
		{"DefaultBoth", graph.NeighborQuery{}, both},
		{"Types", graph.NeighborQuery{Direction: graph.Both, Types: []graph.RelType{graph.RelDependsOn}},
			[]nb{{graph.RelDependsOn, cart, true, ""}, {graph.RelDependsOn, cart, false, ""}, {graph.RelDependsOn, web, false, ""}, {graph.RelDependsOn, db, true, ""}}},
		{"TypesIn", graph.NeighborQuery{Direction: graph.In, Types: []graph.RelType{graph.RelOwns, graph.RelBuilds}}, in[:3]},
		{"TypesOut", graph.NeighborQuery{Direction: graph.Out, Types: []graph.RelType{graph.RelOwns, graph.RelBuilds}}, nil},
		{"Limit", graph.NeighborQuery{Direction: graph.Out, Limit: 2}, out[:2]},
		{"Kinds", graph.NeighborQuery{Kinds: []graph.Kind{graph.KindTeam, graph.KindRepository}}, in[:3]},
		{"KindsAndTypes", graph.NeighborQuery{Types: []graph.RelType{graph.RelDependsOn}, Kinds: []graph.Kind{graph.KindApplication}},
			[]nb{{graph.RelDependsOn, cart, true, ""}, {graph.RelDependsOn, cart, false, ""}, {graph.RelDependsOn, web, false, ""}}},
		// The limit counts the neighbours kept: the resources come before
		// web in the unfiltered order, and would crowd it out.
		{"KindsLimit", graph.NeighborQuery{Direction: graph.Both, Kinds: []graph.Kind{graph.KindApplication, graph.KindService}, Limit: 4},
			[]nb{{graph.RelPartOf, shop, true, ""}, {graph.RelDependsOn, cart, true, ""}, {graph.RelDependsOn, cart, false, ""}, {graph.RelDependsOn, web, false, ""}}},
		{"KindsNone", graph.NeighborQuery{Direction: graph.Out, Kinds: []graph.Kind{graph.KindPerson}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := s.Neighbors(t.Context(), ids(checkout), c.q)
			if err != nil {
				t.Fatalf("Neighbors(%+v): %v", c.q, err)
			}
			checkNeighbors(t, fmt.Sprintf("Neighbors(checkout, %+v)", c.q), checkout, m[checkout.ID()], c.want)
		})
	}

	t.Run("SeveralIDs", func(t *testing.T) {
		// A missing map entry and an empty slice both mean "no neighbours":
		// callers must treat them the same.
		ghost := app("ghost")
		m, err := s.Neighbors(t.Context(), ids(checkout, shop, lonely, ghost, web), graph.NeighborQuery{Direction: graph.In})
		if err != nil {
			t.Fatal(err)
		}
		checkNeighbors(t, "checkout", checkout, m[checkout.ID()], in)
		checkNeighbors(t, "shop", shop, m[shop.ID()], []nb{{graph.RelPartOf, cart, false, ""}, {graph.RelPartOf, checkout, false, ""}})
		for _, r := range []graph.Ref{lonely, ghost, web} {
			if len(m[r.ID()]) != 0 {
				t.Errorf("%s has no incoming relationships, got %d", r, len(m[r.ID()]))
			}
		}
		for id := range m {
			if !slices.Contains(ids(checkout, shop, lonely, ghost, web), id) {
				t.Errorf("Neighbors returned an entry for %s, which was not asked about", id)
			}
		}
	})

	t.Run("Rejects", func(t *testing.T) {
		for _, q := range []graph.NeighborQuery{
			{Direction: "UP"},
			{Direction: graph.Out, Types: []graph.RelType{"HOSTS"}},
			{Direction: graph.Out, Kinds: []graph.Kind{"Server"}},
		} {
			_, err := s.Neighbors(t.Context(), ids(checkout), q)
			wantCode(t, fmt.Sprintf("Neighbors(%+v)", q), err, graph.CodeInvalid)
		}
	})
}

// checkTraversal checks a traversal against the depths of the nodes it must
// reach: hits ordered by depth then kind then key, each node once at its
// least depth, no start node among them, and each path a real walk of Depth
// relationships from a start node to the hit along the query's steps.
func checkTraversal(t testing.TB, s graph.Store, q graph.TraverseQuery, tr *graph.Traversal, want map[graph.Ref]int) {
	t.Helper()
	if tr == nil {
		t.Fatalf("Traverse returned nil")
	}
	got := map[graph.Ref]int{}
	for i, hit := range tr.Hits {
		if hit.Node == nil {
			t.Errorf("hit %d has no node", i)
			continue
		}
		r := hit.Node.Ref()
		if _, dup := got[r]; dup {
			t.Errorf("%s reached twice", r)
		}
		got[r] = hit.Depth
		if slices.Contains(q.Starts, r.ID()) {
			t.Errorf("start node %s among the hits", r)
		}
		if i > 0 {
			prev := tr.Hits[i-1]
			if prev.Node != nil && cmp.Or(cmp.Compare(prev.Depth, hit.Depth), graph.CompareRefs(prev.Node.Ref(), r)) > 0 {
				t.Errorf("hit %s (depth %d) after %s (depth %d): want depth, then kind, then key order",
					r, hit.Depth, prev.Node.Ref(), prev.Depth)
			}
		}
		checkPath(t, s, q, hit)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reached (node:depth)\n got %v\nwant %v", got, want)
	}
}

func checkPath(t testing.TB, s graph.Store, q graph.TraverseQuery, hit graph.Hit) {
	t.Helper()
	r := hit.Node.Ref()
	if len(hit.Path) != hit.Depth {
		t.Errorf("%s at depth %d has a path of %d relationships", r, hit.Depth, len(hit.Path))
		return
	}
	allowed := func(typ graph.RelType, d graph.Direction) bool {
		for _, st := range q.Steps {
			if st.Type == typ && (st.Direction == d || st.Direction == graph.Both) {
				return true
			}
		}
		return false
	}
	walk := func(cur graph.ID) bool {
		for _, e := range hit.Path {
			switch {
			case e == nil:
				return false
			case e.From.ID() == cur && allowed(e.Type, graph.Out):
				cur = e.To.ID()
			case e.To.ID() == cur && allowed(e.Type, graph.In):
				cur = e.From.ID()
			default:
				return false
			}
		}
		return cur == r.ID()
	}
	ok := false
	if len(hit.Path) > 0 && hit.Path[0] != nil {
		for _, start := range []graph.ID{hit.Path[0].From.ID(), hit.Path[0].To.ID()} {
			if slices.Contains(q.Starts, start) && walk(start) {
				ok = true
			}
		}
	}
	if !ok {
		var p []string
		for _, e := range hit.Path {
			if e != nil {
				p = append(p, fmt.Sprintf("%s %s→%s", e.Type, e.From, e.To))
			}
		}
		t.Errorf("path to %s is not a walk from a start node along the steps: %v", r, p)
		return
	}
	var eids []graph.ID
	for _, e := range hit.Path {
		eids = append(eids, e.ID)
	}
	stored, err := s.Edges(t.Context(), eids)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range stored {
		if e == nil {
			t.Errorf("path to %s uses relationship %s, which the store does not hold", r, eids[i])
		}
	}
}

// traverseEstate is a dependency graph with a cycle, a shortcut and a
// service/business unit hierarchy:
//
//	a → b → c → d → e → a   (DEPENDS_ON, a cycle)
//	a → c                   (DEPENDS_ON, a shortcut)
//	a, z PART_OF svc-1; c PART_OF svc-2; svc-1, svc-2 PART_OF bu-x PART_OF bu-root
//	repo r BUILDS a
func traverseEstate() graph.Batch {
	a, b, c, d, e, z := app("a"), app("b"), app("c"), app("d"), app("e"), app("z")
	s1, s2, x, root, r := svc("svc-1"), svc("svc-2"), bu("bu-x"), bu("bu-root"), repo("r")
	return graph.Batch{Source: "src", Run: "r1", At: T0,
		Nodes: nodes(a, b, c, d, e, z, s1, s2, x, root, r),
		Edges: []graph.EdgeInput{
			dependsOn(a, b), dependsOn(b, c), dependsOn(c, d), dependsOn(d, e), dependsOn(e, a),
			dependsOn(a, c),
			partOf(a, s1), partOf(z, s2), partOf(c, s2), partOf(s1, x), partOf(s2, x), partOf(x, root),
			edge(graph.RelBuilds, r, a),
		}}
}

func testTraverse(t *testing.T, h Harness) {
	s := h(t)
	MustApply(t, s, traverseEstate())
	a, b, c, d, e, z := app("a"), app("b"), app("c"), app("d"), app("e"), app("z")
	s1, s2, x, root := svc("svc-1"), svc("svc-2"), bu("bu-x"), bu("bu-root")
	depOut := []graph.Step{{Type: graph.RelDependsOn, Direction: graph.Out}}
	depIn := []graph.Step{{Type: graph.RelDependsOn, Direction: graph.In}}
	impact := []graph.Step{{Type: graph.RelDependsOn, Direction: graph.In}, {Type: graph.RelPartOf, Direction: graph.Out}}
	cases := []struct {
		name string
		q    graph.TraverseQuery
		want map[graph.Ref]int
	}{
		{"Depth1", graph.TraverseQuery{Starts: ids(a), Steps: depOut, MaxDepth: 1}, map[graph.Ref]int{b: 1, c: 1}},
		{"Depth2", graph.TraverseQuery{Starts: ids(a), Steps: depOut, MaxDepth: 2}, map[graph.Ref]int{b: 1, c: 1, d: 2}},
		{"CycleTerminates", graph.TraverseQuery{Starts: ids(a), Steps: depOut, MaxDepth: graph.MaxDepth},
			map[graph.Ref]int{b: 1, c: 1, d: 2, e: 3}},
		{"In", graph.TraverseQuery{Starts: ids(d), Steps: depIn, MaxDepth: graph.MaxDepth},
			map[graph.Ref]int{c: 1, a: 2, b: 2, e: 3}},
		{"PerStepDirections", graph.TraverseQuery{Starts: ids(d), Steps: impact, MaxDepth: 3},
			map[graph.Ref]int{c: 1, a: 2, b: 2, s2: 2, e: 3, s1: 3, x: 3}},
		{"PerStepDirectionsDeeper", graph.TraverseQuery{Starts: ids(d), Steps: impact, MaxDepth: 4},
			map[graph.Ref]int{c: 1, a: 2, b: 2, s2: 2, e: 3, s1: 3, x: 3, root: 4}},
		{"Both", graph.TraverseQuery{Starts: ids(s2), Steps: []graph.Step{{Type: graph.RelPartOf, Direction: graph.Both}}, MaxDepth: 2},
			map[graph.Ref]int{x: 1, c: 1, z: 1, root: 2, s1: 2}},
		{"SeveralStarts", graph.TraverseQuery{Starts: ids(a, d), Steps: depOut, MaxDepth: 3},
			map[graph.Ref]int{b: 1, c: 1, e: 1}},
		{"SeveralTypes", graph.TraverseQuery{Starts: ids(e), Steps: []graph.Step{
			{Type: graph.RelDependsOn, Direction: graph.Out}, {Type: graph.RelPartOf, Direction: graph.Out}, {Type: graph.RelBuilds, Direction: graph.In}},
			MaxDepth: 2}, map[graph.Ref]int{a: 1, b: 2, c: 2, s1: 2, repo("r"): 2}},
		{"UnknownStart", graph.TraverseQuery{Starts: ids(app("ghost")), Steps: depOut, MaxDepth: 3}, map[graph.Ref]int{}},
		{"NothingToFollow", graph.TraverseQuery{Starts: ids(z), Steps: depOut, MaxDepth: 3}, map[graph.Ref]int{}},
		{"LimitNotReached", graph.TraverseQuery{Starts: ids(a), Steps: depOut, MaxDepth: graph.MaxDepth, Limit: 4},
			map[graph.Ref]int{b: 1, c: 1, d: 2, e: 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := s.Traverse(t.Context(), tc.q)
			if err != nil {
				t.Fatalf("Traverse: %v", err)
			}
			checkTraversal(t, s, tc.q, tr, tc.want)
			if tr.Truncated {
				t.Errorf("traversal reaching %d nodes (limit %d) says it was truncated", len(tc.want), tc.q.Limit)
			}
		})
	}

	t.Run("Limit", func(t *testing.T) {
		// Reachable: b, c at depth 1, d at 2, e at 3. A cut keeps the
		// shallowest nodes, so the result is exactly determined.
		for limit, want := range map[int]map[graph.Ref]int{
			1: nil, // either b or c
			2: {b: 1, c: 1},
			3: {b: 1, c: 1, d: 2},
		} {
			q := graph.TraverseQuery{Starts: ids(a), Steps: depOut, MaxDepth: graph.MaxDepth, Limit: limit}
			tr, err := s.Traverse(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			if !tr.Truncated || len(tr.Hits) != limit {
				t.Errorf("limit %d of 4 reachable: %d hits, truncated %v; want %d, true", limit, len(tr.Hits), tr.Truncated, limit)
				continue
			}
			if want == nil {
				if r := tr.Hits[0].Node.Ref(); r != b && r != c {
					t.Errorf("limit 1: hit %s, want b or c (depth 1)", r)
				}
				want = map[graph.Ref]int{tr.Hits[0].Node.Ref(): 1}
			}
			checkTraversal(t, s, q, tr, want)
		}
	})

	t.Run("Rejects", func(t *testing.T) {
		for name, q := range map[string]graph.TraverseQuery{
			"DepthZero":      {Starts: ids(a), Steps: depOut, MaxDepth: 0},
			"DepthOverMax":   {Starts: ids(a), Steps: depOut, MaxDepth: graph.MaxDepth + 1},
			"NoSteps":        {Starts: ids(a), MaxDepth: 2},
			"NoStarts":       {Steps: depOut, MaxDepth: 2},
			"UnknownType":    {Starts: ids(a), Steps: []graph.Step{{Type: "HOSTS", Direction: graph.Out}}, MaxDepth: 2},
			"BadDirection":   {Starts: ids(a), Steps: []graph.Step{{Type: graph.RelDependsOn, Direction: "UP"}}, MaxDepth: 2},
			"EmptyDirection": {Starts: ids(a), Steps: []graph.Step{{Type: graph.RelDependsOn}}, MaxDepth: 2},
		} {
			_, err := s.Traverse(t.Context(), q)
			wantCode(t, "Traverse "+name, err, graph.CodeInvalid)
		}
	})
}

package graphtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/estate-cmdb/estate/graph"
)

// without returns d minus the given nodes (and every relationship touching
// them) and minus the given relationships.
func without(d Dump, nodeIDs []graph.ID, edgeIDs []graph.ID) Dump {
	var out Dump
	for _, n := range d.Nodes {
		if !slices.Contains(nodeIDs, n.ID) {
			out.Nodes = append(out.Nodes, n)
		}
	}
	for _, e := range d.Edges {
		if !slices.Contains(edgeIDs, e.ID) && !slices.Contains(nodeIDs, e.From.ID()) && !slices.Contains(nodeIDs, e.To.ID()) {
			out.Edges = append(out.Edges, e)
		}
	}
	return out
}

func testDeleteNodes(t *testing.T, h Harness) {
	s := h(t)
	b := SmallEstate()
	MustApply(t, s, b)
	target := app(EstatePaymentsAPI)
	// A second source, manual included, does not protect it.
	MustApply(t, s, graph.Batch{Source: graph.SourceManual, Run: "m1", At: at(5),
		Nodes: nodes(target), Edges: []graph.EdgeInput{dependsOn(app(EstateAccountsWeb), target)}})
	before := TakeDump(t, s)

	n, err := s.DeleteNodes(t.Context(), ids(target, app("ghost"), target))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("DeleteNodes(target, missing, target) = %d, want 1", n)
	}
	after := TakeDump(t, s)
	sameJSON(t, "store after deleting payments-api", after, without(before, ids(target), nil))
	if incident := len(before.Edges) - len(after.Edges); incident != 9 {
		t.Errorf("deleting payments-api removed %d relationships, want its 9", incident)
	}
	absent(t, s, target)
	if got, err := s.Resolve(t.Context(), "pay-api", nil); err != nil || len(got) != 0 {
		t.Errorf("Resolve(its alias) after delete = %q, %v; want nothing", refsOf(got), err)
	}
	if got, err := s.Search(t.Context(), graph.SearchQuery{Text: "payments-api"}); err != nil || slices.Contains(refsOf(got), target.String()) {
		t.Errorf("Search after delete = %q, %v; want no payments-api", refsOf(got), err)
	}
	m, err := s.Neighbors(t.Context(), ids(app(EstateAccountsAPI)), graph.NeighborQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range m[app(EstateAccountsAPI).ID()] {
		if x.Node != nil && x.Node.Ref() == target {
			t.Errorf("accounts-api still has a %s relationship with the deleted node", x.Edge.Type)
		}
	}
	p, err := s.List(t.Context(), graph.ListQuery{Kinds: []graph.Kind{graph.KindApplication}})
	if err != nil {
		t.Fatal(err)
	}
	if p.TotalCount != 3 || slices.Contains(refsOf(p.Nodes), target.String()) {
		t.Errorf("List of applications after delete: %q (total %d), want 3 without payments-api", refsOf(p.Nodes), p.TotalCount)
	}
	if st := stats(t, s); st.Nodes[graph.KindApplication] != 3 || st.TotalEdges() != len(after.Edges) {
		t.Errorf("Stats after delete: %d applications, %d relationships; want 3, %d", st.Nodes[graph.KindApplication], st.TotalEdges(), len(after.Edges))
	}

	if n, err := s.DeleteNodes(t.Context(), nil); err != nil || n != 0 {
		t.Errorf("DeleteNodes(nil) = %d, %v", n, err)
	}
	if n, err := s.DeleteNodes(t.Context(), ids(target)); err != nil || n != 0 {
		t.Errorf("deleting it again = %d, %v; want 0, no error", n, err)
	}
	// Asserting it again brings it back whole.
	res := MustApply(t, s, b)
	if res.NodesCreated != 1 || res.EdgesCreated != 8 || res.NodesUpdated != len(b.Nodes)-1 {
		t.Errorf("re-applying the estate: %+v, want 1 node and its 8 relationships created", res)
	}
}

func testDeleteEdges(t *testing.T, h Harness) {
	s := h(t)
	MustApply(t, s, SmallEstate())
	before := TakeDump(t, s)
	e1 := dependsOn(app(EstatePaymentsAPI), app(EstateAccountsAPI))
	e2 := owns(person(EstateCarol), app(EstatePaymentsAPI), graph.OwnerSecurity)
	notStored := owns(person(EstateCarol), app(EstatePaymentsAPI), graph.OwnerBusiness) // another role
	n, err := s.DeleteEdges(t.Context(), []graph.ID{e1.ID(), notStored.ID(), e2.ID(), e1.ID()})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("DeleteEdges = %d, want 2", n)
	}
	sameJSON(t, "store after deleting two relationships", TakeDump(t, s), without(before, nil, []graph.ID{e1.ID(), e2.ID()}))
	if got := getEdge(t, s, e1); got != nil {
		t.Errorf("Edges still returns the deleted relationship")
	}
	m, err := s.Neighbors(t.Context(), ids(app(EstatePaymentsAPI)), graph.NeighborQuery{Direction: graph.Both,
		Types: []graph.RelType{graph.RelDependsOn, graph.RelOwns}})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range m[app(EstatePaymentsAPI).ID()] {
		if x.Edge != nil && (x.Edge.ID == e1.ID() || x.Edge.ID == e2.ID()) {
			t.Errorf("Neighbors still lists deleted %s %s→%s", x.Edge.Type, x.Edge.From, x.Edge.To)
		}
	}
	if n, err := s.DeleteEdges(t.Context(), []graph.ID{e1.ID()}); err != nil || n != 0 {
		t.Errorf("deleting it again = %d, %v; want 0, no error", n, err)
	}
}

func testSweep(t *testing.T, h Harness) {
	const srcA, srcB = "github:acme", "catalog"
	x, y, w, m := app("x"), app("y"), app("w"), app("m")
	xy, xw, wx := dependsOn(x, y), dependsOn(x, w), dependsOn(w, x)
	// Source A's run r1 asserts x, y, w and three relationships; source B
	// asserts w and w→x too; A's run r2 asserts only x; a person added m by
	// hand.
	setup := func(t *testing.T) graph.Store {
		s := h(t)
		MustApply(t, s, graph.Batch{Source: srcA, Run: "r1", At: at(0),
			Nodes: []graph.NodeInput{{Kind: x.Kind, Key: x.Key, Aliases: []string{"x-a"}}, node(y),
				{Kind: w.Kind, Key: w.Key, Aliases: []string{"w-a"}}},
			Edges: []graph.EdgeInput{xy, xw, wx}})
		MustApply(t, s, graph.Batch{Source: srcB, Run: "b1", At: at(30),
			Nodes: []graph.NodeInput{{Kind: w.Kind, Key: w.Key, Aliases: []string{"w-b"}}},
			Edges: []graph.EdgeInput{wx}})
		MustApply(t, s, graph.Batch{Source: srcA, Run: "r2", At: at(60), Nodes: nodes(x)})
		MustApply(t, s, graph.Batch{Source: graph.SourceManual, Run: "m1", At: at(90), Nodes: nodes(m)})
		return s
	}
	sweep := func(t *testing.T, s graph.Store, r graph.SweepRequest) graph.SweepResult {
		t.Helper()
		res, err := s.Sweep(t.Context(), r)
		if err != nil {
			t.Fatalf("Sweep(%+v): %v", r, err)
		}
		return res
	}
	want := graph.SweepResult{NodesRemoved: 1, EdgesRemoved: 2, NodesRetracted: 1, EdgesRetracted: 1,
		SourceNodesBefore: 3, SourceEdgesBefore: 3}

	t.Run("RemovesWhatTheRunNoLongerAsserts", func(t *testing.T) {
		s := setup(t)
		got := sweep(t, s, graph.SweepRequest{Source: srcA, Run: "r2"})
		if got != want {
			t.Errorf("Sweep = %+v, want %+v", got, want)
		}
		absent(t, s, y)
		nx := getNode(t, s, x)
		if len(nx.Assertions) != 1 || nx.Assertions[0].Run != "r2" || !nx.FirstSeen.Equal(at(0)) {
			t.Errorf("x, still asserted by r2: assertions %+v firstSeen %v", nx.Assertions, nx.FirstSeen)
		}
		if len(nx.Aliases) != 1 || nx.Aliases[0].Value != "x-a" {
			t.Errorf("x keeps the aliases of its kept assertion: got %v", nx.Aliases)
		}
		getNode(t, s, m)
		for _, e := range []graph.EdgeInput{xy, xw} {
			if getEdge(t, s, e) != nil {
				t.Errorf("%s→%s survived the sweep", e.From, e.To)
			}
		}
	})

	t.Run("OtherSourcesKept", func(t *testing.T) {
		s := setup(t)
		sweep(t, s, graph.SweepRequest{Source: srcA, Run: "r2"})
		nw := getNode(t, s, w)
		sameJSON(t, "w's assertions", nw.Assertions, []graph.Assertion{
			{Source: srcB, Run: "b1", Confidence: graph.Declared, FirstSeen: at(30), LastSeen: at(30)}})
		sameJSON(t, "w's aliases", nw.Aliases, []graph.Alias{{Value: "w-b", Source: srcB}})
		if !nw.FirstSeen.Equal(at(30)) || !nw.LastSeen.Equal(at(30)) {
			t.Errorf("w seen %v..%v, want only what catalog saw: %v", nw.FirstSeen, nw.LastSeen, at(30))
		}
		if got, err := s.Resolve(t.Context(), "W-A", nil); err != nil || len(got) != 0 {
			t.Errorf("Resolve(alias from the swept source) = %q, %v; want nothing", refsOf(got), err)
		}
		got, err := s.Resolve(t.Context(), "W-B", nil)
		if err != nil {
			t.Fatal(err)
		}
		sameRefs(t, "Resolve(alias from the kept source)", got, w)
		e := getEdge(t, s, wx)
		if e == nil {
			t.Fatal("w→x, also asserted by catalog, was removed")
		}
		if len(e.Assertions) != 1 || e.Assertions[0].Source != srcB {
			t.Errorf("w→x assertions %+v, want catalog's only", e.Assertions)
		}
		if got, err := s.List(t.Context(), graph.ListQuery{Source: srcA}); err != nil || len(got.Nodes) != 1 {
			t.Errorf("List(source %s) after the sweep = %v, %v; want x only", srcA, got, err)
		}
	})

	t.Run("Idempotent", func(t *testing.T) {
		s := setup(t)
		sweep(t, s, graph.SweepRequest{Source: srcA, Run: "r2"})
		before := TakeDump(t, s)
		got := sweep(t, s, graph.SweepRequest{Source: srcA, Run: "r2"})
		if want := (graph.SweepResult{SourceNodesBefore: 1}); got != want {
			t.Errorf("second sweep = %+v, want %+v", got, want)
		}
		unchanged(t, s, before, "a second sweep")
	})

	t.Run("DryRun", func(t *testing.T) {
		s := setup(t)
		before := TakeDump(t, s)
		dry := sweep(t, s, graph.SweepRequest{Source: srcA, Run: "r2", DryRun: true})
		unchanged(t, s, before, "a dry run")
		real := sweep(t, s, graph.SweepRequest{Source: srcA, Run: "r2"})
		if dry != real || real != want {
			t.Errorf("dry run counted %+v, the real sweep %+v; want both %+v", dry, real, want)
		}
	})

	t.Run("RelationshipsOfRemovedNodes", func(t *testing.T) {
		// catalog asserts w→y, but y goes: so does the relationship.
		s := setup(t)
		MustApply(t, s, graph.Batch{Source: srcB, Run: "b2", At: at(100), Edges: []graph.EdgeInput{dependsOn(w, y)}})
		before := TakeDump(t, s)
		dry := sweep(t, s, graph.SweepRequest{Source: srcA, Run: "r2", DryRun: true})
		unchanged(t, s, before, "a dry run")
		real := sweep(t, s, graph.SweepRequest{Source: srcA, Run: "r2"})
		if dry != real {
			t.Errorf("dry run counted %+v, the real sweep %+v", dry, real)
		}
		for _, e := range TakeDump(t, s).Edges {
			if e.From == y || e.To == y {
				t.Errorf("%s %s→%s survived although %s was removed", e.Type, e.From, e.To, y)
			}
		}
		getNode(t, s, w)
	})

	t.Run("Kinds", func(t *testing.T) {
		s := h(t)
		oldApp, oldRes, account := app("app-old"), res("res-old"), acct("acct")
		runsOn, inAccount := edge(graph.RelRunsOn, oldApp, oldRes), edge(graph.RelInAccount, oldRes, account)
		MustApply(t, s, graph.Batch{Source: srcA, Run: "r1", At: at(0), Nodes: nodes(oldApp, oldRes, account),
			Edges: []graph.EdgeInput{runsOn, inAccount}})
		MustApply(t, s, graph.Batch{Source: srcA, Run: "r2", At: at(60), Nodes: nodes(account)})
		sweep(t, s, graph.SweepRequest{Source: srcA, Run: "r2", Kinds: []graph.Kind{graph.KindCloudResource}})
		absent(t, s, oldRes)
		if n := getNode(t, s, oldApp); len(n.Assertions) != 1 || n.Assertions[0].Run != "r1" {
			t.Errorf("an application, outside the swept kinds, lost its assertion: %+v", n.Assertions)
		}
		if getEdge(t, s, runsOn) != nil || getEdge(t, s, inAccount) != nil {
			t.Errorf("relationships of the removed resource survived")
		}
		got := sweep(t, s, graph.SweepRequest{Source: srcA, Run: "r2"})
		if got.NodesRemoved != 1 {
			t.Errorf("sweeping every kind afterwards removed %d nodes, want 1 (app-old)", got.NodesRemoved)
		}
		absent(t, s, oldApp)
		getNode(t, s, account)
	})

	t.Run("KeepsScopes", func(t *testing.T) {
		// r1 read repositories a and b, an account and the whole source; r2
		// failed to read repository a and no longer finds the rest.
		s := h(t)
		a1, a2, b1, ab, c, team, whole, k := app("a1"), app("a2"), app("b1"), app("ab"), app("c"), app("team"), app("whole"), app("k")
		in := func(r graph.Ref, scope string) graph.NodeInput {
			return graph.NodeInput{Kind: r.Kind, Key: r.Key, Scope: scope}
		}
		a1k, b1c := dependsOn(a1, k), dependsOn(b1, c)
		a1k.Scope, b1c.Scope = "repo/acme/a", "repo/acme/b"
		MustApply(t, s, graph.Batch{Source: srcA, Run: "r1", At: at(0),
			Nodes: []graph.NodeInput{in(a1, "repo/acme/a"), in(a2, "repo/acme/a/deploy"), in(b1, "repo/acme/b"),
				in(ab, "repo/acme/ab"), in(c, "aws/1"), in(whole, ""), in(k, "repo/acme/b"),
				in(team, "repo/acme/a"), in(team, "repo/acme/b")},
			Edges: []graph.EdgeInput{a1k, b1c}})
		if got := getNode(t, s, team).Assertions[0].Scope; got != "repo/acme" {
			t.Errorf("a node one run asserts from two repositories has scope %q, want their common scope repo/acme", got)
		}
		MustApply(t, s, graph.Batch{Source: srcA, Run: "r2", At: at(60), Nodes: []graph.NodeInput{in(k, "repo/acme/b")}})
		before := TakeDump(t, s)
		req := graph.SweepRequest{Source: srcA, Run: "r2", Keep: []string{"repo/acme/a"}, DryRun: true}
		dry := sweep(t, s, req)
		unchanged(t, s, before, "a dry run")
		req.DryRun = false
		real := sweep(t, s, req)
		want := graph.SweepResult{NodesRemoved: 3, EdgesRemoved: 1, SourceNodesBefore: 8, SourceEdgesBefore: 2}
		if dry != real || real != want {
			t.Errorf("dry run counted %+v, the real sweep %+v; want both %+v", dry, real, want)
		}
		// Kept: what repository a asserted (under it too), and what a
		// scope containing it asserted, which a may still assert.
		for _, r := range []graph.Ref{a1, a2, team, whole, k} {
			if n := getNode(t, s, r); r != k && n.Assertions[0].Run != "r1" {
				t.Errorf("%s, kept, has assertions %+v", r, n.Assertions)
			}
		}
		if getEdge(t, s, a1k) == nil {
			t.Errorf("%s→%s, asserted from the kept repository, was swept", a1, k)
		}
		// Swept: other repositories, a repository whose name merely starts
		// with a's, another account.
		for _, r := range []graph.Ref{b1, ab, c} {
			absent(t, s, r)
		}
		if getEdge(t, s, b1c) != nil {
			t.Errorf("%s→%s survived the sweep", b1, c)
		}
		// Once repository a is read again, what it no longer asserts goes.
		MustApply(t, s, graph.Batch{Source: srcA, Run: "r3", At: at(90), Nodes: []graph.NodeInput{in(a1, "repo/acme/a"), in(k, "repo/acme/b")}})
		if got := sweep(t, s, graph.SweepRequest{Source: srcA, Run: "r3"}); got.NodesRemoved != 3 {
			t.Errorf("the next complete sweep removed %d nodes, want 3 (a2, team, whole): %+v", got.NodesRemoved, got)
		}
		absent(t, s, a2)
	})

	t.Run("SourceWithNothing", func(t *testing.T) {
		s := setup(t)
		before := TakeDump(t, s)
		if got := sweep(t, s, graph.SweepRequest{Source: "gitlab:acme", Run: "g1"}); got != (graph.SweepResult{}) {
			t.Errorf("sweeping a source that asserts nothing = %+v", got)
		}
		unchanged(t, s, before, "sweeping a source that asserts nothing")
	})

	t.Run("Rejects", func(t *testing.T) {
		s := setup(t)
		before := TakeDump(t, s)
		for name, r := range map[string]graph.SweepRequest{
			"Manual":      {Source: graph.SourceManual, Run: "m2"},
			"ManualDry":   {Source: graph.SourceManual, Run: "m2", DryRun: true},
			"EmptySource": {Source: "", Run: "r2"},
			"EmptyRun":    {Source: srcA, Run: ""},
			"UnknownKind": {Source: srcA, Run: "r2", Kinds: []graph.Kind{"Server"}},
			"KeepsAll":    {Source: srcA, Run: "r2", Keep: []string{""}},
			"BadScope":    {Source: srcA, Run: "r2", Keep: []string{"repo//a"}},
		} {
			_, err := s.Sweep(t.Context(), r)
			wantCode(t, "Sweep "+name, err, graph.CodeInvalid)
		}
		unchanged(t, s, before, "rejected sweeps")
	})
}

func testScan(t *testing.T, h Harness) {
	t.Run("Order", func(t *testing.T) {
		s := h(t)
		b := SmallEstate()
		MustApply(t, s, b)
		for _, lb := range listEstate() {
			MustApply(t, s, lb)
		}
		// Owners in several roles: relationships between the same two
		// nodes, ordered by role alone.
		roles := graph.Batch{Source: b.Source, Run: b.Run, Edges: []graph.EdgeInput{
			owns(person(EstateAlice), svc(EstatePayments), graph.OwnerSupport),
			owns(person(EstateAlice), svc(EstatePayments), graph.OwnerSecurity),
			owns(team(EstatePaymentsTeam), svc(EstatePayments), graph.OwnerBusiness),
		}}
		MustApply(t, s, roles)
		d := TakeDump(t, s)
		sameRefs(t, "ScanNodes order (kind in Kinds order, then key)", d.Nodes, sortedRefs(append(listEstate(), b), nil)...)
		var want []*graph.Edge
		for _, in := range slices.Concat(b.Edges, roles.Edges) {
			v, err := graph.ValidateEdge(in)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, &graph.Edge{Type: v.Type, From: v.From, To: v.To, Props: v.Props})
		}
		slices.SortFunc(want, graph.CompareEdges)
		describe := func(es []*graph.Edge) []string {
			var out []string
			for _, e := range es {
				out = append(out, fmt.Sprintf("%s %s→%s %s", e.Type, e.From, e.To, e.Role()))
			}
			return out
		}
		if g, w := describe(d.Edges), describe(want); !slices.Equal(g, w) {
			t.Errorf("ScanEdges order (type in RelTypes order, from, to, role):\n got %q\nwant %q", g, w)
		}
	})

	t.Run("Topology", func(t *testing.T) {
		// The whole graph's shape is what ScanNodes and ScanEdges read:
		// the same nodes in the same order, each relationship's type and
		// ends.
		s := h(t)
		b := SmallEstate()
		MustApply(t, s, b)
		MustApply(t, s, graph.Batch{Source: b.Source, Run: b.Run, Edges: []graph.EdgeInput{
			owns(person(EstateAlice), svc(EstatePayments), graph.OwnerSupport),
		}})
		sameTopology(t, s, TakeDump(t, s))
	})

	t.Run("Large", func(t *testing.T) {
		// Thousands of nodes of one kind: scans and listings that work in
		// chunks or pages must not skip or repeat anything at the seams.
		s := h(t)
		b := SyntheticEstate("", 2600)
		MustApply(t, s, b)
		d := TakeDump(t, s)
		sameRefs(t, "ScanNodes of a large store", d.Nodes, sortedRefs([]graph.Batch{b}, nil)...)
		if len(d.Edges) != len(b.Edges) || !slices.IsSortedFunc(d.Edges, graph.CompareEdges) {
			t.Errorf("ScanEdges of a large store: %d relationships (want %d), sorted %v",
				len(d.Edges), len(b.Edges), slices.IsSortedFunc(d.Edges, graph.CompareEdges))
		}
		seen := map[graph.ID]bool{}
		for _, e := range d.Edges {
			if seen[e.ID] {
				t.Errorf("ScanEdges returned %s %s→%s twice", e.Type, e.From, e.To)
			}
			seen[e.ID] = true
		}
		var listed []*graph.Node
		q := graph.ListQuery{First: graph.MaxPageSize, Kinds: []graph.Kind{graph.KindApplication}}
		for range 10 {
			p, err := s.List(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			listed = append(listed, p.Nodes...)
			if !p.HasNext {
				break
			}
			q.After = p.EndCursor
		}
		var apps []graph.Ref
		for _, n := range d.Nodes {
			if n.Kind == graph.KindApplication {
				apps = append(apps, n.Ref())
			}
		}
		sameRefs(t, "every page of a large listing", listed, apps...)
		sameTopology(t, s, d)
	})

	t.Run("ErrorStops", func(t *testing.T) {
		s := h(t)
		MustApply(t, s, SmallEstate())
		stop := errors.New("export destination full")
		calls := 0
		err := s.ScanNodes(t.Context(), func(*graph.Node) error {
			calls++
			if calls == 3 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || calls != 3 {
			t.Errorf("ScanNodes with fn failing on the 3rd node: %v after %d calls; want fn's error after 3", err, calls)
		}
		calls = 0
		err = s.ScanEdges(t.Context(), func(*graph.Edge) error {
			calls++
			if calls == 2 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || calls != 2 {
			t.Errorf("ScanEdges with fn failing on the 2nd relationship: %v after %d calls; want fn's error after 2", err, calls)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		s := h(t)
		if d := TakeDump(t, s); len(d.Nodes)+len(d.Edges) != 0 {
			t.Errorf("a new store holds %d nodes and %d relationships", len(d.Nodes), len(d.Edges))
		}
	})
}

// richEstate is SmallEstate plus a second source asserting some of the same
// things, so that dumps hold several assertions, aliases from two sources and
// different first and last seen times, and assertions made in a scope.
func richEstate() []graph.Batch {
	second := graph.Batch{Source: "aws:org", Run: "a1", At: EstateAt.Add(90 * time.Minute),
		Nodes: []graph.NodeInput{
			{Kind: graph.KindTeam, Key: EstatePaymentsTeam, Aliases: []string{"Payments-Core"},
				Labels: map[string]string{"tag": "team=payments-core"}, Confidence: graph.Heuristic},
			{Kind: graph.KindCloudResource, Key: EstatePaymentsDB, Props: map[string]any{"createdAt": "2025-03-04T05:06:07Z"}},
		},
		Edges: []graph.EdgeInput{
			{Type: graph.RelOwns, From: team(EstatePaymentsTeam), To: res(EstatePaymentsDB),
				Props: map[string]any{"role": graph.OwnerSupport}, Confidence: graph.Heuristic, Evidence: "tag team=payments-core"},
			edge(graph.RelInAccount, res(EstatePaymentsDB), acct(EstateAccount)),
		}}
	for i := range second.Nodes {
		second.Nodes[i].Scope = richScope
	}
	for i := range second.Edges {
		second.Edges[i].Scope = richScope
	}
	later := SmallEstate()
	later.Run, later.At = "demo-2", EstateAt.Add(3*time.Hour)
	return []graph.Batch{SmallEstate(), second, later}
}

// richScope is the scope of richEstate's second source.
const richScope = "aws/123456789012/eu-west-1"

func testRestore(t *testing.T, h Harness) {
	t.Run("RoundTrip", func(t *testing.T) {
		s1 := h(t)
		for _, b := range richEstate() {
			MustApply(t, s1, b)
		}
		d1 := TakeDump(t, s1)
		scoped := 0
		for _, e := range d1.Edges {
			for _, a := range e.Assertions {
				if a.Scope == richScope {
					scoped++
				}
			}
		}
		if scoped != 2 {
			t.Errorf("%d relationships keep the scope %s they were asserted in, want 2", scoped, richScope)
		}
		s2 := h(t)
		if err := s2.Restore(t.Context(), d1.Nodes, d1.Edges); err != nil {
			t.Fatalf("Restore: %v", err)
		}
		sameJSON(t, "restored store", TakeDump(t, s2), d1)
		if st1, st2 := stats(t, s1), stats(t, s2); fmt.Sprint(st1) != fmt.Sprint(st2) {
			t.Errorf("Stats after restore %v, want %v", st2, st1)
		}
		// The restored store answers lookups, not just scans.
		got, err := s2.Resolve(t.Context(), "payments-core", nil)
		if err != nil {
			t.Fatal(err)
		}
		sameRefs(t, "Resolve(alias) in the restored store", got, team(EstatePaymentsTeam))
		found, err := s2.Search(t.Context(), graph.SearchQuery{Text: "pay-api"})
		if err != nil {
			t.Fatal(err)
		}
		sameRefs(t, "Search in the restored store", found, app(EstatePaymentsAPI))
		m, err := s2.Neighbors(t.Context(), ids(svc(EstatePayments)), graph.NeighborQuery{Direction: graph.In, Types: []graph.RelType{graph.RelOwns}})
		if err != nil {
			t.Fatal(err)
		}
		checkNeighbors(t, "owners of payments in the restored store", svc(EstatePayments), m[svc(EstatePayments).ID()], []nb{
			{graph.RelOwns, team(EstatePaymentsTeam), false, graph.OwnerTechnical},
			{graph.RelOwns, person(EstateAlice), false, graph.OwnerBusiness},
		})
		p, err := s2.List(t.Context(), graph.ListQuery{Source: "aws:org"})
		if err != nil {
			t.Fatal(err)
		}
		sameRefs(t, "List(source) in the restored store", p.Nodes, team(EstatePaymentsTeam), res(EstatePaymentsDB))
	})

	t.Run("FromJSON", func(t *testing.T) {
		// estate import decodes JSON: numbers arrive as float64, lists as
		// []any. The store keeps canonical types all the same.
		s1 := h(t)
		for _, b := range richEstate() {
			MustApply(t, s1, b)
		}
		d1 := TakeDump(t, s1)
		var decoded Dump
		if err := json.Unmarshal([]byte(d1.JSON()), &decoded); err != nil {
			t.Fatal(err)
		}
		s2 := h(t)
		if err := s2.Restore(t.Context(), decoded.Nodes, decoded.Edges); err != nil {
			t.Fatalf("Restore of decoded JSON: %v", err)
		}
		sameJSON(t, "store restored from JSON", TakeDump(t, s2), d1)
		n := getNode(t, s2, svc(EstatePayments))
		if _, ok := n.Props["tier"].(int64); !ok {
			t.Errorf("tier restored from JSON as %T, want int64", n.Props["tier"])
		}
		if _, ok := getNode(t, s2, repo(EstateMonorepo)).Props["topics"].([]string); !ok {
			t.Errorf("topics restored from JSON as %T, want []string", n.Props["topics"])
		}
	})

	t.Run("EmptyListFromJSON", func(t *testing.T) {
		// An empty list is a value: it survives export and import as [].
		s1 := h(t)
		MustApply(t, s1, graph.Batch{Source: "src", Run: "r1", At: T0, Nodes: []graph.NodeInput{
			{Kind: graph.KindPerson, Key: "dana@acme.example", Props: map[string]any{"handles": []string{}}}}})
		d1 := TakeDump(t, s1)
		var decoded Dump
		if err := json.Unmarshal([]byte(d1.JSON()), &decoded); err != nil {
			t.Fatal(err)
		}
		s2 := h(t)
		if err := s2.Restore(t.Context(), decoded.Nodes, decoded.Edges); err != nil {
			t.Fatalf("Restore of decoded JSON: %v", err)
		}
		sameJSON(t, "store restored from JSON", TakeDump(t, s2), d1)
		got, ok := getNode(t, s2, person("dana@acme.example")).Props["handles"]
		if l, isList := got.([]string); !ok || !isList || l == nil || len(l) != 0 {
			t.Errorf("empty handles after export and import: %#v (present %v), want []string{}", got, ok)
		}
	})

	t.Run("ReplacesSameID", func(t *testing.T) {
		s := h(t)
		for _, b := range richEstate() {
			MustApply(t, s, b)
		}
		d := TakeDump(t, s)
		r := team(EstatePaymentsTeam)
		replacement := &graph.Node{ID: r.ID(), Kind: r.Kind, Key: r.Key, Name: "Payments (imported)",
			Labels:     map[string]string{"imported": "yes"},
			Assertions: []graph.Assertion{{Source: "import", Run: "i1", Confidence: graph.Inferred, FirstSeen: at(-600), LastSeen: at(-60)}},
			FirstSeen:  at(-600), LastSeen: at(-60)}
		if err := s.Restore(t.Context(), []*graph.Node{replacement}, nil); err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "restored node (replaced, not merged)", getNode(t, s, r), replacement)
		for i, n := range d.Nodes {
			if n.ID == r.ID() {
				d.Nodes[i] = replacement
			}
		}
		sameJSON(t, "store after replacing one node", TakeDump(t, s), d)
		if got, err := s.Resolve(t.Context(), "@acme/payments-core", nil); err != nil || len(got) != 0 {
			t.Errorf("Resolve(an alias the replacement dropped) = %q, %v; want nothing", refsOf(got), err)
		}
	})

	t.Run("Rejects", func(t *testing.T) {
		good := func() *graph.Node {
			r := app("imported")
			return &graph.Node{ID: r.ID(), Kind: r.Kind, Key: r.Key, Name: r.Key,
				Assertions: []graph.Assertion{{Source: "import", Confidence: graph.Declared, FirstSeen: T0, LastSeen: T0}},
				FirstSeen:  T0, LastSeen: T0}
		}
		goodEdge := func() *graph.Edge {
			in := dependsOn(app("imported"), app(EstatePaymentsAPI))
			return &graph.Edge{ID: in.ID(), Type: in.Type, From: in.From, To: in.To,
				Assertions: []graph.Assertion{{Source: "import", Confidence: graph.Declared, FirstSeen: T0, LastSeen: T0}},
				FirstSeen:  T0, LastSeen: T0}
		}
		badNode := func(f func(*graph.Node)) []*graph.Node { n := good(); f(n); return []*graph.Node{n} }
		badEdge := func(f func(*graph.Edge)) []*graph.Edge { e := goodEdge(); f(e); return []*graph.Edge{e} }
		cases := []struct {
			name  string
			nodes []*graph.Node
			edges []*graph.Edge
			code  graph.Code
		}{
			{"NodeIDMismatch", badNode(func(n *graph.Node) { n.ID = uuid.New() }), nil, graph.CodeInvalid},
			{"NodeIDOfAnotherKind", badNode(func(n *graph.Node) { n.ID = svc("imported").ID() }), nil, graph.CodeInvalid},
			{"NodeWithoutAssertion", badNode(func(n *graph.Node) { n.Assertions = nil }), nil, graph.CodeInvalid},
			{"NodeUnknownKind", badNode(func(n *graph.Node) { n.Kind = "Server"; n.ID = graph.NodeID("Server", n.Key) }), nil, graph.CodeInvalid},
			{"NodeSpacedKey", badNode(func(n *graph.Node) { n.Key = " imported"; n.ID = graph.NodeID(n.Kind, n.Key) }), nil, graph.CodeInvalid},
			{"NodeUnknownProperty", badNode(func(n *graph.Node) { n.Props = map[string]any{"owner": "x"} }), nil, graph.CodeInvalid},
			{"NodeBadConfidence", badNode(func(n *graph.Node) { n.Assertions[0].Confidence = "SURE" }), nil, graph.CodeInvalid},
			{"NodeEmptySource", badNode(func(n *graph.Node) { n.Assertions[0].Source = "" }), nil, graph.CodeInvalid},
			{"EdgeIDMismatch", []*graph.Node{good()}, badEdge(func(e *graph.Edge) { e.ID = uuid.New() }), graph.CodeInvalid},
			{"EdgeWithoutAssertion", []*graph.Node{good()}, badEdge(func(e *graph.Edge) { e.Assertions = nil }), graph.CodeInvalid},
			{"EdgePairNotAllowed", []*graph.Node{good()}, badEdge(func(e *graph.Edge) {
				e.Type = graph.RelBuilds
				e.ID = edge(graph.RelBuilds, e.From, e.To).ID()
			}), graph.CodeInvalid},
			{"EdgeEndMissing", nil, []*graph.Edge{goodEdge()}, graph.CodeNotFound},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := h(t)
				MustApply(t, s, SmallEstate())
				before := TakeDump(t, s)
				err := s.Restore(t.Context(), c.nodes, c.edges)
				wantCode(t, "Restore", err, c.code)
				if c.code == graph.CodeInvalid {
					unchanged(t, s, before, "after a rejected restore")
				}
				if getEdge(t, s, dependsOn(app("imported"), app(EstatePaymentsAPI))) != nil {
					t.Errorf("the relationship of a rejected restore was written")
				}
			})
		}
	})
}

func testStats(t *testing.T, h Harness) {
	s := h(t)
	if st := stats(t, s); st.TotalNodes() != 0 || st.TotalEdges() != 0 {
		t.Errorf("empty store: %d nodes, %d relationships", st.TotalNodes(), st.TotalEdges())
	}
	b := SmallEstate()
	MustApply(t, s, b)
	wantNodes, wantEdges := map[graph.Kind]int{}, map[graph.RelType]int{}
	for _, n := range b.Nodes {
		wantNodes[n.Kind]++
	}
	for _, e := range b.Edges {
		wantEdges[e.Type]++
	}
	st := stats(t, s)
	for _, k := range graph.Kinds {
		if st.Nodes[k] != wantNodes[k] {
			t.Errorf("Stats: %d %s nodes, want %d", st.Nodes[k], k, wantNodes[k])
		}
	}
	for _, r := range graph.RelTypes {
		if st.Edges[r] != wantEdges[r] {
			t.Errorf("Stats: %d %s relationships, want %d", st.Edges[r], r, wantEdges[r])
		}
	}
	if st.TotalNodes() != len(b.Nodes) || st.TotalEdges() != len(b.Edges) {
		t.Errorf("Stats totals %d, %d; want %d, %d", st.TotalNodes(), st.TotalEdges(), len(b.Nodes), len(b.Edges))
	}
}

func testPing(t *testing.T, h Harness) {
	if err := h(t).Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

// sameTopology checks s.Topology against d, what ScanNodes and ScanEdges
// read: the same nodes in the same order, each relationship's type and
// ends.
func sameTopology(t *testing.T, s graph.Store, d Dump) {
	t.Helper()
	topo, err := s.Topology(t.Context())
	if err != nil {
		t.Fatalf("Topology: %v", err)
	}
	if g, w := jsonOf(topo.Nodes), jsonOf(d.Nodes); g != w {
		t.Errorf("Topology's nodes differ from ScanNodes':\n got %.2000s\nwant %.2000s", g, w)
	}
	var got, want []string
	for _, l := range topo.Links {
		if l.From < 0 || int(l.From) >= len(topo.Nodes) || l.To < 0 || int(l.To) >= len(topo.Nodes) {
			t.Fatalf("link %+v points outside the %d nodes", l, len(topo.Nodes))
		}
		got = append(got, fmt.Sprintf("%s %s→%s", l.Type, topo.Nodes[l.From].Ref(), topo.Nodes[l.To].Ref()))
	}
	for _, e := range d.Edges {
		want = append(want, fmt.Sprintf("%s %s→%s", e.Type, e.From, e.To))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Topology's %d links differ from ScanEdges' %d:\n got %.2000q\nwant %.2000q", len(got), len(want), got, want)
	}
}

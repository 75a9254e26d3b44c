package graphtest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

// testMerge: two teams that are one (the GitHub team and the catalog's
// group) merged into one node that keeps every alias, assertion and
// relationship of both; later writes naming the merged key land on the node
// that stays, also after an export and import; bad merges change nothing.
func testMerge(t *testing.T, h Harness) {
	keep, dup := team("acme/payments-core"), team("payments")
	orders, ledger := app("orders"), app("ledger")
	priya, sam, lee := person("priya"), person("sam"), person("lee")
	memberOf := func(p, t graph.Ref) graph.EdgeInput { return edge(graph.RelMemberOf, p, t) }

	// seed stores the two teams as their two sources assert them.
	seed := func(t *testing.T) graph.Store {
		s := h(t)
		k := node(keep)
		k.Name, k.Aliases, k.Props = "Payments Core", []string{"@acme/payments-core"}, map[string]any{"contact": "#payments"}
		MustApply(t, s, graph.Batch{Source: "github", Run: "g1", At: at(0),
			Nodes: append([]graph.NodeInput{k}, nodes(orders, ledger, priya)...),
			Edges: []graph.EdgeInput{owns(keep, orders, ""), memberOf(priya, keep)}})
		d := node(dup)
		d.Name, d.Aliases = "Payments", []string{"group:payments"}
		d.Props, d.Labels = map[string]any{"contact": "#pay-other", "email": "pay@acme.example"}, map[string]string{"cost-centre": "cc-42"}
		MustApply(t, s, graph.Batch{Source: "catalog", Run: "c1", At: at(1),
			Nodes: append([]graph.NodeInput{d}, nodes(orders, ledger, sam)...),
			Edges: []graph.EdgeInput{owns(dup, orders, ""), owns(dup, ledger, graph.OwnerBusiness), memberOf(sam, dup), memberOf(dup, keep)}})
		return s
	}
	merge := func(t *testing.T, s graph.Store, into, from graph.Ref) *graph.Node {
		t.Helper()
		n, err := s.Merge(t.Context(), into.ID(), from.ID())
		if err != nil {
			t.Fatalf("Merge(%s, %s): %v", into, from, err)
		}
		return n
	}
	// relations checks a node's relationships, each "TYPE arrow other role
	// by sources".
	relations := func(t *testing.T, s graph.Store, r graph.Ref, what string, want ...string) {
		t.Helper()
		got, err := s.Neighbors(t.Context(), []graph.ID{r.ID()}, graph.NeighborQuery{Direction: graph.Both})
		if err != nil {
			t.Fatalf("Neighbors(%s): %v", r, err)
		}
		var out []string
		for _, nb := range got[r.ID()] {
			var srcs []string
			for _, a := range nb.Edge.Assertions {
				srcs = append(srcs, a.Source)
			}
			arrow := "<-"
			if nb.Outgoing {
				arrow = "->"
			}
			out = append(out, fmt.Sprintf("%s %s %s %s by %v", nb.Edge.Type, arrow, nb.Node.Ref(), nb.Edge.Role(), srcs))
		}
		slices.Sort(out)
		if !slices.Equal(out, want) {
			t.Errorf("relationships of %s %s:\n got %q\nwant %q", r, what, out, want)
		}
	}

	t.Run("KeepsEverything", func(t *testing.T) {
		s := seed(t)
		dupEdges := []graph.ID{owns(dup, orders, "").ID(), owns(dup, ledger, graph.OwnerBusiness).ID(), memberOf(sam, dup).ID(), memberOf(dup, keep).ID()}
		got := merge(t, s, keep, dup)
		stored := getNode(t, s, keep)
		sameJSON(t, "Merge's answer against the stored node", got, stored)

		if stored.Name != "Payments Core" || stored.Props["contact"] != "#payments" {
			t.Errorf("the node that stays lost its own values: name %q, contact %v", stored.Name, stored.Props["contact"])
		}
		if stored.Props["email"] != "pay@acme.example" || stored.Labels["cost-centre"] != "cc-42" {
			t.Errorf("what only the duplicate had was not kept: props %v labels %v", stored.Props, stored.Labels)
		}
		sameJSON(t, "aliases", stored.Aliases, []graph.Alias{
			{Value: "@acme/payments-core", Source: "github"},
			{Value: "group:payments", Source: "catalog"},
			{Value: "payments", Source: graph.AliasMerged},
		})
		var sources []string
		for _, a := range stored.Assertions {
			sources = append(sources, a.Source+"/"+a.Run)
		}
		if !slices.Equal(sources, []string{"catalog/c1", "github/g1"}) {
			t.Errorf("assertions = %v, want both sources' (catalog/c1, github/g1)", sources)
		}
		if !stored.FirstSeen.Equal(at(0)) || !stored.LastSeen.Equal(at(1)) {
			t.Errorf("seen %v – %v, want %v – %v", stored.FirstSeen, stored.LastSeen, at(0), at(1))
		}
		absent(t, s, dup)

		relations(t, s, keep, "after the merge",
			"MEMBER_OF <- Person:priya  by [github]",
			"MEMBER_OF <- Person:sam  by [catalog]",
			"OWNS -> Application:ledger business by [catalog]",
			"OWNS -> Application:orders technical by [catalog github]")
		es, err := s.Edges(t.Context(), dupEdges)
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range es {
			if e != nil {
				t.Errorf("the duplicate's relationship %s is still stored (#%d)", e.ID, i)
			}
		}
		for _, ref := range []string{"payments", "GROUP:PAYMENTS", "@acme/payments-core"} {
			found, err := s.Resolve(t.Context(), ref, []graph.Kind{graph.KindTeam})
			if err != nil {
				t.Fatal(err)
			}
			sameRefs(t, "Resolve("+ref+")", found, keep)
		}
		st, err := s.Stats(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if st.Nodes[graph.KindTeam] != 1 || st.Edges[graph.RelMemberOf] != 2 || st.Edges[graph.RelOwns] != 2 {
			t.Errorf("stats after the merge: %v teams, %v memberships, %v ownerships; want 1, 2, 2",
				st.Nodes[graph.KindTeam], st.Edges[graph.RelMemberOf], st.Edges[graph.RelOwns])
		}
		page, err := s.History(t.Context(), graph.HistoryQuery{ID: keep.ID(), First: 20})
		if err != nil {
			t.Fatal(err)
		}
		updated := false
		for _, e := range page.Events {
			updated = updated || (e.Subject == keep.ID() && e.Op == graph.AuditUpdated && e.Node != nil && len(e.Node.Assertions) == 1)
		}
		if !updated {
			t.Errorf("the history of the node that stays has no update from the merge (what it was before: one source)")
		}
	})

	t.Run("LaterWritesFollow", func(t *testing.T) {
		s := seed(t)
		merge(t, s, keep, dup)
		// The catalog's next run still names its group "payments", and a
		// new member of it.
		d := node(dup)
		d.Name = "Payments"
		res := MustApply(t, s, graph.Batch{Source: "catalog", Run: "c2", At: at(2),
			Nodes: []graph.NodeInput{d, node(sam), node(lee)},
			Edges: []graph.EdgeInput{memberOf(sam, dup), memberOf(lee, dup), owns(dup, ledger, graph.OwnerBusiness)}})
		if res.NodesCreated != 1 || res.NodesUpdated != 2 {
			t.Errorf("ApplyResult %+v: want 1 node created (lee) and 2 updated (the team, sam)", res)
		}
		absent(t, s, dup)
		n := getNode(t, s, keep)
		if n.Name != "Payments Core" {
			t.Errorf("name %q: the catalog's name for %q renamed the team", n.Name, dup.Key)
		}
		if i := slices.IndexFunc(n.Assertions, func(a graph.Assertion) bool { return a.Source == "catalog" }); i < 0 || n.Assertions[i].Run != "c2" {
			t.Errorf("assertions %+v: want the catalog's from run c2", n.Assertions)
		}
		if e := getEdge(t, s, memberOf(lee, keep)); e == nil {
			t.Errorf("lee's membership of %q did not land on %s", dup.Key, keep)
		}
		// The catalog's sweep after c2 keeps the team and what c2 said.
		if _, err := s.Sweep(t.Context(), graph.SweepRequest{Source: "catalog", Run: "c2"}); err != nil {
			t.Fatal(err)
		}
		getNode(t, s, keep)
		relations(t, s, keep, "after the catalog's next run and sweep",
			"MEMBER_OF <- Person:lee  by [catalog]",
			"MEMBER_OF <- Person:priya  by [github]",
			"MEMBER_OF <- Person:sam  by [catalog]",
			"OWNS -> Application:ledger business by [catalog]",
			"OWNS -> Application:orders technical by [github]")

		// Merged again, into another team: both old keys follow.
		platform := team("platform")
		MustApply(t, s, graph.Batch{Source: graph.SourceManual, Run: "m1", Nodes: nodes(platform)})
		merge(t, s, platform, keep)
		MustApply(t, s, graph.Batch{Source: "catalog", Run: "c3", At: at(3), Nodes: nodes(dup), Edges: []graph.EdgeInput{memberOf(lee, dup)}})
		MustApply(t, s, graph.Batch{Source: "github", Run: "g2", At: at(3), Nodes: nodes(keep), Edges: []graph.EdgeInput{memberOf(priya, keep)}})
		absent(t, s, dup)
		absent(t, s, keep)
		for _, p := range []graph.Ref{lee, priya} {
			if e := getEdge(t, s, memberOf(p, platform)); e == nil || !slices.ContainsFunc(e.Assertions, func(a graph.Assertion) bool { return a.LastSeen.Equal(at(3)) }) {
				t.Errorf("%s's membership did not follow two merges to %s: %+v", p, platform, e)
			}
		}

		// A key stored again names its own node again.
		if err := s.Restore(t.Context(), []*graph.Node{{ID: dup.ID(), Kind: dup.Kind, Key: dup.Key, Name: "Payments (again)",
			Assertions: []graph.Assertion{{Source: graph.SourceManual, Confidence: graph.Declared, FirstSeen: at(4), LastSeen: at(4)}},
			FirstSeen:  at(4), LastSeen: at(4)}}, nil); err != nil {
			t.Fatal(err)
		}
		MustApply(t, s, graph.Batch{Source: "catalog", Run: "c4", At: at(5), Nodes: nodes(dup)})
		if n := getNode(t, s, dup); !slices.ContainsFunc(n.Assertions, func(a graph.Assertion) bool { return a.Run == "c4" }) {
			t.Errorf("the catalog's write went elsewhere than the stored %s: %+v", dup, n.Assertions)
		}
	})

	t.Run("SurvivesExportAndImport", func(t *testing.T) {
		s := seed(t)
		merge(t, s, keep, dup)
		d := TakeDump(t, s)
		s2 := h(t)
		if err := s2.Restore(t.Context(), d.Nodes, d.Edges); err != nil {
			t.Fatal(err)
		}
		MustApply(t, s2, graph.Batch{Source: "catalog", Run: "c2", At: at(2), Nodes: nodes(dup, lee), Edges: []graph.EdgeInput{memberOf(lee, dup)}})
		absent(t, s2, dup)
		if e := getEdge(t, s2, memberOf(lee, keep)); e == nil {
			t.Errorf("after an import, a write naming %s did not land on %s", dup, keep)
		}
	})

	t.Run("Rejects", func(t *testing.T) {
		s := seed(t)
		before := TakeDump(t, s)
		for _, c := range []struct {
			name       string
			into, from graph.Ref
			code       graph.Code
		}{
			{"itself", keep, keep, graph.CodeInvalid},
			{"another kind", keep, orders, graph.CodeInvalid},
			{"a missing duplicate", keep, team("nobody"), graph.CodeNotFound},
			{"into a missing node", team("nobody"), dup, graph.CodeNotFound},
		} {
			_, err := s.Merge(t.Context(), c.into.ID(), c.from.ID())
			wantCode(t, "Merge "+c.name, err, c.code)
		}
		if _, err := s.Apply(t.Context(), graph.Batch{Source: graph.AliasMerged, Run: "x", Nodes: nodes(team("x"))}); err == nil {
			t.Errorf("a batch from the reserved source %q was applied", graph.AliasMerged)
		}
		unchanged(t, s, before, "refused merges")
	})
}

// testAnnotate: labels a person sets on nodes without asserting them (the
// "not duplicates" decision): kept through syncs, removed with "", and
// keeping alive nothing a source drops; a bad annotation writes nothing.
func testAnnotate(t *testing.T, h Harness) {
	s := h(t)
	a, b := team("payments"), team("cards/payments")
	sync := func(run string, minutes int, refs ...graph.Ref) {
		t.Helper()
		in := nodes(refs...)
		for i := range in {
			in[i].Labels = map[string]string{"synced": run}
		}
		MustApply(t, s, graph.Batch{Source: "github", Run: run, At: at(minutes), Nodes: in})
	}
	sync("g1", 0, a, b)
	if err := s.Annotate(t.Context(), map[graph.ID]map[string]string{a.ID(): {"note": "two teams"}, b.ID(): {"note": "two teams"}}); err != nil {
		t.Fatal(err)
	}
	n := getNode(t, s, a)
	if n.Labels["note"] != "two teams" || n.Labels["synced"] != "g1" || len(n.Assertions) != 1 || n.Assertions[0].Source != "github" {
		t.Errorf("annotated node: labels %v, assertions %+v; want the note beside the source's label, and only the source's assertion", n.Labels, n.Assertions)
	}
	page, err := s.History(t.Context(), graph.HistoryQuery{ID: a.ID(), First: 1})
	if err != nil || len(page.Events) != 1 || page.Events[0].Op != graph.AuditUpdated || page.Events[0].Node.Labels["note"] != "" {
		t.Errorf("the annotation's audit event: %+v, %v", page, err)
	}

	sync("g2", 1, a, b)
	if n := getNode(t, s, a); n.Labels["note"] != "two teams" || n.Labels["synced"] != "g2" {
		t.Errorf("after the next sync: labels %v", n.Labels)
	}

	before := TakeDump(t, s)
	for name, labels := range map[string]map[graph.ID]map[string]string{
		"a missing node":   {a.ID(): {"note": "x"}, team("nobody").ID(): {"note": "x"}},
		"empty label name": {a.ID(): {" ": "x"}},
	} {
		err := s.Annotate(t.Context(), labels)
		wantCode(t, "Annotate "+name, err, map[string]graph.Code{"a missing node": graph.CodeNotFound, "empty label name": graph.CodeInvalid}[name])
	}
	unchanged(t, s, before, "refused annotations")

	if err := s.Annotate(t.Context(), map[graph.ID]map[string]string{b.ID(): {"note": ""}}); err != nil {
		t.Fatal(err)
	}
	if n := getNode(t, s, b); n.Labels["note"] != "" || n.Labels["synced"] != "g2" {
		t.Errorf("a label set to \"\" is removed, the others kept: %v", n.Labels)
	}

	// The source drops one: the annotation does not keep it.
	sync("g3", 2, b)
	if _, err := s.Sweep(t.Context(), graph.SweepRequest{Source: "github", Run: "g3"}); err != nil {
		t.Fatal(err)
	}
	absent(t, s, a)
}

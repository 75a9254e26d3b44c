package analysistest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

// testDuplicates: the likely duplicates of a small estate, as sources
// would spell one team and one person twice; what is not a duplicate (one
// name of a team and a service, a name seven applications share) is not
// listed, and a merge settles a group.
func testDuplicates(t *testing.T, h graphtest.Harness) {
	s := h(t)
	n := func(k graph.Kind, key, name string, aliases ...string) graph.NodeInput {
		return graph.NodeInput{Kind: k, Key: key, Name: name, Aliases: aliases}
	}
	nodes := []graph.NodeInput{
		n(graph.KindTeam, "github.com/acme/team/payments-core", "payments-core", "@acme/payments-core"),
		n(graph.KindTeam, "payments_core", "Payments Core"),
		n(graph.KindTeam, "ledger", "Ledger"),
		n(graph.KindTeam, "retail/payments", "Payments"),
		n(graph.KindTeam, "cards/payments", "Payments"),
		n(graph.KindPerson, "priya.shah@acme.example", "Priya Shah", "priya-shah"),
		n(graph.KindPerson, "@priyashah", "Priya Shah"),
		n(graph.KindService, "ledger", "Ledger"),
	}
	for i := range 7 {
		nodes = append(nodes, n(graph.KindApplication, fmt.Sprintf("team%d/api", i), "API"))
	}
	graphtest.MustApply(t, s, graph.Batch{Source: "src", Run: "r1", At: DemoAt, Nodes: nodes})
	var all []graph.Ref // what groups checks DuplicatesOf of
	for _, n := range nodes {
		all = append(all, n.Ref())
	}

	groups := func(kinds ...graph.Kind) []string {
		t.Helper()
		rep, err := analysis.Duplicates(t.Context(), s, kinds)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range rep.Groups {
			out = append(out, fmt.Sprintf("%s %v sharing %v", g.Kind, g.Items, g.Shared))
		}
		// Each entity's page suggests its own group, from a search; the
		// others none.
		if len(kinds) == 0 {
			for _, r := range all {
				want := "none"
				for i, g := range rep.Groups {
					if slices.ContainsFunc(g.Items, func(it analysis.Item) bool { return it.Ref() == r }) {
						want = out[i]
					}
				}
				if got := groupOf(t, s, r); got != want {
					t.Errorf("the likely duplicates of %s: %s, want %s", r, got, want)
				}
			}
		}
		return out
	}
	same(t, "likely duplicates", groups(), []string{
		"Team [Team:cards/payments Team:retail/payments] sharing [payments]",
		"Team [Team:github.com/acme/team/payments-core Team:payments_core] sharing [payments-core]",
		"Person [Person:@priyashah Person:priya.shah@acme.example] sharing [priya-shah]",
	})
	same(t, "likely duplicates among people", groups(graph.KindPerson), []string{
		"Person [Person:@priyashah Person:priya.shah@acme.example] sharing [priya-shah]",
	})
	if _, err := analysis.Duplicates(t.Context(), s, []graph.Kind{graph.KindCloudResource}); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("duplicates among cloud resources: %v, want INVALID_INPUT", err)
	}

	// Two payments teams in two business units: a person records that
	// they are two teams, and they are no longer listed.
	var teams []*graph.Node
	for _, key := range []string{"retail/payments", "cards/payments"} {
		n, err := s.Node(t.Context(), graph.Ref{Kind: graph.KindTeam, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		teams = append(teams, n)
	}
	labels, err := graph.DistinctLabels(teams, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Annotate(t.Context(), labels); err != nil {
		t.Fatal(err)
	}
	same(t, "likely duplicates, the payments teams recorded distinct", groups(), []string{
		"Team [Team:github.com/acme/team/payments-core Team:payments_core] sharing [payments-core]",
		"Person [Person:@priyashah Person:priya.shah@acme.example] sharing [priya-shah]",
	})

	// Three teams spelled alike, the first recorded distinct from the other
	// two: those two are still a group, tied by the spelling.
	var ops []*graph.Node
	for _, key := range []string{"a/ledger-ops", "b/ledger-ops", "c/ledger-ops"} {
		graphtest.MustApply(t, s, graph.Batch{Source: "src", Run: "r2", At: DemoAt, Nodes: []graph.NodeInput{n(graph.KindTeam, key, "Ledger Ops")}})
		all = append(all, graph.Ref{Kind: graph.KindTeam, Key: key})
		n, err := s.Node(t.Context(), graph.Ref{Kind: graph.KindTeam, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, n)
	}
	for _, pair := range [][]*graph.Node{{ops[0], ops[1]}, {ops[0], ops[2]}} {
		labels, err := graph.DistinctLabels(pair, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Annotate(t.Context(), labels); err != nil {
			t.Fatal(err)
		}
		// The second decision reads the first's label.
		if ops[0], err = s.Node(t.Context(), ops[0].Ref()); err != nil {
			t.Fatal(err)
		}
	}
	same(t, "likely duplicates, one of three teams recorded distinct from the others", groups(), []string{
		"Team [Team:b/ledger-ops Team:c/ledger-ops] sharing [ledger-ops]",
		"Team [Team:github.com/acme/team/payments-core Team:payments_core] sharing [payments-core]",
		"Person [Person:@priyashah Person:priya.shah@acme.example] sharing [priya-shah]",
	})

	if _, err := s.Merge(t.Context(), graph.NodeID(graph.KindTeam, "github.com/acme/team/payments-core"), graph.NodeID(graph.KindTeam, "payments_core")); err != nil {
		t.Fatal(err)
	}
	all = slices.DeleteFunc(all, func(r graph.Ref) bool { return r.Key == "payments_core" })
	same(t, "likely duplicates after the teams' merge", groups(), []string{
		"Team [Team:b/ledger-ops Team:c/ledger-ops] sharing [ledger-ops]",
		"Person [Person:@priyashah Person:priya.shah@acme.example] sharing [priya-shah]",
	})
}

// groupOf is analysis.DuplicatesOf's group for the entity r names, as
// testDuplicates writes groups, or "none".
func groupOf(t *testing.T, s graph.Store, r graph.Ref) string {
	t.Helper()
	n, err := s.Node(t.Context(), r)
	if err != nil || n == nil {
		t.Fatalf("node %s: %v, %v", r, n, err)
	}
	g, err := analysis.DuplicatesOf(t.Context(), s, n)
	if err != nil {
		t.Fatal(err)
	}
	if g == nil {
		return "none"
	}
	return fmt.Sprintf("%s %v sharing %v", g.Kind, g.Items, g.Shared)
}

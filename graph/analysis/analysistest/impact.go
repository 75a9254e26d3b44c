package analysistest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/graphtest"
	"github.com/estate-cmdb/estate/ingest/demo"
)

// A team owning an item in two roles is told about it once.
func testImpactTwoRoles(t *testing.T, h graphtest.Harness) {
	s := h(t)
	app := graph.Ref{Kind: graph.KindApplication, Key: "ledger"}
	svc := graph.Ref{Kind: graph.KindService, Key: "accounting"}
	team := graph.Ref{Kind: graph.KindTeam, Key: "finance-eng"}
	owns := func(to graph.Ref, role string) graph.EdgeInput {
		return graph.EdgeInput{Type: graph.RelOwns, From: team, To: to, Props: map[string]any{"role": role}}
	}
	graphtest.MustApply(t, s, graph.Batch{Source: "src", Run: "r1", At: DemoAt,
		Nodes: []graph.NodeInput{{Kind: app.Kind, Key: app.Key}, {Kind: svc.Kind, Key: svc.Key}, {Kind: team.Kind, Key: team.Key}},
		Edges: []graph.EdgeInput{
			{Type: graph.RelPartOf, From: app, To: svc},
			owns(app, graph.OwnerTechnical), owns(app, graph.OwnerBusiness), owns(svc, graph.OwnerTechnical),
		}})
	r, err := analysis.Impact(t.Context(), s, analysis.ImpactQuery{Refs: []string{app.String()}})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "teams", notify(r), []string{"finance-eng: Service:accounting Application:ledger"})
}

func affected(r *analysis.ImpactResult) []string {
	out := []string{}
	for _, a := range r.Affected {
		out = append(out, fmt.Sprintf("%d %s", a.Depth, a.Ref()))
	}
	return out
}

func services(r *analysis.ImpactResult) []string {
	out := []string{}
	for _, s := range r.Services {
		bu := "-"
		if s.BusinessUnit != nil {
			bu = s.BusinessUnit.Key
		}
		var apps []string
		for _, a := range s.Applications {
			apps = append(apps, a.Key)
		}
		out = append(out, fmt.Sprintf("%s tier %d in %s: %s", s.Service.Key, s.Tier, bu, strings.Join(apps, " ")))
	}
	return out
}

func units(r *analysis.ImpactResult) []string {
	out := []string{}
	for _, u := range r.BusinessUnits {
		out = append(out, fmt.Sprintf("%s tier %d: %s", u.BusinessUnit.Key, u.HighestTier, strings.Join(keysOf(u.Services), " ")))
	}
	return out
}

func notify(r *analysis.ImpactResult) []string {
	out := []string{}
	for _, n := range r.Notify {
		out = append(out, n.Key+": "+strings.Join(n.For, " "))
	}
	return out
}

func impact(t *testing.T, c *Counting, q analysis.ImpactQuery) *analysis.ImpactResult {
	t.Helper()
	r, err := analysis.Impact(t.Context(), c, q)
	if err != nil {
		t.Fatalf("Impact(%v): %v", q.Refs, err)
	}
	return r
}

func testImpactRepository(t *testing.T, c *Counting) {
	r := impact(t, c, analysis.ImpactQuery{Refs: []string{"https://github.com/acme/payments-api"}})
	atMost(t, c, "Impact of a repository URL", 2+4)
	same(t, "affected", affected(r), []string{
		"1 Application:payments-api",
		"2 Service:payments", "2 Application:checkout-api", "2 Application:online-banking-bff", "2 Application:order-service",
		"3 BusinessUnit:payments", "3 Service:checkout", "3 Service:online-banking", "3 Service:order-management",
		"3 Application:loyalty-api", "3 Application:online-banking-web", "3 Application:order-export", "3 Application:storefront",
		"4 BusinessUnit:digital-commerce", "4 BusinessUnit:retail-banking", "4 Service:loyalty", "4 Service:online-store",
	})
	same(t, "services", services(r), []string{
		"checkout tier 1 in digital-commerce: checkout-api",
		"loyalty tier 3 in digital-commerce: loyalty-api",
		"online-banking tier 1 in retail-banking: online-banking-bff online-banking-web",
		"online-store tier 2 in digital-commerce: storefront",
		"order-management tier 2 in digital-commerce: order-export order-service",
		"payments tier 1 in payments: payments-api",
	})
	same(t, "business units", units(r), []string{
		"digital-commerce tier 1: Service:checkout Service:loyalty Service:online-store Service:order-management",
		"payments tier 1: Service:payments",
		"retail-banking tier 1: Service:online-banking",
	})
	if r.HighestTier != 1 || r.Truncated {
		t.Errorf("highest tier %d, truncated %v; want 1, false", r.HighestTier, r.Truncated)
	}
	same(t, "teams", notify(r), []string{
		"checkout: Service:checkout Service:order-management Application:checkout-api Application:order-export Application:order-service",
		"daily-banking: Service:online-banking Application:online-banking-bff Application:online-banking-web",
		"marketing-web: Application:storefront",
		"payments-core: Service:payments Application:payments-api",
		"platform-sre: Application:payments-api",
		"storefront: Service:loyalty Service:online-store Application:loyalty-api Application:storefront",
	})
	// A team to notify comes with the details to reach it.
	for _, n := range r.Notify {
		if n.Key == "payments-core" && (n.Email != "payments-core@acme.example" || n.Channel != "slack:#payments-core") {
			t.Errorf("payments-core to notify: %q %q", n.Email, n.Channel)
		}
	}
	// Every path starts at the repository and ends at the item.
	for _, a := range r.Affected {
		if len(a.Path) != a.Depth {
			t.Errorf("%s at depth %d has a path of %d steps", a.Ref(), a.Depth, len(a.Path))
		}
	}
	if p := r.Affected[1].Path; len(p) != 2 || p[0].Type != graph.RelBuilds || p[1].Type != graph.RelPartOf {
		t.Errorf("path to %s: %+v", r.Affected[1].Ref(), p)
	}
}

func testImpactMonorepo(t *testing.T, c *Counting) {
	r := impact(t, c, analysis.ImpactQuery{Refs: []string{demo.MonorepoKey}, ChangedPaths: []string{"services/pricing/src/rules.ts"}})
	atMost(t, c, "Impact with changed paths", 1+5)
	same(t, "affected", affected(r), []string{
		"1 Application:pricing-service",
		"2 Service:checkout", "2 Application:checkout-api",
		"3 BusinessUnit:digital-commerce", "3 Application:storefront",
		"4 Service:online-store",
	})
	same(t, "ignored", keysOf(r.Ignored), []string{"Application:cart-service", "Application:checkout-ui-kit"})
	same(t, "teams", notify(r), []string{
		"checkout: Service:checkout Application:checkout-api Application:pricing-service",
		"marketing-web: Application:storefront",
		"storefront: Service:online-store Application:pricing-service Application:storefront",
	})
	// A path outside every application's directory touches none of them.
	r = impact(t, c, analysis.ImpactQuery{Refs: []string{demo.MonorepoKey}, ChangedPaths: []string{"README.md", "services/pricingx/a"}})
	same(t, "affected by a README change", affected(r), []string{})
	if len(r.Ignored) != len(demo.MonorepoApps) {
		t.Errorf("ignored %v, want all %d applications", keysOf(r.Ignored), len(demo.MonorepoApps))
	}
}

func testImpactDepth(t *testing.T, c *Counting) {
	end := demo.ImpactChain[0]
	depthOf := func(r *analysis.ImpactResult) int {
		for _, a := range r.Affected {
			if a.Key == end {
				return a.Depth
			}
		}
		return -1
	}
	r := impact(t, c, analysis.ImpactQuery{Refs: []string{demo.ImpactChainEnd}, MaxDepth: len(demo.ImpactChain)})
	if d := depthOf(r); d != len(demo.ImpactChain) {
		t.Errorf("%s at depth %d from %s, want %d", end, d, demo.ImpactChainEnd, len(demo.ImpactChain))
	}
	r = impact(t, c, analysis.ImpactQuery{Refs: []string{demo.ImpactChainEnd}, MaxDepth: len(demo.ImpactChain) - 1})
	if d := depthOf(r); d != -1 {
		t.Errorf("%s reached at depth %d with maxDepth %d", end, d, len(demo.ImpactChain)-1)
	}
	r = impact(t, c, analysis.ImpactQuery{Refs: []string{demo.SharedApp}, MaxDepth: 2, Limit: 5})
	if !r.Truncated || len(r.Affected) != 5 {
		t.Errorf("limit 5: %d affected, truncated %v", len(r.Affected), r.Truncated)
	}
}

func testImpactUpstream(t *testing.T, c *Counting) {
	r := impact(t, c, analysis.ImpactQuery{Refs: []string{"storefront"}, Direction: analysis.Upstream, MaxDepth: 1})
	got := affected(r)
	for _, want := range []string{
		"1 Application:checkout-api", "1 Application:checkout-ui-kit", "1 Application:auth-service",
		"1 Repository:" + demo.MonorepoKey, "1 Repository:github.com/acme/storefront-assets",
		"1 CloudResource:arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/storefront-alb/ca1c4a8ade2c6355",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("upstream of storefront lacks %q: %v", want, got)
		}
	}
	for _, a := range r.Affected {
		if a.Kind == graph.KindService || a.Kind == graph.KindBusinessUnit {
			t.Errorf("upstream of an application reached %s", a.Ref())
		}
	}
}

func testImpactInvalid(t *testing.T, c *Counting) {
	for _, q := range []analysis.ImpactQuery{
		{Refs: []string{"storefront"}, MaxDepth: 11},
		{Refs: []string{"storefront"}, MaxDepth: -1},
		{Refs: []string{"storefront"}, Direction: "sideways"},
		{Refs: nil},
		{Refs: []string{"payments"}}, // ambiguous
	} {
		if _, err := analysis.Impact(t.Context(), c, q); !errors.Is(err, graph.ErrInvalid) {
			t.Errorf("Impact(%+v): %v, want INVALID_INPUT", q, err)
		}
	}
	if _, err := analysis.Impact(t.Context(), c, analysis.ImpactQuery{Refs: []string{"storefront", "no-such-thing-anywhere"}}); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("unknown ref: %v, want NOT_FOUND", err)
	}
	// A team exists but does not change: the error says what it is, not
	// that it names nothing.
	for _, ref := range []string{"Team:platform-sre", "team:platform-sre"} {
		_, err := analysis.Impact(t.Context(), c, analysis.ImpactQuery{Refs: []string{ref}})
		if !errors.Is(err, graph.ErrInvalid) || !strings.Contains(err.Error(), "names Team:platform-sre") || !strings.Contains(err.Error(), "Service") {
			t.Errorf("Impact(%s): %v, want INVALID_INPUT saying it is a Team and which kinds impact takes", ref, err)
		}
	}
	// Every step of Resolve names what a ref is when another kind is
	// asked for: a repository URL, a host name, an exact name.
	for ref, is := range map[string]string{
		"git@github.com:acme/payments-api.git":            "Repository:github.com/acme/payments-api",
		"https://" + demo.PaymentsHostname + "/v2/charge": "Application:payments-api",
		demo.PaymentsHostname + ":443":                    "Application:payments-api",
		"Payments API":                                    "Application:payments-api",
	} {
		_, err := analysis.Resolve(t.Context(), c, ref, []graph.Kind{graph.KindTeam})
		if !errors.Is(err, graph.ErrInvalid) || !strings.Contains(err.Error(), "names "+is) {
			t.Errorf("Resolve(%q, Team): %v, want INVALID_INPUT naming %s", ref, err, is)
		}
	}
	// A search's partial matches name nothing.
	if _, err := analysis.Resolve(t.Context(), c, "Payments AP", []graph.Kind{graph.KindTeam}); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("Resolve(partial name, Team): %v, want NOT_FOUND", err)
	}
}

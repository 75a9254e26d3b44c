package analysistest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/graphtest"
	"github.com/estate-cmdb/estate/ingest/demo"
)

// Run checks every answer on the demo estate in stores made by h. The
// read-only checks share one store; the staleness check, which writes,
// asks h for another one last.
func Run(t *testing.T, h graphtest.Harness) {
	s := h(t)
	LoadDemo(t, s)
	c := &Counting{Store: s}
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *Counting)
	}{
		{"WhoOwns/MultiOwner", testMultiOwner},
		{"WhoOwns/Conflict", testConflict},
		{"WhoOwns/Inherited", testInherited},
		{"WhoOwns/Departed", testDeparted},
		{"WhoOwns/Resolution", testResolution},
		{"Unowned", testUnowned},
		{"Impact/Repository", testImpactRepository},
		{"Impact/Monorepo", testImpactMonorepo},
		{"Impact/Depth", testImpactDepth},
		{"Impact/Upstream", testImpactUpstream},
		{"Impact/Invalid", testImpactInvalid},
		{"ShadowEstate", testShadow},
		{"ShadowSummary", testShadowSummary},
		{"Health", testHealth},
	} {
		c.Calls()
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, c) })
	}
	t.Run("Health/Staleness", func(t *testing.T) { testStaleness(t, h) })
	t.Run("Impact/TeamInTwoRoles", func(t *testing.T) { testImpactTwoRoles(t, h) })
	t.Run("WhoOwns/Incident", func(t *testing.T) { testWhoOwnsIncident(t, h) })
	t.Run("Resolve/Links", func(t *testing.T) { testLinks(t, h) })
	t.Run("Resolve/CloudRefs", func(t *testing.T) { testCloudRefs(t, h) })
	t.Run("Duplicates", func(t *testing.T) { testDuplicates(t, h) })
}

// resolvesTo checks that ref resolves to want: "Kind:key by resolution".
func resolvesTo(t *testing.T, s graph.Store, ref, want string) {
	t.Helper()
	r, err := analysis.Resolve(t.Context(), s, ref, nil)
	if err != nil || r.Subject == nil {
		t.Errorf("Resolve(%q) = %+v, %v; want %s", ref, r, err, want)
		return
	}
	same(t, ref, r.Subject.Ref().String()+" by "+r.By, want)
}

// Azure and Google Cloud references (the demo estate is on AWS): a child,
// a portal page, a node pool, an object.
func testCloudRefs(t *testing.T, h graphtest.Harness) {
	s := h(t)
	const site, cluster, bucket = "/subscriptions/0000/resourceGroups/web/providers/Microsoft.Web/sites/shop",
		"//container.googleapis.com/projects/acme/locations/europe-west1/clusters/prod", "//storage.googleapis.com/acme-ml-models"
	var nodes []graph.NodeInput
	for _, k := range []string{site, cluster, bucket} {
		nodes = append(nodes, graph.NodeInput{Kind: graph.KindCloudResource, Key: k})
	}
	graphtest.MustApply(t, s, graph.Batch{Source: "src", Run: "r1", At: DemoAt, Nodes: nodes})
	for ref, want := range map[string]string{
		// Azure's ids are case-insensitive.
		"/subscriptions/0000/resourcegroups/WEB/providers/microsoft.web/sites/shop/slots/staging": "CloudResource:" + site + " by " + analysis.ByCloudPart,
		"https://portal.azure.com/#@acme.onmicrosoft.com/resource" + site + "/overview":           "CloudResource:" + site + " by " + analysis.ByCloudURL,
		cluster + "/nodePools/default":     "CloudResource:" + cluster + " by " + analysis.ByCloudPart,
		"gs://acme-ml-models/v3/model.bin": "CloudResource:" + bucket + " by " + analysis.ByCloudPart,
	} {
		resolvesTo(t, s, ref, want)
	}
	// Asked for another kind, the error names the resource.
	slot := site + "/slots/staging"
	if _, err := analysis.Resolve(t.Context(), s, slot, []graph.Kind{graph.KindApplication}); !errors.Is(err, graph.ErrInvalid) || !strings.Contains(err.Error(), "CloudResource:"+site) {
		t.Errorf("Resolve(%q, Application): %v; want INVALID_INPUT naming the site", slot, err)
	}
}

// Links into repositories as GitHub, GitLab (nested groups), Bitbucket and
// Gitea make them, into monorepos built from nested and shared
// directories.
func testLinks(t *testing.T, h graphtest.Harness) {
	s := h(t)
	repo := func(key string) graph.NodeInput { return graph.NodeInput{Kind: graph.KindRepository, Key: key} }
	var nodes []graph.NodeInput
	var edges []graph.EdgeInput
	builds := func(repo, app, dir string) {
		nodes = append(nodes, graph.NodeInput{Kind: graph.KindApplication, Key: app})
		e := graph.EdgeInput{Type: graph.RelBuilds, From: graph.Ref{Kind: graph.KindRepository, Key: repo}, To: graph.Ref{Kind: graph.KindApplication, Key: app}}
		if dir != "" {
			e.Props = map[string]any{"path": dir}
		}
		edges = append(edges, e)
	}
	const ledger, mono = "gitlab.example.com/platform/payments/ledger", "github.com/acme/mono"
	nodes = append(nodes, repo(ledger), repo("git.example.com/ops/deploy"), repo("bitbucket.org/acme/mobile"),
		repo("github.com/acme/tree"), repo(mono))
	builds(ledger, "ledger-api", "api")
	builds(ledger, "ledger-worker", "/worker/")
	builds("git.example.com/ops/deploy", "deployer", "cmd/deployer")
	builds(mono, "cart-worker", "services/cart/worker") // before the shallower one by key
	builds(mono, "storefront-cart", "services/cart")
	builds(mono, "shared-a", "libs/shared")
	builds(mono, "shared-b", "libs/shared")
	builds(mono, "docs-site", "docs/user guide")
	builds(mono, "whole", ".")
	graphtest.MustApply(t, s, graph.Batch{Source: "src", Run: "r1", At: DemoAt, Nodes: nodes, Edges: edges})

	app := func(key string) string { return "Application:" + key + " by " + analysis.ByPath }
	repoLink := func(key string) string { return "Repository:" + key + " by " + analysis.ByLink }
	for ref, want := range map[string]string{
		"https://gitlab.example.com/platform/payments/ledger/-/blob/main/api/handler.go": app("ledger-api"),
		"https://gitlab.example.com/platform/payments/ledger/-/merge_requests/7":         repoLink(ledger),
		"https://gitlab.example.com/platform/payments/ledger/-/tree/release/2.0/worker":  app("ledger-worker"),
		"https://git.example.com/ops/deploy/src/branch/main/cmd/deployer/main.go":        app("deployer"),
		"https://bitbucket.org/acme/mobile/src/4f2c1d0/README.md":                        repoLink("bitbucket.org/acme/mobile"),
		"https://bitbucket.org/acme/mobile/pull-requests/3":                              repoLink("bitbucket.org/acme/mobile"),
		"https://github.com/acme/tree/blob/main/x.go":                                    repoLink("github.com/acme/tree"),
		"https://github.com/acme/mono/blob/main/services/cart/worker/main.go":            app("cart-worker"),
		"https://github.com/acme/mono/blob/main/services/cart/api.go":                    app("storefront-cart"),
		"https://github.com/acme/mono/blob/main/libs/shared/x.go":                        repoLink(mono),
		"https://github.com/acme/mono/blob/main/docs/user%20guide/index.md":              app("docs-site"),
		"https://github.com/acme/mono/blob/main/go.mod":                                  repoLink(mono),
		"https://github.com/acme/mono/issues/5#issuecomment-1":                           repoLink(mono),
	} {
		resolvesTo(t, s, ref, want)
	}
	// A group is not a repository.
	if r, err := analysis.Resolve(t.Context(), s, "https://gitlab.example.com/platform/payments/-/tree/main", nil); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("link into a group: %+v, %v; want NOT_FOUND", r, err)
	}
	// Kinds apply: asked for repositories, a path names the repository;
	// asked for services, the error names what the link is.
	link := "https://gitlab.example.com/platform/payments/ledger/-/blob/main/api/handler.go"
	r, err := analysis.Resolve(t.Context(), s, link, []graph.Kind{graph.KindRepository})
	if err != nil || r.Subject == nil || r.Subject.Key != ledger {
		t.Errorf("Resolve(%q, Repository) = %+v, %v; want %s", link, r, err, ledger)
	}
	_, err = analysis.Resolve(t.Context(), s, link, []graph.Kind{graph.KindService})
	if !errors.Is(err, graph.ErrInvalid) || !strings.Contains(err.Error(), "Application:ledger-api") {
		t.Errorf("Resolve(%q, Service): %v; want INVALID_INPUT naming Application:ledger-api", link, err)
	}
}

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

// Nobody owns an incident or a change: whoever owns what it affects is
// who to call — the application's own owner, else its service's.
func testWhoOwnsIncident(t *testing.T, h graphtest.Harness) {
	s := h(t)
	ref := func(k graph.Kind, key string) graph.Ref { return graph.Ref{Kind: k, Key: key} }
	ledger, cards := ref(graph.KindApplication, "ledger"), ref(graph.KindApplication, "cards")
	svc, team, sre := ref(graph.KindService, "accounting"), ref(graph.KindTeam, "finance-eng"), ref(graph.KindTeam, "sre")
	inc, chg := ref(graph.KindIncident, "INC-7"), ref(graph.KindChange, "github.com/acme/ledger@1/production")
	graphtest.MustApply(t, s, graph.Batch{Source: "src", Run: "r1", At: DemoAt,
		Nodes: []graph.NodeInput{{Kind: ledger.Kind, Key: ledger.Key}, {Kind: cards.Kind, Key: cards.Key}, {Kind: svc.Kind, Key: svc.Key},
			{Kind: team.Kind, Key: team.Key}, {Kind: sre.Kind, Key: sre.Key}, {Kind: inc.Kind, Key: inc.Key}, {Kind: chg.Kind, Key: chg.Key}},
		Edges: []graph.EdgeInput{
			{Type: graph.RelPartOf, From: ledger, To: svc}, {Type: graph.RelPartOf, From: cards, To: svc},
			{Type: graph.RelOwns, From: team, To: svc, Props: map[string]any{"role": graph.OwnerTechnical}},
			{Type: graph.RelOwns, From: sre, To: cards, Props: map[string]any{"role": graph.OwnerSupport}},
			{Type: graph.RelAffects, From: inc, To: ledger}, {Type: graph.RelAffects, From: inc, To: cards},
			{Type: graph.RelAffects, From: chg, To: ledger},
		}})
	for _, tc := range []struct {
		ref  graph.Ref
		want []string
	}{
		{inc, []string{"technical Team:finance-eng inherited accountable from Service:accounting", "support Team:sre inherited accountable from Application:cards"}},
		{chg, []string{"technical Team:finance-eng inherited accountable from Service:accounting"}},
	} {
		o, err := analysis.WhoOwns(t.Context(), s, tc.ref.String())
		if err != nil {
			t.Fatal(err)
		}
		same(t, "owners of "+tc.ref.String(), owners(o), tc.want)
	}
}

func owners(o *analysis.Ownership) []string {
	var out []string
	for _, w := range o.Owners {
		s := fmt.Sprintf("%s %s %s", w.Role, w.Ref(), w.Class)
		if w.Accountable {
			s += " accountable"
		}
		if w.InheritedFrom != nil {
			s += " from " + w.InheritedFrom.Ref().String()
		}
		if w.Departed {
			s += " departed"
		}
		out = append(out, s)
	}
	return out
}

func chains(o *analysis.Ownership) []string {
	var out []string
	for _, c := range o.Escalation {
		var steps []string
		for _, s := range c.Steps {
			steps = append(steps, s.Ref().String())
		}
		out = append(out, strings.Join(steps, " > "))
	}
	return out
}

func keysOf[T interface{ Ref() graph.Ref }](xs []T) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, x.Ref().String())
	}
	return out
}

func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %#v\nwant %#v", what, got, want)
	}
}

// atMost fails the test when the answer made more store calls than the
// documented bound.
func atMost(t *testing.T, c *Counting, what string, n int) {
	t.Helper()
	if got := c.Calls(); got > n {
		t.Errorf("%s made %d store calls, want at most %d", what, got, n)
	}
}

func whoOwns(t *testing.T, c *Counting, ref string) *analysis.Ownership {
	t.Helper()
	o, err := analysis.WhoOwns(t.Context(), c, ref)
	if err != nil {
		t.Fatalf("WhoOwns(%q): %v", ref, err)
	}
	if o.Subject == nil {
		t.Fatalf("WhoOwns(%q): no subject; candidates %v", ref, keysOf(o.Candidates))
	}
	return o
}

func testMultiOwner(t *testing.T, c *Counting) {
	o := whoOwns(t, c, demo.MultiOwnerApp)
	atMost(t, c, "WhoOwns by key", 1+6)
	same(t, "owners", owners(o), []string{
		"technical Team:payments-core descriptor accountable",
		"business Person:priya.shah@acme.example descriptor accountable",
		"support Team:platform-sre descriptor accountable",
	})
	ev := map[string]string{}
	for _, w := range o.Owners {
		if len(w.Evidence) != 1 || w.Evidence[0].Source != demo.SourceName || w.Evidence[0].Confidence != graph.Declared {
			t.Errorf("%s: evidence %+v, want one DECLARED assertion from %s", w.Key, w.Evidence, demo.SourceName)
			continue
		}
		ev[w.Key] = w.Evidence[0].Evidence
	}
	same(t, "evidence", ev, map[string]string{
		"payments-core":           "acme/payments-api/catalog-info.yaml:12 spec.owner: group:payments-core",
		"priya.shah@acme.example": "acme/payments-api/catalog-info.yaml:9 metadata.annotations acme.example/business-owner: user:pshah",
		"platform-sre":            "acme/payments-api/catalog-info.yaml:10 metadata.annotations pagerduty.com/escalation-policy: platform-sre-24x7",
	})
	if len(o.Conflicts) != 0 {
		t.Errorf("conflicts %+v, want none", o.Conflicts)
	}
	same(t, "escalation", chains(o), []string{"Team:payments-core > Team:payments > BusinessUnit:payments > BusinessUnit:retail-banking"})
	same(t, "people", keysOf(o.People), []string{
		"Person:emma.clarke@acme.example", "Person:kenji.sato@acme.example",
		"Person:marco.rossi@acme.example", "Person:olivia.brown@acme.example",
	})
	// Contact details come with them.
	for _, w := range o.Owners {
		switch w.Key {
		case "payments-core":
			if w.Email != "payments-core@acme.example" || w.Channel != "slack:#payments-core" {
				t.Errorf("payments-core contact: %q %q", w.Email, w.Channel)
			}
		case "priya.shah@acme.example":
			if w.Email != "priya.shah@acme.example" || !slices.Equal(w.Handles, []string{"github.com/pshah"}) || w.Departed {
				t.Errorf("Priya's contact: %+v", w.Contact)
			}
		}
	}
}

func testConflict(t *testing.T, c *Counting) {
	o := whoOwns(t, c, demo.ConflictApp)
	same(t, "owners", owners(o), []string{
		"technical Team:checkout descriptor accountable",
		"technical Team:storefront commit-heuristic",
		"business Person:laura.martin@acme.example inherited accountable from Service:checkout",
	})
	if len(o.Conflicts) != 1 {
		t.Fatalf("conflicts %+v, want one", o.Conflicts)
	}
	cf := o.Conflicts[0]
	same(t, "conflict", [4]any{cf.Role, cf.Owners, cf.Resolved, cf.Winner},
		[4]any{graph.OwnerTechnical, []string{"Team:checkout", "Team:storefront"}, true, "Team:checkout"})
	same(t, "escalation", chains(o), []string{"Team:checkout > Team:commerce > BusinessUnit:digital-commerce"})

	// Two CODEOWNERS teams of the monorepo, found by its ssh clone URL:
	// an unresolved conflict, one escalation chain each.
	for _, u := range []string{"ssh://git@GitHub.com/acme/checkout-monorepo", "https://github.com/acme/checkout-monorepo/"} {
		o = whoOwns(t, c, u)
		if o.Subject.Key != demo.MonorepoKey || o.Resolution != analysis.ByRepo {
			t.Errorf("%s resolved to %s by %s", u, o.Subject.Key, o.Resolution)
		}
	}
	if len(o.Conflicts) != 1 || o.Conflicts[0].Resolved {
		t.Errorf("monorepo conflicts %+v, want one unresolved", o.Conflicts)
	}
	same(t, "monorepo escalation", chains(o), []string{
		"Team:checkout > Team:commerce > BusinessUnit:digital-commerce",
		"Team:storefront > Team:commerce > BusinessUnit:digital-commerce",
	})
}

func testInherited(t *testing.T, c *Counting) {
	o := whoOwns(t, c, "arn:aws:rds:eu-west-1:111122223333:db:payments-db")
	atMost(t, c, "WhoOwns of a resource", 1+6)
	same(t, "owners", owners(o), []string{
		"technical Team:payments-core cloud-tag accountable",
		"business Person:priya.shah@acme.example inherited accountable from Application:payments-api",
		"support Team:platform-sre inherited accountable from Application:payments-api",
	})
	for _, w := range o.Owners {
		if w.InheritedFrom != nil {
			same(t, "path to "+w.Key, w.Via, []analysis.PathStep{{Type: graph.RelDependsOn,
				From: graph.Ref{Kind: graph.KindApplication, Key: "payments-api"},
				To:   graph.Ref{Kind: graph.KindCloudResource, Key: "arn:aws:rds:eu-west-1:111122223333:db:payments-db"}}})
		}
	}
	// A service without an owner inherits from its business unit.
	o = whoOwns(t, c, "Service:"+demo.UnownedService)
	same(t, "owners of "+demo.UnownedService, owners(o), []string{
		"technical Team:banking inherited accountable from BusinessUnit:retail-banking",
		"business Person:grace.lee@acme.example inherited accountable from BusinessUnit:retail-banking",
	})
}

func testDeparted(t *testing.T, c *Counting) {
	o := whoOwns(t, c, demo.OrphanApp)
	same(t, "owners", owners(o), []string{"technical Person:" + demo.DepartedOwner + " descriptor accountable departed"})
	if len(o.Escalation) != 0 {
		t.Errorf("escalation %v, want none (no team)", chains(o))
	}
}

func testResolution(t *testing.T, c *Counting) {
	for ref, by := range map[string]string{
		demo.PaymentsHostname:                analysis.ByKey,
		"https://pay.acme.example/v2/charge": analysis.ByHost,
		"pay.acme.example:443":               analysis.ByHost,
		"Payments API":                       analysis.BySearch,
		"PAYMENTS-API":                       analysis.ByKey,
		"Application:payments-api":           analysis.ByKey,
	} {
		o, err := analysis.WhoOwns(t.Context(), c, ref)
		if err != nil || o.Subject == nil || o.Subject.Key != demo.MultiOwnerApp || o.Resolution != by {
			t.Errorf("WhoOwns(%q) = %+v, %v; want %s by %s", ref, o, err, demo.MultiOwnerApp, by)
		}
		atMost(t, c, "WhoOwns("+ref+")", 4+6)
	}
	// Three things are called payments: candidates, not a guess.
	o, err := analysis.WhoOwns(t.Context(), c, "payments")
	if err != nil {
		t.Fatal(err)
	}
	if !o.Ambiguous() || len(o.Owners) != 0 {
		t.Errorf("payments: subject %v, %d owners; want ambiguous", o.Subject, len(o.Owners))
	}
	same(t, "candidates", keysOf(o.Candidates), []string{"BusinessUnit:payments", "Service:payments", "Team:payments"})
	o = whoOwns(t, c, "service:payments")
	if o.Subject.Kind != graph.KindService || len(o.Accountable(graph.OwnerTechnical)) != 1 || o.Accountable(graph.OwnerTechnical)[0].Key != "payments-core" {
		t.Errorf("service:payments: %s, technical %v", o.Subject, o.Accountable(graph.OwnerTechnical))
	}
	// Links into a repository and cloud references, as tickets carry them.
	const bucket, queue = "CloudResource:arn:aws:s3:::acme-statements", "CloudResource:arn:aws:sqs:eu-west-1:111122223333:checkout-orders"
	for ref, want := range map[string]string{
		"arn:aws:s3:::acme-statements/2024/05/statement-0042.pdf":                                                         bucket + " by " + analysis.ByCloudPart,
		"s3://acme-statements/2024/05/statement-0042.pdf":                                                                 bucket + " by " + analysis.ByCloudPart,
		"https://acme-statements.s3.eu-west-1.amazonaws.com/2024/05/x.pdf":                                                bucket + " by " + analysis.ByCloudPart,
		"https://sqs.eu-west-1.amazonaws.com/111122223333/checkout-orders":                                                queue + " by " + analysis.ByCloudURL,
		"arn:aws:lambda:eu-west-1:111122223333:function:payouts-api:PROD":                                                 "CloudResource:arn:aws:lambda:eu-west-1:111122223333:function:payouts-api by " + analysis.ByCloudPart,
		"arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/checkout-alb/5427e3af63dfcd87/f2f7dc8efc522ab2": "CloudResource:arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/checkout-alb/5427e3af63dfcd87 by " + analysis.ByCloudPart,
		"https://github.com/acme/checkout-monorepo/pull/42":                                                               "Repository:" + demo.MonorepoKey + " by " + analysis.ByLink,
		"https://github.com/acme/checkout-monorepo/blob/main/services/cart/x.go":                                          "Application:cart-service by " + analysis.ByPath,
		"https://github.com/acme/checkout-monorepo/tree/feature/login/services/cart":                                      "Application:cart-service by " + analysis.ByPath,
		"https://github.com/acme/checkout-monorepo/blob/main/services/README.md":                                          "Repository:" + demo.MonorepoKey + " by " + analysis.ByLink,
		// payments-api is built from its whole repository: the link names it.
		"https://github.com/acme/payments-api/blob/main/cmd/main.go": "Repository:github.com/acme/payments-api by " + analysis.ByLink,
	} {
		c.Calls()
		o := whoOwns(t, c, ref)
		same(t, ref, o.Subject.Ref().String()+" by "+o.Resolution, want)
		atMost(t, c, "WhoOwns("+ref+")", 7+6)
	}
	// Backstage entity refs and catalog pages, the default namespace
	// spelled out or not.
	for ref, want := range map[string]string{
		"component:default/payments-api": "Application:payments-api",
		"Component:Default/Payments-API": "Application:payments-api",
		"system:default/payments":        "Service:payments",
		"group:default/payments-core":    "Team:payments-core",
		"https://backstage.acme.example/catalog/default/component/payments-api/dependencies?x=1": "Application:payments-api",
	} {
		c.Calls()
		o := whoOwns(t, c, ref)
		same(t, ref, o.Subject.Ref().String()+" by "+o.Resolution, want+" by "+analysis.ByBackstage)
		atMost(t, c, "WhoOwns("+ref+")", 2+6)
	}
	if _, err := analysis.Resolve(t.Context(), c, "component:default/payments-api", []graph.Kind{graph.KindService}); !errors.Is(err, graph.ErrInvalid) ||
		!strings.Contains(err.Error(), "Application:payments-api") {
		t.Errorf("a component among services: %v, want INVALID_INPUT naming the application", err)
	}
	for _, ref := range []string{"component:default/no-such-component", "https://backstage.acme.example/catalog/default/component/no-such-component"} {
		if _, err := analysis.WhoOwns(t.Context(), c, ref); !errors.Is(err, graph.ErrNotFound) {
			t.Errorf("%s: %v, want NOT_FOUND", ref, err)
		}
	}
	_, err = analysis.WhoOwns(t.Context(), c, "https://github.com/acme/no-such-repository/pull/42")
	if !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("link into an unknown repository: %v, want NOT_FOUND", err)
	}
	_, err = analysis.WhoOwns(t.Context(), c, "no-such-thing-anywhere")
	if !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("unknown ref: %v, want NOT_FOUND", err)
	}
	if _, err = analysis.WhoOwns(t.Context(), c, "  "); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("empty ref: %v, want INVALID_INPUT", err)
	}
	// Long refs: a long link still resolves; what is too long for a
	// name is not found, not a complaint about search; past the cap,
	// INVALID_INPUT says so.
	o = whoOwns(t, c, "https://github.com/acme/checkout-monorepo/blob/main/services/cart/"+strings.Repeat("d/", 1000)+"x.go")
	same(t, "long link", o.Subject.Ref().String(), "Application:cart-service")
	if _, err = analysis.WhoOwns(t.Context(), c, strings.Repeat("x", 300)); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("300-byte ref: %v, want NOT_FOUND", err)
	}
	if _, err = analysis.WhoOwns(t.Context(), c, strings.Repeat("x", 9000)); !errors.Is(err, graph.ErrInvalid) || !strings.Contains(err.Error(), "over 8192 bytes") {
		t.Errorf("9000-byte ref: %v, want INVALID_INPUT saying it is over 8192 bytes", err)
	}
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

func testShadow(t *testing.T, c *Counting) {
	rep, err := analysis.ShadowEstate(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	atMost(t, c, "ShadowEstate", 2)
	byKind := map[string][]string{}
	values := map[string]map[string]bool{}
	for _, f := range rep.Findings {
		byKind[f.Kind] = append(byKind[f.Kind], f.Item.Key)
		if f.Value != "" {
			if values[f.Kind] == nil {
				values[f.Kind] = map[string]bool{}
			}
			values[f.Kind][f.Value] = true
		}
		if f.Explanation == "" {
			t.Errorf("%s %s has no explanation", f.Kind, f.Item.Key)
		}
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	same(t, "unregistered accounts", byKind[analysis.FindingUnregisteredAccount], []string{demo.ShadowAccount})
	same(t, "unowned resources", sorted(byKind[analysis.FindingUnownedResource]), sorted(demo.UnownedResources))
	same(t, "unmapped repositories", sorted(byKind[analysis.FindingUnmappedRepository]), sorted(demo.UnmappedRepositories))
	same(t, "orphan applications", byKind[analysis.FindingOrphanApplication], []string{demo.OrphanApp})
	same(t, "services without owner", byKind[analysis.FindingServiceNoOwner], []string{demo.UnownedService})
	same(t, "services without business unit", byKind[analysis.FindingServiceNoUnit], []string{demo.ServiceWithoutBU})
	same(t, "departed owners", byKind[analysis.FindingDepartedOwner], []string{demo.DepartedOwner})
	same(t, "unknown team tags", sortedKeysOf(values[analysis.FindingUnknownTagTeam]), sorted(demo.UnknownTeamTags))
	same(t, "unknown application tags", sortedKeysOf(values[analysis.FindingUnknownTagApp]), sorted(demo.UnknownAppTags))
	// By hand: 9 resources carry an unknown team tag (8 growth-hackers, 1
	// data-science), 4 an unknown app tag.
	same(t, "tag findings", []int{len(byKind[analysis.FindingUnknownTagTeam]), len(byKind[analysis.FindingUnknownTagApp])}, []int{9, 4})
	for _, f := range rep.Findings {
		switch f.Kind {
		case analysis.FindingUnregisteredAccount:
			if len(f.Related) != 11 {
				t.Errorf("shadow account lists %d resources, want 11", len(f.Related))
			}
		case analysis.FindingDepartedOwner:
			same(t, "departed owner owns", keysOf(f.Related), []string{"Application:" + demo.OrphanApp, "Repository:github.com/acme/fx-rates-poller"})
		case analysis.FindingUnmappedRepository:
			want := slices.Contains([]string{"github.com/acme/legacy-cobol-statements", "github.com/acme/old-website", "github.com/acme/status-page"}, f.Item.Key)
			if f.Archived != want {
				t.Errorf("%s archived %v, want %v", f.Item.Key, f.Archived, want)
			}
		}
	}
	// Per account: the shadow account has its own finding, 8 unowned
	// resources and 9 tag findings (7 team, 2 app) = 18; acme-prod 9
	// unowned and 4 tag findings (2 team, 2 app) = 13.
	same(t, "per account", rep.ByAccount, []analysis.Count{
		{Key: demo.ShadowAccount, Name: "marketing-experiments", Count: 18},
		{Key: demo.RegisteredAccount, Name: "acme-prod", Count: 13},
	})
	// Only the unowned service is attributed to a business unit.
	same(t, "per business unit", rep.ByBusinessUnit, []analysis.Count{
		{Key: "", Count: len(rep.Findings) - 1},
		{Key: "retail-banking", Name: "Retail Banking", Count: 1},
	})
}

func sortedKeysOf(m map[string]bool) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Demo totals, counted from its tables: 22 services, 60 repositories, 106
// cloud resources.
const (
	demoServices     = 22
	demoRepositories = 60
	demoResources    = 106
)

func testHealth(t *testing.T, c *Counting) {
	rep, err := analysis.Health(t.Context(), c, 30*24*time.Hour, DemoAt.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	atMost(t, c, "Health", 2)
	want := analysis.Completeness{
		ServicesOwned:      analysis.Ratio{Count: demoServices - 1, Total: demoServices, Percent: 95.5},
		RepositoriesMapped: analysis.Ratio{Count: demoRepositories - len(demo.UnmappedRepositories), Total: demoRepositories, Percent: 68.3},
		ResourcesOwned:     analysis.Ratio{Count: demoResources - len(demo.UnownedResources), Total: demoResources, Percent: 84},
	}
	same(t, "completeness", rep.Completeness, want)
	if rep.Staleness.Stale.Count != 0 || rep.Staleness.Stale.Total == 0 {
		t.Errorf("a day after ingest: %+v stale, want none", rep.Staleness.Stale)
	}
	var rb *analysis.UnitHealth
	for i := range rep.ByBusinessUnit {
		if rep.ByBusinessUnit[i].BusinessUnit.Key == "retail-banking" {
			rb = &rep.ByBusinessUnit[i]
		}
	}
	if rb == nil {
		t.Fatal("no retail-banking figures")
	}
	// Retail banking's own services (not the nested payments unit's): 5,
	// document-archive unowned.
	same(t, "retail-banking services owned", rb.Completeness.ServicesOwned, analysis.Ratio{Count: 4, Total: 5, Percent: 80})
	same(t, "units", len(rep.ByBusinessUnit), 4)
	if _, err := analysis.Health(t.Context(), c, 0, DemoAt); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("zero threshold: %v, want INVALID_INPUT", err)
	}
}

// testStaleness refreshes three services 40 days after the demo load and
// asks 45 days after it: everything else is stale.
func testStaleness(t *testing.T, h graphtest.Harness) {
	s := h(t)
	LoadDemo(t, s)
	later := DemoAt.Add(40 * 24 * time.Hour)
	fresh := []string{"payments", "checkout", "identity"}
	b := graph.Batch{Source: demo.SourceName, Run: "demo-2", At: later}
	for _, k := range fresh {
		b.Nodes = append(b.Nodes, graph.NodeInput{Kind: graph.KindService, Key: k})
	}
	graphtest.MustApply(t, s, b)
	rep, err := analysis.Health(t.Context(), s, 30*24*time.Hour, DemoAt.Add(45*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	total := rep.Staleness.Stale.Total
	same(t, "stale", rep.Staleness.Stale.Count, total-len(fresh))
	for _, k := range rep.Staleness.ByKind {
		if k.Kind == graph.KindService {
			same(t, "stale services", k.Ratio, analysis.Ratio{Count: demoServices - 3, Total: demoServices, Percent: 86.4})
		}
	}
	if len(rep.Staleness.Oldest) != 20 || !rep.Staleness.Oldest[0].LastSeen.Equal(DemoAt) {
		t.Errorf("oldest: %d items, first seen %v", len(rep.Staleness.Oldest), rep.Staleness.Oldest[0].LastSeen)
	}
	// Per unit: payments has 4 services of which one (payments) is fresh.
	for _, u := range rep.ByBusinessUnit {
		if u.BusinessUnit.Key == "payments" && u.Stale.Count != u.Stale.Total-1 {
			t.Errorf("payments unit: %+v stale, want all but one", u.Stale)
		}
	}
}

// testUnowned checks Unowned against WhoOwns for every entity of the kinds
// it answers for, in one batch, and that the demo's unowned resources are
// the shadow estate's.
func testUnowned(t *testing.T, c *Counting) {
	var nodes []*graph.Node
	if err := c.Store.ScanNodes(t.Context(), func(n *graph.Node) error {
		nodes = append(nodes, n)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c.Calls()
	ids, err := analysis.Unowned(t.Context(), c, nodes)
	if err != nil {
		t.Fatal(err)
	}
	atMost(t, c, "Unowned of the whole estate", 2+4)
	var got, want []string
	for _, n := range nodes {
		if slices.Contains(ids, n.ID) {
			got = append(got, n.Ref().String())
		}
		if !slices.Contains(analysis.OwnedKinds, n.Kind) {
			continue
		}
		if o := whoOwns(t, c, n.Ref().String()); len(o.Owners) == 0 {
			want = append(want, n.Ref().String())
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	same(t, "unowned (WhoOwns finds no owner)", got, want)
	rep, err := analysis.ShadowEstate(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	var shadow []string
	for _, f := range rep.Findings {
		if f.Kind == analysis.FindingUnownedResource {
			shadow = append(shadow, f.Item.Ref().String())
		}
	}
	var resources []string
	for _, r := range got {
		if strings.HasPrefix(r, string(graph.KindCloudResource)+":") {
			resources = append(resources, r)
		}
	}
	slices.Sort(shadow)
	same(t, "unowned resources (the shadow estate's)", resources, shadow)
	t.Logf("%d unowned of %d: %v", len(got), len(nodes), got)
}

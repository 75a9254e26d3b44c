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

// A list of refs, as a scanner's report gives them: each answered as
// WhoOwns answers it alone, in order, the ones naming nothing marked
// rather than failing the others, a repeated ref asked of the store once.
func testWhoOwnsEach(t *testing.T, c *Counting) {
	refs := []string{demo.PaymentsHostname, "no-such-thing-anywhere", "payments", "", "service:payments", demo.PaymentsHostname}
	var calls int
	for _, ref := range refs[:len(refs)-1] {
		if ref != "" {
			analysis.WhoOwns(t.Context(), c, ref)
		}
	}
	calls = c.Calls()
	got, err := analysis.WhoOwnsEach(t.Context(), c, refs)
	if err != nil {
		t.Fatal(err)
	}
	if n := c.Calls(); n != calls {
		t.Errorf("WhoOwnsEach made %d store calls; each distinct ref alone makes %d in all", n, calls)
	}
	if len(got) != len(refs) {
		t.Fatalf("%d lookups for %d refs", len(got), len(refs))
	}
	for i, l := range got {
		if l.Ref != refs[i] {
			t.Errorf("lookup %d is of %q, want %q (the order asked)", i, l.Ref, refs[i])
		}
		want, werr := analysis.WhoOwns(t.Context(), c, refs[i])
		if graph.CodeOf(l.Err) != graph.CodeOf(werr) {
			t.Errorf("%q: error %v, want %v (as WhoOwns alone)", refs[i], l.Err, werr)
			continue
		}
		if werr != nil {
			if l.Answer != nil {
				t.Errorf("%q: an answer beside its error", refs[i])
			}
			continue
		}
		same(t, refs[i]+" owners", owners(l.Answer), owners(want))
		same(t, refs[i]+" candidates", keysOf(l.Answer.Candidates), keysOf(want.Candidates))
	}
	for i, code := range map[int]graph.Code{1: graph.CodeNotFound, 3: graph.CodeInvalid} {
		if graph.CodeOf(got[i].Err) != code {
			t.Errorf("%q: error %v, want %s", refs[i], got[i].Err, code)
		}
	}
	if got[0].Answer == nil || got[0].Answer.Subject == nil || len(got[0].Answer.Owners) == 0 || !got[2].Answer.Ambiguous() {
		t.Errorf("the demo's payments host has no owners, or payments is not ambiguous: %+v", got)
	}

	c.Calls()
	_, err = analysis.WhoOwnsEach(t.Context(), c, make([]string, analysis.MaxOwnerLookups+1))
	if graph.CodeOf(err) != graph.CodeLimitExceeded || c.Calls() != 0 {
		t.Errorf("%d refs: %v; want LIMIT_EXCEEDED before any store call", analysis.MaxOwnerLookups+1, err)
	}
}

// What a team or person answers for is what whoOwns says, read the other
// way: for every owner in the demo estate, OwnedBy lists exactly the things
// whose WhoOwns names it, in the same role, class and accountability, and
// inherited from the same ancestor.
func testOwnedBy(t *testing.T, c *Counting) {
	ctx := t.Context()
	var things, people []*graph.Node
	err := c.ScanNodes(ctx, func(n *graph.Node) error {
		switch n.Kind {
		case graph.KindTeam, graph.KindPerson:
			people = append(people, n)
		case graph.KindIncident, graph.KindChange:
		default:
			things = append(things, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	line := func(item graph.Ref, role string, class analysis.Class, accountable bool, from *analysis.Item) string {
		s := fmt.Sprintf("%s %s %s", item, role, class)
		if accountable {
			s += " accountable"
		}
		if from != nil {
			s += " from " + from.Ref().String()
		}
		return s
	}
	want := map[graph.Ref][]string{}
	for _, n := range things {
		o, err := analysis.WhoOwns(ctx, c, n.Ref().String())
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range o.Owners {
			want[w.Ref()] = append(want[w.Ref()], line(n.Ref(), w.Role, w.Class, w.Accountable, w.InheritedFrom))
		}
	}
	inherited := 0
	for _, p := range people {
		got, err := analysis.OwnedBy(ctx, c, p.Ref().String())
		if err != nil {
			t.Fatal(err)
		}
		lines := []string{}
		for _, it := range got.Items {
			lines = append(lines, line(it.Ref(), it.Role, it.Class, it.Accountable, it.InheritedFrom))
			if it.InheritedFrom != nil {
				inherited++
			}
		}
		w := want[p.Ref()]
		slices.Sort(w)
		slices.Sort(lines)
		same(t, "owned by "+p.Ref().String(), lines, append([]string{}, w...))
		if got.Truncated || got.Subject == nil || got.Subject.Key != p.Key {
			t.Errorf("owned by %s: subject %v, truncated %v", p.Ref(), got.Subject, got.Truncated)
		}
	}
	if len(want) < 5 || inherited == 0 {
		t.Errorf("the demo's owners: %d own something, %d things inherited; the check proves little", len(want), inherited)
	}
	for ref, code := range map[string]graph.Code{"no-such-team-anywhere": graph.CodeNotFound, "Application:" + demo.MultiOwnerApp: graph.CodeInvalid} {
		if _, err := analysis.OwnedBy(ctx, c, ref); graph.CodeOf(err) != code {
			t.Errorf("OwnedBy(%q): %v, want %s", ref, err, code)
		}
	}
}

package server_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/analysis/analysistest"
	"github.com/estate-cmdb/estate/ingest/demo"
	"github.com/estate-cmdb/estate/server"
)

func demoEnv(t *testing.T, opts ...envOption) *env {
	return newEnv(t, append(opts, withEstate(func(t testing.TB, s graph.Store) { analysistest.LoadDemo(t, s) }))...)
}

const whoOwnsQuery = `query($ref: String!) {
  whoOwns(ref: $ref) {
    ref resolution
    subject { kind key name entity { __typename ... on Application { lifecycle } } }
    candidates { kind key }
    owners {
      kind key name email channel handles departed role class confidence accountable
      evidence { source confidence evidence class }
      inheritedFrom { kind key }
      via { type from { kind key } to { kind key } path }
      entity { __typename id }
    }
    conflicts { role owners resolved winner explanation }
    escalation { steps { kind key name email channel } }
    people { key email handles }
  }
}`

func TestWhoOwnsAPI(t *testing.T) {
	e := demoEnv(t)
	res := e.do(t, e.viewer, whoOwnsQuery, map[string]any{"ref": demo.PaymentsHostname})
	res.mustData(t, nil)
	golden(t, "whoowns_payments_api", res.Data)

	var d struct {
		WhoOwns struct {
			Subject    *struct{ Key string }
			Candidates []struct{ Kind, Key string }
			Owners     []struct {
				Key, Role, Class string
				Accountable      bool
			}
			Conflicts []struct {
				Role     string
				Owners   []string
				Resolved bool
				Winner   *string
			}
		}
	}
	res.mustData(t, &d)
	if d.WhoOwns.Subject == nil || d.WhoOwns.Subject.Key != demo.MultiOwnerApp || len(d.WhoOwns.Owners) != 3 {
		t.Fatalf("whoOwns(%s): %s", demo.PaymentsHostname, res.Data)
	}

	// The conflict, resolved by precedence.
	res = e.do(t, e.viewer, whoOwnsQuery, map[string]any{"ref": demo.ConflictApp})
	res.mustData(t, &d)
	c := d.WhoOwns.Conflicts
	if len(c) != 1 || c[0].Role != "TECHNICAL" || !c[0].Resolved || c[0].Winner == nil || *c[0].Winner != "Team:checkout" ||
		!slices.Equal(c[0].Owners, []string{"Team:checkout", "Team:storefront"}) {
		t.Errorf("conflicts of %s: %+v", demo.ConflictApp, c)
	}
	classes := map[string]string{}
	for _, o := range d.WhoOwns.Owners {
		classes[o.Key] = o.Class
	}
	if classes["checkout"] != "DESCRIPTOR" || classes["storefront"] != "COMMIT_HEURISTIC" {
		t.Errorf("classes: %v", classes)
	}

	// Ambiguous: candidates, no subject, no error.
	res = e.do(t, e.viewer, whoOwnsQuery, map[string]any{"ref": "payments"})
	res.mustData(t, &d)
	if d.WhoOwns.Subject != nil || len(d.WhoOwns.Candidates) != 3 || len(d.WhoOwns.Owners) != 0 {
		t.Errorf("whoOwns(payments): %s", res.Data)
	}

	// Nothing: NOT_FOUND.
	res = e.do(t, e.viewer, whoOwnsQuery, map[string]any{"ref": "no-such-thing-anywhere"})
	if !slices.Equal(res.codes(), []string{string(graph.CodeNotFound)}) {
		t.Errorf("unknown ref: codes %v: %s", res.codes(), res.Raw)
	}
}

// lookup is what the search box asks first: a link from a ticket, a
// hostname, an ambiguous name, nothing, a kind that does not fit.
func TestLookupAPI(t *testing.T) {
	e := demoEnv(t)
	const q = `query($ref: String!, $kinds: [Kind!]) {
  lookup(ref: $ref, kinds: $kinds) { ref resolution subject { kind key entity { id } } candidates { kind key } }
}`
	type item struct {
		Kind, Key string
		Entity    *struct{ ID string }
	}
	var d struct {
		Lookup *struct {
			Ref, Resolution string
			Subject         *item
			Candidates      []item
		}
	}
	for _, tc := range []struct {
		ref, subject, by string
		candidates       int
	}{
		{"https://github.com/acme/checkout-monorepo/blob/main/services/cart/main.go", "Application:cart-service", "application directory in a repository", 0},
		{"https://github.com/acme/checkout-monorepo/pull/42", "Repository:" + demo.MonorepoKey, "link into a repository", 0},
		{"https://pay.acme.example/v2/charge", "Application:" + demo.MultiOwnerApp, "URL host name", 0},
		{"payments", "", "key or alias", 3},
	} {
		res := e.do(t, e.viewer, q, map[string]any{"ref": tc.ref})
		res.mustData(t, &d)
		l := d.Lookup
		switch {
		case l == nil || l.Ref != tc.ref || l.Resolution != tc.by || len(l.Candidates) != tc.candidates:
			t.Errorf("lookup(%q): %s", tc.ref, res.Data)
		case tc.subject == "" && l.Subject != nil,
			tc.subject != "" && (l.Subject == nil || l.Subject.Kind+":"+l.Subject.Key != tc.subject || l.Subject.Entity == nil):
			t.Errorf("lookup(%q): subject %s, want %q", tc.ref, res.Data, tc.subject)
		}
	}
	// Nothing: null, no error (the search box asks as the agent types).
	res := e.do(t, e.viewer, q, map[string]any{"ref": "no-such-thing-anywhere"})
	res.mustData(t, &d)
	if d.Lookup != nil {
		t.Errorf("lookup of nothing: %s", res.Data)
	}
	// Another kind than asked for: INVALID_INPUT naming it.
	res = e.do(t, e.viewer, q, map[string]any{"ref": "https://github.com/acme/checkout-monorepo/pull/42", "kinds": []string{"Service"}})
	if !slices.Equal(res.codes(), []string{string(graph.CodeInvalid)}) || !strings.Contains(string(res.Raw), "Repository:"+demo.MonorepoKey) {
		t.Errorf("lookup of a repository among services: codes %v: %s", res.codes(), res.Raw)
	}
}

const impactQuery = `query($refs: [String!]!, $depth: Int, $paths: [String!], $dir: ImpactDirection) {
  impact(refs: $refs, maxDepth: $depth, changedPaths: $paths, direction: $dir) {
    starts { key }
    direction maxDepth truncated highestTier
    affected { kind key depth path { type from { key } to { key } path } entity { __typename key } }
    ignored { key }
    services { service { key entity { ... on Service { lifecycle } } } tier businessUnit { key } applications { key } }
    businessUnits { businessUnit { key } highestTier services { key } }
    notify { key channel for entity { ... on Team { description } } }
  }
}`

type impactData struct {
	Impact struct {
		Direction   string
		MaxDepth    int
		HighestTier int
		Truncated   bool
		Affected    []struct {
			Kind, Key string
			Depth     int
			Entity    *struct {
				Typename string `json:"__typename"`
				Key      string
			}
		}
		Ignored  []struct{ Key string }
		Services []struct {
			Service struct {
				Key    string
				Entity *struct{ Lifecycle string }
			}
			Tier         int
			BusinessUnit *struct{ Key string }
		}
		BusinessUnits []struct{ BusinessUnit struct{ Key string } }
		Notify        []struct {
			Key    string
			Entity *struct{ Description string }
		}
	}
}

// checkImpactEntities checks that every affected item, service and team
// of an impact answer shows its whole entity (Impact reads them light; the
// resolvers load them), down to fields the answer itself does not read.
func checkImpactEntities(t *testing.T, d impactData) {
	t.Helper()
	for _, a := range d.Impact.Affected {
		if a.Entity == nil || a.Entity.Typename != a.Kind || a.Entity.Key != a.Key {
			t.Errorf("affected %s:%s: entity %+v", a.Kind, a.Key, a.Entity)
		}
	}
	for _, s := range d.Impact.Services {
		if s.Service.Entity == nil || s.Service.Entity.Lifecycle == "" {
			t.Errorf("service %s: entity %+v, want its lifecycle", s.Service.Key, s.Service.Entity)
		}
	}
	for _, n := range d.Impact.Notify {
		if n.Entity == nil || n.Entity.Description == "" {
			t.Errorf("team %s: entity %+v, want its description", n.Key, n.Entity)
		}
	}
}

func TestImpactAPI(t *testing.T) {
	e := demoEnv(t)
	res := e.do(t, e.viewer, impactQuery, map[string]any{"refs": []string{"git@github.com:acme/payments-api.git"}})
	var d impactData
	res.mustData(t, &d)
	var apps, units, teams []string
	for _, a := range d.Impact.Affected {
		if a.Kind == "Application" {
			apps = append(apps, a.Key)
		}
	}
	for _, u := range d.Impact.BusinessUnits {
		units = append(units, u.BusinessUnit.Key)
	}
	for _, n := range d.Impact.Notify {
		teams = append(teams, n.Key)
	}
	wantApps := []string{"payments-api", "checkout-api", "online-banking-bff", "order-service",
		"loyalty-api", "online-banking-web", "order-export", "storefront"}
	if !slices.Equal(apps, wantApps) || !slices.Equal(units, []string{"digital-commerce", "payments", "retail-banking"}) ||
		!slices.Equal(teams, []string{"checkout", "daily-banking", "marketing-web", "payments-core", "platform-sre", "storefront"}) ||
		d.Impact.HighestTier != 1 || d.Impact.Direction != "DOWNSTREAM" || d.Impact.MaxDepth != 4 {
		t.Errorf("impact of the payments-api repository:\napps %v\nunits %v\nteams %v\n%s", apps, units, teams, res.Data)
	}
	checkImpactEntities(t, d)

	// A monorepo change in one directory.
	res = e.do(t, e.viewer, impactQuery, map[string]any{"refs": []string{demo.MonorepoKey}, "paths": []string{"services/pricing/index.ts"}, "depth": 2})
	res.mustData(t, &d)
	var got []string
	for _, a := range d.Impact.Affected {
		got = append(got, a.Key)
	}
	if !slices.Equal(got, []string{"pricing-service", "checkout", "checkout-api"}) || len(d.Impact.Ignored) != 3 {
		t.Errorf("monorepo impact: %v, ignored %v", got, d.Impact.Ignored)
	}
	checkImpactEntities(t, d)

	for _, tc := range []struct {
		vars map[string]any
		code graph.Code
	}{
		{map[string]any{"refs": []string{"storefront"}, "depth": 11}, graph.CodeInvalid},
		{map[string]any{"refs": []string{"storefront"}, "depth": 0}, graph.CodeInvalid},
		{map[string]any{"refs": []string{"payments"}}, graph.CodeInvalid},
		{map[string]any{"refs": []string{"storefront", "no-such-thing-anywhere"}}, graph.CodeNotFound},
	} {
		res := e.do(t, e.viewer, impactQuery, tc.vars)
		if !slices.Equal(res.codes(), []string{string(tc.code)}) {
			t.Errorf("impact %v: codes %v, want %s: %s", tc.vars, res.codes(), tc.code, res.Raw)
		}
	}
}

func TestShadowEstateAndHealthAPI(t *testing.T) {
	e := demoEnv(t)
	res := e.do(t, e.viewer, `{
  shadowEstate {
    findings { kind item { kind key } explanation account tag value archived related { key } }
    byKind { key count }
    byAccount { key name count }
    byBusinessUnit { key count }
  }
}`, nil)
	var d struct {
		ShadowEstate struct {
			Findings []struct {
				Kind string
				Item struct{ Key string }
			}
			ByKind []struct {
				Key   string
				Count int
			}
			ByAccount []struct {
				Key   string
				Name  *string
				Count int
			}
		}
	}
	res.mustData(t, &d)
	counts := map[string]int{}
	for _, c := range d.ShadowEstate.ByKind {
		counts[c.Key] = c.Count
	}
	want := map[string]int{
		"unregistered-account": 1, "unowned-resource": len(demo.UnownedResources), "unknown-team-tag": 9,
		"unknown-application-tag": 4, "unknown-service-tag": 0, "unmapped-repository": len(demo.UnmappedRepositories),
		"application-without-service": 1, "service-without-owner": 1, "service-without-business-unit": 1, "departed-owner": 1,
	}
	if b1, b2 := jsonString(counts), jsonString(want); b1 != b2 {
		t.Errorf("findings per kind:\n got %s\nwant %s", b1, b2)
	}
	if len(d.ShadowEstate.ByAccount) != 2 || d.ShadowEstate.ByAccount[0].Key != demo.ShadowAccount || d.ShadowEstate.ByAccount[0].Count != 18 {
		t.Errorf("per account: %+v", d.ShadowEstate.ByAccount)
	}

	res = e.do(t, e.viewer, `{ health(staleDays: 30) {
    staleDays
    completeness { servicesOwned { count total percent } repositoriesMapped { count total percent } resourcesOwned { count total percent } }
    staleness { stale { count total } byKind { kind ratio { count total } } oldest { key lastSeen } }
    byBusinessUnit { businessUnit { key } completeness { servicesOwned { count total percent } } stale { count total } }
  } }`, nil)
	var h struct {
		Health struct {
			StaleDays    int
			Completeness map[string]struct {
				Count, Total int
				Percent      float64
			}
			ByBusinessUnit []struct{ BusinessUnit struct{ Key string } }
		}
	}
	res.mustData(t, &h)
	c := h.Health.Completeness
	if h.Health.StaleDays != 30 || c["servicesOwned"].Count != 21 || c["servicesOwned"].Total != 22 || c["servicesOwned"].Percent != 95.5 ||
		c["repositoriesMapped"].Count != 41 || c["resourcesOwned"].Count != 89 || len(h.Health.ByBusinessUnit) != 4 {
		t.Errorf("health: %s", res.Data)
	}
	res = e.do(t, e.viewer, `{ health(staleDays: 0) { staleDays } }`, nil)
	if !slices.Equal(res.codes(), []string{string(graph.CodeInvalid)}) {
		t.Errorf("staleDays 0: codes %v", res.codes())
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The explorer's highlight: of the ids asked, those whoOwns finds no owner
// for. An unowned resource is listed; one owned only through the application
// that depends on it is not; neither is a team, nor an unknown id.
func TestUnownedAPI(t *testing.T) {
	e := demoEnv(t)
	var d struct {
		Inherited, Unowned, Team struct{ ID string }
	}
	e.do(t, e.viewer, `{
	  inherited: cloudResource(arn: "arn:aws:rds:eu-west-1:111122223333:db:payments-db") { id }
	  unowned: cloudResource(arn: "arn:aws:s3:::acme-tmp-exports-2021") { id }
	  team: team(name: "payments-core") { id }
	}`, nil).mustData(t, &d)
	missing := "00000000-0000-4000-8000-000000000000"
	ids := []string{d.Team.ID, d.Inherited.ID, missing, d.Unowned.ID}
	var got struct{ Unowned []string }
	e.do(t, e.viewer, `query($ids: [ID!]!) { unowned(ids: $ids) }`, map[string]any{"ids": ids}).mustData(t, &got)
	if !slices.Equal(got.Unowned, []string{d.Unowned.ID}) {
		t.Errorf("unowned(%v) = %v, want only %s", ids, got.Unowned, d.Unowned.ID)
	}

	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = d.Unowned.ID
	}
	res := e.do(t, e.viewer, `query($ids: [ID!]!) { unowned(ids: $ids) }`, map[string]any{"ids": tooMany})
	if !slices.Equal(res.codes(), []string{string(graph.CodeLimitExceeded)}) {
		t.Errorf("101 ids: codes %v: %s", res.codes(), res.Raw)
	}
}

// TestShadowFindingsPagedAndFiltered: findingConnection pages through the
// same findings as findings, in the same order, each once; both take the
// same filters; a finding's related items come a page at a time with
// their count; bad arguments are refused by name.
func TestShadowFindingsPagedAndFiltered(t *testing.T) {
	e := demoEnv(t)
	type finding struct {
		Kind          string
		Item          struct{ Kind, Key string }
		Account, Tag  string
		Value         string
		BusinessUnits []string
	}
	const fields = `kind item { kind key } account tag value businessUnits`
	var all struct{ ShadowEstate struct{ Findings []finding } }
	e.do(t, e.viewer, `{ shadowEstate { findings { `+fields+` } } }`, nil).mustData(t, &all)
	every := all.ShadowEstate.Findings
	if len(every) < 50 {
		t.Fatalf("the demo's shadow estate has %d findings", len(every))
	}

	var paged []finding
	after := ""
	for pages := 0; ; pages++ {
		var d struct {
			ShadowEstate struct {
				FindingConnection struct {
					TotalCount int
					Nodes      []finding
					Edges      []struct{ Cursor string }
					PageInfo   struct {
						HasNextPage, HasPreviousPage bool
						EndCursor                    string
					}
				}
			}
		}
		e.do(t, e.viewer, `query($after: String) { shadowEstate { findingConnection(first: 7, after: $after) {
			totalCount nodes { `+fields+` } edges { cursor } pageInfo { hasNextPage hasPreviousPage endCursor } } } }`,
			map[string]any{"after": after}).mustData(t, &d)
		c := d.ShadowEstate.FindingConnection
		if c.TotalCount != len(every) || len(c.Nodes) > 7 || c.PageInfo.HasPreviousPage != (pages > 0) ||
			len(c.Edges) != len(c.Nodes) || len(c.Nodes) > 0 && c.Edges[len(c.Edges)-1].Cursor != c.PageInfo.EndCursor {
			t.Fatalf("page %d: %+v", pages, c)
		}
		paged = append(paged, c.Nodes...)
		if !c.PageInfo.HasNextPage {
			break
		}
		after = c.PageInfo.EndCursor
	}
	if jsonString(paged) != jsonString(every) {
		t.Errorf("the pages hold other findings than findings:\n got %s\nwant %s", jsonString(paged), jsonString(every))
	}

	// The filters pick what a reader filtering the whole list would.
	for _, tc := range []struct {
		args string
		keep func(f finding) bool
	}{
		{`kinds: ["unowned-resource", "departed-owner"]`, func(f finding) bool { return f.Kind == "unowned-resource" || f.Kind == "departed-owner" }},
		{`account: "` + demo.ShadowAccount + `"`, func(f finding) bool { return f.Account == demo.ShadowAccount }},
		{`account: ""`, func(f finding) bool { return f.Account == "" }},
		{`businessUnit: "retail-banking"`, func(f finding) bool { return slices.Contains(f.BusinessUnits, "retail-banking") }},
		{`businessUnit: ""`, func(f finding) bool { return len(f.BusinessUnits) == 0 }},
		{`kinds: ["unknown-team-tag"], account: "` + demo.ShadowAccount + `"`, func(f finding) bool { return f.Kind == "unknown-team-tag" && f.Account == demo.ShadowAccount }},
	} {
		want := slices.DeleteFunc(slices.Clone(every), func(f finding) bool { return !tc.keep(f) })
		var d struct {
			ShadowEstate struct {
				Findings          []finding
				FindingConnection struct {
					TotalCount int
					Nodes      []finding
				}
			}
		}
		e.do(t, e.viewer, `{ shadowEstate { findings(`+tc.args+`) { `+fields+` }
			findingConnection(`+tc.args+`, first: 100) { totalCount nodes { `+fields+` } } } }`, nil).mustData(t, &d)
		if len(want) == 0 || len(want) == len(every) {
			t.Errorf("%s: the demo should have some findings both ways, has %d of %d", tc.args, len(want), len(every))
		}
		c := d.ShadowEstate.FindingConnection
		if jsonString(d.ShadowEstate.Findings) != jsonString(want) || c.TotalCount != len(want) || jsonString(c.Nodes) != jsonString(want) {
			t.Errorf("%s: findings %d, connection %d of %d, want %d", tc.args, len(d.ShadowEstate.Findings), len(c.Nodes), c.TotalCount, len(want))
		}
	}

	// The unregistered account's resources, three of them, and how many.
	var acct struct {
		ShadowEstate struct {
			Findings []struct {
				Related      []struct{ Key string }
				RelatedCount int
				All          []struct{ Key string }
			}
		}
	}
	e.do(t, e.viewer, `{ shadowEstate { findings(kinds: ["unregistered-account"]) { related(first: 3) { key } relatedCount all: related { key } } } }`, nil).mustData(t, &acct)
	if f := acct.ShadowEstate.Findings; len(f) != 1 || len(f[0].Related) != 3 || f[0].RelatedCount != 11 || len(f[0].All) != 11 ||
		jsonString(f[0].Related) != jsonString(f[0].All[:3]) {
		t.Errorf("related(first: 3): %+v", f)
	}

	for _, tc := range []struct{ query, code, says string }{
		{`{ shadowEstate { findings(kinds: ["unowned-thing"]) { kind } } }`, "INVALID_INPUT", `finding kind \"unowned-thing\"`},
		{`{ shadowEstate { findingConnection(kinds: ["Application"]) { totalCount } } }`, "INVALID_INPUT", `finding kind \"Application\"`},
		{`{ shadowEstate { findingConnection(after: "not-a-cursor") { totalCount } } }`, "INVALID_INPUT", "malformed cursor"},
		{`{ shadowEstate { findingConnection(first: 101) { totalCount } } }`, "LIMIT_EXCEEDED", "101"},
		{`{ shadowEstate { findings { related(first: 500) { key } } } }`, "LIMIT_EXCEEDED", "500"},
	} {
		res := e.do(t, e.viewer, tc.query, nil)
		if !slices.Equal(res.codes(), []string{tc.code}) || !strings.Contains(string(res.Raw), tc.says) {
			t.Errorf("%s: %s, want %s saying %s", tc.query, res.Raw, tc.code, tc.says)
		}
	}
}

// whoOwnsEach: a scanner's list answered in order, the refs naming nothing
// marked in their lookups rather than failing the query, the list bounded
// and its cost counted per ref.
func TestWhoOwnsEachAPI(t *testing.T) {
	const q = `query($refs: [String!]!) {
  whoOwnsEach(refs: $refs) { ref code message answer { subject { kind key } candidates { key } owners { key role accountable } } }
}`
	type lookup struct {
		Ref     string
		Code    *string
		Message *string
		Answer  *struct {
			Subject    *struct{ Kind, Key string }
			Candidates []struct{ Key string }
			Owners     []struct {
				Key, Role   string
				Accountable bool
			}
		}
	}
	e := demoEnv(t, withConfig(func(c *server.Config) { c.MaxComplexity = 1000 }))
	refs := []string{demo.PaymentsHostname, "no-such-thing-anywhere", "payments", ""}
	res := e.do(t, e.viewer, q, map[string]any{"refs": refs})
	var d struct{ WhoOwnsEach []lookup }
	res.mustData(t, &d)
	if len(d.WhoOwnsEach) != len(refs) {
		t.Fatalf("%d lookups for %d refs: %s", len(d.WhoOwnsEach), len(refs), res.Data)
	}
	for i, l := range d.WhoOwnsEach {
		if l.Ref != refs[i] {
			t.Errorf("lookup %d is of %q, want %q", i, l.Ref, refs[i])
		}
	}
	first, missing, ambiguous, empty := d.WhoOwnsEach[0], d.WhoOwnsEach[1], d.WhoOwnsEach[2], d.WhoOwnsEach[3]
	if first.Code != nil || first.Answer == nil || first.Answer.Subject == nil || first.Answer.Subject.Key != demo.MultiOwnerApp || len(first.Answer.Owners) != 3 {
		t.Errorf("%s: %s", demo.PaymentsHostname, res.Data)
	}
	if missing.Answer != nil || missing.Code == nil || *missing.Code != string(graph.CodeNotFound) ||
		missing.Message == nil || !strings.Contains(*missing.Message, "no-such-thing-anywhere") {
		t.Errorf("a ref naming nothing: %+v", missing)
	}
	if ambiguous.Code != nil || ambiguous.Answer == nil || ambiguous.Answer.Subject != nil || len(ambiguous.Answer.Candidates) != 3 {
		t.Errorf("payments: %s", res.Data)
	}
	if empty.Answer != nil || empty.Code == nil || *empty.Code != string(graph.CodeInvalid) {
		t.Errorf("an empty ref: %+v", empty)
	}

	// The list's length is bounded, and each ref costs its answer's
	// objects: 250 refs asking for five objects each are over a limit of
	// 1,000; 501 asking for none are within it, and over the length.
	for _, tc := range []struct {
		query string
		n     int
		msg   string
	}{{`query($refs: [String!]!) { whoOwnsEach(refs: $refs) { ref } }`, analysis.MaxOwnerLookups + 1, "at most 500"}, {q, 250, "complexity"}} {
		res := e.do(t, e.viewer, tc.query, map[string]any{"refs": slices.Repeat([]string{demo.PaymentsHostname}, tc.n)})
		if !slices.Equal(res.codes(), []string{string(graph.CodeLimitExceeded)}) || !strings.Contains(string(res.Raw), tc.msg) {
			t.Errorf("%d refs: %.300s; want LIMIT_EXCEEDED mentioning %q", tc.n, res.Raw, tc.msg)
		}
	}
	res = e.do(t, e.viewer, q, map[string]any{"refs": slices.Repeat([]string{demo.PaymentsHostname}, 20)})
	res.mustData(t, &d)
	if len(d.WhoOwnsEach) != 20 {
		t.Errorf("20 refs within the limit: %d lookups", len(d.WhoOwnsEach))
	}
}

// ownedBy: what a team answers for, as analysis.OwnedBy lists it, with
// the entities behind the items and the ancestors they inherit from.
func TestOwnedByAPI(t *testing.T) {
	e := demoEnv(t)
	const q = `query($ref: String!) {
  ownedBy(ref: $ref) { subject { kind key } truncated
    items { kind key role class accountable inheritedFrom { kind key } entity { id key } } }
}`
	var d struct {
		OwnedBy struct {
			Subject   *struct{ Kind, Key string }
			Truncated bool
			Items     []struct {
				Kind, Key, Role, Class string
				Accountable            bool
				InheritedFrom          *struct{ Kind, Key string }
				Entity                 *struct{ ID, Key string }
			}
		}
	}
	res := e.do(t, e.viewer, q, map[string]any{"ref": "platform-sre"})
	res.mustData(t, &d)
	want, err := analysis.OwnedBy(t.Context(), e.store, "Team:platform-sre")
	if err != nil {
		t.Fatal(err)
	}
	got := d.OwnedBy
	if got.Subject == nil || got.Subject.Key != "platform-sre" || got.Truncated || len(got.Items) != len(want.Items) || len(want.Items) == 0 {
		t.Fatalf("ownedBy(platform-sre): %d items, want %d: %.500s", len(got.Items), len(want.Items), res.Data)
	}
	inherited := 0
	for i, it := range got.Items {
		w := want.Items[i]
		if it.Kind != string(w.Kind) || it.Key != w.Key || !strings.EqualFold(it.Role, w.Role) || it.Accountable != w.Accountable ||
			(it.InheritedFrom == nil) != (w.InheritedFrom == nil) || it.Entity == nil || it.Entity.Key != w.Key {
			t.Errorf("item %d: %+v, want %+v", i, it, w)
		}
		if it.InheritedFrom != nil {
			inherited++
		}
	}
	if inherited == 0 {
		t.Errorf("platform-sre inherits nothing: %.500s", res.Data)
	}
	res = e.do(t, e.viewer, q, map[string]any{"ref": demo.MultiOwnerApp})
	if !slices.Equal(res.codes(), []string{string(graph.CodeInvalid)}) {
		t.Errorf("ownedBy(an application): %.300s", res.Raw)
	}
}

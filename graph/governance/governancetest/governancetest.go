// Package governancetest checks change governance (package governance) on
// the demo estate against any graph.Store, with assessments and delivery
// metrics checked by hand. Every backend's tests run it in one line:
//
//	func TestGovernance(t *testing.T) { governancetest.Run(t, harness) }
//
// Change and incident history is generated here, in each test's store; the
// demo estate itself is left as it is.
package governancetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis/analysistest"
	"github.com/estate-cmdb/estate/graph/governance"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

// Run runs every check, each on a fresh store with the demo estate.
func Run(t *testing.T, h graphtest.Harness) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, graph.Store, *clock)
	}{
		{"StandardForGoldTeamDocs", testStandard},
		{"HighForSharedLibrary", testHigh},
		{"UnownedNeverStandard", testUnowned},
		{"StaleItemsNamed", testStale},
		{"RecordedDecision", testRecorded},
		{"Approvals", testApprovals},
		{"DeliveryMetrics", testMetrics},
		{"HistoryByMonth", testHistoryByMonth},
		{"Suspects", testSuspects},
		{"LabelsListed", testLabelsListed},
		{"BadInput", testBadInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := h(t)
			analysistest.LoadDemo(t, s)
			tc.fn(t, s, &clock{t: analysistest.DemoAt.Add(24 * time.Hour)})
		})
	}
}

// clock is the governor's clock, moved by the tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) set(t time.Time)     { c.t = t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func governor(s graph.Store, c *clock, p *governance.Policy) *governance.Governor {
	g := governance.New(s, p)
	g.Now = c.now
	return g
}

func assess(t *testing.T, g *governance.Governor, in governance.AssessInput) *governance.Change {
	t.Helper()
	c, err := g.Assess(t.Context(), in)
	if err != nil {
		t.Fatalf("Assess(%s@%s): %v", in.Repository, in.Commit, err)
	}
	return c
}

func factor(t *testing.T, c *governance.Change, name string) governance.Factor {
	t.Helper()
	for _, f := range c.Factors {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("%s: no %s factor in %+v", c.Key, name, c.Factors)
	return governance.Factor{}
}

func wantContains(t *testing.T, what, got string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(got, s) {
			t.Errorf("%s = %q; want it to say %q", what, got, s)
		}
	}
}

func refs(rs []graph.Ref) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}

const (
	marketingRepo = "github.com/acme/www-marketing" // builds marketing-site: tier 4, team marketing-web
	authLibRepo   = "github.com/acme/auth-client-go"
	monorepo      = "github.com/acme/checkout-monorepo"
)

// makeGold gives team marketing-web ten deployments without incidents in
// the track-record window: approved by the team itself.
func makeGold(t *testing.T, g *governance.Governor, c *clock) {
	t.Helper()
	for i := range 10 {
		ch := assess(t, g, governance.AssessInput{Repository: marketingRepo, Commit: fmt.Sprintf("seed%02d", i),
			ChangedPaths: []string{"src/pages/index.astro"}, LinesChanged: ptr(20)})
		if ch.Class != governance.Normal {
			t.Fatalf("seed change %s is %s, want NORMAL", ch.Key, ch.Class)
		}
		if _, err := g.Approve(t.Context(), ch.Key, governance.Approver{Name: "mia", Teams: []string{"marketing-web"}}, "ok"); err != nil {
			t.Fatal(err)
		}
		c.add(time.Hour)
	}
}

func ptr[T any](v T) *T { return &v }

// A documentation-only change to a tier-4 application by a gold team is
// STANDARD; the same change while the team is bronze is not, and the
// standard-change factor says why.
func testStandard(t *testing.T, s graph.Store, c *clock) {
	g := governor(s, c, nil)
	docs := []string{"docs/editing.md", "README.md"}
	before := assess(t, g, governance.AssessInput{Repository: marketingRepo, Commit: "docs0", ChangedPaths: docs, LinesChanged: ptr(12)})
	if before.Class != governance.Normal || before.Status != governance.Pending {
		t.Errorf("docs change by a bronze team: %s %s, want NORMAL PENDING", before.Class, before.Status)
	}
	wantContains(t, "standard-change factor (bronze)", factor(t, before, governance.FactorStandard).Explanation,
		"docs-only: needs a gold team, the owning team is bronze")

	makeGold(t, g, c)
	acc, err := g.TeamAccreditation(t.Context(), "marketing-web")
	if err != nil {
		t.Fatal(err)
	}
	if acc.Level != governance.Gold || acc.Metrics.Deployments != 10 {
		t.Fatalf("marketing-web accreditation %s with %d deployments (%v), want gold with 10", acc.Level, acc.Metrics.Deployments, acc.Reasons)
	}
	g.Pending = func(_ context.Context, c *governance.Change) {
		t.Errorf("Pending told of %s %s, which waits for nobody", c.Key, c.Status)
	}
	ch := assess(t, g, governance.AssessInput{Repository: marketingRepo, Commit: "docs1", ChangedPaths: docs, LinesChanged: ptr(12)})
	g.Pending = nil
	if ch.Class != governance.Standard || ch.Status != governance.Approved {
		t.Fatalf("docs change by a gold team: %s %s (%+v), want STANDARD APPROVED", ch.Class, ch.Status, ch.Factors)
	}
	if ch.Team != "marketing-web" || ch.PolicyVersion != governance.DefaultPolicy().Version || ch.DecidedAt == nil ||
		!strings.HasPrefix(ch.DecidedBy, "policy ") {
		t.Errorf("STANDARD change recorded as team %q policy %q decided %v by %q", ch.Team, ch.PolicyVersion, ch.DecidedAt, ch.DecidedBy)
	}
	wantContains(t, "standard-change factor", factor(t, ch, governance.FactorStandard).Explanation, `matches the standard change "docs-only"`)
	wantContains(t, "accreditation factor", factor(t, ch, governance.FactorAccreditation).Explanation, "marketing-web is gold")
	wantContains(t, "blast-radius factor", factor(t, ch, governance.FactorBlastRadius).Explanation, "highest tier reached is 4")
	if got, want := refs(ch.Affects), []string{"Service:marketing-site", "Application:marketing-site"}; !slices.Equal(got, want) {
		t.Errorf("AFFECTS %v, want %v", got, want)
	}
	// The same paths plus code are no longer a standard change.
	code := assess(t, g, governance.AssessInput{Repository: marketingRepo, Commit: "code1", ChangedPaths: append(docs, "src/app.ts"), LinesChanged: ptr(12)})
	if code.Class == governance.Standard {
		t.Errorf("docs and code change is STANDARD, want not")
	}
}

// A change to a shared library tier-1 services depend on is HIGH, because
// of its blast radius.
func testHigh(t *testing.T, s graph.Store, c *clock) {
	g := governor(s, c, nil)
	ch := assess(t, g, governance.AssessInput{Repository: authLibRepo, Commit: "lib1", ChangedPaths: []string{"docs/usage.md"}, LinesChanged: ptr(3), Coverage: ptr(95.0)})
	if ch.Class != governance.High || ch.Status != governance.Pending {
		t.Fatalf("shared library change: %s %s, want HIGH PENDING (%+v)", ch.Class, ch.Status, ch.Factors)
	}
	// Hand-checked: tier 1 (40) + 1 application (3) + 8 services (24, capped
	// at 15) + 4 business units (20, capped at 15) = 73; bronze team +10.
	br := factor(t, ch, governance.FactorBlastRadius)
	if br.Points != 73 || ch.Score != 83 {
		t.Errorf("blast radius %d points, score %d; want 73 and 83", br.Points, ch.Score)
	}
	wantContains(t, "blast-radius factor", br.Explanation, "highest tier reached is 1", "reaches 8 service(s)", "4 business unit(s)")
	for _, want := range []string{"Service:identity", "Service:payments", "Service:online-banking", "BusinessUnit:retail-banking"} {
		if !slices.Contains(refs(br.Items), want) {
			t.Errorf("blast-radius items %v lack %s", refs(br.Items), want)
		}
	}
	wantContains(t, "environment factor", factor(t, ch, governance.FactorEnvironment).Explanation, "score 83, HIGH at 50 or more → HIGH")
	wantContains(t, "coverage factor", factor(t, ch, governance.FactorCoverage).Explanation, "95% of the changed code")
	if ch.Team != "platform-identity" {
		t.Errorf("owning team %q, want platform-identity", ch.Team)
	}
}

// lenientPolicy pre-approves any docs-only change: only data quality can
// stop one being STANDARD.
func lenientPolicy(t *testing.T) *governance.Policy {
	p, err := governance.ParsePolicy([]byte(strings.Replace(string(governance.DefaultPolicyYAML()), "standardChanges:", `standardChanges:
  - name: any-docs
    description: Documentation only, anywhere.
    paths: ["docs/**"]
`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A change to an unowned application is never STANDARD, even when a
// standard-change pattern would match, and the data-quality factor names
// the item; an owned application under the same policy is STANDARD.
func testUnowned(t *testing.T, s graph.Store, c *clock) {
	g := governor(s, c, lenientPolicy(t))
	for _, tc := range []struct {
		repo, item, problem string
	}{
		// fx-rates-poller: owned only by someone who left, in no service.
		{"github.com/acme/fx-rates-poller", "Application:fx-rates-poller", "is unowned"},
		// doc-archive: its only owner is a guess from commit history.
		{"github.com/acme/doc-archive", "Application:doc-archive", "has no declared owner: its technical owner is only guessed from commit history"},
	} {
		ch := assess(t, g, governance.AssessInput{Repository: tc.repo, Commit: "d1", ChangedPaths: []string{"docs/a.md"}})
		if ch.Class == governance.Standard {
			t.Errorf("%s: STANDARD for an unowned application", tc.repo)
		}
		dq := factor(t, ch, governance.FactorDataQuality)
		if !dq.BlocksStandard || !slices.Contains(refs(dq.Items), tc.item) {
			t.Errorf("%s: data-quality factor %+v; want it to block STANDARD and name %s", tc.repo, dq, tc.item)
		}
		wantContains(t, tc.repo+" data-quality", dq.Explanation, tc.item+" "+tc.problem)
		wantContains(t, tc.repo+" standard-change", factor(t, ch, governance.FactorStandard).Explanation, "data-quality factor rules STANDARD out")
	}
	ok := assess(t, g, governance.AssessInput{Repository: "github.com/acme/intranet", Commit: "d1", ChangedPaths: []string{"docs/a.md"}})
	if ok.Class != governance.Standard {
		t.Errorf("owned intranet docs change under the lenient policy: %s (%+v), want STANDARD", ok.Class, ok.Factors)
	}
}

// Once no source has seen the estate for longer than the policy's stale
// days, the data-quality factor names the repository, the application it
// touches and that application's service as stale, whether the change
// gives paths (a monorepo walk) or not.
func testStale(t *testing.T, s graph.Store, c *clock) {
	p := governance.DefaultPolicy()
	c.set(analysistest.DemoAt.Add(time.Duration(p.StaleDays+1) * 24 * time.Hour))
	g := governor(s, c, p)
	for _, paths := range [][]string{nil, {"docs/a.md"}} {
		ch := assess(t, g, governance.AssessInput{Repository: "github.com/acme/intranet", Commit: "s1", ChangedPaths: paths})
		dq := factor(t, ch, governance.FactorDataQuality)
		for _, item := range []string{"Repository:github.com/acme/intranet", "Application:intranet-portal", "Service:intranet"} {
			wantContains(t, fmt.Sprintf("data quality with paths %v", paths), dq.Explanation, item+" is stale")
		}
	}
}

func stats(t *testing.T, s graph.Store) graph.Stats {
	t.Helper()
	st, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Assessing the same change again returns the recorded decision and
// writes nothing, even under another policy.
func testRecorded(t *testing.T, s graph.Store, c *clock) {
	g := governor(s, c, nil)
	// Who must decide is told of each change once, when it is recorded.
	var told []string
	g.Pending = func(_ context.Context, c *governance.Change) { told = append(told, c.Key+" "+string(c.Status)) }
	in := governance.AssessInput{Repository: authLibRepo, Commit: "abc", Environment: "staging"}
	first := assess(t, g, in)
	if first.Recorded || first.Key != "github.com/acme/auth-client-go@abc/staging" {
		t.Fatalf("first assessment: key %q recorded %v", first.Key, first.Recorded)
	}
	st := stats(t, s)
	c.add(time.Hour)
	again := assess(t, governor(s, c, lenientPolicy(t)), governance.AssessInput{Repository: "https://github.com/acme/auth-client-go.git", Commit: "abc", Environment: "staging"})
	if !again.Recorded || again.Class != first.Class || again.Score != first.Score || !again.AssessedAt.Equal(first.AssessedAt) ||
		again.PolicyVersion != first.PolicyVersion || len(again.Factors) != len(first.Factors) {
		t.Errorf("re-assessment %+v, want the recorded %+v", again, first)
	}
	if !slices.Equal(refs(again.Affects), refs(first.Affects)) {
		t.Errorf("re-assessment AFFECTS %v, want %v", refs(again.Affects), refs(first.Affects))
	}
	if st2 := stats(t, s); st2.TotalNodes() != st.TotalNodes() || st2.TotalEdges() != st.TotalEdges() {
		t.Errorf("re-assessment wrote: %d/%d nodes/edges, was %d/%d", st2.TotalNodes(), st2.TotalEdges(), st.TotalNodes(), st.TotalEdges())
	}
	// Assessing one new change from many pipelines at once records it once.
	results := make(chan *governance.Change, 8)
	for range 8 {
		go func() {
			c, err := g.Assess(t.Context(), governance.AssessInput{Repository: authLibRepo, Commit: "race"})
			if err != nil {
				t.Error(err)
			}
			results <- c
		}()
	}
	fresh := 0
	for range 8 {
		if c := <-results; c != nil && !c.Recorded {
			fresh++
		}
	}
	if fresh != 1 {
		t.Errorf("8 concurrent assessments of one change: %d recorded it, want 1", fresh)
	}
	// Another environment is another change.
	if prod := assess(t, g, governance.AssessInput{Repository: authLibRepo, Commit: "abc"}); prod.Recorded {
		t.Errorf("production assessment of a staging-assessed commit returned the staging record")
	}
	if want := []string{"github.com/acme/auth-client-go@abc/staging PENDING", "github.com/acme/auth-client-go@race/production PENDING",
		"github.com/acme/auth-client-go@abc/production PENDING"}; !slices.Equal(told, want) {
		t.Errorf("Pending told of %q, want %q", told, want)
	}
}

// Approvals are role-checked; decisions are immutable; a rejected change
// stays rejected.
func testApprovals(t *testing.T, s graph.Store, c *clock) {
	g := governor(s, c, nil)
	ctx := t.Context()
	high := assess(t, g, governance.AssessInput{Repository: authLibRepo, Commit: "h1"})
	normal := assess(t, g, governance.AssessInput{Repository: marketingRepo, Commit: "n1", ChangedPaths: []string{"src/x.ts"}})
	if high.Class != governance.High || normal.Class != governance.Normal {
		t.Fatalf("classes %s, %s; want HIGH, NORMAL", high.Class, normal.Class)
	}
	team := governance.Approver{Name: "ivan", Teams: []string{"platform-identity"}}
	other := governance.Approver{Name: "olga", Teams: []string{"storefront"}}
	cab := governance.Approver{Name: "carla", CAB: true}
	mkt := governance.Approver{Name: "mia", Teams: []string{"Marketing-Web"}}
	denied := func(what string, err error, want string) {
		t.Helper()
		var d *governance.DeniedError
		if !errors.As(err, &d) || !strings.Contains(d.Msg, want) {
			t.Errorf("%s: error %v, want denied saying %q", what, err, want)
		}
	}
	_, err := g.Approve(ctx, high.Key, team, "")
	denied("owning team approves HIGH", err, "only the change advisory board")
	_, err = g.Approve(ctx, normal.Key, other, "")
	denied("another team approves NORMAL", err, "only its owning team marketing-web")
	if got, _ := g.Change(ctx, high.Key); got.Status != governance.Pending {
		t.Errorf("denied approval changed the status to %s", got.Status)
	}
	c.add(time.Minute)
	ok, err := g.Approve(ctx, high.Key, cab, "CAB 2026-03-03")
	if err != nil || ok.Status != governance.Approved {
		t.Fatalf("CAB approves HIGH: %v %v", ok, err)
	}
	got, err := g.Change(ctx, high.Key)
	if err != nil || got.Status != governance.Approved || got.DecidedBy != "carla" || got.Reason != "CAB 2026-03-03" ||
		got.DecidedAt == nil || !got.DecidedAt.Equal(c.now()) {
		t.Errorf("recorded approval %+v (%v); want APPROVED by carla at %s", got, err, c.now())
	}
	if _, err := g.Reject(ctx, high.Key, cab, "changed my mind"); graph.CodeOf(err) != graph.CodeConflict {
		t.Errorf("rejecting an approved change: %v, want CONFLICT", err)
	}
	if _, err := g.Reject(ctx, normal.Key, mkt, "not now"); err != nil {
		t.Fatalf("owning team rejects NORMAL: %v", err)
	}
	for _, try := range []func() (*governance.Change, error){
		func() (*governance.Change, error) { return g.Approve(ctx, normal.Key, cab, "") },
		func() (*governance.Change, error) { return g.Approve(ctx, normal.Key, mkt, "") },
	} {
		if _, err := try(); graph.CodeOf(err) != graph.CodeConflict {
			t.Errorf("approving a rejected change: %v, want CONFLICT", err)
		}
	}
	again := assess(t, g, governance.AssessInput{Repository: marketingRepo, Commit: "n1", ChangedPaths: []string{"src/x.ts"}})
	if again.Status != governance.Rejected || !again.Recorded || again.DecidedBy != "mia" {
		t.Errorf("re-assessing a rejected change: %s by %q recorded %v, want REJECTED by mia", again.Status, again.DecidedBy, again.Recorded)
	}
	if _, err := g.Approve(ctx, "github.com/acme/nope@x/production", cab, ""); graph.CodeOf(err) != graph.CodeNotFound {
		t.Errorf("approving an unknown change: %v, want NOT_FOUND", err)
	}
}

// The four delivery metrics on a generated history, computed by hand.
func testMetrics(t *testing.T, s graph.Store, c *clock) {
	g := governor(s, c, nil)
	ctx := t.Context()
	t0 := c.now()
	day := 24 * time.Hour
	cab := governance.Approver{Name: "carla", CAB: true}
	type gen struct {
		commit            string
		committed, decide time.Duration // after t0
		decision          governance.Status
	}
	keys := map[string]string{}
	for _, x := range []gen{
		{"c1", 0, day, governance.Approved},                        // lead 24h
		{"c2", 2 * day, 2*day + 2*time.Hour, governance.Approved},  // lead 2h, causes i1
		{"c3", 3 * day, 3*day + 6*time.Hour, governance.Approved},  // lead 6h
		{"c4", 4 * day, 4*day + time.Hour, governance.Rejected},    // not deployed
		{"c5", 5 * day, 5*day + 12*time.Hour, governance.Approved}, // lead 12h, causes i2
		{"c6", 6 * day, 6*day + time.Hour, governance.Pending},     // never decided
		{"c7", 10 * day, 11 * day, governance.Approved},            // after the window
	} {
		c.set(t0.Add(x.decide))
		ch := assess(t, g, governance.AssessInput{Repository: monorepo, Commit: x.commit, ChangedPaths: []string{"services/cart/main.go"},
			CommittedAt: ptr(t0.Add(x.committed))})
		keys[x.commit] = ch.Key
		if ch.Team != "checkout" {
			t.Fatalf("%s owned by %q, want checkout", ch.Key, ch.Team)
		}
		// A monorepo change touches only the application whose directory
		// holds the changed path.
		if got, want := refs(ch.Affects), []string{"Service:checkout", "Application:cart-service"}; ch.Components != 1 || !slices.Equal(got, want) {
			t.Fatalf("%s: %d components, AFFECTS %v; want 1, %v", ch.Key, ch.Components, got, want)
		}
		var err error
		switch x.decision {
		case governance.Approved:
			_, err = g.Approve(ctx, ch.Key, cab, "")
		case governance.Rejected:
			_, err = g.Reject(ctx, ch.Key, cab, "")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, in := range []governance.IncidentInput{
		{ID: "i1", Title: "cart 500s", StartedAt: ptr(t0.Add(2*day + 3*time.Hour)), RestoredAt: ptr(t0.Add(2*day + 3*time.Hour + 90*time.Minute)),
			Services: []string{"Application:cart-service"}, CausedBy: keys["c2"]},
		{ID: "i2", Title: "checkout slow", StartedAt: ptr(t0.Add(6 * day)), RestoredAt: ptr(t0.Add(6*day + 30*time.Minute)),
			Services: []string{"Service:checkout"}, CausedBy: keys["c5"]},
		{ID: "i3", Title: "checkout down", StartedAt: ptr(t0.Add(7 * day)), RestoredAt: ptr(t0.Add(7*day + 4*time.Hour)),
			Services: []string{"Service:checkout"}},
		{ID: "i4", Title: "checkout flaky", StartedAt: ptr(t0.Add(8 * day)), Services: []string{"Service:checkout"}},
		{ID: "i5", Title: "login errors", StartedAt: ptr(t0.Add(7 * day)), RestoredAt: ptr(t0.Add(7*day + 10*time.Minute)),
			Services: []string{"Service:identity"}},
	} {
		if _, err := g.RecordIncident(ctx, in); err != nil {
			t.Fatalf("RecordIncident %s: %v", in.ID, err)
		}
	}
	// By hand, window [t0, t0+10d): deployments c1, c2, c3, c5 → 4, 0.4 a
	// day; lead times 24h, 2h, 6h, 12h → median (6h+12h)/2 = 9h; c2 and
	// c5 caused incidents → failure rate 2/4; incidents i1–i4 (i5 hit
	// another service) of which i1 (90m), i2 (30m) and i3 (4h) are
	// restored → median 90m.
	for _, scope := range []graph.Ref{
		{Kind: graph.KindTeam, Key: "checkout"},
		{Kind: graph.KindService, Key: "checkout"},
		{Kind: graph.KindBusinessUnit, Key: "digital-commerce"},
	} {
		m, err := g.DeliveryMetrics(ctx, scope, t0, t0.Add(10*day))
		if err != nil {
			t.Fatalf("%s: %v", scope, err)
		}
		if m.Deployments != 4 || m.DeploymentsPerDay != 0.4 || m.FailedDeployments != 2 || m.ChangeFailureRate != 0.5 ||
			m.Incidents != 4 || m.Restored != 3 {
			t.Errorf("%s: %d deployments (%v a day), %d failed (%v), %d incidents, %d restored; want 4 (0.4), 2 (0.5), 4, 3",
				scope, m.Deployments, m.DeploymentsPerDay, m.FailedDeployments, m.ChangeFailureRate, m.Incidents, m.Restored)
		}
		if m.LeadTime == nil || *m.LeadTime != 9*time.Hour {
			t.Errorf("%s: lead time %v, want 9h", scope, m.LeadTime)
		}
		if m.TimeToRestore == nil || *m.TimeToRestore != 90*time.Minute {
			t.Errorf("%s: time to restore %v, want 1h30m", scope, m.TimeToRestore)
		}
	}
	// Identity saw one incident, restored in 10 minutes, and no deployment.
	m, err := g.DeliveryMetrics(ctx, graph.Ref{Kind: graph.KindService, Key: "identity"}, t0, t0.Add(10*day))
	if err != nil {
		t.Fatal(err)
	}
	if m.Deployments != 0 || m.ChangeFailureRate != 0 || m.LeadTime != nil || m.Incidents != 1 || *m.TimeToRestore != 10*time.Minute {
		t.Errorf("identity: %+v; want no deployments and one incident restored in 10m", m)
	}
	// The checkout team's standing: 5 deployments in 90 days, 2 failed.
	c.set(t0.Add(12 * day))
	acc, err := g.TeamAccreditation(ctx, "checkout")
	if err != nil {
		t.Fatal(err)
	}
	if acc.Level != governance.Bronze || acc.IncidentsCaused != 2 {
		t.Errorf("checkout accreditation %s, %d incidents caused (%v); want bronze, 2", acc.Level, acc.IncidentsCaused, acc.Reasons)
	}
	wantContains(t, "accreditation reasons", strings.Join(acc.Reasons, "; "), "not gold", "change failure rate 40%", "not silver")
}

// testHistoryByMonth checks the metrics across month boundaries, which
// decide what history is read: a change assessed months before the window
// and decided in it is a deployment; an incident in the window caused by a
// change decided long before it still counts for that change's team; a
// record from before the month labels (none) is still counted.
func testHistoryByMonth(t *testing.T, s graph.Store, c *clock) {
	g := governor(s, c, nil)
	ctx := t.Context()
	day := 24 * time.Hour
	w0 := time.Date(2026, 4, 6, 9, 0, 0, 0, time.UTC) // window [w0, w1): April
	w1 := w0.Add(10 * day)
	cab := governance.Approver{Name: "carla", CAB: true}
	change := func(commit string, assessed, decided time.Time) *governance.Change {
		t.Helper()
		c.set(assessed)
		ch := assess(t, g, governance.AssessInput{Repository: monorepo, Commit: commit, ChangedPaths: []string{"services/cart/main.go"}})
		c.set(decided)
		if _, err := g.Approve(ctx, ch.Key, cab, ""); err != nil {
			t.Fatal(err)
		}
		return ch
	}
	month := func(ref graph.Ref, want time.Time) {
		t.Helper()
		n, err := s.Node(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if got := n.Labels["month"]; got != want.Format("2006-01") {
			t.Errorf("%s: month label %q, want %q (labels %v)", ref, got, want.Format("2006-01"), n.Labels)
		}
	}
	late := change("late", w0.Add(-40*day), w0.Add(day)) // assessed in February, decided in the window
	month(graph.Ref{Kind: graph.KindChange, Key: late.Key}, w0)
	old := change("old", w0.Add(-100*day), w0.Add(-100*day)) // December
	change("after", w1.Add(day), w1.Add(day))                // April, after the window
	// The incident hit identity, which checkout does not own: it is the
	// checkout team's only through the change that caused it.
	if _, err := g.RecordIncident(ctx, governance.IncidentInput{ID: "old-cause", Title: "login errors", StartedAt: ptr(w0.Add(2 * day)),
		Services: []string{"Service:identity"}, CausedBy: old.Key}); err != nil {
		t.Fatal(err)
	}
	month(graph.Ref{Kind: graph.KindIncident, Key: "old-cause"}, w0)

	check := func(deployments int) {
		t.Helper()
		for _, scope := range []graph.Ref{
			{Kind: graph.KindTeam, Key: "checkout"},
			{Kind: graph.KindService, Key: "checkout"},
			{Kind: graph.KindBusinessUnit, Key: "digital-commerce"},
		} {
			m, err := g.DeliveryMetrics(ctx, scope, w0, w1)
			if err != nil {
				t.Fatalf("%s: %v", scope, err)
			}
			if m.Deployments != deployments || m.FailedDeployments != 0 || m.Incidents != 1 {
				t.Errorf("%s: %d deployments, %d failed, %d incidents; want %d, 0, 1", scope, m.Deployments, m.FailedDeployments, m.Incidents, deployments)
			}
		}
		// Track record over the 90 days to w0+9d, from mid January: the
		// December change is outside it, its incident inside.
		c.set(w0.Add(9 * day))
		acc, err := g.TeamAccreditation(ctx, "checkout")
		if err != nil {
			t.Fatal(err)
		}
		if acc.Metrics.Deployments != deployments || acc.IncidentsCaused != 1 {
			t.Errorf("checkout track record: %d deployments, %d incidents caused; want %d, 1", acc.Metrics.Deployments, acc.IncidentsCaused, deployments)
		}
	}
	check(1)
	// A change recorded before the month labels: approved in the window,
	// with no month label.
	legacy := graph.Ref{Kind: graph.KindChange, Key: graph.ChangeKey(monorepo, "legacy", "production")}
	decided := w0.Add(3 * day).Format(time.RFC3339)
	graphtest.MustApply(t, s, graph.Batch{Source: governance.Source, Run: "legacy", At: w0, Nodes: []graph.NodeInput{{
		Kind: legacy.Kind, Key: legacy.Key, Confidence: graph.Declared,
		Labels: map[string]string{"class": "NORMAL", "status": "APPROVED", "environment": "production", "team": "checkout"},
		Props:  map[string]any{"class": "NORMAL", "status": "APPROVED", "decidedAt": decided, "assessedAt": decided, "team": "checkout"}}},
		Edges: []graph.EdgeInput{
			{Type: graph.RelMadeBy, From: legacy, To: graph.Ref{Kind: graph.KindTeam, Key: "checkout"}, Confidence: graph.Declared},
			{Type: graph.RelAffects, From: legacy, To: graph.Ref{Kind: graph.KindService, Key: "checkout"}, Confidence: graph.Declared},
		}})
	check(2)
}

// Bad input gets a clear error naming what was wrong and records nothing.
// testSuspects: the changes deployed in the week before an incident that
// touched what it hit or what that relies on, nearest first; not those
// deployed after it, long before it, never, or elsewhere; the recorded
// cause first whenever it was deployed.
func testSuspects(t *testing.T, s graph.Store, c *clock) {
	g := governor(s, c, nil)
	ctx := t.Context()
	cab := governance.Approver{Name: "carla", CAB: true}
	start := c.now().Add(30 * 24 * time.Hour) // the incident, hitting checkout-api
	keys := map[string]string{}
	for _, x := range []struct {
		name, repo, path string
		before           time.Duration // decided this long before the incident
		approve          bool
	}{
		{"direct", monorepo, "services/checkout-api/handler.go", 5 * time.Hour, true}, // checkout-api itself
		{"cart", monorepo, "services/cart/main.go", 2 * time.Hour, true},              // checkout-api DEPENDS_ON cart-service
		{"payments", "github.com/acme/payments-api", "", 24 * time.Hour, true},        // … DEPENDS_ON payments-api
		{"ledger", "github.com/acme/ledger-service", "", 3 * 24 * time.Hour, true},    // payments-api DEPENDS_ON ledger-service
		{"old", "github.com/acme/payments-api", "", 10 * 24 * time.Hour, true},        // before the window
		{"pending", "github.com/acme/payments-api", "", time.Hour, false},             // never deployed
		{"after", "github.com/acme/payments-api", "", -time.Hour, true},               // after the start
		{"elsewhere", marketingRepo, "src/pages/index.astro", 30 * time.Minute, true}, // nothing checkout-api relies on
	} {
		c.set(start.Add(-x.before))
		in := governance.AssessInput{Repository: x.repo, Commit: x.name}
		if x.path != "" {
			in.ChangedPaths = []string{x.path}
		}
		ch := assess(t, g, in)
		keys[x.name] = ch.Key
		if x.approve && ch.Status == governance.Pending {
			if _, err := g.Approve(ctx, ch.Key, cab, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	c.set(start.Add(time.Hour))
	if _, err := g.RecordIncident(ctx, governance.IncidentInput{ID: "INC-1", Title: "checkout errors", StartedAt: &start,
		Services: []string{"Application:checkout-api"}}); err != nil {
		t.Fatal(err)
	}
	type row struct {
		change, affects, hit string
		distance             int
		before               time.Duration
		recorded             bool
	}
	got := func(window time.Duration, depth int) []row {
		t.Helper()
		sus, err := g.Suspects(ctx, "INC-1", window, depth)
		if err != nil {
			t.Fatalf("Suspects(%s, %d): %v", window, depth, err)
		}
		if !sus.StartedAt.Equal(start) || sus.Truncated {
			t.Errorf("Suspects: started %s truncated %v; want %s, false", sus.StartedAt, sus.Truncated, start)
		}
		var out []row
		for _, x := range sus.Suspects {
			r := row{change: x.Change.Key, distance: x.Distance, before: x.Before, recorded: x.Recorded}
			if x.Affects != nil {
				r.affects, r.hit = x.Affects.String(), x.Hit.String()
			}
			if len(x.Path) != x.Distance {
				t.Errorf("%s: path %v for distance %d", x.Change.Key, x.Path, x.Distance)
			}
			out = append(out, r)
		}
		return out
	}
	hit := "Application:checkout-api"
	direct := row{keys["direct"], hit, hit, 0, 5 * time.Hour, false}
	cart := row{keys["cart"], "Application:cart-service", hit, 1, 2 * time.Hour, false}
	payments := row{keys["payments"], "Application:payments-api", hit, 1, 24 * time.Hour, false}
	ledger := row{keys["ledger"], "Application:ledger-service", hit, 2, 3 * 24 * time.Hour, false}
	for _, tc := range []struct {
		name   string
		window time.Duration
		depth  int
		want   []row
	}{
		{"a week, three steps (the defaults)", 0, 0, []row{direct, cart, payments, ledger}},
		{"two days", 48 * time.Hour, 0, []row{direct, cart, payments}},
		{"one step", 0, 1, []row{direct, cart, payments}},
	} {
		if g := got(tc.window, tc.depth); !slices.Equal(g, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, g, tc.want)
		}
	}

	// Once the incident is recorded as caused by the old change, that one
	// comes first, though deployed before the window.
	if _, err := g.RecordIncident(ctx, governance.IncidentInput{ID: "INC-1", Title: "checkout errors", StartedAt: &start,
		Services: []string{"Application:checkout-api"}, CausedBy: keys["old"]}); err != nil {
		t.Fatal(err)
	}
	old := row{keys["old"], "Application:payments-api", hit, 1, 10 * 24 * time.Hour, true}
	if g := got(0, 0); !slices.Equal(g, []row{old, direct, cart, payments, ledger}) {
		t.Errorf("with its recorded cause:\n got %+v", g)
	}

	for _, tc := range []struct {
		incident string
		window   time.Duration
		depth    int
		code     graph.Code
		want     string
	}{
		{"INC-404", 0, 0, graph.CodeNotFound, "INC-404"},
		{"INC-1", 91 * 24 * time.Hour, 0, graph.CodeInvalid, "window"},
		{"INC-1", -time.Hour, 0, graph.CodeInvalid, "window"},
		{"INC-1", 0, graph.MaxDepth + 1, graph.CodeInvalid, "depth"},
	} {
		_, err := g.Suspects(ctx, tc.incident, tc.window, tc.depth)
		if graph.CodeOf(err) != tc.code || !strings.Contains(fmt.Sprint(err), tc.want) {
			t.Errorf("Suspects(%s, %s, %d) = %v; want %s naming %q", tc.incident, tc.window, tc.depth, err, tc.code, tc.want)
		}
	}
}

// testLabelsListed: every label governance gives its records is one a
// backend indexes (graph.ListedLabels), so that no listing of them scans.
func testLabelsListed(t *testing.T, s graph.Store, c *clock) {
	g := governor(s, c, nil)
	ch := assess(t, g, governance.AssessInput{Repository: marketingRepo, Commit: "l1", ChangedPaths: []string{"src/a.ts"}})
	if _, err := g.Approve(t.Context(), ch.Key, governance.Approver{Name: "mia", Teams: []string{"marketing-web"}}, "ok"); err != nil {
		t.Fatal(err)
	}
	start := c.now()
	if _, err := g.RecordIncident(t.Context(), governance.IncidentInput{ID: "INC-L", Title: "x", StartedAt: &start, Services: []string{"Application:marketing-site"}, CausedBy: ch.Key}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []graph.Ref{{Kind: graph.KindChange, Key: ch.Key}, {Kind: graph.KindIncident, Key: "INC-L"}} {
		n, err := s.Node(t.Context(), r)
		if err != nil {
			t.Fatal(err)
		}
		if len(n.Labels) == 0 {
			t.Errorf("%s has no labels", r)
		}
		for k := range n.Labels {
			if !slices.Contains(graph.ListedLabels[r.Kind], k) {
				t.Errorf("%s carries label %q, which graph.ListedLabels[%s] does not list", r, k, r.Kind)
			}
		}
	}
}

func testBadInput(t *testing.T, s graph.Store, c *clock) {
	g := governor(s, c, nil)
	ctx := t.Context()
	st := stats(t, s)
	for _, tc := range []struct {
		name string
		in   governance.AssessInput
		code graph.Code
		want string
	}{
		{"unknown repository", governance.AssessInput{Repository: "github.com/acme/does-not-exist", Commit: "a"}, graph.CodeNotFound, `"github.com/acme/does-not-exist" is not a repository`},
		{"no repository", governance.AssessInput{Commit: "a"}, graph.CodeInvalid, "repository: required"},
		{"no commit", governance.AssessInput{Repository: authLibRepo}, graph.CodeInvalid, "commit: required"},
		{"bad commit", governance.AssessInput{Repository: authLibRepo, Commit: "a/b"}, graph.CodeInvalid, "commit:"},
		{"unknown environment", governance.AssessInput{Repository: authLibRepo, Commit: "a", Environment: "moon"}, graph.CodeInvalid, `environment: "moon" is not in policy`},
		{"negative lines", governance.AssessInput{Repository: authLibRepo, Commit: "a", LinesChanged: ptr(-1)}, graph.CodeInvalid, "linesChanged"},
		{"coverage over 100", governance.AssessInput{Repository: authLibRepo, Commit: "a", Coverage: ptr(101.0)}, graph.CodeInvalid, "coverage"},
		{"empty path", governance.AssessInput{Repository: authLibRepo, Commit: "a", ChangedPaths: []string{" "}}, graph.CodeInvalid, "changedPaths[0]"},
	} {
		_, err := g.Assess(ctx, tc.in)
		if graph.CodeOf(err) != tc.code || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %s saying %q", tc.name, err, tc.code, tc.want)
		}
	}
	start := ptr(c.now())
	for _, tc := range []struct {
		name string
		in   governance.IncidentInput
		want string
	}{
		{"no id", governance.IncidentInput{Title: "x", StartedAt: start, Services: []string{"checkout"}}, "incident id: required"},
		{"no title", governance.IncidentInput{ID: "x", StartedAt: start, Services: []string{"checkout"}}, "incident title: required"},
		{"no start", governance.IncidentInput{ID: "x", Title: "x", Services: []string{"checkout"}}, "incident startedAt: required"},
		{"no services", governance.IncidentInput{ID: "x", Title: "x", StartedAt: start}, "incident services:"},
		{"restored before start", governance.IncidentInput{ID: "x", Title: "x", StartedAt: start, RestoredAt: ptr(start.Add(-time.Minute)), Services: []string{"checkout"}}, "incident restoredAt:"},
		{"unknown service", governance.IncidentInput{ID: "x", Title: "x", StartedAt: start, Services: []string{"checkout", "no-such-service"}}, `incident services[1]: "no-such-service"`},
		{"unknown change", governance.IncidentInput{ID: "x", Title: "x", StartedAt: start, Services: []string{"checkout"}, CausedBy: "github.com/acme/x@1/production"}, "incident causedBy:"},
	} {
		_, err := g.RecordIncident(ctx, tc.in)
		if graph.CodeOf(err) != graph.CodeInvalid || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want INVALID_INPUT saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := g.DeliveryMetrics(ctx, graph.Ref{Kind: graph.KindApplication, Key: "cart-service"}, c.now(), c.now().Add(time.Hour)); graph.CodeOf(err) != graph.CodeInvalid {
		t.Errorf("metrics of an application: %v, want INVALID_INPUT", err)
	}
	if _, err := g.DeliveryMetrics(ctx, graph.Ref{Kind: graph.KindTeam, Key: "checkout"}, c.now(), c.now()); graph.CodeOf(err) != graph.CodeInvalid {
		t.Errorf("empty window: %v, want INVALID_INPUT", err)
	}
	if st2 := stats(t, s); st2.TotalNodes() != st.TotalNodes() || st2.TotalEdges() != st.TotalEdges() {
		t.Errorf("bad input wrote: %d/%d nodes/edges, was %d/%d", st2.TotalNodes(), st2.TotalEdges(), st.TotalNodes(), st.TotalEdges())
	}
}

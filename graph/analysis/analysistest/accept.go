package analysistest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/graphtest"
	"github.com/estate-cmdb/estate/ingest/demo"
)

// testAcceptFindings: an accepted finding leaves the open findings and
// their counts for the accepted ones, with who, when, why and until when;
// only that finding of its item, not the item's others; it stays accepted
// through a source's next sync; it is open again when its end passes, and
// when reopened. A call with anything wrong in it writes nothing.
func testAcceptFindings(t *testing.T, h graphtest.Harness) {
	s := h(t)
	LoadDemo(t, s)
	now := DemoAt.Add(24 * time.Hour)
	report := func(at time.Time) *analysis.ShadowReport {
		t.Helper()
		rep, err := analysis.ShadowEstate(t.Context(), s, at)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	refs := func(fs []analysis.Finding) []string {
		out := []string{}
		for i := range fs {
			out = append(out, fs[i].Ref().String())
		}
		return out
	}
	before := report(now)
	var tagged analysis.Finding // the first unknown-team-tag finding
	for _, f := range before.Findings {
		if f.Kind == analysis.FindingUnknownTagTeam {
			tagged = f
			break
		}
	}
	repo := analysis.FindingRef{Kind: analysis.FindingUnmappedRepository, Item: graph.Ref{Kind: graph.KindRepository, Key: demo.UnmappedRepositories[0]}}
	acct := analysis.FindingRef{Kind: analysis.FindingUnregisteredAccount, Item: graph.Ref{Kind: graph.KindCloudAccount, Key: demo.ShadowAccount}}
	until := now.Add(30 * 24 * time.Hour)

	// Bad calls: nothing is written, whatever else they name.
	for _, tc := range []struct {
		name  string
		refs  []analysis.FindingRef
		a     analysis.Acceptance
		code  graph.Code
		names string
	}{
		{"no reason", []analysis.FindingRef{repo}, analysis.Acceptance{Reason: " \n "}, graph.CodeInvalid, "reason"},
		{"long reason", []analysis.FindingRef{repo}, analysis.Acceptance{Reason: strings.Repeat("x", 501)}, graph.CodeInvalid, "501"},
		{"ended", []analysis.FindingRef{repo}, analysis.Acceptance{Reason: "r", Until: now}, graph.CodeInvalid, "not after now"},
		{"no finding", []analysis.FindingRef{repo, {Kind: analysis.FindingUnmappedRepository, Item: graph.Ref{Kind: graph.KindRepository, Key: "github.com/acme/payments-api"}}},
			analysis.Acceptance{Reason: "r"}, graph.CodeNotFound, "github.com/acme/payments-api"},
		{"wrong tag value", []analysis.FindingRef{repo, {Kind: tagged.Kind, Item: tagged.Item.Ref(), Tag: tagged.Tag, Value: tagged.Value + "x"}},
			analysis.Acceptance{Reason: "r"}, graph.CodeNotFound, tagged.Value + "x"},
		{"none", nil, analysis.Acceptance{Reason: "r"}, graph.CodeInvalid, "no findings"},
		{"too many", slices.Repeat([]analysis.FindingRef{repo}, analysis.MaxAcceptances+1), analysis.Acceptance{Reason: "r"}, graph.CodeLimitExceeded, "501"},
	} {
		_, err := analysis.AcceptFindings(t.Context(), s, tc.refs, tc.a, now)
		if graph.CodeOf(err) != tc.code || !strings.Contains(err.Error(), tc.names) {
			t.Errorf("%s: %v, want %s naming %q", tc.name, err, tc.code, tc.names)
		}
	}
	if rep := report(now); len(rep.Accepted) != 0 || len(rep.Findings) != len(before.Findings) {
		t.Fatalf("after refused calls: %d accepted, %d open; want 0 and %d", len(rep.Accepted), len(rep.Findings), len(before.Findings))
	}

	got, err := analysis.AcceptFindings(t.Context(), s, []analysis.FindingRef{repo, acct, repo},
		analysis.Acceptance{By: "carla", Reason: "  CHG-7: the\thandbook's\nown repo "}, now)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "accepted, in order, once each", refs(got), []string{repo.String(), acct.String()})
	if _, err := analysis.AcceptFindings(t.Context(), s, []analysis.FindingRef{tagged.Ref()},
		analysis.Acceptance{By: "dan", Reason: "tags fixed next sprint", Until: until}, now); err != nil {
		t.Fatal(err)
	}
	rep := report(now)
	same(t, "accepted", refs(rep.Accepted), []string{acct.String(), tagged.Ref().String(), repo.String()})
	want := analysis.Acceptance{By: "carla", At: now, Reason: "CHG-7: the handbook's own repo"}
	same(t, "the repository's acceptance", *rep.Accepted[2].Acceptance, want)
	same(t, "the tag's acceptance", *rep.Accepted[1].Acceptance, analysis.Acceptance{By: "dan", At: now, Until: until, Reason: "tags fixed next sprint"})
	if len(rep.Accepted[0].Related) != 11 {
		t.Errorf("the accepted account lists %d resources, want 11 as before", len(rep.Accepted[0].Related))
	}
	if len(rep.Findings) != len(before.Findings)-3 {
		t.Errorf("%d open findings, want %d", len(rep.Findings), len(before.Findings)-3)
	}
	for _, f := range rep.Findings {
		if f.Acceptance != nil {
			t.Errorf("open finding %s has an acceptance", f.Ref())
		}
	}
	// The tagged resource's other findings stay open.
	if !slices.ContainsFunc(rep.Findings, func(f analysis.Finding) bool {
		return f.Item.Ref() == tagged.Item.Ref() && f.Kind == analysis.FindingUnownedResource
	}) {
		t.Errorf("%s: its unowned-resource finding left the open ones with its tag finding", tagged.Item.Ref())
	}
	counted := func(rep *analysis.ShadowReport, kind string) int {
		i := slices.IndexFunc(rep.ByKind, func(c analysis.Count) bool { return c.Key == kind })
		return rep.ByKind[i].Count
	}
	for _, k := range []string{analysis.FindingUnmappedRepository, analysis.FindingUnregisteredAccount, analysis.FindingUnknownTagTeam} {
		if counted(rep, k) != counted(before, k)-1 {
			t.Errorf("%s counted %d, want %d", k, counted(rep, k), counted(before, k)-1)
		}
	}
	sum := report(now).Summary()
	same(t, "summary", []int{sum[analysis.SummaryShadowTotal], sum[analysis.SummaryShadowAccepted]}, []int{len(before.Findings) - 3, 3})

	// The demo source's next sync keeps them.
	LoadDemo(t, s)
	same(t, "accepted after a sync", refs(report(now).Accepted), []string{acct.String(), tagged.Ref().String(), repo.String()})

	// Past its end, the tag finding is open again and says whose
	// acceptance ended.
	later := report(until)
	same(t, "accepted after the tag's end", refs(later.Accepted), []string{acct.String(), repo.String()})
	i := slices.IndexFunc(later.Findings, func(f analysis.Finding) bool { return f.Ref() == tagged.Ref() })
	if i < 0 || later.Findings[i].Acceptance == nil || later.Findings[i].Acceptance.By != "dan" {
		t.Errorf("after its end the tag finding is not open with its ended acceptance (index %d)", i)
	}

	// Reopening: only accepted findings, all or nothing.
	_, err = analysis.ReopenFindings(t.Context(), s, []analysis.FindingRef{repo, {Kind: analysis.FindingUnownedResource, Item: tagged.Item.Ref()}}, now)
	if graph.CodeOf(err) != graph.CodeNotFound || !strings.Contains(err.Error(), "not accepted") {
		t.Errorf("reopening a finding never accepted: %v, want NOT_FOUND", err)
	}
	reopened, err := analysis.ReopenFindings(t.Context(), s, []analysis.FindingRef{repo}, now)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "reopened", refs(reopened), []string{repo.String()})
	rep = report(now)
	same(t, "accepted after reopening", refs(rep.Accepted), []string{acct.String(), tagged.Ref().String()})
	if i := slices.IndexFunc(rep.Findings, func(f analysis.Finding) bool { return f.Ref() == repo }); i < 0 || rep.Findings[i].Acceptance != nil {
		t.Errorf("the reopened repository is not open without an acceptance (index %d)", i)
	}
}

package analysis_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/embedded/embeddedtest"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

// TestShadowUnknownTags: the tag findings are what the source that read the
// tags recorded as unresolved (graph.UnknownTagLabel), whatever the tag key
// is called and however its value is spelled — never re-derived from the
// raw tags.
func TestShadowUnknownTags(t *testing.T) {
	s := embeddedtest.Harness(t)
	res := func(key string, labels map[string]string) graph.NodeInput {
		return graph.NodeInput{Kind: graph.KindCloudResource, Key: key, Labels: labels}
	}
	unknown := graph.UnknownTagLabel
	graphtest.MustApply(t, s, graph.Batch{Source: "aws:test", Run: "r1", At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Nodes: []graph.NodeInput{
			// The linker resolved @acme/Checkout-Team to a team: no finding.
			res("owned", map[string]string{"team": "@acme/Checkout-Team", unknown("team", "team"): ""}),
			// A configured custom key.
			res("squad", map[string]string{"squad": "ghost2", unknown("team", "squad"): "ghost2"}),
			// Of "checkout-api, cart" only cart named nothing.
			res("two-apps", map[string]string{"app": "checkout-api, cart", unknown("application", "app"): "cart"}),
			res("two-unknown", map[string]string{"app": "cart; basket", unknown("application", "app"): "cart, basket"}),
			// The key as the resource spells it (Terraform's tags_all).
			res("loki", map[string]string{"Team": "DevOps", unknown("team", "Team"): "DevOps"}),
			res("svc", map[string]string{"service": "ghost-svc", unknown("service", "service"): "ghost-svc"}),
			// A raw tag no source checked, and an unknown repository tag (recorded,
			// not a finding kind): nothing.
			res("raw", map[string]string{"team": "nobody-checked"}),
			res("repo", map[string]string{"repo": "acme/ghost", unknown("repository", "repo"): "acme/ghost"}),
		}})
	rep, err := analysis.ShadowEstate(t.Context(), s, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		if f.Kind == analysis.FindingUnownedResource {
			continue
		}
		got = append(got, f.Kind+" "+f.Item.Key+" "+f.Tag+"="+f.Value+": "+f.Explanation)
	}
	want := []string{
		"unknown-team-tag loki Team=DevOps: tag Team=DevOps names no team or person in the estate",
		"unknown-team-tag squad squad=ghost2: tag squad=ghost2 names no team or person in the estate",
		"unknown-application-tag two-apps app=cart: tag app=cart names no application in the estate",
		"unknown-application-tag two-unknown app=basket: tag app=basket names no application in the estate",
		"unknown-application-tag two-unknown app=cart: tag app=cart names no application in the estate",
		"unknown-service-tag svc service=ghost-svc: tag service=ghost-svc names no application in the estate",
	}
	if !slices.Equal(got, want) {
		t.Errorf("tag findings:\n got %q\nwant %q", got, want)
	}
	for _, c := range rep.ByKind {
		if c.Key == analysis.FindingUnknownTagApp && c.Count != 3 {
			t.Errorf("unknown application tags counted %d, want 3", c.Count)
		}
	}
}

// TestFindingFilter: each field narrows, nil fields pick everything, an
// empty account or unit picks the findings with none, and an unknown
// finding kind is refused by name.
func TestFindingFilter(t *testing.T) {
	f := func(kind, key, acct string, units ...string) analysis.Finding {
		return analysis.Finding{Kind: kind, Item: analysis.Item{Kind: graph.KindCloudResource, Key: key}, Account: acct, BusinessUnits: units}
	}
	rep := &analysis.ShadowReport{Findings: []analysis.Finding{
		f(analysis.FindingUnregisteredAccount, "a", "aws:1"),
		f(analysis.FindingUnownedResource, "b", "aws:1", "payments"),
		f(analysis.FindingUnownedResource, "c", "aws:2", "payments", "retail"),
		f(analysis.FindingUnmappedRepository, "d", ""),
	}}
	// b's acceptance ends in 2027, c's never, d's ended in June 2026.
	day := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	rep.Findings[1].Acceptance = &analysis.Acceptance{By: "x", Reason: "r", Until: day(2027, 1)}
	rep.Findings[2].Acceptance = &analysis.Acceptance{By: "x", Reason: "r"}
	rep.Findings[3].Acceptance = &analysis.Acceptance{By: "x", Reason: "r", Until: day(2026, 6)}
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		name   string
		filter analysis.FindingFilter
		want   string
	}{
		{"nothing", analysis.FindingFilter{}, "abcd"},
		{"kind", analysis.FindingFilter{Kinds: []string{analysis.FindingUnownedResource}}, "bc"},
		{"two kinds", analysis.FindingFilter{Kinds: []string{analysis.FindingUnmappedRepository, analysis.FindingUnregisteredAccount}}, "ad"},
		{"account", analysis.FindingFilter{Account: str("aws:1")}, "ab"},
		{"no account", analysis.FindingFilter{Account: str("")}, "d"},
		{"unit", analysis.FindingFilter{BusinessUnit: str("retail")}, "c"},
		{"no unit", analysis.FindingFilter{BusinessUnit: str("")}, "ad"},
		{"all three", analysis.FindingFilter{Kinds: []string{analysis.FindingUnownedResource}, Account: str("aws:1"), BusinessUnit: str("payments")}, "b"},
		{"none left", analysis.FindingFilter{Account: str("aws:9")}, ""},
		{"acceptance ends before", analysis.FindingFilter{EndsBefore: day(2026, 12)}, "d"},
		{"acceptance ends before, later", analysis.FindingFilter{EndsBefore: day(2027, 6)}, "bd"},
		{"acceptance ends on the day", analysis.FindingFilter{EndsBefore: day(2027, 1)}, "d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.filter.Validate(); err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, x := range rep.Filter(tc.filter) {
				got += x.Item.Key
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	err := analysis.FindingFilter{Kinds: []string{"unowned-resource", "unowned-thing"}}.Validate()
	if graph.CodeOf(err) != graph.CodeInvalid || !strings.Contains(err.Error(), `"unowned-thing"`) {
		t.Errorf("unknown kind: %v, want INVALID_INPUT naming it", err)
	}
}

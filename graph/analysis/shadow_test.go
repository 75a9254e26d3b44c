package analysis_test

import (
	"slices"
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
	rep, err := analysis.ShadowEstate(t.Context(), s)
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

package analysistest

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/graphtest"
	"github.com/estate-cmdb/estate/ingest/demo"
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
	rep, err := analysis.ShadowEstate(t.Context(), c, time.Now())
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

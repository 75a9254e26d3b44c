package analysistest

import (
	"slices"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/ingest/demo"
)

// testShadowSummary: the figures an ingest run keeps for the shadow trend
// are the demo estate's findings, counted.
func testShadowSummary(t *testing.T, c *Counting) {
	rep, err := analysis.ShadowEstate(t.Context(), c, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sum := rep.Summary()
	// By hand, as in testShadow: 1 unregistered account, the unowned
	// resources, 9 team-tag and 4 app-tag findings, the unmapped
	// repositories, one each of the orphan application, the service
	// without owner, without business unit and the departed owner.
	want := map[string]int{
		"shadow." + analysis.FindingUnregisteredAccount: 1,
		"shadow." + analysis.FindingUnownedResource:     len(demo.UnownedResources),
		"shadow." + analysis.FindingUnknownTagTeam:      9,
		"shadow." + analysis.FindingUnknownTagApp:       4,
		"shadow." + analysis.FindingUnknownTagService:   0,
		"shadow." + analysis.FindingUnmappedRepository:  len(demo.UnmappedRepositories),
		"shadow." + analysis.FindingOrphanApplication:   1,
		"shadow." + analysis.FindingServiceNoOwner:      1,
		"shadow." + analysis.FindingServiceNoUnit:       1,
		"shadow." + analysis.FindingDepartedOwner:       1,
	}
	total := 0
	for _, n := range want {
		total += n
	}
	want[analysis.SummaryShadowTotal] = total
	want[analysis.SummaryShadowAccepted] = 0
	same(t, "shadow summary", sum, want)
}

func testShadow(t *testing.T, c *Counting) {
	rep, err := analysis.ShadowEstate(t.Context(), c, time.Now())
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

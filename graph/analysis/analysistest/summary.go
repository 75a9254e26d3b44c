package analysistest

import (
	"testing"

	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/ingest/demo"
)

// testShadowSummary: the figures an ingest run keeps for the shadow trend
// are the demo estate's findings, counted.
func testShadowSummary(t *testing.T, c *Counting) {
	sum, err := analysis.ShadowSummary(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
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
	same(t, "shadow summary", sum, want)
}

package analysistest

import (
	"reflect"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/graphtest"
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
		{"WhoOwns/Each", testWhoOwnsEach},
		{"OwnedBy", testOwnedBy},
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
	t.Run("ShadowEstate/Accept", func(t *testing.T) { testAcceptFindings(t, h) })
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

// Demo totals, counted from its tables: 22 services, 60 repositories, 106
// cloud resources.
const (
	demoServices     = 22
	demoRepositories = 60
	demoResources    = 106
)

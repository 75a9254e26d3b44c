package governance_test

import (
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/embedded/embeddedtest"
	"github.com/estate-cmdb/estate/graph/governance/governancetest"
)

// Change governance on the embedded store.
func TestGovernanceEmbedded(t *testing.T) { governancetest.Run(t, embeddedtest.Harness) }

func analysisImpact(b *testing.B, s graph.Store) (*analysis.ImpactResult, error) {
	return analysis.Impact(b.Context(), s, analysis.ImpactQuery{Refs: []string{"Repository:github.com/acme/auth-client-go"}})
}

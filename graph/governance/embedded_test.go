package governance_test

import (
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/graph/governance/governancetest"
)

func embeddedHarness(t testing.TB) graph.Store {
	s, err := embedded.Open(t.Context(), t.TempDir(), embedded.Options{Logger: zerolog.Nop(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Change governance on the embedded store.
func TestGovernanceEmbedded(t *testing.T) { governancetest.Run(t, embeddedHarness) }

func analysisImpact(b *testing.B, s graph.Store) (*analysis.ImpactResult, error) {
	return analysis.Impact(b.Context(), s, analysis.ImpactQuery{Refs: []string{"Repository:github.com/acme/auth-client-go"}})
}

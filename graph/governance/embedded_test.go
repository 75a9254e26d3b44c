package governance_test

import (
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
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

package analysis_test

import (
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis/analysistest"
	"github.com/estate-cmdb/estate/graph/embedded"
)

func embeddedHarness(t testing.TB) graph.Store {
	s, err := embedded.Open(t.Context(), t.TempDir(), embedded.Options{Logger: zerolog.Nop(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// The answers' conformance suite on the embedded store.
func TestAnswersEmbedded(t *testing.T) { analysistest.Run(t, embeddedHarness) }

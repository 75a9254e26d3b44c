package analysis_test

import (
	"testing"

	"github.com/estate-cmdb/estate/graph/analysis/analysistest"
	"github.com/estate-cmdb/estate/graph/embedded/embeddedtest"
)

// The answers' conformance suite on the embedded store.
func TestAnswersEmbedded(t *testing.T) { analysistest.Run(t, embeddedtest.Harness) }

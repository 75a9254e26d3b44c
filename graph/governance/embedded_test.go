package governance_test

import (
	"testing"

	"github.com/estate-cmdb/estate/graph/embedded/embeddedtest"
	"github.com/estate-cmdb/estate/graph/governance/governancetest"
)

// Change governance on the embedded store.
func TestGovernanceEmbedded(t *testing.T) { governancetest.Run(t, embeddedtest.Harness) }

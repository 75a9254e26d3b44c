package governance_test

import (
	"testing"

	"github.com/estate-cmdb/estate/graph/embedded/embeddedtest"
	"github.com/estate-cmdb/estate/graph/governance/governancetest"
)

// Change governance's benchmarks on the embedded store (governancetest),
// up to 100,000 recorded changes.
func BenchmarkGovernance(b *testing.B) {
	governancetest.RunBenchmarks(b, embeddedtest.Harness, 0, 1_000, 10_000, 100_000)
}

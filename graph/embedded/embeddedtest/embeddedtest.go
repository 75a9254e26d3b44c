// Package embeddedtest opens embedded stores for other packages' tests and
// benchmarks, as the harness their conformance suites take. It is for tests
// only.
package embeddedtest

import (
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
)

// Harness opens a fresh embedded store in a temporary directory and closes
// it when the test ends. Writes are not synced: what a suite checks is the
// answers, not durability (the embedded store's own tests cover that).
func Harness(t testing.TB) graph.Store {
	t.Helper()
	s, err := embedded.Open(t.Context(), t.TempDir(), embedded.Options{Logger: zerolog.Nop(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

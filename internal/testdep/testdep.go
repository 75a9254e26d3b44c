// Package testdep connects tests to the real dependencies the scripts in
// scripts/ start (Neo4j, moto, Keycloak). Each start script prints the
// variable its tests read; without it a test skips, saying how to start the
// dependency, or fails when the dependency's REQUIRE variable is 1 — as
// scripts/test.sh sets it, so that no leg of CI is skipped unseen.
package testdep

import (
	"fmt"
	"os"
	"testing"
)

// Env returns the environment variable name, skipping the test when it is
// unset, or failing it when the variable require is "1". script is the
// start script that sets name, for the message.
func Env(tb testing.TB, name, require, script string) string {
	tb.Helper()
	if v := os.Getenv(name); v != "" {
		return v
	}
	msg := fmt.Sprintf(`%s is not set: start it with  set -a; eval "$(%s start)"; set +a`, name, script)
	if os.Getenv(require) == "1" {
		tb.Fatalf("%s (%s=1: this leg must run)", msg, require)
	}
	tb.Skip(msg)
	return ""
}

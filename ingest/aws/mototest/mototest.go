// Package mototest connects tests to moto, the AWS API emulator estate's
// AWS and S3 tests run against, started with
//
//	set -a; eval "$(scripts/moto.sh start)"; set +a
//
// It is for tests only: it reads the environment and fails or skips the
// test it is given.
package mototest

import (
	"os"
	"testing"

	"github.com/estate-cmdb/estate/internal/testdep"
)

// Endpoint returns moto's URL from ESTATE_AWS_ENDPOINT, skipping the test
// when none is configured, or failing it when ESTATE_REQUIRE_AWS=1 (CI,
// where the AWS leg must run).
func Endpoint(tb testing.TB) string {
	tb.Helper()
	return testdep.Env(tb, "ESTATE_AWS_ENDPOINT", "ESTATE_REQUIRE_AWS", "scripts/moto.sh")
}

// Credentials puts static credentials in the environment for the rest of
// the test, where the SDK's default chain finds them (moto takes any key),
// and hides whatever profile, session, region or shared files the machine
// has, so the test reads only what it set.
func Credentials(tb testing.TB, keyID, secret string) {
	tb.Setenv("AWS_ACCESS_KEY_ID", keyID)
	tb.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	tb.Setenv("AWS_SESSION_TOKEN", "")
	tb.Setenv("AWS_PROFILE", "")
	tb.Setenv("AWS_REGION", "")
	tb.Setenv("AWS_CONFIG_FILE", os.DevNull)
	tb.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
}

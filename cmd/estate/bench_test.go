package main

import (
	"strings"
	"testing"
)

// TestBenchUsage: bad flags are usage errors naming what was wrong, before
// anything is generated or opened. (bench/harness's smoke tests run the
// harness itself.)
func TestBenchUsage(t *testing.T) {
	out, _, code := cli(t, "", "bench", "--help")
	if code != exitOK || !strings.Contains(out, "--tier") || !strings.Contains(out, "--neo4j-uri") {
		t.Errorf("estate bench --help: exit %d:\n%s", code, out)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--tier", "XL"}, `Tier "XL"`},
		{[]string{"--store", "sqlite"}, `--store "sqlite"`},
		{[]string{"--figures", "F1,F9"}, `figure "F9"`},
		{[]string{"--runs", "many"}, "--runs"},
		{[]string{"--direct-batch-sizes", "5000,0"}, "--direct-batch-sizes: 0 is not a batch size"},
	} {
		_, stderr, code := cli(t, "", append([]string{"bench", "--dir", t.TempDir()}, tc.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tc.msg) {
			t.Errorf("estate bench %v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, stderr, exitUsage, tc.msg)
		}
	}
}

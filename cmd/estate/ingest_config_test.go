package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIngestRunFromConfig(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "estate.yaml")
	missing := filepath.Join(t.TempDir(), "no-such-repo")
	if err := os.WriteFile(cfg, []byte("sources:\n  - name: demo\n    type: demo\n  - name: gone\n    type: git\n    target: "+missing+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	type report struct {
		Source, Status string
		Summary        map[string]int
	}
	reports := func(out string) []report {
		var rs []report
		dec := json.NewDecoder(strings.NewReader(out))
		for dec.More() {
			var r report
			if err := dec.Decode(&r); err != nil {
				t.Fatalf("report: %v\n%s", err, out)
			}
			rs = append(rs, r)
		}
		return rs
	}

	// One named source: its report, with the shadow figures of the run.
	out, stderr, code := cli(t, "", "ingest", "run", "demo", "--config", cfg, "--data-dir", dir)
	rs := reports(out)
	if code != exitOK || len(rs) != 1 || rs[0].Source != "demo" || rs[0].Status != "succeeded" {
		t.Fatalf("ingest run demo: exit %d, reports %+v: %s", code, rs, stderr)
	}
	if rs[0].Summary["shadow.total"] == 0 || rs[0].Summary["shadow.unregistered-account"] != 1 {
		t.Errorf("demo run summary %v, want the shadow counts (one unregistered account)", rs[0].Summary)
	}

	// All sources, in order, the file named by ESTATE_CONFIG: the second
	// fails, so the exit code is a failure's, and the first still ran.
	t.Setenv("ESTATE_CONFIG", cfg)
	out, stderr, code = cli(t, "", "ingest", "run", "--data-dir", dir)
	rs = reports(out)
	if code != exitError || len(rs) != 2 || rs[0].Status != "succeeded" || rs[1].Status != "failed" {
		t.Errorf("ingest run (all): exit %d, reports %+v, stderr %s", code, rs, stderr)
	}

	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"ingest", "run", "nope", "--data-dir", dir}, `no source "nope"`},
		{[]string{"ingest", "run", "--config", filepath.Join(dir, "absent.yaml"), "--data-dir", dir}, "absent.yaml"},
	} {
		if _, stderr, code := cli(t, "", tc.args...); code != exitUsage || !strings.Contains(stderr, tc.msg) {
			t.Errorf("estate %v: exit %d, stderr %q; want usage error mentioning %q", tc.args, code, stderr, tc.msg)
		}
	}
}

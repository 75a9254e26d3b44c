package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/ingest/demo"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// goldenText compares got with testdata/name.golden, or rewrites it with
// -update.
func goldenText(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("output differs from %s (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// demoDir is a data directory holding the demo estate, ingested through
// the CLI.
func demoDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, stderr, code := cli(t, "", "ingest", "demo", "--data-dir", dir); code != exitOK {
		t.Fatalf("ingest demo: exit %d: %s", code, stderr)
	}
	return dir
}

func TestAnswerTables(t *testing.T) {
	dir := demoDir(t)
	for _, tc := range []struct {
		golden string
		args   []string
		// noPaths drops the PATH column: where several shortest paths
		// reach an item, which one comes back is unspecified
		// (Store.Traverse).
		noPaths bool
	}{
		{golden: "owners_payments_api", args: []string{"owners", demo.PaymentsHostname}},
		{golden: "owners_pricing_service", args: []string{"owners", demo.ConflictApp}},
		{golden: "owners_ambiguous", args: []string{"owners", "payments"}},
		{golden: "impact_payments_api_repo", args: []string{"impact", "https://github.com/acme/payments-api"}, noPaths: true},
		{golden: "impact_monorepo_path", args: []string{"impact", demo.MonorepoKey, "--changed-path", "services/pricing/src/rules.ts"}},
		{golden: "impact_upstream", args: []string{"impact", "Application:checkout-api", "--direction", "upstream", "--depth", "1"}},
		{golden: "shadow", args: []string{"shadow"}},
		{golden: "health", args: []string{"health"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			out, stderr, code := cli(t, "", append(tc.args, "--data-dir", dir)...)
			want := exitOK
			if tc.golden == "owners_ambiguous" {
				want = exitError
			}
			if code != want {
				t.Fatalf("estate %v: exit %d, want %d: %s", tc.args, code, want, stderr)
			}
			if tc.noPaths {
				out = dropPathColumn(out)
			}
			goldenText(t, tc.golden, out)
		})
	}
}

// dropPathColumn cuts the lines of the DEPTH/KIND/KEY/PATH table at the
// PATH column.
func dropPathColumn(out string) string {
	lines := strings.Split(out, "\n")
	col := -1
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "DEPTH "):
			col = strings.Index(l, "PATH")
		case l == "":
			col = -1
		}
		if col >= 0 && len(l) > col {
			lines[i] = strings.TrimRight(l[:col], " ")
		}
	}
	return strings.Join(lines, "\n")
}

func TestAnswerJSONAndExitCodes(t *testing.T) {
	dir := demoDir(t)

	out, stderr, code := cli(t, "", "owners", demo.MultiOwnerApp, "--format", "json", "--data-dir", dir)
	var o struct {
		Subject struct{ Key string }
		Owners  []struct {
			Key, Role, Class string
			Accountable      bool
		}
		Escalation []struct{ Steps []struct{ Key string } }
	}
	if code != exitOK || json.Unmarshal([]byte(out), &o) != nil {
		t.Fatalf("owners --format json: exit %d: %s %s", code, out, stderr)
	}
	if o.Subject.Key != demo.MultiOwnerApp || len(o.Owners) != 3 || o.Owners[0].Key != "payments-core" ||
		o.Owners[0].Class != "descriptor" || !o.Owners[0].Accountable || len(o.Escalation) != 1 {
		t.Errorf("owners JSON: %s", out)
	}

	out, _, code = cli(t, "", "impact", "github.com/acme/payments-api", "--format", "json", "--depth", "2", "--data-dir", dir)
	var im struct {
		HighestTier int
		Affected    []struct{ Key string }
		Notify      []struct{ Key string }
	}
	if code != exitOK || json.Unmarshal([]byte(out), &im) != nil || im.HighestTier != 1 || len(im.Affected) != 5 {
		t.Errorf("impact --format json: exit %d: %s", code, out)
	}

	out, _, code = cli(t, "", "shadow", "--format", "csv", "--data-dir", dir)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != exitOK || err != nil || len(rows) < 2 || rows[0][0] != "finding" {
		t.Fatalf("shadow --format csv: exit %d, %v:\n%s", code, err, out)
	}
	unowned := 0
	for _, r := range rows[1:] {
		if r[0] == "unowned-resource" {
			unowned++
		}
	}
	if unowned != len(demo.UnownedResources) {
		t.Errorf("csv lists %d unowned resources, want %d", unowned, len(demo.UnownedResources))
	}
	// Filtered: only the rows the filters pick, the same as filtering the
	// whole list by hand.
	out, _, code = cli(t, "", "shadow", "--format", "csv", "--finding", "unowned-resource", "--finding", "unknown-team-tag",
		"--account", demo.ShadowAccount, "--data-dir", dir)
	picked, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	want := [][]string{rows[0]}
	for _, r := range rows[1:] {
		if (r[0] == "unowned-resource" || r[0] == "unknown-team-tag") && r[4] == demo.ShadowAccount {
			want = append(want, r)
		}
	}
	if code != exitOK || err != nil || len(want) < 3 || len(want) == len(rows) || !slices.EqualFunc(picked, want, slices.Equal) {
		t.Errorf("shadow filtered: exit %d, %v: %d rows, want %d:\n%s", code, err, len(picked), len(want), out)
	}
	out, _, code = cli(t, "", "shadow", "--business-unit", "", "--finding", "departed-owner", "--data-dir", dir)
	if code != exitOK || !strings.HasPrefix(out, fmt.Sprintf("1 of %d findings\n", len(rows)-1)) {
		t.Errorf("shadow --business-unit '' --finding departed-owner: exit %d:\n%s", code, out)
	}

	out, _, code = cli(t, "", "health", "--format", "json", "--data-dir", dir)
	var h struct {
		Completeness struct {
			ServicesOwned struct{ Count, Total int }
		}
	}
	if code != exitOK || json.Unmarshal([]byte(out), &h) != nil || h.Completeness.ServicesOwned.Count != 21 || h.Completeness.ServicesOwned.Total != 22 {
		t.Errorf("health --format json: exit %d: %s", code, out)
	}

	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"owners", "no-such-thing-anywhere"}, exitNotFound, "names nothing"},
		{[]string{"impact", "storefront", "no-such-thing-anywhere"}, exitNotFound, "names nothing"},
		{[]string{"impact", "storefront", "--depth", "11"}, exitUsage, "--depth"},
		{[]string{"impact", "storefront", "--direction", "sideways"}, exitUsage, "--direction"},
		{[]string{"impact", "payments"}, exitUsage, "ambiguous"},
		{[]string{"shadow", "--format", "xml"}, exitUsage, "--format"},
		{[]string{"shadow", "--finding", "unowned"}, exitUsage, `finding kind "unowned"`},
		{[]string{"owners", "payments", "--format", "csv"}, exitUsage, "--format"},
		{[]string{"health", "--stale-days", "0"}, exitUsage, "--stale-days"},
	} {
		out, stderr, code := cli(t, "", append(tc.args, "--data-dir", dir)...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("estate %v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, stderr, tc.code, tc.msg)
		}
		if bytes.Count([]byte(strings.TrimSpace(stderr)), []byte("\n")) > 0 {
			t.Errorf("estate %v: error takes several lines: %s", tc.args, stderr)
		}
		_ = out
	}
}

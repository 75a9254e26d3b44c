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
		code    int
	}{
		{golden: "owners_payments_api", args: []string{"owners", demo.PaymentsHostname}},
		{golden: "owners_pricing_service", args: []string{"owners", demo.ConflictApp}},
		{golden: "owners_ambiguous", args: []string{"owners", "payments"}, code: exitError},
		{golden: "owned_by_person", args: []string{"owned-by", "priya.shah@acme.example"}},
		{golden: "owners_team", args: []string{"owners", "Team:platform-sre"}},
		{golden: "owners_each", args: []string{"owners", demo.PaymentsHostname, "no-such-host.example", "payments",
			"https://github.com/acme/payments-api/blob/main/go.mod", demo.ConflictApp}, code: exitNotFound},
		{golden: "impact_payments_api_repo", args: []string{"impact", "https://github.com/acme/payments-api"}, noPaths: true},
		{golden: "impact_monorepo_path", args: []string{"impact", demo.MonorepoKey, "--changed-path", "services/pricing/src/rules.ts"}},
		{golden: "impact_upstream", args: []string{"impact", "Application:checkout-api", "--direction", "upstream", "--depth", "1"}},
		{golden: "shadow", args: []string{"shadow"}},
		{golden: "health", args: []string{"health"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			out, stderr, code := cli(t, "", append(tc.args, "--data-dir", dir)...)
			if code != tc.code {
				t.Fatalf("estate %v: exit %d, want %d: %s", tc.args, code, tc.code, stderr)
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
	if code != exitOK || !strings.HasPrefix(out, fmt.Sprintf("1 of %d open findings\n", len(rows)-1)) {
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
		{[]string{"owners", "payments", "--format", "xml"}, exitUsage, "--format"},
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

// A list of refs, as a scanner's report gives them: read from a file or
// standard input, one line each in the order given, as a spreadsheet
// reads it or as JSON, and the exit code saying whether every ref was
// answered.
func TestOwnersOfEach(t *testing.T) {
	dir := demoDir(t)
	list := "# hosts from the scan\n" + demo.PaymentsHostname + "\r\n\n  no-such-host.example  \n" + demo.ConflictApp + "\n"
	out, stderr, code := cli(t, list, "owners", "--refs-from", "-", "--format", "csv", "--data-dir", dir)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != exitNotFound || err != nil {
		t.Fatalf("exit %d, want %d; %v: %s %s", code, exitNotFound, err, out, stderr)
	}
	want := [][]string{
		{"ref", "subject", "technical", "business", "support", "security", "contact", "code", "note"},
		{demo.PaymentsHostname, "Application:" + demo.MultiOwnerApp, "payments-core", "priya.shah@acme.example", "platform-sre", "",
			"payments-core@acme.example slack:#payments-core", "", ""},
		{"no-such-host.example", "", "", "", "", "", "", "NOT_FOUND", `"no-such-host.example" names nothing in the estate (no key, alias, repository URL, host name or search match)`},
		{demo.ConflictApp, "Application:" + demo.ConflictApp, "checkout", "laura.martin@acme.example", "", "", "checkout@acme.example slack:#checkout", "", ""},
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("csv:\n got %q\nwant %q", rows, want)
	}
	if !strings.Contains(stderr, "naming nothing: 1") {
		t.Errorf("stderr does not count the ref naming nothing: %s", stderr)
	}

	// The same file, as JSON: each ref's whole answer, or its code.
	path := filepath.Join(t.TempDir(), "refs.txt")
	if err := os.WriteFile(path, []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code = cli(t, "", "owners", "--refs-from", path, "--format", "json", "--data-dir", dir)
	var ls []struct {
		Ref, Code string
		Answer    *struct {
			Subject struct{ Key string }
			Owners  []struct{ Key string }
		}
	}
	if code != exitNotFound || json.Unmarshal([]byte(out), &ls) != nil || len(ls) != 3 || ls[0].Answer == nil || len(ls[0].Answer.Owners) != 3 ||
		ls[1].Code != "NOT_FOUND" || ls[1].Answer != nil || ls[2].Answer == nil || ls[2].Answer.Subject.Key != demo.ConflictApp {
		t.Errorf("json: exit %d: %s", code, out)
	}

	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		err   string
	}{
		{"every ref answered", "", []string{demo.PaymentsHostname, demo.ConflictApp}, exitOK, ""},
		{"one ref as csv: a line", "", []string{"--format", "csv", "no-such-host.example"}, exitNotFound, "naming nothing: 1"},
		{"an ambiguous ref", "", []string{demo.PaymentsHostname, "payments"}, exitError, "ambiguous or unreadable: 1"},
		{"a list with no refs", "# nothing\n\n", []string{"--refs-from", "-"}, exitUsage, "no refs"},
		{"a file that is not there", "", []string{"--refs-from", filepath.Join(dir, "missing.txt")}, exitError, "missing.txt"},
		{"a line too long to be a ref", strings.Repeat("x", 70<<10), []string{"--refs-from", "-"}, exitError, "too long"},
		{"no ref at all", "", nil, exitUsage, "give a REF"},
		{"a format for tables only", "", []string{"a", "b", "--format", "yaml"}, exitUsage, "--format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := cli(t, tc.stdin, append(append([]string{"owners"}, tc.args...), "--data-dir", dir)...)
			if code != tc.code || !strings.Contains(stderr, tc.err) {
				t.Errorf("exit %d, want %d with %q: %s", code, tc.code, tc.err, stderr)
			}
		})
	}
}

// owned-by as a spreadsheet reads it, and its exit codes.
func TestOwnedByCommand(t *testing.T) {
	dir := demoDir(t)
	out, stderr, code := cli(t, "", "owned-by", "Team:platform-sre", "--format", "csv", "--data-dir", dir)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != exitOK || err != nil || len(rows) < 2 {
		t.Fatalf("exit %d, %v: %s %s", code, err, out, stderr)
	}
	if !slices.Equal(rows[0], []string{"kind", "key", "name", "role", "class", "accountable", "inherited_from", "truncated"}) ||
		!slices.ContainsFunc(rows, func(r []string) bool {
			return slices.Equal(r[:2], []string{"Repository", "github.com/acme/payments-api"}) && r[3] == "support" && r[6] == "Application:payments-api"
		}) {
		t.Errorf("csv lacks payments-api's repository, inherited for support from the application:\n%s", out)
	}
	for _, tc := range []struct {
		ref  string
		code int
	}{{"no-such-team-anywhere", exitNotFound}, {demo.MultiOwnerApp, exitUsage}} {
		if _, stderr, code := cli(t, "", "owned-by", tc.ref, "--data-dir", dir); code != tc.code {
			t.Errorf("owned-by %s: exit %d, want %d: %s", tc.ref, code, tc.code, stderr)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph/analysis"
)

// cli runs the estate command in-process, as a user would from a shell.
func cli(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"--log-format", "json", "--log-level", "warn"}, args...),
		strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestHelpAndUsage(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"export", "--help"}, {"import", "--help"},
		{"ingest", "--help"}, {"ingest", "synthetic", "--help"}, {"token", "create", "--help"}} {
		out, _, code := cli(t, "", args...)
		if code != exitOK || !strings.Contains(out, "Usage:") {
			t.Errorf("estate %v: exit %d, output without usage:\n%s", args, code, out)
		}
	}
	// shadow's help lists every finding kind, wrapped like the rest.
	out, _, _ := cli(t, "", "shadow", "--help")
	for _, k := range analysis.FindingKinds {
		if !strings.Contains(out, k) {
			t.Errorf("shadow --help lacks the finding kind %s", k)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if len(l) > 80 && !strings.HasPrefix(strings.TrimSpace(l), "-") {
			t.Errorf("shadow --help has a line of %d characters: %q", len(l), l)
		}
	}
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"serve", "--no-such-flag"}, exitUsage, "unknown flag"},
		{[]string{"ingest", "synthetic", "--tier", "XL", "--data-dir", t.TempDir()}, exitUsage, "XL"},
		{[]string{"export", "--store", "sqlite", "--data-dir", t.TempDir()}, exitUsage, "--store"},
		{[]string{"token", "create", "--role", "root", "--data-dir", t.TempDir()}, exitUsage, "role"},
		{[]string{"nonsense"}, exitError, "unknown command"},
	}
	for _, tc := range cases {
		_, stderr, code := cli(t, "", tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("estate %v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, stderr, tc.code, tc.msg)
		}
		if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines > 0 {
			t.Errorf("estate %v: error takes %d lines, want one:\n%s", tc.args, lines+1, stderr)
		}
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	dir1, dir2 := t.TempDir(), t.TempDir()
	if _, stderr, code := cli(t, "", "ingest", "demo", "--data-dir", dir1); code != exitOK {
		t.Fatalf("ingest demo: exit %d: %s", code, stderr)
	}
	first, stderr, code := cli(t, "", "export", "--data-dir", dir1)
	if code != exitOK || strings.Count(first, "\n") < 500 {
		t.Fatalf("export: exit %d, %d lines: %s", code, strings.Count(first, "\n"), stderr)
	}
	out, stderr, code := cli(t, first, "import", "--data-dir", dir2)
	if code != exitOK || !strings.Contains(out, "imported") {
		t.Fatalf("import: exit %d: %s %s", code, out, stderr)
	}
	file := filepath.Join(t.TempDir(), "second.jsonl")
	if _, stderr, code := cli(t, "", "export", "--data-dir", dir2, "--out", file); code != exitOK {
		t.Fatalf("export --out: exit %d: %s", code, stderr)
	}
	second, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(second) != first {
		t.Fatal("export → import → export gives different output")
	}
	// Importing again into the now-full store is refused and changes nothing.
	if _, stderr, code := cli(t, first, "import", "--data-dir", dir2); code == exitOK || !strings.Contains(stderr, "empty store") {
		t.Fatalf("second import: exit %d, stderr %q", code, stderr)
	}
}

func TestImportBadInputChangesNothing(t *testing.T) {
	dir := t.TempDir()
	bad := `{"node":{"kind":"Service","key":"","assertions":[]}}` + "\n"
	_, stderr, code := cli(t, bad, "import", "--data-dir", dir)
	if code != exitError || !strings.Contains(stderr, "line 1") {
		t.Fatalf("bad import: exit %d, stderr %q", code, stderr)
	}
	out, _, _ := cli(t, "", "export", "--data-dir", dir)
	if out != "" {
		t.Fatalf("a rejected import left data:\n%s", out)
	}
}

func TestFlagsFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ESTATE_DATA_DIR", dir)
	if _, stderr, code := cli(t, "", "ingest", "demo"); code != exitOK {
		t.Fatalf("ingest demo with ESTATE_DATA_DIR: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "estate.db")); err != nil {
		t.Fatalf("ESTATE_DATA_DIR was not used: %v", err)
	}
	t.Setenv("ESTATE_STORE", "cassandra")
	if _, stderr, code := cli(t, "", "export"); code != exitUsage || !strings.Contains(stderr, "cassandra") {
		t.Fatalf("ESTATE_STORE=cassandra: exit %d, stderr %q", code, stderr)
	}
}

func TestTokens(t *testing.T) {
	dir := t.TempDir()
	tok, stderr, code := cli(t, "", "token", "create", "--role", "editor", "--name", "ci", "--data-dir", dir)
	tok = strings.TrimSpace(tok)
	if code != exitOK || tok == "" {
		t.Fatalf("token create: exit %d: %s", code, stderr)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), tok) {
		t.Fatal("tokens.json holds the plaintext token")
	}
	list, _, code := cli(t, "", "token", "list", "--data-dir", dir)
	if code != exitOK || !strings.Contains(list, "editor") || !strings.Contains(list, "ci") || strings.Contains(list, tok) {
		t.Fatalf("token list: exit %d:\n%s", code, list)
	}
	id := strings.Fields(strings.Split(list, "\n")[1])[0]
	if _, stderr, code := cli(t, "", "token", "revoke", id, "--data-dir", dir); code != exitOK {
		t.Fatalf("token revoke: exit %d: %s", code, stderr)
	}
	if list, _, _ := cli(t, "", "token", "list", "--data-dir", dir); strings.Contains(list, id) {
		t.Fatalf("revoked token still listed:\n%s", list)
	}
	if _, _, code := cli(t, "", "token", "revoke", "no-such-id", "--data-dir", dir); code == exitOK {
		t.Fatal("revoking an unknown token succeeded")
	}
}

func TestLockedDataDir(t *testing.T) {
	dir := t.TempDir()
	a := &app{}
	a.store.backend, a.store.dataDir = "embedded", dir
	s, err := a.openStore(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, stderr, code := cli(t, "", "export", "--data-dir", dir)
	if code != exitError || !strings.Contains(stderr, "in use by another estate process") || !strings.Contains(stderr, "GraphQL API") {
		t.Fatalf("export on a locked dir: exit %d, stderr %q", code, stderr)
	}
}

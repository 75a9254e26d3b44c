package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/server"
	"github.com/estate-cmdb/estate/server/auth"
)

// estate change assess on a local store: the class decides the exit code,
// JSON carries the factors, bad input exits 2 or 3 naming what was wrong.
func TestChangeAssessLocal(t *testing.T) {
	dir := demoDir(t)
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		out   string // in stdout
		errIn string // in stderr
	}{
		{"shared library is HIGH", []string{"--repo", "github.com/acme/auth-client-go", "--commit", "abc", "--format", "json"}, exitChangeHigh, `"class": "HIGH"`, "waiting for the change advisory board"},
		{"the same change again", []string{"--repo", "github.com/acme/auth-client-go", "--commit", "abc"}, exitChangeHigh, "(recorded decision)", ""},
		{"marketing change is NORMAL", []string{"--repo", "https://github.com/acme/www-marketing.git", "--commit", "n1", "--changed-path", "src/a.ts", "--lines-changed", "30", "--coverage", "80"}, exitChangeNormal, "80% of the changed code is covered", "approval by team marketing-web"},
		{"unknown repository", []string{"--repo", "github.com/acme/nope", "--commit", "a"}, exitNotFound, "", `"github.com/acme/nope" is not a repository`},
		{"no commit", []string{"--repo", "github.com/acme/auth-client-go"}, exitUsage, "", "commit: required"},
		{"unknown environment", []string{"--repo", "github.com/acme/auth-client-go", "--commit", "a", "--environment", "moon"}, exitUsage, "", `environment: "moon"`},
		{"bad format", []string{"--repo", "github.com/acme/auth-client-go", "--commit", "a", "--format", "xml"}, exitUsage, "", "--format"},
	} {
		out, errOut, code := cli(t, "", append([]string{"change", "assess", "--data-dir", dir}, tc.args...)...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.errIn) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d, %q, %q", tc.name, code, out, errOut, tc.code, tc.out, tc.errIn)
		}
	}
}

// Changes survive export and import unchanged.
func TestChangeExportImport(t *testing.T) {
	dir := demoDir(t)
	if _, errOut, code := cli(t, "", "change", "assess", "--data-dir", dir, "--repo", "github.com/acme/auth-client-go", "--commit", "abc", "--coverage", "55.5"); code != exitChangeHigh {
		t.Fatalf("assess: exit %d %s", code, errOut)
	}
	tmp := t.TempDir()
	first, second := filepath.Join(tmp, "1.jsonl"), filepath.Join(tmp, "2.jsonl")
	for _, args := range [][]string{
		{"export", "--data-dir", dir, "--out", first},
		{"import", "--data-dir", filepath.Join(tmp, "copy"), first},
		{"export", "--data-dir", filepath.Join(tmp, "copy"), "--out", second},
	} {
		if _, errOut, code := cli(t, "", args...); code != exitOK {
			t.Fatalf("%v: exit %d %s", args, code, errOut)
		}
	}
	a, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(second)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) || !strings.Contains(string(a), `"key":"github.com/acme/auth-client-go@abc/production"`) {
		t.Errorf("export → import → export differs, or lacks the change")
	}
	out, _, code := cli(t, "", "change", "assess", "--data-dir", filepath.Join(tmp, "copy"), "--repo", "github.com/acme/auth-client-go", "--commit", "abc")
	if code != exitChangeHigh || !strings.Contains(out, "(recorded decision)") {
		t.Errorf("the imported change is not the recorded decision: exit %d\n%s", code, out)
	}
}

// estate change policy prints the built-in policy, which --check accepts;
// a malformed policy exits 2 naming the field.
func TestChangePolicy(t *testing.T) {
	out, _, code := cli(t, "", "change", "policy")
	if code != exitOK || !strings.Contains(out, "standardChanges:") {
		t.Fatalf("change policy: exit %d\n%s", code, out)
	}
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.yaml"), filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(strings.Replace(out, "highAt: 50", "highAt: -5", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := cli(t, "", "change", "policy", "--check", good); code != exitOK || !strings.Contains(out, "is valid") {
		t.Errorf("check the built-in policy: exit %d %s %s", code, out, errOut)
	}
	if _, errOut, code := cli(t, "", "change", "policy", "--check", bad); code != exitUsage || !strings.Contains(errOut, "policy field highAt: -5") {
		t.Errorf("check a bad policy: exit %d %s", code, errOut)
	}
	if _, errOut, code := cli(t, "", "change", "assess", "--data-dir", t.TempDir(), "--policy", bad, "--repo", "x", "--commit", "y"); code != exitUsage || !strings.Contains(errOut, "highAt") {
		t.Errorf("assess under a bad policy: exit %d %s", code, errOut)
	}
}

// With --server the CLI asks a running estate through its webhook.
func TestChangeAssessRemote(t *testing.T) {
	dir := demoDir(t)
	s, err := embedded.Open(t.Context(), dir, embedded.Options{Logger: zerolog.Nop(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tokens, err := auth.Open(filepath.Join(t.TempDir(), auth.FileName))
	if err != nil {
		t.Fatal(err)
	}
	editor, _, err := tokens.Create(auth.RoleEditor, "ci")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{}, s, tokens, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	out, errOut, code := cli(t, "", "change", "assess", "--server", ts.URL, "--token", editor, "--repo", "github.com/acme/auth-client-go", "--commit", "r1", "--format", "json")
	var c struct{ Class string }
	if code != exitChangeHigh || json.Unmarshal([]byte(out), &c) != nil || c.Class != "HIGH" {
		t.Errorf("remote assess: exit %d %s %s", code, out, errOut)
	}
	// Where to decide it: the change's page in the server's web UI.
	if want := "decide at " + ts.URL + "/changes/github.com%2Facme%2Fauth-client-go@r1%2Fproduction"; !strings.Contains(errOut, want) {
		t.Errorf("remote assess of a pending change: %q lacks %q", errOut, want)
	}
	page, _ := http.Get(ts.URL + "/changes/github.com%2Facme%2Fauth-client-go@r1%2Fproduction")
	if page == nil || page.StatusCode != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Errorf("the change's page: %+v", page)
	}
	if page != nil {
		page.Body.Close()
	}
	if _, errOut, code := cli(t, "", "change", "assess", "--server", ts.URL, "--token", editor, "--repo", "github.com/acme/nope", "--commit", "r1"); code != exitNotFound || !strings.Contains(errOut, "is not a repository") {
		t.Errorf("remote unknown repository: exit %d %s", code, errOut)
	}
	if _, errOut, code := cli(t, "", "change", "assess", "--server", ts.URL, "--token", "est_wrong", "--repo", "github.com/acme/auth-client-go", "--commit", "r2"); code != exitError || !strings.Contains(errOut, "token") {
		t.Errorf("remote with a bad token: exit %d %s", code, errOut)
	}
}

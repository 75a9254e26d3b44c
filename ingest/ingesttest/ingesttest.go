// Package ingesttest holds checks every source's tests share. It is for
// tests only.
package ingesttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/graph/jsonl"
	"github.com/estate-cmdb/estate/ingest"
)

// SecretsNeverShow runs the sources newSources makes, one after another,
// through the engine into a fresh embedded store, with a trace-level logger
// for the sources and the engine, and fails t if any of secrets is anywhere
// a user could see it: the logs, the run reports, the errors, the export.
//
// So that the check cannot pass by accident, the runs must have logged
// something and left something to export, and every string in want (such
// as "partial" and the failure a source was made to hit) must appear.
func SecretsNeverShow(t *testing.T, newSources func(log zerolog.Logger) []ingest.Source, secrets []string, want ...string) {
	t.Helper()
	ctx := context.Background()
	st, err := embedded.Open(ctx, t.TempDir(), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var logs bytes.Buffer
	log := zerolog.New(&logs).Level(zerolog.TraceLevel)
	var texts []string
	for _, src := range newSources(log) {
		rep, err := ingest.Run(ctx, st, src, ingest.Options{Logger: log})
		b, _ := json.Marshal(rep)
		texts = append(texts, string(b), fmt.Sprint(err))
	}
	var exp bytes.Buffer
	if _, err := jsonl.Export(ctx, st, &exp); err != nil {
		t.Fatal(err)
	}
	texts = append(texts, logs.String(), exp.String())
	all := strings.Join(texts, "\n")
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("the secret %q is in the logs, a report, an error or the export:\n%s", s, all)
		}
	}
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("%q is nowhere in the logs, reports, errors or export: the runs did not go as the test meant, so the check proves nothing", w)
		}
	}
	if exp.Len() == 0 || logs.Len() == 0 {
		t.Errorf("nothing logged or nothing exported: the check proves nothing")
	}
}

// GitRepo makes a real git repository in a temporary directory: files
// (slash-separated paths) committed once by a fixed author on branch main,
// with remote as its origin. It returns the repository's directory.
func GitRepo(t testing.TB, remote string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"init", "--quiet", "--initial-branch=main"},
		{"remote", "add", "origin", remote},
		{"add", "."},
		{"commit", "--quiet", "-m", "initial commit"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		// No system or user configuration: the test sees git as a fresh
		// machine would.
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Ann", "GIT_AUTHOR_EMAIL=ann@acme.example",
			"GIT_COMMITTER_NAME=Ann", "GIT_COMMITTER_EMAIL=ann@acme.example", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// StuckGitRemote is a git remote over HTTP that holds every request until
// ctx ends, then fails it: a git source cloning from it runs until then,
// so a test sees a run deterministically still running. Cancel ctx before
// the server closes (it waits for its requests).
func StuckGitRemote(ctx context.Context) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-ctx.Done():
		case <-r.Context().Done():
		}
		http.Error(w, "gone", http.StatusInternalServerError)
	}))
}

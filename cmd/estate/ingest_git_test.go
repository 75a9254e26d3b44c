package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/estate-cmdb/estate/ingest/ingesttest"
)

func TestIngestGitLocalRepository(t *testing.T) {
	repo := ingesttest.GitRepo(t, "https://github.com/acme/tools.git",
		map[string]string{"CODEOWNERS": "* @acme/tooling\n", "cli/Dockerfile": "FROM scratch\n"})

	dir := t.TempDir()
	out, stderr, code := cli(t, "", "ingest", "git", repo, "--data-dir", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct{ Source, Status string }
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Status != "succeeded" || rep.Source != "git:local:"+repo {
		t.Fatalf("report %+v %v:\n%s", rep, err, out)
	}
	exp, _, code := cli(t, "", "export", "--data-dir", dir)
	for _, want := range []string{`"key":"github.com/acme/tools"`, `"key":"tools/cli"`, `"key":"tooling"`, "git log: most commits in the last"} {
		if code != exitOK || !strings.Contains(exp, want) {
			t.Errorf("export lacks %s", want)
		}
	}
	if _, stderr, code := cli(t, "", "ingest", "git", filepath.Join(repo, "missing"), "--data-dir", dir); code != exitError || !strings.Contains(stderr, "missing") {
		t.Errorf("missing repository: exit %d %q", code, stderr)
	}
}

func TestIngestGitHubTokenFromEnvironment(t *testing.T) {
	var mu sync.Mutex
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/orgs/acme/repos":
			fmt.Fprint(w, `[{"id":1,"name":"site","full_name":"acme/site","html_url":"https://github.com/acme/site","default_branch":"main","visibility":"private","owner":{"login":"acme"}}]`)
		case "/orgs/acme/teams", "/orgs/acme/members":
			fmt.Fprint(w, `[]`)
		case "/repos/acme/site/git/trees/main":
			fmt.Fprint(w, `{"sha":"1","tree":[],"truncated":false}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	const token = "ghp_do-not-print-me"
	t.Setenv("ESTATE_GITHUB_TOKEN", token)
	dir := t.TempDir()
	out, stderr, code := cli(t, "", "--log-level", "debug", "ingest", "github", "--org", "acme", "--base-url", srv.URL+"/", "--data-dir", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(out+stderr, token) {
		t.Error("the token was printed")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(auth) == 0 || auth[0] != "Bearer "+token {
		t.Errorf("authorization headers %v", auth)
	}
	if _, stderr, code := cli(t, "", "ingest", "github", "--data-dir", dir); code != exitUsage || !strings.Contains(stderr, "organisation") {
		t.Errorf("without --org: exit %d %q", code, stderr)
	}
	if _, stderr, code := cli(t, "", "ingest", "gitlab", "--data-dir", dir); code != exitUsage || !strings.Contains(stderr, "group") {
		t.Errorf("without --group: exit %d %q", code, stderr)
	}
}

func TestIngestGitLabTokenFromEnvironment(t *testing.T) {
	var mu sync.Mutex
	var tokens []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tokens = append(tokens, r.Header.Get("PRIVATE-TOKEN"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v4/groups/acme":
			fmt.Fprint(w, `{"id":1,"name":"Acme","path":"acme","full_path":"acme"}`)
		case "/api/v4/groups/1/projects":
			fmt.Fprint(w, `[{"id":5,"name":"site","path":"site","path_with_namespace":"acme/site","web_url":"https://gitlab.example.com/acme/site","namespace":{"full_path":"acme"}}]`)
		default:
			fmt.Fprint(w, `[]`)
		}
	}))
	defer srv.Close()
	const token = "glpat-do-not-print-me"
	t.Setenv("ESTATE_GITLAB_TOKEN", token)
	dir := t.TempDir()
	out, stderr, code := cli(t, "", "--log-level", "debug", "ingest", "gitlab", "--group", "acme", "--base-url", srv.URL+"/api/v4", "--data-dir", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(out+stderr, token) {
		t.Error("the token was printed")
	}
	exp, _, _ := cli(t, "", "export", "--data-dir", dir)
	if !strings.Contains(exp, `"key":"`+strings.TrimPrefix(srv.URL, "http://")+`/acme/site"`) {
		t.Errorf("export lacks the project:\n%s", exp)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(tokens) == 0 || tokens[0] != token {
		t.Errorf("tokens sent %v", tokens)
	}
}

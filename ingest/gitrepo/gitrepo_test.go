package gitrepo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/graph/jsonl"
	"github.com/estate-cmdb/estate/ingest"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

type repoBuilder struct {
	t   *testing.T
	dir string
	n   int
}

func newRepo(t *testing.T) *repoBuilder {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is required for these tests")
	}
	r := &repoBuilder{t: t, dir: t.TempDir()}
	r.git("", "", "init", "--quiet", "--initial-branch=main")
	return r
}

func (r *repoBuilder) git(author, email string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	date := now.Add(-time.Duration(30-r.n) * 24 * time.Hour).Format(time.RFC3339)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME="+author, "GIT_AUTHOR_EMAIL="+email,
		"GIT_COMMITTER_NAME="+author, "GIT_COMMITTER_EMAIL="+email,
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date, "GIT_CONFIG_NOSYSTEM=1", "HOME="+r.dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// commit writes files (nil content deletes) as author.
func (r *repoBuilder) commit(author, email string, files map[string]string) {
	r.t.Helper()
	for p, c := range files {
		full := filepath.Join(r.dir, p)
		if c == "\x00delete" {
			r.git(author, email, "rm", "-q", p)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			r.t.Fatal(err)
		}
		r.git(author, email, "add", p)
	}
	r.n++
	r.git(author, email, "commit", "--quiet", "-m", fmt.Sprintf("change %d", r.n))
}

const monoCodeowners = `# owners
*                 @acme/platform
/services/api/    @acme/payments @Alice
/services/worker/ @acme/payments not-an-owner
/web/             dev@acme.example
`

const apiCatalog = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  description: Payments API
spec:
  type: service
  lifecycle: production
  owner: group:payments
  system: payments
  dependsOn: [component:payments-worker]
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: payments
spec:
  owner: payments
`

func monorepo(t *testing.T) *repoBuilder {
	r := newRepo(t)
	r.git("", "", "remote", "add", "origin", "git@github.com:Acme/Shop.git")
	r.commit("Alice", "alice@acme.example", map[string]string{
		".github/CODEOWNERS":               monoCodeowners,
		"services/api/catalog-info.yaml":   apiCatalog,
		"services/api/Dockerfile":          "FROM golang\n",
		"services/worker/Dockerfile":       "FROM golang\n",
		"web/Dockerfile":                   "FROM node\n",
		"docker-compose.yml":               "services:\n  worker:\n    build: ./services/worker\n    depends_on: [redis]\n  redis:\n    image: redis:7\n",
		"vendor/x/Dockerfile":              "FROM evil\n",
		"node_modules/y/catalog-info.yaml": "kind: Component\nmetadata: {name: vendored}\n",
		"charts/web/Chart.yaml":            "name: storefront\n",
		"README.md":                        "# shop\n",
	})
	for i := 0; i < 3; i++ {
		r.commit("Bob", "Bob@Acme.example", map[string]string{"web/index.html": fmt.Sprint(i)})
	}
	r.commit("Carol", "12345+carol@users.noreply.github.com", map[string]string{"services/worker/main.go": "package main"})
	r.commit("Carol", "12345+carol@users.noreply.github.com", map[string]string{"services/worker/main.go": "package main // 2"})
	r.commit("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", map[string]string{"web/index.html": "bot"})
	return r
}

type recorder struct {
	nodes    []graph.NodeInput
	edges    []graph.EdgeInput
	errs     []string
	warnings []string
}

func (r *recorder) Node(n graph.NodeInput) error { r.nodes = append(r.nodes, n); return nil }
func (r *recorder) Edge(e graph.EdgeInput) error { r.edges = append(r.edges, e); return nil }
func (r *recorder) ItemError(item string, err error) {
	r.errs = append(r.errs, item+": "+err.Error())
}
func (r *recorder) Warn(item string, err error) {
	r.warnings = append(r.warnings, item+": "+err.Error())
}

func run(t *testing.T, target string) *recorder {
	t.Helper()
	src, err := New(Config{Target: target, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	if err := src.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

func edgeIndex(es []graph.EdgeInput) map[string]graph.EdgeInput {
	m := map[string]graph.EdgeInput{}
	for _, e := range es {
		m[string(e.Type)+" "+e.From.String()+" → "+e.To.String()] = e
	}
	return m
}

func TestMonorepo(t *testing.T) {
	r := monorepo(t)
	rec := run(t, r.dir)
	if len(rec.errs) != 0 {
		t.Errorf("item errors: %v", rec.errs)
	}
	nodes := map[graph.Ref]graph.NodeInput{}
	emitted := map[graph.Ref]bool{}
	for _, n := range rec.nodes {
		if _, err := graph.ValidateNodeInput(n); err != nil {
			t.Errorf("node %v: %v", n.Ref(), err)
		}
		nodes[n.Ref()] = n
		emitted[n.Ref()] = true
	}
	repo := graph.Ref{Kind: graph.KindRepository, Key: "github.com/acme/shop"}
	rn, ok := nodes[repo]
	if !ok {
		t.Fatalf("no repository node; nodes %v", rec.nodes)
	}
	if rn.Props["defaultBranch"] != "main" || rn.Props["host"] != "github.com" {
		t.Errorf("repository props %v", rn.Props)
	}
	es := edgeIndex(rec.edges)
	for _, e := range rec.edges {
		if !emitted[e.From] || !emitted[e.To] {
			t.Errorf("edge %s %v → %v before/without its ends", e.Type, e.From, e.To)
		}
		if _, err := graph.ValidateEdge(e); err != nil {
			t.Error(err)
		}
	}
	want := map[string]struct {
		conf     graph.Confidence
		evidence string
	}{
		"BUILDS Repository:github.com/acme/shop → Application:payments-api": {graph.Declared, "github.com/acme/shop/services/api/catalog-info.yaml:4 Component payments-api"},
		"BUILDS Repository:github.com/acme/shop → Application:shop/worker":  {graph.Inferred, "github.com/acme/shop/docker-compose.yml:3 services.worker.build"},
		"BUILDS Repository:github.com/acme/shop → Application:shop/web":     {graph.Inferred, "github.com/acme/shop/web/Dockerfile"},
		"BUILDS Repository:github.com/acme/shop → Application:storefront":   {graph.Inferred, "github.com/acme/shop/charts/web/Chart.yaml:1 name: storefront"},
		"OWNS Team:payments → Application:payments-api":                     {graph.Declared, "github.com/acme/shop/services/api/catalog-info.yaml:9 spec.owner: group:payments"},
		"PART_OF Application:payments-api → Service:payments":               {graph.Declared, ""},
		"OWNS Team:platform → Repository:github.com/acme/shop":              {graph.Declared, "github.com/acme/shop/.github/CODEOWNERS:2 * @acme/platform"},
		"OWNS Team:payments → Application:shop/worker":                      {graph.Inferred, "github.com/acme/shop/.github/CODEOWNERS:4 /services/worker/ @acme/payments"},
		"OWNS Person:alice → Application:payments-api":                      {graph.Inferred, ""},
		"OWNS Person:bob@acme.example → Repository:github.com/acme/shop":    {graph.Heuristic, "git log: most commits in the last 90 days (github.com/acme/shop)"},
		"OWNS Person:carol → Application:shop/worker":                       {graph.Heuristic, "git log: most commits in the last 90 days (github.com/acme/shop/services/worker)"},
		"OWNS Person:dev@acme.example → Application:shop/web":               {graph.Inferred, ""},
	}
	for k, w := range want {
		e, ok := es[k]
		if !ok {
			t.Errorf("missing %s", k)
			continue
		}
		if e.Confidence != w.conf || (w.evidence != "" && e.Evidence != w.evidence) {
			t.Errorf("%s: %s %q, want %s %q", k, e.Confidence, e.Evidence, w.conf, w.evidence)
		}
	}
	if b := es["BUILDS Repository:github.com/acme/shop → Application:shop/worker"]; b.Props["path"] != "services/worker" {
		t.Errorf("worker path %v", b.Props)
	}
	for k := range es {
		if strings.Contains(k, "vendored") || strings.Contains(k, "evil") {
			t.Errorf("vendored descriptor used: %s", k)
		}
	}
	// payments-worker is named by dependsOn but not in the catalog; the
	// CODEOWNERS line with a malformed owner; compose depends on redis.
	all := strings.Join(rec.warnings, "\n")
	for _, w := range []string{"payments-worker", "not-an-owner", "depends on redis"} {
		if !strings.Contains(all, w) {
			t.Errorf("warnings lack %q:\n%s", w, all)
		}
	}
	if p := nodes[graph.Ref{Kind: graph.KindPerson, Key: "carol"}]; len(p.Aliases) == 0 || p.Aliases[0] != "carol" {
		t.Errorf("noreply committer %+v", p)
	}
}

func TestNormalizeRemote(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com/Acme/Payments.git":         "github.com/acme/payments",
		"https://user:secret@github.com/acme/payments": "github.com/acme/payments",
		"git@github.com:acme/payments.git":             "github.com/acme/payments",
		"ssh://git@gitlab.example.com:2222/a/b/c.git":  "gitlab.example.com/a/b/c",
	} {
		if got, ok := NormalizeRemote(in); !ok || got != want {
			t.Errorf("NormalizeRemote(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"/srv/git/x", "file:///srv/x", "https://github.com/"} {
		if got, ok := NormalizeRemote(in); ok {
			t.Errorf("NormalizeRemote(%q) = %q", in, got)
		}
	}
	if r := redact("https://user:secret@h/x"); strings.Contains(r, "secret") {
		t.Error(r)
	}
}

func TestBadFilesAreItemErrors(t *testing.T) {
	r := newRepo(t)
	big := bytes.Repeat([]byte("a"), 2<<20)
	r.commit("A", "a@x.example", map[string]string{
		"CODEOWNERS":            "* @a\x00binary",
		"catalog-info.yaml":     "kind: Component\nmetadata: {name: [oops\n",
		"big/catalog-info.yaml": string(big),
		"ok/Dockerfile":         "FROM x\n",
	})
	rec := run(t, r.dir)
	all := strings.Join(rec.errs, "\n")
	for _, w := range []string{"CODEOWNERS: binary", "catalog-info.yaml: invalid YAML", "big/catalog-info.yaml: 2097152 bytes"} {
		if !strings.Contains(all, w) {
			t.Errorf("item errors lack %q:\n%s", w, all)
		}
	}
	var ok bool
	for _, n := range rec.nodes {
		if n.Kind == graph.KindApplication && strings.HasSuffix(n.Key, "/ok") {
			ok = true
		}
		if n.Kind == graph.KindRepository && !regexp.MustCompile(`^local:/`).MatchString(n.Key) {
			t.Errorf("repository without remote keyed %q", n.Key)
		}
	}
	if !ok {
		t.Error("the rest of the run did not go on")
	}
}

// A daily re-run of an unchanged repository changes nothing: the evidence
// of the commit heuristic does not move with the clock.
func TestDailyRerunDoesNotChurn(t *testing.T) {
	r := monorepo(t)
	ctx := context.Background()
	st, err := embedded.Open(ctx, t.TempDir(), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var exports []string
	var logs bytes.Buffer
	for day := range 2 {
		at := now.Add(time.Duration(day) * 24 * time.Hour)
		src, err := New(Config{Target: r.dir, Now: func() time.Time { return at }, Logger: zerolog.New(&logs)})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := ingest.Run(ctx, st, src, ingest.Options{Now: func() time.Time { return at }})
		if err != nil || rep.Status != ingest.StatusSucceeded {
			t.Fatalf("day %d: %s %v %v", day, rep.Status, err, rep.Errors)
		}
		var b bytes.Buffer
		if _, err := jsonl.Export(ctx, st, &b); err != nil {
			t.Fatal(err)
		}
		exports = append(exports, regexp.MustCompile(`"(lastSeen|run)":"[^"]*"`).ReplaceAllString(b.String(), ""))
	}
	if exports[0] != exports[1] {
		t.Errorf("a run a day later changed the export beyond lastSeen:\n%s\n---\n%s", exports[0], exports[1])
	}
	if !strings.Contains(exports[1], "git log: most commits in the last 90 days") {
		t.Error("the heuristic owners are missing from the export")
	}
	// The figures behind the heuristic are in the log instead.
	if !strings.Contains(logs.String(), `"committer":"bob@acme.example","commits":3,"of":6`) {
		t.Errorf("the top committer's figures are not logged:\n%s", logs.String())
	}
}

func TestCloneURLAndRunTwiceIsIdempotent(t *testing.T) {
	r := monorepo(t)
	ctx := context.Background()
	st, err := embedded.Open(ctx, t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	export := func() string {
		var b bytes.Buffer
		if _, err := jsonl.Export(ctx, st, &b); err != nil {
			t.Fatal(err)
		}
		return regexp.MustCompile(`"(lastSeen|run)":"[^"]*"`).ReplaceAllString(b.String(), "")
	}
	tick := now
	clock := func() time.Time { tick = tick.Add(time.Minute); return tick }
	src, err := New(Config{Target: "file://" + r.dir, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ingest.Run(ctx, st, src, ingest.Options{Now: clock})
	if err != nil || rep.Status != ingest.StatusSucceeded {
		t.Fatalf("first run %s %v %+v", rep.Status, err, rep.Errors)
	}
	if len(rep.Warnings) == 0 {
		t.Error("warnings were not reported")
	}
	first := export()
	rep, err = ingest.Run(ctx, st, src, ingest.Options{Now: clock})
	if err != nil || rep.Status != ingest.StatusSucceeded {
		t.Fatalf("second run %s %v", rep.Status, err)
	}
	if rep.Applied.NodesCreated != 0 || rep.Applied.EdgesCreated != 0 {
		t.Errorf("second run created %+v", rep.Applied)
	}
	if second := export(); second != first {
		t.Errorf("exports differ beyond lastSeen:\n%s\n---\n%s", first, second)
	}
	// Two of four applications removed from a small repository: over a
	// quarter of what the source holds, so the guard holds the sweep and
	// says why; with the override they disappear.
	r.commit("Alice", "alice@acme.example", map[string]string{"charts/web/Chart.yaml": "\x00delete", "web/Dockerfile": "\x00delete"})
	rep, err = ingest.Run(ctx, st, src, ingest.Options{Now: clock})
	if err != nil || rep.Status != ingest.StatusSucceeded || !strings.Contains(rep.SweepHeld, "mass-deletion guard") {
		t.Fatalf("third run %s %v held %q", rep.Status, err, rep.SweepHeld)
	}
	if _, err := st.Node(ctx, graph.Ref{Kind: graph.KindApplication, Key: "shop/web"}); err != nil {
		t.Errorf("the guard removed web: %v", err)
	}
	rep, err = ingest.Run(ctx, st, src, ingest.Options{Now: clock, AllowMassDelete: true})
	if err != nil || rep.Status != ingest.StatusSucceeded || rep.Swept == nil || rep.SweepHeld != "" {
		t.Fatalf("fourth run %s %v %+v held %q", rep.Status, err, rep.Swept, rep.SweepHeld)
	}
	if _, err := st.Node(ctx, graph.Ref{Kind: graph.KindApplication, Key: "shop/web"}); graph.CodeOf(err) != graph.CodeNotFound {
		t.Errorf("web still there: %v", err)
	}
}

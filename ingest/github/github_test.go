package github

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/graph/jsonl"
	"github.com/estate-cmdb/estate/ingest"
)

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

type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func newSource(t testing.TB, f *fakeGitHub, sl *sleeps, tune ...func(*Config)) *Source {
	t.Helper()
	srv := f.start(t)
	cfg := Config{Org: f.org, Token: "ghp_secret-token", Host: "github.com"}
	for _, fn := range tune {
		fn(&cfg)
	}
	if sl != nil {
		cfg.Sleep = sl.sleep
	}
	// The fake serves at the root; strip the GHES-style prefix.
	cfg.BaseURL = srv.URL + "/"
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The fake clock does not move go-github's own: let the server, not the
	// client's pre-emptive check, decide (the source waits as told).
	s.client.DisableRateLimitCheck = true
	return s
}

const codeowners = "* @acme/justice-league\n/api/ @Octocat @ghost ops@acme.example\n"
const catalog = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: %s-api
spec:
  type: service
  owner: group:justice-league
`

func populate(f *fakeGitHub) {
	for _, n := range f.repos {
		f.files[n] = map[string]string{
			".github/CODEOWNERS":    codeowners,
			"api/catalog-info.yaml": fmt.Sprintf(catalog, n),
			"api/Dockerfile":        "FROM golang\n",
			"worker/Dockerfile":     "FROM golang\n",
			"README.md":             "not a descriptor",
		}
	}
	f.teamRepos["justice-league"] = []string{f.repos[0]}
}

func edgeIndex(es []graph.EdgeInput) map[string]graph.EdgeInput {
	m := map[string]graph.EdgeInput{}
	for _, e := range es {
		m[string(e.Type)+" "+e.From.String()+" → "+e.To.String()] = e
	}
	return m
}

func TestOrganisation(t *testing.T) {
	f := newFake(t, "acme", 3)
	f.pageSize = 2 // two pages of repositories, followed through Link
	populate(f)
	// A central catalog entry in repo-2 for a component whose code is in repo-0.
	f.files["repo-2"]["catalog-info.yaml"] = "kind: Component\nmetadata:\n  name: portal\n  annotations:\n    github.com/project-slug: Acme/Repo-0\nspec:\n  owner: justice-league\n"
	s := newSource(t, f, nil)
	if s.Name() != "github:acme" {
		t.Errorf("name %q", s.Name())
	}
	if ghes, _ := New(Config{Org: "Acme", BaseURL: "https://ghe.example.com/api/v3"}); ghes.Name() != "github:ghe.example.com/acme" ||
		ghes.client.BaseURL.String() != "https://ghe.example.com/api/v3/" {
		t.Errorf("GHES name %q base %v", ghes.Name(), ghes.client.BaseURL)
	}
	rec := &recorder{}
	if err := s.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.errs) != 0 {
		t.Errorf("item errors %v", rec.errs)
	}
	if f.hits["/orgs/acme/repos"] != 2 {
		t.Errorf("repository pages fetched: %d, want 2", f.hits["/orgs/acme/repos"])
	}
	nodes := map[graph.Ref]graph.NodeInput{}
	for _, n := range rec.nodes {
		if _, err := graph.ValidateNodeInput(n); err != nil {
			t.Errorf("%v: %v", n.Ref(), err)
		}
		if _, ok := nodes[n.Ref()]; !ok { // the organisation's own record comes first
			nodes[n.Ref()] = n
		}
	}
	repo := nodes[graph.Ref{Kind: graph.KindRepository, Key: "github.com/acme/repo-2"}]
	// Values from GitHub's example (octocat/Hello-World).
	if repo.Props["defaultBranch"] != "master" || repo.Props["visibility"] != "public" || repo.Props["archived"] != false ||
		fmt.Sprint(repo.Props["topics"]) != "[octocat atom electron api]" || repo.Props["url"] != "https://github.com/acme/repo-2" {
		t.Errorf("repository props %v", repo.Props)
	}
	if pt, ok := repo.Props["pushedAt"].(time.Time); !ok || pt.Format(time.RFC3339) != "2011-01-26T19:06:43Z" {
		t.Errorf("pushedAt %v", repo.Props["pushedAt"])
	}
	team := nodes[graph.Ref{Kind: graph.KindTeam, Key: "justice-league"}]
	if team.Name != "Justice League" || team.Props["description"] != "A great team." ||
		!strings.Contains(strings.Join(team.Aliases, " "), "@acme/justice-league") {
		t.Errorf("team %+v", team)
	}
	es := edgeIndex(rec.edges)
	for _, want := range []string{
		"MEMBER_OF Team:original-roster → Team:justice-league",
		"MEMBER_OF Person:octocat → Team:justice-league",
		"OWNS Team:justice-league → Repository:github.com/acme/repo-0",
		"OWNS Team:justice-league → Repository:github.com/acme/repo-1",
		"BUILDS Repository:github.com/acme/repo-1 → Application:repo-1-api",
		"BUILDS Repository:github.com/acme/repo-1 → Application:repo-1/worker",
		"OWNS Team:justice-league → Application:repo-1-api",
		"OWNS Person:octocat → Application:repo-1-api",
		"OWNS Person:ops@acme.example → Application:repo-1-api",
		"BUILDS Repository:github.com/acme/repo-0 → Application:portal",
	} {
		if _, ok := es[want]; !ok {
			t.Errorf("missing %s", want)
		}
	}
	if e := es["OWNS Team:justice-league → Repository:github.com/acme/repo-0"]; e.Confidence != graph.Inferred ||
		!strings.Contains(e.Evidence, "permission admin") {
		// repo-0 is owned twice over: by permission and by CODEOWNERS; the
		// index keeps the last, the CODEOWNERS one.
		if e.Evidence != "github.com/acme/repo-0/.github/CODEOWNERS:1 * @acme/justice-league" {
			t.Errorf("repo-0 ownership evidence %q", e.Evidence)
		}
	}
	if b := es["BUILDS Repository:github.com/acme/repo-1 → Application:repo-1-api"]; b.Props["path"] != "api" || b.Confidence != graph.Declared {
		t.Errorf("BUILDS %+v", b)
	}
	// @ghost is neither a member nor a team: reported, not invented.
	if _, ok := nodes[graph.Ref{Kind: graph.KindPerson, Key: "ghost"}]; ok {
		t.Error("@ghost became a person")
	}
	if !strings.Contains(strings.Join(rec.warnings, "\n"), "@ghost names no known team or person") {
		t.Errorf("warnings %v", rec.warnings)
	}
}

func TestRateLimitsAndRetries(t *testing.T) {
	f := newFake(t, "acme", 2)
	populate(f)
	f.faults["/orgs/acme/repos"] = []string{"secondary"}
	f.faults["/orgs/acme/teams"] = []string{"429"}
	f.faults["/orgs/acme/members"] = []string{"500", "500"}
	sl := &sleeps{}
	s := newSource(t, f, sl)
	rec := &recorder{}
	if err := s.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.errs) != 0 {
		t.Errorf("item errors %v", rec.errs)
	}
	want := []time.Duration{7 * time.Second, 3 * time.Second, 500 * time.Millisecond, time.Second}
	if fmt.Sprint(sl.d) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v (Retry-After, Retry-After, backoff)", sl.d, want)
	}
	if f.hits["/orgs/acme/members"] != 3 {
		t.Errorf("members fetched %d times", f.hits["/orgs/acme/members"])
	}
}

func TestPrimaryRateLimitIsWaitedOutAndLogged(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		reset   time.Duration
		waits   string
		wantErr string
	}{
		// The quota resets in 40 minutes: wait (a second past the reset)
		// and resume where the run stopped.
		{"waited out", 40 * time.Minute, "[40m1s]", ""},
		// A reset hours away is not a GitHub answer: fail, saying when
		// a rerun will be let in.
		{"over MaxWait", 3 * time.Hour, "[]", "rerun after 2026-11-01T15:00:01Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, "acme", 2)
			populate(f)
			f.rateReset = now.Add(tc.reset)
			f.faults["/orgs/acme/teams"] = []string{"primary"}
			sl := &sleeps{}
			var logs bytes.Buffer
			s := newSource(t, f, sl, func(c *Config) {
				c.Now = func() time.Time { return now }
				c.Logger = zerolog.New(zerolog.SyncWriter(&logs))
			})
			err := s.Run(context.Background(), &recorder{})
			if fmt.Sprint(sl.d) != tc.waits {
				t.Errorf("waits %v, want %s", sl.d, tc.waits)
			}
			if strings.Contains(logs.String(), "ghp_secret") {
				t.Fatalf("the token is in the log:\n%s", logs.String())
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.hits["/orgs/acme/teams"] != 2 {
				t.Errorf("teams fetched %d times, want 2 (limited, then resumed)", f.hits["/orgs/acme/teams"])
			}
			var logged bool
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var l map[string]any
				if err := json.Unmarshal([]byte(line), &l); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				if strings.HasPrefix(fmt.Sprint(l["reason"]), "primary rate limit") {
					logged = l["wait"] == "40m1s" && l["resume"] == "2026-11-01T12:40:01Z" &&
						l["request"] == "/orgs/acme/teams" && l["level"] == "warn"
				}
			}
			if !logged {
				t.Errorf("the wait is not logged with its reason, duration and resume time:\n%s", logs.String())
			}
			for _, step := range []string{`"repositories":2,"message":"github: listed repositories"`, `"message":"github: read descriptor files"`} {
				if !strings.Contains(logs.String(), step) {
					t.Errorf("log lacks %s:\n%s", step, logs.String())
				}
			}
		})
	}
}

func TestListingFailureFailsTheRun(t *testing.T) {
	f := newFake(t, "acme", 2)
	f.sticky["/orgs/acme/repos"] = 502
	s := newSource(t, f, &sleeps{})
	if err := s.Run(context.Background(), &recorder{}); err == nil || strings.Contains(err.Error(), "ghp_secret") {
		t.Fatalf("err = %v", err)
	}
}

func TestReconciliation(t *testing.T) {
	ctx := context.Background()
	st, err := embedded.Open(ctx, t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := newFake(t, "acme", 30)
	populate(f)
	s := newSource(t, f, &sleeps{})
	tick := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	opts := ingest.Options{Now: func() time.Time { tick = tick.Add(time.Second); return tick }}
	export := func() string {
		var b bytes.Buffer
		if _, err := jsonl.Export(ctx, st, &b); err != nil {
			t.Fatal(err)
		}
		return regexp.MustCompile(`"(lastSeen|run)":"[^"]*"`).ReplaceAllString(b.String(), "")
	}
	has := func(key string) bool {
		_, err := st.Node(ctx, graph.Ref{Kind: graph.KindRepository, Key: key})
		return err == nil
	}
	app := func(key string) bool {
		_, err := st.Node(ctx, graph.Ref{Kind: graph.KindApplication, Key: key})
		return err == nil
	}

	rep, err := ingest.Run(ctx, st, s, opts)
	if err != nil || rep.Status != ingest.StatusSucceeded {
		t.Fatalf("run 1: %s %v %v", rep.Status, err, rep.Errors)
	}
	first := export()

	// The same source twice: identical apart from lastSeen.
	rep, err = ingest.Run(ctx, st, s, opts)
	if err != nil || rep.Status != ingest.StatusSucceeded || rep.Applied.NodesCreated+rep.Applied.EdgesCreated != 0 {
		t.Fatalf("run 2: %s %v %+v", rep.Status, err, rep.Applied)
	}
	if second := export(); second != first {
		t.Error("a second identical run changed the export beyond lastSeen")
	}

	owners := func(app string) int {
		ref := graph.Ref{Kind: graph.KindApplication, Key: app}
		m, err := st.Neighbors(ctx, []graph.ID{ref.ID()}, graph.NeighborQuery{Direction: graph.In, Types: []graph.RelType{graph.RelOwns}})
		if err != nil {
			t.Fatal(err)
		}
		return len(m[ref.ID()])
	}
	owners5, owners6, owners8 := owners("repo-5-api"), owners("repo-6-api"), owners("repo-8-api")
	if owners5 == 0 {
		t.Fatal("repo-5-api has no owners to keep")
	}

	// Repositories that cannot be read — one answers 5xx on every try,
	// one has a descriptor file that does not parse (a templated YAML),
	// one a tree the API cut short: their data is kept and the run is
	// partial, but what the other repositories no longer say is swept: a
	// repository deleted at the same time goes.
	f.sticky["/repos/acme/repo-5/"] = 500
	f.files["repo-6"]["api/catalog-info.yaml"] = "metadata: {{ .Values.name }}\nspec: [\n"
	f.truncated["repo-8"] = true
	f.repos = append(f.repos[:7:7], f.repos[8:]...) // repo-7 deleted at the source
	rep, err = ingest.Run(ctx, st, s, opts)
	if err != nil || rep.Status != ingest.StatusPartial || rep.SweepHeld != "" || rep.Swept == nil || rep.Swept.NodesRemoved == 0 {
		t.Fatalf("run 3: %s %v held %q swept %+v", rep.Status, err, rep.SweepHeld, rep.Swept)
	}
	if want := []string{"repo/acme/repo-5", "repo/acme/repo-6", "repo/acme/repo-8"}; !slices.Equal(rep.KeptScopes, want) {
		t.Errorf("kept scopes %q, want %q; errors %v", rep.KeptScopes, want, rep.Errors)
	}
	for _, e := range rep.Errors {
		if !strings.HasPrefix(e.Scope, "repo/acme/repo-") {
			t.Errorf("item error %+v outside a repository's scope", e)
		}
	}
	if has("github.com/acme/repo-7") || app("repo-7-api") {
		t.Error("a partial run kept a repository deleted at the source")
	}
	for app, want := range map[string]int{"repo-5-api": owners5, "repo-6-api": owners6, "repo-8-api": owners8} {
		if got := owners(app); got != want {
			t.Errorf("%s, of a repository that could not be read, has %d owners, want the %d it had", app, got, want)
		}
	}

	// The next complete run succeeds and sweeps everything again.
	delete(f.sticky, "/repos/acme/repo-5/")
	delete(f.truncated, "repo-8")
	populate(f)
	rep, err = ingest.Run(ctx, st, s, opts)
	if err != nil || rep.Status != ingest.StatusSucceeded || rep.SweepHeld != "" || rep.Swept == nil || len(rep.KeptScopes) != 0 {
		t.Fatalf("run 4: %s %v held %q kept %q", rep.Status, err, rep.SweepHeld, rep.KeptScopes)
	}
	if !has("github.com/acme/repo-6") || !app("repo-5-api") || !app("repo-8-api") {
		t.Error("a repository still at the source was removed")
	}

	// A token that suddenly sees a third of the organisation: the guard
	// holds the sweep and the report says why.
	f.repos = f.repos[:10]
	rep, err = ingest.Run(ctx, st, s, opts)
	if err != nil || rep.Status != ingest.StatusSucceeded || !strings.Contains(rep.SweepHeld, "mass-deletion guard") {
		t.Fatalf("run 5: %s %v held %q", rep.Status, err, rep.SweepHeld)
	}
	if !has("github.com/acme/repo-20") {
		t.Error("the guard let the sweep remove repositories")
	}
}

func TestConditionalRequests(t *testing.T) {
	f := newFake(t, "acme", 3)
	populate(f)
	f.etags = true
	cache := t.TempDir()
	var runs [2]*recorder
	for i := range runs {
		s := newSource(t, f, nil, func(c *Config) { c.CacheDir = cache })
		runs[i] = &recorder{}
		if err := s.Run(context.Background(), runs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if f.notModified == 0 {
		t.Fatal("the second run made no conditional request that hit")
	}
	if fmt.Sprint(runs[0].nodes) != fmt.Sprint(runs[1].nodes) || fmt.Sprint(runs[0].edges) != fmt.Sprint(runs[1].edges) {
		t.Error("answers from the cache differ from the first run's")
	}
	// A different token does not read another token's cache.
	before := f.notModified
	s := newSource(t, f, nil, func(c *Config) { c.CacheDir = cache; c.Token = "other" })
	if err := s.Run(context.Background(), &recorder{}); err != nil {
		t.Fatal(err)
	}
	if f.notModified != before {
		t.Error("a second token used the first token's cache")
	}
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(cache, e.Name()))
		if bytes.Contains(b, []byte("ghp_secret")) {
			t.Fatal("the token was written to the cache")
		}
	}
}

func TestTimeoutIsRetried(t *testing.T) {
	f := newFake(t, "acme", 1)
	populate(f)
	f.faults["/orgs/acme/teams"] = []string{"slow"}
	sl := &sleeps{}
	s := newSource(t, f, sl, func(c *Config) { c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond} })
	rec := &recorder{}
	if err := s.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if f.hits["/orgs/acme/teams"] != 2 || len(sl.d) != 1 {
		t.Errorf("teams fetched %d times, waits %v: want one timeout, one backoff, one success", f.hits["/orgs/acme/teams"], sl.d)
	}
	if len(rec.errs) != 0 {
		t.Errorf("errors %v", rec.errs)
	}
}

func TestGitHubAppInstallation(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	f := newFake(t, "acme", 2)
	populate(f)
	f.appKey = &key.PublicKey
	s := newSource(t, f, nil, func(c *Config) {
		c.Token = ""
		c.App = &App{ID: 7, InstallationID: 42, PrivateKeyPEM: pemKey}
	})
	rec := &recorder{}
	if err := s.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if len(f.auth) == 0 {
		t.Fatal("no requests")
	}
	for _, a := range f.auth {
		if a != "Bearer ghs_installation" {
			t.Fatalf("request authorised with %q, want the installation token", a)
		}
	}
	if _, err := New(Config{Org: "acme", App: &App{ID: 7, InstallationID: 42, PrivateKeyPEM: []byte("nope")}}); err == nil {
		t.Error("a bad private key was accepted")
	}
}

// A root catalog-info.yaml that is a Backstage Location: the files its glob
// names are fetched (and only those), read as descriptors of the same
// repository.
func TestLocationTargetsAreRead(t *testing.T) {
	f := newFake(t, "acme", 1)
	populate(f)
	f.files["repo-0"]["catalog-info.yaml"] = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: all\nspec:\n  targets: [./services/*/component.yaml]\n"
	f.files["repo-0"]["services/cart/component.yaml"] = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: cart\nspec:\n  type: service\n  owner: group:justice-league\n"
	s := newSource(t, f, nil)
	rec := &recorder{}
	if err := s.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.errs) != 0 {
		t.Errorf("item errors %v", rec.errs)
	}
	es := edgeIndex(rec.edges)
	b := es["BUILDS Repository:github.com/acme/repo-0 → Application:cart"]
	if b.Evidence != "github.com/acme/repo-0/services/cart/component.yaml:4 Component cart" || b.Props["path"] != "services/cart" || b.Confidence != graph.Declared {
		t.Errorf("BUILDS %+v", b)
	}
	if o := es["OWNS Team:justice-league → Application:cart"]; o.Evidence != "github.com/acme/repo-0/services/cart/component.yaml:7 spec.owner: group:justice-league" {
		t.Errorf("OWNS %+v", o)
	}
	blob := func(p string) int {
		return f.hits["/repos/acme/repo-0/git/blobs/"+hex.EncodeToString([]byte("repo-0:"+p))]
	}
	if blob("services/cart/component.yaml") != 1 || blob("README.md") != 0 {
		t.Errorf("blob reads: component.yaml %d (want 1), README.md %d (want 0)", blob("services/cart/component.yaml"), blob("README.md"))
	}
}

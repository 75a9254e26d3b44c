package gitlab

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/graph/jsonl"
	"github.com/estate-cmdb/estate/ingest"
)

type fakeGitLab struct {
	mu       sync.Mutex
	t        *testing.T
	projects []map[string]any
	files    map[int]map[string]string
	sticky   map[string]int // path prefix → status
	once     map[string]int // path → status served once (429 with Retry-After)
	slow     map[string]int // path → requests answered after the client's timeout
	pageSize int
	hits     map[string]int
}

func load(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func newFake(t *testing.T, n int) *fakeGitLab {
	f := &fakeGitLab{t: t, files: map[int]map[string]string{}, sticky: map[string]int{}, once: map[string]int{}, slow: map[string]int{}, pageSize: 2, hits: map[string]int{}}
	var tmpl []map[string]any
	load(t, "groups__list-projects.json", &tmpl)
	for i := 0; i < n; i++ {
		b, _ := json.Marshal(tmpl[0])
		var p map[string]any
		_ = json.Unmarshal(b, &p)
		name := fmt.Sprintf("p%d", i)
		ns := "foo/bar"
		if i%2 == 1 {
			ns = "foo"
		}
		p["id"], p["name"], p["path"] = 100+i, name, name
		p["path_with_namespace"] = ns + "/" + name
		p["web_url"] = "https://gitlab.example.com/" + ns + "/" + name
		p["namespace"].(map[string]any)["full_path"] = ns
		f.projects = append(f.projects, p)
		f.files[100+i] = map[string]string{
			"CODEOWNERS":            "* @foo\n[Backend][2] @foo/bar\n/api/\n[Docs]\n*.md @john_doe @nobody\n",
			"api/Dockerfile":        "FROM golang\n",
			"api/catalog-info.yaml": "kind: Component\nmetadata: {name: " + name + "-api}\nspec: {owner: group:foo/bar, type: service}\n",
		}
	}
	return f
}

func (f *fakeGitLab) page(w http.ResponseWriter, r *http.Request, items []any) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	start := min((page-1)*f.pageSize, len(items))
	end := min(start+f.pageSize, len(items))
	if end < len(items) {
		w.Header().Set("X-Next-Page", strconv.Itoa(page+1))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(items[start:end])
}

func (f *fakeGitLab) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := strings.TrimPrefix(r.URL.EscapedPath(), "/api/v4")
	f.hits[p]++
	for prefix, code := range f.sticky {
		if strings.HasPrefix(p, prefix) {
			http.Error(w, `{"message":"boom"}`, code)
			return
		}
	}
	if f.slow[p] > 0 {
		f.slow[p]--
		f.mu.Unlock()
		time.Sleep(300 * time.Millisecond) // past the client's timeout
		f.mu.Lock()
	}
	if code, ok := f.once[p]; ok {
		delete(f.once, p)
		w.Header().Set("Retry-After", "0")
		http.Error(w, `{"message":"429 Too Many Requests"}`, code)
		return
	}
	raw := func(name string) []any {
		var v []any
		load(f.t, name, &v)
		return v
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case p == "/groups/foo":
		var g map[string]any
		load(f.t, "group.json", &g)
		g["id"], g["path"], g["full_path"], g["name"], g["parent_id"] = 123, "foo", "foo", "Foo", nil
		delete(g, "projects")
		_ = json.NewEncoder(w).Encode(g)
	case p == "/groups/123/descendant_groups":
		f.page(w, r, raw("groups__list-descendant-groups.json"))
	case p == "/groups/123/projects":
		items := make([]any, len(f.projects))
		for i := range f.projects {
			items[i] = f.projects[i]
		}
		f.page(w, r, items)
	case p == "/groups/123/members/all":
		f.page(w, r, raw("members__list-all.json"))
	case p == "/groups/2/members":
		f.page(w, r, raw("members__list.json"))
	case p == "/groups/3/members":
		f.page(w, r, nil)
	case strings.HasPrefix(p, "/projects/") && strings.HasSuffix(p, "/repository/tree"):
		id, _ := strconv.Atoi(strings.Split(p, "/")[2])
		var items []any
		var paths []string
		for fp := range f.files[id] {
			paths = append(paths, fp)
		}
		sort.Strings(paths)
		for _, fp := range paths {
			items = append(items, map[string]any{"id": "x", "name": filepath.Base(fp), "type": "blob", "path": fp, "mode": "100644"})
		}
		f.page(w, r, items)
	case strings.HasPrefix(p, "/projects/") && strings.Contains(p, "/repository/files/"):
		parts := strings.Split(p, "/")
		id, _ := strconv.Atoi(parts[2])
		fp, _ := url.PathUnescape(parts[5])
		c, ok := f.files[id][fp]
		if !ok || r.URL.Query().Get("ref") != "main" {
			http.Error(w, `{"message":"404 File Not Found"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, c)
	default:
		http.Error(w, `{"message":"404 Not Found"}`, http.StatusNotFound)
	}
}

type recorder struct {
	nodes          []graph.NodeInput
	edges          []graph.EdgeInput
	errs, warnings []string
}

func (r *recorder) Node(n graph.NodeInput) error     { r.nodes = append(r.nodes, n); return nil }
func (r *recorder) Edge(e graph.EdgeInput) error     { r.edges = append(r.edges, e); return nil }
func (r *recorder) ItemError(item string, err error) { r.errs = append(r.errs, item+": "+err.Error()) }
func (r *recorder) Warn(item string, err error) {
	r.warnings = append(r.warnings, item+": "+err.Error())
}

func source(t *testing.T, f *fakeGitLab, tune ...func(*Config)) *Source {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := Config{Group: "foo", Token: "glpat-secret", BaseURL: srv.URL + "/api/v4", Host: "gitlab.example.com", MaxRetries: 1}
	for _, fn := range tune {
		fn(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestGroup(t *testing.T) {
	f := newFake(t, 3)
	f.once["/groups/123/projects"] = http.StatusTooManyRequests
	f.once["/groups/123/descendant_groups"] = http.StatusBadGateway
	var logs bytes.Buffer
	s := source(t, f, func(c *Config) { c.Logger = zerolog.New(zerolog.SyncWriter(&logs)) })
	if s.Name() != "gitlab:gitlab.example.com/foo" {
		t.Errorf("name %q", s.Name())
	}
	rec := &recorder{}
	if err := s.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.errs) != 0 {
		t.Errorf("errors %v", rec.errs)
	}
	if f.hits["/groups/123/projects"] != 3 || f.hits["/groups/123/descendant_groups"] != 2 {
		t.Errorf("project requests %d, want 3 (a 429 retried, then two pages by X-Next-Page); subgroup requests %d, want 2 (a 502 retried)",
			f.hits["/groups/123/projects"], f.hits["/groups/123/descendant_groups"])
	}
	nodes := map[graph.Ref]graph.NodeInput{}
	for _, n := range rec.nodes {
		if _, err := graph.ValidateNodeInput(n); err != nil {
			t.Errorf("%v: %v", n.Ref(), err)
		}
		if _, ok := nodes[n.Ref()]; !ok {
			nodes[n.Ref()] = n
		}
	}
	repo := nodes[graph.Ref{Kind: graph.KindRepository, Key: "gitlab.example.com/foo/bar/p0"}]
	if repo.Props["visibility"] != "internal" || repo.Props["defaultBranch"] != "main" || repo.Props["url"] != "https://gitlab.example.com/foo/bar/p0" {
		t.Errorf("repository %+v", repo)
	}
	if pt, ok := repo.Props["pushedAt"].(time.Time); !ok || pt.Format(time.RFC3339) != "2016-04-06T16:52:08Z" {
		t.Errorf("pushedAt %v", repo.Props["pushedAt"])
	}
	idx := map[string]graph.EdgeInput{}
	for _, e := range rec.edges {
		idx[string(e.Type)+" "+e.From.String()+" → "+e.To.String()] = e
	}
	for _, want := range []string{
		"MEMBER_OF Team:foo/bar → Team:foo",
		"MEMBER_OF Person:foo_bar → Team:foo",              // inherited (members/all)
		"MEMBER_OF Person:john@example.com → Team:foo/bar", // direct, keyed by e-mail
		"OWNS Team:foo/bar → Repository:gitlab.example.com/foo/bar/p0",
		"OWNS Team:foo → Repository:gitlab.example.com/foo/p1",
		"BUILDS Repository:gitlab.example.com/foo/bar/p0 → Application:p0-api",
		"OWNS Team:foo/bar → Application:p0-api",
		"OWNS Team:foo → Repository:gitlab.example.com/foo/bar/p0", // CODEOWNERS "* @foo": @foo is the group
	} {
		if _, ok := idx[want]; !ok {
			t.Errorf("missing %s", want)
		}
	}
	// CODEOWNERS sections: [Backend]'s default owner (@foo/bar) owns /api/
	// — the same owner the catalog declares, so one relationship.
	if e := idx["OWNS Team:foo/bar → Application:p0-api"]; e.Confidence != graph.Declared {
		t.Errorf("p0-api ownership %+v", e)
	}
	w := strings.Join(rec.warnings, "\n")
	if !strings.Contains(w, "@nobody names no known team or person") {
		t.Errorf("warnings %s", w)
	}
	// The rate-limit wait is logged with its cause and duration; the
	// token never is.
	waited := false
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if l["message"] == "gitlab: waiting before retrying" && strings.Contains(fmt.Sprint(l["request"]), "/groups/123/projects") {
			d, err := time.ParseDuration(fmt.Sprint(l["wait"]))
			waited = err == nil && d > 0 && strings.Contains(fmt.Sprint(l["request"]), "(status: 429)") && l["level"] == "warn"
		}
	}
	if !waited {
		t.Errorf("no warning of the wait after the 429 with its duration and status:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "glpat-secret") {
		t.Errorf("the token is in the log")
	}
	if !strings.Contains(logs.String(), `"groups":3,"projects":3,"message":"gitlab: listed groups and projects"`) {
		t.Errorf("the listing step's counts are not logged:\n%s", logs.String())
	}
}

func TestRunTwiceIsIdempotent(t *testing.T) {
	ctx := context.Background()
	st, err := embedded.Open(ctx, t.TempDir(), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := source(t, newFake(t, 3))
	tick := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	opts := ingest.Options{Now: func() time.Time { tick = tick.Add(time.Hour); return tick }}
	export := func() string {
		var b bytes.Buffer
		if _, err := jsonl.Export(ctx, st, &b); err != nil {
			t.Fatal(err)
		}
		return regexp.MustCompile(`"(lastSeen|run)":"[^"]*"`).ReplaceAllString(b.String(), "")
	}
	rep, err := ingest.Run(ctx, st, s, opts)
	if err != nil || rep.Status != ingest.StatusSucceeded || rep.Applied.NodesCreated == 0 {
		t.Fatalf("run 1: %s %v %+v %v", rep.Status, err, rep.Applied, rep.Errors)
	}
	first := export()
	rep, err = ingest.Run(ctx, st, s, opts)
	if err != nil || rep.Status != ingest.StatusSucceeded {
		t.Fatalf("run 2: %s %v %v", rep.Status, err, rep.Errors)
	}
	if rep.Applied.NodesCreated+rep.Applied.EdgesCreated != 0 {
		t.Errorf("the second run created %+v", rep.Applied)
	}
	if second := export(); second != first {
		t.Errorf("a second identical run changed the export beyond lastSeen:\n%s\n---\n%s", first, second)
	}
}

func TestTimeoutIsRetried(t *testing.T) {
	f := newFake(t, 1)
	f.slow["/groups/123/descendant_groups"] = 1
	var logs bytes.Buffer
	s := source(t, f, func(c *Config) {
		c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond}
		c.Logger = zerolog.New(zerolog.SyncWriter(&logs))
	})
	rec := &recorder{}
	if err := s.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if f.hits["/groups/123/descendant_groups"] != 2 || len(rec.errs) != 0 {
		t.Errorf("subgroups fetched %d times, errors %v: want one timeout, then a success", f.hits["/groups/123/descendant_groups"], rec.errs)
	}
	// Go words the client's timeout by where it struck (awaiting headers,
	// or the dial on a loaded machine), so the failed request is matched by
	// its URL, not the wording.
	failed := regexp.MustCompile(`"level":"warn"[^\n]*descendant_groups[^\n]*"message":"request failed"`)
	if !failed.MatchString(logs.String()) || !strings.Contains(logs.String(), "gitlab: waiting before retrying") {
		t.Errorf("the timeout and the wait after it are not logged:\n%s", logs.String())
	}
}

// countingTransport counts the response body bytes the client reads.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.n}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func TestHugeFileIsNotReadWhole(t *testing.T) {
	f := newFake(t, 1)
	f.files[100]["big/catalog-info.yaml"] = strings.Repeat("# padding\n", 1<<20) // 10 MiB
	ct := &countingTransport{}
	s := source(t, f, func(c *Config) { c.HTTPClient = &http.Client{Transport: ct} })
	rec := &recorder{}
	if err := s.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if errs := strings.Join(rec.errs, "\n"); len(rec.errs) != 1 ||
		!strings.Contains(errs, "big/catalog-info.yaml: over the 1048576 byte limit") {
		t.Errorf("item errors %v, want one for the huge file", rec.errs)
	}
	if n := ct.n.Load(); n > 2<<20 {
		t.Errorf("the client read %d bytes: the huge file was downloaded whole", n)
	}
	built := false
	for _, e := range rec.edges {
		built = built || (e.Type == graph.RelBuilds && e.To.Key == "p0-api")
	}
	if !built {
		t.Error("the rest of the project was not read")
	}
}

func TestProjectFailureKeepsData(t *testing.T) {
	ctx := context.Background()
	st, err := embedded.Open(ctx, t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := newFake(t, 3)
	s := source(t, f)
	rep, err := ingest.Run(ctx, st, s, ingest.Options{})
	if err != nil || rep.Status != ingest.StatusSucceeded {
		t.Fatalf("run 1 %s %v %v", rep.Status, err, rep.Errors)
	}
	// p1 cannot be read and p2 is deleted: the partial run keeps p1's data
	// and sweeps p2 (three projects are too few for the guard to judge).
	f.sticky["/projects/101/"] = 500
	f.projects = f.projects[:2]
	rep, err = ingest.Run(ctx, st, s, ingest.Options{AllowMassDelete: true})
	if err != nil || rep.Status != ingest.StatusPartial || rep.Swept == nil {
		t.Fatalf("run 2 %s %v held %q", rep.Status, err, rep.SweepHeld)
	}
	if want := []string{"repo/foo/p1"}; !slices.Equal(rep.KeptScopes, want) {
		t.Errorf("kept scopes %q, want %q (errors %v)", rep.KeptScopes, want, rep.Errors)
	}
	if _, err := st.Node(ctx, graph.Ref{Kind: graph.KindApplication, Key: "p1-api"}); err != nil {
		t.Errorf("partial run lost p1's data: %v", err)
	}
	if _, err := st.Node(ctx, graph.Ref{Kind: graph.KindRepository, Key: "gitlab.example.com/foo/bar/p2"}); graph.CodeOf(err) != graph.CodeNotFound {
		t.Errorf("partial run kept the deleted project: %v", err)
	}
	delete(f.sticky, "/projects/101/")
	rep, err = ingest.Run(ctx, st, s, ingest.Options{AllowMassDelete: true})
	if err != nil || rep.Status != ingest.StatusSucceeded {
		t.Fatalf("run 3 %s %v", rep.Status, err)
	}
	if _, err := st.Node(ctx, graph.Ref{Kind: graph.KindRepository, Key: "gitlab.example.com/foo/bar/p2"}); graph.CodeOf(err) != graph.CodeNotFound {
		t.Errorf("deleted project still there: %v", err)
	}
}

// A root catalog-info.yaml that is a Backstage Location: the files its glob
// names are read through the files API as descriptors of the same project.
func TestLocationTargetsAreRead(t *testing.T) {
	f := newFake(t, 1)
	f.files[100]["catalog-info.yaml"] = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: all\nspec:\n  targets:\n    - ./services/*/component.yaml\n    - ./gone.yaml\n"
	f.files[100]["services/cart/component.yaml"] = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: cart\nspec:\n  type: service\n  owner: group:foo/bar\n"
	rec := &recorder{}
	if err := source(t, f).Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.errs) != 0 {
		t.Errorf("errors %v", rec.errs)
	}
	idx := map[string]graph.EdgeInput{}
	for _, e := range rec.edges {
		idx[string(e.Type)+" "+e.From.String()+" → "+e.To.String()] = e
	}
	b := idx["BUILDS Repository:gitlab.example.com/foo/bar/p0 → Application:cart"]
	if b.Evidence != "gitlab.example.com/foo/bar/p0/services/cart/component.yaml:4 Component cart" || b.Props["path"] != "services/cart" {
		t.Errorf("BUILDS %+v", b)
	}
	if o := idx["OWNS Team:foo/bar → Application:cart"]; o.Evidence != "gitlab.example.com/foo/bar/p0/services/cart/component.yaml:7 spec.owner: group:foo/bar" {
		t.Errorf("OWNS %+v", o)
	}
	want := "gitlab.example.com/foo/bar/p0/catalog-info.yaml: catalog-info.yaml:8: Location all: target ./gone.yaml names no file in the repository"
	if w := strings.Join(rec.warnings, "\n"); !strings.Contains(w, want) {
		t.Errorf("warnings lack %q:\n%s", want, w)
	}
}

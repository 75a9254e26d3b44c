package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/server"
	"github.com/estate-cmdb/estate/server/auth"
	"github.com/estate-cmdb/estate/server/gql/resolver"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current responses")

// fixtureTime is when the fixture's sources saw everything, so responses
// (firstSeen, lastSeen) are the same on every run.
var fixtureTime = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// env is a server over a fresh embedded store holding the fixture estate,
// with one token per role.
type env struct {
	store  graph.Store // what the server reads (maybe a wrapper)
	base   *embedded.Store
	tokens *auth.Store
	srv    *server.Server
	h      http.Handler
	logs   *syncBuffer

	viewer, editor, admin string
}

type envOption func(*envConfig)

type envConfig struct {
	cfg  server.Config
	wrap func(graph.Store) graph.Store
	// build fills the store; default fixture.
	build func(testing.TB, graph.Store)
	// ingest, when set, makes the server's ingester over the base store.
	ingest func(testing.TB, graph.Store) resolver.Ingester
}

func withConfig(f func(*server.Config)) envOption { return func(c *envConfig) { f(&c.cfg) } }
func withStore(w func(graph.Store) graph.Store) envOption {
	return func(c *envConfig) { c.wrap = w }
}
func withEstate(b func(testing.TB, graph.Store)) envOption {
	return func(c *envConfig) { c.build = b }
}

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	c := envConfig{build: buildFixture}
	for _, o := range opts {
		o(&c)
	}
	dir := t.TempDir()
	ctx := context.Background()
	base, err := embedded.Open(ctx, filepath.Join(dir, "data"), embedded.Options{Logger: zerolog.Nop(), NoSync: true})
	if err != nil {
		t.Fatalf("open embedded store: %v", err)
	}
	t.Cleanup(func() { base.Close() })
	c.build(t, base)

	tokens, err := auth.Open(filepath.Join(dir, "data", auth.FileName))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{base: base, tokens: tokens, store: base, logs: &syncBuffer{}}
	for _, x := range []struct {
		role auth.Role
		dst  *string
	}{{auth.RoleViewer, &e.viewer}, {auth.RoleEditor, &e.editor}, {auth.RoleAdmin, &e.admin}} {
		plain, _, err := tokens.Create(x.role, "test "+string(x.role))
		if err != nil {
			t.Fatal(err)
		}
		*x.dst = plain
	}
	if c.wrap != nil {
		e.store = c.wrap(base)
	}
	if c.ingest != nil {
		c.cfg.Ingest = c.ingest(t, base)
	}
	log := zerolog.New(e.logs)
	srv, err := server.New(c.cfg, e.store, tokens, log)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	e.srv, e.h = srv, srv.Handler()
	return e
}

// gqlResponse is a GraphQL response as a client sees it.
type gqlResponse struct {
	Status int             `json:"-"`
	Raw    []byte          `json:"-"`
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (r gqlResponse) codes() []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

// do posts a GraphQL request through the real handler.
func (e *env) do(t testing.TB, token, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.send(t, req)
}

func (e *env) send(t testing.TB, req *http.Request) gqlResponse {
	t.Helper()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	res := gqlResponse{Status: rec.Code, Raw: rec.Body.Bytes()}
	if err := json.Unmarshal(res.Raw, &res); err != nil {
		t.Fatalf("response is not JSON (HTTP %d): %v\n%s", rec.Code, err, res.Raw)
	}
	return res
}

// get fetches a plain route.
func (e *env) get(t testing.TB, path string) (int, http.Header, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Header(), rec.Body.String()
}

// mustData fails the test on errors and decodes data into v.
func (r gqlResponse) mustData(t testing.TB, v any) {
	t.Helper()
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("HTTP %d, errors: %s", r.Status, r.Raw)
	}
	if v != nil {
		if err := json.Unmarshal(r.Data, v); err != nil {
			t.Fatalf("decode data: %v\n%s", err, r.Data)
		}
	}
}

// dump is the whole store as JSON, to prove a failed request changed
// nothing.
func dump(t testing.TB, s graph.Store) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	ctx := context.Background()
	if err := s.ScanNodes(ctx, func(n *graph.Node) error { return enc.Encode(n) }); err != nil {
		t.Fatal(err)
	}
	if err := s.ScanEdges(ctx, func(e *graph.Edge) error { return enc.Encode(e) }); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// golden compares got (indented JSON) with testdata/name.golden.json, or
// rewrites the file with -update.
func golden(t testing.TB, name string, got json.RawMessage) {
	t.Helper()
	var v any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatal(err)
	}
	pretty, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	pretty = append(pretty, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, pretty, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, pretty) {
		t.Errorf("response differs from %s (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", path, pretty, want)
	}
}

// syncBuffer collects log output from concurrent requests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var _ io.Writer = (*syncBuffer)(nil)

// Fixture: a small estate with every kind and relationship type.
//
//	retail (BU) ◀─PART_OF─ retail-cards (BU)
//	payments (Service, tier 1) ─PART_OF▶ retail;  cards (Service, tier 2) ─PART_OF▶ retail-cards
//	payments-api, payments-worker ─PART_OF▶ payments;  cards-web ─PART_OF▶ cards
//	github.com/acme/payments (monorepo) ─BUILDS▶ payments-api (services/api), payments-worker (services/worker)
//	github.com/acme/payments-worker ─BUILDS▶ payments-worker;  github.com/acme/cards ─BUILDS▶ cards-web
//	github.com/acme/infra ─DEFINES▶ the lambda;  payments-api ─RUNS_ON▶ the lambda ─IN_ACCOUNT▶ aws:123456789012
//	payments-api ─DEPENDS_ON▶ cards-web, cards (service), the lambda
//	team payments-core ─MEMBER_OF▶ platform;  alice ─MEMBER_OF▶ payments-core
//	payments-core OWNS payments, github.com/acme/payments, github.com/acme/payments-worker, payments-api
//	platform OWNS github.com/acme/cards, github.com/acme/infra, aws:123456789012, cards (business)
//	alice OWNS payments-api (support)
func buildFixture(t testing.TB, s graph.Store) {
	t.Helper()
	n := func(k graph.Kind, key, name string, props map[string]any) graph.NodeInput {
		return graph.NodeInput{Kind: k, Key: key, Name: name, Props: props}
	}
	ref := func(k graph.Kind, key string) graph.Ref { return graph.Ref{Kind: k, Key: key} }
	e := func(t graph.RelType, from, to graph.Ref, props map[string]any) graph.EdgeInput {
		return graph.EdgeInput{Type: t, From: from, To: to, Props: props, Evidence: "fixture"}
	}
	bu := func(k string) graph.Ref { return ref(graph.KindBusinessUnit, k) }
	svc := func(k string) graph.Ref { return ref(graph.KindService, k) }
	app := func(k string) graph.Ref { return ref(graph.KindApplication, k) }
	repo := func(k string) graph.Ref { return ref(graph.KindRepository, "github.com/acme/"+k) }
	team := func(k string) graph.Ref { return ref(graph.KindTeam, k) }
	alice := ref(graph.KindPerson, "alice@acme.example")
	acct := ref(graph.KindCloudAccount, "aws:123456789012")
	lambda := ref(graph.KindCloudResource, "arn:aws:lambda:eu-west-1:123456789012:function:payments-api")

	b := graph.Batch{Source: "test:fixture", Run: "run-1", At: fixtureTime}
	b.Nodes = []graph.NodeInput{
		n(graph.KindBusinessUnit, "retail", "Retail Banking", nil),
		n(graph.KindBusinessUnit, "retail-cards", "Cards", nil),
		n(graph.KindService, "payments", "Payments", map[string]any{"tier": 1, "lifecycle": "production"}),
		n(graph.KindService, "cards", "Cards", map[string]any{"tier": 2}),
		n(graph.KindApplication, "payments-api", "Payments API", map[string]any{"type": "service", "hostnames": []string{"pay.acme.example"}}),
		n(graph.KindApplication, "payments-worker", "Payments worker", nil),
		n(graph.KindApplication, "cards-web", "Cards web", nil),
		n(graph.KindRepository, "github.com/acme/payments", "payments", map[string]any{"url": "https://github.com/acme/payments", "host": "github.com", "archived": false, "topics": []string{"payments", "go"}}),
		n(graph.KindRepository, "github.com/acme/payments-worker", "payments-worker", nil),
		n(graph.KindRepository, "github.com/acme/cards", "cards", nil),
		n(graph.KindRepository, "github.com/acme/infra", "infra", nil),
		{Kind: graph.KindTeam, Key: "payments-core", Name: "Payments Core", Aliases: []string{"@acme/payments-core"}, Labels: map[string]string{"slack": "#payments-core"}},
		n(graph.KindTeam, "platform", "Platform", nil),
		n(graph.KindPerson, "alice@acme.example", "Alice", map[string]any{"email": "alice@acme.example"}),
		n(graph.KindCloudAccount, "aws:123456789012", "acme-prod", map[string]any{"provider": "aws", "registered": true}),
		n(graph.KindCloudResource, lambda.Key, "payments-api", map[string]any{"provider": "aws", "type": "AWS::Lambda::Function", "region": "eu-west-1", "account": "123456789012"}),
	}
	b.Edges = []graph.EdgeInput{
		e(graph.RelPartOf, bu("retail-cards"), bu("retail"), nil),
		e(graph.RelPartOf, svc("payments"), bu("retail"), nil),
		e(graph.RelPartOf, svc("cards"), bu("retail-cards"), nil),
		e(graph.RelPartOf, app("payments-api"), svc("payments"), nil),
		e(graph.RelPartOf, app("payments-worker"), svc("payments"), nil),
		e(graph.RelPartOf, app("cards-web"), svc("cards"), nil),
		e(graph.RelBuilds, repo("payments"), app("payments-api"), map[string]any{"path": "services/api"}),
		e(graph.RelBuilds, repo("payments"), app("payments-worker"), map[string]any{"path": "services/worker"}),
		e(graph.RelBuilds, repo("payments-worker"), app("payments-worker"), nil),
		e(graph.RelBuilds, repo("cards"), app("cards-web"), nil),
		e(graph.RelDefines, repo("infra"), lambda, nil),
		e(graph.RelRunsOn, app("payments-api"), lambda, nil),
		e(graph.RelInAccount, lambda, acct, nil),
		e(graph.RelDependsOn, app("payments-api"), app("cards-web"), nil),
		e(graph.RelDependsOn, app("payments-api"), svc("cards"), nil),
		e(graph.RelDependsOn, app("payments-api"), lambda, nil),
		e(graph.RelMemberOf, team("payments-core"), team("platform"), nil),
		e(graph.RelMemberOf, alice, team("payments-core"), nil),
		e(graph.RelOwns, team("payments-core"), svc("payments"), nil),
		e(graph.RelOwns, team("payments-core"), repo("payments"), nil),
		e(graph.RelOwns, team("payments-core"), repo("payments-worker"), nil),
		e(graph.RelOwns, team("payments-core"), app("payments-api"), nil),
		e(graph.RelOwns, team("platform"), repo("cards"), nil),
		e(graph.RelOwns, team("platform"), repo("infra"), nil),
		e(graph.RelOwns, team("platform"), acct, nil),
		e(graph.RelOwns, team("platform"), svc("cards"), map[string]any{"role": "business"}),
		e(graph.RelOwns, alice, app("payments-api"), map[string]any{"role": "support"}),
	}
	if _, err := s.Apply(context.Background(), b); err != nil {
		t.Fatalf("apply fixture: %v", err)
	}
}

func zeroLog() zerolog.Logger { return zerolog.Nop() }

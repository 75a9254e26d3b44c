package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/server"
)

// nest builds a query following relationships `levels` times from the
// payments service: each level adds three to the depth.
func nest(levels, first int) string {
	var b strings.Builder
	b.WriteString(`{ service(key: "payments") { `)
	for range levels {
		b.WriteString(`relationships(first: ` + strconv.Itoa(first) + `) { edges { node { key `)
	}
	for range levels {
		b.WriteString(`} } } `)
	}
	b.WriteString(`} }`)
	return b.String()
}

func TestLimits(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name   string
		query  string
		vars   map[string]any
		status int
		code   string
		msg    string
	}{
		// service(1) + 3 levels × 3 + key = 11: within the default 12.
		{name: "deep but allowed", query: nest(3, 2), status: 200},
		{name: "too deep", query: nest(4, 1), status: 422, code: "LIMIT_EXCEEDED", msg: "deeper than the limit of 12"},
		{name: "too deep through a fragment", query: `query { service(key: "payments") { ...F } }
fragment F on Service { relationships { edges { node { ... on Service { relationships { edges { node { relationships { edges { node { relationships { edges { node { key } } } } } } } } } } } } } }`,
			status: 422, code: "LIMIT_EXCEEDED"},
		{name: "too complex", query: `{ services(first: 100) { nodes { applications(first: 100) { nodes { repositories(first: 100) { nodes { owners(first: 100) { edges { node { key } } } } } } } } } }`,
			status: 422, code: "LIMIT_EXCEEDED", msg: "complexity"},
		{name: "page too large", query: `{ services(first: 101) { totalCount } }`, status: 422, code: "LIMIT_EXCEEDED", msg: "page size limit of 100"},
		{name: "nested page too large", query: `{ service(key: "payments") { applications(first: 1000) { totalCount } } }`, status: 422, code: "LIMIT_EXCEEDED"},
		{name: "page too large in a variable", query: `query($n: Int) { search(text: "pay", first: $n) { key } }`, vars: map[string]any{"n": 500}, status: 422, code: "LIMIT_EXCEEDED"},
		{name: "largest page", query: `{ services(first: 100) { totalCount } }`, status: 200},
		{name: "introspection is not depth-limited", query: introspectionQuery, status: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(t, e.viewer, tc.query, tc.vars)
			if res.Status != tc.status {
				t.Errorf("HTTP %d, want %d: %.300s", res.Status, tc.status, res.Raw)
			}
			if tc.code == "" {
				if len(res.Errors) > 0 {
					t.Errorf("want success: %.300s", res.Raw)
				}
				return
			}
			if !slices.Equal(res.codes(), []string{tc.code}) || !strings.Contains(res.Errors[0].Message, tc.msg) {
				t.Errorf("got %s, want %s mentioning %q", res.Raw, tc.code, tc.msg)
			}
			if string(res.Data) != "null" && len(res.Data) != 0 {
				t.Errorf("a rejected query ran: %s", res.Data)
			}
		})
	}
}

// introspectionQuery is what GraphiQL and the playground send: deeper
// than the depth limit.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name }
    types { ...FullType }
  }
}
fragment FullType on __Type {
  kind name
  fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`

func TestBodyLimit(t *testing.T) {
	e := newEnv(t)
	big := `{"query":"{ viewer { name } }","variables":{"pad":"` + strings.Repeat("x", 1<<20) + `"}}`
	for _, chunked := range []bool{false, true} {
		var body io.Reader = strings.NewReader(big)
		if chunked {
			body = io.MultiReader(body) // hides the length: no Content-Length
		}
		req := httptest.NewRequest(http.MethodPost, "/graphql", body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.viewer)
		if chunked {
			req.ContentLength = -1
		}
		res := e.send(t, req)
		if res.Status != http.StatusRequestEntityTooLarge || !slices.Equal(res.codes(), []string{"LIMIT_EXCEEDED"}) {
			t.Errorf("chunked=%v: HTTP %d %s", chunked, res.Status, res.Raw)
		}
	}
	// Just under the limit is fine.
	small := `{"query":"{ viewer { name } }","variables":{"pad":"` + strings.Repeat("x", 1<<19) + `"}}`
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(small))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.viewer)
	e.send(t, req).mustData(t, nil)
}

// slowStore blocks searches until the request's deadline.
type slowStore struct{ graph.Store }

func (s slowStore) Search(ctx context.Context, q graph.SearchQuery) ([]*graph.Node, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestRequestTimeout(t *testing.T) {
	e := newEnv(t,
		withStore(func(s graph.Store) graph.Store { return slowStore{s} }),
		withConfig(func(c *server.Config) { c.RequestTimeout = 50 * time.Millisecond }))
	start := time.Now()
	res := e.do(t, e.viewer, `{ search(text: "payments") { key } }`, nil)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
	if !slices.Equal(res.codes(), []string{"LIMIT_EXCEEDED"}) || !strings.Contains(res.Errors[0].Message, "time limit") {
		t.Errorf("got %s", res.Raw)
	}
	// The operator, who can raise the limit, is told which answer hit it.
	if logs := e.logs.String(); !strings.Contains(logs, `"level":"warn"`) || !strings.Contains(logs, "--request-timeout") || !strings.Contains(logs, `"path":"search"`) {
		t.Errorf("no warning naming the answer and the flag in the log:\n%s", logs)
	}
}

// TestGetTransport: queries work over GET (cacheable links); mutations do
// not.
func TestGetTransport(t *testing.T) {
	e := newEnv(t, withConfig(func(c *server.Config) { c.AnonymousRead = true }))
	req := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(`{ service(key: "payments") { name } }`), nil)
	var got struct{ Service struct{ Name string } }
	e.send(t, req).mustData(t, &got)
	if got.Service.Name != "Payments" {
		t.Errorf("GET query: %+v", got)
	}
	req = httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(upsertQuery), nil)
	req.Header.Set("Authorization", "Bearer "+e.editor)
	if res := e.send(t, req); len(res.Errors) == 0 {
		t.Errorf("a mutation over GET ran: %s", res.Raw)
	}
}

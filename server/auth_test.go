package server_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/server"
	"github.com/estate-cmdb/estate/server/auth"
	"github.com/estate-cmdb/estate/server/gql/resolver"
)

const (
	readQuery    = `{ viewer { name role anonymous } service(key: "payments") { key } }`
	upsertQuery  = `mutation { upsertEntities(input: [{kind: Service, key: "ledger", name: "Ledger"}]) { created } }`
	tokensQuery  = `{ tokens { id name role } }`
	createQuery  = `mutation { createToken(role: VIEWER, name: "ci") { token info { id role } } }`
	bogusToken   = "est_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	otherScheme  = "Basic dXNlcjpwYXNz"
	unauthorized = http.StatusUnauthorized
)

// TestAuthMatrix checks who may do what: every role against reads,
// mutations and token management, with and without anonymous reads.
func TestAuthMatrix(t *testing.T) {
	closed := newEnv(t)
	open := newEnv(t, withConfig(func(c *server.Config) { c.AnonymousRead = true }))

	type want struct {
		status int
		code   string // "" for success
	}
	ok := want{http.StatusOK, ""}
	cases := []struct {
		name  string
		env   *env
		token func(*env) string
		query string
		want  want
	}{
		{"no token, closed server, read", closed, none, readQuery, want{unauthorized, "UNAUTHENTICATED"}},
		{"no token, anonymous reads, read", open, none, readQuery, ok},
		{"no token, anonymous reads, mutate", open, none, upsertQuery, want{http.StatusOK, "UNAUTHENTICATED"}},
		{"wrong token", open, literal(bogusToken), readQuery, want{unauthorized, "UNAUTHENTICATED"}},
		{"not an estate token", closed, literal("hunter2"), readQuery, want{unauthorized, "UNAUTHENTICATED"}},
		{"viewer reads", closed, viewer, readQuery, ok},
		{"viewer mutates", closed, viewer, upsertQuery, want{http.StatusOK, "FORBIDDEN"}},
		{"viewer lists tokens", closed, viewer, tokensQuery, want{http.StatusOK, "FORBIDDEN"}},
		{"editor mutates", closed, editor, upsertQuery, ok},
		{"editor lists tokens", closed, editor, tokensQuery, want{http.StatusOK, "FORBIDDEN"}},
		{"editor creates a token", closed, editor, createQuery, want{http.StatusOK, "FORBIDDEN"}},
		{"admin lists tokens", closed, admin, tokensQuery, ok},
		{"admin creates a token", closed, admin, createQuery, ok},
		{"admin mutates", closed, admin, upsertQuery, ok},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := dump(t, tc.env.base)
			res := tc.env.do(t, tc.token(tc.env), tc.query, nil)
			if res.Status != tc.want.status {
				t.Errorf("HTTP %d, want %d: %s", res.Status, tc.want.status, res.Raw)
			}
			codes := res.codes()
			switch {
			case tc.want.code == "" && len(codes) > 0:
				t.Errorf("want success, got %s", res.Raw)
			case tc.want.code != "" && !slices.Equal(codes, []string{tc.want.code}):
				t.Errorf("codes %v, want [%s]: %s", codes, tc.want.code, res.Raw)
			}
			if tc.want.code != "" && dump(t, tc.env.base) != before {
				t.Error("a refused request changed the store")
			}
		})
	}

	t.Run("malformed header", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ viewer { name } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", otherScheme)
		res := open.send(t, req)
		if res.Status != unauthorized || !slices.Equal(res.codes(), []string{"UNAUTHENTICATED"}) {
			t.Errorf("HTTP %d %s", res.Status, res.Raw)
		}
	})
	t.Run("viewer", func(t *testing.T) {
		var got struct {
			Viewer struct {
				Name, Role string
				Anonymous  bool
			}
		}
		closed.do(t, closed.editor, readQuery, nil).mustData(t, &got)
		if got.Viewer.Name != "test editor" || got.Viewer.Role != "EDITOR" || got.Viewer.Anonymous {
			t.Errorf("viewer = %+v", got.Viewer)
		}
		open.do(t, "", readQuery, nil).mustData(t, &got)
		if !got.Viewer.Anonymous || got.Viewer.Role != "VIEWER" {
			t.Errorf("anonymous viewer = %+v", got.Viewer)
		}
	})
}

func none(*env) string     { return "" }
func viewer(e *env) string { return e.viewer }
func editor(e *env) string { return e.editor }
func admin(e *env) string  { return e.admin }
func literal(s string) func(*env) string {
	return func(*env) string { return s }
}

// TestTokenLifecycle: an admin creates a token through the API, it works at
// once, shows in the listing, and stops working when revoked. A token made
// by another process (the CLI) sharing the file works at once too.
func TestTokenLifecycle(t *testing.T) {
	e := newEnv(t)
	var created struct {
		CreateToken struct {
			Token string
			Info  struct{ ID, Name, Role string }
		}
	}
	e.do(t, e.admin, `mutation { createToken(role: EDITOR, name: "deploy bot") { token info { id name role } } }`, nil).mustData(t, &created)
	tok := created.CreateToken
	if !strings.HasPrefix(tok.Token, auth.TokenPrefix) || tok.Info.Role != "EDITOR" || tok.Info.Name != "deploy bot" {
		t.Fatalf("created %+v", tok)
	}
	e.do(t, tok.Token, upsertQuery, nil).mustData(t, nil)

	var list struct{ Tokens []struct{ ID, Name string } }
	res := e.do(t, e.admin, tokensQuery, nil)
	res.mustData(t, &list)
	if !slices.ContainsFunc(list.Tokens, func(x struct{ ID, Name string }) bool { return x.ID == tok.Info.ID }) || len(list.Tokens) != 4 {
		t.Errorf("tokens = %+v", list.Tokens)
	}
	if strings.Contains(string(res.Raw), auth.TokenPrefix) {
		t.Fatal("the token listing shows a secret")
	}

	e.do(t, e.admin, `mutation($id: String!) { revokeToken(id: $id) { id } }`, map[string]any{"id": tok.Info.ID}).mustData(t, nil)
	if res := e.do(t, tok.Token, readQuery, nil); res.Status != unauthorized {
		t.Errorf("a revoked token still works: HTTP %d", res.Status)
	}
	res = e.do(t, e.admin, `mutation { revokeToken(id: "tok_nope") { id } }`, nil)
	if !slices.Equal(res.codes(), []string{"NOT_FOUND"}) {
		t.Errorf("revoking an unknown token: %s", res.Raw)
	}

	// Another process creates a token in the same file.
	cli, err := auth.Open(e.tokens.Path())
	if err != nil {
		t.Fatal(err)
	}
	plain, _, err := cli.Create(auth.RoleViewer, "from the CLI")
	if err != nil {
		t.Fatal(err)
	}
	e.do(t, plain, readQuery, nil).mustData(t, nil)

	// Secrets never reach the log.
	for _, secret := range []string{tok.Token, plain, e.admin, e.editor, e.viewer} {
		if strings.Contains(e.logs.String(), secret) {
			t.Fatal("a token was logged")
		}
	}
}

// TestMutationsNeedARole guards the one place roles are checked: every
// mutation, and every token field, carries @hasRole.
func TestMutationsNeedARole(t *testing.T) {
	s := resolver.NewExecutableSchema(&resolver.Resolver{}).Schema()
	for _, f := range s.Mutation.Fields {
		if f.Directives.ForName("hasRole") == nil {
			t.Errorf("Mutation.%s has no @hasRole: anyone could call it", f.Name)
		}
	}
	if s.Query.Fields.ForName("tokens").Directives.ForName("hasRole") == nil {
		t.Error("Query.tokens has no @hasRole")
	}
}

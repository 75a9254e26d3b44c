package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/server"
	"github.com/estate-cmdb/estate/server/sso"
	"github.com/estate-cmdb/estate/server/sso/ssotest"
)

// ssoEnv is a server with single sign-on through the real Keycloak, on a
// real listener: the provider sends the browser back to it.
type ssoEnv struct {
	*env
	url string
}

func newSSOEnv(t *testing.T, issuer, secret string) *ssoEnv {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	pub := "http://" + ts.Listener.Addr().String()
	s, err := sso.New(sso.Config{
		Issuer: issuer, ClientID: ssotest.ClientID, ClientSecret: secret, PublicURL: pub, Name: "Acme Keycloak",
		ViewerGroups: []string{"estate-viewers"}, EditorGroups: []string{"estate-editors"}, AdminGroups: []string{"estate-admins"},
		CABGroups: []string{"estate-cab"}, TeamGroupPrefix: "team-",
	}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, withConfig(func(c *server.Config) { c.SSO = s }))
	ts.Config.Handler = e.h
	ts.Start()
	t.Cleanup(ts.Close)
	return &ssoEnv{env: e, url: pub}
}

// browser is an HTTP client with a cookie jar, as a browser would be.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

// post sends a GraphQL request with the browser's cookies and the headers
// a page of origin sends.
func (e *ssoEnv) post(t *testing.T, c *http.Client, origin, query string) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequest(http.MethodPost, e.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if origin != "" {
		req.Header.Set("Origin", origin)
		site := "same-origin"
		if origin != e.url {
			site = "cross-site"
		}
		req.Header.Set("Sec-Fetch-Site", site)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := gqlResponse{Status: res.StatusCode, Raw: raw}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("HTTP %d, not JSON: %s", res.StatusCode, raw)
	}
	return out
}

type viewerData struct {
	Viewer struct {
		Name, Role string
		Anonymous  bool
		Teams      []string
		CAB        bool
		Person     *struct{ Key string }
	}
}

func (e *ssoEnv) who(t *testing.T, c *http.Client) viewerData {
	t.Helper()
	var d viewerData
	e.post(t, c, e.url, `{ viewer { name role anonymous teams cab person { key } } }`).mustData(t, &d)
	return d
}

func sessionCookie(c *http.Client, base string) *http.Cookie {
	u, _ := url.Parse(base)
	for _, k := range c.Jar.Cookies(u) {
		if k.Name == "estate_session" {
			return k
		}
	}
	return nil
}

// TestSingleSignOn signs people in through a real Keycloak's login form:
// their groups decide what they may do, a page of another site cannot act
// with their session, and signing out ends it.
func TestSingleSignOn(t *testing.T) {
	e := newSSOEnv(t, ssotest.Issuer(t), ssotest.ClientSecret)

	code, _, body := e.get(t, "/auth/config")
	if code != http.StatusOK || !strings.Contains(body, `"sso":{"name":"Acme Keycloak","loginUrl":"/auth/login"}`) {
		t.Fatalf("/auth/config: %d %s", code, body)
	}

	// The estate knows edna by her e-mail (as the git ingests key people),
	// carl by his user name.
	e.do(t, e.editor, `mutation { upsertEntities(input: [{kind: Person, key: "edna@acme.example", name: "Edna Editor"},
		{kind: Person, key: "carl.cab", aliases: ["carl"]}]) { created } }`, nil).mustData(t, nil)

	edna := browser(t)
	res, _ := ssotest.SignIn(t, edna, e.url+"/auth/login?return=/shadow", "edna")
	if res.StatusCode != http.StatusOK || res.Request.URL.String() != e.url+"/shadow" {
		t.Fatalf("edna's sign-in ended at %s with HTTP %d, want the page she started from", res.Request.URL, res.StatusCode)
	}
	if k := sessionCookie(edna, e.url); k == nil {
		t.Fatal("no session cookie after signing in")
	}
	if v := e.who(t, edna).Viewer; v.Name != "edna" || v.Role != "EDITOR" || v.Anonymous || strings.Join(v.Teams, ",") != "payments" || v.CAB ||
		v.Person == nil || v.Person.Key != "edna@acme.example" {
		t.Fatalf("edna is %+v, want an editor of team payments, not on the CAB, the person edna@acme.example", v)
	}

	// Her edits are hers in the audit trail.
	const create = `mutation { upsertEntities(input: [{kind: Service, key: "sso-made", evidence: "CHG-1"}]) { created } }`
	e.post(t, edna, e.url, create).mustData(t, nil)
	var h struct {
		Service struct {
			History struct{ Nodes []struct{ Op, Actor string } }
		}
	}
	e.do(t, e.viewer, `{ service(key: "sso-made") { history(first: 5) { nodes { op actor } } } }`, nil).mustData(t, &h)
	if n := h.Service.History.Nodes; len(n) != 1 || n[0].Actor != "edna" {
		t.Fatalf("history of sso-made: %+v, want one change by edna", n)
	}

	// A page of another site sends her cookie too: refused, nothing written.
	before := dump(t, e.base)
	res2 := e.post(t, edna, "http://evil.example", `mutation { upsertEntities(input: [{kind: Service, key: "csrf"}]) { created } }`)
	if res2.Status != http.StatusForbidden || strings.Join(res2.codes(), ",") != "FORBIDDEN" || !strings.Contains(res2.Errors[0].Message, "another site") {
		t.Fatalf("cross-site mutation: HTTP %d %s, want 403 FORBIDDEN", res2.Status, res2.Raw)
	}
	if dump(t, e.base) != before {
		t.Fatal("a refused cross-site request changed the store")
	}

	// A viewer reads and cannot edit; the CAB group puts carl on the board.
	vera := browser(t)
	ssotest.SignIn(t, vera, e.url+"/auth/login", "vera")
	if v := e.who(t, vera).Viewer; v.Name != "vera" || v.Role != "VIEWER" || v.Person != nil {
		t.Fatalf("vera is %+v, want a viewer the estate does not know", v)
	}
	if r := e.post(t, vera, e.url, create); strings.Join(r.codes(), ",") != "FORBIDDEN" {
		t.Fatalf("vera's edit: %s, want FORBIDDEN", r.Raw)
	}
	carl := browser(t)
	ssotest.SignIn(t, carl, e.url+"/auth/login", "carl")
	if v := e.who(t, carl).Viewer; v.Role != "EDITOR" || !v.CAB || v.Person == nil || v.Person.Key != "carl.cab" {
		t.Fatalf("carl is %+v, want an editor on the CAB, the person carl.cab", v)
	}

	// Someone in none of estate's groups is told so, and gets no session.
	olga := browser(t)
	res, page := ssotest.SignIn(t, olga, e.url+"/auth/login", "olga")
	if res.StatusCode != http.StatusForbidden || !strings.Contains(page, "olga is signed in at the identity provider but in none of the groups that may use estate (in no groups)") {
		t.Fatalf("olga: HTTP %d\n%s", res.StatusCode, page)
	}
	if sessionCookie(olga, e.url) != nil {
		t.Fatal("olga got a session")
	}

	// A return address on another site is not followed.
	ada := browser(t)
	res, _ = ssotest.SignIn(t, ada, e.url+"/auth/login?return=//evil.example/x", "ada")
	if res.Request.URL.String() != e.url+"/" {
		t.Fatalf("ada's sign-in ended at %s, want estate's front page", res.Request.URL)
	}
	if v := e.who(t, ada).Viewer; v.Role != "ADMIN" {
		t.Fatalf("ada is %+v, want an admin", v)
	}

	// Signing out ends the session: the old cookie is refused, and cleared.
	old := sessionCookie(edna, e.url)
	req, _ := http.NewRequest(http.MethodPost, e.url+"/auth/logout", nil)
	req.Header.Set("Origin", e.url)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	out, err := edna.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var bye struct{ Next string }
	err = json.NewDecoder(out.Body).Decode(&bye)
	out.Body.Close()
	if err != nil || out.StatusCode != http.StatusOK || sessionCookie(edna, e.url) != nil {
		t.Fatalf("sign-out: HTTP %d, %v, cookie left %v", out.StatusCode, err, sessionCookie(edna, e.url))
	}
	// The browser then signs out at the provider and comes back; the next
	// person at this desk gets the provider's form, not edna's session.
	if !strings.HasPrefix(bye.Next, ssotest.Issuer(t)+"/protocol/openid-connect/logout?") || !strings.Contains(bye.Next, "id_token_hint=") {
		t.Fatalf("sign-out sends the browser to %q, want the provider's logout with the ID token", bye.Next)
	}
	res, err = edna.Get(bye.Next)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.String() != e.url+"/" {
		t.Fatalf("the provider's sign-out ended at %s, want estate's front page", res.Request.URL)
	}
	ssotest.SignIn(t, edna, e.url+"/auth/login", "vera") // fails without a login form
	if v := e.who(t, edna).Viewer; v.Name != "vera" {
		t.Fatalf("the next person at edna's browser is %q", v.Name)
	}
	stale := browser(t)
	u, _ := url.Parse(e.url)
	stale.Jar.SetCookies(u, []*http.Cookie{old})
	r := e.post(t, stale, e.url, `{ viewer { name } }`)
	if r.Status != http.StatusUnauthorized || !strings.Contains(r.Errors[0].Message, "your sign-in has ended") || sessionCookie(stale, e.url) != nil {
		t.Fatalf("the signed-out cookie: HTTP %d %s (cookie kept: %v)", r.Status, r.Raw, sessionCookie(stale, e.url) != nil)
	}
	if r := e.post(t, browser(t), "", `{ viewer { name } }`); r.Status != http.StatusUnauthorized || !strings.Contains(r.Errors[0].Message, "sign in (/auth/login), or send an API token") {
		t.Fatalf("no session, no token: HTTP %d %s", r.Status, r.Raw)
	}

	// API tokens work beside sessions; a token is no person, whatever its name.
	e.do(t, e.editor, create, nil).mustData(t, nil)
	var tok viewerData
	e.do(t, e.editor, `{ viewer { name person { key } } }`, nil).mustData(t, &tok)
	if tok.Viewer.Person != nil {
		t.Errorf("the token %q is the person %q", tok.Viewer.Name, tok.Viewer.Person.Key)
	}

	_, _, metrics := e.get(t, "/metrics")
	for _, want := range []string{`estate_signins_total{result="ok"} 5`, `estate_signins_total{result="refused"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
}

// TestSignInRefusals: a callback this browser did not start, and a client
// secret the provider refuses, each end on a page saying so, with no session.
func TestSignInRefusals(t *testing.T) {
	issuer := ssotest.Issuer(t)
	e := newSSOEnv(t, issuer, ssotest.ClientSecret)
	for _, tc := range []struct {
		name, cookie, query string
	}{
		{"no sign-in started", "", "state=forged&code=x"},
		{"another browser's state", "mine", "state=theirs&code=x"},
		{"a state this server never gave", "forged", "state=forged&code=x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := browser(t)
			req, _ := http.NewRequest(http.MethodGet, e.url+"/auth/callback?"+tc.query, nil)
			if tc.cookie != "" {
				req.AddCookie(&http.Cookie{Name: "estate_signin", Value: tc.cookie})
			}
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(page), "This sign-in cannot be finished here") || sessionCookie(c, e.url) != nil {
				t.Fatalf("HTTP %d\n%s", res.StatusCode, page)
			}
		})
	}
	t.Run("the provider's error", func(t *testing.T) {
		_, _, page := e.get(t, "/auth/callback?error=access_denied&error_description=User+cancelled")
		if !strings.Contains(page, "User cancelled (access_denied)") {
			t.Fatalf("page:\n%s", page)
		}
	})

	wrong := newSSOEnv(t, issuer, "not-the-secret")
	c := browser(t)
	res, page := ssotest.SignIn(t, c, wrong.url+"/auth/login", "edna")
	if res.StatusCode != http.StatusBadGateway || !strings.Contains(page, "The identity provider refused estate") || !strings.Contains(page, "unauthorized_client") || sessionCookie(c, wrong.url) != nil {
		t.Fatalf("a wrong client secret: HTTP %d\n%s", res.StatusCode, page)
	}
	if strings.Contains(page, "not-the-secret") || strings.Contains(wrong.logs.String(), "not-the-secret") {
		t.Fatal("the client secret was shown or logged")
	}
	_, _, metrics := e.get(t, "/metrics")
	_, _, wrongMetrics := wrong.get(t, "/metrics")
	for _, want := range []string{`estate_signins_total{result="invalid"} 3`, `estate_signins_total{result="denied"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
	if !strings.Contains(wrongMetrics, `estate_signins_total{result="provider_error"} 1`) {
		t.Error(`/metrics has no estate_signins_total{result="provider_error"} 1 after a refused client secret`)
	}
}

// TestSignInProviderDown: with the provider unreachable, sign-in says so
// and API tokens still work. Needs no provider.
func TestSignInProviderDown(t *testing.T) {
	s, err := sso.New(sso.Config{Issuer: "http://127.0.0.1:1/realms/none", ClientID: "estate", PublicURL: "http://127.0.0.1:8080"}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, withConfig(func(c *server.Config) { c.SSO = s }))
	code, _, page := e.get(t, "/auth/login?return=/impact")
	if code != http.StatusBadGateway || !strings.Contains(page, "estate cannot reach http://127.0.0.1:1/realms/none right now") || !strings.Contains(page, `href="/auth/login?return=%2Fimpact"`) {
		t.Fatalf("HTTP %d\n%s", code, page)
	}
	e.do(t, e.viewer, `{ viewer { name } }`, nil).mustData(t, nil)

	// Without single sign-on the UI is told there is none.
	plain := newEnv(t)
	if code, _, body := plain.get(t, "/auth/config"); code != http.StatusOK || strings.TrimSpace(body) != `{"sso":null}` {
		t.Fatalf("/auth/config without SSO: %d %s", code, body)
	}
	if code, _, _ := plain.get(t, "/auth/login"); code == http.StatusFound {
		t.Fatal("/auth/login redirects on a server without single sign-on")
	}
	// The UI signs out the same way everywhere: nothing to end here.
	rec := httptest.NewRecorder()
	plain.h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/auth/logout", nil))
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != "{}" {
		t.Fatalf("POST /auth/logout without single sign-on: %d %s", rec.Code, rec.Body)
	}
}

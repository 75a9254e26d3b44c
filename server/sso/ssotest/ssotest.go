// Package ssotest connects tests to a real OpenID Connect provider: the
// Keycloak that scripts/keycloak.sh starts with the realm in
// scripts/keycloak/estate-realm.json,
//
//	set -a; eval "$(scripts/keycloak.sh start)"; set +a
//
// and signs people in through its login form the way a browser does. It is
// for tests only: it reads the environment and fails or skips the test it
// is given.
package ssotest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/estate-cmdb/estate/internal/testdep"
)

// The realm's client and people (scripts/keycloak/estate-realm.json). Each
// person's password is their name followed by "-password".
const (
	Realm        = "estate"
	ClientID     = "estate"
	ClientSecret = "estate-test-secret"
)

// Issuer returns the realm's issuer URL from ESTATE_TEST_KEYCLOAK_URL,
// skipping the test when it is unset, or failing it when
// ESTATE_REQUIRE_KEYCLOAK=1 (CI, where the single sign-on leg must run).
func Issuer(tb testing.TB) string {
	tb.Helper()
	base := testdep.Env(tb, "ESTATE_TEST_KEYCLOAK_URL", "ESTATE_REQUIRE_KEYCLOAK", "scripts/keycloak.sh")
	return strings.TrimSuffix(base, "/") + "/realms/" + Realm
}

// SignIn follows start (estate's sign-in URL) to the provider's login
// form, fills in user and user+"-password" and follows the redirects back,
// as a browser would. c needs a cookie jar. It returns the last response,
// its body read.
func SignIn(tb testing.TB, c *http.Client, start, user string) (*http.Response, string) {
	tb.Helper()
	res, body := fetch(tb, c, http.MethodGet, start, nil)
	action, err := loginForm(body)
	if err != nil {
		tb.Fatalf("sign in %s: %v (HTTP %d at %s)\n%s", user, err, res.StatusCode, res.Request.URL, body)
	}
	target, err := res.Request.URL.Parse(action)
	if err != nil {
		tb.Fatalf("sign in %s: form action %q: %v", user, action, err)
	}
	return fetch(tb, c, http.MethodPost, target.String(), url.Values{"username": {user}, "password": {user + "-password"}, "credentialId": {""}})
}

func fetch(tb testing.TB, c *http.Client, method, u string, form url.Values) (*http.Response, string) {
	tb.Helper()
	var req *http.Request
	var err error
	if form != nil {
		req, err = http.NewRequest(method, u, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequest(method, u, nil)
	}
	if err != nil {
		tb.Fatal(err)
	}
	res, err := c.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return res, string(b)
}

// loginForm finds the action of Keycloak's login form (id kc-form-login).
func loginForm(page string) (string, error) {
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return "", fmt.Errorf("no login form (kc-form-login) on the page: %w", z.Err())
		case html.StartTagToken:
			tok := z.Token()
			if tok.Data != "form" {
				continue
			}
			var id, action string
			for _, a := range tok.Attr {
				switch a.Key {
				case "id":
					id = a.Val
				case "action":
					action = a.Val
				}
			}
			if id == "kc-form-login" && action != "" {
				return action, nil
			}
		}
	}
}

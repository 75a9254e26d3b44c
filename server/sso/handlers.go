package sso

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Login starts a sign-in: GET LoginPath?return=/path sends the browser to
// the provider, which sends it back to Callback.
func (s *SSO) Login(w http.ResponseWriter, r *http.Request) {
	returnTo := safeReturn(r.URL.Query().Get("return"))
	p, err := s.discover(r.Context())
	if err != nil {
		s.log.Warn().Err(err).Msg("sign-in: identity provider unreachable")
		s.page(w, http.StatusBadGateway, "The identity provider does not answer", "estate cannot reach "+s.cfg.Issuer+" right now. Try again in a minute; API tokens still work.", returnTo)
		return
	}
	state, pend, err := s.begin(returnTo)
	if err != nil {
		s.page(w, http.StatusServiceUnavailable, "Sign-in is busy", err.Error(), returnTo)
		return
	}
	http.SetCookie(w, s.cookie(signinCookie, state, CallbackPath, int(signinTTL.Seconds())))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, s.oauth2Config(p).AuthCodeURL(state, oidc.Nonce(pend.nonce), oauth2.S256ChallengeOption(pend.verifier)), http.StatusFound)
}

// Callback finishes a sign-in: it checks the state against the browser's
// cookie, exchanges the code (with the PKCE verifier), verifies the ID
// token and its nonce, maps the groups to a role and starts a session.
func (s *SSO) Callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	http.SetCookie(w, s.cookie(signinCookie, "", CallbackPath, -1))
	if e := q.Get("error"); e != "" {
		msg := e
		if d := q.Get("error_description"); d != "" {
			msg = d + " (" + e + ")"
		}
		s.page(w, http.StatusUnauthorized, "The identity provider did not sign you in", msg, "/")
		return
	}
	state := q.Get("state")
	c, err := r.Cookie(signinCookie)
	if state == "" || err != nil || c.Value != state {
		s.page(w, http.StatusBadRequest, "This sign-in cannot be finished here", "It was not started in this browser, or it took longer than 10 minutes. Start again.", "/")
		return
	}
	pend, ok := s.finish(state)
	if !ok {
		s.page(w, http.StatusBadRequest, "This sign-in cannot be finished here", "It was already used, it took longer than 10 minutes, or estate restarted meanwhile. Start again.", "/")
		return
	}
	code := q.Get("code")
	if code == "" {
		s.page(w, http.StatusBadRequest, "This sign-in cannot be finished here", "The identity provider sent no authorization code. Start again.", pend.returnTo)
		return
	}
	ctx := oidc.ClientContext(r.Context(), s.client)
	p, err := s.discover(ctx)
	if err != nil {
		s.page(w, http.StatusBadGateway, "The identity provider does not answer", err.Error(), pend.returnTo)
		return
	}
	tok, err := s.oauth2Config(p).Exchange(ctx, code, oauth2.VerifierOption(pend.verifier))
	if err != nil {
		s.log.Warn().Err(err).Msg("sign-in: code exchange failed")
		s.page(w, http.StatusBadGateway, "The identity provider refused estate", "Exchanging the sign-in's code failed: "+oauth2Reason(err)+". Check estate's client id and secret.", pend.returnTo)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		s.page(w, http.StatusBadGateway, "The identity provider sent no ID token", "Is estate registered as an OpenID Connect client, with the openid scope?", pend.returnTo)
		return
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: s.cfg.ClientID}).Verify(ctx, raw)
	if err != nil || idt.Nonce != pend.nonce {
		if err == nil {
			err = errors.New("nonce mismatch")
		}
		s.log.Warn().Err(err).Msg("sign-in: ID token refused")
		s.page(w, http.StatusUnauthorized, "The sign-in could not be verified", "The ID token was not valid for estate. Start again.", pend.returnTo)
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		s.page(w, http.StatusBadGateway, "The sign-in could not be read", err.Error(), pend.returnTo)
		return
	}
	name := nameOf(claims)
	principal, err := s.cfg.principal(name, claimStrings(claims[s.cfg.GroupsClaim]))
	if err != nil {
		s.log.Info().Str("user", name).Msg("sign-in refused: in no group that may use estate")
		s.page(w, http.StatusForbidden, "Not allowed to use estate", err.Error(), "")
		return
	}
	principal.Email = verifiedEmail(claims)
	http.SetCookie(w, s.cookie(sessionCookie, s.start(principal, raw), "/", int(s.cfg.SessionTTL.Seconds())))
	s.signins.WithLabelValues("ok").Inc()
	s.log.Info().Str("user", name).Str("role", principal.Role.String()).
		Strs("teams", principal.Membership.Teams).Bool("cab", principal.Membership.CAB).Msg("signed in")
	http.Redirect(w, r, pend.returnTo, http.StatusSeeOther)
}

// Logout ends the request's session (POST; the browser's cookie too). Its
// JSON answer names where the browser goes next to sign out at the
// provider too: {"next": URL}, or {} when there is nowhere.
func (s *SSO) Logout(w http.ResponseWriter, r *http.Request) {
	var out struct {
		Next string `json:"next,omitempty"`
	}
	if sess, ok := s.end(r); ok {
		out.Next = s.providerLogout(sess)
	}
	s.ClearSession(w)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}

// safeReturn keeps a return path on this server: a path, never another
// origin ("//evil.example", "https://…", "/\evil.example").
func safeReturn(v string) string {
	if v == "" || !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") || strings.HasPrefix(v, "/\\") {
		return "/"
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return v
}

// oauth2Reason is the provider's own error code and description, without
// the response body's other fields.
func oauth2Reason(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.ErrorCode != "" {
		if re.ErrorDescription != "" {
			return re.ErrorCode + ": " + re.ErrorDescription
		}
		return re.ErrorCode
	}
	return "the provider did not answer"
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · estate</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}a{color:#0b57d0}</style>
</head><body><main>
<h1>{{.Title}}</h1>
<p role="alert">{{.Message}}</p>
<p>{{if .Retry}}<a href="{{.Retry}}">Sign in again</a> · {{end}}<a href="/">Back to estate</a></p>
</main></body></html>
`))

// page answers a browser with a short page saying what went wrong, and
// counts the failed sign-in by what went wrong.
func (s *SSO) page(w http.ResponseWriter, status int, title, msg, returnTo string) {
	s.signins.WithLabelValues(failure(status)).Inc()
	retry := ""
	if returnTo != "" {
		retry = LoginPath + "?return=" + url.QueryEscape(returnTo)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, struct{ Title, Message, Retry string }{title, msg, retry})
}

// failure names a failed sign-in for the metric, from the page's status.
func failure(status int) string {
	switch status {
	case http.StatusForbidden:
		return "refused" // in none of estate's groups
	case http.StatusUnauthorized:
		return "denied" // the provider said no, or its ID token did not verify
	case http.StatusBadGateway:
		return "provider_error" // unreachable, or refused estate's client
	case http.StatusBadRequest:
		return "invalid" // a callback this browser did not start
	}
	return "busy"
}

package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/rs/zerolog"
	"github.com/rs/zerolog/hlog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/server/auth"
	"github.com/estate-cmdb/estate/server/sso"
)

// authenticate finds who a request acts as and puts the principal in its
// context: an API token (Authorization: Bearer), else a single sign-on
// session cookie, else the anonymous viewer if AnonymousRead, else 401. A
// malformed, unknown or revoked token, or an ended session: 401. Roles are
// checked later, per field, by the @hasRole directive. Tokens are never
// logged.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r) // CORS preflight carries no credentials
			return
		}
		p, fail := s.principal(r)
		if fail != nil {
			if fail.endSession {
				s.cfg.SSO.ClearSession(w)
			}
			if fail.status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="estate"`)
			}
			writeError(w, fail.status, fail.code, fail.msg)
			return
		}
		if !p.Anonymous {
			hlog.FromRequest(r).UpdateContext(func(c zerolog.Context) zerolog.Context {
				if p.TokenID == "" {
					return c.Str("user", p.Name)
				}
				return c.Str("token_id", p.TokenID)
			})
		}
		// Writes the request makes are recorded in the audit trail as the
		// principal's: its token's or person's name, never the token.
		ctx := graph.WithActor(auth.WithPrincipal(r.Context(), p), p.Name)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// authFailure is why a request has no principal.
type authFailure struct {
	status     int
	code, msg  string
	endSession bool // the browser's session cookie names no session
}

func unauthenticated(msg string) *authFailure {
	return &authFailure{status: http.StatusUnauthorized, code: codeUnauthenticated, msg: msg}
}

func (s *Server) principal(r *http.Request) (auth.Principal, *authFailure) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return s.sessionPrincipal(r)
	}
	scheme, token, ok := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return auth.Principal{}, unauthenticated("malformed Authorization header: want Bearer <token>")
	}
	if s.tokens == nil {
		return auth.Principal{}, unauthenticated("this server has no API tokens")
	}
	t, err := s.tokens.Verify(token)
	if err != nil {
		var ae *auth.Error
		if errors.As(err, &ae) {
			return auth.Principal{}, unauthenticated(ae.Msg)
		}
		hlog.FromRequest(r).Error().Err(err).Msg("cannot read the token store")
		return auth.Principal{}, &authFailure{status: http.StatusServiceUnavailable, code: codeUnavailable, msg: "cannot check API tokens right now"}
	}
	return auth.Principal{TokenID: t.ID, Name: t.Name, Role: t.Role, Membership: t.Membership}, nil
}

// sessionPrincipal is the principal of a request without a token: its
// signed-in person, or anonymous.
func (s *Server) sessionPrincipal(r *http.Request) (auth.Principal, *authFailure) {
	if s.cfg.SSO != nil {
		p, ok, err := s.cfg.SSO.Session(r)
		if ok && err != nil {
			f := unauthenticated(err.Error())
			f.endSession = true
			return p, f
		}
		if ok {
			// A browser sends its cookie with whatever page asks: only
			// pages of this server may act with it.
			if err := s.csrf.Check(r); err != nil {
				return auth.Principal{}, &authFailure{status: http.StatusForbidden, code: codeForbidden, msg: "refused: a signed-in browser's request from another site (" + err.Error() + ")"}
			}
			return p, nil
		}
	}
	if s.cfg.AnonymousRead {
		return auth.Anonymous, nil
	}
	msg := "this server needs an API token: send Authorization: Bearer <token>"
	if s.cfg.SSO != nil {
		msg = "sign in (" + sso.LoginPath + "), or send an API token: Authorization: Bearer <token>"
	}
	return auth.Principal{}, unauthenticated(msg)
}

// logout ends a single sign-on session. The UI signs out the same way on
// every server, so without single sign-on there is nothing to end: {}.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if s.cfg.SSO != nil {
		s.cfg.SSO.Logout(w, r)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

// authConfig tells the web UI how people sign in here.
func (s *Server) authConfig(w http.ResponseWriter, _ *http.Request) {
	type signIn struct {
		Name     string `json:"name"`
		LoginURL string `json:"loginUrl"`
	}
	var out struct {
		SSO *signIn `json:"sso"`
	}
	if s.cfg.SSO != nil {
		out.SSO = &signIn{Name: s.cfg.SSO.Name(), LoginURL: sso.LoginPath}
	}
	writeJSON(w, http.StatusOK, out)
}

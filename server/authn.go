package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/rs/zerolog"
	"github.com/rs/zerolog/hlog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/server/auth"
)

// authenticate finds who a GraphQL request acts as and puts the principal
// in its context. No token: anonymous viewer if AnonymousRead, else 401.
// A malformed, unknown or revoked token: 401. Roles are checked later, per
// field, by the @hasRole directive. Tokens are never logged.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r) // CORS preflight carries no credentials
			return
		}
		p, status, msg := s.principal(r)
		if status != 0 {
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="estate"`)
				writeError(w, status, codeUnauthenticated, msg)
			} else {
				writeError(w, status, codeUnavailable, msg)
			}
			return
		}
		if !p.Anonymous {
			hlog.FromRequest(r).UpdateContext(func(c zerolog.Context) zerolog.Context {
				return c.Str("token_id", p.TokenID)
			})
		}
		// Writes the request makes are recorded in the audit trail as the
		// principal's: its token's name, never the token.
		ctx := graph.WithActor(auth.WithPrincipal(r.Context(), p), p.Name)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) principal(r *http.Request) (p auth.Principal, status int, msg string) {
	h := r.Header.Get("Authorization")
	if h == "" {
		if s.cfg.AnonymousRead {
			return auth.Anonymous, 0, ""
		}
		return p, http.StatusUnauthorized, "this server needs an API token: send Authorization: Bearer <token>"
	}
	scheme, token, ok := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return p, http.StatusUnauthorized, "malformed Authorization header: want Bearer <token>"
	}
	if s.tokens == nil {
		return p, http.StatusUnauthorized, "this server has no API tokens"
	}
	t, err := s.tokens.Verify(token)
	if err != nil {
		var ae *auth.Error
		if errors.As(err, &ae) {
			return p, http.StatusUnauthorized, ae.Msg
		}
		hlog.FromRequest(r).Error().Err(err).Msg("cannot read the token store")
		return p, http.StatusServiceUnavailable, "cannot check API tokens right now"
	}
	return auth.Principal{TokenID: t.ID, Name: t.Name, Role: t.Role, Membership: t.Membership}, 0, ""
}

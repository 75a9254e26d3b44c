package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	stdlog "log"
	"net/http"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/rs/zerolog"
	"github.com/rs/zerolog/hlog"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/server/auth"
)

// Error codes of the API (extensions.code) that graph does not define.
const (
	codeUnauthenticated = string(auth.CodeUnauthenticated)
	codeForbidden       = string(auth.CodeForbidden)
	codeInvalid         = string(graph.CodeInvalid)
	codeLimit           = string(graph.CodeLimitExceeded)
	codeUnavailable     = string(graph.CodeUnavailable)
	codeInternal        = string(graph.CodeInternal)

	// gqlgen's own codes, translated by presentError.
	gqlgenComplexity = "COMPLEXITY_LIMIT_EXCEEDED"
)

func init() {
	// An operation rejected by a limit before it runs is the client's
	// fault, like an invalid one: HTTP 422, not 200.
	errcode.RegisterErrorType(codeLimit, errcode.KindProtocol)
	errcode.RegisterErrorType(gqlgenComplexity, errcode.KindProtocol)
}

// errLogged marks an internal error that was logged where it happened (a
// panic, with its stack), so the presenter does not log it twice.
type errLogged struct{ cause string }

func (e *errLogged) Error() string { return e.cause }

// presentError gives every GraphQL error an extensions.code and a message
// safe to show. Internal errors are logged here, once, with the request id,
// and the caller sees only that id.
func (s *Server) presentError(ctx context.Context, err error) *gqlerror.Error {
	gerr := graphql.DefaultErrorPresenter(ctx, err)
	if gerr.Extensions == nil {
		gerr.Extensions = map[string]any{}
	}
	log := zerolog.Ctx(ctx)
	var (
		ae     *auth.Error
		ge     *graph.Error
		logged *errLogged
	)
	code := ""
	switch {
	case errors.As(err, &logged):
		code = codeInternal
	case errors.As(err, &ae):
		code = string(ae.Code)
	case errors.Is(err, context.DeadlineExceeded):
		code = codeLimit
		gerr.Message = fmt.Sprintf("the request took longer than the time limit of %s", s.cfg.RequestTimeout)
		// Logged for the operator, who alone can raise the limit: answers
		// over the whole graph grow with the estate.
		log.Warn().Str("path", gerr.Path.String()).Dur("limit", s.cfg.RequestTimeout).
			Msg("GraphQL request over its time limit (serve --request-timeout)")
	case errors.Is(err, context.Canceled):
		code = codeUnavailable
		gerr.Message = "the request was cancelled"
	case errors.As(err, &ge):
		code = string(ge.Code)
		if ge.Code == graph.CodeUnavailable {
			// The cause may name hosts and ports: log it, show the summary.
			log.Warn().Err(err).Msg("store unavailable")
			gerr.Message = ge.Msg
			if gerr.Message == "" {
				gerr.Message = "the store is unavailable"
			}
		}
	default:
		switch c, _ := gerr.Extensions["code"].(string); c {
		case errcode.ParseFailed, errcode.ValidationFailed:
			code = codeInvalid
		case gqlgenComplexity:
			code = codeLimit
		case codeLimit, codeInvalid:
			code = c
		case "":
			if gerr.Err == nil && len(gerr.Path) == 0 {
				// gqlgen's own complaint about the request (an
				// unreadable body, a missing operation).
				code = codeInvalid
			}
		}
	}
	if code == "" || code == codeInternal {
		code = codeInternal
		if logged == nil {
			log.Error().Err(err).Str("path", gerr.Path.String()).Msg("internal error in GraphQL request")
		}
		gerr.Message = "internal error"
		if id, ok := hlog.IDFromCtx(ctx); ok {
			gerr.Message = "internal error (request " + id.String() + ")"
		}
	}
	gerr.Extensions["code"] = code
	return gerr
}

// recoverPanic turns a panic in a resolver into an INTERNAL error, logging
// it with its stack.
func (s *Server) recoverPanic(ctx context.Context, p any) error {
	zerolog.Ctx(ctx).Error().
		Str("panic", fmt.Sprint(p)).
		Bytes("stack", debug.Stack()).
		Msg("panic in GraphQL request")
	return &errLogged{cause: fmt.Sprint("panic: ", p)}
}

// writeError writes a GraphQL-shaped error response for requests refused
// before GraphQL runs (authentication, body size).
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []any{map[string]any{"message": msg, "extensions": map[string]any{"code": code}}},
		"data":   nil,
	})
}

// newStdLogger routes net/http's own messages (TLS handshakes, panics in
// handlers) into the structured log.
func newStdLogger(log zerolog.Logger) *stdlog.Logger {
	return stdlog.New(log.With().Str("source", "net/http").Logger(), "", 0)
}

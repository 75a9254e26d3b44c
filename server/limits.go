package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// limits rejects, before anything runs, operations nested deeper than
// maxDepth and any `first` argument over maxPage. Introspection fields
// (__schema, __type) are exempt from the depth limit: tools send deep
// introspection queries, and they cost no store calls.
type limits struct {
	maxDepth int
	maxPage  int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = limits{}

func (limits) ExtensionName() string                   { return "EstateLimits" }
func (limits) Validate(graphql.ExecutableSchema) error { return nil }

func (l limits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := limitWalker{limits: l, vars: oc.Variables}
	w.walk(oc.Operation.SelectionSet, 1)
	if w.err != nil {
		w.err.Extensions = map[string]any{"code": codeLimit}
	}
	return w.err
}

type limitWalker struct {
	limits
	vars map[string]any
	err  *gqlerror.Error
}

func (w *limitWalker) walk(set ast.SelectionSet, depth int) {
	for _, sel := range set {
		if w.err != nil {
			return
		}
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				continue
			}
			if depth > w.maxDepth {
				w.err = gqlerror.ErrorPosf(s.Position, "the query nests deeper than the limit of %d levels", w.maxDepth)
				return
			}
			if s.Definition != nil && s.Definition.Arguments.ForName("first") != nil {
				if n, ok := intArg(s.ArgumentMap(w.vars)["first"]); ok && n > int64(w.maxPage) {
					w.err = gqlerror.ErrorPosf(s.Position, "%s: first is %d, over the page size limit of %d", s.Name, n, w.maxPage)
					return
				}
			}
			if len(s.SelectionSet) > 0 {
				w.walk(s.SelectionSet, depth+1)
			}
		case *ast.InlineFragment:
			w.walk(s.SelectionSet, depth)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				w.walk(s.Definition.SelectionSet, depth)
			}
		}
	}
}

// intArg reads an Int argument as the parser or the variable decoder left
// it.
func intArg(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case float64:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// pagedComplexity makes every field with a `first` argument cost `first`
// times its children (the default when first is absent comes from the
// schema's default value), so nested connections multiply; nodes(ids)
// costs one per id, whoOwnsEach(refs) one per ref. Other fields keep
// gqlgen's cost: one plus their children.
type pagedComplexity struct {
	graphql.ExecutableSchema
}

func (p pagedComplexity) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	var n int64
	if v, ok := args["first"]; ok {
		n, _ = intArg(v) // absent without a default: count one
	} else if ids, ok := args["ids"].([]any); ok {
		n = int64(len(ids)) // nodes(ids): one object per id
	} else if refs, ok := args["refs"].([]any); ok && field == "whoOwnsEach" {
		n = int64(len(refs)) // one answer per ref (impact's refs give one answer)
	} else {
		return p.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
	}
	n = max(n, 1)
	c := int64(child) + 1
	if c > math.MaxInt/n {
		return math.MaxInt, true
	}
	return int(c * n), true
}

// limitBody refuses bodies over MaxBodyBytes with HTTP 413 and a GraphQL
// error, before the GraphQL transport reads them.
func (s *Server) limitBody(next http.Handler) http.Handler {
	max := s.cfg.MaxBodyBytes
	tooLarge := func(w http.ResponseWriter) {
		writeError(w, http.StatusRequestEntityTooLarge, codeLimit,
			fmt.Sprintf("the request body is over the limit of %d bytes", max))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > max {
			tooLarge(w)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				tooLarge(w)
				return
			}
			writeError(w, http.StatusBadRequest, codeInvalid, "could not read the request body")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// withTimeout gives each request a deadline; resolvers and store calls
// stop when it passes and the request reports LIMIT_EXCEEDED.
func (s *Server) withTimeout(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Package resolver implements the GraphQL schema: thin translations between
// GraphQL and graph.Store calls. Reads of related entities go through the
// request's loaders (server/loaders) so they batch; validation and
// semantics live in graph.
//
// schema.resolvers.go is laid out by gqlgen (follow-schema); it keeps the
// bodies when regenerating. Helpers live in the other files.
package resolver

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/governance"
	"github.com/estate-cmdb/estate/server/auth"
	"github.com/estate-cmdb/estate/server/gql"
)

// Resolver is the root resolver: the dependencies every resolver shares.
type Resolver struct {
	// Store is the graph.
	Store graph.Store
	// Ingest starts configured sources (startIngest, ingestSources); nil
	// when none are configured.
	Ingest Ingester
	// Notify tells of the runs' new shadow findings (notifyTargets,
	// testNotifyTarget); nil when nobody hears of them.
	Notify Notifier
	// Tokens manages API tokens; nil disables token management.
	Tokens *auth.Store
	// MaxPageSize caps `first` (default 100). The server rejects larger
	// values before execution; resolvers clamp as a second line.
	MaxPageSize int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Governor is change governance (default: the default policy over
	// Store).
	Governor *governance.Governor
}

// NewExecutableSchema returns the schema wired to r, with the @hasRole
// directive enforcing roles.
func NewExecutableSchema(r *Resolver) graphql.ExecutableSchema {
	if r.MaxPageSize <= 0 {
		r.MaxPageSize = 100
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Governor == nil {
		r.Governor = governance.New(r.Store, nil)
	}
	return gql.NewExecutableSchema(gql.Config{
		Resolvers:  r,
		Directives: gql.DirectiveRoot{HasRole: HasRole},
	})
}

// HasRole implements @hasRole: the one place roles are checked. The caller
// needs at least role; else UNAUTHENTICATED (no token) or FORBIDDEN.
func HasRole(ctx context.Context, _ any, next graphql.Resolver, role auth.Role) (any, error) {
	if err := auth.Require(ctx, role); err != nil {
		return nil, err
	}
	return next(ctx)
}

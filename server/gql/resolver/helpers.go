package resolver

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/rs/zerolog/hlog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/server/auth"
	"github.com/estate-cmdb/estate/server/gql/model"
)

// lookup returns the node of kind k whose key is key or, failing that, the
// first whose key or alias matches key ignoring case; nil when none does.
// Errors: INVALID_INPUT for a malformed key.
func (r *Resolver) lookup(ctx context.Context, k graph.Kind, key string) (*graph.Node, error) {
	ref, err := graph.ValidateRef(graph.Ref{Kind: k, Key: key})
	if err != nil {
		return nil, err
	}
	// A lookup is a root field: asking the store directly saves the
	// loader's wait, and priming lets nested fields find the node.
	ns, err := r.Store.Nodes(ctx, []graph.ID{ref.ID()})
	if err != nil {
		return nil, err
	}
	if n := ns[0]; n != nil {
		r.loaders(ctx).Prime(n)
		return n, nil
	}
	ns, err = r.Store.Resolve(ctx, ref.Key, []graph.Kind{k})
	if err != nil || len(ns) == 0 {
		return nil, err
	}
	// A key merged away names the node it was merged into, before any
	// node that merely has it as an alias.
	for _, n := range ns {
		if slices.Contains(graph.MergedIDs(n), ref.ID()) {
			return n, nil
		}
	}
	return ns[0], nil
}

// repoKey turns a clone or browse URL into a repository key (the rule
// lives in graph/analysis, shared with whoOwns).
func repoKey(u string) string { return analysis.RepositoryKey(u) }

// runID identifies the API request that made a manual edit, so its
// assertions can be traced to a request in the logs.
func runID(ctx context.Context) string {
	if id, ok := hlog.IDFromCtx(ctx); ok {
		return "api-" + id.String()
	}
	return "api-" + uuid.NewString()
}

// evidence records who made a manual edit unless the caller said why.
func evidence(ctx context.Context, given *string) string {
	if given != nil && strings.TrimSpace(*given) != "" {
		return *given
	}
	if p, ok := auth.PrincipalFrom(ctx); ok {
		return "GraphQL API, token " + p.Name
	}
	return "GraphQL API"
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func refOf(in *model.RefInput) graph.Ref {
	if in == nil {
		return graph.Ref{}
	}
	return graph.Ref{Kind: in.Kind, Key: in.Key}
}

// edgeProps builds relationship properties from the link inputs; graph
// validation rejects those the type does not allow.
func edgeProps(role *model.OwnerRole, path *string) map[string]any {
	props := map[string]any{}
	if role != nil {
		props["role"] = role.GraphRole()
	}
	if path != nil {
		props["path"] = *path
	}
	return props
}

func (r *Resolver) tokens() (*auth.Store, error) {
	if r.Tokens == nil {
		return nil, graph.Errorf(graph.CodeUnavailable, "token management is not enabled on this server")
	}
	return r.Tokens, nil
}

func entities(ns []*graph.Node) []model.Entity {
	out := make([]model.Entity, 0, len(ns))
	for _, n := range ns {
		if e := model.Wrap(n); e != nil {
			out = append(out, e)
		}
	}
	return out
}

// duplicateGroup is g as the API gives it.
func duplicateGroup(g analysis.DuplicateGroup) *model.DuplicateGroup {
	out := &model.DuplicateGroup{Kind: g.Kind, Shared: g.Shared}
	for _, it := range g.Items {
		out.Entities = append(out.Entities, model.Wrap(it.Node))
	}
	return out
}

// Shared field resolvers of every kind.

func (r *Resolver) relationships(ctx context.Context, n *graph.Node, types []graph.RelType, dir *graph.Direction, first *int, after *string) (*model.RelationshipConnection, error) {
	d := graph.Both
	if dir != nil {
		d = *dir
	}
	return relationshipConnection(r.related(ctx, n, rels{types: types, dir: d}, first, after))
}

func (r *Resolver) owners(ctx context.Context, n *graph.Node, roles []model.OwnerRole, first *int, after *string) (*model.RelationshipConnection, error) {
	return relationshipConnection(r.related(ctx, n, rels{types: only(graph.RelOwns), dir: graph.In, roles: roles}, first, after))
}

func (r *Resolver) owns(ctx context.Context, n *graph.Node, kinds []graph.Kind, roles []model.OwnerRole, first *int, after *string) (*model.RelationshipConnection, error) {
	return relationshipConnection(r.related(ctx, n, rels{types: only(graph.RelOwns), dir: graph.Out, kinds: kinds, roles: roles}, first, after))
}

// rel selects the relationships of one type and direction leading to
// entities of one kind.
func rel(t graph.RelType, dir graph.Direction, k graph.Kind) rels {
	return rels{types: only(t), dir: dir, kinds: onlyKind(k)}
}

// only is the list of the single type t, shared and read-only: a slice of
// graph.RelTypes, not a new one. Relationship fields are resolved once per
// node of a nested level, and a literal []graph.RelType{t} would cost an
// allocation each time.
func only(t graph.RelType) []graph.RelType {
	i := graph.RelRank(t)
	return graph.RelTypes[i : i+1 : i+1]
}

// onlyKind is only for a kind: a one-kind slice of graph.Kinds.
func onlyKind(k graph.Kind) []graph.Kind {
	i := graph.KindRank(k)
	return graph.Kinds[i : i+1 : i+1]
}

// entityOf shows a node an answer names as its GraphQL entity (nil for none).
func entityOf(n *graph.Node) model.Entity {
	if n == nil {
		return nil
	}
	return model.Wrap(n)
}

// itemEntity shows an item of an answer as its GraphQL entity: the node
// the answer read, or, for an item it read light (analysis.Item: Impact's),
// the whole node through the request's loaders — one store call for all
// the items of a response, made only when a client asks for entities.
func (r *Resolver) itemEntity(ctx context.Context, it analysis.Item) (model.Entity, error) {
	if it.Node != nil {
		return model.Wrap(it.Node), nil
	}
	n, err := r.loaders(ctx).Node(ctx, it.Ref().ID())
	if err != nil {
		return nil, err
	}
	return entityOf(n), nil
}

// nodesByID loads the nodes of a list of ids the client gave (nil where
// none), refusing more ids than a page holds.
func (r *Resolver) nodesByID(ctx context.Context, ids []uuid.UUID) ([]*graph.Node, error) {
	if len(ids) > r.MaxPageSize {
		return nil, graph.Errorf(graph.CodeLimitExceeded, "%d ids is over the page size limit of %d", len(ids), r.MaxPageSize)
	}
	return r.loaders(ctx).Nodes(ctx, ids)
}

// maxDistinct bounds the entities one markDistinct names: a group of
// likely duplicates is a handful.
const maxDistinct = 20

package resolver

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/server/gql/model"
	"github.com/estate-cmdb/estate/server/loaders"
)

// item is one entry of a page: a node, the relationship it was reached by
// (nil in listings) and its cursor.
type item struct {
	node   *graph.Node
	rel    *model.Relationship
	cursor string
}

// page is one page of a connection, before it is typed.
type page struct {
	items []item
	info  *model.PageInfo
	total int
}

func (r *Resolver) loaders(ctx context.Context) *loaders.Loaders {
	if l := loaders.For(ctx); l != nil {
		return l
	}
	// Outside the server's middleware (a test calling a resolver): correct,
	// just unbatched.
	return loaders.New(r.Store, 0)
}

// pageSize checks `first`. The server rejects oversize pages before
// execution; this is the second line.
func (r *Resolver) pageSize(first *int) (int, error) {
	if first == nil {
		return graph.DefaultPageSize, nil
	}
	switch n := *first; {
	case n < 0:
		return 0, graph.Errorf(graph.CodeInvalid, "first must not be negative")
	case n > r.MaxPageSize:
		return 0, graph.Errorf(graph.CodeLimitExceeded, "first is %d, over the page size limit of %d", n, r.MaxPageSize)
	default:
		return n, nil
	}
}

// rels selects relationships of a node: types and direction as stored,
// then optionally only some kinds at the other end and some owner roles.
type rels struct {
	types []graph.RelType
	dir   graph.Direction
	kinds []graph.Kind
	roles []model.OwnerRole
}

func (s rels) keep(n graph.Neighbor) bool {
	if !graph.HasAnyKind(s.kinds, n.Node.Kind) {
		return false
	}
	if len(s.roles) > 0 && (n.Edge.Type != graph.RelOwns || !slices.Contains(s.roles, model.OwnerRoleFromGraph(n.Edge.Role()))) {
		return false
	}
	return true
}

// related returns one page of the relationships of n that s selects.
func (r *Resolver) related(ctx context.Context, n *graph.Node, s rels, first *int, after *string) (page, error) {
	size, err := r.pageSize(first)
	if err != nil {
		return page{}, err
	}
	var from relKey
	paged := after != nil && *after != ""
	if paged {
		if from, err = decodeRelCursor(*after); err != nil {
			return page{}, err
		}
	}
	all, err := r.loaders(ctx).Neighbors(ctx, n.ID, graph.NeighborQuery{Types: s.types, Direction: s.dir})
	if err != nil {
		return page{}, err
	}
	// One pass over the loader's (shared, ordered) relationships: count
	// those s keeps, find the first after the cursor, take the page from
	// there. A resolver runs this for every node of a nested level, so it
	// allocates per page, not per relationship.
	p := page{info: &model.PageInfo{}}
	start := 0
	if paged {
		start = -1
	}
	var rs []model.Relationship // the page's relationships, in one allocation
	for _, nb := range all {
		if !s.keep(nb) {
			continue
		}
		i := p.total
		p.total++
		if start < 0 {
			// The first relationship after the cursor's position; a
			// cursor whose relationship is gone still finds its place.
			if compareRelKeys(keyOf(nb), from) <= 0 {
				continue
			}
			start = i
		}
		if i-start >= size {
			continue
		}
		if rs == nil {
			// At most size, and at most what is left: the pointers into rs
			// stay valid because it never grows.
			rs = make([]model.Relationship, 0, min(size, len(all)))
			p.items = make([]item, 0, cap(rs))
		}
		rs = append(rs, model.Relationship{Edge: nb.Edge, Outgoing: nb.Outgoing})
		p.items = append(p.items, item{node: nb.Node, rel: &rs[len(rs)-1], cursor: encodeRelCursor(keyOf(nb))})
	}
	if start < 0 {
		start = p.total
	}
	p.info.HasNextPage = start+len(p.items) < p.total
	p.info.HasPreviousPage = start > 0
	p.setCursors()
	return p, nil
}

// one returns the first entity of kind k related to n by t in direction
// dir (to-one fields such as Service.businessUnit), or nil.
func (r *Resolver) one(ctx context.Context, n *graph.Node, t graph.RelType, dir graph.Direction, k graph.Kind) (*graph.Node, error) {
	all, err := r.loaders(ctx).Neighbors(ctx, n.ID, graph.NeighborQuery{Types: only(t), Direction: dir})
	if err != nil {
		return nil, err
	}
	for _, nb := range all {
		if nb.Node.Kind == k {
			return nb.Node, nil
		}
	}
	return nil, nil
}

func (p *page) setCursors() {
	if len(p.items) > 0 {
		p.info.StartCursor = &p.items[0].cursor
		p.info.EndCursor = &p.items[len(p.items)-1].cursor
	}
}

// relKey is a relationship's position in graph.SortNeighbors order.
type relKey struct {
	typ  graph.RelType
	ref  graph.Ref
	out  bool
	role string
}

func keyOf(nb graph.Neighbor) relKey {
	return relKey{typ: nb.Edge.Type, ref: nb.Node.Ref(), out: nb.Outgoing, role: nb.Edge.Role()}
}

func compareRelKeys(a, b relKey) int {
	if ra, rb := graph.RelRank(a.typ), graph.RelRank(b.typ); ra != rb {
		return ra - rb
	}
	if c := graph.CompareRefs(a.ref, b.ref); c != 0 {
		return c
	}
	if a.out != b.out {
		if a.out {
			return -1
		}
		return 1
	}
	return strings.Compare(a.role, b.role)
}

// encodeRelCursor encodes every relationship of a page, cursor selected or
// not, so it builds the string in buffers on the stack: one allocation, for
// the string itself, unless the key is unusually long.
func encodeRelCursor(k relKey) string {
	dir := byte('i')
	if k.out {
		dir = 'o'
	}
	var raw [192]byte
	b := append(raw[:0], k.typ...)
	b = append(b, 0)
	b = append(b, k.ref.Kind...)
	b = append(b, 0)
	b = append(b, k.ref.Key...)
	b = append(b, 0, dir, 0)
	b = append(b, k.role...)
	var enc [256]byte
	return string(base64.RawURLEncoding.AppendEncode(enc[:0], b))
}

func decodeRelCursor(c string) (relKey, error) {
	f, err := placeOf(c, 5)
	if err != nil {
		return relKey{}, err
	}
	if !graph.RelType(f[0]).Valid() || !graph.Kind(f[1]).Valid() || (f[3] != "i" && f[3] != "o") {
		return relKey{}, malformedCursor(c)
	}
	return relKey{typ: graph.RelType(f[0]), ref: graph.Ref{Kind: graph.Kind(f[1]), Key: f[2]}, out: f[3] == "o", role: f[4]}, nil
}

// A cursor of an answer the resolvers sort themselves (shadow findings,
// changes by time; relationships too, encoded faster by encodeRelCursor)
// is a place in that order: the fields of the place, NUL-separated, in
// unpadded base64url.
func placeCursor(fields ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(fields, "\x00")))
}

// placeOf decodes a placeCursor of n fields.
func placeOf(c string, n int) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, malformedCursor(c)
	}
	f := strings.Split(string(b), "\x00")
	if len(f) != n {
		return nil, malformedCursor(c)
	}
	return f, nil
}

func malformedCursor(c string) error {
	return graph.Errorf(graph.CodeInvalid, "malformed cursor %q", c)
}

// firstAfter is where the page after a cursor starts in sorted, which is
// in cmp's order: at the first element past the cursor's place, whether
// or not the cursor's own element is still there (an answer computed
// again may have lost it, not its place).
func firstAfter[T any](sorted []T, place T, cmp func(a, b T) int) int {
	i, _ := slices.BinarySearchFunc(sorted, place, func(e, p T) int {
		if cmp(e, p) <= 0 {
			return -1
		}
		return 1
	})
	return i
}

// list returns one page of a listing (Store.List).
func (r *Resolver) list(ctx context.Context, kinds []graph.Kind, labels []*model.LabelInput, source *string, first *int, after *string) (page, error) {
	size, err := r.pageSize(first)
	if err != nil {
		return page{}, err
	}
	q := graph.ListQuery{Kinds: kinds, Labels: labelMap(labels), First: max(size, 1)}
	if source != nil {
		q.Source = *source
	}
	if after != nil {
		q.After = *after
	}
	res, err := r.Store.List(ctx, q)
	if err != nil {
		return page{}, err
	}
	p := page{total: res.TotalCount, info: &model.PageInfo{HasNextPage: res.HasNext, HasPreviousPage: q.After != ""}}
	if size == 0 {
		// first: 0 asks only for totalCount and whether there is a page.
		p.info.HasNextPage = len(res.Nodes) > 0
		return p, nil
	}
	l := r.loaders(ctx)
	for i, n := range res.Nodes {
		l.Prime(n)
		p.items = append(p.items, item{node: n, cursor: res.Cursors[i]})
	}
	p.setCursors()
	return p, nil
}

func labelMap(ls []*model.LabelInput) map[string]string {
	if len(ls) == 0 {
		return nil
	}
	m := make(map[string]string, len(ls))
	for _, l := range ls {
		m[l.Key] = l.Value
	}
	return m
}

func filterArgs(f *model.EntityFilter) ([]*model.LabelInput, *string) {
	if f == nil {
		return nil, nil
	}
	return f.Labels, f.Source
}

// Typed connections. Each kind has its own connection type so nested
// selections need no fragments; build does the shared work.

func build[N, E any](p page, wrap func(*graph.Node) N, edge func(string, N, *model.Relationship) E) ([]E, []N) {
	es := make([]E, 0, len(p.items))
	ns := make([]N, 0, len(p.items))
	for _, it := range p.items {
		n := wrap(it.node)
		es = append(es, edge(it.cursor, n, it.rel))
		ns = append(ns, n)
	}
	return es, ns
}

func asBusinessUnit(n *graph.Node) *model.BusinessUnit {
	return &model.BusinessUnit{Base: model.Base{N: n}}
}
func asService(n *graph.Node) *model.Service { return &model.Service{Base: model.Base{N: n}} }
func asApplication(n *graph.Node) *model.Application {
	return &model.Application{Base: model.Base{N: n}}
}
func asRepository(n *graph.Node) *model.Repository {
	return &model.Repository{Base: model.Base{N: n}}
}
func asTeam(n *graph.Node) *model.Team     { return &model.Team{Base: model.Base{N: n}} }
func asPerson(n *graph.Node) *model.Person { return &model.Person{Base: model.Base{N: n}} }
func asCloudAccount(n *graph.Node) *model.CloudAccount {
	return &model.CloudAccount{Base: model.Base{N: n}}
}
func asCloudResource(n *graph.Node) *model.CloudResource {
	return &model.CloudResource{Base: model.Base{N: n}}
}

// orNil applies wrap to a node that may be nil.
func orNil[N any](n *graph.Node, err error, wrap func(*graph.Node) *N) (*N, error) {
	if n == nil || err != nil {
		return nil, err
	}
	return wrap(n), nil
}

func businessUnitConnection(p page, err error) (*model.BusinessUnitConnection, error) {
	if err != nil {
		return nil, err
	}
	es, ns := build(p, asBusinessUnit, func(c string, n *model.BusinessUnit, r *model.Relationship) *model.BusinessUnitEdge {
		return &model.BusinessUnitEdge{Cursor: c, Node: n, Relationship: r}
	})
	return &model.BusinessUnitConnection{Edges: es, Nodes: ns, PageInfo: p.info, TotalCount: p.total}, nil
}

func serviceConnection(p page, err error) (*model.ServiceConnection, error) {
	if err != nil {
		return nil, err
	}
	es, ns := build(p, asService, func(c string, n *model.Service, r *model.Relationship) *model.ServiceEdge {
		return &model.ServiceEdge{Cursor: c, Node: n, Relationship: r}
	})
	return &model.ServiceConnection{Edges: es, Nodes: ns, PageInfo: p.info, TotalCount: p.total}, nil
}

func applicationConnection(p page, err error) (*model.ApplicationConnection, error) {
	if err != nil {
		return nil, err
	}
	es, ns := build(p, asApplication, func(c string, n *model.Application, r *model.Relationship) *model.ApplicationEdge {
		return &model.ApplicationEdge{Cursor: c, Node: n, Relationship: r}
	})
	return &model.ApplicationConnection{Edges: es, Nodes: ns, PageInfo: p.info, TotalCount: p.total}, nil
}

func repositoryConnection(p page, err error) (*model.RepositoryConnection, error) {
	if err != nil {
		return nil, err
	}
	es, ns := build(p, asRepository, func(c string, n *model.Repository, r *model.Relationship) *model.RepositoryEdge {
		return &model.RepositoryEdge{Cursor: c, Node: n, Relationship: r}
	})
	return &model.RepositoryConnection{Edges: es, Nodes: ns, PageInfo: p.info, TotalCount: p.total}, nil
}

func teamConnection(p page, err error) (*model.TeamConnection, error) {
	if err != nil {
		return nil, err
	}
	es, ns := build(p, asTeam, func(c string, n *model.Team, r *model.Relationship) *model.TeamEdge {
		return &model.TeamEdge{Cursor: c, Node: n, Relationship: r}
	})
	return &model.TeamConnection{Edges: es, Nodes: ns, PageInfo: p.info, TotalCount: p.total}, nil
}

func personConnection(p page, err error) (*model.PersonConnection, error) {
	if err != nil {
		return nil, err
	}
	es, ns := build(p, asPerson, func(c string, n *model.Person, r *model.Relationship) *model.PersonEdge {
		return &model.PersonEdge{Cursor: c, Node: n, Relationship: r}
	})
	return &model.PersonConnection{Edges: es, Nodes: ns, PageInfo: p.info, TotalCount: p.total}, nil
}

func cloudAccountConnection(p page, err error) (*model.CloudAccountConnection, error) {
	if err != nil {
		return nil, err
	}
	es, ns := build(p, asCloudAccount, func(c string, n *model.CloudAccount, r *model.Relationship) *model.CloudAccountEdge {
		return &model.CloudAccountEdge{Cursor: c, Node: n, Relationship: r}
	})
	return &model.CloudAccountConnection{Edges: es, Nodes: ns, PageInfo: p.info, TotalCount: p.total}, nil
}

func cloudResourceConnection(p page, err error) (*model.CloudResourceConnection, error) {
	if err != nil {
		return nil, err
	}
	es, ns := build(p, asCloudResource, func(c string, n *model.CloudResource, r *model.Relationship) *model.CloudResourceEdge {
		return &model.CloudResourceEdge{Cursor: c, Node: n, Relationship: r}
	})
	return &model.CloudResourceConnection{Edges: es, Nodes: ns, PageInfo: p.info, TotalCount: p.total}, nil
}

func entityConnection(p page, err error) (*model.EntityConnection, error) {
	if err != nil {
		return nil, err
	}
	es, ns := build(p, model.Wrap, func(c string, n model.Entity, _ *model.Relationship) *model.EntityEdge {
		return &model.EntityEdge{Cursor: c, Node: n}
	})
	return &model.EntityConnection{Edges: es, Nodes: ns, PageInfo: p.info, TotalCount: p.total}, nil
}

func relationshipConnection(p page, err error) (*model.RelationshipConnection, error) {
	if err != nil {
		return nil, err
	}
	es, _ := build(p, model.Wrap, func(c string, n model.Entity, r *model.Relationship) *model.RelationshipEdge {
		return &model.RelationshipEdge{Cursor: c, Node: n, Relationship: r}
	})
	return &model.RelationshipConnection{Edges: es, PageInfo: p.info, TotalCount: p.total}, nil
}

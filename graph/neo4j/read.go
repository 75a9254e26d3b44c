package neo4j

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"golang.org/x/sync/errgroup"

	"github.com/estate-cmdb/estate/graph"
)

// Nodes implements graph.Store: one statement looks every id up in the
// :Entity(id) index.
func (s *Store) Nodes(ctx context.Context, ids []graph.ID) ([]*graph.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]*graph.Node, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	found := map[string]*graph.Node{}
	err := s.read(ctx, "nodes", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		clear(found)
		dec := newDecodeCache()
		recs, err := collect(ctx, tx, "UNWIND $ids AS id MATCH (n:"+s.entity()+" {id: id}) RETURN id, properties(n) AS n",
			map[string]any{"ids": idStrings(distinctIDs(ids))})
		if err != nil {
			return err
		}
		for _, r := range recs {
			n, err := dec.node(r.Values[1].(map[string]any))
			if err != nil {
				return err
			}
			found[r.Values[0].(string)] = n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		if n := found[id.String()]; n != nil {
			out[i] = graph.CloneNode(n) // a repeated id gets its own copy
		}
	}
	return out, nil
}

// Node implements graph.Store.
func (s *Store) Node(ctx context.Context, ref graph.Ref) (*graph.Node, error) {
	return graph.NodeByRef(ctx, s.Nodes, ref)
}

// kindFilter is a WHERE fragment restricting n to kinds (none: every kind).
func kindFilter(kinds []graph.Kind, params map[string]any) string {
	if len(kinds) == 0 {
		return ""
	}
	ks := make([]string, len(kinds))
	for i, k := range kinds {
		ks[i] = string(k)
	}
	params["kinds"] = ks
	return " AND n.kind IN $kinds"
}

// Resolve implements graph.Store: the TEXT index on search finds the
// candidates (a line equal to the name), the names list decides.
func (s *Store) Resolve(ctx context.Context, ref string, kinds []graph.Kind) ([]*graph.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	name := strings.ToLower(strings.TrimSpace(ref))
	var out []*graph.Node
	if name == "" {
		return out, nil
	}
	params := map[string]any{"needle": "\n" + name + "\n", "name": name}
	cypher := s.bySearch("needle") + " AND $name IN n.names" +
		kindFilter(kinds, params) + " RETURN properties(n) AS n"
	err := s.read(ctx, "resolve", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		var err error
		out, err = collectNodes(ctx, tx, cypher, params)
		return err
	})
	if err != nil {
		return nil, err
	}
	graph.SortNodes(out)
	return out, nil
}

// collectNodes runs a statement whose first column is properties(n).
func collectNodes(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, params map[string]any) ([]*graph.Node, error) {
	recs, err := collect(ctx, tx, cypher, params)
	if err != nil {
		return nil, err
	}
	dec := newDecodeCache()
	out := make([]*graph.Node, 0, len(recs))
	for _, r := range recs {
		n, err := dec.node(r.Values[0].(map[string]any))
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// List implements graph.Store in two statements (listStatements).
func (s *Store) List(ctx context.Context, q graph.ListQuery) (*graph.NodePage, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pageStmt, countStmt, params := s.listStatements(q)
	res := &graph.NodePage{}
	err = s.read(ctx, "list", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		res.Nodes, res.TotalCount = nil, 0
		if pageStmt != "" {
			var err error
			if res.Nodes, err = collectNodes(ctx, tx, pageStmt, params); err != nil {
				return err
			}
		}
		recs, err := collect(ctx, tx, countStmt, params)
		if err != nil {
			return err
		}
		res.TotalCount = int(recs[0].Values[0].(int64))
		return nil
	})
	if err != nil {
		return nil, err
	}
	graph.SortNodes(res.Nodes)
	if len(res.Nodes) > q.First {
		res.Nodes, res.HasNext = res.Nodes[:q.First], true
	}
	res.FillCursors()
	return res, nil
}

// listStatements are List's statements for a normalized q: the page (one
// branch per kind, each an ordered scan of that kind's key index from the
// cursor, filtered and limited; a listed label's index instead, when the
// filter names one) and the total count (count store when unfiltered). The
// page statement is empty when the cursor is past every kind.
func (s *Store) listStatements(q graph.ListQuery) (pageStmt, countStmt string, params map[string]any) {
	var after graph.Ref
	if q.After != "" {
		after, _ = graph.DecodeCursor(q.After)
	}
	params = map[string]any{"limit": int64(q.First + 1)}
	filter := ""
	// Each label is a property of its own in the statement, so that the
	// planner can use the indexes on the listed labels (graph.ListedLabels).
	names := slices.Sorted(maps.Keys(q.Labels))
	for i, k := range names {
		p := fmt.Sprintf("label%d", i)
		params[p] = q.Labels[k]
		filter += " AND n." + quoteName(labelPrefix+k) + " = $" + p
	}
	if q.Source != "" {
		params["source"] = q.Source
		filter += " AND $source IN n.sources"
	}
	var page, count []string
	for i, k := range q.PageKinds() {
		count = append(count, fmt.Sprintf("MATCH (n:%s) WHERE true%s RETURN count(n) AS c", s.kindLabel(k), filter))
		if q.After != "" && graph.KindRank(k) < graph.KindRank(after.Kind) {
			continue
		}
		p := fmt.Sprintf("a%d", i)
		params[p] = ""
		if q.After != "" && k == after.Kind {
			params[p] = after.Key
		}
		match := s.keysAfter("n", k, p)
		if len(names) > 0 && len(graph.ListedLabels[k]) > 0 {
			// A listed label's index finds the few records of a month or a
			// status among many: not the walk of the key index the hint
			// would force.
			match = "MATCH (n:" + s.kindLabel(k) + ") WHERE n.key > $" + p
		}
		page = append(page, match+filter+" RETURN n ORDER BY n.key LIMIT $limit")
	}
	if len(page) > 0 {
		pageStmt = "CALL { " + strings.Join(page, " UNION ALL ") + " } RETURN properties(n) AS props ORDER BY n.rank, n.key LIMIT $limit"
	}
	countStmt = "CALL { " + strings.Join(count, " UNION ALL ") + " } RETURN sum(c) AS total"
	return pageStmt, countStmt, params
}

// Search implements graph.Store. The TEXT index on search finds the nodes
// containing the text; the statement ranks them with graph.SearchRank's
// rules over the stored lower-cased terms and label values and returns the
// best Limit; the ranking is then checked and ordered in Go with
// graph.SearchRank itself.
func (s *Store) Search(ctx context.Context, q graph.SearchQuery) ([]*graph.Node, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	text := strings.ToLower(q.Text)
	params := map[string]any{"text": text, "limit": int64(q.Limit)}
	cypher := s.bySearch("text") + kindFilter(q.Kinds, params) + `
WITH n, CASE
  WHEN $text IN n.terms THEN 0
  WHEN any(x IN n.terms WHERE x STARTS WITH $text) THEN 1
  WHEN any(x IN n.terms + coalesce(n.lvals, []) WHERE x CONTAINS $text) THEN 2
  ELSE -1 END AS score
WHERE score >= 0
RETURN properties(n) AS props ORDER BY score, n.rank, n.key LIMIT $limit`
	var found []*graph.Node
	err = s.read(ctx, "search", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		var err error
		found, err = collectNodes(ctx, tx, cypher, params)
		return err
	})
	if err != nil {
		return nil, err
	}
	type scored struct {
		n    *graph.Node
		rank int
	}
	hits := make([]scored, 0, len(found))
	for _, n := range found {
		if r := graph.SearchRank(n, text); r >= 0 {
			hits = append(hits, scored{n, r})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		return graph.CompareRefs(a.n.Ref(), b.n.Ref())
	})
	out := make([]*graph.Node, len(hits))
	for i, h := range hits {
		out[i] = h.n
	}
	return out, nil
}

// edgeFields is the RETURN fragment that edgeOf decodes: type, properties
// and both ends of relationship r.
func edgeFields(r string) string { return edgeColumns(r, "properties("+r+")") }

// edgeColumns is edgeFields with props for the properties column.
func edgeColumns(r, props string) string {
	return fmt.Sprintf("type(%[1]s) AS type, %[2]s AS edge, [startNode(%[1]s).kind, startNode(%[1]s).key] AS from, [endNode(%[1]s).kind, endNode(%[1]s).key] AS to", r, props)
}

// edgeOf decodes the edgeFields columns of a record.
func (s *Store) edgeOf(rec *neo4j.Record, dec *decodeCache) (*graph.Edge, error) {
	t, from, to, m, err := s.edgeColumnsOf(rec)
	if err != nil {
		return nil, err
	}
	return dec.edge(t, from, to, m)
}

// edgeColumnsOf reads the edgeColumns of a record.
func (s *Store) edgeColumnsOf(rec *neo4j.Record) (t graph.RelType, from, to graph.Ref, props map[string]any, err error) {
	get := func(k string) any { v, _ := rec.Get(k); return v }
	if t, err = s.relTypeOf(str(get("type"))); err != nil {
		return "", graph.Ref{}, graph.Ref{}, nil, err
	}
	return t, refOf(get("from")), refOf(get("to")), get("edge").(map[string]any), nil
}

// hitFields is the RETURN fragment of a node n reached through relationship
// r, as Neighbors and Traverse read them (hitOf decodes it): whole, or, for
// a light read (graph.Light), only the fields a light value keeps, so that
// Neo4j neither reads nor sends the rest (assertions, aliases, times).
func hitFields(n, r string, l *graph.Light) string {
	if l == nil {
		return "properties(" + n + ") AS node, " + edgeFields(r)
	}
	return project(n, l, "id", "kind", "key", "name") + " AS node, " + edgeColumns(r, project(r, l, "id", propPrefix+"role"))
}

// project is a map projection of x's stored fields and of the properties
// l names.
func project(x string, l *graph.Light, fields ...string) string {
	for _, p := range l.Props {
		fields = append(fields, propPrefix+p)
	}
	for i, f := range fields {
		fields[i] = ".`" + strings.ReplaceAll(f, "`", "``") + "`"
	}
	return x + " {" + strings.Join(fields, ", ") + "}"
}

// hitOf decodes the hitFields columns of a record.
func (s *Store) hitOf(rec *neo4j.Record, dec *decodeCache, l *graph.Light) (*graph.Node, *graph.Edge, error) {
	nv, _ := rec.Get("node")
	if l == nil {
		n, err := dec.node(nv.(map[string]any))
		if err != nil {
			return nil, nil, err
		}
		e, err := s.edgeOf(rec, dec)
		return n, e, err
	}
	n, err := lightNode(nv.(map[string]any))
	if err != nil {
		return nil, nil, err
	}
	t, from, to, m, err := s.edgeColumnsOf(rec)
	if err != nil {
		return nil, nil, err
	}
	e, err := lightEdge(t, from, to, m, l)
	return n, e, err
}

// Edges implements graph.Store: one statement, an index seek per type.
func (s *Store) Edges(ctx context.Context, ids []graph.ID) ([]*graph.Edge, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]*graph.Edge, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	branches := make([]string, len(graph.RelTypes))
	for i, t := range graph.RelTypes {
		branches[i] = s.relsByID(t, "ids") + " RETURN r"
	}
	cypher := "CALL { " + strings.Join(branches, " UNION ALL ") + " } RETURN " + edgeFields("r")
	found := map[graph.ID]*graph.Edge{}
	err := s.read(ctx, "edges", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		clear(found)
		dec := newDecodeCache()
		recs, err := collect(ctx, tx, cypher, map[string]any{"ids": idStrings(distinctIDs(ids))})
		if err != nil {
			return err
		}
		for _, r := range recs {
			e, err := s.edgeOf(r, dec)
			if err != nil {
				return err
			}
			found[e.ID] = e
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		out[i] = graph.CloneEdge(found[id])
	}
	return out, nil
}

// neighborsQuery returns the statement Neighbors runs: every asked node's
// relationships of the requested types and direction, to nodes of the
// requested kinds, in one statement, ordered as graph.SortNeighbors orders
// and cut at $limit per node.
func (s *Store) neighborsQuery(q graph.NeighborQuery) string {
	types := s.relTypes(q.Types)
	m := "m"
	if len(q.Kinds) > 0 {
		m += ":" + s.kindLabels(q.Kinds)
	}
	var branches []string
	if q.Direction != graph.In {
		branches = append(branches, "MATCH (n)-[r:"+types+"]->("+m+") RETURN r, m, true AS out")
	}
	if q.Direction != graph.Out {
		branches = append(branches, "MATCH (n)<-[r:"+types+"]-("+m+") RETURN r, m, false AS out")
	}
	return "UNWIND $ids AS id MATCH (n:" + s.entity() + " {id: id})\n" +
		"CALL (n) { " + strings.Join(branches, " UNION ALL ") + " }\n" +
		"WITH id, r, m, out ORDER BY id, " + s.typeRank("r") + ", m.rank, m.key, out DESC, coalesce(r.p_role, '')\n" +
		"WITH id, collect({r: r, m: m, out: out})[..$limit] AS ns\n" +
		"UNWIND ns AS x WITH id, x.r AS r, x.m AS m, x.out AS out\n" +
		"RETURN id, out, " + hitFields("m", "r", q.Light)
}

// Neighbors implements graph.Store in one statement for all ids.
func (s *Store) Neighbors(ctx context.Context, ids []graph.ID, q graph.NeighborQuery) (map[graph.ID][]graph.Neighbor, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[graph.ID][]graph.Neighbor, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	cypher := s.neighborsQuery(q)
	params := map[string]any{"ids": idStrings(distinctIDs(ids)), "limit": int64(q.Limit)}
	err = s.read(ctx, "neighbors", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		clear(out)
		dec := newDecodeCache()
		recs, err := collect(ctx, tx, cypher, params)
		if err != nil {
			return err
		}
		for _, r := range recs {
			id, err := parseUUID("id", r.Values[0])
			if err != nil {
				return err
			}
			n, e, err := s.hitOf(r, dec, q.Light)
			if err != nil {
				return err
			}
			outgoing, _ := r.Values[1].(bool)
			out[id] = append(out[id], graph.Neighbor{Edge: e, Node: n, Outgoing: outgoing})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for id, ns := range out {
		graph.SortNeighbors(ns)
		if len(ns) > q.Limit {
			ns = ns[:q.Limit]
			out[id] = ns
		}
		if q.NodesOnly {
			for i := range ns {
				ns[i].Edge = nil
			}
		}
	}
	return out, nil
}

// traverseQuery returns the statement Traverse runs: a breadth-first walk
// unrolled into one statement, one CALL subquery per depth. Each level
// expands the frontier along the steps (directed, typed patterns: the
// planner expands them from the frontier nodes), keeps the nodes not seen
// before with one parent relationship each, and stops expanding once more
// than $limit nodes were reached. It returns every reached node with its
// depth, its parent's id and the relationship from the parent.
func (s *Store) traverseQuery(q graph.TraverseQuery) string {
	follow := map[graph.RelType]graph.Direction{}
	for _, st := range q.Steps {
		if d, ok := follow[st.Type]; ok && d != st.Direction {
			follow[st.Type] = graph.Both
		} else {
			follow[st.Type] = st.Direction
		}
	}
	byDir := map[graph.Direction][]graph.RelType{}
	for _, t := range graph.RelTypes {
		if d, ok := follow[t]; ok {
			byDir[d] = append(byDir[d], t)
		}
	}
	var branches []string
	if ts := byDir[graph.Out]; len(ts) > 0 {
		branches = append(branches, "MATCH (u)-[r:"+s.relTypes(ts)+"]->(v) RETURN r, v")
	}
	if ts := byDir[graph.In]; len(ts) > 0 {
		branches = append(branches, "MATCH (u)<-[r:"+s.relTypes(ts)+"]-(v) RETURN r, v")
	}
	if ts := byDir[graph.Both]; len(ts) > 0 {
		branches = append(branches, "MATCH (u)-[r:"+s.relTypes(ts)+"]-(v) RETURN r, v")
	}
	expand := "CALL (u) { " + strings.Join(branches, " UNION ALL ") + " }"
	var b strings.Builder
	b.WriteString("MATCH (s:" + s.entity() + ") WHERE s.id IN $starts\n")
	b.WriteString("WITH collect(s) AS f0\n")
	b.WriteString("WITH f0, [x IN f0 | elementId(x)] AS seen, [] AS hits\n")
	for d := 1; d <= q.MaxDepth; d++ {
		fmt.Fprintf(&b, "CALL (f%[1]d, seen, hits) {\n"+
			"  UNWIND CASE WHEN size(hits) > $limit THEN [] ELSE f%[1]d END AS u\n"+
			"  %[3]s\n"+
			"  WITH u, r, v WHERE NOT elementId(v) IN seen\n"+
			"  WITH v, head(collect({r: r, u: u.id})) AS p\n"+
			"  RETURN collect(v) AS f%[2]d, collect({v: v, r: p.r, u: p.u, d: %[2]d}) AS h%[2]d\n"+
			"}\n", d-1, d, expand)
		if d < q.MaxDepth {
			fmt.Fprintf(&b, "WITH f%[1]d, seen + [x IN f%[1]d | elementId(x)] AS seen, hits + h%[1]d AS hits\n", d)
		} else {
			fmt.Fprintf(&b, "WITH hits + h%d AS hits\n", d)
		}
	}
	b.WriteString("UNWIND hits AS h WITH h.v AS v, h.d AS depth, h.u AS parent, h.r AS r\n")
	b.WriteString("RETURN depth, parent, " + hitFields("v", "r", q.Light))
	return b.String()
}

// Traverse implements graph.Store in one statement (see traverseQuery);
// paths are rebuilt from the parent links, hits ordered and cut in Go.
func (s *Store) Traverse(ctx context.Context, q graph.TraverseQuery) (*graph.Traversal, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type hit struct {
		node   *graph.Node
		depth  int
		parent string
		via    *graph.Edge
		path   []*graph.Edge
	}
	var hits []*hit
	cypher := s.traverseQuery(q)
	params := map[string]any{"starts": idStrings(distinctIDs(q.Starts)), "limit": int64(q.Limit)}
	err = s.read(ctx, "traverse", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		hits = hits[:0]
		dec := newDecodeCache()
		res, err := tx.Run(ctx, cypher, params)
		if err != nil {
			return err
		}
		for res.Next(ctx) {
			r := res.Record()
			n, e, err := s.hitOf(r, dec, q.Light)
			if err != nil {
				return err
			}
			d, _ := r.Get("depth")
			p, _ := r.Get("parent")
			hits = append(hits, &hit{node: n, depth: int(d.(int64)), parent: str(p), via: e})
		}
		return res.Err()
	})
	if err != nil {
		return nil, err
	}
	// Each path is its parent's plus one relationship, so parents go
	// first; paths share their *Edge values, as the contract allows.
	slices.SortStableFunc(hits, func(a, b *hit) int { return a.depth - b.depth })
	byID := make(map[string]*hit, len(hits))
	tr := &graph.Traversal{Hits: make([]graph.Hit, 0, len(hits))}
	for _, h := range hits {
		var parent []*graph.Edge
		if h.depth > 1 {
			p := byID[h.parent]
			if p == nil || len(p.path) != h.depth-1 {
				return nil, fmt.Errorf("neo4j traverse: broken parent chain to %s", h.node.Ref())
			}
			parent = p.path
		}
		h.path = append(parent[:len(parent):len(parent)], h.via)
		byID[h.node.ID.String()] = h
		tr.Hits = append(tr.Hits, graph.Hit{Node: h.node, Depth: h.depth, Path: h.path})
	}
	graph.SortHits(tr.Hits)
	if len(tr.Hits) > q.Limit {
		tr.Hits, tr.Truncated = tr.Hits[:q.Limit], true
	}
	return tr, nil
}

// scanPage is the number of nodes (or relationship start nodes) one scan
// statement reads from a large kind; small kinds (and small type/start kind
// pairs) are read together, up to scanPage items per statement.
const scanPage = 1000

// scanGroup is what one scan statement reads: several small segments
// whole, or one large segment a page at a time.
type scanGroup[T any] struct {
	segments []T
	paged    bool
}

// groupSegments groups consecutive segments of known sizes (from the count
// store, so possibly stale) into statements of about scanPage items.
func groupSegments[T any](segs []T, size func(T) int) []scanGroup[T] {
	var out []scanGroup[T]
	var cur scanGroup[T]
	n := 0
	for _, sg := range segs {
		c := size(sg)
		switch {
		case c == 0:
		case c > scanPage:
			if len(cur.segments) > 0 {
				out, cur, n = append(out, cur), scanGroup[T]{}, 0
			}
			out = append(out, scanGroup[T]{segments: []T{sg}, paged: true})
		default:
			if n+c > scanPage && len(cur.segments) > 0 {
				out, cur, n = append(out, cur), scanGroup[T]{}, 0
			}
			cur.segments = append(cur.segments, sg)
			n += c
		}
	}
	if len(cur.segments) > 0 {
		out = append(out, cur)
	}
	return out
}

// segment is a start kind of a relationship type (t empty: the kind's nodes).
type segment struct {
	t     graph.RelType
	k     graph.Kind
	count int
}

// segmentCounts reads, in one statement of count-store lookups, the number
// of nodes of each kind (t empty) or of relationships of each type from each
// start kind.
func (s *Store) segmentCounts(ctx context.Context, rels bool) ([]segment, error) {
	var segs []segment
	var branches []string
	if rels {
		for _, t := range graph.RelTypes {
			for _, k := range fromKinds(t) {
				segs = append(segs, segment{t: t, k: k})
				branches = append(branches, fmt.Sprintf("MATCH (:%s)-[r:%s]->() RETURN %d AS i, count(r) AS c", s.kindLabel(k), s.relType(t), len(segs)-1))
			}
		}
	} else {
		for _, k := range graph.Kinds {
			segs = append(segs, segment{k: k})
			branches = append(branches, fmt.Sprintf("MATCH (n:%s) RETURN %d AS i, count(n) AS c", s.kindLabel(k), len(segs)-1))
		}
	}
	err := s.read(ctx, "count", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		recs, err := collect(ctx, tx, "CALL { "+strings.Join(branches, " UNION ALL ")+" } RETURN i, c", nil)
		if err != nil {
			return err
		}
		for _, r := range recs {
			segs[r.Values[0].(int64)].count = int(r.Values[1].(int64))
		}
		return nil
	})
	return segs, err
}

// ScanNodes implements graph.Store. It counts the nodes per kind, reads the
// small kinds together in one statement and the large ones a page of
// scanPage nodes at a time in key order (an ordered range scan of the kind's
// key index from the last key read), each statement its own short read
// transaction, calling fn between them. Nodes written during the scan may
// or may not be seen, as with any paged read.
func (s *Store) ScanNodes(ctx context.Context, fn func(*graph.Node) error) error {
	segs, err := s.segmentCounts(ctx, false)
	if err != nil {
		return err
	}
	emit := func(page []*graph.Node) error {
		graph.SortNodes(page)
		for _, n := range page {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(n); err != nil {
				return err
			}
		}
		return nil
	}
	for _, g := range groupSegments(segs, func(sg segment) int { return sg.count }) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !g.paged {
			var branches []string
			for _, sg := range g.segments {
				branches = append(branches, "MATCH (n:"+s.kindLabel(sg.k)+") RETURN n")
			}
			var page []*graph.Node
			err := s.read(ctx, "scan nodes", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
				var err error
				page, err = collectNodes(ctx, tx, "CALL { "+strings.Join(branches, " UNION ALL ")+" } RETURN properties(n) AS props", nil)
				return err
			})
			if err != nil {
				return err
			}
			if err := emit(page); err != nil {
				return err
			}
			continue
		}
		cypher := s.scanNodesQuery(g.segments[0].k)
		after := ""
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			var page []*graph.Node
			err := s.read(ctx, "scan nodes", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
				var err error
				page, err = collectNodes(ctx, tx, cypher, map[string]any{"after": after, "limit": int64(scanPage)})
				return err
			})
			if err != nil {
				return err
			}
			if err := emit(page); err != nil {
				return err
			}
			if len(page) < scanPage {
				break
			}
			after = page[len(page)-1].Key
		}
	}
	return nil
}

// scanNodesQuery reads a page of nodes of kind k in key order.
func (s *Store) scanNodesQuery(k graph.Kind) string {
	return s.keysAfter("n", k, "after") + " RETURN properties(n) AS props ORDER BY n.key LIMIT $limit"
}

// fromKinds lists, in Kinds order, the kinds a relationship of type t may
// start at.
func fromKinds(t graph.RelType) []graph.Kind {
	var out []graph.Kind
	for _, from := range graph.Kinds {
		for _, to := range graph.Kinds {
			if t.Allowed(from, to) {
				out = append(out, from)
				break
			}
		}
	}
	return out
}

// Topology implements graph.Store with two reads at once: the nodes as
// ScanNodes reads them, and the relationships by ScanEdges' segments and
// pages, but one row per start node with its id and its relationships'
// types and end ids: nothing of a relationship's properties crosses the
// wire or is decoded. The first read is mostly this process decoding, the
// second mostly Neo4j reading, so side by side they take little more than
// the longer. Ends are matched by id, never by element id: Neo4j reuses
// those after a delete, and a relationship written between the two reads
// could be put on the wrong node.
func (s *Store) Topology(ctx context.Context) (*graph.Topology, error) {
	type link struct {
		typ      graph.RelType
		from, to graph.ID
	}
	var links []link
	t := &graph.Topology{}
	at := map[graph.ID]int32{}
	// The first to fail stops the other.
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return s.scanRelationships(ctx, "topology", "a.id AS from, collect([type(r), endNode(r).id]) AS ends", func(page []*neo4j.Record) error {
			for _, rec := range page {
				from, err := parseUUID("relationship start id", rec.Values[1])
				if err != nil {
					return err
				}
				ends, _ := rec.Values[2].([]any)
				for _, v := range ends {
					e, ok := v.([]any)
					if !ok || len(e) != 2 {
						return fmt.Errorf("neo4j: topology read %T, not a relationship's type and end", v)
					}
					l := link{from: from}
					if l.typ, err = s.relTypeOf(str(e[0])); err != nil {
						return err
					}
					if l.to, err = parseUUID("relationship end id", e[1]); err != nil {
						return err
					}
					links = append(links, l)
				}
			}
			return nil
		})
	})
	g.Go(func() error {
		return s.ScanNodes(ctx, func(n *graph.Node) error {
			at[n.ID] = int32(len(t.Nodes))
			t.Nodes = append(t.Nodes, n)
			return nil
		})
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	t.Links = make([]graph.Link, 0, len(links))
	for _, l := range links {
		from, okFrom := at[l.from]
		to, okTo := at[l.to]
		if okFrom && okTo {
			t.Links = append(t.Links, graph.Link{Type: l.typ, From: from, To: to})
		}
	}
	return t, nil
}

// ScanEdges implements graph.Store like ScanNodes, by segments of one type
// and one start kind (scanRelationships), each page sorted in Go with
// graph.CompareEdges.
func (s *Store) ScanEdges(ctx context.Context, fn func(*graph.Edge) error) error {
	return s.scanRelationships(ctx, "scan relationships", edgeFields("r"), func(recs []*neo4j.Record) error {
		dec := newDecodeCache()
		page := make([]*graph.Edge, 0, len(recs))
		for _, rec := range recs {
			e, err := s.edgeOf(rec, dec)
			if err != nil {
				return err
			}
			page = append(page, e)
		}
		slices.SortFunc(page, graph.CompareEdges)
		for _, e := range page {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	})
}

// scanRelationships reads every relationship r (with a its start node) by
// segments of one type and one start kind: small segments together, large
// ones by pages of scanPage start nodes in key order with all their
// relationships of the type, each page a short read transaction of its own.
// Each record is a.key followed by columns; fn gets each page's records
// after its transaction.
func (s *Store) scanRelationships(ctx context.Context, op, columns string, fn func([]*neo4j.Record) error) error {
	segs, err := s.segmentCounts(ctx, true)
	if err != nil {
		return err
	}
	for _, g := range groupSegments(segs, func(sg segment) int { return sg.count }) {
		var (
			cypher string
			params = map[string]any{"after": "", "limit": int64(scanPage)}
		)
		if g.paged {
			t, k := g.segments[0].t, g.segments[0].k
			cypher = s.keysAfter("a", k, "after") + " AND EXISTS { (a)-[:" + s.relType(t) + "]->() }\n" +
				"WITH a ORDER BY a.key LIMIT $limit\n" +
				"MATCH (a)-[r:" + s.relType(t) + "]->(b)\n" +
				"RETURN a.key AS akey, " + columns
		} else {
			var branches []string
			for _, sg := range g.segments {
				branches = append(branches, "MATCH (a:"+s.kindLabel(sg.k)+")-[r:"+s.relType(sg.t)+"]->() RETURN a, r")
			}
			cypher = "CALL { " + strings.Join(branches, " UNION ALL ") + " } RETURN a.key AS akey, " + columns
		}
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			var page []*neo4j.Record
			err := s.read(ctx, op, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
				var err error
				page, err = collect(ctx, tx, cypher, params)
				return err
			})
			if err != nil {
				return err
			}
			starts := map[string]bool{}
			last := ""
			for _, rec := range page {
				akey := str(rec.Values[0])
				starts[akey] = true
				last = max(last, akey)
			}
			if err := fn(page); err != nil {
				return err
			}
			if !g.paged || len(starts) < scanPage {
				break
			}
			params["after"] = last
		}
	}
	return nil
}

// Stats implements graph.Store: one statement of count-store lookups.
func (s *Store) Stats(ctx context.Context) (graph.Stats, error) {
	if err := ctx.Err(); err != nil {
		return graph.Stats{}, err
	}
	var branches []string
	for _, k := range graph.Kinds {
		branches = append(branches, fmt.Sprintf("MATCH (n:%s) RETURN 'n' AS what, '%s' AS name, count(n) AS c", s.kindLabel(k), k))
	}
	for _, t := range graph.RelTypes {
		branches = append(branches, fmt.Sprintf("MATCH ()-[r:%s]->() RETURN 'r' AS what, '%s' AS name, count(r) AS c", s.relType(t), t))
	}
	cypher := "CALL { " + strings.Join(branches, " UNION ALL ") + " } RETURN what, name, c"
	st := graph.Stats{Nodes: map[graph.Kind]int{}, Edges: map[graph.RelType]int{}}
	err := s.read(ctx, "stats", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		clear(st.Nodes)
		clear(st.Edges)
		recs, err := collect(ctx, tx, cypher, nil)
		if err != nil {
			return err
		}
		for _, r := range recs {
			c := int(r.Values[2].(int64))
			if c == 0 {
				continue
			}
			if r.Values[0] == "n" {
				st.Nodes[graph.Kind(str(r.Values[1]))] = c
			} else {
				st.Edges[graph.RelType(str(r.Values[1]))] = c
			}
		}
		return nil
	})
	if err != nil {
		return graph.Stats{}, err
	}
	return st, nil
}

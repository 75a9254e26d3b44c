package neo4j

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/estate-cmdb/estate/graph"
)

// Statements shared by the writers. Nodes and relationships found earlier
// in the same transaction are addressed by element id (an id seek).
// The set statements replace every property; the patch statements write
// the changed ones (Apply's merges never remove a property).
const (
	setNodesByElementID   = "UNWIND $rows AS row MATCH (n) WHERE elementId(n) = row.eid SET n = row.props"
	setRelsByElementID    = "UNWIND $rows AS row MATCH ()-[r]->() WHERE elementId(r) = row.eid SET r = row.props"
	patchNodesByElementID = "UNWIND $rows AS row MATCH (n) WHERE elementId(n) = row.eid SET n += row.props"
	patchRelsByElementID  = "UNWIND $rows AS row MATCH ()-[r]->() WHERE elementId(r) = row.eid SET r += row.props"
)

// changed returns the properties of next (encoded by this package) that
// differ from prev (as read from Neo4j), or nil when none do. A property
// prev has and next lacks (conflicts resolved by a merge) maps to nil,
// which SET n += removes; "__" properties are transient lock markers.
func changed(prev, next map[string]any) map[string]any {
	var out map[string]any
	set := func(k string, v any) {
		if out == nil {
			out = map[string]any{}
		}
		out[k] = v
	}
	for k, v := range next {
		if !sameValue(prev[k], v) {
			set(k, v)
		}
	}
	for k := range prev {
		if _, ok := next[k]; !ok && !strings.HasPrefix(k, "__") {
			set(k, nil)
		}
	}
	return out
}

func sameValue(a, b any) bool {
	switch b := b.(type) {
	case []string:
		l, ok := a.([]any)
		if !ok || len(l) != len(b) {
			return false
		}
		for i, x := range l {
			if x != any(b[i]) {
				return false
			}
		}
		return true
	case time.Time:
		a, ok := a.(time.Time)
		return ok && a.Equal(b)
	default:
		return a == any(b)
	}
}

// mergeNodesQuery locks, or creates, the batch's nodes in the order of the
// rows (sorted by id, so concurrent writers lock in one order) and returns
// the stored state of those that existed. A node MERGE creates is written
// whole at once (row.fresh: the batch merged into nothing, which is what it
// is when nothing was stored) under the uniqueness lock of :Entity(id), with
// its kind label (a dynamic label from the closed set graph.Kinds, never
// user input). A matched node gets a throw-away property write, so that the
// transaction holds its write lock before its properties are read:
// concurrent writers of one node serialise here and no assertion is lost.
func (s *Store) mergeNodesQuery() string {
	return "UNWIND $rows AS row MERGE (n:" + s.entity() + " {id: row.id})\n" +
		"ON CREATE SET n = row.fresh, n:$(row.label), n.__new = true\n" +
		"ON MATCH SET n.__lock = true\n" +
		"WITH row, n, n.__new IS NOT NULL AS created REMOVE n.__new, n.__lock\n" +
		"RETURN row.id AS id, elementId(n) AS eid, created, CASE WHEN created THEN null ELSE properties(n) END AS props"
}

// label is a node's kind label, for dynamic labels ($(row.label)).
func (s *Store) label(k graph.Kind) string {
	if !k.Valid() {
		panic(fmt.Sprintf("neo4j: kind %q used unvalidated", k))
	}
	return s.ns + string(k)
}

// typeName is a relationship's stored type, for dynamic types.
func (s *Store) typeName(t graph.RelType) string {
	if !t.Valid() {
		panic(fmt.Sprintf("neo4j: relationship type %q used unvalidated", t))
	}
	return s.ns + string(t)
}

// lockNodesQuery locks existing nodes by id and returns their element ids.
func (s *Store) lockNodesQuery() string {
	return "UNWIND $ids AS id MATCH (n:" + s.entity() + " {id: id}) SET n.__lock = true REMOVE n.__lock RETURN id, elementId(n) AS eid"
}

// storedEdgesQuery returns the stored relationships among the ids grouped
// by type in the parameters t0..t7, one index seek per type present.
func (s *Store) storedEdgesQuery(types []graph.RelType) string {
	var branches []string
	for _, t := range types {
		branches = append(branches, s.relsByID(t, fmt.Sprintf("t%d", graph.RelRank(t)))+" RETURN r")
	}
	return "CALL { " + strings.Join(branches, " UNION ALL ") + " } RETURN r.id AS id, elementId(r) AS eid, properties(r) AS props"
}

// createEdgesQuery creates relationships between nodes locked earlier in
// the transaction; the type is dynamic, from the closed set graph.RelTypes.
const createEdgesQuery = "UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row.a MATCH (b) WHERE elementId(b) = row.b\n" +
	"CREATE (a)-[r:$(row.type)]->(b) SET r = row.props"

func missingEnd(typ graph.RelType, from, to, end graph.Ref) error {
	return graph.Errorf(graph.CodeNotFound, "%s relationship %s → %s: %s %q does not exist", typ, from, to, end.Kind, end.Key)
}

// Apply implements graph.Store in one write transaction of at most seven
// statements: a MERGE that locks the batch's nodes, reading those stored
// and writing those new whole; one that locks the relationship ends outside
// the batch; one that reads the batch's relationships between nodes that
// existed before (a relationship touching a new node is new); then, after
// merging in Go with graph.MergeNode/MergeEdge, one writing the updated
// nodes, one updating the stored relationships, one creating the new ones
// (with a dynamic type from the closed set graph.RelTypes) and one
// recording the audit events. A batch of new things thus costs three
// statements: MERGE the nodes, CREATE the relationships, CREATE their
// events; a re-sync that changes nothing writes no event.
func (s *Store) Apply(ctx context.Context, b graph.Batch) (graph.ApplyResult, error) {
	b, err := graph.ValidateBatch(b, s.now())
	if err != nil {
		return graph.ApplyResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return graph.ApplyResult{}, err
	}

	var res graph.ApplyResult
	for try := range maxOvertaken {
		if err = s.applyOnce(ctx, b, &res, try > 0); !errors.Is(err, errOvertaken) {
			break
		}
	}
	if err != nil {
		return graph.ApplyResult{}, err
	}
	return res, nil
}

// errOvertaken ends a write transaction that a merge or a deletion
// overtook: a node it matched was deleted as it waited for the node's lock,
// or the redirects moved. maxOvertaken bounds how often Apply starts over.
var errOvertaken = errors.New("neo4j apply: a merge or deletion committed during the write")

const maxOvertaken = 3

// mergedIDs caches the ids of merged nodes (a Redirect's from) this store
// has read or written. Apply reads the redirects only for a batch naming
// one of them, or when it starts over: a write pays no statement for them in
// an estate without merges. A merge made by another process since is caught
// after the write's node statement (a node it created among the merged ids,
// a node it matched deleted under it, an end it misses), and the write
// starts over reading them.
type mergedIDs struct {
	mu     sync.Mutex
	loaded bool
	ids    map[graph.ID]bool
}

// note records merged ids; loaded marks a complete read of them.
func (m *mergedIDs) note(ids []graph.ID, loaded bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ids == nil {
		m.ids = map[graph.ID]bool{}
	}
	for _, id := range ids {
		m.ids[id] = true
	}
	m.loaded = m.loaded || loaded
}

// mayName reports whether a batch with these node and end ids may name a
// merged node, as far as the cache knows.
func (m *mergedIDs) mayName(p *applyPlan) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.loaded {
		return true
	}
	if len(m.ids) == 0 {
		return false
	}
	for _, id := range p.nodeIDs {
		if m.ids[id] {
			return true
		}
	}
	for _, e := range p.eIDs {
		if m.ids[e.from] || m.ids[e.to] {
			return true
		}
	}
	return false
}

// applyOnce is one attempt of Apply, in one write transaction; fresh reads
// the redirects whatever the cache says.
func (s *Store) applyOnce(ctx context.Context, b graph.Batch, out *graph.ApplyResult, fresh bool) error {
	var res graph.ApplyResult
	err := s.write(ctx, "apply", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		res = graph.ApplyResult{}
		b := b
		p, err := s.planApply(b)
		if err != nil {
			return err
		}
		var to map[graph.ID]graph.Ref // nil: not read
		if fresh || s.merged.mayName(p) {
			if to, err = s.redirects(ctx, tx); err != nil {
				return err
			}
			if len(to) > 0 {
				b = graph.Redirect(b, func(id graph.ID) (graph.Ref, bool) { r, ok := to[id]; return r, ok })
				if p, err = s.planApply(b); err != nil {
					return err
				}
			}
		}
		nodeIDs, eIDs, fresh, nodeInputs, nodeRows, ends := p.nodeIDs, p.eIDs, p.fresh, p.nodeInputs, p.nodeRows, p.ends
		rec := graph.NewAuditRecorder(ctx, b.Source, b.Run, s.now())
		stored := map[graph.ID]*graph.Node{}       // nodes that existed, as they were
		storedRaw := map[graph.ID]map[string]any{} // and as Neo4j holds them
		created := map[graph.ID]bool{}
		eids := map[graph.ID]string{}
		if len(nodeRows) > 0 {
			recs, err := collect(ctx, tx, s.mergeNodesQuery(), map[string]any{"rows": nodeRows})
			if err != nil {
				return err
			}
			for _, r := range recs {
				id, err := parseUUID("id", r.Values[0])
				if err != nil {
					return err
				}
				eids[id] = str(r.Values[1])
				if c, _ := r.Values[2].(bool); c {
					created[id] = true
					continue
				}
				raw := r.Values[3].(map[string]any)
				if raw["id"] == nil {
					// Matched while another transaction deleted it (a
					// merge, a deletion): its properties are gone.
					return errOvertaken
				}
				n, err := (*decodeCache)(nil).node(raw)
				if err != nil {
					return err
				}
				stored[id], storedRaw[id] = n, raw
			}
		}
		// A merge that committed after this write read the redirects left
		// one it did not follow: the write has just stored the duplicate
		// again (checked here, for the nodes it created), or misses it as
		// an end (checked where an end is missing). It then starts over.
		if len(created) > 0 {
			var ids []string
			for id := range created {
				ids = append(ids, id.String())
			}
			recs, err := collect(ctx, tx, "UNWIND $ids AS id MATCH (r:"+s.redirectLabel()+" {from: id}) RETURN id", map[string]any{"ids": ids})
			if err != nil {
				return err
			}
			if len(recs) > 0 {
				return errOvertaken
			}
		}
		if len(ends) > 0 {
			recs, err := collect(ctx, tx, s.lockNodesQuery(), map[string]any{"ids": ends})
			if err != nil {
				return err
			}
			for _, r := range recs {
				id, err := parseUUID("id", r.Values[0])
				if err != nil {
					return err
				}
				eids[id] = str(r.Values[1])
			}
		}
		for i, in := range b.Edges {
			end := in.From
			if _, ok := eids[eIDs[i].from]; ok {
				if _, ok := eids[eIDs[i].to]; ok {
					continue
				}
				end = in.To
			}
			if again, err := s.redirects(ctx, tx); err != nil {
				return err
			} else if _, moved := again[end.ID()]; moved || (to != nil && !maps.Equal(to, again)) {
				return errOvertaken
			}
			return missingEnd(in.Type, in.From, in.To, end)
		}

		// Relationships between nodes that existed may be stored.
		storedEdges := map[graph.ID]*graph.Edge{}
		storedEdgesRaw := map[graph.ID]map[string]any{}
		edgeEIDs := map[graph.ID]string{}
		byType := map[graph.RelType][]string{}
		inputs := map[graph.ID]graph.EdgeInput{}
		for i, in := range b.Edges {
			id := eIDs[i].id
			if _, dup := inputs[id]; dup || created[eIDs[i].from] || created[eIDs[i].to] {
				continue
			}
			inputs[id] = in
			byType[in.Type] = append(byType[in.Type], id.String())
		}
		if len(byType) > 0 {
			var types []graph.RelType
			params := map[string]any{}
			for _, t := range graph.RelTypes {
				if ids := byType[t]; len(ids) > 0 {
					types = append(types, t)
					params[fmt.Sprintf("t%d", graph.RelRank(t))] = ids
				}
			}
			recs, err := collect(ctx, tx, s.storedEdgesQuery(types), params)
			if err != nil {
				return err
			}
			for _, r := range recs {
				id, err := parseUUID("id", r.Values[0])
				if err != nil {
					return err
				}
				in := inputs[id]
				raw := r.Values[2].(map[string]any)
				e, err := (*decodeCache)(nil).edge(in.Type, in.From, in.To, raw)
				if err != nil {
					return err
				}
				storedEdges[id], storedEdgesRaw[id], edgeEIDs[id] = e, raw, str(r.Values[1])
			}
		}

		// Merge exactly as the embedded store does; count each distinct
		// node and relationship once.
		var updates []any
		done := map[graph.ID]bool{}
		for _, id := range nodeIDs {
			if done[id] {
				continue
			}
			done[id] = true
			if created[id] {
				res.NodesCreated++
				rec.Node(nil, fresh[id])
				continue
			}
			res.NodesUpdated++
			n := stored[id]
			for _, again := range nodeInputs[id] {
				n = graph.MergeNode(n, again, b.Source, b.Run, b.At)
			}
			rec.Node(stored[id], n)
			next, err := encodeNode(n)
			if err != nil {
				return err
			}
			if diff := changed(storedRaw[id], next); diff != nil {
				updates = append(updates, map[string]any{"eid": eids[id], "props": diff})
			}
		}
		if len(updates) > 0 {
			if err := run(ctx, tx, patchNodesByElementID, map[string]any{"rows": updates}); err != nil {
				return err
			}
		}
		edges := map[graph.ID]*graph.Edge{}
		var edgeOrder []graph.ID
		for i, in := range b.Edges {
			id := eIDs[i].id
			old, pending := edges[id]
			if !pending {
				edgeOrder = append(edgeOrder, id)
				old = storedEdges[id]
				if old == nil {
					res.EdgesCreated++
				} else {
					res.EdgesUpdated++
				}
			}
			edges[id] = graph.MergeEdge(old, in, b.Source, b.Run, b.At)
		}
		var edgeUpdates, creates []any
		for _, id := range edgeOrder {
			e := edges[id]
			rec.Edge(storedEdges[id], e)
			props, err := encodeEdge(e)
			if err != nil {
				return err
			}
			if eid, ok := edgeEIDs[id]; ok {
				if diff := changed(storedEdgesRaw[id], props); diff != nil {
					edgeUpdates = append(edgeUpdates, map[string]any{"eid": eid, "props": diff})
				}
			} else {
				creates = append(creates, map[string]any{
					"a": eids[e.From.ID()], "b": eids[e.To.ID()], "type": s.typeName(e.Type), "props": props})
			}
		}
		if len(edgeUpdates) > 0 {
			if err := run(ctx, tx, patchRelsByElementID, map[string]any{"rows": edgeUpdates}); err != nil {
				return err
			}
		}
		if len(creates) > 0 {
			if err := run(ctx, tx, createEdgesQuery, map[string]any{"rows": creates}); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, rec)
	})
	*out = res
	return err
}

// applyPlan is what Apply derives from a batch before it reads anything.
type applyPlan struct {
	nodeIDs []graph.ID
	eIDs    []edgeIDs
	// fresh is what each node becomes if it is new; nodeInputs are the
	// batch's assertions of each, for one that is stored.
	fresh      map[graph.ID]*graph.Node
	nodeInputs map[graph.ID][]graph.NodeInput
	nodeRows   []any
	// ends are the relationships' ends the batch does not hold.
	ends []string
}

// edgeIDs are a relationship's id and its ends'.
type edgeIDs struct{ id, from, to graph.ID }

// planApply derives an applyPlan from a validated (and redirected) batch.
func (s *Store) planApply(b graph.Batch) (*applyPlan, error) {
	// What each node becomes if it is new: the batch's assertions of it
	// merged in order into nothing.
	// Ids are hashes: compute each once.
	nodeIDs := make([]graph.ID, len(b.Nodes))
	for i, in := range b.Nodes {
		nodeIDs[i] = in.Ref().ID()
	}
	eIDs := make([]edgeIDs, len(b.Edges))
	for i, in := range b.Edges {
		eIDs[i] = edgeIDs{in.ID(), in.From.ID(), in.To.ID()}
	}
	fresh := map[graph.ID]*graph.Node{}
	nodeInputs := map[graph.ID][]graph.NodeInput{}
	var order []graph.ID
	for i, in := range b.Nodes {
		id := nodeIDs[i]
		old, seen := fresh[id]
		if !seen {
			order = append(order, id)
		}
		fresh[id] = graph.MergeNode(old, in, b.Source, b.Run, b.At)
		nodeInputs[id] = append(nodeInputs[id], in)
	}
	slices.SortFunc(order, func(a, b graph.ID) int { return cmp.Compare(a.String(), b.String()) })
	nodeRows := make([]any, len(order))
	for i, id := range order {
		n := fresh[id]
		props, err := encodeNode(n)
		if err != nil {
			return nil, err
		}
		nodeRows[i] = map[string]any{"id": id.String(), "label": s.label(n.Kind), "fresh": props}
	}
	var ends []string
	endSeen := map[graph.ID]bool{}
	for _, e := range eIDs {
		for _, id := range []graph.ID{e.from, e.to} {
			if fresh[id] == nil && !endSeen[id] {
				endSeen[id] = true
				ends = append(ends, id.String())
			}
		}
	}
	slices.Sort(ends)
	return &applyPlan{nodeIDs: nodeIDs, eIDs: eIDs, fresh: fresh, nodeInputs: nodeInputs, nodeRows: nodeRows, ends: ends}, nil
}

// redirectsQuery returns the redirects of the merged ids no node has again
// (graph.Redirect), each with the kind and key of the node it goes to. A
// redirect another transaction is creating can show without its
// properties (Neo4j reads at read-committed, without snapshots): it is
// left out, and the write reads the redirects again later (Apply).
func (s *Store) redirectsQuery() string {
	return "MATCH (r:" + s.redirectLabel() + ") WHERE r.from IS NOT NULL AND NOT EXISTS { MATCH (:" + s.entity() + " {id: r.from}) }\n" +
		"MATCH (n:" + s.entity() + " {id: r.to}) RETURN r.from AS from, n.kind AS kind, n.key AS key"
}

// redirects reads the redirects, in the write transaction so that a merge
// committed before it is followed. There are as many as people merged
// nodes; in most estates none, and the statement is one label lookup.
func (s *Store) redirects(ctx context.Context, tx neo4j.ManagedTransaction) (map[graph.ID]graph.Ref, error) {
	recs, err := collect(ctx, tx, s.redirectsQuery(), nil)
	if err != nil {
		return nil, err
	}
	to := make(map[graph.ID]graph.Ref, len(recs))
	ids := make([]graph.ID, 0, len(recs))
	for _, r := range recs {
		id, err := parseUUID("from", r.Values[0])
		if err != nil {
			return nil, err
		}
		to[id] = graph.Ref{Kind: graph.Kind(str(r.Values[1])), Key: str(r.Values[2])}
		ids = append(ids, id)
	}
	s.merged.note(ids, true)
	return to, nil
}

// putRedirectsQuery points the merged ids of $rows (from) at their nodes
// (to).
func (s *Store) putRedirectsQuery() string {
	return "UNWIND $rows AS row MERGE (r:" + s.redirectLabel() + " {from: row.from}) SET r.to = row.to"
}

// redirectRows are putRedirectsQuery's rows for the merged ids of nodes.
func redirectRows(nodes []*graph.Node) []any {
	var rows []any
	for _, n := range nodes {
		for _, id := range graph.MergedIDs(n) {
			rows = append(rows, map[string]any{"from": id.String(), "to": n.ID.String()})
		}
	}
	return rows
}

// replaceReturningOld ends a MERGE of v whose ON CREATE SET marks v.__new:
// a matched v is locked before it is read, then v's properties are
// replaced by row.props, and the statement returns row.id with v's
// properties before (null for a created v), for the audit trail.
func replaceReturningOld(v string) string {
	return fmt.Sprintf(" ON MATCH SET %[1]s.__lock = true\n"+
		"WITH row, %[1]s, CASE WHEN %[1]s.__new IS NULL THEN properties(%[1]s) END AS old SET %[1]s = row.props RETURN row.id AS id, old", v)
}

// Restore implements graph.Store in one write transaction of four
// statements: the stored relationship ends are locked and checked, then one
// MERGE replaces the nodes' properties and one the relationships' (each
// returning what it replaced, for the audit trail), and one records the
// events.
func (s *Store) Restore(ctx context.Context, nodes []*graph.Node, edges []*graph.Edge) error {
	if len(nodes)+len(edges) > graph.MaxBatchItems {
		return graph.Errorf(graph.CodeLimitExceeded, "restore of %d items is over the limit of %d", len(nodes)+len(edges), graph.MaxBatchItems)
	}
	// Validate copies (validation canonicalises properties); for
	// duplicates the last one wins, as in the embedded store.
	byID := map[graph.ID]*graph.Node{}
	var order []graph.ID
	for _, n := range nodes {
		n = graph.CloneNode(n)
		if err := graph.ValidateNode(n); err != nil {
			return err
		}
		if _, dup := byID[n.ID]; !dup {
			order = append(order, n.ID)
		}
		byID[n.ID] = n
	}
	var (
		es         []*graph.Edge
		badEdge    = -1
		badEdgeErr error
	)
	for i, e := range edges {
		e = graph.CloneEdge(e)
		if err := graph.ValidateStoredEdge(e); err != nil {
			badEdge, badEdgeErr = i, err
			break
		}
		es = append(es, e)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var ends []string
	endSeen := map[graph.ID]bool{}
	for _, e := range es {
		for _, end := range []graph.Ref{e.From, e.To} {
			if id := end.ID(); byID[id] == nil && !endSeen[id] {
				endSeen[id] = true
				ends = append(ends, id.String())
			}
		}
	}
	slices.Sort(ends)
	if badEdge >= 0 && len(ends) == 0 {
		return badEdgeErr // no stored end to check before it
	}

	var nodeRows []any
	slices.SortFunc(order, func(a, b graph.ID) int { return cmp.Compare(a.String(), b.String()) })
	for _, id := range order {
		row, err := s.restoreRow(byID[id])
		if err != nil {
			return err
		}
		nodeRows = append(nodeRows, row)
	}
	var edgeRows []any
	restored := map[graph.ID]*graph.Edge{}
	for _, e := range es {
		restored[e.ID] = e // the last one wins
	}
	for _, e := range es {
		if restored[e.ID] != e {
			continue
		}
		row, err := s.restoreEdgeRow(e)
		if err != nil {
			return err
		}
		edgeRows = append(edgeRows, row)
	}

	return s.write(ctx, "restore", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		rec := graph.NewAuditRecorder(ctx, "", "", s.now())
		dec := newDecodeCache()
		stored := map[string]bool{}
		if len(ends) > 0 {
			recs, err := collect(ctx, tx, s.lockNodesQuery(), map[string]any{"ids": ends})
			if err != nil {
				return err
			}
			for _, r := range recs {
				stored[str(r.Values[0])] = true
			}
		}
		for _, e := range es {
			for _, end := range []graph.Ref{e.From, e.To} {
				if id := end.ID(); byID[id] == nil && !stored[id.String()] {
					return missingEnd(e.Type, e.From, e.To, end)
				}
			}
		}
		if badEdge >= 0 {
			return badEdgeErr
		}
		if len(nodeRows) > 0 {
			recs, err := collect(ctx, tx, s.restoreNodesQuery(), map[string]any{"rows": nodeRows})
			if err != nil {
				return err
			}
			for _, r := range recs {
				id, err := parseUUID("id", r.Values[0])
				if err != nil {
					return err
				}
				n := byID[id]
				var old *graph.Node
				if raw, ok := r.Values[1].(map[string]any); ok {
					if old, err = dec.node(raw); err != nil {
						return err
					}
				}
				rec.Node(old, n)
			}
		}
		if rows := redirectRows(slices.Collect(maps.Values(byID))); len(rows) > 0 {
			if err := run(ctx, tx, s.putRedirectsQuery(), map[string]any{"rows": rows}); err != nil {
				return err
			}
			for _, n := range byID {
				s.merged.note(graph.MergedIDs(n), false)
			}
		}
		if len(edgeRows) > 0 {
			recs, err := collect(ctx, tx, s.restoreEdgesQuery(), map[string]any{"rows": edgeRows})
			if err != nil {
				return err
			}
			for _, r := range recs {
				id, err := parseUUID("id", r.Values[0])
				if err != nil {
					return err
				}
				e := restored[id]
				var old *graph.Edge
				if raw, ok := r.Values[1].(map[string]any); ok {
					if old, err = dec.edge(e.Type, e.From, e.To, raw); err != nil {
						return err
					}
				}
				rec.Edge(old, e)
			}
		}
		return s.record(ctx, tx, rec)
	})
}

// restoreNodesQuery writes the nodes of $rows (restoreRow) whole, creating
// those that do not exist, and returns what each was.
func (s *Store) restoreNodesQuery() string {
	return "UNWIND $rows AS row MERGE (n:" + s.entity() + " {id: row.id}) ON CREATE SET n:$(row.label), n.__new = true" + replaceReturningOld("n")
}

// restoreEdgesQuery is restoreNodesQuery for relationships
// (restoreEdgeRow), between stored nodes.
func (s *Store) restoreEdgesQuery() string {
	return "UNWIND $rows AS row MATCH (a:" + s.entity() + " {id: row.from}) MATCH (b:" + s.entity() + " {id: row.to})\n" +
		"MERGE (a)-[r:$(row.type) {id: row.id}]->(b) ON CREATE SET r.__new = true" + replaceReturningOld("r")
}

func (s *Store) restoreRow(n *graph.Node) (map[string]any, error) {
	props, err := encodeNode(n)
	if err != nil {
		return nil, err
	}
	return map[string]any{"id": n.ID.String(), "label": s.label(n.Kind), "props": props}, nil
}

func (s *Store) restoreEdgeRow(e *graph.Edge) (map[string]any, error) {
	props, err := encodeEdge(e)
	if err != nil {
		return nil, err
	}
	return map[string]any{"id": e.ID.String(), "type": s.typeName(e.Type),
		"from": e.From.ID().String(), "to": e.To.ID().String(), "props": props}, nil
}

// Merge implements graph.Store in one write transaction: lock and read the
// two nodes and their relationships; merge in Go (graph.MergeInto); delete
// the duplicate with its relationships; write the node that stays and the
// moved relationships as Restore does; point the merged ids at the node
// that stays; record the audit events.
func (s *Store) Merge(ctx context.Context, into, from graph.ID) (*graph.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *graph.Node
	err := s.write(ctx, "merge", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		rec := graph.NewAuditRecorder(ctx, "", "", s.now())
		dec := newDecodeCache()
		recs, err := collect(ctx, tx, s.lockNodesByIDQuery(), map[string]any{"ids": []any{into.String(), from.String()}})
		if err != nil {
			return err
		}
		nodes, eids := map[graph.ID]*graph.Node{}, map[graph.ID]any{}
		for _, r := range recs {
			id, err := parseUUID("id", r.Values[0])
			if err != nil {
				return err
			}
			if nodes[id], err = dec.node(r.Values[2].(map[string]any)); err != nil {
				return err
			}
			eids[id] = r.Values[1]
		}
		for _, id := range []graph.ID{into, from} {
			if nodes[id] == nil {
				return graph.Errorf(graph.CodeNotFound, "no node has the id %s", id)
			}
		}
		if recs, err = collect(ctx, tx, incidentQuery(lockClause), map[string]any{"eids": []any{eids[into], eids[from]}}); err != nil {
			return err
		}
		stored := map[graph.ID]*graph.Edge{}
		var edges []*graph.Edge
		for _, r := range recs {
			e, err := s.edgeOf(r, dec)
			if err != nil {
				return err
			}
			stored[e.ID] = e
			edges = append(edges, e)
		}
		n, moved, err := graph.MergeInto(nodes[into], nodes[from], edges)
		if err != nil {
			return err
		}

		rec.Node(nodes[from], nil)
		for _, e := range edges {
			if e.From.ID() == from || e.To.ID() == from {
				rec.Edge(e, nil)
			}
		}
		if err := run(ctx, tx, "MATCH (n) WHERE elementId(n) = $eid DETACH DELETE n", map[string]any{"eid": eids[from]}); err != nil {
			return err
		}
		row, err := s.restoreRow(n)
		if err != nil {
			return err
		}
		if err := run(ctx, tx, s.restoreNodesQuery(), map[string]any{"rows": []any{row}}); err != nil {
			return err
		}
		rec.Node(nodes[into], n)
		if len(moved) > 0 {
			rows := make([]any, len(moved))
			for i, e := range moved {
				if rows[i], err = s.restoreEdgeRow(e); err != nil {
					return err
				}
				rec.Edge(stored[e.ID], e)
			}
			if err := run(ctx, tx, s.restoreEdgesQuery(), map[string]any{"rows": rows}); err != nil {
				return err
			}
		}
		if err := run(ctx, tx, s.putRedirectsQuery(), map[string]any{"rows": redirectRows([]*graph.Node{n})}); err != nil {
			return err
		}
		s.merged.note(graph.MergedIDs(n), false)
		out = n
		return s.record(ctx, tx, rec)
	})
	if err != nil {
		return nil, err
	}
	return graph.CloneNode(out), nil
}

// Annotate implements graph.Store in one write transaction: lock and read
// the nodes, set their labels in Go (graph.Annotated), write them whole as
// Restore does, record.
func (s *Store) Annotate(ctx context.Context, labels map[graph.ID]map[string]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(labels) == 0 {
		return nil
	}
	ids := make([]graph.ID, 0, len(labels))
	for id := range labels {
		ids = append(ids, id)
	}
	return s.write(ctx, "annotate", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		rec := graph.NewAuditRecorder(ctx, "", "", s.now())
		dec := newDecodeCache()
		recs, err := collect(ctx, tx, s.lockNodesByIDQuery(), map[string]any{"ids": idStrings(ids)})
		if err != nil {
			return err
		}
		old := map[graph.ID]*graph.Node{}
		for _, r := range recs {
			n, err := dec.node(r.Values[2].(map[string]any))
			if err != nil {
				return err
			}
			old[n.ID] = n
		}
		var rows []any
		for _, id := range ids {
			if old[id] == nil {
				return graph.Errorf(graph.CodeNotFound, "no node has the id %s", id)
			}
			n, err := graph.Annotated(old[id], labels[id])
			if err != nil {
				return err
			}
			row, err := s.restoreRow(n)
			if err != nil {
				return err
			}
			rows = append(rows, row)
			rec.Node(old[id], n)
		}
		if err := run(ctx, tx, s.restoreNodesQuery(), map[string]any{"rows": rows}); err != nil {
			return err
		}
		return s.record(ctx, tx, rec)
	})
}

// lockNodesByIDQuery locks the nodes of $ids and returns each one's id,
// element id and properties.
func (s *Store) lockNodesByIDQuery() string {
	return "UNWIND $ids AS id MATCH (x:" + s.entity() + " {id: id})" + lockClause + " RETURN x.id AS id, elementId(x) AS eid, properties(x) AS props"
}

// incidentQuery locks and reads the relationships of the nodes whose
// element ids are in $eids (lock: the clause that locks x, or none); the
// nodes' writers lock the ends first, so once the nodes are locked their
// relationships hold still.
func incidentQuery(lock string) string {
	return "UNWIND $eids AS eid MATCH (n) WHERE elementId(n) = eid MATCH (n)-[x]-() WITH DISTINCT x" + lock +
		" RETURN elementId(x) AS eid, " + edgeFields("x")
}

// lockClause locks x, a node or relationship, for the rest of the
// transaction with a throw-away property write.
const lockClause = " SET x.__lock = true REMOVE x.__lock"

// DeleteNodes implements graph.Store in one transaction of four
// statements: lock and read the nodes, lock and read their relationships
// (the audit trail records what each was), delete them, record.
func (s *Store) DeleteNodes(ctx context.Context, ids []graph.ID) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	n := 0
	err := s.write(ctx, "delete nodes", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		rec := graph.NewAuditRecorder(ctx, "", "", s.now())
		dec := newDecodeCache()
		recs, err := collect(ctx, tx, "UNWIND $ids AS id MATCH (x:"+s.entity()+" {id: id})"+lockClause+" RETURN elementId(x) AS eid, properties(x) AS props",
			map[string]any{"ids": idStrings(distinctIDs(ids))})
		if err != nil {
			return err
		}
		n = len(recs)
		if n == 0 {
			return nil
		}
		eids := make([]any, n)
		for i, r := range recs {
			old, err := dec.node(r.Values[1].(map[string]any))
			if err != nil {
				return err
			}
			rec.Node(old, nil)
			eids[i] = r.Values[0]
		}
		params := map[string]any{"eids": eids}
		if recs, err = collect(ctx, tx, incidentQuery(lockClause), params); err != nil {
			return err
		}
		for _, r := range recs {
			old, err := s.edgeOf(r, dec)
			if err != nil {
				return err
			}
			rec.Edge(old, nil)
		}
		if err := run(ctx, tx, "UNWIND $eids AS eid MATCH (n) WHERE elementId(n) = eid DETACH DELETE n", params); err != nil {
			return err
		}
		return s.record(ctx, tx, rec)
	})
	return n, err
}

// DeleteEdges implements graph.Store in two statements: one locking,
// reading and deleting the relationships (an index seek per type), one
// recording what they were.
func (s *Store) DeleteEdges(ctx context.Context, ids []graph.ID) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	branches := make([]string, len(graph.RelTypes))
	for i, t := range graph.RelTypes {
		branches[i] = s.relsByID(t, "ids") + " RETURN r AS x"
	}
	cypher := "CALL { " + strings.Join(branches, " UNION ALL ") + " }" + lockClause +
		" WITH x, " + edgeFields("x") + " DELETE x RETURN type, edge, from, to"
	n := 0
	err := s.write(ctx, "delete relationships", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		rec := graph.NewAuditRecorder(ctx, "", "", s.now())
		dec := newDecodeCache()
		recs, err := collect(ctx, tx, cypher, map[string]any{"ids": idStrings(distinctIDs(ids))})
		if err != nil {
			return err
		}
		n = len(recs)
		for _, r := range recs {
			old, err := s.edgeOf(r, dec)
			if err != nil {
				return err
			}
			rec.Edge(old, nil)
		}
		return s.record(ctx, tx, rec)
	})
	return n, err
}

// Sweep implements graph.Store in one transaction (a read transaction for a
// dry run): count the source's nodes and find those whose assertion is from
// another run; lock and read them; the same for relationships; find the
// relationships of the nodes that go; then retract in Go with
// graph.Retract/RetractEdge and write: delete relationships, update
// relationships, delete nodes (with their relationships), update nodes,
// record the audit events.
func (s *Store) Sweep(ctx context.Context, r graph.SweepRequest) (graph.SweepResult, error) {
	r, err := r.Normalize()
	if err != nil {
		return graph.SweepResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return graph.SweepResult{}, err
	}
	params := map[string]any{"src": r.Source, "run": r.Run}
	nodeKinds, edgeKinds := "", ""
	if len(r.Kinds) > 0 {
		nodeKinds = kindFilter(r.Kinds, params)
		edgeKinds = " AND (a.kind IN $kinds OR b.kind IN $kinds)"
	}
	stale := func(x string) string {
		return fmt.Sprintf("CASE WHEN any(i IN range(0, size(%[1]s.sources) - 1) WHERE %[1]s.sources[i] = $src AND %[1]s.runs[i] <> $run) THEN elementId(%[1]s) END", x)
	}
	findNodes := "MATCH (n:" + s.entity() + ") WHERE $src IN n.sources" + nodeKinds +
		" RETURN count(n) AS before, collect(" + stale("n") + ") AS stale"
	findEdges := "MATCH (a:" + s.entity() + ")-[r:" + s.relTypes(nil) + "]->(b:" + s.entity() + ") WHERE $src IN r.sources" + edgeKinds +
		" RETURN count(r) AS before, collect(" + stale("r") + ") AS stale"
	lock := ""
	if !r.DryRun {
		lock = lockClause
	}
	readNodes := "UNWIND $eids AS eid MATCH (x) WHERE elementId(x) = eid" + lock + " RETURN eid, properties(x) AS props"
	readEdges := "UNWIND $eids AS eid MATCH ()-[x]->() WHERE elementId(x) = eid" + lock + " RETURN eid, " + edgeFields("x")

	var res graph.SweepResult
	w := func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		res = graph.SweepResult{}
		rec := graph.NewAuditRecorder(ctx, r.Source, r.Run, s.now())
		dec := newDecodeCache()
		find := func(cypher string) (int, []any, error) {
			recs, err := collect(ctx, tx, cypher, params)
			if err != nil {
				return 0, nil, err
			}
			l, _ := recs[0].Values[1].([]any)
			return int(recs[0].Values[0].(int64)), l, nil
		}
		before, staleNodes, err := find(findNodes)
		if err != nil {
			return err
		}
		res.SourceNodesBefore = before
		before, staleEdges, err := find(findEdges)
		if err != nil {
			return err
		}
		res.SourceEdgesBefore = before

		var removeNodes, updateNodes, removeEdges, updateEdges []any
		if len(staleNodes) > 0 {
			rows, err := collect(ctx, tx, readNodes, map[string]any{"eids": staleNodes})
			if err != nil {
				return err
			}
			for _, row := range rows {
				n, err := dec.node(row.Values[1].(map[string]any))
				if err != nil {
					return err
				}
				before := graph.CloneNode(n) // Retract changes n in place
				if !graph.Retract(n, r) {
					continue
				}
				if len(n.Assertions) == 0 {
					removeNodes = append(removeNodes, row.Values[0])
					rec.Node(before, nil)
					res.NodesRemoved++
					continue
				}
				rec.Node(before, n)
				props, err := encodeNode(n)
				if err != nil {
					return err
				}
				updateNodes = append(updateNodes, map[string]any{"eid": row.Values[0], "props": props})
				res.NodesRetracted++
			}
		}
		gone := map[string]bool{} // relationships of removed nodes
		if len(removeNodes) > 0 {
			rows, err := collect(ctx, tx, incidentQuery(lock), map[string]any{"eids": removeNodes})
			if err != nil {
				return err
			}
			for _, row := range rows {
				e, err := s.edgeOf(row, dec)
				if err != nil {
					return err
				}
				gone[str(row.Values[0])] = true
				rec.Edge(e, nil)
			}
		}
		if len(staleEdges) > 0 {
			rows, err := collect(ctx, tx, readEdges, map[string]any{"eids": staleEdges})
			if err != nil {
				return err
			}
			for _, row := range rows {
				eid := str(row.Values[0])
				if gone[eid] {
					continue
				}
				e, err := s.edgeOf(row, dec)
				if err != nil {
					return err
				}
				before := graph.CloneEdge(e) // RetractEdge changes e in place
				if !graph.RetractEdge(e, r) {
					continue
				}
				if len(e.Assertions) == 0 {
					removeEdges = append(removeEdges, eid)
					rec.Edge(before, nil)
					continue
				}
				rec.Edge(before, e)
				props, err := encodeEdge(e)
				if err != nil {
					return err
				}
				updateEdges = append(updateEdges, map[string]any{"eid": eid, "props": props})
				res.EdgesRetracted++
			}
		}
		res.EdgesRemoved = len(gone) + len(removeEdges)
		if r.DryRun {
			return nil
		}
		steps := []struct {
			cypher string
			rows   []any
		}{
			{"UNWIND $rows AS eid MATCH ()-[r]->() WHERE elementId(r) = eid DELETE r", removeEdges},
			{setRelsByElementID, updateEdges},
			{"UNWIND $rows AS eid MATCH (n) WHERE elementId(n) = eid DETACH DELETE n", removeNodes},
			{setNodesByElementID, updateNodes},
		}
		for _, st := range steps {
			if len(st.rows) > 0 {
				if err := run(ctx, tx, st.cypher, map[string]any{"rows": st.rows}); err != nil {
					return err
				}
			}
		}
		return s.record(ctx, tx, rec)
	}
	if r.DryRun {
		err = s.read(ctx, "sweep", w)
	} else {
		err = s.write(ctx, "sweep", w)
	}
	if err != nil {
		return graph.SweepResult{}, err
	}
	return res, nil
}

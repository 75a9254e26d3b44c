package neo4j

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
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
	graph.DeriveIDs(b.Nodes, b.Edges) // those the batch does not carry, once for every try

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
		nodeIDs[i] = in.ID()
	}
	eIDs := make([]edgeIDs, len(b.Edges))
	for i, in := range b.Edges {
		from, to := in.EndIDs()
		eIDs[i] = edgeIDs{in.IDBetween(from, to), from, to}
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

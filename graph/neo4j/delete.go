package neo4j

import (
	"context"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/estate-cmdb/estate/graph"
)

// Deletions: of nodes with their relationships, of relationships, and the
// sweep after a complete run. Each locks what it removes first and records
// it in the audit trail.

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

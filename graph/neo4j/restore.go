package neo4j

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/estate-cmdb/estate/graph"
)

// Restore writes nodes and relationships whole, as an export gives them;
// Merge and Annotate write the nodes they change through its statements.

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

package neo4j

import (
	"context"
	"sync"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/estate-cmdb/estate/graph"
)

// Merges (Store.Merge) and the redirects they leave: the ids of a merged
// node name the node it went into for every later write (graph.Redirect).
// Redirect nodes hold them (schema.go); mergedIDs spares a write reading
// them in an estate without merges.

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

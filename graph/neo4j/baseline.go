package neo4j

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/estate-cmdb/estate/graph"
)

// Direct is raw driver access to one Store's namespace, for the benchmark
// harness's peers (BENCHMARKS.md): the same rows written with plain
// UNWIND+MERGE and the very Cypher the store runs, without this package's
// layer (no locking read, no merge in Go, no decoding), so that the store's
// time divided by Direct's is the layer's overhead. It also drops a
// namespace once a benchmark is done with it. Nothing else should use it.
type Direct struct{ s *Store }

// Direct returns raw access to the store's namespace.
func (s *Store) Direct() *Direct { return &Direct{s: s} }

// Rows are a batch encoded as the store would write it, ready for Load:
// each kind's (type's) item rows beside the audit rows recording their
// creation, position for position.
type Rows struct {
	nodes, nodeAudit map[graph.Kind][]any
	edges, edgeAudit map[graph.RelType][]any
	n, e             int
}

// Len returns the number of nodes and relationships in the rows.
func (r *Rows) Len() (nodes, edges int) { return r.n, r.e }

// Encode validates a batch and encodes its nodes and relationships as the
// property maps the store writes for new items (assertions included), and
// the audit events the store writes for their creation.
func (d *Direct) Encode(ctx context.Context, b graph.Batch) (*Rows, error) {
	v, err := graph.ValidateBatch(b, d.s.now())
	if err != nil {
		return nil, err
	}
	r := &Rows{nodes: map[graph.Kind][]any{}, nodeAudit: map[graph.Kind][]any{},
		edges: map[graph.RelType][]any{}, edgeAudit: map[graph.RelType][]any{}, n: len(v.Nodes), e: len(v.Edges)}
	rec := graph.NewAuditRecorder(ctx, v.Source, v.Run, v.At)
	for _, in := range v.Nodes {
		n := graph.MergeNode(nil, in, v.Source, v.Run, v.At)
		p, err := encodeNode(n)
		if err != nil {
			return nil, err
		}
		r.nodes[in.Kind] = append(r.nodes[in.Kind], map[string]any{"id": in.Ref().ID().String(), "props": p})
		rec.Node(nil, n)
	}
	for _, in := range v.Edges {
		e := graph.MergeEdge(nil, in, v.Source, v.Run, v.At)
		p, err := encodeEdge(e)
		if err != nil {
			return nil, err
		}
		r.edges[in.Type] = append(r.edges[in.Type], map[string]any{
			"id": in.ID().String(), "from": in.From.ID().String(), "to": in.To.ID().String(), "props": p})
		rec.Edge(nil, e)
	}
	// The recorder keeps the order of its calls: nodes, then relationships.
	audit, err := auditRows(rec.Events(writeSeq()))
	if err != nil {
		return nil, err
	}
	for _, in := range v.Nodes {
		r.nodeAudit[in.Kind] = append(r.nodeAudit[in.Kind], audit[0])
		audit = audit[1:]
	}
	for _, in := range v.Edges {
		r.edgeAudit[in.Type] = append(r.edgeAudit[in.Type], audit[0])
		audit = audit[1:]
	}
	return r, nil
}

// LoadOptions say how Load writes rows.
type LoadOptions struct {
	// BatchSize is the number of rows per transaction, each kind's and
	// type's rows apart; 0 writes all the rows in one transaction.
	BatchSize int
	// Audit also writes each row's audit event with the statement the
	// store runs, in the transaction of the row: the like-for-like peer of
	// the store's writes, which record every creation.
	Audit bool
}

// Load writes the rows with UNWIND+MERGE: nodes kind by kind, then
// relationships type by type (ends matched by id, on the namespace's
// uniqueness constraint).
func (d *Direct) Load(ctx context.Context, r *Rows, o LoadOptions) error {
	if o.BatchSize < 0 {
		return errors.New("neo4j direct load: batch size must not be negative")
	}
	s := d.s
	if err := s.ready(ctx); err != nil {
		return err
	}
	type part struct {
		what        string
		cypher      string
		rows, audit []any
	}
	var parts []part
	for _, k := range graph.Kinds {
		parts = append(parts, part{string(k) + " nodes",
			"UNWIND $rows AS row MERGE (n:" + s.entity() + ":" + s.kindLabel(k) + " {id: row.id}) SET n += row.props", r.nodes[k], r.nodeAudit[k]})
	}
	for _, t := range graph.RelTypes {
		parts = append(parts, part{string(t) + " relationships",
			"UNWIND $rows AS row MATCH (a:" + s.entity() + " {id: row.from}) MATCH (c:" + s.entity() + " {id: row.to})\n" +
				"MERGE (a)-[r:" + s.relType(t) + " {id: row.id}]->(c) SET r += row.props", r.edges[t], r.edgeAudit[t]})
	}
	// write writes rows [from, to) of each part in tx and then, as the store
	// does, their audit rows with one statement.
	write := func(ctx context.Context, tx neo4j.ManagedTransaction, ps []part, from, to int) error {
		var audit []any
		for _, p := range ps {
			lo, hi := min(from, len(p.rows)), min(to, len(p.rows))
			if lo == hi {
				continue
			}
			if err := run(ctx, tx, p.cypher, map[string]any{"rows": p.rows[lo:hi]}); err != nil {
				return fmt.Errorf("neo4j direct load of %s: %w", p.what, err)
			}
			audit = append(audit, p.audit[lo:hi]...)
		}
		if !o.Audit || len(audit) == 0 {
			return nil
		}
		if err := run(ctx, tx, s.auditCreate(), map[string]any{"rows": audit}); err != nil {
			return fmt.Errorf("neo4j direct load of audit events: %w", err)
		}
		return nil
	}
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.cfg.Database, BookmarkManager: s.bm})
	defer sess.Close(ctx)
	if o.BatchSize == 0 {
		_, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			return nil, write(ctx, tx, parts, 0, math.MaxInt)
		})
		return err
	}
	for _, p := range parts {
		for i := 0; i < len(p.rows); i += o.BatchSize {
			if _, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
				return nil, write(ctx, tx, []part{p}, i, i+o.BatchSize)
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Traverse runs the statement Store.Traverse runs for q and returns the
// number of records, left undecoded (the hits before Traverse cuts them at
// the limit).
func (d *Direct) Traverse(ctx context.Context, q graph.TraverseQuery) (int, error) {
	q, err := q.Normalize()
	if err != nil {
		return 0, err
	}
	s := d.s
	if err := s.ready(ctx); err != nil {
		return 0, err
	}
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.cfg.Database, AccessMode: neo4j.AccessModeRead, BookmarkManager: s.bm})
	defer sess.Close(ctx)
	n, err := sess.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		recs, err := collect(ctx, tx, s.traverseQuery(q), map[string]any{"starts": idStrings(distinctIDs(q.Starts)), "limit": int64(q.Limit)})
		return len(recs), err
	})
	if err != nil {
		return 0, fmt.Errorf("neo4j direct traverse: %w", err)
	}
	return n.(int), nil
}

// Server describes the Neo4j server: its version and edition, and its
// memory settings (server.memory.*).
func (d *Direct) Server(ctx context.Context) (version string, memory map[string]string, err error) {
	s := d.s
	exec := func(cypher string) (*neo4j.EagerResult, error) {
		return neo4j.ExecuteQuery(ctx, s.driver, cypher, nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(s.cfg.Database))
	}
	res, err := exec("CALL dbms.components() YIELD name, versions, edition RETURN name + ' ' + versions[0] + ' ' + edition")
	if err != nil {
		return "", nil, fmt.Errorf("neo4j version: %w", err)
	}
	if len(res.Records) > 0 {
		version, _ = res.Records[0].Values[0].(string)
	}
	memory = map[string]string{}
	res, err = exec("SHOW SETTINGS YIELD name, value WHERE name STARTS WITH 'server.memory.' RETURN name, value")
	if err != nil {
		return version, memory, nil // settings need privileges some users lack
	}
	for _, r := range res.Records {
		k, _ := r.Values[0].(string)
		v, _ := r.Values[1].(string)
		memory[k] = v
	}
	return version, memory, nil
}

// Drop deletes every node and relationship of the namespace, its
// constraints and indexes, and its schema version node. It refuses the
// empty namespace: dropping estate's real data is never a benchmark step.
func (d *Direct) Drop(ctx context.Context) error {
	s := d.s
	if s.ns == "" {
		return errors.New("neo4j direct drop: refusing to drop the empty namespace")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.cfg.Database, BookmarkManager: s.bm})
	defer sess.Close(ctx)
	exec := func(cypher string, params map[string]any) error {
		res, err := sess.Run(ctx, cypher, params)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		if err != nil {
			return fmt.Errorf("neo4j drop namespace %s: %w", s.ns, err)
		}
		return nil
	}
	// Relationships first, then nodes: DETACH DELETE of a hub node (a shared
	// library thousands depend on) in a batch of nodes ran Neo4j out of
	// transaction memory on the M estate.
	for _, cypher := range []string{
		"MATCH (:" + s.entity() + ")-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
		"MATCH (n:" + s.entity() + ") CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS",
		"MATCH (r:" + s.runLabel() + ") CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
		"MATCH (e:" + s.auditLabel() + ") CALL (e) { DELETE e } IN TRANSACTIONS OF 10000 ROWS",
		"MATCH (r:" + s.redirectLabel() + ") CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
	} {
		if err := exec(cypher, nil); err != nil {
			return err
		}
	}
	// The names the migrations give (see migrations).
	constraints := []string{s.schemaName("entity_id")}
	for _, k := range graph.Kinds {
		constraints = append(constraints, s.schemaName(strings.ToLower(string(k)), "key"))
	}
	for _, t := range graph.RelTypes {
		constraints = append(constraints, s.schemaName(strings.ToLower(string(t)), "id"))
	}
	constraints = append(constraints, s.schemaName("ingest_run_id"), s.schemaName("redirect_from"))
	for _, c := range constraints {
		if err := exec("DROP CONSTRAINT "+c+" IF EXISTS", nil); err != nil {
			return err
		}
	}
	indexes := []string{s.schemaName("entity_search"), s.schemaName("ingest_run_started")}
	for _, end := range auditEnds {
		indexes = append(indexes, s.schemaName("audit", end))
	}
	for k, labels := range graph.ListedLabels {
		for _, l := range labels {
			indexes = append(indexes, s.labelIndexName(k, l))
		}
	}
	for _, idx := range indexes {
		if err := exec("DROP INDEX "+idx+" IF EXISTS", nil); err != nil {
			return err
		}
	}
	return exec("MATCH (v:EstateSchema {namespace: $ns}) DELETE v", map[string]any{"ns": s.ns})
}

package neo4j

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/estate-cmdb/estate/graph"
)

// Audit events (graph/audit.go) are nodes labelled AuditEvent (namespaced
// like every label), outside the Entity label like the ingest run records,
// created in the transaction of the change they record. Each holds the
// event as graph.EncodeAuditEvent made it in data, beside the fields that
// lookups and ordering need:
//
//	at       integer, Unix nanoseconds of the commit (the store's clock)
//	seq      integer, the event's Seq (see writeSeq)
//	subject  string, the id of the node or relationship changed
//	a, b     strings: for a node event a is its id and b is absent; for a
//	         relationship event the ids of its start and end nodes
//	data     the graph.AuditEvent as JSON
//
// History looks a node's events up by a and by b, in range indexes on
// (a, at, seq) and (b, at, seq), so a page costs index seeks, not a scan of
// the trail.

func (s *Store) auditLabel() string { return "`" + s.ns + "AuditEvent`" }

// auditEnds are the indexed end properties of an event.
var auditEnds = []string{"a", "b"}

// writeSeq is the Seq of a write's first event: a random number in the
// high 31 bits, the event's position in the write in the low 32. Writes
// committed at the same nanosecond (a coarse clock, other processes) then
// still get distinct (at, seq) pairs, which history cursors rely on, and
// the events of one write stay together and in order.
func writeSeq() int64 { return rand.Int64N(1<<31) << 32 }

// record writes the events rec collected in tx, the transaction of the
// changes they record, with one statement (none when nothing changed).
func (s *Store) record(ctx context.Context, tx neo4j.ManagedTransaction, rec *graph.AuditRecorder) error {
	if rec.Len() == 0 {
		return nil
	}
	rows, err := auditRows(rec.Events(writeSeq()))
	if err != nil {
		return err
	}
	return run(ctx, tx, s.auditCreate(), map[string]any{"rows": rows})
}

// auditCreate is the statement that writes audit rows.
func (s *Store) auditCreate() string {
	return "UNWIND $rows AS row CREATE (e:" + s.auditLabel() + ") SET e = row"
}

// auditRows encodes events as the rows auditCreate writes.
func auditRows(events []graph.AuditEvent) ([]any, error) {
	rows := make([]any, len(events))
	for i := range events {
		e := &events[i]
		data, err := graph.EncodeAuditEvent(e)
		if err != nil {
			return nil, err
		}
		row := map[string]any{"at": e.At.UnixNano(), "seq": e.Seq, "subject": e.Subject.String(), "data": string(data)}
		if e.IsEdge() {
			row["a"], row["b"] = e.From.ID().String(), e.To.ID().String()
		} else {
			row["a"] = row["subject"]
		}
		rows[i] = row
	}
	return rows, nil
}

// historyQuery reads a page of a node's events: those with the node at end
// a and those with it at end b, each branch a seek of its index in
// descending order from the cursor (at, seq) back to since, cut at the
// page size, then merged. The planner would split an OR of the cursor's
// tie-break into a label scan, hence the CASE; the hint needs a predicate
// on every property of the index, hence seq IS NOT NULL (always true); and
// the index gives its order only when asked for it from its first
// property (constant here).
func (s *Store) historyQuery() string {
	l := s.auditLabel()
	branches := make([]string, len(auditEnds))
	for i, end := range auditEnds {
		branches[i] = "MATCH (e:" + l + ") USING INDEX e:" + l + "(" + end + ", at, seq)" +
			" WHERE e." + end + " = $id AND e.at > $since AND e.at <= $at AND e.seq IS NOT NULL" +
			" AND CASE WHEN e.at = $at THEN e.seq < $seq ELSE true END" +
			" RETURN e ORDER BY e." + end + " DESC, e.at DESC, e.seq DESC LIMIT $limit"
	}
	return "CALL { " + strings.Join(branches, " UNION ") + " } RETURN e.data AS data ORDER BY e.at DESC, e.seq DESC LIMIT $limit"
}

// History implements graph.Store in one statement.
func (s *Store) History(ctx context.Context, q graph.HistoryQuery) (*graph.HistoryPage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	// No cursor is one past the newest event; no Since (the zero time)
	// clamps to before the oldest.
	params := map[string]any{"id": q.ID.String(), "since": unixNanos(q.Since), "at": int64(math.MaxInt64),
		"seq": int64(math.MaxInt64), "limit": int64(q.First + 1)}
	if q.After != "" {
		at, seq, _ := graph.DecodeAuditCursor(q.After)
		params["at"], params["seq"] = at.UnixNano(), seq
	}
	var recs []*neo4j.Record
	err = s.read(ctx, "history", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		var err error
		recs, err = collect(ctx, tx, s.historyQuery(), params)
		return err
	})
	if err != nil {
		return nil, err
	}
	events := make([]*graph.AuditEvent, len(recs))
	for i, rec := range recs {
		if events[i], err = graph.DecodeAuditEvent([]byte(str(rec.Values[0]))); err != nil {
			return nil, err
		}
	}
	return graph.NewHistoryPage(events, q.First), nil
}

// unixNanos is t in Unix nanoseconds, clamped to the int64 range (which
// UnixNano leaves undefined outside).
func unixNanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

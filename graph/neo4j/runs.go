package neo4j

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/estate-cmdb/estate/graph"
)

// Ingest run records are nodes labelled IngestRun (namespaced like every
// label), outside the Entity label, so no graph read, scan, sweep or
// statistic sees them. Each holds the record as JSON in data (exact, times
// included) beside the fields that filters and ordering need:
//
//	id       string (unique: constraint on :IngestRun(id))
//	source   string
//	status   string
//	started  integer, Unix nanoseconds (ordering and cursors; indexed)
//	data     the graph.IngestRun as JSON

func (s *Store) runLabel() string { return "`" + s.ns + "IngestRun`" }

// PutRun implements graph.Store in one statement.
func (s *Store) PutRun(ctx context.Context, r graph.IngestRun) error {
	v, err := graph.ValidateRun(r)
	if err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("neo4j: encode ingest run %s: %w", v.ID, err)
	}
	params := map[string]any{
		"id": v.ID, "source": v.Source, "status": string(v.Status),
		"started": v.Started.UnixNano(), "data": string(data),
	}
	return s.write(ctx, "put ingest run", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		return run(ctx, tx, "MERGE (r:"+s.runLabel()+" {id: $id}) SET r.source = $source, r.status = $status, r.started = $started, r.data = $data", params)
	})
}

// Runs implements graph.Store in one statement.
func (s *Store) Runs(ctx context.Context, ids []string) ([]*graph.IngestRun, error) {
	out := make([]*graph.IngestRun, len(ids))
	if len(ids) == 0 {
		return out, ctx.Err()
	}
	var recs []*neo4j.Record
	err := s.read(ctx, "read ingest runs", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		var err error
		recs, err = collect(ctx, tx, "UNWIND $ids AS id MATCH (r:"+s.runLabel()+" {id: id}) RETURN r.id, r.data", map[string]any{"ids": ids})
		return err
	})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*graph.IngestRun, len(recs))
	for _, rec := range recs {
		r, err := decodeRun(rec.Values[1])
		if err != nil {
			return nil, err
		}
		byID[r.ID] = r
	}
	for i, id := range ids {
		out[i] = graph.CloneRun(byID[id])
	}
	return out, nil
}

// ListRuns implements graph.Store in two statements: the page, in an
// ordered scan of the start-time index, and the total.
func (s *Store) ListRuns(ctx context.Context, q graph.RunQuery) (*graph.RunPage, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	params := map[string]any{"source": q.Source, "status": string(q.Status), "limit": int64(q.First + 1), "after": false}
	if q.After != "" {
		started, id, _ := graph.DecodeRunCursor(q.After)
		params["after"], params["started"], params["id"] = true, started.UnixNano(), id
	} else {
		params["started"], params["id"] = int64(0), ""
	}
	match := "MATCH (r:" + s.runLabel() + ") WHERE ($source = '' OR r.source = $source) AND ($status = '' OR r.status = $status)"
	p := &graph.RunPage{}
	var recs []*neo4j.Record
	err = s.read(ctx, "list ingest runs", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		var err error
		recs, err = collect(ctx, tx, match+
			" AND (NOT $after OR r.started < $started OR (r.started = $started AND r.id < $id))"+
			" RETURN r.data ORDER BY r.started DESC, r.id DESC LIMIT $limit", params)
		if err != nil {
			return err
		}
		total, err := collect(ctx, tx, match+" RETURN count(r)", params)
		if err != nil {
			return err
		}
		p.TotalCount = int(total[0].Values[0].(int64))
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		r, err := decodeRun(rec.Values[0])
		if err != nil {
			return nil, err
		}
		p.Runs = append(p.Runs, r)
	}
	if len(p.Runs) > q.First {
		p.Runs, p.HasNext = p.Runs[:q.First], true
	}
	p.FillCursors()
	return p, nil
}

func decodeRun(v any) (*graph.IngestRun, error) {
	data, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("neo4j: ingest run without data")
	}
	var r graph.IngestRun
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return nil, fmt.Errorf("neo4j: decode ingest run: %w", err)
	}
	return &r, nil
}

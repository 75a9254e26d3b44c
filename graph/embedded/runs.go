package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/estate-cmdb/estate/graph"
)

// Ingest run records live in their own bucket, one JSON value per run id,
// written in their own transactions: they are not part of the graph's log,
// so compaction, export and sweeps never see them. All of them are kept in
// memory as well (a run record is small, and there is one per ingest run).
var bucketRuns = []byte("runs")

// runIndex is the in-memory copy of the runs bucket.
type runIndex struct {
	writeMu sync.Mutex   // serialises commit + publish, so memory follows disk
	mu      sync.RWMutex // guards byID
	byID    map[string]*graph.IngestRun
}

// loadRuns creates the runs bucket if needed and reads it into memory.
func (s *Store) loadRuns() error {
	byID := map[string]*graph.IngestRun{}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketRuns)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			var r graph.IngestRun
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("data file %s is corrupt: ingest run %q: %w", s.path, k, err)
			}
			byID[r.ID] = &r
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("load ingest runs: %w", err)
	}
	s.runs.byID = byID
	return nil
}

// PutRun implements graph.Store.
func (s *Store) PutRun(ctx context.Context, r graph.IngestRun) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	v, err := graph.ValidateRun(r)
	if err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode ingest run %s: %w", v.ID, err)
	}
	s.runs.writeMu.Lock()
	defer s.runs.writeMu.Unlock()
	err = s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketRuns).Put([]byte(v.ID), data) })
	if err != nil {
		if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
			return graph.Unavailable(err, "embedded store is closed")
		}
		return fmt.Errorf("record ingest run %s in %s: %w", v.ID, s.path, err)
	}
	s.runs.mu.Lock()
	s.runs.byID[v.ID] = v
	s.runs.mu.Unlock()
	return nil
}

// Runs implements graph.Store.
func (s *Store) Runs(ctx context.Context, ids []string) ([]*graph.IngestRun, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.runs.mu.RLock()
	defer s.runs.mu.RUnlock()
	out := make([]*graph.IngestRun, len(ids))
	for i, id := range ids {
		out[i] = graph.CloneRun(s.runs.byID[id])
	}
	return out, nil
}

// ListRuns implements graph.Store by filtering and sorting in memory.
func (s *Store) ListRuns(ctx context.Context, q graph.RunQuery) (*graph.RunPage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	s.runs.mu.RLock()
	var match []*graph.IngestRun
	for _, r := range s.runs.byID {
		if q.Matches(r) {
			match = append(match, r)
		}
	}
	s.runs.mu.RUnlock()
	slices.SortFunc(match, graph.CompareRuns)
	p := graph.PageRuns(match, q)
	for i, r := range p.Runs {
		p.Runs[i] = graph.CloneRun(r)
	}
	return p, nil
}

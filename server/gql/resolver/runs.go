package resolver

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/ingest/sources"
	"github.com/estate-cmdb/estate/server/gql/model"
)

// Ingester starts the sources configured with serve --config in the
// background (sources.Runner).
type Ingester interface {
	Sources() []sources.SourceInfo
	Start(ctx context.Context, name string) (*graph.IngestRun, error)
}

func (r *Resolver) ingestRuns(ctx context.Context, source *string, status *graph.RunStatus, first *int, after *string) (*model.IngestRunConnection, error) {
	n, err := r.pageSize(first)
	if err != nil {
		return nil, err
	}
	p, err := r.Store.ListRuns(ctx, graph.RunQuery{Source: deref(source), Status: deref(status), First: n, After: deref(after)})
	if err != nil {
		return nil, err
	}
	c := &model.IngestRunConnection{Nodes: p.Runs, TotalCount: p.TotalCount, Edges: make([]*model.IngestRunEdge, len(p.Runs)),
		PageInfo: &model.PageInfo{HasNextPage: p.HasNext, HasPreviousPage: after != nil && *after != ""}}
	for i, run := range p.Runs {
		c.Edges[i] = &model.IngestRunEdge{Cursor: p.Cursors[i], Node: run}
	}
	if len(p.Runs) > 0 {
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &p.StartCursor, &p.EndCursor
	}
	return c, nil
}

// ingestRun returns the run, or nil when there is none.
func (r *Resolver) ingestRun(ctx context.Context, id string) (*graph.IngestRun, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return nil, graph.Errorf(graph.CodeInvalid, "run id is empty")
	}
	return r.loaders(ctx).Run(ctx, id)
}

func (r *Resolver) ingestSources(ctx context.Context) ([]*model.IngestSource, error) {
	out := []*model.IngestSource{}
	if r.Ingest == nil {
		return out, nil
	}
	for _, s := range r.Ingest.Sources() {
		m := &model.IngestSource{Name: s.Name, Type: s.Type, Problem: s.Problem, Running: s.Running}
		if s.Schedule != "" {
			m.Schedule = &s.Schedule
		}
		if !s.Next.IsZero() {
			m.NextRunAt = &s.Next
		}
		if s.Source != "" {
			m.Source = &s.Source
			p, err := r.Store.ListRuns(ctx, graph.RunQuery{Source: s.Source, First: 1})
			if err != nil {
				return nil, err
			}
			if len(p.Runs) > 0 {
				m.LastRun = p.Runs[0]
			}
		}
		out = append(out, m)
	}
	return out, nil
}

func (r *Resolver) startIngest(ctx context.Context, name string) (*graph.IngestRun, error) {
	if r.Ingest == nil {
		return nil, graph.Errorf(graph.CodeNotFound, "no source %q: the server has no configured sources (estate serve --config FILE)", name)
	}
	return r.Ingest.Start(ctx, strings.TrimSpace(name))
}

func runEnded(run *graph.IngestRun) *time.Time {
	if run.Ended.IsZero() {
		return nil
	}
	return &run.Ended
}

func runSummary(run *graph.IngestRun) []*model.IngestFigure {
	keys := make([]string, 0, len(run.Summary))
	for k := range run.Summary {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]*model.IngestFigure, len(keys))
	for i, k := range keys {
		out[i] = &model.IngestFigure{Key: k, Value: run.Summary[k]}
	}
	return out
}

func runShadowFindings(run *graph.IngestRun) *int {
	if n, ok := run.Summary[analysis.SummaryShadowTotal]; ok {
		return &n
	}
	return nil
}

// recordedRun is the ingest run with id (batched per request), nil for an
// empty id, an API request's id or a run not recorded.
func (r *Resolver) recordedRun(ctx context.Context, id string) (*graph.IngestRun, error) {
	if id == "" {
		return nil, nil
	}
	return r.loaders(ctx).Run(ctx, id)
}

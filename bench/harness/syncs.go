package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/neo4j"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/synthetic"
)

// sweepTimer times the sweeps of ingest runs (F2).
type sweepTimer struct {
	ingest.Store
	took time.Duration
}

func (t *sweepTimer) Sweep(ctx context.Context, r graph.SweepRequest) (graph.SweepResult, error) {
	start := time.Now()
	res, err := t.Store.Sweep(ctx, r)
	t.took += time.Since(start)
	return res, err
}

// syncs runs cold, no-op, API-bound no-op (F7) and churn syncs, checking
// each against the generator. The syncs run whatever figures are asked:
// the later figures query their result.
func (h *harness) syncs(ctx context.Context, kind string, s *opened, run int, rec *recorder) error {
	sync := func(name string, cfg synthetic.Config, paged bool) (*ingest.Report, time.Duration, time.Duration, error) {
		var src ingest.Source
		src, err := synthetic.New(cfg)
		if err != nil {
			return nil, 0, 0, err
		}
		if paged {
			src = &pagedSource{Source: src, page: h.cfg.PageSize, latency: h.cfg.PageLatency}
		}
		st := &sweepTimer{Store: s}
		start := time.Now()
		rep, err := ingest.Run(ctx, st, src, ingest.Options{Logger: zerolog.Nop()})
		took := time.Since(start)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("%s sync: %w", name, err)
		}
		if rep.Status != ingest.StatusSucceeded || rep.SweepHeld != "" {
			return nil, 0, 0, fmt.Errorf("%s sync: status %s, %d item errors, sweep held: %q", name, rep.Status, len(rep.Errors), rep.SweepHeld)
		}
		h.progress("  %s sync: %d nodes, %d relationships in %s", name, rep.Nodes, rep.Edges, took.Round(time.Millisecond))
		return rep, took, st.took, nil
	}
	rate := func(what string, rep *ingest.Report, took time.Duration) {
		if h.want("F1") {
			rec.add("F1", what, "estate", "nodes/s", float64(rep.Nodes)/took.Seconds())
			rec.add("F1", what, "estate", "edges/s", float64(rep.Edges)/took.Seconds())
		}
	}
	counts := func(name string, ws graph.Stats) error {
		st, err := s.Stats(ctx)
		if err != nil {
			return err
		}
		rec.check(fmt.Sprintf("run %d %s: nodes stored", run+1, name), ws.TotalNodes(), st.TotalNodes())
		rec.check(fmt.Sprintf("run %d %s: relationships stored", run+1, name), ws.TotalEdges(), st.TotalEdges())
		for _, k := range graph.Kinds {
			if ws.Nodes[k] != st.Nodes[k] {
				rec.check(fmt.Sprintf("run %d %s: %s nodes stored", run+1, name, k), ws.Nodes[k], st.Nodes[k])
			}
		}
		for _, t := range graph.RelTypes {
			if ws.Edges[t] != st.Edges[t] {
				rec.check(fmt.Sprintf("run %d %s: %s relationships stored", run+1, name, t), ws.Edges[t], st.Edges[t])
			}
		}
		return nil
	}

	if h.want("F1") {
		h.mapsPeer(ctx, rec)
		if kind == StoreNeo4j {
			if err := h.directLoad(ctx, rec); err != nil {
				return err
			}
		}
	}

	rep, took, _, err := sync("cold", h.baseCfg, false)
	if err != nil {
		return err
	}
	rate("cold sync", rep, took)
	rec.check(fmt.Sprintf("run %d cold: nodes created", run+1), h.base.TotalNodes(), rep.Applied.NodesCreated)
	rec.check(fmt.Sprintf("run %d cold: relationships created", run+1), h.base.TotalEdges(), rep.Applied.EdgesCreated)
	if err := counts("cold", h.base); err != nil {
		return err
	}

	rep, took, _, err = sync("no-op", h.baseCfg, false)
	if err != nil {
		return err
	}
	rate("no-op sync", rep, took)
	rec.check(fmt.Sprintf("run %d no-op: items created", run+1), 0, rep.Applied.NodesCreated+rep.Applied.EdgesCreated)
	rec.check(fmt.Sprintf("run %d no-op: items swept", run+1), 0, rep.Swept.NodesRemoved+rep.Swept.EdgesRemoved)
	if err := counts("no-op", h.base); err != nil {
		return err
	}

	if h.want("F7") {
		rep, took, _, err = sync("API-bound no-op", h.baseCfg, true)
		if err != nil {
			return err
		}
		items := rep.Nodes + rep.Edges
		pages := (items + h.cfg.PageSize - 1) / h.cfg.PageSize
		wait := time.Duration(pages) * h.cfg.PageLatency
		what := fmt.Sprintf("no-op sync, %d items/page, %s/page", h.cfg.PageSize, h.cfg.PageLatency)
		rec.add("F7", what, "estate", "s", took.Seconds())
		rec.add("F7", what, "the pages' latency alone", "s", wait.Seconds())
		rec.add("F7", what, "estate", "items/s", float64(items)/took.Seconds())
		rec.check(fmt.Sprintf("run %d API-bound no-op: items created", run+1), 0, rep.Applied.NodesCreated+rep.Applied.EdgesCreated)
	}

	rep, took, sweepTook, err := sync("churn", h.churnCfg, false)
	if err != nil {
		return err
	}
	rate("churn sync", rep, took)
	if h.want("F2") {
		rec.add("F2", "sweep after churn (dry run + sweep)", "estate", "ms", float64(sweepTook.Microseconds())/1e3)
		if kind == StoreNeo4j {
			rec.gap("F2", "Neo4j small vs large delete batches", "the store's sweep has no batch-size setting to vary; the raw-driver delete peer is not written yet")
		}
	}
	rec.check(fmt.Sprintf("run %d churn: nodes swept", run+1), h.churnDeleted, rep.Swept.NodesRemoved)
	rec.check(fmt.Sprintf("run %d churn: nodes created", run+1), h.churn.TotalNodes()-(h.base.TotalNodes()-h.churnDeleted), rep.Applied.NodesCreated)
	return counts("churn", h.churn)
}

// mapsPeer is F1's ceiling: the cold sync's items into plain maps.
func (h *harness) mapsPeer(ctx context.Context, rec *recorder) {
	start := time.Now()
	m, err := load(ctx, h.baseCfg)
	took := time.Since(start)
	if err != nil {
		return
	}
	rec.add("F1", "cold sync", "plain maps (ceiling)", "nodes/s", float64(len(m.Nodes))/took.Seconds())
	rec.add("F1", "cold sync", "plain maps (ceiling)", "edges/s", float64(len(m.Edges))/took.Seconds())
}

// directLoad is F1's Neo4j peer: the cold sync's rows written by the raw
// driver with UNWIND+MERGE at three batch sizes, and at the engine's batch
// size with the audit rows the store writes for every created item (the
// like-for-like peer of the store's own writes), each into a fresh
// namespace that is dropped afterwards.
func (h *harness) directLoad(ctx context.Context, rec *recorder) error {
	batch := func(nodes []graph.NodeInput, edges []graph.EdgeInput) graph.Batch {
		return graph.Batch{Source: "synthetic:direct", Run: "direct", Nodes: nodes, Edges: edges}
	}
	base, err := load(ctx, h.baseCfg)
	if err != nil {
		return err
	}
	var nodes []graph.NodeInput
	for _, n := range base.Nodes {
		nodes = append(nodes, n)
	}
	var edges []graph.EdgeInput
	for _, e := range base.Edges {
		edges = append(edges, e)
	}
	type peer struct {
		size  int
		audit bool
	}
	var peers []peer
	for _, size := range h.cfg.DirectBatchSizes {
		peers = append(peers, peer{size: size})
	}
	peers = append(peers, peer{size: ingest.DefaultBatchSize, audit: true})
	for _, p := range peers {
		s, err := h.open(ctx, StoreNeo4j)
		if err != nil {
			return err
		}
		err = func() error {
			defer s.remove(context.WithoutCancel(ctx))
			// Encoding is the caller's work, outside the time: nodes first, so
			// every chunk's relationships find their ends.
			var chunks []*neo4j.Rows
			for i := 0; i < len(nodes); i += graph.MaxBatchItems {
				r, err := s.direct.Encode(ctx, batch(nodes[i:min(len(nodes), i+graph.MaxBatchItems)], nil))
				if err != nil {
					return err
				}
				chunks = append(chunks, r)
			}
			for i := 0; i < len(edges); i += graph.MaxBatchItems {
				r, err := s.direct.Encode(ctx, batch(nil, edges[i:min(len(edges), i+graph.MaxBatchItems)]))
				if err != nil {
					return err
				}
				chunks = append(chunks, r)
			}
			start := time.Now()
			for _, r := range chunks {
				if err := s.direct.Load(ctx, r, neo4j.LoadOptions{BatchSize: p.size, Audit: p.audit}); err != nil {
					return err
				}
			}
			took := time.Since(start)
			by := fmt.Sprintf("raw driver UNWIND+MERGE, batches of %d", p.size)
			if p.audit {
				by += ", with the store's audit rows"
			}
			rec.add("F1", "cold sync", by, "nodes/s", float64(len(nodes))/took.Seconds())
			rec.add("F1", "cold sync", by, "edges/s", float64(len(edges))/took.Seconds())
			h.progress("  %s: %s", by, took.Round(time.Millisecond))
			st, err := s.Stats(ctx)
			if err != nil {
				return err
			}
			rec.check(by+": nodes stored", len(nodes), st.TotalNodes())
			rec.check(by+": relationships stored", len(edges), st.TotalEdges())
			if p.audit {
				// The peer is like for like only if it really wrote the trail:
				// a node's creation, and each of its relationships', is there.
				n := nodes[0].Ref().ID()
				page, err := s.History(ctx, graph.HistoryQuery{ID: n, First: graph.MaxPageSize})
				if err != nil {
					return err
				}
				want := 1
				for _, e := range edges {
					if e.From.ID() == n || e.To.ID() == n {
						want++
					}
				}
				rec.check(by+": creation events of one node", min(want, graph.MaxPageSize), len(page.Events))
			}
			return nil
		}()
		if err != nil {
			return fmt.Errorf("raw driver load: %w", err)
		}
	}
	return nil
}

// pagedSource is F7's API-bound source: the synthetic estate read as pages,
// each costing a fixed latency, like a paginated API.
type pagedSource struct {
	ingest.Source
	page    int
	latency time.Duration
}

func (p *pagedSource) Run(ctx context.Context, emit ingest.Emitter) error {
	return p.Source.Run(ctx, &pagedEmitter{Emitter: emit, ctx: ctx, p: p})
}

type pagedEmitter struct {
	ingest.Emitter
	ctx context.Context
	p   *pagedSource
	n   int
}

// wait sleeps the page's latency before the first item of every page.
func (e *pagedEmitter) wait() error {
	e.n++
	if (e.n-1)%e.p.page != 0 {
		return nil
	}
	t := time.NewTimer(e.p.latency)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-e.ctx.Done():
		return e.ctx.Err()
	}
}

func (e *pagedEmitter) Node(n graph.NodeInput) error {
	if err := e.wait(); err != nil {
		return err
	}
	return e.Emitter.Node(n)
}

func (e *pagedEmitter) Edge(ed graph.EdgeInput) error {
	if err := e.wait(); err != nil {
		return err
	}
	return e.Emitter.Edge(ed)
}

// Package harness is estate's one benchmark harness (BENCHMARKS.md): it
// generates a tier of the synthetic estate, pushes it through the real ingest
// engine into the embedded store, Neo4j or both, and measures figures F1–F7,
// each beside its in-run peer, over several runs (median, min, max), into a
// Result that writes itself as JSON or Markdown. Every figure also checks its
// answers against the generator or the peer, so a broken store cannot post
// a fast time; a figure that was not measured says so.
//
// The peers live here so that the micro benchmarks and the harness share
// one copy: Maps (the in-memory ingest ceiling), Compact (the integer-array
// BFS floor) and PlainHandler (net/http + encoding/json instead of GraphQL).
package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/graph/neo4j"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/synthetic"
)

// The figures of BENCHMARKS.md.
var Figures = []string{"F1", "F2", "F3", "F4", "F5", "F6", "F7"}

// Stores the harness can measure.
const (
	StoreEmbedded = "embedded"
	StoreNeo4j    = "neo4j"
)

// Config selects what one harness run measures.
type Config struct {
	Tier synthetic.Tier
	Seed int64
	// Runs is how many times each figure is measured (default 3).
	Runs int
	// Figures to measure, from Figures (default all).
	Figures []string
	// Stores to measure, StoreEmbedded and/or StoreNeo4j.
	Stores []string
	// Neo4j configures the Neo4j store. Its Namespace is replaced by a
	// fresh one per store the harness opens, which is dropped afterwards.
	Neo4j neo4j.Config
	// DirectBatchSizes are the batch sizes of F1's raw-driver peer on Neo4j
	// (default 1,000, 5,000 and 20,000 rows).
	DirectBatchSizes []int
	// NoSync opens the embedded stores without fsync: for smoke tests only,
	// as it overstates write speed.
	NoSync bool
	// Dir holds the embedded stores (default the system's temporary
	// directory); each is removed afterwards.
	Dir string
	// Samples is the number of starts per sample set for F3, F4 and F5
	// (default 100).
	Samples int
	// QueryBudget bounds each latency series of F3 and F4 in queries and
	// time (default 300 queries, 3s).
	QueryBudget Budget
	// LoadBudget bounds each F5 load level (default 2000 requests, 3s).
	LoadBudget Budget
	// PageSize and PageLatency shape F7's API-bound source (default 1000
	// items per page, 50ms per page).
	PageSize    int
	PageLatency time.Duration
	// Progress receives one line per step (default: discarded).
	Progress io.Writer
}

// Budget bounds a measuring loop: it stops at Count operations or after
// Time, whichever comes first, and runs at least once.
type Budget struct {
	Count int
	Time  time.Duration
}

// ErrConfig is wrapped by every error Run returns for a bad Config.
var ErrConfig = errors.New("harness: bad configuration")

func (c *Config) defaults() error {
	if _, err := synthetic.New(synthetic.DefaultConfig(c.Tier, c.Seed)); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if c.Runs <= 0 {
		c.Runs = 3
	}
	if len(c.Figures) == 0 {
		c.Figures = Figures
	}
	for _, f := range c.Figures {
		if !slices.Contains(Figures, f) {
			return fmt.Errorf("%w: figure %q is unknown (want some of %v)", ErrConfig, f, Figures)
		}
	}
	if len(c.Stores) == 0 {
		return fmt.Errorf("%w: no store to measure", ErrConfig)
	}
	for _, s := range c.Stores {
		if s != StoreEmbedded && s != StoreNeo4j {
			return fmt.Errorf("%w: store %q is unknown (want embedded or neo4j)", ErrConfig, s)
		}
	}
	if len(c.DirectBatchSizes) == 0 {
		c.DirectBatchSizes = []int{1000, 5000, 20000}
	}
	if c.Dir == "" {
		c.Dir = os.TempDir()
	}
	if c.Samples <= 0 {
		c.Samples = 100
	}
	if c.QueryBudget.Count <= 0 {
		c.QueryBudget.Count = 300
	}
	if c.QueryBudget.Time <= 0 {
		c.QueryBudget.Time = 3 * time.Second
	}
	if c.LoadBudget.Count <= 0 {
		c.LoadBudget.Count = 2000
	}
	if c.LoadBudget.Time <= 0 {
		c.LoadBudget.Time = 3 * time.Second
	}
	if c.PageSize <= 0 {
		c.PageSize = 1000
	}
	if c.PageLatency <= 0 {
		c.PageLatency = 50 * time.Millisecond
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	return nil
}

// Run measures the configured figures on the configured stores. It returns
// an error when the harness itself could not run (a store would not open, a
// sync failed); wrong answers are recorded as failed checks (Result.Failed).
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	start := time.Now()
	h := &harness{cfg: cfg}
	res := &Result{Machine: machine(), Tier: string(cfg.Tier), Seed: cfg.Seed, Skew: synthetic.DefaultSkew, Runs: cfg.Runs, Date: start.UTC()}
	if err := h.prepare(ctx); err != nil {
		return nil, err
	}
	res.Generated = Generated{Nodes: len(h.base.Nodes), Edges: len(h.base.Edges), ChurnNodes: len(h.churn.Nodes), ChurnEdges: len(h.churn.Edges)}
	for _, store := range cfg.Stores {
		rec := newRecorder()
		for run := range cfg.Runs {
			h.progress("%s run %d/%d", store, run+1, cfg.Runs)
			if err := h.runStore(ctx, store, run, rec, &res.Machine); err != nil {
				return nil, fmt.Errorf("%s run %d: %w", store, run+1, err)
			}
		}
		res.Stores = append(res.Stores, rec.result(store))
	}
	res.Machine.LoadAfter = loadAverage()
	res.Took = time.Since(start).Round(time.Second).String()
	return res, nil
}

// harness holds what every store run shares: the generated estate (base and
// churned) in maps, its floors and samples.
type harness struct {
	cfg         Config
	base, churn *Maps
	downstream  *Compact // over the churned estate
	ownersOf    map[graph.ID][]string
	samples     synthetic.Samples
	baseCfg     synthetic.Config
	churnCfg    synthetic.Config
}

func (h *harness) progress(format string, args ...any) {
	fmt.Fprintf(h.cfg.Progress, "%s  "+format+"\n", append([]any{time.Now().Format(time.TimeOnly)}, args...)...)
}

func (h *harness) want(f string) bool { return slices.Contains(h.cfg.Figures, f) }

// prepare generates the estate into maps (what the checks compare with) and
// builds the floors.
func (h *harness) prepare(ctx context.Context) error {
	h.baseCfg = synthetic.DefaultConfig(h.cfg.Tier, h.cfg.Seed)
	h.churnCfg = h.baseCfg
	h.churnCfg.Churn = 1
	var err error
	if h.base, err = load(ctx, h.baseCfg); err != nil {
		return err
	}
	if h.churn, err = load(ctx, h.churnCfg); err != nil {
		return err
	}
	src, _ := synthetic.New(h.churnCfg)
	h.samples = src.Samples(h.cfg.Samples)
	b := NewCompactBuilder()
	h.ownersOf = map[graph.ID][]string{}
	for _, e := range h.churn.Edges {
		if f, t, ok := Downstream(e.Type, e.From.ID(), e.To.ID()); ok {
			b.Add(f, t)
		}
		if e.Type == graph.RelOwns {
			role, _ := e.Props["role"].(string)
			if role == "" {
				role = graph.OwnerTechnical
			}
			h.ownersOf[e.To.ID()] = append(h.ownersOf[e.To.ID()], ownerKey(e.From.Kind, e.From.Key, role))
		}
	}
	h.downstream = b.Build()
	h.progress("generated tier %s: %d nodes, %d relationships (%d and %d after churn)",
		h.cfg.Tier, len(h.base.Nodes), len(h.base.Edges), len(h.churn.Nodes), len(h.churn.Edges))
	return nil
}

func ownerKey(k graph.Kind, key, role string) string { return string(k) + ":" + key + "/" + role }

// load runs a synthetic source into fresh maps.
func load(ctx context.Context, cfg synthetic.Config) (*Maps, error) {
	src, err := synthetic.New(cfg)
	if err != nil {
		return nil, err
	}
	m := NewMaps()
	if err := src.Run(ctx, m); err != nil {
		return nil, fmt.Errorf("generate tier %s: %w", cfg.Tier, err)
	}
	return m, nil
}

// opened is a store the harness opened, with how to open it again and how
// to remove it.
type opened struct {
	graph.Store // nil while closed
	reopen      func(ctx context.Context) (graph.Store, error)
	dir         string        // the embedded store's directory
	direct      *neo4j.Direct // the Neo4j store's raw access
}

// remove closes the store and deletes what it holds: the Neo4j namespace
// (through the still open driver) or the embedded store's directory.
func (o *opened) remove(ctx context.Context) error {
	var err error
	if o.direct != nil && o.Store != nil {
		err = o.direct.Drop(ctx)
	}
	if o.Store != nil {
		o.Store.Close()
		o.Store = nil
	}
	if o.dir != "" {
		err = errors.Join(err, os.RemoveAll(o.dir))
	}
	return err
}

// setStore makes a reopened store the current one.
func (o *opened) setStore(s graph.Store) {
	o.Store = s
	if ns, ok := s.(*neo4j.Store); ok {
		o.direct = ns.Direct()
	}
}

// open opens a fresh, empty store of the kind.
func (h *harness) open(ctx context.Context, kind string) (*opened, error) {
	if kind == StoreEmbedded {
		if err := os.MkdirAll(h.cfg.Dir, 0o755); err != nil {
			return nil, err
		}
		dir, err := os.MkdirTemp(h.cfg.Dir, "estate-bench-")
		if err != nil {
			return nil, err
		}
		openIt := func(ctx context.Context) (graph.Store, error) {
			return embedded.Open(ctx, dir, embedded.Options{Logger: zerolog.Nop(), NoSync: h.cfg.NoSync})
		}
		s, err := openIt(ctx)
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		return &opened{Store: s, reopen: openIt, dir: dir}, nil
	}
	ns := make([]byte, 4)
	rand.Read(ns)
	nc := h.cfg.Neo4j
	nc.Namespace = "bench_" + hex.EncodeToString(ns) + "_"
	nc.Logger = zerolog.Nop()
	openIt := func(ctx context.Context) (graph.Store, error) {
		s, err := neo4j.Open(ctx, nc)
		if err != nil {
			return nil, err
		}
		if err := s.Ping(ctx); err != nil {
			s.Close()
			return nil, fmt.Errorf("neo4j: %w", err)
		}
		return s, nil
	}
	s, err := openIt(ctx)
	if err != nil {
		return nil, err
	}
	o := &opened{reopen: openIt}
	o.setStore(s)
	return o, nil
}

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

// runStore is one run on one fresh store: the three syncs (F1, F2, F7),
// then the answers (F3, F4, F5) on the churned estate, then memory and
// start-up (F6).
func (h *harness) runStore(ctx context.Context, kind string, run int, rec *recorder, m *Machine) (err error) {
	s, err := h.open(ctx, kind)
	if err != nil {
		return err
	}
	defer func() {
		if e := s.remove(context.WithoutCancel(ctx)); e != nil && err == nil {
			err = fmt.Errorf("remove the benchmark store: %w", e)
		}
	}()
	if kind == StoreNeo4j && m.Neo4j == "" {
		m.Neo4j, m.Neo4jMemory, _ = s.direct.Server(ctx)
	}
	if err := h.syncs(ctx, kind, s, run, rec); err != nil {
		return err
	}
	if h.want("F3") {
		if err := h.impact(ctx, kind, s, rec); err != nil {
			return err
		}
	}
	if h.want("F4") {
		if err := h.whoOwns(ctx, s, rec); err != nil {
			return err
		}
	}
	if h.want("F5") {
		if err := h.serve(ctx, s, rec); err != nil {
			return err
		}
	}
	if h.want("F6") {
		return h.footprint(ctx, kind, s, rec)
	}
	return nil
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
	counts := func(name string, want *Maps) error {
		st, err := s.Stats(ctx)
		if err != nil {
			return err
		}
		ws := want.Stats()
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
	rec.check(fmt.Sprintf("run %d cold: nodes created", run+1), len(h.base.Nodes), rep.Applied.NodesCreated)
	rec.check(fmt.Sprintf("run %d cold: relationships created", run+1), len(h.base.Edges), rep.Applied.EdgesCreated)
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
	deleted := 0
	for id := range h.base.Nodes {
		if _, ok := h.churn.Nodes[id]; !ok {
			deleted++
		}
	}
	rec.check(fmt.Sprintf("run %d churn: nodes swept", run+1), deleted, rep.Swept.NodesRemoved)
	rec.check(fmt.Sprintf("run %d churn: nodes created", run+1), len(h.churn.Nodes)-(len(h.base.Nodes)-deleted), rep.Applied.NodesCreated)
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
// driver with UNWIND+MERGE at three batch sizes, each into a fresh
// namespace that is dropped afterwards.
func (h *harness) directLoad(ctx context.Context, rec *recorder) error {
	batch := func(nodes []graph.NodeInput, edges []graph.EdgeInput) graph.Batch {
		return graph.Batch{Source: "synthetic:direct", Run: "direct", Nodes: nodes, Edges: edges}
	}
	var nodes []graph.NodeInput
	for _, n := range h.base.Nodes {
		nodes = append(nodes, n)
	}
	var edges []graph.EdgeInput
	for _, e := range h.base.Edges {
		edges = append(edges, e)
	}
	for _, size := range h.cfg.DirectBatchSizes {
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
				r, err := s.direct.Encode(batch(nodes[i:min(len(nodes), i+graph.MaxBatchItems)], nil))
				if err != nil {
					return err
				}
				chunks = append(chunks, r)
			}
			for i := 0; i < len(edges); i += graph.MaxBatchItems {
				r, err := s.direct.Encode(batch(nil, edges[i:min(len(edges), i+graph.MaxBatchItems)]))
				if err != nil {
					return err
				}
				chunks = append(chunks, r)
			}
			start := time.Now()
			for _, r := range chunks {
				if err := s.direct.Load(ctx, r, size); err != nil {
					return err
				}
			}
			took := time.Since(start)
			by := fmt.Sprintf("raw driver UNWIND+MERGE, batches of %d", size)
			rec.add("F1", "cold sync", by, "nodes/s", float64(len(nodes))/took.Seconds())
			rec.add("F1", "cold sync", by, "edges/s", float64(len(edges))/took.Seconds())
			h.progress("  raw driver load, batches of %d: %s", size, took.Round(time.Millisecond))
			st, err := s.Stats(ctx)
			if err != nil {
				return err
			}
			rec.check(by+": nodes stored", len(nodes), st.TotalNodes())
			rec.check(by+": relationships stored", len(edges), st.TotalEdges())
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

// footprint is F6: the store's heap after a reopen (runtime.MemStats after
// GC), its start-up (reopen) time and its size on disk, beside the compact
// arrays and a naive map-of-slices graph of the same estate.
func (h *harness) footprint(ctx context.Context, kind string, s *opened, rec *recorder) error {
	nodes, edges := len(h.churn.Nodes), len(h.churn.Edges)
	perItem := func(by string, bytes uint64) {
		rec.add("F6", "heap", by, "MiB", float64(bytes)/(1<<20))
		rec.add("F6", "heap per node (all heap / nodes)", by, "B", float64(bytes)/float64(nodes))
		rec.add("F6", "heap per relationship (all heap / relationships)", by, "B", float64(bytes)/float64(edges))
	}
	// The embedded store is closed first (it locks its directory, and its
	// memory must not count twice); the Neo4j one after the new one is open,
	// so that its namespace can always be dropped.
	old := s.Store
	if kind == StoreEmbedded {
		s.Store = nil
		if err := old.Close(); err != nil {
			return err
		}
	}
	before := heap()
	start := time.Now()
	s2, err := s.reopen(ctx)
	if err != nil {
		return fmt.Errorf("reopen: %w", err)
	}
	st, err := s2.Stats(ctx)
	took := time.Since(start)
	if kind != StoreEmbedded {
		old.Close()
	}
	s.setStore(s2)
	if err != nil {
		return err
	}
	rec.add("F6", "start-up (open and first answer)", "estate", "ms", float64(took.Microseconds())/1e3)
	rec.check("F6 reopen: nodes", nodes, st.TotalNodes())
	if kind == StoreEmbedded {
		perItem("estate", heap()-before)
		size, err := dirSize(s.dir)
		if err != nil {
			return err
		}
		rec.add("F6", "on disk", "estate", "MiB", float64(size)/(1<<20))
	} else {
		rec.gap("F6", "heap and on-disk size", "Neo4j holds the graph in its own server process and store files, shared with other namespaces; only start-up is measured")
	}

	before = heap()
	b := NewCompactBuilder()
	for _, e := range h.churn.Edges {
		b.Add(e.From.ID(), e.To.ID())
	}
	c := b.Build()
	perItem("compact arrays (floor)", heap()-before)
	runtime.KeepAlive(c)

	before = heap()
	naive := naiveGraph(h.churn)
	perItem("naive map-of-slices graph", heap()-before)
	runtime.KeepAlive(naive)
	return nil
}

// naiveGraph copies an estate into what a first program would write: nodes
// by id, and each node's relationships in a slice.
func naiveGraph(m *Maps) map[graph.ID]*naiveNode {
	g := make(map[graph.ID]*naiveNode, len(m.Nodes))
	for id, n := range m.Nodes {
		g[id] = &naiveNode{NodeInput: cloneNode(n)}
	}
	for _, e := range m.Edges {
		e.Props = cloneMap(e.Props)
		if from := g[e.From.ID()]; from != nil {
			from.out = append(from.out, e)
		}
		if to := g[e.To.ID()]; to != nil {
			to.in = append(to.in, e)
		}
	}
	return g
}

type naiveNode struct {
	graph.NodeInput
	out, in []graph.EdgeInput
}

func cloneNode(n graph.NodeInput) graph.NodeInput {
	n.Props = cloneMap(n.Props)
	if n.Labels != nil {
		l := make(map[string]string, len(n.Labels))
		for k, v := range n.Labels {
			l[k] = v
		}
		n.Labels = l
	}
	n.Aliases = slices.Clone(n.Aliases)
	return n
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// heap is the live heap after a full collection.
func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	return n, err
}

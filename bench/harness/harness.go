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
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/graph/neo4j"
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
	// time (default 300 queries, 3s); F3's take at least 1,000 queries
	// when the time allows, as many as its floor.
	QueryBudget Budget
	// LoadBudget bounds each F5 load level (default 2000 requests, 3s).
	LoadBudget Budget
	// PageSize and PageLatency shape F7's API-bound source (default 1000
	// items per page, 50ms per page).
	PageSize    int
	PageLatency time.Duration
	// Progress receives one line per step (default: discarded).
	Progress io.Writer
	// HeapProfile, when set, is a file that F6 writes a heap profile
	// (go tool pprof) to at the point it measures the reopened embedded
	// store: what that store holds, by allocation site. Each run
	// overwrites it.
	HeapProfile string
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
	res.Generated = Generated{Nodes: h.base.TotalNodes(), Edges: h.base.TotalEdges(), ChurnNodes: h.churn.TotalNodes(), ChurnEdges: h.churn.TotalEdges()}
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
	res.PeakRSS = peakRSS()
	return res, nil
}

// harness holds what every store run shares: what the checks need of the
// generated estate (base and churned), its floors and samples. Only the
// estates' counts are kept, not their items: an L estate in maps is
// gigabytes of pointers, which the collector would mark again and again
// while the stores are measured, a cost no deployment pays. A figure that
// needs the items generates them again (load).
type harness struct {
	cfg         Config
	base, churn graph.Stats
	// churnDeleted counts the base estate's nodes the churned one lacks.
	churnDeleted int
	downstream   *Compact // over the churned estate
	ownersOf     map[graph.ID][]string
	samples      synthetic.Samples
	baseCfg      synthetic.Config
	churnCfg     synthetic.Config
}

func (h *harness) progress(format string, args ...any) {
	fmt.Fprintf(h.cfg.Progress, "%s  "+format+"\n", append([]any{time.Now().Format(time.TimeOnly)}, args...)...)
}

func (h *harness) want(f string) bool { return slices.Contains(h.cfg.Figures, f) }

// prepare generates the estate, keeps what the checks compare with and
// builds the floors.
func (h *harness) prepare(ctx context.Context) error {
	h.baseCfg = synthetic.DefaultConfig(h.cfg.Tier, h.cfg.Seed)
	h.churnCfg = h.baseCfg
	h.churnCfg.Churn = 1
	base, err := load(ctx, h.baseCfg)
	if err != nil {
		return err
	}
	churn, err := load(ctx, h.churnCfg)
	if err != nil {
		return err
	}
	h.base, h.churn = base.Stats(), churn.Stats()
	for id := range base.Nodes {
		if _, ok := churn.Nodes[id]; !ok {
			h.churnDeleted++
		}
	}
	src, _ := synthetic.New(h.churnCfg)
	h.samples = src.Samples(h.cfg.Samples)
	b := NewCompactBuilder()
	h.ownersOf = map[graph.ID][]string{}
	for _, e := range churn.Edges {
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
		h.cfg.Tier, h.base.TotalNodes(), h.base.TotalEdges(), h.churn.TotalNodes(), h.churn.TotalEdges())
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
		if err := h.whoOwns(ctx, kind, s, rec); err != nil {
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

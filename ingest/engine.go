// Package ingest is the engine between sources and the store: it runs a
// source, batches what the source emits into atomic store writes, records
// per-item errors, and after a successful complete run sweeps what the source
// no longer asserts — guarded against mass deletion. Each run is recorded in
// the store (graph.IngestRun) as it starts, progresses and ends.
//
// A source only fetches and emits (see Source); everything about batching,
// provenance, reconciliation and reporting lives here, once.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
)

// Source fetches from one system and emits nodes and relationships. A
// relationship must be emitted after its two ends (or name nodes already
// stored). Run returns an error only when the run as a whole failed; problems
// with single items go to Emitter.ItemError and make the run partial. A
// source that reads its system in parts (repositories, accounts, regions)
// emits each part through Scoped, so that a part that fails holds back the
// sweep of that part only.
type Source interface {
	// Name identifies the source and its scope, e.g. "github:acme"; it is
	// the provenance recorded on everything the source asserts.
	Name() string
	Run(ctx context.Context, emit Emitter) error
}

// Emitter receives what a source finds. Its methods return an error only
// when the run must stop (the store failed, the context was cancelled).
type Emitter interface {
	Node(graph.NodeInput) error
	Edge(graph.EdgeInput) error
	ItemError(item string, err error)
}

// Warner is implemented by emitters that record warnings: problems worth
// reporting that do not make the run partial, because what the source read
// is still complete — a malformed line in a file that was otherwise read, an
// owner that names no one known. Sources call Warn rather than asserting it.
type Warner interface {
	Warn(item string, err error)
}

// Warn records a warning through emit, or an item error when emit cannot
// record warnings (erring on the side of a partial run).
func Warn(emit Emitter, item string, err error) {
	if w, ok := emit.(Warner); ok {
		w.Warn(item, err)
		return
	}
	emit.ItemError(item, err)
}

// Scoped returns an Emitter that asserts what it is given in scope, a part
// of the source's system such as "repo/acme/payments" or
// "aws/123456789012/eu-west-1" (graph/scope.go), and records its item
// errors against that scope. A run whose item errors all belong to scopes
// is partial but sweeps everything except those scopes; one item error
// outside any scope holds the whole sweep. What a nested Scoped asserts
// keeps the inner, narrower scope.
func Scoped(emit Emitter, scope string) Emitter { return scoped{emit: emit, scope: scope} }

type scoped struct {
	emit  Emitter
	scope string
}

// in returns the scope an item asserted in scope gets.
func (s scoped) in(scope string) string {
	if graph.InScope(scope, s.scope) {
		return scope
	}
	return s.scope
}

func (s scoped) Node(n graph.NodeInput) error {
	n.Scope = s.in(n.Scope)
	return s.emit.Node(n)
}

func (s scoped) Edge(e graph.EdgeInput) error {
	e.Scope = s.in(e.Scope)
	return s.emit.Edge(e)
}

func (s scoped) ItemError(item string, err error) { s.scopedItemError(s.scope, item, err) }

func (s scoped) scopedItemError(scope, item string, err error) {
	if r, ok := s.emit.(scopeRecorder); ok {
		r.scopedItemError(s.in(scope), item, err)
		return
	}
	// An emitter that cannot record a scope holds the whole sweep.
	s.emit.ItemError(item, err)
}

func (s scoped) Warn(item string, err error) {
	if w, ok := s.emit.(Warner); ok {
		w.Warn(item, err)
		return
	}
	s.ItemError(item, err)
}

// scopeRecorder is implemented by emitters that record an item error
// against a scope: the engine's, and Scoped's.
type scopeRecorder interface {
	scopedItemError(scope, item string, err error)
}

// maxWarnings caps the warnings kept in a report; the rest are counted.
const maxWarnings = 1000

// Store is what the engine needs from a backend: writing the graph and
// recording the run.
type Store interface {
	Apply(ctx context.Context, b graph.Batch) (graph.ApplyResult, error)
	Sweep(ctx context.Context, r graph.SweepRequest) (graph.SweepResult, error)
	PutRun(ctx context.Context, r graph.IngestRun) error
}

// Status of a run: the statuses a run record holds.
type Status = graph.RunStatus

// Run statuses.
const (
	StatusRunning   = graph.RunRunning
	StatusSucceeded = graph.RunSucceeded
	StatusPartial   = graph.RunPartial
	StatusFailed    = graph.RunFailed
)

// DefaultBatchSize is the number of items per store write unless
// Options.BatchSize says otherwise.
const DefaultBatchSize = 5000

// Options tune a run.
type Options struct {
	// BatchSize is the number of items per store write (default
	// DefaultBatchSize).
	BatchSize int
	// MaxDeleteShare is the share of a source's items a sweep may remove
	// before the mass-deletion guard holds it back (default 0.25).
	MaxDeleteShare float64
	// GuardMinItems is the size below which the guard does not apply
	// (default 20): removing 3 of 5 items is not a mass deletion.
	GuardMinItems int
	// AllowMassDelete overrides the guard for one run.
	AllowMassDelete bool
	// Progress, when set, is called after every batch with items written.
	Progress func(items int)
	// RecordEvery is how often, at most, the run record is rewritten with
	// the progress so far (default 2s); it is also written at the start
	// and the end.
	RecordEvery time.Duration
	// Summarize, when set, is called once the run is over (swept or not),
	// with its record as it stands then (its status decided, not yet
	// ended), and its figures are kept in the run record's Summary — the
	// shadow estate's counts, say, so a trend across runs can be drawn. An
	// error is reported as a warning of the run; figures returned with it
	// are kept.
	Summarize func(ctx context.Context, run graph.IngestRun) (map[string]int, error)
	// SummaryTimeout bounds Summarize (default 1m): the shadow estate of
	// half a million nodes takes seconds to count on a small machine.
	SummaryTimeout time.Duration
	// OnStart, when set, is called with the run's first record (running)
	// once it has been written, before the source starts reading: how a
	// caller that runs ingest in the background learns the run's id.
	OnStart func(graph.IngestRun)
	// StartedBy is who started the run, kept in its record
	// (graph.IngestRun.StartedBy).
	StartedBy string
	Logger    zerolog.Logger
	Now       func() time.Time
}

func (o *Options) defaults() {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.MaxDeleteShare <= 0 {
		o.MaxDeleteShare = 0.25
	}
	if o.GuardMinItems <= 0 {
		o.GuardMinItems = 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RecordEvery <= 0 {
		o.RecordEvery = 2 * time.Second
	}
	if o.SummaryTimeout <= 0 {
		o.SummaryTimeout = time.Minute
	}
}

// ItemError is a problem with one item that did not stop the run.
type ItemError = graph.RunItem

// Report describes one run.
type Report struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	// StartedBy is Options.StartedBy.
	StartedBy string             `json:"startedBy,omitempty"`
	Status    Status             `json:"status"`
	Started   time.Time          `json:"started"`
	Ended     time.Time          `json:"ended"`
	Nodes     int                `json:"nodes"`
	Edges     int                `json:"edges"`
	Applied   graph.ApplyResult  `json:"applied"`
	Swept     *graph.SweepResult `json:"swept,omitempty"`
	// SweepHeld explains why nothing was swept after a complete run.
	SweepHeld string `json:"sweepHeld,omitempty"`
	// KeptScopes are the scopes of a partial run's item errors, which the
	// sweep kept as they were.
	KeptScopes []string    `json:"keptScopes,omitempty"`
	Errors     []ItemError `json:"errors,omitempty"`
	// Warnings did not make the run partial (see Warner). The report keeps
	// the first 1000; WarningCount counts them all.
	Warnings     []ItemError `json:"warnings,omitempty"`
	WarningCount int         `json:"warningCount,omitempty"`
	Err          string      `json:"error,omitempty"`
	// Summary is what Options.Summarize computed after the run.
	Summary map[string]int `json:"summary,omitempty"`
	// RecordErr says why the run record could not be written to the store
	// (the run itself may still have succeeded): the last such failure.
	RecordErr string `json:"recordError,omitempty"`
}

// Record is the run record of the report as the store keeps it: item
// errors and warnings capped at graph.MaxRunItems, with their counts.
func (r *Report) Record() graph.IngestRun {
	return graph.IngestRun{
		ID: r.ID, Source: r.Source, StartedBy: r.StartedBy, Status: r.Status, Started: r.Started, Ended: r.Ended,
		Nodes: r.Nodes, Edges: r.Edges, Applied: r.Applied, Swept: r.Swept, SweepHeld: r.SweepHeld, KeptScopes: r.KeptScopes,
		Errors: capped(r.Errors), ErrorCount: len(r.Errors),
		Warnings: capped(r.Warnings), WarningCount: r.WarningCount,
		Err: r.Err, Summary: r.Summary,
	}
}

func capped(items []ItemError) []ItemError { return items[:min(len(items), graph.MaxRunItems)] }

// recordTimeout bounds the final write of a run record, which runs even
// when the run's context was cancelled: a cancelled run is recorded failed.
const recordTimeout = 10 * time.Second

// record writes the run record. A failure is logged and kept in the
// report, never returned: the ingest result matters more than its record.
func (e *emitter) record(ctx context.Context) {
	e.recorded = e.opts.Now()
	if err := e.store.PutRun(ctx, e.rep.Record()); err != nil {
		e.rep.RecordErr = err.Error()
		e.log.Error().Err(err).Str("status", string(e.rep.Status)).Msg("could not record the ingest run")
	}
}

// summarize calls opts.Summarize within opts.SummaryTimeout; a failure
// is a warning of the run. A cancelled run is not summarised at length:
// the summary stops with ctx.
func summarize(ctx context.Context, em *emitter, opts *Options) map[string]int {
	sctx, cancel := context.WithTimeout(ctx, opts.SummaryTimeout)
	defer cancel()
	sum, err := opts.Summarize(sctx, em.rep.Record())
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("not done within %s: %w", opts.SummaryTimeout, err)
		}
		em.Warn("run summary", err)
	}
	return sum
}

// Run runs src once against store and returns its report. The returned error
// is non-nil when the run failed; the report is always filled in.
func Run(ctx context.Context, store Store, src Source, opts Options) (*Report, error) {
	opts.defaults()
	rep := &Report{ID: uuid.NewString(), Source: src.Name(), StartedBy: opts.StartedBy, Status: StatusRunning, Started: opts.Now().UTC()}
	if graph.ActorFrom(ctx) == "" {
		// The audit trail records the run's changes as made by its source
		// unless the caller (an API request) named someone.
		ctx = graph.WithActor(ctx, rep.Source)
	}
	log := opts.Logger.With().Str("source", rep.Source).Str("run", rep.ID).Logger()
	log.Info().Msg("ingest run started")
	em := &emitter{ctx: ctx, store: store, rep: rep, opts: &opts, log: log}
	em.next(0, 0)
	em.record(ctx)
	if opts.OnStart != nil {
		opts.OnStart(rep.Record())
	}
	err := src.Run(ctx, em)
	if err == nil {
		err = em.flush()
	}
	// Nothing is decided, swept or recorded while a write is under way.
	if werr := em.wait(); err == nil {
		err = werr
	}
	var whole int
	rep.KeptScopes, whole = failedScopes(rep.Errors)
	switch {
	case err != nil:
		rep.Status = StatusFailed
		rep.Err = err.Error()
		rep.KeptScopes = nil
	case whole > 0:
		// What failed to be read is not gone: a partial run whose errors
		// are not confined to scopes removes nothing.
		rep.Status = StatusPartial
		rep.SweepHeld = fmt.Sprintf("run is partial (%d item errors, %d outside any scope): nothing swept", len(rep.Errors), whole)
		rep.KeptScopes = nil
	default:
		// A run whose errors all lie in scopes sweeps the rest.
		rep.Status = StatusSucceeded
		if len(rep.Errors) > 0 {
			rep.Status = StatusPartial
		}
		if err = sweep(ctx, store, rep, &opts); err != nil {
			rep.Status = StatusFailed
			rep.Err = err.Error()
		}
	}
	if opts.Summarize != nil {
		rep.Summary = summarize(ctx, em, &opts)
	}
	rep.Ended = opts.Now().UTC()
	// The end is recorded whatever happened to ctx, in a time of its own:
	// a cancelled run is recorded as failed rather than left running.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	em.record(fctx)
	ev := log.Info()
	if rep.Status == StatusFailed {
		ev = log.Error().Str("error", rep.Err)
	}
	ev.Str("status", string(rep.Status)).Int("nodes", rep.Nodes).Int("edges", rep.Edges).
		Int("item_errors", len(rep.Errors)).Dur("took", rep.Ended.Sub(rep.Started)).Msg("ingest run ended")
	if err != nil {
		return rep, fmt.Errorf("ingest %s: %w", rep.Source, err)
	}
	return rep, nil
}

// failedScopes returns the scopes of the item errors, sorted, without the
// ones inside another, and how many errors have no scope.
func failedScopes(errs []ItemError) (scopes []string, whole int) {
	for _, e := range errs {
		if e.Scope == "" {
			whole++
			continue
		}
		scopes = append(scopes, e.Scope)
	}
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	var outer []string
	for _, s := range scopes {
		if !slices.ContainsFunc(scopes, func(o string) bool { return o != s && graph.InScope(s, o) }) {
			outer = append(outer, s)
		}
	}
	return outer, whole
}

func sweep(ctx context.Context, store Store, rep *Report, opts *Options) error {
	req := graph.SweepRequest{Source: rep.Source, Run: rep.ID, Keep: rep.KeptScopes, DryRun: true}
	dry, err := store.Sweep(ctx, req)
	if err != nil {
		return fmt.Errorf("sweep dry run: %w", err)
	}
	before := dry.SourceNodesBefore + dry.SourceEdgesBefore
	gone := dry.NodesRemoved + dry.NodesRetracted + dry.EdgesRemoved + dry.EdgesRetracted
	if gone == 0 {
		rep.Swept = &dry
		return nil
	}
	if before >= opts.GuardMinItems && float64(gone) > opts.MaxDeleteShare*float64(before) && !opts.AllowMassDelete {
		rep.SweepHeld = fmt.Sprintf("mass-deletion guard: the sweep would remove %d of %d items this source asserted (over %.0f%%); nothing removed — rerun with the override if this is intended",
			gone, before, opts.MaxDeleteShare*100)
		opts.Logger.Warn().Str("source", rep.Source).Int("would_remove", gone).Int("held", before).Msg("mass-deletion guard held the sweep")
		return nil
	}
	req.DryRun = false
	res, err := store.Sweep(ctx, req)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	rep.Swept = &res
	return nil
}

type emitter struct {
	ctx   context.Context
	store Store
	rep   *Report
	opts  *Options
	log   zerolog.Logger
	// batch is filled while the one before is written (writing). Its
	// items are validated as they come, to report a bad one and go on
	// without it, and the store trusts them (graph.CheckedBatch).
	batch   graph.Batch
	writing *write
	// flushed counts the nodes and relationships in the batches written
	// so far.
	flushed [2]int
	// failed is the error of a failed write: the batch is lost, so the
	// run fails however the source goes on, and sweeps nothing.
	failed error
	// recorded is when the run record was last written.
	recorded time.Time
}

// write is a batch being written by the store.
type write struct {
	done  chan struct{}
	items int
	res   graph.ApplyResult
	err   error
}

// finished reports whether the write is done, without waiting for it.
func (w *write) finished() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

func (e *emitter) Node(n graph.NodeInput) error {
	if err := e.batch.Checked.Node(n); err != nil {
		e.scopedItemError(n.Scope, n.Ref().String(), err)
		return nil
	}
	e.rep.Nodes++
	return e.maybeFlush()
}

func (e *emitter) Edge(ed graph.EdgeInput) error {
	if err := e.batch.Checked.Edge(ed); err != nil {
		e.scopedItemError(ed.Scope, fmt.Sprintf("%s %s → %s", ed.Type, ed.From, ed.To), err)
		return nil
	}
	e.rep.Edges++
	return e.maybeFlush()
}

func (e *emitter) ItemError(item string, err error) { e.scopedItemError("", item, err) }

func (e *emitter) scopedItemError(scope, item string, err error) {
	if graph.ValidateScope(scope) != nil {
		scope = "" // a scope no sweep can keep holds the whole sweep
	}
	e.rep.Errors = append(e.rep.Errors, ItemError{Item: item, Err: err.Error(), Scope: scope})
	e.opts.Logger.Warn().Str("source", e.rep.Source).Str("scope", scope).Str("item", item).Err(err).Msg("ingest item error")
}

func (e *emitter) Warn(item string, err error) {
	e.rep.WarningCount++
	if len(e.rep.Warnings) < maxWarnings {
		e.rep.Warnings = append(e.rep.Warnings, ItemError{Item: item, Err: err.Error()})
	}
	e.opts.Logger.Debug().Str("source", e.rep.Source).Str("item", item).Err(err).Msg("ingest warning")
}

func (e *emitter) maybeFlush() error {
	if e.batch.Checked.Len() < e.opts.BatchSize {
		return nil
	}
	return e.flush()
}

// flush starts writing the pending items and returns, so that the source
// reads on while the store writes (the two take about as long on an
// embedded store). It first waits for the batch before, so batches are
// written one at a time and in order: nodes precede relationships within
// a batch, and earlier batches are stored, so a relationship emitted after
// its ends always finds them. A store error reaches the source at the
// next flush.
func (e *emitter) flush() error {
	// While the write before runs, this batch's ids are derived here
	// rather than by the writer: in a cold sync the writer is the slower
	// side. In a no-op sync the source is: the write is done by now, or
	// soon, and the writer derives what is left.
	if w := e.writing; w != nil {
		e.batch.Checked.DeriveIDs(func() bool { return !w.finished() })
	}
	if err := e.wait(); err != nil {
		return err
	}
	n := e.batch.Checked.Len()
	if n == 0 {
		return nil
	}
	if err := e.ctx.Err(); err != nil {
		return err
	}
	if e.opts.Now().Sub(e.recorded) >= e.opts.RecordEvery {
		e.record(e.ctx)
	}
	e.batch.At = e.opts.Now()
	w := &write{done: make(chan struct{}), items: n}
	b := e.batch
	go func() {
		defer close(w.done)
		w.res, w.err = e.store.Apply(e.ctx, b)
	}()
	e.writing = w
	e.next(e.rep.Nodes-e.flushed[0], e.rep.Edges-e.flushed[1])
	e.flushed = [2]int{e.rep.Nodes, e.rep.Edges}
	return nil
}

// next starts an empty batch. A checked batch is applied once, so each
// write gets its own, sized like the one before (nodes and relationships):
// sources emit in long runs of one kind.
func (e *emitter) next(nodes, edges int) {
	e.batch = graph.Batch{Source: e.rep.Source, Run: e.rep.ID, Checked: graph.NewCheckedBatch(nodes, edges)}
}

// wait waits for the batch being written, if any, and accounts for it.
func (e *emitter) wait() error {
	w := e.writing
	if w == nil {
		return e.failed
	}
	<-w.done
	e.writing = nil
	if w.err != nil {
		e.failed = w.err
		var ge *graph.Error
		if errors.As(w.err, &ge) && (ge.Code == graph.CodeInvalid || ge.Code == graph.CodeNotFound) {
			e.failed = fmt.Errorf("source emitted a bad batch: %w", w.err)
		}
		return e.failed
	}
	e.rep.Applied.NodesCreated += w.res.NodesCreated
	e.rep.Applied.NodesUpdated += w.res.NodesUpdated
	e.rep.Applied.EdgesCreated += w.res.EdgesCreated
	e.rep.Applied.EdgesUpdated += w.res.EdgesUpdated
	if e.opts.Progress != nil {
		e.opts.Progress(w.items)
	}
	return nil
}

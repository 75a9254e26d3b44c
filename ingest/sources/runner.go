package sources

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
)

// Runner starts the sources of a file in the background, one run per
// source at a time, for a server: when asked (Start) and at their
// schedules (Schedule). Runs stop when its context is cancelled (and are
// recorded failed), and Wait waits for them.
type Runner struct {
	file  *File
	store Store
	env   Env
	opts  ingest.Options
	ctx   context.Context

	mu      sync.Mutex
	running map[string]bool // provenance names of running sources
	wg      sync.WaitGroup

	// cron keeps the schedules once Schedule is called; entries are its
	// entries by source name.
	cron    *cron.Cron
	entries map[string]cron.EntryID
}

// Store is where a runner's runs write, and where it reads a source's
// last run to tell whether its schedule was missed.
type Store interface {
	ingest.Store
	ListRuns(ctx context.Context, q graph.RunQuery) (*graph.RunPage, error)
}

// NewRunner makes a runner of file's sources writing to store with opts.
// Runs are cancelled when ctx is.
func NewRunner(ctx context.Context, file *File, store Store, env Env, opts ingest.Options) *Runner {
	return &Runner{file: file, store: store, env: env, opts: opts, ctx: ctx, running: map[string]bool{}}
}

// SourceInfo describes a configured source; never its secrets.
type SourceInfo struct {
	Name string
	Type string
	// Source is the provenance name its runs are recorded under; empty,
	// with Problem set, when the source cannot be built (a token variable
	// that is not set, say).
	Source  string
	Problem string
	Running bool
	// Schedule is the file's schedule, empty for none; Next is when it is
	// next due, zero unless the runner keeps the schedules.
	Schedule string
	Next     time.Time
}

// Sources lists the configured sources in file order.
func (r *Runner) Sources() []SourceInfo {
	r.mu.Lock()
	sched, entries := r.cron, r.entries
	r.mu.Unlock()
	out := make([]SourceInfo, 0, len(r.file.Sources))
	for _, c := range r.file.Sources {
		info := SourceInfo{Name: c.Name, Type: c.Type, Schedule: c.Schedule}
		if id, ok := entries[c.Name]; ok {
			info.Next = sched.Entry(id).Next
		}
		if src, err := c.Source(r.env); err != nil {
			info.Problem = err.Error()
		} else {
			info.Source = src.Name()
			r.mu.Lock()
			info.Running = r.running[info.Source]
			r.mu.Unlock()
		}
		out = append(out, info)
	}
	return out
}

// Start starts a run of the named source and returns its first record
// once written. Errors: CodeNotFound for a name the file does not
// configure; CodeConflict while that source is running; CodeInvalid when
// the source cannot be built; CodeUnavailable once the runner is stopping.
// The run records the actor of ctx (graph.ActorFrom) as who started it.
func (r *Runner) Start(ctx context.Context, name string) (*graph.IngestRun, error) {
	return r.start(ctx, name, graph.ActorFrom(ctx))
}

func (r *Runner) start(ctx context.Context, name, by string) (*graph.IngestRun, error) {
	c, err := r.file.Lookup(name)
	if err != nil {
		return nil, err
	}
	src, err := c.Source(r.env)
	if err != nil {
		return nil, &graph.Error{Code: graph.CodeInvalid, Msg: "source " + name + " cannot be built", Err: err}
	}
	key := src.Name()
	r.mu.Lock()
	if r.ctx.Err() != nil {
		r.mu.Unlock()
		return nil, graph.Errorf(graph.CodeUnavailable, "the server is shutting down")
	}
	if r.running[key] {
		r.mu.Unlock()
		return nil, graph.Errorf(graph.CodeConflict, "source %s (%s) is already running", name, key)
	}
	r.running[key] = true
	r.wg.Add(1)
	r.mu.Unlock()

	started := make(chan graph.IngestRun, 1)
	opts := r.opts
	opts.StartedBy = by
	opts.OnStart = func(rec graph.IngestRun) { started <- rec }
	done := make(chan struct{})
	go func() {
		defer r.wg.Done()
		defer close(done)
		defer func() {
			r.mu.Lock()
			delete(r.running, key)
			r.mu.Unlock()
		}()
		// A failed run is in its record and the log; nobody waits here.
		_, _ = ingest.Run(r.ctx, r.store, src, opts)
	}()
	select {
	case rec := <-started:
		return &rec, nil
	case <-done:
		// A short run can be over before this select runs.
		select {
		case rec := <-started:
			return &rec, nil
		default:
			return nil, graph.Errorf(graph.CodeInternal, "ingest run of %s ended before it started", name)
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Schedule starts each source the file gives a schedule at its times,
// until the runner's context ends. A source that is still running when its
// time comes is skipped that time: one run per source at a time. A source
// whose last run (from the server or the command line) started before its
// schedule's latest time runs at once: a server that was down at 03:00
// catches up when it starts, once, rather than leaving the estate a day
// older. A source that never ran waits for its first time (or a person),
// so that a new server does not start every source at once. Call it once;
// each start and skip is logged.
func (r *Runner) Schedule() {
	log := cronLog{r.env.Logger}
	c := cron.New(cron.WithLogger(log), cron.WithChain(cron.Recover(log)))
	entries := map[string]cron.EntryID{}
	var due []string
	for _, s := range r.file.Sources {
		if s.schedule == nil {
			continue
		}
		name := s.Name
		entries[name] = c.Schedule(s.schedule, cron.FuncJob(func() { r.startScheduled(name) }))
		if r.overdue(s) {
			due = append(due, name)
		}
	}
	r.mu.Lock()
	r.cron, r.entries = c, entries
	r.mu.Unlock()
	c.Start()
	for _, name := range due {
		r.startScheduled(name)
	}
	go func() {
		<-r.ctx.Done()
		c.Stop()
	}()
}

// overdue reports whether a time of s's schedule passed since its last
// run started. A store error is logged and counts as not overdue: the
// schedule still runs it.
func (r *Runner) overdue(s *Configured) bool {
	src, err := s.Source(r.env)
	if err != nil {
		return false // startScheduled would only log why, at every time
	}
	p, err := r.store.ListRuns(r.ctx, graph.RunQuery{Source: src.Name(), First: 1})
	if err != nil {
		r.env.Logger.Error().Err(err).Str("config_source", s.Name).Msg("scheduled ingest: reading the last run failed")
		return false
	}
	return len(p.Runs) > 0 && !s.Next(p.Runs[0].Started).After(time.Now())
}

// startScheduled starts a run of the named source for its schedule.
func (r *Runner) startScheduled(name string) {
	log := r.env.Logger.With().Str("config_source", name).Logger()
	run, err := r.start(r.ctx, name, graph.ScheduledBy)
	switch {
	case err == nil:
		log.Info().Str("run", run.ID).Msg("scheduled ingest run started")
	case r.ctx.Err() != nil:
	case errors.Is(err, graph.ErrConflict):
		log.Warn().Msg("scheduled ingest run skipped: the source is still running")
	default:
		log.Error().Err(err).Msg("scheduled ingest run could not start")
	}
}

// cronLog writes the scheduler's own messages: its errors as errors, the
// rest (each wake-up) at debug level.
type cronLog struct{ log zerolog.Logger }

func (l cronLog) Info(msg string, kv ...any) {
	l.log.Debug().Fields(kv).Msg("scheduler: " + msg)
}

func (l cronLog) Error(err error, msg string, kv ...any) {
	l.log.Error().Err(err).Fields(kv).Msg("scheduler: " + msg)
}

// Wait waits until every run started has ended and the schedules stopped.
func (r *Runner) Wait() {
	r.mu.Lock()
	c := r.cron
	r.mu.Unlock()
	if c != nil {
		<-c.Stop().Done()
	}
	r.wg.Wait()
}

package sources

import (
	"context"
	"sync"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
)

// Runner starts the sources of a file in the background, one run per
// source at a time, for a server: runs stop when its context is cancelled
// (and are recorded failed), and Wait waits for them.
type Runner struct {
	file  *File
	store ingest.Store
	env   Env
	opts  ingest.Options
	ctx   context.Context

	mu      sync.Mutex
	running map[string]bool // provenance names of running sources
	wg      sync.WaitGroup
}

// NewRunner makes a runner of file's sources writing to store with opts.
// Runs are cancelled when ctx is.
func NewRunner(ctx context.Context, file *File, store ingest.Store, env Env, opts ingest.Options) *Runner {
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
}

// Sources lists the configured sources in file order.
func (r *Runner) Sources() []SourceInfo {
	out := make([]SourceInfo, 0, len(r.file.Sources))
	for _, c := range r.file.Sources {
		info := SourceInfo{Name: c.Name, Type: c.Type}
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
func (r *Runner) Start(ctx context.Context, name string) (*graph.IngestRun, error) {
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

// Wait waits until every run started has ended.
func (r *Runner) Wait() { r.wg.Wait() }

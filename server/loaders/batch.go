package loaders

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// loader batches the keys asked for by concurrent callers into one fetch
// and caches every answer, error included, for the life of the loader
// (one request).
//
// A batch is dispatched by the goroutine its first key starts, once the
// process has nothing else to run (see settle), not after a timer: on the
// 2-core VMs the benchmarks run on, a Go timer never fires sooner than
// about 1 ms, which a three-level query paid once a level.
type loader[K comparable, V any] struct {
	fetch func(context.Context, []K) ([]V, error)
	wait  time.Duration

	mu    sync.Mutex
	cache map[K]*answer[V]
	batch *batch[K, V] // gathering keys; nil when none is
}

// answer is one key's value, ready once done is closed.
type answer[V any] struct {
	done <-chan struct{}
	val  V
	err  error
}

type batch[K comparable, V any] struct {
	ctx     context.Context // the first caller's: every caller is of one request
	keys    []K
	answers []*answer[V]
	done    chan struct{}
}

// ready is the done channel of answers known without a fetch.
var ready = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

func newLoader[K comparable, V any](wait time.Duration, fetch func(context.Context, []K) ([]V, error)) *loader[K, V] {
	return &loader[K, V]{fetch: fetch, wait: wait, cache: map[K]*answer[V]{}}
}

// Load returns the value of key, fetching it with the other keys asked
// for meanwhile.
func (l *loader[K, V]) Load(ctx context.Context, key K) (V, error) {
	l.mu.Lock()
	a := l.ask(ctx, key)
	l.mu.Unlock()
	return a.get(ctx)
}

// LoadAll returns the values of keys, in order, all in one batch.
func (l *loader[K, V]) LoadAll(ctx context.Context, keys []K) ([]V, error) {
	as := make([]*answer[V], len(keys))
	l.mu.Lock()
	for i, k := range keys {
		as[i] = l.ask(ctx, k)
	}
	l.mu.Unlock()
	vals := make([]V, len(keys))
	for i, a := range as {
		v, err := a.get(ctx)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}

// ask returns the answer for key, cached or added to the gathering batch.
// l.mu is held.
func (l *loader[K, V]) ask(ctx context.Context, key K) *answer[V] {
	if a, ok := l.cache[key]; ok {
		return a
	}
	b := l.batch
	if b == nil {
		b = &batch[K, V]{ctx: ctx, done: make(chan struct{})}
		l.batch = b
		go l.dispatch(b)
	}
	a := &answer[V]{done: b.done}
	b.keys = append(b.keys, key)
	b.answers = append(b.answers, a)
	l.cache[key] = a
	return a
}

func (a *answer[V]) get(ctx context.Context) (V, error) {
	select {
	case <-a.done:
		return a.val, a.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// dispatch fetches batch b once no more keys are coming.
func (l *loader[K, V]) dispatch(b *batch[K, V]) {
	settle(l.wait, func() int {
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(b.keys)
	})
	l.mu.Lock()
	if l.batch == b {
		l.batch = nil
	}
	l.mu.Unlock()
	// b is out of reach of callers now: it is read without the lock.
	vals, err := l.safeFetch(b.ctx, b.keys)
	if err == nil && len(vals) != len(b.keys) {
		err = fmt.Errorf("loaders: %d values for %d keys", len(vals), len(b.keys))
	}
	for i, a := range b.answers {
		if err != nil {
			a.err = err
		} else {
			a.val = vals[i]
		}
	}
	close(b.done)
}

// safeFetch turns a panic of the fetch into an error: it runs on a
// goroutine of its own, outside the server's recovery.
func (l *loader[K, V]) safeFetch(ctx context.Context, keys []K) (vals []V, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("loaders: panic in fetch: %v", p)
		}
	}()
	return l.fetch(ctx, keys)
}

// Prime records the value of key unless it is known already.
func (l *loader[K, V]) Prime(key K, val V) {
	l.mu.Lock()
	if _, ok := l.cache[key]; !ok {
		l.cache[key] = &answer[V]{done: ready, val: val}
	}
	l.mu.Unlock()
}

// Clear forgets every answer; a batch being gathered still answers its
// callers.
func (l *loader[K, V]) Clear() {
	l.mu.Lock()
	clear(l.cache)
	l.mu.Unlock()
}

// settling counts the goroutines inside settle: they are always running
// or runnable, and wait for the others, not for each other.
var settling atomic.Int64

// settle returns once every other goroutine of the process is blocked, or
// once size (the keys of the batch) has not grown for wait. Resolvers of
// sibling objects are goroutines gqlgen has started: each runs until it
// blocks on a loader (or ends), so when nothing but settling dispatchers
// runs or waits to run, every key of this level has been asked for.
//
// While goroutines wait to run, settle yields to them. While none waits
// but another processor is busy, it polls without yielding: a yield would
// wake an idle processor to look for work, and a processor looking for
// work counts as running, so settle would never see the process idle.
//
// Goroutines in system calls are not counted: one blocked in a read
// would hold every batch back to the wait, and resolvers do not make
// system calls before they ask.
//
// The wait bounds it in a busy process, where other requests keep
// goroutines running; it is measured, not a timer, so it does not
// overshoot by a timer's granularity. It runs from the last key added, so
// a level whose siblings keep asking is not cut short.
func settle(wait time.Duration, size func() int) {
	settling.Add(1)
	defer settling.Add(-1)
	last, n := time.Now(), size()
	samples := []metrics.Sample{{Name: "/sched/goroutines/running:goroutines"}, {Name: "/sched/goroutines/runnable:goroutines"}}
	for {
		metrics.Read(samples)
		running, runnable := samples[0].Value.Uint64(), samples[1].Value.Uint64()
		if running+runnable <= uint64(settling.Load()) {
			return
		}
		now := time.Now()
		if m := size(); m != n {
			last, n = now, m
		} else if now.Sub(last) >= wait {
			return
		}
		if runnable > 0 {
			runtime.Gosched()
		}
	}
}

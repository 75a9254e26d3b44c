// Package loaders batches the store reads of one GraphQL request (the
// dataloader pattern).
//
// Resolvers of sibling objects run concurrently; each asks its loader for
// one id, and the loader gathers the ids asked for until every sibling has
// asked (or is done) into one store call. So a nested query costs one
// Store.Neighbors call per nesting level and relationship selection, not
// one per node. Loaders cache for the life of one request only: they are
// created per request by Middleware and found with For.
package loaders

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// DefaultWait bounds how long a loader waits for the next key before
// calling the store. A loader dispatches as soon as nothing else in the
// process can run, which is when every sibling resolver has asked (see
// settle); the bound matters only in a busy process, where other requests
// always have something to run. There a late sibling costs an extra store
// call, never a wrong answer.
//
// Before, a timer alone dispatched: on the 2-core VMs the benchmarks run
// on, a Go timer never fires sooner than ~1 ms (time.Sleep(20µs) takes
// 1.05 ms there), so each level of a nested query waited about that long
// (BenchmarkNestedQuery, M estate: 2.7 ms a request with a 50 µs timer,
// against 0.13 ms for the plain handler). Dispatching on idleness took
// BenchmarkNestedQuery/fixture from 3.1 to 0.87 ms, in one run on a
// loaded machine.
//
// The bound is from the last key, not the first: the siblings of a wide
// level ask one after another, each once its parent has built its page,
// and 60 of them take longer than 50 µs in all. Counted from the first
// key, the level of repositories' owners in BenchmarkNestedQuery/fanout
// went to the store in 2 to 8 calls instead of one.
const DefaultWait = 50 * time.Microsecond

// RemoteWait is the bound for a store across the network, where one call
// more per level costs a round trip, far more than the wait. A dispatch on
// idleness fits such a store as well: a resolver waiting on the network is
// blocked, not running, so it does not hold a batch back, and a batch is
// not sent while a sibling still runs. A sibling that makes a round trip
// of its own before asking misses the batch, where a 1 ms window might
// have caught it; the relationship resolvers ask before anything else.
const RemoteWait = time.Millisecond

// Loaders are the batching readers of one request.
type Loaders struct {
	store graph.Store
	wait  time.Duration
	nodes *loader[graph.ID, *graph.Node]
	runs  *loader[string, *graph.IngestRun]

	mu        sync.Mutex
	neighbors map[neighborSig]*loader[graph.ID, []graph.Neighbor]
}

// New returns loaders reading from store that wait at most wait for the
// next key of a batch (0 means DefaultWait).
func New(store graph.Store, wait time.Duration) *Loaders {
	if wait <= 0 {
		wait = DefaultWait
	}
	return &Loaders{
		store:     store,
		wait:      wait,
		nodes:     newLoader(wait, store.Nodes),
		runs:      newLoader(wait, store.Runs),
		neighbors: map[neighborSig]*loader[graph.ID, []graph.Neighbor]{},
	}
}

// Run returns the ingest run with id, or nil when there is none: the runs
// behind the assertions of a page of entities cost one store call.
func (l *Loaders) Run(ctx context.Context, id string) (*graph.IngestRun, error) {
	return l.runs.Load(ctx, id)
}

// Node returns the node with id, or nil when there is none.
func (l *Loaders) Node(ctx context.Context, id graph.ID) (*graph.Node, error) {
	return l.nodes.Load(ctx, id)
}

// Nodes returns the nodes with the given ids, in order, nil for missing ones.
func (l *Loaders) Nodes(ctx context.Context, ids []graph.ID) ([]*graph.Node, error) {
	return l.nodes.LoadAll(ctx, ids)
}

// Neighbors returns the relationships of node id selected by the types,
// direction and kinds of q (its Limit, Light and NodesOnly are ignored: up
// to graph.MaxPageSize per node, read whole), ordered as graph.SortNeighbors
// orders them. Calls with the same types, direction and kinds share one
// batch. The result is shared: do not modify it.
func (l *Loaders) Neighbors(ctx context.Context, id graph.ID, q graph.NeighborQuery) ([]graph.Neighbor, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	return l.neighborLoader(q).Load(ctx, id)
}

// neighborSig identifies a batch of Neighbors calls: a direction, a set
// of types, one bit per type (its rank in graph.RelTypes), and a set of
// kinds, one bit per kind (its rank in graph.Kinds). Resolvers ask once per
// node of every nested level, so finding the batch must not allocate.
type neighborSig struct {
	dir          graph.Direction
	types, kinds uint64
}

func (l *Loaders) neighborLoader(q graph.NeighborQuery) *loader[graph.ID, []graph.Neighbor] {
	sig := neighborSig{dir: q.Direction}
	for _, t := range q.Types {
		sig.types |= 1 << graph.RelRank(t) // Normalize checked t is one of RelTypes
	}
	for _, k := range q.Kinds {
		sig.kinds |= 1 << graph.KindRank(k) // and k one of Kinds
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if ld, ok := l.neighbors[sig]; ok {
		return ld
	}
	// The batch's query: its own copy of the types, each once.
	bq := graph.NeighborQuery{Direction: q.Direction, Limit: graph.MaxPageSize}
	for i, t := range graph.RelTypes {
		if sig.types&(1<<i) != 0 {
			bq.Types = append(bq.Types, t)
		}
	}
	for i, k := range graph.Kinds {
		if sig.kinds&(1<<i) != 0 {
			bq.Kinds = append(bq.Kinds, k)
		}
	}
	ld := newLoader(l.wait, func(ctx context.Context, ids []graph.ID) ([][]graph.Neighbor, error) {
		m, err := l.store.Neighbors(ctx, ids, bq)
		if err != nil {
			return nil, err
		}
		out := make([][]graph.Neighbor, len(ids))
		for i, id := range ids {
			ns := m[id]
			graph.SortNeighbors(ns)
			out[i] = ns
			for _, n := range ns {
				// The other ends are known now: a later Relationship.from
				// or node(id) for them needs no store call.
				l.nodes.Prime(n.Node.ID, n.Node)
			}
		}
		return out, nil
	})
	l.neighbors[sig] = ld
	return ld
}

// Prime records a node read some other way (a listing, a lookup), so that
// loading it by id needs no store call.
func (l *Loaders) Prime(n *graph.Node) {
	if n != nil {
		l.nodes.Prime(n.ID, n)
	}
}

// Clear forgets everything loaded so far. Mutations call it: what the
// request read before is stale after.
func (l *Loaders) Clear() {
	l.nodes.Clear()
	l.mu.Lock()
	clear(l.neighbors)
	l.mu.Unlock()
}

type ctxKey struct{}

// NewContext returns ctx carrying l.
func NewContext(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the loaders of the request ctx belongs to, or nil.
func For(ctx context.Context) *Loaders {
	l, _ := ctx.Value(ctxKey{}).(*Loaders)
	return l
}

// Middleware gives every request its own loaders over store.
func Middleware(store graph.Store, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), New(store, wait))))
	})
}

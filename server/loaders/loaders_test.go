package loaders_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/server/loaders"
)

// fakeStore answers Nodes and Neighbors from nothing and records calls.
type fakeStore struct {
	graph.Store
	mu        sync.Mutex
	nodeCalls [][]graph.ID
	nbCalls   []graph.NeighborQuery
}

func (f *fakeStore) Nodes(_ context.Context, ids []graph.ID) ([]*graph.Node, error) {
	f.mu.Lock()
	f.nodeCalls = append(f.nodeCalls, ids)
	f.mu.Unlock()
	out := make([]*graph.Node, len(ids))
	for i, id := range ids {
		out[i] = &graph.Node{ID: id, Kind: graph.KindService, Key: id.String()}
	}
	return out, nil
}

func (f *fakeStore) Neighbors(_ context.Context, ids []graph.ID, q graph.NeighborQuery) (map[graph.ID][]graph.Neighbor, error) {
	f.mu.Lock()
	f.nbCalls = append(f.nbCalls, q)
	f.mu.Unlock()
	out := map[graph.ID][]graph.Neighbor{}
	for _, id := range ids {
		other := graph.NodeID(graph.KindTeam, "owner-of-"+id.String())
		out[id] = []graph.Neighbor{{
			Edge: &graph.Edge{Type: graph.RelOwns, From: graph.Ref{Kind: graph.KindTeam, Key: "t"}, To: graph.Ref{Kind: graph.KindService, Key: id.String()}},
			Node: &graph.Node{ID: other, Kind: graph.KindTeam, Key: "owner-of-" + id.String()},
		}}
	}
	return out, nil
}

func TestBatching(t *testing.T) {
	f := &fakeStore{}
	// The loader dispatches once every asker waits, so a long bound costs
	// nothing; a short one can split the batch when the machine starves a
	// goroutine (server's TestNestedQueryBatches once, with 25 ms).
	l := loaders.New(f, time.Second)
	ctx := context.Background()
	ids := make([]graph.ID, 10)
	for i := range ids {
		ids[i] = graph.NodeID(graph.KindService, string(rune('a'+i)))
	}
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Half ask for [OWNS, DEPENDS_ON], half for the same set in
			// another order: one signature, one batch.
			types := []graph.RelType{graph.RelOwns, graph.RelDependsOn}
			if i%2 == 1 {
				types = []graph.RelType{graph.RelDependsOn, graph.RelOwns, graph.RelOwns}
			}
			ns, err := l.Neighbors(ctx, id, graph.NeighborQuery{Types: types, Direction: graph.In})
			if err != nil || len(ns) != 1 {
				t.Errorf("Neighbors(%s) = %v, %v", id, ns, err)
			}
		}()
	}
	wg.Wait()
	if len(f.nbCalls) != 1 || f.nbCalls[0].Limit != graph.MaxPageSize {
		t.Fatalf("Neighbors calls: %+v, want one with the full limit", f.nbCalls)
	}

	// The other ends were primed: loading them costs nothing.
	other := graph.NodeID(graph.KindTeam, "owner-of-"+ids[3].String())
	if n, err := l.Node(ctx, other); err != nil || n == nil || n.ID != other {
		t.Fatalf("Node(primed) = %v, %v", n, err)
	}
	if len(f.nodeCalls) != 0 {
		t.Errorf("a primed node was fetched: %v", f.nodeCalls)
	}

	// Another direction is another batch; a repeat is cached.
	l.Neighbors(ctx, ids[0], graph.NeighborQuery{Types: []graph.RelType{graph.RelOwns}, Direction: graph.Out})
	l.Neighbors(ctx, ids[0], graph.NeighborQuery{Types: []graph.RelType{graph.RelOwns}, Direction: graph.Out})
	if len(f.nbCalls) != 2 {
		t.Errorf("%d Neighbors calls, want 2", len(f.nbCalls))
	}
	// Other kinds are another batch, asked with those kinds.
	owners := graph.NeighborQuery{Types: []graph.RelType{graph.RelOwns}, Direction: graph.Out, Kinds: []graph.Kind{graph.KindTeam}}
	l.Neighbors(ctx, ids[0], owners)
	if len(f.nbCalls) != 3 || !slices.Equal(f.nbCalls[2].Kinds, owners.Kinds) {
		t.Errorf("Neighbors calls %+v, want a third one asking for %v", f.nbCalls, owners.Kinds)
	}
	// After Clear, everything is read again.
	l.Clear()
	l.Neighbors(ctx, ids[0], graph.NeighborQuery{Types: []graph.RelType{graph.RelOwns}, Direction: graph.Out})
	if len(f.nbCalls) != 4 {
		t.Errorf("%d Neighbors calls after Clear, want 4", len(f.nbCalls))
	}
	if _, err := l.Neighbors(ctx, ids[0], graph.NeighborQuery{Direction: "SIDEWAYS"}); graph.CodeOf(err) != graph.CodeInvalid {
		t.Errorf("bad direction: %v", err)
	}
}

// TestDispatchWithoutTimer gathers a level with a wait no test would sit
// out: the batch must go once every sibling has asked, in one store call.
func TestDispatchWithoutTimer(t *testing.T) {
	f := &fakeStore{}
	l := loaders.New(f, time.Hour)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				id := graph.NodeID(graph.KindService, string(rune('a'+i)))
				if ns, err := l.Neighbors(context.Background(), id, graph.NeighborQuery{Types: []graph.RelType{graph.RelOwns}, Direction: graph.In}); err != nil || len(ns) != 1 {
					t.Errorf("Neighbors(%s) = %v, %v", id, ns, err)
				}
			})
		}
		wg.Wait()
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the batch waited for its timer")
	}
	if len(f.nbCalls) != 1 {
		t.Errorf("%d Neighbors calls, want 1", len(f.nbCalls))
	}
}

// TestWaitFromLastKey keeps the process busy, so only the wait can end a
// batch, and has siblings ask one after another, each well within the
// wait of the one before but all of them over it: the wait runs from the
// last key, so they still share one store call.
func TestWaitFromLastKey(t *testing.T) {
	f := &fakeStore{}
	const wait, gap, siblings = 200 * time.Millisecond, 20 * time.Millisecond, 15
	l := loaders.New(f, wait)
	var stop atomic.Bool
	spun := make(chan struct{})
	go func() { // another request, always running
		defer close(spun)
		for !stop.Load() {
		}
	}()
	var wg sync.WaitGroup
	for i := range siblings {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * gap)
			id := graph.NodeID(graph.KindService, string(rune('a'+i)))
			if _, err := l.Neighbors(context.Background(), id, graph.NeighborQuery{Types: []graph.RelType{graph.RelOwns}, Direction: graph.In}); err != nil {
				t.Errorf("Neighbors(%s): %v", id, err)
			}
		})
	}
	wg.Wait()
	stop.Store(true)
	<-spun
	if len(f.nbCalls) != 1 {
		t.Errorf("%d Neighbors calls for siblings %v apart over %v, want 1", len(f.nbCalls), gap, time.Duration(siblings-1)*gap)
	}
}

// failingStore fails every Nodes call, and panics on Runs.
type failingStore struct{ graph.Store }

func (failingStore) Nodes(context.Context, []graph.ID) ([]*graph.Node, error) {
	return nil, graph.Errorf(graph.CodeUnavailable, "down")
}

func (failingStore) Runs(context.Context, []string) ([]*graph.IngestRun, error) {
	panic("broken")
}

func TestErrors(t *testing.T) {
	// No batch goes while its caller runs, and the wait is never reached:
	// the canceled caller below is still waiting when it checks.
	l := loaders.New(failingStore{}, time.Hour)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			id := graph.NodeID(graph.KindService, string(rune('a'+i)))
			if _, err := l.Node(ctx, id); graph.CodeOf(err) != graph.CodeUnavailable {
				t.Errorf("Node(%s): %v, want the store's error", id, err)
			}
		})
	}
	wg.Wait()
	if _, err := l.Run(ctx, "r1"); err == nil {
		t.Error("a panicking store gave no error")
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.Run(canceled, "r2"); !errors.Is(err, context.Canceled) {
		t.Errorf("Run(canceled) = %v", err)
	}
}

package ingest_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
)

var errDisk = errors.New("disk full")

// failingStore fails its failAt-th write and counts the writes asked of it.
type failingStore struct {
	*recordingStore
	failAt, writes int32
}

func (s *failingStore) Apply(ctx context.Context, b graph.Batch) (graph.ApplyResult, error) {
	if atomic.AddInt32(&s.writes, 1) == s.failAt {
		return graph.ApplyResult{}, errDisk
	}
	return s.recordingStore.Apply(ctx, b)
}

// A write that fails while the source reads on fails the run, and the
// run sweeps nothing — whether the source stops at the error or, wrongly,
// emits on and the later batches are written.
func TestFailedWriteFailsTheRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  teamsSource
		// maxWrites bounds the writes asked of the store.
		maxWrites int32
	}{
		{name: "source stops at the error", src: teamsSource{teams: 50}, maxWrites: 3},
		{name: "source emits on", src: teamsSource{teams: 50, ignoreStops: true}, maxWrites: 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := &failingStore{recordingStore: newRecordingStore(t)}
			// An earlier run asserted 60 teams; this one asserts 50, so a
			// sweep would remove the last 10.
			if _, err := ingest.Run(ctx, st, teamsSource{teams: 60}, ingest.Options{}); err != nil {
				t.Fatal(err)
			}
			st.writes, st.failAt = 0, 2
			rep, err := ingest.Run(ctx, st, tc.src, ingest.Options{BatchSize: 10})
			if !errors.Is(err, errDisk) || rep.Status != graph.RunFailed {
				t.Fatalf("run %s with error %v, want failed with the store's error", rep.Status, err)
			}
			if rep.Swept != nil {
				t.Errorf("a failed run swept: %+v", rep.Swept)
			}
			if n, err := st.Node(ctx, graph.Ref{Kind: graph.KindTeam, Key: "team-059"}); err != nil || n == nil {
				t.Errorf("a team only the earlier run asserted is gone after the failed run (%v)", err)
			}
			if w := atomic.LoadInt32(&st.writes); w > tc.maxWrites {
				t.Errorf("%d writes asked after the second failed, want at most %d", w, tc.maxWrites)
			}
			if got := st.records[len(st.records)-1]; got.Status != graph.RunFailed {
				t.Errorf("run recorded %s, want failed", got.Status)
			}
		})
	}
}

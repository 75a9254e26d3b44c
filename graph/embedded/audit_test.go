package embedded_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

// trail reads the whole audit trail of every node of b, in small pages so
// that paging across index keys is exercised too.
func trail(t *testing.T, s graph.Store, b graph.Batch) map[graph.ID][]*graph.AuditEvent {
	t.Helper()
	out := map[graph.ID][]*graph.AuditEvent{}
	for _, n := range b.Nodes {
		id := graph.NodeID(n.Kind, n.Key)
		q := graph.HistoryQuery{ID: id, First: 3}
		for {
			p, err := s.History(t.Context(), q)
			if err != nil {
				t.Fatalf("History(%s): %v", n.Ref(), err)
			}
			out[id] = append(out[id], p.Events...)
			if !p.HasNext {
				break
			}
			q.After = p.EndCursor
		}
	}
	return out
}

func countEvents(tr map[graph.ID][]*graph.AuditEvent) int {
	n := 0
	for _, es := range tr {
		n += len(es)
	}
	return n
}

// rename changes the name of the estate's first node in a later run.
func rename(b graph.Batch, name string, minutes int) graph.Batch {
	b.Nodes = append([]graph.NodeInput(nil), b.Nodes...)
	b.Nodes[0].Name = name
	b.Run, b.At = name, graphtest.EstateAt.Add(time.Duration(minutes)*time.Minute)
	return b
}

// TestHistorySurvivesRestart: events are on disk, not in memory — they read
// back the same after a restart and after compactions of the log, and new
// ones continue the numbering instead of overwriting old ones.
func TestHistorySurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// A slack of 1 compacts the log every few re-syncs of the estate (most
	// of each re-sync is touches, which weigh little).
	opts := embedded.Options{Logger: zerolog.Nop(), CompactSlack: 1}
	s, err := embedded.Open(ctx, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	b := graphtest.SmallEstate()
	compacted, logged, applied := false, 0, 0
	for ; applied < 4 || !compacted; applied++ {
		if applied == 20 {
			t.Fatal("the log was never compacted: the test would not check that compaction keeps the trail")
		}
		if _, err := s.Apply(ctx, rename(b, fmt.Sprint("name-", applied), applied)); err != nil {
			t.Fatal(err)
		}
		compacted = compacted || s.Logged() < logged
		logged = s.Logged()
	}
	before := trail(t, s, b)
	// Creation of every node and relationship, then a rename per re-sync.
	if n, want := len(before[graph.NodeID(b.Nodes[0].Kind, b.Nodes[0].Key)]), applied+countEdgesOf(b, 0); n != want {
		t.Fatalf("the renamed node has %d events, want %d", n, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = embedded.Open(ctx, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if after := trail(t, s, b); !reflect.DeepEqual(after, before) {
		t.Fatalf("history changed across a restart: %d events before, %d after", countEvents(before), countEvents(after))
	}
	if _, err := s.Apply(ctx, rename(b, "name-z", applied)); err != nil {
		t.Fatal(err)
	}
	after := trail(t, s, b)
	id := graph.NodeID(b.Nodes[0].Kind, b.Nodes[0].Key)
	if len(after[id]) != len(before[id])+1 || !reflect.DeepEqual(after[id][1:], before[id]) {
		t.Fatalf("a write after the restart left %d events (want %d, the old ones kept)", len(after[id]), len(before[id])+1)
	}
	for _, es := range before {
		for _, e := range es {
			if e.Seq >= after[id][0].Seq {
				t.Fatalf("an event after the restart has Seq %d, not above the earlier %d", after[id][0].Seq, e.Seq)
			}
		}
	}
}

// countEdgesOf counts b's relationships with b.Nodes[i] at one end.
func countEdgesOf(b graph.Batch, i int) int {
	r := graph.Ref{Kind: b.Nodes[i].Kind, Key: b.Nodes[i].Key}
	n := 0
	for _, e := range b.Edges {
		if e.From == r || e.To == r {
			n++
		}
	}
	return n
}

// TestOpensFileWithoutAudit: a file written before the audit trail existed
// (the same layout without the audit buckets) opens with its graph intact
// and an empty history, and records changes from then on.
func TestOpensFileWithoutAudit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	b := graphtest.SmallEstate()
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	want := export(t, s)
	s.Close()
	db, err := bolt.Open(filepath.Join(dir, embedded.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"audit", "audit.by"} {
			if err := tx.DeleteBucket([]byte(name)); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	s = open(t, dir)
	if got := export(t, s); got != want {
		t.Fatalf("store without audit buckets reads back differently:\ngot:\n%s\nwant:\n%s", got, want)
	}
	if n := countEvents(trail(t, s, b)); n != 0 {
		t.Fatalf("store without audit buckets has %d events, want none", n)
	}
	if _, err := s.Apply(ctx, rename(b, "renamed", 1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dir)
	defer s.Close()
	tr := trail(t, s, b)
	es := tr[graph.NodeID(b.Nodes[0].Kind, b.Nodes[0].Key)]
	if countEvents(tr) != 1 || len(es) != 1 || es[0].Op != graph.AuditUpdated || es[0].Node == nil {
		t.Fatalf("after a rename the history is %d events, of the node %+v; want one update", countEvents(tr), es)
	}
}

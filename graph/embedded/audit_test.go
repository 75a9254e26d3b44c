package embedded_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
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
		for _, name := range []string{"audit", "audit.runs"} {
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

// bucketKeys counts the keys of a bucket of the closed store in dir.
func bucketKeys(t *testing.T, dir, bucket string) int {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, embedded.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := 0
	if err := db.View(func(tx *bolt.Tx) error { n = tx.Bucket([]byte(bucket)).Stats().KeyN; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// auditKeys counts the keys of the events' bucket of the closed store in
// dir.
func auditKeys(t *testing.T, dir string) int { t.Helper(); return bucketKeys(t, dir, "audit") }

// auditIndexKeys counts the entries of the on-disk audit index of the
// closed store in dir, and the runs holding them.
func auditIndexKeys(t *testing.T, dir string) (entries, runs int) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, embedded.FileName), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("audit.runs")).ForEachBucket(func(name []byte) error {
			runs++
			return tx.Bucket([]byte("audit.runs")).Bucket(name).ForEach(func(_, v []byte) error {
				entries += len(v) / 32
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return entries, runs
}

// TestHistoryPendingSurvivesCrash: index entries wait in memory, and a
// crash before they are written loses none of the history: Open derives
// them from the events on disk.
func TestHistoryPendingSurvivesCrash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	b := graphtest.SmallEstate()
	for i := range 3 {
		if _, err := s.Apply(ctx, rename(b, fmt.Sprint("name-", i), i)); err != nil {
			t.Fatal(err)
		}
	}
	before := trail(t, s, b)
	if s.PendingAuditEntries() == 0 {
		t.Fatal("no index entry is pending: the test would not check a crash loses none")
	}
	if err := s.Crash(); err != nil {
		t.Fatal(err)
	}
	if n, _ := auditIndexKeys(t, dir); n != 0 {
		t.Fatalf("the on-disk index has %d keys before any flush, want none", n)
	}

	s = open(t, dir)
	if after := trail(t, s, b); !reflect.DeepEqual(after, before) {
		t.Fatalf("history changed across a crash: %d events before, %d after", countEvents(before), countEvents(after))
	}
	closeIndexed(t, s, dir, b, before)
}

// closeIndexed closes s and checks that Close wrote the pending index
// entries: the store reopened has none left to index and the same trail of
// b's nodes.
func closeIndexed(t *testing.T, s *embedded.Store, dir string, b graph.Batch, want map[graph.ID][]*graph.AuditEvent) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n, _ := auditIndexKeys(t, dir); n == 0 {
		t.Fatal("Close left the index entries unwritten")
	}
	s = open(t, dir)
	defer s.Close()
	if n := s.PendingAuditEntries(); n != 0 {
		t.Fatalf("after a clean Close, Open found %d entries to index, want none", n)
	}
	if got := trail(t, s, b); !reflect.DeepEqual(got, want) {
		t.Fatalf("history changed across Close: %d events before, %d after", countEvents(want), countEvents(got))
	}
}

// TestHistoryPagesAcrossFlush: a history that is partly on disk and partly
// pending reads in order, and a flush between two pages neither repeats nor
// skips an event.
func TestHistoryPagesAcrossFlush(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	defer s.Close()
	b := graphtest.SmallEstate()
	id := graph.NodeID(b.Nodes[0].Kind, b.Nodes[0].Key)
	for i := range 8 {
		if i == 4 {
			if err := s.FlushAuditIndex(); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Apply(ctx, rename(b, fmt.Sprint("name-", i), i)); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.History(ctx, graph.HistoryQuery{ID: id, First: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Events) < 8 || all.HasNext {
		t.Fatalf("whole history: %d events (more: %v), want at least 8 in one page", len(all.Events), all.HasNext)
	}
	for i := 1; i < len(all.Events); i++ {
		if graph.CompareAudit(all.Events[i-1], all.Events[i]) >= 0 {
			t.Fatalf("history out of order at %d: %+v before %+v", i, all.Events[i-1], all.Events[i])
		}
	}
	var paged []*graph.AuditEvent
	q := graph.HistoryQuery{ID: id, First: 3}
	for {
		p, err := s.History(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, p.Events...)
		if len(paged) == 3 && s.PendingAuditEntries() > 0 {
			if err := s.FlushAuditIndex(); err != nil {
				t.Fatal(err)
			}
		}
		if !p.HasNext {
			break
		}
		q.After = p.EndCursor
	}
	if s.PendingAuditEntries() != 0 {
		t.Fatal("no flush happened between pages")
	}
	if !reflect.DeepEqual(paged, all.Events) {
		t.Fatalf("paging across a flush read %d events, want the %d of the whole history", len(paged), len(all.Events))
	}
}

// openWithEstate opens a store in dir that flushes its audit index once
// bound entries wait, and applies graphtest.SmallEstate to it.
func openWithEstate(t *testing.T, dir string, bound int) (*embedded.Store, graph.Batch) {
	t.Helper()
	s, err := embedded.Open(t.Context(), dir, embedded.Options{Logger: zerolog.Nop(), AuditIndexPending: bound})
	if err != nil {
		t.Fatal(err)
	}
	b := graphtest.SmallEstate()
	if _, err := s.Apply(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	return s, b
}

// TestAuditIndexBound: once AuditIndexPending entries wait, the write that
// reached the bound starts writing them to the index.
func TestAuditIndexBound(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, b := openWithEstate(t, dir, 50)
	s.WaitAuditFlush()
	if n := s.PendingAuditEntries(); n != 0 {
		t.Fatalf("%d entries pending after a write of more than the bound, once its flush ended", n)
	}
	if _, err := s.Apply(ctx, rename(b, "renamed", 1)); err != nil {
		t.Fatal(err)
	}
	if n := s.PendingAuditEntries(); n != 1 {
		t.Fatalf("%d entries pending after a rename under the bound, want 1", n)
	}
	if err := s.Crash(); err != nil {
		t.Fatal(err)
	}
	n, _ := auditIndexKeys(t, dir)
	if want := len(b.Nodes) + 2*len(b.Edges); n < want-len(b.Edges) || n > want {
		t.Fatalf("the on-disk index has %d keys after the bound was reached, want about %d", n, want)
	}
}

// TestHistoryWhileFlushing: flushes run in the background beside the
// writes that started them, and every history read meanwhile has each event
// once, in order, whether its entry is pending, being written or written.
// Run with -race, it also checks the flush shares nothing unguarded.
func TestHistoryWhileFlushing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, b := openWithEstate(t, dir, 20)
	id := graph.NodeID(b.Nodes[0].Kind, b.Nodes[0].Key)
	history := func() []*graph.AuditEvent {
		t.Helper()
		p, err := s.History(ctx, graph.HistoryQuery{ID: id, First: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return p.Events
	}
	base := len(history())
	for i := range 40 {
		if _, err := s.Apply(ctx, rename(b, fmt.Sprint("name-", i), i+1)); err != nil {
			t.Fatal(err)
		}
		es := history()
		if len(es) != base+i+1 {
			t.Fatalf("after rename %d: %d events, want %d", i, len(es), base+i+1)
		}
		for j := 1; j < len(es); j++ {
			if graph.CompareAudit(es[j-1], es[j]) >= 0 {
				t.Fatalf("after rename %d: history out of order or repeated at %d", i, j)
			}
		}
	}
	closeIndexed(t, s, dir, b, trail(t, s, b))
}

// TestOpensFileWithCompleteIndex: a file whose index is complete but that
// has no mark of how far (written before the index trailed its events)
// opens with nothing to index again.
func TestOpensFileWithCompleteIndex(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	b := graphtest.SmallEstate()
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	before := trail(t, s, b)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(dir, embedded.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("meta")).Delete([]byte("audit.indexed")) })
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	defer s.Close()
	if n := s.PendingAuditEntries(); n != 0 {
		t.Fatalf("Open found %d entries to index in a file with a complete index, want none", n)
	}
	if after := trail(t, s, b); !reflect.DeepEqual(after, before) {
		t.Fatalf("history changed: %d events before, %d after", countEvents(before), countEvents(after))
	}
}

// largeEstate is SmallEstate with n applications more: their events take
// several of the pieces the audit trail is stored in (about 16 KiB each).
func largeEstate(n int) graph.Batch {
	b := graphtest.SmallEstate()
	b.Nodes = slices.Clone(b.Nodes)
	for i := range n {
		b.Nodes = append(b.Nodes, graph.NodeInput{Kind: graph.KindApplication, Key: fmt.Sprintf("app-%03d", i),
			Name: fmt.Sprintf("Application %d of the large estate", i), Labels: map[string]string{"team": "platform"}})
	}
	return b
}

// TestHistoryAcrossPieces: a write's events are stored in pieces, and every
// node's history reads back whole from them — through the index after a
// Close, and through the entries Open derives from the pieces after a
// crash.
func TestHistoryAcrossPieces(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	b := largeEstate(300)
	for i, name := range []string{"", "renamed"} {
		bi := b
		if name != "" {
			bi = rename(b, name, i)
		}
		if _, err := s.Apply(ctx, bi); err != nil {
			t.Fatal(err)
		}
	}
	before := trail(t, s, b)
	if want := len(b.Nodes) + 1; countEvents(before) < want {
		t.Fatalf("the trail holds %d events, want at least %d", countEvents(before), want)
	}
	if err := s.Crash(); err != nil {
		t.Fatal(err)
	}
	if n := auditKeys(t, dir); n < 3 || n > len(b.Nodes)/10 {
		t.Fatalf("%d events are stored under %d keys: want them in a few pieces", countEvents(before), n)
	}
	s = open(t, dir)
	if after := trail(t, s, b); !reflect.DeepEqual(after, before) {
		t.Fatalf("history changed across a crash: %d events before, %d after", countEvents(before), countEvents(after))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	defer s.Close()
	if after := trail(t, s, b); !reflect.DeepEqual(after, before) {
		t.Fatalf("history changed across a flush: %d events before, %d after", countEvents(before), countEvents(after))
	}
}

// TestReadsFormat5Audit: a file of format 5 holds one audit event per key.
// It opens with its history intact, records later events after them, and
// is marked format 7, which an older estate refuses.
func TestReadsFormat5Audit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	b := largeEstate(100)
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	before := trail(t, s, b)
	if err := s.Crash(); err != nil { // leaves index entries for Open to derive
		t.Fatal(err)
	}
	// Rewrite the pieces (a 0 byte, then each event's length and bytes) as
	// format 5 wrote events.
	db, err := bolt.Open(filepath.Join(dir, embedded.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		old := tx.Bucket([]byte("audit"))
		type event struct {
			seq uint64
			b   []byte
		}
		var events []event
		err := old.ForEach(func(k, v []byte) error {
			seq := binary.BigEndian.Uint64(k)
			if v[0] != 0 {
				return fmt.Errorf("value at %d is not a piece", seq)
			}
			for r := v[1:]; len(r) > 0; seq++ {
				size, w := binary.Uvarint(r)
				events = append(events, event{seq, slices.Clone(r[w : w+int(size)])})
				r = r[w+int(size):]
			}
			return nil
		})
		if err != nil {
			return err
		}
		last := old.Sequence()
		if err := tx.DeleteBucket([]byte("audit")); err != nil {
			return err
		}
		events5, err := tx.CreateBucket([]byte("audit"))
		if err != nil {
			return err
		}
		for _, e := range events {
			if err := events5.Put(binary.BigEndian.AppendUint64(nil, e.seq), e.b); err != nil {
				return err
			}
		}
		if err := events5.SetSequence(last); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("format"), []byte("estate-embedded-5"))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if n := auditKeys(t, dir); n <= len(b.Nodes) {
		t.Fatalf("the format 5 file holds %d keys, want one per event", n)
	}

	s = open(t, dir)
	if after := trail(t, s, b); !reflect.DeepEqual(after, before) {
		t.Fatalf("history of a format 5 file: %d events, want %d", countEvents(after), countEvents(before))
	}
	if _, err := s.Apply(ctx, rename(b, "after-format-5", 1)); err != nil {
		t.Fatal(err)
	}
	want := trail(t, s, b)
	if got, had := len(want[graph.NodeID(b.Nodes[0].Kind, b.Nodes[0].Key)]), len(before[graph.NodeID(b.Nodes[0].Kind, b.Nodes[0].Key)]); got != had+1 {
		t.Fatalf("the renamed node's history has %d events, want %d", got, had+1)
	}
	if err := s.Crash(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	after := trail(t, s, b)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after, want) {
		t.Fatalf("history mixing format 5 events and pieces changed across a crash: %d events, want %d", countEvents(after), countEvents(want))
	}
	db, err = bolt.Open(filepath.Join(dir, embedded.FileName), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		if f := string(tx.Bucket([]byte("meta")).Get([]byte("format"))); f != "estate-embedded-7" {
			return fmt.Errorf("the file is marked %q after an open, want estate-embedded-7", f)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAuditRunsMerge: every flush writes a run, and once there are more
// than a bounded number they are merged into one. History reads the same
// through every merge, across restarts, with each index entry on disk
// once.
func TestAuditRunsMerge(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, b := openWithEstate(t, dir, 1)
	const writes = 40
	for i := range writes {
		s.WaitAuditFlush() // one run per write
		if _, err := s.Apply(ctx, rename(b, fmt.Sprint("name-", i), i+1)); err != nil {
			t.Fatal(err)
		}
		if i%10 == 9 {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			var err error
			if s, err = embedded.Open(ctx, dir, embedded.Options{Logger: zerolog.Nop(), AuditIndexPending: 1}); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := trail(t, s, b)
	id, own := graph.NodeID(b.Nodes[0].Kind, b.Nodes[0].Key), 0
	for _, e := range want[id] {
		if e.Subject == id {
			own++
		}
	}
	if own != writes+1 {
		t.Fatalf("the renamed node's history has %d events of its own, want %d", own, writes+1)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	entries, runs := auditIndexKeys(t, dir)
	if runs > 16 || runs >= writes {
		t.Fatalf("%d writes left %d runs on disk: they were not merged", writes, runs)
	}
	// Every entry is one event in one node's history, and the estate's
	// nodes are the ends of all its relationships.
	if entries != countEvents(want) {
		t.Fatalf("the index holds %d entries, want one per event in a history: %d", entries, countEvents(want))
	}
	s = open(t, dir)
	defer s.Close()
	if got := trail(t, s, b); !reflect.DeepEqual(got, want) {
		t.Fatalf("history changed across the merges: %d events, want %d", countEvents(got), countEvents(want))
	}
}

// TestMovesFormat6Index: a file of format 6 holds its audit index in one
// tree, one key per entry. Open moves it into a run, and the history reads
// as before.
func TestMovesFormat6Index(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	b := largeEstate(200)
	for i := range 3 {
		if _, err := s.Apply(ctx, rename(b, fmt.Sprint("name-", i), i)); err != nil {
			t.Fatal(err)
		}
	}
	want := trail(t, s, b)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	entries, _ := auditIndexKeys(t, dir)
	// The format 6 layout: the entries as keys of audit.by, no runs.
	db, err := bolt.Open(filepath.Join(dir, embedded.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		runs := tx.Bucket([]byte("audit.runs"))
		by, err := tx.CreateBucket([]byte("audit.by"))
		if err != nil {
			return err
		}
		err = runs.ForEachBucket(func(name []byte) error {
			return runs.Bucket(name).ForEach(func(_, v []byte) error {
				for i := 0; i < len(v); i += 32 {
					if err := by.Put(bytes.Clone(v[i:i+32]), []byte{}); err != nil {
						return err
					}
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket([]byte("audit.runs")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("format"), []byte("estate-embedded-6"))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if n := bucketKeys(t, dir, "audit.by"); n != entries {
		t.Fatalf("the format 6 index holds %d keys, want %d", n, entries)
	}

	s = open(t, dir)
	if got := trail(t, s, b); !reflect.DeepEqual(got, want) {
		t.Fatalf("history of a format 6 file: %d events, want %d", countEvents(got), countEvents(want))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got, runs := auditIndexKeys(t, dir); got != entries || runs != 1 {
		t.Fatalf("after the move the index holds %d entries in %d runs, want %d in one", got, runs, entries)
	}
	db, err = bolt.Open(filepath.Join(dir, embedded.FileName), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("audit.by")) != nil {
			return fmt.Errorf("the format 6 index is still in the file")
		}
		if f := string(tx.Bucket([]byte("meta")).Get([]byte("format"))); f != "estate-embedded-7" {
			return fmt.Errorf("the file is marked %q after an open, want estate-embedded-7", f)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

package embedded

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

// TestOpenHoldsNoGarbage re-syncs an estate, which replaces every
// relationship's payload in the log, and checks that a reopened store
// holds each payload once: replaying the log leaves the arena with no
// garbage and no spare capacity.
func TestOpenHoldsNoGarbage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openAt(t, dir)
	b := graphtest.SmallEstate()
	for _, run := range []string{"r1", "r2"} {
		b.Run, b.At = run, b.At.Add(1000)
		if _, err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir)
	defer s.Close()
	st := s.state
	live := 0
	for i := range st.edges {
		live += int(st.edges[i].size)
	}
	if st.garbage != 0 || len(st.arena) != live || cap(st.arena) != live {
		t.Errorf("arena of %d bytes (capacity %d, %d counted as garbage) for %d live ones", len(st.arena), cap(st.arena), st.garbage, live)
	}
}

// TestBatchSharesAssertions checks that the nodes of one batch hold one
// copy of their common assertion, after a write and after a touch, and
// that a later write to one of them changes none of the others.
func TestBatchSharesAssertions(t *testing.T) {
	ctx := context.Background()
	s := openAt(t, t.TempDir())
	defer s.Close()
	at := graphtest.EstateAt
	keys := []string{"svc-a", "svc-b", "svc-c"}
	batch := graph.Batch{Source: "catalog", Run: "r1", At: at}
	for _, k := range keys {
		batch.Nodes = append(batch.Nodes, graph.NodeInput{Kind: graph.KindService, Key: k})
	}
	shared := func(when string) {
		t.Helper()
		var first *graph.Assertion
		for _, k := range keys {
			i, _ := s.state.nodeAt.get(graph.NodeID(graph.KindService, k))
			as := s.state.nodes[i].n.Assertions
			if first == nil {
				first = &as[0]
			} else if &as[0] != first {
				t.Errorf("%s: %s holds a copy of the batch's assertion", when, k)
			}
		}
	}
	for _, run := range []string{"r1", "r2"} { // written, then touched
		batch.Run, batch.At = run, batch.At.Add(time.Minute)
		if _, err := s.Apply(ctx, batch); err != nil {
			t.Fatal(err)
		}
		shared("run " + run)
	}
	other := graph.Batch{Source: "aws", Run: "a1", At: batch.At.Add(time.Minute),
		Nodes: []graph.NodeInput{{Kind: graph.KindService, Key: "svc-b"}}}
	if _, err := s.Apply(ctx, other); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		n, err := s.Node(ctx, graph.Ref{Kind: graph.KindService, Key: k})
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if k == "svc-b" {
			want = 2
		}
		i := slices.IndexFunc(n.Assertions, func(a graph.Assertion) bool { return a.Source == "catalog" })
		if len(n.Assertions) != want || i < 0 || n.Assertions[i].Run != "r2" {
			t.Errorf("%s after another source's write to svc-b: %+v, want %d assertions and catalog's at run r2", k, n.Assertions, want)
		}
	}
}

// TestAuditFlushReleasesPending checks that writing the pending audit
// index entries gives their memory back, rather than keeping room for as
// many as were pending, and that entries pend again afterwards.
func TestAuditFlushReleasesPending(t *testing.T) {
	ctx := context.Background()
	s := openAt(t, t.TempDir())
	defer s.Close()
	b := graphtest.SmallEstate()
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	if s.pending.len() == 0 {
		t.Fatal("no audit index entries pending after a write")
	}
	s.writeMu.Lock()
	err := s.flushAuditIndex()
	s.writeMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if cap(s.pending.refs) != 0 || s.pending.last != nil {
		t.Errorf("after a flush the pending entries keep room for %d and an index of %d", cap(s.pending.refs), len(s.pending.last))
	}
	b.Nodes = b.Nodes[:1]
	b.Nodes[0].Name = "renamed"
	b.Edges = nil
	b.Run, b.At = "r2", b.At.Add(time.Minute)
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	if n := s.pending.len(); n != 1 {
		t.Errorf("%d entries pending after a rename, want 1", n)
	}
}

// TestAuditPendingDrop: a flush drops the entries it took and no others,
// though writes added more meanwhile, and the entries it keeps still chain
// per node.
func TestAuditPendingDrop(t *testing.T) {
	a, b := graph.NodeID(graph.KindTeam, "a"), graph.NodeID(graph.KindTeam, "b")
	var p auditPending
	p.add([]auditRef{{id: a, at: 1, seq: 1}, {id: b, at: 1, seq: 1}, {id: a, at: 2, seq: 2}})
	taken := len(p.sortedKeys(p.len()))
	p.add([]auditRef{{id: a, at: 3, seq: 3}, {id: b, at: 4, seq: 4}, {id: a, at: 5, seq: 5}}) // during the flush
	p.drop(taken)
	if n := p.len(); n != 3 {
		t.Fatalf("%d entries pending after the flush, want the 3 added during it", n)
	}
	for _, tc := range []struct {
		id   graph.ID
		want []auditPos
	}{
		{a, []auditPos{{5, 5, true}, {3, 3, true}}},
		{b, []auditPos{{4, 4, true}}},
	} {
		if got := p.of(tc.id); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("pending of %s: %v, want %v", tc.id, got, tc.want)
		}
	}
}

// TestAuditFlushInterrupted: a crash between two chunks of a flush leaves
// a run open and the mark of how far the index goes where it was. Open
// removes the run and derives its entries again; history has each event
// once, and the next flush puts them again without repeating any.
func TestAuditFlushInterrupted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openAt(t, dir)
	b := graphtest.SmallEstate()
	id := graph.NodeID(b.Nodes[0].Kind, b.Nodes[0].Key)
	for i := range 4 {
		b.Nodes[0].Name = fmt.Sprint("name-", i)
		b.Run, b.At = fmt.Sprint("r", i), b.At.Add(time.Minute)
		if _, err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	history := func(s *Store) []*graph.AuditEvent {
		t.Helper()
		p, err := s.History(ctx, graph.HistoryQuery{ID: id, First: 100})
		if err != nil {
			t.Fatal(err)
		}
		return p.Events
	}
	want := history(s)
	keys := s.pending.sortedKeys(s.pending.len())
	n := len(keys)
	// The first chunk of a flush, as writeAuditIndex puts it: a run left
	// open, without the last chunk's mark.
	err := s.db.Update(func(tx *bolt.Tx) error { return (&runWriter{}).put(tx, keys[:n/2]) })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.Close(); err != nil { // a crash: nothing more is written
		t.Fatal(err)
	}

	s = openAt(t, dir)
	if p := s.pending.len(); p != n {
		t.Fatalf("after the crash, Open found %d entries to index, want all %d of the interrupted flush", p, n)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		if open := tx.Bucket(bucketMeta).Get(keyAuditRunOpen); open != nil {
			return fmt.Errorf("run %x is still marked open", open)
		}
		return tx.Bucket(bucketAuditRuns).ForEachBucket(func(name []byte) error {
			return fmt.Errorf("the interrupted run %x is still on disk", name)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := history(s); !reflect.DeepEqual(got, want) {
		t.Fatalf("history across an interrupted flush: %d events, want %d", len(got), len(want))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir)
	defer s.Close()
	if p := s.pending.len(); p != 0 {
		t.Fatalf("after Close, Open found %d entries to index, want none", p)
	}
	if got := history(s); !reflect.DeepEqual(got, want) {
		t.Fatalf("history after the flush that followed: %d events, want %d", len(got), len(want))
	}
}

// TestSweepsReadsAssertionsInPlace: what a sweep reads from a stored
// relationship's payload answers as graph.AssertedBy and
// graph.Retractable do on its decoded assertions.
// putLogEdge adds e to st as the log holds it.
func putLogEdge(t *testing.T, st *state, e *graph.Edge) {
	t.Helper()
	le, _, err := newLogEdge(nil, e, e.From.ID(), e.To.ID())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.putLogEdge(le); err != nil {
		t.Fatal(err)
	}
}

func TestSweepsReadsAssertionsInPlace(t *testing.T) {
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	a, b := graph.Ref{Kind: graph.KindTeam, Key: "a"}, graph.Ref{Kind: graph.KindService, Key: "b"}
	e := &graph.Edge{ID: graph.EdgeID(graph.RelOwns, a.ID(), b.ID(), graph.OwnerTechnical), Type: graph.RelOwns, From: a, To: b,
		Props: map[string]any{"role": graph.OwnerTechnical}, FirstSeen: at, LastSeen: at,
		Assertions: []graph.Assertion{
			{Source: "aws", Run: "r1", Scope: "aws/1", Confidence: graph.Declared, Evidence: "tag", FirstSeen: at, LastSeen: at},
			{Source: "github", Run: "g1", Confidence: graph.Inferred, FirstSeen: at, LastSeen: at},
		}}
	st := newState()
	st.putNode(&graph.Node{ID: a.ID(), Kind: a.Kind, Key: a.Key}, nil)
	st.putNode(&graph.Node{ID: b.ID(), Kind: b.Kind, Key: b.Key}, nil)
	putLogEdge(t, st, e)
	i, _ := st.edgeAt.get(e.ID)
	for _, r := range []graph.SweepRequest{
		{Source: "aws", Run: "r2"},                          // retracted
		{Source: "aws", Run: "r1"},                          // re-asserted by the run
		{Source: "aws", Run: "r2", Keep: []string{"aws/1"}}, // in a scope kept
		{Source: "aws", Run: "r2", Keep: []string{"aws"}},   // under a scope kept
		{Source: "aws", Run: "r2", Keep: []string{"aws/2"}}, // another scope kept
		{Source: "github", Run: "g2"},
		{Source: "gitlab", Run: "l1"}, // does not assert it
	} {
		asserted, retract := st.sweeps(&st.edges[i], r)
		if want := graph.AssertedBy(e.Assertions, r.Source); asserted != want {
			t.Errorf("%+v: asserted %v, graph.AssertedBy says %v", r, asserted, want)
		}
		if want := graph.Retractable(e.Assertions, r); retract != want {
			t.Errorf("%+v: retract %v, graph.Retractable says %v", r, retract, want)
		}
	}
}

// TestLimits lowers the store's node or relationship bound to an estate's
// size and checks that a write which would pass it is refused with
// LIMIT_EXCEEDED and changes nothing, on disk included, while a re-sync of
// what is stored still goes through. Before the check, such a write was
// committed and then failed to publish: a panic, and a log no open could
// replay.
func TestLimits(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		bound *int
		at    func(b graph.Batch) int // the estate's size in what is bound
		more  graph.Batch             // one item more
	}{
		{"relationships", &maxEdges, func(b graph.Batch) int { return len(b.Edges) }, graph.Batch{Edges: []graph.EdgeInput{{
			Type:       graph.RelDependsOn,
			From:       graph.Ref{Kind: graph.KindApplication, Key: graphtest.EstatePaymentsWorker},
			To:         graph.Ref{Kind: graph.KindApplication, Key: graphtest.EstateAccountsAPI},
			Confidence: graph.Declared,
		}}}},
		{"nodes", &maxNodes, func(b graph.Batch) int { return len(b.Nodes) }, graph.Batch{Nodes: []graph.NodeInput{{
			Kind: graph.KindTeam, Key: "one-too-many", Name: "One too many",
		}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := graphtest.SmallEstate()
			defer func(old int) { *tc.bound = old }(*tc.bound)
			*tc.bound = tc.at(b)
			dir := t.TempDir()
			s := openAt(t, dir)
			if _, err := s.Apply(ctx, b); err != nil {
				t.Fatalf("an estate at the bound: %v", err)
			}
			counts := func(s *Store) (nodes, edges int) {
				st, err := s.Stats(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return st.TotalNodes(), st.TotalEdges()
			}
			nodes, edges := counts(s)

			more := tc.more
			more.Source, more.Run, more.At = b.Source, "r2", b.At.Add(time.Hour)
			_, err := s.Apply(ctx, more)
			if graph.CodeOf(err) != graph.CodeLimitExceeded || !strings.Contains(err.Error(), fmt.Sprintf("at most %d", *tc.bound)) {
				t.Fatalf("one item past the bound: %v, want LIMIT_EXCEEDED naming the bound", err)
			}
			if n, e := counts(s); n != nodes || e != edges {
				t.Errorf("after the refused write: %d nodes, %d relationships; want %d, %d", n, e, nodes, edges)
			}
			b.Run, b.At = "r3", b.At.Add(2*time.Hour)
			if _, err := s.Apply(ctx, b); err != nil {
				t.Errorf("a re-sync at the bound: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = openAt(t, dir)
			defer s.Close()
			if n, e := counts(s); n != nodes || e != edges {
				t.Errorf("reopened: %d nodes, %d relationships; want %d, %d", n, e, nodes, edges)
			}
		})
	}
}

// TestAuditMergeInChunks: flushes write runs of several blocks, and merges
// read and write them in chunks, each in transactions of its own. With
// blocks, chunks and a run bound of a few entries, the index on disk holds
// exactly the entries the events on disk call for, once each, and every
// node's history reads the same before and after the merges.
func TestAuditMergeInChunks(t *testing.T) {
	defer func(b, c, r int) { auditBlockKeys, auditFlushChunk, auditMaxRuns = b, c, r }(auditBlockKeys, auditFlushChunk, auditMaxRuns)
	auditBlockKeys, auditFlushChunk, auditMaxRuns = 3, 7, 3
	ctx := t.Context()
	s, err := Open(ctx, t.TempDir(), Options{Logger: zerolog.Nop(), AuditIndexPending: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := graphtest.SmallEstate()
	histories := func() map[graph.ID][]int64 {
		out := map[graph.ID][]int64{}
		for _, n := range b.Nodes {
			id := graph.NodeID(n.Kind, n.Key)
			p, err := s.History(ctx, graph.HistoryQuery{ID: id, First: 500})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range p.Events {
				out[id] = append(out[id], e.Seq)
			}
		}
		return out
	}
	var want map[graph.ID][]int64
	for i := range 12 {
		b.Nodes[i%len(b.Nodes)].Name = fmt.Sprint("name-", i)
		b.Run, b.At = fmt.Sprint("r", i), b.At.Add(time.Minute)
		s.writeMu.Lock()
		s.waitAuditFlush()
		s.writeMu.Unlock()
		if i == 6 {
			want = histories() // some runs merged, some entries pending
		}
		if _, err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	s.writeMu.Lock()
	err = s.flushAuditIndex()
	s.writeMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}

	// What the events call for, and what the runs hold.
	var derived, disk []auditKey
	runs := 0
	err = s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAudit).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			err := eachAuditEvent(k, v, func(_ int64, raw []byte) error {
				e, err := graph.DecodeAuditEvent(raw)
				if err != nil {
					return err
				}
				ids, n := auditAbout(e, nil)
				for _, id := range ids[:n] {
					derived = append(derived, newAuditKey(id, e.At.UnixNano(), e.Seq))
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		for _, name := range auditRuns(tx) {
			runs++
			err := tx.Bucket(bucketAuditRuns).Bucket(name).ForEach(func(_, v []byte) error {
				for i := range blockLen(v) {
					disk = append(disk, keyOf(blockKey(v, i)))
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if runs > auditMaxRuns {
		t.Fatalf("%d runs on disk after the merges, want at most %d", runs, auditMaxRuns)
	}
	byKey := func(a, b auditKey) int { return slices.Compare(a[:], b[:]) }
	slices.SortFunc(derived, byKey)
	slices.SortFunc(disk, byKey)
	if !slices.Equal(disk, derived) {
		t.Fatalf("the runs hold %d entries, the events call for %d (or other ones)", len(disk), len(derived))
	}
	got := histories()
	for id, seqs := range want {
		if !slices.Equal(got[id][len(got[id])-len(seqs):], seqs) {
			t.Fatalf("history of %s: %v, want it to end with %v", id, got[id], seqs)
		}
	}
}

// TestSweepInParts: a sweep reads a large store's relationships in parts,
// one per core, and finds, counts and retracts exactly what it does read
// in one part — relationships only this source asserts (removed), those
// another source asserts too (retracted), and those whose end goes.
func TestSweepInParts(t *testing.T) {
	defer func(at, procs int) { readInPartsFrom = at; runtime.GOMAXPROCS(procs) }(readInPartsFrom, runtime.GOMAXPROCS(4))
	ctx := t.Context()
	app := func(i int) graph.Ref { return graph.Ref{Kind: graph.KindApplication, Key: fmt.Sprintf("app-%03d", i)} }
	var nodes []graph.NodeInput
	var edges []graph.EdgeInput
	for i := range 300 {
		nodes = append(nodes, graph.NodeInput{Kind: graph.KindApplication, Key: app(i).Key})
		if i > 0 {
			edges = append(edges, graph.EdgeInput{Type: graph.RelDependsOn, From: app(i), To: app(i - 1)})
		}
	}
	// Each store gets the estate from "scan" (run r1), a third of the
	// relationships from "manual-import" too, then a second "scan" run
	// asserting nine nodes in ten and every fourth relationship.
	seconds := graph.Batch{Source: "scan", Run: "r2", At: graphtest.EstateAt.Add(time.Hour)}
	for i, n := range nodes {
		if i%10 != 9 {
			seconds.Nodes = append(seconds.Nodes, n)
		}
	}
	for i, e := range edges {
		if i%4 == 0 {
			seconds.Edges = append(seconds.Edges, e)
		}
	}
	var others []graph.EdgeInput
	for i, e := range edges {
		if i%3 == 0 {
			others = append(others, e)
		}
	}
	sweep := func(split int) (dry, done graph.SweepResult, after string) {
		readInPartsFrom = split
		s := openAt(t, t.TempDir())
		defer s.Close()
		for _, b := range []graph.Batch{
			{Source: "scan", Run: "r1", At: graphtest.EstateAt, Nodes: nodes, Edges: edges},
			{Source: "import", Run: "i1", At: graphtest.EstateAt, Edges: others},
			seconds,
		} {
			if _, err := s.Apply(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		req := graph.SweepRequest{Source: "scan", Run: "r2", DryRun: true}
		dry, err := s.Sweep(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		req.DryRun = false
		if done, err = s.Sweep(ctx, req); err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		if err := s.ScanEdges(ctx, func(e *graph.Edge) error { fmt.Fprintf(&sb, "%s %s %d\n", e.From, e.To, len(e.Assertions)); return nil }); err != nil {
			t.Fatal(err)
		}
		return dry, done, sb.String()
	}
	wantDry, want, wantAfter := sweep(1 << 30)
	if want.EdgesRetracted == 0 || want.EdgesRemoved == 0 || want.NodesRemoved == 0 {
		t.Fatalf("the sweep in one part %+v: want relationships retracted and removed, and nodes removed", want)
	}
	gotDry, got, gotAfter := sweep(0)
	if gotDry != wantDry || got != want {
		t.Fatalf("in parts the sweep found %+v (dry run %+v), in one part %+v (%+v)", got, gotDry, want, wantDry)
	}
	if gotAfter != wantAfter {
		t.Fatalf("in parts the sweep left\n%s\nin one part\n%s", gotAfter, wantAfter)
	}
}

// TestTopologyInParts: a large store's nodes are copied in one part per
// core, and Topology reads the same nodes in the same order as ScanNodes,
// each relationship between the right two.
func TestTopologyInParts(t *testing.T) {
	defer func(at, procs int) { readInPartsFrom = at; runtime.GOMAXPROCS(procs) }(readInPartsFrom, runtime.GOMAXPROCS(3))
	readInPartsFrom = 1
	s := openAt(t, t.TempDir())
	defer s.Close()
	b := graphtest.SyntheticEstate("", 500)
	graphtest.MustApply(t, s, b)
	d := graphtest.TakeDump(t, s)
	topo, err := s.Topology(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.Nodes) != len(d.Nodes) || len(topo.Links) != len(d.Edges) {
		t.Fatalf("Topology: %d nodes and %d links; the store holds %d and %d", len(topo.Nodes), len(topo.Links), len(d.Nodes), len(d.Edges))
	}
	for i, n := range topo.Nodes {
		if n.ID != d.Nodes[i].ID || n.Name != d.Nodes[i].Name || !reflect.DeepEqual(n.Props, d.Nodes[i].Props) {
			t.Fatalf("node %d: %s, want %s as ScanNodes has it", i, n.Ref(), d.Nodes[i].Ref())
		}
	}
	want := map[string]bool{}
	for _, e := range d.Edges {
		want[fmt.Sprint(e.Type, e.From, e.To)] = true
	}
	for _, l := range topo.Links {
		if k := fmt.Sprint(l.Type, topo.Nodes[l.From].Ref(), topo.Nodes[l.To].Ref()); !want[k] {
			t.Errorf("link %s is no relationship of the store", k)
		}
	}
}

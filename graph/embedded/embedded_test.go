package embedded_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

func open(t testing.TB, dir string) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(context.Background(), dir, embedded.Options{Logger: zerolog.Nop()})
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	return s
}

func harness(t testing.TB) graph.Store {
	s := open(t, t.TempDir())
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) { graphtest.RunConformance(t, harness) }

func BenchmarkStore(b *testing.B) { graphtest.RunBenchmarks(b, harness) }

// export renders the whole store the way estate export would, to compare
// states across restarts.
func export(t testing.TB, s graph.Store) string {
	t.Helper()
	var sb strings.Builder
	ctx := context.Background()
	if err := s.ScanNodes(ctx, func(n *graph.Node) error { fmt.Fprintf(&sb, "%+v\n", *n); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.ScanEdges(ctx, func(e *graph.Edge) error { fmt.Fprintf(&sb, "%+v\n", *e); return nil }); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

func TestSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if _, err := s.Apply(context.Background(), graphtest.SmallEstate()); err != nil {
		t.Fatal(err)
	}
	before := export(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	defer s.Close()
	if after := export(t, s); after != before {
		t.Fatalf("state changed across restart:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	st, _ := s.Stats(context.Background())
	if st.TotalNodes() == 0 || st.TotalEdges() == 0 {
		t.Fatalf("nothing loaded after restart: %+v", st)
	}
}

// TestMergeSurvivesRestart: the redirect a merge leaves is rebuilt when
// the store is opened again, so the next sync naming the merged key still
// lands on the node that stays.
func TestMergeSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	keep := graph.Ref{Kind: graph.KindTeam, Key: "acme/payments-core"}
	dup := graph.Ref{Kind: graph.KindTeam, Key: "payments"}
	dir := t.TempDir()
	s := open(t, dir)
	if _, err := s.Apply(ctx, graph.Batch{Source: "github", Run: "r1",
		Nodes: []graph.NodeInput{{Kind: keep.Kind, Key: keep.Key}, {Kind: dup.Kind, Key: dup.Key}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Merge(ctx, keep.ID(), dup.ID()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dir)
	defer s.Close()
	if _, err := s.Apply(ctx, graph.Batch{Source: "catalog", Run: "r2",
		Nodes: []graph.NodeInput{{Kind: dup.Kind, Key: dup.Key, Props: map[string]any{"email": "pay@acme.example"}}}}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Node(ctx, dup); err == nil {
		t.Errorf("the merged key %q came back as %s after a restart", dup.Key, n.Ref())
	}
	if n, err := s.Node(ctx, keep); err != nil || n.Props["email"] != "pay@acme.example" {
		t.Errorf("the write naming %q did not land on %s after a restart: %v %v", dup.Key, keep, n, err)
	}
}

func TestLockedDirectory(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	defer s.Close()
	_, err := embedded.Open(context.Background(), dir, embedded.Options{Logger: zerolog.Nop(), LockTimeout: 50 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "in use by another estate process") {
		t.Fatalf("second open of a locked directory: got %v, want an in-use error", err)
	}
}

func TestCorruptFile(t *testing.T) {
	cases := map[string][]byte{
		"garbage": []byte(strings.Repeat("not a database ", 1000)),
		"empty":   {},
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, embedded.FileName), content, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := embedded.Open(context.Background(), dir, embedded.Options{Logger: zerolog.Nop()})
			if name == "empty" {
				// bbolt initialises a zero-length file: that is a new store.
				if err != nil {
					t.Fatalf("empty file: %v", err)
				}
				s.Close()
				return
			}
			if err == nil {
				s.Close()
				t.Fatal("opened a corrupt file without error")
			}
			if !strings.Contains(err.Error(), "corrupt") {
				t.Fatalf("error %q does not say the file is corrupt", err)
			}
		})
	}
}

// The crash test re-runs this test binary as a child that writes batches as
// fast as it can; the parent kills it with SIGKILL mid-stream and checks that
// every batch on disk is complete: a crash leaves the last committed state.
const crashEnv = "ESTATE_EMBEDDED_CRASH_CHILD_DIR"

func crashBatch(i int) graph.Batch {
	b := graph.Batch{Source: "crash", Run: fmt.Sprint("run-", i)}
	bu := graph.Ref{Kind: graph.KindBusinessUnit, Key: fmt.Sprintf("bu-%05d", i)}
	b.Nodes = append(b.Nodes, graph.NodeInput{Kind: bu.Kind, Key: bu.Key})
	for j := range 50 {
		svc := graph.Ref{Kind: graph.KindService, Key: fmt.Sprintf("svc-%05d-%02d", i, j)}
		b.Nodes = append(b.Nodes, graph.NodeInput{Kind: svc.Kind, Key: svc.Key, Props: map[string]any{"tier": 1 + j%4}})
		b.Edges = append(b.Edges, graph.EdgeInput{Type: graph.RelPartOf, From: svc, To: bu})
	}
	return b
}

func TestCrashLeavesCommittedState(t *testing.T) {
	if dir := os.Getenv(crashEnv); dir != "" {
		s := open(t, dir)
		for i := 0; ; i++ {
			if _, err := s.Apply(context.Background(), crashBatch(i)); err != nil {
				t.Fatal(err)
			}
			if i == 3 {
				os.WriteFile(filepath.Join(dir, "started"), nil, 0o600)
			}
		}
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashLeavesCommittedState$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("child never started writing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var exitErr *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &exitErr) {
		t.Fatalf("child was not killed: %v", err)
	}

	s := open(t, dir)
	defer s.Close()
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	bus, svcs, parts := st.Nodes[graph.KindBusinessUnit], st.Nodes[graph.KindService], st.Edges[graph.RelPartOf]
	if bus < 4 {
		t.Fatalf("only %d batches survived; the child committed at least 4", bus)
	}
	if svcs != bus*50 || parts != bus*50 {
		t.Fatalf("half-written batch visible: %d business units, %d services, %d PART_OF (want 50 per unit)", bus, svcs, parts)
	}
	t.Logf("%d complete batches survived SIGKILL", bus)
}

func TestLogCompaction(t *testing.T) {
	dir := t.TempDir()
	opts := embedded.Options{Logger: zerolog.Nop(), CompactSlack: 100}
	s, err := embedded.Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	b := graphtest.SmallEstate()
	live := len(b.Nodes) + len(b.Edges)
	for i := range 20 {
		b.Run, b.At = fmt.Sprint("run-", i), graphtest.EstateAt.Add(time.Duration(i)*time.Minute)
		if _, err := s.Apply(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		if got := s.Logged(); got > live+100+live {
			t.Fatalf("after %d runs the log holds %d records for %d live ones: no compaction", i+1, got, live)
		}
	}
	before := export(t, s)
	s.Close()
	s, err = embedded.Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if after := export(t, s); after != before {
		t.Fatalf("compacted store reads back differently:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestCompactionAmortised: syncs that rewrite every record (a no-op
// re-ingest refreshes every last-seen time) compact at most once per
// estate-sized amount of writes, whatever CompactSlack says. Compacting
// every CompactSlack records made a no-op sync of a large estate rewrite
// the whole estate many times over.
func TestCompactionAmortised(t *testing.T) {
	s, err := embedded.Open(context.Background(), t.TempDir(), embedded.Options{Logger: zerolog.Nop(), CompactSlack: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := graphtest.SmallEstate()
	const runs = 20
	compactions, last := 0, 0
	for i := range runs {
		b.Run, b.At = fmt.Sprint("run-", i), graphtest.EstateAt.Add(time.Duration(i)*time.Minute)
		if _, err := s.Apply(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		if got := s.Logged(); got < last {
			compactions++
		}
		last = s.Logged()
	}
	if compactions == 0 || compactions > runs/2 {
		t.Errorf("%d full rewrites of the estate compacted %d times, want between 1 and %d", runs, compactions, runs/2)
	}
}

// TestReadsFormat2 opens a store written by the previous format, whose log
// entries were JSON, and checks that it reads back what was written, is
// upgraded in place, and keeps working across another restart.
func TestReadsFormat2(t *testing.T) {
	ctx := context.Background()
	fresh := harness(t)
	if _, err := fresh.Apply(ctx, graphtest.SmallEstate()); err != nil {
		t.Fatal(err)
	}
	want := export(t, fresh)
	var entry struct {
		Nodes []*graph.Node `json:"n"`
		Edges []*graph.Edge `json:"e"`
	}
	if err := fresh.ScanNodes(ctx, func(n *graph.Node) error { entry.Nodes = append(entry.Nodes, n); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := fresh.ScanEdges(ctx, func(e *graph.Edge) error { entry.Edges = append(entry.Edges, e); return nil }); err != nil {
		t.Fatal(err)
	}
	// The format 2 layout: a meta bucket naming the format and the active
	// log bucket, and one JSON entry per commit keyed by sequence number.
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, embedded.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		meta.Put([]byte("format"), []byte("estate-embedded-2"))
		meta.Put([]byte("log"), []byte("log.a"))
		log, err := tx.CreateBucket([]byte("log.a"))
		if err != nil {
			return err
		}
		// Nodes and relationships in two commits, as two entries.
		nodes, _ := json.Marshal(map[string]any{"n": entry.Nodes})
		edges, _ := json.Marshal(map[string]any{"e": entry.Edges})
		for _, v := range [][]byte{nodes, edges} {
			seq, _ := log.NextSequence()
			if err := log.Put(binary.BigEndian.AppendUint64(nil, seq), v); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	s := open(t, dir)
	if got := export(t, s); got != want {
		t.Fatalf("format 2 store reads back differently:\ngot:\n%s\nwant:\n%s", got, want)
	}
	// A write after the upgrade lands in the new format beside the old
	// entries, and both survive a restart.
	b := graphtest.SmallEstate()
	b.Run, b.At = "run-2", graphtest.EstateAt.Add(time.Hour)
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	want = export(t, fresh)
	s.Close()
	s = open(t, dir)
	defer s.Close()
	if got := export(t, s); got != want {
		t.Fatalf("upgraded store reads back differently after a write and a restart:\ngot:\n%s\nwant:\n%s", got, want)
	}
}

// TestCorruptLogEntry checks that a damaged log entry is reported as
// corruption, naming the file, instead of being half-applied or panicking:
// the last entry, and the first of many, which the store parses ahead of
// applying.
func TestCorruptLogEntry(t *testing.T) {
	cases := map[string]func(v []byte) []byte{
		"truncated":      func(v []byte) []byte { return v[:len(v)/2] },
		"unknown format": func(v []byte) []byte { return append([]byte{9}, v[1:]...) },
		"trailing bytes": func(v []byte) []byte { return append(v, 1, 2, 3) },
		"bad json":       func([]byte) []byte { return []byte(`{"n":[{`) },
	}
	for name, damage := range cases {
		for _, first := range []bool{false, true} {
			where := map[bool]string{false: "last entry", true: "first of many"}[first]
			testCorruptLogEntry(t, name+", "+where, damage, first)
		}
	}
}

func testCorruptLogEntry(t *testing.T, name string, damage func([]byte) []byte, first bool) {
	t.Run(name, func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, dir)
		if _, err := s.Apply(context.Background(), graphtest.SmallEstate()); err != nil {
			t.Fatal(err)
		}
		if first {
			// Many entries after the damaged one.
			graphtest.MustApply(t, s, graphtest.SyntheticEstate("", 3000))
		}
		s.Close()
		db, err := bolt.Open(filepath.Join(dir, embedded.FileName), 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(func(tx *bolt.Tx) error {
			log := tx.Bucket(tx.Bucket([]byte("meta")).Get([]byte("log")))
			if first && log.Stats().KeyN < 10 {
				return fmt.Errorf("%d log entries, want many", log.Stats().KeyN)
			}
			k, v := log.Cursor().Last()
			if first {
				k, v = log.Cursor().First()
			}
			return log.Put(k, damage(append([]byte(nil), v...)))
		})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		s, err = embedded.Open(context.Background(), dir, embedded.Options{Logger: zerolog.Nop()})
		if err == nil {
			s.Close()
			t.Fatal("opened a store with a damaged log entry without error")
		}
		if !strings.Contains(err.Error(), "corrupt") || !strings.Contains(err.Error(), dir) {
			t.Fatalf("error %q does not say which file is corrupt", err)
		}
	})
}

// TestFailedCommitChangesNothing: a write whose transaction the file
// refuses changes nothing a reader sees — neither the nodes it adds nor the
// one it renames — whether it is small (published after its transaction)
// or large (published beside it, then read again from the file), and the
// store takes the same write once the file accepts it.
func TestFailedCommitChangesNothing(t *testing.T) {
	for _, added := range []int{5, 3000} {
		t.Run(fmt.Sprintf("%d nodes", added), func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			s := open(t, dir)
			defer func() { s.Close() }()
			base := graphtest.SmallEstate()
			if _, err := s.Apply(ctx, base); err != nil {
				t.Fatal(err)
			}
			before := export(t, s)
			b := base
			b.Nodes = append([]graph.NodeInput(nil), base.Nodes...)
			b.Nodes[0].Name = "renamed by the refused write"
			for i := range added {
				b.Nodes = append(b.Nodes, graph.NodeInput{Kind: graph.KindApplication, Key: fmt.Sprintf("refused-%04d", i), Name: "refused"})
			}
			b.Run = "refused-run"
			full := errors.New("no space left on device")
			s.FailCommits(full)
			if _, err := s.Apply(ctx, b); !errors.Is(err, full) {
				t.Fatalf("Apply with the file refusing: %v, want the file's error", err)
			}
			if got := export(t, s); got != before {
				t.Fatalf("a refused write changed what readers see:\n%s\nwant:\n%s", got, before)
			}
			if hits, err := s.Search(ctx, graph.SearchQuery{Text: "refused"}); err != nil || len(hits) != 0 {
				t.Fatalf("search finds %d nodes of the refused write (%v), want none", len(hits), err)
			}

			s.FailCommits(nil)
			if _, err := s.Apply(ctx, b); err != nil {
				t.Fatal(err)
			}
			after := export(t, s)
			if after == before {
				t.Fatal("the write accepted later changed nothing")
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = open(t, dir)
			if got := export(t, s); got != after {
				t.Fatal("after a reopen the store reads differently from before it")
			}
		})
	}
}

// TestWritesShareNoBytes: a write encodes into buffers that the next write
// reuses, so nothing it leaves behind — what readers see, the log, the
// audit trail — may point into them. Two large writes of the same shape and
// sizes but other values (the second overwrites the first's bytes in
// place): everything the first left reads the same after the second, and
// after a reopen.
func TestWritesShareNoBytes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	defer func() { s.Close() }()
	write := func(run string) {
		t.Helper()
		b := graph.Batch{Source: "catalog", Run: run, At: graphtest.EstateAt}
		for i := range 1500 {
			ref := graph.Ref{Kind: graph.KindApplication, Key: fmt.Sprintf("%s-%04d", run, i)}
			n := graph.NodeInput{Kind: ref.Kind, Key: ref.Key, Name: run, Props: map[string]any{"description": strings.Repeat(run, 20)}}
			if i%2 == 0 { // a node's data is kept differently with labels and without
				n.Labels = map[string]string{"env": run}
			}
			b.Nodes = append(b.Nodes, n)
			if i > 0 {
				b.Edges = append(b.Edges, graph.EdgeInput{Type: graph.RelDependsOn, From: ref,
					To: graph.Ref{Kind: ref.Kind, Key: fmt.Sprintf("%s-%04d", run, i-1)}, Evidence: strings.Repeat(run, 5)})
			}
		}
		if _, err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	// history reads the first write's events about nodes spread over it
	// (its events are encoded in two halves: encodeAudit): each node's
	// creation and its relationships', two for the first and last nodes of
	// the chain and three for the others.
	history := func() string {
		t.Helper()
		var sb strings.Builder
		for _, i := range []int{0, 500, 1000, 1499} {
			id := graph.NodeID(graph.KindApplication, fmt.Sprintf("aaaa-%04d", i))
			p, err := s.History(ctx, graph.HistoryQuery{ID: id})
			want := 3
			if i == 0 || i == 1499 {
				want = 2
			}
			if err != nil || len(p.Events) != want {
				t.Fatalf("history of %s: %d events, want %d (%v)", id, len(p.Events), want, err)
			}
			for _, e := range p.Events {
				fmt.Fprintf(&sb, "%+v\n", *e)
			}
		}
		return sb.String()
	}
	write("aaaa")
	before, beforeHistory := strings.Split(export(t, s), "\n"), history()
	write("bbbb")
	check := func(when string) {
		t.Helper()
		after := map[string]bool{}
		for _, line := range strings.Split(export(t, s), "\n") {
			after[line] = true
		}
		for _, line := range before {
			if !after[line] {
				t.Fatalf("%s the first write reads differently: %s is gone", when, line)
			}
		}
		if got := history(); got != beforeHistory {
			t.Fatalf("%s the first write's history reads\n%s\nwant\n%s", when, got, beforeHistory)
		}
	}
	check("after the second write")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	check("after a reopen")
}

// TestOpenCancelled: an open whose context ends while the log is being
// read stops with the context's error, leaving the file as it was: the
// parser running ahead of the replay stops too, and the next open reads
// everything.
func TestOpenCancelled(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	graphtest.MustApply(t, s, graphtest.SyntheticEstate("", 3000))
	want := graphtest.TakeDump(t, s).JSON()
	s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if s, err := embedded.Open(ctx, dir, embedded.Options{Logger: zerolog.Nop()}); !errors.Is(err, context.Canceled) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("open with a cancelled context: %v, want context.Canceled", err)
	}
	s = open(t, dir)
	defer s.Close()
	if got := graphtest.TakeDump(t, s).JSON(); got != want {
		t.Error("the store after a cancelled open differs from what was written")
	}
}

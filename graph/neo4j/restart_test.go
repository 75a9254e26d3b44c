//go:build neo4j_restart

package neo4j

// These tests stop and kill the shared Neo4j server through scripts/neo4j.sh,
// so they sit behind a build tag: any other test using the server at the same
// time (another package of `go test ./...`) would fail with it. scripts/test.sh
// runs them in a step of their own, after everything else:
//
//	go test -tags neo4j_restart -run 'TestRestart|TestCrashAtomicity' ./graph/neo4j

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/graphtest"
	"github.com/estate-cmdb/estate/graph/jsonl"
)

// script runs scripts/neo4j.sh with the given command.
func script(t testing.TB, command string) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "scripts", "neo4j.sh")
	start := time.Now()
	cmd := exec.Command(path, command)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if out, err := cmd.Output(); err != nil {
		t.Fatalf("scripts/neo4j.sh %s: %v\n%s%s", command, err, out, stderr.String())
	}
	t.Logf("scripts/neo4j.sh %s took %v", command, time.Since(start).Round(100*time.Millisecond))
}

// serverBackOnCleanup makes sure the server runs again after the test, even
// when it fails half way.
func serverBackOnCleanup(t *testing.T) {
	t.Cleanup(func() {
		_, file, _, _ := runtime.Caller(0)
		path := filepath.Join(filepath.Dir(file), "..", "..", "scripts", "neo4j.sh")
		if exec.Command(path, "status").Run() != nil {
			script(t, "start")
		}
	})
}

// waitUp polls Ping until the store answers again.
func waitUp(t *testing.T, s graph.Store, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		err := s.Ping(t.Context())
		if err == nil {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("store did not recover within %v: %v", within, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestRestart stops the real server: calls fail fast with UNAVAILABLE; once
// the server is back the same Store recovers by itself.
func TestRestart(t *testing.T) {
	requireServer(t)
	s := openStore(t)
	graphtest.MustApply(t, s, graphtest.SmallEstate())
	before := graphtest.TakeDump(t, s).JSON()
	serverBackOnCleanup(t)

	script(t, "stop")
	extra := graph.Batch{Source: "manual", Run: "m1", Nodes: []graph.NodeInput{{Kind: graph.KindService, Key: "while-down"}}}
	timed := func(what string, limit time.Duration, call func() error) {
		t.Helper()
		start := time.Now()
		err := call()
		took := time.Since(start)
		if !errors.Is(err, graph.ErrUnavailable) {
			t.Errorf("%s with Neo4j stopped: %v, want UNAVAILABLE", what, err)
		}
		if took > limit {
			t.Errorf("%s with Neo4j stopped took %v, want under %v", what, took, limit)
		}
		t.Logf("%s with Neo4j stopped: %v after %v", what, err, took.Round(time.Millisecond))
	}
	// The first write finds the pool's connections dead and retries for at
	// most MaxRetryTime; from then on calls fail at once.
	timed("first Apply", s.cfg.MaxRetryTime+3*time.Second, func() error { _, err := s.Apply(t.Context(), extra); return err })
	timed("second Apply", time.Second, func() error { _, err := s.Apply(t.Context(), extra); return err })
	timed("Node", time.Second, func() error {
		_, err := s.Node(t.Context(), graph.Ref{Kind: graph.KindService, Key: "payments"})
		return err
	})
	time.Sleep(probeInterval)
	timed("Ping", s.cfg.ConnectTimeout+time.Second, func() error { return s.Ping(t.Context()) })

	script(t, "start")
	t.Logf("store answered %v after the server was ready", waitUp(t, s, 2*time.Minute).Round(time.Millisecond))
	if got := graphtest.TakeDump(t, s).JSON(); got != before {
		t.Errorf("data changed across the restart")
	}
	graphtest.MustApply(t, s, extra)
	if _, err := s.Node(t.Context(), graph.Ref{Kind: graph.KindService, Key: "while-down"}); err != nil {
		t.Errorf("write after recovery not readable: %v", err)
	}
}

// crashIngest is the ingest the crash test runs: self-contained batches of
// about 1,000 nodes and 3,000 relationships, so that a batch's presence is
// easy to count.
func crashIngest(run string) []graph.Batch {
	var out []graph.Batch
	for i := range 16 {
		b := graphtest.SyntheticEstate(fmt.Sprintf("c%02d-", i), 1000)
		b.Source, b.Run = "crash-test", run
		out = append(out, b)
	}
	return out
}

// exportLines exports the store and blanks what legitimately differs
// between two runs of the same ingest: lastSeen times and run ids.
func exportLines(t *testing.T, s graph.Store) []string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := jsonl.Export(t.Context(), s, &buf); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var v any
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		var blank func(any)
		blank = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					if k == "lastSeen" || k == "run" {
						v[k] = "-"
					} else {
						blank(x)
					}
				}
			case []any:
				for _, x := range v {
					blank(x)
				}
			}
		}
		blank(v)
		b, _ := json.Marshal(v)
		out = append(out, string(b))
	}
	return out
}

// TestCrashAtomicity kills Neo4j (SIGKILL, no shutdown) in the middle of a
// stream of batch Applies: after restart every batch is there entirely or
// not at all, every acknowledged batch is there, and re-running the ingest
// converges to the export of an uninterrupted run.
func TestCrashAtomicity(t *testing.T) {
	requireServer(t)
	ref := openStore(t)
	for _, b := range crashIngest("ref") {
		graphtest.MustApply(t, ref, b)
	}
	want := exportLines(t, ref)

	s := openStore(t)
	serverBackOnCleanup(t)
	batches := crashIngest("r1")
	acked := make([]atomic.Bool, len(batches))
	started := make(chan int, len(batches))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i, b := range batches {
			started <- i
			if _, err := s.Apply(context.Background(), b); err == nil {
				acked[i].Store(true)
			} else if !errors.Is(err, graph.ErrUnavailable) {
				t.Errorf("batch %d failed with %v, want success or UNAVAILABLE", i, err)
			}
		}
	}()
	const killDuring = 5
	for i := range started {
		if i == killDuring {
			time.Sleep(150 * time.Millisecond) // well inside the batch's transaction
			script(t, "kill")
			break
		}
	}
	<-done
	script(t, "start")
	waitUp(t, s, 2*time.Minute)

	// Every batch all or nothing; every acknowledged batch present.
	nodes, edges := map[string]int{}, map[string]int{}
	prefix := func(key string) string { return key[:4] }
	if err := s.ScanNodes(t.Context(), func(n *graph.Node) error { nodes[prefix(n.Key)]++; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.ScanEdges(t.Context(), func(e *graph.Edge) error { edges[prefix(e.From.Key)]++; return nil }); err != nil {
		t.Fatal(err)
	}
	var present, absent []int
	for i, b := range batches {
		p := fmt.Sprintf("c%02d-", i)
		switch {
		case nodes[p] == len(b.Nodes) && edges[p] == len(b.Edges):
			present = append(present, i)
		case nodes[p] == 0 && edges[p] == 0:
			absent = append(absent, i)
			if acked[i].Load() {
				t.Errorf("batch %d was acknowledged but is not stored", i)
			}
		default:
			t.Errorf("batch %d is half written: %d of %d nodes, %d of %d relationships", i, nodes[p], len(b.Nodes), edges[p], len(b.Edges))
		}
	}
	t.Logf("after the crash: batches %v stored, %v not", present, absent)
	if len(absent) == 0 {
		t.Errorf("the kill did not interrupt the ingest (every batch stored)")
	}

	for _, b := range crashIngest("r2") {
		graphtest.MustApply(t, s, b)
	}
	got := exportLines(t, s)
	if len(got) != len(want) {
		t.Fatalf("re-run export has %d lines, the uninterrupted run's %d", len(got), len(want))
	}
	diffs := 0
	for i := range got {
		if got[i] != want[i] {
			if diffs++; diffs <= 3 {
				t.Errorf("export line %d differs:\n got %s\nwant %s", i+1, got[i], want[i])
			}
		}
	}
}

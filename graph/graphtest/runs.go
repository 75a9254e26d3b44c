package graphtest

import (
	"fmt"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// runAt is a finished run of source started some minutes after T0.
func runAt(id, source string, status graph.RunStatus, minutes int) graph.IngestRun {
	r := graph.IngestRun{ID: id, Source: source, Status: status, Started: at(minutes)}
	if status != graph.RunRunning {
		r.Ended = at(minutes + 1)
	}
	return r
}

func putRun(t testing.TB, s graph.Store, r graph.IngestRun) {
	t.Helper()
	if err := s.PutRun(t.Context(), r); err != nil {
		t.Fatalf("PutRun(%s): %v", r.ID, err)
	}
}

func getRun(t testing.TB, s graph.Store, id string) *graph.IngestRun {
	t.Helper()
	r, err := graph.GetRun(t.Context(), s, id)
	if err != nil {
		t.Fatalf("GetRun(%s): %v", id, err)
	}
	return r
}

func runIDs(rs []*graph.IngestRun) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func testRuns(t *testing.T, h Harness) {
	t.Run("RoundTrip", func(t *testing.T) {
		s := h(t)
		full := graph.IngestRun{
			ID: "run-1", Source: "github:acme", StartedBy: "alice", Status: graph.RunPartial,
			Started: at(0), Ended: at(3).Add(123456789), Nodes: 40, Edges: 55,
			Applied:    graph.ApplyResult{NodesCreated: 30, NodesUpdated: 10, EdgesCreated: 50, EdgesUpdated: 5},
			Swept:      &graph.SweepResult{NodesRemoved: 1, EdgesRemoved: 2, SourceNodesBefore: 40, SourceEdgesBefore: 57},
			KeptScopes: []string{"repo/acme/broken"},
			Errors:     []graph.RunItem{{Item: "acme/broken", Err: "HTTP 500", Scope: "repo/acme/broken"}}, ErrorCount: 1,
			Warnings: []graph.RunItem{{Item: "acme/x CODEOWNERS:3", Err: "unknown owner @nobody"}}, WarningCount: 7,
			Summary: map[string]int{"shadow.total": 12, "shadow.UNOWNED_RESOURCE": 4},
		}
		putRun(t, s, full)
		sameJSON(t, "stored run", getRun(t, s, "run-1"), full)

		// The record is rewritten as the run goes on: the last write wins.
		final := runAt("run-1", "github:acme", graph.RunSucceeded, 0)
		final.Nodes = 41
		putRun(t, s, final)
		sameJSON(t, "rewritten run", getRun(t, s, "run-1"), final)

		got, err := s.Runs(t.Context(), []string{"nope", "run-1", "nope"})
		if err != nil {
			t.Fatalf("Runs: %v", err)
		}
		if len(got) != 3 || got[0] != nil || got[2] != nil || got[1] == nil || got[1].ID != "run-1" {
			t.Errorf("Runs(nope, run-1, nope) = %v, want [nil run-1 nil]", runIDs(nonNil(got)))
		}
		_, err = graph.GetRun(t.Context(), s, "nope")
		wantCode(t, "GetRun(nope)", err, graph.CodeNotFound)
	})

	t.Run("TrimsAndCaps", func(t *testing.T) {
		s := h(t)
		r := runAt("  run-2 ", " aws:org ", graph.RunPartial, 0)
		for i := range graph.MaxRunItems + 50 {
			r.Errors = append(r.Errors, graph.RunItem{Item: fmt.Sprintf("item-%03d", i), Err: "denied"})
			r.Warnings = append(r.Warnings, graph.RunItem{Item: fmt.Sprintf("w-%03d", i), Err: "odd"})
		}
		r.Started = r.Started.In(time.FixedZone("CET", 3600))
		putRun(t, s, r)
		got := getRun(t, s, "run-2")
		if got.ID != "run-2" || got.Source != "aws:org" {
			t.Errorf("id, source = %q, %q; want trimmed run-2, aws:org", got.ID, got.Source)
		}
		if len(got.Errors) != graph.MaxRunItems || got.ErrorCount != graph.MaxRunItems+50 || got.Errors[0].Item != "item-000" {
			t.Errorf("errors kept %d (first %v), count %d; want the first %d of %d", len(got.Errors), got.Errors[0], got.ErrorCount, graph.MaxRunItems, graph.MaxRunItems+50)
		}
		if len(got.Warnings) != graph.MaxRunItems || got.WarningCount != graph.MaxRunItems+50 {
			t.Errorf("warnings kept %d, count %d; want %d of %d", len(got.Warnings), got.WarningCount, graph.MaxRunItems, graph.MaxRunItems+50)
		}
		if !got.Started.Equal(at(0)) || got.Started.Location() != time.UTC {
			t.Errorf("started = %v, want %v in UTC", got.Started, at(0))
		}
	})

	t.Run("Rejects", func(t *testing.T) {
		s := h(t)
		putRun(t, s, runAt("kept", "demo", graph.RunSucceeded, 0))
		neg := runAt("neg", "demo", graph.RunSucceeded, 0)
		neg.Applied.NodesCreated = -1
		backwards := runAt("back", "demo", graph.RunSucceeded, 5)
		backwards.Ended = at(1)
		for _, tc := range []struct {
			name string
			run  graph.IngestRun
		}{
			{"empty id", runAt("", "demo", graph.RunRunning, 1)},
			{"blank id", runAt("  ", "demo", graph.RunRunning, 1)},
			{"control character in id", runAt("a\nb", "demo", graph.RunRunning, 1)},
			{"empty source", runAt("r", "", graph.RunRunning, 1)},
			{"unknown status", runAt("r", "demo", "done", 1)},
			{"no status", runAt("r", "demo", "", 1)},
			{"no start", graph.IngestRun{ID: "r", Source: "demo", Status: graph.RunRunning}},
			{"ends before it starts", backwards},
			{"negative count", neg},
			{"rewrite with a bad status", runAt("kept", "demo", "??", 0)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantCode(t, "PutRun", s.PutRun(t.Context(), tc.run), graph.CodeInvalid)
			})
		}
		page, err := s.ListRuns(t.Context(), graph.RunQuery{})
		if err != nil {
			t.Fatalf("ListRuns: %v", err)
		}
		if ids := runIDs(page.Runs); len(ids) != 1 || ids[0] != "kept" || page.Runs[0].Status != graph.RunSucceeded {
			t.Errorf("after rejected writes the store lists %v, want only the untouched run kept", ids)
		}
	})

	t.Run("List", func(t *testing.T) {
		s := h(t)
		// Two runs share a start time: the id breaks the tie.
		for _, r := range []graph.IngestRun{
			runAt("a1", "github:acme", graph.RunSucceeded, 0),
			runAt("b1", "aws:org", graph.RunFailed, 10),
			runAt("a2", "github:acme", graph.RunPartial, 20),
			runAt("a3", "github:acme", graph.RunSucceeded, 30),
			runAt("b2", "aws:org", graph.RunSucceeded, 30),
			runAt("a4", "github:acme", graph.RunRunning, 40),
		} {
			putRun(t, s, r)
		}
		for _, tc := range []struct {
			name  string
			q     graph.RunQuery
			want  []string
			total int
			next  bool
		}{
			{"all, newest first", graph.RunQuery{}, []string{"a4", "b2", "a3", "a2", "b1", "a1"}, 6, false},
			{"one source", graph.RunQuery{Source: "github:acme"}, []string{"a4", "a3", "a2", "a1"}, 4, false},
			{"one status", graph.RunQuery{Status: graph.RunSucceeded}, []string{"b2", "a3", "a1"}, 3, false},
			{"source and status", graph.RunQuery{Source: "aws:org", Status: graph.RunSucceeded}, []string{"b2"}, 1, false},
			{"no match", graph.RunQuery{Source: "gitlab:x"}, nil, 0, false},
			{"first page", graph.RunQuery{First: 2}, []string{"a4", "b2"}, 6, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p, err := s.ListRuns(t.Context(), tc.q)
				if err != nil {
					t.Fatalf("ListRuns: %v", err)
				}
				if got := runIDs(p.Runs); fmt.Sprint(got) != fmt.Sprint(tc.want) || p.TotalCount != tc.total || p.HasNext != tc.next {
					t.Errorf("ListRuns(%+v) = %v total %d next %v; want %v total %d next %v", tc.q, got, p.TotalCount, p.HasNext, tc.want, tc.total, tc.next)
				}
				if len(p.Cursors) != len(p.Runs) {
					t.Errorf("%d cursors for %d runs", len(p.Cursors), len(p.Runs))
				}
			})
		}

		// Paging with cursors visits every run once, in order, even when
		// the run at the cursor is rewritten in between.
		var seen []string
		q := graph.RunQuery{First: 2}
		for page := 0; ; page++ {
			p, err := s.ListRuns(t.Context(), q)
			if err != nil {
				t.Fatalf("page %d: %v", page, err)
			}
			seen = append(seen, runIDs(p.Runs)...)
			if page == 0 {
				putRun(t, s, runAt("b2", "aws:org", graph.RunPartial, 30))
			}
			if !p.HasNext || page > 5 {
				break
			}
			q.After = p.EndCursor
		}
		if fmt.Sprint(seen) != "[a4 b2 a3 a2 b1 a1]" {
			t.Errorf("paging visited %v, want [a4 b2 a3 a2 b1 a1]", seen)
		}

		for _, tc := range []struct {
			name string
			q    graph.RunQuery
			code graph.Code
		}{
			{"malformed cursor", graph.RunQuery{After: "not a cursor!"}, graph.CodeInvalid},
			{"node cursor", graph.RunQuery{After: graph.EncodeCursor(app("x"))}, graph.CodeInvalid},
			{"unknown status", graph.RunQuery{Status: "done"}, graph.CodeInvalid},
			{"negative first", graph.RunQuery{First: -1}, graph.CodeInvalid},
			{"page too large", graph.RunQuery{First: graph.MaxPageSize + 1}, graph.CodeLimitExceeded},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.ListRuns(t.Context(), tc.q)
				wantCode(t, "ListRuns", err, tc.code)
			})
		}
	})

	t.Run("ApartFromTheGraph", func(t *testing.T) {
		s := h(t)
		MustApply(t, s, graph.Batch{Source: "demo", Run: "r1", At: at(0), Nodes: nodes(app("billing"))})
		putRun(t, s, runAt("r1", "demo", graph.RunSucceeded, 0))
		before := TakeDump(t, s)
		if len(before.Nodes) != 1 {
			t.Fatalf("dump holds %d nodes, want only the application (runs are not nodes)", len(before.Nodes))
		}
		st, err := s.Stats(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if st.TotalNodes() != 1 || st.TotalEdges() != 0 {
			t.Errorf("stats count %d nodes, %d relationships; want 1 and 0", st.TotalNodes(), st.TotalEdges())
		}
		// A later run's sweep removes the application but not run records.
		putRun(t, s, runAt("r2", "demo", graph.RunSucceeded, 5))
		if _, err := s.Sweep(t.Context(), graph.SweepRequest{Source: "demo", Run: "r2"}); err != nil {
			t.Fatal(err)
		}
		absent(t, s, app("billing"))
		p, err := s.ListRuns(t.Context(), graph.RunQuery{Source: "demo"})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(runIDs(p.Runs)) != "[r2 r1]" {
			t.Errorf("runs after a sweep = %v, want [r2 r1]", runIDs(p.Runs))
		}
		found, err := s.Search(t.Context(), graph.SearchQuery{Text: "r1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 0 {
			t.Errorf("search finds run records: %v", refsOf(found))
		}
	})

	t.Run("Copies", func(t *testing.T) {
		s := h(t)
		r := runAt("c", "demo", graph.RunPartial, 0)
		r.Errors = []graph.RunItem{{Item: "x", Err: "y"}}
		r.Summary = map[string]int{"shadow.total": 3}
		putRun(t, s, r)
		r.Errors[0].Item = "changed by the caller"
		r.Summary["shadow.total"] = 99
		got := getRun(t, s, "c")
		got.Summary["shadow.total"] = 42
		got.Errors[0].Err = "changed by the reader"
		again := getRun(t, s, "c")
		if again.Errors[0] != (graph.RunItem{Item: "x", Err: "y"}) || again.Summary["shadow.total"] != 3 {
			t.Errorf("stored run changed through a caller's copy: %+v %v", again.Errors, again.Summary)
		}
	})
}

func nonNil(rs []*graph.IngestRun) []*graph.IngestRun {
	var out []*graph.IngestRun
	for _, r := range rs {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

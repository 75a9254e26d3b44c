package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
)

// teamsSource emits teams, some item errors, then returns err (after
// cancel, when set, to stand for a user interrupting the run).
type teamsSource struct {
	teams, itemErrors int
	cancel            context.CancelFunc
	// ignoreStops makes the source emit on after an emit error.
	ignoreStops bool
}

func (s teamsSource) Name() string { return "test:teams" }
func (s teamsSource) Run(ctx context.Context, emit ingest.Emitter) error {
	for i := range s.teams {
		if err := emit.Node(graph.NodeInput{Kind: graph.KindTeam, Key: fmt.Sprintf("team-%03d", i)}); err != nil && !s.ignoreStops {
			return err
		}
	}
	for i := range s.itemErrors {
		emit.ItemError(fmt.Sprintf("repo-%03d", i), errors.New("HTTP 500"))
	}
	if s.cancel != nil {
		s.cancel()
		return ctx.Err()
	}
	return nil
}

// recordingStore keeps every run record written, and can fail those writes.
type recordingStore struct {
	*embedded.Store
	mu      sync.Mutex
	records []graph.IngestRun
	fail    bool
}

func (s *recordingStore) PutRun(ctx context.Context, r graph.IngestRun) error {
	s.mu.Lock()
	s.records = append(s.records, r)
	s.mu.Unlock()
	if s.fail {
		return graph.Unavailable(errors.New("disk on fire"), "store")
	}
	return s.Store.PutRun(ctx, r)
}

func newRecordingStore(t *testing.T) *recordingStore {
	st, err := embedded.Open(context.Background(), t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &recordingStore{Store: st}
}

// tick is a clock that advances a second per reading.
func tick() func() time.Time {
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
}

func TestRunIsRecorded(t *testing.T) {
	for _, tc := range []struct {
		name       string
		src        teamsSource
		cancel     bool
		summarize  func(context.Context, graph.IngestRun) (map[string]int, error)
		sumTime    time.Duration // Options.SummaryTimeout
		wantStatus graph.RunStatus
		wantErrs   int // item errors kept in the record
		wantSum    map[string]int
		wantWarn   string
	}{
		{name: "succeeded, progress recorded", src: teamsSource{teams: 50},
			// The summary is told which run it sums up, its outcome decided.
			summarize: func(_ context.Context, run graph.IngestRun) (map[string]int, error) {
				if run.Source != "test:teams" || run.Status != graph.RunSucceeded || run.Nodes != 50 {
					return nil, fmt.Errorf("summary of %+v, want the succeeded run of test:teams", run)
				}
				return map[string]int{"shadow.total": 7}, nil
			},
			wantStatus: graph.RunSucceeded, wantSum: map[string]int{"shadow.total": 7}},
		{name: "partial, errors capped", src: teamsSource{teams: 5, itemErrors: graph.MaxRunItems + 20},
			wantStatus: graph.RunPartial, wantErrs: graph.MaxRunItems},
		{name: "cancelled is recorded failed", src: teamsSource{teams: 5}, cancel: true,
			wantStatus: graph.RunFailed},
		{name: "summary failure is a warning", src: teamsSource{teams: 5},
			summarize:  func(context.Context, graph.IngestRun) (map[string]int, error) { return nil, errors.New("scan failed") },
			wantStatus: graph.RunSucceeded, wantWarn: "scan failed"},
		// Figures that come with an error (the counts made, a notification
		// not delivered) are kept beside the warning.
		{name: "summary with a failure keeps its figures", src: teamsSource{teams: 5},
			summarize: func(context.Context, graph.IngestRun) (map[string]int, error) {
				return map[string]int{"shadow.total": 3}, errors.New("notify slack: answered HTTP 500")
			},
			wantStatus: graph.RunSucceeded, wantSum: map[string]int{"shadow.total": 3}, wantWarn: "notify slack: answered HTTP 500"},
		// A summary out of time (the shadow estate of a large estate) is a
		// warning, and leaves the end of the run its own time to be
		// recorded: the run is not left running.
		{name: "summary out of time is a warning", src: teamsSource{teams: 5}, sumTime: 20 * time.Millisecond,
			summarize: func(ctx context.Context, _ graph.IngestRun) (map[string]int, error) {
				<-ctx.Done()
				return nil, ctx.Err()
			},
			wantStatus: graph.RunSucceeded, wantWarn: "not done within 20ms: context deadline exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newRecordingStore(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			src := tc.src
			if tc.cancel {
				src.cancel = cancel
			}
			rep, _ := ingest.Run(ctx, st, src, ingest.Options{BatchSize: 10, Now: tick(), Summarize: tc.summarize, SummaryTimeout: tc.sumTime})
			if rep.Status != tc.wantStatus {
				t.Fatalf("status %s (%s), want %s", rep.Status, rep.Err, tc.wantStatus)
			}
			first, last := st.records[0], st.records[len(st.records)-1]
			if first.Status != graph.RunRunning || first.ID != rep.ID || first.Source != "test:teams" || !first.Ended.IsZero() {
				t.Errorf("first record %+v, want the run recorded running at its start", first)
			}
			got, err := graph.GetRun(context.Background(), st, rep.ID)
			if err != nil {
				t.Fatalf("the run is not in the store: %v", err)
			}
			if got.Status != tc.wantStatus || got.Ended.IsZero() || last.Status != tc.wantStatus {
				t.Errorf("stored run is %s ended %v, want %s with an end", got.Status, got.Ended, tc.wantStatus)
			}
			if got.Nodes != rep.Nodes || got.Applied != rep.Applied || len(got.Errors) != tc.wantErrs || got.ErrorCount != len(rep.Errors) {
				t.Errorf("stored run: nodes %d applied %+v errors %d of %d; report: nodes %d applied %+v errors %d",
					got.Nodes, got.Applied, len(got.Errors), got.ErrorCount, rep.Nodes, rep.Applied, len(rep.Errors))
			}
			if fmt.Sprint(got.Summary) != fmt.Sprint(tc.wantSum) {
				t.Errorf("summary %v, want %v", got.Summary, tc.wantSum)
			}
			if tc.wantWarn != "" && (got.WarningCount != 1 || got.Warnings[0].Err != tc.wantWarn) {
				t.Errorf("warnings %+v, want the summary failure", got.Warnings)
			}
			if tc.src.teams == 50 {
				// 5 batches, a clock second per reading: progress is
				// recorded between start and end, with growing counts.
				if len(st.records) < 4 {
					t.Fatalf("%d records written, want start, progress and end", len(st.records))
				}
				for i := 1; i < len(st.records)-1; i++ {
					if r := st.records[i]; r.Status != graph.RunRunning || r.Nodes <= st.records[i-1].Nodes {
						t.Errorf("progress record %d: %s with %d nodes after %d", i, r.Status, r.Nodes, st.records[i-1].Nodes)
					}
				}
			}
		})
	}
}

// A store that cannot record runs does not cost the ingest its result.
func TestRecordFailureKeepsTheRun(t *testing.T) {
	st := newRecordingStore(t)
	st.fail = true
	rep, err := ingest.Run(context.Background(), st, teamsSource{teams: 3}, ingest.Options{})
	if err != nil || rep.Status != graph.RunSucceeded {
		t.Fatalf("run %s, %v; want succeeded", rep.Status, err)
	}
	if rep.RecordErr == "" {
		t.Error("report does not say the run record could not be written")
	}
	n, err := st.Node(context.Background(), graph.Ref{Kind: graph.KindTeam, Key: "team-002"})
	if err != nil || n == nil {
		t.Errorf("ingested data lost: %v", err)
	}
}

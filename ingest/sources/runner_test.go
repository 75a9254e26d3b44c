package sources_test

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/ingesttest"
	"github.com/estate-cmdb/estate/ingest/sources"
)

// TestSchedule: a server's schedules start runs by themselves, recorded as
// started by the schedule; a missed time is caught up once at start, a
// recent run is not repeated, a source that never ran waits for its time,
// and a time that comes while the source still runs is skipped.
func TestSchedule(t *testing.T) {
	// A git remote that holds every clone until the test ends: a run that
	// is still running when its next time comes.
	ctx, stop := context.WithCancel(context.Background())
	remote := ingesttest.StuckGitRemote(ctx)
	defer remote.Close()
	defer stop()

	st, err := embedded.Open(t.Context(), t.TempDir(), embedded.Options{NoSync: true, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	missing := t.TempDir()
	file, err := sources.Parse("estate.yaml", []byte(`sources:
  - name: acme-demo          # never ran: runs in a second, then every second
    type: demo
    schedule: "@every 1s"
  - name: weekly             # never ran: waits for Sunday
    type: git
    target: `+missing+`/weekly
    schedule: "@weekly"
  - name: nightly            # last ran 25 hours ago: missed a night
    type: git
    target: `+missing+`/nightly
    schedule: "0 3 * * *"
  - name: hourly             # ran a minute ago: waits for its hour
    type: git
    target: `+missing+`/hourly
    schedule: "@every 1h"
  - name: stuck              # missed its hour; every second from then, but its run never ends
    type: git
    target: `+remote.URL+`/acme/stuck.git
    schedule: "@every 1s"
  - name: by-hand            # no schedule: only a person starts it
    type: git
    target: `+missing+`/by-hand
`))
	if err != nil {
		t.Fatal(err)
	}
	provenance := map[string]string{}
	for _, c := range file.Sources {
		src, err := c.Source(sources.Env{})
		if err != nil {
			t.Fatal(err)
		}
		provenance[c.Name] = src.Name()
	}
	now := time.Now()
	for name, ago := range map[string]time.Duration{"nightly": 25 * time.Hour, "hourly": time.Minute, "stuck": time.Hour} {
		run := graph.IngestRun{ID: "before-" + name, Source: provenance[name], Status: graph.RunSucceeded, Started: now.Add(-ago), Ended: now.Add(-ago + time.Second)}
		if err := st.PutRun(ctx, run); err != nil {
			t.Fatal(err)
		}
	}
	runs := func(name string) []*graph.IngestRun {
		t.Helper()
		p, err := st.ListRuns(t.Context(), graph.RunQuery{Source: provenance[name], First: 100})
		if err != nil {
			t.Fatal(err)
		}
		return p.Runs
	}

	runner := sources.NewRunner(ctx, file, st, sources.Env{Logger: zerolog.Nop()}, ingest.Options{Logger: zerolog.Nop()})
	runner.Schedule()
	// The catch-up starts are made before Schedule returns.
	for name, want := range map[string]int{"acme-demo": 0, "weekly": 0, "nightly": 2, "hourly": 1, "stuck": 2, "by-hand": 0} {
		got := runs(name)
		if len(got) != want {
			t.Errorf("%s: %d runs right after Schedule, want %d", name, len(got), want)
		}
		if want > 1 && got[0].StartedBy != graph.ScheduledBy {
			t.Errorf("%s: newest run started by %q, want %q", name, got[0].StartedBy, graph.ScheduledBy)
		}
	}

	// The demo's timer starts it again; the stuck source's timer finds it
	// running each time.
	deadline := time.Now().Add(10 * time.Second)
	for len(runs("acme-demo")) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := runs("acme-demo"); len(got) < 2 {
		t.Fatalf("acme-demo: %d runs after its schedule's times, want at least 2", len(got))
	}
	for _, r := range runs("acme-demo") {
		if r.StartedBy != graph.ScheduledBy {
			t.Errorf("demo run %s started by %q", r.ID, r.StartedBy)
		}
	}
	if got := runs("stuck"); len(got) != 2 || got[0].Status != graph.RunRunning {
		t.Errorf("stuck: %d runs, want the one before and the one it caught up, still running", len(got))
	}

	byName := map[string]sources.SourceInfo{}
	for _, info := range runner.Sources() {
		byName[info.Name] = info
	}
	if h := byName["hourly"]; h.Schedule != "@every 1h" || h.Next.Before(now.Add(59*time.Minute)) {
		t.Errorf("hourly: schedule %q next %s, want @every 1h about an hour from now", h.Schedule, h.Next)
	}
	if b := byName["by-hand"]; b.Schedule != "" || !b.Next.IsZero() {
		t.Errorf("by-hand: schedule %q next %s, want none", b.Schedule, b.Next)
	}

	// Once the server stops, so do the schedules.
	stop()
	runner.Wait()
	after := len(runs("acme-demo"))
	time.Sleep(1500 * time.Millisecond)
	if got := len(runs("acme-demo")); got != after {
		t.Errorf("acme-demo: %d runs after the runner stopped, then %d", after, got)
	}
}

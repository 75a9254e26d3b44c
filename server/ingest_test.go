package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/demo"
	"github.com/estate-cmdb/estate/ingest/ingesttest"
	"github.com/estate-cmdb/estate/ingest/sources"
	"github.com/estate-cmdb/estate/server/gql/resolver"
)

const runFields = `id source status startedBy started ended nodes edges errorCount warningCount error sweepHeld keptScopes errors { item scope }
	applied { nodesCreated } swept { nodesRemoved } summary { key value } shadowFindings`

type gqlRun struct {
	ID, Source, Status, Error string
	StartedBy                 string
	Ended                     *string
	Nodes                     int
	Applied                   struct{ NodesCreated int }
	Summary                   []struct {
		Key   string
		Value int
	}
	ShadowFindings *int
}

// TestIngestRuns drives configured sources through the API: start, the
// conflict of a second start, progress and the final record, the runs
// behind an entity's sources, and cancellation at shutdown.
func TestIngestRuns(t *testing.T) {
	// A git remote that holds every clone until released: a run that is
	// deterministically still running.
	runCtx, stop := context.WithCancel(context.Background())
	remote := ingesttest.StuckGitRemote(runCtx)
	defer remote.Close()
	defer stop() // before the remote closes: it waits for its requests

	file, err := sources.Parse("estate.yaml", []byte(`sources:
  - name: acme-demo
    type: demo
  - name: stuck
    type: git
    target: `+remote.URL+`/acme/stuck.git
  - name: gh
    type: github
    org: acme
    tokenEnv: ESTATE_TEST_TOKEN_THAT_IS_NOT_SET
`))
	if err != nil {
		t.Fatal(err)
	}
	var runner *sources.Runner
	e := newEnv(t, func(c *envConfig) {
		c.ingest = func(_ testing.TB, s graph.Store) resolver.Ingester {
			runner = sources.NewRunner(runCtx, file, s, sources.Env{Logger: zerolog.Nop()}, ingest.Options{
				Logger: zerolog.Nop(), Summarize: func(ctx context.Context, _ graph.IngestRun) (map[string]int, error) {
					rep, err := analysis.ShadowEstate(ctx, s, time.Now())
					if err != nil {
						return nil, err
					}
					return rep.Summary(), nil
				},
			})
			return runner
		}
	})
	start := `mutation($s: String!) { startIngest(source: $s) { ` + runFields + ` } }`

	// Roles and bad names first: nothing starts.
	for _, tc := range []struct {
		name, token, source, code string
	}{
		{"anonymous", "", "acme-demo", "UNAUTHENTICATED"},
		{"viewer", e.viewer, "acme-demo", "FORBIDDEN"},
		{"unknown source", e.editor, "nope", "NOT_FOUND"},
		{"unbuildable source", e.editor, "gh", "INVALID_INPUT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(t, tc.token, start, map[string]any{"s": tc.source})
			if got := res.codes(); !slices.Equal(got, []string{tc.code}) {
				t.Errorf("codes %v, want [%s]: %s", got, tc.code, res.Raw)
			}
		})
	}

	var started struct{ StartIngest gqlRun }
	e.do(t, e.editor, start, map[string]any{"s": "acme-demo"}).mustData(t, &started)
	if r := started.StartIngest; r.Status != "RUNNING" || r.Source != demo.SourceName || r.Ended != nil || r.ID == "" || r.StartedBy != "test editor" {
		t.Fatalf("startIngest returned %+v, want the demo run, running, started by the editor's token", r)
	}
	var stuck struct{ StartIngest gqlRun }
	e.do(t, e.editor, start, map[string]any{"s": "stuck"}).mustData(t, &stuck)
	if res := e.do(t, e.editor, start, map[string]any{"s": "stuck"}); !slices.Equal(res.codes(), []string{"CONFLICT"}) {
		t.Errorf("second start of a running source: %s, want CONFLICT", res.Raw)
	}

	var listed struct {
		IngestSources []struct {
			Name, Type, Problem string
			Source              *string
			Running             bool
		}
	}
	e.do(t, e.viewer, `{ ingestSources { name type source problem running } }`, nil).mustData(t, &listed)
	got := fmt.Sprint(listed.IngestSources)
	if len(listed.IngestSources) != 3 || !listed.IngestSources[1].Running || listed.IngestSources[2].Source != nil ||
		!strings.Contains(listed.IngestSources[2].Problem, "ESTATE_TEST_TOKEN_THAT_IS_NOT_SET") {
		t.Errorf("ingestSources = %s; want 3 in file order, stuck running, gh unbuildable naming its variable", got)
	}

	// Shutdown: the stuck run is cancelled and recorded failed; the demo
	// run completes first or is cancelled too, never left running.
	for {
		var one struct{ IngestRun gqlRun }
		e.do(t, e.viewer, `query($id: String!) { ingestRun(id: $id) { `+runFields+` } }`, map[string]any{"id": started.StartIngest.ID}).mustData(t, &one)
		if one.IngestRun.Status != "RUNNING" {
			break
		}
	}
	stop()
	runner.Wait()

	var runs struct {
		IngestRuns struct {
			TotalCount int
			Nodes      []gqlRun
			PageInfo   struct{ HasNextPage bool }
		}
	}
	e.do(t, e.viewer, `{ ingestRuns { totalCount nodes { `+runFields+` } pageInfo { hasNextPage } } }`, nil).mustData(t, &runs)
	if runs.IngestRuns.TotalCount != 2 {
		t.Fatalf("ingestRuns total %d, want 2: %+v", runs.IngestRuns.TotalCount, runs.IngestRuns.Nodes)
	}
	byID := map[string]gqlRun{}
	for _, r := range runs.IngestRuns.Nodes {
		byID[r.ID] = r
	}
	d := byID[started.StartIngest.ID]
	if d.Status != "SUCCEEDED" || d.Ended == nil || d.Nodes == 0 || d.Applied.NodesCreated == 0 || d.StartedBy != "test editor" {
		t.Errorf("demo run %+v, want succeeded with what it created", d)
	}
	if d.ShadowFindings == nil || *d.ShadowFindings == 0 || len(d.Summary) != len(analysis.FindingKinds)+2 ||
		d.Summary[0] != (struct {
			Key   string
			Value int
		}{"shadow.accepted", 0}) || d.Summary[1].Key != "shadow.application-without-service" {
		t.Errorf("demo run summary %+v shadowFindings %v; want every finding kind sorted, the accepted and the total", d.Summary, d.ShadowFindings)
	}
	s := byID[stuck.StartIngest.ID]
	if s.Status != "FAILED" || s.Ended == nil || s.Error == "" {
		t.Errorf("cancelled run %+v, want failed with its error", s)
	}

	// Prometheus sees when each source last succeeded: the demo when its
	// run ended; the stuck source, which failed, not at all.
	ended, err := time.Parse(time.RFC3339Nano, *d.Ended)
	if err != nil {
		t.Fatal(err)
	}
	_, _, metrics := e.get(t, "/metrics")
	want := fmt.Sprintf(`estate_ingest_last_success_timestamp_seconds{source="acme-demo"} %g`, float64(ended.UnixNano())/1e9)
	if !strings.Contains(metrics, want) || strings.Contains(metrics, `last_success_timestamp_seconds{source="stuck"}`) {
		t.Errorf("/metrics: want %s and no sample for stuck; got %q", want, slices.DeleteFunc(strings.Split(metrics, "\n"), func(l string) bool { return !strings.Contains(l, "estate_ingest") }))
	}
	// And the shadow estate the demo run counted, by kind (the stuck run,
	// later, counted nothing); the accepted findings are no kind.
	for _, f := range d.Summary {
		kind, ok := strings.CutPrefix(f.Key, "shadow.")
		if want := fmt.Sprintf("estate_shadow_findings{kind=%q} %d", kind, f.Value); ok && kind != "total" && kind != "accepted" && !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(metrics, `estate_shadow_findings{kind="accepted"}`) || !strings.Contains(metrics, "\nestate_shadow_findings_accepted 0\n") {
		t.Error("/metrics counts the accepted findings as a kind of finding, or not on their own")
	}

	// Filters and paging.
	for _, tc := range []struct {
		args string
		want []string
	}{
		{`source: "` + demo.SourceName + `"`, []string{d.ID}},
		{`status: FAILED`, []string{s.ID}},
		{`status: PARTIAL`, nil},
	} {
		var page struct {
			IngestRuns struct{ Nodes []gqlRun }
		}
		e.do(t, e.viewer, `{ ingestRuns(`+tc.args+`) { nodes { id } } }`, nil).mustData(t, &page)
		var ids []string
		for _, r := range page.IngestRuns.Nodes {
			ids = append(ids, r.ID)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("ingestRuns(%s) = %v, want %v", tc.args, ids, tc.want)
		}
	}
	var p1 struct {
		IngestRuns struct {
			Edges    []struct{ Cursor string }
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
		}
	}
	e.do(t, e.viewer, `{ ingestRuns(first: 1) { edges { cursor } pageInfo { hasNextPage endCursor } } }`, nil).mustData(t, &p1)
	var p2 struct {
		IngestRuns struct {
			Nodes    []gqlRun
			PageInfo struct{ HasNextPage bool }
		}
	}
	e.do(t, e.viewer, `query($a: String) { ingestRuns(first: 1, after: $a) { nodes { id } pageInfo { hasNextPage } } }`,
		map[string]any{"a": p1.IngestRuns.PageInfo.EndCursor}).mustData(t, &p2)
	if !p1.IngestRuns.PageInfo.HasNextPage || len(p2.IngestRuns.Nodes) != 1 || p2.IngestRuns.PageInfo.HasNextPage ||
		p2.IngestRuns.Nodes[0].ID != runs.IngestRuns.Nodes[1].ID {
		t.Errorf("paging by one: %+v then %+v, want the two runs newest first", p1, p2)
	}

	// The runs behind an entity's sources: the demo run for what it
	// asserted; none for the fixture's sources, whose runs are not recorded.
	var ent struct {
		Entity struct {
			Sources []struct {
				Source    string
				IngestRun *struct{ ID, Status string }
			}
		}
	}
	e.do(t, e.viewer, `{ entity(kind: Service, key: "payments") { sources { source ingestRun { id status } } } }`, nil).mustData(t, &ent)
	var seen []string
	for _, a := range ent.Entity.Sources {
		switch {
		case a.Source == demo.SourceName && (a.IngestRun == nil || a.IngestRun.ID != d.ID || a.IngestRun.Status != "SUCCEEDED"):
			t.Errorf("demo assertion's run = %+v, want %s", a.IngestRun, d.ID)
		case a.Source != demo.SourceName && a.IngestRun != nil:
			t.Errorf("%s assertion has run %+v, want null", a.Source, a.IngestRun)
		}
		seen = append(seen, a.Source)
	}
	if !slices.Contains(seen, demo.SourceName) {
		t.Errorf("payments sources %v, want the demo among them", seen)
	}

	// And the runs behind its recorded changes: the demo run's, no other.
	var hist struct {
		Entity struct {
			History struct {
				Nodes []struct {
					Source, Run string
					IngestRun   *struct{ ID string }
				}
			}
		}
	}
	e.do(t, e.viewer, `{ entity(kind: Service, key: "payments") { ... on Service { history(first: 100) { nodes { source run ingestRun { id } } } } } }`, nil).mustData(t, &hist)
	byDemo := 0
	for _, ev := range hist.Entity.History.Nodes {
		switch {
		case ev.Source == demo.SourceName && (ev.IngestRun == nil || ev.IngestRun.ID != d.ID || ev.Run != d.ID):
			t.Errorf("demo change's run = %q %+v, want %s", ev.Run, ev.IngestRun, d.ID)
		case ev.Source != demo.SourceName && ev.IngestRun != nil:
			t.Errorf("%s change (run %q) has ingest run %+v, want null", ev.Source, ev.Run, ev.IngestRun)
		}
		if ev.Source == demo.SourceName {
			byDemo++
		}
	}
	if byDemo == 0 {
		t.Errorf("payments history %+v: want changes by the demo run", hist.Entity.History.Nodes)
	}

	for _, tc := range []struct {
		name, query, code string
	}{
		{"page too large", `{ ingestRuns(first: 1000) { totalCount } }`, "LIMIT_EXCEEDED"},
		{"bad cursor", `{ ingestRuns(after: "garbage!") { totalCount } }`, "INVALID_INPUT"},
		{"empty id", `{ ingestRun(id: " ") { id } }`, "INVALID_INPUT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if res := e.do(t, e.viewer, tc.query, nil); !slices.Contains(res.codes(), tc.code) {
				t.Errorf("codes %v, want %s: %s", res.codes(), tc.code, res.Raw)
			}
		})
	}
	var none struct{ IngestRun *gqlRun }
	e.do(t, e.viewer, `{ ingestRun(id: "no-such-run") { id } }`, nil).mustData(t, &none)
	if none.IngestRun != nil {
		t.Errorf("unknown run = %+v, want null", none.IngestRun)
	}
	// After shutdown nothing more starts.
	if res := e.do(t, e.editor, start, map[string]any{"s": "acme-demo"}); !slices.Equal(res.codes(), []string{"UNAVAILABLE"}) {
		t.Errorf("start after shutdown: %s, want UNAVAILABLE", res.Raw)
	}
}

// Without a configuration the API says so rather than failing.
func TestIngestWithoutConfig(t *testing.T) {
	e := newEnv(t)
	var d struct{ IngestSources []any }
	e.do(t, e.viewer, `{ ingestSources { name } }`, nil).mustData(t, &d)
	if len(d.IngestSources) != 0 {
		t.Errorf("ingestSources = %v, want none", d.IngestSources)
	}
	res := e.do(t, e.editor, `mutation { startIngest(source: "demo") { id } }`, nil)
	if !slices.Equal(res.codes(), []string{"NOT_FOUND"}) || !strings.Contains(string(res.Raw), "--config") {
		t.Errorf("startIngest without config: %s, want NOT_FOUND pointing at --config", res.Raw)
	}
}

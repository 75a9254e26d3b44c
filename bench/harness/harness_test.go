package harness

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph/neo4j"
	"github.com/estate-cmdb/estate/ingest/synthetic"
	"github.com/estate-cmdb/estate/internal/testdep"
)

// smoke runs the harness once on the S tier against one store, with small
// budgets: it checks that every figure is measured and that every answer
// agrees with the generator and the peers. It asserts answers, never
// timings. heapProfile, when set, is where F6 writes its heap profile.
func smoke(t *testing.T, store, heapProfile string) *Result {
	t.Helper()
	cfg := Config{HeapProfile: heapProfile,
		Tier: synthetic.TierS, Seed: 1, Runs: 1, Stores: []string{store}, Dir: t.TempDir(), Samples: 20, NoSync: true,
		QueryBudget: Budget{Count: 20, Time: 200 * time.Millisecond},
		LoadBudget:  Budget{Count: 100, Time: 200 * time.Millisecond},
		PageSize:    5000, PageLatency: time.Millisecond, DirectBatchSizes: []int{5000},
		Neo4j: neo4j.Config{
			URI: os.Getenv("ESTATE_NEO4J_URI"), User: os.Getenv("ESTATE_NEO4J_USER"),
			Password: os.Getenv("ESTATE_NEO4J_PASSWORD"), Database: os.Getenv("ESTATE_NEO4J_DATABASE"),
		},
	}
	cfg.Progress = t.Output()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("harness on S/%s: %v", store, err)
	}
	return res
}

func checkResult(t *testing.T, res *Result, store string) {
	t.Helper()
	counts := synthetic.Counts(synthetic.TierS)
	want := 0
	for _, n := range counts {
		want += n
	}
	if res.Generated.Nodes != want {
		t.Errorf("generated %d nodes, the tier table says %d", res.Generated.Nodes, want)
	}
	if len(res.Stores) != 1 || res.Stores[0].Store != store {
		t.Fatalf("result has stores %+v, want only %s", res.Stores, store)
	}
	sr := res.Stores[0]
	for _, f := range res.Failed() {
		t.Errorf("wrong answer: %s", f)
	}
	// The checks that prove the syncs and answers are there.
	for _, name := range []string{
		"run 1 cold: nodes stored", "run 1 cold: relationships stored", "run 1 no-op: items created", "run 1 no-op: items swept",
		"run 1 churn: nodes swept", "run 1 churn: nodes stored", "run 1 churn: relationships stored",
		"F3 impact depth 4, hot starts: starts whose affected count differs from the floor's reach",
		"F3 impact depth 4, hot starts: starts whose Store.Traverse hit count differs from the floor's reach",
		"F4: subjects whose direct owners differ from the generator's",
		"F4 shadow estate: reports whose counts per kind do not add up, or without unowned resources",
		"F5 nested query: requests whose GraphQL answer differs in size from the plain handler's",
		"F5 owner lookup: requests whose GraphQL answer differs in size from the plain handler's",
		"F6 reopen: nodes",
	} {
		found := false
		for _, c := range sr.Checks {
			found = found || c.Name == name
		}
		if !found {
			t.Errorf("no check %q", name)
		}
	}
	// Every figure is measured, by estate and by its peer where it has one.
	by := map[string]map[string]bool{}
	for _, m := range sr.Metrics {
		if by[m.Figure] == nil {
			by[m.Figure] = map[string]bool{}
		}
		by[m.Figure][m.By] = true
		if len(m.Values) != 1 || m.Median != m.Values[0] {
			t.Errorf("%s %s %s %s: values %v, median %v", m.Figure, m.What, m.By, m.Unit, m.Values, m.Median)
		}
	}
	by["F5"]["estate"] = by["F5"]["GraphQL"]
	for _, f := range Figures {
		if !by[f]["estate"] {
			t.Errorf("%s not measured on %s", f, store)
		}
	}
	for f, peer := range map[string]string{"F1": "plain maps (ceiling)", "F3": "compact-array BFS (floor)", "F4": "direct map lookup (floor)",
		"F5": "plain net/http + encoding/json", "F6": "naive map-of-slices graph"} {
		if !by[f][peer] {
			t.Errorf("%s has no %q peer on %s", f, peer, store)
		}
	}
	// F3 names the size of its p99 answer: one of the answers it measured.
	f3 := map[string]map[string]float64{}
	for _, m := range sr.Metrics {
		if m.Figure == "F3" && m.By == "estate" {
			if f3[m.What] == nil {
				f3[m.What] = map[string]float64{}
			}
			f3[m.What][m.Unit] = m.Median
		}
	}
	for what, u := range f3 {
		at, ok := u["items reached by the p99 answer"]
		if !ok || at < 0 || at > u["items reached (max)"] {
			t.Errorf("F3 %s: the p99 answer reached %v items (recorded: %v), want 0 to the most any reached (%v)", what, at, ok, u["items reached (max)"])
		}
		// A start's median is one of its samples: at most the slowest.
		if m, ok := u["µs p99 of each start's median"]; !ok || m <= 0 || m > u["µs max"] {
			t.Errorf("F3 %s: p99 of each start's median %v µs (recorded: %v), want above 0 and at most the slowest sample (%v µs)", what, m, ok, u["µs max"])
		}
	}
	// F6's heap is what the reopened embedded store adds to the live heap.
	// It holds at least the compact arrays' adjacency plus every node's and
	// relationship's 16-byte id; a figure below that (or above a GiB for ten
	// thousand nodes) counted the closed store's memory as well.
	heapMiB := map[string]float64{}
	for _, m := range sr.Metrics {
		if m.Figure == "F6" && m.What == "heap" {
			heapMiB[m.By] = m.Median
		}
	}
	if store == StoreEmbedded {
		least := heapMiB["compact arrays (floor)"] + float64(16*(res.Generated.ChurnNodes+res.Generated.ChurnEdges))/(1<<20)
		if got := heapMiB["estate"]; got < least || got >= 1024 {
			t.Errorf("F6 heap of the embedded store: %v MiB, want between %.2f MiB (compact arrays and ids) and 1 GiB", got, least)
		}
	}
	if store == StoreNeo4j {
		if !by["F1"]["raw driver UNWIND+MERGE, batches of 5000"] || !by["F1"]["raw driver UNWIND+MERGE, batches of 5000, with the store's audit rows"] ||
			!by["F3"]["same Cypher, raw driver"] {
			t.Errorf("Neo4j peers missing: %v, %v", by["F1"], by["F3"])
		}
		if res.Machine.Neo4j == "" {
			t.Error("Neo4j version not recorded")
		}
	}
	var md bytes.Buffer
	if err := res.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(res.PeakRSS, " GiB") {
		t.Errorf("peak RSS %q, want it recorded in GiB", res.PeakRSS)
	}
	for _, s := range []string{"| F1 | cold sync | estate | ", "#### " + store, "Answer checks: ", "peak RSS " + res.PeakRSS} {
		if !strings.Contains(md.String(), s) {
			t.Errorf("Markdown lacks %q:\n%s", s, md.String())
		}
	}
}

func TestSmokeEmbedded(t *testing.T) {
	heap := filepath.Join(t.TempDir(), "heap.pprof")
	checkResult(t, smoke(t, StoreEmbedded, heap), StoreEmbedded)
	// go tool pprof reads a gzipped protocol buffer.
	if b, err := os.ReadFile(heap); err != nil || len(b) < 100 || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Errorf("F6 heap profile: %d bytes, %v; want a gzipped profile", len(b), err)
	}
}

func TestSmokeNeo4j(t *testing.T) {
	testdep.Env(t, "ESTATE_NEO4J_URI", "ESTATE_REQUIRE_NEO4J", "scripts/neo4j.sh")
	checkResult(t, smoke(t, StoreNeo4j, ""), StoreNeo4j)
}

// TestLatenciesSample: the operation Sample names is the one whose
// duration Percentiles reports; equal durations keep the order they were
// timed in.
// us returns latencies of the given microseconds.
func us(ds ...int) Latencies {
	var l Latencies
	for _, d := range ds {
		l = append(l, time.Duration(d)*time.Microsecond)
	}
	return l
}

func TestLatenciesMedians(t *testing.T) {
	for _, tc := range []struct {
		lat    Latencies
		starts int
		want   Latencies
	}{
		// Two starts, three passes: start 0 took 1, 3, 2; start 1 10, 30, 20.
		{us(1, 10, 3, 30, 2, 20), 2, us(2, 20)},
		// Two passes: the slower middle one.
		{us(5, 1, 9, 3), 2, us(9, 3)},
		// The last pass cut short by the time budget.
		{us(4, 8, 6), 2, us(6, 8)},
		{us(7), 3, us(7)},
		{nil, 2, Latencies{}},
	} {
		if got := tc.lat.Medians(tc.starts); !slices.Equal(got, tc.want) {
			t.Errorf("%v.Medians(%d) = %v, want %v", tc.lat, tc.starts, got, tc.want)
		}
	}
}

func TestLatenciesSample(t *testing.T) {
	for _, tc := range []struct {
		lat       Latencies
		p         float64
		want      int
		wantValue float64 // what Percentiles gives for p
	}{
		{us(5, 1, 9, 3), 0.50, 0, 5},
		{us(5, 1, 9, 3), 0.99, 2, 9},
		{us(4, 4, 4), 0.50, 1, 4},
		{us(7), 0.99, 0, 7},
		{nil, 0.99, -1, 0},
	} {
		got := tc.lat.Sample(tc.p)
		if got != tc.want {
			t.Errorf("%v.Sample(%v) = %d, want %d", tc.lat, tc.p, got, tc.want)
		}
		p50, p99, _ := tc.lat.Percentiles()
		v := map[float64]float64{0.50: p50, 0.99: p99}[tc.p]
		if v != tc.wantValue || (got >= 0 && float64(tc.lat[got].Microseconds()) != v) {
			t.Errorf("%v: percentile %v is %v µs, operation %d took %v", tc.lat, tc.p, v, got, tc.lat[max(got, 0)])
		}
	}
}

package neo4j

// Tests read these environment variables:
//
//	ESTATE_NEO4J_URI, ESTATE_NEO4J_USER, ESTATE_NEO4J_PASSWORD  the server
//	    (what `scripts/neo4j.sh start` prints); without a URI the tests skip
//	ESTATE_NEO4J_DATABASE        database (default neo4j)
//	ESTATE_REQUIRE_NEO4J=1       fail instead of skipping without a server (CI)
//
// Stores are isolated by namespace: each harness call takes a free slot
// (namespaces gt0_, gt1_, ...; a test holds at most a few at once), wipes it
// and gives it back at cleanup, so the schema of each namespace is created
// once and per-test setup is one DETACH DELETE.
//
// The tests that stop and kill the server are in restart_test.go, behind the
// neo4j_restart build tag, so that they never run beside other packages.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis/analysistest"
	"github.com/estate-cmdb/estate/graph/governance/governancetest"
	"github.com/estate-cmdb/estate/graph/graphtest"
	"github.com/estate-cmdb/estate/internal/testdep"
)

// requireServer skips (or, with ESTATE_REQUIRE_NEO4J=1, fails) the test
// when no Neo4j is configured.
func requireServer(t testing.TB) {
	t.Helper()
	testdep.Env(t, "ESTATE_NEO4J_URI", "ESTATE_REQUIRE_NEO4J", "scripts/neo4j.sh")
}

func testConfig(namespace string) Config {
	return Config{
		URI: os.Getenv("ESTATE_NEO4J_URI"), User: os.Getenv("ESTATE_NEO4J_USER"),
		Password: os.Getenv("ESTATE_NEO4J_PASSWORD"), Database: os.Getenv("ESTATE_NEO4J_DATABASE"),
		Namespace: namespace, Logger: zerolog.Nop(),
	}
}

// slots hands out test namespaces.
var slots struct {
	sync.Mutex
	busy []bool
}

func takeSlot() int {
	slots.Lock()
	defer slots.Unlock()
	for i, b := range slots.busy {
		if !b {
			slots.busy[i] = true
			return i
		}
	}
	slots.busy = append(slots.busy, true)
	return len(slots.busy) - 1
}

func releaseSlot(i int) {
	slots.Lock()
	slots.busy[i] = false
	slots.Unlock()
}

// openStore opens a fresh, empty store in a free namespace.
func openStore(t testing.TB) *Store {
	t.Helper()
	requireServer(t)
	slot := takeSlot()
	s, err := Open(context.Background(), testConfig(fmt.Sprintf("gt%d_", slot)))
	if err != nil {
		releaseSlot(slot)
		t.Fatalf("Open: %v", err)
	}
	if err := s.wipe(context.Background()); err != nil {
		s.Close()
		releaseSlot(slot)
		t.Fatalf("wipe namespace %s: %v", s.ns, err)
	}
	t.Cleanup(func() {
		s.Close()
		releaseSlot(slot)
	})
	return s
}

func harness(t testing.TB) graph.Store { return openStore(t) }

// wipe deletes every node and relationship of the store's namespace.
func (s *Store) wipe(ctx context.Context) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.cfg.Database, BookmarkManager: s.bm})
	defer sess.Close(ctx)
	for _, label := range []string{s.entity(), s.runLabel(), s.auditLabel(), s.redirectLabel()} {
		res, err := sess.Run(ctx, "MATCH (n:"+label+") CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS", nil)
		if err != nil {
			return err
		}
		if _, err := res.Consume(ctx); err != nil {
			return err
		}
	}
	return nil
}

// TestAnswers runs the answers' hand-checked expectations on the demo
// estate against Neo4j: the same as on the embedded store.
func TestAnswers(t *testing.T) {
	requireServer(t)
	analysistest.Run(t, harness)
}

// TestGovernance runs change governance's hand-checked assessments and
// metrics against Neo4j: the same as on the embedded store.
func TestGovernance(t *testing.T) {
	requireServer(t)
	governancetest.Run(t, harness)
}

func TestConformance(t *testing.T) {
	requireServer(t)
	graphtest.RunConformance(t, harness)
}

func BenchmarkStore(b *testing.B) {
	requireServer(b)
	graphtest.RunBenchmarks(b, harness)
}

// TestOpenWhileDown needs no server: nothing listens on the port, yet Open
// succeeds, and calls fail fast with UNAVAILABLE.
func TestOpenWhileDown(t *testing.T) {
	cfg := Config{URI: "bolt://127.0.0.1:1", Password: "secret", ConnectTimeout: time.Second, MaxRetryTime: time.Second}
	start := time.Now()
	s, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open with Neo4j down: %v, want a store", err)
	}
	defer s.Close()
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Open with Neo4j down took %v", took)
	}
	calls := map[string]func() error{
		"Ping":  func() error { return s.Ping(t.Context()) },
		"Apply": func() error { _, err := s.Apply(t.Context(), graphtest.SmallEstate()); return err },
		"Node":  func() error { _, err := s.Node(t.Context(), graph.Ref{Kind: graph.KindService, Key: "x"}); return err },
		"List":  func() error { _, err := s.List(t.Context(), graph.ListQuery{}); return err },
	}
	for name, call := range calls {
		start := time.Now()
		err := call()
		if !errors.Is(err, graph.ErrUnavailable) {
			t.Errorf("%s with Neo4j down: %v, want UNAVAILABLE", name, err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s with Neo4j down took %v, want a fast failure", name, took)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s error shows the password: %v", name, err)
		}
	}
}

func TestOpenRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"NoURI":        {},
		"BadNamespace": {URI: "bolt://127.0.0.1:1", Namespace: "a-b`"},
		"BadScheme":    {URI: "http://127.0.0.1:7474"},
	} {
		if s, err := Open(t.Context(), cfg); err == nil {
			s.Close()
			t.Errorf("%s: Open succeeded", name)
		}
	}
}

func TestOpenRejectsWrongPassword(t *testing.T) {
	requireServer(t)
	cfg := testConfig("gt0_")
	cfg.Password += "-wrong"
	s, err := Open(t.Context(), cfg)
	if err == nil {
		s.Close()
		t.Fatal("Open with a wrong password succeeded")
	}
	if strings.Contains(err.Error(), cfg.Password) {
		t.Errorf("error shows the password: %v", err)
	}
}

// cypherRunner returns a function that runs Cypher straight on s's
// database, failing t on an error, for tests that look under the store.
func cypherRunner(t *testing.T, s *Store) func(cypher string, params map[string]any) []*neo4j.Record {
	return func(cypher string, params map[string]any) []*neo4j.Record {
		t.Helper()
		res, err := neo4j.ExecuteQuery(t.Context(), s.driver, cypher, params, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(s.cfg.Database))
		if err != nil {
			t.Fatal(err)
		}
		return res.Records
	}
}

// TestSchema checks the versioned schema: the version node, the
// constraints and indexes, and that opening again changes nothing.
func TestSchema(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	query := cypherRunner(t, s)
	recs := query("MATCH (v:EstateSchema {namespace: $ns}) RETURN v.version", map[string]any{"ns": s.ns})
	if len(recs) != 1 || recs[0].Values[0] != int64(SchemaVersion) {
		t.Fatalf("schema version node: %v, want one with version %d", recs, SchemaVersion)
	}
	schema := func() map[string]string {
		names := map[string]string{}
		for _, r := range query("SHOW INDEXES YIELD name, type, state RETURN name, type, state", nil) {
			if strings.HasPrefix(r.Values[0].(string), s.schemaName()) && r.Values[2] != "ONLINE" {
				t.Errorf("index %s is %s", r.Values[0], r.Values[2])
			}
			names["index "+r.Values[0].(string)] = r.Values[1].(string)
		}
		for _, r := range query("SHOW CONSTRAINTS YIELD name, type RETURN name, type", nil) {
			names["constraint "+r.Values[0].(string)] = r.Values[1].(string)
		}
		return names
	}
	names := schema()
	want := map[string]string{
		"constraint " + s.schemaName("entity_id"):             "UNIQUENESS",
		"constraint " + s.schemaName("service_key"):           "UNIQUENESS",
		"constraint " + s.schemaName("depends_on_id"):         "RELATIONSHIP_UNIQUENESS",
		"index " + s.schemaName("entity_search"):              "TEXT",
		"constraint " + s.schemaName("ingest_run_id"):         "UNIQUENESS",
		"index " + s.schemaName("ingest_run_started"):         "RANGE",
		"index " + s.schemaName("audit", "a"):                 "RANGE",
		"index " + s.schemaName("audit", "b"):                 "RANGE",
		"index " + s.schemaName("change", "label", "month"):   "RANGE",
		"index " + s.schemaName("change", "label", "status"):  "RANGE",
		"index " + s.schemaName("incident", "label", "month"): "RANGE",
	}
	for name, typ := range want {
		if names[name] != typ {
			t.Errorf("schema: %s is %q, want %s", name, names[name], typ)
		}
	}
	// Opening again, even with a fresh Store, is a no-op.
	s2, err := Open(ctx, testConfig(s.ns))
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if after := schema(); fmt.Sprint(after) != fmt.Sprint(names) {
		t.Errorf("reopening changed the schema:\n%v\n%v", names, after)
	}
	// A database migrated by a newer estate is refused, not misread.
	query("MATCH (v:EstateSchema {namespace: $ns}) SET v.version = $v", map[string]any{"ns": s.ns, "v": int64(SchemaVersion + 1)})
	defer query("MATCH (v:EstateSchema {namespace: $ns}) SET v.version = $v", map[string]any{"ns": s.ns, "v": int64(SchemaVersion)})
	if s3, err := Open(ctx, testConfig(s.ns)); err == nil {
		s3.Close()
		t.Error("Open of a schema newer than this estate succeeded")
	}
}

// TestNamespacesAreIsolated: two stores in one database see only their own
// data.
func TestNamespacesAreIsolated(t *testing.T) {
	a, b := openStore(t), openStore(t)
	graphtest.MustApply(t, a, graphtest.SmallEstate())
	st, err := b.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.TotalNodes() != 0 || st.TotalEdges() != 0 {
		t.Errorf("other namespace sees %d nodes, %d relationships", st.TotalNodes(), st.TotalEdges())
	}
	got, err := b.Search(t.Context(), graph.SearchQuery{Text: "pay"})
	if err != nil || len(got) != 0 {
		t.Errorf("other namespace's Search = %d nodes, %v", len(got), err)
	}
	run := graph.IngestRun{ID: "r1", Source: "demo", Status: graph.RunSucceeded, Started: graphtest.T0}
	if err := a.PutRun(t.Context(), run); err != nil {
		t.Fatal(err)
	}
	runs, err := b.ListRuns(t.Context(), graph.RunQuery{})
	if err != nil || runs.TotalCount != 0 {
		t.Errorf("other namespace's ListRuns = %+v, %v; want none", runs, err)
	}
}

// TestHotQueryPlans fails when the planner turns a hot read into an Eager
// or CartesianProduct plan, or stops using the indexes.
func TestHotQueryPlans(t *testing.T) {
	s := openStore(t)
	graphtest.MustApply(t, s, graphtest.SmallEstate())
	q := graph.TraverseQuery{Starts: []graph.ID{graph.NodeID(graph.KindApplication, graphtest.EstatePaymentsAPI)}, MaxDepth: 4,
		Steps: []graph.Step{{Type: graph.RelDependsOn, Direction: graph.In}, {Type: graph.RelPartOf, Direction: graph.Out},
			{Type: graph.RelOwns, Direction: graph.Both}}}
	nq, _ := graph.NeighborQuery{}.Normalize()
	cases := map[string]struct {
		cypher string
		want   []string // operators the plan must use
	}{
		"Neighbors": {s.neighborsQuery(nq), []string{"NodeUniqueIndexSeek"}},
		"Traverse":  {s.traverseQuery(q), []string{"NodeUniqueIndexSeek"}},
		"Nodes":     {"UNWIND $ids AS id MATCH (n:" + s.entity() + " {id: id}) RETURN id, properties(n) AS n", []string{"NodeUniqueIndexSeek"}},
		"Search":    {s.bySearch("text") + " RETURN n", []string{"NodeIndexContainsScan"}},
		"ScanNodes": {s.scanNodesQuery(graph.KindApplication), []string{"NodeUniqueIndexSeekByRange"}},
		"Edges":     {s.relsByID(graph.RelOwns, "ids") + " RETURN r", []string{"DirectedRelationshipUniqueIndexSeek"}},
		// Limit, not Top, under the union: each branch reads its index in
		// order and stops at the page size.
		"History": {s.historyQuery(), []string{"NodeIndexSeek", "Limit"}},
	}
	// A month of change history, and its count: the listed label's index.
	month, _ := graph.ListQuery{Kinds: []graph.Kind{graph.KindChange}, Labels: map[string]string{"month": "2026-11", "history": "monthly"}, First: 50}.Normalize()
	page, count, _ := s.listStatements(month)
	cases["ListByListedLabel"] = struct {
		cypher string
		want   []string
	}{page, []string{"NodeIndexSeek"}}
	cases["CountByListedLabel"] = struct {
		cypher string
		want   []string
	}{count, []string{"NodeIndexSeek"}}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := neo4j.ExecuteQuery(t.Context(), s.driver, "EXPLAIN "+c.cypher, map[string]any{}, neo4j.EagerResultTransformer,
				neo4j.ExecuteQueryWithDatabase(s.cfg.Database))
			if err != nil {
				t.Fatal(err)
			}
			// The root's string representation is the whole plan (the
			// driver's Children() is unreliable for plans with Apply).
			plan, _ := res.Summary.Plan().Arguments()["string-representation"].(string)
			if plan == "" {
				t.Fatal("no string representation of the plan")
			}
			ops := map[string]bool{}
			for _, line := range strings.Split(plan, "\n") {
				f := strings.Fields(strings.Trim(line, "|+ "))
				if len(f) > 0 {
					ops[strings.SplitN(f[0], "@", 2)[0]] = true
				}
			}
			for _, bad := range []string{"Eager", "CartesianProduct", "AllNodesScan", "NodeByLabelScan"} {
				if ops[bad] {
					t.Errorf("plan uses %s:\n%s", bad, plan)
				}
			}
			for _, w := range c.want {
				if !ops[w] {
					t.Errorf("plan does not use %s: %s", w, plan)
				}
			}
		})
	}
}

// --- Raw-driver baseline ----------------------------------------------------

// BenchmarkBaseline runs what BenchmarkStore measures directly through the
// driver, without this package's layer: the same writes as plain
// UNWIND+MERGE statements of precomputed property maps (no locking read, no
// merge in Go, no validation) — alone, and with the audit rows the store
// writes for every created item (the like-for-like peer) — and the very
// Cypher the store runs for neighbours and the depth-4 traversal with the
// records left undecoded. BenchmarkStore/X divided by BenchmarkBaseline/X
// is the layer's overhead.
func BenchmarkBaseline(b *testing.B) {
	requireServer(b)
	prepare := func(b *testing.B, s *Store, batch graph.Batch) *Rows {
		r, err := s.Direct().Encode(b.Context(), batch)
		if err != nil {
			b.Fatal(err)
		}
		return r
	}
	write := func(b *testing.B, s *Store, r *Rows, audit bool) {
		if err := s.Direct().Load(b.Context(), r, LoadOptions{Audit: audit}); err != nil {
			b.Fatal(err)
		}
	}
	for _, audit := range []bool{false, true} {
		name := "Apply/Create1k"
		if audit {
			name += "Audited"
		}
		b.Run(name, func(b *testing.B) {
			s := openStore(b)
			i := 0
			for b.Loop() {
				b.StopTimer()
				r := prepare(b, s, graphtest.SyntheticEstate(fmt.Sprintf("c%06d-", i), 1000))
				i++
				b.StartTimer()
				write(b, s, r, audit)
			}
			b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "nodes/s")
		})
	}
	b.Run("Apply/Update1k", func(b *testing.B) {
		s := openStore(b)
		r := prepare(b, s, graphtest.SyntheticEstate("u-", 1000))
		write(b, s, r, false)
		for b.Loop() {
			write(b, s, r, false)
		}
		b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "nodes/s")
	})

	s := openStore(b)
	estate := graphtest.SyntheticEstate("", 5000)
	graphtest.MustApply(b, s, estate)
	var apps []graph.ID
	for _, n := range estate.Nodes {
		if n.Kind == graph.KindApplication {
			apps = append(apps, n.Ref().ID())
		}
	}
	raw := func(b *testing.B, cypher string, params map[string]any, check func(int)) {
		for b.Loop() {
			sess := s.driver.NewSession(b.Context(), neo4j.SessionConfig{DatabaseName: s.cfg.Database, AccessMode: neo4j.AccessModeRead})
			n, err := sess.ExecuteRead(b.Context(), func(tx neo4j.ManagedTransaction) (any, error) {
				recs, err := collect(b.Context(), tx, cypher, params)
				return len(recs), err
			})
			sess.Close(b.Context())
			if err != nil {
				b.Fatal(err)
			}
			check(n.(int))
		}
	}
	b.Run("Neighbors100", func(b *testing.B) {
		q, _ := graph.NeighborQuery{Direction: graph.Both}.Normalize()
		raw(b, s.neighborsQuery(q), map[string]any{"ids": idStrings(apps[200:300]), "limit": int64(q.Limit)}, func(n int) {
			if n != 500 {
				b.Fatalf("neighbours of 100 applications: %d records, want 500", n)
			}
		})
	})
	b.Run("TraverseDepth4", func(b *testing.B) {
		q, _ := graph.TraverseQuery{Starts: apps[len(apps)/2 : len(apps)/2+1], MaxDepth: 4, Steps: []graph.Step{
			{Type: graph.RelDependsOn, Direction: graph.In}, {Type: graph.RelPartOf, Direction: graph.Out}}}.Normalize()
		raw(b, s.traverseQuery(q), map[string]any{"starts": idStrings(q.Starts), "limit": int64(q.Limit)}, func(n int) {
			if n == 0 {
				b.Fatal("traversal reached nothing")
			}
		})
	})
}

// TestSchemaMigratesFromVersion1: a database set up before change
// governance (version 1, no Change/Incident constraints) gets them when a
// newer estate opens it.
func TestSchemaMigratesFromVersion1(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	query := cypherRunner(t, s)
	added := []string{s.schemaName("change", "key"), s.schemaName("incident", "key"), s.schemaName("affects", "id"),
		s.schemaName("made_by", "id"), s.schemaName("caused_by", "id")}
	for _, name := range added {
		query("DROP CONSTRAINT "+name+" IF EXISTS", nil)
	}
	query("MATCH (v:EstateSchema {namespace: $ns}) SET v.version = 1", map[string]any{"ns": s.ns})
	s2, err := Open(ctx, testConfig(s.ns))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if err := s2.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, r := range query("SHOW CONSTRAINTS YIELD name RETURN name", nil) {
		have[r.Values[0].(string)] = true
	}
	for _, name := range added {
		if !have[name] {
			t.Errorf("after migrating from version 1: no constraint %s", name)
		}
	}
	if recs := query("MATCH (v:EstateSchema {namespace: $ns}) RETURN v.version", map[string]any{"ns": s.ns}); len(recs) != 1 || recs[0].Values[0] != int64(SchemaVersion) {
		t.Errorf("schema version after migration: %v, want %d", recs, SchemaVersion)
	}
}

// TestDirectDropLeavesNothing: the benchmark harness drops its namespaces
// with Direct.Drop; nothing of the namespace may remain — nodes, run
// records, constraints, indexes or the schema version node — and other
// namespaces keep theirs.
func TestDirectDropLeavesNothing(t *testing.T) {
	requireServer(t)
	ctx := t.Context()
	keep := openStore(t)
	graphtest.MustApply(t, keep, graphtest.SmallEstate())
	ns := fmt.Sprintf("dropTest%d_", time.Now().UnixNano()%1_000_000)
	s, err := Open(ctx, testConfig(ns))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	graphtest.MustApply(t, s, graphtest.SmallEstate())
	if err := s.PutRun(ctx, graph.IngestRun{ID: "r1", Source: "demo", Status: graph.RunSucceeded, Started: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// A merge leaves a redirect behind.
	teamID := func(key string) graph.ID { return graph.NodeID(graph.KindTeam, key) }
	if _, err := s.Merge(ctx, teamID(graphtest.EstatePaymentsTeam), teamID(graphtest.EstateAccountsTeam)); err != nil {
		t.Fatal(err)
	}
	if err := s.Direct().Drop(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(cypher string, params map[string]any) int64 {
		t.Helper()
		res, err := neo4j.ExecuteQuery(ctx, s.driver, cypher, params, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(s.cfg.Database))
		if err != nil {
			t.Fatal(err)
		}
		return res.Records[0].Values[0].(int64)
	}
	prefix := map[string]any{"ns": ns, "schema": s.schemaName()}
	for what, cypher := range map[string]string{
		"nodes":          "MATCH (n) WHERE any(l IN labels(n) WHERE l STARTS WITH $ns) RETURN count(n)",
		"constraints":    "SHOW CONSTRAINTS YIELD name WHERE name STARTS WITH $schema RETURN count(*)",
		"indexes":        "SHOW INDEXES YIELD name WHERE name STARTS WITH $schema RETURN count(*)",
		"schema version": "MATCH (v:EstateSchema {namespace: $ns}) RETURN count(v)",
	} {
		if n := count(cypher, prefix); n != 0 {
			t.Errorf("after Drop, %d %s of namespace %s remain", n, what, ns)
		}
	}
	st, err := keep.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.TotalNodes() != len(graphtest.SmallEstate().Nodes) {
		t.Errorf("another namespace lost nodes: %d left", st.TotalNodes())
	}
}

// TestHistoryPagesThroughOneInstant: writes committed at the same
// nanosecond (a coarse or fixed clock) still page one event at a time with
// none skipped or repeated, since their (at, seq) pairs differ.
func TestHistoryPagesThroughOneInstant(t *testing.T) {
	s := openStore(t)
	at := time.Now()
	s.cfg.Now = func() time.Time { return at }
	ref := graph.Ref{Kind: graph.KindService, Key: "payments"}
	for i, name := range []string{"Payments", "Payments v2", "Payments v3"} {
		b := graph.Batch{Source: "test", Run: fmt.Sprint(i), Nodes: []graph.NodeInput{{Kind: ref.Kind, Key: ref.Key, Name: name}}}
		if _, err := s.Apply(t.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	q := graph.HistoryQuery{ID: ref.ID(), First: 1}
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("paging does not end")
		}
		p, err := s.History(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Events {
			if !e.At.Equal(at) {
				t.Errorf("event at %s, want the fixed clock's %s", e.At, at)
			}
			if seen[e.Run] {
				t.Errorf("the event of run %s came twice", e.Run)
			}
			seen[e.Run] = true
		}
		if !p.HasNext {
			break
		}
		q.After = p.EndCursor
	}
	if len(seen) != 3 {
		t.Errorf("paged through the events of runs %v, want 0, 1 and 2", seen)
	}
}

// Change governance's benchmarks on Neo4j (governancetest), up to 10,000
// recorded changes: seeding more takes minutes here.
func BenchmarkGovernance(b *testing.B) {
	requireServer(b)
	governancetest.RunBenchmarks(b, harness, 1_000, 10_000)
}

// TestMergeOvertakesAWrite: a write that read the redirects before a merge
// committed, and then waited for the duplicate's lock, does not store the
// duplicate again: it sees the merge's redirect and writes again, to the
// node that stays. The commit gate holds the merge's commit back until the
// write is waiting for the duplicate.
func TestMergeOvertakesAWrite(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	keep, dup := graph.Ref{Kind: graph.KindTeam, Key: "payments-core"}, graph.Ref{Kind: graph.KindTeam, Key: "payments"}
	graphtest.MustApply(t, s, graph.Batch{Source: "github", Run: "r1",
		Nodes: []graph.NodeInput{{Kind: keep.Kind, Key: keep.Key, Name: "Payments Core"}, {Kind: dup.Kind, Key: dup.Key}}})

	s.gate.Lock() // no commit until released
	merged := make(chan error, 1)
	go func() {
		_, err := s.Merge(ctx, keep.ID(), dup.ID())
		merged <- err
	}()
	time.Sleep(time.Second) // the merge holds the duplicate and waits for the gate
	applied := make(chan error, 1)
	go func() {
		_, err := s.Apply(ctx, graph.Batch{Source: "catalog", Run: "c1",
			Nodes: []graph.NodeInput{{Kind: dup.Kind, Key: dup.Key, Props: map[string]any{"email": "pay@acme.example"}}}})
		applied <- err
	}()
	time.Sleep(time.Second) // the write read no redirect and waits for the duplicate
	s.gate.Unlock()
	if err := <-merged; err != nil {
		t.Fatalf("merge: %v", err)
	}
	if err := <-applied; err != nil {
		t.Fatalf("the write overtaken by the merge: %v", err)
	}
	if n, err := s.Node(ctx, dup); err == nil {
		t.Errorf("the write stored the merged duplicate again: %s %v", n.Ref(), n.Assertions)
	}
	if n, err := s.Node(ctx, keep); err != nil || n.Props["email"] != "pay@acme.example" {
		t.Errorf("the write did not land on %s: %v %v", keep, n, err)
	}
}

// TestMergeInAnotherProcess: a store that knows of no merge (and so reads
// no redirects before a write) still follows one another process made since:
// a node it would store again, and an end it would miss, make the write
// start over with the redirects read.
func TestMergeInAnotherProcess(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	open := func() *Store {
		o, err := Open(ctx, testConfig(s.cfg.Namespace))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { o.Close() })
		return o
	}
	merger, stale := open(), open()
	keep, dup := graph.Ref{Kind: graph.KindTeam, Key: "payments-core"}, graph.Ref{Kind: graph.KindTeam, Key: "payments"}
	lee := graph.Ref{Kind: graph.KindPerson, Key: "lee"}
	// Both stores write before the merge, and so know of no merge.
	graphtest.MustApply(t, s, graph.Batch{Source: "github", Run: "r1", Nodes: []graph.NodeInput{{Kind: keep.Kind, Key: keep.Key}}})
	graphtest.MustApply(t, stale, graph.Batch{Source: "github", Run: "r1", Nodes: []graph.NodeInput{{Kind: dup.Kind, Key: dup.Key}}})
	if _, err := merger.Merge(ctx, keep.ID(), dup.ID()); err != nil {
		t.Fatal(err)
	}
	// A node one would store again.
	graphtest.MustApply(t, s, graph.Batch{Source: "catalog", Run: "c2", Nodes: []graph.NodeInput{{Kind: dup.Kind, Key: dup.Key, Props: map[string]any{"email": "pay@acme.example"}}}})
	// An end the other would miss: lee's membership of the merged team.
	graphtest.MustApply(t, stale, graph.Batch{Source: "catalog", Run: "c1", Nodes: []graph.NodeInput{{Kind: lee.Kind, Key: lee.Key}},
		Edges: []graph.EdgeInput{{Type: graph.RelMemberOf, From: lee, To: dup}}})
	if n, err := s.Node(ctx, dup); err == nil {
		t.Errorf("the merged team is stored again: %s", n.Ref())
	}
	n, err := s.Node(ctx, keep)
	if err != nil || n.Props["email"] != "pay@acme.example" {
		t.Errorf("the write naming the merged team did not land on %s: %v %v", keep, n, err)
	}
	es, err := s.Edges(ctx, []graph.ID{graph.EdgeInput{Type: graph.RelMemberOf, From: lee, To: keep}.ID()})
	if err != nil || es[0] == nil {
		t.Errorf("lee's membership did not land on %s: %v", keep, err)
	}
}

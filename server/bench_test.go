package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/estate-cmdb/estate/bench/cputime"
	"github.com/estate-cmdb/estate/graph"
)

// nestedBench is an estate for BenchmarkNestedQuery. Build fills a store
// (plug a generated estate in here), Service names the service to ask
// about, and Check validates each answer, inside the timed loop, so the
// benchmark cannot time a broken response.
type nestedBench struct {
	Build   func(testing.TB, graph.Store)
	Service string
	Check   func(nestedResult) error
	// Clients is how many requests run at once (0: one at a time).
	Clients int
}

// BenchmarkNestedQuery times the three-level question (service →
// applications → repositories → owners) through the real HTTP handler,
// dataloaders and store.
func BenchmarkNestedQuery(b *testing.B) {
	b.Run("fixture", func(b *testing.B) {
		benchmarkNestedQuery(b, nestedBench{Build: buildFixture, Service: "payments", Check: wantLines(3)})
	})
	// 100 services × 20 applications × 3 repositories: ~8,000 entities;
	// one answer holds 20 applications and 60 repositories with owners.
	b.Run("fanout", func(b *testing.B) {
		benchmarkNestedQuery(b, nestedBench{Build: fanout(100, 20, 3), Service: "svc-042", Check: wantLines(60)})
	})
	// The fanout question from 16 clients at once, as F5 asks it at
	// concurrency 16: the CPU a request costs when the process is busy,
	// batching and scheduling included.
	b.Run("fanout-c16", func(b *testing.B) {
		benchmarkNestedQuery(b, nestedBench{Build: fanout(100, 20, 3), Service: "svc-042", Check: wantLines(60), Clients: 16})
	})
}

func benchmarkNestedQuery(b *testing.B, est nestedBench) {
	e := newEnv(b, withEstate(est.Build))
	body, err := json.Marshal(map[string]any{"query": nestedQuery, "variables": map[string]any{"key": est.Service}})
	if err != nil {
		b.Fatal(err)
	}
	ask := func() error {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.viewer)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		var res struct {
			Data   nestedResult
			Errors []gqlError
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || rec.Code != 200 || len(res.Errors) > 0 || res.Data.Service == nil {
			return fmt.Errorf("HTTP %d, %v: %.500s", rec.Code, err, rec.Body.String())
		}
		return est.Check(res.Data)
	}
	b.ReportAllocs()
	// CPU time per request as well as wall time: on a shared machine the
	// wall time follows the neighbours' load, the CPU time much less.
	// And the store calls per request: the loaders' batching (one call per
	// level at best) suffers when the process is busy.
	cpu0, calls0 := cputime.Process(), storeCalls(b, e)
	defer func() {
		b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(storeCalls(b, e)-calls0)/float64(b.N), "store-calls/op")
	}()
	if est.Clients == 0 {
		for b.Loop() {
			if err := ask(); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	b.SetParallelism((est.Clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer() // b.Loop does this itself
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := ask(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// wantLines checks that every application has its repositories, and every
// repository an owner, n lines in all.
func wantLines(n int) func(nestedResult) error {
	return func(r nestedResult) error {
		lines := r.summary()
		if len(lines) != n {
			return fmt.Errorf("%d application/repository pairs, want %d: %q", len(lines), n, lines)
		}
		for _, a := range r.Service.Applications.Edges {
			for _, re := range a.Node.Repositories.Edges {
				if len(re.Node.Owners.Edges) == 0 {
					return fmt.Errorf("repository %s has no owner", re.Node.Key)
				}
			}
		}
		return nil
	}
}

// fanout builds services svc-000… each with apps applications, each built
// by repos repositories of its own, each owned by one of ten teams.
func fanout(services, apps, repos int) func(testing.TB, graph.Store) {
	return func(t testing.TB, s graph.Store) {
		b := graph.Batch{Source: "bench", Run: "bench-1", At: fixtureTime}
		for i := range 10 {
			b.Nodes = append(b.Nodes, graph.NodeInput{Kind: graph.KindTeam, Key: fmt.Sprintf("team-%d", i)})
		}
		for i := range services {
			svc := graph.Ref{Kind: graph.KindService, Key: fmt.Sprintf("svc-%03d", i)}
			b.Nodes = append(b.Nodes, graph.NodeInput{Kind: svc.Kind, Key: svc.Key, Props: map[string]any{"tier": 1 + i%4}})
			for j := range apps {
				app := graph.Ref{Kind: graph.KindApplication, Key: fmt.Sprintf("%s-app-%02d", svc.Key, j)}
				b.Nodes = append(b.Nodes, graph.NodeInput{Kind: app.Kind, Key: app.Key})
				b.Edges = append(b.Edges, graph.EdgeInput{Type: graph.RelPartOf, From: app, To: svc})
				for k := range repos {
					repo := graph.Ref{Kind: graph.KindRepository, Key: fmt.Sprintf("github.com/bench/%s-%d", app.Key, k)}
					team := graph.Ref{Kind: graph.KindTeam, Key: fmt.Sprintf("team-%d", (i+j+k)%10)}
					b.Nodes = append(b.Nodes, graph.NodeInput{Kind: repo.Kind, Key: repo.Key})
					b.Edges = append(b.Edges,
						graph.EdgeInput{Type: graph.RelBuilds, From: repo, To: app, Props: map[string]any{"path": fmt.Sprintf("cmd/%d", k)}},
						graph.EdgeInput{Type: graph.RelOwns, From: team, To: repo})
				}
			}
		}
		if _, err := s.Apply(context.Background(), b); err != nil {
			t.Fatalf("apply: %v", err)
		}
	}
}

// storeCalls is how many store calls the server has made so far, from its
// metrics.
func storeCalls(b *testing.B, e *env) uint64 {
	mfs, err := e.srv.Registry().Gather()
	if err != nil {
		b.Fatal(err)
	}
	var n uint64
	for _, mf := range mfs {
		if mf.GetName() == "estate_store_call_duration_seconds" {
			for _, m := range mf.GetMetric() {
				n += m.GetHistogram().GetSampleCount()
			}
		}
	}
	return n
}

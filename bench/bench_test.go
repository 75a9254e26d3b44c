package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/bench/harness"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/synthetic"
	"github.com/estate-cmdb/estate/server"
)

const seed = 1

// tempDirs are removed when the benchmarks end.
var tempDirs []string

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range tempDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

func source(tb testing.TB, tier synthetic.Tier) *synthetic.Source {
	tb.Helper()
	src, err := synthetic.New(synthetic.DefaultConfig(tier, seed))
	if err != nil {
		tb.Fatal(err)
	}
	return src
}

// BenchmarkIngest is figure F1's cold sync for the M tier: the synthetic
// source through the engine into a fresh embedded store, beside the same
// items loaded into plain maps.
func BenchmarkIngest(b *testing.B) {
	for _, tier := range []synthetic.Tier{synthetic.TierS, synthetic.TierM} {
		want := 0
		for _, c := range synthetic.Counts(tier) {
			want += c
		}
		report := func(b *testing.B, nodes, edges int) {
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(nodes)/sec, "nodes/s")
			b.ReportMetric(float64(edges)/sec, "edges/s")
			b.ReportMetric(float64(nodes+edges)/sec, "items/s")
		}
		b.Run(fmt.Sprintf("%s/maps", tier), func(b *testing.B) {
			var m *harness.Maps
			for b.Loop() {
				m = harness.NewMaps()
				if err := source(b, tier).Run(context.Background(), m); err != nil {
					b.Fatal(err)
				}
			}
			if len(m.Nodes) != want {
				b.Fatalf("maps hold %d nodes, want %d", len(m.Nodes), want)
			}
			report(b, len(m.Nodes), len(m.Edges))
		})
		for _, nosync := range []bool{false, true} {
			name := fmt.Sprintf("%s/embedded", tier)
			if nosync {
				name += "-nosync"
			}
			b.Run(name, func(b *testing.B) {
				var rep *ingest.Report
				for b.Loop() {
					b.StopTimer()
					s, err := embedded.Open(context.Background(), b.TempDir(), embedded.Options{Logger: zerolog.Nop(), NoSync: nosync})
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					rep, err = ingest.Run(context.Background(), s, source(b, tier), ingest.Options{Logger: zerolog.Nop()})
					if err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					st, _ := s.Stats(context.Background())
					s.Close()
					if st.TotalNodes() != want || rep.Status != ingest.StatusSucceeded {
						b.Fatalf("store holds %d nodes after a %s run, want %d", st.TotalNodes(), rep.Status, want)
					}
					b.StartTimer()
				}
				report(b, rep.Nodes, rep.Edges)
			})
		}
	}
}

// estateM is the M-tier estate in an embedded store, built once per process.
var estateM = sync.OnceValues(func() (*embedded.Store, error) {
	dir, err := os.MkdirTemp("", "estate-bench-*")
	if err != nil {
		return nil, err
	}
	tempDirs = append(tempDirs, dir)
	s, err := embedded.Open(context.Background(), dir, embedded.Options{Logger: zerolog.Nop(), NoSync: true})
	if err != nil {
		return nil, err
	}
	src, err := synthetic.New(synthetic.DefaultConfig(synthetic.TierM, seed))
	if err != nil {
		return nil, err
	}
	_, err = ingest.Run(context.Background(), s, src, ingest.Options{Logger: zerolog.Nop()})
	return s, err
})

// BenchmarkNestedQuery is the three-level question (service → applications
// → repositories → owners) on the M tier through the real GraphQL handler,
// beside the plain JSON handler. Both answer for the same services, in turn,
// and every answer is checked against the store.
func BenchmarkNestedQuery(b *testing.B) {
	s, err := estateM()
	if err != nil {
		b.Fatal(err)
	}
	src := source(b, synthetic.TierM)
	services := src.Samples(50).Services
	services = append(services, src.Samples(50).HotServices...)
	srv, err := server.New(server.Config{AnonymousRead: true}, s, nil, zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	handlers := map[string]http.Handler{"graphql": srv.Handler(), "plain-json": harness.PlainHandler(s, 30*time.Second)}
	want := map[string][3]int{}
	for _, name := range []string{"plain-json", "graphql"} {
		h := handlers[name]
		b.Run("M/"+name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				key := services[i%len(services)].Key
				i++
				body, _ := json.Marshal(map[string]any{"query": harness.NestedQuery, "variables": map[string]any{"key": key}})
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				var res struct {
					Data   harness.NestedAnswer
					Errors []json.RawMessage
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || rec.Code != 200 || len(res.Errors) > 0 {
					b.Fatalf("%s %s: HTTP %d %v: %.300s", name, key, rec.Code, err, rec.Body.String())
				}
				a, r, o := res.Data.Size()
				if w, ok := want[key]; !ok {
					want[key] = [3]int{a, r, o}
				} else if w != [3]int{a, r, o} {
					b.Fatalf("%s answers %s with %d apps, %d repos, %d owners; the peer said %v", name, key, a, r, o, w)
				}
			}
		})
	}
}

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

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
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

// mapsEmitter is the in-memory ceiling: the same items into plain maps,
// with the same validation the engine does, and nothing else.
type mapsEmitter struct {
	nodes map[graph.ID]graph.NodeInput
	edges map[graph.ID]graph.EdgeInput
}

func (m *mapsEmitter) Node(n graph.NodeInput) error {
	v, err := graph.ValidateNodeInput(n)
	m.nodes[graph.NodeID(v.Kind, v.Key)] = v
	return err
}

func (m *mapsEmitter) Edge(e graph.EdgeInput) error {
	v, err := graph.ValidateEdge(e)
	m.edges[v.ID()] = v
	return err
}

func (m *mapsEmitter) ItemError(string, error) {}

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
			var m *mapsEmitter
			for b.Loop() {
				m = &mapsEmitter{nodes: map[graph.ID]graph.NodeInput{}, edges: map[graph.ID]graph.EdgeInput{}}
				if err := source(b, tier).Run(context.Background(), m); err != nil {
					b.Fatal(err)
				}
			}
			if len(m.nodes) != want {
				b.Fatalf("maps hold %d nodes, want %d", len(m.nodes), want)
			}
			report(b, len(m.nodes), len(m.edges))
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

const nestedQuery = `query Nested($key: String!) {
  service(key: $key) {
    key name
    applications {
      edges { node { key
        repositories { edges { node { key
          owners { edges { node { key name } } }
        } } }
      } }
    }
  }
}`

// answer is the shape both handlers return, so their results compare.
type answer struct {
	Service struct {
		Key          string `json:"key"`
		Applications struct {
			Edges []struct {
				Node struct {
					Key          string `json:"key"`
					Repositories struct {
						Edges []struct {
							Node struct {
								Key    string `json:"key"`
								Owners struct {
									Edges []struct {
										Node struct{ Key, Name string }
									}
								}
							}
						}
					}
				}
			}
		}
	}
}

func (a answer) size() (apps, repos, owners int) {
	for _, ae := range a.Service.Applications.Edges {
		apps++
		for _, re := range ae.Node.Repositories.Edges {
			repos++
			owners += len(re.Node.Owners.Edges)
		}
	}
	return
}

// plainHandler is F5's peer: net/http and encoding/json calling the same
// store functions the resolvers call, one Neighbors call per level.
func plainHandler(s graph.Store) http.Handler {
	type obj = map[string]any
	edges := func(items []obj) obj {
		es := make([]obj, len(items))
		for i, it := range items {
			es[i] = obj{"node": it}
		}
		return obj{"edges": es}
	}
	level := func(ctx context.Context, ids []graph.ID, t graph.RelType) (map[graph.ID][]graph.Neighbor, error) {
		return s.Neighbors(ctx, ids, graph.NeighborQuery{Types: []graph.RelType{t}, Direction: graph.In, Limit: 20})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Variables struct{ Key string } `json:"variables"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		svc, err := s.Node(ctx, graph.Ref{Kind: graph.KindService, Key: req.Variables.Key})
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		apps, _ := level(ctx, []graph.ID{svc.ID}, graph.RelPartOf)
		var appIDs []graph.ID
		for _, n := range apps[svc.ID] {
			appIDs = append(appIDs, n.Node.ID)
		}
		repos, _ := level(ctx, appIDs, graph.RelBuilds)
		var repoIDs []graph.ID
		for _, ns := range repos {
			for _, n := range ns {
				repoIDs = append(repoIDs, n.Node.ID)
			}
		}
		owners, _ := level(ctx, repoIDs, graph.RelOwns)
		var appObjs []obj
		for _, a := range apps[svc.ID] {
			var repoObjs []obj
			for _, rp := range repos[a.Node.ID] {
				var ownerObjs []obj
				for _, o := range owners[rp.Node.ID] {
					ownerObjs = append(ownerObjs, obj{"key": o.Node.Key, "name": o.Node.Name})
				}
				repoObjs = append(repoObjs, obj{"key": rp.Node.Key, "owners": edges(ownerObjs)})
			}
			appObjs = append(appObjs, obj{"key": a.Node.Key, "repositories": edges(repoObjs)})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(obj{"data": obj{"service": obj{"key": svc.Key, "name": svc.Name, "applications": edges(appObjs)}}})
	})
}

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
	handlers := map[string]http.Handler{"graphql": srv.Handler(), "plain-json": plainHandler(s)}
	want := map[string][3]int{}
	for _, name := range []string{"plain-json", "graphql"} {
		h := handlers[name]
		b.Run("M/"+name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				key := services[i%len(services)].Key
				i++
				body, _ := json.Marshal(map[string]any{"query": nestedQuery, "variables": map[string]any{"key": key}})
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				var res struct {
					Data   answer
					Errors []json.RawMessage
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || rec.Code != 200 || len(res.Errors) > 0 {
					b.Fatalf("%s %s: HTTP %d %v: %.300s", name, key, rec.Code, err, rec.Body.String())
				}
				a, r, o := res.Data.size()
				if w, ok := want[key]; !ok {
					want[key] = [3]int{a, r, o}
				} else if w != [3]int{a, r, o} {
					b.Fatalf("%s answers %s with %d apps, %d repos, %d owners; the peer said %v", name, key, a, r, o, w)
				}
			}
		})
	}
}

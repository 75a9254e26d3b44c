package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/server"
)

// impactDepths are F3's depths.
var impactDepths = []int{1, 2, 4, 6}

// hotStarts is how many of the most depended-on applications F3's hot
// series cycles through.
const hotStarts = 10

// loop runs op until the budget is spent, at least once and at least once
// per start; i is the operation's number.
func loop(b Budget, starts int, op func(i int) error) (Latencies, error) {
	lat, err := interleave(b, starts, op)
	return lat[0], err
}

// interleave runs ops in turn on the same operation number until the
// budget is spent, at least once and at least once per start, taking turns
// at going first; each op's latencies are its own. Operations compared on
// one server run this way see the same moments of it. Each op is first
// called once untimed, with i = starts (the first start again, past the
// part that answers are checked on), so that no series pays alone for a
// statement's planning on Neo4j or a cold cache. Then the garbage collector
// runs to its end, as testing.B has it do before each benchmark: a series
// measured while it marks the heap the step before left (a sync's garbage,
// 800 MB live at tier L) would pay alone for a collection it did not cause.
func interleave(b Budget, starts int, ops ...func(i int) error) ([]Latencies, error) {
	lat := make([]Latencies, len(ops))
	for _, op := range ops {
		if err := op(starts); err != nil {
			return lat, err
		}
	}
	runtime.GC()
	deadline := time.Now().Add(b.Time)
	for i := 0; i < max(b.Count, starts) && (i < starts || time.Now().Before(deadline)); i++ {
		for k := range ops {
			k = (k + i) % len(ops)
			var err error
			lat[k].Time(func() { err = ops[k](i) })
			if err != nil {
				return lat, err
			}
		}
	}
	return lat, nil
}

// impact is F3: analysis.Impact downstream at each depth from uniform and hot
// application starts, beside the compact-array BFS floor and the store's
// traversal alone (see walks). Every answer's size is checked against the
// floor's reach.
func (h *harness) impact(ctx context.Context, kind string, s *opened, rec *recorder) error {
	sets := []struct {
		name   string
		starts []graph.Ref
	}{
		{"uniform", h.samples.Applications},
		{"hot", h.samples.HotApplications[:min(hotStarts, len(h.samples.HotApplications))]},
	}
	// Estate and its floor take as many samples, so that their p99s are
	// the same statistic: at uniform starts on the embedded store the
	// query budget's count is spent in milliseconds.
	budget := Budget{Count: max(h.cfg.QueryBudget.Count, 1000), Time: h.cfg.QueryBudget.Time}
	for _, set := range sets {
		for _, depth := range impactDepths {
			what := fmt.Sprintf("impact depth %d, %s starts", depth, set.name)
			starts := set.starts
			var sizes []int
			wrong := 0
			lat, err := loop(budget, len(starts), func(i int) error {
				r := starts[i%len(starts)]
				res, err := analysis.Impact(ctx, s, analysis.ImpactQuery{Refs: []string{string(r.Kind) + ":" + r.Key}, MaxDepth: depth})
				if err != nil {
					return fmt.Errorf("impact of %s: %w", r, err)
				}
				if i < len(starts) {
					sizes = append(sizes, len(res.Affected))
					if want := h.downstream.Reach(r.ID(), depth); !res.Truncated && len(res.Affected) != want {
						wrong++
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			rec.check(fmt.Sprintf("F3 %s: starts whose affected count differs from the floor's reach", what), 0, wrong)
			addLatencies(rec, "F3", what, "estate", lat)
			addStartMedians(rec, what, "estate", lat, len(starts))
			mean := 0.0
			for _, n := range sizes {
				mean += float64(n)
			}
			rec.add("F3", what, "estate", "items reached (mean)", mean/float64(len(sizes)))
			rec.add("F3", what, "estate", "items reached (max)", float64(slices.Max(sizes)))
			// What sets the p99: at uniform starts, the few largest answers.
			rec.add("F3", what, "estate", "items reached by the p99 answer", float64(sizes[lat.Sample(0.99)%len(starts)]))

			lat, _ = loop(budget, len(starts), func(i int) error {
				h.downstream.Reach(starts[i%len(starts)].ID(), depth)
				return nil
			})
			addLatencies(rec, "F3", what, "compact-array BFS (floor)", lat)
			addStartMedians(rec, what, "compact-array BFS (floor)", lat, len(starts))

			if err := h.walks(ctx, kind, s, rec, what, starts, depth); err != nil {
				return err
			}
			h.progress("  F3 %s: %d starts", what, len(sizes))
		}
	}
	return nil
}

// walks times the traversal alone, the one store call of Impact that the
// raw-driver peer repeats, read whole and read light as Impact reads it
// (analysis.ImpactRead), each beside the same Cypher through the raw driver
// on Neo4j: like-for-like pairs, all taking turns so that each meets the
// server in the same state. Hit counts are checked against the floor's
// reach.
func (h *harness) walks(ctx context.Context, kind string, s *opened, rec *recorder, what string, starts []graph.Ref, depth int) error {
	// series is one timed read: its latencies are reported by by, and its
	// starts whose count differs from the floor's reach under check.
	type series struct {
		by, check string
		wrong     int
		op        func(i int) error
	}
	var all []*series
	for _, rd := range []struct {
		name  string
		light *graph.Light
	}{{"", nil}, {", light (Impact's read)", analysis.ImpactRead()}} {
		q := func(r graph.Ref) graph.TraverseQuery {
			return graph.TraverseQuery{Starts: []graph.ID{r.ID()}, Steps: analysis.ImpactSteps(analysis.Downstream), MaxDepth: depth, Light: rd.light}
		}
		est := &series{by: "Store.Traverse alone" + rd.name, check: "starts whose Store.Traverse" + rd.name + " hit count differs from the floor's reach"}
		est.op = func(i int) error {
			r := starts[i%len(starts)]
			t, err := s.Traverse(ctx, q(r))
			if err != nil {
				return fmt.Errorf("traverse from %s: %w", r, err)
			}
			if want := h.downstream.Reach(r.ID(), depth); i < len(starts) && !t.Truncated && len(t.Hits) != want {
				est.wrong++
			}
			return nil
		}
		all = append(all, est)
		if kind != StoreNeo4j {
			continue
		}
		raw := &series{by: "same Cypher, raw driver" + rd.name, check: "starts whose raw Cypher" + rd.name + " record count differs from the floor's reach"}
		raw.op = func(i int) error {
			r := starts[i%len(starts)]
			n, err := s.direct.Traverse(ctx, q(r))
			if err != nil {
				return fmt.Errorf("raw traverse from %s: %w", r, err)
			}
			if want := h.downstream.Reach(r.ID(), depth); i < len(starts) && want < graph.MaxTraverse && n != want {
				raw.wrong++
			}
			return nil
		}
		all = append(all, raw)
	}
	ops := make([]func(i int) error, len(all))
	for k, sr := range all {
		ops[k] = sr.op
	}
	lats, err := interleave(h.cfg.QueryBudget, len(starts), ops...)
	if err != nil {
		return err
	}
	for k, sr := range all {
		rec.check(fmt.Sprintf("F3 %s: %s", what, sr.check), 0, sr.wrong)
		addLatencies(rec, "F3", what, sr.by, lats[k])
	}
	return nil
}

func addLatencies(rec *recorder, fig, what, by string, lat Latencies) {
	p50, p99, mx := lat.Percentiles()
	rec.add(fig, what, by, "µs p50", p50)
	rec.add(fig, what, by, "µs p99", p99)
	if fig == "F3" {
		rec.add(fig, what, by, "µs max", mx)
	}
}

// addStartMedians records the p99 of each start's median (Latencies.Medians)
// beside an F3 series' percentiles.
func addStartMedians(rec *recorder, what, by string, lat Latencies, starts int) {
	_, p99, _ := lat.Medians(starts).Percentiles()
	rec.add("F3", what, by, "µs p99 of each start's median", p99)
}

// ownerSubjects are F4's and F5's who-owns subjects: uniform applications,
// services, repositories and resources, interleaved.
func (h *harness) ownerSubjects() []graph.Ref {
	var refs []graph.Ref
	sm := h.samples
	for i := range h.cfg.Samples {
		for _, set := range [][]graph.Ref{sm.Applications, sm.Services, sm.Repositories, sm.Resources} {
			if i < len(set) {
				refs = append(refs, set[i])
			}
		}
	}
	return refs
}

// whoOwns is F4: analysis.WhoOwns for uniform applications, services,
// repositories and resources, beside direct map lookups of the owners; the
// direct owners it finds are checked against the generator's.
func (h *harness) whoOwns(ctx context.Context, kind string, s *opened, rec *recorder) error {
	refs := h.ownerSubjects()
	wrong := 0
	lat, err := loop(h.cfg.QueryBudget, len(refs), func(i int) error {
		r := refs[i%len(refs)]
		o, err := analysis.WhoOwns(ctx, s, string(r.Kind)+":"+r.Key)
		if err != nil {
			return fmt.Errorf("who owns %s: %w", r, err)
		}
		if i < len(refs) {
			var got []string
			for _, w := range o.Owners {
				if w.InheritedFrom == nil {
					got = append(got, ownerKey(w.Kind, w.Key, w.Role))
				}
			}
			want := slices.Clone(h.ownersOf[r.ID()])
			slices.Sort(got)
			slices.Sort(want)
			if o.Subject == nil || o.Subject.Key != r.Key || !slices.Equal(got, want) {
				wrong++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	rec.check("F4: subjects whose direct owners differ from the generator's", 0, wrong)
	addLatencies(rec, "F4", "who owns", "estate", lat)
	lat, _ = loop(Budget{Count: max(h.cfg.QueryBudget.Count, 1000), Time: h.cfg.QueryBudget.Time}, len(refs), func(i int) error {
		sink += len(h.ownersOf[refs[i%len(refs)].ID()])
		return nil
	})
	addLatencies(rec, "F4", "who owns", "direct map lookup (floor)", lat)
	if kind == StoreNeo4j {
		rec.gap("F4", "who owns, the equivalent fixed-length Cypher", "not written yet: who-owns is several store calls, and one Cypher statement answering the same has not been written")
	}
	h.progress("  F4 who owns: %d subjects", len(refs))
	return h.shadow(ctx, s, rec)
}

// shadowRuns is how many full shadow-estate reports F4 times.
const shadowRuns = 3

// shadow times the full shadow-estate report (issue 6) beside the least it
// costs through the store: the one read it makes, of every node and of
// each relationship's type and ends (Store.Topology). Its findings must add up per kind, and the noise the
// generator plants (unowned resources) must be among them.
func (h *harness) shadow(ctx context.Context, s *opened, rec *recorder) error {
	var rep *analysis.ShadowReport
	var lat Latencies
	for range shadowRuns {
		var err error
		lat.Time(func() { rep, err = analysis.ShadowEstate(ctx, s, time.Now()) })
		if err != nil {
			return fmt.Errorf("shadow estate: %w", err)
		}
	}
	sum, unowned := 0, 0
	for _, c := range rep.ByKind {
		sum += c.Count
		if c.Key == string(analysis.FindingUnownedResource) {
			unowned = c.Count
		}
	}
	bad := 0
	if sum != len(rep.Findings) || unowned == 0 {
		bad = 1
	}
	rec.check("F4 shadow estate: reports whose counts per kind do not add up, or without unowned resources", 0, bad)
	p50, _, _ := lat.Percentiles()
	rec.add("F4", "shadow estate, full report", "estate", "ms", p50/1000)
	rec.add("F4", "shadow estate, full report", "estate", "findings", float64(len(rep.Findings)))

	var read Latencies
	for range shadowRuns {
		var err error
		read.Time(func() { _, err = s.Topology(ctx) })
		if err != nil {
			return fmt.Errorf("topology: %w", err)
		}
	}
	p50, _, _ = read.Percentiles()
	rec.add("F4", "shadow estate, full report", "reading the estate once (Store.Topology)", "ms", p50/1000)
	h.progress("  F4 shadow estate: %d findings", len(rep.Findings))
	return nil
}

// sink keeps the floor's lookups from being optimised away.
//
//lint:ignore U1000 it is written, never read, on purpose
var sink int

// concurrency levels of F5.
var concurrency = []int{1, 4, 16, 64}

// question is one of F5's GraphQL requests with its plain peer: what runs
// the same store calls and answers the same JSON without GraphQL.
type question struct {
	name  string // "owner lookup", as the figure's rows read
	query string
	// vars are the requests' variables, asked round-robin.
	vars  []map[string]any
	plain http.Handler
	// size counts what the answer holds, to compare both handlers'.
	size func(data json.RawMessage) ([3]int, error)
}

// serve is F5: the nested query (service → applications → repositories →
// owners, over every sampled service) and the owner lookup (whoOwns, over
// F4's subjects), each through the real GraphQL handler and through its
// plain peer, both on loopback HTTP, at each concurrency. Both handlers must
// give same-sized answers for every request first.
func (h *harness) serve(ctx context.Context, s *opened, rec *recorder) error {
	srv, err := server.New(server.Config{AnonymousRead: true}, s, nil, zerolog.Nop())
	if err != nil {
		return err
	}
	var services, subjects []map[string]any
	for _, svc := range append(slices.Clone(h.samples.Services), h.samples.HotServices...) {
		services = append(services, map[string]any{"key": svc.Key})
	}
	for _, r := range h.ownerSubjects() {
		subjects = append(subjects, map[string]any{"ref": string(r.Kind) + ":" + r.Key})
	}
	sizeOf := func(v interface{ Size() (int, int, int) }) func(json.RawMessage) ([3]int, error) {
		return func(data json.RawMessage) ([3]int, error) {
			if err := json.Unmarshal(data, v); err != nil {
				return [3]int{}, err
			}
			x, y, z := v.Size()
			return [3]int{x, y, z}, nil
		}
	}
	questions := []question{
		{"nested query", NestedQuery, services, PlainHandler(s, 30*time.Second), sizeOf(&NestedAnswer{})},
		{"owner lookup", OwnerQuery, subjects, PlainOwnerHandler(s, 30*time.Second), sizeOf(&OwnerAnswer{})},
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}, Timeout: time.Minute}
	defer client.CloseIdleConnections()
	ask := func(url, query string, vars map[string]any) ([]byte, error) {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, b)
		}
		return b, err
	}
	for _, q := range questions {
		handlers := []struct {
			name string
			h    http.Handler
		}{{"GraphQL", srv.Handler()}, {"plain net/http + encoding/json", q.plain}}
		sizes := make([]*[3]int, len(q.vars))
		wrong := 0
		for _, hd := range handlers {
			ts := httptest.NewServer(hd.h)
			err := func() error {
				defer ts.Close()
				for i, vars := range q.vars {
					b, err := ask(ts.URL, q.query, vars)
					var a struct {
						Data   json.RawMessage
						Errors []json.RawMessage
					}
					if err == nil {
						err = json.Unmarshal(b, &a)
					}
					if err == nil && len(a.Errors) > 0 {
						err = fmt.Errorf("errors: %s", a.Errors[0])
					}
					var size [3]int
					if err == nil {
						size, err = q.size(a.Data)
					}
					if err != nil {
						return fmt.Errorf("%s, %s for %v: %w", q.name, hd.name, vars, err)
					}
					if sizes[i] == nil {
						sizes[i] = &size
					} else if *sizes[i] != size {
						wrong++
					}
				}
				for _, c := range concurrency {
					what := fmt.Sprintf("%s, concurrency %d", q.name, c)
					lat, took, err := h.load(c, func(i int) error {
						b, err := ask(ts.URL, q.query, q.vars[i%len(q.vars)])
						if err == nil && bytes.Contains(b, []byte(`"errors"`)) {
							err = fmt.Errorf("errors: %.200s", b)
						}
						return err
					})
					if err != nil {
						return fmt.Errorf("%s, %s at concurrency %d: %w", q.name, hd.name, c, err)
					}
					rec.add("F5", what, hd.name, "requests/s", float64(len(lat))/took.Seconds())
					p50, p99, _ := lat.Percentiles()
					rec.add("F5", what, hd.name, "ms p50", p50/1e3)
					rec.add("F5", what, hd.name, "ms p99", p99/1e3)
				}
				return nil
			}()
			if err != nil {
				return err
			}
			h.progress("  F5 %s, %s done", q.name, hd.name)
		}
		rec.check(fmt.Sprintf("F5 %s: requests whose GraphQL answer differs in size from the plain handler's", q.name), 0, wrong)
	}
	return nil
}

// load runs op from c clients at once until the load budget is spent, at
// least once per client; i is the operation's number. It stops at the
// first error.
func (h *harness) load(c int, op func(i int) error) (Latencies, time.Duration, error) {
	var (
		mu    sync.Mutex
		lat   Latencies
		next  atomic.Int64
		first error
		wg    sync.WaitGroup
	)
	deadline := time.Now().Add(h.cfg.LoadBudget.Time)
	start := time.Now()
	for range c {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= h.cfg.LoadBudget.Count || (i >= c && time.Now().After(deadline)) {
					return
				}
				t := time.Now()
				err := op(i)
				d := time.Since(t)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				lat = append(lat, d)
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return lat, time.Since(start), first
}

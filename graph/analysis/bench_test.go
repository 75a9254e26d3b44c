package analysis_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/bench/harness"
	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/synthetic"
	"github.com/estate-cmdb/estate/notify"
)

// The benchmark estate: synthetic tier M (about 100,000 nodes and 350,000
// relationships) in the embedded store, built once per process;
// ESTATE_BENCH_TIER=L asks for tier L instead (500,000 and 1.75 million:
// about 2 minutes to build and 6 GiB), where an answer's reads miss the
// CPU caches as they do in the L figures of estate bench.
var (
	benchOnce    sync.Once
	benchStore   *embedded.Store
	benchSamples synthetic.Samples
	benchDir     string
	benchErr     error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchStore != nil {
		benchStore.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchEstate(b *testing.B) (*embedded.Store, synthetic.Samples) {
	b.Helper()
	benchOnce.Do(func() {
		ctx := context.Background()
		tier := synthetic.TierM
		if t := os.Getenv("ESTATE_BENCH_TIER"); t != "" {
			tier = synthetic.Tier(strings.ToUpper(t))
		}
		src, err := synthetic.New(synthetic.DefaultConfig(tier, 1))
		if err != nil {
			benchErr = err
			return
		}
		if benchDir, benchErr = os.MkdirTemp("", "estate-analysis-bench-"); benchErr != nil {
			return
		}
		benchStore, benchErr = embedded.Open(ctx, benchDir, embedded.Options{Logger: zerolog.Nop(), NoSync: true})
		if benchErr != nil {
			return
		}
		rep, err := ingest.Run(ctx, benchStore, src, ingest.Options{BatchSize: 20_000})
		if err != nil || rep.Status != ingest.StatusSucceeded {
			benchErr = fmt.Errorf("ingest: %v (status %s)", err, rep.Status)
			return
		}
		benchSamples = src.Samples(100)
		runtime.GC() // the ingest's garbage is not the answers' cost
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStore, benchSamples
}

// report reports the p50 and p99 of the latencies.
func report(b *testing.B, lat harness.Latencies) {
	if len(lat) == 0 {
		return
	}
	p50, p99, _ := lat.Percentiles()
	b.ReportMetric(p50, "p50-µs")
	b.ReportMetric(p99, "p99-µs")
}

// mixed interleaves hot and uniform starts.
func mixed(hot, uniform []graph.Ref) []graph.Ref {
	var out []graph.Ref
	for i := 0; i < max(len(hot), len(uniform)); i++ {
		if i < len(hot) {
			out = append(out, hot[i])
		}
		if i < len(uniform) {
			out = append(out, uniform[i])
		}
	}
	return out
}

func BenchmarkWhoOwns(b *testing.B) {
	s, sm := benchEstate(b)
	refs := ownedRefs(sm)
	ctx := context.Background()
	var lat harness.Latencies
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r := refs[i%len(refs)]
		var o *analysis.Ownership
		var err error
		lat.Time(func() { o, err = analysis.WhoOwns(ctx, s, string(r.Kind)+":"+r.Key) })
		if err != nil || o.Subject == nil || o.Subject.Key != r.Key {
			b.Fatalf("WhoOwns(%s): %+v, %v", r, o, err)
		}
	}
	report(b, lat)
}

// ownedRefs are the samples who-owns is asked about, each once, kinds
// taking turns.
func ownedRefs(sm synthetic.Samples) []graph.Ref {
	var refs []graph.Ref
	seen := map[graph.Ref]bool{}
	for i := range 100 {
		for _, set := range [][]graph.Ref{sm.Applications, sm.Resources, sm.Repositories, sm.Services, sm.HotApplications} {
			if i < len(set) && !seen[set[i]] {
				seen[set[i]] = true
				refs = append(refs, set[i])
			}
		}
	}
	return refs
}

// BenchmarkWhoOwnsEach is a scanner's list of refs (the samples, at most
// a call's 500) answered by one WhoOwnsEach, its workers taking turns on
// the two cores, beside the same refs answered one after another by
// WhoOwns. Every answer is checked; ns/op is the whole list's.
func BenchmarkWhoOwnsEach(b *testing.B) {
	s, sm := benchEstate(b)
	refs := ownedRefs(sm)
	refs = refs[:min(len(refs), analysis.MaxOwnerLookups)]
	list := make([]string, len(refs))
	for i, r := range refs {
		list[i] = r.String()
	}
	ctx := context.Background()
	check := func(i int, o *analysis.Ownership, err error) {
		if err != nil || o.Subject == nil || o.Subject.Key != refs[i].Key {
			b.Fatalf("who owns %s: %+v, %v", refs[i], o, err)
		}
	}
	b.Run("each", func(b *testing.B) {
		for b.Loop() {
			ls, err := analysis.WhoOwnsEach(ctx, s, list)
			if err != nil {
				b.Fatal(err)
			}
			for i, l := range ls {
				check(i, l.Answer, l.Err)
			}
		}
		b.ReportMetric(float64(len(list)), "refs")
	})
	b.Run("one-by-one", func(b *testing.B) {
		for b.Loop() {
			for i, ref := range list {
				o, err := analysis.WhoOwns(ctx, s, ref)
				check(i, o, err)
			}
		}
		b.ReportMetric(float64(len(list)), "refs")
	})
}

// BenchmarkOwnedBy is what a team's page costs: what it answers for
// (OwnedBy: its OWNS, the walk down, WhoOwns of each thing found) beside the
// one store call that lists what it owns directly. Teams drawn uniformly,
// taking turns; items per answer reported.
func BenchmarkOwnedBy(b *testing.B) {
	s, sm := benchEstate(b)
	teams := sm.Teams
	ctx := context.Background()
	b.Run("owned-by", func(b *testing.B) {
		var lat harness.Latencies
		items, truncated := 0, 0
		for i := 0; b.Loop(); i++ {
			t := teams[i%len(teams)]
			var o *analysis.Owned
			var err error
			lat.Time(func() { o, err = analysis.OwnedBy(ctx, s, t.String()) })
			if err != nil || o.Subject == nil || o.Subject.Key != t.Key {
				b.Fatalf("OwnedBy(%s): %+v, %v", t, o, err)
			}
			items += len(o.Items)
			if o.Truncated {
				truncated++
			}
		}
		b.ReportMetric(float64(items)/float64(b.N), "items/op")
		b.ReportMetric(float64(truncated)/float64(b.N), "truncated/op")
		report(b, lat)
	})
	b.Run("owns-directly", func(b *testing.B) {
		var lat harness.Latencies
		for i := 0; b.Loop(); i++ {
			id := teams[i%len(teams)].ID()
			var err error
			lat.Time(func() {
				_, err = s.Neighbors(ctx, []graph.ID{id}, graph.NeighborQuery{Types: []graph.RelType{graph.RelOwns}, Direction: graph.Out, Limit: graph.MaxPageSize})
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		report(b, lat)
	})
}

// BenchmarkResolve is what naming a subject costs, by the form of the
// ref: a key (the baseline: one store lookup), a clone URL, links into
// the repository (to a pull request: its view segment found; to a file:
// then the BUILDS directories read), a resource's ARN, and a part of the resource (an S3 object, a
// function's alias, a topic's subscription). Each answer is checked.
func BenchmarkResolve(b *testing.B) {
	s, sm := benchEstate(b)
	type pair struct{ ref, want string }
	var repos, resources []graph.Ref
	for i := range 100 {
		if i < len(sm.Repositories) {
			repos = append(repos, sm.Repositories[i])
		}
		if i < len(sm.Resources) {
			resources = append(resources, sm.Resources[i])
		}
	}
	forms := []struct {
		name string
		refs []graph.Ref
		ref  func(key string) string
	}{
		{"key", repos, func(k string) string { return k }},
		{"clone-url", repos, func(k string) string { return "git@" + strings.Replace(k, "/", ":", 1) + ".git" }},
		{"link", repos, func(k string) string { return "https://" + k + "/pull/42" }},
		{"file-link", repos, func(k string) string { return "https://" + k + "/blob/main/README.md" }},
		{"resource-arn", resources, func(k string) string { return k }},
		{"resource-part", resources, func(k string) string {
			if strings.HasPrefix(k, "arn:aws:s3:::") || strings.Count(k, "/") > 0 {
				return k + "/part/x"
			}
			return k + ":PROD"
		}},
	}
	for _, f := range forms {
		b.Run(f.name, func(b *testing.B) {
			pairs := make([]pair, len(f.refs))
			for i, r := range f.refs {
				pairs[i] = pair{f.ref(r.Key), r.Key}
			}
			ctx := context.Background()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				p := pairs[i%len(pairs)]
				if r, err := analysis.Resolve(ctx, s, p.ref, nil); err != nil || r.Subject == nil || r.Subject.Key != p.want {
					b.Fatalf("Resolve(%s): %+v, %v; want %s", p.ref, r, err, p.want)
				}
			}
		})
	}
}

// BenchmarkImpactDepth4Uniform is issue 8's impact figure: downstream to
// depth 4 from uniform application starts (F3 of estate bench), each answer
// checked against the floor's reach.
func BenchmarkImpactDepth4Uniform(b *testing.B) {
	s, sm := benchEstate(b)
	reach := benchCompact(b, harness.Downstream)
	ctx := context.Background()
	var lat harness.Latencies
	total := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r := sm.Applications[i%len(sm.Applications)]
		var res *analysis.ImpactResult
		var err error
		lat.Time(func() {
			res, err = analysis.Impact(ctx, s, analysis.ImpactQuery{Refs: []string{string(r.Kind) + ":" + r.Key}, MaxDepth: 4})
		})
		if err != nil || len(res.Starts) != 1 || res.Starts[0].Key != r.Key || len(res.Affected) != reach.Reach(r.ID(), 4) {
			b.Fatalf("Impact(%s): %v, %v", r, res, err)
		}
		total += len(res.Affected)
	}
	report(b, lat)
	b.ReportMetric(float64(total)/float64(b.N), "items/op")
	// The p99 over the starts of each start's median: the same start is as
	// slow on each pass, so this is what sets the p99, without the noise of
	// a two-core machine (or a collection) landing on a few samples.
	if b.N >= 3*len(sm.Applications) {
		_, p99, _ := lat.Medians(len(sm.Applications)).Percentiles()
		b.ReportMetric(p99, "start-median-p99-µs")
	}
}

// heaviestStart is the uniform start that reaches the most at depth 4: with
// 100 starts it alone sets BenchmarkImpactDepth4Uniform's p99.
func heaviestStart(reach *harness.Compact, sm synthetic.Samples) (graph.Ref, int) {
	var best graph.Ref
	most := -1
	for _, r := range sm.Applications {
		if n := reach.Reach(r.ID(), 4); n > most {
			best, most = r, n
		}
	}
	return best, most
}

// BenchmarkImpactDepth4Heaviest is the p99 start of
// BenchmarkImpactDepth4Uniform on its own, beside the floor's BFS from it
// and the one walk Impact makes (Store.Traverse, read light as Impact
// reads it): the cost per affected item, without the other starts' noise,
// and how much of it is the walk.
func BenchmarkImpactDepth4Heaviest(b *testing.B) {
	s, sm := benchEstate(b)
	reach := benchCompact(b, harness.Downstream)
	r, n := heaviestStart(reach, sm)
	q := analysis.ImpactQuery{Refs: []string{string(r.Kind) + ":" + r.Key}, MaxDepth: 4}
	b.Run("impact", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if res, err := analysis.Impact(context.Background(), s, q); err != nil || len(res.Affected) != n {
				b.Fatalf("Impact(%s): %v, %v", r, res, err)
			}
		}
		b.ReportMetric(float64(n), "items/op")
	})
	b.Run("traverse", func(b *testing.B) {
		q := graph.TraverseQuery{Starts: []graph.ID{r.ID()}, Steps: analysis.ImpactSteps(analysis.Downstream), MaxDepth: 4,
			Light: &graph.Light{Props: []string{"tier", "path"}}}
		b.ReportAllocs()
		for b.Loop() {
			if tr, err := s.Traverse(context.Background(), q); err != nil || len(tr.Hits) != n {
				b.Fatalf("Traverse(%s): %v, %v", r, tr, err)
			}
		}
	})
	b.Run("floor", func(b *testing.B) {
		for b.Loop() {
			if reach.Reach(r.ID(), 4) != n {
				b.Fatal("reach changed")
			}
		}
	})
}

func BenchmarkImpactDepth6(b *testing.B) {
	s, sm := benchEstate(b)
	refs := mixed(append(slices.Clone(sm.HotApplications), sm.HotResources...), append(slices.Clone(sm.Applications), sm.Repositories...))
	hot := map[graph.Ref]bool{}
	for _, r := range sm.HotApplications {
		hot[r] = true
	}
	ctx := context.Background()
	var lat harness.Latencies
	total := 0
	var (
		slowest   time.Duration
		slowRef   graph.Ref
		slowItems int
	)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r := refs[i%len(refs)]
		var res *analysis.ImpactResult
		var err error
		lat.Time(func() {
			res, err = analysis.Impact(ctx, s, analysis.ImpactQuery{Refs: []string{string(r.Kind) + ":" + r.Key}, MaxDepth: 6})
		})
		if err != nil || len(res.Starts) != 1 || res.Starts[0].Key != r.Key || (hot[r] && len(res.Affected) == 0) {
			b.Fatalf("Impact(%s): %v, %v", r, res, err)
		}
		total += len(res.Affected)
		if d := lat[len(lat)-1]; d > slowest {
			slowest, slowRef, slowItems = d, r, len(res.Affected)
		}
	}
	b.Logf("slowest: %s from %s reaching %d items", slowest, slowRef, slowItems)
	report(b, lat)
	b.ReportMetric(float64(total)/float64(b.N), "items/op")
}

// benchFloor times a BFS to depth from each of refs over the benchmark
// graph's arcs as integer arrays, oriented by follow: the floor a plain
// in-memory search reaches.
func benchFloor(b *testing.B, follow func(t graph.RelType, from, to graph.ID) (graph.ID, graph.ID, bool), refs []graph.Ref, depth int) {
	c := benchCompact(b, follow)
	var lat harness.Latencies
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r := refs[i%len(refs)]
		n := 0
		lat.Time(func() { n = c.Reach(r.ID(), depth) })
		if n < 0 {
			b.Fatal("negative reach")
		}
	}
	report(b, lat)
}

// benchCompact builds the benchmark graph's arcs as integer arrays,
// oriented by follow.
func benchCompact(b *testing.B, follow func(t graph.RelType, from, to graph.ID) (graph.ID, graph.ID, bool)) *harness.Compact {
	s, _ := benchEstate(b)
	cb := harness.NewCompactBuilder()
	if err := s.ScanEdges(context.Background(), func(e *graph.Edge) error {
		if f, t, ok := follow(e.Type, e.From.ID(), e.To.ID()); ok {
			cb.Add(f, t)
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	return cb.Build()
}

// BenchmarkFloorImpactDepth4Uniform is a BFS to depth 4 over the downstream
// arrays from the same starts as BenchmarkImpactDepth4Uniform.
func BenchmarkFloorImpactDepth4Uniform(b *testing.B) {
	_, sm := benchEstate(b)
	benchFloor(b, harness.Downstream, sm.Applications, 4)
}

// BenchmarkFloorWhoOwns is a BFS to depth 4 over the ownership arrays from
// the same starts as BenchmarkWhoOwns.
func BenchmarkFloorWhoOwns(b *testing.B) {
	_, sm := benchEstate(b)
	refs := mixed(sm.Applications, append(slices.Clone(sm.Resources), sm.Repositories...))
	benchFloor(b, harness.Ownership, refs, 4)
}

// BenchmarkFloorImpactDepth6 is a BFS to depth 6 over the downstream
// arrays from the same starts as BenchmarkImpactDepth6.
func BenchmarkFloorImpactDepth6(b *testing.B) {
	_, sm := benchEstate(b)
	refs := mixed(append(slices.Clone(sm.HotApplications), sm.HotResources...), append(slices.Clone(sm.Applications), sm.Repositories...))
	benchFloor(b, harness.Downstream, refs, 6)
}

// BenchmarkShadowEstate and BenchmarkHealth time the whole-graph answers,
// which read every node and relationship: at L (ESTATE_BENCH_TIER=L) an
// API request has 10 s by default.
func BenchmarkShadowEstate(b *testing.B) {
	s, _ := benchEstate(b)
	ctx := context.Background()
	for b.Loop() {
		rep, err := analysis.ShadowEstate(ctx, s, time.Now())
		if err != nil || len(rep.Findings) == 0 {
			b.Fatalf("shadow estate: %d findings, %v", len(rep.Findings), err)
		}
	}
}

// BenchmarkShadowEstateObserved is BenchmarkShadowEstate as a run's
// summary makes it with notify targets: the report, and the comparison
// with the last look's open findings (nothing new, so nothing sent). Run
// beside BenchmarkShadowEstate, the difference is what notify adds to
// every run.
func BenchmarkShadowEstateObserved(b *testing.B) {
	s, _ := benchEstate(b)
	ctx := context.Background()
	n, err := notify.New([]notify.Target{{Name: "chat", Type: notify.TypeSlack, URL: "http://127.0.0.1:9/never-called"}}, notify.Options{})
	if err != nil {
		b.Fatal(err)
	}
	shadow := func(ctx context.Context) (*analysis.ShadowReport, error) {
		return analysis.ShadowEstate(ctx, s, time.Now())
	}
	if err := n.Seed(ctx, shadow); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := n.Observe(ctx, graph.IngestRun{ID: "bench"}, shadow)
		if err != nil || len(rep.Findings) == 0 {
			b.Fatalf("observed: %v", err)
		}
	}
}

func BenchmarkHealth(b *testing.B) {
	s, _ := benchEstate(b)
	ctx := context.Background()
	for b.Loop() {
		rep, err := analysis.Health(ctx, s, 30*24*time.Hour, time.Now())
		if err != nil || rep.Completeness.ServicesOwned.Total == 0 {
			b.Fatalf("health: %+v, %v", rep, err)
		}
	}
}

// BenchmarkDuplicates: the likely duplicates, one Topology read like Health
// (run beside it: the read is most of both). At every tier the groups are
// the generator's second spellings of people, and nothing else.
func BenchmarkDuplicates(b *testing.B) {
	s, samples := benchEstate(b)
	ctx := context.Background()
	for b.Loop() {
		rep, err := analysis.Duplicates(ctx, s, nil)
		if err != nil || len(rep.Groups) != len(samples.DuplicatePeople) {
			b.Fatalf("duplicates: %d groups for %d second spellings, %v", len(rep.Groups), len(samples.DuplicatePeople), err)
		}
	}
}

// BenchmarkDuplicatesOf: one entity page's merge suggestions (a search per
// word of the entity's spellings), beside the one search the page made
// before (of the key's mailbox here), for the people the generator spells
// twice: each finds its other spelling.
func BenchmarkDuplicatesOf(b *testing.B) {
	s, samples := benchEstate(b)
	ctx := context.Background()
	var ids []graph.ID
	for _, r := range samples.DuplicatePeople {
		ids = append(ids, r.ID())
	}
	people, err := s.Nodes(ctx, ids)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("DuplicatesOf", func(b *testing.B) {
		i := 0
		for b.Loop() {
			p := people[i%len(people)]
			i++
			g, err := analysis.DuplicatesOf(ctx, s, p)
			if err != nil || g == nil || len(g.Items) != 2 {
				b.Fatalf("duplicates of %s: %+v, %v", p.Ref(), g, err)
			}
		}
	})
	b.Run("Search", func(b *testing.B) {
		i := 0
		for b.Loop() {
			p := people[i%len(people)]
			i++
			text, _, _ := strings.Cut(p.Key, "@")
			if _, err := s.Search(ctx, graph.SearchQuery{Text: text, Kinds: []graph.Kind{p.Kind}, Limit: 10}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

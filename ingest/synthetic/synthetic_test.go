package synthetic

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

// recorder keeps everything a run emits, in order.
type recorder struct {
	nodes []graph.NodeInput
	edges []graph.EdgeInput
	errs  []string
}

func (r *recorder) Node(n graph.NodeInput) error { r.nodes = append(r.nodes, n); return nil }
func (r *recorder) Edge(e graph.EdgeInput) error { r.edges = append(r.edges, e); return nil }
func (r *recorder) ItemError(item string, err error) {
	r.errs = append(r.errs, item+": "+err.Error())
}

// counter only counts: the cheapest emitter, for timing generation alone.
type counter struct {
	nodes map[graph.Kind]int
	edges map[graph.RelType]int
}

func newCounter() *counter {
	return &counter{nodes: map[graph.Kind]int{}, edges: map[graph.RelType]int{}}
}
func (c *counter) Node(n graph.NodeInput) error { c.nodes[n.Kind]++; return nil }
func (c *counter) Edge(e graph.EdgeInput) error { c.edges[e.Type]++; return nil }
func (c *counter) ItemError(string, error)      {}

func (c *counter) totalEdges() int {
	n := 0
	for _, v := range c.edges {
		n += v
	}
	return n
}

func mustNew(t testing.TB, cfg Config) *Source {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return s
}

func record(t testing.TB, cfg Config) *recorder {
	t.Helper()
	r := &recorder{}
	if err := mustNew(t, cfg).Run(context.Background(), r); err != nil {
		t.Fatalf("Run(%+v): %v", cfg, err)
	}
	if len(r.errs) > 0 {
		t.Fatalf("Run(%+v) reported item errors: %v", cfg, r.errs[:min(5, len(r.errs))])
	}
	return r
}

// recorded memoises S-tier recordings shared by several tests.
var recorded = map[Config]*recorder{}

func recordS(t testing.TB, cfg Config) *recorder {
	if r, ok := recorded[cfg]; ok {
		return r
	}
	r := record(t, cfg)
	recorded[cfg] = r
	return r
}

func sCfg() Config { return DefaultConfig(TierS, 42) }

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string // "" when valid
	}{
		{"default S", DefaultConfig(TierS, 1), ""},
		{"uniform L with churn", Config{Tier: TierL, Skew: 0, Churn: 3}, ""},
		{"full skew", Config{Tier: TierM, Skew: 1}, ""},
		{"unknown tier", Config{Tier: "XL", Skew: 0.8}, "Tier"},
		{"empty tier", Config{Skew: 0.8}, "Tier"},
		{"lower-case tier", Config{Tier: "s"}, "Tier"},
		{"negative skew", Config{Tier: TierS, Skew: -0.1}, "Skew"},
		{"skew over one", Config{Tier: TierS, Skew: 1.5}, "Skew"},
		{"NaN skew", Config{Tier: TierS, Skew: math.NaN()}, "Skew"},
		{"negative churn", Config{Tier: TierS, Churn: -1}, "Churn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			_, newErr := New(tt.cfg)
			if tt.field == "" {
				if err != nil || newErr != nil {
					t.Fatalf("Validate() = %v, New() = %v; want both nil", err, newErr)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("Validate() = %v; want an error naming %s", err, tt.field)
			}
			if newErr == nil {
				t.Fatal("New accepted an invalid config")
			}
		})
	}
}

func TestName(t *testing.T) {
	base := mustNew(t, Config{Tier: TierM, Seed: -7, Skew: 0.8})
	churned := mustNew(t, Config{Tier: TierM, Seed: -7, Skew: 0.8, Churn: 2})
	if base.Name() != "synthetic:M:-7" {
		t.Errorf("Name() = %q, want synthetic:M:-7", base.Name())
	}
	if churned.Name() != base.Name() {
		t.Errorf("churned Name() = %q differs from base %q: the churn run would not sweep the base run", churned.Name(), base.Name())
	}
}

func TestCountsMatchTierTable(t *testing.T) {
	if Counts("XL") != nil {
		t.Error("Counts of an unknown tier is not nil")
	}
	for _, tier := range []Tier{TierS, TierM} {
		t.Run(string(tier), func(t *testing.T) {
			want := Counts(tier)
			if len(want) != len(graph.EstateKinds) {
				t.Fatalf("Counts(%s) has %d kinds, want %d", tier, len(want), len(graph.EstateKinds))
			}
			c := newCounter()
			if err := mustNew(t, DefaultConfig(tier, 3)).Run(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			nodes := 0
			for _, k := range graph.EstateKinds {
				if c.nodes[k] != want[k] {
					t.Errorf("%s: emitted %d, tier table says %d", k, c.nodes[k], want[k])
				}
				nodes += c.nodes[k]
			}
			// About 3.5 relationships per node.
			per := float64(c.totalEdges()) / float64(nodes)
			if per < 3.3 || per > 3.7 {
				t.Errorf("%.2f relationships per node (%d / %d), want about 3.5", per, c.totalEdges(), nodes)
			}
			for _, rt := range graph.EstateRelTypes {
				if c.edges[rt] == 0 {
					t.Errorf("no %s relationship emitted", rt)
				}
			}
		})
	}
}

func TestEmissionIsValid(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"base", sCfg()},
		{"uniform", Config{Tier: TierS, Seed: 42}},
		{"full skew", Config{Tier: TierS, Seed: 42, Skew: 1}},
		{"churn 1", Config{Tier: TierS, Seed: 42, Skew: 0.8, Churn: 1}},
		{"churn 3", Config{Tier: TierS, Seed: 9, Skew: 0.5, Churn: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := recordS(t, tt.cfg)
			emitted := map[graph.Ref]bool{}
			for _, n := range rec.nodes {
				if _, err := graph.ValidateNodeInput(n); err != nil {
					t.Fatalf("node %s: %v", n.Ref(), err)
				}
				if emitted[n.Ref()] {
					t.Fatalf("node %s emitted twice", n.Ref())
				}
				emitted[n.Ref()] = true
			}
			ids := map[graph.ID]bool{}
			for _, e := range rec.edges {
				if _, err := graph.ValidateEdge(e); err != nil {
					t.Fatalf("relationship %s %s → %s: %v", e.Type, e.From, e.To, err)
				}
				if !emitted[e.From] || !emitted[e.To] {
					t.Fatalf("relationship %s %s → %s emitted before its ends", e.Type, e.From, e.To)
				}
				if ids[e.ID()] {
					t.Fatalf("relationship %s %s → %s (%v) emitted twice", e.Type, e.From, e.To, e.Props)
				}
				ids[e.ID()] = true
			}
		})
	}
}

// TestNodesPrecedeEdges checks the order through a tiny emitter that fails
// on a node after an edge.
func TestNodesPrecedeEdges(t *testing.T) {
	var sawEdge bool
	e := &funcEmitter{
		node: func(graph.NodeInput) error {
			if sawEdge {
				return errors.New("node after relationship")
			}
			return nil
		},
		edge: func(graph.EdgeInput) error { sawEdge = true; return nil },
	}
	if err := mustNew(t, sCfg()).Run(context.Background(), e); err != nil {
		t.Fatal(err)
	}
}

type funcEmitter struct {
	node func(graph.NodeInput) error
	edge func(graph.EdgeInput) error
}

func (f *funcEmitter) Node(n graph.NodeInput) error { return f.node(n) }
func (f *funcEmitter) Edge(e graph.EdgeInput) error { return f.edge(e) }
func (f *funcEmitter) ItemError(string, error)      {}

func digest(r *recorder) string {
	h := sha256.New()
	for _, n := range r.nodes {
		fmt.Fprintln(h, n) // maps print sorted
	}
	for _, e := range r.edges {
		fmt.Fprintln(h, e)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestDeterministic(t *testing.T) {
	cfg := sCfg()
	a, b := record(t, cfg), record(t, cfg)
	if len(a.nodes) != len(b.nodes) || len(a.edges) != len(b.edges) {
		t.Fatalf("two runs emitted %d/%d and %d/%d items", len(a.nodes), len(a.edges), len(b.nodes), len(b.edges))
	}
	if digest(a) != digest(b) {
		t.Fatal("two runs of the same config emitted different sequences")
	}
	// A second Source of the same config, too.
	if digest(record(t, cfg)) != digest(a) {
		t.Fatal("a second source of the same config emitted a different sequence")
	}
	for _, other := range []Config{
		{Tier: TierS, Seed: 43, Skew: 0.8},
		{Tier: TierS, Seed: 42, Skew: 0.7},
		{Tier: TierS, Seed: 42, Skew: 0.8, Churn: 1},
	} {
		if digest(recordS(t, other)) == digest(a) {
			t.Errorf("%+v emitted the same sequence as %+v", other, cfg)
		}
	}
	// Different seeds give different estates, not just different bytes.
	c := recordS(t, Config{Tier: TierS, Seed: 43, Skew: 0.8})
	same := 0
	ids := map[graph.ID]bool{}
	for _, e := range a.edges {
		ids[e.ID()] = true
	}
	for _, e := range c.edges {
		if ids[e.ID()] {
			same++
		}
	}
	if share := float64(same) / float64(len(c.edges)); share > 0.5 {
		t.Errorf("seeds 42 and 43 share %.0f%% of their relationships", 100*share)
	}
}

// depShare is the share of DEPENDS_ON relationships pointing at the top 1%
// of dependency targets.
func depShare(r *recorder) float64 {
	in := map[graph.Ref]int{}
	total := 0
	for _, e := range r.edges {
		if e.Type == graph.RelDependsOn {
			in[e.To]++
			total++
		}
	}
	counts := make([]int, 0, len(in))
	for _, c := range in {
		counts = append(counts, c)
	}
	slices.Sort(counts)
	slices.Reverse(counts)
	top := 0
	for _, c := range counts[:max(1, len(counts)/100)] {
		top += c
	}
	return float64(top) / float64(total)
}

func TestSkew(t *testing.T) {
	skewed := depShare(recordS(t, sCfg()))
	uniform := depShare(recordS(t, Config{Tier: TierS, Seed: 42}))
	t.Logf("top 1%% of dependency targets carry %.1f%% of DEPENDS_ON at skew 0.8, %.1f%% at skew 0", 100*skewed, 100*uniform)
	if skewed < 0.25 {
		t.Errorf("skew 0.8: top 1%% of targets carry %.1f%% of dependencies, want ≥ 25%%", 100*skewed)
	}
	if uniform > 0.12 || uniform*3 > skewed {
		t.Errorf("skew 0: top 1%% of targets carry %.1f%% of dependencies, want much less than at 0.8 (%.1f%%)", 100*uniform, 100*skewed)
	}

	// The hottest targets are the shared platform services and libraries,
	// and a large share of applications depend on them.
	s := mustNew(t, sCfg()).Samples(3)
	if s.HotServices[0].Key != "auth" {
		t.Errorf("hottest service is %q, want auth", s.HotServices[0].Key)
	}
	for _, tc := range []struct {
		cfg      Config
		min, max float64
	}{{sCfg(), 0.5, 1}, {Config{Tier: TierS, Seed: 42}, 0, 0.1}} {
		rec := recordS(t, tc.cfg)
		apps, dependents := 0, map[graph.Ref]int{}
		for _, n := range rec.nodes {
			if n.Kind == graph.KindApplication {
				apps++
			}
		}
		for _, e := range rec.edges {
			if e.Type == graph.RelDependsOn && e.To.Kind == graph.KindApplication {
				dependents[e.To]++
			}
		}
		best := 0
		for _, c := range dependents {
			best = max(best, c)
		}
		if share := float64(best) / float64(apps); share < tc.min || share > tc.max {
			t.Errorf("skew %.1f: the most depended-on application has %.0f%% of applications as dependents, want %.0f%%..%.0f%%",
				tc.cfg.Skew, 100*share, 100*tc.min, 100*tc.max)
		}
	}

	// Shared network resources carry many resources (their vpc label).
	vpcs := map[string]int{}
	attached := 0
	for _, n := range recordS(t, sCfg()).nodes {
		if v, ok := n.Labels["vpc"]; ok {
			vpcs[v]++
			attached++
		}
	}
	best := 0
	for _, c := range vpcs {
		best = max(best, c)
	}
	if float64(best) < 0.2*float64(attached) {
		t.Errorf("the busiest VPC carries %d of %d attached resources, want a large share", best, attached)
	}
}

func TestNoise(t *testing.T) {
	rec := recordS(t, sCfg())
	owned, defined := map[graph.Ref]bool{}, map[graph.Ref]bool{}
	for _, e := range rec.edges {
		switch e.Type {
		case graph.RelOwns:
			owned[e.To] = true
		case graph.RelDefines:
			defined[e.To] = true
		}
	}
	var resources, orphans, repos, unownedRepos, unregistered int
	aliases := map[string][]string{}
	for _, n := range rec.nodes {
		switch n.Kind {
		case graph.KindCloudResource:
			resources++
			if !owned[n.Ref()] && !defined[n.Ref()] {
				orphans++
			}
		case graph.KindRepository:
			repos++
			if !owned[n.Ref()] {
				unownedRepos++
			}
		case graph.KindPerson:
			for _, a := range n.Aliases {
				aliases[a] = append(aliases[a], n.Key)
			}
		case graph.KindCloudAccount:
			if n.Props["registered"] == false {
				unregistered++
			}
		}
	}
	if share := float64(orphans) / float64(resources); share < 0.015 || share > 0.025 {
		t.Errorf("%d of %d resources (%.1f%%) are owned by nothing and defined by no repository, want ~2%%", orphans, resources, 100*share)
	}
	if share := float64(unownedRepos) / float64(repos); share < 0.003 || share > 0.02 {
		t.Errorf("%d of %d repositories (%.1f%%) have no owner, want ~1%%", unownedRepos, repos, 100*share)
	}
	if unregistered == 0 || unregistered > 2 {
		t.Errorf("%d unregistered accounts of 10, want a few", unregistered)
	}
	var twice []string
	for a, keys := range aliases {
		if len(keys) > 1 {
			twice = append(twice, a)
			if len(keys) != 2 || strings.ReplaceAll(keys[0], ".", "") != strings.ReplaceAll(keys[1], ".", "") {
				t.Errorf("alias %q is shared by %v, want two spellings of one e-mail", a, keys)
			}
		}
	}
	if len(twice) < 3 || len(twice) > 10 {
		t.Errorf("%d people under two e-mail spellings, want a few", len(twice))
	}

	if c := dependencyCycles(rec); c < 1 || c > 10 {
		t.Errorf("%d DEPENDS_ON cycles (non-trivial strongly connected components), want a few", c)
	}
}

// dependencyCycles counts the strongly connected components of more than one
// node in the DEPENDS_ON graph (Tarjan).
func dependencyCycles(r *recorder) int {
	adj := map[graph.Ref][]graph.Ref{}
	for _, e := range r.edges {
		if e.Type == graph.RelDependsOn {
			adj[e.From] = append(adj[e.From], e.To)
		}
	}
	index, low := map[graph.Ref]int{}, map[graph.Ref]int{}
	on := map[graph.Ref]bool{}
	var stack []graph.Ref
	next, sccs := 0, 0
	var visit func(v graph.Ref)
	visit = func(v graph.Ref) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		on[v] = true
		for _, w := range adj[v] {
			if _, seen := index[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			size := 0
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[w] = false
				size++
				if w == v {
					break
				}
			}
			if size > 1 {
				sccs++
			}
		}
	}
	for _, n := range r.nodes {
		if _, seen := index[n.Ref()]; !seen && n.Kind == graph.KindApplication {
			visit(n.Ref())
		}
	}
	return sccs
}

func TestChurnStep(t *testing.T) {
	base := recordS(t, sCfg())
	cfg := sCfg()
	cfg.Churn = 1
	churn := recordS(t, cfg)

	before := map[graph.Ref]string{}
	for _, n := range base.nodes {
		before[n.Ref()] = fmt.Sprintf("%#v", n)
	}
	after := map[graph.Ref]bool{}
	var added, changed, kept int
	for _, n := range churn.nodes {
		after[n.Ref()] = true
		old, ok := before[n.Ref()]
		switch {
		case !ok:
			added++
		case old != fmt.Sprintf("%#v", n):
			changed++
			kept++
		default:
			kept++
		}
	}
	deleted := len(base.nodes) - kept
	share := func(n, of int) float64 { return float64(n) / float64(of) }
	t.Logf("churn: %d nodes deleted, %d added, %d changed of %d", deleted, added, changed, len(base.nodes))
	if s := share(deleted, len(base.nodes)); s < 0.006 || s > 0.014 {
		t.Errorf("%d of %d nodes deleted (%.2f%%), want ~1%%", deleted, len(base.nodes), 100*s)
	}
	if s := share(added, len(base.nodes)); s < 0.008 || s > 0.012 {
		t.Errorf("%d nodes added to %d (%.2f%%), want ~1%%", added, len(base.nodes), 100*s)
	}
	if s := share(changed, kept); s < 0.04 || s > 0.06 {
		t.Errorf("%d of %d kept nodes changed (%.2f%%), want ~5%%", changed, kept, 100*s)
	}

	// Relationships whose ends both survived: ~2% rewired (gone from the
	// churned estate, replaced by another).
	now := map[graph.ID]bool{}
	for _, e := range churn.edges {
		now[e.ID()] = true
	}
	var survivors, rewired int
	for _, e := range base.edges {
		if !after[e.From] || !after[e.To] {
			continue
		}
		survivors++
		if !now[e.ID()] {
			rewired++
		}
	}
	t.Logf("churn: %d of %d relationships between surviving nodes rewired", rewired, survivors)
	if s := share(rewired, survivors); s < 0.01 || s > 0.03 {
		t.Errorf("%d of %d relationships between surviving nodes rewired (%.2f%%), want ~2%% of the rewirable ones", rewired, survivors, 100*s)
	}

	// Additions are connected, not islands.
	connected := map[graph.Ref]bool{}
	for _, e := range churn.edges {
		connected[e.From], connected[e.To] = true, true
	}
	for _, n := range churn.nodes {
		if _, old := before[n.Ref()]; !old && !connected[n.Ref()] && n.Kind != graph.KindTeam && n.Kind != graph.KindCloudAccount {
			t.Errorf("added %s has no relationship", n.Ref())
		}
	}
}

func TestSamples(t *testing.T) {
	const n = 5
	for _, churn := range []int{0, 1} {
		cfg := sCfg()
		cfg.Churn = churn
		t.Run(fmt.Sprintf("churn %d", churn), func(t *testing.T) {
			rec := recordS(t, cfg)
			s := mustNew(t, cfg).Samples(n)
			if !slices.Equal(s.Teams, mustNew(t, cfg).Samples(n).Teams) {
				t.Error("Samples is not deterministic")
			}
			emitted := map[graph.Ref]bool{}
			for _, nd := range rec.nodes {
				emitted[nd.Ref()] = true
			}
			in := map[graph.Ref]int{}
			for _, e := range rec.edges {
				if e.Type == graph.RelDependsOn {
					in[e.To]++
				}
			}
			lists := map[string][]graph.Ref{
				"HotApplications": s.HotApplications, "HotServices": s.HotServices, "HotResources": s.HotResources,
				"Applications": s.Applications, "Services": s.Services, "Resources": s.Resources,
				"Repositories": s.Repositories, "Teams": s.Teams, "People": s.People, "Accounts": s.Accounts,
				"DuplicatePeople": s.DuplicatePeople,
			}
			for name, refs := range lists {
				if len(refs) != n && !(name == "DuplicatePeople" && len(refs) >= 3) {
					t.Errorf("%s has %d refs, want %d", name, len(refs), n)
				}
				seen := map[graph.Ref]bool{}
				for _, r := range refs {
					if !emitted[r] {
						t.Errorf("%s: %s was not emitted", name, r)
					}
					if seen[r] {
						t.Errorf("%s: %s twice", name, r)
					}
					seen[r] = true
				}
			}
			// Hot lists are the most depended-on of their kind, in order
			// (cycle edges aside, which add one to a low-popularity app).
			for _, refs := range [][]graph.Ref{s.HotApplications, s.HotServices, s.HotResources} {
				kind := refs[0].Kind
				max := 0
				for r, c := range in {
					if r.Kind == kind && c > max {
						max = c
					}
				}
				if in[refs[0]] != max {
					t.Errorf("hottest %s %s has %d dependents, but one has %d", kind, refs[0].Key, in[refs[0]], max)
				}
				for i := 1; i < len(refs); i++ {
					if in[refs[i]] > in[refs[i-1]] {
						t.Errorf("hot %s list is not ordered: %s has %d, before it %s has %d", kind, refs[i].Key, in[refs[i]], refs[i-1].Key, in[refs[i-1]])
					}
				}
			}
			if !strings.HasPrefix(s.Resources[0].Key, "arn:aws:") {
				t.Errorf("resource sample %q is not an ARN", s.Resources[0].Key)
			}
		})
	}
	if got := mustNew(t, sCfg()).Samples(0); got.Teams != nil {
		t.Error("Samples(0) returned keys")
	}
}

func TestRealisticKeys(t *testing.T) {
	rec := recordS(t, sCfg())
	check := map[graph.Kind]func(graph.NodeInput) bool{
		graph.KindRepository: func(n graph.NodeInput) bool { return strings.HasPrefix(n.Key, "github.com/acme") },
		graph.KindCloudResource: func(n graph.NodeInput) bool {
			p := strings.Split(n.Key, ":")
			return len(p) >= 6 && p[0] == "arn" && p[1] == "aws" && n.Props["region"] != "" && len(n.Props["account"].(string)) == 12
		},
		graph.KindCloudAccount: func(n graph.NodeInput) bool { return strings.HasPrefix(n.Key, "aws:") && len(n.Key) == 16 },
		graph.KindPerson:       func(n graph.NodeInput) bool { return strings.HasSuffix(n.Key, "@acme.example") },
		graph.KindService: func(n graph.NodeInput) bool {
			tier, ok := n.Props["tier"].(int)
			return ok && tier >= 1 && tier <= 4
		},
	}
	for _, n := range rec.nodes {
		if f := check[n.Kind]; f != nil && !f(n) {
			t.Errorf("unrealistic %s: %s %v", n.Kind, n.Key, n.Props)
		}
	}
	// Some monorepos build several applications from paths.
	paths := map[string]int{}
	for _, e := range rec.edges {
		if e.Type == graph.RelBuilds && e.Props["path"] != nil {
			paths[e.From.Key]++
		}
	}
	multi := 0
	for _, c := range paths {
		if c > 1 {
			multi++
		}
	}
	if multi == 0 {
		t.Error("no monorepo builds several applications")
	}
	// Ownership is mostly technical, some business.
	roles := map[string]int{}
	for _, e := range rec.edges {
		if e.Type == graph.RelOwns {
			roles[e.Props["role"].(string)]++
		}
	}
	if roles[graph.OwnerTechnical] <= roles[graph.OwnerBusiness] || roles[graph.OwnerBusiness] == 0 {
		t.Errorf("owner roles %v: want mostly technical, some business", roles)
	}
}

func TestRunStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	e := &funcEmitter{
		node: func(graph.NodeInput) error {
			if n++; n == 100 {
				cancel()
			}
			return nil
		},
		edge: func(graph.EdgeInput) error { return nil },
	}
	if err := mustNew(t, sCfg()).Run(ctx, e); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after cancel = %v, want context.Canceled", err)
	}
	if n > 100+1024 {
		t.Errorf("Run went on for %d nodes after the context was cancelled", n-100)
	}

	boom := errors.New("store down")
	e = &funcEmitter{
		node: func(graph.NodeInput) error { return nil },
		edge: func(graph.EdgeInput) error { return boom },
	}
	if err := mustNew(t, sCfg()).Run(context.Background(), e); !errors.Is(err, boom) {
		t.Fatalf("Run with a failing emitter = %v, want its error", err)
	}
}

func BenchmarkGenerate(b *testing.B) {
	src := mustNew(b, sCfg())
	for b.Loop() {
		c := newCounter()
		if err := src.Run(context.Background(), c); err != nil {
			b.Fatal(err)
		}
		if c.nodes[graph.KindCloudResource] != 8000 || c.totalEdges() < 30_000 {
			b.Fatalf("generated %v nodes, %d relationships", c.nodes, c.totalEdges())
		}
		b.ReportMetric(float64(c.totalEdges()), "edges/op")
	}
}

// BenchmarkGenerateTiers times generation alone (into a counting emitter) for
// the larger tiers; run it with -bench GenerateTiers -benchtime 1x.
func BenchmarkGenerateTiers(b *testing.B) {
	for _, tier := range []Tier{TierM, TierL} {
		b.Run(string(tier), func(b *testing.B) {
			src := mustNew(b, DefaultConfig(tier, 1))
			want := Counts(tier)[graph.KindCloudResource]
			for b.Loop() {
				c := newCounter()
				if err := src.Run(context.Background(), c); err != nil {
					b.Fatal(err)
				}
				if c.nodes[graph.KindCloudResource] != want {
					b.Fatalf("generated %v nodes", c.nodes)
				}
				b.ReportMetric(float64(c.totalEdges()), "edges/op")
			}
		})
	}
}

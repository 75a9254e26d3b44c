// Package synthetic generates a deterministic, realistic estate and exposes
// it as an ingest source, so benchmarks and tests push it through the same
// engine → store path as GitHub or AWS (BENCHMARKS.md, "The synthetic
// estate").
//
// The same Config always emits a byte-identical sequence of nodes and then
// relationships. Nothing is materialised: every node and every relationship
// is a function of (seed, kind, index), computed by index arithmetic over a
// fixed layout from per-item PCG streams (math/rand/v2), so tier L streams in
// constant memory apart from a key cache of the small kinds.
//
// Shape: business units nest under a root; services belong to business units;
// applications to services (1–8 each); each application has its own repository
// or a path in a monorepo; infrastructure repositories define most cloud
// resources; teams nest and own what they build; people belong to teams and
// own some things as business or technical owners. Skew makes a few platform
// services ("auth", "logging", …), shared libraries, shared VPCs and subnets,
// clusters and data stores carry a large share of the dependencies (a power
// law over the index: low indices are popular). Noise: ~2% of resources owned
// by nothing and defined by no repository, ~1% of repositories without
// owners, a few people under two e-mail spellings sharing a handle alias, a
// few DEPENDS_ON cycles, a few unregistered accounts whose resources no
// repository defines.
//
// Churn step k (Config.Churn = k) applies k successive steps to the base
// estate; each step changes properties of ~5% of the nodes, deletes ~1%
// (never the platform head, business units or accounts), adds 1% per kind and
// rewires ~2% of the relationships whose target is a choice (ownership,
// membership, part-of, dependencies, runs-on, defines). Relationships to a
// deleted node disappear with it.
package synthetic

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
)

// Tier is the size of the estate: "S" (CI smoke), "M" or "L".
type Tier string

// The tiers of BENCHMARKS.md.
const (
	TierS Tier = "S"
	TierM Tier = "M"
	TierL Tier = "L"
)

// DefaultSkew is the skew BENCHMARKS.md measures with.
const DefaultSkew = 0.8

// Config selects one estate.
type Config struct {
	Tier Tier
	Seed int64
	// Skew in 0..1 concentrates dependencies on a few hot nodes: 0 is
	// uniform, DefaultSkew (0.8) is what benchmarks use. The zero value
	// means uniform: start from DefaultConfig for the benchmark estate.
	Skew float64
	// Churn is the number of churn steps applied to the base estate (0 is
	// the base estate itself).
	Churn int
}

// DefaultConfig is the benchmark estate of a tier: skew DefaultSkew, no churn.
func DefaultConfig(t Tier, seed int64) Config {
	return Config{Tier: t, Seed: seed, Skew: DefaultSkew}
}

// Validate reports an unknown tier, a skew outside 0..1 or a negative churn.
func (c Config) Validate() error {
	if _, ok := tierTable[c.Tier]; !ok {
		return fmt.Errorf("synthetic: Tier %q is unknown (want S, M or L)", c.Tier)
	}
	if !(c.Skew >= 0 && c.Skew <= 1) { // also rejects NaN
		return fmt.Errorf("synthetic: Skew %v is outside 0..1", c.Skew)
	}
	if c.Churn < 0 {
		return fmt.Errorf("synthetic: Churn %d is negative", c.Churn)
	}
	return nil
}

var tierTable = map[Tier]map[graph.Kind]int{
	TierS: {
		graph.KindBusinessUnit: 5, graph.KindTeam: 50, graph.KindPerson: 500, graph.KindService: 200,
		graph.KindApplication: 400, graph.KindRepository: 800, graph.KindCloudAccount: 10, graph.KindCloudResource: 8_000,
	},
	TierM: {
		graph.KindBusinessUnit: 20, graph.KindTeam: 500, graph.KindPerson: 5_000, graph.KindService: 2_000,
		graph.KindApplication: 4_000, graph.KindRepository: 8_000, graph.KindCloudAccount: 100, graph.KindCloudResource: 80_000,
	},
	TierL: {
		graph.KindBusinessUnit: 60, graph.KindTeam: 2_500, graph.KindPerson: 25_000, graph.KindService: 10_000,
		graph.KindApplication: 20_000, graph.KindRepository: 40_000, graph.KindCloudAccount: 500, graph.KindCloudResource: 400_000,
	},
}

// Counts returns the number of nodes of each kind in the base estate of tier
// t (nil for an unknown tier).
func Counts(t Tier) map[graph.Kind]int {
	c, ok := tierTable[t]
	if !ok {
		return nil
	}
	out := make(map[graph.Kind]int, len(c))
	for k, n := range c {
		out[k] = n
	}
	return out
}

// Source is the synthetic estate as an ingest source.
type Source struct {
	g *gen
}

var _ ingest.Source = (*Source)(nil)

// New checks cfg and lays out its estate.
func New(cfg Config) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Source{g: newGen(cfg)}, nil
}

// Config returns the configuration the source was made with.
func (s *Source) Config() Config { return s.g.cfg }

// Name is "synthetic:<tier>:<seed>". It does not include the churn step, so
// a churn run is the same source as the base run and sweeps its leftovers.
func (s *Source) Name() string {
	return "synthetic:" + string(s.g.cfg.Tier) + ":" + strconv.FormatInt(s.g.cfg.Seed, 10)
}

// Run emits every node, then every relationship. Each relationship's ends are
// emitted before it. Run stops with the context's error when it is cancelled
// and with the emitter's error when that fails.
func (s *Source) Run(ctx context.Context, emit ingest.Emitter) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := newRun(s.g, ctx, emit)
	if err := r.nodes(); err != nil {
		return err
	}
	return r.edges()
}

// Samples are keys for benchmarks and tests, all of nodes that exist in the
// configured estate.
type Samples struct {
	// HotApplications, HotServices and HotResources are the most depended-on
	// (DEPENDS_ON in-degree) applications, services and cloud resources, most
	// first: the hot starts of impact analysis.
	HotApplications []graph.Ref
	HotServices     []graph.Ref
	HotResources    []graph.Ref
	// The rest are distinct nodes drawn uniformly at random.
	Applications []graph.Ref
	Services     []graph.Ref
	Resources    []graph.Ref // ARNs
	Repositories []graph.Ref
	Teams        []graph.Ref
	People       []graph.Ref
	Accounts     []graph.Ref
	// DuplicatePeople are people emitted under a second e-mail spelling (the
	// second key; both share a handle alias).
	DuplicatePeople []graph.Ref
}

// Samples returns up to n keys of each sort. It is deterministic for a
// Config. Finding the hot nodes replays the applications' dependencies, which
// takes a fraction of a full Run.
func (s *Source) Samples(n int) Samples {
	g := s.g
	var out Samples
	if n <= 0 {
		return out
	}
	ref := func(k kind, i int) graph.Ref { return graph.Ref{Kind: kindOf[k], Key: g.key(k, i)} }

	indeg := map[target]int{}
	var seen []target
	for a, na := 0, g.total(kApp); a < na; a++ {
		if !g.live(kApp, a) {
			continue
		}
		seen = seen[:0]
		g.appDeps(a, func(k kind, i int) {
			t := target{k, i}
			if i < 0 || (k == kApp && i == a) || !g.live(k, i) || slices.Contains(seen, t) {
				return
			}
			seen = append(seen, t)
			indeg[t]++
		})
	}
	hot := map[kind][]target{}
	for t := range indeg {
		hot[t.k] = append(hot[t.k], t)
	}
	top := func(k kind) []graph.Ref {
		ts := hot[k]
		slices.SortFunc(ts, func(a, b target) int {
			if c := cmp.Compare(indeg[b], indeg[a]); c != 0 {
				return c
			}
			return cmp.Compare(a.i, b.i)
		})
		var refs []graph.Ref
		for _, t := range ts[:min(n, len(ts))] {
			refs = append(refs, ref(t.k, t.i))
		}
		return refs
	}
	out.HotApplications, out.HotServices, out.HotResources = top(kApp), top(kService), top(kResource)

	uniform := func(k kind) []graph.Ref {
		r := g.rng(pSample, k, 0, 0)
		total := g.total(k)
		picked := map[int]bool{}
		var refs []graph.Ref
		for tries := 0; len(refs) < n && tries < 20*n+100; tries++ {
			i := r.intn(total)
			if picked[i] || !g.live(k, i) {
				continue
			}
			picked[i] = true
			refs = append(refs, ref(k, i))
		}
		return refs
	}
	out.Applications = uniform(kApp)
	out.Services = uniform(kService)
	out.Resources = uniform(kResource)
	out.Repositories = uniform(kRepo)
	out.Teams = uniform(kTeam)
	out.People = uniform(kPerson)
	out.Accounts = uniform(kAccount)
	for p := g.n[kPerson] - g.nDup; p < g.n[kPerson] && len(out.DuplicatePeople) < n; p++ {
		if g.live(kPerson, p) {
			out.DuplicatePeople = append(out.DuplicatePeople, ref(kPerson, p))
		}
	}
	return out
}

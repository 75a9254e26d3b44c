package synthetic

import (
	"context"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
)

// Evidence strings: where a real source would have found each relationship.
const (
	evCatalog   = "catalog-info.yaml"
	evCodeowner = "CODEOWNERS"
	evOrgChart  = "hr:org-chart"
	evTag       = "tag:team"
	evTerraform = "terraform.tfstate"
	evAccounts  = "accounts.yaml"
	evTrail     = "cloudtrail:CreateAccount"
	evBuild     = ".github/workflows/build.yml"
	evIdP       = "idp:groups"
)

// run is one emission of the estate: it streams nodes, then relationships,
// caching only the keys of the small kinds.
type run struct {
	g     *gen
	ctx   context.Context
	emit  ingest.Emitter
	items int
	keys  [numKinds][]string // per-kind key cache (resources excluded)
	resI  int                // the last resource key computed, for the
	resK  string             // relationships of one resource in a row
	seen  []edgeKey          // relationships emitted for the current source node
	deps  []target           // scratch
}

type edgeKey struct {
	rel    graph.RelType
	fk, tk kind
	fi, ti int
	role   string
}

type target struct {
	k kind
	i int
}

func newRun(g *gen, ctx context.Context, emit ingest.Emitter) *run {
	r := &run{g: g, ctx: ctx, emit: emit, resI: -1}
	for k := kind(0); k < kResource; k++ {
		r.keys[k] = make([]string, g.total(k))
	}
	return r
}

func (r *run) key(k kind, i int) string {
	if k == kResource {
		if i != r.resI {
			r.resI, r.resK = i, r.g.key(k, i)
		}
		return r.resK
	}
	s := r.keys[k][i]
	if s == "" {
		s = r.g.key(k, i)
		r.keys[k][i] = s
	}
	return s
}

// tick counts an item and checks the context now and then.
func (r *run) tick() error {
	r.items++
	if r.items&1023 == 0 {
		return r.ctx.Err()
	}
	return nil
}

func (r *run) nodes() error {
	g := r.g
	for k := kind(0); k < numKinds; k++ {
		for i, n := 0, g.total(k); i < n; i++ {
			if !g.live(k, i) {
				continue
			}
			if err := r.tick(); err != nil {
				return err
			}
			if err := r.emit.Node(g.node(k, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *run) edges() error {
	g := r.g
	fns := [numKinds]func(int) error{
		kBU: r.buEdges, kTeam: r.teamEdges, kPerson: r.personEdges, kAccount: r.accountEdges,
		kService: r.svcEdges, kApp: r.appEdges, kRepo: r.repoEdges, kResource: r.resEdges,
	}
	for k := kind(0); k < numKinds; k++ {
		for i, n := 0, g.total(k); i < n; i++ {
			if !g.live(k, i) {
				continue
			}
			r.seen = r.seen[:0]
			if err := fns[k](i); err != nil {
				return err
			}
		}
	}
	return nil
}

// edge emits one relationship unless an end is gone (deleted by churn, or no
// target: -1), it is a self-loop, or it was already emitted for this source.
func (r *run) edge(rel graph.RelType, fk kind, fi int, tk kind, ti int, role, path string, conf graph.Confidence, ev string) error {
	g := r.g
	if fi < 0 || ti < 0 || (fk == tk && fi == ti) || !g.live(fk, fi) || !g.live(tk, ti) {
		return nil
	}
	ek := edgeKey{rel: rel, fk: fk, fi: fi, tk: tk, ti: ti, role: role}
	for _, s := range r.seen {
		if s == ek {
			return nil
		}
	}
	r.seen = append(r.seen, ek)
	if err := r.tick(); err != nil {
		return err
	}
	e := graph.EdgeInput{
		Type:       rel,
		From:       graph.Ref{Kind: kindOf[fk], Key: r.key(fk, fi)},
		To:         graph.Ref{Kind: kindOf[tk], Key: r.key(tk, ti)},
		Confidence: conf,
		Evidence:   ev,
	}
	switch {
	case role != "":
		e.Props = map[string]any{"role": role}
	case path != "":
		e.Props = map[string]any{"path": path}
	}
	return r.emit.Edge(e)
}

func (r *run) owns(fk kind, fi int, tk kind, ti int, role string, conf graph.Confidence, ev string) error {
	return r.edge(graph.RelOwns, fk, fi, tk, ti, role, "", conf, ev)
}

// uniform returns a picker of any index of kind k (extended to churn's
// additions for rewired picks).
func (g *gen) uniform(k kind) func(*rng, bool) int {
	return func(r *rng, ext bool) int { return r.intn(g.span(k, ext)) }
}

// fixed returns a picker that keeps base for the base draw and picks
// uniformly among kind k when churn rewires it.
func (g *gen) fixed(base int, k kind) func(*rng, bool) int {
	return func(r *rng, ext bool) int {
		if !ext {
			return base
		}
		return r.intn(g.span(k, ext))
	}
}

func (r *run) buEdges(b int) error {
	g := r.g
	if b > 0 {
		parent := g.buParent(b)
		if b >= g.n[kBU] {
			e := g.rng(pEdge, kBU, b, gBUParent)
			parent = e.intn(g.n[kBU])
		}
		if err := r.edge(graph.RelPartOf, kBU, b, kBU, parent, "", "", graph.Declared, evOrgChart); err != nil {
			return err
		}
	}
	e := g.rng(pEdge, kBU, b, gBUOwner)
	p := g.target(&e, gBUOwner, kBU, b, 0, g.uniform(kPerson))
	return r.owns(kPerson, p, kBU, b, graph.OwnerBusiness, graph.Declared, evOrgChart)
}

func (r *run) teamEdges(t int) error {
	g := r.g
	if t < g.nRootTeams {
		return nil
	}
	e := g.rng(pEdge, kTeam, t, gTeamParent)
	// Parents always have a lower index, so nesting never loops.
	parent := g.target(&e, gTeamParent, kTeam, t, 0, func(r *rng, ext bool) int {
		if !ext {
			return g.teamParent(t)
		}
		return r.intn(min(t, g.total(kTeam)))
	})
	return r.edge(graph.RelMemberOf, kTeam, t, kTeam, parent, "", "", graph.Declared, evIdP)
}

// personTeams returns the teams of person p (the same for both spellings of
// one person, unless churn moved one).
func (g *gen) personTeams(p int, out []int) []int {
	o := p
	if d := g.dupOf(p); d >= 0 {
		o = d
	}
	e := g.rng(pEdge, kPerson, o, gPersonTeam)
	out = append(out, g.target(&e, gPersonTeam, kPerson, p, 0, g.uniform(kTeam)))
	if e.chance(0.6) {
		out = append(out, g.target(&e, gPersonTeam, kPerson, p, 1, g.uniform(kTeam)))
	}
	return out
}

func (r *run) personEdges(p int) error {
	var buf [2]int
	for _, t := range r.g.personTeams(p, buf[:0]) {
		if err := r.edge(graph.RelMemberOf, kPerson, p, kTeam, t, "", "", graph.Declared, evIdP); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) accountEdges(c int) error {
	g := r.g
	e := g.rng(pEdge, kAccount, c, gAccountOwner)
	if g.registered(c) {
		t := g.target(&e, gAccountOwner, kAccount, c, 0, g.uniform(kTeam))
		return r.owns(kTeam, t, kAccount, c, graph.OwnerTechnical, graph.Declared, evAccounts)
	}
	if e.chance(0.5) {
		p := g.target(&e, gAccountOwner, kAccount, c, 1, g.uniform(kPerson))
		return r.owns(kPerson, p, kAccount, c, graph.OwnerTechnical, graph.Heuristic, evTrail)
	}
	return nil
}

func (r *run) svcEdges(s int) error {
	g := r.g
	e := g.rng(pEdge, kService, s, gSvcBU)
	bu := g.target(&e, gSvcBU, kService, s, 0, func(r *rng, ext bool) int {
		n := g.span(kBU, ext)
		if n == 1 {
			return 0
		}
		return 1 + r.intn(n-1) // below the root
	})
	if err := r.edge(graph.RelPartOf, kService, s, kBU, bu, "", "", graph.Declared, evCatalog); err != nil {
		return err
	}
	e = g.rng(pEdge, kService, s, gSvcOwner)
	t := g.target(&e, gSvcOwner, kService, s, 0, g.fixed(g.ownerTeamOfService(s), kTeam))
	if err := r.owns(kTeam, t, kService, s, graph.OwnerTechnical, graph.Declared, evCatalog); err != nil {
		return err
	}
	if e.chance(0.8) {
		p := g.target(&e, gSvcOwner, kService, s, 1, g.uniform(kPerson))
		return r.owns(kPerson, p, kService, s, graph.OwnerBusiness, graph.Declared, evCatalog)
	}
	return nil
}

// appDeps calls fn with every DEPENDS_ON target of application a, in order
// (targets may repeat or be gone; the caller filters).
func (g *gen) appDeps(a int, fn func(k kind, i int)) {
	e := g.rng(pEdge, kApp, a, gAppDepApp)
	// Applications depend on lower-indexed (more popular) ones only, so the
	// dependency graph is acyclic but for the cycles added on purpose.
	for j, n := 0, e.intn(10); j < n; j++ {
		fn(kApp, g.target(&e, gAppDepApp, kApp, a, j, func(r *rng, _ bool) int {
			if a == 0 {
				return -1
			}
			return g.pl(r, a)
		}))
	}
	e = g.rng(pEdge, kApp, a, gAppDepSvc)
	own := g.svcOf(a)
	for j, n := 0, 1+e.intn(2); j < n; j++ {
		s := g.target(&e, gAppDepSvc, kApp, a, j, func(r *rng, ext bool) int { return g.pl(r, g.span(kService, ext)) })
		if s != own {
			fn(kService, s)
		}
	}
	e = g.rng(pEdge, kApp, a, gAppDepRes)
	if e.chance(0.6) {
		fn(kResource, g.target(&e, gAppDepRes, kApp, a, 100, func(r *rng, _ bool) int {
			if r.chance(0.3) {
				return g.pickVPC(r)
			}
			return g.pickSubnet(r)
		}))
	}
	for j, n := 0, 1+e.intn(5); j < n; j++ {
		fn(kResource, g.target(&e, gAppDepRes, kApp, a, j, func(r *rng, _ bool) int { return g.pickData(r) }))
	}
}

// appRunsOn calls fn with every RUNS_ON target of application a.
func (g *gen) appRunsOn(a int, fn func(x int)) {
	if a < g.nLib {
		return // libraries run nowhere by themselves
	}
	e := g.rng(pEdge, kApp, a, gAppRunsOn)
	if e.chance(0.5) {
		fn(g.target(&e, gAppRunsOn, kApp, a, 100, func(r *rng, _ bool) int { return g.pickEKS(r) }))
	}
	for j, n := 0, 1+e.intn(7); j < n; j++ {
		fn(g.target(&e, gAppRunsOn, kApp, a, j, func(r *rng, _ bool) int { return g.pickCompute(r) }))
	}
}

func (r *run) appEdges(a int) error {
	g := r.g
	e := g.rng(pEdge, kApp, a, gAppSvc)
	s := g.target(&e, gAppSvc, kApp, a, 0, g.fixed(g.svcOf(a), kService))
	if err := r.edge(graph.RelPartOf, kApp, a, kService, s, "", "", graph.Declared, evCatalog); err != nil {
		return err
	}
	e = g.rng(pEdge, kApp, a, gAppOwner)
	t := g.target(&e, gAppOwner, kApp, a, 0, g.fixed(g.ownerTeamOfApp(a), kTeam))
	if err := r.owns(kTeam, t, kApp, a, graph.OwnerTechnical, graph.Declared, evCatalog); err != nil {
		return err
	}
	if e.chance(0.3) {
		p := g.target(&e, gAppOwner, kApp, a, 1, g.uniform(kPerson))
		if err := r.owns(kPerson, p, kApp, a, graph.OwnerBusiness, graph.Declared, evCatalog); err != nil {
			return err
		}
	}

	// Built by its own repository, or from a path in a monorepo; a few also
	// by a second monorepo (deployment config).
	e = g.rng(pEdge, kApp, a, gAppBuilds)
	key := r.key(kApp, a)
	if a < g.n[kApp] && !e.chance(0.15) {
		if err := r.edge(graph.RelBuilds, kRepo, g.nMono+a, kApp, a, "", "", graph.Declared, evBuild); err != nil {
			return err
		}
	} else if err := r.edge(graph.RelBuilds, kRepo, e.intn(g.nMono), kApp, a, "", "services/"+key, graph.Declared, evBuild); err != nil {
		return err
	}
	if e.chance(0.03) {
		if err := r.edge(graph.RelBuilds, kRepo, e.intn(g.nMono), kApp, a, "", "deploy/"+key, graph.Inferred, evBuild); err != nil {
			return err
		}
	}

	r.deps = r.deps[:0]
	g.appDeps(a, func(k kind, i int) { r.deps = append(r.deps, target{k, i}) })
	for _, d := range r.deps {
		conf, ev := graph.Declared, evCatalog
		if d.k == kResource {
			conf, ev = graph.Inferred, evTerraform
		}
		if err := r.edge(graph.RelDependsOn, kApp, a, d.k, d.i, "", "", conf, ev); err != nil {
			return err
		}
	}
	if err := r.cycle(a); err != nil {
		return err
	}
	var err error
	g.appRunsOn(a, func(x int) {
		if err == nil {
			err = r.edge(graph.RelRunsOn, kApp, a, kResource, x, "", "", graph.Inferred, evTerraform)
		}
	})
	return err
}

// firstAppDep returns a's first live application dependency, or -1.
func (g *gen) firstAppDep(a int) int {
	first := -1
	g.appDeps(a, func(k kind, i int) {
		if first < 0 && k == kApp && i >= 0 && g.live(kApp, i) {
			first = i
		}
	})
	return first
}

// cycle closes a dependency cycle through a, if a is one of the chosen few:
// a → b → a, or a → b → c → a.
func (r *run) cycle(a int) error {
	g := r.g
	c, ok := g.cycleApps[a]
	if !ok {
		return nil
	}
	b := g.firstAppDep(a)
	if b < 0 {
		return nil
	}
	from := b
	if c%2 == 1 {
		if d := g.firstAppDep(b); d >= 0 {
			from = d
		}
	}
	return r.edge(graph.RelDependsOn, kApp, from, kApp, a, "", "", graph.Declared, evCatalog)
}

func (r *run) repoEdges(rp int) error {
	g := r.g
	if g.repoUnowned(rp) {
		return nil // no CODEOWNERS
	}
	e := g.rng(pEdge, kRepo, rp, gRepoOwner)
	t := g.target(&e, gRepoOwner, kRepo, rp, 0, g.fixed(g.ownerTeamOfRepo(rp), kTeam))
	if err := r.owns(kTeam, t, kRepo, rp, graph.OwnerTechnical, graph.Declared, evCodeowner); err != nil {
		return err
	}
	if e.chance(0.2) {
		p := g.target(&e, gRepoOwner, kRepo, rp, 1, g.uniform(kPerson))
		return r.owns(kPerson, p, kRepo, rp, graph.OwnerTechnical, graph.Declared, evCodeowner)
	}
	return nil
}

func (r *run) resEdges(x int) error {
	g := r.g
	if err := r.edge(graph.RelInAccount, kResource, x, kAccount, g.resAccount(x), "", "", graph.Declared, "aws:config"); err != nil {
		return err
	}
	if g.resNoise(x) {
		return nil
	}
	if d := g.resDefiner(x); d >= 0 {
		e := g.rng(pEdge, kResource, x, gResDefines)
		d = g.target(&e, gResDefines, kResource, x, 0, g.fixed(d, kRepo))
		if err := r.edge(graph.RelDefines, kRepo, d, kResource, x, "", "", graph.Declared, evTerraform); err != nil {
			return err
		}
	}
	e := g.rng(pEdge, kResource, x, gResOwner)
	t := g.target(&e, gResOwner, kResource, x, 0, g.fixed(g.resOwnerTeam(x), kTeam))
	if err := r.owns(kTeam, t, kResource, x, graph.OwnerTechnical, graph.Inferred, evTag); err != nil {
		return err
	}
	if e.chance(0.45) {
		role := graph.OwnerSupport
		if e.chance(0.4) {
			role = graph.OwnerSecurity
		}
		if e.chance(0.5) {
			t := g.target(&e, gResOwner, kResource, x, 1, g.uniform(kTeam))
			return r.owns(kTeam, t, kResource, x, role, graph.Heuristic, "tag:"+role)
		}
		p := g.target(&e, gResOwner, kResource, x, 2, g.uniform(kPerson))
		return r.owns(kPerson, p, kResource, x, role, graph.Heuristic, "tag:"+role)
	}
	return nil
}

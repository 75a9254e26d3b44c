package analysis

import (
	"context"
	"slices"
	"strings"

	"github.com/estate-cmdb/estate/graph"
)

// Direction of an impact analysis.
type Direction string

// Impact directions.
const (
	// Downstream is what breaks if the start changes: its dependents.
	Downstream Direction = "downstream"
	// Upstream is what the start relies on: what could break it.
	Upstream Direction = "upstream"
)

// DefaultImpactDepth is the depth of an impact analysis when none is given.
const DefaultImpactDepth = 4

// ImpactSteps returns the relationships an impact analysis follows.
//
// Downstream (what breaks if this changes): DEPENDS_ON IN (dependents of an
// application, service or resource), RUNS_ON IN (applications on a
// resource), BUILDS OUT (applications a repository builds), DEFINES OUT
// (resources a repository defines), PART_OF OUT (application → service →
// business unit, which are affected with it).
//
// Upstream (what this relies on): DEPENDS_ON OUT, RUNS_ON OUT, BUILDS IN
// (repositories building an application), DEFINES IN (repositories
// defining a resource) and PART_OF IN (a service relies on its
// applications, a business unit on its services).
func ImpactSteps(d Direction) []graph.Step {
	if d == Upstream {
		return []graph.Step{
			{Type: graph.RelDependsOn, Direction: graph.Out},
			{Type: graph.RelRunsOn, Direction: graph.Out},
			{Type: graph.RelBuilds, Direction: graph.In},
			{Type: graph.RelDefines, Direction: graph.In},
			{Type: graph.RelPartOf, Direction: graph.In},
		}
	}
	return []graph.Step{
		{Type: graph.RelDependsOn, Direction: graph.In},
		{Type: graph.RelRunsOn, Direction: graph.In},
		{Type: graph.RelBuilds, Direction: graph.Out},
		{Type: graph.RelDefines, Direction: graph.Out},
		{Type: graph.RelPartOf, Direction: graph.Out},
	}
}

// impactKinds are what a change can start from: refs resolve among them
// only (a team or a person does not change).
var impactKinds = []graph.Kind{
	graph.KindBusinessUnit, graph.KindService, graph.KindApplication, graph.KindRepository,
	graph.KindCloudAccount, graph.KindCloudResource,
}

// ImpactQuery asks what a change reaches.
type ImpactQuery struct {
	Refs      []string
	Direction Direction // default Downstream
	MaxDepth  int       // default DefaultImpactDepth; at most graph.MaxDepth
	// ChangedPaths are paths changed in the repositories among Refs: only
	// the applications whose BUILDS path is a directory prefix of one of
	// them count (a BUILDS without a path always counts).
	ChangedPaths []string
	// Limit caps the affected items (0: graph.MaxTraverse).
	Limit int
}

// Affected is one item a change reaches.
type Affected struct {
	Item
	Depth int `json:"depth"`
	// Path leads from a start to the item.
	Path []PathStep `json:"path"`
}

// ServiceImpact groups the affected applications of one service.
type ServiceImpact struct {
	Service      Item   `json:"service"`
	Tier         int    `json:"tier,omitempty"` // 0 when unknown
	BusinessUnit *Item  `json:"businessUnit,omitempty"`
	Applications []Item `json:"applications"`
}

// BusinessUnitImpact groups the affected services of one business unit.
type BusinessUnitImpact struct {
	BusinessUnit Item   `json:"businessUnit"`
	Services     []Item `json:"services"`
	HighestTier  int    `json:"highestTier,omitempty"`
}

// Notify is a team to tell about the change and what of theirs it reaches.
type Notify struct {
	Contact
	For []string `json:"for"` // refs of the affected items the team owns
}

// ImpactResult answers "what breaks if this changes?".
type ImpactResult struct {
	Starts       []Item    `json:"starts"`
	Direction    Direction `json:"direction"`
	MaxDepth     int       `json:"maxDepth"`
	ChangedPaths []string  `json:"changedPaths,omitempty"`
	// Affected items by depth, then kind and key; starts are not included.
	Affected []Affected `json:"affected"`
	// Ignored are applications of a repository among the starts that the
	// changed paths do not touch and the walk does not reach otherwise.
	Ignored []Item `json:"ignored"`
	// Services groups affected applications (and affected services, and
	// start applications) by service, by key; Unassigned lists affected
	// applications in no service.
	Services      []ServiceImpact      `json:"services"`
	Unassigned    []Item               `json:"unassigned"`
	BusinessUnits []BusinessUnitImpact `json:"businessUnits"`
	// HighestTier is the most critical tier (1 highest) among the services
	// in Services, 0 when none has a tier.
	HighestTier int `json:"highestTier"`
	// Notify are the teams owning (any role) affected or started-from
	// applications and services, by key.
	Notify    []Notify `json:"notify"`
	Truncated bool     `json:"truncated"`
}

// Impact walks from the items the refs name (among business units,
// services, applications, repositories, cloud accounts and resources), in one Traverse call, along
// ImpactSteps(q.Direction) to q.MaxDepth, and groups what it reaches.
//
// Store calls: one resolution per ref (see Resolve; an ambiguous ref is an
// error listing the candidates), one Neighbors when ChangedPaths are given,
// one Traverse, and three Neighbors for services, business units and teams,
// all but the resolutions reading light values (graph.Light): every item
// but the starts names its entity light (Item.Node is nil).
// Errors: CodeInvalid for a bad direction or depth, or an ambiguous ref;
// CodeNotFound for a ref naming nothing.
func Impact(ctx context.Context, s Store, q ImpactQuery) (*ImpactResult, error) {
	if q.Direction == "" {
		q.Direction = Downstream
	}
	if q.Direction != Downstream && q.Direction != Upstream {
		return nil, graph.Errorf(graph.CodeInvalid, "direction %q: want downstream or upstream", q.Direction)
	}
	if q.MaxDepth == 0 {
		q.MaxDepth = DefaultImpactDepth
	}
	if q.MaxDepth < 1 || q.MaxDepth > graph.MaxDepth {
		return nil, graph.Errorf(graph.CodeInvalid, "depth %d is outside 1..%d", q.MaxDepth, graph.MaxDepth)
	}
	if len(q.Refs) == 0 {
		return nil, graph.Errorf(graph.CodeInvalid, "give at least one ref")
	}
	res := &ImpactResult{Direction: q.Direction, MaxDepth: q.MaxDepth, ChangedPaths: q.ChangedPaths,
		Affected: []Affected{}, Ignored: []Item{}, Services: []ServiceImpact{}, Unassigned: []Item{},
		BusinessUnits: []BusinessUnitImpact{}, Notify: []Notify{}}
	var starts []*graph.Node
	seen := map[graph.ID]bool{}
	for _, ref := range q.Refs {
		r, err := Resolve(ctx, s, ref, impactKinds)
		if err != nil {
			return nil, err
		}
		if r.Subject == nil {
			var c []string
			for _, n := range r.Candidates {
				c = append(c, n.Ref().String())
			}
			return nil, graph.Errorf(graph.CodeInvalid, "%q is ambiguous: it may mean %s (prefix the kind, as in %s)",
				ref, strings.Join(c, ", "), c[0])
		}
		if !seen[r.Subject.ID] {
			seen[r.Subject.ID] = true
			starts = append(starts, r.Subject)
			res.Starts = append(res.Starts, itemOf(r.Subject))
		}
	}

	// Monorepos: with changed paths, a repository start is replaced by what
	// it defines and the applications whose directory the paths touch.
	type pseudo struct {
		edge *graph.Edge
		node *graph.Node
	}
	pseudoStarts := map[graph.ID]pseudo{}
	walkStarts := make([]graph.ID, 0, len(starts))
	var repos []graph.ID
	var ignored []*graph.Node
	for _, n := range starts {
		if len(q.ChangedPaths) > 0 && q.Direction == Downstream && n.Kind == graph.KindRepository {
			repos = append(repos, n.ID)
		} else {
			walkStarts = append(walkStarts, n.ID)
		}
	}
	if len(repos) > 0 {
		nbs, err := s.Neighbors(ctx, repos, graph.NeighborQuery{
			Types: []graph.RelType{graph.RelBuilds, graph.RelDefines}, Direction: graph.Out, Light: walkRead,
		})
		if err != nil {
			return nil, err
		}
		for _, id := range repos {
			walkStarts = append(walkStarts, id) // keeps the repository itself out of the hits
			for _, nb := range nbs[id] {
				if !nb.Outgoing {
					continue
				}
				if nb.Edge.Type == graph.RelBuilds && !touches(nb.Edge, q.ChangedPaths) {
					ignored = append(ignored, nb.Node)
					continue
				}
				if !seen[nb.Node.ID] {
					seen[nb.Node.ID] = true
					pseudoStarts[nb.Node.ID] = pseudo{edge: nb.Edge, node: nb.Node}
					walkStarts = append(walkStarts, nb.Node.ID)
				}
			}
		}
	}
	steps := ImpactSteps(q.Direction)
	if len(repos) > 0 {
		// The repositories' own BUILDS and DEFINES were followed above.
		steps = slices.DeleteFunc(slices.Clone(steps), func(st graph.Step) bool {
			return st.Type == graph.RelBuilds || st.Type == graph.RelDefines
		})
		steps = append(steps, graph.Step{Type: graph.RelDefines, Direction: graph.Out})
	}
	tr, err := s.Traverse(ctx, graph.TraverseQuery{Starts: walkStarts, Steps: steps, MaxDepth: q.MaxDepth, Limit: q.Limit, Light: walkRead})
	if err != nil {
		return nil, err
	}
	res.Truncated = tr.Truncated
	res.Affected = make([]Affected, 0, len(pseudoStarts)+len(tr.Hits))
	// reached are the affected nodes, for grouping.
	reached := make(map[graph.ID]*graph.Node, len(pseudoStarts)+len(tr.Hits))
	for _, p := range pseudoStarts {
		reached[p.node.ID] = p.node
		res.Affected = append(res.Affected, Affected{Item: lightItemOf(p.node), Depth: 1, Path: []PathStep{stepOf(p.edge)}})
	}
	// The paths share one backing array, each capped: one allocation, not
	// one per item.
	length := 0
	for _, h := range tr.Hits {
		length += len(h.Path) + 1
	}
	paths := make([]PathStep, 0, length)
	for _, h := range tr.Hits {
		a := Affected{Item: lightItemOf(h.Node), Depth: h.Depth}
		at := len(paths)
		if len(pseudoStarts) > 0 && len(h.Path) > 0 {
			first := h.Path[0]
			p, ok := pseudoStarts[first.From.ID()]
			if !ok {
				p, ok = pseudoStarts[first.To.ID()]
			}
			if ok {
				a.Depth++
				paths = append(paths, stepOf(p.edge))
			}
		}
		if a.Depth > q.MaxDepth {
			paths = paths[:at]
			continue
		}
		for _, e := range h.Path {
			paths = append(paths, stepOf(e))
		}
		a.Path = paths[at:len(paths):len(paths)]
		reached[h.Node.ID] = h.Node
		res.Affected = append(res.Affected, a)
	}
	if len(pseudoStarts) > 0 {
		// Traverse's hits come by depth, then kind and key; only a walk
		// from a repository's parts moves items a level down.
		slices.SortStableFunc(res.Affected, func(a, b Affected) int {
			if a.Depth != b.Depth {
				return a.Depth - b.Depth
			}
			return graph.CompareRefs(a.Ref(), b.Ref())
		})
	}
	// An untouched application that the walk reaches anyway is affected,
	// not ignored.
	for _, n := range ignored {
		if reached[n.ID] == nil {
			res.Ignored = append(res.Ignored, lightItemOf(n))
		}
	}
	slices.SortFunc(res.Ignored, func(a, b Item) int { return graph.CompareRefs(a.Ref(), b.Ref()) })
	if err := group(ctx, s, res, starts, reached); err != nil {
		return nil, err
	}
	return res, nil
}

// touches reports whether a BUILDS relationship's path is a directory
// prefix of one of the changed paths (or it has no path).
func touches(e *graph.Edge, changed []string) bool {
	p, _ := e.Props["path"].(string)
	p = strings.Trim(p, "/")
	if p == "" || p == "." {
		return true
	}
	for _, c := range changed {
		c = strings.TrimPrefix(strings.TrimSpace(c), "./")
		c = strings.TrimPrefix(c, "/")
		if c == p || strings.HasPrefix(c, p+"/") {
			return true
		}
	}
	return false
}

// walkRead and teamRead are how Impact reads what it walks and groups:
// light (graph.Light), with only the properties it shows — a service's
// tier, a BUILDS path, a team's e-mail and channel (Impact notifies teams
// only, so no person's handles). Its items therefore name their entities
// light (Item.Node is nil).
var (
	walkRead = &graph.Light{Props: []string{"tier", "path"}}
	teamRead = &graph.Light{Props: []string{"email", "contact"}}
)

// groupKinds and notifyKinds are the kinds group asks its Neighbors calls
// for: what an application or service is part of, and who is notified.
var (
	groupKinds  = []graph.Kind{graph.KindService, graph.KindBusinessUnit}
	notifyKinds = []graph.Kind{graph.KindTeam}
)

// ImpactRead returns how Impact reads what it walks (a copy): benchmarks
// time Impact's traversal alone with it.
func ImpactRead() *graph.Light {
	return &graph.Light{Props: slices.Clone(walkRead.Props)}
}

// group fills services, business units, tiers and teams with three
// Neighbors calls: PART_OF out of the affected applications and services,
// PART_OF out of the services reached only through an application, and
// OWNS from teams into all of them. reached are the affected nodes by id.
func group(ctx context.Context, s Store, res *ImpactResult, starts []*graph.Node, reached map[graph.ID]*graph.Node) error {
	nodes := make(map[graph.ID]*graph.Node, len(starts)+len(reached))
	var apps, svcs []graph.ID
	add := func(n *graph.Node) {
		if _, ok := nodes[n.ID]; ok {
			return
		}
		switch n.Kind {
		case graph.KindApplication:
			apps = append(apps, n.ID)
		case graph.KindService:
			svcs = append(svcs, n.ID)
		default:
			return
		}
		nodes[n.ID] = n
	}
	for _, n := range starts {
		add(n)
	}
	for _, n := range reached {
		add(n)
	}
	// Services and business units (PART_OF out), then owning teams (OWNS
	// in): asking each direction separately keeps a service's applications
	// out of the answer, and asking for the kinds grouped by leaves the rest
	// unread (the people among an application's owners).
	nbs := make(map[graph.ID][]graph.Neighbor, len(nodes))
	ask := func(ids []graph.ID, t graph.RelType, d graph.Direction, kinds []graph.Kind, read *graph.Light) error {
		if len(ids) == 0 {
			return nil
		}
		m, err := s.Neighbors(ctx, ids, graph.NeighborQuery{Types: []graph.RelType{t}, Direction: d, Kinds: kinds, Light: read})
		if err != nil {
			return err
		}
		for id, ns := range m {
			if nbs[id] == nil {
				nbs[id] = ns // most ids are asked about once
			} else {
				nbs[id] = append(nbs[id], ns...)
			}
		}
		return nil
	}
	if err := ask(append(slices.Clone(apps), svcs...), graph.RelPartOf, graph.Out, groupKinds, walkRead); err != nil {
		return err
	}
	serviceOf := make(map[graph.ID]*graph.Node, len(apps))
	var more []graph.ID
	for _, id := range apps {
		for _, nb := range nbs[id] {
			if nb.Outgoing && nb.Edge.Type == graph.RelPartOf && nb.Node.Kind == graph.KindService {
				if prev := serviceOf[id]; prev == nil || nb.Node.Key < prev.Key {
					serviceOf[id] = nb.Node
				}
			}
		}
		if sv := serviceOf[id]; sv != nil {
			if _, ok := nodes[sv.ID]; !ok {
				nodes[sv.ID] = sv
				svcs = append(svcs, sv.ID)
				more = append(more, sv.ID)
			}
		}
	}
	if err := ask(more, graph.RelPartOf, graph.Out, groupKinds, walkRead); err != nil {
		return err
	}
	if err := ask(append(slices.Clone(apps), svcs...), graph.RelOwns, graph.In, notifyKinds, teamRead); err != nil {
		return err
	}
	// Services are built in place; at is a service's place in them. A
	// business unit's item is one value, shared by its services.
	res.Services = make([]ServiceImpact, 0, len(svcs))
	at := make(map[graph.ID]int, len(svcs))
	units := map[graph.ID]*Item{}
	for _, id := range svcs {
		n := nodes[id]
		g := ServiceImpact{Service: lightItemOf(n), Tier: tierOf(n), Applications: []Item{}}
		var bu *graph.Node
		for _, nb := range nbs[id] {
			if nb.Outgoing && nb.Edge.Type == graph.RelPartOf && nb.Node.Kind == graph.KindBusinessUnit && (bu == nil || nb.Node.Key < bu.Key) {
				bu = nb.Node
			}
		}
		if bu != nil {
			if units[bu.ID] == nil {
				it := lightItemOf(bu)
				units[bu.ID] = &it
			}
			g.BusinessUnit = units[bu.ID]
		}
		at[id] = len(res.Services)
		res.Services = append(res.Services, g)
	}
	// Each application is in apps once (add), so in one service once.
	for _, id := range apps {
		if sv := serviceOf[id]; sv != nil {
			g := &res.Services[at[sv.ID]]
			g.Applications = append(g.Applications, lightItemOf(nodes[id]))
		} else {
			res.Unassigned = append(res.Unassigned, lightItemOf(nodes[id]))
		}
	}
	byUnit := map[string]*BusinessUnitImpact{}
	for _, si := range res.Services {
		slices.SortFunc(si.Applications, func(a, b Item) int { return strings.Compare(a.Key, b.Key) })
		if si.Tier > 0 && (res.HighestTier == 0 || si.Tier < res.HighestTier) {
			res.HighestTier = si.Tier
		}
		if bu := si.BusinessUnit; bu != nil {
			u := byUnit[bu.Key]
			if u == nil {
				u = &BusinessUnitImpact{BusinessUnit: *bu}
				byUnit[bu.Key] = u
			}
			u.Services = append(u.Services, si.Service)
			if si.Tier > 0 && (u.HighestTier == 0 || si.Tier < u.HighestTier) {
				u.HighestTier = si.Tier
			}
		}
	}
	slices.SortFunc(res.Services, func(a, b ServiceImpact) int { return strings.Compare(a.Service.Key, b.Service.Key) })
	slices.SortFunc(res.Unassigned, func(a, b Item) int { return strings.Compare(a.Key, b.Key) })
	for _, k := range sortedKeys(byUnit) {
		u := byUnit[k]
		slices.SortFunc(u.Services, func(a, b Item) int { return strings.Compare(a.Key, b.Key) })
		res.BusinessUnits = append(res.BusinessUnits, *u)
	}
	// Teams are built in place too; team is a team's place in res.Notify.
	team := map[graph.ID]int{}
	for id, n := range nodes {
		var ref string
		for _, nb := range nbs[id] {
			if nb.Outgoing || nb.Edge.Type != graph.RelOwns || nb.Node.Kind != graph.KindTeam {
				continue
			}
			k, ok := team[nb.Node.ID]
			if !ok {
				k = len(res.Notify)
				team[nb.Node.ID] = k
				c := contactOf(nb.Node)
				c.Node = nil // read light
				res.Notify = append(res.Notify, Notify{Contact: c})
			}
			if ref == "" {
				ref = n.Ref().String()
			}
			res.Notify[k].For = append(res.Notify[k].For, ref) // twice for a team in two roles: compacted below
		}
	}
	for i := range res.Notify {
		t := &res.Notify[i]
		slices.SortFunc(t.For, func(a, b string) int {
			ka, _, _ := strings.Cut(a, ":")
			kb, _, _ := strings.Cut(b, ":")
			if c := graph.KindRank(graph.Kind(ka)) - graph.KindRank(graph.Kind(kb)); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		})
		t.For = slices.Compact(t.For)
	}
	slices.SortFunc(res.Notify, func(a, b Notify) int { return strings.Compare(a.Key, b.Key) })
	return nil
}

func tierOf(n *graph.Node) int {
	switch v := n.Props["tier"].(type) {
	case int64:
		return int(v)
	case int:
		return v
	case float64:
		return int(v)
	}
	return 0
}

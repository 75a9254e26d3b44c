package analysis

import (
	"context"
	"maps"
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
	p := buildDir(e)
	if p == "" {
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

// ImpactRead returns how Impact reads what it walks (a copy): benchmarks
// time Impact's traversal alone with it.
func ImpactRead() *graph.Light {
	return &graph.Light{Props: slices.Clone(walkRead.Props)}
}

// group fills services, business units, tiers and teams with three
// Neighbors calls: PART_OF out of the affected and started-from
// applications to their services, PART_OF out of all those services to
// their business units, and OWNS from teams into the applications and
// services. reached are the affected nodes by id. Asking each call for one
// type, direction and kind, and for the nodes alone, leaves the rest unread
// (a service's applications, the people among owners, the relationships),
// and each answer is looked up where it is used rather than merged.
func group(ctx context.Context, s Store, res *ImpactResult, starts []*graph.Node, reached map[graph.ID]*graph.Node) error {
	// Traverse leaves the starts out of its hits, so no node is in both.
	var apps, svcs []*graph.Node
	for _, n := range slices.Concat(starts, slices.Collect(maps.Values(reached))) {
		switch n.Kind {
		case graph.KindApplication:
			apps = append(apps, n)
		case graph.KindService:
			svcs = append(svcs, n)
		}
	}
	// Applications and (below) services by key: every list built from
	// them is in order as it is built.
	byKey := func(a, b *graph.Node) int { return strings.Compare(a.Key, b.Key) }
	slices.SortFunc(apps, byKey)
	ask := func(nodes []*graph.Node, t graph.RelType, d graph.Direction, k graph.Kind, read *graph.Light) (map[graph.ID][]graph.Neighbor, error) {
		if len(nodes) == 0 {
			return nil, nil
		}
		ids := make([]graph.ID, len(nodes))
		for i, n := range nodes {
			ids[i] = n.ID
		}
		return s.Neighbors(ctx, ids, graph.NeighborQuery{Types: []graph.RelType{t}, Direction: d, Kinds: []graph.Kind{k}, Light: read, NodesOnly: true})
	}
	// An application's service is its first by key (Neighbors orders by
	// key); a service it names that the walk did not reach joins them.
	parents, err := ask(apps, graph.RelPartOf, graph.Out, graph.KindService, walkRead)
	if err != nil {
		return err
	}
	isService := make(map[graph.ID]bool, len(svcs))
	for _, n := range svcs {
		isService[n.ID] = true
	}
	serviceOf := make([]*graph.Node, len(apps))
	for i, a := range apps {
		if nbs := parents[a.ID]; len(nbs) > 0 {
			sv := nbs[0].Node
			serviceOf[i] = sv
			if !isService[sv.ID] {
				isService[sv.ID] = true
				svcs = append(svcs, sv)
			}
		}
	}
	slices.SortFunc(svcs, byKey)
	// What teams are notified for: services, then applications (the kinds'
	// order), each by key.
	owned := slices.Concat(svcs, apps)
	units, err := ask(svcs, graph.RelPartOf, graph.Out, graph.KindBusinessUnit, walkRead)
	if err != nil {
		return err
	}
	owners, err := ask(owned, graph.RelOwns, graph.In, graph.KindTeam, teamRead)
	if err != nil {
		return err
	}

	res.Services = make([]ServiceImpact, len(svcs))
	at := make(map[graph.ID]int, len(svcs)) // a service's place in res.Services
	byUnit := map[graph.ID]*BusinessUnitImpact{}
	for i, n := range svcs {
		g := ServiceImpact{Service: lightItemOf(n), Tier: tierOf(n), Applications: []Item{}}
		if g.Tier > 0 && (res.HighestTier == 0 || g.Tier < res.HighestTier) {
			res.HighestTier = g.Tier
		}
		if nbs := units[n.ID]; len(nbs) > 0 {
			bu := nbs[0].Node // the first by key
			u := byUnit[bu.ID]
			if u == nil {
				u = &BusinessUnitImpact{BusinessUnit: lightItemOf(bu)}
				byUnit[bu.ID] = u
			}
			g.BusinessUnit = &u.BusinessUnit
			u.Services = append(u.Services, g.Service)
			if g.Tier > 0 && (u.HighestTier == 0 || g.Tier < u.HighestTier) {
				u.HighestTier = g.Tier
			}
		}
		at[n.ID] = i
		res.Services[i] = g
	}
	for i, a := range apps {
		if sv := serviceOf[i]; sv != nil {
			g := &res.Services[at[sv.ID]]
			g.Applications = append(g.Applications, lightItemOf(a))
		} else {
			res.Unassigned = append(res.Unassigned, lightItemOf(a))
		}
	}
	for _, u := range byUnit {
		res.BusinessUnits = append(res.BusinessUnits, *u)
	}
	slices.SortFunc(res.BusinessUnits, func(a, b BusinessUnitImpact) int {
		return strings.Compare(a.BusinessUnit.Key, b.BusinessUnit.Key)
	})

	// Teams by key, each with what it owns in owned's order.
	place := map[graph.ID]int{} // a team's place in res.Notify
	var teams []*graph.Node
	for _, n := range owned {
		for _, nb := range owners[n.ID] {
			if _, ok := place[nb.Node.ID]; !ok {
				place[nb.Node.ID] = 0
				teams = append(teams, nb.Node)
			}
		}
	}
	slices.SortFunc(teams, byKey)
	res.Notify = make([]Notify, len(teams))
	for i, t := range teams {
		place[t.ID] = i
		res.Notify[i].Contact = contactOf(t)
		res.Notify[i].Node = nil // read light
	}
	for _, n := range owned {
		ref := ""
		for _, nb := range owners[n.ID] {
			if ref == "" {
				ref = n.Ref().String()
			}
			t := &res.Notify[place[nb.Node.ID]]
			if len(t.For) == 0 || t.For[len(t.For)-1] != ref { // a team in two roles owns it twice
				t.For = append(t.For, ref)
			}
		}
	}
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

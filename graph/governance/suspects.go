package governance

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
)

// The window and depth of Suspects.
const (
	DefaultSuspectWindow = 7 * 24 * time.Hour
	MaxSuspectWindow     = 90 * 24 * time.Hour
	DefaultSuspectDepth  = 3
	// maxSuspects bounds the answer; Suspects.Truncated says when more
	// changes qualified.
	maxSuspects = 100
)

// Suspect is a change deployed shortly before an incident that touched
// what the incident hit, or what that relies on: a candidate for its cause,
// as a service desk's first question after "who do I call?" goes.
type Suspect struct {
	Change *Change     `json:"change"`
	Node   *graph.Node `json:"-"` // the change's record
	// Affects is what the change affects that the incident reaches; Hit is
	// what the incident hit that relies on it, through Path (empty, and Hit
	// the same as Affects, when the change affects what the incident hit).
	// Both are nil for a recorded cause that affects nothing the incident
	// reaches.
	Affects  *analysis.Item      `json:"affects"`
	Hit      *analysis.Item      `json:"hit"`
	Distance int                 `json:"distance"`
	Path     []analysis.PathStep `json:"path"`
	// Before is how long before the incident's start the change was
	// deployed (approved: see Metrics).
	Before time.Duration `json:"before"`
	// Recorded is set for the change the incident is recorded CAUSED_BY.
	Recorded bool `json:"recorded"`
}

// Suspects answers "which change could have caused this incident?".
type Suspects struct {
	Incident  graph.Ref     `json:"incident"`
	StartedAt time.Time     `json:"startedAt"`
	Window    time.Duration `json:"window"`
	Depth     int           `json:"depth"`
	// Suspects are ordered by distance, then by deployment, latest first.
	Suspects []Suspect `json:"suspects"`
	// Truncated is set when more changes qualified than the answer holds
	// (100), or the walk upstream hit its limit.
	Truncated bool `json:"truncated"`
}

// reach is how the incident reaches an item: from what it hit, how far.
type reach struct {
	item     analysis.Item
	hit      analysis.Item
	distance int
	path     []analysis.PathStep
}

// Suspects lists the changes deployed within window before the incident
// started (approved: a deployment as Metrics counts one) that affect what
// the incident hit, or what that relies on up to depth steps upstream
// (analysis.Impact upstream: its applications, their repositories, what
// they depend on and run on). The change the incident is recorded as
// caused by is marked, and listed even when it was deployed outside the
// window. Zero window and depth take the defaults (7 days, 3).
//
// Errors: CodeInvalid for a window outside (0, 90 days] or a depth outside
// 1..graph.MaxDepth; CodeNotFound for an incident not recorded.
func (g *Governor) Suspects(ctx context.Context, incident string, window time.Duration, depth int) (*Suspects, error) {
	if window == 0 {
		window = DefaultSuspectWindow
	}
	if window < 0 || window > MaxSuspectWindow {
		return nil, graph.Errorf(graph.CodeInvalid, "window %s is outside 0..%s", window, MaxSuspectWindow)
	}
	if depth == 0 {
		depth = DefaultSuspectDepth
	}
	if depth < 1 || depth > graph.MaxDepth {
		return nil, graph.Errorf(graph.CodeInvalid, "depth %d is outside 1..%d", depth, graph.MaxDepth)
	}
	n, err := g.store.Node(ctx, graph.Ref{Kind: graph.KindIncident, Key: strings.TrimSpace(incident)})
	if err != nil {
		return nil, err
	}
	started := timeProp(n.Props, "startedAt")
	if started == nil {
		return nil, graph.Errorf(graph.CodeInvalid, "incident %s has no start time", n.Key)
	}
	out := &Suspects{Incident: n.Ref(), StartedAt: *started, Window: window, Depth: depth, Suspects: []Suspect{}}

	nbs, err := g.store.Neighbors(ctx, []graph.ID{n.ID}, graph.NeighborQuery{
		Types: []graph.RelType{graph.RelAffects, graph.RelCausedBy}, Direction: graph.Out, NodesOnly: true})
	if err != nil {
		return nil, err
	}
	reached := map[graph.ID]reach{}
	var hits []string
	cause := map[graph.ID]bool{}
	for _, nb := range nbs[n.ID] {
		switch nb.Node.Kind {
		case graph.KindChange:
			cause[nb.Node.ID] = true
		case graph.KindService, graph.KindApplication:
			it := analysis.Item{Kind: nb.Node.Kind, Key: nb.Node.Key, Name: nb.Node.Name}
			reached[nb.Node.ID] = reach{item: it, hit: it}
			hits = append(hits, it.Ref().String())
		}
	}
	if len(hits) > 0 {
		imp, err := analysis.Impact(ctx, g.store, analysis.ImpactQuery{Refs: hits, Direction: analysis.Upstream, MaxDepth: depth})
		if err != nil {
			return nil, err
		}
		out.Truncated = imp.Truncated
		for _, a := range imp.Affected {
			id := a.Ref().ID()
			if _, ok := reached[id]; ok {
				continue // what the incident hit, or reached sooner
			}
			// The path starts at what the incident hit, at one end of its
			// first step.
			first := a.Path[0]
			from, ok := reached[first.From.ID()]
			if !ok || from.distance > 0 {
				from = reached[first.To.ID()]
			}
			reached[id] = reach{item: a.Item, hit: from.hit, distance: a.Depth, path: a.Path}
		}
	}

	from := started.Add(-window)
	h, err := loadHistory(ctx, g.store, "", from, started.Add(time.Nanosecond))
	if err != nil {
		return nil, err
	}
	// The history holds the incidents of the window's months, this one
	// among them, and the changes that caused them whenever deployed.
	for _, c := range h.changes {
		ch := c.change
		isCause := cause[c.node.ID]
		deployed := ch.Status == Approved && ch.DecidedAt != nil && !ch.DecidedAt.Before(from) && !ch.DecidedAt.After(*started)
		if !deployed && !isCause {
			continue
		}
		best, found := reach{}, false
		for _, id := range c.affects {
			if r, ok := reached[id]; ok && (!found || r.distance < best.distance ||
				r.distance == best.distance && graph.CompareRefs(r.item.Ref(), best.item.Ref()) < 0) {
				best, found = r, true
			}
		}
		if !found && !isCause {
			continue
		}
		s := Suspect{Change: ch, Node: c.node, Distance: best.distance, Path: best.path, Recorded: isCause}
		if found {
			s.Affects, s.Hit = &best.item, &best.hit
		}
		if s.Path == nil {
			s.Path = []analysis.PathStep{}
		}
		if ch.DecidedAt != nil {
			s.Before = started.Sub(*ch.DecidedAt)
		}
		out.Suspects = append(out.Suspects, s)
	}
	slices.SortFunc(out.Suspects, func(a, b Suspect) int {
		if a.Recorded != b.Recorded {
			if a.Recorded {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.Before, b.Before), strings.Compare(a.Change.Key, b.Change.Key))
	})
	if len(out.Suspects) > maxSuspects {
		out.Suspects, out.Truncated = out.Suspects[:maxSuspects], true
	}
	return out, nil
}

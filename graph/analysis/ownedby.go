package analysis

import (
	"context"
	"slices"

	"github.com/estate-cmdb/estate/graph"
)

// OwnedItem is one thing an owner answers for, as WhoOwns names the owner
// for it: directly, or inherited from an ancestor the owner owns.
type OwnedItem struct {
	Item
	Role        string `json:"role"`
	Class       Class  `json:"class"`
	Accountable bool   `json:"accountable"`
	// InheritedFrom is the ancestor the ownership comes from; nil when the
	// owner owns the item itself.
	InheritedFrom *Item `json:"inheritedFrom,omitempty"`
}

// Owned answers "what does this team (or person) answer for?".
type Owned struct {
	Named
	// Items by kind and key, then role: each thing WhoOwns names the owner
	// for, with the role, class and accountability WhoOwns gives.
	Items []OwnedItem `json:"items"`
	// Truncated is set when more things may inherit from the owner's than
	// were looked at: the MaxOwnerLookups nearest to what it owns.
	Truncated bool `json:"truncated"`
}

// ownerKinds are the kinds that own things.
var ownerKinds = []graph.Kind{graph.KindTeam, graph.KindPerson}

// inheritSteps lead from an owned thing to the things that may inherit its
// owners (WhoOwns' ancestry, walked down): what is PART_OF it, the
// repositories BUILDing it, and the resources it RUNS_ON, DEPENDS_ON or
// DEFINES. Each is asked for the kinds that inherit that way, so that an
// application's dependencies on other applications are not walked.
var inheritSteps = []graph.NeighborQuery{
	{Types: []graph.RelType{graph.RelPartOf, graph.RelBuilds}, Direction: graph.In,
		Kinds: []graph.Kind{graph.KindBusinessUnit, graph.KindService, graph.KindApplication, graph.KindRepository, graph.KindCloudResource}},
	{Types: []graph.RelType{graph.RelRunsOn, graph.RelDependsOn, graph.RelDefines}, Direction: graph.Out,
		Kinds: []graph.Kind{graph.KindCloudResource}},
}

// OwnedBy resolves ref among teams and people and answers what they answer
// for: every thing WhoOwns would name them as an owner of. It walks down
// from what they own directly, along WhoOwns' inheritance (maxAncestry
// levels, one more for a resource's first level), to at most
// MaxOwnerLookups things nearest first, and asks WhoOwns of each
// (WhoOwnsEach), so the two answers cannot disagree: a thing with its own
// owner of a role does not inherit that role.
//
// An ambiguous ref gives an Owned with Candidates and no Subject. Errors:
// those of Resolve (NOT_FOUND for a ref naming no team or person), and the
// store's.
func OwnedBy(ctx context.Context, s Store, ref string) (*Owned, error) {
	named, err := Lookup(ctx, s, ref, ownerKinds)
	if err != nil {
		return nil, err
	}
	out := &Owned{Named: *named, Items: []OwnedItem{}}
	if out.Subject == nil {
		return out, nil
	}
	owner := out.Subject.Node
	nbs, err := s.Neighbors(ctx, []graph.ID{owner.ID}, graph.NeighborQuery{
		Types: []graph.RelType{graph.RelOwns}, Direction: graph.Out, Limit: graph.MaxPageSize, Light: &graph.Light{}, NodesOnly: true,
	})
	if err != nil {
		return nil, err
	}
	seen := map[graph.ID]bool{}
	var refs []string
	var level []graph.ID
	add := func(n *graph.Node) bool {
		if seen[n.ID] {
			return true
		}
		if len(refs) == MaxOwnerLookups {
			out.Truncated = true
			return false
		}
		seen[n.ID] = true
		refs = append(refs, n.Ref().String())
		level = append(level, n.ID)
		return true
	}
	for _, nb := range nbs[owner.ID] {
		add(nb.Node)
	}
	for depth := 0; depth <= maxAncestry && len(level) > 0 && !out.Truncated; depth++ {
		from := level
		level = nil
		for _, q := range inheritSteps {
			q.Limit, q.Light, q.NodesOnly = graph.MaxPageSize, &graph.Light{}, true
			down, err := s.Neighbors(ctx, from, q)
			if err != nil {
				return nil, err
			}
			for _, id := range from {
				for _, nb := range down[id] {
					if !add(nb.Node) {
						break
					}
				}
			}
		}
	}

	lookups, err := WhoOwnsEach(ctx, s, refs)
	if err != nil {
		return nil, err
	}
	for _, l := range lookups {
		if l.Answer == nil || l.Answer.Subject == nil {
			continue // deleted since it was walked
		}
		for _, w := range l.Answer.Owners {
			if w.Kind == owner.Kind && w.Key == owner.Key {
				out.Items = append(out.Items, OwnedItem{Item: lightItemOf(l.Answer.Subject.Node), Role: w.Role,
					Class: w.Class, Accountable: w.Accountable, InheritedFrom: w.InheritedFrom})
			}
		}
	}
	slices.SortFunc(out.Items, func(a, b OwnedItem) int {
		if c := graph.CompareRefs(a.Ref(), b.Ref()); c != 0 {
			return c
		}
		return roleRank(a.Role) - roleRank(b.Role)
	})
	return out, nil
}

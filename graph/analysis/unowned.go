package analysis

import (
	"context"
	"slices"

	"github.com/estate-cmdb/estate/graph"
)

// OwnedKinds are the kinds something is expected to own: the kinds Unowned
// answers for.
var OwnedKinds = []graph.Kind{graph.KindService, graph.KindApplication, graph.KindRepository, graph.KindCloudAccount, graph.KindCloudResource}

// Unowned returns the nodes (of OwnedKinds; others are skipped) for which
// WhoOwns would find no owner, direct or inherited: the same first level
// (for a resource, the applications running on or depending on it and the
// repositories defining it, at most maxFirstLevel relationships) and the
// same walk up PART_OF (and, from a repository, BUILDS) within
// maxAncestry, without the evidence, escalation and people WhoOwns adds.
// The explorer marks what nobody owns with it.
//
// Store calls: at most two for the first level (resources, others), then
// one Neighbors call per ancestry level, whatever the number of nodes.
func Unowned(ctx context.Context, s Store, nodes []*graph.Node) ([]graph.ID, error) {
	owned := map[graph.ID]bool{}
	// An ancestry step: ancestor a of subj, at WhoOwns's depth (a subject
	// is its own ancestor at depth 0). Levels are walked in order, so the
	// first depth recorded for a pair is the shortest.
	type step struct {
		a    graph.ID
		subj *graph.Node
	}
	depth := map[step]int{}
	var frontier []step
	reach := func(a graph.ID, subj *graph.Node, d int) {
		st := step{a, subj}
		if _, ok := depth[st]; ok || d > maxAncestry {
			return
		}
		depth[st] = d
		frontier = append(frontier, st)
	}
	var resources, others []*graph.Node
	for _, n := range nodes {
		switch {
		case !slices.Contains(OwnedKinds, n.Kind):
		case n.Kind == graph.KindCloudResource:
			resources = append(resources, n)
		default:
			others = append(others, n)
		}
	}
	// 1. Direct owners, and a resource's first level.
	for _, group := range []struct {
		nodes []*graph.Node
		types []graph.RelType
	}{
		{resources, []graph.RelType{graph.RelOwns, graph.RelRunsOn, graph.RelDependsOn, graph.RelDefines}},
		{others, []graph.RelType{graph.RelOwns}},
	} {
		if len(group.nodes) == 0 {
			continue
		}
		ids := make([]graph.ID, len(group.nodes))
		for i, n := range group.nodes {
			ids[i] = n.ID
		}
		nbs, err := s.Neighbors(ctx, ids, graph.NeighborQuery{Types: group.types, Direction: graph.In, Limit: maxFirstLevel})
		if err != nil {
			return nil, err
		}
		for _, n := range group.nodes {
			for _, nb := range nbs[n.ID] {
				if nb.Edge.Type == graph.RelOwns {
					owned[n.ID] = true
				} else {
					reach(nb.Node.ID, n, 1)
				}
			}
			if n.Kind != graph.KindCloudAccount {
				reach(n.ID, n, 0)
			}
		}
	}
	// 2. Up the ancestry a level at a time: an OWNS into an ancestor (not
	// the subject itself, whose owners step 1 read) means an inherited owner.
	for len(frontier) > 0 {
		level := slices.DeleteFunc(frontier, func(st step) bool { return owned[st.subj.ID] })
		frontier = nil
		if len(level) == 0 {
			break
		}
		var ask []graph.ID
		asked := map[graph.ID]bool{}
		for _, st := range level {
			if !asked[st.a] {
				asked[st.a] = true
				ask = append(ask, st.a)
			}
		}
		nbs, err := s.Neighbors(ctx, ask, graph.NeighborQuery{
			Types: []graph.RelType{graph.RelOwns, graph.RelPartOf, graph.RelBuilds}, Direction: graph.Both,
		})
		if err != nil {
			return nil, err
		}
		for _, st := range level {
			for _, nb := range nbs[st.a] {
				switch t := nb.Edge.Type; {
				case t == graph.RelOwns && !nb.Outgoing && st.a != st.subj.ID:
					owned[st.subj.ID] = true
				case nb.Outgoing && (t == graph.RelPartOf || t == graph.RelBuilds && st.subj.Kind == graph.KindRepository):
					reach(nb.Node.ID, st.subj, depth[st]+1)
				}
			}
		}
	}
	var out []graph.ID
	for _, n := range append(resources, others...) {
		if !owned[n.ID] {
			out = append(out, n.ID)
		}
	}
	return out, nil
}

package graph

import (
	"slices"
	"strings"
)

// SearchRank scores how well node n matches the lower-cased search text:
// 0 for an exact key, alias or name, 1 for a prefix of one of them, 2 for a
// substring of one of them or of a label value, -1 for no match. Every
// backend ranks with these rules.
func SearchRank(n *Node, text string) int {
	if r := SearchRankNamed(n, text); r >= 0 {
		return r
	}
	for _, v := range n.Labels {
		if r := SearchRankLabel(v, text); r >= 0 {
			return r
		}
	}
	return -1
}

// SearchRankNamed is SearchRank of n's key, name and aliases alone, for a
// backend that keeps labels apart: a label value ranks no better than any
// match of those, so it needs ranking (SearchRankLabel) only when this
// finds none.
func SearchRankNamed(n *Node, text string) int {
	best := -1
	consider := func(s string) {
		s = strings.ToLower(s)
		r := -1
		switch {
		case s == text:
			r = 0
		case strings.HasPrefix(s, text):
			r = 1
		case strings.Contains(s, text):
			r = 2
		}
		if r >= 0 && (best < 0 || r < best) {
			best = r
		}
	}
	consider(n.Key)
	consider(n.Name)
	for _, a := range n.Aliases {
		consider(a.Value)
	}
	return best
}

// SearchRankLabel is SearchRank of one label value: 2 when it holds the
// text, -1 when not.
func SearchRankLabel(v, text string) int {
	if strings.Contains(strings.ToLower(v), text) {
		return 2
	}
	return -1
}

// SortNodes orders nodes by kind, then key (CompareRefs): the order every
// Store method returning a list of nodes answers in. Stable, so nodes with
// one ref (none in a store) keep their order.
func SortNodes(ns []*Node) {
	slices.SortStableFunc(ns, func(a, b *Node) int { return CompareRefs(a.Ref(), b.Ref()) })
}

// SortNeighbors orders neighbours by relationship type (RelTypes order), then
// the other node's kind and key, then direction (outgoing first) and role.
func SortNeighbors(ns []Neighbor) {
	slices.SortFunc(ns, func(a, b Neighbor) int {
		if ra, rb := RelRank(a.Edge.Type), RelRank(b.Edge.Type); ra != rb {
			return ra - rb
		}
		if c := CompareRefs(a.Node.Ref(), b.Node.Ref()); c != 0 {
			return c
		}
		if a.Outgoing != b.Outgoing {
			if a.Outgoing {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Edge.Role(), b.Edge.Role())
	})
}

// SortHits orders traversal hits by depth, then kind, then key.
func SortHits(hs []Hit) {
	if len(hs) < placesFrom {
		slices.SortFunc(hs, compareHits)
		return
	}
	sortHitsByPlace(hs)
}

// placesFrom is how many hits SortHits sorts by their places read out
// first (sortHitsByPlace): a walk from a hot node reaches tens of
// thousands, and reading each hit's node at every comparison was a cache
// miss apiece: over half of the sort's time at 30,000 hits. Below a few
// hundred the nodes stay in cache and the copies cost more than they save
// (BenchmarkSortHits).
const placesFrom = 256

func compareHits(a, b Hit) int {
	if a.Depth != b.Depth {
		return a.Depth - b.Depth
	}
	return CompareRefs(a.Node.Ref(), b.Node.Ref())
}

// sortHitsByPlace sorts each hit's place (depth, kind rank, key), read
// from its node once, and then the hits by them.
func sortHitsByPlace(hs []Hit) {
	type place struct {
		depth, rank int
		key         string
		hit         int
	}
	ps := make([]place, len(hs))
	for i, h := range hs {
		ps[i] = place{h.Depth, KindRank(h.Node.Kind), h.Node.Key, i}
	}
	slices.SortFunc(ps, func(a, b place) int {
		if a.depth != b.depth {
			return a.depth - b.depth
		}
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		return strings.Compare(a.key, b.key)
	})
	sorted := make([]Hit, len(hs))
	for i, p := range ps {
		sorted[i] = hs[p.hit]
	}
	copy(hs, sorted)
}

package graph

import (
	"iter"
	"maps"
	"slices"
	"strings"
)

// SearchRank scores how well node n matches the lower-cased search text:
// 0 for an exact key, alias or name, 1 for a prefix of one of them, 2 for a
// substring of one of them or of a label value, -1 for no match. Every
// backend ranks with these rules.
func SearchRank(n *Node, text string) int {
	return SearchRankLabels(n, text, maps.Values(n.Labels))
}

// SearchRankLabels is SearchRank with n's label values given apart, for a
// backend that does not keep them in n.Labels. A label value ranks no
// better than any match of the key, name or aliases, so the values are
// only read when none of those matches.
func SearchRankLabels(n *Node, text string, labelValues iter.Seq[string]) int {
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
	if best >= 0 {
		return best
	}
	for v := range labelValues {
		if strings.Contains(strings.ToLower(v), text) {
			return 2
		}
	}
	return -1
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
	slices.SortFunc(hs, func(a, b Hit) int {
		if a.Depth != b.Depth {
			return a.Depth - b.Depth
		}
		return CompareRefs(a.Node.Ref(), b.Node.Ref())
	})
}

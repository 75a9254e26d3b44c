package analysis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/estate-cmdb/estate/graph"
)

// Likely duplicates: entities of one kind that may be one real thing
// recorded twice, because two sources spell it their own ways and nothing
// tied the spellings together (the GitHub team github.com/acme/team/
// payments-core and the catalog's group payments-core, a person under an
// e-mail address and under a handle). They are candidates for a person to
// merge (Store.Merge), never merged here: "payments" may well be a service
// and a team, or two teams in two business units.

// DuplicateKinds are the kinds whose entities are compared: those people
// and sources name freely. Repositories, cloud accounts and resources have
// keys their systems give (a URL, an account id, an ARN); two of them are
// two things.
var DuplicateKinds = []graph.Kind{
	graph.KindBusinessUnit, graph.KindService, graph.KindApplication, graph.KindTeam, graph.KindPerson,
}

// maxSharing is how many entities may share a spelling for it to count: a
// spelling more share ("api", "web") says nothing about any two of them.
const maxSharing = 6

// DuplicateGroup is a set of entities of one kind that share spellings.
type DuplicateGroup struct {
	Kind graph.Kind `json:"kind"`
	// Items are ordered by key.
	Items []Item `json:"items"`
	// Shared are the spellings that tie them (spelling), sorted.
	Shared []string `json:"shared"`
}

// DuplicateReport lists the likely duplicates, by kind (in graph.Kinds
// order), then by their first key.
type DuplicateReport struct {
	Groups []DuplicateGroup `json:"groups"`
}

// Duplicates finds the likely duplicates among the entities of kinds (all
// of DuplicateKinds for none): entities of one kind whose name, or the last
// part of whose key or of an alias, is spelled the same once case,
// punctuation, the prefixes sources add ("@", "group:", "user:") and an
// e-mail's domain are set aside, and that nobody recorded as distinct
// (graph.DistinctLabel). Entities sharing a spelling, directly or through
// another entity, form one group. One Topology read. Errors:
// CodeInvalid for a kind not in DuplicateKinds.
func Duplicates(ctx context.Context, s Store, kinds []graph.Kind) (*DuplicateReport, error) {
	if len(kinds) == 0 {
		kinds = DuplicateKinds
	}
	for _, k := range kinds {
		if !slices.Contains(DuplicateKinds, k) {
			return nil, graph.Errorf(graph.CodeInvalid, "likely duplicates are looked for among %v, not %s", DuplicateKinds, k)
		}
	}
	e, err := scan(ctx, s)
	if err != nil {
		return nil, err
	}
	rep := &DuplicateReport{Groups: []DuplicateGroup{}}
	for _, k := range graph.Kinds {
		if slices.Contains(kinds, k) {
			rep.Groups = append(rep.Groups, duplicatesOf(k, e.byKind[k])...)
		}
	}
	return rep, nil
}

// DuplicatesOf is the group of likely duplicates that n is in (Duplicates'
// rules), or nil: what n's page suggests merging. Instead of the whole graph
// it reads the entities of n's kind containing the longest word of each of
// n's spellings (Store.Search, a scan of names, keys and aliases), so it
// finds those spelled like n itself, not the ones a group reaches through a
// third entity; and a word more than graph.MaxSearch of them contain may
// leave some out. Nil too for a kind not in DuplicateKinds.
func DuplicatesOf(ctx context.Context, s Store, n *graph.Node) (*DuplicateGroup, error) {
	if !slices.Contains(DuplicateKinds, n.Kind) {
		return nil, nil
	}
	ns := []*node{{Node: n}}
	seen := map[graph.ID]bool{n.ID: true}
	var words []string
	for _, sp := range spellings(n) {
		w := slices.MaxFunc(strings.Split(sp, "-"), func(a, b string) int { return len(a) - len(b) })
		// A word longer than a search may be is looked for by its start.
		if len(w) > graph.MaxSearchText {
			w = strings.ToValidUTF8(w[:graph.MaxSearchText], "")
		}
		if slices.Contains(words, w) {
			continue
		}
		words = append(words, w)
		found, err := s.Search(ctx, graph.SearchQuery{Text: w, Kinds: []graph.Kind{n.Kind}, Limit: graph.MaxSearch})
		if err != nil {
			return nil, fmt.Errorf("likely duplicates of %s: %w", n.Ref(), err)
		}
		for _, c := range found {
			if !seen[c.ID] {
				seen[c.ID] = true
				ns = append(ns, &node{Node: c})
			}
		}
	}
	slices.SortFunc(ns, func(a, b *node) int { return strings.Compare(a.Key, b.Key) })
	for _, g := range duplicatesOf(n.Kind, ns) {
		if slices.ContainsFunc(g.Items, func(it Item) bool { return it.Node.ID == n.ID }) {
			return &g, nil
		}
	}
	return nil, nil
}

// duplicatesOf groups the nodes of one kind by shared spellings.
func duplicatesOf(k graph.Kind, ns []*node) []DuplicateGroup {
	by := map[string][]int{}
	for i, n := range ns {
		for _, sp := range spellings(n.Node) {
			by[sp] = append(by[sp], i)
		}
	}
	// Union-find over the nodes, joined by each telling spelling.
	parent := make([]int, len(ns))
	for i := range parent {
		parent[i] = i
	}
	root := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	// A spelling ties two nodes when few share it and the two are not
	// recorded as distinct (graph.DistinctLabel); tied holds a node each
	// spelling tied.
	tied := map[string]int{}
	for sp, is := range by {
		if len(is) < 2 || len(is) > maxSharing {
			continue
		}
		for x, i := range is {
			for _, j := range is[x+1:] {
				if !graph.DistinctFrom(ns[i].Node, ns[j].Node) && !graph.DistinctFrom(ns[j].Node, ns[i].Node) {
					parent[root(j)] = root(i)
					tied[sp] = i
				}
			}
		}
	}
	groups := map[int]*DuplicateGroup{}
	var order []int
	for i, n := range ns {
		r := root(i)
		g := groups[r]
		if g == nil {
			g = &DuplicateGroup{Kind: k}
			groups[r] = g
			order = append(order, r)
		}
		g.Items = append(g.Items, itemOf(n.Node))
	}
	for sp, i := range tied {
		g := groups[root(i)]
		g.Shared = append(g.Shared, sp)
	}
	var out []DuplicateGroup
	for _, r := range order {
		if g := groups[r]; len(g.Items) > 1 {
			slices.Sort(g.Shared)
			out = append(out, *g)
		}
	}
	return out
}

// spellings are the ways n may be spelled by a source that does not know
// its key, normalised (spelling), without repeats.
func spellings(n *graph.Node) []string {
	var out []string
	add := func(s string) {
		if sp := spelling(s); len(sp) >= 3 && !slices.Contains(out, sp) {
			out = append(out, sp)
		}
	}
	add(n.Name)
	add(tail(n.Key))
	for _, a := range n.Aliases {
		add(tail(a.Value))
	}
	return out
}

// sourcePrefixes are what sources put before a name (descriptors, GitLab,
// the demo): "group:payments", "user:priya".
var sourcePrefixes = []string{"group:", "user:", "team:", "component:", "system:", "@"}

// tail is the part of a key or alias that names the thing: without a
// source's prefix, after the last "/" (an organisation or a host), and
// before the "@" of an e-mail address.
func tail(s string) string {
	s = strings.TrimSpace(s)
	for _, p := range sourcePrefixes {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			s = s[len(p):]
			break
		}
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, '@'); i > 0 {
		s = s[:i]
	}
	return s
}

// spelling is s in lower case with every run of other characters than
// letters and digits one "-", none at either end: "Payments Core",
// "payments_core" and "payments-core" are spelled alike.
func spelling(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		dash = true
	}
	return b.String()
}

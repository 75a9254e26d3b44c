package graph

import (
	"slices"
	"strings"
)

// Merging duplicates. DESIGN.md: one real thing is one node, however many
// sources name it, and when two nodes turn out to be one, merging them keeps
// every alias and every provenance record. A person merges a duplicate
// (from) into the node that stays (into); the store writes MergeInto's
// result and removes the duplicate in one transaction (Store.Merge).
//
// The duplicate's key stays behind as an alias of the node that stays, from
// AliasMerged. That alias is also a redirect: a write naming the old key
// (a source that still spells the team its own way, at its next run) lands
// on the node that stays (Redirect) instead of bringing the duplicate back,
// so a merge survives every later sync. Being an alias, it is exported and
// imported with the node, and lookups by the old key find the node.

// AliasMerged is the source of the aliases a merge leaves: the keys of the
// duplicates merged into a node. It is not a source any batch may use.
const AliasMerged = "merged"

// MergedIDs returns the ids of the nodes merged into n: the ids their keys
// had, which Redirect sends to n.
func MergedIDs(n *Node) []ID {
	var ids []ID
	for _, a := range n.Aliases {
		if a.Source == AliasMerged {
			ids = append(ids, NodeID(n.Kind, a.Value))
		}
	}
	return ids
}

// Mergeable checks that from may be merged into into: two different nodes
// of one kind of the estate (changes and incidents are records, not things
// with duplicates).
func Mergeable(into, from *Node) error {
	switch {
	case into.ID == from.ID:
		return Errorf(CodeInvalid, "cannot merge %s into itself", into.Ref())
	case into.Kind != from.Kind:
		return Errorf(CodeInvalid, "cannot merge %s into %s: a %s is not a %s", from.Ref(), into.Ref(), from.Kind, into.Kind)
	case !slices.Contains(EstateKinds, into.Kind):
		return Errorf(CodeInvalid, "cannot merge %s: records of kind %s are not merged", from.Ref(), into.Kind)
	}
	return nil
}

// MergeInto returns into with from merged in, and the relationships to put:
// each of from's, moved to into and merged with the one into already has
// between the same ends (same type and role), if any. edges must hold every
// relationship of from and of into; from's are dropped with from, and one
// between the two is dropped rather than turned into a loop. Neither input
// is modified. Errors: those of Mergeable; CodeLimitExceeded when from has
// more relationships than a batch may hold (MaxBatchItems).
//
// What into holds wins: its key, name, properties, labels and their
// manual pins; from's fill what into lacks. Aliases and assertions are the
// union, one assertion per source (the more recent one, first seen the
// earlier), and from's key becomes an AliasMerged alias.
func MergeInto(into, from *Node, edges []*Edge) (*Node, []*Edge, error) {
	if err := Mergeable(into, from); err != nil {
		return nil, nil, err
	}
	// from's relationships move; into's are kept, to merge those that
	// meet. Refs are compared, not ids: an id is a hash of the ref.
	fromRef := from.Ref()
	kept := map[ID]*Edge{}
	var moving []*Edge
	for _, e := range edges {
		if e.From == fromRef || e.To == fromRef {
			moving = append(moving, e)
		} else {
			kept[e.ID] = e
		}
	}
	if len(moving) > MaxBatchItems {
		return nil, nil, Errorf(CodeLimitExceeded, "%s has %d relationships, over the %d one merge moves: merge the other into it", from.Ref(), len(moving), MaxBatchItems)
	}
	n := CloneNode(into)
	fill(&n.Props, from.Props, PropField, &n.Manual, &n.Conflicts, from.Manual, from.Conflicts)
	fill(&n.Labels, from.Labels, LabelField, &n.Manual, &n.Conflicts, from.Manual, from.Conflicts)
	for _, a := range from.Aliases {
		n.Aliases = addAlias(n.Aliases, a)
	}
	n.Aliases = addAlias(n.Aliases, Alias{Value: from.Key, Source: AliasMerged})
	n.Assertions = unionAssertions(n.Assertions, from.Assertions)
	n.FirstSeen, n.LastSeen = seenSpan(n.Assertions)

	var out []*Edge
	for _, e := range moving {
		moved := CloneEdge(e)
		if moved.From == fromRef {
			moved.From = n.Ref()
		}
		if moved.To == fromRef {
			moved.To = n.Ref()
		}
		if moved.From == moved.To {
			continue // a relationship between the two
		}
		moved.ID = EdgeID(moved.Type, moved.From.ID(), moved.To.ID(), moved.Role())
		if old := kept[moved.ID]; old != nil {
			merged := CloneEdge(old)
			fill(&merged.Props, moved.Props, PropField, &merged.Manual, &merged.Conflicts, moved.Manual, moved.Conflicts)
			merged.Assertions = unionAssertions(merged.Assertions, moved.Assertions)
			merged.FirstSeen, merged.LastSeen = seenSpan(merged.Assertions)
			moved = merged
		}
		kept[moved.ID] = moved
		out = append(out, moved)
	}
	return n, out, nil
}

// fill copies into *dst the entries of src it lacks, with the manual pins
// and conflicts of those fields: a field's value and its provenance come
// from the same node.
func fill[V any](dst *map[string]V, src map[string]V, field func(string) string, manual *[]string, conflicts *[]Conflict, srcManual []string, srcConflicts []Conflict) {
	for k, v := range src {
		if _, ok := (*dst)[k]; ok {
			continue
		}
		if *dst == nil {
			*dst = map[string]V{}
		}
		(*dst)[k] = v
		f := field(k)
		if slices.Contains(srcManual, f) {
			*manual = append(*manual, f)
		}
		for _, c := range srcConflicts {
			if c.Field == f {
				*conflicts = append(*conflicts, c)
			}
		}
	}
	slices.Sort(*manual)
	*manual = slices.Compact(*manual)
	slices.SortFunc(*conflicts, func(a, b Conflict) int {
		if c := strings.Compare(a.Field, b.Field); c != 0 {
			return c
		}
		return strings.Compare(a.Source, b.Source)
	})
}

// unionAssertions returns a's assertions with b's added: one per source,
// the more recently seen (its run, scope, confidence and evidence, so that
// the source's next sweep judges it by its latest run), first seen the
// earlier of the two.
func unionAssertions(a, b []Assertion) []Assertion {
	out := slices.Clone(a)
	for _, x := range b {
		i := slices.IndexFunc(out, func(y Assertion) bool { return y.Source == x.Source })
		if i < 0 {
			out = append(out, x)
			continue
		}
		first := out[i].FirstSeen
		if x.FirstSeen.Before(first) {
			first = x.FirstSeen
		}
		if x.LastSeen.After(out[i].LastSeen) {
			out[i] = x
		}
		out[i].FirstSeen = first
	}
	SortAssertions(out)
	return out
}

// Redirect rewrites a validated batch so that what names a merged node names
// the node it was merged into, without the name it gives it, and drops a
// relationship that would then join a node to itself. to gives the node a merged id was merged into, if
// any; it is asked only when the id's own node does not exist (a key a
// person merged away and somebody stored again names that node again).
func Redirect(b Batch, to func(ID) (Ref, bool)) Batch {
	cache := map[Ref]Ref{}
	follow := func(r Ref) Ref {
		if x, ok := cache[r]; ok {
			return x
		}
		x := r
		if t, ok := to(r.ID()); ok {
			x = t
		}
		cache[r] = x
		return x
	}
	nodes := b.Nodes[:0:0]
	for _, n := range b.Nodes {
		if t := follow(n.Ref()); t != n.Ref() {
			// The name that goes with another spelling of the key is
			// another spelling too: it would rename the node at every
			// sync of the source, and back at every sync of the others.
			n.Key, n.Name = t.Key, ""
		}
		nodes = append(nodes, n)
	}
	edges := b.Edges[:0:0]
	for _, e := range b.Edges {
		e.From, e.To = follow(e.From), follow(e.To)
		if e.From != e.To {
			edges = append(edges, e)
		}
	}
	b.Nodes, b.Edges = nodes, edges
	return b
}

// DistinctLabel is the label a person's decision that entities spelled
// alike are not one thing leaves on each of them (Store.Annotate): the keys
// of the others, separated by ", " (ListLabelValues). Likely duplicates no
// longer pair them. A label, so that the decision is seen on the entity,
// exported and in the audit trail; no source sets it.
const DistinctLabel = "not-duplicate-of"

// DistinctFrom reports whether n is recorded as not being o: n's
// DistinctLabel names o's key, or the key of a node merged into o since.
func DistinctFrom(n, o *Node) bool {
	return slices.ContainsFunc(ListLabelValues(n.Labels[DistinctLabel]), func(k string) bool { return names(o, k) })
}

// names reports whether key names n: its own, or the key of a node merged
// into it.
func names(n *Node, key string) bool {
	return key == n.Key || slices.ContainsFunc(n.Aliases, func(a Alias) bool { return a.Source == AliasMerged && a.Value == key })
}

// DistinctLabels returns the labels that record the nodes, of one kind,
// as distinct from one another (Store.Annotate): each node's DistinctLabel
// with the others' keys added to those it holds; or, with distinct false,
// the keys that name the others taken out of them, those of nodes merged
// into them since included (the decision withdrawn: "" removes an empty
// label).
// Errors: CodeInvalid for fewer than two nodes or nodes of several kinds.
func DistinctLabels(nodes []*Node, distinct bool) (map[ID]map[string]string, error) {
	if len(nodes) < 2 {
		return nil, Errorf(CodeInvalid, "name at least two entities that are not one thing")
	}
	out := map[ID]map[string]string{}
	for _, n := range nodes {
		if n.Kind != nodes[0].Kind {
			return nil, Errorf(CodeInvalid, "%s and %s are of two kinds: they cannot be one thing anyway", nodes[0].Ref(), n.Ref())
		}
		keys := ListLabelValues(n.Labels[DistinctLabel])
		for _, o := range nodes {
			switch {
			case o.ID == n.ID:
			case distinct && !slices.Contains(keys, o.Key):
				keys = append(keys, o.Key)
			case !distinct:
				keys = slices.DeleteFunc(keys, func(k string) bool { return names(o, k) })
			}
		}
		slices.Sort(keys)
		out[n.ID] = map[string]string{DistinctLabel: strings.Join(keys, ", ")}
	}
	return out, nil
}

// Annotated returns n with labels set (a label set to "" removed), for
// Store.Annotate; n is not modified. Errors: CodeInvalid for an empty label
// name.
func Annotated(n *Node, labels map[string]string) (*Node, error) {
	out := CloneNode(n)
	for k, v := range labels {
		if strings.TrimSpace(k) == "" {
			return nil, Errorf(CodeInvalid, "%s: empty label name", n.Ref())
		}
		if v == "" {
			delete(out.Labels, k)
			continue
		}
		if out.Labels == nil {
			out.Labels = map[string]string{}
		}
		out.Labels[k] = v
	}
	return out, nil
}

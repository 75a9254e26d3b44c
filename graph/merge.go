package graph

import (
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"
)

// MergeNode applies one validated assertion to a stored node (nil for a new
// one) and returns the result; old is not modified. These are the upsert
// semantics every backend shares: a non-empty name replaces the stored one,
// properties and labels merge key by key, aliases accumulate, and the
// source's assertion is refreshed (first seen kept, last seen moved on).
// A field the manual source set keeps its manual value; a differing
// ingested value becomes a Conflict (provenance.go).
//
// An observation older than what the same source last asserted changes
// nothing: a late batch of an earlier run must not replace a newer run's
// values, nor its run id (which would let the newer run's sweep remove it).
func MergeNode(old *Node, in NodeInput, source, run string, at time.Time) *Node {
	if old != nil && stale(old.Assertions, source, at) {
		n := CloneNode(old)
		widenScope(n.Assertions, source, run, in.Scope)
		return n
	}
	n := &Node{ID: in.ID(), Kind: in.Kind, Key: in.Key, Name: in.Key}
	if old != nil {
		c := *old
		n = &c
		n.Props = maps.Clone(old.Props)
		n.Labels = maps.Clone(old.Labels)
		n.Aliases = append([]Alias(nil), old.Aliases...)
		n.Assertions = append([]Assertion(nil), old.Assertions...)
		n.Manual = slices.Clone(old.Manual)
		n.Conflicts = slices.Clone(old.Conflicts)
	}
	mergeFields(n, in, source, at)
	for _, a := range in.Aliases {
		n.Aliases = addAlias(n.Aliases, Alias{Value: a, Source: source})
	}
	n.Assertions = assert(n.Assertions, source, run, in.Scope, in.Confidence, in.Evidence, at)
	n.FirstSeen, n.LastSeen = seenSpan(n.Assertions)
	return n
}

// MergeEdge applies one validated relationship assertion, like MergeNode.
func MergeEdge(old *Edge, in EdgeInput, source, run string, at time.Time) *Edge {
	if old != nil && stale(old.Assertions, source, at) {
		e := CloneEdge(old)
		widenScope(e.Assertions, source, run, in.Scope)
		return e
	}
	if old == nil {
		return NewEdge(in.ID(), in, source, run, at)
	}
	c := *old
	e := &c
	e.Props = maps.Clone(old.Props)
	e.Assertions = append([]Assertion(nil), old.Assertions...)
	e.Manual = slices.Clone(old.Manual)
	e.Conflicts = slices.Clone(old.Conflicts)
	return assertEdge(e, in, source, run, at)
}

// NewEdge is MergeEdge of a relationship not stored yet, for a caller
// that already derived its id (in.ID(): three SHA-1s, which a bulk write
// should not pay twice).
func NewEdge(id ID, in EdgeInput, source, run string, at time.Time) *Edge {
	return assertEdge(&Edge{ID: id, Type: in.Type, From: in.From, To: in.To}, in, source, run, at)
}

// assertEdge merges in into e, a copy of the stored relationship or a new
// one, and returns it.
func assertEdge(e *Edge, in EdgeInput, source, run string, at time.Time) *Edge {
	mergeEdgeFields(e, in, source, at)
	e.Assertions = assert(e.Assertions, source, run, in.Scope, in.Confidence, in.Evidence, at)
	e.FirstSeen, e.LastSeen = seenSpan(e.Assertions)
	return e
}

// stale reports whether source already asserted something later than at.
func stale(as []Assertion, source string, at time.Time) bool {
	for _, a := range as {
		if a.Source == source {
			return at.Before(a.LastSeen)
		}
	}
	return false
}

func addAlias(as []Alias, a Alias) []Alias {
	i := sort.Search(len(as), func(i int) bool { return compareAlias(as[i], a) >= 0 })
	if i < len(as) && as[i] == a {
		return as
	}
	as = append(as, Alias{})
	copy(as[i+1:], as[i:])
	as[i] = a
	return as
}

func compareAlias(a, b Alias) int {
	if c := strings.Compare(a.Value, b.Value); c != 0 {
		return c
	}
	return strings.Compare(a.Source, b.Source)
}

// widenScope records that run asserted an item again, out of order, in
// scope: a batch too late to change anything else still widens the scope
// of what the same run asserted.
func widenScope(as []Assertion, source, run, scope string) {
	for i := range as {
		if as[i].Source == source && as[i].Run == run {
			as[i].Scope = CommonScope(as[i].Scope, scope)
		}
	}
}

// assert records source's assertion by run in scope. A run that asserts an
// item from two scopes records their common scope, so that a sweep keeping
// either keeps the item (scope.go).
func assert(as []Assertion, source, run, scope string, c Confidence, evidence string, at time.Time) []Assertion {
	for i := range as {
		if as[i].Source == source {
			if as[i].Run == run {
				scope = CommonScope(as[i].Scope, scope)
			}
			as[i].Run, as[i].Scope, as[i].Confidence, as[i].Evidence, as[i].LastSeen = run, scope, c, evidence, at
			return as
		}
	}
	as = append(as, Assertion{Source: source, Run: run, Scope: scope, Confidence: c, Evidence: evidence, FirstSeen: at, LastSeen: at})
	SortAssertions(as)
	return as
}

// Touch returns as after source re-asserted it in run at at with nothing
// else changed — what MergeNode and MergeEdge do to an item whose input
// matches it — and the item's new seen span; as is not modified. ok is
// false when source does not assert the item. A store may keep such a
// re-assertion as just source, run and at.
func Touch(as []Assertion, source, run string, at time.Time) (out []Assertion, first, last time.Time, ok bool) {
	for i := range as {
		if as[i].Source == source {
			out = slices.Clone(as)
			out[i].Run, out[i].LastSeen = run, at
			first, last = seenSpan(out)
			return out, first, last, true
		}
	}
	return nil, first, last, false
}

// TouchesNode reports, without merging, whether MergeNode(old, in, source,
// run, at) changes nothing of the stored node old but what Touch changes:
// what a re-sync mostly finds, and a store may then keep just the touch.
// It answers false, for the caller to merge, whenever manual fields or
// conflicts are involved.
func TouchesNode(old *Node, in NodeInput, source string, at time.Time) bool {
	if !touchable(old.Assertions, old.Manual, old.Conflicts, in.Scope, in.Confidence, in.Evidence, source, at) ||
		(in.Name != "" && in.Name != old.Name) || !holdsProps(old.Props, in.Props) {
		return false
	}
	for k, v := range in.Labels {
		if w, ok := old.Labels[k]; !ok || w != v {
			return false
		}
	}
	for _, a := range in.Aliases {
		if _, ok := slices.BinarySearchFunc(old.Aliases, Alias{Value: a, Source: source}, compareAlias); !ok {
			return false
		}
	}
	return true
}

// TouchesEdge is TouchesNode for MergeEdge.
func TouchesEdge(old *Edge, in EdgeInput, source string, at time.Time) bool {
	return touchable(old.Assertions, old.Manual, old.Conflicts, in.Scope, in.Confidence, in.Evidence, source, at) &&
		holdsProps(old.Props, in.Props)
}

// touchable reports whether asserting in scope with c and evidence at at
// only moves source's run and last-seen time: source asserts the item
// already, just so and not later (stale), and no manual field or conflict
// is in play.
func touchable(as []Assertion, manual []string, conflicts []Conflict, scope string, c Confidence, evidence, source string, at time.Time) bool {
	if source == SourceManual || len(manual) > 0 || len(conflicts) > 0 {
		return false
	}
	for _, a := range as {
		if a.Source == source {
			return a.Scope == scope && a.Confidence == c && a.Evidence == evidence && !at.Before(a.LastSeen)
		}
	}
	return false
}

// holdsProps reports whether merging in into stored leaves it as it is.
func holdsProps(stored, in map[string]any) bool {
	for k, v := range in {
		w, ok := stored[k]
		if !ok {
			return false
		}
		switch v := v.(type) {
		case string, int64, bool:
			if v != w {
				return false
			}
		case []string:
			if w, ok := w.([]string); !ok || !slices.Equal(v, w) {
				return false
			}
		default:
			if !reflect.DeepEqual(v, w) {
				return false
			}
		}
	}
	return true
}

func seenSpan(as []Assertion) (first, last time.Time) {
	for i, a := range as {
		if i == 0 || a.FirstSeen.Before(first) {
			first = a.FirstSeen
		}
		if a.LastSeen.After(last) {
			last = a.LastSeen
		}
	}
	return first, last
}

// Retract removes the assertion of r's source unless r keeps it: it was
// made by r's run, or in a scope r keeps. It reports whether one was
// removed; the caller deletes the item when no assertion is left. Aliases
// and conflicts the source contributed go with it.
func Retract(n *Node, r SweepRequest) bool {
	kept, removed := retract(n.Assertions, r)
	if !removed {
		return false
	}
	source := r.Source
	n.Assertions = kept
	n.FirstSeen, n.LastSeen = seenSpan(kept)
	n.Conflicts = dropConflicts(n.Conflicts, func(c Conflict) bool { return c.Source == source })
	aliases := n.Aliases[:0:0]
	for _, a := range n.Aliases {
		if a.Source != source {
			aliases = append(aliases, a)
		}
	}
	n.Aliases = aliases
	return true
}

// RetractEdge is Retract for a relationship.
func RetractEdge(e *Edge, r SweepRequest) bool {
	kept, removed := retract(e.Assertions, r)
	if removed {
		e.Assertions = kept
		e.FirstSeen, e.LastSeen = seenSpan(kept)
		e.Conflicts = dropConflicts(e.Conflicts, func(c Conflict) bool { return c.Source == r.Source })
	}
	return removed
}

func retract(as []Assertion, r SweepRequest) ([]Assertion, bool) {
	i := retractable(as, r)
	if i < 0 {
		return as, false
	}
	return append(append([]Assertion(nil), as[:i]...), as[i+1:]...), true
}

// retractable returns the index of r's source's assertion when the sweep r
// would retract it, and -1 otherwise.
func retractable(as []Assertion, r SweepRequest) int {
	for i, a := range as {
		if a.Source == r.Source {
			if a.Run == r.Run || ScopeHeld(a.Scope, r.Keep) {
				return -1
			}
			return i
		}
	}
	return -1
}

// Retractable reports whether Retract(…, r) would remove an assertion from
// as, without copying anything: sweeps use it to skip what the run
// re-asserted or keeps.
func Retractable(as []Assertion, r SweepRequest) bool {
	return retractable(as, r) >= 0
}

// AssertedBy reports whether source asserts something with these assertions.
func AssertedBy(as []Assertion, source string) bool {
	for _, a := range as {
		if a.Source == source {
			return true
		}
	}
	return false
}

// HasAnyKind reports whether k is in ks, or ks is empty (meaning all kinds).
func HasAnyKind(ks []Kind, k Kind) bool {
	if len(ks) == 0 {
		return true
	}
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// CloneNode returns a deep copy of n, so callers may modify what a store
// returned without touching the store's copy.
func CloneNode(n *Node) *Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Props = maps.Clone(n.Props)
	for k, v := range c.Props {
		if l, ok := v.([]string); ok {
			c.Props[k] = slices.Clone(l) // keeps an empty list empty, not nil
		}
	}
	c.Labels = maps.Clone(n.Labels)
	c.Aliases = append([]Alias(nil), n.Aliases...)
	c.Assertions = append([]Assertion(nil), n.Assertions...)
	c.Manual = slices.Clone(n.Manual)
	c.Conflicts = slices.Clone(n.Conflicts)
	return &c
}

// CloneEdge returns a deep copy of e.
func CloneEdge(e *Edge) *Edge {
	if e == nil {
		return nil
	}
	c := *e
	c.Props = maps.Clone(e.Props)
	c.Assertions = append([]Assertion(nil), e.Assertions...)
	c.Manual = slices.Clone(e.Manual)
	c.Conflicts = slices.Clone(e.Conflicts)
	return &c
}

package graph

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Per-field provenance of manual edits. DESIGN.md: manual edits are never
// silently overwritten, and a conflict with an ingested value is visible.
// A field the manual source set (a node's name, one property, one label; a
// relationship's property) is pinned: a source that later asserts a different value leaves the manual
// value in place and records a Conflict instead; the conflict goes away
// when the source asserts the manual value again, when the manual source
// sets the ingested value, or when the source's assertion is swept.
//
// When the manual source replaces a value a source set earlier, the
// replaced value becomes a conflict at once, attributed to the source that
// most recently asserted the node (the value's own source is not recorded
// per field). So "ingest, then edit" ends where "edit, then ingest" does,
// as the stale-batch rule makes the order of batches not matter otherwise.
// A name equal to the key is the default a node gets without one and is
// not treated as a value a source set.

// Field names of Node.Manual and Conflict.Field.
const FieldName = "name"

// PropField is the field name of property p.
func PropField(p string) string { return "props." + p }

// LabelField is the field name of label l.
func LabelField(l string) string { return "labels." + l }

// Conflict is a value a source asserts for a field the manual source set
// to something else. Values are shown as text: strings as they are, other
// property values as JSON.
type Conflict struct {
	Field    string    `json:"field"`
	Manual   string    `json:"manual"`
	Ingested string    `json:"ingested"`
	Source   string    `json:"source"`
	SeenAt   time.Time `json:"seenAt"`
}

// FormatValue is the text a conflict shows for a field value.
func FormatValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []string:
		if x == nil {
			return "[]" // as an empty list reads: no conflict between the two
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// fieldMerge applies one assertion's fields to a node or relationship the
// caller owns.
type fieldMerge struct {
	manual    *[]string
	conflicts *[]Conflict
	source    string
	at        time.Time
	// last is the most recent non-manual assertion, for a manual edit that
	// replaces an ingested value.
	last *Assertion
}

func newFieldMerge(manual *[]string, conflicts *[]Conflict, as []Assertion, source string, at time.Time) *fieldMerge {
	m := &fieldMerge{manual: manual, conflicts: conflicts, source: source, at: at}
	if source == SourceManual {
		for i := range as {
			a := &as[i]
			if a.Source != SourceManual && (m.last == nil || a.LastSeen.After(m.last.LastSeen)) {
				m.last = a
			}
		}
	}
	return m
}

// mergeFields applies in's name, properties and labels to n, honouring the
// fields the manual source pinned.
func mergeFields(n *Node, in NodeInput, source string, at time.Time) {
	if source != SourceManual && len(n.Manual) == 0 {
		// Nothing is pinned, so every field applies (fieldMerge.field)
		// without naming it: the path of every item of a sync.
		if in.Name != "" {
			n.Name = in.Name
		}
		n.Props = putAll(n.Props, in.Props)
		n.Labels = putAll(n.Labels, in.Labels)
		return
	}
	m := newFieldMerge(&n.Manual, &n.Conflicts, n.Assertions, source, at)
	if in.Name != "" {
		m.field(FieldName, n.Name, n.Name != "" && n.Name != n.Key, in.Name, func() { n.Name = in.Name })
	}
	var buf [16]string
	for _, k := range SortedKeys(in.Props, buf[:]) {
		cur, has := n.Props[k]
		m.field(PropField(k), cur, has, in.Props[k], func() {
			if n.Props == nil {
				n.Props = map[string]any{}
			}
			n.Props[k] = in.Props[k]
		})
	}
	for _, k := range SortedKeys(in.Labels, buf[:]) {
		cur, has := n.Labels[k]
		m.field(LabelField(k), cur, has, in.Labels[k], func() {
			if n.Labels == nil {
				n.Labels = map[string]string{}
			}
			n.Labels[k] = in.Labels[k]
		})
	}
}

// putAll sets every entry of from in to, made when needed, and returns to.
func putAll[V any](to, from map[string]V) map[string]V {
	if len(from) == 0 {
		return to
	}
	if to == nil {
		to = make(map[string]V, len(from))
	}
	for k, v := range from {
		to[k] = v
	}
	return to
}

// mergeEdgeFields applies in's properties to e (only path can differ
// between assertions: role is part of an OWNS relationship's identity).
func mergeEdgeFields(e *Edge, in EdgeInput, source string, at time.Time) {
	if source != SourceManual && len(e.Manual) == 0 {
		e.Props = putAll(e.Props, in.Props) // nothing pinned, as in mergeFields
		return
	}
	m := newFieldMerge(&e.Manual, &e.Conflicts, e.Assertions, source, at)
	var buf [16]string
	for _, k := range SortedKeys(in.Props, buf[:]) {
		cur, has := e.Props[k]
		m.field(PropField(k), cur, has, in.Props[k], func() {
			if e.Props == nil {
				e.Props = map[string]any{}
			}
			e.Props[k] = in.Props[k]
		})
	}
}

// field merges one field: cur is the stored value (has says whether there
// is one), v the asserted one, apply stores v.
func (m *fieldMerge) field(field string, cur any, has bool, v any, apply func()) {
	manual, conflicts := m.manual, m.conflicts
	_, pinned := slices.BinarySearch(*manual, field)
	if m.source != SourceManual {
		switch {
		case !pinned:
			apply()
		case FormatValue(cur) == FormatValue(v):
			*conflicts = dropConflicts(*conflicts, func(c Conflict) bool { return c.Field == field && c.Source == m.source })
		default:
			*conflicts = putConflict(*conflicts, Conflict{Field: field, Manual: FormatValue(cur),
				Ingested: FormatValue(v), Source: m.source, SeenAt: m.at})
		}
		return
	}
	text := FormatValue(v)
	if !pinned && has && m.last != nil && FormatValue(cur) != text {
		*conflicts = putConflict(*conflicts, Conflict{Field: field, Manual: text,
			Ingested: FormatValue(cur), Source: m.last.Source, SeenAt: m.last.LastSeen})
	}
	apply()
	if !pinned {
		i, _ := slices.BinarySearch(*manual, field)
		*manual = slices.Insert(*manual, i, field)
	}
	*conflicts = dropConflicts(*conflicts, func(c Conflict) bool { return c.Field == field && c.Ingested == text })
	for i := range *conflicts {
		if (*conflicts)[i].Field == field {
			(*conflicts)[i].Manual = text
		}
	}
}

func compareConflict(a, b Conflict) int {
	if c := strings.Compare(a.Field, b.Field); c != 0 {
		return c
	}
	return strings.Compare(a.Source, b.Source)
}

// putConflict adds c, replacing the one of the same field and source.
func putConflict(cs []Conflict, c Conflict) []Conflict {
	i, found := slices.BinarySearchFunc(cs, c, compareConflict)
	if found {
		cs[i] = c
		return cs
	}
	return slices.Insert(cs, i, c)
}

// dropConflicts removes the conflicts drop selects; nil when none is left,
// so a node without conflicts looks the same however it got there.
func dropConflicts(cs []Conflict, drop func(Conflict) bool) []Conflict {
	cs = slices.DeleteFunc(cs, drop)
	if len(cs) == 0 {
		return nil
	}
	return cs
}

// validProvenance checks an imported node's or relationship's Manual and
// Conflicts lists; what names it in errors.
func validProvenance(what string, manual []string, conflicts []Conflict) error {
	validField := func(f string) bool {
		return f == FieldName || strings.HasPrefix(f, "props.") && len(f) > len("props.") ||
			strings.HasPrefix(f, "labels.") && len(f) > len("labels.")
	}
	if !slices.IsSorted(manual) {
		return Errorf(CodeInvalid, "%s: manual fields are not sorted", what)
	}
	for _, f := range manual {
		if !validField(f) {
			return Errorf(CodeInvalid, "%s: unknown manual field %q (want name, props.NAME or labels.NAME)", what, f)
		}
	}
	if !slices.IsSortedFunc(conflicts, compareConflict) {
		return Errorf(CodeInvalid, "%s: conflicts are not sorted by field and source", what)
	}
	for _, c := range conflicts {
		if !validField(c.Field) {
			return Errorf(CodeInvalid, "%s: conflict on unknown field %q", what, c.Field)
		}
		if err := validSource(c.Source); err != nil {
			return fmt.Errorf("%s: conflict on %s: %w", what, c.Field, err)
		}
	}
	return nil
}

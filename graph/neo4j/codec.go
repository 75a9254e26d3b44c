package neo4j

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/estate-cmdb/estate/graph"
)

// Property name prefixes of typed properties and free-form labels; see the
// package documentation for the whole layout.
const (
	propPrefix  = "p_"
	labelPrefix = "l_"
)

// encodeNode returns the Neo4j properties that store n (the whole property
// map: writing it with SET n = $props replaces everything stored).
func encodeNode(n *graph.Node) (map[string]any, error) {
	m := make(map[string]any, 16+len(n.Props)+len(n.Labels))
	m["id"] = n.ID.String()
	m["kind"] = string(n.Kind)
	m["key"] = n.Key
	m["name"] = n.Name
	m["rank"] = int64(graph.KindRank(n.Kind))
	m["firstSeen"] = n.FirstSeen.UTC()
	m["lastSeen"] = n.LastSeen.UTC()
	if err := encodeAssertions(m, n.Assertions); err != nil {
		return nil, err
	}
	if err := encodeProvenance(m, n.Manual, n.Conflicts); err != nil {
		return nil, err
	}
	lower := func(s string) string { return strings.ToLower(s) }
	names := []string{lower(n.Key)}
	if len(n.Aliases) > 0 {
		b, err := json.Marshal(n.Aliases)
		if err != nil {
			return nil, err
		}
		m["aliases"] = string(b)
		for _, a := range n.Aliases {
			if l := lower(a.Value); !slices.Contains(names, l) {
				names = append(names, l)
			}
		}
	}
	terms := slices.Clone(names)
	if l := lower(n.Name); !slices.Contains(terms, l) {
		terms = append(terms, l)
	}
	m["names"] = names
	m["terms"] = terms
	search := append([]string(nil), terms...)
	if len(n.Labels) > 0 {
		lvals := make([]string, 0, len(n.Labels))
		for _, k := range sortedKeys(n.Labels) {
			lvals = append(lvals, lower(n.Labels[k]))
			m[labelPrefix+k] = n.Labels[k]
		}
		m["lvals"] = lvals
		search = append(search, lvals...)
	}
	m["search"] = "\n" + strings.Join(search, "\n") + "\n"
	for k, v := range n.Props {
		if v == nil {
			continue
		}
		if l, ok := v.([]string); ok && l == nil {
			v = []string{}
		}
		m[propPrefix+k] = v
	}
	return m, nil
}

// encodeEdge returns the Neo4j properties that store e.
func encodeEdge(e *graph.Edge) (map[string]any, error) {
	m := make(map[string]any, 8+len(e.Props))
	m["id"] = e.ID.String()
	m["firstSeen"] = e.FirstSeen.UTC()
	m["lastSeen"] = e.LastSeen.UTC()
	if err := encodeAssertions(m, e.Assertions); err != nil {
		return nil, err
	}
	if err := encodeProvenance(m, e.Manual, e.Conflicts); err != nil {
		return nil, err
	}
	for k, v := range e.Props {
		if v != nil {
			m[propPrefix+k] = v
		}
	}
	return m, nil
}

func encodeAssertions(m map[string]any, as []graph.Assertion) error {
	b, err := json.Marshal(as)
	if err != nil {
		return err
	}
	m["assertions"] = string(b)
	sources := make([]string, len(as))
	runs := make([]string, len(as))
	for i, a := range as {
		sources[i], runs[i] = a.Source, a.Run
	}
	m["sources"] = sources
	m["runs"] = runs
	return nil
}

// encodeProvenance stores the fields the manual source pinned and the
// conflicts with them (both absent when empty).
func encodeProvenance(m map[string]any, manual []string, conflicts []graph.Conflict) error {
	if len(manual) > 0 {
		m["manual"] = manual
	}
	if len(conflicts) > 0 {
		b, err := json.Marshal(conflicts)
		if err != nil {
			return err
		}
		m["conflicts"] = string(b)
	}
	return nil
}

// decodeProvenance reverses encodeProvenance.
func decodeProvenance(m map[string]any) ([]string, []graph.Conflict, error) {
	conflicts, err := cachedJSON[graph.Conflict](nil, m, "conflicts")
	if err != nil {
		return nil, nil, err
	}
	manual, err := stringList(m, "manual")
	return manual, conflicts, err
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// decodeCache remembers the JSON values decoded during one call: the rows
// of a result often carry the same provenance text (one batch asserted
// them all), and decoding it is most of the cost of reading a node. A nil
// cache decodes every time.
type decodeCache struct {
	assertions map[string][]graph.Assertion
	aliases    map[string][]graph.Alias
}

func newDecodeCache() *decodeCache {
	return &decodeCache{assertions: map[string][]graph.Assertion{}, aliases: map[string][]graph.Alias{}}
}

// cachedJSON decodes the JSON list in property name, through cache; the
// result is the caller's own copy.
func cachedJSON[T any](cache map[string][]T, m map[string]any, name string) ([]T, error) {
	v, ok := m[name]
	if !ok || v == nil {
		return nil, nil
	}
	text, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("neo4j: stored %s is a %T, not JSON text", name, v)
	}
	if l, ok := cache[text]; ok {
		return slices.Clone(l), nil
	}
	var l []T
	if err := json.Unmarshal([]byte(text), &l); err != nil {
		return nil, fmt.Errorf("neo4j: stored %s: %w", name, err)
	}
	if cache != nil {
		cache[text] = l
		return slices.Clone(l), nil
	}
	return l, nil
}

// node reverses encodeNode. Properties starting with "__" are the
// store's transient lock markers and are ignored.
func (c *decodeCache) node(m map[string]any) (*graph.Node, error) {
	n := &graph.Node{}
	id, err := uuidProp(m, "id")
	if err != nil {
		return nil, err
	}
	n.ID = id
	n.Kind = graph.Kind(str(m["kind"]))
	n.Key = str(m["key"])
	n.Name = str(m["name"])
	if n.FirstSeen, err = timeProp(m, "firstSeen"); err != nil {
		return nil, err
	}
	if n.LastSeen, err = timeProp(m, "lastSeen"); err != nil {
		return nil, err
	}
	var as map[string][]graph.Assertion
	var al map[string][]graph.Alias
	if c != nil {
		as, al = c.assertions, c.aliases
	}
	if n.Assertions, err = cachedJSON(as, m, "assertions"); err != nil {
		return nil, err
	}
	if n.Aliases, err = cachedJSON(al, m, "aliases"); err != nil {
		return nil, err
	}
	if n.Manual, n.Conflicts, err = decodeProvenance(m); err != nil {
		return nil, err
	}
	var props map[string]any
	for k, v := range m {
		switch {
		case strings.HasPrefix(k, propPrefix):
			if props == nil {
				props = map[string]any{}
			}
			props[k[len(propPrefix):]] = v
		case strings.HasPrefix(k, labelPrefix):
			if n.Labels == nil {
				n.Labels = map[string]string{}
			}
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("neo4j: node %s label %q is a %T, not a string", n.ID, k, v)
			}
			n.Labels[k[len(labelPrefix):]] = s
		}
	}
	if n.Props, err = graph.CoerceNodeProps(n.Kind, props); err != nil {
		return nil, fmt.Errorf("neo4j: node %s %q: %w", n.Kind, n.Key, err)
	}
	return n, nil
}

// edge reverses encodeEdge; the type and the ends come from the
// relationship itself.
func (c *decodeCache) edge(t graph.RelType, from, to graph.Ref, m map[string]any) (*graph.Edge, error) {
	e := &graph.Edge{Type: t, From: from, To: to}
	id, err := uuidProp(m, "id")
	if err != nil {
		return nil, err
	}
	e.ID = id
	if e.FirstSeen, err = timeProp(m, "firstSeen"); err != nil {
		return nil, err
	}
	if e.LastSeen, err = timeProp(m, "lastSeen"); err != nil {
		return nil, err
	}
	var as map[string][]graph.Assertion
	if c != nil {
		as = c.assertions
	}
	if e.Assertions, err = cachedJSON(as, m, "assertions"); err != nil {
		return nil, err
	}
	if e.Manual, e.Conflicts, err = decodeProvenance(m); err != nil {
		return nil, err
	}
	if e.Props, err = graph.CoerceEdgeProps(t, storedProps(m)); err != nil {
		return nil, fmt.Errorf("neo4j: relationship %s: %w", e.ID, err)
	}
	return e, nil
}

// storedProps returns the properties among a node's or relationship's
// stored fields m (nil for none), leaving out the absent ones a projection
// returns as null.
func storedProps(m map[string]any) map[string]any {
	var props map[string]any
	for k, v := range m {
		if v != nil && strings.HasPrefix(k, propPrefix) {
			if props == nil {
				props = map[string]any{}
			}
			props[k[len(propPrefix):]] = v
		}
	}
	return props
}

// lightNode decodes a node read light (hitFields): its id, kind, key,
// name and the named properties it has.
func lightNode(m map[string]any) (*graph.Node, error) {
	id, err := uuidProp(m, "id")
	if err != nil {
		return nil, err
	}
	n := &graph.Node{ID: id, Kind: graph.Kind(str(m["kind"])), Key: str(m["key"]), Name: str(m["name"])}
	if n.Props, err = graph.CoerceNodeProps(n.Kind, storedProps(m)); err != nil {
		return nil, fmt.Errorf("neo4j: node %s %q: %w", n.Kind, n.Key, err)
	}
	return n, nil
}

// lightEdge decodes a relationship read light (hitFields): its id, the
// named properties it has and an OWNS role, as l.Edge keeps them.
func lightEdge(t graph.RelType, from, to graph.Ref, m map[string]any, l *graph.Light) (*graph.Edge, error) {
	id, err := uuidProp(m, "id")
	if err != nil {
		return nil, err
	}
	props, err := graph.CoerceEdgeProps(t, storedProps(m))
	if err != nil {
		return nil, fmt.Errorf("neo4j: relationship %s: %w", id, err)
	}
	return l.Edge(&graph.Edge{ID: id, Type: t, From: from, To: to, Props: props}), nil
}

// stringList reads a list-of-strings property (nil when absent).
func stringList(m map[string]any, name string) ([]string, error) {
	switch v := m[name].(type) {
	case nil:
		return nil, nil
	case []string:
		return v, nil
	case []any:
		out := make([]string, len(v))
		for i, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("neo4j: stored %s holds a %T, not a string", name, x)
			}
			out[i] = s
		}
		return out, nil
	default:
		return nil, fmt.Errorf("neo4j: stored %s is a %T, not a list of strings", name, v)
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func uuidProp(m map[string]any, name string) (uuid.UUID, error) {
	return parseUUID(name, m[name])
}

// parseUUID reads a stored id, such as a record's id column.
func parseUUID(name string, v any) (uuid.UUID, error) {
	id, err := uuid.Parse(str(v))
	if err != nil {
		return uuid.UUID{}, fmt.Errorf("neo4j: stored %s %q is not a UUID", name, v)
	}
	return id, nil
}

func timeProp(m map[string]any, name string) (time.Time, error) {
	switch v := m[name].(type) {
	case time.Time:
		return v.UTC(), nil
	case nil:
		return time.Time{}, nil
	default:
		return time.Time{}, fmt.Errorf("neo4j: stored %s is a %T, not a date-time", name, v)
	}
}

// refOf reads a node reference returned as [kind, key].
func refOf(v any) graph.Ref {
	l, _ := v.([]any)
	if len(l) != 2 {
		return graph.Ref{}
	}
	return graph.Ref{Kind: graph.Kind(str(l[0])), Key: str(l[1])}
}

func idStrings(ids []graph.ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// distinctIDs returns ids without repeats, in first-seen order.
func distinctIDs(ids []graph.ID) []graph.ID {
	seen := make(map[graph.ID]bool, len(ids))
	out := make([]graph.ID, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

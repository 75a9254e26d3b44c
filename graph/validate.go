package graph

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ValidateBatch checks a batch and returns a canonical copy: keys trimmed,
// properties coerced to their declared types, confidence defaulted to
// DECLARED, At defaulted to now (UTC, millisecond precision so every backend
// stores the same instant). Duplicate items in one batch merge in order.
// The items of b.Checked were validated when added: they are taken as they
// are, ahead of b.Nodes and b.Edges, and b.Checked is spent. Errors are
// CodeInvalid and name the offending item.
func ValidateBatch(b Batch, now time.Time) (Batch, error) {
	if err := validSource(b.Source); err != nil {
		return Batch{}, err
	}
	if strings.TrimSpace(b.Run) == "" {
		return Batch{}, Errorf(CodeInvalid, "batch from %q has no run id", b.Source)
	}
	var nodes []NodeInput
	var edges []EdgeInput
	if b.Checked != nil {
		var err error
		if nodes, edges, err = b.Checked.take(); err != nil {
			return Batch{}, err
		}
	}
	if n := len(nodes) + len(edges) + len(b.Nodes) + len(b.Edges); n > MaxBatchItems {
		return Batch{}, Errorf(CodeLimitExceeded, "batch of %d items is over the limit of %d", n, MaxBatchItems)
	}
	out := Batch{Source: b.Source, Run: b.Run, At: b.At}
	if out.At.IsZero() {
		out.At = now
	}
	out.At = out.At.UTC().Truncate(time.Millisecond)
	var err error
	if out.Nodes, err = validateAll(nodes, b.Nodes, validateNode, "node"); err != nil {
		return Batch{}, err
	}
	if out.Edges, err = validateAll(edges, b.Edges, validateEdge, "relationship"); err != nil {
		return Batch{}, err
	}
	return out, nil
}

// validateAll appends the validated items to checked, which holds items
// validated before; with no items, checked itself is the answer.
func validateAll[T any](checked, items []T, validate func(T) (T, error), what string) ([]T, error) {
	if len(items) == 0 && checked != nil {
		return checked, nil
	}
	out := make([]T, 0, len(checked)+len(items))
	out = append(out, checked...)
	for i, it := range items {
		v, err := validate(it)
		if err != nil {
			return nil, fmt.Errorf("%s %d: %w", what, i, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func validSource(s string) error {
	if strings.TrimSpace(s) == "" {
		return Errorf(CodeInvalid, "source is empty")
	}
	if len(s) > 256 || hasControl(s) {
		return Errorf(CodeInvalid, "source %q is malformed", s)
	}
	if s == AliasMerged {
		return Errorf(CodeInvalid, "source %q is reserved: it names the keys merges leave behind", s)
	}
	return nil
}

// ValidateRef checks and canonicalises a kind and key.
func ValidateRef(r Ref) (Ref, error) {
	if !r.Kind.Valid() {
		return Ref{}, Errorf(CodeInvalid, "unknown kind %q (known: %s)", r.Kind, kindList())
	}
	key := NormalizeKey(r.Key)
	switch {
	case key == "":
		return Ref{}, Errorf(CodeInvalid, "%s key is empty", r.Kind)
	case len(key) > MaxKeyLen:
		return Ref{}, Errorf(CodeInvalid, "%s key is %d bytes, over the limit of %d", r.Kind, len(key), MaxKeyLen)
	}
	switch valid, control := checkText(key); {
	case !valid:
		return Ref{}, Errorf(CodeInvalid, "%s key is not valid UTF-8", r.Kind)
	case control:
		return Ref{}, Errorf(CodeInvalid, "%s key %q contains control characters", r.Kind, key)
	}
	return Ref{Kind: r.Kind, Key: key}, nil
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// ValidateNodeInput checks one node the way ValidateBatch does, for a
// caller that holds items apart from a batch (a writer that batches them
// uses CheckedBatch).
func ValidateNodeInput(n NodeInput) (NodeInput, error) { return validateNode(n) }

func validateNode(n NodeInput) (NodeInput, error) {
	ref, err := ValidateRef(n.Ref())
	if err != nil {
		return NodeInput{}, err
	}
	props, err := CoerceNodeProps(ref.Kind, n.Props)
	if err != nil {
		return NodeInput{}, fmt.Errorf("%s %q: %w", ref.Kind, ref.Key, err)
	}
	conf, err := defaultConfidence(n.Confidence)
	if err != nil {
		return NodeInput{}, err
	}
	name := strings.TrimSpace(n.Name)
	if valid, control := checkText(name); control || !valid {
		return NodeInput{}, Errorf(CodeInvalid, "%s %q: name contains control characters or invalid UTF-8", ref.Kind, ref.Key)
	}
	labels := make(map[string]string, len(n.Labels))
	for k, v := range n.Labels {
		k = strings.TrimSpace(k)
		if k == "" {
			return NodeInput{}, Errorf(CodeInvalid, "%s %q: empty label name", ref.Kind, ref.Key)
		}
		labels[k] = v
	}
	var aliases []string
	for _, a := range n.Aliases {
		if a = strings.TrimSpace(a); a != "" {
			aliases = append(aliases, a)
		}
	}
	if err := ValidateScope(n.Scope); err != nil {
		return NodeInput{}, fmt.Errorf("%s %q: %w", ref.Kind, ref.Key, err)
	}
	return NodeInput{
		Kind: ref.Kind, Key: ref.Key, Name: name, Props: props, Labels: labels,
		Aliases: aliases, Confidence: conf, Evidence: n.Evidence, Scope: n.Scope,
	}, nil
}

func defaultConfidence(c Confidence) (Confidence, error) {
	if c == "" {
		return Declared, nil
	}
	if !c.Valid() {
		return "", Errorf(CodeInvalid, "unknown confidence %q (known: DECLARED, INFERRED, HEURISTIC)", c)
	}
	return c, nil
}

// ValidateEdge checks one relationship the way ValidateBatch does.
func ValidateEdge(e EdgeInput) (EdgeInput, error) { return validateEdge(e) }

func validateEdge(e EdgeInput) (EdgeInput, error) {
	if !e.Type.Valid() {
		return EdgeInput{}, Errorf(CodeInvalid, "unknown relationship type %q", e.Type)
	}
	from, err := ValidateRef(e.From)
	if err != nil {
		return EdgeInput{}, fmt.Errorf("%s from: %w", e.Type, err)
	}
	to, err := ValidateRef(e.To)
	if err != nil {
		return EdgeInput{}, fmt.Errorf("%s to: %w", e.Type, err)
	}
	if !e.Type.Allowed(from.Kind, to.Kind) {
		return EdgeInput{}, Errorf(CodeInvalid, "a %s relationship cannot go from %s to %s", e.Type, from.Kind, to.Kind)
	}
	if from == to {
		return EdgeInput{}, Errorf(CodeInvalid, "%s %s points at itself", e.Type, from)
	}
	props, err := CoerceEdgeProps(e.Type, e.Props)
	if err != nil {
		return EdgeInput{}, err
	}
	if e.Type == RelOwns {
		if props == nil {
			props = map[string]any{}
		}
		role, _ := props["role"].(string)
		switch {
		case role == "":
			props["role"] = OwnerTechnical
		case !slices.Contains(OwnerRoles, role):
			return EdgeInput{}, Errorf(CodeInvalid, "unknown owner role %q (known: %s)", role, strings.Join(OwnerRoles, ", "))
		}
	}
	conf, err := defaultConfidence(e.Confidence)
	if err != nil {
		return EdgeInput{}, err
	}
	if err := ValidateScope(e.Scope); err != nil {
		return EdgeInput{}, fmt.Errorf("%s %s→%s: %w", e.Type, from, to, err)
	}
	return EdgeInput{Type: e.Type, From: from, To: to, Props: props, Confidence: conf, Evidence: e.Evidence, Scope: e.Scope}, nil
}

// ValidateNode checks a stored node (from an import) for consistency and
// canonicalises its properties in place: pass a copy if n must not change.
func ValidateNode(n *Node) error {
	ref, err := ValidateRef(n.Ref())
	if err != nil {
		return err
	}
	if ref.Key != n.Key {
		return Errorf(CodeInvalid, "%s key %q has surrounding spaces", n.Kind, n.Key)
	}
	if n.ID != NodeID(n.Kind, n.Key) {
		return Errorf(CodeInvalid, "%s %q has id %s, want %s", n.Kind, n.Key, n.ID, NodeID(n.Kind, n.Key))
	}
	if len(n.Assertions) == 0 {
		return Errorf(CodeInvalid, "%s %q has no assertion (no source says it exists)", n.Kind, n.Key)
	}
	props, err := CoerceNodeProps(n.Kind, n.Props)
	if err != nil {
		return err
	}
	n.Props = props
	if err := validProvenance(fmt.Sprintf("%s %q", n.Kind, n.Key), n.Manual, n.Conflicts); err != nil {
		return err
	}
	return validAssertions(n.Assertions)
}

// ValidateStoredEdge checks a stored relationship (from an import) and
// canonicalises its properties in place.
func ValidateStoredEdge(e *Edge) error {
	in, err := validateEdge(EdgeInput{Type: e.Type, From: e.From, To: e.To, Props: e.Props})
	if err != nil {
		return err
	}
	if e.ID != in.ID() {
		return Errorf(CodeInvalid, "%s %s→%s has id %s, want %s", e.Type, e.From, e.To, e.ID, in.ID())
	}
	if len(e.Assertions) == 0 {
		return Errorf(CodeInvalid, "%s %s→%s has no assertion", e.Type, e.From, e.To)
	}
	e.Props = in.Props
	if err := validProvenance(fmt.Sprintf("%s %s→%s", e.Type, e.From, e.To), e.Manual, e.Conflicts); err != nil {
		return err
	}
	return validAssertions(e.Assertions)
}

func validAssertions(as []Assertion) error {
	for _, a := range as {
		if err := validSource(a.Source); err != nil {
			return err
		}
		if !a.Confidence.Valid() {
			return Errorf(CodeInvalid, "assertion by %q has unknown confidence %q", a.Source, a.Confidence)
		}
		if err := ValidateScope(a.Scope); err != nil {
			return fmt.Errorf("assertion by %q: %w", a.Source, err)
		}
	}
	return nil
}

// pageSize checks a query's First and applies the default page size.
// Errors: CodeInvalid when negative, CodeLimitExceeded over MaxPageSize.
func pageSize(first int) (int, error) {
	switch {
	case first < 0:
		return first, Errorf(CodeInvalid, "first must not be negative")
	case first == 0:
		return DefaultPageSize, nil
	case first > MaxPageSize:
		return first, Errorf(CodeLimitExceeded, "first is %d, over the page size limit of %d", first, MaxPageSize)
	}
	return first, nil
}

// Normalize checks a listing query and applies defaults.
func (q ListQuery) Normalize() (ListQuery, error) {
	if err := validKinds(q.Kinds); err != nil {
		return q, err
	}
	first, err := pageSize(q.First)
	if err != nil {
		return q, err
	}
	q.First = first
	if q.After != "" {
		if _, err := DecodeCursor(q.After); err != nil {
			return q, err
		}
	}
	return q, nil
}

// PageKinds returns the kinds a listing pages through, in the order of its
// pages (KindRank) and each once: all kinds when the query names none.
func (q ListQuery) PageKinds() []Kind {
	if len(q.Kinds) == 0 {
		return slices.Clone(Kinds)
	}
	kinds := slices.Clone(q.Kinds)
	slices.SortFunc(kinds, func(a, b Kind) int { return KindRank(a) - KindRank(b) })
	return slices.Compact(kinds)
}

// Normalize checks a search query and applies defaults.
func (q SearchQuery) Normalize() (SearchQuery, error) {
	q.Text = strings.TrimSpace(q.Text)
	if q.Text == "" {
		return q, Errorf(CodeInvalid, "search text is empty")
	}
	if len(q.Text) > MaxSearchText {
		return q, Errorf(CodeInvalid, "search text is over %d bytes", MaxSearchText)
	}
	if err := validKinds(q.Kinds); err != nil {
		return q, err
	}
	if q.Limit <= 0 {
		q.Limit = 20
	}
	if q.Limit > MaxSearch {
		return q, Errorf(CodeLimitExceeded, "search limit %d is over %d", q.Limit, MaxSearch)
	}
	return q, nil
}

// Normalize checks a neighbour query and applies defaults.
func (q NeighborQuery) Normalize() (NeighborQuery, error) {
	if q.Direction == "" {
		q.Direction = Both
	}
	if !q.Direction.Valid() {
		return q, Errorf(CodeInvalid, "unknown direction %q", q.Direction)
	}
	for _, t := range q.Types {
		if !t.Valid() {
			return q, Errorf(CodeInvalid, "unknown relationship type %q", t)
		}
	}
	for _, k := range q.Kinds {
		if !k.Valid() {
			return q, Errorf(CodeInvalid, "unknown kind %q (known: %s)", k, kindList())
		}
	}
	if q.Limit <= 0 || q.Limit > MaxPageSize {
		q.Limit = MaxPageSize
	}
	return q, nil
}

// Normalize checks a traversal and applies defaults.
func (q TraverseQuery) Normalize() (TraverseQuery, error) {
	if len(q.Starts) == 0 {
		return q, Errorf(CodeInvalid, "traversal has no start node")
	}
	if q.MaxDepth < 1 || q.MaxDepth > MaxDepth {
		return q, Errorf(CodeInvalid, "traversal depth %d is outside 1..%d", q.MaxDepth, MaxDepth)
	}
	if len(q.Steps) == 0 {
		return q, Errorf(CodeInvalid, "traversal follows no relationship type")
	}
	for _, s := range q.Steps {
		if !s.Type.Valid() || !s.Direction.Valid() {
			return q, Errorf(CodeInvalid, "bad traversal step %s/%s", s.Type, s.Direction)
		}
	}
	if q.Limit <= 0 || q.Limit > MaxTraverse {
		q.Limit = MaxTraverse
	}
	return q, nil
}

// Normalize checks a sweep request.
func (r SweepRequest) Normalize() (SweepRequest, error) {
	if err := validSource(r.Source); err != nil {
		return r, err
	}
	if r.Source == SourceManual {
		return r, Errorf(CodeInvalid, "the manual source is never swept")
	}
	if strings.TrimSpace(r.Run) == "" {
		return r, Errorf(CodeInvalid, "sweep of %q names no run to keep", r.Source)
	}
	for _, k := range r.Keep {
		if k == "" {
			return r, Errorf(CodeInvalid, "sweep of %q keeps the whole source: nothing to sweep", r.Source)
		}
		if err := ValidateScope(k); err != nil {
			return r, err
		}
	}
	return r, validKinds(r.Kinds)
}

func validKinds(ks []Kind) error {
	for _, k := range ks {
		if !k.Valid() {
			return Errorf(CodeInvalid, "unknown kind %q (known: %s)", k, kindList())
		}
	}
	return nil
}

// EncodeCursor makes the opaque cursor of a node in a listing ordered by
// kind then key. Both backends use it so cursors are portable.
func EncodeCursor(r Ref) string {
	return base64.RawURLEncoding.EncodeToString([]byte(string(r.Kind) + "\x00" + r.Key))
}

// DecodeCursor reverses EncodeCursor. Errors: CodeInvalid.
func DecodeCursor(c string) (Ref, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return Ref{}, Errorf(CodeInvalid, "malformed cursor %q", c)
	}
	kind, key, ok := strings.Cut(string(b), "\x00")
	if !ok || !Kind(kind).Valid() {
		return Ref{}, Errorf(CodeInvalid, "malformed cursor %q", c)
	}
	return Ref{Kind: Kind(kind), Key: key}, nil
}

// KindRank is a kind's position in Kinds, for ordering by kind.
func KindRank(k Kind) int {
	for i, x := range Kinds {
		if x == k {
			return i
		}
	}
	return len(Kinds)
}

// RelRank is a relationship type's position in RelTypes.
func RelRank(t RelType) int {
	for i, x := range RelTypes {
		if x == t {
			return i
		}
	}
	return len(RelTypes)
}

// CompareRefs orders refs by kind (in Kinds order) then key.
func CompareRefs(a, b Ref) int {
	if ra, rb := KindRank(a.Kind), KindRank(b.Kind); ra != rb {
		return ra - rb
	}
	return strings.Compare(a.Key, b.Key)
}

// CompareEdges orders relationships by type, from, to and role: the order
// of ScanEdges.
func CompareEdges(a, b *Edge) int {
	if ra, rb := RelRank(a.Type), RelRank(b.Type); ra != rb {
		return ra - rb
	}
	if c := CompareRefs(a.From, b.From); c != 0 {
		return c
	}
	if c := CompareRefs(a.To, b.To); c != 0 {
		return c
	}
	return strings.Compare(a.Role(), b.Role())
}

// SortAssertions orders assertions by source, the stored order.
func SortAssertions(as []Assertion) {
	slices.SortFunc(as, func(a, b Assertion) int { return strings.Compare(a.Source, b.Source) })
}

// checkText reports whether s is valid UTF-8 and whether it holds a
// control character (unicode.IsControl), in one pass over s while it is
// ASCII, as keys and names mostly are: every item of every sync has its
// keys checked. The rest of s from the first other byte is decoded.
func checkText(s string) (valid, control bool) {
	for i := range len(s) {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			return utf8.ValidString(s[i:]), strings.ContainsFunc(s[i:], unicode.IsControl)
		case c < 0x20 || c == 0x7f:
			return utf8.ValidString(s[i+1:]), true
		}
	}
	return true, false
}

// hasControl reports whether s holds a control character.
func hasControl(s string) bool {
	_, control := checkText(s)
	return control
}

package embedded

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// A relationship's payload (its properties, assertions and seen times) is
// kept in the log and in memory as a few bytes, so the garbage collector
// sees no object per relationship instead of a dozen small ones; memory
// holds the payloads in one arena, with sources, runs and confidences as
// symbols (symbols.intern). A node's properties use the same property
// encoding. The layout, all lengths and counts as uvarints:
//
//	assertions: count, then per assertion source, run, confidence, scope,
//	            evidence (strings) and first seen, last seen (times); the
//	            payloads of format 3 and 4 log entries have no scope
//	            (replayEntry upgrades them)
//	props:      count, then per property name (string) and value (tagged)
//	times:      first seen, last seen
//	extra:      only when the relationship has manual fields or conflicts
//	            (rare): their JSON, length-prefixed (edgeExtra)
//
// A string is its length and bytes; a time is mostly its distance from
// the previous one (putTime), read back in UTC; a value is a tag byte and
// its data.

// Value tags: the property types graph.CoerceNodeProps and
// graph.CoerceEdgeProps produce.
const (
	tagString byte = 's'
	tagInt    byte = 'i'
	tagBool   byte = 'b'
	tagList   byte = 'l'
)

var errShort = errors.New("truncated record")

func putString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// putTime appends t. Stored times are whole milliseconds and a payload's
// times are close together, so a time is usually written as twice its
// distance in milliseconds from the payload's previous one (*prev), often
// one byte; any other time is written in full after the marker 1.
func putTime(b []byte, t time.Time, prev *int64) []byte {
	const limit = 1 << 60
	if ms := t.UnixMilli(); t.Nanosecond()%1e6 == 0 && ms > -limit && ms < limit && *prev > -limit && *prev < limit {
		d := ms - *prev
		*prev = ms
		return binary.AppendVarint(b, d<<1)
	}
	b = binary.AppendVarint(b, 1)
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

func putValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return putString(append(b, tagString), v), nil
	case int64:
		return binary.AppendVarint(append(b, tagInt), v), nil
	case bool:
		if v {
			return append(b, tagBool, 1), nil
		}
		return append(b, tagBool, 0), nil
	case []string:
		b = binary.AppendUvarint(append(b, tagList), uint64(len(v)))
		for _, s := range v {
			b = putString(b, s)
		}
		return b, nil
	}
	return nil, fmt.Errorf("property value of type %T cannot be stored", v)
}

// appendProps appends a property map: its size, then each name and value.
func appendProps(b []byte, props map[string]any) ([]byte, error) {
	b = binary.AppendUvarint(b, uint64(len(props)))
	var buf [16]string
	for _, k := range graph.SortedKeys(props, buf[:]) {
		b = putString(b, k)
		var err error
		if b, err = putValue(b, props[k]); err != nil {
			return nil, fmt.Errorf("property %q: %w", k, err)
		}
	}
	return b, nil
}

// encodeProps encodes a node's properties as the log keeps them (nil for
// none).
func encodeProps(props map[string]any) ([]byte, error) {
	if len(props) == 0 {
		return nil, nil
	}
	return appendProps(nil, props)
}

func decodeProps(b []byte) (map[string]any, error) {
	if len(b) == 0 {
		return nil, nil
	}
	r := decoding(b, nil)
	m := r.props()
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	return m, r.err
}

// nodeData is a node's labels and properties as the state keeps them: the
// labels' count, then each name and value (strings), sorted by name, then
// the properties as encodeProps wrote them, if any. A Go map of a few
// labels costs several hundred bytes, more than the rest of a cloud
// resource; encoded they take tens. Labels come first, so that filters and
// searches read them without decoding the properties. nil for neither; the
// bytes are allocated to size, as the state keeps them for the node's life.
func nodeData(props []byte, labels map[string]string) []byte {
	if len(props) == 0 && len(labels) == 0 {
		return nil
	}
	size := binary.MaxVarintLen32 + len(props)
	for k, v := range labels {
		size += len(k) + len(v) + 2*binary.MaxVarintLen32
	}
	b := binary.AppendUvarint(make([]byte, 0, size), uint64(len(labels)))
	var buf [16]string
	for _, k := range graph.SortedKeys(labels, buf[:]) {
		b = putString(b, k)
		b = putString(b, labels[k])
	}
	return slices.Clip(append(b, props...))
}

// decodeNodeData decodes what nodeData wrote. The strings it returns share
// one copy of b.
func decodeNodeData(b []byte) (map[string]any, map[string]string, error) {
	if len(b) == 0 {
		return nil, nil, nil
	}
	r := decoding(b, nil)
	var labels map[string]string
	if n := r.count(); n > 0 {
		labels = make(map[string]string, n)
		for range n {
			k := r.string()
			labels[k] = r.string()
		}
	}
	var props map[string]any
	if r.err == nil && len(r.b) > 0 {
		props = r.props()
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	return props, labels, r.err
}

// eachLabel calls fn with every label of nodeData's bytes, as long as fn
// returns true. The bytes are b's, so fn may compare them but not keep
// them.
func eachLabel(b []byte, fn func(k, v []byte) bool) {
	if len(b) == 0 {
		return
	}
	r := reader{b: b}
	for range r.count() {
		k := r.bytes(r.count())
		v := r.bytes(r.count())
		if r.err != nil || !fn(k, v) {
			return
		}
	}
}

// nodeProps returns the properties part of nodeData's bytes, as the log
// keeps them.
func nodeProps(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	r := reader{b: b}
	for range r.count() {
		r.bytes(r.count())
		r.bytes(r.count())
	}
	if len(r.b) == 0 {
		return nil
	}
	return r.b
}

// encodeEdgeData appends e's payload to b.
func encodeEdgeData(b []byte, e *graph.Edge) ([]byte, error) {
	var prev int64
	b = binary.AppendUvarint(b, uint64(len(e.Assertions)))
	for _, a := range e.Assertions {
		b = putString(b, a.Source)
		b = putString(b, a.Run)
		b = putString(b, string(a.Confidence))
		b = putString(b, a.Scope)
		b = putString(b, a.Evidence)
		b = putTime(b, a.FirstSeen, &prev)
		b = putTime(b, a.LastSeen, &prev)
	}
	b, err := appendProps(b, e.Props)
	if err != nil {
		return nil, fmt.Errorf("relationship %s %s→%s: %w", e.Type, e.From, e.To, err)
	}
	b = putTime(b, e.FirstSeen, &prev)
	b = putTime(b, e.LastSeen, &prev)
	if len(e.Manual) == 0 && len(e.Conflicts) == 0 {
		return b, nil
	}
	extra, err := json.Marshal(edgeExtra{Manual: e.Manual, Conflicts: e.Conflicts})
	if err != nil {
		return nil, fmt.Errorf("relationship %s %s→%s: %w", e.Type, e.From, e.To, err)
	}
	return putString(b, string(extra)), nil
}

// edgeExtra is the part of a relationship's payload only manual edits
// produce (graph/provenance.go), kept as JSON: it is rare, and JSON keeps
// it readable when those fields grow.
type edgeExtra struct {
	Manual    []string         `json:"manual,omitempty"`
	Conflicts []graph.Conflict `json:"conflicts,omitempty"`
}

// reader decodes what the put functions wrote; the first error sticks.
// With syms set it reads a payload in the state's form, whose repeated
// strings are indexes into syms.
type reader struct {
	b    []byte
	syms []string
	prev int64 // the last time read, in milliseconds (putTime)
	err  error
	// unscoped is set for a payload of a format 3 or 4 log entry, whose
	// assertions have no scope.
	unscoped bool
	// text, when set, holds the bytes b started as: strings are then cut
	// out of it, one allocation for a whole payload instead of one per
	// string (most of a read's garbage, and the garbage sets the tail).
	text string
}

// decoding returns a reader of b whose strings share one copy of it.
func decoding(b []byte, syms []string) reader {
	return reader{b: b, syms: syms, text: string(b)}
}

// sym reads a string a payload may hold as a symbol.
func (r *reader) sym() string {
	if r.syms == nil {
		return r.string()
	}
	i := r.uvarint()
	if i >= uint64(len(r.syms)) {
		if r.err == nil {
			r.err = errors.New("unknown symbol")
		}
		return ""
	}
	return r.syms[i]
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a length and checks it against what is left, so corrupt
// input cannot make a decoder allocate without bound.
func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err = errShort
		return 0
	}
	return int(n)
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.err = errShort
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) string() string {
	b := r.bytes(r.count())
	if r.text == "" {
		return string(b)
	}
	at := len(r.text) - len(r.b) - len(b) // b ends where what is left starts
	return r.text[at : at+len(b)]
}

func (r *reader) byte() byte {
	if v := r.bytes(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *reader) id() graph.ID {
	var id graph.ID
	copy(id[:], r.bytes(len(id)))
	return id
}

// ids reads what putIDs wrote.
func (r *reader) ids() []graph.ID {
	ids := make([]graph.ID, 0, r.count())
	for range cap(ids) {
		ids = append(ids, r.id())
	}
	return ids
}

func (r *reader) time() time.Time {
	v := r.varint()
	if v&1 == 0 {
		r.prev += v >> 1
		return time.UnixMilli(r.prev).UTC()
	}
	sec := r.varint()
	nsec := r.uvarint()
	if v != 1 || nsec >= 1e9 {
		if r.err == nil {
			r.err = errors.New("bad time")
		}
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (r *reader) value() any {
	switch r.byte() {
	case tagString:
		return r.string()
	case tagInt:
		return r.varint()
	case tagBool:
		return r.byte() == 1
	case tagList:
		l := make([]string, 0, r.count())
		for range cap(l) {
			l = append(l, r.string())
		}
		return l
	}
	if r.err == nil {
		r.err = errors.New("unknown property value tag")
	}
	return nil
}

func (r *reader) assertions() []graph.Assertion {
	n := r.count()
	if n == 0 {
		return nil
	}
	as := make([]graph.Assertion, n)
	for i := range as {
		as[i] = graph.Assertion{Source: r.sym(), Run: r.sym(), Confidence: graph.Confidence(r.sym())}
		if !r.unscoped {
			as[i].Scope = r.sym()
		}
		as[i].Evidence, as[i].FirstSeen, as[i].LastSeen = r.string(), r.time(), r.time()
	}
	return as
}

func (r *reader) props() map[string]any {
	n := r.count()
	if n == 0 {
		return nil
	}
	m := make(map[string]any, n)
	for range n {
		k := r.string()
		m[k] = r.value()
	}
	return m
}

// edgeData decodes the rest of a relationship's payload into e.
func (r *reader) edgeData(e *graph.Edge) error {
	e.Assertions = r.assertions()
	e.Props = r.props()
	e.FirstSeen, e.LastSeen = r.time(), r.time()
	if r.err == nil && len(r.b) != 0 {
		var x edgeExtra
		if err := json.Unmarshal(r.bytes(r.count()), &x); err != nil && r.err == nil {
			r.err = fmt.Errorf("relationship manual fields: %w", err)
		}
		e.Manual, e.Conflicts = x.Manual, x.Conflicts
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	return r.err
}

// eachSource calls fn, when given, with the source of every assertion
// left in r, and skips past them.
func (r *reader) eachSource(fn func(src string)) {
	for range r.count() {
		src := r.sym()
		r.sym()            // run
		r.sym()            // confidence
		r.sym()            // scope
		r.bytes(r.count()) // evidence
		r.time()
		r.time()
		if fn != nil && r.err == nil {
			fn(src)
		}
	}
}

func (r *reader) skipAssertions() { r.eachSource(nil) }

// skipProps skips past a property map without decoding it.
func (r *reader) skipProps() {
	for range r.count() {
		r.bytes(r.count())
		r.skipValue()
	}
}

// skipValue skips past one property value without decoding it.
func (r *reader) skipValue() {
	switch r.byte() {
	case tagString:
		r.bytes(r.count())
	case tagInt:
		r.varint()
	case tagBool:
		r.byte()
	case tagList:
		for range r.count() {
			r.bytes(r.count())
		}
	default:
		if r.err == nil {
			r.err = errors.New("unknown property value tag")
		}
	}
}

// pickProps decodes only the named properties of nodeData's bytes (nil
// when the node has none of them), skipping the rest unread: a light read
// (graph.Light) asks for one or two of a node's dozen.
func pickProps(b []byte, names []string) (map[string]any, error) {
	if len(b) == 0 || len(names) == 0 {
		return nil, nil
	}
	r := reader{b: b}
	for range r.count() { // labels
		r.bytes(r.count())
		r.bytes(r.count())
	}
	if len(r.b) == 0 {
		return nil, r.err
	}
	return r.pick(names), r.err
}

// pick decodes the named properties of the property map at r (nil when it
// has none of them) and skips the rest unread.
func (r *reader) pick(names []string) map[string]any {
	var m map[string]any
	for range r.count() {
		k := r.bytes(r.count())
		j := slices.Index(names, string(k))
		if j < 0 {
			r.skipValue()
			continue
		}
		if m == nil {
			m = make(map[string]any, len(names))
		}
		m[names[j]] = r.value() // the caller's copy of the name: no allocation
	}
	return m
}

// ownerRoles are the OWNS roles by their code in an edgeRec: graph.OwnerRoles
// from 1 (code 0: none stored, which reads as graph.OwnerTechnical, as
// Edge.Role has it). Codes live in memory only.
var ownerRoles = append([]string{""}, graph.OwnerRoles...)

// lightFacts reads what a light read of a relationship needs from its
// payload at r: its "role" property's code in ownerRoles (0 for none or one
// validation would refuse), and whether it has any other property.
func (r *reader) lightFacts() (role uint8, props bool) {
	r.skipAssertions()
	for range r.count() {
		if string(r.bytes(r.count())) != "role" {
			props = true
			r.skipValue()
			continue
		}
		if len(r.b) == 0 || r.b[0] != tagString {
			r.skipValue()
			continue
		}
		r.byte()
		v := r.bytes(r.count())
		for code, known := range ownerRoles {
			if code > 0 && string(v) == known {
				role = uint8(code)
			}
		}
	}
	return role, props
}

// assertionSymbols is how many strings of an assertion in a payload are
// symbols: source, run, confidence and scope.
const assertionSymbols = 4

// symbols interns the strings relationships repeat (sources, runs,
// confidences, scopes) for the state's form of their payloads, which holds them
// as indexes: a relationship's payload then takes tens of bytes, not a
// hundred. Nodes read from the log share its copies of those strings and of
// their kinds (state.intern). The table only grows; it holds one entry per
// source, run, kind, confidence and scope.
type symbols struct {
	strs []string
	at   map[string]uint64
}

// str returns the table's copy of s.
func (sy *symbols) str(s string) string {
	if i, ok := sy.at[s]; ok {
		return sy.strs[i]
	}
	return sy.strs[sy.id([]byte(s))]
}

func (sy *symbols) id(b []byte) uint64 {
	if i, ok := sy.at[string(b)]; ok {
		return i
	}
	s := string(b)
	i := uint64(len(sy.strs))
	sy.strs = append(sy.strs, s)
	if sy.at == nil {
		sy.at = map[string]uint64{}
	}
	sy.at[s] = i
	return i
}

// intern appends a payload in the log's form to out in the state's form.
func (sy *symbols) intern(out, data []byte) ([]byte, error) {
	r := reader{b: data}
	n := r.count()
	out = binary.AppendUvarint(out, uint64(n))
	for range n {
		for range assertionSymbols {
			s := r.bytes(r.count())
			if r.err != nil {
				return nil, r.err
			}
			out = binary.AppendUvarint(out, sy.id(s))
		}
		rest := r.b
		r.string()
		r.time()
		r.time()
		out = append(out, rest[:len(rest)-len(r.b)]...)
	}
	return append(out, r.b...), r.err // properties and times are kept as they are
}

// expand converts a payload from the state's form back to the log's.
func (sy *symbols) expand(data []byte) []byte {
	r := reader{b: data, syms: sy.strs}
	out := make([]byte, 0, len(data)+64)
	n := r.count()
	out = binary.AppendUvarint(out, uint64(n))
	for range n {
		for range assertionSymbols {
			out = putString(out, r.sym())
		}
		rest := r.b
		r.string()
		r.time()
		r.time()
		out = append(out, rest[:len(rest)-len(r.b)]...)
	}
	return append(out, r.b...)
}

package graph

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The audit trail: every write that changes a node or a relationship leaves
// one AuditEvent per changed item, committed in the same transaction as the
// change, saying who made it, through which source and run, and what the
// item was *before* it (a reverse delta). The current state plus the first
// event after a time T gives the state at T, so an as-of read costs one
// lookup per item, and the commonest event — an item created by an ingest
// run and only re-seen since — carries no snapshot at all.
//
// A refresh that moves nothing but last-seen times and run ids (the no-op
// sync) is not a change and leaves no event: the ingest run records say what
// each run saw. Last-seen times in an as-of answer are therefore those of the
// next recorded change, not of the moment asked about.

// AuditOp is what a change did to an item.
type AuditOp string

// Audit operations.
const (
	AuditCreated AuditOp = "created"
	AuditUpdated AuditOp = "updated"
	AuditDeleted AuditOp = "deleted"
)

// AuditEvent is one change to one node or relationship.
type AuditEvent struct {
	// At is when the store committed the change, by the store's clock; Seq
	// orders the events of one store that share At (at least the events of
	// one write, in the order the write made them).
	At  time.Time `json:"at"`
	Seq int64     `json:"seq"`
	// Actor is who made the change: the API principal's name, or the
	// ingest source's; empty when the caller named nobody (WithActor).
	Actor string `json:"actor,omitempty"`
	// Source and Run are those of the batch that made an upsert; a sweep
	// names its source and run, a deletion neither.
	Source string  `json:"source,omitempty"`
	Run    string  `json:"run,omitempty"`
	Op     AuditOp `json:"op"`
	// Subject is the id of the node or relationship changed. A node event
	// has Kind and Key; a relationship event has Type, From and To.
	Subject ID      `json:"subject"`
	Kind    Kind    `json:"kind,omitempty"`
	Key     string  `json:"key,omitempty"`
	Type    RelType `json:"type,omitempty"`
	From    Ref     `json:"from,omitzero"`
	To      Ref     `json:"to,omitzero"`
	// Node or Edge is the item as it was before the change; nil when it was
	// created.
	Node *Node `json:"node,omitempty"`
	Edge *Edge `json:"edge,omitempty"`
	// Changes says field by field what an update changed, so a history
	// reads without replaying states.
	Changes []FieldChange `json:"changes,omitempty"`
}

// FieldChange is one field an update changed. Field is name, props.NAME,
// labels.NAME, aliases, sources (which sources assert the item, with their
// confidence), evidence.SOURCE or conflicts; values are as FormatValue
// shows them, empty for none.
type FieldChange struct {
	Field  string `json:"field"`
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// IsEdge reports whether the event is about a relationship.
func (e *AuditEvent) IsEdge() bool { return e.Type != "" }

// Touches reports whether the event is about node id or about a
// relationship with id at one end.
func (e *AuditEvent) Touches(id ID) bool {
	if e.IsEdge() {
		return e.From.ID() == id || e.To.ID() == id
	}
	return e.Subject == id
}

// EncodeAuditEvent is the stored form of an event on every backend: its
// JSON.
func EncodeAuditEvent(e *AuditEvent) ([]byte, error) { return AppendAuditEvent(nil, e) }

// AppendAuditEvent appends EncodeAuditEvent's bytes to b. An ingest leaves
// one event per item it creates, and such an event (no snapshot, no
// changes) is written here directly, byte for byte as encoding/json writes
// it but without reflection; every other event goes through encoding/json.
func AppendAuditEvent(b []byte, e *AuditEvent) ([]byte, error) {
	if e.Node != nil || e.Edge != nil || e.Changes != nil || !jsonTime(e.At) {
		v, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode audit event of %s: %w", e.Subject, err)
		}
		return append(b, v...), nil
	}
	b = append(b, `{"at":`...)
	b = appendJSONTime(b, e.At)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = appendJSONField(b, "actor", e.Actor)
	b = appendJSONField(b, "source", e.Source)
	b = appendJSONField(b, "run", e.Run)
	b = append(b, `,"op":`...)
	b = appendJSONString(b, string(e.Op))
	b = append(b, `,"subject":`...)
	b = appendJSONID(b, e.Subject)
	b = appendJSONField(b, "kind", string(e.Kind))
	b = appendJSONField(b, "key", e.Key)
	b = appendJSONField(b, "type", string(e.Type))
	for _, end := range []struct {
		name string
		ref  Ref
	}{{"from", e.From}, {"to", e.To}} {
		if end.ref != (Ref{}) {
			b = append(b, `,"`...)
			b = append(b, end.name...)
			b = append(b, `":{"kind":`...)
			b = appendJSONString(b, string(end.ref.Kind))
			b = append(b, `,"key":`...)
			b = appendJSONString(b, end.ref.Key)
			b = append(b, '}')
		}
	}
	return append(b, '}'), nil
}

// DecodeAuditEvent reverses EncodeAuditEvent, giving properties back their
// canonical types.
func DecodeAuditEvent(b []byte) (*AuditEvent, error) {
	var e AuditEvent
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("decode audit event: %w", err)
	}
	var err error
	if e.Node != nil {
		if e.Node.Props, err = CoerceNodeProps(e.Node.Kind, e.Node.Props); err != nil {
			return nil, fmt.Errorf("decode audit event of %s: %w", e.Subject, err)
		}
	}
	if e.Edge != nil {
		if e.Edge.Props, err = CoerceEdgeProps(e.Edge.Type, e.Edge.Props); err != nil {
			return nil, fmt.Errorf("decode audit event of %s: %w", e.Subject, err)
		}
	}
	e.At = e.At.UTC()
	return &e, nil
}

type actorKey struct{}

// WithActor returns a context whose writes are recorded as made by actor.
// The API layer sets it from the authenticated principal, the ingest engine
// from its source.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns the actor WithActor put in ctx, or "".
func ActorFrom(ctx context.Context) string {
	a, _ := ctx.Value(actorKey{}).(string)
	return a
}

// AuditRecorder collects the events of one write. A backend makes one per
// write, shows it every node and relationship the write touches with its
// state before and after (nil for none), and commits Events with the write.
type AuditRecorder struct {
	actor, source, run string
	at                 time.Time
	events             []AuditEvent
}

// NewAuditRecorder starts the events of a write committed at at (the
// store's clock) on behalf of ctx's actor.
func NewAuditRecorder(ctx context.Context, source, run string, at time.Time) *AuditRecorder {
	return &AuditRecorder{actor: ActorFrom(ctx), source: source, run: run, at: at.UTC()}
}

// Node records a node's change, unless nothing but its seen times and run
// ids moved.
func (r *AuditRecorder) Node(before, after *Node) {
	op, ok := auditOp(before == nil, after == nil, func() bool { return nodeChanged(before, after) })
	if !ok {
		return
	}
	n := after
	if n == nil {
		n = before
	}
	ev := AuditEvent{Op: op, Subject: n.ID, Kind: n.Kind, Key: n.Key, Node: CloneNode(before)}
	if op == AuditUpdated {
		ev.Changes = diffNode(before, after)
	}
	r.events = append(r.events, ev)
}

// Edge records a relationship's change, like Node.
func (r *AuditRecorder) Edge(before, after *Edge) {
	op, ok := auditOp(before == nil, after == nil, func() bool { return edgeChanged(before, after) })
	if !ok {
		return
	}
	e := after
	if e == nil {
		e = before
	}
	ev := AuditEvent{Op: op, Subject: e.ID, Type: e.Type, From: e.From, To: e.To, Edge: CloneEdge(before)}
	if op == AuditUpdated {
		var d fieldDiff
		d.props(before.Props, after.Props)
		d.assertions(before.Assertions, after.Assertions)
		d.conflicts(before.Conflicts, after.Conflicts)
		ev.Changes = d
	}
	r.events = append(r.events, ev)
}

func auditOp(created, deleted bool, changed func() bool) (AuditOp, bool) {
	switch {
	case created && deleted:
		return "", false
	case created:
		return AuditCreated, true
	case deleted:
		return AuditDeleted, true
	default:
		return AuditUpdated, changed()
	}
}

// Events returns the write's events, stamped with its time, actor, source
// and run, Seq numbering them from first.
func (r *AuditRecorder) Events(first int64) []AuditEvent {
	for i := range r.events {
		e := &r.events[i]
		e.At, e.Seq, e.Actor = r.at, first+int64(i), r.actor
		if e.Op != AuditDeleted || r.run != "" {
			e.Source, e.Run = r.source, r.run
		}
	}
	return r.events
}

// Grow makes room for n more events, for a write that knows how many
// items it changes.
func (r *AuditRecorder) Grow(n int) { r.events = slices.Grow(r.events, n) }

// Len counts the events recorded so far.
func (r *AuditRecorder) Len() int { return len(r.events) }

func nodeChanged(a, b *Node) bool {
	return a.Name != b.Name || !propsEqual(a.Props, b.Props) || !maps.Equal(a.Labels, b.Labels) ||
		!slices.Equal(a.Aliases, b.Aliases) || !assertionsEqual(a.Assertions, b.Assertions) ||
		!slices.Equal(a.Manual, b.Manual) || !slices.EqualFunc(a.Conflicts, b.Conflicts, conflictEqual)
}

func edgeChanged(a, b *Edge) bool {
	return !propsEqual(a.Props, b.Props) || !assertionsEqual(a.Assertions, b.Assertions) ||
		!slices.Equal(a.Manual, b.Manual) || !slices.EqualFunc(a.Conflicts, b.Conflicts, conflictEqual)
}

// fieldDiff collects the FieldChanges of an update, in field order.
type fieldDiff []FieldChange

func (d *fieldDiff) add(field, before, after string) {
	if before != after {
		*d = append(*d, FieldChange{Field: field, Before: before, After: after})
	}
}

func diffNode(a, b *Node) []FieldChange {
	var d fieldDiff
	d.add(FieldName, a.Name, b.Name)
	d.props(a.Props, b.Props)
	for _, k := range slices.Sorted(maps.Keys(unionKeys(a.Labels, b.Labels))) {
		d.add(LabelField(k), a.Labels[k], b.Labels[k])
	}
	alias := func(as []Alias) string {
		vs := make([]string, 0, len(as))
		for _, x := range as {
			vs = append(vs, x.Value)
		}
		return strings.Join(slices.Compact(vs), ", ")
	}
	d.add("aliases", alias(a.Aliases), alias(b.Aliases))
	d.assertions(a.Assertions, b.Assertions)
	d.conflicts(a.Conflicts, b.Conflicts)
	return d
}

func (d *fieldDiff) props(a, b map[string]any) {
	for _, k := range slices.Sorted(maps.Keys(unionKeys(a, b))) {
		format := func(m map[string]any) string {
			if v, ok := m[k]; ok {
				return FormatValue(v)
			}
			return ""
		}
		d.add(PropField(k), format(a), format(b))
	}
}

// assertions shows which sources assert the item (and how surely), then
// the evidence of each source that kept asserting it.
func (d *fieldDiff) assertions(a, b []Assertion) {
	list := func(as []Assertion) string {
		out := make([]string, len(as))
		for i, x := range as {
			out[i] = x.Source + " (" + string(x.Confidence) + ")"
		}
		return strings.Join(out, ", ")
	}
	d.add("sources", list(a), list(b))
	for _, x := range a {
		for _, y := range b {
			if x.Source == y.Source {
				d.add("evidence."+x.Source, x.Evidence, y.Evidence)
			}
		}
	}
}

func (d *fieldDiff) conflicts(a, b []Conflict) {
	list := func(cs []Conflict) string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = c.Field + " from " + c.Source + ": " + c.Ingested
		}
		return strings.Join(out, "; ")
	}
	d.add("conflicts", list(a), list(b))
}

func unionKeys[V any](a, b map[string]V) map[string]bool {
	u := make(map[string]bool, len(a)+len(b))
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

// propsEqual compares canonical property maps (see CoerceNodeProps).
func propsEqual(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !reflect.DeepEqual(v, w) {
			return false
		}
	}
	return true
}

// assertionsEqual ignores what every re-sync moves: last-seen times and run
// ids.
func assertionsEqual(a, b []Assertion) bool {
	return slices.EqualFunc(a, b, func(x, y Assertion) bool {
		return x.Source == y.Source && x.Confidence == y.Confidence && x.Evidence == y.Evidence && x.FirstSeen.Equal(y.FirstSeen)
	})
}

// conflictEqual ignores when the conflicting value was last seen.
func conflictEqual(x, y Conflict) bool {
	return x.Field == y.Field && x.Manual == y.Manual && x.Ingested == y.Ingested && x.Source == y.Source
}

// Limits of audit reads.
const (
	// MaxAsOfEvents caps the events an as-of read replays: the changes
	// around one node since the time asked about.
	MaxAsOfEvents = 20_000
)

// HistoryQuery selects a page of a node's audit trail: the events of the node
// and of every relationship with it at one end, newest first (CompareAudit).
type HistoryQuery struct {
	ID ID
	// Since keeps only events committed after it (zero: all).
	Since time.Time
	First int
	After string // an opaque cursor from a previous page
}

// Normalize checks a history query and applies defaults. Errors:
// CodeInvalid for a nil id, a negative First or a malformed cursor;
// CodeLimitExceeded for First over MaxPageSize.
func (q HistoryQuery) Normalize() (HistoryQuery, error) {
	if q.ID == (ID{}) {
		return q, Errorf(CodeInvalid, "history needs an entity id")
	}
	first, err := pageSize(q.First)
	if err != nil {
		return q, err
	}
	q.First = first
	if q.After != "" {
		if _, _, err := DecodeAuditCursor(q.After); err != nil {
			return q, err
		}
	}
	return q, nil
}

// HistoryPage is one page of a node's audit trail.
type HistoryPage struct {
	Events []*AuditEvent
	// Cursors[i] is the cursor of Events[i].
	Cursors     []string
	HasNext     bool
	StartCursor string
	EndCursor   string
}

// CompareAudit orders events newest first: by At descending, then Seq
// descending.
func CompareAudit(a, b *AuditEvent) int {
	if c := b.At.Compare(a.At); c != 0 {
		return c
	}
	return cmp.Compare(b.Seq, a.Seq)
}

// EncodeAuditCursor makes the opaque cursor of an event in a history.
func EncodeAuditCursor(e *AuditEvent) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(e.At.UnixNano(), 10) + ":" + strconv.FormatInt(e.Seq, 10)))
}

// DecodeAuditCursor reverses EncodeAuditCursor. Errors: CodeInvalid.
func DecodeAuditCursor(c string) (at time.Time, seq int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, Errorf(CodeInvalid, "malformed cursor %q", c)
	}
	ns, sq, ok := strings.Cut(string(b), ":")
	n, err1 := strconv.ParseInt(ns, 10, 64)
	s, err2 := strconv.ParseInt(sq, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return time.Time{}, 0, Errorf(CodeInvalid, "malformed cursor %q", c)
	}
	return time.Unix(0, n).UTC(), s, nil
}

// After reports whether e comes after the cursor position (at, seq) in
// history order, that is, is older.
func (e *AuditEvent) After(at time.Time, seq int64) bool {
	return CompareAudit(&AuditEvent{At: at, Seq: seq}, e) < 0
}

// PageHistory cuts the page q asks for out of events, which must hold every
// event of q's node since q.Since in history order. Backends that filter in
// memory share it.
func PageHistory(events []*AuditEvent, q HistoryQuery) *HistoryPage {
	if q.After != "" {
		at, seq, _ := DecodeAuditCursor(q.After)
		i := 0
		for i < len(events) && !events[i].After(at, seq) {
			i++
		}
		events = events[i:]
	}
	return NewHistoryPage(events, q.First)
}

// NewHistoryPage makes a page of the first events, which a backend read one
// past the page size: whether that extra one came back is HasNext.
func NewHistoryPage(events []*AuditEvent, first int) *HistoryPage {
	p := &HistoryPage{}
	if len(events) > first {
		events, p.HasNext = events[:first], true
	}
	p.Events = events
	p.FillCursors()
	return p
}

// FillCursors sets the page's cursors from its events.
func (p *HistoryPage) FillCursors() {
	p.Cursors = p.Cursors[:0]
	for _, e := range p.Events {
		p.Cursors = append(p.Cursors, EncodeAuditCursor(e))
	}
	p.StartCursor, p.EndCursor = ends(p.Cursors)
}

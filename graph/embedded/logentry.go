package embedded

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/estate-cmdb/estate/graph"
)

// Log entries. A log entry is one committed write: the full new value of
// every node and relationship it changed, the ids of those it only
// touched (touch.go), and the ids it removed; replaying the entries in
// order rebuilds the graph. Entries are binary and start with their
// version: logV5 and logV4 entries end with the touches, logV3 ones
// (format 3) have none; relationship payloads have assertion scopes from
// logV5 on. Format 2 wrote JSON objects (starting with '{'). Older entries
// are still read, so that an older store opens and upgrades in place.
//
//	logV5
//	deleted relationships: count, ids (16 bytes each)
//	deleted nodes:         count, ids
//	nodes:                 count, then per node its properties
//	                       (encodeProps) and its JSON without them, both
//	                       length-prefixed: a field added to graph.Node
//	                       is stored with no change here
//	relationships:         count, then per relationship id, type (string),
//	                       from and to node ids, payload (length-prefixed)
//	touches:               source, run (strings), time (putTime), then
//	                       touched nodes and relationships: count, ids each
const (
	logV3 byte = 3
	logV4 byte = 4
	logV5 byte = 5
)

// logEdge is a relationship as the log holds it.
type logEdge struct {
	id, from, to graph.ID
	typ          graph.RelType
	data         []byte
}

// logNode is a node as the log holds it.
type logNode struct {
	props []byte // encodeProps
	json  []byte // the graph.Node without its Props
}

// newLogNode encodes n for the log, its JSON appended to buf (see
// newLogEdge); props are also what the state keeps, in their own array.
func newLogNode(buf []byte, n *graph.Node) (logNode, []byte, error) {
	props, err := encodeProps(n.Props)
	if err != nil {
		return logNode{}, buf, fmt.Errorf("node %s: %w", n.Ref(), err)
	}
	c := *n
	c.Props = nil
	start := len(buf)
	buf, err = graph.AppendNodeJSON(buf, &c)
	if err != nil {
		return logNode{}, buf[:start], fmt.Errorf("encode node %s: %w", n.Ref(), err)
	}
	return logNode{props: props, json: buf[start:len(buf):len(buf)]}, buf, nil
}

type logEntry struct {
	nodes              []logNode
	edges              []logEdge
	delNodes, delEdges []graph.ID
	// touch is what touchNodes and touchEdges were touched by.
	touch                  touch
	touchNodes, touchEdges []graph.ID
}

func (e *logEntry) records() int {
	return len(e.nodes) + len(e.edges) + len(e.delNodes) + len(e.delEdges) + len(e.touchNodes) + len(e.touchEdges)
}

// touchesPerRecord is how many touches weigh as much as one record towards
// compaction (Store.logged): a touch takes 16 bytes of the log, a record
// ten times that, and a touch replays without decoding anything. Counting
// touches at all keeps the log bounded under endless no-op syncs.
const touchesPerRecord = 8

// weight is what the entry adds to Store.logged.
func (e *logEntry) weight() int {
	return len(e.nodes) + len(e.edges) + len(e.delNodes) + len(e.delEdges) + touchWeight(len(e.touchNodes)+len(e.touchEdges))
}

func touchWeight(touches int) int { return (touches + touchesPerRecord - 1) / touchesPerRecord }

// putIDs appends a count and the ids.
func putIDs(b []byte, ids []graph.ID) []byte {
	b = binary.AppendUvarint(b, uint64(len(ids)))
	for _, id := range ids {
		b = append(b, id[:]...)
	}
	return b
}

// size bounds what the node adds to an encoded entry.
func (n *logNode) size() int { return len(n.props) + len(n.json) + 6 }

// size bounds what the relationship adds to an encoded entry.
func (ed *logEdge) size() int { return 48 + len(ed.typ) + len(ed.data) + 4 }

func idSize(*graph.ID) int { return len(graph.ID{}) }

// logChunkBytes bounds an encoded log entry (but one node or relationship
// may take more). bbolt keeps at least two values in a leaf page and
// rewrites the whole leaf a put lands in, so an entry of megabytes would be
// written again by the next commit or two; in pieces of this size a commit
// writes little more than itself.
const logChunkBytes = 16 << 10

// chunks splits e into entries of about limit encoded bytes that, replayed
// one after the other, do what e does: each holds a stretch of e's
// sections in e's order (deletions, nodes, relationships, touches).
func (e *logEntry) chunks(limit int) []logEntry {
	c := chunker{limit: limit, cur: logEntry{touch: e.touch}}
	cutSection(&c, e.delEdges, func(e *logEntry) *[]graph.ID { return &e.delEdges }, idSize)
	cutSection(&c, e.delNodes, func(e *logEntry) *[]graph.ID { return &e.delNodes }, idSize)
	cutSection(&c, e.nodes, func(e *logEntry) *[]logNode { return &e.nodes }, (*logNode).size)
	cutSection(&c, e.edges, func(e *logEntry) *[]logEdge { return &e.edges }, (*logEdge).size)
	cutSection(&c, e.touchNodes, func(e *logEntry) *[]graph.ID { return &e.touchNodes }, idSize)
	cutSection(&c, e.touchEdges, func(e *logEntry) *[]graph.ID { return &e.touchEdges }, idSize)
	if c.cur.records() > 0 {
		c.close()
	}
	return c.out
}

// chunker collects the entries of logEntry.chunks.
type chunker struct {
	limit, size int
	cur         logEntry
	out         []logEntry
}

func (c *chunker) close() {
	c.out = append(c.out, c.cur)
	c.cur, c.size = logEntry{touch: c.cur.touch}, 0
}

// cutSection adds items, one section of an entry, to c's entries: each
// entry's part is a subslice of items, so nothing is copied.
func cutSection[T any](c *chunker, items []T, field func(*logEntry) *[]T, size func(*T) int) {
	start := 0
	for i := range items {
		n := size(&items[i])
		if c.size > 0 && c.size+n > c.limit {
			if i > start {
				*field(&c.cur) = items[start:i]
			}
			c.close()
			start = i
		}
		c.size += n
	}
	if len(items) > start {
		*field(&c.cur) = items[start:]
	}
}

// size bounds the length of the entry's encoding.
func (e *logEntry) size() int {
	size := 1 + 16*(len(e.delNodes)+len(e.delEdges)+len(e.touchNodes)+len(e.touchEdges)) + 40 + len(e.touch.source) + len(e.touch.run)
	for i := range e.nodes {
		size += e.nodes[i].size()
	}
	for i := range e.edges {
		size += e.edges[i].size()
	}
	return size
}

// encode appends the entry's encoding to b.
func (e *logEntry) encode(b []byte) []byte {
	b = slices.Grow(b, e.size())
	b = append(b, logV5)
	b = putIDs(b, e.delEdges)
	b = putIDs(b, e.delNodes)
	b = binary.AppendUvarint(b, uint64(len(e.nodes)))
	for _, n := range e.nodes {
		b = binary.AppendUvarint(b, uint64(len(n.props)))
		b = append(b, n.props...)
		b = binary.AppendUvarint(b, uint64(len(n.json)))
		b = append(b, n.json...)
	}
	b = binary.AppendUvarint(b, uint64(len(e.edges)))
	for _, ed := range e.edges {
		b = append(b, ed.id[:]...)
		b = putString(b, string(ed.typ))
		b = append(b, ed.from[:]...)
		b = append(b, ed.to[:]...)
		b = binary.AppendUvarint(b, uint64(len(ed.data)))
		b = append(b, ed.data...)
	}
	b = putString(b, e.touch.source)
	b = putString(b, e.touch.run)
	var prev int64
	b = putTime(b, e.touch.at, &prev)
	b = putIDs(b, e.touchNodes)
	return putIDs(b, e.touchEdges)
}

// parsedEntry is a stored log entry decoded and checked, ready to apply to
// a state. Opening a store parses entries on one core while it applies
// those before on the other (Store.replay): decoding nodes' JSON alone was
// a third of opening an L store. What it holds may point into the stored
// value, which is valid until the bbolt transaction ends; apply copies
// what the state keeps.
type parsedEntry struct {
	delEdges, delNodes []graph.ID
	nodes              []parsedNode
	edges              []logEdge
	// touched: the entry has a touch section (format 4 on).
	touched                bool
	touch                  touch
	touchNodes, touchEdges []graph.ID
	// json is a format 2 entry, applied as it was stored.
	json *jsonEntry
}

type parsedNode struct {
	n     *graph.Node
	props []byte
}

// parseEntry decodes a stored log entry and checks it whole, so that damage
// is found on open, without a state.
func parseEntry(v []byte) (*parsedEntry, error) {
	p := &parsedEntry{}
	if len(v) > 0 && v[0] == '{' {
		p.json = new(jsonEntry)
		if err := json.Unmarshal(v, p.json); err != nil {
			return nil, err
		}
		return p, nil
	}
	if len(v) == 0 || v[0] < logV3 || v[0] > logV5 {
		return nil, errors.New("unknown log entry format")
	}
	r := reader{b: v[1:]}
	for range r.count() {
		p.delEdges = append(p.delEdges, r.id())
	}
	for range r.count() {
		p.delNodes = append(p.delNodes, r.id())
	}
	for range r.count() {
		props := r.bytes(r.count())
		raw := r.bytes(r.count())
		if r.err != nil {
			break
		}
		n := new(graph.Node)
		if err := json.Unmarshal(raw, n); err != nil {
			return nil, err
		}
		if _, err := decodeProps(props); err != nil || n.Props != nil {
			return nil, fmt.Errorf("node %s: damaged properties", n.Ref())
		}
		p.nodes = append(p.nodes, parsedNode{n: n, props: props})
	}
	for range r.count() {
		ed := logEdge{id: r.id(), typ: graph.RelType(r.string()), from: r.id(), to: r.id()}
		ed.data = r.bytes(r.count())
		if r.err != nil {
			break
		}
		check := reader{b: ed.data, unscoped: v[0] < logV5}
		e := &graph.Edge{ID: ed.id, Type: ed.typ}
		if err := check.edgeData(e); err != nil {
			return nil, fmt.Errorf("relationship %s: %w", ed.id, err)
		}
		if check.unscoped {
			data, err := encodeEdgeData(nil, e)
			if err != nil {
				return nil, err
			}
			ed.data = data
		}
		p.edges = append(p.edges, ed)
	}
	if v[0] >= logV4 {
		r.prev = 0 // the time is written on its own (encode)
		p.touched = true
		p.touch = touch{source: r.string(), run: r.string(), at: r.time()}
		p.touchNodes, p.touchEdges = r.ids(), r.ids()
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	if r.err != nil {
		return nil, r.err
	}
	return p, nil
}

// apply applies the entry to st and returns its weight (logEntry.weight).
func (p *parsedEntry) apply(st *state) (int, error) {
	if p.json != nil {
		return applyJSON(st, p.json)
	}
	for _, id := range p.delEdges {
		st.removeEdge(id)
	}
	for _, id := range p.delNodes {
		st.removeNode(id)
	}
	for _, pn := range p.nodes {
		st.intern(pn.n)
		st.putNode(pn.n, pn.props) // copied by putNode
	}
	for _, ed := range p.edges {
		if err := st.putLogEdge(ed); err != nil {
			return 0, err
		}
	}
	weight := len(p.delEdges) + len(p.delNodes) + len(p.nodes) + len(p.edges)
	if p.touched {
		if err := st.touchNodes(p.touchNodes, p.touch); err != nil {
			return 0, err
		}
		if err := st.touchEdges(p.touchEdges, p.touch); err != nil {
			return 0, err
		}
		weight += touchWeight(len(p.touchNodes) + len(p.touchEdges))
	}
	return weight, nil
}

// jsonEntry is a format 2 log entry.
type jsonEntry struct {
	Nodes    []*graph.Node `json:"n,omitempty"`
	Edges    []*graph.Edge `json:"e,omitempty"`
	DelNodes []graph.ID    `json:"dn,omitempty"`
	DelEdges []graph.ID    `json:"de,omitempty"`
}

func applyJSON(st *state, e *jsonEntry) (int, error) {
	for _, id := range e.DelEdges {
		st.removeEdge(id)
	}
	for _, id := range e.DelNodes {
		st.removeNode(id)
	}
	for _, n := range e.Nodes {
		if err := putStoredNode(st, n); err != nil {
			return 0, err
		}
	}
	for _, ed := range e.Edges {
		props, err := graph.CoerceEdgeProps(ed.Type, ed.Props)
		if err != nil {
			return 0, fmt.Errorf("relationship %s %s→%s: %w", ed.Type, ed.From, ed.To, err)
		}
		ed.Props = props
		le, _, err := newLogEdge(nil, ed, ed.From.ID(), ed.To.ID())
		if err != nil {
			return 0, err
		}
		if err := st.putLogEdge(le); err != nil {
			return 0, err
		}
	}
	return len(e.Nodes) + len(e.Edges) + len(e.DelNodes) + len(e.DelEdges), nil
}

// putStoredNode canonicalises a node read from a format 2 entry and
// publishes it.
func putStoredNode(st *state, n *graph.Node) error {
	props, err := graph.CoerceNodeProps(n.Kind, n.Props)
	if err != nil {
		return fmt.Errorf("node %s: %w", n.Ref(), err)
	}
	p, err := encodeProps(props)
	if err != nil {
		return fmt.Errorf("node %s: %w", n.Ref(), err)
	}
	st.intern(n)
	st.putNode(n, p)
	return nil
}

// newLogEdge encodes e, whose ends have the given ids, for the log and
// the state, its payload appended to buf. A writer encodes a whole batch
// into one buffer: what is cut from it is only read until the write is
// encoded and published (the state copies payloads into its arena), and
// stays as it is when the buffer grows into a new array.
func newLogEdge(buf []byte, e *graph.Edge, from, to graph.ID) (logEdge, []byte, error) {
	start := len(buf)
	buf, err := encodeEdgeData(buf, e)
	if err != nil {
		return logEdge{}, buf[:start], err
	}
	return logEdge{id: e.ID, typ: e.Type, from: from, to: to, data: buf[start:len(buf):len(buf)]}, buf, nil
}

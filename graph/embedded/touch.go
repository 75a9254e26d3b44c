package embedded

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// A touch is a re-assertion that changed nothing but an item's seen times
// and its source's run (graph.Touch): what every item of a no-op sync
// gets, which Apply finds without merging or copying anything
// (graph.TouchesNode, graph.TouchesEdge). The log keeps it as the item's id under the batch's source, run
// and time instead of the item's whole new value, and memory applies it
// without re-indexing anything, so a no-op sync costs a fraction of the
// sync that wrote the estate. Last-seen times and run ids stay durable:
// sweeps and staleness depend on them.
type touch struct {
	source, run string
	at          time.Time
}

// node returns n touched, sharing all but its assertions with n; ok is
// false when the touch's source does not assert n.
func (t touch) node(n *graph.Node) (_ *graph.Node, ok bool) {
	c := *n
	c.Assertions, c.FirstSeen, c.LastSeen, ok = graph.Touch(n.Assertions, t.source, t.run, t.at)
	return &c, ok
}

// edge is node for a relationship.
func (t touch) edge(e *graph.Edge) (_ *graph.Edge, ok bool) {
	c := *e
	c.Assertions, c.FirstSeen, c.LastSeen, ok = graph.Touch(e.Assertions, t.source, t.run, t.at)
	return &c, ok
}

// touchNodes applies t to the stored nodes with the ids. Their indexes
// hold nothing a touch changes, and their properties stay encoded as they
// are.
func (st *state) touchNodes(ids []graph.ID, t touch) error {
	for _, id := range ids {
		i, ok := st.nodeAt.get(id)
		if !ok {
			return fmt.Errorf("touch of node %s, which is not stored", id)
		}
		n, ok := t.node(st.nodes[i].n)
		if !ok {
			return fmt.Errorf("touch of node %s by %q, which does not assert it", id, t.source)
		}
		n.Assertions = st.share(n.Assertions)
		st.nodes[i].n = n
	}
	return nil
}

// touchEdges applies t to the stored relationships with the ids, rewriting
// their payloads in the arena without decoding them (touchPayload).
func (st *state) touchEdges(ids []graph.ID, t touch) error {
	if len(ids) == 0 {
		return nil
	}
	src, known := st.syms.at[t.source]
	run := st.syms.id([]byte(t.run))
	for _, id := range ids {
		i, ok := st.edgeAt.get(id)
		if !ok {
			return fmt.Errorf("touch of relationship %s, which is not stored", id)
		}
		r := &st.edges[i]
		old, off := *r, len(st.arena)
		// Appending cannot move the payload read: it lies before off.
		arena, ok, err := touchPayload(st.arena, st.payload(r), src, run, t.at)
		switch {
		case err != nil:
			err = fmt.Errorf("relationship %s: %w", id, err)
		case !ok || !known:
			err = fmt.Errorf("touch of relationship %s by %q, which does not assert it", id, t.source)
		case len(arena) > math.MaxUint32:
			err = errors.New("relationship payloads over 4 GiB")
		}
		if err != nil {
			st.arena = st.arena[:off]
			return err
		}
		st.arena = arena
		r.off, r.size = uint32(off), uint32(len(arena)-off)
		st.release(&old)
	}
	return nil
}

// touchPayload appends p, a relationship's payload in the state's form,
// touched by the source and run with these symbols at at: the bytes that
// decoding p, touching it (touch.edge) and storing it again would give. ok
// is false when the source does not assert it.
func touchPayload(out, p []byte, source, run uint64, at time.Time) (_ []byte, ok bool, err error) {
	r := reader{b: p}
	var prev int64
	var first, last time.Time
	n := r.count()
	out = binary.AppendUvarint(out, uint64(n))
	for i := range n {
		src, rn, conf, scope := r.uvarint(), r.uvarint(), r.uvarint(), r.uvarint()
		evidence := r.bytes(r.count())
		seen, lastSeen := r.time(), r.time()
		if src == source && !ok {
			rn, lastSeen, ok = run, at, true
		}
		out = binary.AppendUvarint(out, src)
		out = binary.AppendUvarint(out, rn)
		out = binary.AppendUvarint(out, conf)
		out = binary.AppendUvarint(out, scope)
		out = binary.AppendUvarint(out, uint64(len(evidence)))
		out = append(out, evidence...)
		out = putTime(out, seen, &prev)
		out = putTime(out, lastSeen, &prev)
		// The seen span as graph.Touch derives it.
		if i == 0 || seen.Before(first) {
			first = seen
		}
		if lastSeen.After(last) {
			last = lastSeen
		}
	}
	props := r.b
	r.skipProps()
	out = append(out, props[:len(props)-len(r.b)]...)
	r.time()
	r.time()
	out = putTime(out, first, &prev)
	out = putTime(out, last, &prev)
	return append(out, r.b...), ok, r.err // manual fields, if any
}

// touchesNode is graph.TouchesNode for the stored node in slot i. A
// re-sync asserts the properties it stored, so when in's encode to the
// stored bytes they are held without decoding them into a map; labels are
// looked up in their encoded form (hasLabels).
func (st *state) touchesNode(i int32, in graph.NodeInput, source string, at time.Time, scratch *[]byte) bool {
	r := &st.nodes[i]
	if len(in.Props) > 0 {
		p, err := appendProps((*scratch)[:0], in.Props)
		if err != nil || !bytes.Equal(p, nodeProps(r.data)) {
			return graph.TouchesNode(st.nodeView(r.n.ID), in, source, at)
		}
		*scratch, in.Props = p, nil
	}
	if !st.hasLabels(i, in.Labels) {
		return false // a label in is not stored so (graph.TouchesNode)
	}
	in.Labels = nil
	return graph.TouchesNode(r.n, in, source, at) // r.n holds no properties or labels
}

// touchesEdge is graph.TouchesEdge for the stored relationship in slot i,
// read from its payload without decoding it (graph.TouchesEdge then
// touchable's conditions, on the encoded form). Properties are compared
// encoded, as touchesNode does: every OWNS relationship carries its role.
func (st *state) touchesEdge(i int32, in graph.EdgeInput, source string, at time.Time, scratch *[]byte) bool {
	if source == graph.SourceManual {
		return false
	}
	r := st.reader(&st.edges[i])
	touches, found := false, false
	for range r.count() {
		src, _, conf, scope := r.sym(), r.sym(), r.sym(), r.sym()
		evidence := r.bytes(r.count())
		r.time()
		last := r.time()
		if src == source && !found {
			found = true
			touches = scope == in.Scope && conf == string(in.Confidence) && string(evidence) == in.Evidence && !at.Before(last)
		}
	}
	props := r.b
	r.skipProps()
	props = props[:len(props)-len(r.b)]
	r.time()
	r.time()
	// Bytes after the times are manual fields or conflicts (encodeEdgeData).
	if !touches || r.err != nil || len(r.b) != 0 {
		return false
	}
	if len(in.Props) == 0 {
		return true
	}
	p, err := appendProps((*scratch)[:0], in.Props)
	if err == nil && bytes.Equal(p, props) {
		*scratch = p
		return true
	}
	// Fewer or differently typed properties than stored may still hold.
	return graph.TouchesEdge(st.edge(i), in, source, at)
}

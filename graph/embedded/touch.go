package embedded

import (
	"encoding/binary"
	"fmt"
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

// marks tells which slots the write under way only touches, for Apply: a
// slot is marked when its mark equals gen, which moves on with every
// write, so a re-sync builds and clears no set of ids per write. Only
// writers use it (under writeMu).
type marks struct {
	gen          uint32
	nodes, edges []uint32
}

// next starts a write over a state of n node slots and e relationship
// slots.
func (m *marks) next(n, e int) {
	if m.gen++; m.gen == 0 { // wrapped: an old mark could equal a new gen
		clear(m.nodes)
		clear(m.edges)
		m.gen = 1
	}
	m.nodes = extend(m.nodes, n)
	m.edges = extend(m.edges, e)
}

// extend returns s with at least n elements, the new ones zero.
func extend(s []uint32, n int) []uint32 {
	if d := n - len(s); d > 0 {
		s = append(s, make([]uint32, d)...)
	}
	return s
}

// touchNodes applies t to the stored nodes with the ids (a replayed log
// entry).
func (st *state) touchNodes(ids []graph.ID, t touch) error {
	slots, err := slotsOf(&st.nodeAt, ids, "node")
	if err != nil {
		return err
	}
	return st.touchNodesAt(slots, t)
}

// touchEdges is touchNodes for relationships.
func (st *state) touchEdges(ids []graph.ID, t touch) error {
	slots, err := slotsOf(&st.edgeAt, ids, "relationship")
	if err != nil {
		return err
	}
	return st.touchEdgesAt(slots, t)
}

// slotsOf returns the slots of the ids in x.
func slotsOf(x *idIndex, ids []graph.ID, what string) ([]int32, error) {
	slots := make([]int32, len(ids))
	for k, id := range ids {
		i, ok := x.get(id)
		if !ok {
			return nil, fmt.Errorf("touch of %s %s, which is not stored", what, id)
		}
		slots[k] = i
	}
	return slots, nil
}

// touchNodesAt applies t to the nodes in the slots. Their indexes hold
// nothing a touch changes, and their properties stay encoded as they are.
func (st *state) touchNodesAt(slots []int32, t touch) error {
	for _, i := range slots {
		n, ok := t.node(st.nodes[i].n)
		if !ok {
			return fmt.Errorf("touch of node %s by %q, which does not assert it", st.nodes[i].id, t.source)
		}
		n.Assertions = st.share(n.Assertions)
		r := &st.nodes[i]
		st.setNode(i, n, r.data, r.propBits)
	}
	return nil
}

// touchEdgesAt applies t to the relationships in the slots, rewriting
// their payloads in the arena without decoding them (touchPayload).
func (st *state) touchEdgesAt(slots []int32, t touch) error {
	if len(slots) == 0 {
		return nil
	}
	src, known := st.syms.at[t.source]
	run := st.syms.id([]byte(t.run))
	for _, i := range slots {
		r := &st.edges[i]
		old, off := *r, len(st.arena)
		// Appending cannot move the payload read: it lies before off.
		arena, ok, err := touchPayload(st.arena, st.payload(r), src, run, t.at)
		switch {
		case err != nil:
			err = fmt.Errorf("relationship %s: %w", r.id, err)
		case !ok || !known:
			err = fmt.Errorf("touch of relationship %s by %q, which does not assert it", r.id, t.source)
		}
		if err != nil {
			st.arena = st.arena[:off]
			return err
		}
		st.arena = arena
		r.off, r.size = uint64(off), uint32(len(arena)-off)
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
// re-sync asserts the properties it stored, so they are compared with the
// stored bytes without decoding them into a map (holdsEncoded); labels
// are looked up in their encoded form (hasLabels).
func (st *state) touchesNode(i int32, in graph.NodeInput, source string, at time.Time) bool {
	r := &st.nodes[i]
	if len(in.Props) > 0 {
		holds, sure := holdsEncoded(nodeProps(r.data), in.Props)
		if !sure {
			return graph.TouchesNode(st.nodeView(r.n.ID), in, source, at)
		}
		if !holds {
			return false
		}
		in.Props = nil
	}
	if !st.hasLabels(i, in.Labels) {
		return false // a label in is not stored so (graph.TouchesNode)
	}
	in.Labels = nil
	return graph.TouchesNode(r.n, in, source, at) // r.n holds no properties or labels
}

// holdsEncoded is graph.TouchesNode's test of properties — merging props
// into the stored ones leaves them as they are — on the stored ones
// encoded (appendProps), decoding nothing: each of props is stored with
// an equal value. sure is false for a value of a type the store does not
// keep, which only the decoded comparison can answer.
func holdsEncoded(stored []byte, props map[string]any) (holds, sure bool) {
	r := reader{b: stored}
	found := 0
	for range r.count() {
		v, ok := props[string(r.bytes(r.count()))]
		same := ok
		switch r.byte() {
		case tagString:
			s := r.bytes(r.count())
			if ok {
				w, isString := v.(string)
				same = isString && w == string(s)
			}
		case tagInt:
			n := r.varint()
			if ok {
				w, isInt := v.(int64)
				same = isInt && w == n
			}
		case tagBool:
			b := r.byte() == 1
			if ok {
				w, isBool := v.(bool)
				same = isBool && w == b
			}
		case tagList:
			w, isList := v.([]string)
			n := r.count()
			same = ok && isList && len(w) == n
			for k := range n {
				e := r.bytes(r.count())
				same = same && w[k] == string(e)
			}
		default:
			return false, false
		}
		if ok {
			switch v.(type) {
			case string, int64, bool, []string:
			default:
				return false, false
			}
			if !same {
				return false, true
			}
			found++
		}
	}
	if r.err != nil {
		return false, false
	}
	return found == len(props), true
}

// touchesEdge is graph.TouchesEdge for the stored relationship in slot i,
// read from its payload without decoding it (graph.TouchesEdge then
// touchable's conditions, on the encoded form). Properties are compared
// encoded, as touchesNode does: every OWNS relationship carries its role.
func (st *state) touchesEdge(i int32, in graph.EdgeInput, source string, at time.Time) bool {
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
	if holds, sure := holdsEncoded(props, in.Props); sure {
		return holds
	}
	return graph.TouchesEdge(st.edge(i), in, source, at)
}

package embedded

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/google/btree"

	"github.com/estate-cmdb/estate/graph"
)

// state is the in-memory copy of the graph with the indexes reads need.
//
// It is laid out for the garbage collector, whose marking of millions of
// small pointer-rich objects was most of the cost of a large estate: nodes
// and relationships live in slices of records addressed by int32, the id
// maps hold no pointers, adjacency is lists of int32 relationship indexes,
// and a relationship's payload is one encoded byte string (codec.go),
// decoded when read. Freed slots are reused.
//
// Stored *graph.Node values are never modified in place: a write replaces
// the pointer, so a reader may keep one after releasing the lock. Read
// relationships are decoded fresh for each caller.
type state struct {
	nodeAt    idIndex
	nodes     []nodeRec
	freeNodes []int32

	edgeAt    idIndex
	edges     []edgeRec
	freeEdges []int32
	syms      symbols
	// arena holds every relationship's payload back to back, so that a
	// payload costs its bytes and no allocation of its own; garbage counts
	// the bytes of replaced payloads, reclaimed by compactArena.
	arena   []byte
	garbage int

	byKind map[graph.Kind]*btree.BTreeG[keyItem]
	// byLabel is the nodes of the kinds in labelIndexed by label, one tree
	// per kind, label and value, in key order like byKind: List reads the
	// smallest of the trees its label filter names instead of the kind.
	byLabel map[labelKey]*btree.BTreeG[keyItem]
	// names maps lower-cased aliases, and keys that are not lower-case
	// already, to node ids, for Resolve (named); a lower-case key is
	// found in byKind instead, so that most nodes need no entry here.
	names map[string][]graph.ID
	// redirects maps the id of each node merged away to the node it was
	// merged into (graph.MergedIDs), for Apply (graph.Redirect). Merges
	// are people's work: the map is small, and empty in most estates.
	redirects map[graph.ID]graph.ID
	// srcNodes maps each source to the node slots it asserts, for sweeps.
	srcNodes map[string]map[int32]struct{}
	// shared is the assertions of the node last put or touched (share).
	shared []graph.Assertion
}

// nodeRec is a node slot; n is nil when the slot is free. The stored node's
// Props and Labels are nil: they are kept encoded in data (nodeData), one
// pointer-free object instead of maps of strings and boxed values.
type nodeRec struct {
	id graph.ID // n.ID, here so that id lookups stay in this slice
	// kind is n.Kind's bit (kindBit), here so that a read keeping some
	// kinds rejects a neighbour without reading its node: a cache miss
	// less for each person among an application's owners.
	kind uint16
	n    *graph.Node
	data []byte
	// out and in are the node's relationships; order is not kept (reads sort).
	out, in []link
	// propBits has propBit set for the name of each of the node's
	// properties: a light read naming none of them leaves data untouched,
	// which for impact's walk (a service's tier) is nearly every node, and
	// each data touched is a cache miss.
	propBits uint64
	// light is the node's last light read with properties, set by readers
	// under the shared read lock. Impact reads the same services and teams
	// answer after answer, and each copy was a node, a map and its values
	// of garbage. Whatever replaces n or data drops it (setNode). Being
	// atomic, it also keeps records from being copied whole (go vet).
	light atomic.Pointer[lightCopy]
}

// lightCopy is a node as read light with props named.
type lightCopy struct {
	props []string
	n     *graph.Node
}

// setNode replaces the node in slot i (not its relationships), dropping
// its light copy. The caller holds the write lock.
func (st *state) setNode(i int32, n *graph.Node, data []byte, bits uint64) {
	r := &st.nodes[i]
	r.n, r.data, r.propBits, r.kind = n, data, bits, kindBit(n.Kind)
	r.light.Store(nil)
}

// propBit is a property name's bit in nodeRec.propBits (FNV-1a, mod 64).
func propBit(name string) uint64 {
	h := uint32(2166136261)
	for i := range len(name) {
		h = (h ^ uint32(name[i])) * 16777619
	}
	return 1 << (h & 63)
}

// propBitsOf is the propBits of encodeProps's bytes (all bits set if they
// do not decode, so that reads decode them and report what is wrong).
func propBitsOf(props []byte) uint64 {
	r := reader{b: props}
	var bits uint64
	for range r.count() {
		bits |= propBit(string(r.bytes(r.count())))
		r.skipValue()
	}
	if r.err != nil {
		return ^uint64(0)
	}
	return bits
}

// propBits is the union of the names' propBit.
func propBits(names []string) uint64 {
	var bits uint64
	for _, k := range names {
		bits |= propBit(k)
	}
	return bits
}

// edgeRec is a relationship slot; typ is 0 when the slot is free. Its
// payload is arena[off:off+size], encodeEdgeData's bytes in the state's
// form (symbols.intern).
type edgeRec struct {
	id       graph.ID
	from, to int32
	// off is 64-bit so that the arena has no bound but memory: a write is
	// published after its commit, and must not fail there.
	off  uint64
	size uint32
	typ  relCode
	// role and props are what a light read needs from the payload
	// (reader.lightFacts), kept in what was padding so that most light
	// reads never touch the arena: impact reads hundreds of relationships
	// per answer, and each payload it touches is a cache miss.
	role  uint8
	props bool
}

// relCode numbers graph.RelTypes from 1 in memory (never on disk).
type relCode uint8

// link is an entry of a node's out or in list: a relationship slot with
// its type's relCode in the top bits, so that a walk picks a node's
// relationships of a type from the list alone. Loading each record to read
// its type was a cache miss apiece, and a business unit or a service has
// hundreds of relationships a downstream walk does not follow.
type link uint32

// linkSlotBits bound the relationship slots a link holds (2^27, about 134
// million); the rest holds a relCode.
const linkSlotBits = 27

// maxEdges is how many relationships the store holds (a slot each, the
// link's bound). A write that would exceed it is refused before it is
// committed (changes.fits). A variable so that tests can reach it.
var maxEdges = 1 << linkSlotBits

// maxNodes is how many nodes the store holds (idIndex's bound on slots),
// refused the same way.
var maxNodes = maxSlots

func newLink(slot int32, c relCode) link { return link(uint32(slot) | uint32(c)<<linkSlotBits) }

func (l link) slot() int32   { return int32(l & (1<<linkSlotBits - 1)) }
func (l link) code() relCode { return relCode(l >> linkSlotBits) }

var relCodes = func() map[graph.RelType]relCode {
	if len(graph.RelTypes) >= 1<<(32-linkSlotBits) {
		panic("embedded: more relationship types than a link holds")
	}
	m := make(map[graph.RelType]relCode, len(graph.RelTypes))
	for i, t := range graph.RelTypes {
		m[t] = relCode(i + 1)
	}
	return m
}()

func (c relCode) relType() graph.RelType { return graph.RelTypes[c-1] }

func newState() *state {
	st := &state{
		byKind:    map[graph.Kind]*btree.BTreeG[keyItem]{},
		byLabel:   map[labelKey]*btree.BTreeG[keyItem]{},
		names:     map[string][]graph.ID{},
		redirects: map[graph.ID]graph.ID{},
		srcNodes:  map[string]map[int32]struct{}{},
	}
	for _, k := range graph.Kinds {
		st.byKind[k] = newKindTree()
	}
	st.nodeAt = newIDIndex(func(i int32) graph.ID { return st.nodes[i].id })
	st.edgeAt = newIDIndex(func(i int32) graph.ID { return st.edges[i].id })
	return st
}

func (st *state) numNodes() int { return st.nodeAt.len() }
func (st *state) numEdges() int { return st.edgeAt.len() }

// has reports whether a node with the id is stored.
func (st *state) has(id graph.ID) bool {
	_, ok := st.nodeAt.get(id)
	return ok
}

// node returns a copy of the node with the id that the caller owns, or nil.
func (st *state) node(id graph.ID) *graph.Node {
	if i, ok := st.nodeAt.get(id); ok {
		return st.copyNode(i)
	}
	return nil
}

// nodeView returns the node with the id, properties and labels decoded,
// or nil. Unlike node, it shares all else with the stored node: callers
// must not modify it.
func (st *state) nodeView(id graph.ID) *graph.Node {
	i, ok := st.nodeAt.get(id)
	if !ok {
		return nil
	}
	n := *st.nodes[i].n
	st.decodeData(i, &n)
	return &n
}

// copyNode returns a copy of the node in slot i, properties and labels
// decoded.
func (st *state) copyNode(i int32) *graph.Node {
	n := graph.CloneNode(st.nodes[i].n)
	st.decodeData(i, n)
	return n
}

// decodeData sets n's properties and labels from slot i's data.
func (st *state) decodeData(i int32, n *graph.Node) {
	var err error
	if n.Props, n.Labels, err = decodeNodeData(st.nodes[i].data); err != nil {
		// The data was encoded by this process: failing here is a bug.
		panic(fmt.Sprintf("embedded: node %s properties: %v", n.Ref(), err))
	}
}

// hasLabels reports whether the node in slot i has each of the labels.
func (st *state) hasLabels(i int32, want map[string]string) bool {
	if len(want) == 0 {
		return true
	}
	found := 0
	eachLabel(st.nodes[i].data, func(k, v []byte) bool {
		if w, ok := want[string(k)]; ok && w == string(v) {
			found++
		}
		return found < len(want)
	})
	return found == len(want)
}

// searchRank is graph.SearchRank of the node in slot i.
func (st *state) searchRank(i int32, text string) int {
	r := &st.nodes[i]
	rank := graph.SearchRankNamed(r.n, text)
	if rank < 0 {
		eachLabel(r.data, func(_, v []byte) bool {
			rank = graph.SearchRankLabel(string(v), text)
			return rank < 0
		})
	}
	return rank
}

// edge decodes the relationship in slot i into a new value the caller owns.
func (st *state) edge(i int32) *graph.Edge {
	e := new(graph.Edge)
	st.decodeEdge(e, i)
	return e
}

// decodeEdge decodes the relationship in slot i into e, overwriting it.
func (st *state) decodeEdge(e *graph.Edge, i int32) {
	r := &st.edges[i]
	*e = graph.Edge{ID: r.id, Type: r.typ.relType(), From: st.nodes[r.from].n.Ref(), To: st.nodes[r.to].n.Ref()}
	rd := decoding(st.payload(r), st.syms.strs)
	if err := rd.edgeData(e); err != nil {
		// The payload was encoded by this process: failing here is a bug.
		panic(fmt.Sprintf("embedded: relationship %s payload: %v", r.id, err))
	}
}

// lightEdge returns the relationship in slot i as graph.Light has it: id,
// type, ends, the named properties (the BUILDS path impact shows) and an
// OWNS role, without assertions or times. Only a relationship with
// properties besides its role has its payload read. It overwrites e.
func (st *state) lightEdge(e *graph.Edge, i int32, l *graph.Light) {
	r := &st.edges[i]
	*e = graph.Edge{ID: r.id, Type: r.typ.relType(), From: st.nodes[r.from].n.Ref(), To: st.nodes[r.to].n.Ref()}
	if r.props && len(l.Props) > 0 {
		rd := st.reader(r)
		rd.skipAssertions()
		if e.Props = rd.pick(l.Props); rd.err != nil {
			panic(fmt.Sprintf("embedded: relationship %s payload: %v", r.id, rd.err))
		}
	}
	if e.Type == graph.RelOwns {
		e.Props = graph.LightRole(e.Props, st.role(i))
	}
}

// role returns the OWNS role of the relationship in slot i ("" for other
// types), as graph.Edge.Role does, from its record alone.
func (st *state) role(i int32) string {
	r := &st.edges[i]
	if r.typ.relType() != graph.RelOwns {
		return ""
	}
	return cmp.Or(ownerRoles[r.role], graph.OwnerTechnical)
}

// places returns each node's place among all nodes in graph.CompareRefs
// order (ScanNodes'), by slot, calling visit with the slots in that order.
func (st *state) places(visit func(slot int32)) []int32 {
	place := make([]int32, len(st.nodes))
	n := int32(0)
	for _, k := range graph.Kinds {
		st.byKind[k].Ascend(func(it keyItem) bool {
			place[it.slot] = n
			n++
			visit(it.slot)
			return true
		})
	}
	return place
}

// topology implements Store.Topology: the nodes copied as ScanNodes copies
// them, and each relationship from its record alone. Copying decodes every
// node's properties, most of the time at L: a large store's nodes are
// copied in one part per core.
func (st *state) topology() *graph.Topology {
	order := make([]int32, 0, st.numNodes())
	place := st.places(func(slot int32) { order = append(order, slot) })
	t := &graph.Topology{Nodes: make([]*graph.Node, len(order)), Links: make([]graph.Link, 0, st.numEdges())}
	inParts(len(order), partsFor(len(order)), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			t.Nodes[i] = st.copyNode(order[i])
		}
	})
	for i := range st.edges {
		if r := &st.edges[i]; r.typ != 0 {
			t.Links = append(t.Links, graph.Link{Type: r.typ.relType(), From: place[r.from], To: place[r.to]})
		}
	}
	return t
}

// edgeOrder returns the slots of the stored relationships in
// graph.CompareEdges order (type, from, to, role), read from the records
// alone: each end's place among all nodes in graph.CompareRefs order (the
// kinds' trees, walked once) stands in for its ref. Sorting decoded
// relationships compared their refs' strings, a cache miss or two apiece:
// at L, 7 of the 9 seconds of every whole-graph answer's ScanEdges.
func (st *state) edgeOrder() []int32 {
	place := st.places(func(int32) {})
	// Type code (RelTypes order from 1), then the ends' places: 28 bits
	// each hold any slot (maxNodes).
	type sortKey struct {
		key  uint64
		slot int32
	}
	keys := make([]sortKey, 0, st.numEdges())
	for i := range st.edges {
		if r := &st.edges[i]; r.typ != 0 {
			keys = append(keys, sortKey{uint64(r.typ)<<56 | uint64(place[r.from])<<28 | uint64(place[r.to]), int32(i)})
		}
	}
	slices.SortFunc(keys, func(a, b sortKey) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(st.role(a.slot), st.role(b.slot))
	})
	out := make([]int32, len(keys))
	for i, k := range keys {
		out[i] = k.slot
	}
	return out
}

// lightNode returns the node in slot i as graph.Light has it: the stored
// value itself (whose Props and Labels are nil) when it has none of the
// named properties, else a shallow copy holding them, kept for the next
// read naming the same properties (nodeRec.light). Both share the stored
// node's other fields, which a write replaces and never modifies.
func (st *state) lightNode(i int32, l *graph.Light) *graph.Node {
	r := &st.nodes[i]
	if r.propBits&propBits(l.Props) == 0 {
		return r.n // none of the named properties: data left untouched
	}
	if c := r.light.Load(); c != nil && slices.Equal(c.props, l.Props) {
		return c.n
	}
	props, err := pickProps(r.data, l.Props)
	if err != nil {
		panic(fmt.Sprintf("embedded: node %s properties: %v", r.n.Ref(), err))
	}
	if props == nil {
		return r.n
	}
	n := *r.n
	n.Props = props
	r.light.Store(&lightCopy{props: slices.Clone(l.Props), n: &n})
	return &n
}

// readNode and readEdge read slot i whole, or light when l is set;
// readEdge fills e, so that a reader of many takes them from one array.
func (st *state) readNode(i int32, l *graph.Light) *graph.Node {
	if l != nil {
		return st.lightNode(i, l)
	}
	return st.copyNode(i)
}

func (st *state) readEdge(e *graph.Edge, i int32, l *graph.Light) {
	if l != nil {
		st.lightEdge(e, i, l)
	} else {
		st.decodeEdge(e, i)
	}
}

// payload returns r's payload in the state's form.
func (st *state) payload(r *edgeRec) []byte {
	end := r.off + uint64(r.size)
	return st.arena[r.off:end:end]
}

// reader reads r's payload.
func (st *state) reader(r *edgeRec) reader {
	return reader{b: st.payload(r), syms: st.syms.strs}
}

// sweeps reads r's assertions in place, as a sweep asks of every
// relationship: whether req's source asserts it, and whether req retracts
// that assertion (graph.Retractable), without decoding them into a slice.
func (st *state) sweeps(r *edgeRec, req graph.SweepRequest) (asserted, retract bool) {
	rd := st.reader(r)
	for range rd.count() {
		src, run := rd.sym(), rd.sym()
		rd.sym() // confidence
		scope := rd.sym()
		rd.bytes(rd.count()) // evidence
		rd.time()
		rd.time()
		if src == req.Source && !asserted && rd.err == nil {
			asserted, retract = true, run != req.Run && !graph.ScopeHeld(scope, req.Keep)
		}
	}
	return asserted, retract
}

// store interns a payload in the log's form into the arena and points r
// at it.
func (st *state) store(r *edgeRec, data []byte) error {
	off := len(st.arena)
	arena, err := st.syms.intern(st.arena, data)
	if err != nil {
		st.arena = st.arena[:off]
		return err
	}
	st.arena = arena
	r.off, r.size = uint64(off), uint32(len(arena)-off)
	rd := st.reader(r)
	if r.role, r.props = rd.lightFacts(); rd.err != nil {
		r.props = true // a light read decodes it, and reports what is wrong
	}
	return nil
}

// arenaSlack is the garbage the arena may always hold.
const arenaSlack = 1 << 20

// release marks r's payload as garbage, and rewrites the arena once
// garbage is a quarter of it: a sync that touches every relationship
// replaces every payload, and the arena should not hold them twice.
func (st *state) release(r *edgeRec) {
	st.garbage += int(r.size)
	if st.garbage > arenaSlack && st.garbage > len(st.arena)/4 {
		// The new array keeps room for as much as was garbage: what made
		// it (a sync touching every relationship) goes on appending about
		// as much before the next compaction, and would otherwise move the
		// whole arena to a larger array several times on the way.
		st.compactArena(st.garbage)
	}
}

// trim gives back what building the state by appending leaves over: the
// arena's garbage and the spare capacity of the record slices. Open calls
// it after replaying the log, whose touches and updates replace payloads
// and whose appends grow slices by up to a quarter more than they hold.
func (st *state) trim() {
	st.compactArena(0)
	st.nodes = clip(st.nodes)
	st.edges = clip(st.edges)
	st.freeNodes = clip(st.freeNodes)
	st.freeEdges = clip(st.freeEdges)
}

// clip returns s, or a copy without its spare capacity when that is over
// an eighth of it.
func clip[S ~[]E, E any](s S) S {
	if cap(s)-len(s) > len(s)/8 {
		return slices.Clone(s)
	}
	return s
}

// intern makes a node decoded from the log share the strings that many
// nodes repeat (kind, sources, runs, confidences, scopes) through the
// state's symbols, instead of holding a copy of each; its name shares its
// key's bytes when the key holds it, as a cloud resource's ARN holds its
// id.
func (st *state) intern(n *graph.Node) {
	n.Kind = graph.Kind(st.syms.str(string(n.Kind)))
	if i := strings.LastIndex(n.Key, n.Name); i >= 0 {
		n.Name = n.Key[i : i+len(n.Name)]
	}
	for i := range n.Assertions {
		a := &n.Assertions[i]
		a.Source, a.Run, a.Scope = st.syms.str(a.Source), st.syms.str(a.Run), st.syms.str(a.Scope)
		a.Confidence = graph.Confidence(st.syms.str(string(a.Confidence)))
	}
	for i := range n.Aliases {
		n.Aliases[i].Source = st.syms.str(n.Aliases[i].Source)
	}
}

// compactArena rewrites the arena without its garbage, into an array with
// room for room more bytes.
func (st *state) compactArena(room int) {
	arena := make([]byte, 0, len(st.arena)-st.garbage+room)
	for i := range st.edges {
		if r := &st.edges[i]; r.typ != 0 {
			off := len(arena)
			arena = append(arena, st.payload(r)...)
			r.off = uint64(off)
		}
	}
	st.arena, st.garbage = arena, 0
}

// edgeByID decodes the relationship with the id, or returns nil.
func (st *state) edgeByID(id graph.ID) *graph.Edge {
	if i, ok := st.edgeAt.get(id); ok {
		return st.edge(i)
	}
	return nil
}

// nameKeys returns n's entries in names: its lower-cased aliases and key,
// except a key already lower-case and what equals it.
func nameKeys(n *graph.Node) []string {
	key := strings.ToLower(n.Key)
	var ks []string
	if key != n.Key {
		ks = append(ks, key)
	}
	for _, a := range n.Aliases {
		if l := strings.ToLower(a.Value); l != key && !slices.Contains(ks, l) {
			ks = append(ks, l)
		}
	}
	return ks
}

// named returns the slots of the nodes of the kinds (all for none) whose
// lower-cased key or alias is key.
func (st *state) named(key string, kinds []graph.Kind) []int32 {
	var out []int32
	for _, id := range st.names[key] {
		if i, ok := st.nodeAt.get(id); ok && graph.HasAnyKind(kinds, st.nodes[i].n.Kind) {
			out = append(out, i)
		}
	}
	for _, k := range graph.Kinds {
		if !graph.HasAnyKind(kinds, k) {
			continue
		}
		if it, ok := st.byKind[k].Get(keyItem{key: key}); ok {
			out = append(out, it.slot)
		}
	}
	return out
}

// share returns as, or the equal assertions of the node last put or
// touched. The nodes of one batch mostly carry the same assertion (source,
// run, confidence, times), and stored nodes are never modified in place,
// so they may hold one copy of it.
func (st *state) share(as []graph.Assertion) []graph.Assertion {
	if len(as) > 0 && slices.Equal(as, st.shared) {
		return st.shared
	}
	st.shared = as
	return as
}

// putNode publishes n, whose properties are encoded in props (as the log
// keeps them). The state takes n over: its Props and Labels are dropped.
func (st *state) putNode(n *graph.Node, props []byte) {
	data := nodeData(props, n.Labels)
	bits := propBitsOf(props)
	n.Props, n.Labels = nil, nil
	n.Assertions = st.share(n.Assertions)
	i, ok := st.nodeAt.get(n.ID)
	if ok {
		st.unindexNode(i)
		// A replaced node keeps its slot and so its relationships.
		st.setNode(i, n, data, bits)
	} else {
		// A new node takes a free slot (zeroed by removeNode) or a new one.
		if l := len(st.freeNodes); l > 0 {
			i, st.freeNodes = st.freeNodes[l-1], st.freeNodes[:l-1]
		} else {
			i = int32(len(st.nodes))
			st.nodes = append(st.nodes, nodeRec{})
		}
		st.nodes[i].id = n.ID
		st.setNode(i, n, data, bits)
		st.nodeAt.put(n.ID, i)
	}
	st.byKind[n.Kind].ReplaceOrInsert(keyItem{key: n.Key, slot: i})
	st.indexLabels(i, true)
	for _, k := range nameKeys(n) {
		st.names[k] = append(st.names[k], n.ID)
	}
	for _, id := range graph.MergedIDs(n) {
		st.redirects[id] = n.ID
	}
	for _, a := range n.Assertions {
		addTo(st.srcNodes, a.Source, i)
	}
}

func (st *state) unindexNode(i int32) {
	n := st.nodes[i].n
	st.indexLabels(i, false)
	for _, k := range nameKeys(n) {
		ids := slices.DeleteFunc(st.names[k], func(id graph.ID) bool { return id == n.ID })
		if len(ids) == 0 {
			delete(st.names, k)
		} else {
			st.names[k] = ids
		}
	}
	for _, id := range graph.MergedIDs(n) {
		if st.redirects[id] == n.ID {
			delete(st.redirects, id)
		}
	}
	for _, a := range n.Assertions {
		removeFrom(st.srcNodes, a.Source, i)
	}
}

// redirect is graph.Redirect's question: the node a merged node was merged
// into, unless a node with the merged id is stored again.
func (st *state) redirect(id graph.ID) (graph.Ref, bool) {
	to, ok := st.redirects[id]
	if !ok || st.has(id) {
		return graph.Ref{}, false
	}
	if i, ok := st.nodeAt.get(to); ok {
		return st.nodes[i].n.Ref(), true
	}
	return graph.Ref{}, false
}

// labelIndexed are the kinds whose nodes byLabel indexes: those with
// graph.ListedLabels, the records of change governance, which only grow and
// are listed by label. All their labels are indexed (there are few). Other
// kinds' label filters scan the kind: an index of every node's labels would
// cost every ingest its upkeep and memory for listings nobody makes at
// that scale.
var labelIndexed = func() map[graph.Kind]bool {
	m := map[graph.Kind]bool{}
	for k := range graph.ListedLabels {
		m[k] = true
	}
	return m
}()

// labelKey names one of byLabel's trees.
type labelKey struct {
	kind graph.Kind
	k, v string
}

// indexLabels adds the node in slot i to byLabel's trees of its labels, or
// removes it (add false), when its kind is indexed.
func (st *state) indexLabels(i int32, add bool) {
	n := st.nodes[i].n
	if !labelIndexed[n.Kind] {
		return
	}
	eachLabel(st.nodes[i].data, func(k, v []byte) bool {
		lk := labelKey{n.Kind, string(k), string(v)}
		t := st.byLabel[lk]
		switch {
		case add && t == nil:
			t = newKindTree()
			st.byLabel[lk] = t
			fallthrough
		case add:
			t.ReplaceOrInsert(keyItem{key: n.Key, slot: i})
		case t != nil:
			t.Delete(keyItem{key: n.Key})
			if t.Len() == 0 {
				delete(st.byLabel, lk)
			}
		}
		return true
	})
}

// listTree is the tree List reads for kind k under the label filter want:
// the smallest of byLabel's trees want names when k is indexed (an empty
// one when a label names no node), else the kind's. exact is set when every
// node of the tree has the labels: no filter, or one indexed label.
func (st *state) listTree(k graph.Kind, want map[string]string) (tree *btree.BTreeG[keyItem], exact bool) {
	if len(want) == 0 {
		return st.byKind[k], true
	}
	if !labelIndexed[k] {
		return st.byKind[k], false
	}
	for lk, lv := range want {
		t := st.byLabel[labelKey{k, lk, lv}]
		if t == nil {
			return emptyTree, true
		}
		if tree == nil || t.Len() < tree.Len() {
			tree = t
		}
	}
	return tree, len(want) == 1
}

// emptyTree is what List reads for a label no node has; never written.
var emptyTree = newKindTree()

// removeNode removes the node and any relationship still touching it.
func (st *state) removeNode(id graph.ID) {
	i, ok := st.nodeAt.get(id)
	if !ok {
		return
	}
	for _, l := range [][]link{st.nodes[i].out, st.nodes[i].in} {
		for _, e := range slices.Clone(l) {
			st.removeEdge(st.edges[e.slot()].id)
		}
	}
	n := st.nodes[i].n
	st.unindexNode(i)
	st.byKind[n.Kind].Delete(keyItem{key: n.Key})
	st.nodeAt.delete(id)
	st.nodes[i] = nodeRec{}
	st.freeNodes = append(st.freeNodes, i)
}

// putLogEdge publishes a relationship; both its ends must be stored.
func (st *state) putLogEdge(e logEdge) error {
	typ, ok := relCodes[e.typ]
	if !ok {
		return fmt.Errorf("relationship %s has unknown type %q", e.id, e.typ)
	}
	from, okFrom := st.nodeAt.get(e.from)
	to, okTo := st.nodeAt.get(e.to)
	if !okFrom || !okTo {
		return fmt.Errorf("relationship %s %s has a missing end", e.typ, e.id)
	}
	if i, ok := st.edgeAt.get(e.id); ok {
		r := &st.edges[i]
		if r.from == from && r.to == to && r.typ == typ {
			// The usual update: same ends, new payload.
			return st.replacePayload(i, e.data)
		}
		st.removeEdge(e.id)
	}
	var i int32
	rec := edgeRec{id: e.id, from: from, to: to, typ: typ}
	if err := st.store(&rec, e.data); err != nil {
		return fmt.Errorf("relationship %s: %w", e.id, err)
	}
	if l := len(st.freeEdges); l > 0 {
		i, st.freeEdges = st.freeEdges[l-1], st.freeEdges[:l-1]
		st.edges[i] = rec
	} else {
		if len(st.edges) >= maxEdges {
			st.release(&rec)
			return fmt.Errorf("relationship %s: the store holds at most %d relationships", e.id, maxEdges)
		}
		i = int32(len(st.edges))
		st.edges = append(st.edges, rec)
	}
	st.edgeAt.put(e.id, i)
	st.nodes[from].out = append(st.nodes[from].out, newLink(i, typ))
	st.nodes[to].in = append(st.nodes[to].in, newLink(i, typ))
	return nil
}

// replacePayload gives the relationship in slot i a new payload in the
// log's form.
func (st *state) replacePayload(i int32, data []byte) error {
	r := &st.edges[i]
	old := *r
	if err := st.store(r, data); err != nil {
		return fmt.Errorf("relationship %s: %w", r.id, err)
	}
	st.release(&old)
	return nil
}

func (st *state) removeEdge(id graph.ID) {
	i, ok := st.edgeAt.get(id)
	if !ok {
		return
	}
	r := st.edges[i]
	drop := func(l []link) []link {
		l = slices.DeleteFunc(l, func(x link) bool { return x.slot() == i })
		if len(l) == 0 {
			return nil
		}
		return l
	}
	st.nodes[r.from].out = drop(st.nodes[r.from].out)
	st.nodes[r.to].in = drop(st.nodes[r.to].in)
	st.edgeAt.delete(id)
	st.edges[i] = edgeRec{}
	st.freeEdges = append(st.freeEdges, i)
	st.release(&r)
}

func addTo(m map[string]map[int32]struct{}, src string, i int32) {
	s := m[src]
	if s == nil {
		s = map[int32]struct{}{}
		m[src] = s
	}
	s[i] = struct{}{}
}

func removeFrom(m map[string]map[int32]struct{}, src string, i int32) {
	if s := m[src]; s != nil {
		delete(s, i)
		if len(s) == 0 {
			delete(m, src)
		}
	}
}

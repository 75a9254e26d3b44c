package embedded

import (
	"encoding/binary"

	"github.com/estate-cmdb/estate/graph"
)

// idIndex finds a node's or relationship's slot by id. A Go map from id to
// slot costs 30–50 bytes an entry, more than a relationship's whole
// payload; this open-addressing table holds only slot numbers (4 bytes
// each, at most three quarters full) and reads an entry's id back from
// the slot it names. Ids are SHA-1 based, so their first bytes are already
// a good hash. Collisions are resolved by linear probing, and deletion
// shifts the following entries back, so no tombstones accumulate.
//
// Each entry also keeps a few more bits of its id's hash (its tag): reading
// an id back is a cache miss on a large store, and a lookup of an id not
// stored (every new node and relationship of an ingest) passes several
// occupied buckets; the tag skips all but one in sixteen of them unread.
type idIndex struct {
	table []uint32 // per bucket, slot+1 in the low bits and the tag above; 0 is empty
	n     int
	idAt  func(slot int32) graph.ID
}

// tagBits of an entry hold its tag, the rest slot+1: slots stay below
// maxSlots.
const (
	tagBits  = 4
	slotBits = 32 - tagBits
	slotMask = 1<<slotBits - 1
	maxSlots = slotMask
)

// tagOf is the tag of hash h: its top bits, which no table size reaches.
func tagOf(h uint64) uint32 { return uint32(h>>(64-tagBits)) << slotBits }

// entry is the table's value for slot with hash h.
func entry(h uint64, slot int32) uint32 { return tagOf(h) | uint32(slot+1) }

func slotOf(v uint32) int32 { return int32(v&slotMask) - 1 }

func newIDIndex(idAt func(int32) graph.ID) idIndex { return idIndex{idAt: idAt} }

func hashID(id graph.ID) uint64 { return binary.LittleEndian.Uint64(id[:8]) }

func (x *idIndex) len() int { return x.n }

// find returns the bucket holding id, or the empty bucket where it would go.
func (x *idIndex) find(id graph.ID) (bucket int, found bool) {
	mask := len(x.table) - 1
	h := hashID(id)
	tag := tagOf(h)
	for b := int(h) & mask; ; b = (b + 1) & mask {
		v := x.table[b]
		if v == 0 {
			return b, false
		}
		if v&^slotMask == tag && x.idAt(slotOf(v)) == id {
			return b, true
		}
	}
}

func (x *idIndex) get(id graph.ID) (int32, bool) {
	if x.n == 0 {
		return 0, false
	}
	if b, ok := x.find(id); ok {
		return slotOf(x.table[b]), true
	}
	return 0, false
}

// put maps id to slot; idAt(slot) must already return id.
func (x *idIndex) put(id graph.ID, slot int32) {
	if (x.n+1)*4 > len(x.table)*3 {
		x.grow()
	}
	b, ok := x.find(id)
	if !ok {
		x.n++
	}
	x.table[b] = entry(hashID(id), slot)
}

func (x *idIndex) grow() {
	old := x.table
	x.table = make([]uint32, max(16, 2*len(old)))
	mask := len(x.table) - 1
	for _, v := range old {
		if v == 0 {
			continue
		}
		b := int(hashID(x.idAt(slotOf(v)))) & mask
		for x.table[b] != 0 {
			b = (b + 1) & mask
		}
		x.table[b] = v
	}
}

// delete removes id; idAt must still return id for its slot.
func (x *idIndex) delete(id graph.ID) {
	if x.n == 0 {
		return
	}
	hole, ok := x.find(id)
	if !ok {
		return
	}
	mask := len(x.table) - 1
	// Move back every following entry of the run that may not be found
	// past the hole once it is emptied.
	for b := (hole + 1) & mask; x.table[b] != 0; b = (b + 1) & mask {
		home := int(hashID(x.idAt(slotOf(x.table[b])))) & mask
		// The entry at b stays if its home lies cyclically in (hole, b].
		if (hole < b && hole < home && home <= b) || (b < hole && (hole < home || home <= b)) {
			continue
		}
		x.table[hole] = x.table[b]
		hole = b
	}
	x.table[hole] = 0
	x.n--
}

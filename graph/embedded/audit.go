package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/estate-cmdb/estate/graph"
)

// The audit trail (graph/audit.go) lives only on disk: an estate's history
// outgrows its graph, so no event is held in memory. Events are written in
// the transaction that commits the write they record, so a crash leaves
// both or neither, and compaction, which rewrites only the log buckets,
// leaves them alone.
//
// bucketAudit maps each event's Seq (8 bytes, big-endian, from the bucket's
// sequence) to graph.EncodeAuditEvent's bytes. bucketAuditBy indexes them
// by node: one empty value per node the event is about — a node event's
// subject, each end of a relationship event — keyed by auditIndexKey. The
// index key holds the event's time before its Seq, so that a node's keys
// sort in history order (graph.CompareAudit, reversed) whatever the clock
// did between writes, and a cursor or Since is a seek, not a scan.
var (
	bucketAudit   = []byte("audit")
	bucketAuditBy = []byte("audit.by")
)

const auditIndexKeyLen = 16 + 8 + 8

// auditIndexKey is node id, At in nanoseconds with the sign bit flipped (so
// that byte order is time order), then Seq.
func auditIndexKey(id graph.ID, at time.Time, seq int64) []byte {
	k := make([]byte, auditIndexKeyLen)
	copy(k, id[:])
	binary.BigEndian.PutUint64(k[16:], uint64(at.UnixNano())^1<<63)
	binary.BigEndian.PutUint64(k[24:], uint64(seq))
	return k
}

// indexKeyAt returns the time in an index key.
func indexKeyAt(k []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(k[16:])^1<<63)).UTC()
}

// createAuditBuckets makes the audit buckets, so that a file written before
// the audit trail existed opens and starts recording.
func createAuditBuckets(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketAudit, bucketAuditBy} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// record shows rec every change of c, with each item's stored state before
// it. It runs before the changes are published, so the state is still the
// one before the write.
func (c *changes) record(st *state, rec *graph.AuditRecorder) {
	for id, n := range c.putNodes {
		was, ok := c.wasNodes[id]
		if !ok {
			was = st.node(id)
		}
		rec.Node(was, n)
	}
	for id := range c.delNodes {
		rec.Node(st.node(id), nil)
	}
	for id, e := range c.putEdges {
		was, ok := c.wasEdges[id]
		if !ok {
			was = st.edgeByID(id)
		}
		rec.Edge(was, e)
	}
	for id := range c.delEdges {
		rec.Edge(st.edgeByID(id), nil)
	}
}

// writeAudit stores rec's events and their index entries in tx, numbering
// them from the audit bucket's sequence. ends holds relationships' end ids
// where the writer derived them (changes.ends).
func writeAudit(tx *bolt.Tx, rec *graph.AuditRecorder, ends map[graph.ID][2]graph.ID) error {
	if rec.Len() == 0 {
		return nil
	}
	events, by := tx.Bucket(bucketAudit), tx.Bucket(bucketAuditBy)
	first := events.Sequence() + 1
	if err := events.SetSequence(first + uint64(rec.Len()) - 1); err != nil {
		return err
	}
	// Seqs only grow, so bbolt can fill the event pages completely.
	events.FillPercent = 1.0
	var keys [][]byte
	for _, e := range rec.Events(int64(first)) {
		v, err := graph.EncodeAuditEvent(&e)
		if err != nil {
			return err
		}
		// bbolt keeps keys and values until the transaction ends: each
		// gets its own slice.
		if err := events.Put(binary.BigEndian.AppendUint64(nil, uint64(e.Seq)), v); err != nil {
			return err
		}
		about := []graph.ID{e.Subject}
		if e.IsEdge() {
			ids, ok := ends[e.Subject]
			if !ok {
				ids = [2]graph.ID{e.From.ID(), e.To.ID()}
			}
			about = ids[:]
			if ids[0] == ids[1] {
				about = about[:1]
			}
		}
		for _, id := range about {
			keys = append(keys, auditIndexKey(id, e.At, e.Seq))
		}
	}
	// bbolt splits pages only at commit, so keys put in random order pile
	// into a few pages, each put shifting all that came before (quadratic
	// in a write's events); in order, each lands after the last.
	slices.SortFunc(keys, bytes.Compare)
	for _, k := range keys {
		if err := by.Put(k, []byte{}); err != nil {
			return err
		}
	}
	return nil
}

// History implements graph.Store. It walks the node's index keys backwards
// from the cursor (or the end), in a read transaction that writers do not
// wait for, reading First+1 events to know whether another page follows.
func (s *Store) History(ctx context.Context, q graph.HistoryQuery) (*graph.HistoryPage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	// Keys before start in byte order are the events after the cursor in
	// history order; with no cursor, start is past every key of the node.
	start := append(q.ID[:], bytes.Repeat([]byte{0xff}, auditIndexKeyLen-16)...)
	if q.After != "" {
		at, seq, _ := graph.DecodeAuditCursor(q.After) // checked by Normalize
		start = auditIndexKey(q.ID, at, seq)
	}
	p := &graph.HistoryPage{}
	err = s.db.View(func(tx *bolt.Tx) error {
		events, c := tx.Bucket(bucketAudit), tx.Bucket(bucketAuditBy).Cursor()
		k, _ := c.Seek(start)
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, q.ID[:]); k, _ = c.Prev() {
			if !indexKeyAt(k).After(q.Since) {
				break
			}
			if len(p.Events) == q.First {
				p.HasNext = true
				break
			}
			v := events.Get(k[24:])
			if v == nil {
				return fmt.Errorf("data file %s is corrupt: audit index entry %x has no event", s.path, k)
			}
			e, err := graph.DecodeAuditEvent(v)
			if err != nil {
				return fmt.Errorf("data file %s is corrupt: audit event %x: %w", s.path, k[24:], err)
			}
			p.Events = append(p.Events, e)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
			return nil, graph.Unavailable(err, "embedded store is closed")
		}
		return nil, fmt.Errorf("history of %s: %w", q.ID, err)
	}
	p.FillCursors()
	return p, nil
}

package embedded

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/estate-cmdb/estate/graph"
)

// The audit trail (graph/audit.go) lives on disk: an estate's history
// outgrows its graph, so no event is held in memory. Events are written in
// the transaction that commits the write they record, so a crash leaves
// both or neither, and compaction, which rewrites only the log buckets,
// leaves them alone.
//
// bucketAudit holds the events in pieces of consecutive Seqs (from the
// bucket's sequence), each piece keyed by its first Seq (8 bytes,
// big-endian): auditPieceTag, then each event as its length (uvarint) and
// graph.EncodeAuditEvent's bytes. A put per event cost bbolt a cursor, a
// key copy and a leaf insert apiece, a tenth of a cold sync; pieces are cut
// at logChunkBytes, as the log's are. Files of format 5 and before hold one
// event per key, its bytes alone (a JSON object), and are read as they are
// (eachAuditEvent). The index finds them by
// node: one key per node the event is about — a node event's subject, each
// end of a relationship event (auditKey). The index key holds the event's
// time before its Seq, so that a node's keys sort in history order
// (graph.CompareAudit, reversed) whatever the clock did between writes,
// and a cursor or Since is a seek, not a scan.
//
// Index keys start with random node ids, so putting a write's keys would
// dirty a page per key all over a tree of millions (the problem the log
// avoids, embedded.go): the index trails the events instead. Entries of
// events after keyAuditIndexed (in the meta bucket: the last Seq whose
// entries are on disk) wait in memory (auditPending) and are written in
// bulk, sorted, as a run of their own (auditruns.go) when
// Options.AuditIndexPending of them wait (in the background, beside later
// writes: startAuditFlush) and at Close. History merges the runs and the
// pending entries. A crash loses only the pending entries, which Open
// derives again from the events after keyAuditIndexed. A file without the
// key (written before the index trailed) has a complete index.
//
// Files of format 6 and before hold the index in bucketAuditBy, one empty
// value per key in a single tree; Open moves it into a run.
var (
	bucketAudit   = []byte("audit")
	bucketAuditBy = []byte("audit.by")
	// keyAuditIndexed is in bucketMeta.
	keyAuditIndexed = []byte("audit.indexed")
)

const auditIndexKeyLen = 16 + 8 + 8

// auditKey is an index key: node id, At in nanoseconds with the sign bit
// flipped (so that byte order is time order), then Seq, as the four
// big-endian words it is written as, so that sorting keys compares
// integers.
type auditKey [auditIndexKeyLen / 8]uint64

func newAuditKey(id graph.ID, at, seq int64) auditKey {
	return auditKey{binary.BigEndian.Uint64(id[:8]), binary.BigEndian.Uint64(id[8:]), uint64(at) ^ 1<<63, uint64(seq)}
}

func (k auditKey) append(b []byte) []byte {
	for _, w := range k {
		b = binary.BigEndian.AppendUint64(b, w)
	}
	return b
}

func appendAuditIndexKey(k []byte, id graph.ID, at, seq int64) []byte {
	return newAuditKey(id, at, seq).append(k)
}

// auditPos is an event's place in a node's history: At in nanoseconds,
// then Seq. ok is false past the end of a history.
type auditPos struct {
	at, seq int64
	ok      bool
}

// indexKeyPos returns the position in an index key.
func indexKeyPos(k []byte) auditPos {
	return auditPos{int64(binary.BigEndian.Uint64(k[16:]) ^ 1<<63), int64(binary.BigEndian.Uint64(k[24:])), true}
}

// cmp orders positions as their index keys: oldest first.
func (a auditPos) cmp(b auditPos) int {
	if c := cmp.Compare(a.at, b.at); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// auditRef is an index entry waiting in memory.
type auditRef struct {
	id      graph.ID
	at, seq int64
	prev    int32 // the node's previous pending entry, or -1
}

// auditPending holds the index entries not yet on disk: one slice for all,
// chained per node through last, so that holding hundreds of thousands
// costs no allocation per node. Writers add under the store's writeMu, a
// flush drops what it wrote; mu lets History read while they do. Writers
// only append: the entries are chained when a history next reads them
// (of), as a sync adds hundreds of thousands that no history may read
// before they are flushed, and chaining each was a map insert on the
// writer's path.
type auditPending struct {
	mu      sync.RWMutex
	refs    []auditRef
	last    map[graph.ID]int32
	chained int // refs[:chained] are chained through last
}

func (p *auditPending) add(refs []auditRef) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refs = append(p.refs, refs...)
}

// of returns the positions of id's pending entries, newest first, after
// chaining those added since the last call. Callers hold mu exclusively.
func (p *auditPending) of(id graph.ID) []auditPos {
	if p.last == nil {
		p.last = map[graph.ID]int32{}
	}
	for i := p.chained; i < len(p.refs); i++ {
		r := &p.refs[i]
		r.prev = -1
		if j, ok := p.last[r.id]; ok {
			r.prev = j
		}
		p.last[r.id] = int32(i)
	}
	p.chained = len(p.refs)
	var out []auditPos
	i, ok := p.last[id]
	for ok && i >= 0 {
		r := &p.refs[i]
		out = append(out, auditPos{r.at, r.seq, true})
		i = r.prev
	}
	return out
}

func (p *auditPending) len() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.refs)
}

// sortedKeys returns the keys of the first n entries pending, sorted, as
// a run holds them: a flush that writes them drops that many (drop).
func (p *auditPending) sortedKeys(n int) []auditKey {
	p.mu.RLock()
	keys := make([]auditKey, n)
	for i, r := range p.refs[:n] {
		keys[i] = newAuditKey(r.id, r.at, r.seq)
	}
	p.mu.RUnlock()
	slices.SortFunc(keys, func(a, b auditKey) int { return slices.Compare(a[:], b[:]) })
	return keys
}

// drop removes the first n entries, written to the index by a flush; those
// added since stay. The entries are held anew rather than emptied: a slice
// and a map keep the capacity of the most they held (hundreds of thousands
// of entries) for as long as they live, and most of a store's life has far
// fewer pending.
func (p *auditPending) drop(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refs, p.last, p.chained = slices.Clone(p.refs[n:]), nil, 0
}

// auditAbout returns the ids of the nodes e is about: the first n of ids,
// in an array rather than a slice, as it runs for every event written.
// ends holds relationships' end ids where the writer derived them
// (changes.ends).
func auditAbout(e *graph.AuditEvent, ends map[graph.ID][2]graph.ID) (ids [2]graph.ID, n int) {
	if !e.IsEdge() {
		return [2]graph.ID{e.Subject}, 1
	}
	ids, ok := ends[e.Subject]
	if !ok {
		ids = [2]graph.ID{e.From.ID(), e.To.ID()}
	}
	if ids[0] == ids[1] {
		return ids, 1
	}
	return ids, 2
}

// createAuditBuckets makes the audit buckets, so that a file written before
// the audit trail existed opens and starts recording; marks a file without
// keyAuditIndexed as indexed up to its last event; removes the run a crash
// left open; and moves a format 6 index into a run.
func createAuditBuckets(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketAudit, bucketAuditRuns} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	// A crash's open run: its entries are after keyAuditIndexed, and Open
	// derives them again.
	if err := removeOpenRun(tx); err != nil {
		return err
	}
	meta := tx.Bucket(bucketMeta)
	if err := moveAuditIndex(tx); err != nil {
		return err
	}
	if meta.Get(keyAuditIndexed) != nil {
		return nil
	}
	return meta.Put(keyAuditIndexed, binary.BigEndian.AppendUint64(nil, tx.Bucket(bucketAudit).Sequence()))
}

// moveAuditIndex writes a format 6 index (bucketAuditBy) as a run and
// removes it, in tx: once, on the first Open by this estate.
func moveAuditIndex(tx *bolt.Tx) error {
	by := tx.Bucket(bucketAuditBy)
	if by == nil {
		return nil
	}
	w := &runWriter{}
	keys := make([]auditKey, 0, auditFlushChunk)
	err := by.ForEach(func(k, _ []byte) error {
		if len(k) != auditIndexKeyLen {
			return fmt.Errorf("audit index key %x is %d bytes, want %d", k, len(k), auditIndexKeyLen)
		}
		if keys = append(keys, keyOf(k)); len(keys) < cap(keys) {
			return nil
		}
		err := w.put(tx, keys)
		keys = keys[:0]
		return err
	})
	if err != nil {
		return err
	}
	if len(keys) > 0 {
		if err := w.put(tx, keys); err != nil {
			return err
		}
	}
	if w.name != nil {
		if err := w.close(tx); err != nil {
			return err
		}
	}
	return tx.DeleteBucket(bucketAuditBy)
}

// loadAuditPending derives the index entries of the events after
// keyAuditIndexed: those a crash kept from being flushed.
func (s *Store) loadAuditPending(ctx context.Context) error {
	var refs []auditRef
	err := s.db.View(func(tx *bolt.Tx) error {
		indexed := tx.Bucket(bucketMeta).Get(keyAuditIndexed)
		if len(indexed) != 8 {
			return fmt.Errorf("data file %s is corrupt: %s is %x", s.path, keyAuditIndexed, indexed)
		}
		c := tx.Bucket(bucketAudit).Cursor()
		from := int64(binary.BigEndian.Uint64(indexed)) + 1
		k, v := seekAudit(c, from)
		if k == nil {
			k, v = c.First()
		}
		for ; k != nil; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			err := eachAuditEvent(k, v, func(seq int64, b []byte) error {
				if seq < from {
					return nil
				}
				e, err := graph.DecodeAuditEvent(b)
				if err != nil {
					return err
				}
				ids, n := auditAbout(e, nil)
				for _, id := range ids[:n] {
					refs = append(refs, auditRef{id: id, at: e.At.UnixNano(), seq: e.Seq})
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("data file %s is corrupt: audit events from %x: %w", s.path, k, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.pending.add(refs)
	return nil
}

// auditFlushChunk is how many index entries one transaction of a flush
// puts. A flush runs beside the writers (startAuditFlush), and bbolt lets
// one transaction write at a time: in chunks, a write waits for one chunk,
// not for the whole flush. Each chunk appends its blocks to the run the
// one before left off.
var auditFlushChunk = 50_000

// startAuditFlush starts writing the pending index entries in the
// background once Options.AuditIndexPending of them wait: a flush of
// hundreds of thousands took a fifth of a cold sync's writes, all while
// the next write waited. One flush runs at a time; past twice the bound,
// the writer waits for it rather than let memory grow. Callers hold
// writeMu.
func (s *Store) startAuditFlush() {
	n := s.pending.len()
	if n < s.pendingBound {
		return
	}
	if s.flushing != nil {
		select {
		case <-s.flushing:
		default:
			if n < 2*s.pendingBound {
				return // the next write looks again
			}
			s.waitAuditFlush()
		}
	}
	// The entries are taken, and sorted, beside the writes: the writer
	// only counts them.
	n, mark, done := s.pending.len(), s.auditSeq, make(chan struct{})
	s.flushing = done
	go func() {
		defer close(done)
		keys := s.pending.sortedKeys(n)
		if err := s.writeAuditIndex(keys, mark); err != nil {
			// The events are committed; their entries stay pending, and
			// the flush is retried after a later write.
			s.log.Error().Err(err).Msg("embedded store audit index flush failed")
			return
		}
		s.pending.drop(len(keys))
		if err := s.mergeAuditRuns(); err != nil {
			// The runs stay as they are, all read; the next flush tries
			// again.
			s.log.Error().Err(err).Msg("embedded store audit index merge failed")
		}
	}()
}

// waitAuditFlush waits for the flush started in the background, if one
// was. Callers hold writeMu.
func (s *Store) waitAuditFlush() {
	if s.flushing != nil {
		<-s.flushing
		s.flushing = nil
	}
}

// flushAuditIndex writes every pending index entry and returns when they
// are on disk (Close). Callers hold writeMu.
func (s *Store) flushAuditIndex() error {
	s.waitAuditFlush()
	keys := s.pending.sortedKeys(s.pending.len())
	if err := s.writeAuditIndex(keys, s.auditSeq); err != nil {
		return err
	}
	s.pending.drop(len(keys))
	// A store opened and closed often writes a small run each time.
	return s.mergeAuditRuns()
}

// writeAuditIndex writes keys, sorted, as a new run in chunks
// (auditFlushChunk), the last of which completes the run and moves
// keyAuditIndexed to mark, the last event whose entries are among keys or
// on disk already. Until then a crash leaves the mark where it was and the
// run open: Open removes the run and derives its entries again.
func (s *Store) writeAuditIndex(keys []auditKey, mark int64) error {
	w := &runWriter{}
	for from := 0; from < len(keys); from += auditFlushChunk {
		chunk := keys[from:min(from+auditFlushChunk, len(keys))]
		last := from+len(chunk) == len(keys)
		err := s.db.Update(func(tx *bolt.Tx) error {
			if err := w.put(tx, chunk); err != nil {
				return err
			}
			if !last {
				return nil
			}
			if err := w.close(tx); err != nil {
				return err
			}
			return tx.Bucket(bucketMeta).Put(keyAuditIndexed, binary.BigEndian.AppendUint64(nil, uint64(mark)))
		})
		if err != nil {
			return fmt.Errorf("flush audit index of %s: %w", s.path, err)
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

// auditEventBytes is about what an ingest's event (an item created) takes
// encoded.
const auditEventBytes = 384

// encodedAudit is a write's audit events, encoded for bucketAudit before
// its transaction begins (encodeAudit), with their index entries for
// auditPending.
type encodedAudit struct {
	n      int      // events
	pieces [][]byte // each keyed by the Seq of its first event
	seqs   []int64
	refs   []auditRef
	err    error
}

// encodeAudit numbers rec's events from first and encodes them in pieces,
// into bufs (and leaves there the arrays it ends with). ends holds
// relationships' end ids where the writer derived them (changes.ends). A
// large write's events are encoded in two halves side by side: a write of
// relationships takes longer to record and encode than its log entry, and
// the writer waits for it.
func encodeAudit(rec *graph.AuditRecorder, ends map[graph.ID][2]graph.ID, first int64, bufs *[2][]byte) encodedAudit {
	evs := rec.Events(first)
	var halves [2]encodedAudit
	inParts(len(evs), halvesOf(len(evs)), func(h, lo, hi int) {
		halves[h] = encodeEvents(evs[lo:hi], ends, &bufs[h])
	})
	out, second := halves[0], halves[1]
	out.n += second.n
	out.pieces = append(out.pieces, second.pieces...)
	out.seqs = append(out.seqs, second.seqs...)
	out.refs = append(out.refs, second.refs...)
	out.err = cmp.Or(out.err, second.err)
	return out
}

// encodeEvents encodes numbered events in pieces cut from *buf.
func encodeEvents(evs []graph.AuditEvent, ends map[graph.ID][2]graph.ID, buf *[]byte) encodedAudit {
	n := len(evs)
	out := encodedAudit{n: n}
	if n == 0 {
		return out
	}
	// bbolt keeps values until the transaction ends, so each piece is cut
	// from a buffer that is only appended to: a piece's bytes stay put
	// when the buffer grows into a new array.
	vals := slices.Grow((*buf)[:0], (auditEventBytes+2)*n+n/(logChunkBytes/auditEventBytes)+1)
	defer func() { *buf = vals }()
	out.refs = make([]auditRef, 0, 2*n)
	var event []byte // one event, encoded before its length is known
	piece := -1
	cut := func() {
		out.pieces = append(out.pieces, vals[piece:])
		piece = -1
	}
	for i := range evs {
		e := &evs[i]
		var err error
		if event, err = graph.AppendAuditEvent(event[:0], e); err != nil {
			out.err = err
			return out
		}
		if piece >= 0 && len(vals)-piece+len(event) > logChunkBytes {
			cut()
		}
		if piece < 0 {
			piece = len(vals)
			out.seqs = append(out.seqs, e.Seq)
			vals = append(vals, auditPieceTag)
		}
		vals = binary.AppendUvarint(vals, uint64(len(event)))
		vals = append(vals, event...)
		ids, n := auditAbout(e, ends)
		for _, id := range ids[:n] {
			out.refs = append(out.refs, auditRef{id: id, at: e.At.UnixNano(), seq: e.Seq})
		}
	}
	cut()
	return out
}

// putAudit stores a write's encoded events in tx. last is the Seq of the
// last event stored before them, which the bucket's sequence must be.
func putAudit(tx *bolt.Tx, a *encodedAudit, last int64) error {
	if a.n == 0 {
		return nil
	}
	events := tx.Bucket(bucketAudit)
	if seq := events.Sequence(); seq != uint64(last) {
		return fmt.Errorf("audit sequence is %d, the store numbered from %d", seq, last)
	}
	if err := events.SetSequence(uint64(last) + uint64(a.n)); err != nil {
		return err
	}
	// Seqs only grow, so bbolt can fill the event pages completely.
	events.FillPercent = 1.0
	for i, p := range a.pieces {
		if err := events.Put(binary.BigEndian.AppendUint64(nil, uint64(a.seqs[i])), p); err != nil {
			return err
		}
	}
	return nil
}

// auditPieceTag starts a piece of events (a format 5 event, a JSON object,
// starts with '{').
const auditPieceTag = 0

// seekAudit returns the piece (or format 5 event) that holds the event seq
// if there is one: the last key at or before seq. c is then on it.
func seekAudit(c *bolt.Cursor, seq int64) (k, v []byte) {
	key := binary.BigEndian.AppendUint64(nil, uint64(seq))
	switch k, v = c.Seek(key); {
	case k == nil:
		return c.Last()
	case bytes.Equal(k, key):
		return k, v
	}
	return c.Prev()
}

// eachAuditEvent calls fn with each event of the piece (or format 5
// event) v at key k, in order, with its Seq, until fn fails.
func eachAuditEvent(k, v []byte, fn func(seq int64, b []byte) error) error {
	seq := int64(binary.BigEndian.Uint64(k))
	if len(v) == 0 || v[0] != auditPieceTag {
		return fn(seq, v)
	}
	for r := v[1:]; len(r) > 0; seq++ {
		size, w := binary.Uvarint(r)
		if w <= 0 || size > uint64(len(r)-w) {
			return fmt.Errorf("audit event %d: truncated", seq)
		}
		if err := fn(seq, r[w:w+int(size)]); err != nil {
			return err
		}
		r = r[w+int(size):]
	}
	return nil
}

// errAuditFound stops eachAuditEvent once auditEventAt has its event.
var errAuditFound = errors.New("found")

// auditEventAt returns the bytes of the event seq, read with c, a cursor
// on bucketAudit; nil when there is none.
func auditEventAt(c *bolt.Cursor, seq int64) ([]byte, error) {
	k, v := seekAudit(c, seq)
	if k == nil {
		return nil, nil
	}
	var found []byte
	err := eachAuditEvent(k, v, func(s int64, b []byte) error {
		switch {
		case s == seq:
			found = b
			return errAuditFound
		case s > seq:
			return errAuditFound
		}
		return nil
	})
	if err != nil && !errors.Is(err, errAuditFound) {
		return nil, err
	}
	return found, nil
}

// History implements graph.Store. It walks the node's index keys backwards
// from the cursor (or the end), in a read transaction that writers do not
// wait for, merged with its pending entries, reading First+1 events to know
// whether another page follows.
func (s *Store) History(ctx context.Context, q graph.HistoryQuery) (*graph.HistoryPage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	// Positions before start are the events after the cursor in history
	// order; with no cursor, start is past every position.
	start := auditPos{math.MaxInt64, math.MaxInt64, true}
	if q.After != "" {
		at, seq, _ := graph.DecodeAuditCursor(q.After) // checked by Normalize
		start = auditPos{at.UnixNano(), seq, true}
	}
	since := q.Since.UnixNano()
	if q.Since.IsZero() {
		since = math.MinInt64
	}
	// The transaction begins before the pending entries are read: an entry
	// a flush commits meanwhile is in one or both, never in neither.
	s.pending.mu.Lock()
	tx, err := s.db.Begin(false)
	var pending []auditPos
	if err == nil {
		pending = s.pending.of(q.ID)
	}
	s.pending.mu.Unlock()
	if err != nil {
		if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
			return nil, graph.Unavailable(err, "embedded store is closed")
		}
		return nil, fmt.Errorf("history of %s: %w", q.ID, err)
	}
	defer tx.Rollback()
	pending = slices.DeleteFunc(pending, func(p auditPos) bool { return p.cmp(start) >= 0 || p.at <= since })
	slices.SortFunc(pending, func(a, b auditPos) int { return b.cmp(a) })
	events := tx.Bucket(bucketAudit).Cursor()
	runs := tx.Bucket(bucketAuditRuns)
	var ran []historyCursor
	for _, name := range auditRuns(tx) {
		ran = append(ran, seekHistory(runs.Bucket(name), q.ID, start, since))
	}
	p := &graph.HistoryPage{}
	for {
		// The newest position any run or the pending entries hold; an
		// entry a flush wrote after the pending entries were read is in
		// both, and is one event.
		var e auditPos
		if len(pending) > 0 {
			e = pending[0]
		}
		for _, h := range ran {
			if at := h.pos(); at.ok && (!e.ok || at.cmp(e) > 0) {
				e = at
			}
		}
		if !e.ok {
			break
		}
		if len(p.Events) == q.First {
			p.HasNext = true
			break
		}
		if len(pending) > 0 && pending[0].cmp(e) == 0 {
			pending = pending[1:]
		}
		for _, h := range ran {
			if at := h.pos(); at.ok && at.cmp(e) == 0 {
				h.prev()
			}
		}
		v, err := auditEventAt(events, e.seq)
		if err != nil {
			return nil, fmt.Errorf("data file %s is corrupt: %w", s.path, err)
		}
		if v == nil {
			return nil, fmt.Errorf("data file %s is corrupt: audit index entry of %s has no event %d", s.path, q.ID, e.seq)
		}
		ev, err := graph.DecodeAuditEvent(v)
		if err != nil {
			return nil, fmt.Errorf("data file %s is corrupt: audit event %d: %w", s.path, e.seq, err)
		}
		p.Events = append(p.Events, ev)
	}
	p.FillCursors()
	return p, nil
}

package embedded

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/estate-cmdb/estate/graph"
)

// The audit index on disk is a set of runs, as a log-structured merge tree
// keeps its tables: each flush writes its entries, sorted, as a new run at
// the end of a bucket of its own, and a node's history reads every run.
// Until format 6 it was one tree keyed by node id, into which each flush
// put its entries: they landed all over it, so that at tier L a flush of
// 50,000 entries rewrote most pages of a tree of millions, and writers
// waited for the bbolt write lock for a fifth of a cold sync
// (docs/benchmarks.md). A run is written once, in order.
//
// bucketAuditRuns holds one bucket per run, named by its number (8 bytes,
// big-endian, from the bucket's sequence: a later run has a higher one). A
// run holds blocks of up to auditBlockKeys index keys (auditKey), sorted
// and concatenated, each block keyed by its first key. A run is written in
// several transactions (a flush's chunks, or a merge), and keyAuditRunOpen
// in bucketMeta names it until the last: reads skip that run, and Open
// removes it, so a crash leaves no part of a run that a reread of the
// pending entries would repeat. Once a flush leaves more than
// auditMaxRuns, they are merged into one (mergeAuditRuns), so that a
// history reads a bounded number of runs.
var (
	bucketAuditRuns = []byte("audit.runs")
	keyAuditRunOpen = []byte("audit.run.open")
)

// Variables, not constants, so that tests can cut blocks, chunks and runs
// small.
var (
	// auditBlockKeys is how many index keys a block holds: 2 KiB, two to a
	// page.
	auditBlockKeys = 64
	// auditMaxRuns is how many runs a flush may leave before they are
	// merged. A cold sync at tier L writes about 9 (4 million entries, one
	// run per 500,000), and so merges none.
	auditMaxRuns = 16
)

func blockLen(v []byte) int           { return len(v) / auditIndexKeyLen }
func blockKey(v []byte, i int) []byte { return v[i*auditIndexKeyLen : (i+1)*auditIndexKeyLen] }

// keyOf reads an index key back into its words.
func keyOf(k []byte) auditKey {
	var a auditKey
	for i := range a {
		a[i] = binary.BigEndian.Uint64(k[8*i:])
	}
	return a
}

// auditRuns returns the names of the runs a read sees: all but the one
// being written. They are valid for the life of tx.
func auditRuns(tx *bolt.Tx) [][]byte {
	open := tx.Bucket(bucketMeta).Get(keyAuditRunOpen)
	var names [][]byte
	c := tx.Bucket(bucketAuditRuns).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v == nil && !bytes.Equal(k, open) { // a nested bucket has no value
			names = append(names, k)
		}
	}
	return names
}

// runWriter writes sorted index keys as a new run, one or more chunks per
// transaction.
type runWriter struct {
	name  []byte // the run's bucket, once put created it
	last  auditKey
	wrote bool
}

// put appends keys, sorted and after any put before, to the run, in tx;
// the first put creates the run and marks it open. A key equal to the one
// before it is skipped: a merge may meet one entry in two runs, and a
// block keyed like the one before would replace it.
func (w *runWriter) put(tx *bolt.Tx, keys []auditKey) error {
	runs := tx.Bucket(bucketAuditRuns)
	if w.name == nil {
		// A run a failed flush or merge left open: its entries are
		// pending again, or still in the runs it merged.
		if err := removeOpenRun(tx); err != nil {
			return err
		}
		seq, err := runs.NextSequence()
		if err != nil {
			return err
		}
		name := binary.BigEndian.AppendUint64(nil, seq)
		if _, err := runs.CreateBucket(name); err != nil {
			return fmt.Errorf("create audit index run %x: %w", name, err)
		}
		if err := tx.Bucket(bucketMeta).Put(keyAuditRunOpen, name); err != nil {
			return err
		}
		w.name = name
	}
	b := runs.Bucket(w.name)
	// Keys only grow, so bbolt can fill pages completely.
	b.FillPercent = 1.0
	// bbolt keeps keys and values until the transaction ends: every block
	// and its key are cut from one array, which never grows.
	buf := make([]byte, 0, len(keys)*auditIndexKeyLen)
	block := 0
	flush := func() error {
		if block == len(buf) {
			return nil
		}
		err := b.Put(buf[block:block+auditIndexKeyLen], buf[block:])
		block = len(buf)
		return err
	}
	for _, k := range keys {
		if w.wrote && k == w.last {
			continue
		}
		w.last, w.wrote = k, true
		if len(buf)-block == auditBlockKeys*auditIndexKeyLen {
			if err := flush(); err != nil {
				return err
			}
		}
		buf = k.append(buf)
	}
	return flush()
}

// removeOpenRun removes the run marked open, if any, and the mark.
func removeOpenRun(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	open := meta.Get(keyAuditRunOpen)
	if open == nil {
		return nil
	}
	if err := tx.Bucket(bucketAuditRuns).DeleteBucket(open); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
		return fmt.Errorf("remove the unfinished audit index run %x: %w", open, err)
	}
	return meta.Delete(keyAuditRunOpen)
}

// close marks the run complete, in the transaction of its last put.
func (w *runWriter) close(tx *bolt.Tx) error {
	return tx.Bucket(bucketMeta).Delete(keyAuditRunOpen)
}

// runCursor reads a run's keys in order, either way, from a position.
type runCursor struct {
	c     *bolt.Cursor
	block []byte // nil past either end
	i     int
}

// seekRunAfter returns a cursor on the first key of run b after the key
// after (from the first key when after is nil).
func seekRunAfter(b *bolt.Bucket, after []byte) *runCursor {
	r := &runCursor{c: b.Cursor()}
	if after == nil {
		_, r.block = r.c.First()
		return r
	}
	// The block holding the first key after it starts at or before it, or
	// is the block Seek finds.
	k, v := r.c.Seek(after)
	switch {
	case k == nil:
		_, v = r.c.Last()
	case bytes.Compare(k, after) > 0:
		if pk, pv := r.c.Prev(); pk != nil {
			v = pv
		} else {
			_, v = r.c.First()
		}
	}
	r.block = v
	r.i = sort.Search(blockLen(v), func(i int) bool { return bytes.Compare(blockKey(v, i), after) > 0 })
	if r.i == blockLen(v) {
		r.next()
	}
	return r
}

// seekRunBefore returns a cursor on the last key of run b before the key
// before.
func seekRunBefore(b *bolt.Bucket, before []byte) *runCursor {
	r := &runCursor{c: b.Cursor()}
	// Every key before it is in a block that starts before it: the one
	// before the block Seek finds.
	if k, _ := r.c.Seek(before); k == nil {
		_, r.block = r.c.Last()
	} else {
		_, r.block = r.c.Prev()
	}
	r.i = sort.Search(blockLen(r.block), func(i int) bool { return bytes.Compare(blockKey(r.block, i), before) >= 0 }) - 1
	if r.i < 0 {
		r.block = nil
	}
	return r
}

// key returns the current key, nil past either end.
func (r *runCursor) key() []byte {
	if r.block == nil {
		return nil
	}
	return blockKey(r.block, r.i)
}

func (r *runCursor) next() {
	if r.i++; r.i >= blockLen(r.block) {
		_, r.block = r.c.Next()
		r.i = 0
	}
}

func (r *runCursor) prev() {
	if r.i--; r.i < 0 {
		_, r.block = r.c.Prev()
		r.i = blockLen(r.block) - 1
	}
}

// historyCursor reads one node's keys in one run backwards, newest first,
// down to a time.
type historyCursor struct {
	*runCursor
	id    graph.ID
	since int64
}

// seekHistory returns a cursor on id's last key in run b before position
// start (exclusive), reading keys after since.
func seekHistory(b *bolt.Bucket, id graph.ID, start auditPos, since int64) historyCursor {
	return historyCursor{seekRunBefore(b, appendAuditIndexKey(nil, id, start.at, start.seq)), id, since}
}

// pos returns the current key's position; not ok once past the node's
// keys or since.
func (h historyCursor) pos() auditPos {
	k := h.key()
	if k == nil || !bytes.HasPrefix(k, h.id[:]) {
		return auditPos{}
	}
	if p := indexKeyPos(k); p.at > h.since {
		return p
	}
	return auditPos{}
}

// mergeAuditRuns merges every run into one once there are more than
// auditMaxRuns. It reads the runs in chunks of auditFlushChunk keys, each
// in a read transaction of its own (bbolt lets a write wait for a read
// that the same goroutine holds, so none stays open across a write), and
// writes each chunk to the new run; the last write removes the merged
// runs, so a read sees either them or the new run, never both. It runs
// where flushes do, never beside one.
func (s *Store) mergeAuditRuns() error {
	var names [][]byte
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, n := range auditRuns(tx) {
			names = append(names, bytes.Clone(n))
		}
		return nil
	})
	if err != nil || len(names) <= auditMaxRuns {
		return err
	}
	var after []byte // the last key merged: every run resumes after it
	w := &runWriter{}
	for {
		chunk := make([]auditKey, 0, auditFlushChunk)
		err := s.db.View(func(tx *bolt.Tx) error {
			runs := tx.Bucket(bucketAuditRuns)
			curs := make([]*runCursor, len(names))
			for i, n := range names {
				curs[i] = seekRunAfter(runs.Bucket(n), after)
			}
			for len(chunk) < auditFlushChunk {
				var least []byte
				for _, r := range curs {
					if k := r.key(); k != nil && (least == nil || bytes.Compare(k, least) < 0) {
						least = k
					}
				}
				if least == nil {
					break
				}
				chunk = append(chunk, keyOf(least))
				for _, r := range curs {
					if bytes.Equal(r.key(), least) {
						r.next()
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("merge audit index runs of %s: %w", s.path, err)
		}
		last := len(chunk) < auditFlushChunk
		if !last {
			after = chunk[len(chunk)-1].append(nil)
		}
		err = s.db.Update(func(tx *bolt.Tx) error {
			if err := w.put(tx, chunk); err != nil {
				return err
			}
			if !last {
				return nil
			}
			runs := tx.Bucket(bucketAuditRuns)
			for _, n := range names {
				if err := runs.DeleteBucket(n); err != nil {
					return err
				}
			}
			return w.close(tx)
		})
		if err != nil {
			return fmt.Errorf("merge audit index runs of %s: %w", s.path, err)
		}
		if last {
			return nil
		}
	}
}

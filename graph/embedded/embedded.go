// Package embedded is estate's default backend: the whole graph in memory for
// fast reads and traversals, made durable in a bbolt file so that one process
// on a laptop needs no other server.
//
// Every write is validated and merged first, then committed in one bbolt
// transaction and published to the in-memory indexes: after the
// transaction, or, for a large write, beside it with readers kept out until
// both end (commit). A crash at any point therefore leaves the last
// committed state on disk, and readers never see a half-applied batch nor
// one the file has not taken. Writers are serialised; readers run
// concurrently with each other and only wait for the publish step.
package embedded

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/google/btree"
	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/estate-cmdb/estate/graph"
)

// FileName is the bbolt file inside the data directory.
const FileName = "estate.db"

// format marks a file as an estate store, so that Open refuses any other
// bbolt file instead of reading garbage. Format 7 writes the audit index
// in runs (auditruns.go), audit events in pieces (audit.go), and binary log
// entries that may hold touches and whose relationships' assertions have
// scopes (logentry.go, codec.go); a format 6 file (the audit index in one tree, moved
// into a run on open), format 5 file (one audit event per key), format 4
// file (no scopes), format 3 file (binary entries without touches) or
// format 2 file (JSON entries) is still read, and its marker is moved to 7
// on open, so that an older estate refuses the file instead of misreading
// new entries.
const (
	format   = "estate-embedded-7"
	formatV6 = "estate-embedded-6"
	formatV5 = "estate-embedded-5"
	formatV4 = "estate-embedded-4"
	formatV3 = "estate-embedded-3"
	formatV2 = "estate-embedded-2"
)

// The file holds a meta bucket and a log: one entry per committed write,
// keyed by a growing sequence number. Appending keeps every commit's page
// writes proportional to the write itself; with one record per key, a batch
// of random ids would rewrite pages all over a large file. The log lives in
// one of two buckets, so compaction can build the other and switch. The
// audit trail and ingest run records have buckets of their own (audit.go,
// runs.go).
var (
	bucketMeta = []byte("meta")
	keyFormat  = []byte("format")
	keyActive  = []byte("log")
	logA       = []byte("log.a")
	logB       = []byte("log.b")
)

// Options tune the embedded store.
type Options struct {
	Logger zerolog.Logger
	// LockTimeout is how long Open waits for another process to release the
	// data directory (default 200ms).
	LockTimeout time.Duration
	// NoSync skips fsync on commit. Only for benchmarks and throwaway data:
	// a crash may then lose recent commits.
	NoSync bool
	// Now is the clock (default time.Now); tests fix it.
	Now func() time.Time
	// CompactSlack is how many superseded records the log may hold beyond
	// the live ones before it is compacted (default 50,000); a large estate
	// may hold as many superseded records as live ones (see maybeCompact).
	CompactSlack int
	// AuditIndexPending is how many audit index entries (one per node an
	// event is about) wait in memory before they are written to the index
	// together, in the background (default 500,000; audit.go). While a
	// flush is under way up to twice as many wait.
	AuditIndexPending int
}

// Store is the embedded backend. It implements graph.Store.
type Store struct {
	db   *bolt.DB
	log  zerolog.Logger
	now  func() time.Time
	path string

	writeMu sync.Mutex // serialises writers: merge, commit, publish
	marks   marks      // what the write under way touches (Apply)

	// active is the log bucket in force; logged weighs the records in it
	// (logEntry.weight).
	// Both are only touched by writers (under writeMu) and Open.
	active []byte
	logged int
	slack  int

	mu    sync.RWMutex // guards state's contents
	state *state

	runs runIndex // ingest run records (runs.go)

	pending      auditPending // audit index entries not yet on disk (audit.go)
	pendingBound int
	// flushing is closed when the last flush started in the background
	// ends (startAuditFlush); nil when none was started since the last
	// wait for one. Only writers (under writeMu) touch it.
	flushing chan struct{}
	// auditSeq is the Seq of the last audit event committed (the audit
	// bucket's sequence), so that a write's events are numbered before its
	// transaction begins. Only writers (under writeMu) and Open touch it.
	auditSeq int64
	// broken is set when a commit failed after its write was published
	// and the file could not be read again: memory may then hold a write
	// the file does not, and no more writes are taken. Only writers touch
	// it.
	broken error
	// beforeCommit runs last in every write's transaction; its error
	// aborts the transaction. Tests set it to make a commit fail.
	beforeCommit func(*bolt.Tx) error
	// buffers are what writes encode into, kept for the next write. Only
	// writers touch them.
	buffers buffers
}

// buffers are the byte arrays a write encodes its log entry, the entry's
// pieces and its audit events into, kept from one write to the next: a cold
// sync encodes gigabytes, and fresh arrays for every write made the
// collector run a quarter more often. Nothing outlives the commit that used
// them: the state copies what it keeps, and bbolt copies values into its
// pages before the transaction ends.
type buffers struct {
	// A large write's nodes and audit events are encoded in two halves
	// (changes.logEntry, encodeAudit).
	entry, audit [2][]byte
	log          []byte
}

// keepBytes is the largest buffer kept: one huge write (a restore) should
// not hold its arrays for good.
const keepBytes = 32 << 20

// keep drops any buffer grown past keepBytes; the others are kept for the
// next write, which encodes from their start.
func (b *buffers) keep() {
	for _, buf := range []*[]byte{&b.entry[0], &b.entry[1], &b.audit[0], &b.audit[1], &b.log} {
		if cap(*buf) > keepBytes {
			*buf = nil
		}
	}
}

// Open opens (creating if needed) the store in dir. It fails with a clear
// error when another process holds the directory or the file is not a
// readable estate store.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if opts.LockTimeout == 0 {
		opts.LockTimeout = 200 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CompactSlack <= 0 {
		opts.CompactSlack = 50_000
	}
	if opts.AuditIndexPending <= 0 {
		opts.AuditIndexPending = 500_000
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory %q: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, NoSync: opts.NoSync, NoFreelistSync: true})
	if err != nil {
		switch {
		case errors.Is(err, bolterrors.ErrTimeout):
			return nil, fmt.Errorf("data directory %q is in use by another estate process (lock held on %s): stop it first, or, if it is estate serve, ask it through its web UI or GraphQL API", dir, path)
		case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrChecksum), errors.Is(err, bolterrors.ErrVersionMismatch):
			return nil, fmt.Errorf("data file %s is corrupt or not an estate store: %w", path, err)
		}
		return nil, fmt.Errorf("open data file %s: %w", path, err)
	}
	s := &Store{slack: opts.CompactSlack, pendingBound: opts.AuditIndexPending, db: db, log: opts.Logger.With().Str("component", "store.embedded").Logger(), now: opts.Now, path: path,
		beforeCommit: func(*bolt.Tx) error { return nil }}
	start := time.Now()
	if err := s.load(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadRuns(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadAuditPending(ctx); err != nil {
		db.Close()
		return nil, err
	}
	s.log.Info().Int("nodes", s.state.numNodes()).Int("edges", s.state.numEdges()).
		Dur("took", time.Since(start)).Str("path", path).Msg("embedded store opened")
	return s, nil
}

// load checks the file's format marker and replays the log into memory.
func (s *Store) load(ctx context.Context) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			if k, _ := tx.Cursor().First(); k != nil {
				return fmt.Errorf("data file %s is not an estate store (no format marker)", s.path)
			}
			var err error
			if meta, err = tx.CreateBucket(bucketMeta); err != nil {
				return err
			}
			if err := meta.Put(keyFormat, []byte(format)); err != nil {
				return err
			}
			if err := meta.Put(keyActive, logA); err != nil {
				return err
			}
		}
		switch f := string(meta.Get(keyFormat)); f {
		case format:
		case formatV6, formatV5, formatV4, formatV3, formatV2:
			if err := meta.Put(keyFormat, []byte(format)); err != nil {
				return err
			}
		default:
			return fmt.Errorf("data file %s has format %q, this estate reads %q", s.path, f, format)
		}
		if _, err := tx.CreateBucketIfNotExists(meta.Get(keyActive)); err != nil {
			return err
		}
		return createAuditBuckets(tx)
	})
	if err != nil {
		return err
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		s.active = bytes.Clone(tx.Bucket(bucketMeta).Get(keyActive))
		s.auditSeq = int64(tx.Bucket(bucketAudit).Sequence())
		return nil
	})
	if err != nil {
		return err
	}
	if s.state, s.logged, err = s.replay(ctx); err != nil {
		return err
	}
	return s.maybeCompact(ctx)
}

// errStopped stops the parsing of log entries nobody will apply.
var errStopped = errors.New("replay stopped")

// replay reads the log in force into a new state, and returns what its
// records weigh towards compaction.
func (s *Store) replay(ctx context.Context) (*state, int, error) {
	st := newState()
	logged := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		// Entries are parsed on one goroutine, the only one using tx, and
		// applied in order on this one. The parser has ended before the
		// transaction does: what it parsed points into the stored values.
		type parsed struct {
			k   []byte
			p   *parsedEntry
			err error
		}
		entries, stop := make(chan parsed, 64), make(chan struct{})
		go func() {
			defer close(entries)
			tx.Bucket(s.active).ForEach(func(k, v []byte) error {
				p, err := parseEntry(v)
				select {
				case entries <- parsed{k: k, p: p, err: err}:
				case <-stop:
					return errStopped
				}
				return err
			})
		}()
		defer func() {
			close(stop)
			for range entries {
			}
		}()
		for e := range entries {
			if err := ctx.Err(); err != nil {
				return err
			}
			n, err := 0, e.err
			if err == nil {
				n, err = e.p.apply(st)
			}
			if err != nil {
				return fmt.Errorf("data file %s is corrupt: log entry %x: %w", s.path, e.k, err)
			}
			logged += n
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	st.trim()
	return st, logged, nil
}

// appendLog writes an entry at the end of the log bucket, in pieces
// (logEntry.chunks), and returns what they weigh towards compaction.
func appendLog(tx *bolt.Tx, bucket []byte, e *logEntry, buf []byte) (weight int, _ []byte, _ error) {
	b := tx.Bucket(bucket)
	// Keys only grow, so bbolt can fill pages completely.
	b.FillPercent = 1.0
	// bbolt keeps keys and values until the transaction ends: each key is
	// its own array, and each value is cut from buf, which is only
	// appended to (sized for the whole entry, so it rarely moves).
	buf = slices.Grow(buf[:0], e.size())
	for _, c := range e.chunks(logChunkBytes) {
		seq, err := b.NextSequence()
		if err != nil {
			return 0, buf, err
		}
		start := len(buf)
		buf = c.encode(buf)
		if err := b.Put(binary.BigEndian.AppendUint64(nil, seq), buf[start:len(buf):len(buf)]); err != nil {
			return 0, buf, err
		}
		weight += c.weight()
	}
	return weight, buf, nil
}

// maybeCompact rewrites the log as a snapshot of the live graph once it
// holds more superseded records than CompactSlack and than live ones, so the
// file and the start-up replay stay proportional to the estate, not to its
// history. The second bound keeps compaction amortised: a sync that
// rewrites every record of a large estate (a no-op sync refreshes every
// last-seen time) triggers at most one compaction, not one per
// CompactSlack records — each of which would write the whole estate. It writes
// the snapshot into the inactive bucket over several transactions and
// switches to it in a last one, so a crash mid-way leaves the old log in
// force. Callers hold writeMu (or are Open).
func (s *Store) maybeCompact(ctx context.Context) error {
	live := s.state.numNodes() + s.state.numEdges()
	if s.logged <= live+max(s.slack, live) {
		return nil
	}
	start := time.Now()
	next := logA
	if bytes.Equal(s.active, logA) {
		next = logB
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(next) != nil {
			if err := tx.DeleteBucket(next); err != nil {
				return err
			}
		}
		_, err := tx.CreateBucket(next)
		return err
	})
	if err != nil {
		return fmt.Errorf("compact %s: %w", s.path, err)
	}
	// Snapshot in chunks: nodes first, so every relationship's ends exist
	// when it is replayed.
	var chunk logEntry
	flush := func() error {
		if chunk.records() == 0 {
			return nil
		}
		err := s.db.Update(func(tx *bolt.Tx) error {
			_, _, err := appendLog(tx, next, &chunk, nil)
			return err
		})
		chunk = logEntry{}
		return err
	}
	st := s.state
	for i := range st.nodes {
		r := &st.nodes[i]
		if r.n == nil {
			continue
		}
		// The log keeps a node's labels in its JSON, its properties apart.
		n := *r.n
		st.decodeData(int32(i), &n)
		n.Props = nil
		v, err := json.Marshal(&n)
		if err != nil {
			return fmt.Errorf("compact %s: %w", s.path, err)
		}
		chunk.nodes = append(chunk.nodes, logNode{props: nodeProps(r.data), json: v})
		if chunk.records() == compactChunk {
			if err := flush(); err != nil {
				return fmt.Errorf("compact %s: %w", s.path, err)
			}
		}
	}
	for _, r := range st.edges {
		if r.typ == 0 {
			continue
		}
		chunk.edges = append(chunk.edges, logEdge{id: r.id, typ: r.typ.relType(), from: st.nodes[r.from].n.ID, to: st.nodes[r.to].n.ID, data: st.syms.expand(st.payload(&r))})
		if chunk.records() == compactChunk {
			if err := flush(); err != nil {
				return fmt.Errorf("compact %s: %w", s.path, err)
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("compact %s: %w", s.path, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Put(keyActive, next); err != nil {
			return err
		}
		return tx.DeleteBucket(s.active)
	})
	if err != nil {
		return fmt.Errorf("compact %s: %w", s.path, err)
	}
	s.log.Info().Int("live", live).Int("logged", s.logged).Dur("took", time.Since(start)).Msg("embedded store log compacted")
	s.active, s.logged = next, live
	return ctx.Err()
}

// compactChunk is the number of records per log entry in a snapshot.
const compactChunk = 20_000

// Close writes the pending audit index entries and releases the data
// directory.
func (s *Store) Close() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return errors.Join(s.flushAuditIndex(), s.db.Close())
}

// Ping reports whether the store is open.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(func(*bolt.Tx) error { return nil })
}

// changes is a write prepared in full before it touches disk or memory.
type changes struct {
	putNodes map[graph.ID]*graph.Node
	putEdges map[graph.ID]*graph.Edge
	// ends caches the node ids of put relationships' ends where the writer
	// already derived them (each is a SHA-1 of the end's kind and key).
	ends     map[graph.ID][2]graph.ID
	delNodes map[graph.ID]bool
	delEdges map[graph.ID]bool
	// wasNodes and wasEdges hold the stored state of put items where the
	// writer already read it, so that recording the change (audit.go)
	// copies nothing more; other items are read when recorded.
	wasNodes map[graph.ID]*graph.Node
	wasEdges map[graph.ID]*graph.Edge
	// touchedNodes and touchedEdges are the slots of the stored items the
	// write only touches, by touch (touch.go): not put, and recorded as
	// nothing.
	touch                      touch
	touchedNodes, touchedEdges []int32
}

func newChanges() *changes {
	return &changes{
		putNodes: map[graph.ID]*graph.Node{}, putEdges: map[graph.ID]*graph.Edge{},
		ends:     map[graph.ID][2]graph.ID{},
		delNodes: map[graph.ID]bool{}, delEdges: map[graph.ID]bool{},
		wasNodes: map[graph.ID]*graph.Node{}, wasEdges: map[graph.ID]*graph.Edge{},
	}
}

// exists reports whether the node will exist after the pending changes.
func (c *changes) exists(st *state, id graph.ID) bool {
	if c.delNodes[id] {
		return false
	}
	_, ok := c.putNodes[id]
	return ok || st.has(id)
}

func (c *changes) deleteNode(st *state, id graph.ID) {
	c.delNodes[id] = true
	delete(c.putNodes, id)
	if i, ok := st.nodeAt.get(id); ok {
		for _, e := range st.nodes[i].out {
			c.deleteEdge(st.edges[e.slot()].id)
		}
		for _, e := range st.nodes[i].in {
			c.deleteEdge(st.edges[e.slot()].id)
		}
	}
}

// fits refuses, with CodeLimitExceeded, changes that would leave more
// nodes or relationships than the store holds (maxNodes, maxEdges). It
// must run before the commit: a committed write is published, and
// replayed at every open, in full.
func (c *changes) fits(st *state) error {
	if n, over := overBound(&st.nodeAt, maxNodes, c.putNodes, c.delNodes); over {
		return graph.Errorf(graph.CodeLimitExceeded, "this write would leave %d nodes; the embedded store holds at most %d", n, maxNodes)
	}
	if n, over := overBound(&st.edgeAt, maxEdges, c.putEdges, c.delEdges); over {
		return graph.Errorf(graph.CodeLimitExceeded, "this write would leave %d relationships; the embedded store holds at most %d", n, maxEdges)
	}
	return nil
}

// overBound reports whether index would hold more than bound items after
// puts and dels, and then how many. Only a write near the bound counts its
// new items one by one.
func overBound[V any](index *idIndex, bound int, puts map[graph.ID]V, dels map[graph.ID]bool) (n int, over bool) {
	n = index.len()
	if n+len(puts) <= bound {
		return 0, false
	}
	for id := range dels {
		if _, ok := index.get(id); ok {
			n--
		}
	}
	for id := range puts {
		if _, ok := index.get(id); !ok {
			n++
		}
	}
	return n, n > bound
}

func (c *changes) deleteEdge(id graph.ID) {
	c.delEdges[id] = true
	delete(c.putEdges, id)
}

// commit writes the changes and their audit events, made on behalf of ctx's
// actor by source's run (both empty for a deletion or restore), in one bbolt
// transaction and, only if that succeeds, publishes them to memory. Callers
// hold writeMu.
func (s *Store) commit(ctx context.Context, c *changes, source, run string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.broken != nil {
		return graph.Unavailable(s.broken, "embedded store needs a restart")
	}
	if err := c.fits(s.state); err != nil {
		return err
	}
	if c.records() == 0 {
		return nil
	}
	// The audit events are recorded and encoded on the other core while
	// this one encodes the log entry: both only read the changes and the
	// state, which writeMu keeps still.
	audit, at := make(chan encodedAudit, 1), s.now()
	go func() {
		rec := graph.NewAuditRecorder(ctx, source, run, at)
		rec.Grow(len(c.putNodes) + len(c.putEdges) + len(c.delNodes) + len(c.delEdges))
		c.record(s.state, rec)
		audit <- encodeAudit(rec, c.ends, s.auditSeq+1, &s.buffers.audit)
	}()
	entry, nodes, err := c.logEntry(s.state, &s.buffers.entry)
	events := <-audit
	defer func() {
		// Everything that read the buffers is done: the transaction, the
		// publish and the audit encoder.
		s.buffers.keep()
	}()
	if err != nil {
		return err
	}
	if events.err != nil {
		return events.err
	}
	weight := 0
	write := func() error {
		err := s.db.Update(func(tx *bolt.Tx) error {
			var err error
			if weight, s.buffers.log, err = appendLog(tx, s.active, entry, s.buffers.log); err != nil {
				return err
			}
			if err := putAudit(tx, &events, s.auditSeq); err != nil {
				return err
			}
			return s.beforeCommit(tx)
		})
		switch {
		case errors.Is(err, bolterrors.ErrDatabaseNotOpen):
			return graph.Unavailable(err, "embedded store is closed")
		case err != nil:
			return fmt.Errorf("commit to %s: %w", s.path, err)
		}
		return nil
	}
	if c.records() < publishBeside {
		if err := write(); err != nil {
			return err
		}
		s.mu.Lock()
		s.publish(entry, nodes, c)
		s.mu.Unlock()
	} else {
		// A large write's publish takes about as long as its transaction
		// and fsync: they run side by side, and readers wait for both, so
		// that none sees a write the file may yet refuse.
		written := make(chan error, 1)
		go func() { written <- write() }()
		s.mu.Lock()
		s.publish(entry, nodes, c)
		if err := <-written; err != nil {
			// Memory holds the write the file refused: it is read again
			// from the file before readers come back.
			st, logged, rerr := s.replay(context.WithoutCancel(ctx))
			if rerr != nil {
				s.broken = fmt.Errorf("embedded store %s: a commit failed (%w) and the file could not be read again (%w): restart estate", s.path, err, rerr)
				s.mu.Unlock()
				return graph.Unavailable(s.broken, "embedded store needs a restart")
			}
			s.state, s.logged = st, logged
			s.mu.Unlock()
			return err
		}
		s.mu.Unlock()
	}
	s.auditSeq += int64(events.n)
	s.pending.add(events.refs)
	s.startAuditFlush()
	s.logged += weight
	if err := s.maybeCompact(ctx); err != nil {
		// The write itself is committed; a failed compaction only leaves a
		// longer log, retried after the next write.
		s.log.Error().Err(err).Msg("embedded store compaction failed")
	}
	return nil
}

// publishBeside is the number of records from which a write publishes into
// memory beside its transaction rather than after it. Below it, the
// transaction's fsync is the longer part, and readers keep reading while
// it runs.
const publishBeside = 1000

// publish applies a committed write's changes to the state. Callers hold
// writeMu and mu.
func (s *Store) publish(entry *logEntry, nodes []*graph.Node, c *changes) {
	st := s.state
	for _, id := range entry.delEdges {
		st.removeEdge(id)
	}
	for _, id := range entry.delNodes {
		st.removeNode(id)
	}
	for i, n := range nodes {
		st.putNode(n, entry.nodes[i].props)
	}
	var perr error
	for _, e := range entry.edges {
		if err := st.putLogEdge(e); err != nil && perr == nil {
			perr = err
		}
	}
	// Published as replayed, so that memory holds what a reopen would.
	if err := st.touchNodesAt(c.touchedNodes, c.touch); err != nil && perr == nil {
		perr = err
	}
	if err := st.touchEdgesAt(c.touchedEdges, c.touch); err != nil && perr == nil {
		perr = err
	}
	if perr != nil {
		// Writers check both ends, and touch only what the source asserts,
		// before committing: this is a bug.
		panic(fmt.Sprintf("embedded: publish committed write: %v", perr))
	}
}

// records counts what the changes write to the log.
func (c *changes) records() int {
	return len(c.putNodes) + len(c.putEdges) + len(c.delNodes) + len(c.delEdges) + len(c.touchedNodes) + len(c.touchedEdges)
}

// logEntry encodes the changes as the log records them, with the nodes
// put in the entry's order, for publishing. It encodes into bufs, and
// leaves there the arrays it ends with.
func (c *changes) logEntry(st *state, bufs *[2][]byte) (*logEntry, []*graph.Node, error) {
	entry := &logEntry{}
	for id := range c.delEdges {
		entry.delEdges = append(entry.delEdges, id)
	}
	for id := range c.delNodes {
		entry.delNodes = append(entry.delNodes, id)
	}
	nodes := slices.Collect(maps.Values(c.putNodes))
	entry.nodes = make([]logNode, len(nodes))
	// A large write's nodes are encoded in two halves side by side: the
	// audit events beside them are a fifth of the work, and the other core
	// would be idle.
	var errs [2]error
	inParts(len(nodes), halvesOf(len(nodes)), func(h, lo, hi int) {
		bufs[h], errs[h] = encodeNodes(bufs[h][:0], nodes[lo:hi], entry.nodes[lo:hi])
	})
	if err := cmp.Or(errs[0], errs[1]); err != nil {
		return nil, nil, err
	}
	buf := slices.Grow(bufs[0], 128*len(c.putEdges)) // newLogEdge
	defer func() { bufs[0] = buf }()
	for id, e := range c.putEdges {
		ends, ok := c.ends[id]
		if !ok {
			ends = [2]graph.ID{e.From.ID(), e.To.ID()}
		}
		le, b, err := newLogEdge(buf, e, ends[0], ends[1])
		buf = b
		if err != nil {
			return nil, nil, err
		}
		entry.edges = append(entry.edges, le)
	}
	for _, i := range c.touchedNodes {
		entry.touchNodes = append(entry.touchNodes, st.nodes[i].id)
	}
	for _, i := range c.touchedEdges {
		entry.touchEdges = append(entry.touchEdges, st.edges[i].id)
	}
	if len(entry.touchNodes)+len(entry.touchEdges) > 0 {
		entry.touch = c.touch
	}
	return entry, nodes, nil
}

// encodeInHalves is the number of nodes, or of audit events, from which a
// write encodes them in two halves side by side.
const encodeInHalves = 1000

// halvesOf is how many parts a write encodes n nodes or audit events in.
func halvesOf(n int) int {
	if n >= encodeInHalves {
		return 2
	}
	return 1
}

// encodeNodes encodes nodes into out (newLogNode), their JSON appended to
// buf, and returns buf.
func encodeNodes(buf []byte, nodes []*graph.Node, out []logNode) ([]byte, error) {
	buf = slices.Grow(buf, 512*len(nodes))
	for i, n := range nodes {
		ln, b, err := newLogNode(buf, n)
		buf = b
		if err != nil {
			return buf, err
		}
		out[i] = ln
	}
	return buf, nil
}

// keyItem orders nodes of one kind by key in the per-kind B-tree.
type keyItem struct {
	key  string
	slot int32
}

func lessKey(a, b keyItem) bool { return a.key < b.key }

func newKindTree() *btree.BTreeG[keyItem] { return btree.NewG(32, lessKey) }

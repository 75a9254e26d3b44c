// Package embedded is estate's default backend: the whole graph in memory for
// fast reads and traversals, made durable in a bbolt file so that one process
// on a laptop needs no other server.
//
// Every write is validated and merged first, then committed in one bbolt
// transaction, and only then published to the in-memory indexes. A crash at
// any point therefore leaves the last committed state on disk, and readers
// never see a half-applied batch. Writers are serialised; readers run
// concurrently with each other and only wait for the brief publish step.
package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
// bbolt file instead of reading garbage.
const format = "estate-embedded-1"

var (
	bucketMeta  = []byte("meta")
	bucketNodes = []byte("nodes")
	bucketEdges = []byte("edges")
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
}

// Store is the embedded backend. It implements graph.Store.
type Store struct {
	db   *bolt.DB
	log  zerolog.Logger
	now  func() time.Time
	path string

	writeMu sync.Mutex // serialises writers: merge, commit, publish

	mu    sync.RWMutex // guards everything below
	state *state
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
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory %q: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, NoSync: opts.NoSync, NoFreelistSync: true})
	if err != nil {
		switch {
		case errors.Is(err, bolterrors.ErrTimeout):
			return nil, fmt.Errorf("data directory %q is in use by another estate process (lock held on %s)", dir, path)
		case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrChecksum), errors.Is(err, bolterrors.ErrVersionMismatch):
			return nil, fmt.Errorf("data file %s is corrupt or not an estate store: %w", path, err)
		}
		return nil, fmt.Errorf("open data file %s: %w", path, err)
	}
	s := &Store{db: db, log: opts.Logger.With().Str("component", "store.embedded").Logger(), now: opts.Now, path: path}
	start := time.Now()
	if err := s.load(ctx); err != nil {
		db.Close()
		return nil, err
	}
	s.log.Info().Int("nodes", len(s.state.nodes)).Int("edges", len(s.state.edges)).
		Dur("took", time.Since(start)).Str("path", path).Msg("embedded store opened")
	return s, nil
}

// load checks the file's format marker and reads every record into memory.
func (s *Store) load(ctx context.Context) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			if tx.Bucket(bucketNodes) != nil || tx.Bucket(bucketEdges) != nil {
				return fmt.Errorf("data file %s is not an estate store (no format marker)", s.path)
			}
			var err error
			if meta, err = tx.CreateBucket(bucketMeta); err != nil {
				return err
			}
			if err := meta.Put([]byte("format"), []byte(format)); err != nil {
				return err
			}
		}
		if f := string(meta.Get([]byte("format"))); f != format {
			return fmt.Errorf("data file %s has format %q, this estate reads %q", s.path, f, format)
		}
		for _, b := range [][]byte{bucketNodes, bucketEdges} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	st := newState()
	err = s.db.View(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketNodes).ForEach(func(k, v []byte) error {
			n, err := decodeNode(v)
			if err != nil {
				return fmt.Errorf("data file %s is corrupt: node %x: %w", s.path, k, err)
			}
			st.putNode(n)
			return nil
		})
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return tx.Bucket(bucketEdges).ForEach(func(k, v []byte) error {
			e, err := decodeEdge(v)
			if err != nil {
				return fmt.Errorf("data file %s is corrupt: relationship %x: %w", s.path, k, err)
			}
			if st.nodes[e.From.ID()] == nil || st.nodes[e.To.ID()] == nil {
				return fmt.Errorf("data file %s is corrupt: relationship %s %s→%s has a missing end", s.path, e.Type, e.From, e.To)
			}
			st.putEdge(e)
			return nil
		})
	})
	if err != nil {
		return err
	}
	s.state = st
	return nil
}

func decodeNode(v []byte) (*graph.Node, error) {
	var n graph.Node
	if err := json.Unmarshal(v, &n); err != nil {
		return nil, err
	}
	props, err := graph.CoerceNodeProps(n.Kind, n.Props)
	if err != nil {
		return nil, err
	}
	n.Props = props
	return &n, nil
}

func decodeEdge(v []byte) (*graph.Edge, error) {
	var e graph.Edge
	if err := json.Unmarshal(v, &e); err != nil {
		return nil, err
	}
	props, err := graph.CoerceEdgeProps(e.Type, e.Props)
	if err != nil {
		return nil, err
	}
	e.Props = props
	return &e, nil
}

// Close releases the data directory.
func (s *Store) Close() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.db.Close()
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
	delNodes map[graph.ID]bool
	delEdges map[graph.ID]bool
}

func newChanges() *changes {
	return &changes{
		putNodes: map[graph.ID]*graph.Node{}, putEdges: map[graph.ID]*graph.Edge{},
		delNodes: map[graph.ID]bool{}, delEdges: map[graph.ID]bool{},
	}
}

// node returns the node as it will be after the pending changes.
func (c *changes) node(st *state, id graph.ID) *graph.Node {
	if c.delNodes[id] {
		return nil
	}
	if n, ok := c.putNodes[id]; ok {
		return n
	}
	return st.nodes[id]
}

func (c *changes) edge(st *state, id graph.ID) *graph.Edge {
	if c.delEdges[id] {
		return nil
	}
	if e, ok := c.putEdges[id]; ok {
		return e
	}
	return st.edges[id]
}

func (c *changes) deleteNode(st *state, id graph.ID) {
	c.delNodes[id] = true
	delete(c.putNodes, id)
	for _, e := range st.out[id] {
		c.deleteEdge(e.ID)
	}
	for _, e := range st.in[id] {
		c.deleteEdge(e.ID)
	}
}

func (c *changes) deleteEdge(id graph.ID) {
	c.delEdges[id] = true
	delete(c.putEdges, id)
}

// commit writes the changes in one bbolt transaction and, only if that
// succeeds, publishes them to memory. Callers hold writeMu.
func (s *Store) commit(ctx context.Context, c *changes) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		nb, eb := tx.Bucket(bucketNodes), tx.Bucket(bucketEdges)
		for id := range c.delEdges {
			if err := eb.Delete(id[:]); err != nil {
				return err
			}
		}
		for id := range c.delNodes {
			if err := nb.Delete(id[:]); err != nil {
				return err
			}
		}
		for id, n := range c.putNodes {
			v, err := json.Marshal(n)
			if err != nil {
				return err
			}
			if err := nb.Put(id[:], v); err != nil {
				return err
			}
		}
		for id, e := range c.putEdges {
			v, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if err := eb.Put(id[:], v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
			return graph.Unavailable(err, "embedded store is closed")
		}
		return fmt.Errorf("commit to %s: %w", s.path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state
	for id := range c.delEdges {
		st.removeEdge(id)
	}
	for id := range c.delNodes {
		st.removeNode(id)
	}
	for _, n := range c.putNodes {
		st.putNode(n)
	}
	for _, e := range c.putEdges {
		st.putEdge(e)
	}
	return nil
}

// keyItem orders nodes of one kind by key in the per-kind B-tree.
type keyItem struct {
	key string
	id  graph.ID
}

func lessKey(a, b keyItem) bool { return a.key < b.key }

func newKindTree() *btree.BTreeG[keyItem] { return btree.NewG(32, lessKey) }

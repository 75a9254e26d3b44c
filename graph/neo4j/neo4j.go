// Package neo4j is estate's production backend: the graph kept in a Neo4j 5
// database through github.com/neo4j/neo4j-go-driver/v5, passing the same
// conformance suite (graph/graphtest) as the embedded store.
//
// # Storage layout
//
// Every node is a Neo4j node with two labels, the common label Entity and its
// kind (Service, Team, ...), and these properties:
//
//	id          string, the deterministic UUID (unique: constraint on :Entity(id))
//	key         string, the natural key (unique per kind: constraint on :<Kind>(key))
//	kind, name  strings; rank is the kind's position in graph.Kinds (for ordering)
//	p_<name>    one property per typed property (p_tier, p_topics, ...), in Neo4j's
//	            native types: string, integer, boolean, list of strings
//	l_<name>    one string property per free-form label (l_env, `l_cost-centre`)
//	firstSeen, lastSeen   DateTime (UTC)
//	assertions  JSON array of graph.Assertion, the provenance records (exact,
//	            times included); sources and runs are the same records'
//	            source and run as aligned lists, for filters and sweeps
//	aliases     JSON array of graph.Alias (absent when there are none)
//	manual      list of the fields the manual source set (absent when none);
//	conflicts   JSON array of graph.Conflict (absent when none). Nodes
//	            written before these existed simply lack them: no migration
//	names       lower-cased key and alias values (what Resolve matches)
//	terms       names plus the lower-cased name (what Search ranks exact/prefix)
//	lvals       lower-cased label values (what Search also matches)
//	search      every term and label value, lower-cased, one per line with a
//	            newline before and after: a TEXT index on it serves CONTAINS
//
// Ingest run records and audit events are nodes of their own labels,
// IngestRun and AuditEvent, outside Entity (see runs.go and audit.go).
//
// names, terms, lvals, search, sources and runs are derived: the store
// rewrites them on every write. The search field is the search index: a
// TEXT (trigram) index answers CONTAINS exactly, which a Lucene FULLTEXT
// index (tokenised) cannot, so Search and Resolve have the embedded store's
// substring semantics; the rank of graph.SearchRank is computed in the
// statement over terms and lvals (so LIMIT applies in Neo4j) and checked in
// Go with graph.SearchRank itself.
//
// Relationships are Neo4j relationships whose type is the estate type
// (PART_OF, OWNS, ...) with properties id (unique per type: a relationship
// uniqueness constraint, which also serves lookups by id), p_role / p_path,
// firstSeen, lastSeen, assertions, sources, runs, and manual / conflicts as
// on nodes. Reading a node or
// relationship back decodes these properties and coerces the typed ones with
// graph.CoerceNodeProps/CoerceEdgeProps, so values round-trip in their
// canonical Go types (int64, bool, []string, string); times come back in
// UTC.
//
// An optional Config.Namespace prefixes every label, relationship type and
// schema object name, so that several estates (or test runs) share one
// database — Neo4j Community edition has a single user database. Schema
// state is recorded per namespace in an (:EstateSchema {namespace, version})
// node; migrations run in order, idempotently (IF NOT EXISTS), at Open or —
// when Neo4j is unreachable then — on first use; a database migrated by a
// newer estate is refused.
//
// # Statements
//
// Cypher text is built only from constants, the validated namespace and the
// closed sets graph.Kinds and graph.RelTypes; every value is a parameter.
// Kind labels and relationship types of created items are Neo4j 5.26's
// dynamic labels and types ($(row.label)), whose values come from those
// closed sets too, so that one statement writes every kind.
//
// Apply, Restore, Sweep and the deletes each run as one managed write
// transaction (ExecuteWrite, retried on transient errors, so every callback
// is idempotent): a batch is all-or-nothing. Apply's first statement MERGEs
// the batch's nodes in id order: a new node is created whole under the
// uniqueness lock, an existing one is locked (a throw-away property write)
// and read. Relationship ends outside the batch are locked and checked,
// stored relationships between pre-existing nodes are read, the batch is
// merged in Go with graph.MergeNode / graph.MergeEdge — the same code the
// embedded store runs — and the results are written back with UNWIND: one
// statement for updated nodes, one for updated relationships, one creating
// the new relationships, one creating the audit events of what changed.
// Writers of overlapping batches serialise on the nodes they share, so no
// assertion is lost; a batch of new things costs three statements.
//
// Reads run in ExecuteRead: Nodes, Node, Resolve, Search, Edges, Neighbors
// (for any number of ids), Traverse (a breadth-first walk unrolled into one
// statement, one subquery per depth) and Stats are one statement each; List
// is two (the page and the total); the scans read a page per statement.
//
// Neo4j reads at read-committed isolation: a statement running while another
// transaction's commit is applied may see part of it. Within one process
// the store prevents that with a commit gate, held shared by read
// transactions and exclusively by commits (only while the driver commits),
// so a reader sees a batch entirely or not at all, as with the embedded
// store. Readers in other processes get Neo4j's own isolation.
//
// # Availability
//
// Open succeeds while Neo4j is down. Every call is bounded by QueryTimeout;
// connectivity failures, timeouts and transient errors become
// CodeUnavailable, and once one is seen, calls fail at once (probing the
// server at most every probeInterval) until Neo4j answers again.
package neo4j

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"
	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
)

// Config configures the Neo4j backend.
type Config struct {
	// URI is the Bolt URI, e.g. bolt://127.0.0.1:7687 or neo4j+s://x.databases.neo4j.io.
	URI      string
	User     string // default "neo4j"
	Password string // never logged
	Database string // default "neo4j"
	// MaxPoolSize caps the driver's connection pool (default 100).
	MaxPoolSize int
	// QueryTimeout bounds each store call: its transaction (server side) and
	// its context (client side). Default 60s.
	QueryTimeout time.Duration
	// ConnectTimeout bounds connecting and the health probes (Ping, the
	// fast-fail probe while Neo4j is down). Default 5s.
	ConnectTimeout time.Duration
	Logger         zerolog.Logger

	// Namespace, when set, prefixes every label, relationship type and
	// schema name (letters, digits and underscores, starting with a letter),
	// so several estates can share one database. Default: none.
	Namespace string
	// MaxRetryTime bounds how long a transaction is retried on transient
	// errors (deadlocks, a lost connection). Default 5s.
	MaxRetryTime time.Duration
	// Now is the clock (default time.Now); tests fix it.
	Now func() time.Time
}

var namespaceRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_]{0,31})?$`)

func (c Config) withDefaults() (Config, error) {
	if c.URI == "" {
		return c, errors.New("neo4j: no URI configured (--neo4j-uri / ESTATE_NEO4J_URI)")
	}
	if c.User == "" {
		c.User = "neo4j"
	}
	if c.Database == "" {
		c.Database = "neo4j"
	}
	if c.MaxPoolSize <= 0 {
		c.MaxPoolSize = 100
	}
	if c.QueryTimeout <= 0 {
		c.QueryTimeout = 60 * time.Second
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = 5 * time.Second
	}
	if c.MaxRetryTime <= 0 {
		c.MaxRetryTime = 5 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if !namespaceRE.MatchString(c.Namespace) {
		return c, fmt.Errorf("neo4j: namespace %q must be letters, digits and underscores, starting with a letter", c.Namespace)
	}
	return c, nil
}

// Store is the Neo4j backend. It implements graph.Store.
type Store struct {
	cfg    Config
	driver neo4j.DriverWithContext
	bm     neo4j.BookmarkManager
	log    zerolog.Logger
	ns     string

	schemaMu   sync.Mutex
	schemaDone atomic.Bool

	// gate makes commits atomic for this process's readers (see exec).
	gate *sync.RWMutex

	// merged holds the ids of merged nodes this store has seen redirected
	// (merge.go; Apply reads it).
	merged mergedIDs

	// health: while down, calls probe the server at most once per
	// probeInterval and otherwise fail at once with CodeUnavailable.
	healthMu  sync.Mutex
	down      atomic.Bool
	lastProbe time.Time
	lastErr   error
}

// probeInterval is how often, at most, calls probe a server that is down.
const probeInterval = 500 * time.Millisecond

var _ graph.Store = (*Store)(nil)

// Open configures the driver and sets up the schema. It does not fail when
// Neo4j is unreachable — the server must start anyway: calls then fail with
// CodeUnavailable until Neo4j answers, and the schema is set up on first use.
// It fails for a malformed configuration or rejected credentials.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	driver, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.User, cfg.Password, ""),
		func(c *config.Config) {
			c.MaxConnectionPoolSize = cfg.MaxPoolSize
			c.SocketConnectTimeout = cfg.ConnectTimeout
			c.ConnectionAcquisitionTimeout = cfg.ConnectTimeout + time.Second
			c.MaxTransactionRetryTime = cfg.MaxRetryTime
			c.ConnectionLivenessCheckTimeout = 30 * time.Second
			c.SocketKeepalive = true
			c.UserAgent = "estate"
		})
	if err != nil {
		return nil, fmt.Errorf("neo4j: %w", err)
	}
	s := &Store{
		cfg: cfg, driver: driver, ns: cfg.Namespace, gate: gateFor(cfg),
		bm:  neo4j.NewBookmarkManager(neo4j.BookmarkManagerConfig{}),
		log: cfg.Logger.With().Str("component", "store.neo4j").Logger(),
	}
	s.log.Info().Str("uri", redact(cfg.URI)).Str("user", cfg.User).Str("database", cfg.Database).
		Str("namespace", cfg.Namespace).Msg("neo4j store configured")

	// A quick connectivity check first: a server that is down (connection
	// refused) must not hold the start up for the driver's retry time.
	vctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	err = driver.VerifyConnectivity(vctx)
	cancel()
	if err == nil {
		sctx, cancel := context.WithTimeout(ctx, cfg.QueryTimeout)
		err = s.ensureSchema(sctx)
		cancel()
	}
	if err != nil {
		var ne *neo4j.Neo4jError
		var ge *graph.Error
		switch {
		case errors.As(err, &ne) && ne.HasSecurityCode():
			driver.Close(context.Background())
			return nil, fmt.Errorf("neo4j %s as %q: %w", redact(cfg.URI), cfg.User, err)
		case errors.As(err, &ge) && ge.Code != graph.CodeUnavailable:
			driver.Close(context.Background())
			return nil, err
		}
		s.lastErr, s.lastProbe = err, time.Now()
		s.down.Store(true)
		s.log.Warn().Err(err).Msg("neo4j is not reachable; starting anyway: calls fail with UNAVAILABLE until it is, and the schema is set up then")
	}
	return s, nil
}

// redact removes any credentials from a URI before it is logged.
func redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.User == nil {
		return uri
	}
	u.User = nil
	return u.String()
}

// Close releases the driver's connections.
func (s *Store) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.driver.Close(ctx)
}

// Ping reports whether Neo4j answers a query (and the schema is set up),
// within ConnectTimeout.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
	defer cancel()
	if err := s.driver.VerifyConnectivity(pctx); err != nil {
		return s.mapErr(ctx, "ping", err)
	}
	s.markUp()
	if err := s.ensureSchema(pctx); err != nil {
		return err
	}
	return s.read(pctx, "ping", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		_, err := collect(ctx, tx, "RETURN 1", nil)
		return err
	})
}

// now returns the store's clock reading.
func (s *Store) now() time.Time { return s.cfg.Now() }

// work is the body of one transaction. It must be idempotent: the driver
// retries it on transient errors.
type work func(ctx context.Context, tx neo4j.ManagedTransaction) error

// read runs w in a managed read transaction.
func (s *Store) read(ctx context.Context, op string, w work) error {
	return s.exec(ctx, op, neo4j.AccessModeRead, w)
}

// write runs w in a managed write transaction.
func (s *Store) write(ctx context.Context, op string, w work) error {
	return s.exec(ctx, op, neo4j.AccessModeWrite, w)
}

func (s *Store) exec(ctx context.Context, op string, mode neo4j.AccessMode, w work) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.ready(ctx); err != nil {
		return err
	}
	octx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	sess := s.driver.NewSession(octx, neo4j.SessionConfig{
		DatabaseName: s.cfg.Database, AccessMode: mode, BookmarkManager: s.bm,
	})
	defer sess.Close(context.WithoutCancel(octx))
	txTimeout := neo4j.WithTxTimeout(s.cfg.QueryTimeout)
	var err error
	if mode == neo4j.AccessModeRead {
		s.gate.RLock()
		_, err = sess.ExecuteRead(octx, func(tx neo4j.ManagedTransaction) (any, error) { return nil, w(octx, tx) }, txTimeout)
		s.gate.RUnlock()
	} else {
		// The gate is taken when the work is done, just before the driver
		// commits, and released once the commit is over (or failed, before
		// a retry runs the work again).
		held := false
		release := func() {
			if held {
				s.gate.Unlock()
				held = false
			}
		}
		_, err = sess.ExecuteWrite(octx, func(tx neo4j.ManagedTransaction) (any, error) {
			release()
			if err := w(octx, tx); err != nil {
				return nil, err
			}
			s.gate.Lock()
			held = true
			return nil, nil
		}, txTimeout)
		release()
	}
	if err != nil {
		return s.mapErr(ctx, op, err)
	}
	return nil
}

// Neo4j reads at read-committed isolation without snapshots: a statement
// scanning while another transaction's commit is being applied can see part
// of it (say 140 of a batch's 150 nodes). The commit gate prevents that
// within one process: read transactions hold it shared, commits hold it
// exclusively, only while the driver commits (not while a write transaction
// does its work). Stores of the same database and namespace in one process
// share a gate. Readers in other processes get Neo4j's isolation.
var gates sync.Map // gate key → *sync.RWMutex

func gateFor(cfg Config) *sync.RWMutex {
	g, _ := gates.LoadOrStore(cfg.URI+"\x00"+cfg.Database+"\x00"+cfg.Namespace, new(sync.RWMutex))
	return g.(*sync.RWMutex)
}

// ready fails fast while Neo4j is known to be down, and sets up the schema
// on first use.
func (s *Store) ready(ctx context.Context) error {
	if s.down.Load() {
		if err := s.probe(ctx); err != nil {
			return err
		}
	}
	if !s.schemaDone.Load() {
		return s.ensureSchema(ctx)
	}
	return nil
}

// probe checks whether a server that was down answers again. Concurrent
// callers share one probe per probeInterval; the others fail at once.
func (s *Store) probe(ctx context.Context) error {
	s.healthMu.Lock()
	if !s.down.Load() {
		s.healthMu.Unlock()
		return nil
	}
	if time.Since(s.lastProbe) < probeInterval {
		err := s.lastErr
		s.healthMu.Unlock()
		return graph.Unavailable(err, "neo4j is unavailable")
	}
	s.lastProbe = time.Now()
	s.healthMu.Unlock()
	pctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
	defer cancel()
	if err := s.driver.VerifyConnectivity(pctx); err != nil {
		return s.mapErr(ctx, "connect", err)
	}
	s.markUp()
	return nil
}

func (s *Store) markUp() {
	if s.down.CompareAndSwap(true, false) {
		s.log.Info().Msg("neo4j is reachable again")
	}
}

func (s *Store) markDown(err error) {
	s.healthMu.Lock()
	s.lastErr = err
	s.lastProbe = time.Now()
	s.healthMu.Unlock()
	if s.down.CompareAndSwap(false, true) {
		s.log.Warn().Err(err).Msg("neo4j is unavailable; calls fail with UNAVAILABLE until it answers again")
	}
}

// mapErr classifies an error from the driver. ctx is the caller's context:
// when it is done, its error is returned (wrapped), so callers see
// context.Canceled or context.DeadlineExceeded. Connectivity failures,
// timeouts and transient server errors become CodeUnavailable.
func (s *Store) mapErr(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	var ge *graph.Error
	if errors.As(err, &ge) {
		return err
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("neo4j %s: %w", op, cerr)
	}
	if unavailable(err) {
		s.markDown(err)
		return graph.Unavailable(err, "neo4j %s", op)
	}
	return fmt.Errorf("neo4j %s: %w", op, err)
}

// unavailable reports whether err means the database cannot serve now, as
// opposed to a bug in a query.
func unavailable(err error) bool {
	var (
		conn  *neo4j.ConnectivityError
		limit *neo4j.TransactionExecutionLimit
		auth  *neo4j.InvalidAuthenticationError
		token *neo4j.TokenExpiredError
		ne    *neo4j.Neo4jError
		nerr  net.Error
	)
	switch {
	case errors.As(err, &conn), errors.As(err, &limit), errors.As(err, &auth), errors.As(err, &token),
		errors.As(err, &nerr), errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &ne):
		switch {
		case ne.IsRetriable(), ne.HasSecurityCode(), ne.Classification() == "TransientError",
			ne.Code == "Neo.ClientError.Database.DatabaseNotFound",
			ne.Code == "Neo.ClientError.Transaction.TransactionTimedOut",
			ne.Code == "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration":
			return true
		}
	}
	return false
}

// collect runs one statement and returns all its records.
func collect(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

// exec runs one statement and discards its records.
func run(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, params map[string]any) error {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return err
	}
	_, err = res.Consume(ctx)
	return err
}

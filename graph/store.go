package graph

import (
	"context"
	"time"
)

// Store is the contract every backend implements and graph/graphtest checks.
// Each backend validates its inputs on entry with the helpers of this package
// (ValidateBatch, ValidateRef, the query Normalize methods), so the rules live
// in one place and backends stay small. ValidateBatch does not check the
// items of a batch's Checked again: only this package can put items there,
// each validated as it was added (CheckedBatch), so no caller can skip the
// check.
//
// Unless a method says otherwise, a backend that cannot reach its storage
// returns an error with CodeUnavailable, and a cancelled context returns the
// context's error.
type Store interface {
	// Apply writes a batch atomically: either every node and relationship in
	// it is upserted, or nothing changes. Upserts are idempotent by natural
	// key: applying the same batch twice changes only lastSeen times.
	// Errors: CodeInvalid for a batch ValidateBatch rejects; CodeNotFound when
	// a relationship names a node that is neither stored nor in the batch;
	// CodeLimitExceeded for a batch over MaxBatchItems. A nil property
	// value is ignored: Apply never removes a property. A node or an end
	// named by the key of a node merged away, and not stored again, is the
	// node it was merged into (Redirect).
	Apply(ctx context.Context, b Batch) (ApplyResult, error)

	// Nodes returns the nodes with the given ids, in order; an id that does
	// not exist gives a nil entry, not an error (the shape dataloaders need).
	Nodes(ctx context.Context, ids []ID) ([]*Node, error)
	// Node returns the node of the given kind and key (trimmed). Errors:
	// CodeNotFound; CodeInvalid for a malformed ref.
	Node(ctx context.Context, ref Ref) (*Node, error)
	// Resolve returns the nodes whose key or alias equals ref, ignoring case,
	// optionally restricted to some kinds, ordered by kind then key.
	Resolve(ctx context.Context, ref string, kinds []Kind) ([]*Node, error)
	// List returns one page of nodes ordered by kind then key.
	// Errors: CodeInvalid for a malformed cursor or filter;
	// CodeLimitExceeded for First over MaxPageSize.
	List(ctx context.Context, q ListQuery) (*NodePage, error)
	// Search ranks nodes whose name, key, alias or label values contain the
	// text, ignoring case: exact key, alias or name matches first, then prefixes,
	// then other matches; ties ordered by kind then key. Errors: CodeInvalid
	// for empty text or an unknown kind; CodeLimitExceeded for a limit over
	// MaxSearch.
	Search(ctx context.Context, q SearchQuery) ([]*Node, error)

	// Edges returns the relationships with the given ids, in order; nil for
	// missing ones.
	Edges(ctx context.Context, ids []ID) ([]*Edge, error)
	// Neighbors returns, for each id, its relationships of the requested
	// types and direction with the node at the other end (of the requested
	// kinds), ordered by relationship type, then the other node's kind and
	// key, then outgoing first, then role. One call serves many ids so that a
	// GraphQL nesting level costs one store call. An id with no neighbours
	// may be absent from the map. Errors: CodeInvalid for an unknown
	// direction, type or kind.
	Neighbors(ctx context.Context, ids []ID, q NeighborQuery) (map[ID][]Neighbor, error)
	// Traverse walks breadth-first from the start nodes along the given
	// steps up to MaxDepth, visiting each node once, and returns every node
	// reached with its depth and one shortest path to it. Cycles terminate.
	// When more than Limit nodes are reached the result is cut at Limit and
	// Truncated is set, keeping the shallowest nodes. Start ids that do not
	// exist give no hits and no error. Errors: CodeInvalid for a bad query.
	Traverse(ctx context.Context, q TraverseQuery) (*Traversal, error)

	// DeleteNodes removes nodes and every relationship touching them,
	// whoever asserted them, and returns how many nodes were removed. Ids
	// that do not exist are ignored.
	DeleteNodes(ctx context.Context, ids []ID) (int, error)
	// Merge merges the node from into the node into and removes from, in one
	// transaction (MergeInto: into gains from's aliases, assertions and
	// relationships, and from's key as an AliasMerged alias), and returns
	// the node that stays. Errors: CodeNotFound when either does not
	// exist; CodeInvalid when they are one node, of two kinds, or records
	// of change governance (Mergeable).
	Merge(ctx context.Context, into, from ID) (*Node, error)
	// Annotate sets labels on nodes (a label set to "" is removed), in one
	// transaction, without asserting the nodes: a person's note about them,
	// such as DistinctLabel, which unlike an edit by the manual source keeps
	// no node alive that its sources drop. Errors: CodeNotFound for an id
	// with no node, CodeInvalid for an empty label name; nothing is written
	// then.
	Annotate(ctx context.Context, labels map[ID]map[string]string) error
	// DeleteEdges removes relationships whoever asserted them.
	DeleteEdges(ctx context.Context, ids []ID) (int, error)
	// Sweep retracts the assertions of one source that were not made by the
	// given run, then removes nodes and relationships left with no assertion
	// (and relationships whose end was removed). Other sources' assertions
	// are kept, and so are the source's in the scopes Keep holds. With
	// DryRun it only counts. EdgesRemoved includes
	// relationships removed because an end was removed; a relationship is in
	// the Kinds scope when either end is. Errors: CodeInvalid for the manual
	// source or an empty source or run.
	Sweep(ctx context.Context, r SweepRequest) (SweepResult, error)

	// ScanNodes calls fn for every node ordered by kind (in Kinds order) then
	// key, and ScanEdges for every relationship ordered by type (in RelTypes
	// order), from, to and role; they stream, so an estate need not fit in
	// memory twice. An error from fn stops the scan and is returned.
	ScanNodes(ctx context.Context, fn func(*Node) error) error
	ScanEdges(ctx context.Context, fn func(*Edge) error) error
	// Topology reads every node, in ScanNodes order, and of every
	// relationship only its type and ends (Topology). It is what
	// whole-graph answers (the shadow estate, health) read: they need
	// nothing else of a relationship, and at half a million nodes decoding
	// 1.75 million relationships whole and finding their ends by ref was
	// most of their time.
	Topology(ctx context.Context) (*Topology, error)
	// Restore writes nodes and relationships exactly as given (provenance and
	// times included), replacing any with the same id, atomically. It is what
	// import uses, in chunks. Errors: CodeInvalid for a node or edge that
	// fails validation; CodeNotFound for a relationship whose ends are
	// missing; CodeLimitExceeded over MaxBatchItems.
	Restore(ctx context.Context, nodes []*Node, edges []*Edge) error

	// PutRun records an ingest run, replacing the record with the same id.
	// Run records live apart from the graph: they are neither nodes nor
	// exported, and a sweep never touches them. Errors: CodeInvalid for a
	// record ValidateRun rejects.
	PutRun(ctx context.Context, r IngestRun) error
	// Runs returns the runs with the given ids, in order; nil for an id
	// with no run.
	Runs(ctx context.Context, ids []string) ([]*IngestRun, error)
	// ListRuns returns one page of runs, newest first (CompareRuns).
	// Errors: CodeInvalid for a malformed cursor or an unknown status;
	// CodeLimitExceeded for First over MaxPageSize.
	ListRuns(ctx context.Context, q RunQuery) (*RunPage, error)

	// History returns one page of a node's audit trail (audit.go): the
	// events of the node and of every relationship with it at one end,
	// newest first, committed in the same transaction as the changes they
	// record. Errors: CodeInvalid for a nil id or a malformed cursor;
	// CodeLimitExceeded for First over MaxPageSize.
	History(ctx context.Context, q HistoryQuery) (*HistoryPage, error)

	// Stats counts nodes per kind and relationships per type.
	Stats(ctx context.Context) (Stats, error)
	// Ping reports whether the backend can serve requests.
	Ping(ctx context.Context) error
	// Close releases the backend. The Store must not be used afterwards.
	Close() error
}

// NodeByRef is Store.Node made of Store.Nodes, for backends: the node ref
// names once it is checked; CodeNotFound when there is none.
func NodeByRef(ctx context.Context, nodes func(context.Context, []ID) ([]*Node, error), ref Ref) (*Node, error) {
	ref, err := ValidateRef(ref)
	if err != nil {
		return nil, err
	}
	ns, err := nodes(ctx, []ID{ref.ID()})
	if err != nil {
		return nil, err
	}
	if ns[0] == nil {
		return nil, Errorf(CodeNotFound, "%s %q not found", ref.Kind, ref.Key)
	}
	return ns[0], nil
}

// Limits every backend enforces.
const (
	MaxBatchItems   = 50_000
	MaxPageSize     = 1000
	DefaultPageSize = 50
	MaxSearch       = 200
	MaxDepth        = 10
	MaxTraverse     = 100_000
	MaxKeyLen       = 2048
	MaxSearchText   = 256 // bytes of SearchQuery.Text
)

// Batch is a set of assertions made by one source in one run at one time.
type Batch struct {
	Source string
	Run    string
	// At is when the source observed what it asserts; zero means now.
	At    time.Time
	Nodes []NodeInput
	Edges []EdgeInput
	// Checked holds items validated as they were added (CheckedBatch):
	// they are written before Nodes and Edges, in the order added, and
	// not validated again.
	Checked *CheckedBatch
}

// NodeInput asserts a node. Empty Name keeps the stored name (a new node is
// named after its key); Props, Labels and Aliases merge into what is stored.
type NodeInput struct {
	Kind       Kind
	Key        string
	Name       string
	Props      map[string]any
	Labels     map[string]string
	Aliases    []string
	Confidence Confidence
	Evidence   string
	// Scope is the part of the source's system the node was read from
	// (scope.go); "" is the whole source.
	Scope string

	id refID // derived by DeriveIDs
}

// Ref returns the node's kind and key.
func (n NodeInput) Ref() Ref { return Ref{Kind: n.Kind, Key: n.Key} }

// ID returns the id of the node n asserts.
func (n NodeInput) ID() ID { return n.id.of(n.Ref()) }

// refID is the id of ref as DeriveIDs derived it ahead of the write. It
// holds as long as the input still names ref; one changed since
// (graph.Redirect) derives its id again.
type refID struct {
	ref Ref
	id  ID
}

// holds reports whether c is the id of r.
func (c refID) holds(r Ref) bool { return r == c.ref && r.Key != "" }

func (c refID) of(r Ref) ID {
	if c.holds(r) {
		return c.id
	}
	return r.ID()
}

// EdgeInput asserts a relationship between two nodes named by kind and key.
type EdgeInput struct {
	Type       RelType
	From       Ref
	To         Ref
	Props      map[string]any
	Confidence Confidence
	Evidence   string
	Scope      string

	from, to refID // derived by DeriveIDs, as NodeInput's
	id       edgeID
}

// edgeID is a relationship's id as DeriveIDs derived it, for the ends,
// type and role it was derived from.
type edgeID struct {
	from, to ID
	typ      RelType
	role     string
	id       ID
}

// ID returns the relationship's deterministic id.
func (e EdgeInput) ID() ID { return e.IDBetween(e.EndIDs()) }

// EndIDs returns the ids of the relationship's ends.
func (e EdgeInput) EndIDs() (from, to ID) { return e.from.of(e.From), e.to.of(e.To) }

// IDBetween is ID for a writer that already derived its ends' ids (each a
// SHA-1, like the relationship's own).
func (e EdgeInput) IDBetween(from, to ID) ID {
	role := roleOf(e)
	if c := e.id; c.from == from && c.to == to && c.typ == e.Type && c.role == role && c.typ != "" {
		return c.id
	}
	return EdgeID(e.Type, from, to, role)
}

// roleOf is the role that tells e's id apart: an OWNS relationship's
// (technical when none is given), "" for other types.
func roleOf(e EdgeInput) string {
	if e.Type != RelOwns {
		return ""
	}
	if role, _ := e.Props["role"].(string); role != "" {
		return role
	}
	return OwnerTechnical
}

// DeriveIDs derives the ids of the items that have none yet, in place: a
// node's, a relationship's and its ends' (each a SHA-1; an end that several
// relationships share, once). A writer calls it for what is left; an
// ingest run derives them ahead (CheckedBatch.DeriveIDs) while it would
// otherwise wait for the write before, so that in a cold sync, where the
// one writer is the slower side, the writer does not.
func DeriveIDs(nodes []NodeInput, edges []EdgeInput) { deriveIDs(nodes, edges, nil) }

// deriveIDs is DeriveIDs, stopping once while, asked every few hundred
// items, is false (nil: never).
func deriveIDs(nodes []NodeInput, edges []EdgeInput, while func() bool) {
	const every = 256
	for i := range nodes {
		if i%every == 0 && while != nil && !while() {
			return
		}
		n := &nodes[i]
		n.id = refID{ref: n.Ref(), id: n.ID()}
	}
	ends := map[Ref]ID{}
	end := func(c *refID, r Ref) {
		if c.holds(r) {
			return
		}
		id, ok := ends[r]
		if !ok {
			id = r.ID()
			ends[r] = id
		}
		*c = refID{ref: r, id: id}
	}
	for i := range edges {
		if i%every == 0 && while != nil && !while() {
			return
		}
		e := &edges[i]
		end(&e.from, e.From)
		end(&e.to, e.To)
		e.id = edgeID{from: e.from.id, to: e.to.id, typ: e.Type, role: roleOf(*e), id: e.IDBetween(e.from.id, e.to.id)}
	}
}

// ApplyResult counts what a batch changed. Each distinct node or
// relationship counts once: created if it was not stored before the batch,
// otherwise updated.
type ApplyResult struct {
	NodesCreated int
	NodesUpdated int
	EdgesCreated int
	EdgesUpdated int
}

// ListQuery selects a page of nodes. All filters are optional and combine
// with AND.
type ListQuery struct {
	Kinds []Kind
	// Labels match when the node has each label with exactly that value.
	Labels map[string]string
	// Source matches nodes asserted by that source.
	Source string
	First  int
	After  string // an opaque cursor from a previous page
}

// NodePage is one page of a listing.
type NodePage struct {
	Nodes []*Node
	// Cursors[i] is the cursor of Nodes[i], for Relay edges.
	Cursors []string
	HasNext bool
	// TotalCount counts every node matching the filters, whatever First and
	// After say.
	TotalCount  int
	EndCursor   string
	StartCursor string
}

// FillCursors sets the page's cursors from its nodes, the same way on every
// backend.
func (p *NodePage) FillCursors() {
	p.Cursors = p.Cursors[:0]
	for _, n := range p.Nodes {
		p.Cursors = append(p.Cursors, EncodeCursor(n.Ref()))
	}
	p.StartCursor, p.EndCursor = ends(p.Cursors)
}

// ends returns a page's start and end cursors: its first and last, or
// none for an empty page.
func ends(cursors []string) (start, end string) {
	if len(cursors) == 0 {
		return "", ""
	}
	return cursors[0], cursors[len(cursors)-1]
}

// SearchQuery is a free-text search.
type SearchQuery struct {
	Text  string
	Kinds []Kind
	Limit int
}

// NeighborQuery selects relationships around a node.
type NeighborQuery struct {
	Types     []RelType // empty means all types
	Direction Direction
	// Kinds keeps only the neighbours of these kinds (empty means all):
	// the store leaves the others unread, and Limit counts what is kept.
	Kinds []Kind
	// Limit caps the neighbours returned per node (0 means MaxPageSize).
	Limit int
	// Light, when set, asks for light nodes and relationships (Light).
	Light *Light
	// NodesOnly leaves each Neighbor's Edge nil, in the same order: for
	// callers that want the nodes at the other ends alone (impact's
	// grouping reads one or two for each item it reaches), whose
	// relationships would be built for nothing.
	NodesOnly bool
}

// Neighbor is one relationship of a node and the node at its other end.
type Neighbor struct {
	Edge *Edge // nil when asked NodesOnly
	Node *Node
	// Outgoing is true when the relationship points away from the node asked
	// about.
	Outgoing bool
}

// Step is one relationship type to follow in a traversal, in one direction.
type Step struct {
	Type      RelType
	Direction Direction
}

// TraverseQuery describes a bounded breadth-first walk.
type TraverseQuery struct {
	Starts   []ID
	Steps    []Step
	MaxDepth int
	// Limit caps the nodes returned (0 means MaxTraverse).
	Limit int
	// Light, when set, asks for light nodes and relationships (Light).
	Light *Light
}

// Light asks Traverse or Neighbors for light values: a node with its ID,
// Kind, Key, Name and, in Props, only the properties Props names that it
// has (nil for none; Labels nil), and a relationship with its ID, Type,
// From, To and, in Props, the properties Props names that it has and an
// OWNS relationship's role (which tells its owners apart and orders
// neighbours). Every other field (aliases, assertions, times, provenance)
// may be set or left zero, as suits the backend, and the values may be
// shared with the store and other callers: treat them as read-only, and
// load a node (Nodes) for more of it.
//
// It exists because answers that walk the graph (impact) read a name and a
// property or two of hundreds of nodes: as full values each is a deep copy
// with every property, label, alias and assertion decoded, and on a large
// estate that garbage, not the walk, set the latency tail
// (docs/benchmarks.md). A nil *Light asks for full values.
type Light struct {
	Props []string
}

// Node returns n as a light node: a new value with n's ID, Kind, Key, Name
// and the named properties, or n itself when l is nil. It is for backends
// that hold full values anyway.
func (l *Light) Node(n *Node) *Node {
	if l == nil || n == nil {
		return n
	}
	return &Node{ID: n.ID, Kind: n.Kind, Key: n.Key, Name: n.Name, Props: l.pick(n.Props)}
}

// Edge returns e as a light relationship (a new value), or e itself when l
// is nil.
func (l *Light) Edge(e *Edge) *Edge {
	if l == nil || e == nil {
		return e
	}
	props := l.pick(e.Props)
	if e.Type == RelOwns {
		props = LightRole(props, e.Role())
	}
	return &Edge{ID: e.ID, Type: e.Type, From: e.From, To: e.To, Props: props}
}

// pick returns the named properties of props that are set (nil for none).
func (l *Light) pick(props map[string]any) map[string]any {
	var out map[string]any
	for _, k := range l.Props {
		if v, ok := props[k]; ok {
			if out == nil {
				out = make(map[string]any, len(l.Props))
			}
			out[k] = v
		}
	}
	return out
}

// roleProps are the properties of a light OWNS relationship that carries
// no other, one map per role shared by all of them: a light read of a few
// hundred owners would otherwise allocate a map for each.
var roleProps = func() map[string]map[string]any {
	m := make(map[string]map[string]any, len(OwnerRoles))
	for _, r := range OwnerRoles {
		m[r] = map[string]any{"role": r}
	}
	return m
}()

// LightRole returns the properties of a light OWNS relationship: picked
// (its named properties, nil for none) with its role. Without named
// properties it is a map shared by every relationship with that role, which
// callers must not modify (as every light value).
func LightRole(picked map[string]any, role string) map[string]any {
	if picked == nil {
		if m, ok := roleProps[role]; ok {
			return m
		}
		picked = make(map[string]any, 1)
	}
	picked["role"] = role
	return picked
}

// Traversal is the result of a walk. Hits are ordered by depth, then kind,
// then key; start nodes are not included.
type Traversal struct {
	Hits      []Hit
	Truncated bool
}

// Hit is one node reached by a traversal.
type Hit struct {
	Node  *Node
	Depth int
	// Path lists the relationships from a start node to Node, in walking
	// order: a shortest path (which one among equals is unspecified). Paths
	// of different hits may share *Edge values: treat them as read-only.
	Path []*Edge
}

// SweepRequest asks to retract what a source asserted before a run.
type SweepRequest struct {
	Source string
	// Run is the completed run whose assertions are kept.
	Run string
	// Kinds restricts the sweep to nodes of these kinds and relationships
	// touching them; empty means all.
	Kinds []Kind
	// Keep lists scopes the run could not read: assertions made in one of
	// them, under one or in a scope containing one (ScopeHeld) are neither
	// retracted nor counted as going.
	Keep   []string
	DryRun bool
}

// SweepResult counts what a sweep removed (or would remove, with DryRun).
type SweepResult struct {
	NodesRemoved      int
	EdgesRemoved      int
	NodesRetracted    int // nodes kept because other sources still assert them
	EdgesRetracted    int
	SourceNodesBefore int // nodes the source asserted before the sweep
	SourceEdgesBefore int
}

// Topology is the whole graph's shape: every node, and every relationship
// as its type and the places of its ends in Nodes. A relationship whose end
// was not read (written between two pages of a backend that reads in
// pages) is left out.
type Topology struct {
	Nodes []*Node
	Links []Link
}

// Link is a relationship in a Topology.
type Link struct {
	Type     RelType
	From, To int32 // indexes into Topology.Nodes
}

// Stats counts what a store holds.
type Stats struct {
	Nodes map[Kind]int
	Edges map[RelType]int
}

// TotalNodes sums the node counts.
func (s Stats) TotalNodes() int {
	n := 0
	for _, c := range s.Nodes {
		n += c
	}
	return n
}

// TotalEdges sums the relationship counts.
func (s Stats) TotalEdges() int {
	n := 0
	for _, c := range s.Edges {
		n += c
	}
	return n
}

// Package graph is estate's domain: the kinds of things a CMDB tracks, the
// relationships allowed between them, their natural keys and deterministic ids,
// validation, and the Store contract every backend implements.
//
// Everything outside this package (ingest sources, the GraphQL API, the CLI)
// speaks these types; backends under graph/ translate them to storage. Nothing
// here imports server/ or ingest/.
package graph

import (
	"crypto/sha1"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Kind is the type of a node. The set is closed: DESIGN.md's table, extended
// deliberately in schema and docs together.
type Kind string

// The kinds of node estate keeps.
const (
	KindBusinessUnit  Kind = "BusinessUnit"
	KindService       Kind = "Service"
	KindApplication   Kind = "Application"
	KindRepository    Kind = "Repository"
	KindTeam          Kind = "Team"
	KindPerson        Kind = "Person"
	KindCloudAccount  Kind = "CloudAccount"
	KindCloudResource Kind = "CloudResource"
	// KindChange is an assessed change (change governance): its key is
	// ChangeKey(repository, commit, environment).
	KindChange Kind = "Change"
	// KindIncident is an incident, keyed by the source system's id.
	KindIncident Kind = "Incident"
)

// Kinds lists every kind in a stable order (used for export and listings).
var Kinds = []Kind{
	KindBusinessUnit, KindService, KindApplication, KindRepository,
	KindTeam, KindPerson, KindCloudAccount, KindCloudResource,
	KindChange, KindIncident,
}

// EstateKinds are the kinds sources ingest: every kind but the records of
// change governance (Change, Incident), which only graph/governance writes.
var EstateKinds = []Kind{
	KindBusinessUnit, KindService, KindApplication, KindRepository,
	KindTeam, KindPerson, KindCloudAccount, KindCloudResource,
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	_, ok := propSchemas[k]
	return ok
}

// RelType is the type of a relationship.
type RelType string

// The relationship types of DESIGN.md.
const (
	RelPartOf    RelType = "PART_OF"
	RelBuilds    RelType = "BUILDS"
	RelOwns      RelType = "OWNS"
	RelMemberOf  RelType = "MEMBER_OF"
	RelDependsOn RelType = "DEPENDS_ON"
	RelRunsOn    RelType = "RUNS_ON"
	RelInAccount RelType = "IN_ACCOUNT"
	RelDefines   RelType = "DEFINES"
	// RelAffects links a change or an incident to the applications and
	// services it touches or hits.
	RelAffects RelType = "AFFECTS"
	// RelMadeBy links a change to the team or person that made it.
	RelMadeBy RelType = "MADE_BY"
	// RelCausedBy links an incident to the change that caused it.
	RelCausedBy RelType = "CAUSED_BY"
)

// RelTypes lists every relationship type in a stable order.
var RelTypes = []RelType{
	RelPartOf, RelBuilds, RelOwns, RelMemberOf, RelDependsOn, RelRunsOn, RelInAccount, RelDefines,
	RelAffects, RelMadeBy, RelCausedBy,
}

// EstateRelTypes are the relationship types sources ingest: every type but
// those of change governance (AFFECTS, MADE_BY, CAUSED_BY).
var EstateRelTypes = []RelType{
	RelPartOf, RelBuilds, RelOwns, RelMemberOf, RelDependsOn, RelRunsOn, RelInAccount, RelDefines,
}

// ownedKinds are the kinds an OWNS relationship may point at: everything a
// team or person can be accountable for.
var ownedKinds = []Kind{
	KindBusinessUnit, KindService, KindApplication, KindRepository,
	KindCloudAccount, KindCloudResource, KindTeam,
}

// allowedPairs is DESIGN.md's relationship table. Anything not listed is
// rejected as invalid input.
var allowedPairs = func() map[RelType]map[Kind][]Kind {
	m := map[RelType]map[Kind][]Kind{
		RelPartOf: {
			KindService:      {KindBusinessUnit},
			KindApplication:  {KindService},
			KindBusinessUnit: {KindBusinessUnit},
		},
		RelBuilds:    {KindRepository: {KindApplication}},
		RelOwns:      {KindTeam: ownedKinds, KindPerson: ownedKinds},
		RelMemberOf:  {KindPerson: {KindTeam}, KindTeam: {KindTeam}},
		RelDependsOn: {KindApplication: {KindApplication, KindService, KindCloudResource}},
		RelRunsOn:    {KindApplication: {KindCloudResource}},
		RelInAccount: {KindCloudResource: {KindCloudAccount}},
		RelDefines:   {KindRepository: {KindCloudResource}},
		RelAffects: {
			KindChange:   {KindApplication, KindService},
			KindIncident: {KindService, KindApplication},
		},
		RelMadeBy:   {KindChange: {KindTeam, KindPerson}},
		RelCausedBy: {KindIncident: {KindChange}},
	}
	return m
}()

// Allowed reports whether a relationship of type t may go from a node of kind
// from to a node of kind to.
func (t RelType) Allowed(from, to Kind) bool {
	for _, k := range allowedPairs[t][from] {
		if k == to {
			return true
		}
	}
	return false
}

// Valid reports whether t is one of RelTypes.
func (t RelType) Valid() bool {
	_, ok := allowedPairs[t]
	return ok
}

// ChangeKey is the natural key of a Change: the repository, the commit and
// the environment it goes to, as in github.com/acme/payments@3f2a9c1/prod.
func ChangeKey(repository, commit, environment string) string {
	return repository + "@" + commit + "/" + environment
}

// Confidence says how sure a source is of what it asserts.
type Confidence string

// Confidence levels, from a file or API field that says so, through a strong
// inference, to a guess.
const (
	Declared  Confidence = "DECLARED"
	Inferred  Confidence = "INFERRED"
	Heuristic Confidence = "HEURISTIC"
)

// Valid reports whether c is a known confidence level.
func (c Confidence) Valid() bool {
	return c == Declared || c == Inferred || c == Heuristic
}

// ListedLabels are the labels of change governance's records that listings
// filter on at scale — a month of history, the pending changes of a class,
// a team's changes — by kind: a backend keeps them indexed. A record's
// other labels are filtered by scanning its kind.
var ListedLabels = map[Kind][]string{
	KindChange:   {"month", "history", "status", "class", "team", "environment"},
	KindIncident: {"month", "history"},
}

// SourceManual is the source of edits made by people through the API. Its
// assertions are never swept.
const SourceManual = "manual"

// ID is a node's or relationship's id: a UUID v5, so every backend and every
// re-ingest derives the same id from the same natural key.
type ID = uuid.UUID

// namespace roots every estate id. Changing it changes every id: never do.
var namespace = uuid.MustParse("6f1c3c52-8d55-4b63-9a63-5b0a3c7e2a10")

// NodeID is the deterministic id of the node of kind k with natural key key.
// Keys are compared case-sensitively here; normalisation happens before (see
// NormalizeKey).
func NodeID(k Kind, key string) ID {
	var buf [128]byte
	b := append(append(append(buf[:0], namespace[:]...), k...), 0)
	return nameID(append(b, key...))
}

// EdgeID is the deterministic id of a relationship. OWNS relationships are
// distinct per role, so a team may own an asset both technically and as its
// business owner.
func EdgeID(t RelType, from, to ID, role string) ID {
	var buf [96]byte
	b := append(append(append(buf[:0], namespace[:]...), t...), 0)
	b = append(append(b, from[:]...), to[:]...)
	return nameID(append(b, role...))
}

// nameID is uuid.NewSHA1(namespace, name) for b, the namespace followed by
// the name: one SHA-1 of a buffer on the caller's stack, where
// uuid.NewSHA1 allocates a hash, its sum and the name's concatenation for
// every id — and every item of every sync derives at least one.
func nameID(b []byte) ID {
	sum := sha1.Sum(b)
	var id ID
	copy(id[:], sum[:])
	id[6] = id[6]&0x0f | 5<<4 // version 5: SHA-1
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	return id
}

// Ref names a node by kind and natural key.
type Ref struct {
	Kind Kind   `json:"kind"`
	Key  string `json:"key"`
}

// ID returns the node id the ref denotes.
func (r Ref) ID() ID { return NodeID(r.Kind, r.Key) }

func (r Ref) String() string { return string(r.Kind) + ":" + r.Key }

// Assertion records that one source said a node or relationship exists.
// A node or relationship lives as long as at least one assertion does.
type Assertion struct {
	Source string `json:"source"`
	Run    string `json:"run,omitempty"`
	// Scope is the part of the source's system the assertion was made in
	// (scope.go); "" is the whole source.
	Scope      string     `json:"scope,omitempty"`
	Confidence Confidence `json:"confidence"`
	Evidence   string     `json:"evidence,omitempty"`
	FirstSeen  time.Time  `json:"firstSeen"`
	LastSeen   time.Time  `json:"lastSeen"`
}

// Alias is another identifier a source knows a node by (a CODEOWNERS handle,
// an e-mail spelling, a tag value). Lookups match aliases case-insensitively.
type Alias struct {
	Value  string `json:"value"`
	Source string `json:"source"`
}

// Node is one thing in the estate.
type Node struct {
	ID     ID                `json:"id"`
	Kind   Kind              `json:"kind"`
	Key    string            `json:"key"`
	Name   string            `json:"name"`
	Props  map[string]any    `json:"props,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
	// Aliases are sorted by Value, then Source.
	Aliases []Alias `json:"aliases,omitempty"`
	// Assertions are sorted by Source.
	Assertions []Assertion `json:"assertions"`
	FirstSeen  time.Time   `json:"firstSeen"`
	LastSeen   time.Time   `json:"lastSeen"`
	// Manual lists the fields the manual source set, sorted ("name",
	// "props.<name>", "labels.<name>"): ingests no longer overwrite them.
	Manual []string `json:"manual,omitempty"`
	// Conflicts are ingested values that differ from a manual one, sorted
	// by Field, then Source (see provenance.go).
	Conflicts []Conflict `json:"conflicts,omitempty"`
}

// Ref returns the node's kind and key.
func (n *Node) Ref() Ref { return Ref{Kind: n.Kind, Key: n.Key} }

// Edge is one relationship between two nodes.
type Edge struct {
	ID   ID      `json:"id"`
	Type RelType `json:"type"`
	From Ref     `json:"from"`
	To   Ref     `json:"to"`
	// Props holds relationship properties: role on OWNS, path on BUILDS.
	Props      map[string]any `json:"props,omitempty"`
	Assertions []Assertion    `json:"assertions"`
	FirstSeen  time.Time      `json:"firstSeen"`
	LastSeen   time.Time      `json:"lastSeen"`
	// Manual and Conflicts are as on Node, for properties.
	Manual    []string   `json:"manual,omitempty"`
	Conflicts []Conflict `json:"conflicts,omitempty"`
}

// Role returns the OWNS role of the edge ("" for other types).
func (e *Edge) Role() string {
	if e.Type != RelOwns {
		return ""
	}
	if r, ok := e.Props["role"].(string); ok {
		return r
	}
	return OwnerTechnical
}

// Confidence returns the strongest confidence any source asserts.
func (e *Edge) Confidence() Confidence { return strongest(e.Assertions) }

// Confidence returns the strongest confidence any source asserts.
func (n *Node) Confidence() Confidence { return strongest(n.Assertions) }

func strongest(as []Assertion) Confidence {
	best := Heuristic
	for _, a := range as {
		switch {
		case a.Confidence == Declared:
			return Declared
		case a.Confidence == Inferred:
			best = Inferred
		}
	}
	return best
}

// Owner roles on OWNS relationships.
const (
	OwnerTechnical = "technical"
	OwnerBusiness  = "business"
	OwnerSupport   = "support"
	OwnerSecurity  = "security"
)

// OwnerRoles lists every owner role, in the order answers list owners.
var OwnerRoles = []string{OwnerTechnical, OwnerBusiness, OwnerSupport, OwnerSecurity}

// NormalizeKey trims the spaces around a key. Keys are otherwise kept as the
// source spells them; case-insensitive matching happens through aliases.
func NormalizeKey(key string) string { return strings.TrimSpace(key) }

// Direction selects which relationships of a node to follow.
type Direction string

// Directions: along the arrow, against it, or both.
const (
	Out  Direction = "OUT"
	In   Direction = "IN"
	Both Direction = "BOTH"
)

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { return d == Out || d == In || d == Both }

package governance

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
)

// Class is how a change is handled.
type Class string

// Change classes, from no human needed to the change advisory board.
const (
	// Standard changes are pre-approved: recorded, no human needed.
	Standard Class = "STANDARD"
	// Normal changes are approved by the owning team.
	Normal Class = "NORMAL"
	// High changes are approved by the change advisory board (CAB).
	High Class = "HIGH"
)

func (c Class) rank() int {
	switch c {
	case Standard:
		return 1
	case Normal:
		return 2
	case High:
		return 3
	}
	return 0
}

// Valid reports whether c is a known class.
func (c Class) Valid() bool { return c.rank() > 0 }

// Status is where a change's decision stands.
type Status string

// Statuses. A decided change (APPROVED or REJECTED) never changes again.
const (
	Pending  Status = "PENDING"
	Approved Status = "APPROVED"
	Rejected Status = "REJECTED"
)

// Level is a team's accreditation.
type Level string

// Accreditation levels, lowest first.
const (
	Bronze Level = "bronze"
	Silver Level = "silver"
	Gold   Level = "gold"
)

func (l Level) rank() int {
	switch l {
	case Bronze:
		return 1
	case Silver:
		return 2
	case Gold:
		return 3
	}
	return 0
}

// Valid reports whether l is a known level.
func (l Level) Valid() bool { return l.rank() > 0 }

// Factor is one part of an assessment: what it measured, the points it
// added, why, and the entities it is about.
type Factor struct {
	Name        string      `json:"name"`
	Points      int         `json:"points"`
	Explanation string      `json:"explanation"`
	Items       []graph.Ref `json:"items"`
	// BlocksStandard is set when the factor rules STANDARD out.
	BlocksStandard bool `json:"blocksStandard,omitempty"`
}

// Factor names.
const (
	FactorBlastRadius   = "blast-radius"
	FactorSize          = "size"
	FactorCoverage      = "coverage"
	FactorTrackRecord   = "track-record"
	FactorAccreditation = "accreditation"
	FactorDataQuality   = "data-quality"
	FactorEnvironment   = "environment"
	FactorStandard      = "standard-change"
)

// Change is a recorded change: an assessment and its decision.
type Change struct {
	Key           string      `json:"key"`
	Repository    string      `json:"repository"`
	Commit        string      `json:"commit"`
	Environment   string      `json:"environment"`
	Class         Class       `json:"class"`
	Score         int         `json:"score"`
	Status        Status      `json:"status"`
	PolicyVersion string      `json:"policyVersion"`
	Team          string      `json:"team,omitempty"`
	ChangedPaths  []string    `json:"changedPaths"`
	LinesChanged  *int        `json:"linesChanged,omitempty"`
	Coverage      *int        `json:"coverage,omitempty"`
	Components    int         `json:"components"`
	Factors       []Factor    `json:"factors"`
	Affects       []graph.Ref `json:"affects"`
	CommittedAt   *time.Time  `json:"committedAt,omitempty"`
	AssessedAt    time.Time   `json:"assessedAt"`
	RequestedBy   string      `json:"requestedBy,omitempty"`
	DecidedAt     *time.Time  `json:"decidedAt,omitempty"`
	DecidedBy     string      `json:"decidedBy,omitempty"`
	Reason        string      `json:"decisionReason,omitempty"`
	// Recorded is set when the change was assessed before and this is the
	// recorded decision.
	Recorded bool `json:"recorded"`
}

// Source is the provenance of everything governance writes: never swept by
// an ingest run (no ingest run uses it).
const Source = "governance"

// Store is what governance needs from a backend; every graph.Store is one.
type Store interface {
	analysis.Store
	Apply(ctx context.Context, b graph.Batch) (graph.ApplyResult, error)
	Node(ctx context.Context, ref graph.Ref) (*graph.Node, error)
	Nodes(ctx context.Context, ids []graph.ID) ([]*graph.Node, error)
	List(ctx context.Context, q graph.ListQuery) (*graph.NodePage, error)
}

// Governor assesses changes and records decisions and incidents under one
// policy. It is safe for concurrent use; assessments and decisions are
// serialised so that assessing a change twice at once records it once and
// two approvers cannot both decide it.
type Governor struct {
	store  Store
	policy *Policy
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Pending, when set, is told of each change an assessment records as
	// waiting for a decision (NORMAL or HIGH), once it is recorded; not of
	// a change assessed again. It is called while assessments wait, so it
	// must return at once (notify.Notifier.ChangePending delivers in the
	// background).
	Pending func(context.Context, *Change)
	mu      sync.Mutex
}

// New returns a Governor over store with policy (DefaultPolicy when nil).
func New(store Store, policy *Policy) *Governor {
	if policy == nil {
		policy = DefaultPolicy()
	}
	return &Governor{store: store, policy: policy, Now: time.Now}
}

// Policy returns the policy in use.
func (g *Governor) Policy() *Policy { return g.policy }

func (g *Governor) now() time.Time { return g.Now().UTC() }

// Change returns the recorded change with the given key. Errors:
// CodeNotFound.
func (g *Governor) Change(ctx context.Context, key string) (*Change, error) {
	n, err := g.store.Node(ctx, graph.Ref{Kind: graph.KindChange, Key: key})
	if err != nil {
		return nil, err
	}
	return ChangeOf(n)
}

// ChangeOf reads a Change node back (Affects is not filled: it lives in
// relationships).
func ChangeOf(n *graph.Node) (*Change, error) {
	if n == nil || n.Kind != graph.KindChange {
		return nil, fmt.Errorf("governance: not a change: %v", n)
	}
	p := n.Props
	c := &Change{Key: n.Key, ChangedPaths: []string{}, Factors: []Factor{}, Affects: []graph.Ref{}}
	c.Repository, _ = p["repository"].(string)
	c.Commit, _ = p["commit"].(string)
	c.Environment, _ = p["environment"].(string)
	if s, ok := p["class"].(string); ok {
		c.Class = Class(s)
	}
	if s, ok := p["status"].(string); ok {
		c.Status = Status(s)
	}
	c.PolicyVersion, _ = p["policyVersion"].(string)
	c.Team, _ = p["team"].(string)
	c.RequestedBy, _ = p["requestedBy"].(string)
	c.DecidedBy, _ = p["decidedBy"].(string)
	c.Reason, _ = p["decisionReason"].(string)
	c.Score = intProp(p, "score")
	c.Components = intProp(p, "components")
	if _, ok := p["linesChanged"]; ok {
		v := intProp(p, "linesChanged")
		c.LinesChanged = &v
	}
	if _, ok := p["coverage"]; ok {
		v := intProp(p, "coverage")
		c.Coverage = &v
	}
	if l, ok := p["changedPaths"].([]string); ok {
		c.ChangedPaths = l
	}
	c.CommittedAt = timeProp(p, "committedAt")
	c.AssessedAt = AssessedAt(n)
	c.DecidedAt = timeProp(p, "decidedAt")
	if s, ok := p["factors"].(string); ok && s != "" {
		if err := json.Unmarshal([]byte(s), &c.Factors); err != nil {
			return nil, fmt.Errorf("governance: change %s: factors: %w", n.Key, err)
		}
	}
	return c, nil
}

// AssessedAt is when the change n was assessed (zero if n is not a
// recorded change): an order by time reads it alone, not the whole change.
func AssessedAt(n *graph.Node) time.Time {
	if t := timeProp(n.Props, "assessedAt"); t != nil {
		return *t
	}
	return time.Time{}
}

func intProp(p map[string]any, name string) int {
	switch v := p[name].(type) {
	case int64:
		return int(v)
	case int:
		return v
	}
	return 0
}

func timeProp(p map[string]any, name string) *time.Time {
	s, ok := p[name].(string)
	if !ok {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil
	}
	return &t
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

package governance

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/estate-cmdb/estate/graph"
)

// Approver is who decides a change: a name to record, the teams they
// approve for, and whether they sit on the change advisory board.
type Approver struct {
	Name  string
	Teams []string
	CAB   bool
}

// DeniedError is returned when an approver may not decide a change. The
// API reports it as FORBIDDEN.
type DeniedError struct{ Msg string }

func (e *DeniedError) Error() string { return e.Msg }

// Approve records that who approved the change. Rules: only a PENDING
// change is decided (a decided one is immutable: CodeConflict); a NORMAL
// change is approved by a member of its owning team or by the CAB; a HIGH
// change by the CAB only (*DeniedError otherwise). Errors: CodeNotFound
// for an unknown change; CodeInvalid for an empty approver name.
func (g *Governor) Approve(ctx context.Context, key string, who Approver, reason string) (*Change, error) {
	return g.decide(ctx, key, who, reason, Approved)
}

// Reject records that who rejected the change, under the same rules as
// Approve. A rejected change stays rejected: assessing it again returns
// the rejection.
func (g *Governor) Reject(ctx context.Context, key string, who Approver, reason string) (*Change, error) {
	return g.decide(ctx, key, who, reason, Rejected)
}

func (g *Governor) decide(ctx context.Context, key string, who Approver, reason string, to Status) (*Change, error) {
	if strings.TrimSpace(who.Name) == "" {
		return nil, graph.Errorf(graph.CodeInvalid, "approver: a decision needs who made it")
	}
	if len(reason) > 2000 {
		return nil, graph.Errorf(graph.CodeInvalid, "reason: over 2000 bytes")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	c, err := g.recorded(ctx, key)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, graph.Errorf(graph.CodeNotFound, "change %q is not recorded (assess it first)", key)
	}
	if c.Status != Pending {
		by := c.DecidedBy
		return nil, graph.Errorf(graph.CodeConflict, "change %s is already %s (by %s): a decided change is immutable", key, c.Status, by)
	}
	if err := mayDecide(c, who); err != nil {
		return nil, err
	}
	now := g.now()
	props := map[string]any{"status": string(to), "decidedAt": stamp(now), "decidedBy": who.Name, "decisionReason": reason}
	labels := HistoryLabels(now) // the decision moves the change to its month
	labels["status"] = string(to)
	_, err = g.store.Apply(ctx, graph.Batch{Source: Source, Run: strings.ToLower(string(to)) + ":" + key, At: now,
		Nodes: []graph.NodeInput{{Kind: graph.KindChange, Key: key, Props: props, Labels: labels, Confidence: graph.Declared,
			Evidence: fmt.Sprintf("%s by %s", strings.ToLower(string(to)), who.Name)}}})
	if err != nil {
		return nil, fmt.Errorf("record decision on %s: %w", key, err)
	}
	c.Status, c.DecidedAt, c.DecidedBy, c.Reason = to, &now, who.Name, reason
	c.Recorded = false
	return c, nil
}

// mayDecide applies the approval rules.
func mayDecide(c *Change, who Approver) error {
	if who.CAB {
		return nil
	}
	if c.Class == High {
		return &DeniedError{Msg: fmt.Sprintf("change %s is HIGH: only the change advisory board (CAB) may decide it", c.Key)}
	}
	if c.Team == "" {
		return &DeniedError{Msg: fmt.Sprintf("change %s has no owning team: only the change advisory board (CAB) may decide it", c.Key)}
	}
	if !slices.ContainsFunc(who.Teams, func(t string) bool { return strings.EqualFold(strings.TrimSpace(t), c.Team) }) {
		return &DeniedError{Msg: fmt.Sprintf("change %s is NORMAL: only its owning team %s (or the CAB) may decide it; %s approves for %s",
			c.Key, c.Team, who.Name, teamsText(who.Teams))}
	}
	return nil
}

func teamsText(ts []string) string {
	if len(ts) == 0 {
		return "no team"
	}
	return strings.Join(ts, ", ")
}

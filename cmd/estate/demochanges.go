package main

import (
	"context"
	"fmt"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/governance"
)

// demoChange is a change the demo server shows on its Changes page: what a
// pipeline asked, and the decision taken on it ("" leaves it pending).
type demoChange struct {
	in       governance.AssessInput
	decision governance.Status
	by       governance.Approver
	reason   string
}

func ptr[T any](v T) *T { return &v }

func hoursAgo(now time.Time, h int) *time.Time {
	return ptr(now.Add(-time.Duration(h) * time.Hour))
}

// demoChanges are assessed against the demo estate under the server's policy
// when the demo is loaded, so that the Changes page has work on it: changes
// waiting for the change advisory board and for their owning teams, one
// approved (that later caused an incident) and one rejected.
func demoChanges(now time.Time) []demoChange {
	cab := governance.Approver{Name: "carla.cab (demo)", CAB: true}
	return []demoChange{
		{in: governance.AssessInput{Repository: "github.com/acme/payments-api", Commit: "3f9c2e1",
			ChangedPaths: []string{"internal/charge/retry.go"}, LinesChanged: ptr(120), Coverage: ptr(82.0), CommittedAt: hoursAgo(now, 5)}},
		{in: governance.AssessInput{Repository: "github.com/acme/checkout-monorepo", Commit: "8a41d07",
			ChangedPaths: []string{"services/cart/handler.go"}, LinesChanged: ptr(35), Coverage: ptr(74.0), CommittedAt: hoursAgo(now, 20)}},
		{in: governance.AssessInput{Repository: "github.com/acme/promo-pages", Commit: "c2d9e44", Environment: "staging",
			LinesChanged: ptr(20), Coverage: ptr(50.0), CommittedAt: hoursAgo(now, 2)}},
		{in: governance.AssessInput{Repository: "github.com/acme/intranet", Commit: "77aa012",
			LinesChanged: ptr(12), Coverage: ptr(90.0), CommittedAt: hoursAgo(now, 30)}},
		{in: governance.AssessInput{Repository: "github.com/acme/order-export", Commit: "51be0a9",
			LinesChanged: ptr(60), Coverage: ptr(70.0), CommittedAt: hoursAgo(now, 72)},
			decision: governance.Approved, by: governance.Approver{Name: "dana.checkout (demo)", Teams: []string{"checkout"}},
			reason: "Export format agreed with the warehouse partner; rollout after the nightly run"},
		{in: governance.AssessInput{Repository: "github.com/acme/loyalty-api", Commit: "9e07f3c",
			LinesChanged: ptr(240), Coverage: ptr(41.0), CommittedAt: hoursAgo(now, 48)},
			decision: governance.Rejected, by: cab, reason: "41% coverage on the points expiry rewrite: add tests, then assess again"},
	}
}

// loadDemoChanges assesses the demo changes, decides those that have a
// decision and records an incident caused by the approved one. Assessing
// the same commit again returns the recorded change, so a second start
// changes nothing.
func loadDemoChanges(ctx context.Context, s graph.Store, policy *governance.Policy) error {
	g := governance.New(s, policy)
	ctx = graph.WithActor(ctx, "demo") // who the audit trail says wrote them
	now := time.Now().UTC()
	var caused string
	for _, d := range demoChanges(now) {
		// Assessed an hour after the commit, decided an hour later: the
		// demo's lead times and decision times look like a real pipeline's.
		at := d.in.CommittedAt.Add(time.Hour)
		g.Now = func() time.Time { return at }
		d.in.RequestedBy = "demo pipeline"
		c, err := g.Assess(ctx, d.in)
		if err != nil {
			return fmt.Errorf("demo change %s@%s: %w", d.in.Repository, d.in.Commit, err)
		}
		if d.decision == governance.Approved {
			caused = c.Key
		}
		if d.decision == "" || c.Status != governance.Pending {
			continue
		}
		decide := g.Approve
		if d.decision == governance.Rejected {
			decide = g.Reject
		}
		at = at.Add(time.Hour)
		if _, err := decide(ctx, c.Key, d.by, d.reason); err != nil {
			return fmt.Errorf("demo change %s: %w", c.Key, err)
		}
	}
	_, err := g.RecordIncident(ctx, governance.IncidentInput{
		ID: "INC0010442", Source: "servicenow", Title: "Warehouse order export missing line items",
		Severity: "3", Status: "resolved", StartedAt: hoursAgo(now, 40), RestoredAt: hoursAgo(now, 37),
		Services: []string{"order-export"}, CausedBy: caused,
	})
	if err != nil {
		return fmt.Errorf("demo incident: %w", err)
	}
	return nil
}

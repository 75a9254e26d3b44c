package governance

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
)

// IncidentInput is an incident in estate's generic shape, which exports of
// PagerDuty, Opsgenie or ServiceNow map onto (docs/change-governance.md):
//
//	{"id": "PD-Q1W2E3", "source": "pagerduty", "title": "Checkout errors",
//	 "severity": "SEV2", "status": "resolved", "url": "https://…",
//	 "startedAt": "2026-11-20T10:00:00Z", "restoredAt": "2026-11-20T10:45:00Z",
//	 "services": ["checkout", "Application:cart-service"],
//	 "causedBy": "github.com/acme/checkout-monorepo@3f2a9c1/production"}
//
// id, title, startedAt and at least one service are required. Recording an
// incident again (same id) updates it: a restore time arrives later.
type IncidentInput struct {
	ID          string     `json:"id"`
	Source      string     `json:"source,omitempty"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Severity    string     `json:"severity,omitempty"`
	Status      string     `json:"status,omitempty"`
	URL         string     `json:"url,omitempty"`
	StartedAt   *time.Time `json:"startedAt"`
	RestoredAt  *time.Time `json:"restoredAt,omitempty"`
	// Services are the services or applications it hit: keys, aliases or
	// "Kind:key".
	Services []string `json:"services"`
	// CausedBy is the key of the recorded change that caused it, if known.
	CausedBy string `json:"causedBy,omitempty"`
}

// maxIncidentServices bounds the services of one incident.
const maxIncidentServices = 200

// RecordIncident records an incident AFFECTING the services and
// applications it hit and, when given, CAUSED_BY a recorded change.
// Errors: CodeInvalid naming the field for missing or malformed input;
// CodeNotFound for a service or change that is not in the estate. Nothing
// is recorded on error.
func (g *Governor) RecordIncident(ctx context.Context, in IncidentInput) (*graph.Node, error) {
	bad := func(field, format string, args ...any) error {
		return graph.Errorf(graph.CodeInvalid, "incident %s: %s", field, fmt.Sprintf(format, args...))
	}
	in.ID, in.Title = strings.TrimSpace(in.ID), strings.TrimSpace(in.Title)
	switch {
	case in.ID == "":
		return nil, bad("id", "required (the source system's incident id)")
	case len(in.ID) > 200 || strings.ContainsFunc(in.ID, unicode.IsControl):
		return nil, bad("id", "over 200 bytes or has control characters")
	case in.Title == "":
		return nil, bad("title", "required")
	case in.StartedAt == nil || in.StartedAt.IsZero():
		return nil, bad("startedAt", "required (RFC 3339 time)")
	case in.RestoredAt != nil && in.RestoredAt.Before(*in.StartedAt):
		return nil, bad("restoredAt", "%s is before startedAt %s", in.RestoredAt.Format(time.RFC3339), in.StartedAt.Format(time.RFC3339))
	case len(in.Services) == 0:
		return nil, bad("services", "name at least one service or application it hit")
	case len(in.Services) > maxIncidentServices:
		return nil, bad("services", "%d is over the limit of %d", len(in.Services), maxIncidentServices)
	}
	ref := graph.Ref{Kind: graph.KindIncident, Key: in.ID}
	var edges []graph.EdgeInput
	for i, s := range in.Services {
		r, err := analysis.Resolve(ctx, g.store, s, []graph.Kind{graph.KindService, graph.KindApplication})
		if err != nil {
			if graph.CodeOf(err) == graph.CodeNotFound || graph.CodeOf(err) == graph.CodeInvalid {
				return nil, bad(fmt.Sprintf("services[%d]", i), "%q is no service or application in the estate", s)
			}
			return nil, err
		}
		if r.Subject == nil {
			return nil, bad(fmt.Sprintf("services[%d]", i), "%q is ambiguous: use Kind:key", s)
		}
		edges = append(edges, graph.EdgeInput{Type: graph.RelAffects, From: ref, To: r.Subject.Ref(), Confidence: graph.Declared,
			Evidence: "incident report"})
	}
	if in.CausedBy = strings.TrimSpace(in.CausedBy); in.CausedBy != "" {
		cr := graph.Ref{Kind: graph.KindChange, Key: in.CausedBy}
		if _, err := g.store.Node(ctx, cr); err != nil {
			if graph.CodeOf(err) == graph.CodeNotFound {
				return nil, bad("causedBy", "%q is not a recorded change", in.CausedBy)
			}
			return nil, err
		}
		edges = append(edges, graph.EdgeInput{Type: graph.RelCausedBy, From: ref, To: cr, Confidence: graph.Declared,
			Evidence: "incident report"})
	}
	props := map[string]any{"startedAt": stamp(*in.StartedAt)}
	for name, v := range map[string]string{"source": in.Source, "description": in.Description, "severity": in.Severity,
		"status": in.Status, "url": in.URL} {
		if v = strings.TrimSpace(v); v != "" {
			props[name] = v
		}
	}
	if in.RestoredAt != nil {
		props["restoredAt"] = stamp(*in.RestoredAt)
	}
	now := g.now()
	_, err := g.store.Apply(ctx, graph.Batch{Source: Source, Run: "incident:" + in.ID, At: now,
		Nodes: []graph.NodeInput{{Kind: graph.KindIncident, Key: in.ID, Name: in.Title, Props: props, Labels: HistoryLabels(*in.StartedAt), Confidence: graph.Declared,
			Evidence: "incident report from " + orText(in.Source, "an unnamed source")}},
		Edges: edges})
	if err != nil {
		return nil, fmt.Errorf("record incident %s: %w", in.ID, err)
	}
	return g.store.Node(ctx, ref)
}

func orText(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

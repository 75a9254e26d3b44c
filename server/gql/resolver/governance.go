package resolver

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/governance"
	"github.com/estate-cmdb/estate/server/auth"
	"github.com/estate-cmdb/estate/server/gql/model"
)

// Change governance: thin translations to graph/governance.

// Approver is who the caller is in change governance: the token's name and
// membership (auth.Membership).
func Approver(ctx context.Context) governance.Approver {
	p, _ := auth.PrincipalFrom(ctx)
	return governance.Approver{Name: p.Name, Teams: p.Membership.Teams, CAB: p.Membership.CAB}
}

// Forbidden turns a governance denial into the API's FORBIDDEN.
func Forbidden(err error) error {
	var d *governance.DeniedError
	if errors.As(err, &d) {
		return &auth.Error{Code: auth.CodeForbidden, Msg: d.Msg}
	}
	return err
}

func (r *Resolver) changeNode(ctx context.Context, key string) (*model.Change, error) {
	n, err := r.Store.Node(ctx, graph.Ref{Kind: graph.KindChange, Key: key})
	if err != nil {
		return nil, err
	}
	return asChange(n), nil
}

func asChange(n *graph.Node) *model.Change { return &model.Change{Base: model.Base{N: n}} }

func (r *Resolver) assessChange(ctx context.Context, in model.AssessChangeInput) (*model.ChangeAssessment, error) {
	c, err := r.Governor.Assess(ctx, governance.AssessInput{Repository: in.Repository, Commit: in.Commit,
		Environment: deref(in.Environment), ChangedPaths: in.ChangedPaths, LinesChanged: in.LinesChanged,
		Coverage: in.Coverage, CommittedAt: in.CommittedAt, RequestedBy: Approver(ctx).Name})
	if err != nil {
		return nil, err
	}
	ch, err := r.changeNode(ctx, c.Key)
	if err != nil {
		return nil, err
	}
	return &model.ChangeAssessment{Recorded: c.Recorded, Change: ch}, nil
}

func (r *Resolver) decideChange(ctx context.Context, key string, reason *string, approve bool) (*model.Change, error) {
	decide := r.Governor.Reject
	if approve {
		decide = r.Governor.Approve
	}
	if _, err := decide(ctx, key, Approver(ctx), deref(reason)); err != nil {
		return nil, Forbidden(err)
	}
	return r.changeNode(ctx, key)
}

func (r *Resolver) recordIncident(ctx context.Context, in model.IncidentInput) (*model.Incident, error) {
	started := in.StartedAt
	n, err := r.Governor.RecordIncident(ctx, governance.IncidentInput{ID: in.ID, Source: deref(in.Source), Title: in.Title,
		Description: deref(in.Description), Severity: deref(in.Severity), Status: deref(in.Status), URL: deref(in.URL),
		StartedAt: &started, RestoredAt: in.RestoredAt, Services: in.Services, CausedBy: deref(in.CausedBy)})
	if err != nil {
		return nil, err
	}
	return &model.Incident{Base: model.Base{N: n}}, nil
}

func (r *Resolver) suspectChanges(ctx context.Context, incident *graph.Node, days, depth *int) (*model.SuspectChanges, error) {
	d := deref(days)
	if days == nil {
		d = int(governance.DefaultSuspectWindow / (24 * time.Hour))
	}
	if most := int(governance.MaxSuspectWindow / (24 * time.Hour)); d < 1 || d > most {
		return nil, graph.Errorf(graph.CodeInvalid, "days %d is outside 1..%d", d, most)
	}
	sus, err := r.Governor.Suspects(ctx, incident.Key, time.Duration(d)*24*time.Hour, deref(depth))
	if err != nil {
		return nil, err
	}
	out := &model.SuspectChanges{Days: d, Depth: sus.Depth, Truncated: sus.Truncated, Suspects: make([]*model.SuspectChange, len(sus.Suspects))}
	for i, s := range sus.Suspects {
		path := make([]*analysis.PathStep, len(s.Path))
		for j := range s.Path {
			path[j] = &s.Path[j]
		}
		out.Suspects[i] = &model.SuspectChange{Change: asChange(s.Node), Affects: s.Affects, Hit: s.Hit, Distance: s.Distance,
			Path: path, MinutesBefore: int(s.Before / time.Minute), RecordedCause: s.Recorded}
	}
	return out, nil
}

func (r *Resolver) changes(ctx context.Context, class *governance.Class, status *governance.Status, env, team *string, order *model.ChangeOrder, first *int, after *string) (*model.ChangeConnection, error) {
	var labels []*model.LabelInput
	add := func(k string, v *string) {
		if v != nil {
			labels = append(labels, &model.LabelInput{Key: k, Value: *v})
		}
	}
	if class != nil {
		add("class", (*string)(class))
	}
	if status != nil {
		add("status", (*string)(status))
	}
	add("environment", env)
	add("team", team)
	var (
		p   page
		err error
	)
	if order == nil || *order == model.ChangeOrderKey {
		p, err = r.list(ctx, []graph.Kind{graph.KindChange}, labels, nil, first, after)
	} else {
		p, err = r.changesByTime(ctx, labelMap(labels), *order == model.ChangeOrderAssessedDesc, first, after)
	}
	if err != nil {
		return nil, err
	}
	es, ns := build(p, asChange, func(c string, n *model.Change, _ *model.Relationship) *model.ChangeEdge {
		return &model.ChangeEdge{Cursor: c, Node: n}
	})
	return &model.ChangeConnection{Edges: es, Nodes: ns, PageInfo: p.info, TotalCount: p.total}, nil
}

func metricsOf(m *governance.Metrics) *model.DeliveryMetrics {
	secs := func(d *time.Duration) *float64 {
		if d == nil {
			return nil
		}
		s := d.Seconds()
		return &s
	}
	scope := m.Scope
	return &model.DeliveryMetrics{Scope: &scope, From: m.From, To: m.To, Deployments: m.Deployments,
		DeploymentsPerDay: m.DeploymentsPerDay, LeadTimeSeconds: secs(m.LeadTime), FailedDeployments: m.FailedDeployments,
		ChangeFailureRate: m.ChangeFailureRate, Incidents: m.Incidents, Restored: m.Restored, TimeToRestoreSeconds: secs(m.TimeToRestore)}
}

func (r *Resolver) deliveryMetrics(ctx context.Context, kind graph.Kind, key string, from, to time.Time) (*model.DeliveryMetrics, error) {
	m, err := r.Governor.DeliveryMetrics(ctx, graph.Ref{Kind: kind, Key: key}, from, to)
	if err != nil {
		return nil, err
	}
	return metricsOf(m), nil
}

func (r *Resolver) teamAccreditation(ctx context.Context, team string) (*model.TeamAccreditation, error) {
	a, err := r.Governor.TeamAccreditation(ctx, team)
	if err != nil {
		return nil, err
	}
	ref := a.Team
	return &model.TeamAccreditation{Team: &ref, Level: a.Level, Reasons: a.Reasons, Metrics: metricsOf(a.Metrics),
		IncidentsCaused: a.IncidentsCaused}, nil
}

// Directions as addressable values, for relationship fields.
var (
	dirOut = graph.Out
	dirIn  = graph.In
)

// governed refuses generic edits of change-governance records: changes and
// incidents, and the relationships out of them, are written only through
// assessChange, approveChange, rejectChange and recordIncident, so a
// decided change stays as decided.
func governed(kinds ...graph.Kind) error {
	for _, k := range kinds {
		if k == graph.KindChange || k == graph.KindIncident {
			return graph.Errorf(graph.CodeInvalid, "%s entities are records of change governance: use assessChange, approveChange, rejectChange or recordIncident", k)
		}
	}
	return nil
}

// governedIDs is governed for the nodes with the given ids.
func (r *Resolver) governedIDs(ctx context.Context, ids []graph.ID) error {
	ns, err := r.Store.Nodes(ctx, ids)
	if err != nil {
		return err
	}
	for _, n := range ns {
		if n != nil {
			if err := governed(n.Kind); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxOrderedChanges bounds what an order by time reads: every change the
// filters pick, as the store lists by key only. A variable for tests.
var maxOrderedChanges = 5_000

// timed is a change and when it was assessed: its place in a time order.
type timed struct {
	n  *graph.Node
	at time.Time
}

func compareTimed(a, b timed) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return strings.Compare(a.n.Key, b.n.Key)
}

// changesByTime returns one page of the changes with these labels ordered
// by assessment time (then key), oldest first or newest first. The cursor
// is a change's place in that order, so a page after new assessments
// starts where the last one ended.
func (r *Resolver) changesByTime(ctx context.Context, labels map[string]string, newest bool, first *int, after *string) (page, error) {
	size, err := r.pageSize(first)
	if err != nil {
		return page{}, err
	}
	var from *timed
	if after != nil && *after != "" {
		t, err := decodeTimedCursor(*after)
		if err != nil {
			return page{}, err
		}
		from = &t
	}
	var all []timed
	q := graph.ListQuery{Kinds: []graph.Kind{graph.KindChange}, Labels: labels, First: graph.MaxPageSize}
	for {
		res, err := r.Store.List(ctx, q)
		if err != nil {
			return page{}, err
		}
		if res.TotalCount > maxOrderedChanges {
			return page{}, graph.Errorf(graph.CodeLimitExceeded,
				"%d changes to order by time, over %d: narrow the filters (status, class, environment, team)", res.TotalCount, maxOrderedChanges)
		}
		for _, n := range res.Nodes {
			all = append(all, timed{n: n, at: governance.AssessedAt(n)})
		}
		if !res.HasNext {
			break
		}
		q.After = res.EndCursor
	}
	cmp := compareTimed
	if newest {
		cmp = func(a, b timed) int { return compareTimed(b, a) }
	}
	slices.SortFunc(all, cmp)
	start := 0
	if from != nil {
		start = firstAfter(all, *from, cmp)
	}
	taken := all[start:min(len(all), start+size)]
	p := page{total: len(all), info: &model.PageInfo{HasNextPage: start+len(taken) < len(all), HasPreviousPage: start > 0}}
	l := r.loaders(ctx)
	for _, t := range taken {
		l.Prime(t.n)
		p.items = append(p.items, item{node: t.n, cursor: encodeTimedCursor(t)})
	}
	p.setCursors()
	return p, nil
}

func encodeTimedCursor(t timed) string {
	return placeCursor(t.at.UTC().Format(time.RFC3339Nano), t.n.Key)
}

func decodeTimedCursor(c string) (timed, error) {
	f, err := placeOf(c, 2)
	if err != nil {
		return timed{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, f[0])
	if err != nil {
		return timed{}, malformedCursor(c)
	}
	return timed{n: &graph.Node{Kind: graph.KindChange, Key: f[1]}, at: t}, nil
}

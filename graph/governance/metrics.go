package governance

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// history is the recorded changes and incidents a window's metrics need,
// with the relationships the metrics need.
type history struct {
	changes   []*histChange
	incidents []*histIncident
	loaded    map[graph.ID]bool
	// causers are the changes the loaded incidents were CAUSED_BY.
	causers []*graph.Node
}

type histChange struct {
	node    *graph.Node
	change  *Change
	madeBy  []graph.ID
	affects []graph.ID
	caused  []graph.ID // incidents CAUSED_BY this change
}

type histIncident struct {
	node     *graph.Node
	started  *time.Time
	restored *time.Time
	affects  []graph.ID
	causedBy []graph.ID
}

// Every recorded Change and Incident is labelled with its month (UTC) so
// that a window's history is read by month, not whole: a change by the
// month of its decision (of its assessment while it is pending, which no
// metric counts), an incident by the month it started. Only the decision
// time places a change in a window: a change assessed before a window and
// decided inside it is a deployment of that window, and its label moves
// with the decision. historyLabel marks the records so labelled, so that
// records written before the labels can be counted.
const (
	monthLabel   = "month"
	historyLabel = "history"
	historyValue = "monthly"
)

// HistoryLabels are the labels of a record placed in history at t: what
// Assess, Approve and RecordIncident give their records, and what tests
// seeding history directly must give theirs.
func HistoryLabels(t time.Time) map[string]string {
	return map[string]string{monthLabel: t.UTC().Format("2006-01"), historyLabel: historyValue}
}

// months are the values of monthLabel that cover [from, to).
func months(from, to time.Time) []string {
	var out []string
	from, to = from.UTC(), to.UTC()
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(to); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// loadHistory reads what the metrics over [from, to) need: the changes
// (only those of team, by their team label, when team is not empty) and
// the incidents of the months covering the window, and the changes that
// caused those incidents whatever their month, a page at a time with one
// Neighbors call per page. The metrics filter the window exactly. Records
// written before the month labels existed have none; while any is left,
// the whole history is read, as before the labels, so the answer
// never depends on the labels being there.
func loadHistory(ctx context.Context, s Store, team string, from, to time.Time) (*history, error) {
	changes := graph.ListQuery{Kinds: []graph.Kind{graph.KindChange}}
	if team != "" {
		changes.Labels = map[string]string{"team": team}
	}
	incidents := graph.ListQuery{Kinds: []graph.Kind{graph.KindIncident}}
	queries := []graph.ListQuery{changes, incidents}
	labelled, err := allLabelled(ctx, s)
	if err != nil {
		return nil, err
	}
	if labelled {
		queries = nil
		for _, m := range months(from, to) {
			queries = append(queries, withLabel(changes, monthLabel, m), withLabel(incidents, monthLabel, m))
		}
	}
	h := &history{loaded: map[graph.ID]bool{}}
	for _, q := range queries {
		q.First = graph.MaxPageSize
		if err := h.load(ctx, s, q); err != nil {
			return nil, err
		}
	}
	// A change that caused an incident of the window counts for its scope
	// whenever it was decided.
	var causers []*graph.Node
	for _, n := range h.causers {
		if !h.loaded[n.ID] && (team == "" || n.Labels["team"] == team) {
			h.loaded[n.ID] = true
			causers = append(causers, n)
		}
	}
	for len(causers) > 0 {
		page := causers[:min(len(causers), graph.MaxPageSize)]
		causers = causers[len(page):]
		if err := h.add(ctx, s, page); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// allLabelled reports whether every Change and Incident carries the month
// label: two counts, no record read. It counts every team's changes, not
// only the ones asked for: the count of all is then kept by the store, and
// only the labelled ones are counted.
func allLabelled(ctx context.Context, s Store) (bool, error) {
	q := graph.ListQuery{Kinds: []graph.Kind{graph.KindChange, graph.KindIncident}, First: 1}
	all, err := s.List(ctx, q)
	if err != nil {
		return false, fmt.Errorf("count change history: %w", err)
	}
	labelled, err := s.List(ctx, withLabel(q, historyLabel, historyValue))
	if err != nil {
		return false, fmt.Errorf("count change history: %w", err)
	}
	return labelled.TotalCount == all.TotalCount, nil
}

// withLabel is q also filtered on label k = v.
func withLabel(q graph.ListQuery, k, v string) graph.ListQuery {
	q.Labels = maps.Clone(q.Labels)
	if q.Labels == nil {
		q.Labels = map[string]string{}
	}
	q.Labels[k] = v
	return q
}

func (h *history) load(ctx context.Context, s Store, q graph.ListQuery) error {
	for {
		page, err := s.List(ctx, q)
		if err != nil {
			return fmt.Errorf("read change history: %w", err)
		}
		var fresh []*graph.Node
		for _, n := range page.Nodes {
			if !h.loaded[n.ID] {
				h.loaded[n.ID] = true
				fresh = append(fresh, n)
			}
		}
		if err := h.add(ctx, s, fresh); err != nil {
			return err
		}
		if !page.HasNext {
			return nil
		}
		q.After = page.EndCursor
	}
}

// add reads the relationships of changes and incidents and adds them.
func (h *history) add(ctx context.Context, s Store, nodes []*graph.Node) error {
	if len(nodes) == 0 {
		return nil
	}
	ids := make([]graph.ID, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID
	}
	nbs, err := s.Neighbors(ctx, ids, graph.NeighborQuery{
		Types: []graph.RelType{graph.RelAffects, graph.RelMadeBy, graph.RelCausedBy}, Direction: graph.Both})
	if err != nil {
		return fmt.Errorf("read change history: %w", err)
	}
	for _, n := range nodes {
		switch n.Kind {
		case graph.KindChange:
			c, err := ChangeOf(n)
			if err != nil {
				return err
			}
			hc := &histChange{node: n, change: c}
			for _, nb := range nbs[n.ID] {
				switch {
				case nb.Outgoing && nb.Edge.Type == graph.RelMadeBy:
					hc.madeBy = append(hc.madeBy, nb.Node.ID)
				case nb.Outgoing && nb.Edge.Type == graph.RelAffects:
					hc.affects = append(hc.affects, nb.Node.ID)
				case !nb.Outgoing && nb.Edge.Type == graph.RelCausedBy:
					hc.caused = append(hc.caused, nb.Node.ID)
				}
			}
			h.changes = append(h.changes, hc)
		case graph.KindIncident:
			hi := &histIncident{node: n, started: timeProp(n.Props, "startedAt"), restored: timeProp(n.Props, "restoredAt")}
			for _, nb := range nbs[n.ID] {
				switch {
				case nb.Outgoing && nb.Edge.Type == graph.RelAffects:
					hi.affects = append(hi.affects, nb.Node.ID)
				case nb.Outgoing && nb.Edge.Type == graph.RelCausedBy:
					hi.causedBy = append(hi.causedBy, nb.Node.ID)
					h.causers = append(h.causers, nb.Node)
				}
			}
			h.incidents = append(h.incidents, hi)
		}
	}
	return nil
}

// Metrics are the four delivery metrics of one team, service or business
// unit over a window [From, To).
//
//   - A deployment is an APPROVED change (a STANDARD one when assessed, else
//     when approved), deployed at its decision time.
//   - Deployment frequency: deployments per day of the window.
//   - Lead time: the median of decision time minus commit time, over the
//     deployments whose commit time was given.
//   - Change failure rate: the share of deployments that caused an incident
//     (CAUSED_BY).
//   - Time to restore: the median of restore time minus start time over the
//     incidents that started in the window and are restored.
//
// A team's changes are those MADE_BY it, its incidents those that hit what
// it owns or were caused by its changes; a service's changes and incidents
// are those AFFECTING it or its applications; a business unit's, those of
// its services.
type Metrics struct {
	Scope             graph.Ref      `json:"scope"`
	From              time.Time      `json:"from"`
	To                time.Time      `json:"to"`
	Deployments       int            `json:"deployments"`
	DeploymentsPerDay float64        `json:"deploymentsPerDay"`
	LeadTime          *time.Duration `json:"leadTime,omitempty"`
	FailedDeployments int            `json:"failedDeployments"`
	ChangeFailureRate float64        `json:"changeFailureRate"`
	Incidents         int            `json:"incidents"`
	Restored          int            `json:"restored"`
	TimeToRestore     *time.Duration `json:"timeToRestore,omitempty"`
}

// maxWindow bounds a metrics window.
const maxWindow = 5 * 366 * 24 * time.Hour

// DeliveryMetrics computes the four delivery metrics of a team, service or
// business unit over [from, to). Errors: CodeInvalid for another kind or a
// bad window; CodeNotFound for a scope that names nothing.
func (g *Governor) DeliveryMetrics(ctx context.Context, scope graph.Ref, from, to time.Time) (*Metrics, error) {
	switch {
	case !to.After(from):
		return nil, graph.Errorf(graph.CodeInvalid, "window: from %s is not before to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	case to.Sub(from) > maxWindow:
		return nil, graph.Errorf(graph.CodeInvalid, "window: at most five years")
	}
	n, err := g.scopeNode(ctx, scope)
	if err != nil {
		return nil, err
	}
	from, to = from.UTC(), to.UTC()
	h, err := loadHistory(ctx, g.store, "", from, to)
	if err != nil {
		return nil, err
	}
	set, err := g.scopeSet(ctx, n)
	if err != nil {
		return nil, err
	}
	m, _ := h.metrics(n, set, from, to)
	return m, nil
}

// scopeNode resolves a team (by key or alias), service or business unit.
func (g *Governor) scopeNode(ctx context.Context, scope graph.Ref) (*graph.Node, error) {
	switch scope.Kind {
	case graph.KindTeam, graph.KindService, graph.KindBusinessUnit:
	default:
		return nil, graph.Errorf(graph.CodeInvalid, "scope: metrics are per Team, Service or BusinessUnit, not %q", scope.Kind)
	}
	ns, err := g.store.Resolve(ctx, scope.Key, []graph.Kind{scope.Kind})
	if err != nil {
		return nil, err
	}
	switch len(ns) {
	case 0:
		return nil, graph.Errorf(graph.CodeNotFound, "scope: no %s %q in the estate", scope.Kind, scope.Key)
	case 1:
		return ns[0], nil
	}
	return nil, graph.Errorf(graph.CodeInvalid, "scope: %q names %d of kind %s; give the key", scope.Key, len(ns), scope.Kind)
}

// scopeSet is what a scope's incidents hit: what a team owns; a service and
// its applications; a business unit's services and their applications.
func (g *Governor) scopeSet(ctx context.Context, n *graph.Node) (map[graph.ID]bool, error) {
	set := map[graph.ID]bool{n.ID: true}
	add := func(ids []graph.ID, t graph.RelType, d graph.Direction, kinds ...graph.Kind) ([]graph.ID, error) {
		if len(ids) == 0 {
			return nil, nil
		}
		nbs, err := g.store.Neighbors(ctx, ids, graph.NeighborQuery{Types: []graph.RelType{t}, Direction: d})
		if err != nil {
			return nil, err
		}
		var out []graph.ID
		for _, id := range ids {
			for _, nb := range nbs[id] {
				if slices.Contains(kinds, nb.Node.Kind) && !set[nb.Node.ID] {
					set[nb.Node.ID] = true
					out = append(out, nb.Node.ID)
				}
			}
		}
		return out, nil
	}
	var err error
	switch n.Kind {
	case graph.KindTeam:
		_, err = add([]graph.ID{n.ID}, graph.RelOwns, graph.Out, graph.KindApplication, graph.KindService)
	case graph.KindService:
		_, err = add([]graph.ID{n.ID}, graph.RelPartOf, graph.In, graph.KindApplication)
	case graph.KindBusinessUnit:
		var svcs []graph.ID
		if svcs, err = add([]graph.ID{n.ID}, graph.RelPartOf, graph.In, graph.KindService); err == nil {
			_, err = add(svcs, graph.RelPartOf, graph.In, graph.KindApplication)
		}
	}
	return set, err
}

// metrics computes the metrics of scope n (with its set) over [from, to),
// and counts the incidents in the window caused by the scope's changes.
func (h *history) metrics(n *graph.Node, set map[graph.ID]bool, from, to time.Time) (*Metrics, int) {
	m := &Metrics{Scope: n.Ref(), From: from, To: to}
	in := func(t *time.Time) bool { return t != nil && !t.Before(from) && t.Before(to) }
	inScope := map[graph.ID]bool{}
	var leads []time.Duration
	for _, c := range h.changes {
		var ok bool
		if n.Kind == graph.KindTeam {
			ok = slices.Contains(c.madeBy, n.ID)
		} else {
			ok = slices.ContainsFunc(c.affects, func(id graph.ID) bool { return set[id] })
		}
		if !ok {
			continue
		}
		inScope[c.node.ID] = true
		if c.change.Status != Approved || !in(c.change.DecidedAt) {
			continue
		}
		m.Deployments++
		if len(c.caused) > 0 {
			m.FailedDeployments++
		}
		if c.change.CommittedAt != nil {
			leads = append(leads, c.change.DecidedAt.Sub(*c.change.CommittedAt))
		}
	}
	var restores []time.Duration
	caused := 0
	for _, i := range h.incidents {
		if !in(i.started) {
			continue
		}
		byScope := slices.ContainsFunc(i.causedBy, func(id graph.ID) bool { return inScope[id] })
		if byScope {
			caused++
		}
		if !byScope && !slices.ContainsFunc(i.affects, func(id graph.ID) bool { return set[id] }) {
			continue
		}
		m.Incidents++
		if i.restored != nil {
			m.Restored++
			restores = append(restores, i.restored.Sub(*i.started))
		}
	}
	m.DeploymentsPerDay = float64(m.Deployments) / to.Sub(from).Hours() * 24
	if m.Deployments > 0 {
		m.ChangeFailureRate = float64(m.FailedDeployments) / float64(m.Deployments)
	}
	m.LeadTime = median(leads)
	m.TimeToRestore = median(restores)
	return m, caused
}

// median of ds; nil for none. An even count gives the mean of the middle two.
func median(ds []time.Duration) *time.Duration {
	if len(ds) == 0 {
		return nil
	}
	slices.Sort(ds)
	mid := len(ds) / 2
	v := ds[mid]
	if len(ds)%2 == 0 {
		v = (ds[mid-1] + ds[mid]) / 2
	}
	return &v
}

// Accreditation is a team's standing, from its track record.
type Accreditation struct {
	Team  graph.Ref `json:"team"`
	Level Level     `json:"level"`
	// Reasons explain the level: what the team met and what it missed.
	Reasons         []string `json:"reasons"`
	Metrics         *Metrics `json:"metrics"`
	IncidentsCaused int      `json:"incidentsCaused"`
}

// TeamAccreditation computes a team's accreditation (bronze, silver, gold)
// over the policy's track-record window ending now. Errors: CodeNotFound
// for an unknown team.
func (g *Governor) TeamAccreditation(ctx context.Context, team string) (*Accreditation, error) {
	n, err := g.scopeNode(ctx, graph.Ref{Kind: graph.KindTeam, Key: team})
	if err != nil {
		return nil, err
	}
	now := g.now()
	h, err := loadHistory(ctx, g.store, n.Key, g.trackRecordFrom(now), now)
	if err != nil {
		return nil, err
	}
	return g.accreditation(ctx, h, n, now)
}

// trackRecordFrom is the start of the track-record window ending at now.
func (g *Governor) trackRecordFrom(now time.Time) time.Time {
	return now.Add(-time.Duration(g.policy.TrackRecordDays) * 24 * time.Hour)
}

func (g *Governor) accreditation(ctx context.Context, h *history, team *graph.Node, now time.Time) (*Accreditation, error) {
	set, err := g.scopeSet(ctx, team)
	if err != nil {
		return nil, err
	}
	m, caused := h.metrics(team, set, g.trackRecordFrom(now), now)
	a := &Accreditation{Team: team.Ref(), Level: Bronze, Metrics: m, IncidentsCaused: caused}
	check := func(l Level, r LevelRule) bool {
		var miss []string
		if m.Deployments < r.MinDeployments {
			miss = append(miss, fmt.Sprintf("%d deployment(s), needs %d", m.Deployments, r.MinDeployments))
		}
		if m.ChangeFailureRate > r.MaxFailureRate {
			miss = append(miss, fmt.Sprintf("change failure rate %.0f%%, needs at most %.0f%%", m.ChangeFailureRate*100, r.MaxFailureRate*100))
		}
		if caused > r.MaxIncidents {
			miss = append(miss, fmt.Sprintf("%d incident(s) caused, needs at most %d", caused, r.MaxIncidents))
		}
		if len(miss) > 0 {
			a.Reasons = append(a.Reasons, fmt.Sprintf("not %s: %s", l, strings.Join(miss, ", ")))
			return false
		}
		a.Reasons = append(a.Reasons, fmt.Sprintf("%s: %d deployment(s) in %d days, change failure rate %.0f%%, %d incident(s) caused",
			l, m.Deployments, g.policy.TrackRecordDays, m.ChangeFailureRate*100, caused))
		return true
	}
	switch {
	case check(Gold, g.policy.Accreditation.Gold):
		a.Level = Gold
	case check(Silver, g.policy.Accreditation.Silver):
		a.Level = Silver
	default:
		a.Reasons = append(a.Reasons, "bronze: the track record meets neither silver nor gold")
	}
	return a, nil
}

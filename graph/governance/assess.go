package governance

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
)

// AssessInput is a change a pipeline is about to deploy.
type AssessInput struct {
	// Repository is a repository key or clone URL; it must be in the estate.
	Repository string `json:"repository"`
	Commit     string `json:"commit"`
	// Environment defaults to the policy's default environment.
	Environment  string   `json:"environment,omitempty"`
	ChangedPaths []string `json:"changedPaths,omitempty"`
	LinesChanged *int     `json:"linesChanged,omitempty"`
	// Coverage is the percent (0..100) of the changed code covered by
	// automated tests, when the pipeline measures it.
	Coverage *float64 `json:"coverage,omitempty"`
	// CommittedAt is when the commit was made (for lead time).
	CommittedAt *time.Time `json:"committedAt,omitempty"`
	// RequestedBy is who asked (the API token's name); set by the caller.
	RequestedBy string `json:"-"`
}

// maxChangedPaths bounds the paths of one assessment.
const maxChangedPaths = 10_000

func (g *Governor) validate(in *AssessInput) error {
	bad := func(field, format string, args ...any) error {
		return graph.Errorf(graph.CodeInvalid, "%s: %s", field, fmt.Sprintf(format, args...))
	}
	in.Repository = strings.TrimSpace(in.Repository)
	in.Commit = strings.TrimSpace(in.Commit)
	in.Environment = strings.TrimSpace(in.Environment)
	if in.Repository == "" {
		return bad("repository", "required")
	}
	if in.Commit == "" {
		return bad("commit", "required")
	}
	if len(in.Commit) > 100 || strings.ContainsAny(in.Commit, "/@") || strings.ContainsFunc(in.Commit, unicode.IsSpace) {
		return bad("commit", "%q is not a commit id (no /, @ or blanks, at most 100 characters)", in.Commit)
	}
	if in.Environment == "" {
		in.Environment = g.policy.DefaultEnvironment
	}
	if _, ok := g.policy.Environments[in.Environment]; !ok {
		return bad("environment", "%q is not in policy %s (known: %s)", in.Environment, g.policy.Version,
			strings.Join(g.policy.environmentNames(), ", "))
	}
	if len(in.ChangedPaths) > maxChangedPaths {
		return bad("changedPaths", "%d paths is over the limit of %d", len(in.ChangedPaths), maxChangedPaths)
	}
	for i, p := range in.ChangedPaths {
		if strings.TrimSpace(p) == "" {
			return bad(fmt.Sprintf("changedPaths[%d]", i), "empty path")
		}
	}
	if in.LinesChanged != nil && *in.LinesChanged < 0 {
		return bad("linesChanged", "%d is negative", *in.LinesChanged)
	}
	if in.Coverage != nil && (math.IsNaN(*in.Coverage) || *in.Coverage < 0 || *in.Coverage > 100) {
		return bad("coverage", "%v is outside 0..100 percent", *in.Coverage)
	}
	return nil
}

// Assess classifies a change and records it as a Change (AFFECTS the
// applications it touches and their services, MADE_BY the owning team).
// Assessing a change already recorded (same repository, commit and
// environment) returns the recorded decision, with Recorded set, and
// writes nothing. Errors: CodeInvalid for bad input, naming the field;
// CodeNotFound for a repository the estate does not know. Nothing is
// recorded on error.
func (g *Governor) Assess(ctx context.Context, in AssessInput) (*Change, error) {
	if err := g.validate(&in); err != nil {
		return nil, err
	}
	repo, err := g.repository(ctx, in.Repository)
	if err != nil {
		return nil, err
	}
	key := graph.ChangeKey(repo.Key, in.Commit, in.Environment)
	g.mu.Lock()
	defer g.mu.Unlock()
	if c, err := g.recorded(ctx, key); err != nil || c != nil {
		return c, err
	}
	now := g.now()
	a, err := g.assess(ctx, repo, in, now)
	if err != nil {
		return nil, err
	}
	a.change.Key = key
	if err := g.record(ctx, a, now); err != nil {
		return nil, err
	}
	if g.Pending != nil && a.change.Status == Pending {
		g.Pending(ctx, a.change)
	}
	return a.change, nil
}

// repository resolves a repository key or URL to its node.
func (g *Governor) repository(ctx context.Context, ref string) (*graph.Node, error) {
	rk := analysis.RepositoryKey(ref)
	ns, err := g.store.Resolve(ctx, rk, []graph.Kind{graph.KindRepository})
	if err != nil {
		return nil, err
	}
	if len(ns) == 0 && rk != ref {
		if ns, err = g.store.Resolve(ctx, ref, []graph.Kind{graph.KindRepository}); err != nil {
			return nil, err
		}
	}
	switch len(ns) {
	case 0:
		return nil, graph.Errorf(graph.CodeNotFound, "repository: %q is not a repository in the estate (ingest it first)", ref)
	case 1:
		return ns[0], nil
	}
	return nil, graph.Errorf(graph.CodeInvalid, "repository: %q names %d repositories; give the full key", ref, len(ns))
}

// recorded returns the recorded change with its AFFECTS, or nil.
func (g *Governor) recorded(ctx context.Context, key string) (*Change, error) {
	n, err := g.store.Node(ctx, graph.Ref{Kind: graph.KindChange, Key: key})
	if graph.CodeOf(err) == graph.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := ChangeOf(n)
	if err != nil {
		return nil, err
	}
	nbs, err := g.store.Neighbors(ctx, []graph.ID{n.ID}, graph.NeighborQuery{Types: []graph.RelType{graph.RelAffects}, Direction: graph.Out})
	if err != nil {
		return nil, err
	}
	for _, nb := range nbs[n.ID] {
		c.Affects = append(c.Affects, nb.Node.Ref())
	}
	slices.SortFunc(c.Affects, graph.CompareRefs)
	c.Recorded = true
	return c, nil
}

// assessment is a change being assessed, with what its record links to.
type assessment struct {
	change  *Change
	madeBy  *graph.Node // team or person; nil when nobody owns the change
	affects []graph.Ref
}

func (g *Governor) assess(ctx context.Context, repo *graph.Node, in AssessInput, now time.Time) (*assessment, error) {
	p := g.policy
	w := p.Weights
	env := p.Environments[in.Environment]
	c := &Change{Repository: repo.Key, Commit: in.Commit, Environment: in.Environment, PolicyVersion: p.Version,
		ChangedPaths: slices.Clone(in.ChangedPaths), LinesChanged: in.LinesChanged, CommittedAt: in.CommittedAt,
		AssessedAt: now, RequestedBy: in.RequestedBy, Affects: []graph.Ref{}}
	if c.ChangedPaths == nil {
		c.ChangedPaths = []string{}
	}
	if in.Coverage != nil {
		v := int(math.Floor(*in.Coverage))
		c.Coverage = &v
	}
	imp, err := analysis.Impact(ctx, g.store, analysis.ImpactQuery{
		Refs: []string{string(graph.KindRepository) + ":" + repo.Key}, ChangedPaths: in.ChangedPaths})
	if err != nil {
		return nil, fmt.Errorf("impact of %s: %w", repo.Key, err)
	}
	// The applications the change touches: those the repository BUILDS
	// (in a monorepo, those whose directory holds a changed path).
	var touched []analysis.Item
	definesResources := false
	for _, a := range imp.Affected {
		if a.Depth != 1 || len(a.Path) != 1 {
			continue
		}
		switch {
		case a.Kind == graph.KindApplication && a.Path[0].Type == graph.RelBuilds:
			touched = append(touched, a.Item)
		case a.Kind == graph.KindCloudResource && a.Path[0].Type == graph.RelDefines:
			definesResources = true
		}
	}
	isTouched := func(key string) bool {
		return slices.ContainsFunc(touched, func(i analysis.Item) bool { return i.Key == key })
	}
	var services []analysis.ServiceImpact // of touched applications
	for _, s := range imp.Services {
		if slices.ContainsFunc(s.Applications, func(i analysis.Item) bool { return isTouched(i.Key) }) {
			services = append(services, s)
		}
	}
	a := &assessment{change: c}
	for _, t := range touched {
		a.affects = append(a.affects, t.Ref())
	}
	for _, s := range services {
		a.affects = append(a.affects, s.Service.Ref())
	}
	slices.SortFunc(a.affects, graph.CompareRefs)
	c.Affects = slices.Clone(a.affects)
	c.Components = len(touched)

	var factors []Factor
	// Blast radius.
	{
		tierPts := w.UnknownTier
		tierText := "no service with a tier is reached"
		if imp.HighestTier > 0 {
			tierPts = w.Tier[imp.HighestTier]
			tierText = fmt.Sprintf("highest tier reached is %d", imp.HighestTier)
		}
		apps := capped(len(touched)*w.PerApplication, w.MaxApplications)
		svcs := capped(len(imp.Services)*w.PerService, w.MaxServices)
		bus := capped(len(imp.BusinessUnits)*w.PerBusinessUnit, w.MaxBusinessUnits)
		var items []graph.Ref
		for _, t := range touched {
			items = append(items, t.Ref())
		}
		for _, s := range imp.Services {
			items = append(items, s.Service.Ref())
		}
		for _, b := range imp.BusinessUnits {
			items = append(items, b.BusinessUnit.Ref())
		}
		factors = append(factors, Factor{Name: FactorBlastRadius, Points: tierPts + apps + svcs + bus, Items: items,
			Explanation: fmt.Sprintf("%s (%d points); touches %d application(s) (%d); reaches %d service(s) (%d) in %d business unit(s) (%d)%s",
				tierText, tierPts, len(touched), apps, len(imp.Services), svcs, len(imp.BusinessUnits), bus, truncNote(imp.Truncated))})
	}
	// Size.
	{
		pts, text := 0, "lines changed not given"
		if in.LinesChanged != nil {
			text = fmt.Sprintf("%d line(s) changed", *in.LinesChanged)
			for _, l := range w.Lines {
				if *in.LinesChanged > l.Over && l.Points > pts {
					pts = l.Points
					text = fmt.Sprintf("%d line(s) changed, over %d", *in.LinesChanged, l.Over)
				}
			}
		}
		factors = append(factors, Factor{Name: FactorSize, Points: pts,
			Explanation: fmt.Sprintf("%d component(s); %s", len(touched), text)})
	}
	// Coverage.
	{
		f := Factor{Name: FactorCoverage, Explanation: "coverage not given by the pipeline"}
		if c.Coverage != nil {
			f.Explanation = fmt.Sprintf("%d%% of the changed code is covered by tests", *c.Coverage)
			if *c.Coverage < w.LowCoverage.Below {
				f.Points = w.LowCoverage.Points
				f.Explanation += fmt.Sprintf(", below %d%%", w.LowCoverage.Below)
			}
		}
		factors = append(factors, f)
	}
	// Owner and track record.
	owner, err := g.owner(ctx, repo, touched)
	if err != nil {
		return nil, err
	}
	a.madeBy = owner
	level := Bronze
	{
		if owner == nil || owner.Kind != graph.KindTeam {
			factors = append(factors, Factor{Name: FactorTrackRecord, Explanation: "no owning team: no track record to go by"})
		} else {
			c.Team = owner.Key
			h, err := loadHistory(ctx, g.store, owner.Key, g.trackRecordFrom(now), now)
			if err != nil {
				return nil, err
			}
			acc, err := g.accreditation(ctx, h, owner, now)
			if err != nil {
				return nil, err
			}
			level = acc.Level
			m := acc.Metrics
			fr := int(math.Round(m.ChangeFailureRate * float64(w.FailureRate)))
			inc := capped(acc.IncidentsCaused*w.PerIncident, w.MaxIncidents)
			factors = append(factors, Factor{Name: FactorTrackRecord, Points: fr + inc, Items: []graph.Ref{owner.Ref()},
				Explanation: fmt.Sprintf("team %s over %d days: %d deployment(s), change failure rate %.0f%% (%d points), %d incident(s) caused (%d points)",
					owner.Key, p.TrackRecordDays, m.Deployments, m.ChangeFailureRate*100, fr, acc.IncidentsCaused, inc)})
		}
		text := "no owning team: counted as " + string(level)
		if c.Team != "" {
			text = fmt.Sprintf("team %s is %s", c.Team, level)
		}
		factors = append(factors, Factor{Name: FactorAccreditation, Points: w.Accreditation[level], Explanation: text})
	}
	// Data quality.
	dq, err := g.dataQuality(ctx, repo, imp, touched, definesResources, now)
	if err != nil {
		return nil, err
	}
	if len(dq.items) > 0 {
		factors = append(factors, Factor{Name: FactorDataQuality, BlocksStandard: true, Items: dq.items,
			Points:      capped(len(dq.items)*w.PerDataIssue, w.MaxDataIssues),
			Explanation: "the CMDB data involved has problems, so the change cannot be STANDARD: " + strings.Join(dq.problems, "; ")})
	} else {
		factors = append(factors, Factor{Name: FactorDataQuality,
			Explanation: "every item involved is owned, mapped and seen recently"})
	}

	score := 0
	for _, f := range factors {
		score += f.Points
	}
	c.Score = min(max(score, 0), 100)

	// Class: a matching standard-change pattern, else the score.
	highAt := p.HighAt
	if env.HighAt > 0 {
		highAt = env.HighAt
	}
	class := Normal
	if c.Score >= highAt {
		class = High
	}
	envText := fmt.Sprintf("%s: score %d, HIGH at %d or more", in.Environment, c.Score, highAt)
	blocked := dq.items != nil
	std := Factor{Name: FactorStandard}
	switch {
	case env.NoStandardChanges:
		std.Explanation = in.Environment + " allows no standard changes"
	case blocked:
		std.Explanation = "not considered: the data-quality factor rules STANDARD out"
	case class == High:
		std.Explanation = "not considered: the score makes the change HIGH"
	default:
		name, why := g.standardMatch(in, imp.HighestTier, level, c.Team != "")
		std.Explanation = why
		if name != "" {
			class = Standard
		}
	}
	if env.MinimumClass.rank() > class.rank() {
		class = env.MinimumClass
		envText += fmt.Sprintf("; %s changes are at least %s", in.Environment, env.MinimumClass)
	}
	factors = append(factors, std, Factor{Name: FactorEnvironment, Explanation: envText + " → " + string(class)})
	c.Class = class
	c.Factors = factors
	for i := range c.Factors {
		if c.Factors[i].Items == nil {
			c.Factors[i].Items = []graph.Ref{}
		}
	}
	c.Status = Pending
	if class == Standard {
		c.Status = Approved
		t := now
		c.DecidedAt = &t
		c.DecidedBy = "policy " + p.Version
		c.Reason = "standard change: " + std.Explanation
	}
	return a, nil
}

func truncNote(t bool) string {
	if t {
		return " (the walk was cut at its limit: the blast radius is larger)"
	}
	return ""
}

func capped(v, limit int) int {
	if limit > 0 && v > limit {
		return limit
	}
	return v
}

// standardMatch returns the first catalogue pattern the change matches and
// why, or "" and why none does.
func (g *Governor) standardMatch(in AssessInput, tier int, level Level, hasTeam bool) (string, string) {
	var misses []string
	for _, sc := range g.policy.StandardChanges {
		var miss string
		switch {
		case len(sc.Environments) > 0 && !slices.Contains(sc.Environments, in.Environment):
			miss = "not for " + in.Environment
		case !sc.matchesPaths(in.ChangedPaths):
			miss = "a changed path is outside " + strings.Join(sc.Paths, ", ")
			if len(in.ChangedPaths) == 0 {
				miss = "no changed paths given"
			}
		case len(sc.Tiers) > 0 && !slices.Contains(sc.Tiers, tier):
			miss = fmt.Sprintf("highest tier %d is not one of %v", tier, sc.Tiers)
		case sc.MinAccreditation != "" && (!hasTeam || level.rank() < sc.MinAccreditation.rank()):
			miss = fmt.Sprintf("needs a %s team, the owning team is %s", sc.MinAccreditation, level)
		case sc.MaxLines > 0 && (in.LinesChanged == nil || *in.LinesChanged > sc.MaxLines):
			miss = fmt.Sprintf("needs at most %d lines changed (given: %s)", sc.MaxLines, linesText(in.LinesChanged))
		default:
			return sc.Name, fmt.Sprintf("matches the standard change %q: %s", sc.Name, sc.Description)
		}
		misses = append(misses, fmt.Sprintf("%s: %s", sc.Name, miss))
	}
	if len(misses) == 0 {
		return "", "the policy has no standard changes"
	}
	return "", "no standard change matches (" + strings.Join(misses, "; ") + ")"
}

func linesText(n *int) string {
	if n == nil {
		return "none"
	}
	return fmt.Sprint(*n)
}

// owner is the accountable technical team of the repository (inherited
// from the applications it builds when it has none), else of the first
// touched application that has one; a person when no team owns it; nil when
// nobody does.
func (g *Governor) owner(ctx context.Context, repo *graph.Node, touched []analysis.Item) (*graph.Node, error) {
	refs := []string{string(graph.KindRepository) + ":" + repo.Key}
	for _, t := range touched {
		refs = append(refs, t.String())
	}
	var person *graph.Node
	for _, ref := range refs {
		o, err := analysis.WhoOwns(ctx, g.store, ref)
		if err != nil {
			return nil, err
		}
		for _, w := range o.Accountable(graph.OwnerTechnical) {
			switch {
			case w.Kind == graph.KindTeam:
				return w.Node, nil
			case person == nil && !w.Departed:
				person = w.Node
			}
		}
	}
	return person, nil
}

type dataQuality struct {
	items    []graph.Ref
	problems []string
}

func (d *dataQuality) add(r graph.Ref, problem string) {
	if !slices.Contains(d.items, r) {
		d.items = append(d.items, r)
	}
	d.problems = append(d.problems, r.String()+" "+problem)
}

// dataQuality finds the unowned, unmapped and stale items a change
// involves: the repository, the applications it touches and their services.
func (g *Governor) dataQuality(ctx context.Context, repo *graph.Node, imp *analysis.ImpactResult, touched []analysis.Item, definesResources bool, now time.Time) (*dataQuality, error) {
	d := &dataQuality{}
	staleAfter := time.Duration(g.policy.StaleDays) * 24 * time.Hour
	stale := func(n *graph.Node) {
		if n != nil && now.Sub(n.LastSeen) > staleAfter {
			d.add(n.Ref(), fmt.Sprintf("is stale (last seen %s, over %d days ago)", n.LastSeen.UTC().Format(time.DateOnly), g.policy.StaleDays))
		}
	}
	stale(repo)
	if len(touched) == 0 && !definesResources {
		if len(imp.Ignored) > 0 {
			d.add(repo.Ref(), "is unmapped for this change: the changed paths are in none of its applications' directories")
		} else {
			d.add(repo.Ref(), "is unmapped: it builds no application and defines no cloud resource")
		}
	}
	unassigned := map[string]bool{}
	for _, u := range imp.Unassigned {
		unassigned[u.Key] = true
	}
	// Impact names its items light (analysis.Item): the times of the
	// items checked below are read in one store call.
	var check []analysis.Item
	for _, s := range imp.Services {
		if slices.ContainsFunc(s.Applications, func(i analysis.Item) bool {
			return slices.ContainsFunc(touched, func(t analysis.Item) bool { return t.Key == i.Key })
		}) {
			check = append(check, s.Service)
		}
	}
	items := append(slices.Clone(touched), check...)
	ids := make([]graph.ID, len(items))
	for i, it := range items {
		ids[i] = it.Ref().ID()
	}
	nodes, err := g.store.Nodes(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("data quality: %w", err)
	}
	for i, n := range nodes {
		if n == nil {
			return nil, graph.Errorf(graph.CodeNotFound, "data quality of %s: it is no longer stored", items[i])
		}
	}
	for i, t := range touched {
		stale(nodes[i])
		if unassigned[t.Key] {
			d.add(t.Ref(), "is unmapped: it is part of no service")
		}
		if err := d.ownership(ctx, g.store, t); err != nil {
			return nil, err
		}
	}
	for i, s := range check {
		stale(nodes[len(touched)+i])
		if err := d.ownership(ctx, g.store, s); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// ownership flags an item with no current technical owner, or one known
// only from a guess (commit history).
func (d *dataQuality) ownership(ctx context.Context, s Store, it analysis.Item) error {
	o, err := analysis.WhoOwns(ctx, s, it.String())
	if err != nil {
		return err
	}
	var current []analysis.Owner
	for _, w := range o.Accountable(graph.OwnerTechnical) {
		if !w.Departed {
			current = append(current, w)
		}
	}
	switch {
	case len(current) == 0:
		d.add(it.Ref(), "is unowned: no team or current employee is its technical owner")
	case !slices.ContainsFunc(current, func(w analysis.Owner) bool { return w.Class != analysis.ClassHeuristic }):
		d.add(it.Ref(), "has no declared owner: its technical owner is only guessed from commit history")
	}
	return nil
}

// record writes an assessed change: the node, AFFECTS and MADE_BY.
func (g *Governor) record(ctx context.Context, a *assessment, now time.Time) error {
	c := a.change
	factors, err := json.Marshal(c.Factors)
	if err != nil {
		return fmt.Errorf("governance: encode factors: %w", err)
	}
	props := map[string]any{
		"repository": c.Repository, "commit": c.Commit, "environment": c.Environment,
		"class": string(c.Class), "score": c.Score, "status": string(c.Status), "policyVersion": c.PolicyVersion,
		"factors": string(factors), "changedPaths": c.ChangedPaths, "components": c.Components,
		"assessedAt": stamp(c.AssessedAt),
	}
	set := func(name string, v any, ok bool) {
		if ok {
			props[name] = v
		}
	}
	set("team", c.Team, c.Team != "")
	set("requestedBy", c.RequestedBy, c.RequestedBy != "")
	set("linesChanged", deref(c.LinesChanged), c.LinesChanged != nil)
	set("coverage", deref(c.Coverage), c.Coverage != nil)
	if c.CommittedAt != nil {
		props["committedAt"] = stamp(*c.CommittedAt)
	}
	if c.DecidedAt != nil {
		props["decidedAt"] = stamp(*c.DecidedAt)
		props["decidedBy"] = c.DecidedBy
		props["decisionReason"] = c.Reason
	}
	labels := changeLabels(c)
	placed := c.AssessedAt
	if c.DecidedAt != nil {
		placed = *c.DecidedAt
	}
	maps.Copy(labels, HistoryLabels(placed))
	ref := graph.Ref{Kind: graph.KindChange, Key: c.Key}
	b := graph.Batch{Source: Source, Run: "assess:" + c.Key, At: now, Nodes: []graph.NodeInput{{
		Kind: graph.KindChange, Key: c.Key, Name: fmt.Sprintf("%s %s to %s", c.Repository, short(c.Commit), c.Environment),
		Props: props, Labels: labels, Confidence: graph.Declared, Evidence: "assessed under policy " + c.PolicyVersion,
	}}}
	for _, r := range a.affects {
		b.Edges = append(b.Edges, graph.EdgeInput{Type: graph.RelAffects, From: ref, To: r, Confidence: graph.Declared,
			Evidence: "change assessment"})
	}
	if a.madeBy != nil {
		b.Edges = append(b.Edges, graph.EdgeInput{Type: graph.RelMadeBy, From: ref, To: a.madeBy.Ref(), Confidence: graph.Inferred,
			Evidence: "owner of " + c.Repository})
	}
	if _, err := g.store.Apply(ctx, b); err != nil {
		return fmt.Errorf("record change %s: %w", c.Key, err)
	}
	return nil
}

func deref[T any](p *T) T {
	var z T
	if p == nil {
		return z
	}
	return *p
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// changeLabels are the labels listings filter changes by (class, status,
// environment, team): labels, because Store.List filters on them.
func changeLabels(c *Change) map[string]string {
	l := map[string]string{"class": string(c.Class), "status": string(c.Status), "environment": c.Environment}
	if c.Team != "" {
		l["team"] = c.Team
	}
	return l
}

package analysis

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// Kinds of shadow-estate finding.
const (
	FindingUnregisteredAccount = "unregistered-account"
	FindingUnownedResource     = "unowned-resource"
	FindingUnknownTagTeam      = "unknown-team-tag"
	FindingUnknownTagApp       = "unknown-application-tag"
	FindingUnknownTagService   = "unknown-service-tag"
	FindingUnmappedRepository  = "unmapped-repository"
	FindingOrphanApplication   = "application-without-service"
	FindingServiceNoOwner      = "service-without-owner"
	FindingServiceNoUnit       = "service-without-business-unit"
	FindingDepartedOwner       = "departed-owner"
)

// FindingKinds lists the finding kinds in report order.
var FindingKinds = []string{
	FindingUnregisteredAccount, FindingUnownedResource, FindingUnknownTagTeam, FindingUnknownTagApp,
	FindingUnknownTagService, FindingUnmappedRepository, FindingOrphanApplication,
	FindingServiceNoOwner, FindingServiceNoUnit, FindingDepartedOwner,
}

// tagFindings are the findings of a graph.UnknownTagLabel, by the role its
// tag has under the source's tag rules, and what the value should have
// named. Unknown repository tags are recorded too but are not a finding
// kind.
var tagFindings = map[string]struct{ kind, names string }{
	"team":        {FindingUnknownTagTeam, "team or person"},
	"application": {FindingUnknownTagApp, "application"},
	"service":     {FindingUnknownTagService, "application"},
}

// Finding is one thing the registered estate does not explain.
type Finding struct {
	Kind        string `json:"kind"`
	Item        Item   `json:"item"`
	Explanation string `json:"explanation"`
	// Account is the cloud account key of a resource or account finding.
	Account string `json:"account,omitempty"`
	// BusinessUnits the item is attributed to, if any.
	BusinessUnits []string `json:"businessUnits,omitempty"`
	// Tag and Value name the unknown reference of a tag finding.
	Tag   string `json:"tag,omitempty"`
	Value string `json:"value,omitempty"`
	// Related are the items a finding is about besides Item: the resources
	// of an unregistered account, what a departed owner owns.
	Related []Item `json:"related,omitempty"`
	// Archived is set on an unmapped repository that is archived.
	Archived bool `json:"archived,omitempty"`
	// Acceptance is the decision that the finding may stand
	// (AcceptFindings): on every accepted finding, and on an open one
	// whose acceptance has ended.
	Acceptance *Acceptance `json:"acceptance,omitempty"`
}

// Count is a number of findings under one name.
type Count struct {
	Key   string `json:"key"`
	Name  string `json:"name,omitempty"`
	Count int    `json:"count"`
}

// ShadowReport answers "what runs that nobody registered?".
type ShadowReport struct {
	// Findings are the open findings (none accepted, or its acceptance
	// ended), by kind (FindingKinds order), then item kind and key, then
	// tag and value. The counts are of these.
	Findings []Finding `json:"findings"`
	// Accepted are the findings accepted until now, in the same order.
	Accepted []Finding `json:"accepted"`
	// ByKind counts findings per kind (every kind listed).
	ByKind []Count `json:"byKind"`
	// ByBusinessUnit counts findings per business unit they are attributed
	// to; "" counts those attributed to none.
	ByBusinessUnit []Count `json:"byBusinessUnit"`
	// ByAccount counts resource and account findings per cloud account.
	ByAccount []Count `json:"byAccount"`
}

// ShadowEstate lists what no registered thing explains (docs/answers.md
// has the rules), apart from what someone accepted until now. It reads the
// whole graph with one Topology call.
func ShadowEstate(ctx context.Context, s Store, now time.Time) (*ShadowReport, error) {
	e, err := scan(ctx, s)
	if err != nil {
		return nil, err
	}
	rep := &ShadowReport{Findings: []Finding{}, Accepted: []Finding{}}
	add := func(n *node, f Finding) {
		f.Item, f.BusinessUnits = itemOf(n.Node), n.unitsOf()
		slices.Sort(f.BusinessUnits)
		if v, ok := n.Labels[graph.AcceptedFindingLabel(f.Kind, f.Tag, f.Value)]; ok {
			f.Acceptance, _ = parseAcceptance(v)
		}
		if f.Acceptance != nil && !f.Acceptance.Expired(now) {
			rep.Accepted = append(rep.Accepted, f)
			return
		}
		rep.Findings = append(rep.Findings, f)
	}
	for _, a := range e.byKind[graph.KindCloudAccount] {
		// Registered only when something says so (a source's list, the
		// API); an account nothing registers is discovered-only.
		if reg, _ := a.Props["registered"].(bool); !reg {
			rs := a.into(graph.RelInAccount, graph.KindCloudResource)
			graph.SortNodes(rs)
			add(a, Finding{Kind: FindingUnregisteredAccount, Account: a.Key, Related: items(rs),
				Explanation: fmt.Sprintf("cloud account not registered with central IT, holding %d resources", len(rs))})
		}
	}
	for _, r := range e.byKind[graph.KindCloudResource] {
		acct := ""
		if a := r.accountOf(); a != nil {
			acct = a.Key
		}
		if !r.resourceOwned() {
			add(r, Finding{Kind: FindingUnownedResource, Account: acct,
				Explanation: "no owner: no OWNS, no owned application runs on or depends on it, no owned repository defines it"})
		}
		// The source that read the tags applied the configured tag rules
		// and recorded what it could not resolve; that is the finding, so
		// it agrees with the links the source made.
		for _, label := range slices.Sorted(maps.Keys(r.Labels)) {
			role, tag, ok := graph.ParseUnknownTagLabel(label)
			tf, known := tagFindings[role]
			if !ok || !known {
				continue
			}
			for _, v := range graph.ListLabelValues(r.Labels[label]) {
				add(r, Finding{Kind: tf.kind, Account: acct, Tag: tag, Value: v,
					Explanation: fmt.Sprintf("tag %s=%s names no %s in the estate", tag, v, tf.names)})
			}
		}
	}
	for _, r := range e.byKind[graph.KindRepository] {
		if r.repoMapped() {
			continue
		}
		f := Finding{Kind: FindingUnmappedRepository,
			Explanation: "builds no application and defines no cloud resource"}
		if arch, _ := r.Props["archived"].(bool); arch {
			f.Archived = true
			f.Explanation = "archived; " + f.Explanation
		}
		add(r, f)
	}
	for _, a := range e.byKind[graph.KindApplication] {
		if len(a.outOf(graph.RelPartOf, graph.KindService)) == 0 {
			add(a, Finding{Kind: FindingOrphanApplication, Explanation: "part of no service"})
		}
	}
	for _, sv := range e.byKind[graph.KindService] {
		if !sv.owned() {
			add(sv, Finding{Kind: FindingServiceNoOwner, Explanation: "no team or person owns it"})
		}
		if len(sv.outOf(graph.RelPartOf, graph.KindBusinessUnit)) == 0 {
			add(sv, Finding{Kind: FindingServiceNoUnit, Explanation: "part of no business unit"})
		}
	}
	for _, p := range e.byKind[graph.KindPerson] {
		owns := p.outOf(graph.RelOwns, "")
		if len(owns) == 0 || len(p.outOf(graph.RelMemberOf, graph.KindTeam)) > 0 {
			continue
		}
		graph.SortNodes(owns)
		add(p, Finding{Kind: FindingDepartedOwner, Related: items(owns),
			Explanation: fmt.Sprintf("in no team any more, still owns %d items", len(owns))})
	}
	for _, fs := range [][]Finding{rep.Findings, rep.Accepted} {
		slices.SortStableFunc(fs, func(a, b Finding) int { return CompareFindings(&a, &b) })
	}

	byKind, byUnit, byAcct := map[string]int{}, map[string]int{}, map[string]int{}
	for _, f := range rep.Findings {
		byKind[f.Kind]++
		if len(f.BusinessUnits) == 0 {
			byUnit[""]++
		}
		for _, u := range f.BusinessUnits {
			byUnit[u]++
		}
		if f.Account != "" {
			byAcct[f.Account]++
		}
	}
	for _, k := range FindingKinds {
		rep.ByKind = append(rep.ByKind, Count{Key: k, Count: byKind[k]})
	}
	names := func(k graph.Kind) map[string]string {
		m := map[string]string{}
		for _, n := range e.byKind[k] {
			m[n.Key] = n.Name
		}
		return m
	}
	unitNames, acctNames := names(graph.KindBusinessUnit), names(graph.KindCloudAccount)
	rep.ByBusinessUnit = counts(byUnit, unitNames)
	rep.ByAccount = counts(byAcct, acctNames)
	return rep, nil
}

// CompareFindings orders findings as a report lists them: by kind
// (FindingKinds order), then item kind and key, then tag and value. No two
// findings of a report compare equal, so a finding's place is a cursor.
func CompareFindings(a, b *Finding) int {
	if c := slices.Index(FindingKinds, a.Kind) - slices.Index(FindingKinds, b.Kind); c != 0 {
		return c
	}
	if c := graph.CompareRefs(a.Item.Ref(), b.Item.Ref()); c != 0 {
		return c
	}
	if c := strings.Compare(a.Tag, b.Tag); c != 0 {
		return c
	}
	return strings.Compare(a.Value, b.Value)
}

// FindingFilter picks findings of a report: open ones, or with Accepted
// the accepted ones. A nil field picks every finding; an empty Account or
// BusinessUnit picks those with none (as the "" rows of ByAccount and
// ByBusinessUnit count them).
type FindingFilter struct {
	Kinds        []string // finding kinds (FindingKinds)
	Account      *string  // a cloud account key
	BusinessUnit *string  // a business unit key
	Accepted     bool
	// EndsBefore, when set, picks the findings whose acceptance has an
	// end before it: the exceptions to review before they lapse.
	EndsBefore time.Time
}

// Validate reports a finding kind that is not one (CodeInvalid, naming it
// and the kinds there are).
func (f FindingFilter) Validate() error {
	for _, k := range f.Kinds {
		if !slices.Contains(FindingKinds, k) {
			return graph.Errorf(graph.CodeInvalid, "finding kind %q: want one of %s", k, strings.Join(FindingKinds, ", "))
		}
	}
	return nil
}

// Keep reports whether f picks x.
func (f FindingFilter) Keep(x *Finding) bool {
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, x.Kind) {
		return false
	}
	if f.Account != nil && x.Account != *f.Account {
		return false
	}
	if u := f.BusinessUnit; u != nil && (*u == "" && len(x.BusinessUnits) > 0 || *u != "" && !slices.Contains(x.BusinessUnits, *u)) {
		return false
	}
	if !f.EndsBefore.IsZero() && (x.Acceptance == nil || x.Acceptance.Until.IsZero() || !x.Acceptance.Until.Before(f.EndsBefore)) {
		return false
	}
	return true
}

// Filter returns the findings f picks, in report order: the report's own
// slice when f picks every finding.
func (r *ShadowReport) Filter(f FindingFilter) []Finding {
	from := r.Findings
	if f.Accepted {
		from = r.Accepted
	}
	if len(f.Kinds) == 0 && f.Account == nil && f.BusinessUnit == nil && f.EndsBefore.IsZero() {
		return from
	}
	out := []Finding{}
	for i := range from {
		if f.Keep(&from[i]) {
			out = append(out, from[i])
		}
	}
	return out
}

func counts(m map[string]int, names map[string]string) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: k, Name: names[k], Count: n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}

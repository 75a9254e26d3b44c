package analysis

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// DefaultStaleAfter is how long an item may go unseen before it is stale.
const DefaultStaleAfter = 30 * 24 * time.Hour

// Ratio is Count out of Total, with Percent = 100·Count/Total rounded to
// one decimal (100 when Total is 0: nothing is missing).
type Ratio struct {
	Count   int     `json:"count"`
	Total   int     `json:"total"`
	Percent float64 `json:"percent"`
}

func ratio(c, t int) Ratio {
	p := 100.0
	if t > 0 {
		p = math.Round(1000*float64(c)/float64(t)) / 10
	}
	return Ratio{Count: c, Total: t, Percent: p}
}

// Completeness measures how much of the estate is explained.
type Completeness struct {
	// ServicesOwned: services with an OWNS relationship.
	ServicesOwned Ratio `json:"servicesOwned"`
	// RepositoriesMapped: repositories that BUILD an application or DEFINE
	// a resource.
	RepositoriesMapped Ratio `json:"repositoriesMapped"`
	// ResourcesOwned: cloud resources with an owner by the shadow-estate
	// rule (OWNS, or an owned application or repository).
	ResourcesOwned Ratio `json:"resourcesOwned"`
}

// Staleness counts items not seen for longer than the threshold.
type Staleness struct {
	// Stale out of all items; ByKind per kind (kinds with items only).
	Stale  Ratio      `json:"stale"`
	ByKind []KindStat `json:"byKind"`
	// Oldest are up to 20 stale items, least recently seen first.
	Oldest []StaleItem `json:"oldest"`
}

// KindStat is a stale ratio for one kind.
type KindStat struct {
	Kind  graph.Kind `json:"kind"`
	Ratio Ratio      `json:"ratio"`
}

// StaleItem is an item and when it was last seen.
type StaleItem struct {
	Item
	LastSeen time.Time `json:"lastSeen"`
}

// UnitHealth is completeness and staleness within one business unit:
// its services, the repositories building their applications, and the
// resources attributed to it (docs/answers.md).
type UnitHealth struct {
	BusinessUnit Item         `json:"businessUnit"`
	Completeness Completeness `json:"completeness"`
	Stale        Ratio        `json:"stale"`
}

// HealthReport answers "how good is the CMDB?".
type HealthReport struct {
	At           time.Time     `json:"at"`
	StaleAfter   time.Duration `json:"staleAfter"`
	Completeness Completeness  `json:"completeness"`
	Staleness    Staleness     `json:"staleness"`
	// ByBusinessUnit, by key. Items attributed to no unit are in the
	// overall figures only.
	ByBusinessUnit []UnitHealth `json:"byBusinessUnit"`
}

const maxOldest = 20

// Health measures completeness and staleness, overall and per business
// unit, at time now: an item is stale when now - lastSeen > staleAfter. It
// reads the whole graph with one Topology call.
// Errors: CodeInvalid for a staleAfter that is not positive.
func Health(ctx context.Context, s Store, staleAfter time.Duration, now time.Time) (*HealthReport, error) {
	if staleAfter <= 0 {
		return nil, graph.Errorf(graph.CodeInvalid, "the staleness threshold must be positive")
	}
	e, err := scan(ctx, s)
	if err != nil {
		return nil, err
	}
	rep := &HealthReport{At: now.UTC(), StaleAfter: staleAfter, ByBusinessUnit: []UnitHealth{}}
	stale := func(n *graph.Node) bool { return now.Sub(n.LastSeen) > staleAfter }

	units := map[string]*tally{}
	unit := func(k string) *tally {
		t := units[k]
		if t == nil {
			t = &tally{}
			units[k] = t
		}
		return t
	}
	var total tally
	for _, n := range e.byKind[graph.KindBusinessUnit] {
		unit(n.Key)
	}
	var oldest []StaleItem
	// Changes and incidents are records of events, not estate: no source
	// sees them again, so staleness and completeness do not apply.
	for _, k := range graph.EstateKinds {
		ns := e.byKind[k]
		if len(ns) == 0 {
			continue
		}
		st := 0
		for _, n := range ns {
			isStale := stale(n.Node)
			if isStale {
				st++
				oldest = append(oldest, StaleItem{Item: itemOf(n.Node), LastSeen: n.LastSeen})
			}
			var ok bool
			switch k {
			case graph.KindService:
				ok = n.owned()
			case graph.KindRepository:
				ok = n.repoMapped()
			case graph.KindCloudResource:
				ok = n.resourceOwned()
			}
			total.add(k, isStale, ok)
			for _, key := range n.unitsOf() {
				unit(key).add(k, isStale, ok)
			}
		}
		rep.Staleness.ByKind = append(rep.Staleness.ByKind, KindStat{Kind: k, Ratio: ratio(st, len(ns))})
	}
	comp := func(t *tally) Completeness {
		return Completeness{
			ServicesOwned:      ratio(t.svcOwned, t.svc),
			RepositoriesMapped: ratio(t.repoMapped, t.repo),
			ResourcesOwned:     ratio(t.resOwned, t.res),
		}
	}
	rep.Completeness = comp(&total)
	rep.Staleness.Stale = ratio(total.stale, total.all)
	slices.SortFunc(oldest, func(a, b StaleItem) int {
		if c := a.LastSeen.Compare(b.LastSeen); c != 0 {
			return c
		}
		return graph.CompareRefs(a.Ref(), b.Ref())
	})
	if len(oldest) > maxOldest {
		oldest = oldest[:maxOldest]
	}
	rep.Staleness.Oldest = append([]StaleItem{}, oldest...)
	byKey := map[string]*graph.Node{}
	for _, n := range e.byKind[graph.KindBusinessUnit] {
		byKey[n.Key] = n.Node
	}
	for _, k := range sortedKeys(units) {
		n := byKey[k]
		if n == nil {
			continue
		}
		t := units[k]
		rep.ByBusinessUnit = append(rep.ByBusinessUnit, UnitHealth{BusinessUnit: itemOf(n), Completeness: comp(t), Stale: ratio(t.stale, t.all)})
	}
	slices.SortFunc(rep.ByBusinessUnit, func(a, b UnitHealth) int { return strings.Compare(a.BusinessUnit.Key, b.BusinessUnit.Key) })
	return rep, nil
}

// tally counts what Health reports, overall or for a business unit.
type tally struct{ svc, svcOwned, repo, repoMapped, res, resOwned, all, stale int }

// add counts an item of kind k; ok is whether it meets its kind's
// completeness rule (owned, mapped).
func (t *tally) add(k graph.Kind, stale, ok bool) {
	t.all++
	if stale {
		t.stale++
	}
	switch k {
	case graph.KindService:
		t.svc++
		if ok {
			t.svcOwned++
		}
	case graph.KindRepository:
		t.repo++
		if ok {
			t.repoMapped++
		}
	case graph.KindCloudResource:
		t.res++
		if ok {
			t.resOwned++
		}
	}
}

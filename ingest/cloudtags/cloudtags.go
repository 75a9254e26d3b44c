// Package cloudtags maps the tags (AWS), tags (Azure) and labels (GCP) on
// cloud resources to the teams, people, applications and repositories of the
// CMDB. Every cloud source shares it, so one organisation's conventions —
// which keys name the owner, how values are spelled — are configured once.
//
// A tag links a resource only to something the CMDB already knows: values are
// looked up through a Resolver (the CLI wires it to Store.Resolve). A value
// naming nothing known is kept as what it is — a label on the resource, with
// a graph.UnknownTagLabel saying so for the shadow report — and reported as a
// note; it never becomes a new team or application.
package cloudtags

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
)

// Rules says which tag keys name what, and how values are normalised. Keys
// match case-insensitively. The zero value means Default().
type Rules struct {
	// Team lists the keys naming the owning team (or a person, by e-mail).
	Team []string `yaml:"team" json:"team"`
	// Application lists the keys naming the application a resource belongs to.
	Application []string `yaml:"application" json:"application"`
	// Service lists the keys naming a service; their values are matched
	// against applications (many organisations call a deployable a service).
	Service []string `yaml:"service" json:"service"`
	// Repository lists the keys naming the repository the resource is
	// defined in.
	Repository []string `yaml:"repository" json:"repository"`
	// Environment and CostCentre keys are recognised and kept as labels;
	// they link nothing.
	Environment []string `yaml:"environment" json:"environment"`
	CostCentre  []string `yaml:"costCentre" json:"costCentre"`
	// StripPrefixes are removed from values before lookup, in order, case
	// insensitively: "@" (CODEOWNERS handles), "group:" (Backstage), …
	StripPrefixes []string `yaml:"stripPrefixes" json:"stripPrefixes"`
}

// Default returns the rules that cover common conventions.
func Default() Rules {
	return Rules{
		Team:          []string{"team", "owner", "owning-team", "owner_team", "team_name"},
		Application:   []string{"app", "application", "app.kubernetes.io/name", "app_name", "application_name"},
		Service:       []string{"service", "service_name"},
		Repository:    []string{"repo", "repository", "git_repository", "git_repo", "source_repo"},
		Environment:   []string{"env", "environment", "stage"},
		CostCentre:    []string{"cost-center", "cost_center", "costcentre", "cost-centre", "costcenter"},
		StripPrefixes: []string{"@", "group:", "team:", "user:"},
	}
}

// withDefaults fills the empty lists from Default.
func (r Rules) withDefaults() Rules {
	d := Default()
	fill := func(v *[]string, def []string) {
		if len(*v) == 0 {
			*v = def
		}
	}
	fill(&r.Team, d.Team)
	fill(&r.Application, d.Application)
	fill(&r.Service, d.Service)
	fill(&r.Repository, d.Repository)
	fill(&r.Environment, d.Environment)
	fill(&r.CostCentre, d.CostCentre)
	fill(&r.StripPrefixes, d.StripPrefixes)
	return r
}

// Validate checks the rules: no empty key.
func (r Rules) Validate() error {
	for _, l := range [][]string{r.Team, r.Application, r.Service, r.Repository, r.Environment, r.CostCentre} {
		for _, k := range l {
			if strings.TrimSpace(k) == "" {
				return fmt.Errorf("tag rules: empty tag key")
			}
		}
	}
	return nil
}

// Role is what a tag names.
type Role string

// Roles a tag key can have.
const (
	RoleTeam        Role = "team"
	RoleApplication Role = "application"
	RoleService     Role = "service"
	RoleRepository  Role = "repository"
	RoleEnvironment Role = "environment"
	RoleCostCentre  Role = "costCentre"
)

// Ref is one tag that names something.
type Ref struct {
	Role  Role
	Key   string // the tag key as the resource spells it
	Value string // the tag value as the resource spells it
}

// Match returns the tags that name something, in a stable order (by role,
// then by the rule's key order). Values that are empty after trimming are
// skipped.
func (r Rules) Match(tags map[string]string) []Ref {
	r = r.withDefaults()
	if len(tags) == 0 {
		return nil
	}
	lower := make(map[string]string, len(tags)) // lower-cased key → key as spelled
	for k := range tags {
		lk := strings.ToLower(strings.TrimSpace(k))
		if prev, ok := lower[lk]; !ok || k < prev {
			lower[lk] = k
		}
	}
	var out []Ref
	add := func(role Role, keys []string) {
		for _, want := range keys {
			k, ok := lower[strings.ToLower(strings.TrimSpace(want))]
			if !ok {
				continue
			}
			for _, v := range splitValues(tags[k]) {
				out = append(out, Ref{Role: role, Key: k, Value: v})
			}
		}
	}
	add(RoleTeam, r.Team)
	add(RoleApplication, r.Application)
	add(RoleService, r.Service)
	add(RoleRepository, r.Repository)
	add(RoleEnvironment, r.Environment)
	add(RoleCostCentre, r.CostCentre)
	return out
}

// splitValues splits a tag value naming several things ("a,b", "a; b").
func splitValues(v string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// Candidates returns the spellings to look a value up by, most specific
// first: the value itself, without the configured prefixes, and — for
// "org/name" handles and repository URLs — the forms other sources use.
func (r Rules) Candidates(role Role, value string) []string {
	r = r.withDefaults()
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	v := strings.TrimSpace(value)
	add(v)
	stripped := v
	for changed := true; changed; {
		changed = false
		for _, p := range r.StripPrefixes {
			if p != "" && len(stripped) > len(p) && strings.EqualFold(stripped[:len(p)], p) {
				stripped = stripped[len(p):]
				changed = true
			}
		}
	}
	add(stripped)
	switch role {
	case RoleRepository:
		s := stripped
		for _, p := range []string{"https://", "http://", "ssh://", "git@"} {
			s = strings.TrimPrefix(s, p)
		}
		s = strings.TrimSuffix(strings.TrimSuffix(s, "/"), ".git")
		s = strings.Replace(s, ":", "/", 1) // git@github.com:acme/x → github.com/acme/x
		add(s)
	case RoleTeam:
		// An e-mail address names a person; leave it whole.
		if !strings.Contains(stripped, "@") {
			if i := strings.LastIndex(stripped, "/"); i >= 0 {
				add(stripped[i+1:]) // acme/checkout-team → checkout-team
			}
		}
	}
	return out
}

// Resolver looks a reference up in the CMDB: the key of the one node of the
// given kind whose key or alias matches ref (ignoring case), if there is one.
type Resolver func(ctx context.Context, ref string, kind graph.Kind) (key string, ok bool)

// Linker turns a resource's tags into relationships to what the CMDB knows.
// It caches lookups, so one Linker serves one run.
type Linker struct {
	Rules   Rules
	Resolve Resolver
	// Provider names the tag system in evidence: "aws tag team=x".
	Provider string
	// Note, if set, receives findings that are not errors: tags naming
	// nothing the CMDB knows.
	Note func(item, msg string)

	cache map[cacheKey]string
}

type cacheKey struct {
	kind  graph.Kind
	value string
}

// lookup resolves value as one of kinds, trying each candidate spelling.
func (l *Linker) lookup(ctx context.Context, role Role, value string, kinds ...graph.Kind) (graph.Ref, bool) {
	if l.Resolve == nil {
		return graph.Ref{}, false
	}
	if l.cache == nil {
		l.cache = map[cacheKey]string{}
	}
	for _, kind := range kinds {
		ck := cacheKey{kind, strings.ToLower(value)}
		key, seen := l.cache[ck]
		if !seen {
			for _, c := range l.Rules.Candidates(role, value) {
				if k, ok := l.Resolve(ctx, c, kind); ok {
					key = k
					break
				}
			}
			l.cache[ck] = key
		}
		if key != "" {
			return graph.Ref{Kind: kind, Key: key}, true
		}
	}
	return graph.Ref{}, false
}

// resolve looks up what a tag names: a team or person for a team tag, an
// application for an application or service tag, a repository for a
// repository tag. Other roles name nothing (ok false).
func (l *Linker) resolve(ctx context.Context, m Ref) (graph.Ref, bool) {
	switch m.Role {
	case RoleTeam:
		return l.lookup(ctx, m.Role, m.Value, graph.KindTeam, graph.KindPerson)
	case RoleApplication, RoleService:
		return l.lookup(ctx, m.Role, m.Value, graph.KindApplication)
	case RoleRepository:
		return l.lookup(ctx, m.Role, m.Value, graph.KindRepository)
	}
	return graph.Ref{}, false
}

// links reports whether a tag of the role names something to link to.
func links(r Role) bool {
	return r == RoleTeam || r == RoleApplication || r == RoleService || r == RoleRepository
}

// Labels returns the labels of a resource with these tags: the tags, and
// for each tag naming a team, application, service or repository a
// graph.UnknownTagLabel holding the values that resolve to nothing known
// ("" when all resolve, so that a value the estate has come to know since
// the last run stops being reported). The shadow report reads these, so
// what it calls unknown is exactly what Link could not link. Without a
// resolver nothing was looked up and nothing is recorded as unknown.
func (l *Linker) Labels(ctx context.Context, tags map[string]string) map[string]string {
	out := copyTags(tags)
	if l.Resolve == nil {
		return out
	}
	for _, m := range l.Rules.Match(tags) {
		if !links(m.Role) {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		k := graph.UnknownTagLabel(string(m.Role), m.Key)
		v, seen := out[k]
		if _, ok := l.resolve(ctx, m); ok {
			if !seen {
				out[k] = ""
			}
			continue
		}
		if v != "" {
			v += ", "
		}
		out[k] = v + m.Value
	}
	return out
}

// Link emits the relationships res's tags support: OWNS from a team (or
// person) named by a team tag, RUNS_ON (when runsOn, for compute) or
// DEPENDS_ON from an application named by an application or service tag,
// DEFINES from a repository named by a repository tag — all INFERRED, with
// the tag as evidence — and notes the tags naming nothing known. The
// resource node must have been emitted before, with Labels (which record
// those tags on it). Without a resolver it does nothing. It returns the
// emitter's error (the run must stop) only.
func (l *Linker) Link(ctx context.Context, emit ingest.Emitter, res graph.Ref, tags map[string]string, runsOn bool) error {
	if l.Resolve == nil {
		return nil
	}
	for _, m := range l.Rules.Match(tags) {
		if !links(m.Role) {
			continue // environment, cost centre: labels only
		}
		evidence := fmt.Sprintf("%s tag %s=%s", l.Provider, m.Key, m.Value)
		ref, ok := l.resolve(ctx, m)
		if !ok {
			if l.Note != nil {
				l.Note(res.Key, fmt.Sprintf("%s names no known %s (kept as a label)", evidence, m.Role))
			}
			continue
		}
		edge := graph.EdgeInput{Type: graph.RelDefines, From: ref, To: res, Confidence: graph.Inferred, Evidence: evidence}
		switch m.Role {
		case RoleTeam:
			edge.Type, edge.Props = graph.RelOwns, map[string]any{"role": graph.OwnerTechnical}
		case RoleApplication, RoleService:
			edge.Type = graph.RelDependsOn
			if runsOn {
				edge.Type = graph.RelRunsOn
			}
		}
		if err := emit.Edge(edge); err != nil {
			return err
		}
	}
	return nil
}

// Notes returns a Linker.Note that records findings as warnings of the run
// (they do not make it partial) when the emitter keeps warnings, and
// otherwise logs them.
func Notes(emit ingest.Emitter, log zerolog.Logger, source string) func(item, msg string) {
	return func(item, msg string) {
		if w, ok := emit.(ingest.Warner); ok {
			w.Warn(item, errors.New(msg))
			return
		}
		log.Info().Str("source", source).Str("item", item).Msg(msg)
	}
}

// copyTags copies tags into node labels, dropping empty keys.
func copyTags(tags map[string]string) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		if k = strings.TrimSpace(k); k != "" {
			out[k] = v
		}
	}
	return out
}

// StoreResolver adapts a store's Resolve to a Resolver: a reference
// resolves when exactly one node of the kind matches.
func StoreResolver(resolve func(ctx context.Context, ref string, kinds []graph.Kind) ([]*graph.Node, error)) Resolver {
	return func(ctx context.Context, ref string, kind graph.Kind) (string, bool) {
		nodes, err := resolve(ctx, ref, []graph.Kind{kind})
		if err != nil || len(nodes) != 1 {
			return "", false
		}
		return nodes[0].Key, true
	}
}

// AccountProps are a cloud account's properties: its provider and, when
// the source's configuration lists the accounts central IT knows
// (registered), whether this one is among them. Without such a list the
// source does not know and says nothing, so an account registered through
// the API (registered: true by the manual source) meets no contradiction;
// with one, the list speaks for every account the source finds.
func AccountProps(provider string, registered []string, id string) map[string]any {
	props := map[string]any{"provider": provider}
	if len(registered) > 0 {
		props["registered"] = slices.ContainsFunc(registered, func(r string) bool { return strings.EqualFold(r, id) })
	}
	return props
}

// Package model holds the Go types the GraphQL schema binds to: thin views
// over graph.Node and graph.Edge written by hand (one per kind, bound by
// gqlgen's autobind), and the connection and input types gqlgen generates
// into models_gen.go.
package model

import (
	"cmp"
	"slices"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/governance"
)

// Node is the GraphQL Node interface: anything with a global id.
type Node interface {
	IsNode()
	GetID() graph.ID
}

// Entity is the GraphQL Entity interface, implemented by one type per kind.
type Entity interface {
	Node
	IsEntity()
	// GraphNode returns the domain node the entity shows.
	GraphNode() *graph.Node
}

// Base is what every kind's type shares: the domain node and the common
// fields. Kind types embed it.
type Base struct {
	N *graph.Node
}

func (Base) IsNode()                        {}
func (Base) IsEntity()                      {}
func (b Base) GraphNode() *graph.Node       { return b.N }
func (b Base) GetID() graph.ID              { return b.N.ID }
func (b Base) ID() graph.ID                 { return b.N.ID }
func (b Base) Kind() graph.Kind             { return b.N.Kind }
func (b Base) Key() string                  { return b.N.Key }
func (b Base) Name() string                 { return b.N.Name }
func (b Base) FirstSeen() time.Time         { return b.N.FirstSeen }
func (b Base) LastSeen() time.Time          { return b.N.LastSeen }
func (b Base) Confidence() graph.Confidence { return b.N.Confidence() }

// Labels returns the labels sorted by key.
func (b Base) Labels() []*Label { return labels(b.N.Labels) }

// Aliases returns the aliases in stored order (by value, then source).
func (b Base) Aliases() []*graph.Alias { return ptrs(b.N.Aliases) }

// Sources returns the node's assertions, sorted by source.
func (b Base) Sources() []*graph.Assertion { return ptrs(b.N.Assertions) }

// Conflicts returns the ingested values that differ from manual edits,
// sorted by field, then source.
func (b Base) Conflicts() []*graph.Conflict { return ptrs(b.N.Conflicts) }

func labels(m map[string]string) []*Label {
	out := make([]*Label, 0, len(m))
	for k, v := range m {
		out = append(out, &Label{Key: k, Value: v})
	}
	slices.SortFunc(out, func(a, b *Label) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

func ptrs[T any](s []T) []*T {
	out := make([]*T, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}

// Typed property accessors. Values are canonical (graph.CoerceNodeProps):
// string, int64, bool, []string, times as RFC 3339 strings.

func (b Base) str(name string) *string {
	if s, ok := b.N.Props[name].(string); ok {
		return &s
	}
	return nil
}

func (b Base) integer(name string) *int {
	switch v := b.N.Props[name].(type) {
	case int64:
		i := int(v)
		return &i
	case int:
		return &v
	}
	return nil
}

func (b Base) boolean(name string) *bool {
	if v, ok := b.N.Props[name].(bool); ok {
		return &v
	}
	return nil
}

func (b Base) strList(name string) []string {
	switch v := b.N.Props[name].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return []string{}
}

func (b Base) timeProp(name string) *time.Time {
	s, ok := b.N.Props[name].(string)
	if !ok {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil
	}
	return &t
}

// BusinessUnit is a business unit.
type BusinessUnit struct{ Base }

func (e BusinessUnit) Description() *string { return e.str("description") }

// Service is a business or application service.
type Service struct{ Base }

func (e Service) Description() *string { return e.str("description") }
func (e Service) Tier() *int           { return e.integer("tier") }
func (e Service) Lifecycle() *string   { return e.str("lifecycle") }
func (e Service) Criticality() *string { return e.str("criticality") }

// Application is a deployable component.
type Application struct{ Base }

func (e Application) Description() *string   { return e.str("description") }
func (e Application) Type() *string          { return e.str("type") }
func (e Application) Lifecycle() *string     { return e.str("lifecycle") }
func (e Application) Hostnames() []string    { return e.strList("hostnames") }
func (e Application) Environments() []string { return e.strList("environments") }
func (e Application) Urls() []string         { return e.strList("urls") }

// Repository is a source repository.
type Repository struct{ Base }

func (e Repository) Description() *string   { return e.str("description") }
func (e Repository) Host() *string          { return e.str("host") }
func (e Repository) URL() *string           { return e.str("url") }
func (e Repository) DefaultBranch() *string { return e.str("defaultBranch") }
func (e Repository) Visibility() *string    { return e.str("visibility") }
func (e Repository) Archived() *bool        { return e.boolean("archived") }
func (e Repository) Fork() *bool            { return e.boolean("fork") }
func (e Repository) Language() *string      { return e.str("language") }
func (e Repository) Topics() []string       { return e.strList("topics") }
func (e Repository) PushedAt() *time.Time   { return e.timeProp("pushedAt") }

// Team is a team of people.
type Team struct{ Base }

func (e Team) Description() *string { return e.str("description") }
func (e Team) Contact() *string     { return e.str("contact") }
func (e Team) Email() *string       { return e.str("email") }

// Person is a person.
type Person struct{ Base }

func (e Person) Email() *string    { return e.str("email") }
func (e Person) Handles() []string { return e.strList("handles") }
func (e Person) Title() *string    { return e.str("title") }

// CloudAccount is a cloud provider account, subscription or project.
type CloudAccount struct{ Base }

func (e CloudAccount) Provider() *string    { return e.str("provider") }
func (e CloudAccount) Registered() *bool    { return e.boolean("registered") }
func (e CloudAccount) Environment() *string { return e.str("environment") }

// CloudResource is one cloud resource.
type CloudResource struct{ Base }

func (e CloudResource) Provider() *string     { return e.str("provider") }
func (e CloudResource) Type() *string         { return e.str("type") }
func (e CloudResource) Region() *string       { return e.str("region") }
func (e CloudResource) AccountID() *string    { return e.str("account") }
func (e CloudResource) Hostnames() []string   { return e.strList("hostnames") }
func (e CloudResource) CreatedAt() *time.Time { return e.timeProp("createdAt") }

// Change is an assessed change (graph/governance).
type Change struct{ Base }

func (e Change) Repository() *string     { return e.str("repository") }
func (e Change) Commit() *string         { return e.str("commit") }
func (e Change) Environment() *string    { return e.str("environment") }
func (e Change) PolicyVersion() *string  { return e.str("policyVersion") }
func (e Change) Team() *string           { return e.str("team") }
func (e Change) ChangedPaths() []string  { return e.strList("changedPaths") }
func (e Change) LinesChanged() *int      { return e.integer("linesChanged") }
func (e Change) Coverage() *int          { return e.integer("coverage") }
func (e Change) Components() *int        { return e.integer("components") }
func (e Change) Score() *int             { return e.integer("score") }
func (e Change) CommittedAt() *time.Time { return e.timeProp("committedAt") }
func (e Change) AssessedAt() *time.Time  { return e.timeProp("assessedAt") }
func (e Change) RequestedBy() *string    { return e.str("requestedBy") }
func (e Change) DecidedAt() *time.Time   { return e.timeProp("decidedAt") }
func (e Change) DecidedBy() *string      { return e.str("decidedBy") }
func (e Change) DecisionReason() *string { return e.str("decisionReason") }

// Class is the change's class (nil when the record has none).
func (e Change) Class() *governance.Class {
	if s := e.str("class"); s != nil {
		c := governance.Class(*s)
		return &c
	}
	return nil
}

// Status is where the change's decision stands.
func (e Change) Status() *governance.Status {
	if s := e.str("status"); s != nil {
		st := governance.Status(*s)
		return &st
	}
	return nil
}

// Factors are the assessment's factors; an unreadable record gives none.
func (e Change) Factors() []*governance.Factor {
	c, err := governance.ChangeOf(e.N)
	if err != nil {
		return []*governance.Factor{}
	}
	return ptrs(c.Factors)
}

// Incident is an incident (graph/governance).
type Incident struct{ Base }

func (e Incident) Description() *string   { return e.str("description") }
func (e Incident) Source() *string        { return e.str("source") }
func (e Incident) Severity() *string      { return e.str("severity") }
func (e Incident) Status() *string        { return e.str("status") }
func (e Incident) URL() *string           { return e.str("url") }
func (e Incident) StartedAt() *time.Time  { return e.timeProp("startedAt") }
func (e Incident) RestoredAt() *time.Time { return e.timeProp("restoredAt") }

// Wrap returns the GraphQL type of n's kind (nil for nil).
func Wrap(n *graph.Node) Entity {
	if n == nil {
		return nil
	}
	b := Base{N: n}
	switch n.Kind {
	case graph.KindBusinessUnit:
		return &BusinessUnit{b}
	case graph.KindService:
		return &Service{b}
	case graph.KindApplication:
		return &Application{b}
	case graph.KindRepository:
		return &Repository{b}
	case graph.KindTeam:
		return &Team{b}
	case graph.KindPerson:
		return &Person{b}
	case graph.KindCloudAccount:
		return &CloudAccount{b}
	case graph.KindCloudResource:
		return &CloudResource{b}
	case graph.KindChange:
		return &Change{b}
	case graph.KindIncident:
		return &Incident{b}
	}
	return nil
}

// Relationship is a relationship as seen from the entity it was reached
// from: Outgoing when that entity is its `from` end.
type Relationship struct {
	Edge     *graph.Edge
	Outgoing bool
}

func (r *Relationship) ID() graph.ID                 { return r.Edge.ID }
func (r *Relationship) Type() graph.RelType          { return r.Edge.Type }
func (r *Relationship) Confidence() graph.Confidence { return r.Edge.Confidence() }
func (r *Relationship) FirstSeen() time.Time         { return r.Edge.FirstSeen }
func (r *Relationship) LastSeen() time.Time          { return r.Edge.LastSeen }
func (r *Relationship) Sources() []*graph.Assertion  { return ptrs(r.Edge.Assertions) }
func (r *Relationship) Conflicts() []*graph.Conflict { return ptrs(r.Edge.Conflicts) }

// Direction is OUT when the entity the relationship was reached from is
// its `from` end.
func (r *Relationship) Direction() graph.Direction {
	if r.Outgoing {
		return graph.Out
	}
	return graph.In
}

// Evidence returns the evidence of the most confident source that gave
// some (sources tie-break in stored order).
func (r *Relationship) Evidence() *string {
	best, rank := "", -1
	for _, a := range r.Edge.Assertions {
		if a.Evidence == "" {
			continue
		}
		if k := confidenceRank(a.Confidence); k > rank {
			best, rank = a.Evidence, k
		}
	}
	if rank < 0 {
		return nil
	}
	return &best
}

func confidenceRank(c graph.Confidence) int {
	switch c {
	case graph.Declared:
		return 3
	case graph.Inferred:
		return 2
	case graph.Heuristic:
		return 1
	}
	return 0
}

// Role returns the owner role of an OWNS relationship, nil for other types.
func (r *Relationship) Role() *OwnerRole {
	if r.Edge.Type != graph.RelOwns {
		return nil
	}
	role := OwnerRoleFromGraph(r.Edge.Role())
	return &role
}

// Path returns the path of a BUILDS relationship, if any.
func (r *Relationship) Path() *string {
	if s, ok := r.Edge.Props["path"].(string); ok && s != "" {
		return &s
	}
	return nil
}

// OwnerRoleFromGraph converts graph's role ("technical") to the enum.
func OwnerRoleFromGraph(role string) OwnerRole {
	switch role {
	case graph.OwnerBusiness:
		return OwnerRoleBusiness
	case graph.OwnerSupport:
		return OwnerRoleSupport
	case graph.OwnerSecurity:
		return OwnerRoleSecurity
	}
	return OwnerRoleTechnical
}

// GraphRole converts the enum to graph's role string.
func (r OwnerRole) GraphRole() string {
	switch r {
	case OwnerRoleBusiness:
		return graph.OwnerBusiness
	case OwnerRoleSupport:
		return graph.OwnerSupport
	case OwnerRoleSecurity:
		return graph.OwnerSecurity
	}
	return graph.OwnerTechnical
}

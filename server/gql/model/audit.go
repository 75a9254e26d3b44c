package model

import (
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// AuditEvent is the GraphQL view of one recorded change (graph/audit.go).
type AuditEvent struct{ E *graph.AuditEvent }

func (a AuditEvent) At() time.Time                 { return a.E.At }
func (a AuditEvent) Op() graph.AuditOp             { return a.E.Op }
func (a AuditEvent) Actor() string                 { return a.E.Actor }
func (a AuditEvent) Source() string                { return a.E.Source }
func (a AuditEvent) Run() string                   { return a.E.Run }
func (a AuditEvent) Changes() []*graph.FieldChange { return ptrs(a.E.Changes) }

// Entity names the entity changed, nil for a relationship event.
func (a AuditEvent) Entity() *graph.Ref {
	if a.E.IsEdge() {
		return nil
	}
	return &graph.Ref{Kind: a.E.Kind, Key: a.E.Key}
}

// Relationship names the relationship changed, nil for an entity event.
func (a AuditEvent) Relationship() *AuditRelationship {
	if !a.E.IsEdge() {
		return nil
	}
	return &AuditRelationship{Type: a.E.Type, From: a.E.From, To: a.E.To}
}

// AuditRelationship is a relationship named by type and ends.
type AuditRelationship struct {
	Type     graph.RelType
	From, To graph.Ref
}

// EntitySnapshot is the GraphQL view of graph.Snapshot.
type EntitySnapshot struct{ S *graph.Snapshot }

func (s EntitySnapshot) At() time.Time   { return s.S.At }
func (s EntitySnapshot) Truncated() bool { return s.S.Truncated }

// Entity is the entity as it was, nil when it did not exist.
func (s EntitySnapshot) Entity() *EntityState {
	if s.S.Node == nil {
		return nil
	}
	return &EntityState{Base{s.S.Node}}
}

// Relationships are its relationships as they were.
func (s EntitySnapshot) Relationships() []*RelationshipState {
	out := make([]*RelationshipState, len(s.S.Edges))
	for i, e := range s.S.Edges {
		out[i] = &RelationshipState{Relationship{Edge: e, Outgoing: true}}
	}
	return out
}

// EntityState is a recorded state of an entity: the common fields of Base
// and its typed properties.
type EntityState struct{ Base }

func (e EntityState) Props() map[string]any { return e.N.Props }

// RelationshipState is a recorded state of a relationship.
type RelationshipState struct{ Relationship }

func (r RelationshipState) From() graph.Ref       { return r.Edge.From }
func (r RelationshipState) To() graph.Ref         { return r.Edge.To }
func (r RelationshipState) Props() map[string]any { return r.Edge.Props }

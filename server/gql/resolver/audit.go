package resolver

import (
	"context"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/server/gql/model"
)

// history is Entity.history for every kind.
func (r *Resolver) history(ctx context.Context, n *graph.Node, since *time.Time, first *int, after *string) (*model.AuditEventConnection, error) {
	size, err := r.pageSize(first)
	if err != nil {
		return nil, err
	}
	q := graph.HistoryQuery{ID: n.ID, First: size, After: deref(after)}
	if since != nil {
		q.Since = *since
	}
	p, err := r.Store.History(ctx, q)
	if err != nil {
		return nil, err
	}
	c := &model.AuditEventConnection{Nodes: make([]*model.AuditEvent, len(p.Events)), Edges: make([]*model.AuditEventEdge, len(p.Events)),
		PageInfo: &model.PageInfo{HasNextPage: p.HasNext, HasPreviousPage: deref(after) != ""}}
	for i, e := range p.Events {
		c.Nodes[i] = &model.AuditEvent{E: e}
		c.Edges[i] = &model.AuditEventEdge{Cursor: p.Cursors[i], Node: c.Nodes[i]}
	}
	if len(p.Events) > 0 {
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &p.StartCursor, &p.EndCursor
	}
	return c, nil
}

// entityAsOf is Query.entityAsOf. A time in the future is refused: it
// would only repeat the present under another name.
func (r *Resolver) entityAsOf(ctx context.Context, id graph.ID, at time.Time) (*model.EntitySnapshot, error) {
	if at.After(time.Now()) {
		return nil, graph.Errorf(graph.CodeInvalid, "entityAsOf: %s is in the future", at.Format(time.RFC3339))
	}
	s, err := graph.AsOf(ctx, r.Store, id, at)
	if err != nil {
		return nil, err
	}
	return &model.EntitySnapshot{S: s}, nil
}

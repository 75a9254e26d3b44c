package resolver

import (
	"context"
	"slices"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/server/gql/model"
)

// findings returns the findings the filter arguments pick, checked.
func findings(rep *analysis.ShadowReport, kinds []string, account, businessUnit *string, accepted *bool, endsBefore *time.Time) ([]analysis.Finding, error) {
	f := analysis.FindingFilter{Kinds: kinds, Account: account, BusinessUnit: businessUnit, Accepted: deref(accepted), EndsBefore: deref(endsBefore)}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return rep.Filter(f), nil
}

// pointers points into fs: gqlgen's resolvers return slices of pointers.
func pointers[T any](fs []T) []*T {
	out := make([]*T, len(fs))
	for i := range fs {
		out[i] = &fs[i]
	}
	return out
}

// findingPage is one page of fs (in report order) after the cursor.
func (r *Resolver) findingPage(fs []analysis.Finding, first *int, after *string) (*model.ShadowFindingConnection, error) {
	size, err := r.pageSize(first)
	if err != nil {
		return nil, err
	}
	start := 0
	if after != nil && *after != "" {
		from, err := decodeFindingCursor(*after)
		if err != nil {
			return nil, err
		}
		start = firstAfter(fs, from, func(a, b analysis.Finding) int { return analysis.CompareFindings(&a, &b) })
	}
	page := fs[start:min(len(fs), start+size)]
	c := &model.ShadowFindingConnection{
		Edges: make([]*model.ShadowFindingEdge, len(page)), Nodes: pointers(page), TotalCount: len(fs),
		PageInfo: &model.PageInfo{HasNextPage: start+len(page) < len(fs), HasPreviousPage: start > 0},
	}
	for i, n := range c.Nodes {
		c.Edges[i] = &model.ShadowFindingEdge{Cursor: encodeFindingCursor(n), Node: n}
	}
	if len(c.Edges) > 0 {
		c.PageInfo.StartCursor = &c.Edges[0].Cursor
		c.PageInfo.EndCursor = &c.Edges[len(c.Edges)-1].Cursor
	}
	return c, nil
}

// A finding's cursor is its place in report order (analysis.CompareFindings).
func encodeFindingCursor(f *analysis.Finding) string {
	return placeCursor(f.Kind, string(f.Item.Kind), f.Item.Key, f.Tag, f.Value)
}

func decodeFindingCursor(c string) (analysis.Finding, error) {
	f, err := placeOf(c, 5)
	if err != nil {
		return analysis.Finding{}, err
	}
	if !slices.Contains(analysis.FindingKinds, f[0]) || !graph.Kind(f[1]).Valid() {
		return analysis.Finding{}, malformedCursor(c)
	}
	return analysis.Finding{Kind: f[0], Item: analysis.Item{Kind: graph.Kind(f[1]), Key: f[2]}, Tag: f[3], Value: f[4]}, nil
}

// relatedItems is the first of a finding's related items.
func (r *Resolver) relatedItems(f *analysis.Finding, first *int) ([]*analysis.Item, error) {
	n := len(f.Related)
	if first != nil {
		size, err := r.pageSize(first)
		if err != nil {
			return nil, err
		}
		n = min(n, size)
	}
	return pointers(f.Related[:n]), nil
}

// findingRefs names the findings of acceptShadowFindings' and
// reopenShadowFindings' input by their entities' kinds and keys: NOT_FOUND
// for an id that names nothing.
func (r *Resolver) findingRefs(ctx context.Context, in []*model.ShadowFindingInput) ([]analysis.FindingRef, error) {
	if err := analysis.CheckFindingCount(len(in)); err != nil {
		return nil, err
	}
	ids := make([]graph.ID, len(in))
	for i, f := range in {
		ids[i] = f.Item
	}
	ns, err := r.Store.Nodes(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]analysis.FindingRef, len(in))
	for i, f := range in {
		if ns[i] == nil {
			return nil, graph.Errorf(graph.CodeNotFound, "finding %s: no entity has the id %s", f.Kind, f.Item)
		}
		out[i] = analysis.FindingRef{Kind: f.Kind, Item: ns[i].Ref(), Tag: deref(f.Tag), Value: deref(f.Value)}
	}
	return out, nil
}

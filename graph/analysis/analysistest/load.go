// Package analysistest checks the answers of package analysis (who owns
// this, impact, shadow estate, health) on the demo estate, with answers
// checked by hand, against any graph.Store: the conformance suite of the
// answers, run by every backend's tests in one line:
//
//	func TestAnswers(t *testing.T) { analysistest.Run(t, harness) }
//
// It loads ingest/demo's estate (test support may import ingest; package
// analysis itself does not).
package analysistest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/graphtest"
	"github.com/estate-cmdb/estate/ingest/demo"
)

// DemoAt is when LoadDemo's batch was observed.
var DemoAt = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// LoadDemo applies the demo estate to s as source demo, run demo-1, at
// DemoAt, in one batch.
func LoadDemo(t testing.TB, s graph.Store) {
	t.Helper()
	nodes, edges, err := demo.Items()
	if err != nil {
		t.Fatal(err)
	}
	graphtest.MustApply(t, s, graph.Batch{Source: demo.SourceName, Run: "demo-1", At: DemoAt, Nodes: nodes, Edges: edges})
}

// Counting wraps a store and counts the calls the answers make.
type Counting struct {
	graph.Store
	calls atomic.Int64
}

// Calls returns the number of calls so far and resets the count.
func (c *Counting) Calls() int { return int(c.calls.Swap(0)) }

func (c *Counting) Resolve(ctx context.Context, ref string, kinds []graph.Kind) ([]*graph.Node, error) {
	c.calls.Add(1)
	return c.Store.Resolve(ctx, ref, kinds)
}

func (c *Counting) Search(ctx context.Context, q graph.SearchQuery) ([]*graph.Node, error) {
	c.calls.Add(1)
	return c.Store.Search(ctx, q)
}

func (c *Counting) Neighbors(ctx context.Context, ids []graph.ID, q graph.NeighborQuery) (map[graph.ID][]graph.Neighbor, error) {
	c.calls.Add(1)
	return c.Store.Neighbors(ctx, ids, q)
}

func (c *Counting) Traverse(ctx context.Context, q graph.TraverseQuery) (*graph.Traversal, error) {
	c.calls.Add(1)
	return c.Store.Traverse(ctx, q)
}

func (c *Counting) Topology(ctx context.Context) (*graph.Topology, error) {
	c.calls.Add(1)
	return c.Store.Topology(ctx)
}

package graph_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

var (
	team = graph.Ref{Kind: graph.KindTeam, Key: "payments"}
	svc  = graph.Ref{Kind: graph.KindService, Key: "checkout"}
)

// A checked batch's items reach the store canonical, in the order added
// and ahead of the batch's plain items, whatever the caller does to what
// it passed in after adding it.
func TestCheckedBatchItemsAsAdded(t *testing.T) {
	c := &graph.CheckedBatch{}
	props, labels := map[string]any{"tier": 1}, map[string]string{"env": "prod"}
	if err := c.Node(graph.NodeInput{Kind: svc.Kind, Key: "  checkout ", Props: props, Labels: labels}); err != nil {
		t.Fatal(err)
	}
	if err := c.Node(graph.NodeInput{Kind: team.Kind, Key: team.Key}); err != nil {
		t.Fatal(err)
	}
	roleProps := map[string]any{}
	if err := c.Edge(graph.EdgeInput{Type: graph.RelOwns, From: team, To: svc, Props: roleProps}); err != nil {
		t.Fatal(err)
	}
	// What the caller still holds is not what was checked.
	props["tier"], props["nonsense"] = "high", true
	labels["env"] = ""
	roleProps["role"] = "overlord"
	b, err := graph.ValidateBatch(graph.Batch{Source: "test", Run: "r1", Checked: c,
		Nodes: []graph.NodeInput{{Kind: graph.KindPerson, Key: "ann"}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := []graph.NodeInput{
		{Kind: svc.Kind, Key: "checkout", Props: map[string]any{"tier": int64(1)}, Labels: map[string]string{"env": "prod"}, Confidence: graph.Declared},
		{Kind: team.Kind, Key: team.Key, Labels: map[string]string{}, Confidence: graph.Declared},
		{Kind: graph.KindPerson, Key: "ann", Labels: map[string]string{}, Confidence: graph.Declared},
	}
	// Their data, and their ids.
	var got []graph.NodeInput
	for _, n := range b.Nodes {
		got = append(got, graph.NodeInput{Kind: n.Kind, Key: n.Key, Name: n.Name, Props: n.Props, Labels: n.Labels,
			Aliases: n.Aliases, Confidence: n.Confidence, Evidence: n.Evidence, Scope: n.Scope})
		if n.ID() != graph.NodeID(n.Kind, n.Key) {
			t.Errorf("%s: id %s, want %s", n.Ref(), n.ID(), graph.NodeID(n.Kind, n.Key))
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("nodes\n%+v\nwant\n%+v", got, want)
	}
	if len(b.Edges) != 1 || b.Edges[0].Props["role"] != graph.OwnerTechnical {
		t.Errorf("relationships %+v, want the OWNS with the technical role it was checked with", b.Edges)
	}
}

// What a checked batch refuses never reaches a store, and a checked batch
// is applied once: applied again (a retry), it fails instead of writing
// nothing and succeeding.
func TestCheckedBatchRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		// fill adds to c and returns the batch to validate; its error, if
		// any, is what adding said.
		fill func(c *graph.CheckedBatch) (graph.Batch, error)
		code graph.Code
		msg  string
	}{
		{name: "invalid node", code: graph.CodeInvalid, msg: "unknown kind",
			fill: func(c *graph.CheckedBatch) (graph.Batch, error) {
				return graph.Batch{}, c.Node(graph.NodeInput{Kind: "Spaceship", Key: "x"})
			}},
		{name: "invalid relationship", code: graph.CodeInvalid, msg: "cannot go from",
			fill: func(c *graph.CheckedBatch) (graph.Batch, error) {
				return graph.Batch{}, c.Edge(graph.EdgeInput{Type: graph.RelOwns, From: svc, To: team})
			}},
		{name: "applied twice", code: graph.CodeInvalid, msg: "already applied",
			fill: func(c *graph.CheckedBatch) (graph.Batch, error) {
				b := graph.Batch{Source: "test", Run: "r1", Checked: c}
				if err := c.Node(graph.NodeInput{Kind: team.Kind, Key: team.Key}); err != nil {
					return b, err
				}
				if _, err := graph.ValidateBatch(b, time.Now()); err != nil {
					return b, err
				}
				return b, nil
			}},
		{name: "applied through a copy", code: graph.CodeInvalid, msg: "already applied",
			fill: func(c *graph.CheckedBatch) (graph.Batch, error) {
				if err := c.Node(graph.NodeInput{Kind: team.Kind, Key: team.Key}); err != nil {
					return graph.Batch{}, err
				}
				dup := *c
				peek, err := graph.ValidateBatch(graph.Batch{Source: "test", Run: "r1", Checked: &dup}, time.Now())
				if err != nil {
					return graph.Batch{}, err
				}
				peek.Nodes[0].Kind = "Spaceship" // what the copy handed out, changed after its check
				return graph.Batch{Source: "test", Run: "r1", Checked: c}, nil
			}},
		{name: "added to after it was applied", code: graph.CodeInvalid, msg: "already applied",
			fill: func(c *graph.CheckedBatch) (graph.Batch, error) {
				if _, err := graph.ValidateBatch(graph.Batch{Source: "test", Run: "r1", Checked: c}, time.Now()); err != nil {
					return graph.Batch{}, err
				}
				return graph.Batch{}, c.Node(graph.NodeInput{Kind: team.Kind, Key: team.Key})
			}},
		{name: "over the item limit with the plain items", code: graph.CodeLimitExceeded, msg: "over the limit",
			fill: func(c *graph.CheckedBatch) (graph.Batch, error) {
				if err := c.Node(graph.NodeInput{Kind: team.Kind, Key: team.Key}); err != nil {
					return graph.Batch{}, err
				}
				return graph.Batch{Source: "test", Run: "r1", Checked: c, Nodes: make([]graph.NodeInput, graph.MaxBatchItems)}, nil
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &graph.CheckedBatch{}
			b, err := tc.fill(c)
			if err == nil {
				_, err = graph.ValidateBatch(b, time.Now())
			}
			if graph.CodeOf(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v, want %s saying %q", err, tc.code, tc.msg)
			}
			if c.Len() != 0 {
				t.Errorf("the batch holds %d items after the rejection, want none", c.Len())
			}
		})
	}
}

package graph_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/estate-cmdb/estate/graph"
)

// Ids are stored and exported: they must stay the UUID v5 of the natural
// key in estate's namespace, whatever derives them.
func TestIDsAreUUIDv5OfTheNaturalKey(t *testing.T) {
	ns := uuid.MustParse("6f1c3c52-8d55-4b63-9a63-5b0a3c7e2a10")
	long := strings.Repeat("k", graph.MaxKeyLen) // past any buffer on the stack
	nodes := []graph.Ref{
		{Kind: graph.KindService, Key: "payments"},
		{Kind: graph.KindCloudResource, Key: "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"},
		{Kind: graph.KindPerson, Key: "zoë@example.com"},
		{Kind: graph.KindRepository, Key: ""},
		{Kind: graph.KindRepository, Key: long},
	}
	for _, r := range nodes {
		want := uuid.NewSHA1(ns, []byte(string(r.Kind)+"\x00"+r.Key))
		if got := graph.NodeID(r.Kind, r.Key); got != want {
			t.Errorf("NodeID(%s, %.40q) = %s, want %s", r.Kind, r.Key, got, want)
		}
	}
	from, to := nodes[0].ID(), nodes[1].ID()
	for _, role := range []string{"", graph.OwnerBusiness, long} {
		want := uuid.NewSHA1(ns, []byte(string(graph.RelOwns)+"\x00"+string(from[:])+string(to[:])+role))
		if got := graph.EdgeID(graph.RelOwns, from, to, role); got != want {
			t.Errorf("EdgeID(OWNS, role %.40q) = %s, want %s", role, got, want)
		}
	}
}

// Every item of every sync derives an id: deriving one allocates nothing.
func TestIDsAllocateNothing(t *testing.T) {
	from, to := graph.NodeID(graph.KindTeam, "a"), graph.NodeID(graph.KindService, "b")
	allocs := testing.AllocsPerRun(100, func() {
		_ = graph.NodeID(graph.KindCloudResource, "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc")
		_ = graph.EdgeID(graph.RelOwns, from, to, graph.OwnerTechnical)
	})
	if allocs != 0 {
		t.Errorf("deriving a node and a relationship id allocates %.0f times, want 0", allocs)
	}
}

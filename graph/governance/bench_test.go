package governance_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis/analysistest"
	"github.com/estate-cmdb/estate/graph/embedded/embeddedtest"
	"github.com/estate-cmdb/estate/graph/governance"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

// BenchmarkAssess measures one assessment of a new change to the shared
// library on the demo estate (embedded store), with a recorded history of
// 0, 1,000 and 10,000 changes: the history is read once per assessment
// for the owning team's track record, so its size is the cost that grows.
// The peer in the same run is analysis.Impact alone, the floor.
func BenchmarkAssess(b *testing.B) {
	for _, history := range []int{0, 1_000, 10_000} {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			s := embeddedtest.Harness(b)
			analysistest.LoadDemo(b, s)
			seedHistory(b, s, history)
			g := governance.New(s, nil)
			g.Now = func() time.Time { return analysistest.DemoAt.Add(24 * time.Hour) }
			b.ResetTimer()
			for i := range b.N {
				if _, err := g.Assess(b.Context(), governance.AssessInput{Repository: "github.com/acme/auth-client-go", Commit: fmt.Sprintf("b%d", i)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// seedHistory records n approved changes of the platform-identity team.
func seedHistory(b *testing.B, s graph.Store, n int) {
	const chunk = 5000
	for start := 0; start < n; start += chunk {
		batch := graph.Batch{Source: governance.Source, Run: "seed", At: analysistest.DemoAt}
		for i := start; i < min(n, start+chunk); i++ {
			ref := graph.Ref{Kind: graph.KindChange, Key: graph.ChangeKey("github.com/acme/auth-service", fmt.Sprintf("s%d", i), "production")}
			at := analysistest.DemoAt.Add(-time.Duration(i) * time.Minute).Format(time.RFC3339)
			batch.Nodes = append(batch.Nodes, graph.NodeInput{Kind: ref.Kind, Key: ref.Key, Confidence: graph.Declared,
				Labels: map[string]string{"class": "NORMAL", "status": "APPROVED", "environment": "production", "team": "platform-identity"},
				Props:  map[string]any{"class": "NORMAL", "status": "APPROVED", "decidedAt": at, "committedAt": at, "team": "platform-identity"}})
			batch.Edges = append(batch.Edges, graph.EdgeInput{Type: graph.RelMadeBy, From: ref, To: graph.Ref{Kind: graph.KindTeam, Key: "platform-identity"}, Confidence: graph.Declared})
		}
		graphtest.MustApply(b, s, batch)
	}
}

// BenchmarkImpactFloor is the peer: the impact analysis an assessment
// starts with, alone.
func BenchmarkImpactFloor(b *testing.B) {
	s := embeddedtest.Harness(b)
	analysistest.LoadDemo(b, s)
	b.ResetTimer()
	for range b.N {
		if _, err := analysisImpact(b, s); err != nil {
			b.Fatal(err)
		}
	}
}

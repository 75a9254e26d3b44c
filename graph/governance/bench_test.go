package governance_test

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/analysis/analysistest"
	"github.com/estate-cmdb/estate/graph/embedded/embeddedtest"
	"github.com/estate-cmdb/estate/graph/governance"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

// BenchmarkAssess measures one assessment of a new change to the shared
// library on the demo estate (embedded store), with a recorded history of
// 0, 1,000, 10,000 and 100,000 changes (and one incident per ten changes)
// spread back in time, six hours apart: every size but 0 has the same 360
// changes in the 90-day track-record window, so what grows from 1,000 up
// is only the history outside the window, which an assessment should not
// pay for. The peer in the same run is analysis.Impact alone, the floor.
func BenchmarkAssess(b *testing.B) {
	for _, history := range []int{0, 1_000, 10_000, 100_000} {
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

// seedHistory records n approved changes of the platform-identity team,
// the i-th decided i*6h before the demo time, labelled as Assess and
// Approve label them; every tenth caused an incident on the identity
// service an hour after it was decided.
func seedHistory(b *testing.B, s graph.Store, n int) {
	const chunk = 5000
	team := graph.Ref{Kind: graph.KindTeam, Key: "platform-identity"}
	for start := 0; start < n; start += chunk {
		batch := graph.Batch{Source: governance.Source, Run: "seed", At: analysistest.DemoAt}
		for i := start; i < min(n, start+chunk); i++ {
			ref := graph.Ref{Kind: graph.KindChange, Key: graph.ChangeKey("github.com/acme/auth-service", fmt.Sprintf("s%d", i), "production")}
			decided := analysistest.DemoAt.Add(-time.Duration(i) * 6 * time.Hour)
			at := decided.Format(time.RFC3339)
			labels := governance.HistoryLabels(decided)
			maps.Copy(labels, map[string]string{"class": "NORMAL", "status": "APPROVED", "environment": "production", "team": team.Key})
			batch.Nodes = append(batch.Nodes, graph.NodeInput{Kind: ref.Kind, Key: ref.Key, Confidence: graph.Declared, Labels: labels,
				Props: map[string]any{"class": "NORMAL", "status": "APPROVED", "decidedAt": at, "committedAt": at, "team": team.Key}})
			batch.Edges = append(batch.Edges, graph.EdgeInput{Type: graph.RelMadeBy, From: ref, To: team, Confidence: graph.Declared})
			if i%10 != 0 {
				continue
			}
			inc := graph.Ref{Kind: graph.KindIncident, Key: fmt.Sprintf("INC-%d", i)}
			started := decided.Add(time.Hour)
			batch.Nodes = append(batch.Nodes, graph.NodeInput{Kind: inc.Kind, Key: inc.Key, Confidence: graph.Declared,
				Labels: governance.HistoryLabels(started),
				Props:  map[string]any{"startedAt": started.Format(time.RFC3339), "restoredAt": started.Add(30 * time.Minute).Format(time.RFC3339)}})
			batch.Edges = append(batch.Edges,
				graph.EdgeInput{Type: graph.RelCausedBy, From: inc, To: ref, Confidence: graph.Declared},
				graph.EdgeInput{Type: graph.RelAffects, From: inc, To: graph.Ref{Kind: graph.KindService, Key: "identity"}, Confidence: graph.Declared})
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

// BenchmarkSuspects measures an incident's suspect changes (the week
// before it) on the demo estate with the same recorded histories as
// BenchmarkAssess: the week's 28 changes are read by month, whatever the
// history's size. The incident checked is the newest seeded one, on the
// identity service, caused by the newest change: the answer must name it.
// The peer in the same run is the walk upstream from what it hit alone.
func BenchmarkSuspects(b *testing.B) {
	for _, history := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			s := embeddedtest.Harness(b)
			analysistest.LoadDemo(b, s)
			seedHistory(b, s, history)
			g := governance.New(s, nil)
			cause := graph.ChangeKey("github.com/acme/auth-service", "s0", "production")
			b.Run("suspects", func(b *testing.B) {
				for range b.N {
					sus, err := g.Suspects(b.Context(), "INC-0", 0, 0)
					if err != nil {
						b.Fatal(err)
					}
					if len(sus.Suspects) != 1 || sus.Suspects[0].Change.Key != cause || !sus.Suspects[0].Recorded {
						b.Fatalf("suspects %+v, want the recorded cause %s alone", sus.Suspects, cause)
					}
				}
			})
			b.Run("impact-upstream", func(b *testing.B) {
				for range b.N {
					if _, err := analysis.Impact(b.Context(), s, analysis.ImpactQuery{Refs: []string{"Service:identity"},
						Direction: analysis.Upstream, MaxDepth: governance.DefaultSuspectDepth}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

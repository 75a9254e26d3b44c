package governancetest

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/analysis/analysistest"
	"github.com/estate-cmdb/estate/graph/governance"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

// RunBenchmarks measures change governance on a backend, each on the demo
// estate with a recorded history of each of histories' sizes (changes,
// one incident per ten; seedHistory), each beside its peer in the same run:
//
//   - Assess: one assessment of a new change to the shared library, beside
//     analysis.Impact alone, which every assessment starts with. Every size
//     but 0 has the same 360 changes in the 90-day track-record window, so
//     what grows from 1,000 up is only the history outside it, which an
//     assessment should not pay for.
//
//   - Suspects: the newest seeded incident's suspect changes (the week
//     before it: 28 changes), which must name the change that caused it,
//     beside the walk upstream from what it hit alone.
//
//     func BenchmarkGovernance(b *testing.B) { governancetest.RunBenchmarks(b, harness, 0, 1_000) }
func RunBenchmarks(b *testing.B, h graphtest.Harness, histories ...int) {
	for _, history := range histories {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			s := h(b)
			analysistest.LoadDemo(b, s)
			seedHistory(b, s, history)
			g := governance.New(s, nil)
			g.Now = func() time.Time { return analysistest.DemoAt.Add(24 * time.Hour) }
			b.Run("Assess", func(b *testing.B) {
				for i := range b.N {
					if _, err := g.Assess(b.Context(), governance.AssessInput{Repository: authLibRepo, Commit: fmt.Sprintf("b%d", i)}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("ImpactAlone", func(b *testing.B) {
				for range b.N {
					if _, err := analysis.Impact(b.Context(), s, analysis.ImpactQuery{Refs: []string{"Repository:" + authLibRepo}}); err != nil {
						b.Fatal(err)
					}
				}
			})
			if history == 0 {
				return // no incident to suspect changes of
			}
			cause := graph.ChangeKey("github.com/acme/auth-service", "s0", "production")
			b.Run("Suspects", func(b *testing.B) {
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
			b.Run("UpstreamAlone", func(b *testing.B) {
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

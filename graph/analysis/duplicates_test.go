package analysis_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/embedded/embeddedtest"
	"github.com/estate-cmdb/estate/graph/graphtest"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/synthetic"
)

// TestDuplicatesOfSyntheticPeople: the synthetic estate emits a few people
// under a second e-mail spelling (jane.doe@ and janedoe@, one handle); the
// likely duplicates are exactly those pairs, and nothing else of any kind.
func TestDuplicatesOfSyntheticPeople(t *testing.T) {
	ctx := context.Background()
	s := embeddedtest.Harness(t)
	src, err := synthetic.New(synthetic.DefaultConfig(synthetic.TierS, 1))
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := ingest.Run(ctx, s, src, ingest.Options{Logger: zerolog.Nop()}); err != nil || rep.Status != ingest.StatusSucceeded {
		t.Fatalf("ingest: %v", err)
	}
	dups := src.Samples(1000).DuplicatePeople
	if len(dups) < 3 {
		t.Fatalf("the S estate has %d second spellings; the test needs some", len(dups))
	}
	rep, err := analysis.Duplicates(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, g := range rep.Groups {
		keys := make([]string, len(g.Items))
		for i, it := range g.Items {
			keys[i] = it.Key
		}
		if g.Kind != graph.KindPerson || len(keys) != 2 || strings.ReplaceAll(keys[0], ".", "") != strings.ReplaceAll(keys[1], ".", "") {
			t.Errorf("not a second spelling: %s %v sharing %v", g.Kind, keys, g.Shared)
			continue
		}
		found = append(found, slices.DeleteFunc(keys, func(k string) bool { return strings.Count(k, ".") > 1 })...)
	}
	var want []string
	for _, d := range dups {
		want = append(want, d.Key)
	}
	slices.Sort(found)
	slices.Sort(want)
	if !slices.Equal(found, want) {
		t.Errorf("second spellings found:\n %v\nwant\n %v", found, want)
	}
}

// TestDuplicatesOfLongWord: a name whose one word is longer than a search
// may be still finds the entity spelled like it (the word is searched for
// by its first part).
func TestDuplicatesOfLongWord(t *testing.T) {
	s := embeddedtest.Harness(t)
	word := strings.Repeat("é", graph.MaxSearchText) // two bytes a letter
	graphtest.MustApply(t, s, graph.Batch{Source: "src", Run: "r1", Nodes: []graph.NodeInput{
		{Kind: graph.KindTeam, Key: "a", Name: word},
		{Kind: graph.KindTeam, Key: "b", Name: strings.ToUpper(word)},
	}})
	n, err := s.Node(t.Context(), graph.Ref{Kind: graph.KindTeam, Key: "a"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := analysis.DuplicatesOf(t.Context(), s, n)
	if err != nil || g == nil || len(g.Items) != 2 {
		t.Fatalf("likely duplicates of a team named with a long word: %+v, %v", g, err)
	}
}

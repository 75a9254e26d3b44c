package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
)

// A demo estate edited since it was loaded (a repository the demo changes
// need is gone) still serves: the changes are skipped with a warning, and
// whatever could be assessed is kept.
func TestLoadDemoWithoutARepository(t *testing.T) {
	s, err := embedded.Open(t.Context(), t.TempDir(), embedded.Options{Logger: zerolog.Nop(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var log bytes.Buffer
	a := &app{log: zerolog.New(&log)}
	// The demo estate alone, then one of the changes' repositories deleted.
	if err := a.loadDemo(t.Context(), s, nil); err != nil {
		t.Fatal(err)
	}
	changes := func() int { return len(mustList(t, s, graph.KindChange)) }
	if n := changes(); n != 6 {
		t.Fatalf("the demo has %d changes, want 6", n)
	}
	for _, c := range mustList(t, s, graph.KindChange) {
		if _, err := s.DeleteNodes(t.Context(), []graph.ID{c.ID}); err != nil {
			t.Fatal(err)
		}
	}
	repo, err := s.Node(t.Context(), graph.Ref{Kind: graph.KindRepository, Key: "github.com/acme/intranet"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteNodes(t.Context(), []graph.ID{repo.ID}); err != nil {
		t.Fatal(err)
	}
	log.Reset()
	if err := a.loadDemo(t.Context(), s, nil); err != nil {
		t.Fatalf("loadDemo without github.com/acme/intranet: %v", err)
	}
	if !strings.Contains(log.String(), "demo changes not assessed") || !strings.Contains(log.String(), "github.com/acme/intranet") {
		t.Errorf("no warning naming the missing repository:\n%s", log.String())
	}
	// The changes before the failed one were recorded (the list is in
	// the order demoChanges gives).
	if n := changes(); n != 3 {
		t.Errorf("%d changes after the failed assessment, want the 3 before it", n)
	}
}

func mustList(t *testing.T, s graph.Store, k graph.Kind) []*graph.Node {
	t.Helper()
	p, err := s.List(t.Context(), graph.ListQuery{Kinds: []graph.Kind{k}, First: 100})
	if err != nil {
		t.Fatal(err)
	}
	return p.Nodes
}

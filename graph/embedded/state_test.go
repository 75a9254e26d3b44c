package embedded

import (
	"context"
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph/graphtest"
)

// TestOpenHoldsNoGarbage re-syncs an estate, which replaces every
// relationship's payload in the log, and checks that a reopened store
// holds each payload once: replaying the log leaves the arena with no
// garbage and no spare capacity.
func TestOpenHoldsNoGarbage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	b := graphtest.SmallEstate()
	for _, run := range []string{"r1", "r2"} {
		b.Run, b.At = run, b.At.Add(1000)
		if _, err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(ctx, dir, Options{Logger: zerolog.Nop()}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := s.state
	live := 0
	for i := range st.edges {
		live += int(st.edges[i].size)
	}
	if st.garbage != 0 || len(st.arena) != live || cap(st.arena) != live {
		t.Errorf("arena of %d bytes (capacity %d, %d counted as garbage) for %d live ones", len(st.arena), cap(st.arena), st.garbage, live)
	}
}

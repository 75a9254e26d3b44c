package embedded

import (
	"math/rand/v2"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

// TestIDIndexMatchesMap applies the same random puts and deletes to an
// idIndex and a Go map and checks they agree after every step, with ids
// drawn from a small pool so that buckets collide and runs wrap around.
func TestIDIndexMatchesMap(t *testing.T) {
	for _, pool := range []int{5, 40, 3000} {
		rng := rand.New(rand.NewPCG(1, uint64(pool)))
		ids := make([]graph.ID, pool)
		for i := range ids {
			ids[i] = graph.NodeID(graph.KindTeam, string(rune('a'+i%26))+string(rune(i)))
			switch {
			case i%3 == 0 && i > 0:
				copy(ids[i][:2], ids[i-1][:2]) // same low hash bits: same home bucket in a small table
			case i%5 == 0 && i > 0:
				copy(ids[i][:8], ids[i-1][:8]) // the same hash, tag included: told apart by the id alone
			}
		}
		// slot i holds ids[i] while it is mapped.
		x := newIDIndex(func(s int32) graph.ID { return ids[s] })
		want := map[graph.ID]int32{}
		for step := range 20 * pool {
			i := rng.IntN(pool)
			if rng.IntN(3) == 0 {
				x.delete(ids[i])
				delete(want, ids[i])
			} else {
				x.put(ids[i], int32(i))
				want[ids[i]] = int32(i)
			}
			if x.len() != len(want) {
				t.Fatalf("pool %d step %d: %d entries, want %d", pool, step, x.len(), len(want))
			}
			check := []int{i}
			if step%500 == 0 || pool < 100 {
				check = rng.Perm(pool)
			}
			for _, j := range check {
				got, ok := x.get(ids[j])
				if w, wok := want[ids[j]]; ok != wok || got != w {
					t.Fatalf("pool %d step %d: get(ids[%d]) = %d, %v; want %d, %v", pool, step, j, got, ok, w, wok)
				}
			}
		}
	}
}

package embedded

import (
	"fmt"
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

// BenchmarkIDIndex looks ids up among a million, found and not found (the
// lookup of every new id of an ingest), beside a Go map from id to slot.
// The index reads a candidate's id back from its record, as the store
// does from a node's or relationship's: a record apiece, 96 bytes, so that
// on a large store each read is a cache miss.
func BenchmarkIDIndex(b *testing.B) {
	const n = 1_000_000
	recs := make([]struct {
		id  graph.ID
		pad [80]byte
	}, 2*n) // the second half is never put: the ids not found
	for i := range recs {
		recs[i].id = graph.NodeID(graph.KindApplication, fmt.Sprint("app-", i))
	}
	x := newIDIndex(func(s int32) graph.ID { return recs[s].id })
	m := make(map[graph.ID]int32, n)
	for i := range recs[:n] {
		x.put(recs[i].id, int32(i))
		m[recs[i].id] = int32(i)
	}
	for _, tc := range []struct {
		name  string
		from  int
		found bool
	}{{"found", 0, true}, {"not-found", n, false}} {
		// A stride through the records, so that consecutive lookups share
		// no cache line.
		b.Run("index/"+tc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i = (i + 7919) % n
				if _, ok := x.get(recs[tc.from+i].id); ok != tc.found {
					b.Fatalf("get(recs[%d]): found %v", tc.from+i, ok)
				}
			}
		})
		b.Run("map/"+tc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i = (i + 7919) % n
				if _, ok := m[recs[tc.from+i].id]; ok != tc.found {
					b.Fatalf("m[recs[%d]]: found %v", tc.from+i, ok)
				}
			}
		})
	}
}

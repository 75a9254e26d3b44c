package graph

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// TestSortHits: both ways SortHits sorts, below placesFrom hits and from
// it, order by depth, then kind, then key.
func TestSortHits(t *testing.T) {
	for _, n := range []int{0, 1, 7, placesFrom - 1, placesFrom, 3 * placesFrom} {
		hs := randomHits(n, uint64(n))
		SortHits(hs)
		for i := 1; i < len(hs); i++ {
			a, b := hs[i-1], hs[i]
			if a.Depth > b.Depth || a.Depth == b.Depth && CompareRefs(a.Node.Ref(), b.Node.Ref()) > 0 {
				t.Fatalf("%d hits: %d at depth %d before %s at depth %d", n, i-1, a.Depth, b.Node.Ref(), b.Depth)
			}
		}
	}
}

// randomHits are n hits at depths 1 to 4, of every kind, shuffled, their
// nodes allocated apart as a store's are (no two in one cache line).
func randomHits(n int, seed uint64) []Hit {
	rng := rand.New(rand.NewPCG(1, seed))
	hs := make([]Hit, n)
	var apart [][]byte
	for i := range hs {
		apart = append(apart, make([]byte, 512))
		hs[i] = Hit{Node: &Node{Kind: Kinds[rng.IntN(len(Kinds))], Key: fmt.Sprintf("app-%07d", rng.IntN(1e7))}, Depth: 1 + rng.IntN(4)}
	}
	runtime.KeepAlive(apart)
	return hs
}

// BenchmarkSortHits sorts hits as a walk returns them: SortHits beside
// sorting on the nodes at every comparison (what it does below placesFrom
// hits).
func BenchmarkSortHits(b *testing.B) {
	for _, n := range []int{32, 512, 30_000} {
		base := randomHits(n, 1)
		hs := make([]Hit, n)
		for _, sort := range []struct {
			name string
			f    func([]Hit)
		}{{"SortHits", SortHits}, {"on the nodes", func(hs []Hit) { slices.SortFunc(hs, compareHits) }}} {
			b.Run(fmt.Sprintf("%s/%d", sort.name, n), func(b *testing.B) {
				for b.Loop() {
					copy(hs, base)
					sort.f(hs)
				}
				if !slices.IsSortedFunc(hs, compareHits) {
					b.Fatal("not sorted")
				}
			})
		}
	}
}

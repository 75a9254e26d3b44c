// Package bench holds estate's macro benchmarks: whole paths (generator →
// engine → store, HTTP → GraphQL → store) on the synthetic estate of
// ../shared/BENCHMARKS.md, each beside an in-run peer so that a ratio, not a
// noisy absolute time, carries the claim. Results are in docs/benchmarks.md.
// The whole-estate harness behind `estate bench` is bench/harness, which also
// holds the peers (plain maps, compact arrays, the plain JSON handler).
//
//	go test ./bench -run '^$' -bench . -benchtime 3x
package bench

package embedded_test

import (
	"context"
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/synthetic"
)

// BenchmarkSync times whole ingest runs of the synthetic tier S estate:
// cold into an empty store, and noop again into the store it created, where
// every item is re-asserted and only seen times and run ids move. A no-op
// sync is what a scheduled re-ingest of a quiet estate costs, and should be
// well under the cold one.
func BenchmarkSync(b *testing.B) {
	ctx := context.Background()
	sync := func(b *testing.B, s *embedded.Store) {
		src, err := synthetic.New(synthetic.DefaultConfig(synthetic.TierS, 1))
		if err != nil {
			b.Fatal(err)
		}
		rep, err := ingest.Run(ctx, s, src, ingest.Options{Logger: zerolog.Nop()})
		if err != nil || rep.Status != ingest.StatusSucceeded {
			b.Fatalf("sync: %v (status %s)", err, rep.Status)
		}
	}
	open := func(b *testing.B) *embedded.Store {
		s, err := embedded.Open(ctx, b.TempDir(), embedded.Options{Logger: zerolog.Nop(), NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}
	b.Run("cold", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			s := open(b)
			b.StartTimer()
			sync(b, s)
			b.StopTimer()
			s.Close()
			b.StartTimer()
		}
	})
	b.Run("noop", func(b *testing.B) {
		s := open(b)
		sync(b, s)
		b.ResetTimer()
		for range b.N {
			sync(b, s)
		}
	})
}

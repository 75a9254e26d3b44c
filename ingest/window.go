package ingest

import (
	"context"
	"sync"
)

// Window reads items with at most concurrency reads at a time, a window of
// 8×concurrency items at once, and hands each window's results to emit in
// item order. Sources that fetch one API object per item (a repository, a
// project) use it so that memory stays bounded by the window, not by the
// organisation, and emission order stays deterministic.
func Window[T, R any](ctx context.Context, items []T, concurrency int, read func(context.Context, T) R, emit func([]T, []R) error) error {
	concurrency = max(concurrency, 1)
	window := concurrency * 8
	for lo := 0; lo < len(items); lo += window {
		chunk := items[lo:min(lo+window, len(items))]
		results := make([]R, len(chunk))
		sem := make(chan struct{}, concurrency)
		var wg sync.WaitGroup
		for i, it := range chunk {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				results[i] = read(ctx, it)
			}()
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(chunk, results); err != nil {
			return err
		}
	}
	return nil
}

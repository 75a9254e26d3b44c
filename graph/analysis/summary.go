package analysis

import (
	"context"
	"time"
)

// Summary keys of ShadowSummary: the open findings' total, the accepted
// ones, and one per finding kind.
const (
	SummaryShadowTotal    = "shadow.total"
	SummaryShadowAccepted = "shadow.accepted"
	SummaryShadowPrefix   = "shadow."
)

// ShadowSummary counts the shadow estate's open findings, in total and per
// finding kind (every kind listed, zero included), and the accepted ones,
// as the figures an ingest run keeps so the trend across runs can be drawn.
func ShadowSummary(ctx context.Context, s Store, now time.Time) (map[string]int, error) {
	rep, err := ShadowEstate(ctx, s, now)
	if err != nil {
		return nil, err
	}
	out := map[string]int{SummaryShadowTotal: len(rep.Findings), SummaryShadowAccepted: len(rep.Accepted)}
	for _, c := range rep.ByKind {
		out[SummaryShadowPrefix+c.Key] = c.Count
	}
	return out, nil
}

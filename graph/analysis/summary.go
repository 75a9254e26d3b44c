package analysis

import "context"

// Summary keys of ShadowSummary: the total, and one per finding kind.
const (
	SummaryShadowTotal  = "shadow.total"
	SummaryShadowPrefix = "shadow."
)

// ShadowSummary counts the shadow estate's findings, in total and per
// finding kind (every kind listed, zero included), as the figures an ingest
// run keeps so the trend across runs can be drawn.
func ShadowSummary(ctx context.Context, s Store) (map[string]int, error) {
	rep, err := ShadowEstate(ctx, s)
	if err != nil {
		return nil, err
	}
	out := map[string]int{SummaryShadowTotal: len(rep.Findings)}
	for _, c := range rep.ByKind {
		out[SummaryShadowPrefix+c.Key] = c.Count
	}
	return out, nil
}

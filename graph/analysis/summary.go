package analysis

// Summary keys of ShadowReport.Summary: the open findings' total, the
// accepted ones, and one per finding kind.
const (
	SummaryShadowTotal    = "shadow.total"
	SummaryShadowAccepted = "shadow.accepted"
	SummaryShadowPrefix   = "shadow."
)

// Summary counts the report's open findings, in total and per finding kind
// (every kind listed, zero included), and the accepted ones: the figures
// an ingest run keeps so the trend across runs can be drawn.
func (r *ShadowReport) Summary() map[string]int {
	out := map[string]int{SummaryShadowTotal: len(r.Findings), SummaryShadowAccepted: len(r.Accepted)}
	for _, c := range r.ByKind {
		out[SummaryShadowPrefix+c.Key] = c.Count
	}
	return out
}

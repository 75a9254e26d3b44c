package analysis

import (
	"testing"
	"time"
)

// TestAcceptanceText: what an acceptance writes as its label's value reads
// back the same, whatever its name and reason hold; anything else in the
// label accepts nothing.
func TestAcceptanceText(t *testing.T) {
	at := time.Date(2026, 11, 28, 20, 1, 0, 0, time.UTC)
	for _, a := range []Acceptance{
		{By: "edna", At: at, Reason: "DOC-3: docs only"},
		{By: "edna", At: at, Until: at.AddDate(0, 3, 0), Reason: "CHG-12"},
		{By: "Carla at Home", At: at, Reason: "a reason with: colons, at 2026-01-01T00:00:00Z and until words"},
		{By: "a: b", At: at, Until: at.Add(time.Hour), Reason: "r"},
	} {
		got, ok := parseAcceptance(a.String())
		if !ok || *got != a {
			t.Errorf("%q reads back as %+v (%v), want %+v", a.String(), got, ok, a)
		}
	}
	for _, v := range []string{"", "yes", "accepted by x at yesterday: r", "accepted by x at 2026-11-28T20:01:00Z until later: r", "accepted by x at 2026-11-28T20:01:00Z"} {
		if a, ok := parseAcceptance(v); ok {
			t.Errorf("%q reads as %+v, want no acceptance", v, a)
		}
	}
}

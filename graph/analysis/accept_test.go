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
		{By: `x" at 2026-11-28T20:01:00Z: y`, At: at, Until: at.Add(time.Hour), Reason: "r"},
	} {
		got, ok := parseAcceptance(a.String())
		if !ok || *got != a {
			t.Errorf("%q reads back as %+v (%v), want %+v", a.String(), got, ok, a)
		}
	}
	for _, v := range []string{"", "yes", `accepted by "x" at yesterday: r`, `accepted by "x" at 2026-11-28T20:01:00Z until later: r`,
		`accepted by "x" at 2026-11-28T20:01:00Z`, `accepted by x at 2026-11-28T20:01:00Z: r`} {
		if a, ok := parseAcceptance(v); ok {
			t.Errorf("%q reads as %+v, want no acceptance", v, a)
		}
	}
}

// FuzzAcceptanceText: any name and reason, kept on one line as
// AcceptFindings keeps them, read back the same.
func FuzzAcceptanceText(f *testing.F) {
	f.Add("edna", "DOC-3: docs only", true)
	f.Add(`Carla "at" Home`, `a\"b: c until d`, false)
	at := time.Date(2026, 11, 28, 20, 1, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, by, reason string, ends bool) {
		a := Acceptance{By: oneLine(by), At: at, Reason: oneLine(reason)}
		if ends {
			a.Until = at.AddDate(0, 0, 90)
		}
		got, ok := parseAcceptance(a.String())
		if !ok || *got != a {
			t.Errorf("%q reads back as %+v (%v), want %+v", a.String(), got, ok, a)
		}
	})
}

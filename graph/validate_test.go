package graph

import (
	"strings"
	"testing"
	"unicode"
)

// TestHasControl: the byte-wise check answers as unicode.IsControl over
// the runes, for ASCII, C1 controls and text after non-ASCII.
func TestHasControl(t *testing.T) {
	for _, s := range []string{"", "payments", "acme/payments-api", "tab\there", "del\x7f", "nul\x00",
		"zoë", "zoë\n", "c1\u0085", "ümlaut then \x1b", "日本語", "\u200b zero width (format, not control)"} {
		if got, want := hasControl(s), strings.ContainsFunc(s, unicode.IsControl); got != want {
			t.Errorf("hasControl(%q) = %v, unicode.IsControl says %v", s, got, want)
		}
	}
}

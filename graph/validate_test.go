package graph

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestCheckText: the byte-wise check answers as utf8.ValidString and
// unicode.IsControl over the runes do, for ASCII, C1 controls, text after
// non-ASCII and invalid UTF-8 before and after a control character.
func TestCheckText(t *testing.T) {
	for _, s := range []string{"", "payments", "acme/payments-api", "tab\there", "del\x7f", "nul\x00",
		"zoë", "zoë\n", "c1\u0085", "ümlaut then \x1b", "日本語", "\u200b zero width (format, not control)",
		"bad \xff byte", "\xc3", "ctl\x01 then bad \xff", "bad \xff then ctl\x01"} {
		valid, control := checkText(s)
		if want := utf8.ValidString(s); valid != want {
			t.Errorf("checkText(%q) says valid %v, utf8.ValidString %v", s, valid, want)
		}
		if want := strings.ContainsFunc(s, unicode.IsControl); control != want || hasControl(s) != want {
			t.Errorf("checkText(%q) says control %v (hasControl %v), unicode.IsControl %v", s, control, hasControl(s), want)
		}
	}
}

func TestPageKinds(t *testing.T) {
	for _, tc := range []struct {
		kinds []Kind
		want  []Kind
	}{
		{nil, Kinds},
		{[]Kind{KindTeam, KindApplication, KindTeam}, []Kind{KindApplication, KindTeam}},
		{[]Kind{KindIncident, KindBusinessUnit}, []Kind{KindBusinessUnit, KindIncident}},
	} {
		q := ListQuery{Kinds: slices.Clone(tc.kinds)}
		if got := q.PageKinds(); !slices.Equal(got, tc.want) {
			t.Errorf("PageKinds(%v) = %v, want %v", tc.kinds, got, tc.want)
		}
		if !slices.Equal(q.Kinds, tc.kinds) {
			t.Errorf("PageKinds changed the query's kinds to %v", q.Kinds)
		}
	}
}

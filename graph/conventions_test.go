package graph

import (
	"slices"
	"testing"
)

func TestUnknownTagLabel(t *testing.T) {
	for _, tt := range []struct{ role, key string }{
		{"team", "Team"}, {"application", "app.kubernetes.io/name"}, {"service", "svc:name"},
	} {
		role, key, ok := ParseUnknownTagLabel(UnknownTagLabel(tt.role, tt.key))
		if !ok || role != tt.role || key != tt.key {
			t.Errorf("round trip of %s/%s: %q %q %v", tt.role, tt.key, role, key, ok)
		}
	}
	for _, l := range []string{"team", "unknown-team", "unknown-/x", "unknown-team/", "Unknown-team/x"} {
		if _, _, ok := ParseUnknownTagLabel(l); ok {
			t.Errorf("%q parsed as an unknown-tag label", l)
		}
	}
	if got := ListLabelValues(" cart, basket ,"); !slices.Equal(got, []string{"cart", "basket"}) {
		t.Errorf("values %q", got)
	}
	if got := ListLabelValues(""); got != nil {
		t.Errorf("no value: %q", got)
	}
}

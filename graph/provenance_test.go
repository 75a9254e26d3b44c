package graph_test

import (
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

// A conflict compares values by the text FormatValue gives them, so two
// values a user reads as the same must give the same text.
func TestFormatValue(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{"eu-west-1", "eu-west-1"},
		{"", ""},
		{int64(2), "2"},
		{true, "true"},
		{[]string{"pci", "gdpr"}, `["pci","gdpr"]`},
		{[]string{}, "[]"},
		{[]string(nil), "[]"},
	} {
		if got := graph.FormatValue(c.v); got != c.want {
			t.Errorf("FormatValue(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}

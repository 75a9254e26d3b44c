package analysis

import "testing"

// TestSpellings: the ways sources spell one thing come out alike, and
// different things stay different.
func TestSpellings(t *testing.T) {
	for in, want := range map[string]string{
		"Payments Core":                      "payments-core",
		"payments_core":                      "payments-core",
		"@acme/payments-core":                "payments-core",
		"group:Payments-Core":                "payments-core",
		"github.com/acme/team/payments-core": "payments-core",
		"USER:priya":                         "priya",
		"jane.doe@acme.example":              "jane-doe",
		"janedoe@acme.example":               "janedoe",
		"@jdoe":                              "jdoe",
		"component:checkout-api":             "checkout-api",
		"Zoë Müller":                         "zoë-müller",
		"--":                                 "",
		"team/":                              "",
	} {
		if got := spelling(tail(in)); got != want {
			t.Errorf("spelling(tail(%q)) = %q, want %q", in, got, want)
		}
	}
}

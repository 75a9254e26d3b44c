package governance_test

import (
	"os"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/governance"
)

// The default policy parses, and the copy in the docs is the same file.
func TestDefaultPolicy(t *testing.T) {
	p := governance.DefaultPolicy()
	if p.Version == "" || p.DefaultEnvironment != "production" || len(p.StandardChanges) == 0 {
		t.Errorf("default policy %+v", p)
	}
	doc, err := os.ReadFile("../../docs/policy.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(doc) != string(governance.DefaultPolicyYAML()) {
		t.Errorf("docs/policy.example.yaml differs from graph/governance/default-policy.yaml: copy it over")
	}
}

// A malformed policy is rejected with an error naming the field.
func TestParsePolicyErrors(t *testing.T) {
	base := string(governance.DefaultPolicyYAML())
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"empty", "", "the policy is empty"},
		{"not YAML", "version: [", "policy:"},
		{"unknown field", base + "\nfrobnicate: 1\n", "field frobnicate not found"},
		{"no version", strings.Replace(base, `version: "estate-default-2026-11"`, "", 1), "policy field version: required"},
		{"high out of range", strings.Replace(base, "highAt: 50", "highAt: 150", 1), "policy field highAt: 150 is outside 1..100"},
		{"bad tier", strings.Replace(base, "tier: {1: 40", "tier: {7: 40", 1), "policy field weights.tier: tier 7"},
		{"bad default environment", strings.Replace(base, "defaultEnvironment: production", "defaultEnvironment: prod", 1), "policy field defaultEnvironment: \"prod\""},
		{"bad glob", strings.Replace(base, `paths: ["docs/**"`, `paths: ["docs/[**"`, 1), "policy field standardChanges[0].paths"},
		{"bad level", strings.Replace(base, "minAccreditation: gold", "minAccreditation: platinum", 1), "policy field standardChanges[0].minAccreditation"},
		{"bad minimum class", strings.Replace(base, "staging: {highAt: 70}", "staging: {highAt: 70, minimumClass: URGENT}", 1), "policy field environments.staging.minimumClass"},
		{"bad failure rate", strings.Replace(base, "maxFailureRate: 0.05", "maxFailureRate: 5", 1), "policy field accreditation.gold.maxFailureRate"},
		{"two documents", base + "\n---\nversion: x\n", "want one YAML document"},
	} {
		_, err := governance.ParsePolicy([]byte(tc.yaml))
		if graph.CodeOf(err) != graph.CodeInvalid || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want INVALID_INPUT saying %q", tc.name, err, tc.want)
		}
	}
}

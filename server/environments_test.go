package server_test

import (
	"slices"
	"testing"
)

// TestApplicationEnvironments: the environments CI jobs deploy an
// application to (the environments property) are an Application field.
func TestApplicationEnvironments(t *testing.T) {
	e := newEnv(t)
	e.do(t, e.editor, `mutation { upsertEntities(input: [{kind: Application, key: "payments-api", properties: {environments: ["production", "staging"]}}]) { updated } }`, nil).
		mustData(t, &struct{}{})
	var got struct {
		A, B struct{ Environments []string }
	}
	e.do(t, e.viewer, `{ a: application(key: "payments-api") { environments } b: application(key: "cards-web") { environments } }`, nil).mustData(t, &got)
	if !slices.Equal(got.A.Environments, []string{"production", "staging"}) || got.B.Environments == nil || len(got.B.Environments) != 0 {
		t.Errorf("environments: payments-api %q, cards-web %#v; want [production staging] and []", got.A.Environments, got.B.Environments)
	}
}

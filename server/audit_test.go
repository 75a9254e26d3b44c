package server_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// The audit trail through GraphQL: manual edits are recorded with the
// token's name and what changed, entityAsOf shows the state between them,
// and a failed mutation records nothing.
func TestAuditTrailGraphQL(t *testing.T) {
	e := newEnv(t, withEstate(func(testing.TB, graph.Store) {}))
	mustOK := func(token, q string) {
		t.Helper()
		if res := e.do(t, token, q, nil); len(res.Errors) > 0 {
			t.Fatalf("%s: %s", q, res.Raw)
		}
	}
	mustOK(e.editor, `mutation { upsertEntities(input: [{kind: Service, key: "billing", name: "Billing", properties: {tier: 2}}, {kind: Team, key: "money"}]) { created } }`)
	mustOK(e.editor, `mutation { link(input: {type: OWNS, from: {kind: Team, key: "money"}, to: {kind: Service, key: "billing"}}) { created } }`)
	time.Sleep(5 * time.Millisecond)
	between := time.Now()
	time.Sleep(5 * time.Millisecond)
	mustOK(e.admin, `mutation { upsertEntities(input: [{kind: Service, key: "billing", properties: {tier: 1}}]) { created } }`)
	mustOK(e.admin, `mutation { unlink(input: {type: OWNS, from: {kind: Team, key: "money"}, to: {kind: Service, key: "billing"}}) { removed } }`)
	// Refused: a viewer cannot write, and a bad tier is invalid input.
	e.do(t, e.viewer, `mutation { upsertEntities(input: [{kind: Service, key: "billing", name: "Hacked"}]) { created } }`, nil)
	e.do(t, e.editor, `mutation { upsertEntities(input: [{kind: Service, key: "billing", properties: {tier: "high"}}]) { created } }`, nil)

	res := e.do(t, e.viewer, `{ service(key: "billing") { history(first: 10) {
	    nodes { op actor source entity { kind key } relationship { type from { key } to { key } } changes { field before after } }
	    pageInfo { hasNextPage } } } }`, nil)
	var d struct {
		Service struct {
			History struct {
				Nodes []struct {
					Op, Actor, Source string
					Entity            *struct{ Kind, Key string }
					Relationship      *struct {
						Type     string
						From, To struct{ Key string }
					}
					Changes []struct{ Field, Before, After string }
				}
				PageInfo struct{ HasNextPage bool }
			}
		}
	}
	res.mustData(t, &d)
	var got []string
	for _, n := range d.Service.History.Nodes {
		line := n.Op + " by " + n.Actor + " via " + n.Source + ":"
		if n.Entity != nil {
			line += " " + n.Entity.Kind + ":" + n.Entity.Key
		}
		if n.Relationship != nil {
			line += " " + n.Relationship.Type + " " + n.Relationship.From.Key + "→" + n.Relationship.To.Key
		}
		for _, c := range n.Changes {
			line += " " + c.Field + " " + c.Before + "→" + c.After
		}
		got = append(got, line)
	}
	want := []string{
		"DELETED by test admin via : OWNS money→billing",
		"UPDATED by test admin via manual: Service:billing props.tier 2→1 evidence.manual GraphQL API, token test editor→GraphQL API, token test admin",
		"CREATED by test editor via manual: OWNS money→billing",
		"CREATED by test editor via manual: Service:billing",
	}
	if !slices.Equal(got, want) || d.Service.History.PageInfo.HasNextPage {
		t.Errorf("history of billing:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}

	var id struct{ Service struct{ ID string } }
	e.do(t, e.viewer, `{ service(key: "billing") { id } }`, nil).mustData(t, &id)
	asOf := func(at time.Time) string {
		res := e.do(t, e.viewer, `query($id: ID!, $at: Time!) { entityAsOf(id: $id, at: $at) {
		    entity { name props } relationships { type role from { key } to { key } } truncated } }`,
			map[string]any{"id": id.Service.ID, "at": at.Format(time.RFC3339Nano)})
		if len(res.Errors) > 0 {
			t.Fatalf("entityAsOf: %s", res.Raw)
		}
		var v struct{ EntityAsOf json.RawMessage }
		res.mustData(t, &v)
		return string(v.EntityAsOf)
	}
	for _, tc := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"between the edits", between, `{"entity":{"name":"Billing","props":{"tier":2}},"relationships":[{"type":"OWNS","role":"TECHNICAL","from":{"key":"money"},"to":{"key":"billing"}}],"truncated":false}`},
		{"now", time.Now(), `{"entity":{"name":"Billing","props":{"tier":1}},"relationships":[],"truncated":false}`},
		{"before it existed", between.Add(-time.Hour), `{"entity":null,"relationships":[],"truncated":false}`},
	} {
		if got := asOf(tc.at); got != tc.want {
			t.Errorf("entityAsOf %s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
	res = e.do(t, e.viewer, `query($id: ID!) { entityAsOf(id: $id, at: "2999-01-01T00:00:00Z") { truncated } }`, map[string]any{"id": id.Service.ID})
	if !slices.Equal(res.codes(), []string{"INVALID_INPUT"}) || !strings.Contains(res.Errors[0].Message, "future") {
		t.Errorf("entityAsOf in the future: %s, want INVALID_INPUT", res.Raw)
	}
	res = e.do(t, e.viewer, `{ service(key: "billing") { history(first: 5000) { nodes { op } } } }`, nil)
	if !slices.Equal(res.codes(), []string{"LIMIT_EXCEEDED"}) {
		t.Errorf("history(first: 5000): %s, want LIMIT_EXCEEDED", res.Raw)
	}
}

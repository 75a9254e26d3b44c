package server_test

import (
	"context"
	"slices"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

// TestRegisterCloudAccount: central IT registers an account the cloud
// ingest discovered through the generic upsertEntities (registered: true,
// as the manual source). An ingest without a registered list says nothing
// of registration, so nothing contradicts the edit, however often it runs;
// a source whose registered list leaves the account out does contradict
// it, which shows as a conflict while the registration stands.
func TestRegisterCloudAccount(t *testing.T) {
	const key = "aws:111111111111"
	acct := graph.Ref{Kind: graph.KindCloudAccount, Key: key}
	res := graph.Ref{Kind: graph.KindCloudResource, Key: "arn:aws:sqs:eu-west-1:111111111111:orders"}
	// What `estate ingest aws` without a registered list writes.
	ingested := func(source string, props map[string]any) graph.Batch {
		return graph.Batch{Source: source, Run: source + "-run", Nodes: []graph.NodeInput{
			{Kind: acct.Kind, Key: acct.Key, Props: props},
			{Kind: res.Kind, Key: res.Key, Props: map[string]any{"provider": "aws", "type": "AWS::SQS::Queue"}},
		}, Edges: []graph.EdgeInput{{Type: graph.RelInAccount, From: res, To: acct}}}
	}
	e := newEnv(t, withEstate(func(t testing.TB, st graph.Store) {
		if _, err := st.Apply(context.Background(), ingested("aws:default", map[string]any{"provider": "aws"})); err != nil {
			t.Fatal(err)
		}
	}))
	type account struct {
		Registered *bool
		Conflicts  []struct{ Field, Manual, Ingested, Source string }
	}
	read := func() (account, bool) {
		t.Helper()
		var d struct {
			Entity       account
			ShadowEstate struct {
				Findings []struct {
					Kind string
					Item struct{ Key string }
				}
			}
		}
		e.do(t, e.viewer, `{ entity(kind: CloudAccount, key: "`+key+`") { ... on CloudAccount { registered conflicts { field manual ingested source } } }
		                     shadowEstate { findings { kind item { key } } } }`, nil).mustData(t, &d)
		shadow := slices.ContainsFunc(d.ShadowEstate.Findings, func(f struct {
			Kind string
			Item struct{ Key string }
		}) bool {
			return f.Kind == "unregistered-account" && f.Item.Key == key
		})
		return d.Entity, shadow
	}

	if a, shadow := read(); a.Registered != nil || !shadow {
		t.Fatalf("discovered account: registered %v, unregistered finding %v; want unset and a finding", a.Registered, shadow)
	}
	e.do(t, e.editor, `mutation { upsertEntities(input: [{kind: CloudAccount, key: "`+key+`", properties: {registered: true}, evidence: "CMDB-42"}]) { created } }`, nil).mustData(t, &struct{}{})
	if a, shadow := read(); a.Registered == nil || !*a.Registered || len(a.Conflicts) != 0 || shadow {
		t.Fatalf("registered through the API: %+v, finding %v; want registered, no conflict, no finding", a, shadow)
	}
	// The ingest runs again: nothing changes.
	if _, err := e.base.Apply(context.Background(), ingested("aws:default", map[string]any{"provider": "aws"})); err != nil {
		t.Fatal(err)
	}
	if a, shadow := read(); a.Registered == nil || !*a.Registered || len(a.Conflicts) != 0 || shadow {
		t.Fatalf("after a re-ingest: %+v, finding %v; want still registered, no conflict", a, shadow)
	}
	// A source whose registered list leaves the account out disagrees: visible, and the edit stands.
	if _, err := e.base.Apply(context.Background(), ingested("aws:audit", map[string]any{"provider": "aws", "registered": false})); err != nil {
		t.Fatal(err)
	}
	a, shadow := read()
	if a.Registered == nil || !*a.Registered || shadow || len(a.Conflicts) != 1 ||
		a.Conflicts[0].Field != "props.registered" || a.Conflicts[0].Ingested != "false" || a.Conflicts[0].Source != "aws:audit" {
		t.Errorf("a registered list without the account: %+v, finding %v; want registered with one conflict from aws:audit", a, shadow)
	}
}

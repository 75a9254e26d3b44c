package server_test

import (
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// TestManualEditSurvivesReingest: a rename through the API is kept when the
// source that named the application asserts its own name again, and the
// differing ingested name shows as a conflict until the source agrees.
func TestManualEditSurvivesReingest(t *testing.T) {
	e := newEnv(t)
	res := e.do(t, e.editor, `mutation { upsertEntities(input: [{kind: Application, key: "payments-api", name: "Payments gateway"}]) { updated } }`, nil)
	res.mustData(t, &struct{}{})

	reingest := func(name string) time.Time {
		t.Helper()
		at := time.Now().UTC().Add(time.Second).Truncate(time.Millisecond)
		if _, err := e.base.Apply(t.Context(), graph.Batch{Source: "test:fixture", Run: "run-" + name, At: at,
			Nodes: []graph.NodeInput{{Kind: graph.KindApplication, Key: "payments-api", Name: name}}}); err != nil {
			t.Fatal(err)
		}
		return at
	}
	type conflict struct {
		Field, Manual, Ingested, Source string
		SeenAt                          time.Time
	}
	const query = `{ entity(kind: Application, key: "payments-api") { name conflicts { field manual ingested source seenAt } } }`
	read := func() (string, []conflict) {
		t.Helper()
		var got struct {
			Entity struct {
				Name      string
				Conflicts []conflict
			}
		}
		e.do(t, e.viewer, query, nil).mustData(t, &got)
		return got.Entity.Name, got.Entity.Conflicts
	}

	// The edit replaced the fixture's name: the conflict shows at once.
	name, cs := read()
	if name != "Payments gateway" || len(cs) != 1 || cs[0] != (conflict{"name", "Payments gateway", "Payments API", "test:fixture", fixtureTime}) {
		t.Errorf("after the rename: name %q, conflicts %+v; want the manual name and one conflict with the fixture's", name, cs)
	}
	seen := reingest("Payments API")
	name, cs = read()
	if name != "Payments gateway" || len(cs) != 1 || cs[0] != (conflict{"name", "Payments gateway", "Payments API", "test:fixture", seen}) {
		t.Errorf("after a re-ingest: name %q, conflicts %+v; want the manual name kept and the conflict seen at %s", name, cs, seen)
	}
	reingest("Payments gateway")
	if name, cs = read(); name != "Payments gateway" || len(cs) != 0 {
		t.Errorf("after the source agrees: name %q, conflicts %+v; want no conflict", name, cs)
	}
}

// TestManualPathShowsConflict: a BUILDS path set through the API is kept,
// and the path the ingested source asserts shows on the relationship.
func TestManualPathShowsConflict(t *testing.T) {
	e := newEnv(t)
	e.do(t, e.editor, `mutation { link(input: {type: BUILDS, from: {kind: Repository, key: "github.com/acme/payments"}, to: {kind: Application, key: "payments-api"}, path: "cmd/api"}) { created } }`, nil).
		mustData(t, &struct{}{})
	var got struct {
		Application struct {
			Repositories struct {
				Edges []struct {
					Relationship struct {
						Path      string
						Conflicts []struct{ Field, Manual, Ingested, Source string }
					}
				}
			}
		}
	}
	e.do(t, e.viewer, `{ application(key: "payments-api") { repositories { edges { relationship { path conflicts { field manual ingested source } } } } } }`, nil).mustData(t, &got)
	edges := got.Application.Repositories.Edges
	if len(edges) != 1 || edges[0].Relationship.Path != "cmd/api" || len(edges[0].Relationship.Conflicts) != 1 ||
		edges[0].Relationship.Conflicts[0] != (struct{ Field, Manual, Ingested, Source string }{"props.path", "cmd/api", "services/api", "test:fixture"}) {
		t.Errorf("BUILDS payments → payments-api: %+v; want path cmd/api and the fixture's services/api as a conflict", edges)
	}
}

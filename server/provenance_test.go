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

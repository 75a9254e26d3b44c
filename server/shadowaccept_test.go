package server_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// TestAcceptShadowFindingsAPI: an editor accepts findings with a reason and
// an end; the shadow estate lists them apart with the decision and leaves
// them out of its counts; the entity shows the label and its history who
// wrote it; reopening brings them back. Refused requests change nothing.
func TestAcceptShadowFindingsAPI(t *testing.T) {
	e := demoEnv(t)
	type finding struct {
		Kind, Tag, Value string
		Item             struct {
			Key    string
			Entity struct{ ID string }
		}
		Acceptance *struct {
			By, Reason string
			Until      *time.Time
			Expired    bool
		}
	}
	const fields = `kind tag value item { key entity { id } } acceptance { by reason until expired }`
	type report struct {
		ShadowEstate struct {
			AcceptedCount int
			ByKind        []struct {
				Key   string
				Count int
			}
			Findings          []finding
			FindingConnection struct {
				TotalCount int
				Nodes      []finding
			}
		}
	}
	read := func(args string) report {
		t.Helper()
		var d report
		e.do(t, e.viewer, `{ shadowEstate { acceptedCount byKind { key count } findings(`+args+`) { `+fields+` }
			findingConnection(`+args+`, first: 100) { totalCount nodes { `+fields+` } } } }`, nil).mustData(t, &d)
		return d
	}
	before := read("accepted: false")
	pick := func(kind string) finding {
		i := slices.IndexFunc(before.ShadowEstate.Findings, func(f finding) bool { return f.Kind == kind })
		if i < 0 {
			t.Fatalf("the demo has no %s finding", kind)
		}
		return before.ShadowEstate.Findings[i]
	}
	repo, tagged := pick("unmapped-repository"), pick("unknown-team-tag")
	input := func(fs ...finding) []map[string]any {
		out := []map[string]any{}
		for _, f := range fs {
			out = append(out, map[string]any{"kind": f.Kind, "item": f.Item.Entity.ID, "tag": f.Tag, "value": f.Value})
		}
		return out
	}
	const accept = `mutation($f: [ShadowFindingInput!]!, $reason: String!, $until: Time) {
		acceptShadowFindings(findings: $f, reason: $reason, until: $until) { findings { ` + fields + ` } } }`
	until := time.Now().Add(90 * 24 * time.Hour).UTC().Truncate(time.Second)
	notAFinding := repo
	notAFinding.Kind = "unowned-resource"
	missing := repo
	missing.Item.Entity.ID = graph.NodeID(graph.KindRepository, "github.com/acme/nothing").String()

	stored := dump(t, e.base)
	for _, c := range []struct {
		name, token string
		vars        map[string]any
		code, names string
	}{
		{"by a viewer", e.viewer, map[string]any{"f": input(repo), "reason": "r"}, "FORBIDDEN", ""},
		{"no reason", e.editor, map[string]any{"f": input(repo), "reason": " "}, "INVALID_INPUT", "reason"},
		{"an end passed", e.editor, map[string]any{"f": input(repo), "reason": "r", "until": "2020-01-01T00:00:00Z"}, "INVALID_INPUT", "2020-01-01"},
		{"not a finding", e.editor, map[string]any{"f": input(repo, notAFinding), "reason": "r"}, "NOT_FOUND", "unowned-resource of " + "Repository:" + repo.Item.Key},
		{"no entity", e.editor, map[string]any{"f": input(repo, missing), "reason": "r"}, "NOT_FOUND", missing.Item.Entity.ID},
		{"a bad kind", e.editor, map[string]any{"f": input(finding{Kind: "shadowy", Item: repo.Item}), "reason": "r"}, "NOT_FOUND", "shadowy"},
	} {
		res := e.do(t, c.token, accept, c.vars)
		if !slices.Equal(res.codes(), []string{c.code}) || !strings.Contains(string(res.Raw), c.names) {
			t.Errorf("acceptShadowFindings %s: %s, want %s naming %q", c.name, res.Raw, c.code, c.names)
		}
	}
	if dump(t, e.base) != stored {
		t.Fatal("refused acceptShadowFindings requests changed the store")
	}

	var got struct{ AcceptShadowFindings struct{ Findings []finding } }
	e.do(t, e.editor, accept, map[string]any{"f": input(tagged, repo, tagged), "reason": "CHG-12: known", "until": until}).mustData(t, &got)
	fs := got.AcceptShadowFindings.Findings
	if len(fs) != 2 || fs[0].Item.Key != tagged.Item.Key || fs[1].Item.Key != repo.Item.Key {
		t.Fatalf("accepted %+v, want the tag finding then the repository", fs)
	}
	for _, f := range fs {
		if a := f.Acceptance; a == nil || a.By != "test editor" || a.Reason != "CHG-12: known" || a.Until == nil || !a.Until.Equal(until) || a.Expired {
			t.Errorf("%s %s: acceptance %+v", f.Kind, f.Item.Key, a)
		}
	}

	after, accepted := read("accepted: false"), read("accepted: true")
	if n := accepted.ShadowEstate.AcceptedCount; n != 2 || len(accepted.ShadowEstate.Findings) != 2 || accepted.ShadowEstate.FindingConnection.TotalCount != 2 {
		t.Errorf("accepted: count %d, %d listed, connection %d; want 2", n, len(accepted.ShadowEstate.Findings), accepted.ShadowEstate.FindingConnection.TotalCount)
	}
	if len(after.ShadowEstate.Findings) != len(before.ShadowEstate.Findings)-2 || after.ShadowEstate.FindingConnection.TotalCount != len(after.ShadowEstate.Findings) {
		t.Errorf("open findings: %d (connection %d), want %d", len(after.ShadowEstate.Findings), after.ShadowEstate.FindingConnection.TotalCount, len(before.ShadowEstate.Findings)-2)
	}
	for i, c := range after.ShadowEstate.ByKind {
		want := before.ShadowEstate.ByKind[i].Count
		if c.Key == "unmapped-repository" || c.Key == "unknown-team-tag" {
			want--
		}
		if c.Count != want {
			t.Errorf("%s counted %d, want %d", c.Key, c.Count, want)
		}
	}

	// The exceptions to review: those ending before a time.
	for _, c := range []struct {
		before time.Time
		want   int
	}{{until.Add(time.Second), 2}, {until, 0}} {
		var d struct {
			ShadowEstate struct {
				Findings          []finding
				FindingConnection struct{ TotalCount int }
			}
		}
		e.do(t, e.viewer, `query($t: Time) { shadowEstate { findings(accepted: true, acceptanceEndsBefore: $t) { kind }
			findingConnection(accepted: true, acceptanceEndsBefore: $t) { totalCount } } }`, map[string]any{"t": c.before}).mustData(t, &d)
		if len(d.ShadowEstate.Findings) != c.want || d.ShadowEstate.FindingConnection.TotalCount != c.want {
			t.Errorf("accepted, ending before %s: %d listed, %d counted; want %d", c.before, len(d.ShadowEstate.Findings), d.ShadowEstate.FindingConnection.TotalCount, c.want)
		}
	}

	// The entity carries the decision, and its history says who wrote it.
	var ent struct {
		Repository struct {
			Labels  []struct{ Key, Value string }
			History struct {
				Nodes []struct {
					Actor   string
					Changes []struct{ Field string }
				}
			}
		}
	}
	e.do(t, e.viewer, `query($k: String!) { repository(key: $k) { labels { key value } history(first: 5) { nodes { actor changes { field } } } } }`,
		map[string]any{"k": repo.Item.Key}).mustData(t, &ent)
	label := "shadow-accepted/unmapped-repository"
	if !slices.ContainsFunc(ent.Repository.Labels, func(l struct{ Key, Value string }) bool {
		return l.Key == label && strings.HasPrefix(l.Value, `accepted by "test editor" at `) && strings.HasSuffix(l.Value, ": CHG-12: known")
	}) {
		t.Errorf("repository labels %+v, want %s", ent.Repository.Labels, label)
	}
	if h := ent.Repository.History.Nodes; len(h) == 0 || h[0].Actor != "test editor" || len(h[0].Changes) != 1 || h[0].Changes[0].Field != "labels."+label {
		t.Errorf("repository history %+v, want the label written by test editor first", h)
	}

	const reopen = `mutation($f: [ShadowFindingInput!]!) { reopenShadowFindings(findings: $f) { findings { ` + fields + ` } } }`
	stored = dump(t, e.base)
	if res := e.do(t, e.editor, reopen, map[string]any{"f": input(repo, pick("unowned-resource"))}); !slices.Equal(res.codes(), []string{"NOT_FOUND"}) {
		t.Errorf("reopening a finding never accepted: %s, want NOT_FOUND", res.Raw)
	}
	if dump(t, e.base) != stored {
		t.Fatal("a refused reopenShadowFindings changed the store")
	}
	var re struct{ ReopenShadowFindings struct{ Findings []finding } }
	e.do(t, e.editor, reopen, map[string]any{"f": input(repo)}).mustData(t, &re)
	if fs := re.ReopenShadowFindings.Findings; len(fs) != 1 || fs[0].Acceptance != nil {
		t.Errorf("reopened %+v, want the repository without an acceptance", fs)
	}
	if n := read("accepted: true").ShadowEstate.AcceptedCount; n != 1 {
		t.Errorf("accepted after reopening one: %d, want 1", n)
	}
}

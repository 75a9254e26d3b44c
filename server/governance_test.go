package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/graphtest"
	"github.com/estate-cmdb/estate/ingest/demo"
	"github.com/estate-cmdb/estate/server/auth"
)

// demoNow loads the demo estate as seen just now (so nothing is stale).
func demoNow(t testing.TB, s graph.Store) {
	nodes, edges, err := demo.Items()
	if err != nil {
		t.Fatal(err)
	}
	graphtest.MustApply(t, s, graph.Batch{Source: demo.SourceName, Run: "demo-now", Nodes: nodes, Edges: edges})
}

func member(t *testing.T, e *env, name string, m auth.Membership) string {
	t.Helper()
	plain, _, err := e.tokens.CreateWith(auth.RoleEditor, name, m)
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

const assessQuery = `mutation($in: AssessChangeInput!) { assessChange(input: $in) { recorded change { key class status score team decidedBy factors { name points explanation blocksStandard items { kind key } } affects { totalCount } } } }`

type changeOut struct {
	Key, Class, Status, Team string
	DecidedBy                *string
	Score                    int
	Factors                  []struct {
		Name        string
		Explanation string
	}
}

// Assess, approve and reject through GraphQL: roles and token membership
// decide who may decide what, decisions are immutable.
func TestChangeGovernanceGraphQL(t *testing.T) {
	e := newEnv(t, withEstate(demoNow))
	identity := member(t, e, "ivan", auth.Membership{Teams: []string{"platform-identity"}})
	marketing := member(t, e, "mia", auth.Membership{Teams: []string{"marketing-web"}})
	// The CAB member's token is made through the API, as an admin would.
	var made struct {
		CreateToken struct {
			Token string
			Info  struct {
				Teams []string
				CAB   bool
			}
		}
	}
	e.do(t, e.admin, `mutation { createToken(role: EDITOR, name: "carla", cab: true, teams: ["payments"]) { token info { teams cab } } }`, nil).mustData(t, &made)
	cab := made.CreateToken.Token
	if !made.CreateToken.Info.CAB || !slices.Equal(made.CreateToken.Info.Teams, []string{"payments"}) {
		t.Errorf("createToken with membership: %+v", made.CreateToken.Info)
	}
	// The viewer says what the caller may decide (the web UI shows the
	// approve and reject buttons from it).
	for _, tc := range []struct {
		token string
		teams []string
		cab   bool
	}{{identity, []string{"platform-identity"}, false}, {cab, []string{"payments"}, true}, {e.editor, []string{}, false}} {
		var v struct {
			Viewer struct {
				Teams []string
				Cab   bool
			}
		}
		e.do(t, tc.token, `{ viewer { teams cab } }`, nil).mustData(t, &v)
		if !slices.Equal(v.Viewer.Teams, tc.teams) || v.Viewer.Cab != tc.cab {
			t.Errorf("viewer: teams %q cab %v, want %q %v", v.Viewer.Teams, v.Viewer.Cab, tc.teams, tc.cab)
		}
	}
	if res := e.do(t, e.admin, `mutation { createToken(role: EDITOR, name: "x", teams: [" "]) { token } }`, nil); !slices.Equal(res.codes(), []string{"INVALID_INPUT"}) {
		t.Errorf("createToken with a blank team: %s, want INVALID_INPUT", res.Raw)
	}

	assess := func(token string, in map[string]any) (changeOut, gqlResponse) {
		t.Helper()
		res := e.do(t, token, assessQuery, map[string]any{"in": in})
		var d struct{ AssessChange struct{ Change changeOut } }
		if len(res.Errors) == 0 {
			res.mustData(t, &d)
		}
		return d.AssessChange.Change, res
	}
	if _, res := assess(e.viewer, map[string]any{"repository": "github.com/acme/auth-client-go", "commit": "x"}); !slices.Equal(res.codes(), []string{"FORBIDDEN"}) {
		t.Errorf("viewer assesses: %s, want FORBIDDEN", res.Raw)
	}
	high, res := assess(e.editor, map[string]any{"repository": "git@github.com:acme/auth-client-go.git", "commit": "abc123", "changedPaths": []string{"client.go"}})
	if high.Class != "HIGH" || high.Status != "PENDING" || high.Key != "github.com/acme/auth-client-go@abc123/production" || len(high.Factors) < 5 {
		t.Fatalf("assess shared library: %s", res.Raw)
	}
	// Prometheus sees it waiting.
	pending := func(class string, n int) {
		t.Helper()
		want := fmt.Sprintf(`estate_changes_pending{class=%q} %d`, class, n)
		if _, _, body := e.get(t, "/metrics"); !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	pending("HIGH", 1)
	decide := func(token, op, key string) gqlResponse {
		return e.do(t, token, `mutation($k: String!) { `+op+`(key: $k, reason: "r") { status decidedBy } }`, map[string]any{"k": key})
	}
	for _, tc := range []struct {
		name, token, op, key, code string
	}{
		{"owning team approves HIGH", identity, "approveChange", high.Key, "FORBIDDEN"},
		{"plain editor approves HIGH", e.editor, "approveChange", high.Key, "FORBIDDEN"},
		{"viewer approves", e.viewer, "approveChange", high.Key, "FORBIDDEN"},
		{"unknown change", cab, "approveChange", "github.com/acme/x@1/production", "NOT_FOUND"},
	} {
		if res := decide(tc.token, tc.op, tc.key); !slices.Equal(res.codes(), []string{tc.code}) {
			t.Errorf("%s: %s, want %s", tc.name, res.Raw, tc.code)
		}
	}
	if res := decide(cab, "approveChange", high.Key); len(res.Errors) > 0 || !strings.Contains(string(res.Data), `"status":"APPROVED","decidedBy":"carla"`) {
		t.Errorf("CAB approves HIGH: %s", res.Raw)
	}
	if res := decide(cab, "rejectChange", high.Key); !slices.Equal(res.codes(), []string{"CONFLICT"}) {
		t.Errorf("rejecting an approved change: %s, want CONFLICT", res.Raw)
	}
	pending("HIGH", 0)

	// The assessment and the decision are in the change's audit trail,
	// with who made them.
	var hist struct {
		Change struct {
			History struct {
				Nodes []struct {
					Op, Actor, Source string
					Entity            *struct{ Key string }
					Changes           []struct{ Field, Before, After string }
				}
			}
		}
	}
	e.do(t, e.viewer, `query($k: String!) { change(key: $k) { history { nodes { op actor source entity { key } changes { field before after } } } } }`,
		map[string]any{"k": high.Key}).mustData(t, &hist)
	var trail []string
	for _, n := range hist.Change.History.Nodes {
		if n.Entity == nil {
			continue // its AFFECTS and MADE_BY relationships
		}
		line := n.Op + " by " + n.Actor + " via " + n.Source
		for _, c := range n.Changes {
			if c.Field == "props.status" || c.Field == "props.decidedBy" {
				line += "; " + c.Field + " " + c.Before + "→" + c.After
			}
		}
		trail = append(trail, line)
	}
	wantTrail := []string{
		"UPDATED by carla via governance; props.decidedBy →carla; props.status PENDING→APPROVED",
		"CREATED by test editor via governance",
	}
	if !slices.Equal(trail, wantTrail) {
		t.Errorf("audit trail of the HIGH change:\n got %s\nwant %s", strings.Join(trail, "\n     "), strings.Join(wantTrail, "\n     "))
	}

	normal, _ := assess(e.editor, map[string]any{"repository": "github.com/acme/www-marketing", "commit": "n1", "changedPaths": []string{"src/a.ts"}, "linesChanged": 40, "coverage": 72.5})
	if normal.Class != "NORMAL" || normal.Team != "marketing-web" {
		t.Fatalf("marketing change: %+v", normal)
	}
	if res := decide(identity, "rejectChange", normal.Key); !slices.Equal(res.codes(), []string{"FORBIDDEN"}) || !strings.Contains(res.Errors[0].Message, "marketing-web") {
		t.Errorf("another team rejects NORMAL: %s", res.Raw)
	}
	if res := decide(marketing, "rejectChange", normal.Key); len(res.Errors) > 0 || !strings.Contains(string(res.Data), `"REJECTED"`) {
		t.Errorf("owning team rejects NORMAL: %s", res.Raw)
	}
	if res := decide(cab, "approveChange", normal.Key); !slices.Equal(res.codes(), []string{"CONFLICT"}) {
		t.Errorf("approving a rejected change: %s, want CONFLICT", res.Raw)
	}
	// Generic edits cannot touch the record.
	var ids struct{ Change struct{ ID string } }
	e.do(t, e.viewer, `query($k: String!) { change(key: $k) { id } }`, map[string]any{"k": normal.Key}).mustData(t, &ids)
	for name, q := range map[string]string{
		"upsert":   `mutation { upsertEntities(input: [{kind: Change, key: "` + normal.Key + `", properties: {status: "APPROVED"}}]) { created } }`,
		"link":     `mutation { link(input: {type: AFFECTS, from: {kind: Change, key: "` + normal.Key + `"}, to: {kind: Service, key: "payments"}}) { created } }`,
		"unlink":   `mutation { unlink(input: {type: MADE_BY, from: {kind: Change, key: "` + normal.Key + `"}, to: {kind: Team, key: "marketing-web"}}) { removed } }`,
		"delete":   `mutation { deleteEntities(ids: ["` + ids.Change.ID + `"]) { removed } }`,
		"incident": `mutation { upsertEntities(input: [{kind: Incident, key: "INC-1"}]) { created } }`,
	} {
		before := dump(t, e.base)
		if res := e.do(t, cab, q, nil); !slices.Equal(res.codes(), []string{"INVALID_INPUT"}) || !strings.Contains(res.Errors[0].Message, "records of change governance") {
			t.Errorf("generic %s of a change: %s, want INVALID_INPUT", name, res.Raw)
		}
		if dump(t, e.base) != before {
			t.Errorf("generic %s of a change changed the store", name)
		}
	}
	again, res := assess(e.editor, map[string]any{"repository": "github.com/acme/www-marketing", "commit": "n1", "changedPaths": []string{"src/a.ts"}})
	if again.Status != "REJECTED" || !strings.Contains(string(res.Data), `"recorded":true`) {
		t.Errorf("re-assessing a rejected change: %s", res.Raw)
	}

	// Reads: one change, listings by label, metrics, accreditation.
	res = e.do(t, e.viewer, `query($k: String!, $from: Time!, $to: Time!) {
	  change(key: $k) { class status coverage linesChanged factors { name } affects { edges { node { key } } } }
	  pending: changes(status: PENDING) { totalCount }
	  rejected: changes(status: REJECTED, team: "marketing-web") { nodes { key } }
	  teamAccreditation(team: "marketing-web") { level reasons }
	  deliveryMetrics(kind: Team, key: "platform-identity", from: $from, to: $to) { deployments failedDeployments }
	}`, map[string]any{"k": normal.Key, "from": time.Now().Add(-24 * time.Hour).Format(time.RFC3339), "to": time.Now().Add(time.Hour).Format(time.RFC3339)})
	for _, want := range []string{`"class":"NORMAL"`, `"coverage":72`, `"linesChanged":40`, `"pending":{"totalCount":0}`,
		`"rejected":{"nodes":[{"key":"github.com/acme/www-marketing@n1/production"}]}`, `"level":"BRONZE"`, `"deployments":1`, `"name":"data-quality"`} {
		if !strings.Contains(string(res.Data), want) {
			t.Errorf("reads: %s lacks %s", res.Raw, want)
		}
	}
}

func (e *env) hook(t *testing.T, token, path, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// The webhooks: JSON in and out, a bearer token, 4xx naming the field on
// bad input, and nothing recorded then.
func TestChangeGovernanceWebhooks(t *testing.T) {
	e := newEnv(t, withEstate(demoNow))
	before := dump(t, e.base)
	started := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	for _, tc := range []struct {
		name, token, path, body string
		status                  int
		want                    string
	}{
		{"no token", "", "/hooks/changes/assess", `{"repository":"github.com/acme/auth-client-go","commit":"a"}`, 401, "UNAUTHENTICATED"},
		{"viewer token", e.viewer, "/hooks/changes/assess", `{"repository":"github.com/acme/auth-client-go","commit":"a"}`, 403, "editor role"},
		{"unknown repository", e.editor, "/hooks/changes/assess", `{"repository":"github.com/acme/nope","commit":"a"}`, 404, `repository: \"github.com/acme/nope\" is not a repository`},
		{"missing commit", e.editor, "/hooks/changes/assess", `{"repository":"github.com/acme/auth-client-go"}`, 400, "commit: required"},
		{"unknown field", e.editor, "/hooks/changes/assess", `{"repository":"github.com/acme/auth-client-go","commit":"a","colour":1}`, 400, `unknown field \"colour\"`},
		{"not JSON", e.editor, "/hooks/changes/assess", `repository=x`, 400, "malformed JSON"},
		{"incident without id", e.editor, "/hooks/incidents", `{"title":"down","startedAt":"` + started + `","services":["checkout"]}`, 400, "incident id: required"},
		{"incident without start", e.editor, "/hooks/incidents", `{"id":"PD-1","title":"down","services":["checkout"]}`, 400, "incident startedAt: required"},
		{"incident without services", e.editor, "/hooks/incidents", `{"id":"PD-1","title":"down","startedAt":"` + started + `"}`, 400, "incident services:"},
		{"incident with a bad time", e.editor, "/hooks/incidents", `{"id":"PD-1","title":"down","startedAt":"yesterday","services":["checkout"]}`, 400, "malformed JSON"},
	} {
		status, body := e.hook(t, tc.token, tc.path, tc.body)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: HTTP %d %s; want %d saying %s", tc.name, status, body, tc.status, tc.want)
		}
	}
	if dump(t, e.base) != before {
		t.Error("bad webhook input changed the store")
	}
	status, body := e.hook(t, e.editor, "/hooks/changes/assess", `{"repository":"github.com/acme/auth-client-go","commit":"a1","changedPaths":["client.go"]}`)
	var c struct {
		Key, Class string
		Factors    []json.RawMessage
	}
	if err := json.NewDecoder(bytes.NewBufferString(body)).Decode(&c); status != 200 || err != nil || c.Class != "HIGH" || len(c.Factors) == 0 {
		t.Fatalf("assess webhook: HTTP %d %s", status, body)
	}
	status, body = e.hook(t, e.editor, "/hooks/incidents", `{"id":"PD-9","source":"pagerduty","title":"login errors","severity":"SEV2","startedAt":"`+started+`","services":["identity"],"causedBy":"`+c.Key+`"}`)
	if status != 200 || !strings.Contains(body, `"key":"PD-9"`) {
		t.Fatalf("incident webhook: HTTP %d %s", status, body)
	}
	// Whom to call: the accountable owners of what it hit (the identity
	// service's team), for the incident system to route it.
	var inc struct {
		WhoToCall []struct {
			Kind, Key, Role, Channel string
			InheritedFrom            struct{ Key string }
		}
	}
	if err := json.Unmarshal([]byte(body), &inc); err != nil || len(inc.WhoToCall) == 0 {
		t.Fatalf("incident webhook without whoToCall: %v %s", err, body)
	}
	if w := inc.WhoToCall[0]; w.Kind != "Team" || w.Key != "platform-identity" || w.Role != "technical" || w.InheritedFrom.Key != "identity" || w.Channel == "" {
		t.Errorf("whoToCall: %+v", inc.WhoToCall)
	}
	res := e.do(t, e.viewer, `query($k: String!) { change(key: $k) { incidents { edges { node { key } } } } }`, map[string]any{"k": c.Key})
	if !strings.Contains(string(res.Data), `"key":"PD-9"`) {
		t.Errorf("the change does not list the incident it caused: %s", res.Raw)
	}
}

// An incident's suspect changes: through GraphQL, and in the incident
// webhook's answer. governancetest checks the answer itself.
func TestSuspectChanges(t *testing.T) {
	e := newEnv(t, withEstate(demoNow))
	cab := member(t, e, "carla", auth.Membership{CAB: true})
	var a struct {
		AssessChange struct{ Change struct{ Key string } }
	}
	e.do(t, e.editor, `mutation { assessChange(input: {repository: "github.com/acme/payments-api", commit: "p1"}) { change { key } } }`, nil).mustData(t, &a)
	key := a.AssessChange.Change.Key
	e.do(t, cab, `mutation($k: String!) { approveChange(key: $k) { status } }`, map[string]any{"k": key}).mustData(t, &struct{}{})

	// checkout-api depends on payments-api: the change is one step upstream.
	started := time.Now().UTC().Add(time.Minute).Format(time.RFC3339)
	status, body := e.hook(t, e.editor, "/hooks/incidents", `{"id":"PD-7","title":"checkout errors","startedAt":"`+started+`","services":["checkout-api"]}`)
	var inc struct {
		SuspectChanges []struct {
			Change   struct{ Key string }
			Affects  struct{ Key string }
			Distance int
		}
	}
	if err := json.Unmarshal([]byte(body), &inc); status != 200 || err != nil || len(inc.SuspectChanges) != 1 {
		t.Fatalf("incident webhook: HTTP %d %v %s; want one suspect change", status, err, body)
	}
	if s := inc.SuspectChanges[0]; s.Change.Key != key || s.Affects.Key != "payments-api" || s.Distance != 1 {
		t.Errorf("webhook suspect %+v; want %s affecting payments-api, one step upstream", s, key)
	}

	q := `query($d: Int) { entity(kind: Incident, key: "PD-7") { ... on Incident { suspectChanges(days: $d) {
	  days depth truncated suspects { change { key status } affects { key } hit { key } distance minutesBefore recordedCause path { type from { key } to { key } } } } } } }`
	var got struct {
		Entity struct {
			SuspectChanges struct {
				Days, Depth int
				Suspects    []struct {
					Change        struct{ Key, Status string }
					Affects, Hit  struct{ Key string }
					Distance      int
					MinutesBefore int
					RecordedCause bool
					Path          []struct {
						Type     string
						From, To struct{ Key string }
					}
				}
			}
		}
	}
	e.do(t, e.viewer, q, nil).mustData(t, &got)
	sc := got.Entity.SuspectChanges
	if sc.Days != 7 || sc.Depth != 3 || len(sc.Suspects) != 1 {
		t.Fatalf("suspectChanges = %+v; want the default week and depth, one suspect", sc)
	}
	s := sc.Suspects[0]
	if s.Change.Key != key || s.Change.Status != "APPROVED" || s.Hit.Key != "checkout-api" || s.RecordedCause || s.MinutesBefore > 2 ||
		len(s.Path) != 1 || s.Path[0].Type != "DEPENDS_ON" || s.Path[0].From.Key != "checkout-api" || s.Path[0].To.Key != "payments-api" {
		t.Errorf("suspect %+v; want the approved change, checkout-api DEPENDS_ON payments-api, minutes before", s)
	}
	for _, d := range []int{0, 91} {
		if res := e.do(t, e.viewer, q, map[string]any{"d": d}); !slices.Equal(res.codes(), []string{"INVALID_INPUT"}) || !strings.Contains(string(res.Raw), "days") {
			t.Errorf("days %d: %s, want INVALID_INPUT naming days", d, res.Raw)
		}
	}
}

// changes(orderBy:) lists by assessment time, oldest or newest first,
// paged with cursors; KEY (the default) stays by key.
func TestChangesOrderedByTime(t *testing.T) {
	e := newEnv(t, withEstate(demoNow))
	var keys []string
	for _, repo := range []string{"github.com/acme/www-marketing", "github.com/acme/auth-client-go", "github.com/acme/intranet"} {
		var d struct {
			AssessChange struct{ Change struct{ Key string } }
		}
		e.do(t, e.editor, assessQuery, map[string]any{"in": map[string]any{"repository": repo, "commit": "c1"}}).mustData(t, &d)
		keys = append(keys, d.AssessChange.Change.Key)
	}
	list := func(order string, first int, after string) (got []string, next string, total int) {
		t.Helper()
		var d struct {
			Changes struct {
				TotalCount int
				Nodes      []struct{ Key string }
				PageInfo   struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		e.do(t, e.viewer, `query($o: ChangeOrder, $first: Int, $after: String) { changes(orderBy: $o, first: $first, after: $after) {
			totalCount nodes { key } pageInfo { hasNextPage endCursor } } }`, map[string]any{"o": order, "first": first, "after": after}).mustData(t, &d)
		for _, n := range d.Changes.Nodes {
			got = append(got, n.Key)
		}
		if d.Changes.PageInfo.HasNextPage {
			next = d.Changes.PageInfo.EndCursor
		}
		return got, next, d.Changes.TotalCount
	}
	byKey := slices.Sorted(slices.Values(keys))
	for _, tc := range []struct {
		order string
		want  []string
	}{
		{"KEY", byKey},
		{"ASSESSED", keys},
		{"ASSESSED_DESC", []string{keys[2], keys[1], keys[0]}},
	} {
		var got []string
		after := ""
		for pages := 0; pages < 5; pages++ {
			page, next, total := list(tc.order, 2, after)
			if total != 3 {
				t.Fatalf("%s: totalCount %d, want 3", tc.order, total)
			}
			got = append(got, page...)
			if next == "" {
				break
			}
			after = next
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s, two a page: %q, want %q", tc.order, got, tc.want)
		}
	}
	res := e.do(t, e.viewer, `{ changes(orderBy: ASSESSED, after: "bm9wZQ") { totalCount } }`, nil)
	if !slices.Equal(res.codes(), []string{"INVALID_INPUT"}) || !strings.Contains(string(res.Raw), "malformed cursor") {
		t.Errorf("a bad cursor: %s", res.Raw)
	}
}

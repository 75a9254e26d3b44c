package server_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

// TestBadInput: each bad request gets the right code, a clear message, and
// leaves the store exactly as it was.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		code  string
		msg   string
	}{
		{name: "unknown kind", query: `mutation { upsertEntities(input: [{kind: Widget, key: "w"}]) { created } }`, code: "INVALID_INPUT", msg: "Widget"},
		{name: "unknown kind in a variable", query: `mutation($in: [EntityInput!]!) { upsertEntities(input: $in) { created } }`,
			vars: map[string]any{"in": []any{map[string]any{"kind": "Widget", "key": "w"}}}, code: "INVALID_INPUT", msg: "Widget"},
		{name: "empty key", query: `mutation { upsertEntities(input: [{kind: Service, key: "ok"}, {kind: Service, key: "  "}]) { created } }`, code: "INVALID_INPUT", msg: "key is empty"},
		{name: "unknown property", query: `mutation { upsertEntities(input: [{kind: Service, key: "s", properties: {colour: "red"}}]) { created } }`, code: "INVALID_INPUT", msg: "colour"},
		{name: "mistyped property", query: `mutation($p: Map) { upsertEntities(input: [{kind: Service, key: "s", properties: $p}]) { created } }`,
			vars: map[string]any{"p": map[string]any{"tier": "high"}}, code: "INVALID_INPUT", msg: "tier"},
		{name: "properties not an object", query: `mutation { upsertEntities(input: [{kind: Service, key: "s", properties: "tier=1"}]) { created } }`, code: "INVALID_INPUT", msg: "object"},
		{name: "link to a missing node", query: `mutation { link(input: {type: PART_OF, from: {kind: Application, key: "payments-api"}, to: {kind: Service, key: "no-such-service"}}) { created } }`, code: "NOT_FOUND"},
		{name: "link from a missing node", query: `mutation { link(input: {type: OWNS, from: {kind: Team, key: "ghosts"}, to: {kind: Service, key: "payments"}}) { created } }`, code: "NOT_FOUND"},
		{name: "relationship not allowed between these kinds", query: `mutation { link(input: {type: BUILDS, from: {kind: Service, key: "payments"}, to: {kind: Application, key: "payments-api"}}) { created } }`, code: "INVALID_INPUT", msg: "cannot go from Service to Application"},
		{name: "role on a relationship without roles", query: `mutation { link(input: {type: PART_OF, from: {kind: Application, key: "cards-web"}, to: {kind: Service, key: "payments"}, role: BUSINESS}) { created } }`, code: "INVALID_INPUT", msg: "role"},
		{name: "link to itself", query: `mutation { link(input: {type: DEPENDS_ON, from: {kind: Application, key: "cards-web"}, to: {kind: Application, key: "cards-web"}}) { created } }`, code: "INVALID_INPUT", msg: "itself"},
		{name: "unlink what is not there", query: `mutation { unlink(input: {type: OWNS, from: {kind: Team, key: "platform"}, to: {kind: Service, key: "payments"}}) { removed } }`, code: "NOT_FOUND"},
		{name: "malformed id", query: `{ node(id: "payments") { id } }`, code: "INVALID_INPUT", msg: "malformed id"},
		{name: "malformed cursor", query: `{ services(after: "!!") { totalCount } }`, code: "INVALID_INPUT", msg: "cursor"},
		{name: "malformed relationship cursor", query: `{ service(key: "payments") { applications(after: "bm9wZQ") { totalCount } } }`, code: "INVALID_INPUT", msg: "cursor"},
		{name: "unknown field", query: `{ service(key: "payments") { colour } }`, code: "INVALID_INPUT", msg: "colour"},
		{name: "syntax error", query: `{ service(key: "payments") { `, code: "INVALID_INPUT"},
		{name: "empty search", query: `{ search(text: "  ") { key } }`, code: "INVALID_INPUT", msg: "empty"},
		{name: "repository without key or url", query: `{ repository { key } }`, code: "INVALID_INPUT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := dump(t, e.base)
			res := e.do(t, e.editor, tc.query, tc.vars)
			if !slices.Equal(res.codes(), []string{tc.code}) || !strings.Contains(res.Errors[0].Message, tc.msg) {
				t.Errorf("got %s, want %s mentioning %q", res.Raw, tc.code, tc.msg)
			}
			if dump(t, e.base) != before {
				t.Error("the store changed")
			}
		})
	}
}

// TestMutations edits the graph through the API: create, update, link,
// unlink, delete, each asserted by the manual source.
func TestMutations(t *testing.T) {
	e := newEnv(t)
	const upsert = `mutation($in: [EntityInput!]!) {
  upsertEntities(input: $in) { created updated entities { __typename key name labels { key value } sources { source evidence } ... on Service { tier } } }
}`
	in := []any{
		map[string]any{"kind": "Service", "key": "ledger", "name": "Ledger", "properties": map[string]any{"tier": 2}, "labels": []any{map[string]any{"key": "cost-centre", "value": "42"}}},
		map[string]any{"kind": "Application", "key": "ledger-api"},
	}
	var got struct {
		UpsertEntities struct {
			Created, Updated int
			Entities         []struct {
				Typename string `json:"__typename"`
				Key      string
				Name     string
				Tier     *int
				Labels   []struct{ Key, Value string }
				Sources  []struct{ Source, Evidence string }
			}
		}
	}
	e.do(t, e.editor, upsert, map[string]any{"in": in}).mustData(t, &got)
	u := got.UpsertEntities
	if u.Created != 2 || u.Updated != 0 || len(u.Entities) != 2 {
		t.Fatalf("first upsert: %+v", u)
	}
	if s := u.Entities[0]; s.Typename != "Service" || s.Name != "Ledger" || s.Tier == nil || *s.Tier != 2 || len(s.Labels) != 1 ||
		len(s.Sources) != 1 || s.Sources[0].Source != graph.SourceManual || s.Sources[0].Evidence != "GraphQL API, token test editor" {
		t.Errorf("stored service: %+v", s)
	}
	if a := u.Entities[1]; a.Name != "ledger-api" {
		t.Errorf("a new entity without a name is named after its key: %+v", a)
	}
	e.do(t, e.editor, upsert, map[string]any{"in": in[:1]}).mustData(t, &got)
	if got.UpsertEntities.Created != 0 || got.UpsertEntities.Updated != 1 {
		t.Errorf("second upsert: %+v", got.UpsertEntities)
	}

	const link = `mutation($in: LinkInput!) { link(input: $in) { created relationship { type direction role path confidence evidence from { key } to { key } } } }`
	var linked struct {
		Link struct {
			Created      bool
			Relationship struct {
				Type, Direction, Confidence string
				Role, Path, Evidence        *string
				From, To                    struct{ Key string }
			}
		}
	}
	owns := map[string]any{"type": "OWNS", "from": map[string]any{"kind": "Team", "key": "platform"}, "to": map[string]any{"kind": "Service", "key": "ledger"}, "role": "SECURITY", "evidence": "CHG-1234"}
	e.do(t, e.editor, link, map[string]any{"in": owns}).mustData(t, &linked)
	r := linked.Link.Relationship
	if !linked.Link.Created || r.Type != "OWNS" || r.Direction != "OUT" || r.Role == nil || *r.Role != "SECURITY" ||
		r.Evidence == nil || *r.Evidence != "CHG-1234" || r.From.Key != "platform" || r.To.Key != "ledger" {
		t.Errorf("link: %+v", linked.Link)
	}
	e.do(t, e.editor, link, map[string]any{"in": owns}).mustData(t, &linked)
	if linked.Link.Created {
		t.Error("linking again created a second relationship")
	}
	builds := map[string]any{"type": "BUILDS", "from": map[string]any{"kind": "Repository", "key": "github.com/acme/payments"}, "to": map[string]any{"kind": "Application", "key": "ledger-api"}, "path": "services/ledger"}
	e.do(t, e.editor, link, map[string]any{"in": builds}).mustData(t, &linked)
	if p := linked.Link.Relationship.Path; p == nil || *p != "services/ledger" {
		t.Errorf("BUILDS path: %v", p)
	}

	// The new relationships show from both ends.
	var seen struct {
		Service struct {
			Owners struct {
				Edges []struct {
					Node         struct{ Key string }
					Relationship struct{ Role string }
				}
			}
		}
		Repository struct {
			Applications struct{ Nodes []struct{ Key string } }
		}
	}
	e.do(t, e.viewer, `{ service(key: "ledger") { owners { edges { node { key } relationship { role } } } } repository(key: "github.com/acme/payments") { applications { nodes { key } } } }`, nil).mustData(t, &seen)
	if o := seen.Service.Owners.Edges; len(o) != 1 || o[0].Node.Key != "platform" || o[0].Relationship.Role != "SECURITY" {
		t.Errorf("owners of ledger: %+v", o)
	}
	if a := seen.Repository.Applications.Nodes; len(a) != 3 || a[0].Key != "ledger-api" {
		t.Errorf("applications of the monorepo: %+v", a)
	}

	// Unlink needs the role to name an OWNS relationship.
	const unlink = `mutation($in: UnlinkInput!) { unlink(input: $in) { removed } }`
	delete(owns, "evidence")
	owns["role"] = "TECHNICAL"
	if res := e.do(t, e.editor, unlink, map[string]any{"in": owns}); !slices.Equal(res.codes(), []string{"NOT_FOUND"}) {
		t.Errorf("unlink with the wrong role: %s", res.Raw)
	}
	owns["role"] = "SECURITY"
	var un struct{ Unlink struct{ Removed int } }
	e.do(t, e.editor, unlink, map[string]any{"in": owns}).mustData(t, &un)
	if un.Unlink.Removed != 1 {
		t.Errorf("unlink removed %d", un.Unlink.Removed)
	}

	ids := []string{graph.NodeID(graph.KindService, "ledger").String(), graph.NodeID(graph.KindApplication, "ledger-api").String(), graph.NodeID(graph.KindService, "never-was").String()}
	var del struct{ DeleteEntities struct{ Removed int } }
	e.do(t, e.editor, `mutation($ids: [ID!]!) { deleteEntities(ids: $ids) { removed } }`, map[string]any{"ids": ids}).mustData(t, &del)
	if del.DeleteEntities.Removed != 2 {
		t.Errorf("deleted %d, want 2", del.DeleteEntities.Removed)
	}
	if n, err := e.base.Node(context.Background(), graph.Ref{Kind: graph.KindService, Key: "ledger"}); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("ledger still there: %v, %v", n, err)
	}
	var after struct {
		Repository struct {
			Applications struct{ TotalCount int }
		}
	}
	e.do(t, e.viewer, `{ repository(key: "github.com/acme/payments") { applications { totalCount } } }`, nil).mustData(t, &after)
	if after.Repository.Applications.TotalCount != 2 {
		t.Errorf("deleting an application left its relationships: %d", after.Repository.Applications.TotalCount)
	}
}

// failingStore fails in the ways a broken backend does.
type failingStore struct {
	graph.Store
}

func (failingStore) Stats(context.Context) (graph.Stats, error) {
	panic("stats exploded: password=swordfish")
}

func (failingStore) Search(context.Context, graph.SearchQuery) ([]*graph.Node, error) {
	return nil, errors.New("disk controller reports sector 7 at /var/lib/secret")
}

func (failingStore) List(context.Context, graph.ListQuery) (*graph.NodePage, error) {
	return nil, graph.Unavailable(errors.New("dial tcp 10.1.2.3:7687: connection refused"), "the graph database is unreachable")
}

func (failingStore) Ping(context.Context) error {
	return graph.Unavailable(errors.New("dial tcp 10.1.2.3:7687: connection refused"), "the graph database is unreachable")
}

// TestInternalErrors: panics and unclassified errors become INTERNAL with a
// safe message (the request id, never the cause), logged once; backend
// outages are UNAVAILABLE without their network details.
func TestInternalErrors(t *testing.T) {
	e := newEnv(t, withStore(func(s graph.Store) graph.Store { return failingStore{s} }))
	cases := []struct {
		name, query, code, hidden, logged string
	}{
		{"panic", `{ stats { entities } }`, "INTERNAL", "swordfish", "panic in GraphQL request"},
		{"error", `{ search(text: "x") { key } }`, "INTERNAL", "sector 7", "internal error in GraphQL request"},
		{"unavailable", `{ services { totalCount } }`, "UNAVAILABLE", "10.1.2.3", "store unavailable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(t, e.viewer, tc.query, nil)
			if !slices.Equal(res.codes(), []string{tc.code}) {
				t.Fatalf("got %s, want %s", res.Raw, tc.code)
			}
			if strings.Contains(string(res.Raw), tc.hidden) {
				t.Errorf("the response leaks %q: %s", tc.hidden, res.Raw)
			}
			if tc.code == "INTERNAL" && !strings.Contains(res.Errors[0].Message, "request ") {
				t.Errorf("no request id to quote: %q", res.Errors[0].Message)
			}
			if n := strings.Count(e.logs.String(), tc.logged); n != 1 {
				t.Errorf("%q logged %d times, want once", tc.logged, n)
			}
		})
	}
}

// TestMergeEntities: an editor merges the team the catalog knows as
// "platform-team" into the GitHub team; its ownership moves over, lookups by
// the old key find the team, and later edits naming the old key land on it.
func TestMergeEntities(t *testing.T) {
	e := newEnv(t)
	platform := graph.NodeID(graph.KindTeam, "platform").String()
	dup := graph.NodeID(graph.KindTeam, "platform-team").String()
	e.do(t, e.editor, `mutation { upsertEntities(input: [{kind: Team, key: "platform-team", name: "Platform (catalog)", aliases: ["group:platform"], properties: {email: "platform@acme.example"}}]) { created } }`, nil).mustData(t, nil)
	e.do(t, e.editor, `mutation { link(input: {type: OWNS, from: {kind: Team, key: "platform-team"}, to: {kind: Service, key: "payments"}, role: SUPPORT, evidence: "catalog"}) { created } }`, nil).mustData(t, nil)

	// The two are listed as likely duplicates until they are merged.
	const likely = `{ likelyDuplicates(kinds: [Team]) { totalCount groups { kind shared entities { key } } } }`
	type report struct {
		LikelyDuplicates struct {
			TotalCount int
			Groups     []struct {
				Kind     string
				Shared   []string
				Entities []struct{ Key string }
			}
		}
	}
	var dups report
	e.do(t, e.viewer, likely, nil).mustData(t, &dups)
	if g := dups.LikelyDuplicates.Groups; dups.LikelyDuplicates.TotalCount != 1 || len(g) != 1 || g[0].Kind != "Team" ||
		!slices.Equal(g[0].Shared, []string{"platform"}) || len(g[0].Entities) != 2 || g[0].Entities[0].Key != "platform" || g[0].Entities[1].Key != "platform-team" {
		t.Errorf("likely duplicates before the merge: %+v", dups.LikelyDuplicates)
	}
	if res := e.do(t, e.viewer, `{ likelyDuplicates(first: 100000) { totalCount } }`, nil); !slices.Equal(res.codes(), []string{"LIMIT_EXCEEDED"}) {
		t.Errorf("likelyDuplicates over the page size: %s", res.Raw)
	}
	if res := e.do(t, e.viewer, `{ likelyDuplicates(kinds: [CloudAccount]) { totalCount } }`, nil); !slices.Equal(res.codes(), []string{"INVALID_INPUT"}) {
		t.Errorf("likelyDuplicates of cloud accounts: %s", res.Raw)
	}
	// Each one's page suggests the other; the payments team has none.
	const likelyOf = `query($id: ID!) { likelyDuplicatesOf(id: $id) { kind shared entities { key } } }`
	type groupOf struct {
		LikelyDuplicatesOf *struct {
			Kind     string
			Shared   []string
			Entities []struct{ Key string }
		}
	}
	for _, id := range []string{platform, dup} {
		var of groupOf
		e.do(t, e.viewer, likelyOf, map[string]any{"id": id}).mustData(t, &of)
		if g := of.LikelyDuplicatesOf; g == nil || fmt.Sprint(*g) != fmt.Sprint(dups.LikelyDuplicates.Groups[0]) {
			t.Errorf("likelyDuplicatesOf(%s): %+v, want %+v", id, g, dups.LikelyDuplicates.Groups[0])
		}
	}
	var none groupOf
	if e.do(t, e.viewer, likelyOf, map[string]any{"id": graph.NodeID(graph.KindTeam, "payments-core").String()}).mustData(t, &none); none.LikelyDuplicatesOf != nil {
		t.Errorf("likelyDuplicatesOf(payments-core): %+v, want null", none.LikelyDuplicatesOf)
	}
	if res := e.do(t, e.viewer, likelyOf, map[string]any{"id": graph.NodeID(graph.KindTeam, "nobody").String()}); !slices.Equal(res.codes(), []string{"NOT_FOUND"}) {
		t.Errorf("likelyDuplicatesOf a missing entity: %s", res.Raw)
	}

	const merge = `mutation($in: MergeEntitiesInput!) { mergeEntities(input: $in) { mergedKey entity { key name aliases { value source } ... on Team { email } } } }`
	in := map[string]any{"into": platform, "duplicate": dup}
	if res := e.do(t, e.viewer, merge, map[string]any{"in": in}); !slices.Equal(res.codes(), []string{"FORBIDDEN"}) {
		t.Errorf("a viewer's merge: %s", res.Raw)
	}
	for _, c := range []struct {
		name     string
		in       map[string]any
		code     string
		contains string
	}{
		{"into itself", map[string]any{"into": platform, "duplicate": platform}, "INVALID_INPUT", "into itself"},
		{"another kind", map[string]any{"into": platform, "duplicate": graph.NodeID(graph.KindService, "payments").String()}, "INVALID_INPUT", "is not a Team"},
		{"a missing duplicate", map[string]any{"into": platform, "duplicate": graph.NodeID(graph.KindTeam, "nobody").String()}, "NOT_FOUND", "no node has the id"},
	} {
		res := e.do(t, e.editor, merge, map[string]any{"in": c.in})
		if !slices.Equal(res.codes(), []string{c.code}) || !strings.Contains(string(res.Raw), c.contains) {
			t.Errorf("merge %s: %s, want %s naming %q", c.name, res.Raw, c.code, c.contains)
		}
	}

	var got struct {
		MergeEntities struct {
			MergedKey string
			Entity    struct {
				Key, Name string
				Email     *string
				Aliases   []struct{ Value, Source string }
			}
		}
	}
	e.do(t, e.editor, merge, map[string]any{"in": in}).mustData(t, &got)
	m := got.MergeEntities
	if m.MergedKey != "platform-team" || m.Entity.Key != "platform" || m.Entity.Email == nil || *m.Entity.Email != "platform@acme.example" {
		t.Errorf("merge answered %+v", m)
	}
	if !slices.Contains(m.Entity.Aliases, struct{ Value, Source string }{"platform-team", graph.AliasMerged}) ||
		!slices.Contains(m.Entity.Aliases, struct{ Value, Source string }{"group:platform", graph.SourceManual}) {
		t.Errorf("aliases after the merge: %+v", m.Entity.Aliases)
	}

	// The old key still finds the team, which now owns what the duplicate did.
	var seen struct {
		Team struct {
			Key  string
			Owns struct {
				Edges []struct {
					Node         struct{ Key string }
					Relationship struct{ Role string }
				}
			}
		}
	}
	e.do(t, e.viewer, `{ team(name: "platform-team") { key owns { edges { node { key } relationship { role } } } } }`, nil).mustData(t, &seen)
	if seen.Team.Key != "platform" || !slices.ContainsFunc(seen.Team.Owns.Edges, func(x struct {
		Node         struct{ Key string }
		Relationship struct{ Role string }
	}) bool {
		return x.Node.Key == "payments" && x.Relationship.Role == "SUPPORT"
	}) {
		t.Errorf("team(name: platform-team) after the merge: %+v", seen.Team)
	}

	// An edit naming the old key lands on the team.
	var up struct {
		UpsertEntities struct {
			Created, Updated int
			Entities         []struct {
				Key, Name string
				Contact   *string
			}
		}
	}
	e.do(t, e.editor, `mutation { upsertEntities(input: [{kind: Team, key: "platform-team", name: "Platform (catalog)", properties: {contact: "#platform"}}]) { created updated entities { key name ... on Team { contact } } } }`, nil).mustData(t, &up)
	if u := up.UpsertEntities; u.Created != 0 || u.Updated != 1 || len(u.Entities) != 1 || u.Entities[0].Key != "platform" ||
		u.Entities[0].Name == "Platform (catalog)" || u.Entities[0].Contact == nil || *u.Entities[0].Contact != "#platform" {
		t.Errorf("an upsert naming the merged key: %+v", u)
	}
	var linked struct {
		Link struct {
			Relationship struct{ From struct{ Key string } }
		}
	}
	e.do(t, e.editor, `mutation { link(input: {type: OWNS, from: {kind: Team, key: "platform-team"}, to: {kind: Service, key: "cards"}, evidence: "catalog"}) { relationship { from { key } } } }`, nil).mustData(t, &linked)
	if k := linked.Link.Relationship.From.Key; k != "platform" {
		t.Errorf("a link from the merged key starts at %q", k)
	}
	if n, err := e.base.Node(context.Background(), graph.Ref{Kind: graph.KindTeam, Key: "platform-team"}); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("the duplicate is back: %v %v", n, err)
	}
	// The duplicate's id, from a bookmark, leads to the team.
	var into struct {
		MergedInto *struct{ Key string }
		Other      *struct{ Key string }
	}
	e.do(t, e.viewer, `query($id: ID!, $other: ID!) { mergedInto(id: $id) { key } other: mergedInto(id: $other) { key } }`,
		map[string]any{"id": dup, "other": graph.NodeID(graph.KindTeam, "never-was").String()}).mustData(t, &into)
	if into.MergedInto == nil || into.MergedInto.Key != "platform" || into.Other != nil {
		t.Errorf("mergedInto: %+v %+v", into.MergedInto, into.Other)
	}
	dups = report{}
	e.do(t, e.viewer, likely, nil).mustData(t, &dups)
	if dups.LikelyDuplicates.TotalCount != 0 {
		t.Errorf("likely duplicates after the merge: %+v", dups.LikelyDuplicates)
	}
	var after groupOf
	if e.do(t, e.viewer, likelyOf, map[string]any{"id": platform}).mustData(t, &after); after.LikelyDuplicatesOf != nil {
		t.Errorf("likelyDuplicatesOf the team after the merge: %+v, want null", after.LikelyDuplicatesOf)
	}
}

// TestMarkDistinct: two teams spelled alike, recorded by an editor as two
// teams, are no longer likely duplicates; the decision is a label on each,
// and bad requests change nothing.
func TestMarkDistinct(t *testing.T) {
	e := newEnv(t)
	e.do(t, e.editor, `mutation { upsertEntities(input: [{kind: Team, key: "cards/platform", name: "Platform"}]) { created } }`, nil).mustData(t, nil)
	platform, other := graph.NodeID(graph.KindTeam, "platform").String(), graph.NodeID(graph.KindTeam, "cards/platform").String()
	const likely = `{ likelyDuplicates(kinds: [Team]) { totalCount } }`
	var dups struct{ LikelyDuplicates struct{ TotalCount int } }
	e.do(t, e.viewer, likely, nil).mustData(t, &dups)
	if dups.LikelyDuplicates.TotalCount != 1 {
		t.Fatalf("likely duplicate teams before: %d, want 1", dups.LikelyDuplicates.TotalCount)
	}

	const mark = `mutation($ids: [ID!]!) { markDistinct(ids: $ids) { entities { key labels { key value } } } }`
	before := dump(t, e.base)
	for _, c := range []struct {
		name string
		ids  []string
		code string
	}{
		{"by a viewer", []string{platform, other}, "FORBIDDEN"},
		{"one entity", []string{platform}, "INVALID_INPUT"},
		{"two kinds", []string{platform, graph.NodeID(graph.KindService, "payments").String()}, "INVALID_INPUT"},
		{"a missing entity", []string{platform, graph.NodeID(graph.KindTeam, "nobody").String()}, "NOT_FOUND"},
	} {
		token := e.editor
		if c.name == "by a viewer" {
			token = e.viewer
		}
		if res := e.do(t, token, mark, map[string]any{"ids": c.ids}); !slices.Equal(res.codes(), []string{c.code}) {
			t.Errorf("markDistinct %s: %s, want %s", c.name, res.Raw, c.code)
		}
	}
	if after := dump(t, e.base); after != before {
		t.Errorf("refused markDistinct requests changed the store")
	}

	var got struct {
		MarkDistinct struct {
			Entities []struct {
				Key    string
				Labels []struct{ Key, Value string }
			}
		}
	}
	e.do(t, e.editor, mark, map[string]any{"ids": []string{platform, other}}).mustData(t, &got)
	if es := got.MarkDistinct.Entities; len(es) != 2 || es[0].Key != "platform" ||
		!slices.Contains(es[0].Labels, struct{ Key, Value string }{graph.DistinctLabel, "cards/platform"}) ||
		!slices.Contains(es[1].Labels, struct{ Key, Value string }{graph.DistinctLabel, "platform"}) {
		t.Errorf("markDistinct answered %+v", es)
	}
	e.do(t, e.viewer, likely, nil).mustData(t, &dups)
	if dups.LikelyDuplicates.TotalCount != 0 {
		t.Errorf("likely duplicate teams after markDistinct: %d, want 0", dups.LikelyDuplicates.TotalCount)
	}

	// Withdrawn, the decision's labels go and the pair is listed again.
	withdraw := func(what string, ids ...string) {
		t.Helper()
		e.do(t, e.editor, `mutation($ids: [ID!]!) { markDistinct(ids: $ids, distinct: false) { entities { key labels { key value } } } }`,
			map[string]any{"ids": ids}).mustData(t, &got)
		for _, x := range got.MarkDistinct.Entities {
			if slices.ContainsFunc(x.Labels, func(l struct{ Key, Value string }) bool { return l.Key == graph.DistinctLabel }) {
				t.Errorf("after withdrawing %s, %s still has %s: %v", what, x.Key, graph.DistinctLabel, x.Labels)
			}
		}
		e.do(t, e.viewer, likely, nil).mustData(t, &dups)
		if dups.LikelyDuplicates.TotalCount != 1 {
			t.Errorf("likely duplicate teams after withdrawing %s: %d, want 1", what, dups.LikelyDuplicates.TotalCount)
		}
	}
	withdraw("the decision", platform, other)

	// Recorded again, then the other team merged into a third: the
	// decision holds for the third, and is withdrawn by naming it (the
	// entity page finds it by the old key).
	e.do(t, e.editor, mark, map[string]any{"ids": []string{platform, other}}).mustData(t, nil)
	e.do(t, e.editor, `mutation { upsertEntities(input: [{kind: Team, key: "platform-cards", name: "Platform"}]) { created } }`, nil).mustData(t, nil)
	third := graph.NodeID(graph.KindTeam, "platform-cards").String()
	e.do(t, e.editor, `mutation($in: MergeEntitiesInput!) { mergeEntities(input: $in) { mergedKey } }`,
		map[string]any{"in": map[string]any{"into": third, "duplicate": other}}).mustData(t, nil)
	e.do(t, e.viewer, likely, nil).mustData(t, &dups)
	if dups.LikelyDuplicates.TotalCount != 0 {
		t.Errorf("likely duplicate teams after the merge: %d, want 0", dups.LikelyDuplicates.TotalCount)
	}
	var byOldKey struct{ Entity struct{ ID string } }
	if e.do(t, e.viewer, `{ entity(kind: Team, key: "cards/platform") { id } }`, nil).mustData(t, &byOldKey); byOldKey.Entity.ID != third {
		t.Fatalf("entity by the merged key: %+v, want %s", byOldKey.Entity, third)
	}
	withdraw("the decision about the merged team", platform, third)
}

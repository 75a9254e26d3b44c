package server_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/server"
)

// nestedQuery is the question the foundation issue asks: a service, its
// applications, their repositories and the teams owning those.
const nestedQuery = `query Nested($key: String!) {
  service(key: $key) {
    key name tier
    businessUnit { key name }
    applications {
      totalCount
      edges {
        node {
          key name
          repositories {
            edges {
              relationship { path }
              node {
                key
                owners { edges { relationship { role } node { __typename key name } } }
              }
            }
          }
        }
      }
    }
  }
}`

type nestedResult struct {
	Service *struct {
		Key          string
		Name         string
		Tier         *int
		BusinessUnit *struct{ Key, Name string }
		Applications struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					Key, Name    string
					Repositories struct {
						Edges []struct {
							Relationship struct{ Path *string }
							Node         struct {
								Key    string
								Owners struct {
									Edges []struct {
										Relationship struct{ Role string }
										Node         struct {
											Typename string `json:"__typename"`
											Key      string
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
}

// summary flattens a nested result to "app repo(path) owner/role" lines.
func (r nestedResult) summary() []string {
	var out []string
	for _, a := range r.Service.Applications.Edges {
		for _, re := range a.Node.Repositories.Edges {
			path := ""
			if p := re.Relationship.Path; p != nil {
				path = "(" + *p + ")"
			}
			var owners []string
			for _, o := range re.Node.Owners.Edges {
				owners = append(owners, o.Node.Typename+":"+o.Node.Key+"/"+o.Relationship.Role)
			}
			out = append(out, a.Node.Key+" "+re.Node.Key+path+" "+strings.Join(owners, ","))
		}
	}
	return out
}

func TestNestedServiceQuery(t *testing.T) {
	e := newEnv(t)
	res := e.do(t, e.viewer, nestedQuery, map[string]any{"key": "payments"})
	var got nestedResult
	res.mustData(t, &got)
	if got.Service == nil {
		t.Fatal("service payments not found")
	}
	if got.Service.Tier == nil || *got.Service.Tier != 1 || got.Service.BusinessUnit == nil || got.Service.BusinessUnit.Key != "retail" {
		t.Errorf("service fields: tier %v, business unit %+v", got.Service.Tier, got.Service.BusinessUnit)
	}
	want := []string{
		"payments-api github.com/acme/payments(services/api) Team:payments-core/TECHNICAL",
		"payments-worker github.com/acme/payments(services/worker) Team:payments-core/TECHNICAL",
		"payments-worker github.com/acme/payments-worker Team:payments-core/TECHNICAL",
	}
	if s := got.summary(); !slices.Equal(s, want) {
		t.Errorf("service → applications → repositories → owners:\ngot  %q\nwant %q", s, want)
	}
	if got.Service.Applications.TotalCount != 2 {
		t.Errorf("totalCount = %d, want 2", got.Service.Applications.TotalCount)
	}
	golden(t, "nested_service", res.Data)

	// An unknown service is null, not an error.
	res = e.do(t, e.viewer, nestedQuery, map[string]any{"key": "no-such-service"})
	res.mustData(t, &got)
	if got.Service != nil {
		t.Errorf("unknown service: got %+v, want null", got.Service)
	}
}

// TestLookups covers the natural-key lookups and the generic entity
// queries, with a golden file for the whole response.
func TestLookups(t *testing.T) {
	e := newEnv(t)
	const q = `{
  byURL: repository(url: "git@github.com:acme/payments.git") { key url archived topics }
  byHTTPS: repository(url: "https://GitHub.com/acme/cards/") { key }
  byKey: repository(key: "github.com/acme/infra") { key defines { nodes { key } } }
  team(name: "@ACME/payments-core") { key name labels { key value } aliases { value source } members { nodes { key email } } parent { key } }
  platform: team(name: "platform") { children { nodes { key } } owns(kinds: [Repository]) { totalCount edges { node { key } } } }
  person(key: "ALICE@acme.example") { key teams { nodes { key } } owns { edges { relationship { role } node { key } } } }
  cloudResource(arn: "arn:aws:lambda:eu-west-1:123456789012:function:payments-api") {
    type region accountId account { key registered } applications { nodes { key } } definedBy { nodes { key } }
    dependents { nodes { key } }
  }
  cloudAccount(key: "aws:123456789012") { provider resources { totalCount } owners { edges { node { key } } } }
  entity(kind: Application, key: "payments-api") {
    __typename id kind key
    sources { source run confidence evidence firstSeen lastSeen }
    ... on Application { hostnames service { key } runsOn { nodes { key } } owners(role: [SUPPORT]) { edges { node { key } relationship { role confidence evidence } } } }
    dependsOn: relationships(type: [DEPENDS_ON], direction: OUT) { totalCount edges { node { __typename key } relationship { direction from { key } to { key } } } }
  }
  businessUnit(key: "retail") { children { nodes { key parent { key } } } services { nodes { key } } }
  resolve(ref: "@acme/PAYMENTS-core") { __typename key }
  search(text: "payments", kinds: [Service, Application]) { __typename key }
  stats { entities relationships kinds { kind count } relationshipTypes { type count } }
  viewer { name role anonymous }
  missing: service(key: "nope") { key }
}`
	res := e.do(t, e.viewer, q, nil)
	res.mustData(t, nil)
	golden(t, "lookups", res.Data)

	var got struct {
		ByURL   struct{ Key string }
		ByHTTPS struct{ Key string }
		Team    struct{ Key string }
		Person  struct{ Key string }
		Entity  struct {
			ID  string
			Key string
		}
		Stats struct{ Entities, Relationships int }
	}
	res.mustData(t, &got)
	if got.ByURL.Key != "github.com/acme/payments" || got.ByHTTPS.Key != "github.com/acme/cards" {
		t.Errorf("repository by URL: %q, %q", got.ByURL.Key, got.ByHTTPS.Key)
	}
	if got.Team.Key != "payments-core" || got.Person.Key != "alice@acme.example" {
		t.Errorf("team by alias %q, person ignoring case %q", got.Team.Key, got.Person.Key)
	}
	if want := graph.NodeID(graph.KindApplication, "payments-api").String(); got.Entity.ID != want {
		t.Errorf("id = %s, want the node's UUID %s", got.Entity.ID, want)
	}
	if got.Stats.Entities != 16 || got.Stats.Relationships != 27 {
		t.Errorf("stats: %d entities, %d relationships; want 16, 27", got.Stats.Entities, got.Stats.Relationships)
	}
}

func TestNodeByID(t *testing.T) {
	e := newEnv(t)
	svc := graph.NodeID(graph.KindService, "payments").String()
	repo := graph.NodeID(graph.KindRepository, "github.com/acme/payments").String()
	missing := graph.NodeID(graph.KindService, "gone").String()
	res := e.do(t, e.viewer, `query($a: ID!, $ids: [ID!]!) {
  node(id: $a) { id ... on Service { key } }
  nodes(ids: $ids) { __typename id ... on Entity { key } }
}`, map[string]any{"a": svc, "ids": []string{repo, missing, svc}})
	var got struct {
		Node  struct{ ID, Key string }
		Nodes []*struct {
			Typename string `json:"__typename"`
			ID, Key  string
		}
	}
	res.mustData(t, &got)
	if got.Node.ID != svc || got.Node.Key != "payments" {
		t.Errorf("node: %+v", got.Node)
	}
	if len(got.Nodes) != 3 || got.Nodes[0] == nil || got.Nodes[0].Key != "github.com/acme/payments" || got.Nodes[1] != nil || got.Nodes[2] == nil || got.Nodes[2].Typename != "Service" {
		t.Errorf("nodes: %s", res.Data)
	}
}

// TestPagination walks connections page by page and checks the pages add
// up to the whole, in order, without repeats.
func TestPagination(t *testing.T) {
	e := newEnv(t)
	type pageInfo struct {
		HasNextPage, HasPreviousPage bool
		EndCursor                    *string
	}
	walk := func(t *testing.T, query string, pick func(json.RawMessage) (keys []string, total int, pi pageInfo)) []string {
		var all []string
		var after *string
		for i := 0; ; i++ {
			if i > 20 {
				t.Fatal("pagination does not end")
			}
			vars := map[string]any{"first": 2}
			if after != nil {
				vars["after"] = *after
			}
			res := e.do(t, e.viewer, query, vars)
			res.mustData(t, nil)
			keys, total, pi := pick(res.Data)
			if pi.HasPreviousPage != (after != nil) {
				t.Errorf("page %d: hasPreviousPage = %v", i, pi.HasPreviousPage)
			}
			if len(keys) > 2 {
				t.Fatalf("page %d has %d items, asked for 2", i, len(keys))
			}
			all = append(all, keys...)
			if !pi.HasNextPage {
				if len(all) != total {
					t.Errorf("pages hold %d items, totalCount is %d", len(all), total)
				}
				return all
			}
			if pi.EndCursor == nil {
				t.Fatal("hasNextPage without endCursor")
			}
			after = pi.EndCursor
		}
	}
	type conn struct {
		TotalCount int
		PageInfo   pageInfo
		Edges      []struct {
			Cursor string
			Node   struct{ Key string }
		}
	}
	keys := func(c conn) []string {
		var out []string
		for _, e := range c.Edges {
			out = append(out, e.Node.Key)
		}
		return out
	}

	t.Run("listing", func(t *testing.T) {
		got := walk(t, `query($first: Int, $after: String) { repositories(first: $first, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { key } } } }`,
			func(d json.RawMessage) ([]string, int, pageInfo) {
				var v struct{ Repositories conn }
				json.Unmarshal(d, &v)
				return keys(v.Repositories), v.Repositories.TotalCount, v.Repositories.PageInfo
			})
		want := []string{"github.com/acme/cards", "github.com/acme/infra", "github.com/acme/payments", "github.com/acme/payments-worker"}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("relationships", func(t *testing.T) {
		q := `query($first: Int, $after: String) { team(name: "platform") { owns(first: $first, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { key } } } } }`
		got := walk(t, q, func(d json.RawMessage) ([]string, int, pageInfo) {
			var v struct{ Team struct{ Owns conn } }
			json.Unmarshal(d, &v)
			return keys(v.Team.Owns), v.Team.Owns.TotalCount, v.Team.Owns.PageInfo
		})
		// Ordered by kind, then key.
		want := []string{"cards", "github.com/acme/cards", "github.com/acme/infra", "aws:123456789012"}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
		// first: 0 still counts.
		res := e.do(t, e.viewer, `{ team(name: "platform") { owns(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage } } } }`, nil)
		var v struct{ Team struct{ Owns conn } }
		res.mustData(t, &v)
		if v.Team.Owns.TotalCount != 4 || len(v.Team.Owns.Edges) != 0 || !v.Team.Owns.PageInfo.HasNextPage {
			t.Errorf("first: 0 gave %s", res.Data)
		}
	})
	t.Run("filters", func(t *testing.T) {
		res := e.do(t, e.viewer, `{
  teams(filter: {labels: [{key: "slack", value: "#payments-core"}]}) { totalCount nodes { key } }
  bySource: entities(kinds: [Team, Person], source: "test:fixture") { totalCount }
  none: services(filter: {source: "manual"}) { totalCount }
}`, nil)
		var v struct {
			Teams struct {
				TotalCount int
				Nodes      []struct{ Key string }
			}
			BySource struct{ TotalCount int }
			None     struct{ TotalCount int }
		}
		res.mustData(t, &v)
		if v.Teams.TotalCount != 1 || v.Teams.Nodes[0].Key != "payments-core" || v.BySource.TotalCount != 3 || v.None.TotalCount != 0 {
			t.Errorf("filters: %s", res.Data)
		}
	})
}

// countingStore counts calls per store method, to prove batching.
type countingStore struct {
	graph.Store
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingStore) count(m string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[m]++
}

func (c *countingStore) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.calls
	c.calls = map[string]int{}
	return old
}

func (c *countingStore) Nodes(ctx context.Context, ids []graph.ID) ([]*graph.Node, error) {
	c.count("Nodes")
	return c.Store.Nodes(ctx, ids)
}

func (c *countingStore) Node(ctx context.Context, r graph.Ref) (*graph.Node, error) {
	c.count("Node")
	return c.Store.Node(ctx, r)
}

func (c *countingStore) Neighbors(ctx context.Context, ids []graph.ID, q graph.NeighborQuery) (map[graph.ID][]graph.Neighbor, error) {
	c.count("Neighbors")
	return c.Store.Neighbors(ctx, ids, q)
}

func (c *countingStore) Edges(ctx context.Context, ids []graph.ID) ([]*graph.Edge, error) {
	c.count("Edges")
	return c.Store.Edges(ctx, ids)
}

func (c *countingStore) Resolve(ctx context.Context, ref string, kinds []graph.Kind) ([]*graph.Node, error) {
	c.count("Resolve")
	return c.Store.Resolve(ctx, ref, kinds)
}

func (c *countingStore) List(ctx context.Context, q graph.ListQuery) (*graph.NodePage, error) {
	c.count("List")
	return c.Store.List(ctx, q)
}

// TestNestedQueryBatches proves the dataloaders: service → applications →
// repositories → owners costs one Neighbors call per level (three), however
// many applications and repositories there are, plus one Nodes call for
// the service itself.
func TestNestedQueryBatches(t *testing.T) {
	var cs *countingStore
	e := newEnv(t,
		withStore(func(s graph.Store) graph.Store {
			cs = &countingStore{Store: s, calls: map[string]int{}}
			return cs
		}),
		// A loader dispatches once every resolver waits on it, so the bound
		// costs nothing here; it only cuts a batch when a resolver has not
		// run for that long. On a loaded CI machine 25 ms did once (five
		// Neighbors calls); the default is tuned for latency.
		withConfig(func(c *server.Config) { c.LoaderWait = time.Second }))
	// A loader also dispatches when the process looks idle, and a resolver
	// parked for a moment by the scheduler (a garbage collection's assist,
	// on a machine other tests load) looks idle too: that costs one more
	// store call now and then, which is no failure of the batching. So each
	// query gets three tries, and its calls must be the batched ones in one
	// of them; broken batching fails all three.
	batched := func(query string, vars map[string]any, want map[string]int, check func(gqlResponse)) {
		t.Helper()
		var seen []map[string]int
		for range 3 {
			cs.reset()
			check(e.do(t, e.viewer, query, vars))
			c := cs.reset()
			if maps.Equal(c, want) {
				return
			}
			seen = append(seen, c)
		}
		t.Errorf("store calls of three tries %v, want %v", seen, want)
	}
	// businessUnit is a fourth relationship selection, at the first level.
	batched(nestedQuery, map[string]any{"key": "payments"}, map[string]int{"Nodes": 1, "Neighbors": 4}, func(res gqlResponse) {
		var got nestedResult
		res.mustData(t, &got)
		if len(got.summary()) != 3 {
			t.Fatalf("unexpected answer %s", res.Data)
		}
	})
	// The same shape over a listing: every service's applications come
	// from one call, their repositories from one more.
	batched(`{ services { nodes { key applications { nodes { key repositories { nodes { key } } } } } } }`, nil,
		map[string]int{"List": 1, "Neighbors": 2}, func(res gqlResponse) { res.mustData(t, nil) })
}

package azure

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/cloudtags"
	"github.com/estate-cmdb/estate/ingest/ingesttest"
)

const sub = "cfbbd179-59d2-4052-aa06-9270a38aa9d6"

const testToken = "azure-test-token-c2VjcmV0LXRva2Vu"

// fixtureBody returns the 200 response body of an official example.
func fixtureBody(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Responses map[string]struct {
			Body map[string]any `json:"body"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(data, &ex); err != nil {
		t.Fatal(err)
	}
	return ex.Responses["200"].Body
}

// request is Resource Graph's QueryRequest as the server reads it.
type request struct {
	Subscriptions []string `json:"subscriptions"`
	Query         string   `json:"query"`
	Options       struct {
		SkipToken    string `json:"$skipToken"`
		Top          int    `json:"$top"`
		ResultFormat string `json:"resultFormat"`
	} `json:"options"`
}

// reply is how the server answers Query: pages in order, following
// $skipToken "page-N"; status, when set for a page index, replaces that
// page with an error.
type reply struct {
	pages  []map[string]any
	status map[int]int
}

// server answers every Query with the same reply; SubscriptionsQuery gets
// subs, or no rows when subs is nil, or the error status[-1].
func server(t *testing.T, pages []map[string]any, status map[int]int, subs map[string]any) *httptest.Server {
	return routedServer(t, map[string]reply{"": {pages, status}}, subs)
}

// routedServer answers a Query over one subscription with that
// subscription's reply, any other with the reply under ""; SubscriptionsQuery
// as server does, with the status[-1] of the reply under "".
func routedServer(t *testing.T, replies map[string]reply, subs map[string]any) *httptest.Server {
	t.Helper()
	// TLS: the SDK sends a bearer token over https only.
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/providers/Microsoft.ResourceGraph/resources" || r.URL.Query().Get("api-version") != "2024-04-01" {
			http.Error(w, "unexpected request "+r.Method+" "+r.URL.String(), http.StatusNotFound)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			http.Error(w, `{"error":{"code":"AuthenticationFailed"}}`, http.StatusUnauthorized)
			return
		}
		var req request
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || (req.Query != Query && req.Query != SubscriptionsQuery) || req.Options.ResultFormat != "objectArray" {
			http.Error(w, fmt.Sprintf("bad request body %+v %v", req, err), http.StatusBadRequest)
			return
		}
		if req.Query == SubscriptionsQuery {
			if code := replies[""].status[-1]; code != 0 {
				http.Error(w, `{"error":{"code":"ServerError"}}`, code)
				return
			}
			if subs == nil {
				subs = map[string]any{"totalRecords": 0, "count": 0, "resultTruncated": "false", "data": []any{}}
			}
			json.NewEncoder(w).Encode(subs)
			return
		}
		rep, ok := replies[strings.Join(req.Subscriptions, ",")]
		if !ok {
			rep = replies[""]
		}
		pages, status := rep.pages, rep.status
		i := 0
		if req.Options.SkipToken != "" {
			fmt.Sscanf(req.Options.SkipToken, "page-%d", &i)
		}
		if code := status[i]; code != 0 {
			http.Error(w, `{"error":{"code":"ServerError","message":"token `+testToken+` rejected"}}`, code)
			return
		}
		json.NewEncoder(w).Encode(pages[i])
	}))
	t.Cleanup(srv.Close)
	return srv
}

// paginate splits a body's rows into pages of n linked by $skipToken.
func paginate(body map[string]any, n int) []map[string]any {
	data := body["data"].([]any)
	var pages []map[string]any
	for i := 0; i < len(data); i += n {
		p := map[string]any{"totalRecords": len(data), "count": min(n, len(data)-i), "resultTruncated": "false", "data": data[i:min(i+n, len(data))]}
		if i+n < len(data) {
			p["$skipToken"] = fmt.Sprintf("page-%d", len(pages)+1)
		}
		pages = append(pages, p)
	}
	return pages
}

func run(t *testing.T, st *embedded.Store, srv *httptest.Server, cfg Config) (*ingest.Report, error) {
	t.Helper()
	cfg.Endpoint = srv.URL
	cfg.Client = srv.Client()
	cfg.Credential = StaticToken(testToken)
	cfg.Resolve = cloudtags.StoreResolver(st.Resolve)
	src, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ingest.Run(context.Background(), st, src, ingest.Options{})
}

func openStore(t *testing.T) *embedded.Store {
	st, err := embedded.Open(context.Background(), t.TempDir(), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestBasicQuery(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	st.Apply(ctx, graph.Batch{Source: "seed", Run: "1", Nodes: []graph.NodeInput{{Kind: graph.KindTeam, Key: "value1"}}})
	srv := server(t, []map[string]any{fixtureBody(t, "ResourcesBasicQuery.json")}, nil, nil)
	rep, err := run(t, st, srv, Config{Registered: []string{sub}, Tags: cloudtags.Rules{Team: []string{"tag1"}}})
	if err != nil || rep.Status != ingest.StatusSucceeded {
		t.Fatalf("%v %+v", err, rep)
	}
	stats, _ := st.Stats(ctx)
	if stats.Nodes[graph.KindCloudResource] != 3 || stats.Edges[graph.RelInAccount] != 3 || stats.Edges[graph.RelOwns] != 1 {
		t.Errorf("stats %+v, want 3 resources in their subscription and one owned by tag", stats)
	}
	nic, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: "/subscriptions/" + sub + "/resourceGroups/RG1/providers/Microsoft.Network/networkInterfaces/myNetworkInterface"})
	if err != nil || nic.Name != "myNetworkInterface" || nic.Props["type"] != "microsoft.network/networkinterfaces" ||
		nic.Props["region"] != "centralus" || nic.Props["account"] != sub || nic.Labels["tag1"] != "Value1" {
		t.Errorf("nic = %+v (%v)", nic, err)
	}
	acct, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudAccount, Key: "azure:" + sub})
	if err != nil || acct.Props["registered"] != true || acct.Props["provider"] != "azure" {
		t.Errorf("account = %+v (%v)", acct, err)
	}
}

// TestSubscriptions: the subscriptions come from the ResourceContainers
// table with their display names, an empty one included. The response is
// testdata/SubscriptionsQuery.json, estate's own in the shape of the
// official ResourcesBasicQuery.json example (see testdata/README.md).
func TestSubscriptions(t *testing.T) {
	ctx := context.Background()
	const empty = "5e1ca8a3-4b1d-4d4e-9a8c-0f2b6a1e7c11"
	st := openStore(t)
	basic := []map[string]any{fixtureBody(t, "ResourcesBasicQuery.json")}
	subs := fixtureBody(t, "SubscriptionsQuery.json")
	rep, err := run(t, st, server(t, basic, nil, subs), Config{})
	if err != nil || rep.Status != ingest.StatusSucceeded {
		t.Fatalf("%v %+v", err, rep)
	}
	for key, name := range map[string]string{"azure:" + sub: "Contoso Production", "azure:" + empty: "Sandbox (no resources)"} {
		a, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudAccount, Key: key})
		if err != nil || a.Name != name || a.Props["provider"] != "azure" {
			t.Errorf("%s = %+v (%v), want named %q", key, a, err, name)
		}
	}
	if stats, _ := st.Stats(ctx); stats.Nodes[graph.KindCloudAccount] != 2 || stats.Edges[graph.RelInAccount] != 3 {
		t.Errorf("stats %+v, want 2 subscriptions, the 3 resources in one of them", stats)
	}

	// The subscriptions query failing loses names, not resources: partial.
	rep, err = run(t, st, server(t, basic, map[int]int{-1: http.StatusInternalServerError}, subs), Config{MaxRetries: -1})
	if err != nil || rep.Status != ingest.StatusPartial || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Item, "subscriptions") {
		t.Fatalf("failing subscriptions query: %v %+v", err, rep)
	}
	if a, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudAccount, Key: "azure:" + empty}); err != nil || a.Name != "Sandbox (no resources)" {
		t.Errorf("empty subscription after a partial run: %+v (%v)", a, err)
	}
}

// rehome moves a body's rows into subscription to: the official examples
// all lie in one subscription.
func rehome(t *testing.T, body map[string]any, to string) map[string]any {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(strings.ReplaceAll(string(b), sub, to)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSubscriptionScopes: configured subscriptions are read one query each,
// so one that fails keeps its resources while a resource removed from a
// healthy one is swept. The failing one is the Basic Query example's, the
// healthy one holds the Facet Query example's five VMs.
func TestSubscriptionScopes(t *testing.T) {
	ctx := context.Background()
	const other = "5e1ca8a3-4b1d-4d4e-9a8c-0f2b6a1e7c11"
	st := openStore(t)
	basic := []map[string]any{fixtureBody(t, "ResourcesBasicQuery.json")}
	vms := rehome(t, fixtureBody(t, "ResourcesFacetQuery.json"), other)
	cfg := Config{Subscriptions: []string{sub, strings.ToUpper(other)}, MaxRetries: -1}
	subs := fixtureBody(t, "SubscriptionsQuery.json")
	rep, err := run(t, st, routedServer(t, map[string]reply{sub: {pages: basic}, strings.ToUpper(other): {pages: paginate(vms, 2)}}, subs), cfg)
	if err != nil || rep.Status != ingest.StatusSucceeded || rep.Nodes != 10 {
		t.Fatalf("%v %+v, want 8 resources in 2 subscriptions", err, rep)
	}

	// The first subscription fails, the second lost a VM, the subscriptions
	// query fails too (only names: a warning).
	gone := vms["data"].([]any)[4].(map[string]any)["id"].(string)
	fewer := maps.Clone(vms)
	fewer["data"] = vms["data"].([]any)[:4]
	srv := routedServer(t, map[string]reply{
		"":                     {status: map[int]int{-1: http.StatusInternalServerError}},
		sub:                    {pages: basic, status: map[int]int{0: http.StatusForbidden}},
		strings.ToUpper(other): {pages: paginate(fewer, 2)},
	}, subs)
	rep, err = run(t, st, srv, cfg)
	if err != nil || rep.Status != ingest.StatusPartial || len(rep.Errors) != 1 || rep.Errors[0].Scope != "azure/"+sub ||
		!strings.Contains(rep.Errors[0].Err, "subscription "+sub+": page 1: azure resource graph: HTTP 403") ||
		!slices.Equal(rep.KeptScopes, []string{"azure/" + sub}) || rep.WarningCount != 1 {
		t.Fatalf("%v %+v, want partial with the failing subscription kept and the names warned about", err, rep)
	}
	if rep.Swept == nil || rep.Swept.NodesRemoved != 1 {
		t.Errorf("swept %+v, want the VM removed from the healthy subscription", rep.Swept)
	}
	if n, _ := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: gone}); n != nil {
		t.Errorf("%s is still there after it went from a subscription that was read", gone)
	}
	stats, _ := st.Stats(ctx)
	if stats.Nodes[graph.KindCloudResource] != 7 || stats.Edges[graph.RelInAccount] != 7 {
		t.Errorf("stats %+v, want the failing subscription's 3 resources kept beside the other's 4", stats)
	}
	for key, name := range map[string]string{"azure:" + sub: "Contoso Production", "azure:" + other: "Sandbox (no resources)"} {
		if a, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudAccount, Key: key}); err != nil || a.Name != name {
			t.Errorf("%s = %+v (%v), want its name kept", key, a, err)
		}
	}

	// Every subscription failing: the run failed, naming each.
	rep, err = run(t, st, routedServer(t, map[string]reply{"": {pages: basic, status: map[int]int{0: http.StatusForbidden}}}, subs), cfg)
	if err == nil || rep.Status != ingest.StatusFailed || !strings.Contains(rep.Err, sub) || !strings.Contains(rep.Err, strings.ToUpper(other)) {
		t.Errorf("all failing: %v %+v", err, rep)
	}
}

func TestPaginationAndProjectedRows(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	// The facet example projects no type: it comes from the id.
	srv := server(t, paginate(fixtureBody(t, "ResourcesFacetQuery.json"), 2), nil, nil)
	rep, err := run(t, st, srv, Config{})
	if err != nil || rep.Status != ingest.StatusSucceeded {
		t.Fatalf("%v %+v", err, rep)
	}
	stats, _ := st.Stats(ctx)
	if stats.Nodes[graph.KindCloudResource] != 5 {
		t.Fatalf("%d VMs over 3 pages, want 5", stats.Nodes[graph.KindCloudResource])
	}
	vm, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: "/subscriptions/" + sub + "/resourceGroups/B-TEST-RG/providers/Microsoft.Compute/virtualMachines/myTestVm"})
	if err != nil || vm.Props["type"] != "microsoft.compute/virtualmachines" {
		t.Errorf("vm = %+v (%v)", vm, err)
	}

	// Summarize rows are aggregates, not resources.
	st2 := openStore(t)
	rep, err = run(t, st2, server(t, []map[string]any{fixtureBody(t, "ResourcesPropertiesQuery.json")}, nil, nil), Config{})
	if err != nil || rep.Status != ingest.StatusSucceeded || rep.Nodes != 0 {
		t.Errorf("summarize rows: %v %+v", err, rep)
	}
}

func TestFailures(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	pages := paginate(fixtureBody(t, "ResourcesFacetQuery.json"), 2)
	if rep, err := run(t, st, server(t, pages, nil, nil), Config{}); err != nil || rep.Status != ingest.StatusSucceeded {
		t.Fatal(err)
	}
	// Page 2 fails (and keeps failing: no retries): partial, nothing
	// removed, the token never echoed.
	rep, err := run(t, st, server(t, pages, map[int]int{1: http.StatusInternalServerError}, nil), Config{MaxRetries: -1})
	if err != nil || rep.Status != ingest.StatusPartial || rep.Swept != nil || rep.KeptScopes != nil || len(rep.Errors) != 1 || rep.Errors[0].Scope != "" {
		t.Fatalf("page 2 failing: %v %+v, want partial and nothing swept: a page of all subscriptions belongs to none", err, rep)
	}
	if stats, _ := st.Stats(ctx); stats.Nodes[graph.KindCloudResource] != 5 {
		t.Errorf("a partial run lost resources: %+v", stats)
	}
	if b, _ := json.Marshal(rep); strings.Contains(string(b), testToken) {
		t.Errorf("the report holds the token: %s", b)
	}
	// A result truncated with no $skipToken is missing rows: partial,
	// nothing removed.
	truncated := maps.Clone(pages[0])
	truncated["resultTruncated"] = "true"
	delete(truncated, "$skipToken")
	rep, err = run(t, st, server(t, []map[string]any{truncated}, nil, nil), Config{})
	if err != nil || rep.Status != ingest.StatusPartial || rep.Swept != nil || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Err, "truncated") {
		t.Fatalf("truncated: %v %+v", err, rep)
	}
	if stats, _ := st.Stats(ctx); stats.Nodes[graph.KindCloudResource] != 5 {
		t.Errorf("a truncated result lost resources: %+v", stats)
	}
	// Page 1 fails: the run failed.
	rep, err = run(t, st, server(t, pages, map[int]int{0: http.StatusForbidden}, nil), Config{})
	if err == nil || rep.Status != ingest.StatusFailed || !strings.Contains(rep.Err, "HTTP 403") || strings.Contains(rep.Err, testToken) {
		t.Fatalf("page 1 failing: %v %+v", err, rep)
	}
	for _, cfg := range []Config{{Subscriptions: []string{"not-a-guid"}, Credential: StaticToken("x")}, {Endpoint: "http://management.azure.com", Credential: StaticToken("x")}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted a bad subscription or a plain-http endpoint", cfg)
		}
	}
}

// TestThrottled: Resource Graph throttles with 429 and Retry-After; the
// SDK's retry policy waits and asks again.
func TestThrottled(t *testing.T) {
	st := openStore(t)
	body := fixtureBody(t, "ResourcesBasicQuery.json")
	calls := 0
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":{"code":"RateLimiting","message":"Please provide below info when asking for support"}}`, http.StatusTooManyRequests)
			return
		}
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	rep, err := run(t, st, srv, Config{})
	// Three calls: the throttled one, its retry, the subscriptions query
	// (answered with resource rows, which name no subscription).
	if err != nil || rep.Status != ingest.StatusSucceeded || calls != 3 || rep.Nodes != 4 {
		t.Fatalf("%v %+v after %d calls, want success after one retry (3 resources + 1 subscription)", err, rep, calls)
	}
}

// TestTokenNeverLeaks fails pages with a server that echoes the token in
// its error body, and looks for the token wherever a user could see it:
// logs, reports, errors, the export.
func TestTokenNeverLeaks(t *testing.T) {
	pages := paginate(fixtureBody(t, "ResourcesFacetQuery.json"), 2)
	ingesttest.SecretsNeverShow(t, func(log zerolog.Logger) []ingest.Source {
		var srcs []ingest.Source
		for _, fail := range []map[int]int{nil, {1: http.StatusInternalServerError}, {0: http.StatusUnauthorized}} {
			srv := server(t, pages, fail, nil)
			src, err := New(Config{Endpoint: srv.URL, Client: srv.Client(), Credential: StaticToken(testToken), MaxRetries: -1, Logger: log})
			if err != nil {
				t.Fatal(err)
			}
			srcs = append(srcs, src)
		}
		return srcs
	}, []string{testToken}, "partial", "HTTP 401")
}

func TestAudience(t *testing.T) {
	for endpoint, want := range map[string]string{
		DefaultEndpoint:                                "https://management.core.windows.net/",
		"https://management.chinacloudapi.cn/":         "https://management.core.chinacloudapi.cn/",
		"https://management.usgovcloudapi.net":         "https://management.core.usgovcloudapi.net/",
		"https://management.local.azurestack.external": "https://management.local.azurestack.external",
	} {
		if got := audience(endpoint); got != want {
			t.Errorf("audience(%s) = %q, want %q", endpoint, got, want)
		}
	}
}

// TestEnvironmentToken: without a credential, AZURE_ACCESS_TOKEN is the token.
func TestEnvironmentToken(t *testing.T) {
	t.Setenv("AZURE_ACCESS_TOKEN", testToken)
	srv := server(t, []map[string]any{fixtureBody(t, "ResourcesBasicQuery.json")}, nil, nil)
	src, err := New(Config{Endpoint: srv.URL, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := ingest.Run(context.Background(), openStore(t), src, ingest.Options{}); err != nil || rep.Status != ingest.StatusSucceeded || rep.Nodes != 4 {
		t.Errorf("%v %+v", err, rep)
	}
}

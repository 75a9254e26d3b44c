package gcp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/ingesttest"
)

const searchToken = "ya29.gcp-search-test-token-c2VjcmV0"

// searchResults turns the fixture export into searchAllResources results
// (ResourceSearchResult: camelCase, the project by number, labels and
// createTime flattened), the REST shape of
// https://cloud.google.com/asset-inventory/docs/reference/rest/v1/TopLevel/searchAllResources.
// No official example response is published; the assets are the fixture's.
func searchResults(t *testing.T) []map[string]any {
	t.Helper()
	f, err := os.Open(export)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a Asset
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil || a.Resource == nil {
			continue
		}
		d := a.Resource.Data
		r := map[string]any{"name": a.Name, "assetType": a.AssetType, "parentFullResourceName": a.Resource.Parent}
		project := ""
		if m := projectInName.FindStringSubmatch(a.Resource.Parent); m != nil {
			project = m[1]
		}
		for _, anc := range a.Ancestors {
			if p, ok := strings.CutPrefix(anc, "projects/"); ok && project == "" {
				project = p
			}
		}
		if a.AssetType == "cloudresourcemanager.googleapis.com/Project" {
			project = strings.Trim(string(d.ProjectNumber), `"`)
			r["additionalAttributes"] = map[string]any{"projectId": d.ProjectID}
		}
		if project != "" {
			r["project"] = "projects/" + project
		}
		r["displayName"] = d.DisplayName
		if d.DisplayName == "" {
			r["displayName"] = d.Name
		}
		if loc := a.Resource.Location + d.Location; loc != "" {
			r["location"] = loc
		}
		if len(d.Labels) > 0 {
			r["labels"] = d.Labels
		}
		for _, ts := range []string{d.CreationTimestamp, d.TimeCreated, d.CreateTime} {
			if ts != "" {
				r["createTime"] = ts
				break
			}
		}
		out = append(out, r)
	}
	return out
}

// searchServer serves results in pages of size (the pageSize asked, which
// must be the one configured), under scope; failPage, when not 0, answers
// that page with Google's PERMISSION_DENIED error.
func searchServer(t *testing.T, scope string, results []map[string]any, size, failPage int) *httptest.Server {
	return scopesServer(t, map[string]searched{scope: {results, failPage}}, size)
}

// searched is what scopesServer answers one scope's search with; failPage
// -1 fails the first page.
type searched struct {
	results  []map[string]any
	failPage int
}

// scopesServer serves each scope's search as searchServer does.
func scopesServer(t *testing.T, scopes map[string]searched, size int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scope, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/v1/"), ":searchAllResources")
		sr, known := scopes[scope]
		if r.Method != http.MethodGet || !ok || !known || r.URL.Query().Get("pageSize") != strconv.Itoa(size) {
			http.Error(w, "unexpected request "+r.URL.String(), http.StatusNotFound)
			return
		}
		results, failPage := sr.results, sr.failPage
		if r.Header.Get("Authorization") != "Bearer "+searchToken {
			http.Error(w, `{"error":{"code":401,"status":"UNAUTHENTICATED"}}`, http.StatusUnauthorized)
			return
		}
		page := 0
		if tok := r.URL.Query().Get("pageToken"); tok != "" {
			page, _ = strconv.Atoi(strings.TrimPrefix(tok, "page-"))
		}
		if failPage != 0 && page == max(failPage, 0) {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `{"error":{"code":403,"message":"The caller does not have permission (token %s)","status":"PERMISSION_DENIED"}}`, searchToken)
			return
		}
		body := map[string]any{"results": results[page*size : min((page+1)*size, len(results))]}
		if (page+1)*size < len(results) {
			body["nextPageToken"] = fmt.Sprintf("page-%d", page+1)
		}
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// resourcesOf is what a user sees of each cloud resource.
func resourcesOf(t *testing.T, st *embedded.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	st.ScanNodes(context.Background(), func(n *graph.Node) error {
		if n.Kind == graph.KindCloudResource || n.Kind == graph.KindCloudAccount {
			out[string(n.Kind)+" "+n.Key] = fmt.Sprintf("name=%s account=%v region=%v type=%v created=%v registered=%v labels=%v",
				n.Name, n.Props["account"], n.Props["region"], n.Props["type"], n.Props["createdAt"], n.Props["registered"], n.Labels)
		}
		return nil
	})
	return out
}

func TestSearchAllResources(t *testing.T) {
	ctx := context.Background()
	results := searchResults(t)
	if len(results) != 133 {
		t.Fatalf("%d results from the fixture, want 133", len(results))
	}
	token := func(context.Context) (string, error) { return searchToken, nil }

	fromExport := openStore(t)
	ingestExport(t, fromExport, Config{Exports: []string{export}, Registered: []string{"project1"}})
	want := resourcesOf(t, fromExport)

	for _, size := range []int{50, 500} {
		t.Run(fmt.Sprintf("pages of %d", size), func(t *testing.T) {
			srv := searchServer(t, "organizations/111222333", results, size, 0)
			st := openStore(t)
			rep := ingestExport(t, st, Config{Scopes: []string{"organizations/111222333"}, Endpoint: srv.URL, PageSize: size,
				Registered: []string{"project1"}, Token: token})
			if rep.Status != ingest.StatusSucceeded {
				t.Fatalf("%+v", rep)
			}
			got := resourcesOf(t, st)
			if len(got) != 127 || len(got) != len(want) {
				t.Errorf("%d resources and projects from search, %d from the export; want 123 + 4", len(got), len(want))
			}
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s\n search: %s\n export: %s", k, got[k], w)
				}
			}
			inst, _ := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: "//compute.googleapis.com/projects/project1/zones/us-central1-c/instances/iap_instance1"})
			if inst == nil || inst.Assertions[0].Evidence != "gcp asset search organizations/111222333" {
				t.Errorf("instance %+v, want the search as evidence", inst)
			}
		})
	}

	t.Run("a failing page", func(t *testing.T) {
		st := openStore(t)
		ingestExport(t, st, Config{Exports: []string{export}})
		srv := searchServer(t, "folders/1031", results, 50, 2)
		rep := ingestExport(t, st, Config{Scopes: []string{"folders/1031"}, Endpoint: srv.URL, PageSize: 50, Token: token})
		if rep.Status != ingest.StatusPartial || len(rep.Errors) != 1 || rep.Errors[0].Item != "gcp search folders/1031" ||
			!strings.Contains(rep.Errors[0].Err, "HTTP 403 PERMISSION_DENIED") || rep.Swept != nil || rep.Errors[0].Scope != "" {
			t.Fatalf("%+v, want partial naming the scope and Google's status, nothing swept: a folder's projects are unknown", rep)
		}
		if b, _ := json.Marshal(rep); strings.Contains(string(b), searchToken) {
			t.Errorf("the report holds the token: %s", b)
		}
		if stats, _ := st.Stats(ctx); stats.Nodes[graph.KindCloudResource] != 123 {
			t.Errorf("a partial run lost resources: %+v", stats.Nodes)
		}
	})

	t.Run("bad scopes", func(t *testing.T) {
		for _, sc := range []string{"project1", "projects/", "organizations/1/extra", "buckets/b"} {
			if _, err := New(Config{Scopes: []string{sc}}); err == nil || !strings.Contains(err.Error(), sc) {
				t.Errorf("New(scope %q) = %v, want an error naming it", sc, err)
			}
		}
	})
}

// TestTokenNeverLeaks: a search page fails with an error body that echoes
// the token, an export URL refuses it; the token is nowhere a user could
// see it — logs, reports, errors, the export.
func TestTokenNeverLeaks(t *testing.T) {
	results := searchResults(t)
	token := func(context.Context) (string, error) { return searchToken, nil }
	ingesttest.SecretsNeverShow(t, func(log zerolog.Logger) []ingest.Source {
		var srcs []ingest.Source
		for _, cfg := range []Config{
			{Scopes: []string{"projects/project1"}, Endpoint: searchServer(t, "projects/project1", results, 50, 1).URL, PageSize: 50},
			{Exports: []string{searchServer(t, "projects/project1", results, 50, 0).URL + "/export.jsonl?token=" + searchToken}},
			{Exports: []string{"http://127.0.0.1:1/export.jsonl?X-Goog-Signature=" + searchToken}}, // nothing listens
		} {
			cfg.Token, cfg.Logger = token, log
			src, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			srcs = append(srcs, src)
		}
		return srcs
	}, []string{searchToken}, "partial", "HTTP 404")
}

// TestEnvironmentToken: without a token function, GOOGLE_OAUTH_ACCESS_TOKEN is the token.
func TestEnvironmentToken(t *testing.T) {
	t.Setenv("GOOGLE_OAUTH_ACCESS_TOKEN", searchToken)
	srv := searchServer(t, "projects/project1", searchResults(t), 500, 0)
	rep := ingestExport(t, openStore(t), Config{Scopes: []string{"projects/project1"}, Endpoint: srv.URL})
	if rep.Status != ingest.StatusSucceeded || rep.Nodes != 127 {
		t.Errorf("%+v", rep)
	}
}

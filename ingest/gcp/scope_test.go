package gcp

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
)

// projectsOf maps each resource of the fixture export, and each project
// asset, to the project the export ingest puts it in.
func projectsOf(t *testing.T) map[string]string {
	t.Helper()
	st := openStore(t)
	ingestExport(t, st, Config{Exports: []string{export}})
	out := map[string]string{}
	st.ScanNodes(context.Background(), func(n *graph.Node) error {
		if p, ok := n.Props["account"].(string); ok && n.Kind == graph.KindCloudResource {
			out[n.Key] = p
		}
		return nil
	})
	return out
}

// checkScoped checks a run in which the part in scope failed while another
// part no longer held gone: partial, that scope alone kept, gone swept, and
// the failed part's resources (want of them) still there.
func checkScoped(t *testing.T, st *embedded.Store, rep *ingest.Report, scope, gone string, kept []string) {
	t.Helper()
	ctx := context.Background()
	if rep.Status != ingest.StatusPartial || len(rep.Errors) != 1 || rep.Errors[0].Scope != scope || !slices.Equal(rep.KeptScopes, []string{scope}) {
		t.Fatalf("%+v, want partial with %s kept", rep, scope)
	}
	if rep.Swept == nil || rep.Swept.NodesRemoved != 1 {
		t.Errorf("swept %+v, want the one resource gone from the part that was read", rep.Swept)
	}
	if n, _ := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: gone}); n != nil {
		t.Errorf("%s is still there", gone)
	}
	for _, k := range kept {
		if n, _ := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: k}); n == nil {
			t.Errorf("%s of the failed part was removed", k)
		}
	}
}

// TestSearchScopes: each project searched is a scope; one whose search
// fails keeps its resources while a resource gone from another is swept.
func TestSearchScopes(t *testing.T) {
	projects := projectsOf(t)
	byProject := map[string][]map[string]any{}
	var kept []string
	for _, r := range searchResults(t) {
		name := r["name"].(string)
		p := projects[name]
		if attrs, ok := r["additionalAttributes"].(map[string]any); ok {
			p = attrs["projectId"].(string)
		}
		byProject[p] = append(byProject[p], r)
		if p == "project1" && projects[name] != "" {
			kept = append(kept, name)
		}
	}
	if len(byProject["project1"]) < 10 || len(byProject["project2"]) < 10 {
		t.Fatalf("project1 %d, project2 %d results: the fixture changed", len(byProject["project1"]), len(byProject["project2"]))
	}
	token := func(context.Context) (string, error) { return searchToken, nil }
	cfg := Config{Scopes: []string{"projects/project1", "projects/project2"}, PageSize: 10, Token: token}
	st := openStore(t)
	cfg.Endpoint = scopesServer(t, map[string]searched{"projects/project1": {byProject["project1"], 0}, "projects/project2": {byProject["project2"], 0}}, 10).URL
	if rep := ingestExport(t, st, cfg); rep.Status != ingest.StatusSucceeded {
		t.Fatalf("%+v", rep)
	}
	p2 := byProject["project2"]
	gone := p2[len(p2)-1]["name"].(string)
	cfg.Endpoint = scopesServer(t, map[string]searched{"projects/project1": {byProject["project1"], 1}, "projects/project2": {p2[:len(p2)-1], 0}}, 10).URL
	checkScoped(t, st, ingestExport(t, st, cfg), "gcp/project1", gone, kept)
}

// TestExportScopes: each export file is a scope; one that cannot be read
// keeps its resources while a resource gone from another is swept.
func TestExportScopes(t *testing.T) {
	projects := projectsOf(t)
	f, err := os.Open(export)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// One file holds project1 and the hierarchy, the other the rest.
	var one, rest []string
	var kept []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a Asset
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		p := projects[a.Name]
		if a.AssetType == "cloudresourcemanager.googleapis.com/Project" {
			p = a.Resource.Data.ProjectID
		}
		switch p {
		case "project1", "":
			one = append(one, sc.Text())
			if p != "" && projects[a.Name] != "" {
				kept = append(kept, a.Name)
			}
		default:
			rest = append(rest, sc.Text())
		}
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "project1.jsonl"), filepath.Join(dir, "rest.jsonl")
	write := func(path string, lines []string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(a, one)
	write(b, rest)
	st := openStore(t)
	cfg := Config{Exports: []string{a, b}}
	if rep := ingestExport(t, st, cfg); rep.Status != ingest.StatusSucceeded {
		t.Fatalf("%+v", rep)
	}
	if stats, _ := st.Stats(context.Background()); stats.Nodes[graph.KindCloudResource] != 123 {
		t.Fatalf("%d resources from the two files, want the fixture's 123", stats.Nodes[graph.KindCloudResource])
	}
	var gone string
	for i := len(rest) - 1; gone == ""; i-- {
		var a Asset
		json.Unmarshal([]byte(rest[i]), &a)
		if projects[a.Name] != "" {
			gone, rest = a.Name, slices.Delete(rest, i, i+1)
		}
	}
	write(b, rest)
	if err := os.Remove(a); err != nil {
		t.Fatal(err)
	}
	checkScoped(t, st, ingestExport(t, st, cfg), graph.PathScope("export", a), gone, kept)
}

func TestSearchScope(t *testing.T) {
	ids := map[string]string{"1043": "project3"}
	for scope, want := range map[string]string{
		"projects/project1": "gcp/project1", "projects/1043": "gcp/project3",
		"projects/999": "", "folders/1031": "", "organizations/111222333": "",
	} {
		if got := searchScope(scope, ids); got != want {
			t.Errorf("searchScope(%s) = %q, want %q", scope, got, want)
		}
	}
}

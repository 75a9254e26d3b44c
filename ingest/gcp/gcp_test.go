package gcp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/cloudtags"
)

const export = "testdata/forseti__mock_cai_resources.dump.jsonl"

func openStore(t *testing.T) *embedded.Store {
	st, err := embedded.Open(context.Background(), t.TempDir(), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func ingestExport(t *testing.T, st *embedded.Store, cfg Config) *ingest.Report {
	t.Helper()
	cfg.Resolve = cloudtags.StoreResolver(st.Resolve)
	src, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ingest.Run(context.Background(), st, src, ingest.Options{})
	if err != nil {
		t.Fatalf("%v %+v", err, rep)
	}
	return rep
}

func TestExportOverHTTP(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer gcp-test-token" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Write(data)
	}))
	defer srv.Close()
	st := openStore(t)
	rep := ingestExport(t, st, Config{Exports: []string{srv.URL + "/bucket/export.jsonl"}, Registered: []string{"project1"},
		Token: func(context.Context) (string, error) { return "gcp-test-token", nil }})
	if rep.Status != ingest.StatusSucceeded {
		t.Fatalf("status %s %+v", rep.Status, rep.Errors)
	}
	stats, _ := st.Stats(ctx)
	// 133 assets: the organization, 3 folders, 4 projects and 2 billing
	// accounts are not resources; the 4 projects are the accounts.
	if stats.Nodes[graph.KindCloudResource] != 123 || stats.Nodes[graph.KindCloudAccount] != 4 {
		t.Errorf("stats %+v, want 123 resources in 4 projects", stats)
	}
	inst, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: "//compute.googleapis.com/projects/project1/zones/us-central1-c/instances/iap_instance1"})
	if err != nil || inst.Name != "iap_instance1" || inst.Props["region"] != "us-central1" || inst.Props["account"] != "project1" ||
		inst.Props["type"] != "compute.googleapis.com/Instance" || inst.Props["createdAt"] != "2017-05-27T05:08:11.094Z" {
		t.Errorf("instance = %+v (%v)", inst, err)
	}
	// An instance is found by its IP addresses; one address two instances
	// have (10.138.0.2, in two projects) names both, for the caller to
	// choose from.
	const inst1, inst3 = "//compute.googleapis.com/projects/project1/zones/us-central1-c/instances/iap_instance1",
		"//compute.googleapis.com/projects/project2/zones/us-west1-a/instances/instance3"
	for ip, want := range map[string][]string{"192.168.1.2": {inst1}, "10.138.0.3": {"//compute.googleapis.com/projects/project1/zones/us-central1-c/instances/iap_instance2"},
		"10.138.0.2": {inst1, inst3}} {
		ns, err := st.Resolve(ctx, ip, nil)
		var got []string
		for _, n := range ns {
			got = append(got, n.Key)
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Resolve(%s) = %q, %v; want %q", ip, got, err, want)
		}
	}
	// bucket1 names its project by number (1043): mapped to the project id.
	bucket, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: "//storage.googleapis.com/bucket1"})
	if err != nil || bucket.Props["account"] != "project3" || bucket.Props["region"] != "us" {
		t.Errorf("bucket = %+v (%v)", bucket, err)
	}
	p1, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudAccount, Key: "gcp:project1"})
	if err != nil || p1.Props["registered"] != true || p1.Name != "Project 1" {
		t.Errorf("project1 = %+v (%v)", p1, err)
	}
	p2, _ := st.Node(ctx, graph.Ref{Kind: graph.KindCloudAccount, Key: "gcp:project2"})
	if p2 == nil || p2.Props["registered"] != false {
		t.Errorf("project2 = %+v, want discovered-only", p2)
	}
}

func TestBadExports(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	dir := t.TempDir()
	data, _ := os.ReadFile(export)
	bad := filepath.Join(dir, "export.jsonl")
	os.WriteFile(bad, append(append([]byte{}, data...), []byte("{not json\n")...), 0o644)
	rep := ingestExport(t, st, Config{Exports: []string{bad}})
	if rep.Status != ingest.StatusPartial || len(rep.Errors) != 1 || rep.Errors[0].Item != bad+":134" || rep.Errors[0].Scope != graph.PathScope("export", bad) {
		t.Fatalf("malformed line: %+v", rep)
	}
	if stats, _ := st.Stats(ctx); stats.Nodes[graph.KindCloudResource] != 123 {
		t.Errorf("the good lines were not kept: %+v", stats)
	}
	src, _ := New(Config{Exports: []string{filepath.Join(dir, "missing.jsonl")}})
	if rep, err := ingest.Run(ctx, st, src, ingest.Options{}); err == nil || rep.Status != ingest.StatusFailed {
		t.Errorf("missing export: %v %+v", err, rep)
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New without exports succeeded")
	}
}

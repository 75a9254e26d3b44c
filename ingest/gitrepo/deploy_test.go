package gitrepo

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
)

// TestMonorepoDeploymentsAndAddresses ingests a real git monorepo into a
// store: skaffold artifacts and a Terraform root become applications, a
// deploy job's environment lands on the application it deploys, and
// service addresses in environment variables become DEPENDS_ON with the
// file and line as evidence; an address naming nothing is a warning.
func TestMonorepoDeploymentsAndAddresses(t *testing.T) {
	r := newRepo(t)
	r.git("", "", "remote", "add", "origin", "https://github.com/acme/mono.git")
	r.commit("Alice", "alice@acme.example", map[string]string{
		"skaffold.yaml": "apiVersion: skaffold/v4beta11\nkind: Config\nbuild:\n  artifacts:\n" +
			"    - image: ghcr.io/acme/orders-api\n      context: services/orders\n" +
			"    - image: ghcr.io/acme/storefront\n      context: services/web\n",
		"services/orders/Dockerfile": "FROM golang:1.26\n",
		"services/web/Dockerfile":    "FROM node:22\n",
		"deploy/k8s/web.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: storefront\nspec:\n  template:\n    spec:\n      containers:\n" +
			"        - name: web\n          env:\n            - name: ORDERS_URL\n              value: http://orders-api:8080\n" +
			"            - name: SEARCH_URL\n              value: http://search:9200\n",
		"infra/live/main.tf":            "terraform {\n  backend \"gcs\" {\n    bucket = \"acme-state\"\n  }\n}\n",
		"infra/modules/network/main.tf": "provider \"google\" {}\n",
		".github/workflows/release.yml": "on: {push: {tags: ['v*']}}\njobs:\n  release-orders:\n    runs-on: ubuntu-latest\n" +
			"    environment: production\n    steps:\n      - run: skaffold run -b orders-api\n",
	})
	ctx := context.Background()
	st, err := embedded.Open(ctx, t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	src, err := New(Config{Target: r.dir, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ingest.Run(ctx, st, src, ingest.Options{Now: func() time.Time { return now }})
	if err != nil || rep.Status != ingest.StatusSucceeded {
		t.Fatalf("run %s %v %+v", rep.Status, err, rep.Errors)
	}

	app := func(key string) graph.Ref { return graph.Ref{Kind: graph.KindApplication, Key: key} }
	for _, w := range []struct {
		key, typ, envs string
	}{
		{"orders-api", "container", "production"},
		{"storefront", "container", ""},
		{"mono/infra/live", "infrastructure", ""},
	} {
		n, err := st.Node(ctx, app(w.key))
		if err != nil {
			t.Errorf("application %s: %v", w.key, err)
			continue
		}
		envs, _ := n.Props["environments"].([]string)
		if n.Props["type"] != w.typ || strings.Join(envs, " ") != w.envs {
			t.Errorf("%s: type %v, environments %q; want %s, %q", w.key, n.Props["type"], envs, w.typ, w.envs)
		}
	}
	for _, gone := range []string{"mono/orders", "mono/web", "mono/infra/modules/network"} {
		if _, err := st.Node(ctx, app(gone)); graph.CodeOf(err) != graph.CodeNotFound {
			t.Errorf("%s exists (%v); a named unit of the same directory, or a module, is not an application of its own", gone, err)
		}
	}
	dep := graph.EdgeInput{Type: graph.RelDependsOn, From: app("storefront"), To: app("orders-api")}
	es, err := st.Edges(ctx, []graph.ID{dep.ID()})
	if err != nil || len(es) != 1 {
		t.Fatalf("storefront DEPENDS_ON orders-api: %v %v", es, err)
	}
	const evidence = "github.com/acme/mono/deploy/k8s/web.yaml:12 Deployment storefront env ORDERS_URL → orders-api"
	if a := es[0].Assertions[0]; a.Confidence != graph.Inferred || a.Evidence != evidence {
		t.Errorf("DEPENDS_ON asserted %s %q, want INFERRED %q", a.Confidence, a.Evidence, evidence)
	}
	builds := graph.EdgeInput{Type: graph.RelBuilds, From: graph.Ref{Kind: graph.KindRepository, Key: "github.com/acme/mono"}, To: app("storefront")}
	if es, err := st.Edges(ctx, []graph.ID{builds.ID()}); err != nil || len(es) != 1 || es[0].Props["path"] != "services/web" ||
		es[0].Assertions[0].Evidence != "github.com/acme/mono/skaffold.yaml:7 build.artifacts.image: ghcr.io/acme/storefront; github.com/acme/mono/deploy/k8s/web.yaml:4 Deployment storefront" {
		t.Errorf("BUILDS storefront: %+v %v; want path services/web with the skaffold and Deployment evidence", es, err)
	}
	var warnings []string
	for _, w := range rep.Warnings {
		warnings = append(warnings, w.Item+": "+w.Err)
	}
	if !slices.ContainsFunc(warnings, func(w string) bool {
		return strings.Contains(w, "deploy/k8s/web.yaml:14: storefront depends on search (env SEARCH_URL), which this repository does not build")
	}) {
		t.Errorf("no warning for the unknown search address in %q", warnings)
	}
}

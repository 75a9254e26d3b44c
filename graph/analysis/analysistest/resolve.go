package analysistest

import (
	"errors"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

// resolvesTo checks that ref resolves to want: "Kind:key by resolution".
func resolvesTo(t *testing.T, s graph.Store, ref, want string) {
	t.Helper()
	r, err := analysis.Resolve(t.Context(), s, ref, nil)
	if err != nil || r.Subject == nil {
		t.Errorf("Resolve(%q) = %+v, %v; want %s", ref, r, err, want)
		return
	}
	same(t, ref, r.Subject.Ref().String()+" by "+r.By, want)
}

// Azure and Google Cloud references (the demo estate is on AWS): a child,
// a portal page, a node pool, an object.
func testCloudRefs(t *testing.T, h graphtest.Harness) {
	s := h(t)
	const site, cluster, bucket = "/subscriptions/0000/resourceGroups/web/providers/Microsoft.Web/sites/shop",
		"//container.googleapis.com/projects/acme/locations/europe-west1/clusters/prod", "//storage.googleapis.com/acme-ml-models"
	var nodes []graph.NodeInput
	for _, k := range []string{site, cluster, bucket} {
		nodes = append(nodes, graph.NodeInput{Kind: graph.KindCloudResource, Key: k})
	}
	graphtest.MustApply(t, s, graph.Batch{Source: "src", Run: "r1", At: DemoAt, Nodes: nodes})
	for ref, want := range map[string]string{
		// Azure's ids are case-insensitive.
		"/subscriptions/0000/resourcegroups/WEB/providers/microsoft.web/sites/shop/slots/staging": "CloudResource:" + site + " by " + analysis.ByCloudPart,
		"https://portal.azure.com/#@acme.onmicrosoft.com/resource" + site + "/overview":           "CloudResource:" + site + " by " + analysis.ByCloudURL,
		cluster + "/nodePools/default":     "CloudResource:" + cluster + " by " + analysis.ByCloudPart,
		"gs://acme-ml-models/v3/model.bin": "CloudResource:" + bucket + " by " + analysis.ByCloudPart,
	} {
		resolvesTo(t, s, ref, want)
	}
	// Asked for another kind, the error names the resource.
	slot := site + "/slots/staging"
	if _, err := analysis.Resolve(t.Context(), s, slot, []graph.Kind{graph.KindApplication}); !errors.Is(err, graph.ErrInvalid) || !strings.Contains(err.Error(), "CloudResource:"+site) {
		t.Errorf("Resolve(%q, Application): %v; want INVALID_INPUT naming the site", slot, err)
	}
}

// Links into repositories as GitHub, GitLab (nested groups), Bitbucket and
// Gitea make them, into monorepos built from nested and shared
// directories.
func testLinks(t *testing.T, h graphtest.Harness) {
	s := h(t)
	repo := func(key string) graph.NodeInput { return graph.NodeInput{Kind: graph.KindRepository, Key: key} }
	var nodes []graph.NodeInput
	var edges []graph.EdgeInput
	builds := func(repo, app, dir string) {
		nodes = append(nodes, graph.NodeInput{Kind: graph.KindApplication, Key: app})
		e := graph.EdgeInput{Type: graph.RelBuilds, From: graph.Ref{Kind: graph.KindRepository, Key: repo}, To: graph.Ref{Kind: graph.KindApplication, Key: app}}
		if dir != "" {
			e.Props = map[string]any{"path": dir}
		}
		edges = append(edges, e)
	}
	const ledger, mono = "gitlab.example.com/platform/payments/ledger", "github.com/acme/mono"
	nodes = append(nodes, repo(ledger), repo("git.example.com/ops/deploy"), repo("bitbucket.org/acme/mobile"),
		repo("github.com/acme/tree"), repo(mono))
	builds(ledger, "ledger-api", "api")
	builds(ledger, "ledger-worker", "/worker/")
	builds("git.example.com/ops/deploy", "deployer", "cmd/deployer")
	builds(mono, "cart-worker", "services/cart/worker") // before the shallower one by key
	builds(mono, "storefront-cart", "services/cart")
	builds(mono, "shared-a", "libs/shared")
	builds(mono, "shared-b", "libs/shared")
	builds(mono, "docs-site", "docs/user guide")
	builds(mono, "whole", ".")
	graphtest.MustApply(t, s, graph.Batch{Source: "src", Run: "r1", At: DemoAt, Nodes: nodes, Edges: edges})

	app := func(key string) string { return "Application:" + key + " by " + analysis.ByPath }
	repoLink := func(key string) string { return "Repository:" + key + " by " + analysis.ByLink }
	for ref, want := range map[string]string{
		"https://gitlab.example.com/platform/payments/ledger/-/blob/main/api/handler.go": app("ledger-api"),
		"https://gitlab.example.com/platform/payments/ledger/-/merge_requests/7":         repoLink(ledger),
		"https://gitlab.example.com/platform/payments/ledger/-/tree/release/2.0/worker":  app("ledger-worker"),
		"https://git.example.com/ops/deploy/src/branch/main/cmd/deployer/main.go":        app("deployer"),
		"https://bitbucket.org/acme/mobile/src/4f2c1d0/README.md":                        repoLink("bitbucket.org/acme/mobile"),
		"https://bitbucket.org/acme/mobile/pull-requests/3":                              repoLink("bitbucket.org/acme/mobile"),
		"https://github.com/acme/tree/blob/main/x.go":                                    repoLink("github.com/acme/tree"),
		"https://github.com/acme/mono/blob/main/services/cart/worker/main.go":            app("cart-worker"),
		"https://github.com/acme/mono/blob/main/services/cart/api.go":                    app("storefront-cart"),
		"https://github.com/acme/mono/blob/main/libs/shared/x.go":                        repoLink(mono),
		"https://github.com/acme/mono/blob/main/docs/user%20guide/index.md":              app("docs-site"),
		"https://github.com/acme/mono/blob/main/go.mod":                                  repoLink(mono),
		"https://github.com/acme/mono/issues/5#issuecomment-1":                           repoLink(mono),
	} {
		resolvesTo(t, s, ref, want)
	}
	// A group is not a repository.
	if r, err := analysis.Resolve(t.Context(), s, "https://gitlab.example.com/platform/payments/-/tree/main", nil); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("link into a group: %+v, %v; want NOT_FOUND", r, err)
	}
	// Kinds apply: asked for repositories, a path names the repository;
	// asked for services, the error names what the link is.
	link := "https://gitlab.example.com/platform/payments/ledger/-/blob/main/api/handler.go"
	r, err := analysis.Resolve(t.Context(), s, link, []graph.Kind{graph.KindRepository})
	if err != nil || r.Subject == nil || r.Subject.Key != ledger {
		t.Errorf("Resolve(%q, Repository) = %+v, %v; want %s", link, r, err, ledger)
	}
	_, err = analysis.Resolve(t.Context(), s, link, []graph.Kind{graph.KindService})
	if !errors.Is(err, graph.ErrInvalid) || !strings.Contains(err.Error(), "Application:ledger-api") {
		t.Errorf("Resolve(%q, Service): %v; want INVALID_INPUT naming Application:ledger-api", link, err)
	}
}

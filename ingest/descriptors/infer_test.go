package descriptors

import (
	"sort"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

func TestInferMonorepo(t *testing.T) {
	files := map[string]string{
		"services/api/Dockerfile":         "FROM golang:1.26\n",
		"services/worker/Dockerfile":      "from alpine\n",
		"docs/Dockerfile":                 "# not really\n",
		"docker-compose.yml":              "services:\n  api:\n    build: ./services/api\n    depends_on: [db, worker]\n  worker:\n    build:\n      context: services/worker\n  db:\n    image: postgres:16\n",
		"charts/web/Chart.yaml":           "apiVersion: v2\nname: web\ndependencies:\n  - name: api\n  - name: redis\n",
		"deploy/k8s/cron.yaml":            "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly-report\n---\nkind: Service\nmetadata: {name: x}\n",
		"functions/serverless.yml":        "service: thumbnailer\nprovider: {name: aws}\n",
		"declared/catalog-info.yaml":      "",
		"declared/Dockerfile":             "FROM scratch\n",
		"node_modules/x/Dockerfile":       "FROM x\n",
		"charts/web/templates/dep.yaml":   "kind: Deployment\n",
		"services/api/kustomization.yaml": "resources: [deploy.yaml]\n",
	}
	in := NewInference("shop")
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		k, ok := Classify(p)
		if !ok || k == KindCatalog {
			continue
		}
		if strings.HasPrefix(p, "node_modules/") { // the walker skips these; Classify is by name only
			continue
		}
		in.Add(p, k, []byte(files[p]))
	}
	res := in.Result([]Build{{App: graph.Ref{Kind: graph.KindApplication, Key: "declared-app"}, Path: "declared"}})
	var apps []string
	for _, b := range res.Builds {
		apps = append(apps, b.App.Key+"@"+b.Path)
		if b.Confidence != graph.Inferred || b.Evidence == "" {
			t.Errorf("build %+v", b)
		}
	}
	sort.Strings(apps)
	want := "nightly-report@deploy/k8s shop/api@services/api shop/worker@services/worker thumbnailer@functions web@charts/web"
	if got := strings.Join(apps, " "); got != want {
		t.Errorf("apps %s\nwant %s", got, want)
	}
	deps := edgeSet(res.Edges)
	for _, w := range []string{"DEPENDS_ON Application:shop/api → Application:shop/worker", "DEPENDS_ON Application:web → Application:shop/api"} {
		if _, ok := deps[w]; !ok {
			t.Errorf("missing %s in %v", w, deps)
		}
	}
	if len(deps) != 2 {
		t.Errorf("deps %v", deps)
	}
	var msgs []string
	for _, p := range res.Problems {
		msgs = append(msgs, p.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, w := range []string{"depends on db (postgres:16)", "web depends on redis", "docs/Dockerfile"} {
		if !strings.Contains(all, w) {
			t.Errorf("problems lack %q:\n%s", w, all)
		}
	}
	for _, n := range res.Nodes {
		if _, err := graph.ValidateNodeInput(n); err != nil {
			t.Error(err)
		}
	}
}

func TestClassify(t *testing.T) {
	for p, want := range map[string]DescriptorKind{
		".github/CODEOWNERS": KindCodeowners, "docs/CODEOWNERS": KindCodeowners, ".gitlab/CODEOWNERS": KindCodeowners,
		"catalog-info.yaml": KindCatalog, "a/b/catalog-info.yml": KindCatalog, "Dockerfile.prod": KindDockerfile,
		"compose.yaml": KindCompose, "c/Chart.yaml": KindHelmChart, "k8s/app.yaml": KindK8sManifest,
		"skaffold.yaml": KindSkaffold, "svc/skaffold.yml": KindSkaffold, ".github/workflows/deploy.yml": KindGitHubCI,
		".gitlab-ci.yml": KindGitLabCI, "main.tf": KindTerraform, "infra/envs/prod/backend.tf": KindTerraform,
	} {
		if got, ok := Classify(p); !ok || got != want {
			t.Errorf("Classify(%q) = %q, %v", p, got, ok)
		}
	}
	for _, p := range []string{"src/CODEOWNERS", "README.md", "config.yaml", "chart/templates/x.yaml",
		"infra/modules/vpc/main.tf", "envs/prod/.terraform/modules/x/main.tf", "ci/.gitlab-ci.yml", ".github/actions/x/action.yml"} {
		if k, ok := Classify(p); ok {
			t.Errorf("Classify(%q) = %q", p, k)
		}
	}
}

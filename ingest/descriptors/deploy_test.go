package descriptors

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

// readRepo loads a testdata directory as a repository's descriptor files.
func readRepo(t *testing.T, dir string) []File {
	t.Helper()
	var files []File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if _, ok := Classify(rel); !ok {
			return nil
		}
		b, err := os.ReadFile(p)
		files = append(files, File{Path: rel, Data: b})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestInferDeployables: skaffold artifacts, Terraform roots, CI deploy jobs
// and dependencies named in environment variables, each from a small
// repository under testdata/infer.
func TestInferDeployables(t *testing.T) {
	for _, tc := range []struct {
		dir string
		// apps: "key@path type [environments]"
		apps []string
		// edges: "from → to: evidence"
		edges []string
		// problems: "file:line: message" (each must be reported; none
		// means none may be)
		problems []string
		// evidence: "key: text the application's evidence contains"
		evidence []string
		// absent: text no problem may contain
		absent []string
		// states: the Terraform state aliases the repository gets
		states []string
	}{
		{
			dir: "skaffold",
			apps: []string{
				"orders-api@services/orders container []",
				"payments-worker@services/payments container []",
			},
			problems: []string{"skaffold.yaml:13: skaffold artifact without an image name"},
		},
		{
			dir: "terraform",
			apps: []string{
				"shop/infra/envs/dev@infra/envs/dev infrastructure []",
				"shop/infra/envs/prod@infra/envs/prod infrastructure []",
				"shop/infra/envs/staging@infra/envs/staging infrastructure []",
				"shop/infra/global@infra/global infrastructure []",
			},
			problems: []string{"infra/broken/main.tf: invalid HCL"},
			// dev's backend is configured at init: no location to record.
			states: []string{
				"terraform-state:s3://acme-tfstate/prod/terraform.tfstate",
				"terraform-state:s3://acme-tfstate/staging/terraform.tfstate",
			},
		},
		{
			dir: "actions",
			apps: []string{
				"shop/api@services/api container [production]",
				"shop/web@services/web container [staging]",
			},
			problems: []string{".github/workflows/deploy.yml:30: job smoke deploys to environment production, but names no directory or name of an application"},
			evidence: []string{
				"shop/api: shop/services/api/Dockerfile; shop/.github/workflows/deploy.yml:14 deploy-api.environment: production",
				"shop/web: shop/.github/workflows/deploy.yml:21 deploy-web.environment: staging",
			},
		},
		{
			// A deploy job may deploy what a catalog-info.yaml declares.
			dir: "declared",
			apps: []string{
				"payments-api@services/api service [production]",
				"shop/web@services/web container []",
			},
		},
		{
			dir: "gitlab",
			apps: []string{
				"orders@charts/orders helm-chart [production]",
				"thumbnails@functions serverless [production]",
			},
			evidence: []string{
				"orders: shop/.gitlab-ci.yml:9 deploy_orders.environment: production",
				"thumbnails: shop/.gitlab-ci.yml:15 deploy_thumbnails.environment: production",
			},
		},
		{
			dir: "envdeps",
			apps: []string{
				"billing@deploy/k8s kubernetes []",
				"invoices@deploy/k8s kubernetes []",
				"shop/orders@orders container []",
				"shop/web@web container []",
			},
			edges: []string{
				"billing → invoices: shop/deploy/k8s/billing.yaml:15 Deployment billing env INVOICES_URL → invoices-svc",
				"invoices → billing: shop/deploy/k8s/invoices-config.yaml:6 ConfigMap invoices-config data.BILLING_ADDR → billing (used by Deployment invoices)",
				"shop/orders → shop/web: shop/docker-compose.yml:13 services.orders.environment.WEB_HOST → web",
				"shop/web → shop/orders: shop/docker-compose.yml:5 services.web.environment.ORDERS_URL → orders",
			},
			problems: []string{
				"docker-compose.yml:6: service web names db in environment DATABASE_URL, which this repository does not build (postgres:16)",
				"docker-compose.yml:7: web depends on payments (environment PAYMENTS_ADDR), which this repository does not build",
				"deploy/k8s/billing.yaml:17: billing depends on rabbitmq (env QUEUE_URL), which this repository does not build",
				"deploy/k8s/invoices-config.yaml:7: invoices depends on audit (ConfigMap invoices-config AUDIT_URL), which this repository does not build",
			},
			// A ConfigMap no workload uses names nothing anyone depends on.
			absent: []string{"nowhere"},
		},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			node := graph.NodeInput{Kind: graph.KindRepository, Key: "shop", Name: "shop", Aliases: []string{"acme/shop"},
				Confidence: graph.Declared, Evidence: "GitHub API GET /orgs/acme/repos acme/shop"}
			repo := node.Ref()
			res := Analyze(Repo{Node: node, Name: "shop"}, readRepo(t, filepath.Join("testdata", "infer", tc.dir)), AnalyzeOptions{})
			var apps []string
			for _, n := range res.Nodes {
				if _, err := graph.ValidateNodeInput(n); err != nil {
					t.Errorf("invalid node: %v", err)
				}
				if n.Kind != graph.KindApplication {
					continue
				}
				path := ""
				for _, b := range res.Builds {
					if b.App == n.Ref() {
						path = b.Path
					}
				}
				envs, _ := n.Props["environments"].([]string)
				apps = append(apps, fmt.Sprint(n.Key, "@", path, " ", n.Props["type"], " [", strings.Join(envs, " "), "]"))
				if n.Confidence != graph.Inferred && !strings.Contains(n.Evidence, "catalog-info.yaml") || !strings.HasPrefix(n.Evidence, "shop/") {
					t.Errorf("%s: confidence %s, evidence %q; want INFERRED with the file", n.Key, n.Confidence, n.Evidence)
				}
			}
			for _, w := range tc.evidence {
				key, text, _ := strings.Cut(w, ": ")
				i := slices.IndexFunc(res.Nodes, func(n graph.NodeInput) bool { return n.Key == key })
				if i < 0 || !strings.Contains(res.Nodes[i].Evidence, text) {
					t.Errorf("evidence of %s lacks %q", key, text)
				}
			}
			var states []string
			for _, n := range res.Nodes {
				if n.Ref() == repo {
					// Listed again for its aliases, the repository keeps
					// the caller's evidence, confidence and aliases.
					states = append(states, slices.DeleteFunc(slices.Clone(n.Aliases), func(a string) bool { return a == "acme/shop" })...)
					if n.Evidence != node.Evidence || n.Confidence != node.Confidence || !slices.Contains(n.Aliases, "acme/shop") || n.Name != node.Name {
						t.Errorf("repository listed as %+v, want the caller's node %+v with state aliases", n, node)
					}
				}
			}
			if !slices.Equal(states, tc.states) {
				t.Errorf("state aliases %q, want %q", states, tc.states)
			}
			slices.Sort(apps)
			if !slices.Equal(apps, tc.apps) {
				t.Errorf("applications:\n got %q\nwant %q", apps, tc.apps)
			}
			var edges []string
			for _, e := range res.Edges {
				if _, err := graph.ValidateEdge(e); err != nil {
					t.Errorf("invalid relationship: %v", err)
				}
				if e.Type == graph.RelDependsOn {
					if e.Confidence != graph.Inferred {
						t.Errorf("%s → %s is %s, want INFERRED", e.From.Key, e.To.Key, e.Confidence)
					}
					edges = append(edges, e.From.Key+" → "+e.To.Key+": "+e.Evidence)
				}
			}
			slices.Sort(edges)
			if !slices.Equal(edges, tc.edges) {
				t.Errorf("DEPENDS_ON:\n got %q\nwant %q", edges, tc.edges)
			}
			var problems []string
			for _, p := range res.Problems {
				problems = append(problems, p.Error())
			}
			if len(tc.problems) == 0 && len(problems) > 0 {
				t.Errorf("unexpected problems:\n%s", strings.Join(problems, "\n"))
			}
			for _, a := range tc.absent {
				if slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, a) }) {
					t.Errorf("a problem mentions %q:\n%s", a, strings.Join(problems, "\n"))
				}
			}
			for _, w := range tc.problems {
				if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, w) }) {
					t.Errorf("no problem %q in:\n%s", w, strings.Join(problems, "\n"))
				}
			}
			// Environment values may hold credentials: never repeated.
			if b, _ := json.Marshal(res); strings.Contains(string(b), "hunter2") {
				t.Errorf("a credential from an environment value leaked into the result")
			}
		})
	}
}

func TestAddressHosts(t *testing.T) {
	for value, want := range map[string]string{
		"http://orders-api:8080":            "orders-api",
		"postgres://u:p@db:5432/x":          "db",
		"orders.shop.svc.cluster.local:80":  "orders",
		"https://orders.shop.svc/health":    "orders",
		"kafka-1:9092,kafka-2:9092":         "kafka-1 kafka-2",
		"https://api.stripe.com":            "",
		"http://localhost:8080":             "",
		"10.0.0.1:5432":                     "",
		"orders-api":                        "orders-api(bare)",
		"info":                              "info(bare)",
		"two words":                         "",
		"redis://${REDIS_HOST}:6379":        "",
		"http://[::1]:80":                   "",
		"http://Orders:80 http://orders:81": "orders",
	} {
		var got []string
		for _, h := range addressHosts(value) {
			s := h.name
			if h.bare {
				s += "(bare)"
			}
			got = append(got, s)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("addressHosts(%q) = %q, want %q", value, got, want)
		}
	}
}

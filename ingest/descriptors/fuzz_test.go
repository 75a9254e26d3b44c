package descriptors

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

func FuzzCodeowners(f *testing.F) {
	files, _ := filepath.Glob("testdata/gitlab-codeowners/*.CODEOWNERS")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, "docs/a.md", true)
		}
	}
	f.Add([]byte("* @a\n/x/ @o/t a@b.c\n!y\n[S][2] @d\n"), "x/y", false)
	f.Fuzz(func(t *testing.T, data []byte, path string, gitlab bool) {
		fl := GitHub
		if gitlab {
			fl = GitLab
		}
		c := ParseCodeowners("CODEOWNERS", data, fl)
		for _, m := range c.Match(path) {
			if m.Line <= 0 {
				t.Fatalf("match without a line: %+v", m)
			}
		}
		edges, _ := c.OwnsEdges(path, graph.Ref{Kind: graph.KindRepository, Key: "r"}, graph.Declared, "", nil)
		for _, e := range edges {
			if _, err := graph.ValidateEdge(e); err != nil {
				t.Fatalf("invalid edge from %q: %v", data, err)
			}
		}
		for _, o := range c.Owners() {
			if n, ok := o.OwnerNode("github.com", graph.Declared, "x"); ok {
				if _, err := graph.ValidateNodeInput(n); err != nil {
					t.Fatalf("invalid owner node %+v: %v", n, err)
				}
			}
		}
	})
}

// FuzzCatalogInfo reads any content as a root catalog-info.yaml and, when it
// holds Locations, as every file they name in a small repository (the same
// content everywhere, so Locations name themselves and each other).
func FuzzCatalogInfo(f *testing.F) {
	for _, dir := range []string{"testdata/backstage", "testdata/location"} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Ext(p) == ".yaml" {
				if b, err := os.ReadFile(p); err == nil {
					f.Add(b)
				}
			}
			return nil
		})
	}
	f.Add([]byte("a: &a [x, x]\nb: [*a, *a]\nkind: Component\nmetadata: {name: a}\n"))
	f.Add([]byte("kind: Location\nmetadata: {name: l}\nspec: {targets: ['./**/*.yaml', '../x', 'https://h/x', './[']}\n"))
	paths := []string{"catalog-info.yaml", "a/catalog-info.yaml", "a/b/entities.yaml", "services/x/component.yaml", "README.md"}
	_ = filepath.WalkDir("testdata/infer", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := NewCatalog()
		c.Add("catalog-info.yaml", data)
		read := map[string]bool{}
		c.FollowLocations(paths, func(p string) ([]byte, error) {
			if read[p] || p == "catalog-info.yaml" {
				t.Fatalf("%s read again", p)
			}
			read[p] = true
			return data, nil
		})
		res := c.Result()
		nodes := map[graph.Ref]bool{}
		for _, n := range res.Nodes {
			if _, err := graph.ValidateNodeInput(n); err != nil {
				t.Fatalf("invalid node %+v: %v", n, err)
			}
			nodes[n.Ref()] = true
		}
		for _, e := range res.Edges {
			if _, err := graph.ValidateEdge(e); err != nil {
				t.Fatalf("invalid edge %+v: %v", e, err)
			}
			if !nodes[e.From] || !nodes[e.To] {
				t.Fatalf("edge %v names a node not emitted", e)
			}
		}
		in := NewInference("r")
		in.Add("docker-compose.yml", KindCompose, data)
		in.Add("Chart.yaml", KindHelmChart, data)
		in.Add("k8s/x.yaml", KindK8sManifest, data)
		in.Add("skaffold.yaml", KindSkaffold, data)
		in.Add(".github/workflows/deploy.yml", KindGitHubCI, data)
		in.Add(".gitlab-ci.yml", KindGitLabCI, data)
		in.Add("main.tf", KindTerraform, data)
		checkInferred(t, in.Result(nil))
	})
}

// checkInferred fails t when inference produced something the store
// would reject.
func checkInferred(t *testing.T, res Result) {
	t.Helper()
	for _, n := range res.Nodes {
		if _, err := graph.ValidateNodeInput(n); err != nil {
			t.Fatalf("invalid inferred node %+v: %v", n, err)
		}
	}
	for _, e := range res.Edges {
		if _, err := graph.ValidateEdge(e); err != nil {
			t.Fatalf("invalid inferred edge %+v: %v", e, err)
		}
	}
}

// fuzzInference fuzzes one kind of deployment descriptor, named name, in
// any directory with any content: nothing may panic and what is inferred
// must be valid. Seeds are the testdata files of that kind, then extra.
func fuzzInference(f *testing.F, kind DescriptorKind, name string, extra ...string) {
	_ = filepath.WalkDir("testdata/infer", func(p string, d os.DirEntry, err error) error {
		rel := strings.TrimPrefix(filepath.ToSlash(p), "testdata/infer/")
		if k, ok := Classify(rel); err == nil && !d.IsDir() && ok && k == kind {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b, path.Dir(rel))
			}
		}
		return nil
	})
	for _, s := range extra {
		f.Add([]byte(s), "deploy/web")
	}
	f.Fuzz(func(t *testing.T, data []byte, dir string) {
		in := NewInference("r")
		in.Add(path.Join(dir, name), kind, data)
		checkInferred(t, in.Result(nil))
	})
}

func FuzzKustomize(f *testing.F) {
	// From the Kubernetes documentation's kustomize examples.
	fuzzInference(f, KindKustomize, "kustomization.yaml",
		"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamePrefix: dev-\nresources:\n- deployment.yaml\n- service.yaml\n",
		"resources:\n- ../../base\npatches:\n- path: replica.yaml\n",
		"namePrefix: [x\n")
}

func FuzzServerless(f *testing.F) {
	fuzzInference(f, KindServerless, "serverless.yml",
		"service:\n  name: orders\nprovider:\n  name: aws\n  runtime: nodejs18.x\nfunctions:\n  hello:\n    handler: handler.hello\n",
		"service: [a, b]\n",
		"service: {name: 7}\n")
}

func FuzzDockerfile(f *testing.F) {
	fuzzInference(f, KindDockerfile, "Dockerfile",
		"# syntax=docker/dockerfile:1\nFROM golang:1.22 AS build\nCOPY . .\nRUN go build -o /app\nFROM scratch\nCOPY --from=build /app /app\n",
		"RUN echo no base image\n",
		"\x00\x01FROM")
}

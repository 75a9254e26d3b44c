package descriptors

import (
	"os"
	"path/filepath"
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

func FuzzCatalogInfo(f *testing.F) {
	_ = filepath.WalkDir("testdata/backstage", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".yaml" {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
		return nil
	})
	f.Add([]byte("a: &a [x, x]\nb: [*a, *a]\nkind: Component\nmetadata: {name: a}\n"))
	_ = filepath.WalkDir("testdata/infer", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		res := ParseCatalogInfo("catalog-info.yaml", data)
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
		inferred := in.Result(nil)
		for _, n := range inferred.Nodes {
			if _, err := graph.ValidateNodeInput(n); err != nil {
				t.Fatalf("invalid inferred node %+v: %v", n, err)
			}
		}
		for _, e := range inferred.Edges {
			if _, err := graph.ValidateEdge(e); err != nil {
				t.Fatalf("invalid inferred edge %+v: %v", e, err)
			}
		}
	})
}

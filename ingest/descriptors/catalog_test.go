package descriptors

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

func loadCatalog(t *testing.T, dir string) Result {
	t.Helper()
	c := NewCatalog()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		c.Add(filepath.ToSlash(rel), data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c.Result()
}

func edgeSet(es []graph.EdgeInput) map[string]graph.EdgeInput {
	m := map[string]graph.EdgeInput{}
	for _, e := range es {
		m[string(e.Type)+" "+e.From.String()+" → "+e.To.String()] = e
	}
	return m
}

func TestCatalogModelExamples(t *testing.T) {
	res := loadCatalog(t, "testdata/backstage/catalog-model-examples")
	nodes := map[graph.Ref]graph.NodeInput{}
	for _, n := range res.Nodes {
		if _, err := graph.ValidateNodeInput(n); err != nil {
			t.Errorf("invalid node %v: %v", n.Ref(), err)
		}
		if n.Confidence != graph.Declared {
			t.Errorf("%v confidence %s", n.Ref(), n.Confidence)
		}
		nodes[n.Ref()] = n
	}
	for _, r := range []graph.Ref{
		{Kind: graph.KindApplication, Key: "artist-lookup"},
		{Kind: graph.KindApplication, Key: "wayback-search"},
		{Kind: graph.KindApplication, Key: "alternative/different-namespace"},
		{Kind: graph.KindService, Key: "artist-engagement-portal"},
		{Kind: graph.KindBusinessUnit, Key: "artists"},
		{Kind: graph.KindCloudResource, Key: "artists-db"},
		{Kind: graph.KindTeam, Key: "team-a"},
		{Kind: graph.KindTeam, Key: "acme-corp"},
		{Kind: graph.KindPerson, Key: "breanna-davison@example.com"},
	} {
		if _, ok := nodes[r]; !ok {
			t.Errorf("missing node %v", r)
		}
	}
	if a := nodes[graph.Ref{Kind: graph.KindApplication, Key: "artist-lookup"}]; a.Props["type"] != "service" || a.Props["lifecycle"] != "experimental" {
		t.Errorf("artist-lookup props %v", a.Props)
	}
	es := edgeSet(res.Edges)
	for _, want := range []string{
		"OWNS Team:team-a → Application:artist-lookup",
		"PART_OF Application:artist-lookup → Service:artist-engagement-portal",
		"PART_OF Service:artist-engagement-portal → BusinessUnit:artists",
		"DEPENDS_ON Application:artist-lookup → CloudResource:artists-db",
		"OWNS Team:team-a → CloudResource:artists-db",
		"MEMBER_OF Team:infrastructure → Team:acme-corp",
		"MEMBER_OF Team:backstage → Team:infrastructure",
		"MEMBER_OF Team:team-a → Team:backstage",
		"MEMBER_OF Team:team-b → Team:backstage",
		"MEMBER_OF Person:breanna-davison@example.com → Team:team-a",
		"OWNS Team:team-a → Application:alternative/different-namespace",
	} {
		e, ok := es[want]
		if !ok {
			t.Errorf("missing %s", want)
			continue
		}
		if !strings.Contains(e.Evidence, ".yaml:") {
			t.Errorf("%s: evidence %q has no file:line", want, e.Evidence)
		}
	}
	if e := es["OWNS Team:team-a → Application:artist-lookup"]; e.Evidence != "components/artist-lookup-component.yaml:37 spec.owner: team-a" {
		t.Errorf("evidence %q", e.Evidence)
	}
	// Dangling references are reported, not dropped silently nor invented.
	var msgs []string
	for _, p := range res.Problems {
		msgs = append(msgs, p.Error())
	}
	joined := strings.Join(msgs, "\n")
	for _, want := range []string{"invalid component", "wayback-archive", "boxoffice"} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems do not mention %q:\n%s", want, joined)
		}
	}
	if _, ok := nodes[graph.Ref{Kind: graph.KindTeam, Key: "boxoffice"}]; ok {
		t.Error("a dangling child group became a team")
	}
	for _, e := range res.Edges {
		if _, err := graph.ValidateEdge(e); err != nil {
			t.Errorf("invalid edge: %v", err)
		}
		if nodes[e.From].Key == "" || nodes[e.To].Key == "" {
			t.Errorf("edge %s %v → %v names a node not emitted", e.Type, e.From, e.To)
		}
	}
	var builds []string
	for _, b := range res.Builds {
		builds = append(builds, b.App.Key+"@"+b.Path+"#"+b.ProjectSlug)
	}
	sort.Strings(builds)
	if got := strings.Join(builds, " "); got != "alternative/different-namespace@components# artist-lookup@components# wayback-search@components#" {
		t.Errorf("builds %s", got)
	}
}

func TestCatalogCreateAppExamples(t *testing.T) {
	res := loadCatalog(t, "testdata/backstage/create-app-examples")
	es := edgeSet(res.Edges)
	for _, want := range []string{
		"OWNS Team:guests → Application:example-website",
		"PART_OF Application:example-website → Service:examples",
		"MEMBER_OF Person:guest → Team:guests",
	} {
		if _, ok := es[want]; !ok {
			t.Errorf("missing %s (have %v)", want, es)
		}
	}
	var tmpl bool
	for _, p := range res.Problems {
		if strings.Contains(p.File, "template/content/catalog-info.yaml") && strings.Contains(p.Msg, "unrendered template") {
			tmpl = true
		}
	}
	if !tmpl {
		t.Errorf("the unrendered template was not reported: %v", res.Problems)
	}
	for _, n := range res.Nodes {
		if strings.Contains(n.Key, "$") {
			t.Errorf("template became node %v", n.Ref())
		}
	}
}

func TestCatalogHostileInputs(t *testing.T) {
	bomb := `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
kind: Component
metadata: {name: bomb}
spec: {dependsOn: *i}
`
	many := strings.Repeat("---\nkind: Component\nmetadata: {name: x}\n", MaxCatalogDocuments+5)
	cases := map[string]string{
		"bomb":    bomb,
		"syntax":  "kind: Component\nmetadata: {name: [unclosed\n",
		"binary":  "kind: Component\x00\x01\x02",
		"scalar":  "just a string",
		"wrong":   "kind: Component\nmetadata:\n  name: ok\nspec:\n  owner: {a: b}\n",
		"many":    many,
		"huge":    strings.Repeat("#", MaxFileSize+1),
		"unknown": "kind: Widget\nmetadata: {name: w}\n",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			res := ParseCatalogInfo("catalog-info.yaml", []byte(in))
			if len(res.Problems) == 0 {
				t.Errorf("no problem reported")
			}
			if len(res.Nodes) > 1 {
				t.Errorf("%d nodes", len(res.Nodes))
			}
		})
	}
}

package descriptors

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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
	// A Resource's system has no relationship in the model: it is a label.
	if db := nodes[graph.Ref{Kind: graph.KindCloudResource, Key: "artists-db"}]; db.Labels[SystemLabel] != "artist-engagement-portal" {
		t.Errorf("artists-db labels %v", db.Labels)
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

// analyzeDir analyses a repository checked in under testdata as a git
// source hands it over: the descriptor files read, every path listed, other
// files read on demand. It returns the files read on demand.
func analyzeDir(t *testing.T, dir string) (Result, []string) {
	t.Helper()
	var files []File
	var paths, onDemand []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		paths = append(paths, rel)
		if _, ok := Classify(rel); ok {
			data, err := os.ReadFile(p)
			files = append(files, File{Path: rel, Data: data})
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	repo := Repo{Node: graph.NodeInput{Kind: graph.KindRepository, Key: "github.com/acme/shop"}, Host: "github.com", Org: "acme", Name: "shop", Flavor: GitHub}
	res := Analyze(repo, files, AnalyzeOptions{Paths: paths, ReadFile: func(p string) ([]byte, error) {
		onDemand = append(onDemand, p)
		return os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
	}})
	return res, onDemand
}

func TestLocationTargets(t *testing.T) {
	type edge struct{ key, evidence string }
	for _, tc := range []struct {
		dir string
		// read: the files read because a Location names them, in order.
		read     []string
		nodes    []graph.Ref
		edges    []edge
		labels   map[graph.Ref]map[string]string
		problems []string // "file:line: text" substrings, each a separate problem
		clean    []string // no problem may mention these
	}{{
		dir:  "monorepo",
		read: []string{"catalog/system.yaml", "services/cart/component.yaml", "services/checkout/component.yaml", "infra/aws/orders-cluster.resource.yaml", "infra/db/cart-db.resource.yaml"},
		nodes: []graph.Ref{
			{Kind: graph.KindApplication, Key: "cart"}, {Kind: graph.KindApplication, Key: "checkout"},
			{Kind: graph.KindService, Key: "shop"}, {Kind: graph.KindBusinessUnit, Key: "commerce"},
			{Kind: graph.KindCloudResource, Key: "cart-db"}, {Kind: graph.KindCloudResource, Key: "orders-cluster"},
			{Kind: graph.KindTeam, Key: "team-cart"}, {Kind: graph.KindTeam, Key: "platform"},
		},
		edges: []edge{
			{"BUILDS Repository:github.com/acme/shop → Application:cart", "github.com/acme/shop/services/cart/component.yaml:4 Component cart"},
			{"BUILDS Repository:github.com/acme/shop → Application:checkout", "github.com/acme/shop/services/checkout/component.yaml:4 Component checkout"},
			{"OWNS Team:team-cart → Application:cart", "github.com/acme/shop/services/cart/component.yaml:11 spec.owner: group:team-cart"},
			{"OWNS Team:team-checkout → Application:checkout", "github.com/acme/shop/services/checkout/component.yaml:9 spec.owner: group:team-checkout"},
			{"OWNS Team:platform → CloudResource:cart-db", "github.com/acme/shop/infra/db/cart-db.resource.yaml:8 spec.owner: group:platform"},
			{"PART_OF Application:cart → Service:shop", "github.com/acme/shop/services/cart/component.yaml:12 spec.system: shop"},
			{"PART_OF Service:shop → BusinessUnit:commerce", "github.com/acme/shop/catalog/system.yaml:15 spec.domain: commerce"},
			// Component dependsOn a Resource, and a Resource's dependencyOf.
			{"DEPENDS_ON Application:cart → CloudResource:cart-db", "github.com/acme/shop/services/cart/component.yaml:14 spec.dependsOn: resource:cart-db"},
			{"DEPENDS_ON Application:checkout → Application:cart", "github.com/acme/shop/services/checkout/component.yaml:12 spec.dependsOn: component:cart"},
			{"DEPENDS_ON Application:checkout → CloudResource:cart-db", "github.com/acme/shop/infra/db/cart-db.resource.yaml:13 spec.dependencyOf: component:checkout"},
		},
		labels: map[graph.Ref]map[string]string{{Kind: graph.KindCloudResource, Key: "cart-db"}: {SystemLabel: "shop"}},
		problems: []string{
			"infra/db/cart-db.resource.yaml:11: Resource cart-db: spec.dependsOn resource:orders-cluster: estate's model has no DEPENDS_ON from a CloudResource to a CloudResource; not recorded",
		},
		// The Dockerfile of a declared component is not a second application.
		clean: []string{"README.md", "Dockerfile"},
	}, {
		dir:   "cycle",
		read:  []string{"teams/all.yaml", "teams/platform.yaml"},
		nodes: []graph.Ref{{Kind: graph.KindTeam, Key: "platform"}},
		clean: []string{"also defined", "catalog-info.yaml"},
	}, {
		dir: "unfollowed",
		// The one target that exists is read.
		read:  []string{"apps/web/component.yaml"},
		nodes: []graph.Ref{{Kind: graph.KindApplication, Key: "web"}},
		problems: []string{
			"catalog-info.yaml:8: Location elsewhere: target https://github.com/acme/payments/blob/main/catalog-info.yaml is a URL; estate follows only relative paths inside the repository, so it is not followed",
			"catalog-info.yaml:9: Location elsewhere: target ../../shared/catalog-info.yaml is outside the repository; not followed",
			"catalog-info.yaml:10: Location elsewhere: target /etc/backstage/catalog.yaml is an absolute path",
			"catalog-info.yaml:11: Location elsewhere: target ./missing.yaml names no file in the repository",
			"catalog-info.yaml:12: Location elsewhere: target ./apps/*/catalog.yaml names no file in the repository",
			"catalog-info.yaml:29: Location org-discovery: type \"github-discovery\" is read by a Backstage plugin, not by estate",
		},
		clean: []string{"not-yet.yaml"}, // spec.presence: optional
	}} {
		t.Run(tc.dir, func(t *testing.T) {
			res, read := analyzeDir(t, filepath.Join("testdata/location", tc.dir))
			if !slices.Equal(read, tc.read) {
				t.Errorf("read %q, want %q", read, tc.read)
			}
			nodes := map[graph.Ref]graph.NodeInput{}
			for _, n := range res.Nodes {
				if _, err := graph.ValidateNodeInput(n); err != nil {
					t.Errorf("invalid node: %v", err)
				}
				nodes[n.Ref()] = n
			}
			for _, r := range tc.nodes {
				if _, ok := nodes[r]; !ok {
					t.Errorf("missing node %v", r)
				}
			}
			for r, want := range tc.labels {
				for k, v := range want {
					if got := nodes[r].Labels[k]; got != v {
						t.Errorf("%v label %s = %q, want %q", r, k, got, v)
					}
				}
			}
			es := edgeSet(res.Edges)
			for _, w := range tc.edges {
				e, ok := es[w.key]
				if !ok {
					t.Errorf("missing %s", w.key)
					continue
				}
				if e.Evidence != w.evidence || e.Confidence != graph.Declared {
					t.Errorf("%s: %s %q, want DECLARED %q", w.key, e.Confidence, e.Evidence, w.evidence)
				}
			}
			for _, e := range res.Edges {
				if _, err := graph.ValidateEdge(e); err != nil {
					t.Errorf("invalid edge: %v", err)
				}
			}
			var probs []string
			for _, p := range res.Problems {
				probs = append(probs, p.Error())
			}
			all := strings.Join(probs, "\n")
			for _, w := range tc.problems {
				if !slices.ContainsFunc(probs, func(p string) bool { return strings.Contains(p, w) }) {
					t.Errorf("no problem %q in\n%s", w, all)
				}
			}
			for _, c := range tc.clean {
				if strings.Contains(all, c) {
					t.Errorf("problems mention %q:\n%s", c, all)
				}
			}
		})
	}
}

// Backstage's own example organisation is a Location (acme/org.yaml) naming
// a file per group; three of them are not in the examples.
func TestLocationBackstageExamples(t *testing.T) {
	dir := "testdata/backstage/catalog-model-examples/acme"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range entries {
		paths = append(paths, e.Name())
	}
	c := NewCatalog()
	org, err := os.ReadFile(filepath.Join(dir, "org.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c.Add("org.yaml", org)
	c.FollowLocations(paths, func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, p)) })
	res := c.Result()
	es := edgeSet(res.Edges)
	for k, ev := range map[string]string{
		// org.yaml's children resolve because the Location read the child.
		"MEMBER_OF Team:infrastructure → Team:acme-corp":             "org.yaml:9 spec.children: infrastructure",
		"MEMBER_OF Team:team-a → Team:backstage":                     "backstage-group.yaml:",
		"MEMBER_OF Person:breanna-davison@example.com → Team:team-a": "team-a-group.yaml:",
	} {
		if e, ok := es[k]; !ok || !strings.HasPrefix(e.Evidence, ev) {
			t.Errorf("%s: %q, want evidence in %s", k, e.Evidence, ev)
		}
	}
	var probs []string
	for _, p := range res.Problems {
		probs = append(probs, p.Error())
	}
	for _, missing := range []string{"boxoffice-group.yaml", "team-c-group.yaml", "team-d-group.yaml"} {
		w := "Location example-groups: target ./" + missing + " names no file in the repository"
		if !slices.ContainsFunc(probs, func(p string) bool { return strings.HasPrefix(p, "org.yaml:") && strings.Contains(p, w) }) {
			t.Errorf("no problem %q in %q", w, probs)
		}
	}
}

// Reading what Locations name is bounded, and a file that cannot be read is
// reported against that file, naming the Location that wanted it.
func TestLocationLimits(t *testing.T) {
	many := make([]string, MaxLocationFiles+20)
	for i := range many {
		many[i] = fmt.Sprintf("services/s%03d/catalog.yaml", i)
	}
	for _, tc := range []struct {
		name     string
		root     string
		paths    []string
		fail     string // path whose read fails
		reads    int
		problems []Problem
	}{{
		name:  "glob over a huge monorepo",
		root:  "kind: Location\nmetadata: {name: all}\nspec:\n  targets: ['./services/*/catalog.yaml']\n",
		paths: many,
		reads: MaxLocationFiles,
		problems: []Problem{{File: "catalog-info.yaml", Line: 4,
			Msg: fmt.Sprintf("Location all: target ./services/*/catalog.yaml: more than %d files named by Locations; the rest are not read", MaxLocationFiles)}},
	}, {
		name:  "unreadable target",
		root:  "kind: Location\nmetadata: {name: one}\nspec:\n  target: ./a/catalog.yaml\n",
		paths: []string{"a/catalog.yaml"},
		fail:  "a/catalog.yaml",
		reads: 1,
		problems: []Problem{{File: "a/catalog.yaml", Fatal: true,
			Msg: "named by Location one (catalog-info.yaml:4): 502 Bad Gateway"}},
	}, {
		name:     "invalid glob",
		root:     "kind: Location\nmetadata: {name: bad}\nspec:\n  target: './services/[a-/catalog.yaml'\n",
		paths:    many,
		problems: []Problem{{File: "catalog-info.yaml", Line: 4, Msg: "Location bad: target ./services/[a-/catalog.yaml is not a valid glob pattern"}},
	}, {
		name:     "no target",
		root:     "kind: Location\nmetadata: {name: empty}\nspec: {type: url}\n",
		problems: []Problem{{File: "catalog-info.yaml", Line: 2, Msg: "Location empty has no spec.target or spec.targets"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCatalog()
			c.Add("catalog-info.yaml", []byte(tc.root))
			reads := 0
			c.FollowLocations(tc.paths, func(p string) ([]byte, error) {
				reads++
				if p == tc.fail {
					return nil, errors.New("502 Bad Gateway")
				}
				return fmt.Appendf(nil, "kind: Component\nmetadata: {name: %s}\nspec: {owner: team-x}\n", strings.Split(p, "/")[1]), nil
			})
			res := c.Result()
			if reads != tc.reads {
				t.Errorf("%d files read, want %d", reads, tc.reads)
			}
			if !slices.Equal(res.Problems, tc.problems) {
				t.Errorf("problems %+v\nwant %+v", res.Problems, tc.problems)
			}
			if apps := len(res.Builds); apps != min(tc.reads, MaxLocationFiles) && tc.fail == "" {
				t.Errorf("%d applications", apps)
			}
		})
	}
}

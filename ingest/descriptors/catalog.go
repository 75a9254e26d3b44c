package descriptors

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"

	"github.com/estate-cmdb/estate/graph"
)

// Limits on catalog files, against YAML bombs and runaway inputs. The YAML
// library itself refuses documents whose alias expansion is excessive
// ("billion laughs"); these caps bound the rest.
const (
	MaxCatalogDocuments = 500
	maxEntityRefs       = 1000
	// MaxLocationFiles caps the files read because a Location names them
	// (a glob over a large monorepo, or Locations naming each other).
	MaxLocationFiles = 500
)

// Build says that the repository holding a descriptor builds an application,
// optionally from a sub-directory. The caller, who knows the repository,
// turns it into a BUILDS relationship.
type Build struct {
	App        graph.Ref
	Path       string // directory inside the repository, "" for the root
	Confidence graph.Confidence
	Evidence   string
	// ProjectSlug is the github.com/project-slug (or gitlab.com/project-slug)
	// annotation when the descriptor names its repository.
	ProjectSlug string
}

// Catalog collects Backstage entities from any number of catalog files and
// maps them onto estate's kinds once all are read, so that references between
// files resolve:
//
//	Component → Application, System → Service, Domain → BusinessUnit,
//	Group → Team, User → Person, Resource → CloudResource.
//
// API entities have no kind of their own: a component consuming an API
// another component provides DEPENDS_ON that component. The model has no
// relationship from a CloudResource to a Service or anything it depends on:
// a Resource's spec.system becomes its SystemLabel, and its spec.dependsOn
// is reported (spec.dependencyOf naming a Component is a DEPENDS_ON from that
// Component). Location entities
// name more catalog files, which FollowLocations reads; Template entities are
// recognised and skipped. Everything is DECLARED.
type Catalog struct {
	entities []*entity
	byRef    map[string]*entity // "kind:namespace/name", lower case
	files    map[string]bool    // files added, so a Location naming one again reads nothing
	problems []Problem
}

// NewCatalog returns an empty catalog.
func NewCatalog() *Catalog { return &Catalog{byRef: map[string]*entity{}, files: map[string]bool{}} }

type entityRef struct{ kind, namespace, name string }

func (r entityRef) String() string { return r.kind + ":" + r.namespace + "/" + r.name }

type entity struct {
	file, dir string
	line      int
	doc       *yaml.Node
	ref       entityRef
	raw       rawEntity
}

type rawEntity struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name        string            `yaml:"name"`
		Namespace   string            `yaml:"namespace"`
		Title       string            `yaml:"title"`
		Description string            `yaml:"description"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Spec struct {
		Type         string   `yaml:"type"`
		Lifecycle    string   `yaml:"lifecycle"`
		Owner        string   `yaml:"owner"`
		System       string   `yaml:"system"`
		Domain       string   `yaml:"domain"`
		SubdomainOf  string   `yaml:"subdomainOf"`
		Parent       string   `yaml:"parent"`
		Children     []string `yaml:"children"`
		Members      []string `yaml:"members"`
		MemberOf     []string `yaml:"memberOf"`
		DependsOn    []string `yaml:"dependsOn"`
		DependencyOf []string `yaml:"dependencyOf"`
		ProvidesApis []string `yaml:"providesApis"`
		ConsumesApis []string `yaml:"consumesApis"`
		Profile      struct {
			DisplayName string `yaml:"displayName"`
			Email       string `yaml:"email"`
		} `yaml:"profile"`
		// Location: where more catalog files are; Type (above) is url or file.
		Target   string   `yaml:"target"`
		Targets  []string `yaml:"targets"`
		Presence string   `yaml:"presence"`
	} `yaml:"spec"`
}

var entityNameRe = regexp.MustCompile(`^[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$`)

// ParseCatalogInfo reads one catalog file on its own (references to
// entities in other files stay unresolved and are reported).
func ParseCatalogInfo(file string, data []byte) Result {
	c := NewCatalog()
	c.Add(file, data)
	return c.Result()
}

// Add reads the entities of one catalog file (multi-document YAML). Problems
// with one document do not stop the others.
func (c *Catalog) Add(file string, data []byte) {
	c.files[file] = true
	if err := CheckContent(data); err != nil {
		c.problems = append(c.problems, Problem{File: file, Msg: err.Error(), Fatal: true})
		return
	}
	dir := ""
	if i := strings.LastIndex(file, "/"); i >= 0 {
		dir = file[:i]
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	good := 0
	for n := 0; ; n++ {
		if n >= MaxCatalogDocuments {
			c.problems = append(c.problems, Problem{File: file, Msg: fmt.Sprintf("more than %d documents; the rest is ignored", MaxCatalogDocuments)})
			break
		}
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// The decoder cannot resynchronise after a syntax error.
			c.problems = append(c.problems, Problem{File: file, Msg: "invalid YAML: " + err.Error(), Fatal: good == 0})
			break
		}
		if len(doc.Content) == 0 || (doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null") {
			continue // an empty document (a stray ---)
		}
		line := doc.Content[0].Line
		if err := checkExpansion(doc.Content[0]); err != nil {
			c.problem(file, line, "%v", err)
			continue
		}
		e := &entity{file: file, dir: dir, line: line, doc: doc.Content[0]}
		if err := doc.Decode(&e.raw); err != nil {
			c.problem(file, line, "not a catalog entity: %v", err)
			continue
		}
		if msg := e.validate(); msg != "" {
			c.problem(file, line, "%s", msg)
			continue
		}
		good++
		key := e.ref.String()
		if prev, ok := c.byRef[key]; ok {
			c.problem(file, line, "entity %s is also defined at %s:%d; this one is ignored", key, prev.file, prev.line)
			continue
		}
		c.byRef[key] = e
		c.entities = append(c.entities, e)
	}
}

func (c *Catalog) problem(file string, line int, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

var knownKinds = map[string]bool{"component": true, "system": true, "domain": true, "group": true,
	"user": true, "resource": true, "api": true, "location": true, "template": true}

func (e *entity) validate() string {
	r := &e.raw
	if r.Kind == "" || r.Metadata.Name == "" {
		return "not a catalog entity: kind and metadata.name are required"
	}
	kind := strings.ToLower(r.Kind)
	if !knownKinds[kind] {
		return fmt.Sprintf("kind %q is not a catalog kind estate reads; skipped", r.Kind)
	}
	if strings.Contains(r.Metadata.Name, "${{") || strings.Contains(r.Spec.Owner, "${{") {
		return fmt.Sprintf("%s %q is an unrendered template; skipped", r.Kind, r.Metadata.Name)
	}
	if len(r.Metadata.Name) > 63 || !entityNameRe.MatchString(r.Metadata.Name) {
		return fmt.Sprintf("%s name %q is not a valid entity name (letters, digits and [-_.] between them, at most 63)", r.Kind, r.Metadata.Name)
	}
	ns := strings.ToLower(r.Metadata.Namespace)
	if ns == "" {
		ns = "default"
	}
	if n := len(r.Spec.DependsOn) + len(r.Spec.DependencyOf) + len(r.Spec.Members) + len(r.Spec.MemberOf) + len(r.Spec.Children) +
		len(r.Spec.ProvidesApis) + len(r.Spec.ConsumesApis) + len(r.Spec.Targets); n > maxEntityRefs {
		return fmt.Sprintf("%s %q names %d other entities, over the limit of %d", r.Kind, r.Metadata.Name, n, maxEntityRefs)
	}
	e.ref = entityRef{kind: kind, namespace: ns, name: strings.ToLower(r.Metadata.Name)}
	return ""
}

// maxExpandedNodes caps the size of a document once its aliases are
// expanded: decoding walks the expanded tree, so a small file with nested
// aliases (a "billion laughs" that stays under the YAML library's ratio
// check) could otherwise take minutes.
const maxExpandedNodes = 100_000

// checkExpansion computes the expanded size of a document in time linear in
// its parsed size (sizes are memoised per node).
func checkExpansion(root *yaml.Node) error {
	memo := map[*yaml.Node]int{}
	var size func(n *yaml.Node, depth int) int
	size = func(n *yaml.Node, depth int) int {
		if n == nil {
			return 0
		}
		if depth > 200 {
			return maxExpandedNodes + 1
		}
		if v, ok := memo[n]; ok {
			if v < 0 { // still being computed: a cycle
				return maxExpandedNodes + 1
			}
			return v
		}
		memo[n] = -1
		total := 1
		if n.Kind == yaml.AliasNode {
			total += size(n.Alias, depth+1)
		}
		for _, c := range n.Content {
			total += size(c, depth+1)
			if total > maxExpandedNodes {
				break
			}
		}
		if total > maxExpandedNodes {
			total = maxExpandedNodes + 1
		}
		memo[n] = total
		return total
	}
	if size(root, 0) > maxExpandedNodes {
		return fmt.Errorf("document expands to more than %d YAML nodes (aliases): refused as a YAML bomb", maxExpandedNodes)
	}
	return nil
}

// parseRef reads "[kind:][namespace/]name" with a default kind and the
// entity's own namespace as default namespace.
func parseRef(s, defKind, defNS string) (entityRef, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	r := entityRef{kind: defKind, namespace: defNS}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		r.kind, s = s[:i], s[i+1:]
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		r.namespace, s = s[:i], s[i+1:]
	}
	r.name = s
	return r, r.kind != "" && r.name != "" && entityNameRe.MatchString(r.name)
}

// key is the natural key of the estate node an entity maps to: its name, or
// namespace/name outside the default namespace.
func (r entityRef) key() string {
	if r.namespace == "default" || r.namespace == "" {
		return r.name
	}
	return r.namespace + "/" + r.name
}

func (r entityRef) graphKind() (graph.Kind, bool) {
	switch r.kind {
	case "component":
		return graph.KindApplication, true
	case "system":
		return graph.KindService, true
	case "domain":
		return graph.KindBusinessUnit, true
	case "group":
		return graph.KindTeam, true
	case "user":
		return graph.KindPerson, true
	case "resource":
		return graph.KindCloudResource, true
	}
	return "", false
}

// lineOf finds the line of a key path ("spec", "owner") in a document.
func lineOf(n *yaml.Node, path ...string) int {
	n, _ = nodeAt(n, path...)
	return n.Line
}

// itemLine finds the line of the i-th item of the sequence at a key path,
// or of the key path when it is not a sequence that long.
func itemLine(n *yaml.Node, i int, path ...string) int {
	n, ok := nodeAt(n, path...)
	if ok && n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return n.Content[i].Line
	}
	return n.Line
}

// nodeAt walks a key path as far as it goes; ok says it went all the way.
func nodeAt(n *yaml.Node, path ...string) (*yaml.Node, bool) {
	for _, k := range path {
		if n.Kind != yaml.MappingNode {
			return n, false
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				n, found = n.Content[i+1], true
				break
			}
		}
		if !found {
			return n, false
		}
	}
	return n, true
}

// FollowLocations reads the files that the Location entities read so far
// name inside the repository, then those that Locations in them name, and so
// on; a file already read is not read again, so Locations naming each other
// end. paths are the repository's files (the targets resolve against them,
// globs in doublestar syntax as Backstage's minimatch globs) and read fetches
// one. A target that is a URL, escapes the repository, or names no file is
// reported and not followed (a missing target of a Location with
// spec.presence: optional is not reported, as in Backstage).
func (c *Catalog) FollowLocations(paths []string, read func(path string) ([]byte, error)) {
	exists := make(map[string]bool, len(paths))
	for _, p := range paths {
		exists[p] = true
	}
	sorted := append([]string(nil), paths...)
	sort.Strings(sorted)
	budget := MaxLocationFiles
	// Add appends the entities of each file read, Locations included, to
	// c.entities: the loop reaches them in turn.
	for i := 0; i < len(c.entities); i++ {
		e := c.entities[i]
		if e.ref.kind != "location" {
			continue
		}
		r := &e.raw
		if t := strings.ToLower(r.Spec.Type); t != "" && t != "url" && t != "file" {
			c.problem(e.file, lineOf(e.doc, "spec", "type"), "Location %s: type %q is read by a Backstage plugin, not by estate; its targets are not followed", r.Metadata.Name, r.Spec.Type)
			continue
		}
		type target struct {
			s    string
			line int
		}
		var targets []target
		if r.Spec.Target != "" {
			targets = append(targets, target{r.Spec.Target, lineOf(e.doc, "spec", "target")})
		}
		for j, t := range r.Spec.Targets {
			targets = append(targets, target{t, itemLine(e.doc, j, "spec", "targets")})
		}
		if len(targets) == 0 {
			c.problem(e.file, lineOf(e.doc, "metadata", "name"), "Location %s has no spec.target or spec.targets", r.Metadata.Name)
		}
		for _, t := range targets {
			files, why := locate(e.dir, strings.TrimSpace(t.s), sorted, exists)
			if why != "" {
				if why == notFound && strings.EqualFold(r.Spec.Presence, "optional") {
					continue
				}
				c.problem(e.file, t.line, "Location %s: target %s %s", r.Metadata.Name, t.s, why)
				continue
			}
			for _, p := range files {
				if c.files[p] {
					continue
				}
				if budget == 0 {
					c.problem(e.file, t.line, "Location %s: target %s: more than %d files named by Locations; the rest are not read", r.Metadata.Name, t.s, MaxLocationFiles)
					return
				}
				budget--
				data, err := read(p)
				if err != nil {
					c.files[p] = true
					c.problems = append(c.problems, Problem{File: p, Fatal: true,
						Msg: fmt.Sprintf("named by Location %s (%s): %v", r.Metadata.Name, Evidence(e.file, t.line), err)})
					continue
				}
				c.Add(p, data)
			}
		}
	}
}

const notFound = "names no file in the repository"

// locate resolves a Location target against the directory of the file that
// holds it: the repository files it names, or why it is not followed.
func locate(dir, target string, sorted []string, exists map[string]bool) ([]string, string) {
	switch {
	case target == "":
		return nil, "is empty"
	case strings.Contains(target, "://"):
		return nil, "is a URL; estate follows only relative paths inside the repository, so it is not followed"
	case strings.HasPrefix(target, "/"):
		return nil, "is an absolute path, outside the repository; not followed"
	}
	p := path.Join(dir, target)
	if p == ".." || strings.HasPrefix(p, "../") {
		return nil, "is outside the repository; not followed"
	}
	if !strings.ContainsAny(p, "*?[{") {
		if !exists[p] {
			return nil, notFound
		}
		return []string{p}, ""
	}
	if !doublestar.ValidatePattern(p) {
		return nil, "is not a valid glob pattern"
	}
	var out []string
	for _, f := range sorted {
		if ok, _ := doublestar.Match(p, f); ok {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, notFound
	}
	return out, ""
}

// Result maps every entity read so far and resolves references between
// them. Owners and members are Teams and People keyed as every source keys
// them, so they are emitted even when no Group or User entity defines them;
// any other reference to an entity that is not in the catalog is reported
// and left out.
func (c *Catalog) Result() Result {
	res := Result{Problems: append([]Problem(nil), c.problems...)}
	emitted := map[graph.Ref]int{} // index in res.Nodes
	node := func(n graph.NodeInput) {
		if _, ok := emitted[n.Ref()]; !ok {
			emitted[n.Ref()] = len(res.Nodes)
			res.Nodes = append(res.Nodes, n)
		}
	}
	personKey := map[string]string{} // user entity ref → Person key
	for _, e := range c.entities {
		if e.ref.kind == "user" && e.raw.Spec.Profile.Email != "" {
			personKey[e.ref.String()] = strings.ToLower(e.raw.Spec.Profile.Email)
		}
	}
	// principal returns the Team or Person node for an owner or member ref.
	principal := func(r entityRef, ev string) (graph.NodeInput, bool) {
		switch r.kind {
		case "group":
			return TeamNode("", "", r.key(), "", graph.Declared, ev), true
		case "user":
			if k, ok := personKey[r.String()]; ok {
				return PersonNode("", r.name, k, "", graph.Declared, ev), true
			}
			return PersonNode("", r.key(), "", "", graph.Declared, ev), true
		}
		return graph.NodeInput{}, false
	}
	target := func(r entityRef) (graph.Ref, bool) {
		if r.kind == "user" {
			if k, ok := personKey[r.String()]; ok {
				return graph.Ref{Kind: graph.KindPerson, Key: k}, true
			}
		}
		k, ok := r.graphKind()
		if !ok {
			return graph.Ref{}, false
		}
		if k == graph.KindTeam || k == graph.KindPerson {
			return graph.Ref{Kind: k, Key: strings.ToLower(r.key())}, true
		}
		return graph.Ref{Kind: k, Key: r.key()}, true
	}
	// First the nodes the entities themselves define.
	for _, e := range c.entities {
		ref, ok := target(e.ref)
		if !ok {
			continue
		}
		r := &e.raw
		ev := Evidence(e.file, lineOf(e.doc, "metadata", "name")) + " " + r.Kind + " " + r.Metadata.Name
		n := graph.NodeInput{Kind: ref.Kind, Key: ref.Key, Name: r.Metadata.Name, Confidence: graph.Declared, Evidence: ev}
		if r.Metadata.Title != "" {
			n.Name = r.Metadata.Title
		}
		props := map[string]any{}
		switch ref.Kind {
		case graph.KindApplication:
			props["type"], props["lifecycle"], props["description"] = r.Spec.Type, r.Spec.Lifecycle, r.Metadata.Description
		case graph.KindService:
			props["lifecycle"], props["description"] = r.Spec.Lifecycle, r.Metadata.Description
		case graph.KindBusinessUnit:
			props["description"] = r.Metadata.Description
		case graph.KindCloudResource:
			props["type"] = r.Spec.Type
		case graph.KindTeam:
			n = TeamNode("", "", e.ref.key(), r.Metadata.Name, graph.Declared, ev)
			props["description"], props["email"] = r.Metadata.Description, r.Spec.Profile.Email
			if r.Spec.Profile.DisplayName != "" {
				n.Name = r.Spec.Profile.DisplayName
			}
		case graph.KindPerson:
			n = PersonNode("", e.ref.key(), r.Spec.Profile.Email, r.Spec.Profile.DisplayName, graph.Declared, ev)
			if n.Name == "" {
				n.Name = r.Metadata.Name
			}
			props = n.Props
		}
		for k, v := range props {
			if s, ok := v.(string); ok && s == "" {
				delete(props, k)
			}
		}
		if len(props) > 0 {
			n.Props = props
		} else {
			n.Props = nil
		}
		if ref.Kind == graph.KindApplication || ref.Kind == graph.KindService {
			n.Aliases = append(n.Aliases, e.ref.kind+":"+e.ref.key())
		}
		node(n)
		if ref.Kind == graph.KindApplication {
			b := Build{App: ref, Path: e.dir, Confidence: graph.Declared, Evidence: ev}
			b.ProjectSlug = r.Metadata.Annotations["github.com/project-slug"]
			if b.ProjectSlug == "" {
				b.ProjectSlug = r.Metadata.Annotations["gitlab.com/project-slug"]
			}
			res.Builds = append(res.Builds, b)
		}
	}
	// providers: API ref → components that provide it.
	providers := map[string][]entityRef{}
	for _, e := range c.entities {
		for _, a := range e.raw.Spec.ProvidesApis {
			if ar, ok := parseRef(a, "api", e.ref.namespace); ok {
				providers[ar.String()] = append(providers[ar.String()], e.ref)
			}
		}
	}
	var at *entity // the entity whose relationships are being read
	edge := func(t graph.RelType, from, to graph.Ref, props map[string]any, ev string) {
		if from == to {
			// A group listing itself as its child (found by fuzzing) is a
			// mistake in the file, not a relationship.
			c.reportTo(&res, at.file, at.line, "%s: %s %s names itself; ignored", ev, t, from)
			return
		}
		res.Edges = append(res.Edges, graph.EdgeInput{Type: t, From: from, To: to, Props: props, Confidence: graph.Declared, Evidence: ev})
	}
	for _, e := range c.entities {
		at = e
		self, ok := target(e.ref)
		if !ok {
			continue
		}
		r := &e.raw
		at := func(field ...string) string {
			return Evidence(e.file, lineOf(e.doc, field...))
		}
		// resolve looks a reference up among the entities read.
		resolve := func(field, s, defKind string) (graph.Ref, bool) {
			er, ok := parseRef(s, defKind, e.ref.namespace)
			if !ok {
				c.reportTo(&res, e.file, lineOf(e.doc, "spec", field), "%s %s: spec.%s %q is not a valid entity reference", r.Kind, r.Metadata.Name, field, s)
				return graph.Ref{}, false
			}
			if _, defined := c.byRef[er.String()]; !defined {
				c.reportTo(&res, e.file, lineOf(e.doc, "spec", field), "%s %s: spec.%s names %s, which is not in the catalog", r.Kind, r.Metadata.Name, field, er)
				return graph.Ref{}, false
			}
			t, ok := target(er)
			if !ok {
				c.reportTo(&res, e.file, lineOf(e.doc, "spec", field), "%s %s: spec.%s names %s, which estate does not map", r.Kind, r.Metadata.Name, field, er)
			}
			return t, ok
		}
		if r.Spec.Owner != "" && self.Kind != graph.KindTeam && self.Kind != graph.KindPerson {
			er, ok := parseRef(r.Spec.Owner, "group", e.ref.namespace)
			ev := at("spec", "owner") + " spec.owner: " + r.Spec.Owner
			if n, pok := principal(er, ev); ok && pok {
				node(n)
				edge(graph.RelOwns, n.Ref(), self, map[string]any{"role": graph.OwnerTechnical}, ev)
			} else {
				c.reportTo(&res, e.file, lineOf(e.doc, "spec", "owner"), "%s %s: owner %q is not a group or user", r.Kind, r.Metadata.Name, r.Spec.Owner)
			}
		}
		// dependsOn and its reverse, dependencyOf (Component and Resource):
		// estate's model has DEPENDS_ON only from an Application, so one
		// from a Resource is reported, not recorded.
		depend := func(field string, i int, ref string, from, to graph.Ref) {
			line := itemLine(e.doc, i, "spec", field)
			if graph.RelDependsOn.Allowed(from.Kind, to.Kind) {
				edge(graph.RelDependsOn, from, to, nil, Evidence(e.file, line)+" spec."+field+": "+ref)
				return
			}
			c.reportTo(&res, e.file, line, "%s %s: spec.%s %s: estate's model has no DEPENDS_ON from a %s to a %s; not recorded",
				r.Kind, r.Metadata.Name, field, ref, from.Kind, to.Kind)
		}
		for i, d := range r.Spec.DependsOn {
			if to, ok := resolve("dependsOn", d, "component"); ok {
				depend("dependsOn", i, d, self, to)
			}
		}
		for i, d := range r.Spec.DependencyOf {
			if from, ok := resolve("dependencyOf", d, "component"); ok {
				depend("dependencyOf", i, d, from, self)
			}
		}
		switch self.Kind {
		case graph.KindCloudResource:
			// No relationship of the model goes from a CloudResource to a
			// Service: the system is kept as a label of the resource.
			if r.Spec.System != "" {
				if to, ok := resolve("system", r.Spec.System, "system"); ok && to.Kind == graph.KindService {
					n := &res.Nodes[emitted[self]]
					if n.Labels == nil {
						n.Labels = map[string]string{}
					}
					n.Labels[SystemLabel] = to.Key
				}
			}
		case graph.KindApplication:
			if r.Spec.System != "" {
				if to, ok := resolve("system", r.Spec.System, "system"); ok && to.Kind == graph.KindService {
					edge(graph.RelPartOf, self, to, nil, at("spec", "system")+" spec.system: "+r.Spec.System)
				}
			}
			for _, a := range r.Spec.ConsumesApis {
				ar, ok := parseRef(a, "api", e.ref.namespace)
				provs := providers[ar.String()]
				if !ok || len(provs) == 0 {
					c.reportTo(&res, e.file, lineOf(e.doc, "spec", "consumesApis"), "%s %s: consumes API %s, which no component in the catalog provides", r.Kind, r.Metadata.Name, a)
					continue
				}
				for _, p := range provs {
					if to, ok := target(p); ok && to != self {
						edge(graph.RelDependsOn, self, to, nil, at("spec", "consumesApis")+" spec.consumesApis: "+a)
					}
				}
			}
		case graph.KindService:
			if r.Spec.Domain != "" {
				if to, ok := resolve("domain", r.Spec.Domain, "domain"); ok && to.Kind == graph.KindBusinessUnit {
					edge(graph.RelPartOf, self, to, nil, at("spec", "domain")+" spec.domain: "+r.Spec.Domain)
				}
			}
		case graph.KindBusinessUnit:
			if r.Spec.SubdomainOf != "" {
				if to, ok := resolve("subdomainOf", r.Spec.SubdomainOf, "domain"); ok && to.Kind == graph.KindBusinessUnit {
					edge(graph.RelPartOf, self, to, nil, at("spec", "subdomainOf")+" spec.subdomainOf: "+r.Spec.SubdomainOf)
				}
			}
		case graph.KindTeam:
			if r.Spec.Parent != "" {
				if to, ok := resolve("parent", r.Spec.Parent, "group"); ok && to.Kind == graph.KindTeam {
					edge(graph.RelMemberOf, self, to, nil, at("spec", "parent")+" spec.parent: "+r.Spec.Parent)
				}
			}
			for _, ch := range r.Spec.Children {
				// The child's own spec.parent usually says the same; a child
				// not in the catalog is reported.
				if from, ok := resolve("children", ch, "group"); ok && from.Kind == graph.KindTeam {
					edge(graph.RelMemberOf, from, self, nil, at("spec", "children")+" spec.children: "+ch)
				}
			}
			for _, m := range r.Spec.Members {
				er, ok := parseRef(m, "user", e.ref.namespace)
				ev := at("spec", "members") + " spec.members: " + m
				if n, pok := principal(er, ev); ok && pok && n.Kind == graph.KindPerson {
					node(n)
					edge(graph.RelMemberOf, n.Ref(), self, nil, ev)
				} else {
					c.reportTo(&res, e.file, lineOf(e.doc, "spec", "members"), "Group %s: member %q is not a user", r.Metadata.Name, m)
				}
			}
		case graph.KindPerson:
			for _, g := range r.Spec.MemberOf {
				er, ok := parseRef(g, "group", e.ref.namespace)
				ev := at("spec", "memberOf") + " spec.memberOf: " + g
				if n, pok := principal(er, ev); ok && pok && n.Kind == graph.KindTeam {
					node(n)
					edge(graph.RelMemberOf, self, n.Ref(), nil, ev)
				} else {
					c.reportTo(&res, e.file, lineOf(e.doc, "spec", "memberOf"), "User %s: memberOf %q is not a group", r.Metadata.Name, g)
				}
			}
		}
	}
	res.Edges = dedupEdges(res.Edges)
	return res
}

// SystemLabel is the label of a CloudResource read from a Backstage Resource
// whose spec.system names a System: the key of that Service.
const SystemLabel = "backstage.io/system"

func (c *Catalog) reportTo(res *Result, file string, line int, format string, args ...any) {
	res.Problems = append(res.Problems, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// dedupEdges keeps the first of relationships with the same id (a group's
// children and its children's parent say the same thing).
func dedupEdges(es []graph.EdgeInput) []graph.EdgeInput {
	seen := map[graph.ID]bool{}
	out := es[:0]
	for _, e := range es {
		id := e.ID()
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, e)
	}
	return out
}

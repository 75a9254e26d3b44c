package descriptors

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/estate-cmdb/estate/graph"
)

// DescriptorKind classifies a file a git source should read.
type DescriptorKind string

// The files the descriptor analysis reads.
const (
	KindCodeowners  DescriptorKind = "codeowners"
	KindCatalog     DescriptorKind = "catalog"
	KindDockerfile  DescriptorKind = "dockerfile"
	KindCompose     DescriptorKind = "compose"
	KindHelmChart   DescriptorKind = "helm"
	KindKustomize   DescriptorKind = "kustomize"
	KindK8sManifest DescriptorKind = "kubernetes"
	KindServerless  DescriptorKind = "serverless"
	KindSkaffold    DescriptorKind = "skaffold"
	KindTerraform   DescriptorKind = "terraform"
	KindGitHubCI    DescriptorKind = "github-actions"
	KindGitLabCI    DescriptorKind = "gitlab-ci"
)

// Classify says whether a repository file (slash-separated path) is one the
// analysis reads, and as what. Kubernetes manifests are recognised by
// content, so any .yaml under a k8s/, kubernetes/, manifests/ or deploy/
// directory is a candidate. Terraform files are read outside modules/
// directories (a module is not a root) and .terraform/ (downloaded copies).
func Classify(p string) (DescriptorKind, bool) {
	base := path.Base(p)
	low := strings.ToLower(base)
	switch {
	case base == "CODEOWNERS":
		for _, l := range append(append([]string{}, GitHubCodeownersLocations...), GitLabCodeownersLocations...) {
			if p == l {
				return KindCodeowners, true
			}
		}
		return "", false
	case low == "catalog-info.yaml" || low == "catalog-info.yml":
		return KindCatalog, true
	case low == "dockerfile" || strings.HasPrefix(low, "dockerfile.") || strings.HasSuffix(low, ".dockerfile") || low == "containerfile":
		return KindDockerfile, true
	case low == "docker-compose.yml" || low == "docker-compose.yaml" || low == "compose.yml" || low == "compose.yaml":
		return KindCompose, true
	case base == "Chart.yaml":
		return KindHelmChart, true
	case low == "kustomization.yaml" || low == "kustomization.yml":
		return KindKustomize, true
	case low == "serverless.yml" || low == "serverless.yaml":
		return KindServerless, true
	case low == "skaffold.yaml" || low == "skaffold.yml":
		return KindSkaffold, true
	case p == ".gitlab-ci.yml" || p == ".gitlab-ci.yaml":
		return KindGitLabCI, true
	case path.Dir(p) == ".github/workflows" && (strings.HasSuffix(low, ".yml") || strings.HasSuffix(low, ".yaml")):
		return KindGitHubCI, true
	case strings.HasSuffix(low, ".tf"):
		for _, d := range strings.Split(path.Dir(p), "/") {
			if d == "modules" || d == ".terraform" {
				return "", false
			}
		}
		return KindTerraform, true
	case strings.HasSuffix(low, ".yaml") || strings.HasSuffix(low, ".yml"):
		for _, d := range strings.Split(path.Dir(p), "/") {
			switch strings.ToLower(d) {
			case "k8s", "kubernetes", "manifests", "deploy", "deployment", "deployments":
				if !strings.Contains(p, "/templates/") { // Helm templates are not plain YAML
					return KindK8sManifest, true
				}
			}
		}
	}
	return "", false
}

// Inference finds deployable units in a repository where no catalog-info.yaml
// declares them: one Application per Dockerfile directory, compose service
// with a build, skaffold artifact, Helm chart, Kubernetes workload,
// serverless service or Terraform root (type infrastructure), with a BUILDS
// path and the file as evidence, all INFERRED. Dependencies between them
// (compose depends_on, chart dependencies, environment variables or the
// ConfigMap values a workload uses naming another unit's service address)
// become DEPENDS_ON; a dependency on
// something the repository does not build is reported. CI jobs deploying to
// a named environment (GitHub Actions, GitLab CI) add the environment to the
// application they deploy.
type Inference struct {
	repoName string
	apps     map[string]*inferred // by key
	names    map[string]string    // unit name → key
	order    []string
	deps     []inferredDep
	problems []Problem
	// Kubernetes Services and workloads: an address naming a Service
	// resolves, in Result, to the workload whose pod labels it selects.
	services   []k8sService
	workloads  []k8sWorkload
	configs    []configEntry
	configRefs []configRef
	deploys    []deployJob
	// states are the Terraform roots' state locations (S3 backends).
	states []string
}

type inferred struct {
	key, name, path, evidence string
	typ                       string
	weak                      bool     // named only after its Dockerfile's directory
	envs                      []string // deployment environments, sorted
	envEvidence               []string
}

type inferredDep struct {
	from, to, evidence, file string
	line                     int
	// via says how the dependency was found when it is not a list of
	// names (an environment variable), for the report.
	via string
	// address is set when to is a host read from an address, which is
	// reported when it names no unit; a bare value naming none is not a
	// dependency at all (see addressHosts).
	address bool
}

// NewInference starts an inference for the repository named repoName (used
// for a deployable at the root).
func NewInference(repoName string) *Inference {
	return &Inference{repoName: repoName, apps: map[string]*inferred{}, names: map[string]string{}}
}

// add records a deployable. local names (a directory's or a compose
// service's) are only unique within the repository, so they are keyed
// "repo/name"; names an author chose for the unit itself (a chart, a
// serverless service, a workload) are kept as they are, like a catalog
// component's. It returns the new unit, or nil when the key was taken.
func (in *Inference) add(name, dir, evidence, typ string, local bool) *inferred {
	// Git allows any bytes in a path, but the store refuses such a name:
	// kept, the unit would make every run partial (and hold every sweep).
	if strings.ContainsFunc(name, unicode.IsControl) || !utf8.ValidString(name) {
		in.problems = append(in.problems, Problem{File: strings.ToValidUTF8(dir, "\uFFFD"),
			Msg: fmt.Sprintf("%q cannot name an application (control characters or invalid UTF-8); skipped", name)})
		return nil
	}
	key := strings.ToLower(strings.TrimSpace(name))
	repo := strings.ToLower(in.repoName)
	if key == "" || key == "." || key == "/" {
		key = repo
	}
	if _, ok := in.names[key]; !ok {
		in.names[key] = ""
	}
	plain := key
	if local && key != repo && repo != "" {
		key = repo + "/" + key
	}
	if key == "" || len(key) > 200 {
		return nil
	}
	if old, ok := in.apps[key]; ok {
		// First evidence wins (files are added in path order), except
		// that where a unit is built (a skaffold artifact named like the
		// workload that runs it) says more than where it is deployed.
		if old.typ == "kubernetes" && typ == "container" {
			old.path, old.typ, old.evidence = dir, typ, evidence+evidenceSep+old.evidence
		}
		return nil
	}
	if in.names[plain] == "" {
		in.names[plain] = key
	}
	a := &inferred{key: key, name: name, path: dir, evidence: evidence, typ: typ}
	in.apps[key] = a
	in.order = append(in.order, key)
	return a
}

func (in *Inference) problem(file string, line int, format string, args ...any) {
	in.problems = append(in.problems, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func dirOf(p string) string {
	d := path.Dir(p)
	if d == "." {
		return ""
	}
	return d
}

func (in *Inference) nameOf(dir string) string {
	if dir == "" {
		return in.repoName
	}
	return path.Base(dir)
}

// decodeYAML reads up to MaxCatalogDocuments documents.
func decodeYAML(data []byte) ([]*yaml.Node, error) {
	if err := CheckContent(data); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for len(docs) < MaxCatalogDocuments {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return docs, fmt.Errorf("invalid YAML: %w", err)
		}
		if len(n.Content) > 0 {
			if err := checkExpansion(n.Content[0]); err != nil {
				return docs, err
			}
			docs = append(docs, n.Content[0])
		}
	}
	return docs, nil
}

// Add reads one file Classify accepted.
func (in *Inference) Add(file string, kind DescriptorKind, data []byte) {
	dir := dirOf(file)
	if kind == KindDockerfile {
		if err := CheckContent(data); err != nil {
			in.problems = append(in.problems, Problem{File: file, Msg: err.Error(), Fatal: true})
			return
		}
		if !bytes.Contains(bytes.ToUpper(data), []byte("FROM")) {
			in.problem(file, 0, "Dockerfile without a FROM instruction; not a deployable")
			return
		}
		if a := in.add(in.nameOf(dir), dir, Evidence(file, 0), "container", true); a != nil {
			a.weak = true
		}
		return
	}
	if kind == KindTerraform {
		in.terraformFile(file, data)
		return
	}
	docs, err := decodeYAML(data)
	if err != nil {
		in.problems = append(in.problems, Problem{File: file, Msg: err.Error(), Fatal: len(docs) == 0})
	}
	for _, d := range docs {
		switch kind {
		case KindCompose:
			in.compose(file, d)
		case KindSkaffold:
			in.skaffold(file, d)
		case KindGitHubCI:
			in.githubWorkflow(file, d)
		case KindGitLabCI:
			in.gitlabCI(file, d)
		case KindHelmChart:
			var c struct {
				Name         string `yaml:"name"`
				Dependencies []struct {
					Name string `yaml:"name"`
				} `yaml:"dependencies"`
			}
			if err := d.Decode(&c); err != nil || c.Name == "" {
				in.problem(file, d.Line, "Helm chart without a name")
				continue
			}
			in.add(c.Name, dir, Evidence(file, lineOf(d, "name"))+" name: "+c.Name, "helm-chart", false)
			for _, dep := range c.Dependencies {
				in.deps = append(in.deps, inferredDep{from: c.Name, to: dep.Name, file: file, line: lineOf(d, "dependencies"),
					evidence: Evidence(file, lineOf(d, "dependencies")) + " dependencies: " + dep.Name})
			}
		case KindServerless:
			var s struct {
				Service any `yaml:"service"`
			}
			_ = d.Decode(&s)
			name, _ := s.Service.(string)
			if m, ok := s.Service.(map[string]any); ok {
				name, _ = m["name"].(string)
			}
			if name == "" {
				in.problem(file, d.Line, "serverless.yml without a service name")
				continue
			}
			in.add(name, dir, Evidence(file, lineOf(d, "service"))+" service: "+name, "serverless", false)
		case KindKustomize:
			// A kustomization is a deployable unit when it is not just a
			// base for overlays; name it after its directory (overlays/prod
			// → the directory above).
			var k struct {
				NamePrefix string `yaml:"namePrefix"`
			}
			_ = d.Decode(&k)
			name := in.nameOf(dir)
			switch strings.ToLower(name) {
			case "base", "overlays", "prod", "production", "staging", "dev", "test", "k8s", "kubernetes", "deploy":
				// environment or layout directories: the workload names say more
				continue
			}
			in.add(name, dir, Evidence(file, 0)+" kustomization", "kubernetes", true)
		case KindK8sManifest:
			in.kubernetes(file, dir, d)
		}
	}
}

func (in *Inference) compose(file string, d *yaml.Node) {
	var c struct {
		Services map[string]struct {
			Build     any `yaml:"build"`
			Image     string
			DependsOn any `yaml:"depends_on"`
		} `yaml:"services"`
	}
	if err := d.Decode(&c); err != nil {
		in.problem(file, d.Line, "not a compose file: %v", err)
		return
	}
	dir := dirOf(file)
	names := make([]string, 0, len(c.Services))
	for n := range c.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := c.Services[n]
		line := lineOf(d, "services", n)
		if s.Build == nil {
			continue // a third-party image (a database, a queue): not built here
		}
		ctx := "."
		switch b := s.Build.(type) {
		case string:
			ctx = b
		case map[string]any:
			if v, ok := b["context"].(string); ok {
				ctx = v
			}
		}
		in.add(n, contextDir(dir, ctx), Evidence(file, line)+" services."+n+".build", "container", true)
		composeEnv(field(d, "services", n, "environment"), func(name, value string, line int) {
			for _, h := range addressHosts(value) {
				if other, ok := c.Services[h.name]; ok && other.Build == nil {
					if !h.bare {
						in.problem(file, line, "service %s names %s in environment %s, which this repository does not build (%s)",
							n, h.name, name, imageOr(other.Image))
					}
					continue
				}
				in.envDep(file, line, n, "environment "+name, "services."+n+".environment."+name, h)
			}
		})
		var deps []string
		switch v := s.DependsOn.(type) {
		case []any:
			for _, x := range v {
				if s, ok := x.(string); ok {
					deps = append(deps, s)
				}
			}
		case map[string]any:
			for k := range v {
				deps = append(deps, k)
			}
		}
		sort.Strings(deps)
		for _, dep := range deps {
			dl := lineOf(d, "services", n, "depends_on")
			if other, ok := c.Services[dep]; ok && other.Build == nil {
				in.problem(file, dl, "service %s depends on %s (%s), which this repository does not build", n, dep, imageOr(other.Image))
				continue
			}
			in.deps = append(in.deps, inferredDep{from: n, to: dep, file: file, line: dl,
				evidence: Evidence(file, dl) + " services." + n + ".depends_on: " + dep})
		}
	}
}

// evidenceSep joins the evidence of an application several files speak of
// (its unit, the CI jobs deploying it).
const evidenceSep = "; "

func imageOr(img string) string {
	if img == "" {
		return "no image"
	}
	return img
}

// Result returns the inferred applications (skipping those built where a
// declared one is: a catalog-info.yaml there already says what it builds),
// the dependencies between them, and the problems. A unit named only after
// its Dockerfile's directory gives way to a unit with a chosen name (a
// chart, a skaffold artifact, a workload) built from the same directory.
// CI deploy jobs may deploy declared applications too: those get a node
// carrying only their environments.
func (in *Inference) Result(declared []Build) Result {
	res := Result{Problems: append([]Problem(nil), in.problems...)}
	declaredDirs := map[string]bool{}
	var targets []*inferred // what deploy jobs may deploy: declared and kept units
	for _, b := range declared {
		declaredDirs[b.Path] = true
		if b.ProjectSlug == "" {
			targets = append(targets, &inferred{key: b.App.Key, name: b.App.Key, path: b.Path})
		}
	}
	named := map[string]string{} // path → key of a unit with a chosen name
	for _, k := range in.order {
		if a := in.apps[k]; !a.weak {
			if _, ok := named[a.path]; !ok {
				named[a.path] = k
			}
		}
	}
	alias := map[string]string{}
	var kept []*inferred
	for _, k := range in.order {
		a := in.apps[k]
		if declaredDirs[a.path] {
			continue
		}
		if other, ok := named[a.path]; ok && a.weak {
			alias[k] = other
			continue
		}
		kept = append(kept, a)
	}
	keptKey := map[string]bool{}
	for _, a := range kept {
		keptKey[a.key] = true
	}
	in.resolveDeploys(append(targets, kept...), &res)
	for _, a := range targets {
		if len(a.envs) > 0 {
			res.Nodes = append(res.Nodes, graph.NodeInput{Kind: graph.KindApplication, Key: a.key,
				Props: map[string]any{"environments": slices.Clone(a.envs)}, Confidence: graph.Inferred,
				Evidence: strings.Join(a.envEvidence, evidenceSep)})
		}
	}
	for _, a := range kept {
		ref := graph.Ref{Kind: graph.KindApplication, Key: a.key}
		props := map[string]any{"type": a.typ}
		evidence := a.evidence
		if len(a.envs) > 0 {
			props["environments"] = slices.Clone(a.envs)
			evidence = strings.Join(append([]string{evidence}, a.envEvidence...), evidenceSep)
		}
		res.Nodes = append(res.Nodes, graph.NodeInput{Kind: graph.KindApplication, Key: a.key, Name: a.name,
			Props: props, Confidence: graph.Inferred, Evidence: evidence})
		res.Builds = append(res.Builds, Build{App: ref, Path: a.path, Confidence: graph.Inferred, Evidence: a.evidence})
	}
	resolve := func(name string) string {
		k := in.names[strings.ToLower(name)]
		if k == "" {
			// A Kubernetes Service: the workload its selector picks.
			for _, s := range in.services {
				if s.name != name {
					continue
				}
				for _, w := range in.workloads {
					if selects(s.selector, w.labels) {
						k = in.names[strings.ToLower(w.name)]
						break
					}
				}
			}
		}
		if a, ok := alias[k]; ok {
			k = a
		}
		return k
	}
	for _, d := range append(slices.Clone(in.deps), in.configDeps()...) {
		from, to := resolve(d.from), resolve(d.to)
		if from == "" || !keptKey[from] || from == to {
			continue
		}
		if to == "" || !keptKey[to] {
			if d.via != "" && !d.address {
				continue // a plain value naming no unit is just a value
			}
			how := ""
			if d.via != "" {
				how = " (" + d.via + ")"
			}
			res.Problems = append(res.Problems, Problem{File: d.file, Line: d.line,
				Msg: fmt.Sprintf("%s depends on %s%s, which this repository does not build", d.from, d.to, how)})
			continue
		}
		res.Edges = append(res.Edges, graph.EdgeInput{Type: graph.RelDependsOn,
			From: graph.Ref{Kind: graph.KindApplication, Key: from}, To: graph.Ref{Kind: graph.KindApplication, Key: to},
			Confidence: graph.Inferred, Evidence: d.evidence})
	}
	res.Edges = dedupEdges(res.Edges)
	return res
}

// selects reports whether a Service selector picks pods with these labels.
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

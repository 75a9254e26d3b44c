package descriptors

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/estate-cmdb/estate/graph"
)

// Repo is the repository whose files Analyze reads.
type Repo struct {
	// Node is the Repository node as the caller emits it. Analyze lists it
	// again with its Terraform state aliases added and nothing else
	// changed, so that the second assertion keeps the caller's evidence.
	Node graph.NodeInput
	Host string // "github.com", a GHES or GitLab host, or "" for a local repository
	Org  string // organisation or top-level group, for team aliases
	Name string // repository name, for an application at the root
	// Flavor selects CODEOWNERS semantics and locations.
	Flavor Flavor
}

// File is one descriptor file of a repository (Classify accepted its path).
type File struct {
	Path string
	Data []byte
}

// AnalyzeOptions tune Analyze.
type AnalyzeOptions struct {
	// ResolveOwner maps a CODEOWNERS owner to a known team or person. Nil
	// means no directory of teams is known (a plain git repository): every
	// owner becomes a Team or Person node, keyed as every source keys them,
	// so it merges with the same team from a git host.
	ResolveOwner func(Owner) (graph.Ref, bool)
	// KnownRepo maps a project-slug annotation ("org/repo") to a repository
	// the caller emits; nil or false keeps the BUILDS on this repository.
	KnownRepo func(slug string) (graph.Ref, bool)
	// Paths lists every file of the repository (vendored trees left out,
	// as for files) and ReadFile reads one: Backstage Location targets
	// resolve against Paths, and those that are not among the descriptor
	// files are read with ReadFile. Without ReadFile, Locations are
	// followed only to descriptor files.
	Paths    []string
	ReadFile func(path string) ([]byte, error)
}

// Analyze applies every descriptor of one repository: catalog-info.yaml and
// the in-repository files its Location entities name (DECLARED), inference from build and deployment files where nothing is
// declared (INFERRED), and CODEOWNERS: the owners of the root own the
// repository (DECLARED), the owners of an application's directory own the
// application (INFERRED). Evidence is prefixed with the repository key. Nodes
// come before the relationships that name them; the repository node itself
// is the caller's (Nodes repeats it only to add its Terraform state aliases).
func Analyze(repo Repo, files []File, opt AnalyzeOptions) Result {
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	ref := repo.Node.Ref()
	prefix := ref.Key + "/"
	var out Result
	nodes := map[graph.Ref]int{}
	addNode := func(n graph.NodeInput) {
		if i, ok := nodes[n.Ref()]; ok {
			mergeNode(&out.Nodes[i], n)
			return
		}
		nodes[n.Ref()] = len(out.Nodes)
		out.Nodes = append(out.Nodes, n)
	}
	var edges []graph.EdgeInput

	cat := NewCatalog()
	inf := NewInference(repo.Name)
	var codeowners *Codeowners
	locations := GitHubCodeownersLocations
	if repo.Flavor == GitLab {
		locations = GitLabCodeownersLocations
	}
	found := map[string][]byte{}
	for _, f := range files {
		k, ok := Classify(f.Path)
		if !ok {
			continue
		}
		switch k {
		case KindCodeowners:
			found[f.Path] = f.Data
		case KindCatalog:
			cat.Add(f.Path, f.Data)
		default:
			inf.Add(f.Path, k, f.Data)
		}
	}
	read := map[string][]byte{}
	var paths []string
	if opt.ReadFile != nil {
		paths = append(paths, opt.Paths...)
	}
	for _, f := range files {
		read[f.Path] = f.Data
		paths = append(paths, f.Path)
	}
	cat.FollowLocations(slices.Compact(slices.Sorted(slices.Values(paths))), func(p string) ([]byte, error) {
		if data, ok := read[p]; ok {
			return data, nil
		}
		return opt.ReadFile(p)
	})
	for _, l := range locations {
		if data, ok := found[l]; ok {
			codeowners = ParseCodeowners(l, data, repo.Flavor)
			break
		}
	}

	declared := cat.Result()
	inferred := inf.Result(declared.Builds)
	// Inferred evidence may join several files' (evidenceSep): each gets
	// the repository prefix; the prefix for the first is added below.
	for i := range inferred.Nodes {
		inferred.Nodes[i].Evidence = strings.ReplaceAll(inferred.Nodes[i].Evidence, evidenceSep, evidenceSep+prefix)
	}
	for i := range inferred.Builds {
		inferred.Builds[i].Evidence = strings.ReplaceAll(inferred.Builds[i].Evidence, evidenceSep, evidenceSep+prefix)
	}
	for _, r := range []Result{declared, inferred} {
		for _, n := range r.Nodes {
			n.Evidence = prefix + n.Evidence
			addNode(n)
		}
		for _, e := range r.Edges {
			e.Evidence = prefix + e.Evidence
			edges = append(edges, e)
		}
		out.Problems = append(out.Problems, r.Problems...)
	}
	// The repository is the caller's node; it is listed again only to add
	// where its Terraform roots keep their state (graph.TerraformStateAlias),
	// which is how the Terraform source finds the repository that DEFINES
	// a state's resources. It keeps the caller's evidence: an assertion
	// holds one, and the last one a run gives wins (graph/merge.go).
	if len(inf.states) > 0 {
		n := repo.Node
		n.Aliases = slices.Clone(n.Aliases)
		for _, st := range inf.states {
			n.Aliases = append(n.Aliases, graph.TerraformStateAlias(st))
		}
		slices.Sort(n.Aliases)
		n.Aliases = slices.Compact(n.Aliases)
		addNode(n)
	}
	var apps []Build
	for _, b := range append(declared.Builds, inferred.Builds...) {
		from := ref
		if b.ProjectSlug != "" && opt.KnownRepo != nil {
			if r, ok := opt.KnownRepo(b.ProjectSlug); ok {
				from = r
			}
		}
		var props map[string]any
		if b.Path != "" && from == ref {
			props = map[string]any{"path": b.Path}
		}
		edges = append(edges, graph.EdgeInput{Type: graph.RelBuilds, From: from, To: b.App, Props: props,
			Confidence: b.Confidence, Evidence: prefix + b.Evidence})
		out.Builds = append(out.Builds, b)
		if from == ref {
			apps = append(apps, b)
		}
	}

	if codeowners != nil {
		out.Problems = append(out.Problems, codeowners.Problems...)
		resolve := opt.ResolveOwner
		if resolve != nil {
			// Report every owner that names no one known, wherever it is
			// in the file, once per line.
			seen := map[string]bool{}
			check := func(line int, owners []Owner) {
				for _, o := range owners {
					if o.Kind == OwnerRole {
						continue
					}
					k := fmt.Sprint(line, o.Raw)
					if _, ok := resolve(o); !ok && !seen[k] {
						seen[k] = true
						out.Problems = append(out.Problems, Problem{File: codeowners.File, Line: line,
							Msg: fmt.Sprintf("owner %s names no known team or person", o.Raw)})
					}
				}
			}
			for _, sec := range codeowners.Sections {
				check(sec.Line, sec.Defaults)
			}
			for _, r := range codeowners.Rules {
				check(r.Line, r.Owners)
			}
		} else {
			resolve = func(o Owner) (graph.Ref, bool) {
				n, ok := o.OwnerNode(repo.Host, graph.Declared, prefix+codeowners.File)
				if ok {
					addNode(n)
				}
				return n.Ref(), ok
			}
		}
		es, _ := codeowners.OwnsEdges(RootProbe, ref, graph.Declared, prefix, resolve)
		edges = append(edges, es...)
		for _, a := range apps {
			if a.Path == "" {
				continue // the repository's owners; the app's own owner comes from its descriptor
			}
			es, _ := codeowners.OwnsEdges(DirProbe(a.Path), a.App, graph.Inferred, prefix, resolve)
			edges = append(edges, es...)
		}
	}
	out.Edges = dedupEdges(edges)
	out.Problems = dedupProblems(out.Problems)
	return out
}

func mergeNode(dst *graph.NodeInput, src graph.NodeInput) {
	if dst.Name == "" {
		dst.Name = src.Name
	}
	for k, v := range src.Props {
		if dst.Props == nil {
			dst.Props = map[string]any{}
		}
		if _, ok := dst.Props[k]; !ok {
			dst.Props[k] = v
		}
	}
	have := map[string]bool{}
	for _, a := range dst.Aliases {
		have[strings.ToLower(a)] = true
	}
	for _, a := range src.Aliases {
		if !have[strings.ToLower(a)] {
			dst.Aliases = append(dst.Aliases, a)
		}
	}
	if src.Confidence == graph.Declared {
		dst.Confidence = graph.Declared
	}
}

func dedupProblems(ps []Problem) []Problem {
	seen := map[Problem]bool{}
	out := ps[:0]
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

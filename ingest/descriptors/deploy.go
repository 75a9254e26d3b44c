package descriptors

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"go.yaml.in/yaml/v3"
)

// This file holds the inference from build, infrastructure and CI files
// beyond the deployable units of infer.go: skaffold artifacts, Terraform
// roots, CI deploy jobs and dependencies read from environment variables.

// field follows a path of mapping keys from n (aliases resolved); nil when
// any step is missing or not a mapping.
func field(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = deref(n)
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
				break
			}
		}
		n = next
	}
	return deref(n)
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 10; i++ {
		n = n.Alias
	}
	return n
}

// scalar is n's text when n is a scalar, else "".
func scalar(n *yaml.Node) string {
	if n = deref(n); n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// items is n's elements when n is a sequence.
func items(n *yaml.Node) []*yaml.Node {
	if n = deref(n); n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = deref(c)
	}
	return out
}

// pairs calls fn for each key and value of mapping n, in file order.
func pairs(n *yaml.Node, fn func(k, v *yaml.Node)) {
	if n = deref(n); n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		fn(n.Content[i], deref(n.Content[i+1]))
	}
}

// stringMap reads a mapping of strings (labels, selectors).
func stringMap(n *yaml.Node) map[string]string {
	m := map[string]string{}
	pairs(n, func(k, v *yaml.Node) { m[k.Value] = scalar(v) })
	return m
}

// texts collects every scalar under n (checkExpansion bounded the size).
func texts(n *yaml.Node, out []string) []string {
	n = deref(n)
	if n == nil {
		return out
	}
	if n.Kind == yaml.ScalarNode {
		return append(out, n.Value)
	}
	for _, c := range n.Content {
		out = texts(c, out)
	}
	return out
}

// contextDir is the directory a build context names, relative to the
// repository; a context outside the repository falls back to dir.
func contextDir(dir, ctx string) string {
	p := path.Clean(path.Join(dir, ctx))
	if p == "." || strings.HasPrefix(p, "..") {
		return dir
	}
	return p
}

// skaffold reads build.artifacts: each artifact is a deployable unit named
// after its image (registry and tag dropped), built from its context.
func (in *Inference) skaffold(file string, d *yaml.Node) {
	dir := dirOf(file)
	for _, a := range items(field(d, "build", "artifacts")) {
		img := scalar(field(a, "image"))
		name := imageName(img)
		if name == "" {
			in.problem(file, a.Line, "skaffold artifact without an image name")
			continue
		}
		ctx := scalar(field(a, "context"))
		if ctx == "" {
			ctx = "."
		}
		in.add(name, contextDir(dir, ctx), Evidence(file, field(a, "image").Line)+" build.artifacts.image: "+img, "container", false)
	}
}

// imageName is the last path segment of an image reference without tag or
// digest: gcr.io/acme/orders-api:1.2 → orders-api.
func imageName(img string) string {
	img = strings.TrimSpace(img)
	if i := strings.IndexByte(img, '@'); i >= 0 {
		img = img[:i]
	}
	img = path.Base(img)
	if i := strings.IndexByte(img, ':'); i >= 0 {
		img = img[:i]
	}
	if img == "." || img == "/" || strings.ContainsAny(img, "${} ") {
		return ""
	}
	return img
}

// terraformFile reads one .tf file: a directory whose files declare a
// backend (or cloud block) or configure a provider is a Terraform root, an
// application of type infrastructure named after its directory. Modules
// only declare required_providers and are not roots (Classify skips
// modules/ directories).
func (in *Inference) terraformFile(file string, data []byte) {
	if err := CheckContent(data); err != nil {
		in.problems = append(in.problems, Problem{File: file, Msg: err.Error(), Fatal: true})
		return
	}
	f, diags := hclsyntax.ParseConfig(data, file, hcl.InitialPos)
	if diags.HasErrors() {
		msg := "invalid HCL"
		if e := diags.Errs(); len(e) > 0 {
			msg += ": " + e[0].Error()
		}
		in.problems = append(in.problems, Problem{File: file, Msg: msg, Fatal: true})
		return
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return
	}
	dir := dirOf(file)
	name := dir
	if name == "" {
		name = in.repoName
	}
	var ev string // why the directory is a root: its first backend or provider
	for _, b := range body.Blocks {
		switch b.Type {
		case "terraform":
			for _, nb := range b.Body.Blocks {
				if nb.Type != "backend" && nb.Type != "cloud" {
					continue
				}
				e := strings.TrimSpace(fmt.Sprintf("%s terraform %s %s", Evidence(file, nb.TypeRange.Start.Line), nb.Type, strings.Join(nb.Labels, " ")))
				if loc := s3Backend(nb); loc != "" {
					in.states = append(in.states, loc)
				}
				if ev == "" {
					ev = e
				}
				break
			}
		case "provider":
			if ev == "" {
				ev = strings.TrimSpace(fmt.Sprintf("%s provider %s", Evidence(file, b.TypeRange.Start.Line), strings.Join(b.Labels, " ")))
			}
		}
	}
	if ev != "" {
		in.add(name, dir, ev, "infrastructure", true)
	}
}

// s3Backend returns s3://bucket/key for a backend "s3" block that spells
// both out as literals; "" for other backends, or when they come from
// -backend-config at init (a partial configuration) or from variables.
func s3Backend(b *hclsyntax.Block) string {
	if len(b.Labels) != 1 || b.Labels[0] != "s3" {
		return ""
	}
	literal := func(name string) string {
		a, ok := b.Body.Attributes[name]
		if !ok {
			return ""
		}
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
			return ""
		}
		return strings.TrimSpace(v.AsString())
	}
	bucket, key := literal("bucket"), strings.TrimPrefix(literal("key"), "/")
	if bucket == "" || key == "" {
		return ""
	}
	return "s3://" + bucket + "/" + key
}

// deployJob is a CI job that deploys to a named environment.
type deployJob struct {
	file, job, env string
	line           int
	// texts are the job's strings (and, for GitHub Actions, the
	// workflow's triggers, whose paths filters often name the unit).
	texts []string
}

// githubWorkflow records the jobs of a GitHub Actions workflow that name an
// environment (jobs.<id>.environment: name, or {name, url}).
func (in *Inference) githubWorkflow(file string, d *yaml.Node) {
	on := texts(field(d, "on"), nil)
	pairs(field(d, "jobs"), func(k, job *yaml.Node) {
		env := field(job, "environment")
		name := scalar(env)
		if name == "" {
			name = scalar(field(env, "name"))
		}
		if name == "" || strings.Contains(name, "${{") { // an expression: known only when the job runs
			return
		}
		in.deploys = append(in.deploys, deployJob{file: file, job: k.Value, env: name, line: env.Line,
			texts: append(texts(job, []string{k.Value}), on...)})
	})
}

// gitlabReserved are the top-level keys of .gitlab-ci.yml that are not jobs.
var gitlabReserved = map[string]bool{
	"default": true, "include": true, "stages": true, "variables": true, "workflow": true,
	"image": true, "services": true, "cache": true, "before_script": true, "after_script": true,
	"spec": true,
}

// gitlabCI records the jobs of .gitlab-ci.yml that deploy to an environment
// (environment: name, or {name, action}; actions other than start do not
// deploy). Hidden jobs (".name") are templates, not jobs.
func (in *Inference) gitlabCI(file string, d *yaml.Node) {
	pairs(d, func(k, job *yaml.Node) {
		if gitlabReserved[k.Value] || strings.HasPrefix(k.Value, ".") {
			return
		}
		env := field(job, "environment")
		name := scalar(env)
		if name == "" {
			name = scalar(field(env, "name"))
			if a := scalar(field(env, "action")); a != "" && a != "start" {
				return
			}
		}
		if name == "" {
			return
		}
		in.deploys = append(in.deploys, deployJob{file: file, job: k.Value, env: name, line: env.Line,
			texts: texts(job, []string{k.Value})})
	})
}

// kubernetes reads one manifest document: workloads are deployable units
// (with their containers' environment read for dependencies), Services are
// remembered so that an address naming a Service resolves to the workload
// its selector picks.
func (in *Inference) kubernetes(file, dir string, d *yaml.Node) {
	kind := scalar(field(d, "kind"))
	name := scalar(field(d, "metadata", "name"))
	if name == "" {
		return
	}
	switch kind {
	case "Service":
		if sel := stringMap(field(d, "spec", "selector")); len(sel) > 0 {
			in.services = append(in.services, k8sService{name: name, selector: sel})
		}
	case "ConfigMap":
		pairs(field(d, "data"), func(k, v *yaml.Node) {
			in.configs = append(in.configs, configEntry{configMap: name, key: k.Value, value: scalar(v), file: file, line: v.Line})
		})
	case "Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "Rollout":
		in.add(name, dir, Evidence(file, lineOf(d, "metadata", "name"))+" "+kind+" "+name, "kubernetes", false)
		pod := field(d, "spec", "template")
		if kind == "CronJob" {
			pod = field(d, "spec", "jobTemplate", "spec", "template")
		}
		in.workloads = append(in.workloads, k8sWorkload{name: name, labels: stringMap(field(pod, "metadata", "labels"))})
		for _, list := range []string{"initContainers", "containers"} {
			for _, c := range items(field(pod, "spec", list)) {
				for _, ef := range items(field(c, "envFrom")) {
					if cm := scalar(field(ef, "configMapRef", "name")); cm != "" {
						in.configRefs = append(in.configRefs, configRef{workload: kind + " " + name, from: name, configMap: cm})
					}
				}
				for _, e := range items(field(c, "env")) {
					env := scalar(field(e, "name"))
					if ref := field(e, "valueFrom", "configMapKeyRef"); ref != nil {
						in.configRefs = append(in.configRefs, configRef{workload: kind + " " + name, from: name,
							configMap: scalar(field(ref, "name")), key: scalar(field(ref, "key"))})
					}
					v := field(e, "value")
					if v == nil {
						continue
					}
					for _, h := range addressHosts(v.Value) {
						in.envDep(file, v.Line, name, "env "+env, kind+" "+name+" env "+env, h)
					}
				}
			}
		}
	}
}

// configEntry is one key of a ConfigMap; configRef a workload's use of a
// ConfigMap (all of it through envFrom, or one key).
type configEntry struct {
	configMap, key, value, file string
	line                        int
}

type configRef struct {
	workload, from, configMap, key string
}

// configDeps are the dependencies the ConfigMap values a workload uses
// name, with the ConfigMap's file and line as evidence.
func (in *Inference) configDeps() []inferredDep {
	var out []inferredDep
	for _, r := range in.configRefs {
		for _, c := range in.configs {
			if c.configMap != r.configMap || r.key != "" && c.key != r.key {
				continue
			}
			for _, h := range addressHosts(c.value) {
				out = append(out, inferredDep{from: r.from, to: h.name, file: c.file, line: c.line,
					via: "ConfigMap " + c.configMap + " " + c.key, address: !h.bare,
					evidence: Evidence(c.file, c.line) + " ConfigMap " + c.configMap + " data." + c.key + " → " + h.name + " (used by " + r.workload + ")"})
			}
		}
	}
	return out
}

type k8sService struct {
	name     string
	selector map[string]string
}

type k8sWorkload struct {
	name   string
	labels map[string]string
}

// envDep records the dependency an environment variable's value names
// (see addressHosts); where says where the variable is, for evidence.
// Values are never copied into evidence or reports: they may hold
// credentials.
func (in *Inference) envDep(file string, line int, from, via, where string, h host) {
	in.deps = append(in.deps, inferredDep{from: from, to: h.name, file: file, line: line, via: via, address: !h.bare,
		evidence: Evidence(file, line) + " " + where + " → " + h.name})
}

type host struct {
	name string
	bare bool // the whole value, not an address: a dependency only if it names a unit
}

var hostPort = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9.-]*):[0-9]{1,5}(/.*)?$`)

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// addressHosts returns the in-network host names a value names: a single
// DNS label (a compose service, a Kubernetes Service in the namespace) or
// the Service of a cluster-local name (NAME.NS.svc[.cluster.local]). Fully
// qualified names outside the cluster, IP addresses and localhost are
// external or meaningless here and left out. A value that is one bare word
// is returned marked bare: it is a dependency only if it is a unit's name.
func addressHosts(value string) []host {
	var out []host
	toks := strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' })
	for _, tok := range toks {
		var h string
		switch {
		case strings.Contains(tok, "://"):
			u, err := url.Parse(tok)
			if err != nil {
				continue
			}
			h = u.Hostname()
		case hostPort.MatchString(tok):
			h = hostPort.FindStringSubmatch(tok)[1]
		case len(toks) == 1:
			if l := strings.ToLower(tok); dnsLabel.MatchString(l) {
				out = append(out, host{name: l, bare: true})
			}
			continue
		default:
			continue
		}
		h = strings.ToLower(strings.TrimSuffix(h, "."))
		if i := strings.Index(h, ".svc"); i > 0 && (strings.HasSuffix(h, ".svc") || strings.HasSuffix(h, ".svc.cluster.local")) {
			h = strings.Split(h, ".")[0]
		}
		if h == "localhost" || net.ParseIP(h) != nil || !dnsLabel.MatchString(h) {
			continue
		}
		if !slices.ContainsFunc(out, func(x host) bool { return x.name == h }) {
			out = append(out, host{name: h})
		}
	}
	return out
}

// composeEnv reads a compose service's environment (a mapping, or a list of
// NAME=VALUE) as name, value and line.
func composeEnv(n *yaml.Node, fn func(name, value string, line int)) {
	pairs(n, func(k, v *yaml.Node) { fn(k.Value, scalar(v), v.Line) })
	for _, it := range items(n) {
		name, value, _ := strings.Cut(scalar(it), "=")
		fn(name, value, it.Line)
	}
}

// resolveDeploys adds each deploy job's environment to the applications it
// deploys: those whose directory the job names (its scripts, paths filters,
// working directories), else those whose name it names, else the only
// application there is. A job that names none of several is reported.
func (in *Inference) resolveDeploys(kept []*inferred, res *Result) {
	for _, j := range in.deploys {
		var hits []*inferred
		for _, a := range kept {
			if a.path != "" && mentions(j.texts, a.path) {
				hits = append(hits, a)
			}
		}
		// A job naming services/api/handlers names services/api too: keep
		// the deepest.
		hits = slices.DeleteFunc(hits, func(a *inferred) bool {
			return slices.ContainsFunc(hits, func(b *inferred) bool { return strings.HasPrefix(b.path, a.path+"/") })
		})
		if len(hits) == 0 {
			for _, a := range kept {
				if mentions(j.texts, a.name) || mentions(j.texts, a.key) {
					hits = append(hits, a)
				}
			}
		}
		if len(hits) == 0 && len(kept) == 1 {
			hits = kept
		}
		if len(hits) == 0 {
			res.Problems = append(res.Problems, Problem{File: j.file, Line: j.line, Msg: fmt.Sprintf(
				"job %s deploys to environment %s, but names no directory or name of an application this repository builds", j.job, j.env)})
			continue
		}
		for _, a := range hits {
			if i, found := slices.BinarySearch(a.envs, j.env); !found {
				a.envs = slices.Insert(a.envs, i, j.env)
				a.envEvidence = append(a.envEvidence, Evidence(j.file, j.line)+" "+j.job+".environment: "+j.env)
			}
		}
	}
}

// mentions reports whether any text names word as a whole, not inside a
// longer name (letters, digits, '-' and '_' around it): ./services/api and
// services/api/main.go name services/api, my-services/api does not.
func mentions(texts []string, word string) bool {
	if word == "" {
		return false
	}
	inName := func(b byte) bool {
		return b == '-' || b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
	}
	for _, t := range texts {
		for i := 0; ; {
			j := strings.Index(t[i:], word)
			if j < 0 {
				break
			}
			j += i
			end := j + len(word)
			if (j == 0 || !inName(t[j-1])) && (end == len(t) || !inName(t[end])) {
				return true
			}
			i = j + 1
		}
	}
	return false
}

package sources

import (
	"fmt"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
)

// File is a configuration file: named sources, each a type and that type's
// options.
//
//	sources:
//	  - name: acme-github
//	    type: github
//	    org: acme
//	    tokenEnv: GITHUB_TOKEN
type File struct {
	Path    string
	Sources []*Configured
	// Notify are the targets told of each run's new shadow findings
	// (package notify), in file order.
	Notify []*Notify
}

// Notify is a notification target as the file gives it: its URL and
// secret are named by the environment variables holding them, as a chat
// webhook's URL is itself the secret.
//
//	notify:
//	  - name: platform-slack
//	    type: slack
//	    urlEnv: ESTATE_SLACK_WEBHOOK_URL
//	    findings: [unregistered-account, unowned-resource]
//	  - name: cab-chat
//	    type: slack
//	    urlEnv: ESTATE_CAB_WEBHOOK_URL
//	    changes: [cab]
type Notify struct {
	Name      string   `yaml:"name"`
	Type      string   `yaml:"type"`
	URLEnv    string   `yaml:"urlEnv"`
	SecretEnv string   `yaml:"secretEnv"`
	Findings  []string `yaml:"findings"`
	Changes   []string `yaml:"changes"`
	// Where names the file and line, for errors found later.
	Where string `yaml:"-"`
}

// Configured is one named source of a file.
type Configured struct {
	Name    string
	Type    string
	Options Options
	// Schedule is when a server runs the source by itself, as the file
	// wrote it (see ParseSchedule); empty when only a person starts it.
	Schedule string
	schedule cron.Schedule
	path     string
	line     int
}

// fileFields are a source's fields that are the file's, not the type's
// options.
var fileFields = []string{"name", "type", "schedule"}

// required lists, per type, the options a file must give: of each group,
// at least one (GCP reads exports, searches scopes, or both).
var required = map[string][][]string{
	"github":    {{"org"}},
	"gitlab":    {{"group"}},
	"git":       {{"target"}},
	"terraform": {{"paths"}},
	"gcp":       {{"exports", "scopes"}},
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// secretish are option names that would put a secret in the file.
var secretish = []string{"token", "password", "secret", "privatekey", "apikey", "credentials", "accesskey"}

// Load reads and checks a configuration file.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// Parse checks a configuration file's content strictly: an unknown field,
// an unknown type, a missing name or required option, a duplicate name or a
// value of the wrong type is an error naming the file, the line, the source
// and the field. path only names the file in errors.
func Parse(path string, data []byte) (*File, error) {
	f := &File{Path: path}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("config %s: empty: want a list of sources under \"sources\"", path)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("config %s:%d: want a mapping with \"sources\"", path, root.Line)
	}
	var list, notify *yaml.Node
	for i := 0; i < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "sources":
			list = v
		case "notify":
			notify = v
		default:
			return nil, fmt.Errorf("config %s:%d: unknown field %q (want sources or notify)", path, k.Line, k.Value)
		}
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("config %s: \"sources\" must be a list", path)
	}
	seen := map[string]int{}
	for i, item := range list.Content {
		c, err := parseSource(path, i, item)
		if err != nil {
			return nil, err
		}
		if line, dup := seen[c.Name]; dup {
			return nil, fmt.Errorf("config %s:%d: source %q is also defined on line %d", path, c.line, c.Name, line)
		}
		seen[c.Name] = c.line
		f.Sources = append(f.Sources, c)
	}
	if notify != nil {
		targets, err := parseNotify(path, notify)
		if err != nil {
			return nil, err
		}
		f.Notify = targets
	}
	return f, nil
}

// parseNotify checks the notify list's shape; the notify package checks
// the types and finding kinds when the targets are made.
func parseNotify(path string, list *yaml.Node) ([]*Notify, error) {
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("config %s:%d: \"notify\" must be a list of targets", path, list.Line)
	}
	var out []*Notify
	seen := map[string]string{}
	for i, item := range list.Content {
		where := fmt.Sprintf("config %s:%d: notify target %d", path, item.Line, i+1)
		if item.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s must be a mapping with name, type and urlEnv", where)
		}
		if err := checkFields(item, reflect.TypeFor[Notify](), nil, where, "notify"); err != nil {
			return nil, err
		}
		n := &Notify{}
		if err := item.Decode(n); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if !nameRE.MatchString(n.Name) {
			return nil, fmt.Errorf("%s: name %q must be letters, digits, '.', '_' or '-'", where, n.Name)
		}
		n.Where = fmt.Sprintf("config %s:%d", path, item.Line)
		if n.URLEnv == "" {
			return nil, fmt.Errorf("%s: notify target %q: urlEnv must name the environment variable holding its URL", n.Where, n.Name)
		}
		if at, dup := seen[n.Name]; dup {
			return nil, fmt.Errorf("%s: notify target %q is also defined at %s", n.Where, n.Name, at)
		}
		seen[n.Name] = n.Where
		out = append(out, n)
	}
	return out, nil
}

func parseSource(path string, i int, item *yaml.Node) (*Configured, error) {
	if item.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("config %s:%d: source %d must be a mapping with name, type and options", path, item.Line, i+1)
	}
	c := &Configured{path: path, line: item.Line}
	keys := map[string]*yaml.Node{}
	for j := 0; j < len(item.Content); j += 2 {
		k, v := item.Content[j], item.Content[j+1]
		keys[k.Value] = v
		switch k.Value {
		case "name":
			c.Name = strings.TrimSpace(v.Value)
		case "type":
			c.Type = strings.TrimSpace(v.Value)
		case "schedule":
			c.Schedule = strings.TrimSpace(v.Value)
		}
	}
	where := fmt.Sprintf("config %s:%d: source %d", path, item.Line, i+1)
	if !nameRE.MatchString(c.Name) {
		if c.Name == "" {
			return nil, fmt.Errorf("%s: field name is required", where)
		}
		return nil, fmt.Errorf("%s: name %q must be letters, digits, '.', '_' or '-'", where, c.Name)
	}
	where = fmt.Sprintf("config %s:%d: source %q", path, item.Line, c.Name)
	mk, ok := Types[c.Type]
	if !ok {
		if c.Type == "" {
			return nil, fmt.Errorf("%s: field type is required (one of %s)", where, strings.Join(TypeNames(), ", "))
		}
		return nil, fmt.Errorf("%s: unknown type %q (want one of %s)", where, c.Type, strings.Join(TypeNames(), ", "))
	}
	if v, ok := keys["schedule"]; ok {
		if v.Kind != yaml.ScalarNode || c.Schedule == "" {
			return nil, fmt.Errorf("%s: line %d: schedule must be a cron expression such as \"0 3 * * *\" or \"@every 6h\"", where, v.Line)
		}
		sched, err := ParseSchedule(c.Schedule)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: schedule %q: %w", where, v.Line, c.Schedule, err)
		}
		c.schedule = sched
	}
	c.Options = mk()
	if err := checkFields(item, reflect.TypeOf(c.Options).Elem(), fileFields, where, c.Type); err != nil {
		return nil, err
	}
	// name, type and schedule are the file's, not options: the inline
	// configs of the cloud sources have a name field too (the provenance),
	// which the file leaves at its default so runs from the file and from
	// the command line are the same source.
	opts := &yaml.Node{Kind: yaml.MappingNode, Tag: item.Tag, Line: item.Line, Column: item.Column}
	for j := 0; j < len(item.Content); j += 2 {
		if k := item.Content[j].Value; !slices.Contains(fileFields, k) {
			opts.Content = append(opts.Content, item.Content[j], item.Content[j+1])
		}
	}
	if err := opts.Decode(c.Options); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	given := func(r string) bool {
		v, ok := keys[r]
		return ok && !(v.Kind == yaml.ScalarNode && strings.TrimSpace(v.Value) == "") && !(v.Kind == yaml.SequenceNode && len(v.Content) == 0)
	}
	for _, group := range required[c.Type] {
		if !slices.ContainsFunc(group, given) {
			return nil, fmt.Errorf("%s: option %s is required for type %s", where, strings.Join(group, " or "), c.Type)
		}
	}
	return c, nil
}

// checkFields fails on a key of the mapping node that is not a field of t
// (by its yaml name) nor one of extra, recursing into nested structs.
func checkFields(node *yaml.Node, t reflect.Type, extra []string, where, typ string) error {
	fields := yamlFields(t)
	for j := 0; j < len(node.Content); j += 2 {
		k, v := node.Content[j], node.Content[j+1]
		if slices.Contains(extra, k.Value) {
			continue
		}
		ft, ok := fields[k.Value]
		if !ok {
			known := append(slices.Collect(maps.Keys(fields)), extra...)
			slices.Sort(known)
			known = slices.Compact(known)
			msg := fmt.Sprintf("%s: line %d: unknown option %q for type %s (known: %s)", where, k.Line, k.Value, typ, strings.Join(known, ", "))
			lower := strings.ToLower(k.Value)
			switch {
			case typ == "notify" && (lower == "url" || slices.ContainsFunc(secretish, func(s string) bool { return strings.Contains(lower, s) })):
				// A chat webhook's URL is its secret.
				msg += "; secrets do not belong in the file: name the environment variables holding them with urlEnv and secretEnv"
			case slices.ContainsFunc(secretish, func(s string) bool { return strings.Contains(lower, s) }):
				msg += "; secrets do not belong in the file: name the environment variable holding it with tokenEnv"
			}
			return fmt.Errorf("%s", msg)
		}
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && v.Kind == yaml.MappingNode {
			if err := checkFields(v, ft, nil, where+" option "+k.Value, typ); err != nil {
				return err
			}
		}
	}
	return nil
}

// yamlFields maps the yaml names of t's fields to their types, following
// inline structs as yaml.v3 does.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case name == "-":
			continue
		case strings.Contains(opts, "inline"):
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
			continue
		case name == "":
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

// Lookup returns the named source. Errors: CodeNotFound.
func (f *File) Lookup(name string) (*Configured, error) {
	for _, c := range f.Sources {
		if c.Name == name {
			return c, nil
		}
	}
	names := make([]string, len(f.Sources))
	for i, c := range f.Sources {
		names[i] = c.Name
	}
	return nil, graph.Errorf(graph.CodeNotFound, "no source %q in %s (configured: %s)", name, f.Path, strings.Join(names, ", "))
}

// Source builds the configured source; errors name the file and source.
func (c *Configured) Source(env Env) (ingest.Source, error) {
	src, err := c.Options.Source(env)
	if err != nil {
		return nil, fmt.Errorf("config %s:%d: source %q (%s): %w", c.path, c.line, c.Name, c.Type, err)
	}
	return src, nil
}

// ParseSchedule reads a source's schedule as crontab(5) writes one: five
// fields (minute, hour, day of month, month, day of week), or a
// descriptor (@hourly, @daily, @weekly, @monthly, @every 6h), either
// optionally after CRON_TZ=Zone; times are the server's local time
// otherwise.
func ParseSchedule(spec string) (cron.Schedule, error) {
	spec = strings.TrimSpace(spec)
	// The parser slices up to the first space after a zone prefix, and
	// panics when there is none.
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		zone, rest, ok := strings.Cut(spec, " ")
		if !ok || strings.TrimSpace(rest) == "" {
			return nil, fmt.Errorf("%s names a time zone and no schedule after it", zone)
		}
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, err
	}
	if sched.Next(time.Now()).IsZero() {
		return nil, fmt.Errorf("no such day comes in the next five years")
	}
	return sched, nil
}

// Next returns when the source is next due after t, or the zero time when
// it has no schedule.
func (c *Configured) Next(t time.Time) time.Time {
	if c.schedule == nil {
		return time.Time{}
	}
	return c.schedule.Next(t)
}

package descriptors

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/estate-cmdb/estate/graph"
)

// Flavor selects whose CODEOWNERS semantics apply.
type Flavor int

// The hosts whose CODEOWNERS dialects are understood.
const (
	// GitHub: the last matching line wins; gitignore anchoring (a pattern
	// with a slash at the start or in the middle is relative to the root,
	// otherwise it matches at any depth); no sections, negation or ranges.
	GitHub Flavor = iota
	// GitLab: sections ([Name], optional ^[Name], approvals [Name][n],
	// default owners on the section line); within a section the last
	// matching line wins and every section that matches contributes owners;
	// a pattern without a leading slash matches at any depth; !pattern
	// excludes paths from its section.
	GitLab
)

// Where each host looks for CODEOWNERS, in the order it looks; the first one
// found is the one used.
var (
	GitHubCodeownersLocations = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}
	GitLabCodeownersLocations = []string{"CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}
)

// OwnerKind says what an owner token names.
type OwnerKind string

// Owner kinds.
const (
	OwnerUser  OwnerKind = "user"  // @login (on GitLab also possibly a top-level group)
	OwnerTeam  OwnerKind = "team"  // @org/team (GitLab: @group/subgroup/...)
	OwnerEmail OwnerKind = "email" // user@example.com
	OwnerRole  OwnerKind = "role"  // GitLab @@maintainer: a role, not a principal
)

// Owner is one owner token of a CODEOWNERS line, normalised to lower case
// (both hosts compare handles case-insensitively).
type Owner struct {
	Raw  string    `json:"raw"`
	Kind OwnerKind `json:"kind"`
	// Org is the organisation or top-level group of a team owner.
	Org string `json:"org,omitempty"`
	// Name is the login, the team slug (GitLab: the group path below Org),
	// the e-mail address or the role.
	Name string `json:"name"`
}

// Section is a GitLab CODEOWNERS section. The rules before the first
// section are in the unnamed section "".
type Section struct {
	Name      string  `json:"name"`
	Optional  bool    `json:"optional,omitempty"`
	Approvals int     `json:"approvals,omitempty"`
	Defaults  []Owner `json:"defaults,omitempty"`
	Line      int     `json:"line"`
}

// Rule is one pattern line.
type Rule struct {
	Line    int     `json:"line"`
	Pattern string  `json:"pattern"`
	Exclude bool    `json:"exclude,omitempty"` // GitLab !pattern
	Owners  []Owner `json:"owners,omitempty"`
	Section string  `json:"section,omitempty"` // lower-cased section name
	glob    string
	dirOnly bool
	deep    bool // GitHub: also matches everything below a matching directory
}

// Codeowners is a parsed CODEOWNERS file.
type Codeowners struct {
	File     string
	Flavor   Flavor
	Rules    []Rule
	Sections []Section // in order of first appearance; index 0 is the unnamed section
	Problems []Problem
}

// Ownership is the answer for one path in one section.
type Ownership struct {
	Section string  `json:"section,omitempty"`
	Line    int     `json:"line"`
	Pattern string  `json:"pattern"`
	Owners  []Owner `json:"owners"`
}

const (
	maxCodeownersLines = 20000
	maxOwnersPerLine   = 200
)

var (
	sectionRe   = regexp.MustCompile(`^(\^)?\[([^\]]*)\](?:\[([^\]]*)\])?\s*(.*)$`)
	loginRe     = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9._-]{0,254})$`)
	teamSlugRe  = regexp.MustCompile(`^[a-z0-9_.-]+(?:/[a-z0-9_.-]+)*$`)
	emailRe     = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	roleOwnerRe = regexp.MustCompile(`^@@[a-z_]+$`)
)

// ParseCodeowners parses a CODEOWNERS file. It never fails: lines it cannot
// use are reported in Problems and skipped, and the rest of the file applies.
func ParseCodeowners(file string, data []byte, flavor Flavor) *Codeowners {
	c := &Codeowners{File: file, Flavor: flavor, Sections: []Section{{Name: ""}}}
	if err := CheckContent(data); err != nil {
		c.Problems = append(c.Problems, Problem{File: file, Msg: err.Error(), Fatal: true})
		return c
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), MaxFileSize+1)
	section := ""
	line := 0
	for sc.Scan() {
		line++
		if line > maxCodeownersLines {
			c.problem(line, "more than %d lines; the rest is ignored", maxCodeownersLines)
			break
		}
		text := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if text == "" || text[0] == '#' {
			continue
		}
		if text[0] == '[' || strings.HasPrefix(text, "^[") {
			if flavor == GitHub {
				c.problem(line, "section header %q: sections are a GitLab feature, GitHub ignores this line", text)
				continue
			}
			if name, ok := c.parseSection(line, text); ok {
				section = name
			}
			continue
		}
		c.parseRule(line, text, section)
	}
	if err := sc.Err(); err != nil {
		c.problem(line+1, "cannot read further: %v", err)
	}
	return c
}

func (c *Codeowners) problem(line int, format string, args ...any) {
	c.Problems = append(c.Problems, Problem{File: c.File, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (c *Codeowners) parseSection(line int, text string) (string, bool) {
	m := sectionRe.FindStringSubmatch(text)
	if m == nil {
		c.problem(line, "malformed section header %q", text)
		return "", false
	}
	name := strings.TrimSpace(m[2])
	if name == "" {
		c.problem(line, "section header with an empty name")
		return "", false
	}
	s := Section{Name: name, Optional: m[1] == "^", Line: line}
	if m[3] != "" {
		n, err := strconv.Atoi(m[3])
		if err != nil || n < 1 {
			c.problem(line, "section %q: approvals count %q is not a positive number", name, m[3])
		} else {
			s.Approvals = n
		}
	}
	rest, _ := c.stripComment(line, m[4])
	s.Defaults = c.parseOwners(line, strings.Fields(rest))
	key := strings.ToLower(name)
	for i := range c.Sections {
		if strings.ToLower(c.Sections[i].Name) == key {
			// Duplicate sections are combined (GitLab); later defaults add up.
			c.Sections[i].Defaults = append(c.Sections[i].Defaults, s.Defaults...)
			c.Sections[i].Optional = c.Sections[i].Optional && s.Optional
			if s.Approvals > c.Sections[i].Approvals {
				c.Sections[i].Approvals = s.Approvals
			}
			return key, true
		}
	}
	c.Sections = append(c.Sections, s)
	return key, true
}

// stripComment cuts an inline comment (" #...") off. GitLab does not
// support inline comments, so there it is reported.
func (c *Codeowners) stripComment(line int, s string) (string, bool) {
	i := strings.Index(s, " #")
	if j := strings.Index(s, "\t#"); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i < 0 {
		return s, false
	}
	if c.Flavor == GitLab {
		c.problem(line, "inline comment %q: GitLab does not support inline comments; ignored", strings.TrimSpace(s[i:]))
	}
	return s[:i], true
}

// splitPattern splits the pattern (with backslash-escaped spaces) from the
// rest of the line.
func splitPattern(text string) (pattern, rest string) {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\\':
			i++
		case ' ', '\t':
			return text[:i], text[i:]
		}
	}
	return text, ""
}

func (c *Codeowners) parseRule(line int, text, section string) {
	raw, rest := splitPattern(text)
	rest, _ = c.stripComment(line, rest)
	r := Rule{Line: line, Pattern: raw, Section: section}
	pat := raw
	if strings.HasPrefix(pat, "!") {
		if c.Flavor == GitHub {
			c.problem(line, "pattern %q: GitHub does not support negation; line ignored", raw)
			return
		}
		r.Exclude = true
		pat = pat[1:]
	}
	if strings.HasPrefix(pat, `\#`) {
		pat = pat[1:]
	}
	pat = strings.ReplaceAll(pat, `\ `, " ")
	if pat == "" {
		c.problem(line, "empty pattern")
		return
	}
	if strings.Contains(pat, "***") {
		c.problem(line, "pattern %q: three consecutive asterisks are not a valid pattern", raw)
		return
	}
	if c.Flavor == GitHub && strings.ContainsAny(pat, "[]{}") {
		c.problem(line, "pattern %q: GitHub does not support character ranges or braces; line ignored", raw)
		return
	}
	if c.Flavor == GitHub {
		r.glob, r.dirOnly, r.deep = githubGlob(pat)
	} else {
		r.glob = gitlabGlob(pat)
	}
	if !doublestar.ValidatePattern(r.glob) {
		c.problem(line, "pattern %q is not a valid glob", raw)
		return
	}
	fields := strings.Fields(rest)
	if len(fields) > maxOwnersPerLine {
		c.problem(line, "%d owners on one line; only the first %d are used", len(fields), maxOwnersPerLine)
		fields = fields[:maxOwnersPerLine]
	}
	r.Owners = c.parseOwners(line, fields)
	if r.Exclude && len(r.Owners) > 0 {
		c.problem(line, "exclusion %q lists owners; they are ignored", raw)
		r.Owners = nil
	}
	c.Rules = append(c.Rules, r)
}

func (c *Codeowners) parseOwners(line int, fields []string) []Owner {
	var out []Owner
	for _, f := range fields {
		o, err := ParseOwner(f, c.Flavor)
		if err != nil {
			c.problem(line, "%v", err)
			continue
		}
		out = append(out, o)
	}
	return out
}

// ParseOwner classifies one owner token; handles are lower-cased. A token
// whose graph key the store would refuse (too long) is an error here, so a
// CODEOWNERS line cannot make a whole sync fail.
func ParseOwner(tok string, flavor Flavor) (Owner, error) {
	o, err := classifyOwner(tok, flavor)
	if err != nil {
		return Owner{}, err
	}
	if ref, ok := o.Ref(); ok {
		if _, err := graph.ValidateRef(ref); err != nil {
			// Found by fuzzing: an e-mail address thousands of bytes long.
			return Owner{}, fmt.Errorf("owner %.40q...: %w", tok, err)
		}
	}
	return o, nil
}

func classifyOwner(tok string, flavor Flavor) (Owner, error) {
	if strings.ContainsFunc(tok, unicode.IsControl) || !utf8.ValidString(tok) {
		// Found by fuzzing: no host accepts these in a handle or address.
		return Owner{}, fmt.Errorf("owner %q contains control characters or invalid UTF-8", tok)
	}
	low := strings.ToLower(tok)
	switch {
	case roleOwnerRe.MatchString(low):
		if flavor == GitHub {
			return Owner{}, fmt.Errorf("owner %q: roles are a GitLab feature", tok)
		}
		return Owner{Raw: tok, Kind: OwnerRole, Name: low[2:]}, nil
	case strings.HasPrefix(low, "@"):
		h := low[1:]
		if i := strings.IndexByte(h, '/'); i >= 0 {
			org, team := h[:i], h[i+1:]
			if !loginRe.MatchString(org) || !teamSlugRe.MatchString(team) {
				return Owner{}, fmt.Errorf("owner %q is not a valid @org/team", tok)
			}
			if flavor == GitHub && strings.Contains(team, "/") {
				return Owner{}, fmt.Errorf("owner %q: GitHub teams are @org/team-slug", tok)
			}
			if flavor == GitLab {
				// GitLab groups are keyed by their full path.
				team = h
			}
			return Owner{Raw: tok, Kind: OwnerTeam, Org: org, Name: team}, nil
		}
		if !loginRe.MatchString(h) {
			return Owner{}, fmt.Errorf("owner %q is not a valid @username", tok)
		}
		return Owner{Raw: tok, Kind: OwnerUser, Name: h}, nil
	case emailRe.MatchString(low):
		return Owner{Raw: tok, Kind: OwnerEmail, Name: low}, nil
	}
	return Owner{}, fmt.Errorf("owner %q is neither @user, @org/team nor an e-mail address", tok)
}

// githubGlob turns a GitHub pattern into a doublestar glob on paths without a
// leading slash. dirOnly: the pattern ended in "/" and matches directories
// (so everything below them). deep: a match on a directory covers what is
// below it (gitignore semantics); GitHub documents that "docs/*" does not
// cover nested files, so a final "*" segment is shallow.
func githubGlob(p string) (glob string, dirOnly, deep bool) {
	if p == "/" {
		return "", false, false
	}
	if strings.HasSuffix(p, "/") {
		dirOnly = true
		p = strings.TrimRight(p, "/")
	}
	anchored := strings.HasPrefix(p, "/") || strings.Contains(p, "/")
	p = strings.TrimPrefix(p, "/")
	if !anchored && !strings.HasPrefix(p, "**") {
		p = "**/" + p
	}
	deep = true
	if strings.HasSuffix(p, "/*") && !dirOnly {
		deep = false
	}
	return p, dirOnly, deep
}

// gitlabGlob follows GitLab's File.fnmatch(FNM_PATHNAME|FNM_DOTMATCH) rules
// on paths with a leading slash: "*" is everything, a trailing "/" is the
// whole directory, no leading "/" means any depth.
func gitlabGlob(p string) string {
	if p == "*" {
		return "/**/*"
	}
	if strings.HasSuffix(p, "/") {
		p += "**/*"
	}
	if !strings.HasPrefix(p, "/") {
		p = "/**/" + p
	}
	return p
}

func (r *Rule) matches(flavor Flavor, path string) bool {
	path = strings.Trim(path, "/")
	if r.glob == "" || path == "" {
		return false
	}
	if flavor == GitLab {
		ok, _ := doublestar.Match(r.glob, "/"+path)
		return ok
	}
	if !r.dirOnly {
		if ok, _ := doublestar.Match(r.glob, path); ok {
			return true
		}
		if !r.deep {
			return false
		}
	}
	// A match on any ancestor directory covers the path.
	for i := len(path) - 1; i > 0; i-- {
		if path[i] == '/' {
			if ok, _ := doublestar.Match(r.glob, path[:i]); ok {
				return true
			}
		}
	}
	return false
}

// Match returns who owns path (relative to the repository root, "/"
// separated). GitHub: at most one entry, the last matching line (its owners
// may be empty: an explicitly unowned path). GitLab: one entry per section
// with a match — the last matching line in that section, owners defaulting
// to the section's — unless an exclusion in the section matches.
func (c *Codeowners) Match(path string) []Ownership {
	if c.Flavor == GitHub {
		for i := len(c.Rules) - 1; i >= 0; i-- {
			r := &c.Rules[i]
			if r.matches(GitHub, path) {
				return []Ownership{{Line: r.Line, Pattern: r.Pattern, Owners: r.Owners}}
			}
		}
		return nil
	}
	var out []Ownership
	for _, s := range c.Sections {
		key := strings.ToLower(s.Name)
		var hit *Rule
		excluded := false
		for i := range c.Rules {
			r := &c.Rules[i]
			if r.Section != key || !r.matches(GitLab, path) {
				continue
			}
			if r.Exclude {
				excluded = true
				continue
			}
			hit = r
		}
		if hit == nil || excluded {
			continue
		}
		owners := hit.Owners
		if len(owners) == 0 {
			owners = s.Defaults
		}
		out = append(out, Ownership{Section: s.Name, Line: hit.Line, Pattern: hit.Pattern, Owners: owners})
	}
	return out
}

// RootProbe is the path matched to decide who owns a repository as a whole:
// a file at the root that only catch-all patterns ("*", "/**", "/") name.
const RootProbe = ".estate-repository-root"

// DirProbe is the path matched to decide who owns a directory (an
// application's path in a monorepo): a file directly inside it that only
// patterns covering the directory as a whole name.
func DirProbe(dir string) string {
	dir = strings.Trim(dir, "/")
	if dir == "" || dir == "." {
		return RootProbe
	}
	return dir + "/" + RootProbe
}

// OwnerNode is the node an owner token stands for (false for roles, which
// name no one in particular). host is e.g. "github.com".
func (o Owner) OwnerNode(host string, c graph.Confidence, evidence string) (graph.NodeInput, bool) {
	switch o.Kind {
	case OwnerTeam:
		return TeamNode(host, o.Org, o.Name, "", c, evidence), true
	case OwnerUser:
		return PersonNode(host, o.Name, "", "", c, evidence), true
	case OwnerEmail:
		return PersonNode("", "", o.Name, "", c, evidence), true
	}
	return graph.NodeInput{}, false
}

// Ref is the graph ref of the owner (false for roles).
func (o Owner) Ref() (graph.Ref, bool) {
	switch o.Kind {
	case OwnerTeam:
		return TeamRef(o.Name), true
	case OwnerUser, OwnerEmail:
		return PersonRef(o.Name), true
	}
	return graph.Ref{}, false
}

// OwnsEdges returns OWNS relationships from the owners of path to target,
// with "FILE:LINE PATTERN OWNER" as evidence (file prefixed by evidencePrefix,
// e.g. "github.com/acme/payments/"). Owners that resolve returns false for
// are left out and reported as problems; a nil resolve accepts every owner.
func (c *Codeowners) OwnsEdges(path string, target graph.Ref, conf graph.Confidence, evidencePrefix string,
	resolve func(Owner) (graph.Ref, bool)) ([]graph.EdgeInput, []Problem) {
	var edges []graph.EdgeInput
	var probs []Problem
	seen := map[graph.Ref]bool{}
	for _, m := range c.Match(path) {
		for _, o := range m.Owners {
			var ref graph.Ref
			var ok bool
			if resolve != nil {
				ref, ok = resolve(o)
			} else {
				ref, ok = o.Ref()
			}
			if !ok {
				if o.Kind != OwnerRole {
					probs = append(probs, Problem{File: c.File, Line: m.Line, Msg: fmt.Sprintf("owner %s names no known team or person", o.Raw)})
				}
				continue
			}
			if seen[ref] {
				continue
			}
			seen[ref] = true
			edges = append(edges, graph.EdgeInput{
				Type: graph.RelOwns, From: ref, To: target, Confidence: conf,
				Props:    map[string]any{"role": graph.OwnerTechnical},
				Evidence: fmt.Sprintf("%s%s:%d %s %s", evidencePrefix, c.File, m.Line, m.Pattern, o.Raw),
			})
		}
	}
	return edges, probs
}

// Owners lists every distinct owner named anywhere in the file (rules and
// section defaults), in order of first appearance.
func (c *Codeowners) Owners() []Owner {
	var out []Owner
	seen := map[string]bool{}
	add := func(os []Owner) {
		for _, o := range os {
			k := string(o.Kind) + ":" + o.Org + "/" + o.Name
			if !seen[k] {
				seen[k] = true
				out = append(out, o)
			}
		}
	}
	for _, s := range c.Sections {
		add(s.Defaults)
	}
	for _, r := range c.Rules {
		add(r.Owners)
	}
	return out
}

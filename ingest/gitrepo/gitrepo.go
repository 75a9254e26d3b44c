// Package gitrepo is the plain git source: one repository, given as a local
// path or a URL (cloned with the git CLI into a temporary directory). It
// reads the descriptor files of the tree at HEAD (see ingest/descriptors),
// emits the Repository, the applications it builds and their owners, and
// adds who committed most in the last N days as a HEURISTIC owner.
package gitrepo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/descriptors"
)

// Config configures one repository.
type Config struct {
	// Target is a local path (the working tree or a bare repository) or a
	// URL git can clone.
	Target string
	// Window is how far back commit heuristics look (default 90 days).
	Window time.Duration
	// MaxFileSize caps a descriptor file (default descriptors.MaxFileSize).
	MaxFileSize int64
	// Git is the git executable (default "git").
	Git string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives each step's counts (clone, descriptor files,
	// applications, top committers). URLs are logged without credentials.
	Logger zerolog.Logger
}

// Source ingests one git repository.
type Source struct {
	cfg  Config
	name string
	log  zerolog.Logger
}

// New validates cfg and fills in defaults.
func New(cfg Config) (*Source, error) {
	if strings.TrimSpace(cfg.Target) == "" {
		return nil, errors.New("gitrepo: a repository path or URL is required")
	}
	if cfg.Window <= 0 {
		cfg.Window = 90 * 24 * time.Hour
	}
	if cfg.MaxFileSize <= 0 {
		cfg.MaxFileSize = descriptors.MaxFileSize
	}
	if cfg.Git == "" {
		cfg.Git = "git"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Source{cfg: cfg}
	if strings.HasPrefix(cfg.Target, "file://") {
		cfg.Target = strings.TrimPrefix(cfg.Target, "file://")
		s.cfg.Target = cfg.Target
	}
	if isURL(cfg.Target) {
		if key, ok := NormalizeRemote(cfg.Target); ok {
			s.name = "git:" + key
		} else {
			return nil, fmt.Errorf("gitrepo: cannot read %q as a repository URL", redact(cfg.Target))
		}
	} else {
		abs, err := filepath.Abs(cfg.Target)
		if err != nil {
			return nil, fmt.Errorf("gitrepo: %w", err)
		}
		s.cfg.Target = abs
		s.name = "git:local:" + abs
	}
	s.log = cfg.Logger.With().Str("source", s.name).Logger()
	return s, nil
}

// Name is "git:" and the repository's URL key, or "git:local:" and its path.
func (s *Source) Name() string { return s.name }

func isURL(t string) bool {
	return strings.Contains(t, "://") || regexp.MustCompile(`^[\w.-]+@[\w.-]+:`).MatchString(t)
}

// redact removes credentials from a URL before it is logged or stored.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}

var scpLike = regexp.MustCompile(`^(?:[\w.-]+@)?([\w.-]+):(.+)$`)

// NormalizeRemote turns a remote URL into a repository key host/org/repo:
// https://github.com/Acme/Payments.git, git@github.com:acme/payments and
// ssh://git@github.com:22/acme/payments all give github.com/acme/payments.
// Hosts and paths are lower-cased (git hosts treat them case-insensitively).
func NormalizeRemote(remote string) (string, bool) {
	remote = strings.TrimSpace(remote)
	var host, p string
	if strings.Contains(remote, "://") {
		u, err := url.Parse(remote)
		if err != nil || u.Scheme == "file" {
			return "", false
		}
		host, p = u.Hostname(), u.Path
	} else if m := scpLike.FindStringSubmatch(remote); m != nil && !strings.HasPrefix(remote, "/") {
		host, p = m[1], m[2]
	} else {
		return "", false
	}
	p = strings.Trim(strings.TrimSuffix(strings.Trim(p, "/"), ".git"), "/")
	if host == "" || p == "" || !strings.Contains(p, "/") {
		return "", false
	}
	return strings.ToLower(host + "/" + p), true
}

// Run clones (for a URL), reads HEAD and emits.
func (s *Source) Run(ctx context.Context, emit ingest.Emitter) error {
	dir := s.cfg.Target
	remote := ""
	if isURL(s.cfg.Target) {
		tmp, err := os.MkdirTemp("", "estate-git-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = filepath.Join(tmp, "repo")
		started := time.Now()
		if _, err := s.git(ctx, "", "clone", "--quiet", "--no-tags", "--single-branch", "--", s.cfg.Target, dir); err != nil {
			return fmt.Errorf("clone %s: %w", redact(s.cfg.Target), err)
		}
		remote = s.cfg.Target
		s.log.Info().Str("url", redact(remote)).Stringer("took", time.Since(started).Round(time.Millisecond)).Msg("git: cloned")
	} else if out, err := s.git(ctx, dir, "config", "--get", "remote.origin.url"); err == nil {
		remote = strings.TrimSpace(string(out))
	}
	if _, err := s.git(ctx, dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"); err != nil {
		return fmt.Errorf("%s: not a git repository with commits: %w", redact(s.cfg.Target), err)
	}

	repo := descriptors.Repo{Flavor: descriptors.GitHub}
	node := graph.NodeInput{Kind: graph.KindRepository, Confidence: graph.Declared, Props: map[string]any{}}
	if key, ok := NormalizeRemote(remote); ok {
		node.Key = key
		repo.Host = key[:strings.IndexByte(key, '/')]
		parts := strings.Split(key, "/")
		repo.Org, repo.Name = parts[1], parts[len(parts)-1]
		node.Props["host"] = repo.Host
		node.Props["url"] = redact(remote)
		node.Evidence = "git remote origin " + redact(remote)
		if strings.Contains(repo.Host, "gitlab") {
			repo.Flavor = descriptors.GitLab
		}
	} else {
		node.Key = "local:" + s.cfg.Target
		repo.Name = filepath.Base(s.cfg.Target)
		node.Evidence = "git repository at " + s.cfg.Target
	}
	node.Name = repo.Name
	// Everything read from the repository is in its scope, so that its
	// item errors are recorded against it (ingest.Scoped).
	scope := "repo/" + node.Key
	if graph.ValidateScope(scope) != nil {
		scope = "repo" // a local path
	}
	emit = ingest.Scoped(emit, scope)
	if out, err := s.git(ctx, dir, "symbolic-ref", "--quiet", "--short", "HEAD"); err == nil {
		node.Props["defaultBranch"] = strings.TrimSpace(string(out))
	}
	if out, err := s.git(ctx, dir, "log", "-1", "--format=%cI", "HEAD"); err == nil {
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(out))); err == nil {
			node.Props["pushedAt"] = t.UTC()
		}
	}
	if err := emit.Node(node); err != nil {
		return err
	}

	files, tree, err := s.readDescriptors(ctx, dir, emit)
	if err != nil {
		return err
	}
	repo.Node = node
	res := descriptors.Analyze(repo, files, descriptors.AnalyzeOptions{
		Paths:    slices.Sorted(maps.Keys(tree)),
		ReadFile: func(p string) ([]byte, error) { return s.readBlob(ctx, dir, tree[p]) },
	})
	s.log.Info().Str("repository", node.Key).Int("files", len(files)).Int("applications", len(res.Builds)).
		Int("problems", len(res.Problems)).Msg("git: read descriptor files")
	for _, n := range res.Nodes {
		if err := emit.Node(n); err != nil {
			return err
		}
	}
	for _, p := range res.Problems {
		item := node.Key + "/" + p.File
		if p.Fatal {
			emit.ItemError(item, p)
		} else {
			ingest.Warn(emit, item, p)
		}
	}
	// Commit heuristics, for the repository and each application built
	// from a directory of it. People come before the relationships.
	type target struct {
		ref  graph.Ref
		path string
	}
	targets := []target{{node.Ref(), ""}}
	for _, b := range res.Builds {
		if b.Path != "" {
			targets = append(targets, target{b.App, b.Path})
		}
	}
	var heur []graph.EdgeInput
	for _, t := range targets {
		top, err := s.topCommitter(ctx, dir, t.path)
		if err != nil {
			emit.ItemError(node.Key+" git log", err)
			continue
		}
		if top == nil {
			continue
		}
		if err := emit.Node(top.person(repo.Host)); err != nil {
			return err
		}
		heur = append(heur, graph.EdgeInput{Type: graph.RelOwns, From: top.ref(), To: t.ref,
			Props: map[string]any{"role": graph.OwnerTechnical}, Confidence: graph.Heuristic,
			Evidence: s.evidence(node.Key, t.path)})
		s.log.Debug().Str("target", t.ref.String()).Str("committer", top.email).Int("commits", top.n).Int("of", top.total).
			Msg("git: top committer")
	}
	s.log.Info().Int("targets", len(targets)).Int("owners", len(heur)).Stringer("window", s.cfg.Window).
		Msg("git: read commit history")
	for _, e := range append(res.Edges, heur...) {
		if err := emit.Edge(e); err != nil {
			return err
		}
	}
	return nil
}

var skipDirs = map[string]bool{"vendor": true, "node_modules": true, ".git": true, "third_party": true, "testdata": true}

// blob is a file of HEAD's tree.
type blob struct {
	object string
	size   int64
}

// readDescriptors lists HEAD's tree, skipping vendored trees, and reads the
// files descriptors.Classify accepts; a file too large or binary is an item
// error and the rest go on. The tree is returned for the other files a
// catalog Location may name.
func (s *Source) readDescriptors(ctx context.Context, dir string, emit ingest.Emitter) ([]descriptors.File, map[string]blob, error) {
	out, err := s.git(ctx, dir, "ls-tree", "-r", "-z", "--long", "--full-tree", "HEAD")
	if err != nil {
		return nil, nil, fmt.Errorf("list HEAD: %w", err)
	}
	var files []descriptors.File
	tree := map[string]blob{}
	for _, rec := range bytes.Split(out, []byte{0}) {
		// "<mode> SP <type> SP <object> SP+ <size> TAB <path>"
		tab := bytes.IndexByte(rec, '\t')
		if tab < 0 {
			continue
		}
		meta, p := strings.Fields(string(rec[:tab])), string(rec[tab+1:])
		if len(meta) != 4 || meta[1] != "blob" || skipped(p) {
			continue
		}
		size, _ := strconv.ParseInt(meta[3], 10, 64)
		tree[p] = blob{object: meta[2], size: size}
		if _, ok := descriptors.Classify(p); !ok {
			continue
		}
		data, err := s.readBlob(ctx, dir, tree[p])
		if err != nil {
			emit.ItemError(p, err)
			continue
		}
		files = append(files, descriptors.File{Path: p, Data: data})
	}
	return files, tree, nil
}

func (s *Source) readBlob(ctx context.Context, dir string, b blob) ([]byte, error) {
	if b.size > s.cfg.MaxFileSize {
		return nil, fmt.Errorf("%d bytes, over the %d byte limit for descriptor files; skipped", b.size, s.cfg.MaxFileSize)
	}
	data, err := s.git(ctx, dir, "cat-file", "blob", b.object)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return data, nil
}

func skipped(p string) bool {
	for _, d := range strings.Split(path.Dir(p), "/") {
		if skipDirs[d] {
			return true
		}
	}
	return false
}

type committer struct {
	email, name string
	n, total    int
}

var noreply = regexp.MustCompile(`^(?:\d+\+)?([a-z0-9-]+)@users\.noreply\.github\.com$`)

func (c *committer) login() string {
	if m := noreply.FindStringSubmatch(c.email); m != nil {
		return m[1]
	}
	return ""
}

func (c *committer) ref() graph.Ref { return c.person("").Ref() }

func (c *committer) person(host string) graph.NodeInput {
	ev := "git log author " + c.email
	if l := c.login(); l != "" {
		if host == "" {
			host = "github.com"
		}
		return descriptors.PersonNode(host, l, "", c.name, graph.Heuristic, ev)
	}
	return descriptors.PersonNode("", "", c.email, c.name, graph.Heuristic, ev)
}

// evidence names the rule, not its figures: a date or a count would change
// on every daily run and rewrite every such relationship for nothing. The
// figures are in the log.
func (s *Source) evidence(repo, p string) string {
	where := repo
	if p != "" {
		where += "/" + p
	}
	window := s.cfg.Window.String()
	switch d := s.cfg.Window / (24 * time.Hour); {
	case d == 1 && s.cfg.Window == 24*time.Hour:
		window = "day"
	case d*24*time.Hour == s.cfg.Window:
		window = fmt.Sprintf("%d days", d)
	}
	return fmt.Sprintf("git log: most commits in the last %s (%s)", window, where)
}

// topCommitter is the author of most commits in the window touching p (the
// whole repository when p is empty); bots are not owners.
func (s *Source) topCommitter(ctx context.Context, dir, p string) (*committer, error) {
	since := s.cfg.Now().Add(-s.cfg.Window).UTC()
	args := []string{"log", "--no-merges", "--since=" + since.Format(time.RFC3339), "--format=%aE%x09%aN", "HEAD"}
	if p != "" {
		args = append(args, "--", p)
	}
	out, err := s.git(ctx, dir, args...)
	if err != nil {
		return nil, err
	}
	counts := map[string]*committer{}
	total := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		email, name, _ := strings.Cut(sc.Text(), "\t")
		email = strings.ToLower(strings.TrimSpace(email))
		if email == "" || strings.Contains(email, "[bot]") || strings.Contains(name, "[bot]") {
			continue
		}
		total++
		c := counts[email]
		if c == nil {
			c = &committer{email: email, name: name}
			counts[email] = c
		}
		c.n++
	}
	if total == 0 {
		return nil, nil
	}
	all := make([]*committer, 0, len(counts))
	for _, c := range counts {
		c.total = total
		all = append(all, c)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].email < all[j].email
	})
	return all[0], nil
}

func (s *Source) git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, s.cfg.Git, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	// Cancelling kills git, but a helper it started (git-remote-https
	// waiting on a stalled server) can hold the output pipes open: stop
	// waiting for them soon after, so a cancelled run ends.
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			msg = msg[:300]
		}
		if msg != "" {
			return out, fmt.Errorf("git %s: %w: %s", args[0], err, redact(msg))
		}
		return out, fmt.Errorf("git %s: %w", args[0], err)
	}
	return out, nil
}

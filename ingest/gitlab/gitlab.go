// Package gitlab is the GitLab source: one group with its subgroups (as
// nested teams), their projects (as repositories, owned by their namespace
// group), members including those inherited from above the group, and each
// project's descriptor files (see ingest/descriptors), read with
// gitlab.com/gitlab-org/api/client-go. The client retries rate limits (429,
// waiting until RateLimit-Reset), server errors and timeouts itself, and
// each wait is logged; a project whose files cannot be read is an item
// error and the run is partial.
package gitlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/rs/zerolog"
	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/descriptors"
)

// Config configures the source. Token is read by the caller (the CLI reads
// ESTATE_GITLAB_TOKEN); it is never logged.
type Config struct {
	// Group is the full path of the top group, e.g. "acme" or "acme/platform".
	Group string
	Token string
	// BaseURL is the API root (default https://gitlab.com/api/v4).
	BaseURL string
	// Host is where projects live, the first part of their keys (default:
	// the BaseURL's host).
	Host        string
	HTTPClient  *http.Client
	Concurrency int // projects read at once (default 4)
	MaxRetries  int // per request (default 5)
	// Logger receives each listing step's counts and every wait before a
	// retry, with its reason and duration. Never the token.
	Logger zerolog.Logger
}

// Source reads one group.
type Source struct {
	cfg    Config
	client *gl.Client
	host   string
	log    zerolog.Logger
}

// New validates cfg and builds the client.
func New(cfg Config) (*Source, error) {
	cfg.Group = strings.Trim(strings.TrimSpace(cfg.Group), "/")
	if cfg.Group == "" {
		return nil, errors.New("gitlab: a group is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://gitlab.com/api/v4"
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("gitlab: base URL %q is not a URL", cfg.BaseURL)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 5
	}
	host := strings.ToLower(u.Host)
	if cfg.Host != "" {
		host = strings.ToLower(cfg.Host)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = cfg.Concurrency + 2
		hc = &http.Client{Timeout: 60 * time.Second, Transport: tr}
	}
	capped := *hc
	capped.Transport = rawCap{base: hc.Transport}
	hc = &capped
	s := &Source{cfg: cfg, host: host}
	s.log = cfg.Logger.With().Str("source", s.Name()).Logger()
	// The source only reads (GET), so any failed request is safe to send
	// again — timeouts included, which the client's own policy gives up on
	// once connected.
	c, err := gl.NewClient(cfg.Token, gl.WithBaseURL(cfg.BaseURL), gl.WithHTTPClient(hc), gl.WithCustomRetryMax(cfg.MaxRetries),
		gl.WithCustomRetry(retryablehttp.DefaultRetryPolicy), gl.WithCustomLeveledLogger(retryLog{s.log}))
	if err != nil {
		return nil, fmt.Errorf("gitlab: %w", err)
	}
	s.client = c
	return s, nil
}

// retryLog passes the retrying HTTP client's messages to zerolog: each
// retry, with its wait and the status (or, in the failure logged just
// before it, the error) that caused it, as a warning; the per-request
// chatter at trace level. Request URLs carry no token (it is a header).
type retryLog struct{ log zerolog.Logger }

func (l retryLog) Error(msg string, kv ...any) { l.write(l.log.Warn(), msg, kv) }
func (l retryLog) Warn(msg string, kv ...any)  { l.write(l.log.Warn(), msg, kv) }
func (l retryLog) Info(msg string, kv ...any)  { l.write(l.log.Debug(), msg, kv) }
func (l retryLog) Debug(msg string, kv ...any) {
	if msg == "retrying request" {
		l.write(l.log.Warn(), "gitlab: waiting before retrying", kv)
		return
	}
	l.write(l.log.Trace(), msg, kv)
}

func (l retryLog) write(ev *zerolog.Event, msg string, kv []any) {
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		switch k {
		case "timeout": // retryablehttp's name for the wait
			ev = ev.Str("wait", fmt.Sprint(kv[i+1]))
		case "remaining":
			ev = ev.Interface("retries_left", kv[i+1])
		case "error":
			err, _ := kv[i+1].(error)
			ev = ev.Err(err)
		default:
			ev = ev.Interface(k, kv[i+1])
		}
	}
	ev.Msg(msg)
}

// Name is "gitlab:HOST/GROUP".
func (s *Source) Name() string { return "gitlab:" + s.host + "/" + strings.ToLower(s.cfg.Group) }

func paginate(page func(opt gl.ListOptions) (*gl.Response, error)) error {
	opt := gl.ListOptions{PerPage: 100}
	for {
		resp, err := page(opt)
		if err != nil {
			return err
		}
		if resp == nil || resp.NextPage == 0 {
			return nil
		}
		opt.Page = resp.NextPage
	}
}

type project struct {
	p    *gl.Project
	node graph.NodeInput
}

// Run reads the group and emits.
func (s *Source) Run(ctx context.Context, emit ingest.Emitter) error {
	rctx := gl.WithContext(ctx)
	// API v4 lists a group's projects in its answer unless told not to:
	// the deprecated option is how to say it (projects are paged below).
	//lint:ignore SA1019 the only way to turn the deprecated listing off
	root, _, err := s.client.Groups.GetGroup(s.cfg.Group, &gl.GetGroupOptions{WithProjects: gl.Ptr(false)}, rctx)
	if err != nil {
		return fmt.Errorf("group %s: %w", s.cfg.Group, err)
	}
	groups := []*gl.Group{root}
	err = paginate(func(opt gl.ListOptions) (*gl.Response, error) {
		gs, resp, err := s.client.Groups.ListDescendantGroups(root.ID, &gl.ListDescendantGroupsOptions{ListOptions: opt}, rctx)
		groups = append(groups, gs...)
		return resp, err
	})
	if err != nil {
		return fmt.Errorf("subgroups of %s: %w", s.cfg.Group, err)
	}
	var projects []*project
	err = paginate(func(opt gl.ListOptions) (*gl.Response, error) {
		ps, resp, err := s.client.Groups.ListGroupProjects(root.ID, &gl.ListGroupProjectsOptions{ListOptions: opt, IncludeSubGroups: gl.Ptr(true)}, rctx)
		for _, p := range ps {
			if pr := s.projectNode(p); pr != nil {
				projects = append(projects, pr)
			}
		}
		return resp, err
	})
	if err != nil {
		return fmt.Errorf("projects of %s: %w", s.cfg.Group, err)
	}
	s.log.Info().Int("groups", len(groups)).Int("projects", len(projects)).Msg("gitlab: listed groups and projects")

	top := strings.ToLower(strings.SplitN(root.FullPath, "/", 2)[0])
	api := "GitLab API GET /groups/"
	// Scopes (ingest.Scoped): what the group listings say, each group's
	// members, each project. A group or project that cannot be read holds
	// back the sweep of its scope only.
	orgEmit := ingest.Scoped(emit, orgScope(root))
	byID := map[int64]string{}
	known := map[string]graph.Ref{} // "group:full/path" and "user:login" → node
	var edges []graph.EdgeInput
	for _, g := range groups {
		fp := strings.ToLower(g.FullPath)
		if fp == "" {
			continue
		}
		byID[g.ID] = fp
		known["group:"+fp] = descriptors.TeamRef(fp)
		n := descriptors.TeamNode(s.host, top, fp, g.Name, graph.Declared, api+g.FullPath)
		if g.Description != "" {
			n.Props = map[string]any{"description": g.Description}
		}
		if err := orgEmit.Node(n); err != nil {
			return err
		}
	}
	for _, g := range groups {
		if parent, ok := byID[g.ParentID]; ok && g.ID != root.ID {
			edges = append(edges, graph.EdgeInput{Type: graph.RelMemberOf, From: descriptors.TeamRef(g.FullPath),
				To: descriptors.TeamRef(parent), Confidence: graph.Declared, Evidence: api + g.FullPath + " parent_id", Scope: orgScope(root)})
		}
	}
	for _, pr := range projects {
		if err := ingest.Scoped(emit, projectScope(pr)).Node(pr.node); err != nil {
			return err
		}
		if pr.p.Namespace == nil {
			continue
		}
		if ns := strings.ToLower(pr.p.Namespace.FullPath); known["group:"+ns] != (graph.Ref{}) {
			edges = append(edges, graph.EdgeInput{Type: graph.RelOwns, From: descriptors.TeamRef(ns), To: pr.node.Ref(),
				Props: map[string]any{"role": graph.OwnerTechnical}, Confidence: graph.Inferred,
				Evidence: "GitLab API GET /projects/" + pr.p.PathWithNamespace + " namespace", Scope: orgScope(root)})
		}
	}
	// Members: everyone with access to the top group, including members
	// inherited from above it, then each subgroup's own members.
	people := 0
	for _, g := range groups {
		var ms []*gl.GroupMember
		list := s.client.Groups.ListGroupMembers
		what := "/members"
		if g.ID == root.ID {
			list, what = s.client.Groups.ListAllGroupMembers, "/members/all"
		}
		err := paginate(func(opt gl.ListOptions) (*gl.Response, error) {
			page, resp, err := list(g.ID, &gl.ListGroupMembersOptions{ListOptions: opt}, rctx)
			ms = append(ms, page...)
			return resp, err
		})
		scope := "team/" + strings.ToLower(g.FullPath)
		teamEmit := ingest.Scoped(emit, scope)
		if err != nil {
			teamEmit.ItemError("group "+g.FullPath+" members", err)
			continue
		}
		for _, m := range ms {
			login := strings.ToLower(m.Username)
			if login == "" {
				continue
			}
			ref, ok := known["user:"+login]
			if !ok {
				n := descriptors.PersonNode(s.host, login, m.Email, m.Name, graph.Declared, api+g.FullPath+what)
				ref = n.Ref()
				known["user:"+login] = ref
				people++
				if err := teamEmit.Node(n); err != nil {
					return err
				}
			}
			edges = append(edges, graph.EdgeInput{Type: graph.RelMemberOf, From: ref, To: descriptors.TeamRef(g.FullPath),
				Confidence: graph.Declared, Evidence: fmt.Sprintf("%s%s%s access_level %d", api, g.FullPath, what, m.AccessLevel), Scope: scope})
		}
	}
	s.log.Info().Int("people", people).Int("relationships", len(edges)).Msg("gitlab: read group members")
	for _, e := range edges {
		if err := emit.Edge(e); err != nil {
			return err
		}
	}
	return s.descriptors(ctx, emit, projects, known, top)
}

// orgScope is the scope of what the group listings say.
func orgScope(root *gl.Group) string { return "org/" + strings.ToLower(root.FullPath) }

// projectScope is the scope of what a project's files say.
func projectScope(pr *project) string { return "repo/" + strings.ToLower(pr.p.PathWithNamespace) }

func (s *Source) projectNode(p *gl.Project) *project {
	if p == nil || p.PathWithNamespace == "" {
		return nil
	}
	props := map[string]any{
		"host": s.host, "url": p.WebURL, "defaultBranch": p.DefaultBranch, "visibility": string(p.Visibility),
		"archived": p.Archived, "fork": p.ForkedFromProject != nil, "description": p.Description,
	}
	if len(p.Topics) > 0 {
		props["topics"] = append([]string(nil), p.Topics...)
	}
	if p.LastActivityAt != nil {
		props["pushedAt"] = p.LastActivityAt.UTC()
	}
	for k, v := range props {
		if v == "" {
			delete(props, k)
		}
	}
	key := strings.ToLower(s.host + "/" + p.PathWithNamespace)
	return &project{p: p, node: graph.NodeInput{Kind: graph.KindRepository, Key: key, Name: p.Name, Props: props,
		Aliases: []string{p.PathWithNamespace}, Confidence: graph.Declared,
		Evidence: "GitLab API GET /groups/" + s.cfg.Group + "/projects " + p.PathWithNamespace}}
}

type result struct {
	res   descriptors.Result
	extra []graph.NodeInput
	err   error
}

func (s *Source) descriptors(ctx context.Context, emit ingest.Emitter, projects []*project, known map[string]graph.Ref, top string) error {
	read := func(ctx context.Context, pr *project) result { return s.readProject(ctx, pr, known, top) }
	var unreadable, apps int
	defer func() {
		s.log.Info().Int("projects", len(projects)).Int("unreadable", unreadable).Int("applications", apps).
			Msg("gitlab: read descriptor files")
	}()
	return ingest.Window(ctx, projects, s.cfg.Concurrency, read, func(chunk []*project, results []result) error {
		for i, pr := range chunk {
			r := results[i]
			apps += len(r.res.Builds)
			emit := ingest.Scoped(emit, projectScope(pr))
			if r.err != nil {
				unreadable++
				emit.ItemError(pr.p.PathWithNamespace, r.err)
				continue
			}
			for _, n := range append(r.extra, r.res.Nodes...) {
				if err := emit.Node(n); err != nil {
					return err
				}
			}
			for _, p := range r.res.Problems {
				item := pr.node.Key + "/" + p.File
				if p.Fatal {
					emit.ItemError(item, p)
				} else {
					ingest.Warn(emit, item, p)
				}
			}
			for _, e := range r.res.Edges {
				if err := emit.Edge(e); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (s *Source) readProject(ctx context.Context, pr *project, known map[string]graph.Ref, top string) result {
	rctx := gl.WithContext(ctx)
	ref := pr.p.DefaultBranch
	var files []descriptors.File
	var probs []descriptors.Problem
	// blobs are the project's files, for the other files a catalog
	// Location may name.
	var blobs []string
	if ref != "" { // an empty project has no default branch and no files
		var paths []string
		err := paginate(func(opt gl.ListOptions) (*gl.Response, error) {
			nodes, resp, err := s.client.Repositories.ListTree(pr.p.ID, &gl.ListTreeOptions{ListOptions: opt, Ref: gl.Ptr(ref), Recursive: gl.Ptr(true)}, rctx)
			for _, n := range nodes {
				if n.Type == "blob" && !vendored(n.Path) {
					blobs = append(blobs, n.Path)
					if _, ok := descriptors.Classify(n.Path); ok {
						paths = append(paths, n.Path)
					}
				}
			}
			if resp != nil && resp.StatusCode == http.StatusNotFound {
				return nil, nil
			}
			return resp, err
		})
		if err != nil {
			return result{err: fmt.Errorf("read tree: %w", err)}
		}
		sort.Strings(paths)
		for _, p := range paths {
			data, err := s.rawFile(ctx, pr.p.ID, p, ref)
			if errors.Is(err, errTooLarge) {
				probs = append(probs, descriptors.Problem{File: p, Fatal: true, Msg: err.Error()})
				continue
			}
			if err != nil {
				return result{err: fmt.Errorf("read %s: %w", p, err)}
			}
			files = append(files, descriptors.File{Path: p, Data: data})
		}
	}
	var extra []graph.NodeInput
	repo := descriptors.Repo{Node: pr.node, Host: s.host, Org: top, Name: strings.ToLower(pr.p.Path), Flavor: descriptors.GitLab}
	res := descriptors.Analyze(repo, files, descriptors.AnalyzeOptions{
		Paths:    blobs,
		ReadFile: func(p string) ([]byte, error) { return s.rawFile(ctx, pr.p.ID, p, ref) },
		ResolveOwner: func(o descriptors.Owner) (graph.Ref, bool) {
			switch o.Kind {
			case descriptors.OwnerTeam:
				r, ok := known["group:"+o.Name]
				return r, ok
			case descriptors.OwnerUser:
				// On GitLab @name is a user or a top-level group.
				if r, ok := known["group:"+o.Name]; ok {
					return r, true
				}
				r, ok := known["user:"+o.Name]
				return r, ok
			case descriptors.OwnerEmail:
				n, _ := o.OwnerNode("", graph.Declared, pr.node.Key+" CODEOWNERS")
				extra = append(extra, n)
				return n.Ref(), true
			}
			return graph.Ref{}, false
		},
	})
	res.Problems = append(probs, res.Problems...)
	s.log.Debug().Str("project", pr.node.Key).Int("files", len(files)).Int("applications", len(res.Builds)).
		Int("problems", len(res.Problems)).Msg("gitlab: read project files")
	return result{res: res, extra: extra}
}

var errTooLarge = fmt.Errorf("over the %d byte limit for descriptor files; skipped", descriptors.MaxFileSize)

// rawFile reads one file of the project at ref. The tree listing gives no
// sizes, so the body is read up to the descriptor size limit and the
// transfer stopped there: a huge file is neither held nor downloaded.
func (s *Source) rawFile(ctx context.Context, pid int64, p, ref string) ([]byte, error) {
	req, err := s.client.NewRequest(http.MethodGet, fmt.Sprintf("projects/%d/repository/files/%s/raw", pid, gl.PathEscape(p)),
		&gl.GetRawFileOptions{Ref: gl.Ptr(ref)}, []gl.RequestOptionFunc{gl.WithContext(ctx)})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := s.client.Do(req, &buf); err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, errTooLarge
		}
		return nil, err
	}
	return buf.Bytes(), nil
}

// rawCap cuts raw file bodies at descriptors.MaxFileSize: the tree API
// gives no sizes, and the client drains whatever body its caller stops
// reading, so only the body itself can stop a huge file from being
// downloaded whole.
type rawCap struct{ base http.RoundTripper }

func (c rawCap) RoundTrip(r *http.Request) (*http.Response, error) {
	base := c.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	if err == nil && strings.HasSuffix(r.URL.Path, "/raw") {
		resp.Body = &cappedBody{ReadCloser: resp.Body, left: descriptors.MaxFileSize}
	}
	return resp, err
}

// cappedBody reads up to left bytes, then fails with errTooLarge.
type cappedBody struct {
	io.ReadCloser
	left int
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errTooLarge
	}
	// One byte past the limit tells a file of exactly the limit from a
	// larger one.
	n, err := b.ReadCloser.Read(p[:min(len(p), b.left+1)])
	if b.left -= n; b.left < 0 {
		return n, errTooLarge
	}
	return n, err
}

func vendored(p string) bool {
	for _, d := range strings.Split(p, "/") {
		switch d {
		case "vendor", "node_modules", "third_party", "testdata":
			return true
		}
	}
	return false
}

// Package github is the GitHub source: one organisation's repositories
// (archived, fork, visibility, topics, language, pushed_at, default branch),
// teams and their nesting, team members, team repository permissions,
// organisation members, and each repository's descriptor files (CODEOWNERS,
// catalog-info.yaml, build and deployment files — see ingest/descriptors),
// read through the REST API with github.com/google/go-github.
//
// Pagination follows Link headers; primary and secondary rate limits are
// obeyed (X-RateLimit-Reset, Retry-After) and server errors retried with
// backoff. A repository whose files cannot be read is an item error: its
// data is kept and the run is partial. Works against GitHub Enterprise
// Server through BaseURL.
package github

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	gh "github.com/google/go-github/v84/github"
	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/descriptors"
)

// Config configures the source. Token is read by the caller (the CLI reads
// ESTATE_GITHUB_TOKEN); it is never logged.
type Config struct {
	Org   string
	Token string
	// App, when set, authenticates as a GitHub App installation instead of
	// with Token.
	App *App
	// BaseURL is the REST API root, e.g. https://ghe.example.com/api/v3/
	// (default https://api.github.com/).
	BaseURL string
	// Host is where repositories live, the first part of their keys
	// (default github.com, or the BaseURL's host for GitHub Enterprise).
	Host string
	// HTTPClient is the transport (default: http.Client with a 60 s timeout).
	HTTPClient *http.Client
	// Concurrency bounds repositories read at once (default 4).
	Concurrency int
	// MaxRetries per request on rate limits and server errors (default 5).
	MaxRetries int
	// MaxWait is the longest single wait for a rate limit (default 65
	// minutes). GitHub's primary limit resets within the hour, so every
	// real reset is waited out and the run resumes; only a nonsensical
	// wait fails the request, with the time to rerun in the error.
	MaxWait time.Duration
	// CacheDir, when set, keeps responses with their ETags so that a re-run
	// asks with If-None-Match and unchanged data costs a 304 (not counted
	// against the rate limit). Holds organisation data: keep it private.
	CacheDir string
	// SkipDescriptors reads only the organisation, not each repository's files.
	SkipDescriptors bool
	// Sleep waits (tests replace it); default honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock rate-limit resets are measured against (default
	// time.Now; tests replace it).
	Now func() time.Time
	// Logger receives each listing step's counts and every wait before a
	// retry, with its reason and duration. Never the token.
	Logger zerolog.Logger
}

// Source reads one organisation.
type Source struct {
	cfg    Config
	client *gh.Client
	host   string
	known  map[string]graph.Ref // org/repo → repository, set before descriptors are read
	log    zerolog.Logger
}

// New validates cfg and builds the client.
func New(cfg Config) (*Source, error) {
	cfg.Org = strings.TrimSpace(cfg.Org)
	if cfg.Org == "" {
		return nil, errors.New("github: an organisation is required")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 5
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 65 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	hc := cfg.HTTPClient
	if hc == nil {
		// Keep a connection per concurrent reader instead of redialling.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = cfg.Concurrency + 2
		hc = &http.Client{Timeout: 60 * time.Second, Transport: tr}
	}
	if cfg.CacheDir != "" {
		base := hc.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		who := cfg.Token
		if cfg.App != nil {
			who = fmt.Sprintf("app:%d/%d", cfg.App.ID, cfg.App.InstallationID)
		}
		et, err := newETagTransport(base, cfg.CacheDir, who)
		if err != nil {
			return nil, fmt.Errorf("github: cache: %w", err)
		}
		c := *hc
		c.Transport = et
		hc = &c
	}
	host := "github.com"
	var base *url.URL
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("github: base URL %q is not a URL", cfg.BaseURL)
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		base = u
		if u.Hostname() != "api.github.com" {
			host = strings.ToLower(u.Host)
		}
	}
	if cfg.App != nil {
		rt := hc.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		at, err := newAppTransport(rt, *cfg.App, base)
		if err != nil {
			return nil, err
		}
		c := *hc
		c.Transport = at
		hc = &c
	}
	c := gh.NewClient(hc)
	if cfg.Token != "" && cfg.App == nil {
		c = c.WithAuthToken(cfg.Token)
	}
	if base != nil {
		c.BaseURL = base
	}
	if cfg.Host != "" {
		host = strings.ToLower(cfg.Host)
	}
	s := &Source{cfg: cfg, client: c, host: host}
	s.log = cfg.Logger.With().Str("source", s.Name()).Logger()
	return s, nil
}

// Name is "github:ORG" (with the host for GitHub Enterprise Server).
func (s *Source) Name() string {
	if s.host != "github.com" {
		return "github:" + s.host + "/" + strings.ToLower(s.cfg.Org)
	}
	return "github:" + strings.ToLower(s.cfg.Org)
}

// call runs one request, waiting out rate limits and retrying server errors
// and timeouts with exponential backoff. Every wait is logged.
func (s *Source) call(ctx context.Context, fn func() (*gh.Response, error)) error {
	for attempt := 0; ; attempt++ {
		resp, err := fn()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait, reason, ok := retryWait(resp, err, attempt, s.cfg.Now())
		if !ok || attempt >= s.cfg.MaxRetries {
			return err
		}
		resume := s.cfg.Now().Add(wait).UTC()
		if wait > s.cfg.MaxWait {
			return fmt.Errorf("%s: GitHub asks to wait %s, over the %s limit; rerun after %s: %w",
				reason, wait, s.cfg.MaxWait, resume.Format(time.RFC3339), err)
		}
		s.log.Warn().Str("request", requestPath(resp, err)).Str("reason", reason).Stringer("wait", wait).
			Time("resume", resume).Int("attempt", attempt+1).Err(err).Msg("github: waiting before retrying")
		if err := s.cfg.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// retryWait says how long to wait before retrying a failed request and why,
// or ok=false when retrying cannot help.
func retryWait(resp *gh.Response, err error, attempt int, now time.Time) (wait time.Duration, reason string, ok bool) {
	var rl *gh.RateLimitError
	var ab *gh.AbuseRateLimitError
	var ne net.Error
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	switch {
	case errors.As(err, &ab):
		wait = time.Minute
		if ab.RetryAfter != nil {
			wait = *ab.RetryAfter
		}
		reason = "secondary rate limit (Retry-After)"
	case errors.As(err, &rl):
		wait = rl.Rate.Reset.Sub(now) + time.Second
		reason = "primary rate limit (X-RateLimit-Remaining 0 until X-RateLimit-Reset)"
	case (status == http.StatusTooManyRequests || status == http.StatusForbidden) && resp.Header.Get("Retry-After") != "":
		secs, perr := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After")))
		if perr != nil {
			return 0, "", false
		}
		wait = time.Duration(secs) * time.Second
		reason = fmt.Sprintf("HTTP %d with Retry-After", status)
	case status == http.StatusTooManyRequests || status >= 500:
		wait, reason = backoff(attempt), fmt.Sprintf("HTTP %d", status)
	case resp == nil && errors.As(err, &ne):
		wait, reason = backoff(attempt), "network error"
		if ne.Timeout() {
			reason = "timeout"
		}
	default:
		return 0, "", false
	}
	return max(wait, 0), reason, true
}

// requestPath is the API path a failed request asked for, for the log
// (never its headers, which hold the token).
func requestPath(resp *gh.Response, err error) string {
	if resp != nil && resp.Request != nil {
		return resp.Request.URL.Path
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			return u.Path
		}
	}
	return ""
}

func backoff(attempt int) time.Duration {
	d := time.Duration(1<<min(attempt, 6)) * 500 * time.Millisecond
	return min(d, 30*time.Second)
}

// paginate calls page with each page number until the response has no next page.
func (s *Source) paginate(ctx context.Context, page func(opt gh.ListOptions) (*gh.Response, error)) error {
	opt := gh.ListOptions{PerPage: 100}
	for {
		var resp *gh.Response
		err := s.call(ctx, func() (*gh.Response, error) {
			r, err := page(opt)
			resp = r
			return r, err
		})
		if err != nil {
			return err
		}
		if resp == nil || resp.NextPage == 0 {
			return nil
		}
		opt.Page = resp.NextPage
	}
}

type repoInfo struct {
	r    *gh.Repository
	key  string
	node graph.NodeInput
}

// Run reads the organisation and emits.
func (s *Source) Run(ctx context.Context, emit ingest.Emitter) error {
	org := s.cfg.Org
	lorg := strings.ToLower(org)
	api := "GitHub API GET /orgs/" + org

	// Repositories. Failing to list them fails the run: without the list,
	// nothing may be swept.
	var repos []*repoInfo
	err := s.paginate(ctx, func(opt gh.ListOptions) (*gh.Response, error) {
		rs, resp, err := s.client.Repositories.ListByOrg(ctx, org, &gh.RepositoryListByOrgOptions{Type: "all", ListOptions: opt})
		for _, r := range rs {
			if ri := s.repoNode(r); ri != nil {
				repos = append(repos, ri)
			}
		}
		return resp, err
	})
	if err != nil {
		return fmt.Errorf("list repositories of %s: %w", org, err)
	}
	s.log.Info().Int("repositories", len(repos)).Msg("github: listed repositories")
	// Teams (every team of the org, nested ones with their parent).
	var teams []*gh.Team
	err = s.paginate(ctx, func(opt gh.ListOptions) (*gh.Response, error) {
		ts, resp, err := s.client.Teams.ListTeams(ctx, org, &opt)
		teams = append(teams, ts...)
		return resp, err
	})
	if err != nil {
		return fmt.Errorf("list teams of %s: %w", org, err)
	}
	s.log.Info().Int("teams", len(teams)).Msg("github: listed teams")
	var members []*gh.User
	err = s.paginate(ctx, func(opt gh.ListOptions) (*gh.Response, error) {
		us, resp, err := s.client.Organizations.ListMembers(ctx, org, &gh.ListMembersOptions{ListOptions: opt})
		members = append(members, us...)
		return resp, err
	})
	if err != nil {
		return fmt.Errorf("list members of %s: %w", org, err)
	}
	s.log.Info().Int("members", len(members)).Msg("github: listed organisation members")

	// Scopes (ingest.Scoped): what the organisation's listings say, each
	// team's members and repositories, each repository. A repository or
	// team that cannot be read holds back the sweep of its scope only.
	orgEmit := ingest.Scoped(emit, "org/"+lorg)
	knownTeams := map[string]bool{}
	knownPeople := map[string]bool{}
	emitted := map[graph.Ref]bool{}
	node := func(emit ingest.Emitter, n graph.NodeInput) error {
		emitted[n.Ref()] = true
		return emit.Node(n)
	}
	for _, ri := range repos {
		if err := node(ingest.Scoped(emit, repoScope(ri)), ri.node); err != nil {
			return err
		}
	}
	for _, t := range teams {
		slug := strings.ToLower(t.GetSlug())
		if slug == "" {
			continue
		}
		n := descriptors.TeamNode(s.host, lorg, slug, t.GetName(), graph.Declared, api+"/teams/"+slug)
		if d := t.GetDescription(); d != "" {
			n.Props = map[string]any{"description": d}
		}
		knownTeams[slug] = true
		if err := node(orgEmit, n); err != nil {
			return err
		}
	}
	person := func(emit ingest.Emitter, u *gh.User, ev string) error {
		login := strings.ToLower(u.GetLogin())
		if login == "" || knownPeople[login] {
			return nil
		}
		knownPeople[login] = true
		return node(emit, descriptors.PersonNode(s.host, login, "", u.GetName(), graph.Declared, ev))
	}
	for _, u := range members {
		if err := person(orgEmit, u, api+"/members"); err != nil {
			return err
		}
	}

	// Per team: members and repository permissions.
	var edges []graph.EdgeInput
	var memberships, owns, accessOnly int
	for _, t := range teams {
		slug := strings.ToLower(t.GetSlug())
		if slug == "" {
			continue
		}
		tref := descriptors.TeamRef(slug)
		scope := "team/" + lorg + "/" + slug
		teamEmit := ingest.Scoped(emit, scope)
		if p := t.GetParent(); p != nil && knownTeams[strings.ToLower(p.GetSlug())] {
			edges = append(edges, graph.EdgeInput{Type: graph.RelMemberOf, From: tref, To: descriptors.TeamRef(p.GetSlug()),
				Confidence: graph.Declared, Evidence: api + "/teams/" + slug + " parent", Scope: "org/" + lorg})
		}
		var tm []*gh.User
		err := s.paginate(ctx, func(opt gh.ListOptions) (*gh.Response, error) {
			us, resp, err := s.client.Teams.ListTeamMembersBySlug(ctx, org, slug, &gh.TeamListTeamMembersOptions{ListOptions: opt})
			tm = append(tm, us...)
			return resp, err
		})
		if err != nil {
			teamEmit.ItemError("team "+slug+" members", err)
		}
		for _, u := range tm {
			if err := person(teamEmit, u, api+"/teams/"+slug+"/members"); err != nil {
				return err
			}
			edges = append(edges, graph.EdgeInput{Type: graph.RelMemberOf, From: descriptors.PersonRef(u.GetLogin()), To: tref,
				Confidence: graph.Declared, Evidence: api + "/teams/" + slug + "/members", Scope: scope})
			memberships++
		}
		err = s.paginate(ctx, func(opt gh.ListOptions) (*gh.Response, error) {
			rs, resp, err := s.client.Teams.ListTeamReposBySlug(ctx, org, slug, &opt)
			for _, r := range rs {
				// Admin (or maintain) on a repository is the strongest
				// signal the API gives of who looks after it. Write,
				// triage and read are access, not accountability (an
				// "all engineers" team writes everywhere): counted and
				// logged, never OWNS — see docs/git-sources.md.
				perm := r.GetRoleName()
				if p := r.GetPermissions(); perm == "" && p.GetAdmin() {
					perm = "admin"
				} else if perm == "" && p.GetMaintain() {
					perm = "maintain"
				}
				if perm != "admin" && perm != "maintain" {
					accessOnly++
					continue
				}
				ri := s.repoNode(r)
				if ri == nil || !emitted[ri.node.Ref()] {
					continue
				}
				edges = append(edges, graph.EdgeInput{Type: graph.RelOwns, From: tref, To: ri.node.Ref(),
					Props: map[string]any{"role": graph.OwnerTechnical}, Confidence: graph.Inferred,
					Evidence: api + "/teams/" + slug + "/repos permission " + perm, Scope: scope})
				owns++
			}
			return resp, err
		})
		if err != nil {
			teamEmit.ItemError("team "+slug+" repositories", err)
		}
	}
	s.log.Info().Int("teams", len(teams)).Int("memberships", memberships).Int("owns", owns).
		Int("access_only", accessOnly).Msg("github: read team members and repository permissions")
	for _, e := range edges {
		if err := emit.Edge(e); err != nil {
			return err
		}
	}
	if s.cfg.SkipDescriptors {
		return nil
	}
	return s.descriptors(ctx, emit, repos, knownTeams, knownPeople, emitted)
}

func (s *Source) repoNode(r *gh.Repository) *repoInfo {
	full := r.GetFullName()
	if full == "" {
		return nil
	}
	key := strings.ToLower(s.host + "/" + full)
	props := map[string]any{
		"host": s.host, "url": r.GetHTMLURL(), "defaultBranch": r.GetDefaultBranch(),
		"visibility": r.GetVisibility(), "archived": r.GetArchived(), "fork": r.GetFork(),
		"language": r.GetLanguage(), "description": r.GetDescription(),
	}
	if props["visibility"] == "" {
		props["visibility"] = "public"
		if r.GetPrivate() {
			props["visibility"] = "private"
		}
	}
	if ts := r.Topics; len(ts) > 0 {
		props["topics"] = append([]string(nil), ts...)
	}
	if p := r.PushedAt; p != nil {
		props["pushedAt"] = p.UTC()
	}
	for k, v := range props {
		if v == "" {
			delete(props, k)
		}
	}
	return &repoInfo{r: r, key: key, node: graph.NodeInput{
		Kind: graph.KindRepository, Key: key, Name: r.GetName(), Props: props,
		Aliases: []string{full, strings.ToLower(full)}, Confidence: graph.Declared,
		Evidence: "GitHub API GET /orgs/" + s.cfg.Org + "/repos " + full,
	}}
}

type repoResult struct {
	res   descriptors.Result
	extra []graph.NodeInput
	err   error
}

// descriptors reads each repository's descriptor files with bounded
// concurrency and emits in repository order.
func (s *Source) descriptors(ctx context.Context, emit ingest.Emitter, repos []*repoInfo,
	knownTeams, knownPeople map[string]bool, emitted map[graph.Ref]bool) error {
	// A catalog-info.yaml naming another repository of the organisation
	// (github.com/project-slug) says that repository builds the component.
	byFull := map[string]graph.Ref{}
	for _, ri := range repos {
		byFull[strings.ToLower(ri.r.GetFullName())] = ri.node.Ref()
	}
	s.known = byFull
	read := func(ctx context.Context, ri *repoInfo) repoResult {
		return s.readRepo(ctx, ri, knownTeams, knownPeople)
	}
	var unreadable, apps int
	err := ingest.Window(ctx, repos, s.cfg.Concurrency, read, func(chunk []*repoInfo, results []repoResult) error {
		for _, rr := range results {
			if rr.err != nil {
				unreadable++
			}
			apps += len(rr.res.Builds)
		}
		return s.emitRepos(emit, chunk, results, emitted)
	})
	if err != nil {
		return err
	}
	s.log.Info().Int("repositories", len(repos)).Int("unreadable", unreadable).Int("applications", apps).
		Msg("github: read descriptor files")
	return nil
}

// repoScope is the scope of what a repository's files say.
func repoScope(ri *repoInfo) string { return "repo/" + strings.ToLower(ri.r.GetFullName()) }

func (s *Source) emitRepos(emit ingest.Emitter, repos []*repoInfo, results []repoResult, emitted map[graph.Ref]bool) error {
	for i, ri := range repos {
		rr := results[i]
		emit := ingest.Scoped(emit, repoScope(ri))
		if rr.err != nil {
			// Its data from earlier runs is kept: the run is partial, and
			// sweeps what other repositories no longer say.
			emit.ItemError(ri.r.GetFullName(), rr.err)
			continue
		}
		for _, n := range append(rr.extra, rr.res.Nodes...) {
			if err := emit.Node(n); err != nil {
				return err
			}
			emitted[n.Ref()] = true
		}
		for _, p := range rr.res.Problems {
			item := ri.key + "/" + p.File
			if p.Fatal {
				emit.ItemError(item, p)
			} else {
				ingest.Warn(emit, item, p)
			}
		}
		for _, e := range rr.res.Edges {
			if !emitted[e.From] || !emitted[e.To] {
				continue
			}
			if err := emit.Edge(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Source) readRepo(ctx context.Context, ri *repoInfo, knownTeams, knownPeople map[string]bool) repoResult {
	owner, name := ri.r.GetOwner().GetLogin(), ri.r.GetName()
	if owner == "" {
		owner = s.cfg.Org
	}
	branch := ri.r.GetDefaultBranch()
	if branch == "" {
		branch = "HEAD"
	}
	var tree *gh.Tree
	err := s.call(ctx, func() (*gh.Response, error) {
		t, resp, err := s.client.Git.GetTree(ctx, owner, name, branch, true)
		tree = t
		if resp != nil && (resp.StatusCode == http.StatusConflict || resp.StatusCode == http.StatusNotFound) {
			return resp, nil // an empty repository has no tree
		}
		return resp, err
	})
	if err != nil {
		return repoResult{err: fmt.Errorf("read tree: %w", err)}
	}
	var files []descriptors.File
	var probs []descriptors.Problem
	if tree.GetTruncated() {
		// Files beyond the cut would go missing and be swept: the
		// repository counts as not read.
		probs = append(probs, descriptors.Problem{File: ".", Fatal: true,
			Msg: "the git tree API truncated the file list (too many files); descriptor files may be missing"})
	}
	// blobs are the repository's files, for the other files a catalog
	// Location may name.
	blobs := map[string]*gh.TreeEntry{}
	readBlob := func(e *gh.TreeEntry) ([]byte, error) {
		if e.GetSize() > descriptors.MaxFileSize {
			return nil, fmt.Errorf("%d bytes: %w", e.GetSize(), errTooLarge)
		}
		var data []byte
		err := s.call(ctx, func() (*gh.Response, error) {
			b, resp, err := s.client.Git.GetBlobRaw(ctx, owner, name, e.GetSHA())
			data = b
			return resp, err
		})
		return data, err
	}
	if tree != nil {
		entries := tree.Entries
		sort.Slice(entries, func(i, j int) bool { return entries[i].GetPath() < entries[j].GetPath() })
		for _, e := range entries {
			p := e.GetPath()
			if e.GetType() != "blob" || vendored(p) {
				continue
			}
			blobs[p] = e
			if _, ok := descriptors.Classify(p); !ok {
				continue
			}
			data, err := readBlob(e)
			if errors.Is(err, errTooLarge) {
				probs = append(probs, descriptors.Problem{File: p, Fatal: true, Msg: err.Error()})
				continue
			}
			if err != nil {
				return repoResult{err: fmt.Errorf("read %s: %w", p, err)}
			}
			files = append(files, descriptors.File{Path: p, Data: data})
		}
	}
	var extra []graph.NodeInput
	var mu sync.Mutex
	repo := descriptors.Repo{Node: ri.node, Host: s.host, Org: strings.ToLower(s.cfg.Org), Name: strings.ToLower(name), Flavor: descriptors.GitHub}
	res := descriptors.Analyze(repo, files, descriptors.AnalyzeOptions{
		Paths:    slices.Sorted(maps.Keys(blobs)),
		ReadFile: func(p string) ([]byte, error) { return readBlob(blobs[p]) },
		KnownRepo: func(slug string) (graph.Ref, bool) {
			r, ok := s.known[strings.ToLower(slug)]
			return r, ok
		},
		ResolveOwner: func(o descriptors.Owner) (graph.Ref, bool) {
			switch o.Kind {
			case descriptors.OwnerTeam:
				return descriptors.TeamRef(o.Name), o.Org == strings.ToLower(s.cfg.Org) && knownTeams[o.Name]
			case descriptors.OwnerUser:
				return descriptors.PersonRef(o.Name), knownPeople[o.Name]
			case descriptors.OwnerEmail:
				// An e-mail address is an identity of its own.
				n, _ := o.OwnerNode("", graph.Declared, ri.key+" CODEOWNERS")
				mu.Lock()
				extra = append(extra, n)
				mu.Unlock()
				return n.Ref(), true
			}
			return graph.Ref{}, false
		},
	})
	res.Problems = append(probs, res.Problems...)
	s.log.Debug().Str("repository", ri.key).Int("files", len(files)).Int("applications", len(res.Builds)).
		Int("problems", len(res.Problems)).Msg("github: read repository files")
	return repoResult{res: res, extra: extra}
}

var errTooLarge = fmt.Errorf("over the %d byte limit for descriptor files; skipped", descriptors.MaxFileSize)

func vendored(p string) bool {
	for _, d := range strings.Split(p, "/") {
		switch d {
		case "vendor", "node_modules", "third_party", "testdata":
			return true
		}
	}
	return false
}

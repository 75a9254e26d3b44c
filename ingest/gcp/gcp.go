// Package gcp is the Google Cloud source: it reads Cloud Asset Inventory —
// resource exports (newline-delimited JSON, as `gcloud asset export` writes
// them to Cloud Storage) from files or URLs, and the searchAllResources API
// over organizations, folders or projects — and emits each asset as a
// CloudResource keyed by its full resource name
// (//compute.googleapis.com/projects/p/zones/z/instances/i), in a
// CloudAccount per project (gcp:<project id>). Labels become labels and,
// through ingest/cloudtags, links to known teams and applications. Each
// export file and each project searched is a scope of the sweep (see
// Source.Run).
package gcp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/cloudtags"
)

// Config configures the GCP source.
type Config struct {
	// Name is the source name, default "gcp:default".
	Name string `yaml:"name" json:"name"`
	// Exports are CAI export files: local paths, or http(s) URLs such as
	// https://storage.googleapis.com/<bucket>/<object> (read with Token).
	Exports []string `yaml:"exports" json:"exports"`
	// Scopes are searched with Cloud Asset Inventory's searchAllResources:
	// organizations/<number>, folders/<number> or projects/<id or number>.
	Scopes []string `yaml:"scopes" json:"scopes"`
	// Endpoint is the Cloud Asset API's URL (default DefaultEndpoint).
	Endpoint string `yaml:"endpoint" json:"endpoint"`
	// PageSize is the results asked per search page (default and most 500).
	PageSize int `yaml:"pageSize" json:"pageSize"`
	// Registered lists the project ids known to central IT (see
	// cloudtags.AccountProps).
	Registered []string `yaml:"registered" json:"registered"`
	// MaxLine is the longest asset line accepted (default 16 MiB).
	MaxLine int             `yaml:"maxLine" json:"maxLine"`
	Tags    cloudtags.Rules `yaml:"tags" json:"tags"`

	// Token returns a bearer token for URL exports and searches; nil means
	// EnvironmentToken.
	Token   func(ctx context.Context) (string, error) `yaml:"-" json:"-"`
	Resolve cloudtags.Resolver                        `yaml:"-" json:"-"`
	Client  *http.Client                              `yaml:"-" json:"-"`
	Logger  zerolog.Logger                            `yaml:"-" json:"-"`
}

// Source is the GCP source.
type Source struct{ cfg Config }

// New returns a source for cfg, or the configuration's problems.
func New(cfg Config) (*Source, error) {
	if cfg.Name == "" {
		cfg.Name = "gcp:default"
	}
	if cfg.MaxLine <= 0 {
		cfg.MaxLine = 16 << 20
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Minute}
	}
	if cfg.Token == nil {
		cfg.Token = EnvironmentToken()
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	if cfg.PageSize <= 0 || cfg.PageSize > 500 {
		cfg.PageSize = 500
	}
	var errs []error
	if len(cfg.Exports) == 0 && len(cfg.Scopes) == 0 {
		errs = append(errs, errors.New("no Cloud Asset Inventory export or search scope given"))
	}
	for _, sc := range cfg.Scopes {
		if !scopeRE.MatchString(sc) {
			errs = append(errs, fmt.Errorf("search scope %q is not organizations/<number>, folders/<number> or projects/<id>", sc))
		}
	}
	if u, err := url.Parse(cfg.Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("endpoint %q is not an http(s) URL", cfg.Endpoint))
	}
	if err := cfg.Tags.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("gcp source: %w", err)
	}
	return &Source{cfg: cfg}, nil
}

// Name implements ingest.Source.
func (s *Source) Name() string { return s.cfg.Name }

// SetResolver sets how labels are looked up in the CMDB.
func (s *Source) SetResolver(r cloudtags.Resolver) { s.cfg.Resolve = r }

// Asset is one line of a CAI export, as far as estate reads it.
type Asset struct {
	Name      string         `json:"name"`
	AssetType string         `json:"asset_type"`
	Ancestors []string       `json:"ancestors"`
	Resource  *AssetResource `json:"resource"`
}

// AssetResource is the resource part of an asset.
type AssetResource struct {
	Parent   string `json:"parent"`
	Location string `json:"location"`
	Data     struct {
		Name              string            `json:"name"`
		DisplayName       string            `json:"displayName"`
		ProjectID         string            `json:"projectId"`
		ProjectNumber     json.RawMessage   `json:"projectNumber"`
		Labels            map[string]string `json:"labels"`
		Location          string            `json:"location"`
		CreationTimestamp string            `json:"creationTimestamp"`
		TimeCreated       string            `json:"timeCreated"`
		CreateTime        string            `json:"createTime"`
		// A Compute Engine instance's interfaces: its internal and
		// external IP addresses.
		NetworkInterfaces []struct {
			NetworkIP     string `json:"networkIP"`
			AccessConfigs []struct {
				NatIP string `json:"natIP"`
			} `json:"accessConfigs"`
		} `json:"networkInterfaces"`
	} `json:"data"`
}

// DefaultEndpoint is the Cloud Asset API.
const DefaultEndpoint = "https://cloudasset.googleapis.com"

var scopeRE = regexp.MustCompile(`^(organizations|folders|projects)/[a-z0-9][a-z0-9-]*$`)

var (
	projectInName = regexp.MustCompile(`/projects/([^/]+)`)
	zoneInName    = regexp.MustCompile(`/zones/([a-z]+-[a-z]+\d+)-[a-z]\b`)
	regionInName  = regexp.MustCompile(`/(?:regions|locations)/([^/]+)`)
)

// computeTypes are the asset types an application runs on.
var computeTypes = map[string]bool{
	"compute.googleapis.com/Instance": true, "container.googleapis.com/Cluster": true,
	"run.googleapis.com/Service": true, "cloudfunctions.googleapis.com/CloudFunction": true,
	"appengine.googleapis.com/Service": true, "appengine.googleapis.com/Version": true,
	"compute.googleapis.com/ForwardingRule": true,
}

type item struct {
	asset    Asset
	evidence string
	// scope is the export's that held the asset; "" for a search, whose
	// assets are in their project's.
	scope string
}

// Run implements ingest.Source.
//
// What the run reads is scoped (graph/scope.go) so that a part that fails
// keeps its data while the rest is swept: an export file is a scope
// ("export/" and its path or URL), and so is each project a search finds
// ("gcp/<project id>"). A failed search of projects/<id> is scoped to its
// project; one of an organization or folder, whose projects are unknown
// once it failed, holds the whole sweep.
func (s *Source) Run(ctx context.Context, emit ingest.Emitter) error {
	c := &s.cfg
	var assets []item
	read := 0
	var named []string // what the run was asked to read, as it may be shown
	for _, exp := range c.Exports {
		shown := redact(exp)
		named = append(named, shown)
		scope := graph.PathScope("export", shown)
		emit := ingest.Scoped(emit, scope)
		n, err := s.read(ctx, exp, func(a Asset) { assets = append(assets, item{a, "gcp asset export " + shown, scope}) }, emit)
		read += n
		if err != nil {
			emit.ItemError(shown, err)
		}
	}
	failed := map[string]error{} // search scope → its failure
	for _, scope := range c.Scopes {
		n, err := s.search(ctx, scope, func(a Asset) { assets = append(assets, item{a, "gcp asset search " + scope, ""}) })
		read += n
		if err != nil {
			failed[scope] = err
		}
	}
	// Projects are the accounts: their numbers map to ids.
	ids := map[string]string{} // project number → project id
	type project struct{ id, name, scope string }
	var projects []project
	for _, it := range assets {
		a := it.asset
		if a.AssetType == "cloudresourcemanager.googleapis.com/Project" && a.Resource != nil {
			d := a.Resource.Data
			num := strings.Trim(string(d.ProjectNumber), `"`)
			if d.ProjectID == "" {
				continue
			}
			if num != "" {
				ids[num] = d.ProjectID
			}
			if m := projectInName.FindStringSubmatch(a.Name); m != nil {
				ids[m[1]] = d.ProjectID
			}
			projects = append(projects, project{d.ProjectID, d.Name, it.scope})
		}
	}
	for _, scope := range c.Scopes {
		if err := failed[scope]; err != nil {
			ingest.Scoped(emit, searchScope(scope, ids)).ItemError("gcp search "+scope, err)
		}
	}
	if read == 0 && len(assets) == 0 {
		return fmt.Errorf("gcp: no asset read from %s", strings.Join(append(named, c.Scopes...), ", "))
	}
	// scopeOf is the scope of what an item says of project.
	scopeOf := func(it item, project string) string {
		if it.scope == "" && project != "" {
			return projectScope(project)
		}
		return it.scope
	}
	seen := map[[2]string]bool{} // each project once per scope, so a failing scope keeps it
	emitAccount := func(scope, id, name string) error {
		if k := [2]string{scope, id}; !seen[k] {
			seen[k] = true
			return ingest.Scoped(emit, scope).Node(graph.NodeInput{Kind: graph.KindCloudAccount, Key: "gcp:" + id, Name: name,
				Props: cloudtags.AccountProps("gcp", c.Registered, id), Evidence: "gcp project " + id})
		}
		return nil
	}
	for _, p := range projects {
		if err := emitAccount(scopeOf(item{scope: p.scope}, p.id), p.id, p.name); err != nil {
			return err
		}
	}
	linker := &cloudtags.Linker{Rules: c.Tags, Resolve: c.Resolve, Provider: "gcp", Note: cloudtags.Notes(emit, c.Logger, c.Name)}
	for _, it := range assets {
		a := it.asset
		if strings.HasPrefix(a.AssetType, "cloudresourcemanager.googleapis.com/") || strings.HasPrefix(a.AssetType, "cloudbilling.googleapis.com/") {
			continue // the hierarchy and billing: not resources
		}
		r := describe(a, ids)
		scope := scopeOf(it, r.project)
		emit := ingest.Scoped(emit, scope)
		ev := it.evidence
		props := map[string]any{"provider": "gcp", "type": a.AssetType}
		if r.region != "" {
			props["region"] = r.region
		}
		if r.project != "" {
			props["account"] = r.project
			if err := emitAccount(scope, r.project, ""); err != nil {
				return err
			}
		}
		if !r.created.IsZero() {
			props["createdAt"] = r.created
		}
		ref := graph.Ref{Kind: graph.KindCloudResource, Key: a.Name}
		if err := emit.Node(graph.NodeInput{Kind: ref.Kind, Key: ref.Key, Name: r.name, Props: props, Aliases: r.addresses,
			Labels: linker.Labels(ctx, r.labels), Evidence: ev}); err != nil {
			return err
		}
		if r.project != "" {
			if err := emit.Edge(graph.EdgeInput{Type: graph.RelInAccount, From: ref, To: graph.Ref{Kind: graph.KindCloudAccount, Key: "gcp:" + r.project}, Evidence: ev}); err != nil {
				return err
			}
		}
		if err := linker.Link(ctx, emit, ref, r.labels, computeTypes[a.AssetType]); err != nil {
			return err
		}
	}
	return nil
}

// projectScope is the scope of what a search finds in a project.
func projectScope(id string) string { return "gcp/" + id }

// searchScope is the scope a failed search of scope holds back: its
// project's for projects/<id>, or for projects/<number> whose id another
// read gave; "" (the whole source) otherwise.
func searchScope(scope string, ids map[string]string) string {
	p, ok := strings.CutPrefix(scope, "projects/")
	if !ok {
		return ""
	}
	if id, ok := ids[p]; ok {
		return projectScope(id)
	}
	if strings.Trim(p, "0123456789") == "" {
		return "" // a project number: its id, and so its scope, unknown
	}
	return projectScope(p)
}

type described struct {
	name, project, region string
	created               time.Time
	labels                map[string]string
	// addresses are an instance's IP addresses, sorted: aliases, as the
	// AWS source gives them, so that whoOwns finds it by them.
	addresses []string
}

func describe(a Asset, ids map[string]string) described {
	r := described{name: a.Name[strings.LastIndex(a.Name, "/")+1:]}
	if m := projectInName.FindStringSubmatch(a.Name); m != nil {
		r.project = m[1]
	}
	if a.Resource != nil {
		d := a.Resource.Data
		r.labels = d.Labels
		for _, ni := range d.NetworkInterfaces {
			ips := []string{ni.NetworkIP}
			for _, ac := range ni.AccessConfigs {
				ips = append(ips, ac.NatIP)
			}
			for _, ip := range ips {
				if a, err := netip.ParseAddr(ip); err == nil {
					r.addresses = append(r.addresses, a.String())
				}
			}
		}
		slices.Sort(r.addresses)
		r.addresses = slices.Compact(r.addresses)
		if r.project == "" {
			if num := strings.Trim(string(d.ProjectNumber), `"`); num != "" {
				r.project = num
			} else if m := projectInName.FindStringSubmatch(a.Resource.Parent); m != nil {
				r.project = m[1]
			}
		}
		for _, ts := range []string{d.CreationTimestamp, d.TimeCreated, d.CreateTime} {
			if t, err := time.Parse(time.RFC3339, ts); err == nil {
				r.created = t.UTC()
				break
			}
		}
		r.region = strings.ToLower(a.Resource.Location)
		if r.region == "" {
			r.region = strings.ToLower(d.Location)
		}
	}
	if r.project == "" {
		for _, anc := range a.Ancestors {
			if strings.HasPrefix(anc, "projects/") {
				r.project = strings.TrimPrefix(anc, "projects/")
				break
			}
		}
	}
	if id, ok := ids[r.project]; ok {
		r.project = id
	}
	if r.region == "" {
		if m := zoneInName.FindStringSubmatch(a.Name); m != nil {
			r.region = m[1]
		} else if m := regionInName.FindStringSubmatch(a.Name); m != nil && m[1] != "global" {
			r.region = m[1]
		}
	}
	return r
}

// read streams one export, calling fn for each asset line. A malformed line
// is an item error; the rest of the file is still read.
func (s *Source) read(ctx context.Context, exp string, fn func(Asset), emit ingest.Emitter) (int, error) {
	var rc io.ReadCloser
	if u, err := url.Parse(exp); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		body, err := s.get(ctx, u)
		if err != nil {
			return 0, err
		}
		rc = body
	} else {
		f, err := os.Open(exp)
		if err != nil {
			return 0, err
		}
		rc = f
	}
	defer rc.Close()
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64<<10), s.cfg.MaxLine)
	n, line := 0, 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var a Asset
		if err := json.Unmarshal(b, &a); err != nil {
			emit.ItemError(fmt.Sprintf("%s:%d", redact(exp), line), fmt.Errorf("not a Cloud Asset Inventory asset: %w", err))
			continue
		}
		if a.Name == "" || a.AssetType == "" || a.Resource == nil {
			continue // IAM policy or org policy lines: no resource
		}
		fn(a)
		n++
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("line %d: %w", line+1, err)
	}
	return n, nil
}

// EnvironmentToken is the bearer token in GOOGLE_OAUTH_ACCESS_TOKEN (e.g.
// from `gcloud auth print-access-token`), else Application Default
// Credentials, found on first use (local exports need none).
func EnvironmentToken() func(context.Context) (string, error) {
	if tok := os.Getenv("GOOGLE_OAUTH_ACCESS_TOKEN"); tok != "" {
		return func(context.Context) (string, error) { return tok, nil }
	}
	var once sync.Once
	var ts oauth2.TokenSource
	var err error
	return func(ctx context.Context) (string, error) {
		once.Do(func() {
			ts, err = google.DefaultTokenSource(context.WithoutCancel(ctx), "https://www.googleapis.com/auth/cloud-platform")
		})
		if err != nil {
			return "", fmt.Errorf("application default credentials: %w", err)
		}
		tok, err := ts.Token()
		if err != nil {
			return "", fmt.Errorf("application default credentials: %w", err)
		}
		return tok.AccessToken, nil
	}
}

// redact shows a URL without its query (signed URLs carry their signature
// there) and without a password; a local path stays as it is.
func redact(exp string) string {
	u, err := url.Parse(exp)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return exp
	}
	if u.RawQuery != "" {
		u.RawQuery = "REDACTED"
	}
	return u.Redacted()
}

// get sends an authorized GET and returns the body of a 200 answer. The
// token is sent, never logged; errors name the URL without credentials and
// Google's error status, not the body.
func (s *Source) get(ctx context.Context, u *url.URL) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	if s.cfg.Token != nil {
		tok, err := s.cfg.Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("gcp token: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the whole URL
		}
		return nil, fmt.Errorf("GET %s: %w", redact(u.String()), err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		var e struct {
			Error struct {
				Status string `json:"status"`
			} `json:"error"`
		}
		json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&e)
		msg := fmt.Sprintf("GET %s: HTTP %d", redact(u.String()), resp.StatusCode)
		if e.Error.Status != "" {
			msg += " " + e.Error.Status
		}
		return nil, errors.New(msg)
	}
	return resp.Body, nil
}

// searchResult is a ResourceSearchResult of searchAllResources, as far as
// estate reads it.
type searchResult struct {
	Name                   string            `json:"name"`
	AssetType              string            `json:"assetType"`
	Project                string            `json:"project"` // projects/<number>
	DisplayName            string            `json:"displayName"`
	Location               string            `json:"location"`
	Labels                 map[string]string `json:"labels"`
	CreateTime             string            `json:"createTime"`
	ParentFullResourceName string            `json:"parentFullResourceName"`
	AdditionalAttributes   struct {
		ProjectID string `json:"projectId"`
	} `json:"additionalAttributes"`
}

// asset turns a search result into the export's shape, so both read alike.
func (r searchResult) asset() Asset {
	a := Asset{Name: r.Name, AssetType: r.AssetType}
	if r.Project != "" {
		a.Ancestors = []string{r.Project}
	}
	a.Resource = &AssetResource{Parent: r.ParentFullResourceName, Location: r.Location}
	d := &a.Resource.Data
	d.DisplayName, d.Labels, d.CreateTime = r.DisplayName, r.Labels, r.CreateTime
	if r.AssetType == "cloudresourcemanager.googleapis.com/Project" {
		d.ProjectID = r.AdditionalAttributes.ProjectID
		d.Name = r.DisplayName
		if num := strings.TrimPrefix(r.Project, "projects/"); num != "" {
			d.ProjectNumber = json.RawMessage(strconv.Quote(num))
		}
	}
	return a
}

// search pages through searchAllResources over one scope, calling fn for
// each result. A failing page ends the scope with an error; what was read
// before it is kept.
func (s *Source) search(ctx context.Context, scope string, fn func(Asset)) (int, error) {
	n, token := 0, ""
	for {
		u, err := url.Parse(strings.TrimSuffix(s.cfg.Endpoint, "/") + "/v1/" + scope + ":searchAllResources")
		if err != nil {
			return n, err
		}
		q := url.Values{"pageSize": {strconv.Itoa(s.cfg.PageSize)}}
		if token != "" {
			q.Set("pageToken", token)
		}
		u.RawQuery = q.Encode()
		body, err := s.get(ctx, u)
		if err != nil {
			return n, err
		}
		var page struct {
			Results       []searchResult `json:"results"`
			NextPageToken string         `json:"nextPageToken"`
		}
		err = json.NewDecoder(body).Decode(&page)
		body.Close()
		if err != nil {
			return n, fmt.Errorf("searchAllResources %s: malformed page: %w", scope, err)
		}
		for _, r := range page.Results {
			if r.Name == "" || r.AssetType == "" {
				continue
			}
			fn(r.asset())
			n++
		}
		if page.NextPageToken == "" {
			return n, nil
		}
		token = page.NextPageToken
	}
}

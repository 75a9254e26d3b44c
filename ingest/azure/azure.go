// Package azure is the Azure source: it lists every resource of the
// configured (or all visible) subscriptions through Azure Resource Graph and
// emits them as CloudResource nodes keyed by their ARM resource id, in a
// CloudAccount per subscription (azure:<subscription id>). Tags become labels
// and, through ingest/cloudtags, links to known teams and applications.
//
// It speaks Resource Graph's REST API (api-version 2021-03-01) with plain
// net/http and a bearer token from a TokenSource, so it needs no SDK.
package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/cloudtags"
)

// DefaultEndpoint is Azure Resource Manager in the public cloud.
const DefaultEndpoint = "https://management.azure.com"

// Query is the Resource Graph query the source runs.
const Query = "Resources | project id, name, type, location, resourceGroup, subscriptionId, tags | order by id asc"

// TokenSource returns a bearer token for Azure Resource Manager.
type TokenSource func(ctx context.Context) (string, error)

// Config configures the Azure source.
type Config struct {
	// Name is the source name, default "azure:default".
	Name string `yaml:"name" json:"name"`
	// Subscriptions to read; empty means every subscription the identity sees.
	Subscriptions []string `yaml:"subscriptions" json:"subscriptions"`
	// Registered lists the subscription ids known to central IT.
	Registered []string `yaml:"registered" json:"registered"`
	// Endpoint is Resource Manager's URL (default DefaultEndpoint).
	Endpoint string `yaml:"endpoint" json:"endpoint"`
	// PageSize is the rows asked per request (default 1000, Resource Graph's maximum).
	PageSize int             `yaml:"pageSize" json:"pageSize"`
	Tags     cloudtags.Rules `yaml:"tags" json:"tags"`

	Token   TokenSource        `yaml:"-" json:"-"`
	Resolve cloudtags.Resolver `yaml:"-" json:"-"`
	Client  *http.Client       `yaml:"-" json:"-"`
	Logger  zerolog.Logger     `yaml:"-" json:"-"`
}

var subscriptionRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Source is the Azure source.
type Source struct{ cfg Config }

// New returns a source for cfg, or the configuration's problems.
func New(cfg Config) (*Source, error) {
	if cfg.Name == "" {
		cfg.Name = "azure:default"
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	if cfg.PageSize <= 0 || cfg.PageSize > 1000 {
		cfg.PageSize = 1000
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 2 * time.Minute}
	}
	var errs []error
	if u, err := url.Parse(cfg.Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("endpoint %q is not an http(s) URL", cfg.Endpoint))
	}
	for _, s := range append(slices.Clone(cfg.Subscriptions), cfg.Registered...) {
		if !subscriptionRE.MatchString(s) {
			errs = append(errs, fmt.Errorf("subscription %q is not a subscription id (a GUID)", s))
		}
	}
	if cfg.Token == nil {
		errs = append(errs, errors.New("no token source (set AZURE_ACCESS_TOKEN, e.g. from `az account get-access-token`)"))
	}
	if err := cfg.Tags.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("azure source: %w", err)
	}
	return &Source{cfg: cfg}, nil
}

// Name implements ingest.Source.
func (s *Source) Name() string { return s.cfg.Name }

// SetResolver sets how tag values are looked up in the CMDB.
func (s *Source) SetResolver(r cloudtags.Resolver) { s.cfg.Resolve = r }

// request is Resource Graph's QueryRequest.
type request struct {
	Subscriptions []string       `json:"subscriptions,omitempty"`
	Query         string         `json:"query"`
	Options       requestOptions `json:"options"`
}

type requestOptions struct {
	SkipToken    string `json:"$skipToken,omitempty"`
	Top          int    `json:"$top,omitempty"`
	ResultFormat string `json:"resultFormat"`
}

// Response is Resource Graph's QueryResponse (objectArray format).
type Response struct {
	TotalRecords int64 `json:"totalRecords"`
	Count        int64 `json:"count"`
	// ResultTruncated is "true"/"false" as a string in the API's own
	// examples, a boolean elsewhere.
	ResultTruncated json.RawMessage  `json:"resultTruncated"`
	SkipToken       string           `json:"$skipToken"`
	Data            []map[string]any `json:"data"`
}

// Resource is one row describing a resource.
type Resource struct {
	ID, Name, Type, Location, ResourceGroup, Subscription string
	Tags                                                  map[string]string
}

// ParseRow reads one row; ok is false for rows that do not describe a
// resource (aggregates from a summarize, rows without an ARM id).
func ParseRow(row map[string]any) (Resource, bool) {
	s := func(k string) string { v, _ := row[k].(string); return v }
	r := Resource{ID: s("id"), Name: s("name"), Type: strings.ToLower(s("type")), Location: s("location"),
		ResourceGroup: s("resourceGroup"), Subscription: strings.ToLower(s("subscriptionId"))}
	p := strings.Split(r.ID, "/")
	if len(p) < 3 || p[0] != "" || !strings.EqualFold(p[1], "subscriptions") {
		return Resource{}, false
	}
	if r.Subscription == "" {
		r.Subscription = strings.ToLower(p[2])
	}
	for i := 3; i+1 < len(p); i++ {
		if r.ResourceGroup == "" && strings.EqualFold(p[i], "resourceGroups") {
			r.ResourceGroup = p[i+1]
		}
		// .../providers/Microsoft.Compute/virtualMachines/name[/sub/name]
		if r.Type == "" && strings.EqualFold(p[i], "providers") && i+2 < len(p) {
			parts := []string{p[i+1], p[i+2]}
			for j := i + 4; j < len(p); j += 2 {
				parts = append(parts, p[j])
			}
			r.Type = strings.ToLower(strings.Join(parts, "/"))
		}
	}
	if r.Name == "" {
		r.Name = p[len(p)-1]
	}
	if tags, ok := row["tags"].(map[string]any); ok && len(tags) > 0 {
		r.Tags = map[string]string{}
		for k, v := range tags {
			if sv, ok := v.(string); ok {
				r.Tags[k] = sv
			}
		}
	}
	return r, true
}

// computeTypes are the resource types an application runs on.
var computeTypes = map[string]bool{
	"microsoft.compute/virtualmachines": true, "microsoft.compute/virtualmachinescalesets": true,
	"microsoft.web/sites": true, "microsoft.containerservice/managedclusters": true,
	"microsoft.app/containerapps": true, "microsoft.containerinstance/containergroups": true,
	"microsoft.network/loadbalancers": true, "microsoft.network/applicationgateways": true,
}

// Run implements ingest.Source.
func (s *Source) Run(ctx context.Context, emit ingest.Emitter) error {
	c := &s.cfg
	var rows []Resource
	req := request{Subscriptions: c.Subscriptions, Query: Query, Options: requestOptions{Top: c.PageSize, ResultFormat: "objectArray"}}
	skipped := 0
	for page := 0; ; page++ {
		resp, err := s.query(ctx, req)
		if err != nil {
			if page == 0 {
				return err // nothing read: the run failed
			}
			// Part of the estate was read; the rest is missing: partial.
			emit.ItemError(c.Name+" resource graph page "+fmt.Sprint(page+1), err)
			break
		}
		for _, row := range resp.Data {
			r, ok := ParseRow(row)
			if !ok {
				skipped++
				continue
			}
			rows = append(rows, r)
		}
		if resp.SkipToken == "" {
			break
		}
		req.Options.SkipToken = resp.SkipToken
	}
	if skipped > 0 {
		c.Logger.Warn().Str("source", c.Name).Int("rows", skipped).Msg("resource graph rows without a resource id skipped")
	}
	// Accounts first (every configured subscription, and every one seen).
	subs := map[string]bool{}
	for _, sub := range c.Subscriptions {
		subs[strings.ToLower(sub)] = true
	}
	for _, r := range rows {
		subs[r.Subscription] = true
	}
	keys := make([]string, 0, len(subs))
	for k := range subs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, sub := range keys {
		registered := slices.ContainsFunc(c.Registered, func(x string) bool { return strings.EqualFold(x, sub) })
		if err := emit.Node(graph.NodeInput{Kind: graph.KindCloudAccount, Key: "azure:" + sub,
			Props: map[string]any{"provider": "azure", "registered": registered}, Evidence: "azure subscription " + sub}); err != nil {
			return err
		}
	}
	linker := &cloudtags.Linker{Rules: c.Tags, Resolve: c.Resolve, Provider: "azure", Note: cloudtags.Notes(emit, c.Logger, c.Name)}
	for _, r := range rows {
		props := map[string]any{"provider": "azure", "type": r.Type, "account": r.Subscription}
		if r.Location != "" {
			props["region"] = r.Location
		}
		labels := cloudtags.Labels(r.Tags)
		ref := graph.Ref{Kind: graph.KindCloudResource, Key: r.ID}
		ev := "azure resource graph " + r.ID
		if err := emit.Node(graph.NodeInput{Kind: ref.Kind, Key: ref.Key, Name: r.Name, Props: props, Labels: labels, Evidence: ev}); err != nil {
			return err
		}
		if err := emit.Edge(graph.EdgeInput{Type: graph.RelInAccount, From: ref,
			To: graph.Ref{Kind: graph.KindCloudAccount, Key: "azure:" + r.Subscription}, Evidence: ev}); err != nil {
			return err
		}
		if err := linker.Link(ctx, emit, ref, r.Tags, computeTypes[r.Type]); err != nil {
			return err
		}
	}
	return nil
}

// query runs one Resource Graph request. The token is sent, never logged.
func (s *Source) query(ctx context.Context, req request) (*Response, error) {
	body, _ := json.Marshal(req)
	token, err := s.cfg.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("azure token: %w", err)
	}
	u := strings.TrimSuffix(s.cfg.Endpoint, "/") + "/providers/Microsoft.ResourceGraph/resources?api-version=2021-03-01"
	for attempt := 0; ; attempt++ {
		hr, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("Authorization", "Bearer "+token)
		resp, err := s.cfg.Client.Do(hr)
		if err != nil {
			return nil, fmt.Errorf("azure resource graph: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("azure resource graph: %w", err)
		}
		// Resource Graph throttles per tenant: 429 with Retry-After.
		if resp.StatusCode == http.StatusTooManyRequests && attempt < 4 {
			wait := time.Duration(1<<attempt) * time.Second
			if d, err := time.ParseDuration(resp.Header.Get("Retry-After") + "s"); err == nil && d > 0 && d < time.Minute {
				wait = d
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
			continue
		}
		if resp.StatusCode != http.StatusOK {
			msg := string(data)
			if len(msg) > 300 {
				msg = msg[:300]
			}
			return nil, fmt.Errorf("azure resource graph: HTTP %d: %s", resp.StatusCode, strings.ReplaceAll(msg, token, "[REDACTED]"))
		}
		var out Response
		if err := json.Unmarshal(data, &out); err != nil {
			return nil, fmt.Errorf("azure resource graph: malformed response: %w", err)
		}
		return &out, nil
	}
}

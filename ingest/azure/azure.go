// Package azure is the Azure source: it lists every resource of the
// configured (or all visible) subscriptions through Azure Resource Graph and
// emits them as CloudResource nodes keyed by their ARM resource id, in a
// CloudAccount per subscription (azure:<subscription id>, named by its
// display name; empty subscriptions too). Tags become labels
// and, through ingest/cloudtags, links to known teams and applications.
// Each subscription is a scope of the sweep ("azure/<subscription id>",
// see Source.Run).
//
// It queries Resource Graph through the official SDK (armresourcegraph),
// which also handles throttling (429 with Retry-After) and transient
// failures, with any azcore.TokenCredential: the CLI uses
// azidentity.DefaultAzureCredential, or a static token.
package azure

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resourcegraph/armresourcegraph"
	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/cloudtags"
)

// DefaultEndpoint is Azure Resource Manager in the public cloud.
const DefaultEndpoint = "https://management.azure.com"

// Query is the Resource Graph query that lists the resources.
const Query = "Resources | project id, name, type, location, resourceGroup, subscriptionId, tags | order by id asc"

// SubscriptionsQuery lists the subscriptions themselves: their display
// names, and the subscriptions that hold no resource, which Query never
// mentions. Resource Graph has no creation time for a subscription.
const SubscriptionsQuery = "ResourceContainers | where type =~ 'microsoft.resources/subscriptions' | project id, name, subscriptionId | order by id asc"

// Config configures the Azure source.
type Config struct {
	// Name is the source name, default "azure:default".
	Name string `yaml:"name" json:"name"`
	// Subscriptions to read; empty means every subscription the identity sees.
	Subscriptions []string `yaml:"subscriptions" json:"subscriptions"`
	// Registered lists the subscription ids known to central IT (see
	// cloudtags.AccountProps).
	Registered []string `yaml:"registered" json:"registered"`
	// Endpoint is Resource Manager's URL (default DefaultEndpoint).
	Endpoint string `yaml:"endpoint" json:"endpoint"`
	// PageSize is the rows asked per request (default 1000, Resource Graph's maximum).
	PageSize int `yaml:"pageSize" json:"pageSize"`
	// MaxRetries is how often a throttled or failed request is retried
	// (default 3; negative: never).
	MaxRetries int             `yaml:"maxRetries" json:"maxRetries"`
	Tags       cloudtags.Rules `yaml:"tags" json:"tags"`

	// Credential gets Resource Manager tokens; nil means
	// EnvironmentCredential.
	Credential azcore.TokenCredential `yaml:"-" json:"-"`
	Resolve    cloudtags.Resolver     `yaml:"-" json:"-"`
	// Client, if set, sends the requests (tests: an httptest TLS server's client).
	Client *http.Client   `yaml:"-" json:"-"`
	Logger zerolog.Logger `yaml:"-" json:"-"`
}

// StaticToken is a credential that always returns one bearer token, e.g.
// the output of `az account get-access-token`.
type StaticToken string

// EnvironmentCredential is the bearer token in AZURE_ACCESS_TOKEN (e.g.
// from `az account get-access-token`), else Azure's default credential
// chain: environment (AZURE_CLIENT_ID with a secret or certificate),
// workload identity, managed identity, az and azd logins.
func EnvironmentCredential() (azcore.TokenCredential, error) {
	if tok := os.Getenv("AZURE_ACCESS_TOKEN"); tok != "" {
		return StaticToken(tok), nil
	}
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, fmt.Errorf("azure credential: %w", err)
	}
	return cred, nil
}

// GetToken implements azcore.TokenCredential.
func (t StaticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(t), ExpiresOn: time.Now().Add(time.Hour)}, nil
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
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 3
	}
	var errs []error
	// The SDK sends credentials over https only.
	if u, err := url.Parse(cfg.Endpoint); err != nil || u.Scheme != "https" || u.Host == "" {
		errs = append(errs, fmt.Errorf("endpoint %q is not an https URL", cfg.Endpoint))
	}
	for _, s := range append(slices.Clone(cfg.Subscriptions), cfg.Registered...) {
		if !subscriptionRE.MatchString(s) {
			errs = append(errs, fmt.Errorf("subscription %q is not a subscription id (a GUID)", s))
		}
	}
	if cfg.Credential == nil {
		cred, err := EnvironmentCredential()
		if err != nil {
			errs = append(errs, err)
		}
		cfg.Credential = cred
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
//
// Each subscription is a scope ("azure/<subscription id>"): what it holds
// is asserted in it, so that a subscription that cannot be read keeps its
// data while the others are swept. A failure is scoped only where it can
// be told to which subscription it belongs. Resource Graph answers a query
// over several subscriptions as one result set whose pages mix them, and
// leaves out, without an error, subscriptions the identity cannot read; so
// configured subscriptions are queried one at a time, each failure scoped
// to its subscription, while without a configured list the one query over
// every visible subscription holds the whole sweep when a page fails.
func (s *Source) Run(ctx context.Context, emit ingest.Emitter) error {
	c := &s.cfg
	client, err := s.client()
	if err != nil {
		return err
	}
	// A part is one query: a configured subscription, or all of them.
	type part struct {
		subs []string
		emit ingest.Emitter
		err  error
	}
	parts := []part{{emit: emit}}
	if len(c.Subscriptions) > 0 {
		parts = parts[:0]
		for _, sub := range c.Subscriptions {
			parts = append(parts, part{subs: []string{sub}, emit: ingest.Scoped(emit, subscriptionScope(sub))})
		}
	}
	var rows []Resource
	skipped, read := 0, false
	for i := range parts {
		p := &parts[i]
		pages, err := s.query(ctx, client, Query, p.subs, func(row map[string]any) {
			if r, ok := ParseRow(row); ok {
				rows = append(rows, r)
			} else {
				skipped++
			}
		})
		read = read || pages > 0
		if err != nil && len(p.subs) > 0 {
			err = fmt.Errorf("subscription %s: %w", p.subs[0], err)
		}
		p.err = err
	}
	var failed []error
	for _, p := range parts {
		if p.err != nil && read {
			// Part of the estate was read; the rest is missing: partial.
			p.emit.ItemError(c.Name+" resource graph", p.err)
		}
		failed = append(failed, p.err)
	}
	if !read {
		return errors.Join(failed...) // nothing read: the run failed
	}
	if skipped > 0 {
		c.Logger.Warn().Str("source", c.Name).Int("rows", skipped).Msg("resource graph rows without a resource id skipped")
	}
	// Accounts first: every configured subscription, every one listed and
	// every one a resource is in.
	names := map[string]string{}
	for _, sub := range c.Subscriptions {
		names[strings.ToLower(sub)] = ""
	}
	for _, r := range rows {
		names[r.Subscription] = ""
	}
	if _, err := s.query(ctx, client, SubscriptionsQuery, c.Subscriptions, func(row map[string]any) {
		if sub, name, ok := parseSubscription(row); ok {
			names[sub] = name
		}
	}); err != nil {
		item := c.Name + " resource graph subscriptions"
		if len(c.Subscriptions) > 0 {
			// Only display names are missing (a stored name stays).
			ingest.Warn(emit, item, err)
		} else {
			// Subscriptions without resources are missing: the sweep
			// would remove them.
			emit.ItemError(item, err)
		}
	}
	for _, sub := range slices.Sorted(maps.Keys(names)) {
		if err := ingest.Scoped(emit, subscriptionScope(sub)).Node(graph.NodeInput{Kind: graph.KindCloudAccount, Key: "azure:" + sub, Name: names[sub],
			Props: cloudtags.AccountProps("azure", c.Registered, sub), Evidence: "azure subscription " + sub}); err != nil {
			return err
		}
	}
	linker := &cloudtags.Linker{Rules: c.Tags, Resolve: c.Resolve, Provider: "azure", Note: cloudtags.Notes(emit, c.Logger, c.Name)}
	for _, r := range rows {
		emit := ingest.Scoped(emit, subscriptionScope(r.Subscription))
		props := map[string]any{"provider": "azure", "type": r.Type, "account": r.Subscription}
		if r.Location != "" {
			props["region"] = r.Location
		}
		labels := linker.Labels(ctx, r.Tags)
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

// subscriptionScope is the scope of what a subscription holds.
func subscriptionScope(sub string) string { return "azure/" + strings.ToLower(sub) }

// query runs q over subs (nil: every subscription the identity sees),
// page after page, and hands each row to row; pages is how many pages
// were read. A result Resource Graph truncated without a $skipToken to
// go on with is an error: the rows it left out would be swept.
func (s *Source) query(ctx context.Context, client *armresourcegraph.Client, q string, subs []string, row func(map[string]any)) (pages int, err error) {
	c := &s.cfg
	req := armresourcegraph.QueryRequest{Query: to(q), Options: &armresourcegraph.QueryRequestOptions{
		Top: to(int32(c.PageSize)), ResultFormat: to(armresourcegraph.ResultFormatObjectArray)}}
	for _, sub := range subs {
		req.Subscriptions = append(req.Subscriptions, to(sub))
	}
	for ; ; pages++ {
		resp, err := client.Resources(ctx, req, nil)
		if err != nil {
			return pages, fmt.Errorf("page %d: %w", pages+1, describeError(err))
		}
		data, _ := resp.Data.([]any)
		for _, d := range data {
			r, _ := d.(map[string]any)
			row(r)
		}
		if resp.SkipToken == nil || *resp.SkipToken == "" {
			if resp.ResultTruncated != nil && *resp.ResultTruncated == armresourcegraph.ResultTruncatedTrue {
				return pages + 1, fmt.Errorf("page %d: azure resource graph: result truncated, no $skipToken to read the rest", pages+1)
			}
			return pages + 1, nil
		}
		req.Options.SkipToken = resp.SkipToken
	}
}

// parseSubscription reads a SubscriptionsQuery row: the subscription id
// (lower case, as ParseRow gives it) and its display name.
func parseSubscription(row map[string]any) (sub, name string, ok bool) {
	id, _ := row["id"].(string)
	name, _ = row["name"].(string)
	p := strings.Split(id, "/")
	if len(p) != 3 || p[0] != "" || !strings.EqualFold(p[1], "subscriptions") || !subscriptionRE.MatchString(p[2]) {
		return "", "", false
	}
	return strings.ToLower(p[2]), name, true
}

func to[T any](v T) *T { return &v }

// client is a Resource Graph client for the configured endpoint.
func (s *Source) client() (*armresourcegraph.Client, error) {
	c := &s.cfg
	opts := &arm.ClientOptions{ClientOptions: policy.ClientOptions{
		Cloud: cloud.Configuration{Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Endpoint: c.Endpoint, Audience: audience(c.Endpoint)},
		}},
		Retry: policy.RetryOptions{MaxRetries: int32(c.MaxRetries)},
	}}
	if c.Client != nil {
		opts.Transport = c.Client
	}
	cl, err := armresourcegraph.NewClient(c.Credential, opts)
	if err != nil {
		return nil, fmt.Errorf("azure resource graph client: %w", err)
	}
	return cl, nil
}

// audience is the token audience for a Resource Manager endpoint: the
// known clouds' own (public, China, US Government), else the endpoint
// itself (Azure Stack names its audience by its endpoint).
func audience(endpoint string) string {
	for _, c := range []cloud.Configuration{cloud.AzurePublic, cloud.AzureChina, cloud.AzureGovernment} {
		rm := c.Services[cloud.ResourceManager]
		if strings.TrimSuffix(rm.Endpoint, "/") == strings.TrimSuffix(endpoint, "/") {
			return rm.Audience
		}
	}
	return endpoint
}

// describeError turns an SDK error into one line naming the status and
// Azure's error code; the response body (which could echo a request
// header) is left out.
func describeError(err error) error {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		msg := fmt.Sprintf("azure resource graph: HTTP %d", re.StatusCode)
		if re.ErrorCode != "" {
			msg += " " + re.ErrorCode
		}
		return errors.New(msg)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") {
		// azidentity lists every credential it tried, one per line.
		return errors.New("azure resource graph: " + strings.Join(strings.Fields(msg), " "))
	}
	return fmt.Errorf("azure resource graph: %w", err)
}

// Package aws is the AWS source: it lists the accounts it can reach (the
// caller's, member accounts entered by assume-role, optionally every account
// AWS Organizations lists) and, in each, the resources of every enabled or
// configured region, and emits them as CloudAccount and CloudResource nodes
// with IN_ACCOUNT relationships. Resource tags become labels and, through
// ingest/cloudtags, relationships to the teams, applications and
// repositories the CMDB already knows.
//
// Inventory is the Resource Groups Tagging API (GetResources) plus the
// service APIs for what it misses or for details (names, creation times,
// host names): EC2, S3, Lambda, ECS, EKS, RDS, DynamoDB, SQS, SNS, ELBv2 and
// IAM. A failure in one account, region or service is an item error for that
// scope: the run is partial and nothing is swept, so what was read before is
// kept.
//
// Credentials come from the default chain (or a named profile) and are never
// logged or emitted; error messages are scrubbed of any credential value.
package aws

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
	awsarn "github.com/estate-cmdb/estate/ingest/aws/arn"
	"github.com/estate-cmdb/estate/ingest/cloudtags"
)

// Services the source can inventory, in the order they are read.
var Services = []string{"tagging", "ec2", "s3", "lambda", "ecs", "eks", "rds", "dynamodb", "sqs", "sns", "elbv2", "iam"}

// Config configures the AWS source. Defaults first (see New), then checks.
type Config struct {
	// Name is the source's name and provenance, default "aws:" + Profile,
	// or "aws:default".
	Name string `yaml:"name" json:"name"`
	// Regions to read; empty means every region enabled for the account.
	Regions []string `yaml:"regions" json:"regions"`
	// Endpoint overrides the AWS endpoint of every service (an emulator,
	// a VPC endpoint proxy). S3 then uses path-style addressing.
	Endpoint string `yaml:"endpoint" json:"endpoint"`
	// Profile is a named profile of the shared AWS config; empty means the
	// default credential chain.
	Profile string `yaml:"profile" json:"profile"`
	// AssumeRoles are role ARNs in member accounts to read as well.
	AssumeRoles []string `yaml:"assumeRoles" json:"assumeRoles"`
	// Organization lists the accounts of the caller's AWS Organization and
	// enters each through OrganizationRole.
	Organization     bool   `yaml:"organization" json:"organization"`
	OrganizationRole string `yaml:"organizationRole" json:"organizationRole"`
	// Registered lists the account ids known to central IT; every other
	// account found is discovered-only (Shadow DevOps). Without a list the
	// source says nothing of registration (cloudtags.AccountProps), and an
	// account is registered only through the API.
	Registered []string `yaml:"registered" json:"registered"`
	// Environments optionally names each account's environment by id.
	Environments map[string]string `yaml:"environments" json:"environments"`
	// Services restricts the inventory to some of Services; empty means all.
	Services []string `yaml:"services" json:"services"`
	// Tags says which tags name teams, applications and repositories.
	Tags cloudtags.Rules `yaml:"tags" json:"tags"`
	// MaxAttempts is how often a throttled or failed call is tried (the
	// SDK's standard retryer with exponential backoff; default 5).
	MaxAttempts int `yaml:"maxAttempts" json:"maxAttempts"`
	// Concurrency is how many regions are read at once (default 4).
	Concurrency int `yaml:"concurrency" json:"concurrency"`

	// Resolve looks names from tags up in the CMDB; nil links nothing.
	Resolve cloudtags.Resolver `yaml:"-" json:"-"`
	// Credentials, if set, replaces the default chain (tests, embedding).
	Credentials aws.CredentialsProvider `yaml:"-" json:"-"`
	Logger      zerolog.Logger          `yaml:"-" json:"-"`

	// endpointFor, in tests, overrides the endpoint of one region.
	endpointFor func(region string) string
}

var (
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)
	accountRE = regexp.MustCompile(`^\d{12}$`)
	roleARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/.+$`)
)

func (c *Config) defaults() {
	if c.Name == "" {
		c.Name = "aws:default"
		if c.Profile != "" {
			c.Name = "aws:" + c.Profile
		}
	}
	if c.OrganizationRole == "" {
		c.OrganizationRole = "OrganizationAccountAccessRole"
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if len(c.Services) == 0 {
		c.Services = Services
	}
}

// Validate checks a configuration with defaults applied.
func (c *Config) Validate() error {
	var errs []error
	for _, r := range c.Regions {
		if !regionRE.MatchString(r) {
			errs = append(errs, fmt.Errorf("region %q is not an AWS region name (like eu-west-1)", r))
		}
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("endpoint %q is not an http(s) URL", c.Endpoint))
		}
	}
	for _, a := range c.AssumeRoles {
		if !roleARNRE.MatchString(a) {
			errs = append(errs, fmt.Errorf("assume-role %q is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)", a))
		}
	}
	for _, id := range c.Registered {
		if !accountRE.MatchString(id) {
			errs = append(errs, fmt.Errorf("registered account %q is not a 12-digit account id", id))
		}
	}
	for id := range c.Environments {
		if !accountRE.MatchString(id) {
			errs = append(errs, fmt.Errorf("environment for %q: not a 12-digit account id", id))
		}
	}
	for _, s := range c.Services {
		if !slices.Contains(Services, s) {
			errs = append(errs, fmt.Errorf("unknown service %q (known: %s)", s, strings.Join(Services, ", ")))
		}
	}
	if c.MaxAttempts > 20 {
		errs = append(errs, fmt.Errorf("max attempts %d is over 20", c.MaxAttempts))
	}
	if err := c.Tags.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Source is the AWS source.
type Source struct {
	cfg Config
}

// New returns a source for cfg, or the configuration's problems.
func New(cfg Config) (*Source, error) {
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("aws source: %w", err)
	}
	return &Source{cfg: cfg}, nil
}

// Name implements ingest.Source.
func (s *Source) Name() string { return s.cfg.Name }

// account is one account to read.
type account struct {
	id, name string
	cfg      aws.Config
	// err is set when the account cannot be entered.
	err error
}

// Run implements ingest.Source.
func (s *Source) Run(ctx context.Context, emit ingest.Emitter) error {
	c := &s.cfg
	log := c.Logger.With().Str("source", c.Name).Logger()
	home := "us-east-1"
	if len(c.Regions) > 0 {
		home = c.Regions[0]
	}
	base, err := s.loadConfig(ctx, home)
	if err != nil {
		return fmt.Errorf("aws: load configuration: %w", err)
	}
	r := &run{src: s, emit: emit, log: log, scrub: &scrubber{}}
	r.scrub.add(ctx, base.Credentials)
	id, err := sts.NewFromConfig(base).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		// Without the caller's own identity nothing can be read: the run failed.
		return fmt.Errorf("aws: who am I (sts GetCallerIdentity): %w", r.scrub.err(err))
	}
	accounts := []*account{{id: aws.ToString(id.Account), cfg: base}}
	if c.Organization {
		accounts = append(accounts, r.orgAccounts(ctx, base, accounts[0].id)...)
	}
	for _, arn := range c.AssumeRoles {
		acct := roleARNRE.FindStringSubmatch(arn)[1]
		if slices.ContainsFunc(accounts, func(a *account) bool { return a.id == acct }) {
			continue
		}
		accounts = append(accounts, r.assume(ctx, base, acct, arn))
	}
	for _, a := range accounts {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.account(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

func (s *Source) loadConfig(ctx context.Context, region string) (aws.Config, error) {
	c := &s.cfg
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithRetryMaxAttempts(c.MaxAttempts),
		config.WithRetryMode(aws.RetryModeStandard),
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	if c.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(c.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, err
	}
	if c.Endpoint != "" {
		// Set on the aws.Config rather than through config.WithBaseEndpoint:
		// a load option would win over the per-region override of tests.
		cfg.BaseEndpoint = aws.String(c.Endpoint)
	}
	return cfg, nil
}

// regionConfig is base pointed at one region (and, in tests, at that
// region's endpoint).
func (s *Source) regionConfig(base aws.Config, region string) aws.Config {
	rc := base.Copy()
	rc.Region = region
	if s.cfg.endpointFor != nil {
		if ep := s.cfg.endpointFor(region); ep != "" {
			rc.BaseEndpoint = aws.String(ep)
		}
	}
	return rc
}

type run struct {
	src   *Source
	emit  ingest.Emitter
	log   zerolog.Logger
	scrub *scrubber
}

// itemError records a problem with item, in the scope (graph/scope.go) of
// what it holds back from the sweep: an account ("aws/ID"), one of its
// regions ("aws/ID/REGION"), or "" for the whole source.
func (r *run) itemError(in, item string, err error) {
	ingest.Scoped(r.emit, in).ItemError(item, r.scrub.err(err))
}

// accountScope and regionScope are the scopes of what an account, or one
// of its regions, holds.
func accountScope(account string) string        { return "aws/" + account }
func regionScope(account, region string) string { return accountScope(account) + "/" + region }

// resourceScope is the scope a resource is asserted in: its region's, or
// its account's for a global one.
func resourceScope(res *resource) string {
	if res.region == "" {
		return accountScope(res.account)
	}
	return regionScope(res.account, res.region)
}

// orgAccounts lists the organization's active accounts other than the caller's.
func (r *run) orgAccounts(ctx context.Context, base aws.Config, self string) []*account {
	var out []*account
	p := organizations.NewListAccountsPaginator(organizations.NewFromConfig(base), &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			// Which accounts went unread is unknown: the whole sweep is held.
			r.itemError("", r.src.cfg.Name+" organization", fmt.Errorf("list accounts: %w", err))
			return out
		}
		for _, a := range page.Accounts {
			id := aws.ToString(a.Id)
			if id == self {
				continue
			}
			if a.State != "" && a.State != orgtypes.AccountStateActive {
				continue
			}
			arn := fmt.Sprintf("arn:aws:iam::%s:role/%s", id, r.src.cfg.OrganizationRole)
			acct := r.assume(ctx, base, id, arn)
			acct.name = aws.ToString(a.Name)
			out = append(out, acct)
		}
	}
	return out
}

// assume enters an account through a role.
func (r *run) assume(ctx context.Context, base aws.Config, id, roleARN string) *account {
	cfg := base.Copy()
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), roleARN,
		func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "estate-ingest" }))
	a := &account{id: id, cfg: cfg}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		a.err = fmt.Errorf("assume role %s: %w", roleARN, err)
		return a
	}
	r.scrub.add(ctx, cfg.Credentials)
	return a
}

// account reads one account and emits it with everything in it.
func (r *run) account(ctx context.Context, a *account) error {
	c := &r.src.cfg
	key := "aws:" + a.id
	scope := c.Name + " account " + a.id
	log := r.log.With().Str("account", a.id).Logger()
	props := cloudtags.AccountProps("aws", c.Registered, a.id)
	if env := c.Environments[a.id]; env != "" {
		props["environment"] = env
	}
	emit := ingest.Scoped(r.emit, accountScope(a.id))
	// An account that cannot be read still exists (it was configured or
	// listed): say so, read nothing.
	node := graph.NodeInput{Kind: graph.KindCloudAccount, Key: key, Name: a.name, Props: props, Evidence: "aws account " + a.id}
	if a.err != nil {
		r.itemError(accountScope(a.id), scope, a.err)
		return emit.Node(node)
	}
	regions := c.Regions
	if len(regions) == 0 {
		var err error
		if regions, err = enabledRegions(ctx, a.cfg); err != nil {
			r.itemError(accountScope(a.id), scope, fmt.Errorf("list enabled regions: %w", err))
			return emit.Node(node)
		}
	}

	inv := newInventory(a.id)
	started := time.Now()
	// Global services (S3's bucket list, IAM) once per account.
	global := r.src.regionConfig(a.cfg, regions[0])
	if name := r.collectGlobal(ctx, global, a.id, inv, regions); a.name == "" {
		a.name = name
	}
	// Regions concurrently; results merge into inv under its lock.
	sem := make(chan struct{}, c.Concurrency)
	var wg sync.WaitGroup
	for _, region := range regions {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r.collectRegion(ctx, r.src.regionConfig(a.cfg, region), a.id, region, inv)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, e := range inv.errs {
		r.itemError(e.in, e.scope, e.err)
	}
	log.Debug().Int("resources", len(inv.byARN)).Int("regions", len(regions)).Dur("took", time.Since(started)).Msg("aws account read")

	node.Name = a.name
	if err := emit.Node(node); err != nil {
		return err
	}
	linker := &cloudtags.Linker{Rules: c.Tags, Resolve: c.Resolve, Provider: "aws", Note: cloudtags.Notes(r.emit, r.log, c.Name)}
	for _, res := range inv.sorted() {
		if err := emitResource(ctx, ingest.Scoped(r.emit, resourceScope(res)), linker, key, res); err != nil {
			return err
		}
	}
	return nil
}

// enabledRegions lists the regions enabled for the account cfg is in. Each
// account asks for itself: opt-in regions differ between accounts, and a
// region only the caller enabled fails in a member that did not.
func enabledRegions(ctx context.Context, cfg aws.Config) ([]string, error) {
	out, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return nil, err
	}
	var regions []string
	for _, reg := range out.Regions {
		regions = append(regions, aws.ToString(reg.RegionName))
	}
	if len(regions) == 0 {
		return nil, errors.New("DescribeRegions returned no region")
	}
	sort.Strings(regions)
	return regions, nil
}

// emitResource emits one resource, its account link and its tag links.
func emitResource(ctx context.Context, emit ingest.Emitter, linker *cloudtags.Linker, accountKey string, res *resource) error {
	props := map[string]any{"provider": "aws", "type": res.typ, "account": res.account}
	if res.region != "" {
		props["region"] = res.region
	}
	if !res.created.IsZero() {
		props["createdAt"] = res.created.UTC()
	}
	// The service desk meets a resource by its host names (an RDS
	// endpoint, an instance's or a load balancer's DNS name) and an
	// instance by its id and IP addresses, in alerts, error messages and
	// consoles: aliases, so that whoOwns finds it by them. An address
	// other instances had or share (another VPC) makes the lookup
	// ambiguous, never a guess.
	aliases := slices.Concat(res.hostnames, res.addresses)
	if len(res.hostnames) > 0 {
		h := slices.Clone(res.hostnames)
		slices.Sort(h)
		props["hostnames"] = slices.Compact(h)
	}
	if res.typ == "AWS::EC2::Instance" {
		aliases = append(aliases, awsarn.Name(res.arn))
	}
	slices.Sort(aliases)
	aliases = slices.Compact(aliases)
	name := res.name
	if n := res.tags["Name"]; n != "" {
		name = n
	}
	ref := graph.Ref{Kind: graph.KindCloudResource, Key: res.arn}
	if err := emit.Node(graph.NodeInput{Kind: ref.Kind, Key: ref.Key, Name: name, Props: props, Aliases: aliases,
		Labels: linker.Labels(ctx, res.tags), Evidence: res.evidence}); err != nil {
		return err
	}
	if err := emit.Edge(graph.EdgeInput{Type: graph.RelInAccount, From: ref,
		To: graph.Ref{Kind: graph.KindCloudAccount, Key: accountKey}, Evidence: res.evidence}); err != nil {
		return err
	}
	return linker.Link(ctx, emit, ref, res.tags, awsarn.ComputeTypes[res.typ])
}

// scrubber removes credential values from error messages. The SDK does not
// put secrets in its errors, but a server's error text may echo an access
// key id; this makes sure none reaches a log, a report or the graph.
type scrubber struct {
	mu      sync.Mutex
	secrets []string
}

func (s *scrubber) add(ctx context.Context, p aws.CredentialsProvider) {
	if p == nil {
		return
	}
	creds, err := p.Retrieve(ctx)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range []string{creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken} {
		if len(v) >= 8 && !slices.Contains(s.secrets, v) {
			s.secrets = append(s.secrets, v)
		}
	}
}

func (s *scrubber) err(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	s.mu.Lock()
	defer s.mu.Unlock()
	clean := msg
	for _, v := range s.secrets {
		clean = strings.ReplaceAll(clean, v, "[REDACTED]")
	}
	if clean == msg {
		return err
	}
	return errors.New(clean)
}

// SetResolver sets how names from tags are looked up in the CMDB (the CLI
// wires it to the store the run writes to).
func (s *Source) SetResolver(r cloudtags.Resolver) { s.cfg.Resolve = r }

// Package terraform is the Terraform state source: it reads state files
// (format version 4; a file, a directory of them, or objects in an S3
// backend, read with the default AWS credential chain) and emits every managed
// resource as a CloudResource keyed like the cloud sources key it (the ARN
// for AWS, the resource id for Azure and Google; see describe for resources
// without one), in its CloudAccount, with its Terraform address and type. When
// the state belongs to a repository — given, or for a state in S3 the one
// whose backend block names it, as a git ingest recorded it
// (graph.TerraformStateAlias) — the repository DEFINES each resource: the
// infrastructure-as-code link between code and cloud.
//
// Only a few attributes are read (id, arn, name, region/location, tags,
// tags_all, labels); nothing else in a state — where secrets live — is ever
// copied.
package terraform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
	awsarn "github.com/estate-cmdb/estate/ingest/aws/arn"
	"github.com/estate-cmdb/estate/ingest/cloudtags"
)

// Config configures the Terraform source.
type Config struct {
	// Name names the source ("terraform:" + Name); default the repository,
	// else the first path's base name.
	Name string `yaml:"name" json:"name"`
	// Paths are state files, directories searched for *.tfstate files
	// (not descending into .terraform or .git), or S3 locations
	// (s3://bucket/key-or-prefix: see S3Config and Source.s3States).
	Paths []string `yaml:"paths" json:"paths"`
	// S3 says how s3:// paths are read.
	S3 S3Config `yaml:"s3" json:"s3"`
	// Repository, when set, is the repository the state belongs to, e.g.
	// github.com/acme/infra: it DEFINES every resource in the state. When
	// it is not, a state read from S3 belongs to the repository whose
	// backend block names its location, if a git ingest recorded one.
	Repository string `yaml:"repository" json:"repository"`
	// MaxFileSize is the largest state file read (default 256 MiB).
	MaxFileSize int64 `yaml:"maxFileSize" json:"maxFileSize"`
	// Tags says which tags name teams, applications and repositories.
	Tags cloudtags.Rules `yaml:"tags" json:"tags"`
	// Resolve looks names up in the CMDB; nil links nothing by tag (and the
	// repository is taken as given).
	Resolve cloudtags.Resolver `yaml:"-" json:"-"`
	Logger  zerolog.Logger     `yaml:"-" json:"-"`
}

// Source is the Terraform state source.
type Source struct{ cfg Config }

// New returns a source for cfg, or the configuration's problems.
func New(cfg Config) (*Source, error) {
	cfg.Repository = normalizeRepo(cfg.Repository)
	if cfg.MaxFileSize <= 0 {
		cfg.MaxFileSize = MaxStateSize
	}
	if cfg.Name == "" {
		switch {
		case cfg.Repository != "":
			cfg.Name = cfg.Repository
		case len(cfg.Paths) > 0:
			cfg.Name = filepath.Base(filepath.Clean(cfg.Paths[0]))
		}
	}
	var errs []error
	if len(cfg.Paths) == 0 {
		errs = append(errs, errors.New("no state file or directory given"))
	}
	for _, p := range cfg.Paths {
		if strings.TrimSpace(p) == "" {
			errs = append(errs, errors.New("empty path"))
		}
		if isS3(p) {
			if _, err := parseS3(p); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if e := cfg.S3.Endpoint; e != "" {
		if u, err := url.Parse(e); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("S3 endpoint %q is not an http(s) URL", e))
		}
	}
	if err := cfg.Tags.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("terraform source: %w", err)
	}
	return &Source{cfg: cfg}, nil
}

// Name implements ingest.Source.
func (s *Source) Name() string { return "terraform:" + s.cfg.Name }

// normalizeRepo turns https://github.com/acme/infra.git into github.com/acme/infra.
func normalizeRepo(r string) string {
	r = strings.TrimSpace(r)
	for _, p := range []string{"https://", "http://", "ssh://", "git@"} {
		r = strings.TrimPrefix(r, p)
	}
	r = strings.TrimSuffix(strings.TrimSuffix(r, "/"), ".git")
	if i := strings.Index(r, ":"); i > 0 && !strings.Contains(r[:i], "/") {
		r = r[:i] + "/" + r[i+1:]
	}
	return r
}

// utility providers manage no cloud resource.
var utility = map[string]bool{
	"random": true, "null": true, "local": true, "tls": true, "template": true, "time": true,
	"archive": true, "external": true, "http": true, "terraform": true, "cloudinit": true,
}

// Files returns the state files the paths name, sorted. A path that does
// not exist is an error.
func Files(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && (d.Name() == ".terraform" || d.Name() == ".git" || d.Name() == "node_modules") {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(d.Name(), ".tfstate") {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// location is one state to read: a local file or an S3 object.
type location struct {
	name string // the path, or s3://bucket/key
	// backend is where a backend block would say the state is (an S3
	// object's location without its workspace prefix); "" for files.
	backend string
	read    func(context.Context) ([]byte, error)
}

// locations lists the states the paths name. A path that does not exist,
// a bucket that does not exist and an S3 location holding no state are
// errors: the run reads nothing.
func (s *Source) locations(ctx context.Context) ([]location, error) {
	var local []string
	var out []location
	for _, p := range s.cfg.Paths {
		if !isS3(p) {
			local = append(local, p)
			continue
		}
		loc, err := parseS3(p)
		if err != nil {
			return nil, err
		}
		objs, err := s.s3States(ctx, loc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if len(objs) == 0 {
			return nil, fmt.Errorf("%s: no state object (neither that key nor *.tfstate under it)", p)
		}
		out = append(out, objs...)
	}
	if len(local) == 0 {
		return out, nil
	}
	files, err := Files(local)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.tfstate file under %s", strings.Join(local, ", "))
	}
	for _, f := range files {
		out = append(out, location{name: f, read: func(context.Context) ([]byte, error) {
			fh, err := os.Open(f)
			if err != nil {
				return nil, err
			}
			defer fh.Close()
			return s.readLimited(fh)
		}})
	}
	return out, nil
}

// Run implements ingest.Source.
func (s *Source) Run(ctx context.Context, emit ingest.Emitter) error {
	locs, err := s.locations(ctx)
	if err != nil {
		return fmt.Errorf("terraform: %w", err)
	}
	var repo *graph.Ref
	if s.cfg.Repository != "" {
		r := graph.Ref{Kind: graph.KindRepository, Key: s.cfg.Repository}
		if s.cfg.Resolve != nil {
			if key, ok := s.cfg.Resolve(ctx, s.cfg.Repository, graph.KindRepository); ok {
				r.Key = key
			}
		}
		// The user said the state belongs to this repository: assert it.
		if err := emit.Node(graph.NodeInput{Kind: r.Kind, Key: r.Key, Evidence: "terraform source configuration"}); err != nil {
			return err
		}
		repo = &r
	}
	e := &emitState{src: s, emit: emit, repo: repo, linkers: map[string]*cloudtags.Linker{}, accounts: map[string]bool{}}
	for _, loc := range locs {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Each state file is a scope: one that cannot be read keeps what it
		// said before and the others are swept. Accounts are asserted in
		// every state naming them, so that one failing keeps them.
		e.emit, e.accounts = ingest.Scoped(emit, graph.PathScope("state", loc.name)), map[string]bool{}
		data, err := loc.read(ctx)
		if err != nil {
			e.emit.ItemError(loc.name, err)
			continue
		}
		st, err := ParseState(data)
		if err != nil {
			e.emit.ItemError(loc.name, err)
			continue
		}
		repo := e.repo
		if repo == nil {
			repo = s.backendRepo(ctx, loc)
		}
		if err := e.state(ctx, loc.name, st, repo); err != nil {
			return err
		}
	}
	return nil
}

// backendRepo is the repository whose backend block names the state's
// location, as the git ingests record it (graph.TerraformStateAlias on the
// repository): nil when none, or several, do — or nothing is resolved.
func (s *Source) backendRepo(ctx context.Context, loc location) *graph.Ref {
	if loc.backend == "" || s.cfg.Resolve == nil {
		return nil
	}
	key, ok := s.cfg.Resolve(ctx, graph.TerraformStateAlias(loc.backend), graph.KindRepository)
	if !ok {
		return nil
	}
	return &graph.Ref{Kind: graph.KindRepository, Key: key}
}

// readLimited reads a whole state, refusing one over MaxFileSize.
func (s *Source) readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, s.cfg.MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > s.cfg.MaxFileSize {
		return nil, fmt.Errorf("state file is over the limit of %d bytes", s.cfg.MaxFileSize)
	}
	return data, nil
}

type emitState struct {
	src      *Source
	emit     ingest.Emitter
	repo     *graph.Ref
	linkers  map[string]*cloudtags.Linker
	accounts map[string]bool
}

// cloud is how one instance appears in the CMDB.
type cloud struct {
	key, provider, typ, region, account, name string
}

// arnOf is an AWS instance's ARN: its arn attribute, or its id when that
// is one (aws_ecs_service, for one, has no arn attribute).
func arnOf(in Instance) string {
	if awsarn.Valid(in.ARN) {
		return in.ARN
	}
	if in.Provider == "aws" && awsarn.Valid(in.ID) {
		return in.ID
	}
	return ""
}

// stateAccounts returns, per provider configuration of an AWS provider,
// the one account its ARNs name; a configuration whose ARNs name several
// accounts (or none) is left out: its other resources get no account.
func stateAccounts(st *State) map[string]string {
	seen := map[string]map[string]bool{}
	for _, in := range st.Instances {
		if a := awsarn.Account(arnOf(in)); a != "" {
			if seen[in.ProviderConfig] == nil {
				seen[in.ProviderConfig] = map[string]bool{}
			}
			seen[in.ProviderConfig]["aws:"+a] = true
		}
	}
	out := map[string]string{}
	for pc, accts := range seen {
		if len(accts) == 1 {
			for a := range accts {
				out[pc] = a
			}
		}
	}
	return out
}

// describe keys an instance like the cloud sources do: by ARN for AWS, by
// resource id for Azure and Google. An instance without such an id (an
// S3 bucket's encryption configuration, a security group rule, a
// Kubernetes namespace) has only its type and id, which other types
// share (aws_s3_bucket_public_access_block's id is the bucket name): it is
// keyed ACCOUNT/TYPE/ID, or, when its account is not known,
// terraform:LINEAGE/TYPE/ID — unique to its state. account is the account
// of the instance's provider configuration, when the state says
// (stateAccounts).
func describe(in Instance, account, lineage string) (cloud, bool) {
	c := cloud{name: in.Name, region: in.Region, provider: in.Provider, typ: in.Type}
	if c.name == "" {
		c.name = in.Tags["Name"]
	}
	if c.name == "" {
		c.name = in.Address[strings.LastIndex(in.Address, ".")+1:]
	}
	if in.ID == "" && arnOf(in) == "" {
		return c, false
	}
	switch in.Provider {
	case "aws":
		c.account = account
		if arn := arnOf(in); arn != "" {
			c.key, c.typ = arn, awsarn.Type(arn)
			if r := awsarn.Region(arn); r != "" {
				c.region = r
			}
			if a := awsarn.Account(arn); a != "" {
				c.account = "aws:" + a
			}
		}
	case "azurerm", "azapi":
		c.provider, c.key = "azure", in.ID
		if p := strings.Split(in.ID, "/"); len(p) > 2 && strings.EqualFold(p[1], "subscriptions") {
			c.account = "azure:" + strings.ToLower(p[2])
		}
	case "google", "google-beta":
		c.provider, c.key = "gcp", in.ID
		if p := strings.Split(in.ID, "/"); len(p) > 1 && p[0] == "projects" {
			c.account = "gcp:" + p[1]
		}
	}
	if c.key == "" {
		scope := c.account
		if scope == "" {
			scope = "terraform:" + lineage
		}
		c.key = scope + "/" + in.Type + "/" + in.ID
	}
	return c, true
}

// state emits one state's resources; repo, if set, DEFINES them.
func (e *emitState) state(ctx context.Context, file string, st *State, repo *graph.Ref) error {
	var items []struct {
		in Instance
		c  cloud
	}
	accounts := stateAccounts(st)
	for _, in := range st.Instances {
		if utility[in.Provider] {
			continue
		}
		c, ok := describe(in, accounts[in.ProviderConfig], st.Lineage)
		if !ok {
			continue // no id yet: the apply that would create it never finished
		}
		items = append(items, struct {
			in Instance
			c  cloud
		}{in, c})
		if c.account != "" && !e.accounts[c.account] {
			e.accounts[c.account] = true
			if err := e.emit.Node(graph.NodeInput{Kind: graph.KindCloudAccount, Key: c.account,
				Props: map[string]any{"provider": c.provider}, Evidence: "terraform state " + file}); err != nil {
				return err
			}
		}
	}
	for _, it := range items {
		in, c := it.in, it.c
		evidence := fmt.Sprintf("terraform state %s: %s", file, in.Address)
		props := map[string]any{"provider": c.provider, "type": c.typ, "terraformType": in.Type, "terraformAddress": in.Address}
		if c.region != "" {
			props["region"] = c.region
		}
		if c.account != "" {
			props["account"] = c.account[strings.Index(c.account, ":")+1:]
		}
		// As the AWS source does: host names, IP addresses and an
		// instance's id are aliases, so that whoOwns finds the resource
		// by them.
		aliases := slices.Concat(in.Hostnames, in.Addresses)
		if len(in.Hostnames) > 0 {
			props["hostnames"] = in.Hostnames
		}
		if in.Type == "aws_instance" && in.ID != "" {
			aliases = append(aliases, in.ID)
		}
		ref := graph.Ref{Kind: graph.KindCloudResource, Key: c.key}
		linker := e.linker(c.provider)
		if err := e.emit.Node(graph.NodeInput{Kind: ref.Kind, Key: ref.Key, Name: c.name, Props: props, Aliases: aliases,
			Labels: linker.Labels(ctx, in.Tags), Evidence: evidence}); err != nil {
			return err
		}
		if c.account != "" {
			if err := e.emit.Edge(graph.EdgeInput{Type: graph.RelInAccount, From: ref,
				To: graph.Ref{Kind: graph.KindCloudAccount, Key: c.account}, Evidence: evidence}); err != nil {
				return err
			}
		}
		if repo != nil {
			if err := e.emit.Edge(graph.EdgeInput{Type: graph.RelDefines, From: *repo, To: ref,
				Confidence: graph.Declared, Evidence: evidence}); err != nil {
				return err
			}
		}
		if err := linker.Link(ctx, e.emit, ref, in.Tags, awsarn.ComputeTypes[c.typ]); err != nil {
			return err
		}
	}
	return nil
}

func (e *emitState) linker(provider string) *cloudtags.Linker {
	l := e.linkers[provider]
	if l == nil {
		l = &cloudtags.Linker{Rules: e.src.cfg.Tags, Resolve: e.src.cfg.Resolve, Provider: provider, Note: cloudtags.Notes(e.emit, e.src.cfg.Logger, e.src.Name())}
		e.linkers[provider] = l
	}
	return l
}

// SetResolver sets how names from tags and the repository are looked up in
// the CMDB (the CLI wires it to the store the run writes to).
func (s *Source) SetResolver(r cloudtags.Resolver) { s.cfg.Resolve = r }

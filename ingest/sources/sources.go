// Package sources builds ingest sources from their options: the options of
// each source type as the command line (estate ingest TYPE) and the
// configuration file (estate ingest run, estate serve --config) give them,
// and the one place that turns those options into a source. Adding a source
// type is one options struct here and one line in Types.
//
// Secrets never appear in options read from a file: a source that needs a
// token names the environment variable holding it (tokenEnv), read only
// when the source is built.
package sources

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/ingest"
	awssrc "github.com/estate-cmdb/estate/ingest/aws"
	"github.com/estate-cmdb/estate/ingest/azure"
	"github.com/estate-cmdb/estate/ingest/demo"
	"github.com/estate-cmdb/estate/ingest/gcp"
	"github.com/estate-cmdb/estate/ingest/github"
	"github.com/estate-cmdb/estate/ingest/gitlab"
	"github.com/estate-cmdb/estate/ingest/gitrepo"
	"github.com/estate-cmdb/estate/ingest/synthetic"
	"github.com/estate-cmdb/estate/ingest/terraform"
)

// Env is what building a source may use from its surroundings.
type Env struct {
	Logger zerolog.Logger
	// Getenv reads the environment variables tokens are named by (default
	// os.Getenv).
	Getenv func(string) string
}

func (e Env) getenv(name string) string {
	if e.Getenv == nil {
		return os.Getenv(name)
	}
	return e.Getenv(name)
}

// Options are one source type's options.
type Options interface {
	// Source validates the options and builds the source. Errors name the
	// option at fault.
	Source(env Env) (ingest.Source, error)
}

// Types maps each source type to a fresh value of its options, with the
// defaults the command line shows.
var Types = map[string]func() Options{
	"github": func() Options { return &GitHub{Concurrency: 4} },
	"gitlab": func() Options { return &GitLab{Concurrency: 4} },
	"git":    func() Options { return &Git{Window: 90 * 24 * time.Hour} },
	"aws": func() Options {
		return &AWS{Config: awssrc.Config{OrganizationRole: "OrganizationAccountAccessRole", MaxAttempts: 5}}
	},
	"terraform": func() Options { return &Terraform{Config: terraform.Config{MaxFileSize: terraform.MaxStateSize}} },
	"azure":     func() Options { return &Azure{Config: azure.Config{Endpoint: azure.DefaultEndpoint}} },
	"gcp":       func() Options { return &GCP{} },
	"demo":      func() Options { return &Demo{} },
	"synthetic": func() Options { return &Synthetic{Tier: "S", Seed: 1, Skew: synthetic.DefaultSkew} },
}

// TypeNames lists the source types, sorted.
func TypeNames() []string {
	names := make([]string, 0, len(Types))
	for n := range Types {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// secret reads a token: the literal one (given on the command line, where
// the flag's environment variable usually sets it), else the variable
// envName names. A variable named explicitly (required) must be set.
func secret(env Env, literal, envName string, required bool) (string, error) {
	if literal != "" || envName == "" {
		return literal, nil
	}
	v := env.getenv(envName)
	if v == "" && required {
		return "", fmt.Errorf("tokenEnv: environment variable %s is not set", envName)
	}
	return v, nil
}

// GitHub reads one organisation.
type GitHub struct {
	Org string `yaml:"org" required:"true"`
	// Token is only for the command line; a file names TokenEnv.
	Token             string `yaml:"-"`
	TokenEnv          string `yaml:"tokenEnv"`
	BaseURL           string `yaml:"baseURL"`
	Concurrency       int    `yaml:"concurrency"`
	AppID             int64  `yaml:"appID"`
	AppInstallationID int64  `yaml:"appInstallationID"`
	AppPrivateKeyFile string `yaml:"appPrivateKeyFile"`
	HTTPCacheDir      string `yaml:"httpCacheDir"`
	SkipDescriptors   bool   `yaml:"skipDescriptors"`
}

// Source implements Options.
func (o *GitHub) Source(env Env) (ingest.Source, error) {
	tok, err := secret(env, o.Token, o.TokenEnv, true)
	if err != nil {
		return nil, err
	}
	cfg := github.Config{Org: o.Org, Token: tok, BaseURL: o.BaseURL, Concurrency: o.Concurrency,
		CacheDir: o.HTTPCacheDir, SkipDescriptors: o.SkipDescriptors, Logger: env.Logger}
	if o.AppID != 0 || o.AppPrivateKeyFile != "" {
		key, err := os.ReadFile(o.AppPrivateKeyFile)
		if err != nil {
			return nil, fmt.Errorf("appPrivateKeyFile: %w", err)
		}
		cfg.App = &github.App{ID: o.AppID, InstallationID: o.AppInstallationID, PrivateKeyPEM: key}
	}
	return github.New(cfg)
}

// GitLab reads one group.
type GitLab struct {
	Group       string `yaml:"group" required:"true"`
	Token       string `yaml:"-"`
	TokenEnv    string `yaml:"tokenEnv"`
	BaseURL     string `yaml:"baseURL"`
	Concurrency int    `yaml:"concurrency"`
}

// Source implements Options.
func (o *GitLab) Source(env Env) (ingest.Source, error) {
	tok, err := secret(env, o.Token, o.TokenEnv, true)
	if err != nil {
		return nil, err
	}
	return gitlab.New(gitlab.Config{Group: o.Group, Token: tok, BaseURL: o.BaseURL, Concurrency: o.Concurrency, Logger: env.Logger})
}

// Git reads one repository, a local path or a URL to clone.
type Git struct {
	Target string        `yaml:"target" required:"true"`
	Window time.Duration `yaml:"window"`
}

// Source implements Options.
func (o *Git) Source(env Env) (ingest.Source, error) {
	return gitrepo.New(gitrepo.Config{Target: o.Target, Window: o.Window, Logger: env.Logger})
}

// AWS inventories AWS accounts; credentials come from the default chain or
// a profile, never from options.
type AWS struct {
	awssrc.Config `yaml:",inline"`
}

// Source implements Options.
func (o *AWS) Source(env Env) (ingest.Source, error) {
	cfg := o.Config
	cfg.Logger = env.Logger
	return awssrc.New(cfg)
}

// Terraform reads state files.
type Terraform struct {
	terraform.Config `yaml:",inline"`
}

// Source implements Options.
func (o *Terraform) Source(env Env) (ingest.Source, error) {
	cfg := o.Config
	cfg.Logger = env.Logger
	return terraform.New(cfg)
}

// tokenFromEnv reads the static token a cloud source's tokenEnv names,
// which must be set. Without tokenEnv, ok is false and the source keeps its
// own credential chain.
func tokenFromEnv(env Env, tokenEnv string) (tok string, ok bool, err error) {
	if tokenEnv == "" {
		return "", false, nil
	}
	tok, err = secret(env, "", tokenEnv, true)
	return tok, err == nil, err
}

// Azure inventories subscriptions through Resource Graph. Without
// tokenEnv the source uses azure.EnvironmentCredential: AZURE_ACCESS_TOKEN,
// else Azure's default credential chain.
type Azure struct {
	azure.Config `yaml:",inline"`
	TokenEnv     string `yaml:"tokenEnv"`
}

// Source implements Options.
func (o *Azure) Source(env Env) (ingest.Source, error) {
	cfg := o.Config
	cfg.Logger = env.Logger
	tok, ok, err := tokenFromEnv(env, o.TokenEnv)
	if err != nil {
		return nil, err
	}
	if ok {
		cfg.Credential = azure.StaticToken(tok)
	}
	return azure.New(cfg)
}

// GCP searches Cloud Asset Inventory and reads its exports. Without
// tokenEnv the source uses gcp.EnvironmentToken: GOOGLE_OAUTH_ACCESS_TOKEN,
// else Application Default Credentials.
type GCP struct {
	gcp.Config `yaml:",inline"`
	TokenEnv   string `yaml:"tokenEnv"`
}

// Source implements Options.
func (o *GCP) Source(env Env) (ingest.Source, error) {
	cfg := o.Config
	cfg.Logger = env.Logger
	tok, ok, err := tokenFromEnv(env, o.TokenEnv)
	if err != nil {
		return nil, err
	}
	if ok {
		cfg.Token = func(context.Context) (string, error) { return tok, nil }
	}
	return gcp.New(cfg)
}

// Demo is the demo estate (Acme).
type Demo struct{}

// Source implements Options.
func (*Demo) Source(Env) (ingest.Source, error) { return demo.New(), nil }

// Synthetic generates a benchmark estate.
type Synthetic struct {
	Tier  string  `yaml:"tier"`
	Seed  int64   `yaml:"seed"`
	Skew  float64 `yaml:"skew"`
	Churn int     `yaml:"churn"`
}

// Source implements Options.
func (o *Synthetic) Source(Env) (ingest.Source, error) {
	return synthetic.New(synthetic.Config{Tier: synthetic.Tier(o.Tier), Seed: o.Seed, Skew: o.Skew, Churn: o.Churn})
}

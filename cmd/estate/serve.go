package main

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/governance"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/demo"
	"github.com/estate-cmdb/estate/ingest/sources"
	"github.com/estate-cmdb/estate/server"
	"github.com/estate-cmdb/estate/server/auth"
	"github.com/estate-cmdb/estate/server/loaders"
	"github.com/estate-cmdb/estate/server/sso"
)

func (a *app) serveCommand() *cobra.Command {
	cfg := server.Config{
		Addr: server.DefaultAddr, RequestTimeout: server.DefaultRequestTimeout,
		MaxDepth: server.DefaultMaxDepth, MaxComplexity: server.DefaultMaxComplexity, Version: version,
	}
	var ssoCfg sso.Config
	var loadDemo, anonymous bool
	var changePolicy string
	var configPath string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the GraphQL API, the web UI, health checks and metrics",
		Long: `Serve /graphql, /playground, /healthz, /readyz, /metrics and the web UI at /.

Mutations need an API token (estate token create --role editor) or a person
signed in through single sign-on. Reads are open without either only when the
server listens on loopback, or with --allow-anonymous.

Single sign-on (OpenID Connect: Keycloak, Entra ID, Okta...) is on with
--oidc-issuer. Register estate at the provider as a confidential client whose
redirect URI is PUBLIC_URL/auth/callback, with the person's groups in an ID
token claim (--oidc-groups-claim). Give the secret through
ESTATE_OIDC_CLIENT_SECRET rather than the flag, which other users of the
machine can see.

With --config FILE the server runs the file's sources when asked and at their
schedules, and tells the file's notify targets (chat webhooks, signed JSON
webhooks) what each run found new in the shadow estate (docs/estate.example.yaml).`,
		Example: `  estate serve --demo
  ESTATE_OIDC_CLIENT_SECRET=... estate serve --addr 0.0.0.0:8080 \
    --public-url https://estate.acme.example \
    --oidc-issuer https://login.acme.example/realms/acme --oidc-client-id estate \
    --oidc-viewer-groups staff --oidc-editor-groups estate-editors \
    --oidc-admin-groups estate-admins --oidc-cab-groups cab --oidc-team-group-prefix team-`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
				return usageError("--addr %q: %v", cfg.Addr, err)
			}
			cfg.AnonymousRead = anonymous || server.IsLoopback(cfg.Addr)
			if a.store.backend == "neo4j" {
				cfg.LoaderWait = loaders.RemoteWait
			}
			if changePolicy != "" {
				p, err := governance.LoadPolicy(changePolicy)
				if err != nil {
					return &codedError{code: exitUsage, err: err}
				}
				cfg.ChangePolicy = p
			}
			var file *sources.File
			if configPath != "" {
				f, err := sources.Load(configPath)
				if err != nil {
					return usageError("%v", err)
				}
				file = f
			}
			notifier, err := a.notifier(file, ssoCfg.PublicURL)
			if err != nil {
				return err
			}
			s, err := a.openStore(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			if loadDemo {
				if err := a.loadDemo(ctx, s, cfg.ChangePolicy); err != nil {
					return err
				}
			}
			tokens, err := auth.Open(filepath.Join(a.store.dataDir, "tokens.json"))
			if err != nil {
				return err
			}
			if ssoCfg.Issuer != "" {
				if ssoCfg.PublicURL == "" {
					if !server.IsLoopback(cfg.Addr) {
						return usageError("--oidc-issuer needs --public-url when serving on %s: the address people reach estate at, which the provider sends them back to", cfg.Addr)
					}
					ssoCfg.PublicURL = "http://" + cfg.Addr
				}
				if cfg.SSO, err = sso.New(ssoCfg, a.log); err != nil {
					return usageError("%v", err)
				}
			}
			if notifier != nil {
				// The open findings before the first run are not news.
				seedCtx, cancel := context.WithCancel(ctx)
				defer a.seedWhenReady(seedCtx, notifier, shadowOf(s), seedRetry)()
				defer cancel()
				// Changes' notifications are sent in the background: a
				// stopping server lets them finish.
				defer notifier.Wait()
				cfg.Notify = notifier
			}
			var runner *sources.Runner
			if file != nil {
				// Background runs stop with the server, however it stops
				// (recorded failed), and end before the store is closed.
				runCtx, cancel := context.WithCancel(ctx)
				runner = sources.NewRunner(runCtx, file, s, sources.Env{Logger: a.log},
					ingest.Options{Logger: a.log, Summarize: runSummary(s, notifier)})
				defer runner.Wait()
				defer cancel()
				cfg.Ingest = runner
				a.log.Info().Str("config", configPath).Int("sources", len(file.Sources)).Msg("ingest sources configured")
			}
			srv, err := server.New(cfg, s, tokens, a.log)
			if err != nil {
				return err
			}
			if notifier != nil {
				srv.Registry().MustRegister(notifier.Collector())
			}
			if runner != nil {
				runner.Schedule()
			}
			return srv.ListenAndServe(ctx)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on")
	f.BoolVar(&loadDemo, "demo", false, "load the demo estate (Acme) at start, once")
	f.BoolVar(&anonymous, "allow-anonymous", false, "allow reads without a token on a non-loopback address")
	f.DurationVar(&cfg.RequestTimeout, "request-timeout", cfg.RequestTimeout, "time limit of one request")
	f.IntVar(&cfg.MaxDepth, "max-depth", cfg.MaxDepth, "maximum GraphQL query depth")
	f.IntVar(&cfg.MaxComplexity, "max-complexity", cfg.MaxComplexity, "maximum GraphQL query complexity")
	f.StringVar(&changePolicy, "change-policy", "", "change-governance policy file (default: the built-in policy; estate change policy prints it)")
	f.StringVar(&ssoCfg.Issuer, "oidc-issuer", "", "single sign-on: the OpenID Connect provider's issuer URL (turns sign-in on)")
	f.StringVar(&ssoCfg.ClientID, "oidc-client-id", "", "single sign-on: estate's client id at the provider")
	f.StringVar(&ssoCfg.ClientSecret, "oidc-client-secret", "", "single sign-on: estate's client secret (prefer ESTATE_OIDC_CLIENT_SECRET)")
	f.StringVar(&ssoCfg.PublicURL, "public-url", "", "where people reach estate, scheme://host[:port] (default http://ADDR); the provider sends them back to PUBLIC_URL/auth/callback, and notifications link there")
	f.StringVar(&ssoCfg.Name, "oidc-name", sso.DefaultName, `single sign-on: the sign-in button says "Sign in with NAME"`)
	f.StringVar(&ssoCfg.GroupsClaim, "oidc-groups-claim", sso.DefaultGroupsClaim, "single sign-on: the ID token claim listing the person's groups")
	f.StringSliceVar(&ssoCfg.ViewerGroups, "oidc-viewer-groups", nil, "groups that may read (default: every person the provider signs in)")
	f.StringSliceVar(&ssoCfg.EditorGroups, "oidc-editor-groups", nil, "groups that may edit the estate")
	f.StringSliceVar(&ssoCfg.AdminGroups, "oidc-admin-groups", nil, "groups that may also manage API tokens")
	f.StringSliceVar(&ssoCfg.CABGroups, "oidc-cab-groups", nil, "groups on the change advisory board (decide any change)")
	f.StringVar(&ssoCfg.TeamGroupPrefix, "oidc-team-group-prefix", "", "a group named PREFIX+KEY lets its members decide team KEY's NORMAL changes")
	f.DurationVar(&ssoCfg.SessionTTL, "session-ttl", sso.DefaultSessionTTL, "how long a single sign-on session lasts")
	a.addConfigFlag(cmd, &configPath)
	a.addStoreFlags(cmd)
	return cmd
}

// loadDemo ingests the demo estate, and assesses the demo's changes, unless
// they are already there, so restarting with --demo keeps whatever was
// changed since.
func (a *app) loadDemo(ctx context.Context, s graph.Store, policy *governance.Policy) error {
	src := demo.New()
	page, err := s.List(ctx, graph.ListQuery{Source: src.Name(), First: 1})
	if err != nil {
		return fmt.Errorf("check for the demo estate: %w", err)
	}
	if len(page.Nodes) > 0 {
		a.log.Info().Msg("demo estate already loaded")
	} else {
		start := time.Now()
		rep, err := ingest.Run(ctx, s, src, ingest.Options{Logger: a.log, Summarize: runSummary(s, nil)})
		if err != nil {
			return err
		}
		a.log.Info().Int("nodes", rep.Nodes).Int("edges", rep.Edges).Dur("took", time.Since(start)).Msg("demo estate loaded")
	}
	if page, err = s.List(ctx, graph.ListQuery{Kinds: []graph.Kind{graph.KindChange}, First: 1}); err != nil {
		return fmt.Errorf("check for the demo changes: %w", err)
	}
	if len(page.Nodes) > 0 {
		return nil
	}
	// The changes are a garnish: a demo estate someone has edited since (a
	// repository deleted) still serves, without them.
	if err := loadDemoChanges(ctx, s, policy); err != nil {
		a.log.Warn().Err(err).Msg("demo changes not assessed")
		return nil
	}
	a.log.Info().Msg("demo changes assessed")
	return nil
}

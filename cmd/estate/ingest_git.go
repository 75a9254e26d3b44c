package main

import (
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/github"
	"github.com/estate-cmdb/estate/ingest/gitlab"
	"github.com/estate-cmdb/estate/ingest/gitrepo"
)

// gitIngestCommands are the git-host sources: a GitHub organisation, a
// GitLab group and plain git repositories.
func (a *app) gitIngestCommands(opts *ingest.Options) []*cobra.Command {
	var gh github.Config
	var appID, appInstallation int64
	var appKeyFile string
	ghCmd := &cobra.Command{
		Use:   "github --org ORG",
		Short: "Ingest a GitHub organisation: repositories, teams, people and descriptor files",
		Long: `Ingest one GitHub organisation through the REST API: repositories, teams and
their nesting, members, team permissions, and each repository's CODEOWNERS,
catalog-info.yaml and build/deployment files.

The token comes from ESTATE_GITHUB_TOKEN (or --github-token, which other users
of the machine may see in the process list); it is never logged. To act as a
GitHub App give --app-id, --app-installation-id and --app-private-key-file
instead. For GitHub Enterprise Server give --base-url https://HOST/api/v3/.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if appID != 0 || appKeyFile != "" {
				key, err := os.ReadFile(appKeyFile)
				if err != nil {
					return usageError("--app-private-key-file: %v", err)
				}
				gh.App = &github.App{ID: appID, InstallationID: appInstallation, PrivateKeyPEM: key}
			}
			src, err := github.New(gh)
			if err != nil {
				return usageError("%v", err)
			}
			return a.runIngest(cmd.Context(), src, *opts)
		},
	}
	f := ghCmd.Flags()
	f.StringVar(&gh.Org, "org", "", "organisation to ingest (required)")
	f.StringVar(&gh.Token, "github-token", "", "API token (default from ESTATE_GITHUB_TOKEN)")
	f.StringVar(&gh.BaseURL, "base-url", "", "REST API root for GitHub Enterprise Server, e.g. https://ghe.example.com/api/v3/")
	f.IntVar(&gh.Concurrency, "concurrency", 4, "repositories read at once")
	f.Int64Var(&appID, "app-id", 0, "authenticate as this GitHub App (with --app-installation-id and --app-private-key-file) instead of a token")
	f.Int64Var(&appInstallation, "app-installation-id", 0, "the App's installation in the organisation")
	f.StringVar(&appKeyFile, "app-private-key-file", "", "PEM file with the App's private key")
	f.StringVar(&gh.CacheDir, "http-cache-dir", "", "keep responses with their ETags here so a re-run costs conditional requests (holds organisation data: keep it private)")
	f.BoolVar(&gh.SkipDescriptors, "skip-descriptors", false, "read only the organisation, not each repository's files")

	var glc gitlab.Config
	glCmd := &cobra.Command{
		Use:   "gitlab --group GROUP",
		Short: "Ingest a GitLab group: subgroups, projects, members and descriptor files",
		Long: `Ingest one GitLab group through the REST API: its subgroups (as nested teams),
projects (as repositories), members including inherited ones, and each
project's CODEOWNERS (GitLab sections), catalog-info.yaml and build/deployment
files.

The token comes from ESTATE_GITLAB_TOKEN (or --gitlab-token); it is never
logged. For a self-managed instance give --base-url https://HOST/api/v4.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			src, err := gitlab.New(glc)
			if err != nil {
				return usageError("%v", err)
			}
			return a.runIngest(cmd.Context(), src, *opts)
		},
	}
	gf := glCmd.Flags()
	gf.StringVar(&glc.Group, "group", "", "full path of the group to ingest (required)")
	gf.StringVar(&glc.Token, "gitlab-token", "", "API token (default from ESTATE_GITLAB_TOKEN)")
	gf.StringVar(&glc.BaseURL, "base-url", "", "API root of a self-managed GitLab, e.g. https://gitlab.example.com/api/v4")
	gf.IntVar(&glc.Concurrency, "concurrency", 4, "projects read at once")

	var window time.Duration
	gitCmd := &cobra.Command{
		Use:   "git PATH_OR_URL...",
		Short: "Ingest git repositories (local paths or clone URLs): descriptors and commit heuristics",
		Long: `Ingest each repository as its own run: the descriptor files of the tree at HEAD
(CODEOWNERS, catalog-info.yaml, Dockerfiles, compose, Helm, Kubernetes,
serverless) and who committed most in the last --window as a HEURISTIC owner.
A URL is cloned into a temporary directory with the git CLI.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var errs []error
			for _, target := range args {
				src, err := gitrepo.New(gitrepo.Config{Target: target, Window: window})
				if err != nil {
					return usageError("%v", err)
				}
				if err := a.runIngest(cmd.Context(), src, *opts); err != nil {
					errs = append(errs, err)
				}
			}
			if len(errs) > 0 {
				// The exit code is the first failure's (1 failed, 4 partial).
				return errs[0]
			}
			return nil
		},
	}
	gitCmd.Flags().DurationVar(&window, "window", 90*24*time.Hour, "how far back commit heuristics look")
	return []*cobra.Command{ghCmd, glCmd, gitCmd}
}

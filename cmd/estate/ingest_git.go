package main

import (
	"github.com/spf13/cobra"

	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/sources"
)

// gitIngestCommands are the git-host sources: a GitHub organisation, a
// GitLab group and plain git repositories.
func (a *app) gitIngestCommands(opts *ingest.Options) []*cobra.Command {
	gh := sources.Types["github"]().(*sources.GitHub)
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
			return a.ingestFrom(cmd.Context(), gh, *opts)
		},
	}
	f := ghCmd.Flags()
	f.StringVar(&gh.Org, "org", "", "organisation to ingest (required)")
	f.StringVar(&gh.Token, "github-token", "", "API token (default from ESTATE_GITHUB_TOKEN)")
	f.StringVar(&gh.BaseURL, "base-url", "", "REST API root for GitHub Enterprise Server, e.g. https://ghe.example.com/api/v3/")
	f.IntVar(&gh.Concurrency, "concurrency", gh.Concurrency, "repositories read at once")
	f.Int64Var(&gh.AppID, "app-id", 0, "authenticate as this GitHub App (with --app-installation-id and --app-private-key-file) instead of a token")
	f.Int64Var(&gh.AppInstallationID, "app-installation-id", 0, "the App's installation in the organisation")
	f.StringVar(&gh.AppPrivateKeyFile, "app-private-key-file", "", "PEM file with the App's private key")
	f.StringVar(&gh.HTTPCacheDir, "http-cache-dir", "", "keep responses with their ETags here so a re-run costs conditional requests (holds organisation data: keep it private)")
	f.BoolVar(&gh.SkipDescriptors, "skip-descriptors", false, "read only the organisation, not each repository's files")

	glc := sources.Types["gitlab"]().(*sources.GitLab)
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
			return a.ingestFrom(cmd.Context(), glc, *opts)
		},
	}
	gf := glCmd.Flags()
	gf.StringVar(&glc.Group, "group", "", "full path of the group to ingest (required)")
	gf.StringVar(&glc.Token, "gitlab-token", "", "API token (default from ESTATE_GITLAB_TOKEN)")
	gf.StringVar(&glc.BaseURL, "base-url", "", "API root of a self-managed GitLab, e.g. https://gitlab.example.com/api/v4")
	gf.IntVar(&glc.Concurrency, "concurrency", glc.Concurrency, "projects read at once")

	git := sources.Types["git"]().(*sources.Git)
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
				one := *git
				one.Target = target
				if err := a.ingestFrom(cmd.Context(), &one, *opts); err != nil {
					if exitCode(err) == exitUsage {
						return err
					}
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
	gitCmd.Flags().DurationVar(&git.Window, "window", git.Window, "how far back commit heuristics look")
	return []*cobra.Command{ghCmd, glCmd, gitCmd}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/ingest/sources"
	"github.com/estate-cmdb/estate/notify"
)

// notifyCommand checks the notify targets of a configuration file.
func (a *app) notifyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notify",
		Short: "The notify targets of a configuration file: who hears of new shadow findings",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var path string
	test := &cobra.Command{
		Use:   "test [NAME...] --config FILE",
		Short: "Send each notify target (or the named ones) a test message",
		Long: `Send a test message to the notify targets of a configuration file (all, or
the named ones), one after the other, and say for each whether it arrived: a
chat gets a line saying new shadow findings will come there, a webhook the
event "ping". Nothing is read from or written to the store. The exit code is
1 when a target could not be told, 2 for a bad file or an unknown name.`,
		Example: `  ESTATE_SLACK_WEBHOOK_URL=https://hooks.slack.com/services/... estate notify test platform-slack --config estate.yaml`,
		RunE: func(cmd *cobra.Command, names []string) error {
			if path == "" {
				return usageError("--config (or ESTATE_CONFIG) must name the configuration file")
			}
			f, err := sources.Load(path)
			if err != nil {
				return usageError("%v", err)
			}
			n, err := a.notifier(f, "")
			if err != nil {
				return err
			}
			if n == nil {
				return usageError("config %s names no notify targets", path)
			}
			if len(names) == 0 {
				for _, t := range n.Targets() {
					names = append(names, t.Name)
				}
			}
			failed := 0
			for _, name := range names {
				err := n.Ping(cmd.Context(), name)
				switch {
				case errors.Is(err, graph.ErrNotFound):
					return usageError("%v", err)
				case err != nil:
					failed++
					fmt.Fprintf(a.stdout, "%s: not delivered: %v\n", name, err)
				default:
					fmt.Fprintf(a.stdout, "%s: delivered\n", name)
				}
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d notify targets could not be told", failed, len(names))
			}
			return nil
		},
	}
	a.addConfigFlag(test, &path)
	cmd.AddCommand(test)
	return cmd
}

// notifier makes the notifier of file's notify targets, their URLs and
// secrets read from the environment variables the file names; nil when
// the file names no target. A target that cannot work is a usage error:
// an alert channel that silently never alerts is worse than none.
func (a *app) notifier(file *sources.File, publicURL string) (*notify.Notifier, error) {
	if file == nil || len(file.Notify) == 0 {
		return nil, nil
	}
	targets := make([]notify.Target, 0, len(file.Notify))
	for _, n := range file.Notify {
		t := notify.Target{Name: n.Name, Type: n.Type, URL: os.Getenv(n.URLEnv), Findings: n.Findings, Changes: n.Changes}
		if t.URL == "" {
			return nil, usageError("%s: notify target %q: the environment variable %s (urlEnv) is not set", n.Where, n.Name, n.URLEnv)
		}
		if n.SecretEnv != "" {
			if t.Secret = os.Getenv(n.SecretEnv); t.Secret == "" {
				return nil, usageError("%s: notify target %q: the environment variable %s (secretEnv) is not set", n.Where, n.Name, n.SecretEnv)
			}
		}
		targets = append(targets, t)
	}
	nt, err := notify.New(targets, notify.Options{PublicURL: publicURL, Logger: a.log})
	if err != nil {
		return nil, usageError("config %s: %v", file.Path, err)
	}
	return nt, nil
}

// seedNotifier gives n, once, the open findings its first run's are
// compared with: what is open before estate watches is not news.
func seedNotifier(ctx context.Context, s graph.Store, n *notify.Notifier) error {
	if n == nil || n.Seeded() {
		return nil
	}
	if err := n.Seed(ctx, shadowOf(s)); err != nil {
		return fmt.Errorf("notify: read the shadow estate runs are compared with: %w", err)
	}
	return nil
}

// seedRetry is how often a server whose store did not answer at start
// tries again to take the notifier's first look.
const seedRetry = 15 * time.Second

// seedWhenReady seeds n with shadow at once, or, when the store does not
// answer (Neo4j restarting), in the background every retry until it does,
// n is seeded by a run, or ctx ends: a server starts without its store, as
// it does without notify targets. The returned func waits for the
// background tries to end, to be called after ctx is cancelled and before
// the store is closed.
func (a *app) seedWhenReady(ctx context.Context, n *notify.Notifier, shadow notify.Shadow, retry time.Duration) (wait func()) {
	err := n.Seed(ctx, shadow)
	if err == nil {
		return func() {}
	}
	a.log.Warn().Err(err).Dur("retry", retry).Msg("notify: the shadow estate runs are compared with cannot be read yet; trying again")
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(retry)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if n.Seeded() {
				return // a run's summary took the first look
			}
			if err := n.Seed(ctx, shadow); err != nil {
				a.log.Warn().Err(err).Msg("notify: the shadow estate still cannot be read")
				continue
			}
			a.log.Info().Msg("notify: the shadow estate runs are compared with is read")
			return
		}
	}()
	return func() { <-done }
}

// shadowOf makes the shadow estate of s as it is then.
func shadowOf(s graph.Store) notify.Shadow {
	return func(ctx context.Context) (*analysis.ShadowReport, error) {
		return analysis.ShadowEstate(ctx, s, time.Now())
	}
}

// runSummary makes the Summarize hook of a run: the shadow estate's
// finding counts after the run, kept in its record for the trend, and its
// new findings told to n's targets (n may be nil). A notification that
// fails is a warning of the run; the counts are kept.
func runSummary(s graph.Store, n *notify.Notifier) func(context.Context, graph.IngestRun) (map[string]int, error) {
	return func(ctx context.Context, run graph.IngestRun) (map[string]int, error) {
		var rep *analysis.ShadowReport
		var err error
		if n == nil {
			rep, err = shadowOf(s)(ctx)
		} else {
			rep, err = n.Observe(ctx, run, shadowOf(s))
		}
		if rep == nil {
			return nil, err
		}
		return rep.Summary(), err
	}
}

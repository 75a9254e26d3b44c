package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/notify"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// app holds what every command shares: streams, global flags, the logger.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	logLevel  string
	logFormat string
	log       zerolog.Logger

	store storeFlags
	// notify, when set, is told of every ingest run's new shadow findings
	// (ingest run --config with notify targets).
	notify *notify.Notifier
}

// storeFlags are the flags of every command that touches the store.
type storeFlags struct {
	backend string
	dataDir string
	neo4j   neo4jFlags
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "estate: %s\n", oneLine(err.Error()))
	return exitCode(err)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "estate",
		Short: "estate — a self-hosted CMDB with a repo-to-service mapping graph",
		Long: `estate keeps one graph of business units, services, applications, repositories,
teams, people, cloud accounts and resources, filled from git hosts and cloud
accounts, and answers: who owns this, what breaks if it changes, and what runs
that nobody registered.

Every flag can also be set through an ESTATE_* environment variable: the flag
name upper-cased with dashes as underscores (--data-dir is ESTATE_DATA_DIR).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindEnv(cmd); err != nil {
				return err
			}
			return a.setupLogger()
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError("%v", err) })
	pf := root.PersistentFlags()
	pf.StringVar(&a.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	pf.StringVar(&a.logFormat, "log-format", "auto", "log format: json, console, or auto (console on a terminal)")
	root.AddCommand(a.serveCommand(), a.tokenCommand(), a.exportCommand(), a.importCommand(),
		a.ingestCommand(), a.benchCommand(), a.versionCommand())
	root.AddCommand(a.ownersCommand(), a.ownedByCommand(), a.impactCommand(), a.shadowCommand(), a.healthCommand(), a.duplicatesCommand(), a.mergeCommand(), a.distinctCommand(), a.historyCommand())
	root.AddCommand(a.changeCommand(), a.notifyCommand())
	argsAreUsage(root)
	return root
}

// argsAreUsage makes wrong arguments usage errors (exit 2), as wrong flags
// are, in cmd and every command under it.
func argsAreUsage(cmd *cobra.Command) {
	if check := cmd.Args; check != nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			if err := check(c, args); err != nil {
				return usageError("%v", err)
			}
			return nil
		}
	}
	for _, sub := range cmd.Commands() {
		argsAreUsage(sub)
	}
}

// bindEnv sets every flag the user did not give from its ESTATE_* variable.
func bindEnv(cmd *cobra.Command) error {
	var err error
	set := func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		name := "ESTATE_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			if e := f.Value.Set(v); e != nil {
				err = usageError("%s=%q: %v", name, v, e)
			}
			f.Changed = true
		}
	}
	cmd.Flags().VisitAll(set)
	cmd.InheritedFlags().VisitAll(set)
	return err
}

func (a *app) setupLogger() error {
	lvl, err := zerolog.ParseLevel(a.logLevel)
	if err != nil || a.logLevel == "" {
		return usageError("--log-level %q: want debug, info, warn or error", a.logLevel)
	}
	var w io.Writer = a.stderr
	switch a.logFormat {
	case "json":
	case "console":
		w = zerolog.ConsoleWriter{Out: a.stderr, TimeFormat: time.TimeOnly}
	case "auto":
		if f, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			w = zerolog.ConsoleWriter{Out: a.stderr, TimeFormat: time.TimeOnly}
		}
	default:
		return usageError("--log-format %q: want json, console or auto", a.logFormat)
	}
	// Events come from several goroutines (a server's requests, notify's
	// deliveries side by side); one at a time, whatever stderr is.
	a.log = zerolog.New(zerolog.SyncWriter(w)).Level(lvl).With().Timestamp().Logger()
	return nil
}

func defaultDataDir() string {
	if d, err := os.UserHomeDir(); err == nil {
		return filepath.Join(d, ".local", "share", "estate")
	}
	return "estate-data"
}

// addStoreFlags adds the store flags to a command that touches the store.
func (a *app) addStoreFlags(cmd *cobra.Command) { a.addStoreFlagsTo(cmd.Flags()) }

func (a *app) addStoreFlagsTo(f *pflag.FlagSet) {
	f.StringVar(&a.store.backend, "store", "embedded", "store backend: embedded or neo4j")
	f.StringVar(&a.store.dataDir, "data-dir", defaultDataDir(), "directory for the embedded store and API tokens")
	a.store.neo4j.add(f)
}

// openStore opens the configured backend.
func (a *app) openStore(ctx context.Context) (graph.Store, error) {
	switch a.store.backend {
	case "embedded":
		return embedded.Open(ctx, a.store.dataDir, embedded.Options{Logger: a.log})
	case "neo4j":
		return a.store.neo4j.open(ctx, a.log)
	}
	return nil, usageError("--store %q: want embedded or neo4j", a.store.backend)
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rev := ""
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						rev = " " + s.Value
					}
				}
			}
			fmt.Fprintf(a.stdout, "estate %s%s\n", version, rev)
			return nil
		},
	}
}

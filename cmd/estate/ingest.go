package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/cloudtags"
	"github.com/estate-cmdb/estate/ingest/demo"
	"github.com/estate-cmdb/estate/ingest/sources"
)

// ingestCommand groups one subcommand per source. Adding a source is one
// package under ingest/ and one line here.
func (a *app) ingestCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ingest SOURCE",
		Short: "Run an ingest source once and print its report",
		Long: `Run a source once: what it finds is upserted, and after a successful complete
run what it asserted before and no longer does is removed — unless that would
remove more than a quarter of what it holds (the mass-deletion guard; override
with --allow-mass-delete). Exit code 0 on success, 1 on failure, 4 when the run
was partial (some items could not be read; nothing was removed).`,
	}
	var opts ingest.Options
	pf := cmd.PersistentFlags()
	pf.BoolVar(&opts.AllowMassDelete, "allow-mass-delete", false, "let the sweep remove more than the guard allows, for this run")
	pf.IntVar(&opts.BatchSize, "batch-size", 5000, "items per store write")
	a.addStoreFlagsTo(pf)

	cmd.AddCommand(&cobra.Command{
		Use:   "demo",
		Short: "Load the demo estate (Acme) — idempotent",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runIngest(cmd.Context(), demo.New(), opts)
		},
	})

	syn := sources.Types["synthetic"]().(*sources.Synthetic)
	synCmd := &cobra.Command{
		Use:   "synthetic",
		Short: "Generate a synthetic estate of a benchmark tier (S, M or L)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.ingestFrom(cmd.Context(), syn, opts)
		},
	}
	synCmd.Flags().StringVar(&syn.Tier, "tier", syn.Tier, "tier: S (~10k nodes), M (~100k), L (~500k)")
	synCmd.Flags().Int64Var(&syn.Seed, "seed", syn.Seed, "generator seed; the same seed gives the same estate")
	synCmd.Flags().Float64Var(&syn.Skew, "skew", syn.Skew, "how concentrated dependencies are, 0..1")
	synCmd.Flags().IntVar(&syn.Churn, "churn", 0, "churn steps applied to the base estate")
	cmd.AddCommand(synCmd)
	cmd.AddCommand(a.configIngestCommand(&opts))
	cmd.AddCommand(a.gitIngestCommands(&opts)...)
	cmd.AddCommand(a.cloudIngestCommands(&opts)...)
	return cmd
}

// configIngestCommand runs sources configured in a file.
func (a *app) configIngestCommand(opts *ingest.Options) *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "run [NAME...] --config FILE",
		Short: "Run the sources configured in a file: the named ones, or all of them in order",
		Long: `Run sources configured in a YAML file (see docs/estate.example.yaml), each as
its own run, one after the other. Tokens come from the environment variables the
file names (tokenEnv), never from the file. The file's notify targets hear of
what each run found new in the shadow estate. The exit code is the first failed
run's: 1 failed, 4 partial, 2 for a bad file, an unknown name or a notify
target that cannot work.`,
		RunE: func(cmd *cobra.Command, names []string) error {
			if path == "" {
				return usageError("--config (or ESTATE_CONFIG) must name the configuration file")
			}
			f, err := sources.Load(path)
			if err != nil {
				return usageError("%v", err)
			}
			selected := f.Sources
			if len(names) > 0 {
				selected = nil
				for _, n := range names {
					c, err := f.Lookup(n)
					if err != nil {
						return usageError("%v", err)
					}
					selected = append(selected, c)
				}
			}
			if a.notify, err = a.notifier(f, ""); err != nil {
				return err
			}
			var first error
			for _, c := range selected {
				err := a.ingestFrom(cmd.Context(), c, *opts)
				if err != nil && first == nil {
					first = err
				}
			}
			return first
		},
	}
	a.addConfigFlag(cmd, &path)
	return cmd
}

// addConfigFlag adds --config, the configuration file naming sources.
func (a *app) addConfigFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVar(path, "config", "", "YAML file configuring named ingest sources (see docs/estate.example.yaml)")
}

// ingestFrom builds a source from its options and runs it; options that
// do not build are a usage error.
func (a *app) ingestFrom(ctx context.Context, o sources.Options, opts ingest.Options) error {
	src, err := o.Source(sources.Env{Logger: a.log})
	if err != nil {
		return usageError("%v", err)
	}
	return a.runIngest(ctx, src, opts)
}

// exitPartial is the exit code of an ingest run that was partial.
const exitPartial = 4

func (a *app) runIngest(ctx context.Context, src ingest.Source, opts ingest.Options) error {
	s, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	// Sources that link to what the CMDB already knows (cloud tags naming
	// teams and applications) look names up in this store.
	if r, ok := src.(resolving); ok {
		r.SetResolver(cloudtags.StoreResolver(s.Resolve))
	}
	opts.Logger = a.log
	if err := seedNotifier(ctx, s, a.notify); err != nil {
		return err
	}
	opts.Summarize = runSummary(s, a.notify)
	add, done := a.progress("ingest "+src.Name(), -1)
	opts.Progress = add
	defer done()
	rep, err := ingest.Run(ctx, s, src, opts)
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	if e := enc.Encode(rep); e != nil {
		return e
	}
	if err != nil {
		return err
	}
	if rep.Status == ingest.StatusPartial {
		return &codedError{code: exitPartial, err: fmt.Errorf("ingest %s was partial: %d item errors", rep.Source, len(rep.Errors))}
	}
	return nil
}

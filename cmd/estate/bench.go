package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/spf13/cobra"

	"github.com/estate-cmdb/estate/bench/harness"
	"github.com/estate-cmdb/estate/ingest/synthetic"
)

// benchCommand runs the benchmark harness (docs/benchmarks.md).
func (a *app) benchCommand() *cobra.Command {
	var (
		cfg           harness.Config
		tier, store   string
		figures       []string
		out, markdown string
		cpuProfile    string
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure estate on a generated estate, beside in-run peers",
		Long: `Generate a synthetic estate of a tier (S ~10k nodes, M ~100k, L ~500k), push it
through the real ingest engine into a fresh embedded store and/or a fresh Neo4j
namespace, and measure figures F1–F7 of docs/benchmarks.md, each beside its
in-run peer, --runs times (median, min and max). Every answer is checked
against the generator and the peers; the command fails when one is wrong.

The Neo4j store uses the --neo4j-* settings with a fresh namespace per store
(bench_<random>_), dropped afterwards: real data is never touched. Embedded
stores go under --dir and are removed afterwards.

Progress goes to stderr; the result to --out (JSON) and --markdown, or, when
neither is given, as Markdown to stdout.`,
		Example: `  estate bench --tier S --store both
  estate bench --tier M --store embedded --out m.json --markdown m.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.Tier = synthetic.Tier(strings.ToUpper(tier))
			switch store {
			case "both":
				cfg.Stores = []string{harness.StoreEmbedded, harness.StoreNeo4j}
			case harness.StoreEmbedded, harness.StoreNeo4j:
				cfg.Stores = []string{store}
			default:
				return usageError("--store %q: want embedded, neo4j or both", store)
			}
			for _, f := range figures {
				cfg.Figures = append(cfg.Figures, strings.ToUpper(strings.TrimSpace(f)))
			}
			for _, n := range cfg.DirectBatchSizes {
				if n <= 0 {
					return usageError("--direct-batch-sizes: %d is not a batch size (want rows per transaction, over 0)", n)
				}
			}
			cfg.Neo4j = a.store.neo4j.config(a.log)
			cfg.Progress = a.stderr
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return fmt.Errorf("bench: --cpu-profile: %w", err)
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return fmt.Errorf("bench: --cpu-profile: %w", err)
				}
				defer pprof.StopCPUProfile()
			}
			res, err := harness.Run(cmd.Context(), cfg)
			if err != nil {
				if errors.Is(err, harness.ErrConfig) {
					return usageError("%v", err)
				}
				return fmt.Errorf("bench: %w", err)
			}
			if out != "" {
				b, err := json.MarshalIndent(res, "", "  ")
				if err != nil {
					return err
				}
				if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
					return fmt.Errorf("bench: write --out: %w", err)
				}
			}
			if markdown != "" {
				f, err := os.Create(markdown)
				if err != nil {
					return fmt.Errorf("bench: write --markdown: %w", err)
				}
				err = res.WriteMarkdown(f)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return fmt.Errorf("bench: write --markdown: %w", err)
				}
			}
			if out == "" && markdown == "" {
				if err := res.WriteMarkdown(a.stdout); err != nil {
					return err
				}
			}
			if failed := res.Failed(); len(failed) > 0 {
				return fmt.Errorf("bench: %d wrong answer(s), first: %s", len(failed), failed[0])
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&tier, "tier", "S", "estate size: S (~10k nodes), M (~100k) or L (~500k)")
	f.StringVar(&store, "store", "embedded", "store to measure: embedded, neo4j or both")
	f.Int64Var(&cfg.Seed, "seed", 1, "generator seed; the same seed gives the same estate")
	f.IntVar(&cfg.Runs, "runs", 3, "runs per figure (the result is their median, min and max)")
	f.StringSliceVar(&figures, "figures", nil, "figures to measure, e.g. F1,F3 (default all of F1–F7)")
	f.StringVar(&out, "out", "", "write the result as JSON to this file")
	f.StringVar(&markdown, "markdown", "", "write the result as a Markdown table to this file")
	f.StringVar(&cfg.Dir, "dir", "", "directory for the embedded stores (default the system's temporary directory)")
	f.StringVar(&cpuProfile, "cpu-profile", "", "write a CPU profile of the whole run (go tool pprof) to this file")
	f.StringVar(&cfg.HeapProfile, "mem-profile", "", "F6: write a heap profile (go tool pprof) of the reopened embedded store to this file")
	f.IntVar(&cfg.Samples, "samples", 100, "starts per sample set of F3–F5")
	f.DurationVar(&cfg.QueryBudget.Time, "query-time", 0, "time limit of each F3/F4 latency series (default 3s)")
	f.DurationVar(&cfg.LoadBudget.Time, "load-time", 0, "time limit of each F5 load level (default 3s)")
	f.DurationVar(&cfg.PageLatency, "page-latency", 0, "F7: simulated latency per page of 1000 items (default 50ms)")
	f.IntSliceVar(&cfg.DirectBatchSizes, "direct-batch-sizes", nil,
		"F1 on Neo4j: batch sizes of the plain raw-driver peer (default 1000,5000,20000); the peer writing the store's audit rows runs at the engine's batch size")
	a.store.neo4j.add(f)
	return cmd
}

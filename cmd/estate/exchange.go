package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/estate-cmdb/estate/graph/jsonl"
)

func (a *app) exportCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the whole estate as JSON Lines (standard output unless --out)",
		Long: `Write every node and relationship, with provenance and times, as JSON Lines in
a stable order. export, then import into an empty store, then export again gives
identical output, on either backend.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			var w io.Writer = a.stdout
			if out != "" {
				f, err := os.Create(out)
				if err != nil {
					return fmt.Errorf("export: %w", err)
				}
				defer f.Close()
				w = f
			}
			st, err := s.Stats(cmd.Context())
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			add, done := a.progress("export", int64(st.TotalNodes()+st.TotalEdges()))
			c, err := jsonl.Export(cmd.Context(), countedScanner{s, add}, w)
			done()
			if err != nil {
				return err
			}
			if f, ok := w.(*os.File); ok && out != "" {
				if err := f.Sync(); err != nil {
					return fmt.Errorf("export: %w", err)
				}
			}
			a.log.Info().Int("nodes", c.Nodes).Int("edges", c.Edges).Msg("exported")
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "write to this file instead of standard output")
	a.addStoreFlags(cmd)
	return cmd
}

func (a *app) importCommand() *cobra.Command {
	var merge bool
	cmd := &cobra.Command{
		Use:   "import [FILE]",
		Short: "Read an export (standard input unless FILE) into an empty store",
		Long: `Read JSON Lines written by estate export. Every line is checked before anything
is written, so a bad line changes nothing and the error names its line number.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := a.stdin
			if len(args) == 1 && args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return fmt.Errorf("import: %w", err)
				}
				defer f.Close()
				in = f
			}
			s, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			// The total is known only after the first pass has checked
			// every line: the bar counts what is written.
			add, done := a.progress("import (checking, then writing)", -1)
			c, err := jsonl.Import(cmd.Context(), countedRestorer{s, add}, in, merge)
			done()
			if err != nil {
				return err
			}
			a.log.Info().Int("nodes", c.Nodes).Int("edges", c.Edges).Msg("imported")
			fmt.Fprintf(a.stdout, "imported %d nodes and %d relationships\n", c.Nodes, c.Edges)
			return nil
		},
	}
	cmd.Flags().BoolVar(&merge, "merge", false, "allow importing into a store that already holds data")
	a.addStoreFlags(cmd)
	return cmd
}

package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
)

func (a *app) duplicatesCommand() *cobra.Command {
	var (
		format string
		kinds  []string
	)
	cmd := &cobra.Command{
		Use:   "duplicates [REF]",
		Short: "Entities that may be one thing recorded twice, spelled two ways by two sources",
		Long: `Print the likely duplicates: entities of one kind (business units, services,
applications, teams, people) whose name, or the last part of whose key or of an
alias, is spelled the same once case, punctuation, the prefixes sources add
("@", "group:") and an e-mail's domain are set aside. Each group lists what its
entities share. They are candidates: merge the ones that are one thing with
"estate merge". Rules: docs/answers.md.

With REF (read as whoOwns reads it), only the group of the entity it names,
found among the entities spelled like it: what its page suggests merging.`,
		Example: `  estate duplicates
  estate duplicates --kind Person --format json
  estate duplicates Team:platform-sre-oncall`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			ks, err := parseKinds(kinds)
			if err != nil {
				return err
			}
			write := func(r *analysis.DuplicateReport) error {
				if format == "json" {
					return writeJSON(a.stdout, r)
				}
				return writeDuplicates(a.stdout, r)
			}
			if len(args) == 1 {
				if len(ks) > 0 {
					return usageError("--kind and a REF: the REF's kind decides")
				}
				return a.withEntities(cmd.Context(), args, func(s graph.Store, ns []*graph.Node) error {
					g, err := analysis.DuplicatesOf(cmd.Context(), s, ns[0])
					if err != nil {
						return err
					}
					r := &analysis.DuplicateReport{Groups: []analysis.DuplicateGroup{}}
					if g != nil {
						r.Groups = append(r.Groups, *g)
					}
					return write(r)
				})
			}
			return a.withStore(cmd.Context(), func(s analysis.Store) error {
				r, err := analysis.Duplicates(cmd.Context(), s, ks)
				if err != nil {
					return err
				}
				return write(r)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	cmd.Flags().StringSliceVar(&kinds, "kind", nil, "only these kinds (repeatable): BusinessUnit, Service, Application, Team, Person")
	a.addStoreFlags(cmd)
	return cmd
}

// parseKinds reads --kind values, ignoring case.
func parseKinds(names []string) ([]graph.Kind, error) {
	var out []graph.Kind
	for _, n := range names {
		i := -1
		for j, k := range graph.Kinds {
			if strings.EqualFold(n, string(k)) {
				i = j
			}
		}
		if i < 0 {
			return nil, usageError("--kind %q: not a kind", n)
		}
		out = append(out, graph.Kinds[i])
	}
	return out, nil
}

func writeDuplicates(w io.Writer, r *analysis.DuplicateReport) error {
	if len(r.Groups) == 0 {
		_, err := fmt.Fprintln(w, "No likely duplicates.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tKEY\tNAME\tSPELLED ALIKE")
	for _, g := range r.Groups {
		for i, it := range g.Items {
			shared := ""
			if i == 0 {
				shared = strings.Join(g.Shared, ", ")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", g.Kind, it.Key, it.Name, shared)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d groups. Merge the entities that are one thing: estate merge KEEP DUPLICATE\n", len(r.Groups))
	return err
}

func (a *app) mergeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "merge KEEP DUPLICATE",
		Short: "Merge a duplicate into the entity that stays",
		Long: `Merge DUPLICATE into KEEP, atomically: KEEP keeps its key, name and values and
gains DUPLICATE's aliases, sources, relationships and the values it lacked;
DUPLICATE is removed, and its key becomes an alias of KEEP (source "merged").
A source that still names DUPLICATE writes to KEEP from then on, so the merge
survives later syncs. Both are refs as whoOwns reads them ("Kind:key" picks a
kind); both must name one entity of one kind.`,
		Example: `  estate merge Team:platform-sre Team:platform-sre-oncall
  estate merge priya.shah@acme.example Person:priyashah@acme.example`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withEntities(cmd.Context(), args, func(s graph.Store, ns []*graph.Node) error {
				if _, err := s.Merge(cmd.Context(), ns[0].ID, ns[1].ID); err != nil {
					return err
				}
				_, err := fmt.Fprintf(a.stdout, "Merged %s into %s; %q is now an alias of it.\n", ns[1].Ref(), ns[0].Ref(), ns[1].Key)
				return err
			})
		},
	}
	a.addStoreFlags(cmd)
	return cmd
}

func (a *app) distinctCommand() *cobra.Command {
	var withdraw bool
	cmd := &cobra.Command{
		Use:   "distinct REF REF...",
		Short: "Record that entities spelled alike are not one thing",
		Long: `Record that the entities (2 to 20, of one kind) are not one thing, so that
"estate duplicates" no longer lists them together: each gets the label
not-duplicate-of with the others' keys. A note, not an assertion: it keeps no
entity alive that its sources drop. REFs are read as whoOwns reads them.
--withdraw takes the decision back among them: they may be listed again.`,
		Example: `  estate distinct Team:payments-core Team:retail/payments-core
  estate distinct --withdraw Team:payments-core Team:retail/payments-core`,
		Args: cobra.RangeArgs(2, 20),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withEntities(cmd.Context(), args, func(s graph.Store, ns []*graph.Node) error {
				labels, err := graph.DistinctLabels(ns, !withdraw)
				if err != nil {
					return err
				}
				if err := s.Annotate(cmd.Context(), labels); err != nil {
					return err
				}
				if withdraw {
					_, err = fmt.Fprintf(a.stdout, "Withdrew the decision: %d entities may be listed as likely duplicates again.\n", len(ns))
				} else {
					_, err = fmt.Fprintf(a.stdout, "Recorded %d entities as distinct.\n", len(ns))
				}
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&withdraw, "withdraw", false, "take back an earlier decision that these entities are distinct")
	a.addStoreFlags(cmd)
	return cmd
}

// withEntities opens the store and calls fn with the one entity each ref
// names; errors get the answers' exit codes.
func (a *app) withEntities(ctx context.Context, refs []string, fn func(graph.Store, []*graph.Node) error) error {
	s, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	ns := make([]*graph.Node, len(refs))
	for i, ref := range refs {
		if ns[i], err = one(ctx, s, ref); err != nil {
			return answerError(err)
		}
	}
	return answerError(fn(s, ns))
}

// one resolves ref to the one entity it names, or says what it may mean.
func one(ctx context.Context, s analysis.Store, ref string) (*graph.Node, error) {
	r, err := analysis.Resolve(ctx, s, ref, nil)
	if err != nil {
		return nil, err
	}
	if r.Subject == nil {
		var cs []string
		for _, c := range r.Candidates {
			cs = append(cs, c.Ref().String())
		}
		return nil, graph.Errorf(graph.CodeInvalid, "%q may mean %s: name one as Kind:key", ref, strings.Join(cs, " or "))
	}
	return r.Subject, nil
}

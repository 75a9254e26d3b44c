package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/estate-cmdb/estate/graph/analysis"
)

func (a *app) ownedByCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "owned-by REF",
		Short: "What does this team or person answer for? Everything `estate owners` names them for",
		Long: `Resolve REF among teams and people (a key, a name, a handle such as @acme/sre,
an e-mail) and list what they answer for: every thing "estate owners" names
them as an owner of, in which role, precedence class and whether accountable,
directly or inherited from something they own (a service's applications, the
repositories building those, the resources they run on). Inheritance is
followed from the 500 things nearest to what they own; the output says when
there may be more.

Exit codes: 3 when REF names nothing; 2 when it names no team or person; 1
when it is ambiguous (the candidates are printed).`,
		Example: `  estate owned-by platform-sre
  estate owned-by priya.shah@acme.example --format csv > priya.csv`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json", "csv"); err != nil {
				return err
			}
			return a.withStore(cmd.Context(), func(s analysis.Store) error {
				o, err := analysis.OwnedBy(cmd.Context(), s, args[0])
				if err != nil {
					return err
				}
				switch {
				case format == "json":
					err = writeJSON(a.stdout, o)
				case o.Subject == nil:
					err = writeCandidates(a.stdout, o.Ref, o.Candidates)
				case format == "csv":
					err = writeOwnedCSV(a.stdout, o)
				default:
					err = writeOwned(a.stdout, o)
				}
				if err == nil && o.Ambiguous() {
					err = ambiguousError(args[0], len(o.Candidates), o.Candidates[0].Ref())
				}
				return err
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, json or csv")
	a.addStoreFlags(cmd)
	return cmd
}

// ownedRow is one item's cells: kind, key, name, role, class,
// accountable, inherited from.
func ownedRow(it analysis.OwnedItem) []string {
	acc, from := "", ""
	if it.Accountable {
		acc = "yes"
	}
	if it.InheritedFrom != nil {
		from = it.InheritedFrom.Ref().String()
	}
	return []string{string(it.Kind), it.Key, it.Name, it.Role, it.Class.String(), acc, from}
}

func writeOwned(w io.Writer, o *analysis.Owned) error {
	direct := 0
	for _, it := range o.Items {
		if it.InheritedFrom == nil {
			direct++
		}
	}
	fmt.Fprintf(w, "%s answers for %d things: %d directly, %d inherited\n", named(*o.Subject), len(o.Items), direct, len(o.Items)-direct)
	if o.Truncated {
		fmt.Fprintf(w, "(inheritance followed to the %d things nearest to what it owns: there may be more)\n", analysis.MaxOwnerLookups)
	}
	if len(o.Items) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tKEY\tNAME\tROLE\tCLASS\tACCOUNTABLE\tINHERITED FROM")
	for _, it := range o.Items {
		r := ownedRow(it)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r[0], r[1], r[2], r[3], r[4], r[5], r[6])
	}
	return tw.Flush()
}

func writeOwnedCSV(w io.Writer, o *analysis.Owned) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"kind", "key", "name", "role", "class", "accountable", "inherited_from", "truncated"})
	for _, it := range o.Items {
		r := ownedRow(it)
		r[5] = strconv.FormatBool(it.Accountable)
		_ = cw.Write(append(r, strconv.FormatBool(o.Truncated)))
	}
	cw.Flush()
	return cw.Error()
}

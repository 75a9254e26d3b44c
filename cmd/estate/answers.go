package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
)

// The answer commands: owners, impact, shadow, health. Each prints a
// readable table by default and JSON (for scripts) with --format json; a
// ref that names nothing exits with exitNotFound.

func checkFormat(f string, allowed ...string) error {
	for _, a := range allowed {
		if f == a {
			return nil
		}
	}
	return usageError("--format %q: want %s", f, strings.Join(allowed, ", "))
}

// answerError gives NOT_FOUND its exit code and keeps the rest.
func answerError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, graph.ErrNotFound):
		return &codedError{code: exitNotFound, err: err}
	case errors.Is(err, graph.ErrInvalid):
		return &codedError{code: exitUsage, err: err}
	}
	return err
}

func (a *app) withStore(ctx context.Context, fn func(analysis.Store) error) error {
	s, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	return answerError(fn(s))
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func (a *app) ownersCommand() *cobra.Command {
	var format, from string
	cmd := &cobra.Command{
		Use:   "owners REF [REF...]",
		Short: "Who owns this? Owners, evidence, conflicts and escalation for a name, URL, hostname or ARN",
		Long: `Resolve REF (an application or service name, a repository URL or a link into a
repository, a hostname or URL, an ARN or cloud resource id or URL, an object in a
bucket, a team name; "Kind:key" picks a kind) and print who owns it: owners per
role with their precedence class and evidence, conflicts, the escalation chain
(team → parent team → business unit) and the people in the accountable teams.
Precedence: manual > descriptor > CODEOWNERS > cloud tag > inherited > commit
heuristics (docs/answers.md).

Several refs (arguments, or one per line of --refs-from: a scanner's report, an
alert's resources, a spreadsheet column) print one line each: the accountable
owners per role, or why there are none. --format csv writes such lines, for
one ref or many, for a spreadsheet.

Exit codes: 3 when a REF names nothing; 1 when one is ambiguous (the candidates
are printed). With several refs every line is printed first.`,
		Example: `  estate owners pay.acme.example
  estate owners --format csv --refs-from hosts.txt > owners.csv
  grep -o 'arn:[^ ]*' alert.txt | estate owners --refs-from -`,
		Args: func(cmd *cobra.Command, args []string) error {
			if from == "" && len(args) == 0 {
				return usageError("give a REF, or --refs-from FILE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if from != "" || len(args) > 1 || format == "csv" {
				return a.ownersOfEach(cmd.Context(), args, from, format)
			}
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			return a.withStore(cmd.Context(), func(s analysis.Store) error {
				o, err := analysis.WhoOwns(cmd.Context(), s, args[0])
				if err != nil {
					return err
				}
				if format == "json" {
					err = writeJSON(a.stdout, o)
				} else {
					err = writeOwners(a.stdout, o)
				}
				if err == nil && o.Ambiguous() {
					err = ambiguousError(args[0], len(o.Candidates), o.Candidates[0].Ref())
				}
				return err
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, json, or csv (one line per ref)")
	cmd.Flags().StringVar(&from, "refs-from", "", "read refs from FILE, one per line (- for standard input; blank lines and # comments skipped)")
	a.addStoreFlags(cmd)
	return cmd
}

func contactLine(c analysis.Contact) string {
	var parts []string
	for _, s := range []string{c.Email, c.Channel} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	parts = append(parts, c.Handles...)
	if c.Departed {
		parts = append(parts, "(in no team)")
	}
	return strings.Join(parts, " ")
}

func named(i analysis.Item) string {
	if i.Name != "" && i.Name != i.Key {
		return fmt.Sprintf("%s %s (%s)", i.Kind, i.Key, i.Name)
	}
	return fmt.Sprintf("%s %s", i.Kind, i.Key)
}

// ambiguousError says that ref names n things, with how to pick one.
func ambiguousError(ref string, n int, example graph.Ref) error {
	return fmt.Errorf("%q is ambiguous: %d candidates (prefix the kind, as in %s)", ref, n, example)
}

// writeCandidates lists what an ambiguous ref may mean.
func writeCandidates(w io.Writer, ref string, cs []analysis.Item) error {
	fmt.Fprintf(w, "%q may mean:\n", ref)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tKEY\tNAME")
	for _, c := range cs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Kind, c.Key, c.Name)
	}
	return tw.Flush()
}

func writeOwners(w io.Writer, o *analysis.Ownership) error {
	if o.Subject == nil {
		return writeCandidates(w, o.Ref, o.Candidates)
	}
	fmt.Fprintf(w, "%s (resolved by %s)\n\n", named(*o.Subject), o.Resolution)
	switch {
	case len(o.Owners) == 0 && o.Subject.Kind == graph.KindTeam:
		fmt.Fprintf(w, "Nobody owns a team: call the team itself, then the escalation below. What it answers for: estate owned-by %s\n", o.Subject.Ref())
	case len(o.Owners) == 0 && o.Subject.Kind == graph.KindPerson:
		fmt.Fprintf(w, "Nobody owns a person: call them, then the escalation below. What they answer for: estate owned-by %s\n", o.Subject.Ref())
	case len(o.Owners) == 0:
		fmt.Fprintln(w, "No owner, direct or inherited.")
	default:
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ROLE\tOWNER\tCLASS\tCONFIDENCE\tACCOUNTABLE\tCONTACT\tEVIDENCE")
		for _, x := range o.Owners {
			acc := ""
			if x.Accountable {
				acc = "yes"
			}
			ev := ""
			if len(x.Evidence) > 0 {
				ev = x.Evidence[0].Evidence
			}
			if x.InheritedFrom != nil {
				ev = "from " + x.InheritedFrom.Ref().String() + ": " + ev
			}
			fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\t%s\t%s\n", x.Role, x.Kind, x.Key, x.Class, x.Confidence, acc, contactLine(x.Contact), ev)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(o.Conflicts) > 0 {
		fmt.Fprintln(w, "\nConflicts:")
		for _, c := range o.Conflicts {
			state := "unresolved"
			if c.Resolved {
				state = "resolved"
			}
			fmt.Fprintf(w, "  %s (%s): %s\n", c.Role, state, c.Explanation)
		}
	}
	if len(o.Escalation) > 0 {
		fmt.Fprintln(w, "\nEscalation:")
		for _, ch := range o.Escalation {
			var steps []string
			for _, s := range ch.Steps {
				steps = append(steps, string(s.Kind)+" "+s.Key)
			}
			fmt.Fprintf(w, "  %s\n", strings.Join(steps, " → "))
		}
	}
	if len(o.People) > 0 {
		fmt.Fprintln(w, "\nPeople:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, p := range o.People {
			fmt.Fprintf(tw, "  %s\t%s\n", p.Name, contactLine(p))
		}
		return tw.Flush()
	}
	return nil
}

func (a *app) impactCommand() *cobra.Command {
	var (
		format, direction string
		depth             int
		paths             []string
	)
	cmd := &cobra.Command{
		Use:   "impact REF...",
		Short: "What breaks if this changes? Affected items, services, business units, tier and teams",
		Long: `Walk from the items the refs name (names, repository URLs and links, hostnames, ARNs) along
dependencies, runs-on, builds and part-of relationships, up to --depth, and print
every affected item with its path, grouped by service and business unit, with
the highest tier touched and the teams to notify.

--direction downstream (the default) is what breaks if the refs change;
upstream is what they rely on. --changed-path (repeatable) limits a
repository's applications to those whose directory holds a changed path.

Exit codes: 3 when a ref names nothing; 2 for a bad depth or an ambiguous ref.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			if direction != string(analysis.Downstream) && direction != string(analysis.Upstream) {
				return usageError("--direction %q: want downstream or upstream", direction)
			}
			if depth < 1 || depth > graph.MaxDepth {
				return usageError("--depth %d: want 1 to %d", depth, graph.MaxDepth)
			}
			return a.withStore(cmd.Context(), func(s analysis.Store) error {
				r, err := analysis.Impact(cmd.Context(), s, analysis.ImpactQuery{
					Refs: args, Direction: analysis.Direction(direction), MaxDepth: depth, ChangedPaths: paths,
				})
				if err != nil {
					return err
				}
				if format == "json" {
					return writeJSON(a.stdout, r)
				}
				return writeImpact(a.stdout, r)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "table", "output format: table or json")
	f.StringVar(&direction, "direction", "downstream", "downstream (what breaks) or upstream (what it relies on)")
	f.IntVar(&depth, "depth", analysis.DefaultImpactDepth, "how many relationships to follow (1 to 10)")
	f.StringArrayVar(&paths, "changed-path", nil, "a path changed in a repository among the refs (repeatable)")
	a.addStoreFlags(cmd)
	return cmd
}

// pathText shows the path from a start to item:
// start -TYPE-> next <-TYPE- next… (arrows as the relationships point).
func pathText(steps []analysis.PathStep, item graph.Ref) string {
	at := item
	for i := len(steps) - 1; i >= 0; i-- { // walk back to the start
		if steps[i].To == at {
			at = steps[i].From
		} else {
			at = steps[i].To
		}
	}
	var b strings.Builder
	b.WriteString(at.Key)
	for _, s := range steps {
		label := string(s.Type)
		if s.Path != "" {
			label += " " + s.Path
		}
		if s.From == at {
			fmt.Fprintf(&b, " -%s-> %s", label, s.To.Key)
			at = s.To
		} else {
			fmt.Fprintf(&b, " <-%s- %s", label, s.From.Key)
			at = s.From
		}
	}
	return b.String()
}

func writeImpact(w io.Writer, r *analysis.ImpactResult) error {
	var starts []string
	for _, s := range r.Starts {
		starts = append(starts, s.Ref().String())
	}
	fmt.Fprintf(w, "Impact %s of %s, depth %d", r.Direction, strings.Join(starts, ", "), r.MaxDepth)
	if len(r.ChangedPaths) > 0 {
		fmt.Fprintf(w, ", changed paths %s", strings.Join(r.ChangedPaths, ", "))
	}
	fmt.Fprintln(w)
	tier := "none"
	if r.HighestTier > 0 {
		tier = strconv.Itoa(r.HighestTier)
	}
	fmt.Fprintf(w, "Affected: %d items; highest tier touched: %s", len(r.Affected), tier)
	if r.Truncated {
		fmt.Fprint(w, " (truncated: more items were reachable)")
	}
	fmt.Fprintln(w)
	if len(r.Ignored) > 0 {
		var ig []string
		for _, i := range r.Ignored {
			ig = append(ig, i.Key)
		}
		fmt.Fprintf(w, "Not touched by the changed paths: %s\n", strings.Join(ig, ", "))
	}
	if len(r.Affected) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DEPTH\tKIND\tKEY\tPATH")
		for _, x := range r.Affected {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", x.Depth, x.Kind, x.Key, pathText(x.Path, x.Ref()))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.Services) > 0 || len(r.Unassigned) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SERVICE\tTIER\tBUSINESS UNIT\tAPPLICATIONS")
		for _, s := range r.Services {
			bu := "-"
			if s.BusinessUnit != nil {
				bu = s.BusinessUnit.Key
			}
			t := "-"
			if s.Tier > 0 {
				t = strconv.Itoa(s.Tier)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Service.Key, t, bu, keyList(s.Applications))
		}
		if len(r.Unassigned) > 0 {
			fmt.Fprintf(tw, "(no service)\t-\t-\t%s\n", keyList(r.Unassigned))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.BusinessUnits) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "BUSINESS UNIT\tHIGHEST TIER\tSERVICES")
		for _, u := range r.BusinessUnits {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", u.BusinessUnit.Key, u.HighestTier, keyList(u.Services))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.Notify) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NOTIFY\tCONTACT\tOWNS")
		for _, n := range r.Notify {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", n.Key, contactLine(n.Contact), strings.Join(n.For, ", "))
		}
		return tw.Flush()
	}
	return nil
}

func keyList(is []analysis.Item) string {
	ks := make([]string, len(is))
	for i, x := range is {
		ks[i] = x.Key
	}
	return strings.Join(ks, ", ")
}

func (a *app) shadowCommand() *cobra.Command {
	var (
		format        string
		kinds         []string
		account, unit string
		accepted      bool
		endingWithin  int
	)
	cmd := &cobra.Command{
		Use:   "shadow",
		Short: "What runs that nobody registered? The shadow estate, with an explanation per finding",
		Long: `List what no registered thing explains: unregistered cloud accounts, resources
with no owner or with tags naming unknown teams or applications, repositories
mapped to nothing, applications without a service, services without an owner or
business unit, and owners who left; with counts per kind, business unit and
account. Rules: docs/answers.md.

--finding, --account and --business-unit list only some findings (the counts
stay those of every open finding); an empty --account or --business-unit lists
the findings with none. Findings someone accepted ("estate shadow accept") are
left out, and --accepted lists them instead, with who accepted them, why and
until when; --ending-within N lists only those whose acceptance ends within N
days (with --accepted: the exceptions to review; without: the open findings
whose acceptance has lapsed). Finding kinds:
` + wrapList(analysis.FindingKinds, "  ", 80),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "table", "json", "csv"); err != nil {
				return err
			}
			filter := analysis.FindingFilter{Kinds: kinds, Accepted: accepted}
			if cmd.Flags().Changed("account") {
				filter.Account = &account
			}
			if cmd.Flags().Changed("business-unit") {
				filter.BusinessUnit = &unit
			}
			if cmd.Flags().Changed("ending-within") {
				if endingWithin < 1 {
					return usageError("--ending-within %d: want a number of days, at least 1", endingWithin)
				}
				filter.EndsBefore = time.Now().AddDate(0, 0, endingWithin)
			}
			if err := filter.Validate(); err != nil {
				return usageError("--finding: %v", err)
			}
			return a.withStore(cmd.Context(), func(s analysis.Store) error {
				r, err := analysis.ShadowEstate(cmd.Context(), s, time.Now())
				if err != nil {
					return err
				}
				all := len(r.Findings)
				if accepted {
					all = len(r.Accepted)
				}
				picked := r.Filter(filter)
				if accepted {
					r.Accepted = picked
				} else {
					r.Findings = picked
				}
				switch format {
				case "json":
					return writeJSON(a.stdout, r)
				case "csv":
					return writeShadowCSV(a.stdout, picked)
				}
				return writeShadow(a.stdout, r, picked, all, accepted)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, json or csv")
	cmd.Flags().StringArrayVar(&kinds, "finding", nil, "list only findings of this kind, e.g. unowned-resource (repeatable)")
	cmd.Flags().StringVar(&account, "account", "", "list only the findings of this cloud account key")
	cmd.Flags().StringVar(&unit, "business-unit", "", "list only the findings attributed to this business unit key")
	cmd.Flags().BoolVar(&accepted, "accepted", false, "list the accepted findings instead of the open ones")
	cmd.Flags().IntVar(&endingWithin, "ending-within", 0, "list only findings whose acceptance ends within this many days")
	a.addStoreFlags(cmd)
	cmd.AddCommand(a.shadowAcceptCommand(), a.shadowReopenCommand())
	return cmd
}

// wrapList joins words with ", " into lines of at most width characters,
// each starting with indent: a list in a --help text.
func wrapList(words []string, indent string, width int) string {
	var b strings.Builder
	line := indent
	for i, w := range words {
		if i < len(words)-1 {
			w += ","
		}
		if line != indent && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += w
	}
	b.WriteString(line)
	return b.String()
}

// writeShadow prints findings (all the open ones, or the accepted ones, or
// those a filter kept out of all); with the open ones, their counts.
func writeShadow(w io.Writer, r *analysis.ShadowReport, fs []analysis.Finding, all int, accepted bool) error {
	what := "open finding" + plural(all)
	switch {
	case accepted:
		what = "accepted finding" + plural(all)
	case len(r.Accepted) > 0:
		what += fmt.Sprintf(" (and %d accepted: estate shadow --accepted)", len(r.Accepted))
	}
	if len(fs) == all {
		fmt.Fprintf(w, "%d %s\n\n", all, what)
	} else {
		fmt.Fprintf(w, "%d of %d %s\n\n", len(fs), all, what)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if accepted {
		fmt.Fprintln(tw, "FINDING\tKIND\tITEM\tTAG\tBY\tUNTIL\tREASON")
	} else {
		fmt.Fprintln(tw, "FINDING\tKIND\tITEM\tACCOUNT\tEXPLANATION")
	}
	for _, f := range fs {
		if accepted {
			tag, until := "-", "no end"
			if f.Tag != "" {
				tag = f.Tag + "=" + f.Value
			}
			if !f.Acceptance.Until.IsZero() {
				until = f.Acceptance.Until.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Kind, f.Item.Kind, f.Item.Key, tag, f.Acceptance.By, until, f.Acceptance.Reason)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Kind, f.Item.Kind, f.Item.Key, orDash(f.Account), f.Explanation)
	}
	if err := tw.Flush(); err != nil || accepted {
		return err
	}
	for _, part := range []struct {
		title string
		cs    []analysis.Count
	}{{"FINDING", r.ByKind}, {"BUSINESS UNIT", r.ByBusinessUnit}, {"ACCOUNT", r.ByAccount}} {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "%s\tFINDINGS\n", part.title)
		for _, c := range part.cs {
			k := c.Key
			if k == "" {
				k = "(none)"
			}
			if c.Name != "" {
				k += " (" + c.Name + ")"
			}
			fmt.Fprintf(tw, "%s\t%d\n", k, c.Count)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// writeShadowCSV writes findings one a row; the acceptance columns are
// filled on accepted findings and on open ones whose acceptance ended.
func writeShadowCSV(w io.Writer, fs []analysis.Finding) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"finding", "kind", "key", "name", "account", "business_units", "tag", "value", "archived", "explanation",
		"accepted_by", "accepted_at", "accepted_until", "accepted_reason"})
	for _, f := range fs {
		var acc [4]string
		if a := f.Acceptance; a != nil {
			acc = [4]string{a.By, a.At.UTC().Format(time.RFC3339), "", a.Reason}
			if !a.Until.IsZero() {
				acc[2] = a.Until.UTC().Format(time.RFC3339)
			}
		}
		_ = cw.Write(append([]string{f.Kind, string(f.Item.Kind), f.Item.Key, f.Item.Name, f.Account,
			strings.Join(f.BusinessUnits, ";"), f.Tag, f.Value, strconv.FormatBool(f.Archived), f.Explanation}, acc[:]...))
	}
	cw.Flush()
	return cw.Error()
}

func (a *app) healthCommand() *cobra.Command {
	var (
		format    string
		staleDays int
	)
	cmd := &cobra.Command{
		Use:   "health",
		Short: "How good is the CMDB? Completeness and staleness, overall and per business unit",
		Long: `Print completeness (services with an owner, repositories mapped to an application
or resource, cloud resources with an owner) and staleness (items not seen for
--stale-days), overall and per business unit. Formulas: docs/answers.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			if staleDays < 1 {
				return usageError("--stale-days %d: want at least 1", staleDays)
			}
			return a.withStore(cmd.Context(), func(s analysis.Store) error {
				r, err := analysis.Health(cmd.Context(), s, time.Duration(staleDays)*24*time.Hour, time.Now())
				if err != nil {
					return err
				}
				if format == "json" {
					return writeJSON(a.stdout, r)
				}
				return writeHealth(a.stdout, r, staleDays)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	cmd.Flags().IntVar(&staleDays, "stale-days", 30, "an item not seen for more days than this is stale")
	a.addStoreFlags(cmd)
	return cmd
}

func ratioText(r analysis.Ratio) string {
	return fmt.Sprintf("%.1f%% (%d/%d)", r.Percent, r.Count, r.Total)
}

func writeHealth(w io.Writer, r *analysis.HealthReport, staleDays int) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCOPE\tSERVICES OWNED\tREPOSITORIES MAPPED\tRESOURCES OWNED\tSTALE")
	row := func(name string, c analysis.Completeness, stale analysis.Ratio) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, ratioText(c.ServicesOwned), ratioText(c.RepositoriesMapped), ratioText(c.ResourcesOwned), ratioText(stale))
	}
	row("(all)", r.Completeness, r.Staleness.Stale)
	for _, u := range r.ByBusinessUnit {
		row(u.BusinessUnit.Key, u.Completeness, u.Stale)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nNot seen for more than %d days:\n", staleDays)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tSTALE")
	for _, k := range r.Staleness.ByKind {
		fmt.Fprintf(tw, "%s\t%s\n", k.Kind, ratioText(k.Ratio))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Staleness.Oldest) > 0 {
		fmt.Fprintln(w, "\nLeast recently seen:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, o := range r.Staleness.Oldest {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", o.Kind, o.Key, o.LastSeen.Format(time.RFC3339))
		}
		return tw.Flush()
	}
	return nil
}

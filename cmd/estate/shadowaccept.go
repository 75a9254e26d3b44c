package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
)

// The shadow estate's triage: accepting findings that may stand, and
// reopening them.

func (a *app) shadowAcceptCommand() *cobra.Command {
	var (
		sel           findingSelection
		reason, until string
		by            string
	)
	cmd := &cobra.Command{
		Use:   "accept (FINDING REF | --from FILE|-) --reason R [--until DATE]",
		Short: "Accept findings that may stand, with a reason and an end",
		Long: `Record that findings are known and may stand, for --reason (a ticket, why), until
--until (a date: through the end of that day, UTC; or an RFC 3339 time) or with
no end. "estate shadow" then lists them with --accepted, and leaves them out of
its findings and counts, until the end passes or "estate shadow reopen".

Name one finding by its kind and its item (REF, read as whoOwns reads it;
--tag and --value for a tag finding), or many with --from: a CSV file ("-" for
standard input) with the columns finding, kind, key, tag and value, as
"estate shadow --format csv" writes them — keep the rows to accept. Every
finding must be one the shadow estate lists, or nothing is written; a file of
more than 500 is written in turns of 500, and a turn refused says how many
the turns before it accepted.
The decision is the label shadow-accepted/FINDING[/TAG=VALUE] on the item,
kept by every sync and in its history, by --by (default: your user name).`,
		Example: `  estate shadow accept unmapped-repository github.com/acme/engineering-handbook --reason "DOC-3: docs only"
  estate shadow accept unknown-team-tag growth-analytics --tag team --value growth-hackers --reason "CHG-12" --until 2027-03-31
  estate shadow --finding unmapped-repository --format csv > repos.csv   # keep the rows to accept, then:
  estate shadow accept --from repos.csv --reason "REV-2026-11: reviewed, not deployed"`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			untilT, err := acceptUntil(until)
			if err != nil {
				return err
			}
			ctx := graph.WithActor(cmd.Context(), by)
			return a.withFindings(ctx, sel, args, func(s graph.Store, refs []analysis.FindingRef) error {
				n, err := a.inTurns(refs, "Accepted", func(part []analysis.FindingRef) ([]analysis.Finding, error) {
					return analysis.AcceptFindings(ctx, s, part, analysis.Acceptance{By: by, Reason: reason, Until: untilT}, time.Now())
				})
				if err != nil {
					return err
				}
				end := "with no end"
				if !untilT.IsZero() {
					end = "until " + untilT.Format(time.RFC3339)
				}
				_, err = fmt.Fprintf(a.stdout, "Accepted %d finding%s %s.\n", n, plural(n), end)
				return err
			})
		},
	}
	sel.flags(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why the findings may stand: a ticket, a sentence (required)")
	cmd.Flags().StringVar(&until, "until", "", "when they are open again: a date (through that day, UTC) or an RFC 3339 time; none for no end")
	cmd.Flags().StringVar(&by, "by", currentUser(), "who accepts them, as the report and the history show it")
	a.addStoreFlags(cmd)
	return cmd
}

func (a *app) shadowReopenCommand() *cobra.Command {
	var sel findingSelection
	cmd := &cobra.Command{
		Use:   "reopen (FINDING REF | --from FILE|-)",
		Short: "Reopen accepted findings: their acceptance is removed",
		Long: `Remove the acceptance of findings, named as "estate shadow accept" names them
("estate shadow --accepted --format csv" writes such a file). Every finding must
be accepted, or nothing is written.`,
		Example: `  estate shadow reopen unmapped-repository github.com/acme/engineering-handbook`,
		Args:    cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withFindings(cmd.Context(), sel, args, func(s graph.Store, refs []analysis.FindingRef) error {
				n, err := a.inTurns(refs, "Reopened", func(part []analysis.FindingRef) ([]analysis.Finding, error) {
					return analysis.ReopenFindings(cmd.Context(), s, part, time.Now())
				})
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(a.stdout, "Reopened %d finding%s.\n", n, plural(n))
				return err
			})
		},
	}
	sel.flags(cmd)
	a.addStoreFlags(cmd)
	return cmd
}

// inTurns calls do with refs in turns of analysis.MaxAcceptances, the
// limit of one call, each turn its own write, with a progress bar on a
// terminal. It returns how many findings the turns took; when a turn is
// refused after others were written, its error says how many were.
func (a *app) inTurns(refs []analysis.FindingRef, verb string, do func([]analysis.FindingRef) ([]analysis.Finding, error)) (int, error) {
	add, done := a.progress(strings.ToLower(verb), int64(len(refs)))
	defer done()
	n := 0
	for part := range slices.Chunk(refs, analysis.MaxAcceptances) {
		fs, err := do(part)
		switch {
		case err != nil && n > 0:
			return n, fmt.Errorf("%s %d of %d findings; the rest was refused: %w", verb, n, len(refs), err)
		case err != nil:
			return 0, err
		}
		n += len(fs)
		add(len(part))
	}
	return n, nil
}

// findingSelection is how accept and reopen name findings: FINDING REF
// with --tag and --value, or --from a CSV file.
type findingSelection struct{ tag, value, from string }

func (sel *findingSelection) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&sel.tag, "tag", "", "the tag of a tag finding")
	cmd.Flags().StringVar(&sel.value, "value", "", "the tag's value of a tag finding")
	cmd.Flags().StringVar(&sel.from, "from", "", `a CSV file of findings ("-" for standard input), as "estate shadow --format csv" writes them`)
}

// withFindings opens the store and calls fn with the findings args or
// --from name; errors get the answers' exit codes.
func (a *app) withFindings(ctx context.Context, sel findingSelection, args []string, fn func(graph.Store, []analysis.FindingRef) error) error {
	switch {
	case sel.from != "" && len(args) > 0:
		return usageError("name findings as FINDING REF or with --from, not both")
	case sel.from == "" && len(args) != 2:
		return usageError("name a finding as FINDING REF (such as unmapped-repository github.com/acme/docs), or use --from")
	case sel.from != "" && (sel.tag != "" || sel.value != ""):
		return usageError("--tag and --value name one finding's tag; with --from the file has them")
	}
	var refs []analysis.FindingRef
	if sel.from != "" {
		var err error
		if refs, err = a.readFindings(sel.from); err != nil {
			return err
		}
	}
	s, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if sel.from == "" {
		n, err := one(ctx, s, args[1])
		if err != nil {
			return answerError(err)
		}
		refs = []analysis.FindingRef{{Kind: args[0], Item: n.Ref(), Tag: sel.tag, Value: sel.value}}
	}
	return answerError(fn(s, refs))
}

// findingColumns are the columns of a findings CSV that name a finding.
var findingColumns = []string{"finding", "kind", "key", "tag", "value"}

// readFindings reads a CSV of findings with a header naming at least
// findingColumns, in any order among others.
func (a *app) readFindings(from string) ([]analysis.FindingRef, error) {
	in := a.stdin
	if from != "-" {
		f, err := os.Open(from)
		if err != nil {
			return nil, usageError("--from: %v", err)
		}
		defer f.Close()
		in = f
	}
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, usageError("--from %s: no header line: %v", from, err)
	}
	at := make([]int, len(findingColumns))
	for i, c := range findingColumns {
		if at[i] = slices.Index(head, c); at[i] < 0 {
			return nil, usageError("--from %s: the header has no column %q (want %v, as estate shadow --format csv writes)", from, c, findingColumns)
		}
	}
	var out []analysis.FindingRef
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, usageError("--from %s: %v", from, err)
		}
		col := func(i int) string {
			if at[i] < len(rec) {
				return rec[at[i]]
			}
			return ""
		}
		kind := graph.Kind(col(1))
		if !kind.Valid() {
			return nil, usageError("--from %s line %d: %q is not a kind of entity", from, line, col(1))
		}
		out = append(out, analysis.FindingRef{Kind: col(0), Item: graph.Ref{Kind: kind, Key: col(2)}, Tag: col(3), Value: col(4)})
	}
	if len(out) == 0 {
		return nil, usageError("--from %s: no findings after the header", from)
	}
	return out, nil
}

// acceptUntil reads --until: a date is through the end of that day (UTC).
func acceptUntil(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.AddDate(0, 0, 1), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, usageError("--until %q: want a date such as 2027-03-31 or an RFC 3339 time", v)
	}
	return t, nil
}

// currentUser names who runs the command, for the record of a decision.
func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

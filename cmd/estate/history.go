package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
)

func (a *app) historyCommand() *cobra.Command {
	var (
		format      string
		since, asOf string
		limit       int
	)
	cmd := &cobra.Command{
		Use:   "history REF",
		Short: "The audit trail of an entity: who changed what and when; or its state at a past time",
		Long: `Resolve REF as "estate owners" does and print the recorded changes to it and to
its relationships, newest first: when, what, who (a token's name or an ingest
source), through which source, and field by field what changed.

With --as-of TIME (RFC 3339) print instead the entity and its relationships as
the CMDB held them at that time.

Exit codes: 3 when REF names nothing; 1 when it is ambiguous; 2 for bad flags.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			sinceT, err := optionalTime("--since", since)
			if err != nil {
				return err
			}
			asOfT, err := optionalTime("--as-of", asOf)
			if err != nil {
				return err
			}
			if limit < 1 {
				return usageError("--limit %d: want at least 1", limit)
			}
			s, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			return answerError(a.history(cmd.Context(), s, args[0], format, sinceT, asOfT, limit))
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	cmd.Flags().StringVar(&since, "since", "", "only changes after this time (RFC 3339)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "print the state at this time (RFC 3339) instead of the changes")
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many changes")
	a.addStoreFlags(cmd)
	return cmd
}

func optionalTime(flag, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, usageError("%s %q: want an RFC 3339 time such as 2026-11-01T09:00:00Z", flag, v)
	}
	return t, nil
}

func (a *app) history(ctx context.Context, s graph.Store, ref, format string, since, asOf time.Time, limit int) error {
	r, err := analysis.Resolve(ctx, s, ref, nil)
	if err != nil {
		return err
	}
	if r.Subject == nil {
		return ambiguousError(ref, len(r.Candidates), r.Candidates[0].Ref())
	}
	id := r.Subject.ID
	if !asOf.IsZero() {
		snap, err := graph.AsOf(ctx, s, id, asOf)
		if err != nil {
			return err
		}
		if format == "json" {
			return writeJSON(a.stdout, snap)
		}
		return writeSnapshot(a.stdout, r.Subject.Ref(), snap)
	}
	var events []*graph.AuditEvent
	q := graph.HistoryQuery{ID: id, Since: since, First: min(limit, graph.MaxPageSize)}
	for len(events) < limit {
		p, err := s.History(ctx, q)
		if err != nil {
			return err
		}
		events = append(events, p.Events...)
		if !p.HasNext {
			break
		}
		q.After = p.EndCursor
	}
	events = events[:min(len(events), limit)]
	if format == "json" {
		if events == nil {
			events = []*graph.AuditEvent{}
		}
		return writeJSON(a.stdout, events)
	}
	return writeHistory(a.stdout, r.Subject.Ref(), events)
}

// auditItem names what an event changed.
func auditItem(e *graph.AuditEvent) string {
	if e.IsEdge() {
		return fmt.Sprintf("%s %s → %s", e.Type, e.From, e.To)
	}
	return graph.Ref{Kind: e.Kind, Key: e.Key}.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeHistory(w io.Writer, subject graph.Ref, events []*graph.AuditEvent) error {
	fmt.Fprintf(w, "History of %s, newest first\n\n", subject)
	if len(events) == 0 {
		fmt.Fprintln(w, "No recorded changes.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tCHANGE\tITEM\tBY\tSOURCE\tWHAT CHANGED")
	for _, e := range events {
		var changes []string
		for _, c := range e.Changes {
			changes = append(changes, fmt.Sprintf("%s: %s → %s", c.Field, orDash(c.Before), orDash(c.After)))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.At.Format(time.RFC3339), e.Op, auditItem(e),
			orDash(e.Actor), orDash(e.Source), orDash(strings.Join(changes, "; ")))
	}
	return tw.Flush()
}

func writeSnapshot(w io.Writer, subject graph.Ref, s *graph.Snapshot) error {
	fmt.Fprintf(w, "%s as of %s\n\n", subject, s.At.Format(time.RFC3339))
	if s.Node == nil {
		fmt.Fprintln(w, "Did not exist then.")
		return nil
	}
	fmt.Fprintf(w, "Name: %s\n", s.Node.Name)
	for _, k := range graph.PropNames(s.Node.Kind) {
		if v, ok := s.Node.Props[k]; ok {
			fmt.Fprintf(w, "%s: %s\n", k, graph.FormatValue(v))
		}
	}
	var sources []string
	for _, as := range s.Node.Assertions {
		sources = append(sources, as.Source)
	}
	fmt.Fprintf(w, "Sources: %s\n\n", strings.Join(sources, ", "))
	if len(s.Edges) == 0 {
		fmt.Fprintln(w, "No relationships.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tFROM\tTO")
	for _, e := range s.Edges {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Type, e.From, e.To)
	}
	if s.Truncated {
		fmt.Fprintln(tw, "…\t(more relationships than one read returns)\t")
	}
	return tw.Flush()
}

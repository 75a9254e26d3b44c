package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
)

// ownersOfEach is `estate owners` with several refs: one line per ref, in
// the order given, every line printed before the exit code says that some
// named nothing (exitNotFound) or were ambiguous.
func (a *app) ownersOfEach(ctx context.Context, args []string, from, format string) error {
	if err := checkFormat(format, "table", "json", "csv"); err != nil {
		return err
	}
	refs := slices.Clone(args)
	if from != "" {
		more, err := a.readRefs(from)
		if err != nil {
			return err
		}
		refs = append(refs, more...)
	}
	if len(refs) == 0 {
		return usageError("--refs-from %s: no refs in it", from)
	}
	return a.withStore(ctx, func(s analysis.Store) error {
		add, done := a.progress("who owns", int64(len(refs)))
		lookups := make([]analysis.OwnerLookup, 0, len(refs))
		for chunk := range slices.Chunk(refs, analysis.MaxOwnerLookups) {
			ls, err := analysis.WhoOwnsEach(ctx, s, chunk)
			if err != nil {
				done()
				return err
			}
			lookups = append(lookups, ls...)
			add(len(chunk))
		}
		done()
		var err error
		switch format {
		case "json":
			err = writeJSON(a.stdout, lookups)
		case "csv":
			err = writeLookupsCSV(a.stdout, lookups)
		default:
			err = writeLookups(a.stdout, lookups)
		}
		if err != nil {
			return err
		}
		return lookupsOutcome(lookups)
	})
}

// readRefs reads one ref per line from a file (- for standard input),
// skipping blank lines and # comments.
func (a *app) readRefs(from string) ([]string, error) {
	in := a.stdin
	if from != "-" {
		f, err := os.Open(from)
		if err != nil {
			return nil, fmt.Errorf("--refs-from: %w", err)
		}
		defer f.Close()
		in = f
	}
	var refs []string
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 64<<10) // a ref is at most a URL; a longer line is not one
	for sc.Scan() {
		r := strings.TrimSpace(sc.Text())
		if r == "" || strings.HasPrefix(r, "#") {
			continue
		}
		refs = append(refs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--refs-from %s: after %d refs: %w", from, len(refs), err)
	}
	return refs, nil
}

// lookupRow is one ref's line: what it names, its accountable owners by
// role (graph.OwnerRoles' order), who to call first (the first of them),
// and why there are none.
func lookupRow(l analysis.OwnerLookup) (subject string, owners []string, contact, note string) {
	owners = make([]string, len(graph.OwnerRoles))
	switch o := l.Answer; {
	case l.Err != nil:
		return "", owners, "", l.Err.Error()
	case o.Subject == nil:
		var c []string
		for _, n := range o.Candidates {
			c = append(c, n.Ref().String())
		}
		return "", owners, "", "ambiguous: " + strings.Join(c, ", ")
	default:
		for i, role := range graph.OwnerRoles {
			var keys []string
			for _, w := range o.Accountable(role) {
				keys = append(keys, w.Key)
				if contact == "" {
					contact = contactLine(w.Contact)
				}
			}
			owners[i] = strings.Join(keys, ", ")
		}
		if len(o.Owners) == 0 {
			note = "no owner, direct or inherited"
		}
		return o.Subject.Ref().String(), owners, contact, note
	}
}

func writeLookups(w io.Writer, ls []analysis.OwnerLookup) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := []string{"REF", "SUBJECT"}
	for _, r := range graph.OwnerRoles {
		head = append(head, strings.ToUpper(r))
	}
	fmt.Fprintln(tw, strings.Join(append(head, "CONTACT", "NOTE"), "\t"))
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for _, l := range ls {
		subject, owners, contact, note := lookupRow(l)
		cells := []string{l.Ref, dash(subject)}
		for _, o := range owners {
			cells = append(cells, dash(o))
		}
		fmt.Fprintln(tw, strings.Join(append(cells, dash(contact), note), "\t"))
	}
	return tw.Flush()
}

func writeLookupsCSV(w io.Writer, ls []analysis.OwnerLookup) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(slices.Concat([]string{"ref", "subject"}, graph.OwnerRoles, []string{"contact", "code", "note"}))
	for _, l := range ls {
		subject, owners, contact, note := lookupRow(l)
		code := ""
		if c := l.Code(); c != nil {
			code = *c
		}
		_ = cw.Write(slices.Concat([]string{l.Ref, subject}, owners, []string{contact, code, note}))
	}
	cw.Flush()
	return cw.Error()
}

// lookupsOutcome is the exit of a list: exitNotFound when some ref names
// nothing, exitError when some is ambiguous or cannot be read.
func lookupsOutcome(ls []analysis.OwnerLookup) error {
	var missing, unclear int
	for _, l := range ls {
		switch {
		case graph.CodeOf(l.Err) == graph.CodeNotFound:
			missing++
		case l.Err != nil || l.Answer.Subject == nil:
			unclear++
		}
	}
	err := fmt.Errorf("of %d refs, naming nothing: %d; ambiguous or unreadable: %d", len(ls), missing, unclear)
	switch {
	case missing > 0:
		return &codedError{code: exitNotFound, err: err}
	case unclear > 0:
		return err
	}
	return nil
}

package analysis

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/estate-cmdb/estate/graph"
)

// Accepting a shadow finding is a person's decision that it is known and
// may stand — an exception, with a reason and perhaps an end — so that the
// shadow estate lists what still needs someone's decision, and a finding
// nobody can fix does not stay in every count forever. The decision is a
// label on the finding's entity (graph.AcceptedFindingLabel) whose value
// reads as a sentence; the entity's history keeps who wrote and removed it.
// It goes when the entity goes, and if the finding ends and comes back it
// is still accepted, until its end.

// MaxAcceptances is how many findings one AcceptFindings or ReopenFindings
// call takes.
const MaxAcceptances = 500

// maxReasonRunes bounds an acceptance's reason: a ticket and a sentence.
const maxReasonRunes = 500

// Acceptance is the decision that a finding may stand.
type Acceptance struct {
	// By is who accepted it: the API caller or the command line's user.
	By string    `json:"by"`
	At time.Time `json:"at"`
	// Until is when the finding is open again; zero for no end.
	Until  time.Time `json:"until,omitzero"`
	Reason string    `json:"reason"`
}

// Expired reports whether the acceptance has ended at now.
func (a *Acceptance) Expired(now time.Time) bool { return !a.Until.IsZero() && !now.Before(a.Until) }

// String is the label's value: `accepted by "BY" at AT[ until UNTIL]:
// REASON`, the name quoted so that nothing in it reads as the rest.
func (a *Acceptance) String() string {
	s := "accepted by " + strconv.Quote(a.By) + " at " + a.At.UTC().Format(time.RFC3339)
	if !a.Until.IsZero() {
		s += " until " + a.Until.UTC().Format(time.RFC3339)
	}
	return s + ": " + a.Reason
}

var acceptanceText = regexp.MustCompile(`^accepted by ("(?:[^"\\]|\\.)*") at (\S+)(?: until (\S+))?: (.*)$`)

// parseAcceptance reads a label value String wrote; ok is false for
// anything else, which then accepts nothing.
func parseAcceptance(v string) (a *Acceptance, ok bool) {
	m := acceptanceText.FindStringSubmatch(v)
	if m == nil {
		return nil, false
	}
	a = &Acceptance{Reason: m[4]}
	var err error
	if a.By, err = strconv.Unquote(m[1]); err != nil {
		return nil, false
	}
	if a.At, err = time.Parse(time.RFC3339, m[2]); err != nil {
		return nil, false
	}
	if m[3] != "" {
		if a.Until, err = time.Parse(time.RFC3339, m[3]); err != nil {
			return nil, false
		}
	}
	return a, true
}

// FindingRef names one finding: its kind, its item, and for a tag finding
// the tag and value.
type FindingRef struct {
	Kind  string    `json:"kind"`
	Item  graph.Ref `json:"item"`
	Tag   string    `json:"tag,omitempty"`
	Value string    `json:"value,omitempty"`
}

func (r FindingRef) String() string {
	s := r.Kind + " of " + r.Item.String()
	if r.Tag != "" || r.Value != "" {
		s += " (tag " + r.Tag + "=" + r.Value + ")"
	}
	return s
}

// Ref names the finding.
func (f *Finding) Ref() FindingRef {
	return FindingRef{Kind: f.Kind, Item: f.Item.Ref(), Tag: f.Tag, Value: f.Value}
}

// Annotator is what accepting and reopening findings need: the answers'
// reads and writing labels.
type Annotator interface {
	Store
	Annotate(ctx context.Context, labels map[graph.ID]map[string]string) error
}

// AcceptFindings records a as the acceptance of each finding (replacing
// one it had), in one write, and returns the findings as the report now
// lists them among the accepted. a.At is set to now. Errors, before
// anything is written: CodeInvalid for no findings, a reason that is empty
// or over 500 characters, or an end that is not after now;
// CodeLimitExceeded for more than MaxAcceptances; CodeNotFound naming a
// ref the shadow estate does not list.
func AcceptFindings(ctx context.Context, s Annotator, refs []FindingRef, a Acceptance, now time.Time) ([]Finding, error) {
	a.By, a.Reason = oneLine(a.By), oneLine(a.Reason)
	switch {
	case a.Reason == "":
		return nil, graph.Errorf(graph.CodeInvalid, "accept findings: a reason is required (a ticket, why it may stand)")
	case utf8.RuneCountInString(a.Reason) > maxReasonRunes:
		return nil, graph.Errorf(graph.CodeInvalid, "accept findings: the reason has %d characters, over the limit of %d", utf8.RuneCountInString(a.Reason), maxReasonRunes)
	case !a.Until.IsZero() && !a.Until.After(now):
		return nil, graph.Errorf(graph.CodeInvalid, "accept findings: until %s is not after now (%s)", a.Until.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if a.By == "" {
		a.By = "unknown"
	}
	a.At = now.UTC().Truncate(time.Second)
	found, err := findFindings(ctx, s, refs, now, false)
	if err != nil {
		return nil, err
	}
	labels := map[graph.ID]map[string]string{}
	for i := range found {
		f := &found[i]
		f.Acceptance = &a
		setLabel(labels, f, a.String())
	}
	if err := s.Annotate(ctx, labels); err != nil {
		return nil, fmt.Errorf("accept findings: %w", err)
	}
	return found, nil
}

// ReopenFindings removes the acceptance of each finding, in one write, and
// returns the findings as the report now lists them among the open ones.
// Errors, before anything is written: CodeInvalid for no findings,
// CodeLimitExceeded for more than MaxAcceptances, CodeNotFound naming a ref
// the shadow estate does not list or that has no acceptance.
func ReopenFindings(ctx context.Context, s Annotator, refs []FindingRef, now time.Time) ([]Finding, error) {
	found, err := findFindings(ctx, s, refs, now, true)
	if err != nil {
		return nil, err
	}
	labels := map[graph.ID]map[string]string{}
	for i := range found {
		found[i].Acceptance = nil
		setLabel(labels, &found[i], "")
	}
	if err := s.Annotate(ctx, labels); err != nil {
		return nil, fmt.Errorf("reopen findings: %w", err)
	}
	return found, nil
}

// oneLine is s with each run of white space one space, and none at the
// ends: what an acceptance's name and reason keep.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func setLabel(labels map[graph.ID]map[string]string, f *Finding, v string) {
	id := f.Item.Node.ID
	if labels[id] == nil {
		labels[id] = map[string]string{}
	}
	labels[id][graph.AcceptedFindingLabel(f.Kind, f.Tag, f.Value)] = v
}

// CheckFindingCount refuses n findings named to AcceptFindings or
// ReopenFindings when it is none (CodeInvalid) or over MaxAcceptances
// (CodeLimitExceeded): what a caller can check before reading anything.
func CheckFindingCount(n int) error {
	switch {
	case n == 0:
		return graph.Errorf(graph.CodeInvalid, "no findings named")
	case n > MaxAcceptances:
		return graph.Errorf(graph.CodeLimitExceeded, "%d findings is over the limit of %d", n, MaxAcceptances)
	}
	return nil
}

// findFindings returns the findings refs name, open or accepted, in the
// order asked (a repeated ref once); with accepted, each must have an
// acceptance.
func findFindings(ctx context.Context, s Store, refs []FindingRef, now time.Time, accepted bool) ([]Finding, error) {
	if err := CheckFindingCount(len(refs)); err != nil {
		return nil, err
	}
	rep, err := ShadowEstate(ctx, s, now)
	if err != nil {
		return nil, err
	}
	all := make(map[FindingRef]*Finding, len(rep.Findings)+len(rep.Accepted))
	for _, fs := range [][]Finding{rep.Findings, rep.Accepted} {
		for i := range fs {
			all[fs[i].Ref()] = &fs[i]
		}
	}
	out := make([]Finding, 0, len(refs))
	seen := make(map[FindingRef]bool, len(refs))
	for _, r := range refs {
		f := all[r]
		switch {
		case f == nil:
			return nil, graph.Errorf(graph.CodeNotFound, "the shadow estate has no finding %s", r)
		case accepted && f.Acceptance == nil:
			return nil, graph.Errorf(graph.CodeNotFound, "finding %s is not accepted", r)
		case seen[r]:
			continue
		}
		seen[r] = true
		out = append(out, *f)
	}
	return out, nil
}

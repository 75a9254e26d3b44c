package graph

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RunStatus is the state of an ingest run.
type RunStatus string

// Run statuses. A run is recorded as running when it starts and rewritten
// with one of the other three when it ends.
const (
	RunRunning   RunStatus = "running"
	RunSucceeded RunStatus = "succeeded"
	RunPartial   RunStatus = "partial"
	RunFailed    RunStatus = "failed"
)

// ScheduledBy is IngestRun.StartedBy of a run a server's schedule started.
const ScheduledBy = "schedule"

// RunStatuses lists the statuses in a fixed order.
var RunStatuses = []RunStatus{RunRunning, RunSucceeded, RunPartial, RunFailed}

// Valid reports whether s is a known status.
func (s RunStatus) Valid() bool { return slices.Contains(RunStatuses, s) }

// MaxRunItems caps the item errors and the warnings a stored run keeps; its
// counts say how many there were in all.
const MaxRunItems = 100

// RunItem is a problem with one item of a run. Scope is the part of the
// source's system the item belongs to (scope.go), "" when the problem is
// not confined to one.
type RunItem struct {
	Item  string `json:"item"`
	Err   string `json:"error"`
	Scope string `json:"scope,omitempty"`
}

// IngestRun is the record of one ingest run: what a source found, what the
// store did with it, and what went wrong. The ingest engine writes it when
// the run starts, as it progresses and when it ends; the ids of runs are the
// Run of the assertions the run made.
type IngestRun struct {
	ID     string    `json:"id"`
	Source string    `json:"source"`
	Status RunStatus `json:"status"`
	// StartedBy says who started the run: the API caller's name, or
	// ScheduledBy for a server's schedule; empty for the command line.
	StartedBy string `json:"startedBy,omitempty"`
	// Started is required; Ended is zero while the run is running.
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended,omitzero"`
	// Nodes and Edges count what the source emitted so far.
	Nodes   int         `json:"nodes"`
	Edges   int         `json:"edges"`
	Applied ApplyResult `json:"applied"`
	// Swept is what the sweep after a complete run removed; SweepHeld says
	// why nothing was swept (a partial run, the mass-deletion guard).
	Swept     *SweepResult `json:"swept,omitempty"`
	SweepHeld string       `json:"sweepHeld,omitempty"`
	// KeptScopes are the scopes of a partial run's item errors, which its
	// sweep left as they were (SweepRequest.Keep).
	KeptScopes []string `json:"keptScopes,omitempty"`
	// Errors keeps the first MaxRunItems item errors, ErrorCount counts all
	// of them; the same for warnings.
	Errors       []RunItem `json:"errors,omitempty"`
	ErrorCount   int       `json:"errorCount,omitempty"`
	Warnings     []RunItem `json:"warnings,omitempty"`
	WarningCount int       `json:"warningCount,omitempty"`
	// Err is why a failed run failed.
	Err string `json:"error,omitempty"`
	// Summary holds figures computed after the run, such as the shadow
	// estate's finding counts, so trends across runs can be drawn.
	Summary map[string]int `json:"summary,omitempty"`
}

// CloneRun returns a deep copy of r (nil for nil), so stores never share
// what a caller may change.
func CloneRun(r *IngestRun) *IngestRun {
	if r == nil {
		return nil
	}
	c := *r
	if r.Swept != nil {
		sw := *r.Swept
		c.Swept = &sw
	}
	c.KeptScopes = slices.Clone(r.KeptScopes)
	c.Errors = slices.Clone(r.Errors)
	c.Warnings = slices.Clone(r.Warnings)
	if r.Summary != nil {
		c.Summary = make(map[string]int, len(r.Summary))
		for k, v := range r.Summary {
			c.Summary[k] = v
		}
	}
	return &c
}

// ValidateRun checks a run record and returns the copy a store keeps: id
// and source trimmed, times in UTC, item lists capped at MaxRunItems with
// their counts at least the number listed. Errors: CodeInvalid for an empty
// or malformed id or source, an unknown status, a missing start, an end
// before the start, negative counts.
func ValidateRun(r IngestRun) (*IngestRun, error) {
	c := CloneRun(&r)
	c.ID, c.Source = strings.TrimSpace(c.ID), strings.TrimSpace(c.Source)
	switch {
	case c.ID == "":
		return nil, Errorf(CodeInvalid, "ingest run id is empty")
	case len(c.ID) > 256 || hasControl(c.ID):
		return nil, Errorf(CodeInvalid, "ingest run id %q is malformed", c.ID)
	}
	if err := validSource(c.Source); err != nil {
		return nil, &Error{Code: CodeInvalid, Msg: "ingest run " + c.ID, Err: err}
	}
	if !c.Status.Valid() {
		return nil, Errorf(CodeInvalid, "ingest run %s: unknown status %q (want one of %s)", c.ID, c.Status, statusList())
	}
	if c.Started.IsZero() {
		return nil, Errorf(CodeInvalid, "ingest run %s: start time is missing", c.ID)
	}
	if !c.Ended.IsZero() && c.Ended.Before(c.Started) {
		return nil, Errorf(CodeInvalid, "ingest run %s: ends before it starts", c.ID)
	}
	a := c.Applied
	if c.Nodes < 0 || c.Edges < 0 || c.ErrorCount < 0 || c.WarningCount < 0 ||
		a.NodesCreated < 0 || a.NodesUpdated < 0 || a.EdgesCreated < 0 || a.EdgesUpdated < 0 {
		return nil, Errorf(CodeInvalid, "ingest run %s: negative count", c.ID)
	}
	c.Started = c.Started.UTC()
	if !c.Ended.IsZero() {
		c.Ended = c.Ended.UTC()
	}
	c.ErrorCount = max(c.ErrorCount, len(c.Errors))
	c.WarningCount = max(c.WarningCount, len(c.Warnings))
	c.Errors = capItems(c.Errors)
	c.Warnings = capItems(c.Warnings)
	return c, nil
}

func capItems(items []RunItem) []RunItem {
	if len(items) > MaxRunItems {
		return items[:MaxRunItems:MaxRunItems]
	}
	return items
}

func statusList() string {
	s := make([]string, len(RunStatuses))
	for i, st := range RunStatuses {
		s[i] = string(st)
	}
	return strings.Join(s, ", ")
}

// RunQuery selects a page of runs, newest first (by start time, then id).
// Filters are optional and combine with AND.
type RunQuery struct {
	Source string
	Status RunStatus
	First  int
	After  string // an opaque cursor from a previous page
}

// Normalize checks a run query and applies defaults. Errors: CodeInvalid
// for an unknown status, a negative First or a malformed cursor;
// CodeLimitExceeded for First over MaxPageSize.
func (q RunQuery) Normalize() (RunQuery, error) {
	q.Source = strings.TrimSpace(q.Source)
	if q.Status != "" && !q.Status.Valid() {
		return q, Errorf(CodeInvalid, "unknown run status %q (want one of %s)", q.Status, statusList())
	}
	first, err := pageSize(q.First)
	if err != nil {
		return q, err
	}
	q.First = first
	if q.After != "" {
		if _, _, err := DecodeRunCursor(q.After); err != nil {
			return q, err
		}
	}
	return q, nil
}

// Matches reports whether r passes the query's filters.
func (q RunQuery) Matches(r *IngestRun) bool {
	return (q.Source == "" || r.Source == q.Source) && (q.Status == "" || r.Status == q.Status)
}

// RunPage is one page of runs.
type RunPage struct {
	Runs []*IngestRun
	// Cursors[i] is the cursor of Runs[i].
	Cursors []string
	HasNext bool
	// TotalCount counts every run matching the filters.
	TotalCount  int
	StartCursor string
	EndCursor   string
}

// FillCursors sets the page's cursors from its runs.
func (p *RunPage) FillCursors() {
	p.Cursors = p.Cursors[:0]
	for _, r := range p.Runs {
		p.Cursors = append(p.Cursors, EncodeRunCursor(r))
	}
	p.StartCursor, p.EndCursor = ends(p.Cursors)
}

// CompareRuns orders runs newest first: by start time descending, then id
// descending, the order every backend lists them in.
func CompareRuns(a, b *IngestRun) int {
	if c := b.Started.Compare(a.Started); c != 0 {
		return c
	}
	return strings.Compare(b.ID, a.ID)
}

// EncodeRunCursor makes the opaque cursor of a run in a listing.
func EncodeRunCursor(r *IngestRun) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(r.Started.UnixNano(), 10) + "\x00" + r.ID))
}

// DecodeRunCursor reverses EncodeRunCursor. Errors: CodeInvalid.
func DecodeRunCursor(c string) (started time.Time, id string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", Errorf(CodeInvalid, "malformed cursor %q", c)
	}
	ns, id, ok := strings.Cut(string(b), "\x00")
	n, perr := strconv.ParseInt(ns, 10, 64)
	if !ok || perr != nil || id == "" {
		return time.Time{}, "", Errorf(CodeInvalid, "malformed cursor %q", c)
	}
	return time.Unix(0, n).UTC(), id, nil
}

// PageRuns cuts the page q asks for out of runs, which must hold every run
// matching q's filters in listing order. Backends that filter and sort in
// memory share it.
func PageRuns(runs []*IngestRun, q RunQuery) *RunPage {
	p := &RunPage{TotalCount: len(runs)}
	start := 0
	if q.After != "" {
		started, id, _ := DecodeRunCursor(q.After)
		// A cursor stays usable after its run is gone: the page starts at
		// the first run after its position.
		var found bool
		start, found = slices.BinarySearchFunc(runs, &IngestRun{Started: started, ID: id}, CompareRuns)
		if found {
			start++
		}
	}
	end := min(start+q.First, len(runs))
	p.Runs = runs[start:end]
	p.HasNext = end < len(runs)
	p.FillCursors()
	return p
}

// RunStore is the part of the Store contract about ingest runs, for callers
// that need only it.
type RunStore interface {
	PutRun(ctx context.Context, r IngestRun) error
	Runs(ctx context.Context, ids []string) ([]*IngestRun, error)
	ListRuns(ctx context.Context, q RunQuery) (*RunPage, error)
}

// GetRun returns the run with the given id. Errors: CodeNotFound.
func GetRun(ctx context.Context, s RunStore, id string) (*IngestRun, error) {
	rs, err := s.Runs(ctx, []string{strings.TrimSpace(id)})
	if err != nil {
		return nil, err
	}
	if len(rs) != 1 || rs[0] == nil {
		return nil, Errorf(CodeNotFound, "no ingest run %q", id)
	}
	return rs[0], nil
}

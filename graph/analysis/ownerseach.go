package analysis

import (
	"context"
	"encoding/json"

	"golang.org/x/sync/errgroup"

	"github.com/estate-cmdb/estate/graph"
)

// MaxOwnerLookups is how many refs one WhoOwnsEach call answers: a
// scanner's report or a spreadsheet column is split into calls this size.
const MaxOwnerLookups = 500

// ownerLookupWorkers is how many refs WhoOwnsEach answers at once: enough
// to overlap Neo4j's round trips (81 refs: 4 workers took 0.8–1.2 s, 8
// took 0.66–0.87 s, 16 no less) and use both cores of the embedded store
// (a list in 0.6× the time of one by one), few enough to leave a busy
// server's other requests their share (docs/benchmarks.md).
const ownerLookupWorkers = 8

// OwnerLookup is WhoOwnsEach's answer for one ref: who owns what it names,
// or why it has no answer.
type OwnerLookup struct {
	Ref string
	// Answer is WhoOwns' answer, nil when Err is set. An ambiguous ref is
	// answered: its candidates, no subject.
	Answer *Ownership
	// Err says why the ref has no answer: it names nothing (NOT_FOUND) or
	// cannot be read (INVALID_INPUT, an empty ref).
	Err error
}

// Code is Err's code (NOT_FOUND, INVALID_INPUT), nil when the ref is
// answered.
func (l *OwnerLookup) Code() *string {
	if l.Err == nil {
		return nil
	}
	c := string(graph.CodeOf(l.Err))
	return &c
}

// Message is what is wrong with the ref, nil when it is answered.
func (l *OwnerLookup) Message() *string {
	if l.Err == nil {
		return nil
	}
	m := l.Err.Error()
	return &m
}

// MarshalJSON writes the lookup as the API gives it: ref, code, message,
// answer.
func (l OwnerLookup) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Ref     string     `json:"ref"`
		Code    *string    `json:"code,omitempty"`
		Message *string    `json:"message,omitempty"`
		Answer  *Ownership `json:"answer,omitempty"`
	}{l.Ref, l.Code(), l.Message(), l.Answer})
}

// WhoOwnsEach answers WhoOwns for each of refs, in their order: the list a
// vulnerability scanner, an alert or a spreadsheet gives. A ref that names
// nothing, or cannot be read, keeps its error in its lookup and the others
// are answered; a ref given twice is answered once. Only the store's errors
// (and ctx's) fail the call, and more than MaxOwnerLookups refs is
// LIMIT_EXCEEDED.
func WhoOwnsEach(ctx context.Context, s Store, refs []string) ([]OwnerLookup, error) {
	if len(refs) > MaxOwnerLookups {
		return nil, graph.Errorf(graph.CodeLimitExceeded, "%d refs: at most %d in one lookup", len(refs), MaxOwnerLookups)
	}
	out := make([]OwnerLookup, len(refs))
	first := make(map[string]int, len(refs)) // each ref's first index
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(ownerLookupWorkers)
	for i, ref := range refs {
		out[i].Ref = ref
		if _, seen := first[ref]; seen {
			continue
		}
		first[ref] = i
		g.Go(func() error {
			o, err := WhoOwns(gctx, s, ref)
			if c := graph.CodeOf(err); err != nil && c != graph.CodeNotFound && c != graph.CodeInvalid {
				return err
			}
			if cerr := gctx.Err(); cerr != nil {
				return cerr // a cancelled call can look like a ref naming nothing
			}
			out[i].Answer, out[i].Err = o, err
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i := range out {
		if j := first[out[i].Ref]; j != i {
			out[i].Answer, out[i].Err = out[j].Answer, out[j].Err
		}
	}
	return out, nil
}

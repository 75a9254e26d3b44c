package ingest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
)

type warnSource struct{}

func (warnSource) Name() string { return "test:warn" }
func (warnSource) Run(_ context.Context, emit ingest.Emitter) error {
	if err := emit.Node(graph.NodeInput{Kind: graph.KindTeam, Key: "t", Confidence: graph.Declared}); err != nil {
		return err
	}
	for i := 0; i < 1005; i++ {
		ingest.Warn(emit, "CODEOWNERS:3", errors.New("owner @ghost names no known team or person"))
	}
	return nil
}

type itemOnly struct{ items []string }

func (r *itemOnly) Node(graph.NodeInput) error { return nil }
func (r *itemOnly) Edge(graph.EdgeInput) error { return nil }
func (r *itemOnly) ItemError(item string, _ error) {
	r.items = append(r.items, item)
}

// Warnings are reported without making the run partial, so the sweep still
// runs; an emitter that cannot record warnings gets item errors instead.
func TestWarningsDoNotMakeARunPartial(t *testing.T) {
	ctx := context.Background()
	st, err := embedded.Open(ctx, t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep, err := ingest.Run(ctx, st, warnSource{}, ingest.Options{})
	if err != nil || rep.Status != ingest.StatusSucceeded || rep.Swept == nil {
		t.Fatalf("%s %v swept %v", rep.Status, err, rep.Swept)
	}
	if rep.WarningCount != 1005 || len(rep.Warnings) != 1000 || len(rep.Errors) != 0 {
		t.Errorf("warnings %d kept of %d, errors %d", len(rep.Warnings), rep.WarningCount, len(rep.Errors))
	}
	r := &itemOnly{}
	ingest.Warn(r, "x", errors.New("y"))
	if len(r.items) != 1 {
		t.Error("Warn on an emitter without warnings was lost")
	}
}

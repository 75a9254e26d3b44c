package graphtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// testAudit checks the audit trail: every write that changes something
// leaves one event per changed item with who, how and the state before; a
// re-sync that changes nothing leaves none; a failed write leaves none; and
// the state as of a past time (graph.AsOf over History) is what the store
// held then.
func testAudit(t *testing.T, h Harness) {
	orders, payments, owners := app("orders"), svc("payments"), team("owners")
	owns := graph.EdgeInput{Type: graph.RelOwns, From: owners, To: orders}
	dep := graph.EdgeInput{Type: graph.RelDependsOn, From: orders, To: payments}
	as := func(actor string) context.Context { return graph.WithActor(t.Context(), actor) }

	// moment returns a time strictly between the store's last commit and
	// its next one (the stores' clocks are the process's).
	moment := func() time.Time {
		time.Sleep(2 * time.Millisecond)
		m := time.Now()
		time.Sleep(2 * time.Millisecond)
		return m
	}
	apply := func(ctx context.Context, s graph.Store, b graph.Batch) {
		t.Helper()
		if _, err := s.Apply(ctx, b); err != nil {
			t.Fatalf("Apply(%s/%s): %v", b.Source, b.Run, err)
		}
	}
	named := func(r graph.Ref, name string) graph.NodeInput {
		n := node(r)
		n.Name = name
		return n
	}
	described := func(r graph.Ref, text string) graph.NodeInput {
		n := node(r)
		n.Props = map[string]any{"description": text}
		return n
	}

	// The story every subtest reads: a manual registration, an ingest that
	// renames and links, a no-op re-sync, then a deletion.
	type story struct {
		s                                 graph.Store
		before, registered, synced, cutAt time.Time
		afterNoop                         []string
	}
	tell := func(t *testing.T) story {
		s := h(t)
		st := story{s: s, before: moment()}
		apply(as("alice"), s, graph.Batch{Source: graph.SourceManual, Run: "m1", At: at(0),
			Nodes: []graph.NodeInput{named(orders, "Orders"), named(owners, "Owners")}, Edges: []graph.EdgeInput{owns}})
		st.registered = moment()
		sync := func(run string, minute int) graph.Batch {
			return graph.Batch{Source: "github:acme", Run: run, At: at(minute),
				Nodes: []graph.NodeInput{described(orders, "Takes orders"), node(payments)}, Edges: []graph.EdgeInput{dep}}
		}
		apply(as("github:acme"), s, sync("r1", 1))
		st.synced = moment()
		apply(as("github:acme"), s, sync("r2", 2)) // changes only seen times and run ids
		st.afterNoop = history(t, s, orders.ID())
		if _, err := s.DeleteEdges(as("bob"), []graph.ID{owns.ID()}); err != nil {
			t.Fatal(err)
		}
		st.cutAt = moment()
		return st
	}

	t.Run("History", func(t *testing.T) {
		st := tell(t)
		got := history(t, st.s, orders.ID())
		want := []string{ // the events of one write sorted
			"deleted OWNS Team:owners→Application:orders by bob (before: manual)",
			"created DEPENDS_ON Application:orders→Service:payments by github:acme via github:acme/r1",
			"updated Application:orders by github:acme via github:acme/r1 (before: Orders; manual)",
			"created Application:orders by alice via manual/m1",
			"created OWNS Team:owners→Application:orders by alice via manual/m1",
		}
		if !slices.Equal(got, want) {
			t.Errorf("history of orders:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
		if !slices.Equal(st.afterNoop, want[1:]) {
			t.Errorf("a re-sync that changed nothing but seen times left events:\n got %s\nwant %s",
				strings.Join(st.afterNoop, "\n     "), strings.Join(want[1:], "\n     "))
		}
		// An update says field by field what changed.
		page, err := st.s.History(t.Context(), graph.HistoryQuery{ID: orders.ID(), Since: st.registered, First: 10})
		if err != nil {
			t.Fatal(err)
		}
		var changes []graph.FieldChange
		for _, e := range page.Events {
			if e.Op == graph.AuditUpdated && !e.IsEdge() {
				changes = e.Changes
			}
		}
		wantChanges := []graph.FieldChange{
			{Field: "props.description", After: "Takes orders"},
			{Field: "sources", Before: "manual (DECLARED)", After: "github:acme (DECLARED), manual (DECLARED)"},
		}
		sameJSON(t, "changes of the sync", changes, wantChanges)
		// The team's history holds its own creation and its relationship's.
		gotTeam := history(t, st.s, owners.ID())
		wantTeam := []string{want[0], want[4], "created Team:owners by alice via manual/m1"}
		if !slices.Equal(gotTeam, wantTeam) {
			t.Errorf("history of owners:\n got %s\nwant %s", strings.Join(gotTeam, "\n     "), strings.Join(wantTeam, "\n     "))
		}
		// Since keeps only the later events.
		page, err = st.s.History(t.Context(), graph.HistoryQuery{ID: orders.ID(), Since: st.synced})
		if err != nil {
			t.Fatal(err)
		}
		if got := describeAll(page.Events); !slices.Equal(got, want[:1]) {
			t.Errorf("history since the sync = %q, want %q", got, want[:1])
		}
		// An unknown node has no history, and no error.
		page, err = st.s.History(t.Context(), graph.HistoryQuery{ID: svc("nowhere").ID()})
		if err != nil || len(page.Events) != 0 || page.HasNext {
			t.Errorf("history of an unknown node = %v, %v; want none", page, err)
		}
	})

	t.Run("Paging", func(t *testing.T) {
		st := tell(t)
		all := history(t, st.s, orders.ID())
		var got []string
		q := graph.HistoryQuery{ID: orders.ID(), First: 2}
		for pages := 0; ; pages++ {
			if pages > len(all) {
				t.Fatal("paging does not end")
			}
			p, err := st.s.History(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Events) > 2 || len(p.Cursors) != len(p.Events) {
				t.Fatalf("page of %d events with %d cursors, want at most 2", len(p.Events), len(p.Cursors))
			}
			got = append(got, describeAll(p.Events)...)
			if !p.HasNext {
				break
			}
			q.After = p.EndCursor
		}
		// Events of one write may come in any order inside it, so compare
		// as sets; newest first across writes is checked above.
		slices.Sort(got)
		slices.Sort(all)
		if !slices.Equal(got, all) {
			t.Errorf("paged history:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(all, "\n     "))
		}
		for _, bad := range []struct {
			q    graph.HistoryQuery
			code graph.Code
		}{
			{graph.HistoryQuery{}, graph.CodeInvalid},
			{graph.HistoryQuery{ID: orders.ID(), After: "not a cursor!"}, graph.CodeInvalid},
			{graph.HistoryQuery{ID: orders.ID(), First: -1}, graph.CodeInvalid},
			{graph.HistoryQuery{ID: orders.ID(), First: graph.MaxPageSize + 1}, graph.CodeLimitExceeded},
		} {
			_, err := st.s.History(t.Context(), bad.q)
			wantCode(t, fmt.Sprintf("History(%+v)", bad.q), err, bad.code)
		}
	})

	t.Run("AsOf", func(t *testing.T) {
		st := tell(t)
		for _, tc := range []struct {
			name  string
			at    time.Time
			node  string // name[description], or "" for no node
			edges []string
		}{
			{"before it existed", st.before, "", nil},
			{"registered", st.registered, "Orders", []string{"OWNS Team:owners→Application:orders"}},
			{"after the sync", st.synced, "Orders[Takes orders]", []string{"OWNS Team:owners→Application:orders", "DEPENDS_ON Application:orders→Service:payments"}},
			{"after the cut", st.cutAt, "Orders[Takes orders]", []string{"DEPENDS_ON Application:orders→Service:payments"}},
		} {
			snap, err := graph.AsOf(t.Context(), st.s, orders.ID(), tc.at)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			name := nodeSummary(snap.Node)
			var edges []string
			for _, e := range snap.Edges {
				edges = append(edges, fmt.Sprintf("%s %s→%s", e.Type, e.From, e.To))
			}
			if name != tc.node || !slices.Equal(edges, tc.edges) {
				t.Errorf("%s: as of then orders is %q with %q; want %q with %q", tc.name, name, edges, tc.node, tc.edges)
			}
		}
		// A deleted node is gone now, and was there before.
		if _, err := st.s.DeleteNodes(as("bob"), []graph.ID{payments.ID()}); err != nil {
			t.Fatal(err)
		}
		snap, err := graph.AsOf(t.Context(), st.s, payments.ID(), st.cutAt)
		if err != nil || snap.Node == nil || len(snap.Edges) != 1 {
			t.Errorf("payments as of before its deletion = %+v, %v; want it with one relationship", snap, err)
		}
		snap, err = graph.AsOf(t.Context(), st.s, payments.ID(), time.Now())
		if err != nil || snap.Node != nil || len(snap.Edges) != 0 {
			t.Errorf("payments as of now = %+v, %v; want nothing", snap, err)
		}
		got := history(t, st.s, payments.ID())[:2]
		want := []string{
			"deleted DEPENDS_ON Application:orders→Service:payments by bob (before: github:acme)",
			"deleted Service:payments by bob (before: payments; github:acme)",
		}
		if !slices.Equal(got, want) {
			t.Errorf("deleting payments recorded:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
	})

	t.Run("SweepAndRestore", func(t *testing.T) {
		st := tell(t)
		// A later run no longer sees payments nor the dependency: the sweep
		// retracts github:acme's claim on orders (manual still asserts it)
		// and removes what only github:acme asserted.
		apply(as("github:acme"), st.s, graph.Batch{Source: "github:acme", Run: "r3", At: at(3), Nodes: []graph.NodeInput{node(owners)}})
		if _, err := st.s.Sweep(as("github:acme"), graph.SweepRequest{Source: "github:acme", Run: "r3"}); err != nil {
			t.Fatal(err)
		}
		got := history(t, st.s, orders.ID())[:2]
		want := []string{
			"deleted DEPENDS_ON Application:orders→Service:payments by github:acme via github:acme/r3 (before: github:acme)",
			"updated Application:orders by github:acme via github:acme/r3 (before: Orders[Takes orders]; github:acme, manual)",
		}
		if !slices.Equal(got, want) {
			t.Errorf("sweep recorded:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
		if got := history(t, st.s, payments.ID())[1]; got != "deleted Service:payments by github:acme via github:acme/r3 (before: payments; github:acme)" {
			t.Errorf("sweep of payments recorded %q", got)
		}
		// Restore writes whole items: a changed one is an update.
		n, err := st.s.Node(t.Context(), orders)
		if err != nil {
			t.Fatal(err)
		}
		n.Name = "Orders (restored)"
		if err := st.s.Restore(as("carol"), []*graph.Node{n}, nil); err != nil {
			t.Fatal(err)
		}
		if got := history(t, st.s, orders.ID())[0]; got != "updated Application:orders by carol (before: Orders[Takes orders]; manual)" {
			t.Errorf("restore recorded %q", got)
		}
	})

	t.Run("FailedWriteRecordsNothing", func(t *testing.T) {
		st := tell(t)
		before := history(t, st.s, orders.ID())
		_, err := st.s.Apply(as("mallory"), graph.Batch{Source: "github:acme", Run: "r9", At: at(9),
			Nodes: []graph.NodeInput{named(orders, "Hijacked")},
			Edges: []graph.EdgeInput{{Type: graph.RelDependsOn, From: orders, To: svc("missing")}}})
		wantCode(t, "Apply with a missing end", err, graph.CodeNotFound)
		if got := history(t, st.s, orders.ID()); !slices.Equal(got, before) {
			t.Errorf("a failed write changed the history:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(before, "\n     "))
		}
		if _, err := st.s.Sweep(as("x"), graph.SweepRequest{Source: "github:acme", Run: "r1", DryRun: true}); err != nil {
			t.Fatal(err)
		}
		if got := history(t, st.s, orders.ID()); !slices.Equal(got, before) {
			t.Errorf("a dry-run sweep changed the history")
		}
	})
}

// history reads a node's whole audit trail and describes each event, with
// the events of one write sorted by their description (their order inside a
// write is the backend's).
func history(t testing.TB, s graph.Store, id graph.ID) []string {
	t.Helper()
	var events []*graph.AuditEvent
	q := graph.HistoryQuery{ID: id, First: graph.MaxPageSize}
	for {
		p, err := s.History(t.Context(), q)
		if err != nil {
			t.Fatalf("History(%s): %v", id, err)
		}
		events = append(events, p.Events...)
		if !p.HasNext {
			break
		}
		q.After = p.EndCursor
	}
	for i := 1; i < len(events); i++ {
		if graph.CompareAudit(events[i-1], events[i]) > 0 {
			t.Fatalf("History(%s) is not newest first at %d: %s after %s", id, i, events[i].At, events[i-1].At)
		}
	}
	// Group one write's events (same At) and sort them inside the group.
	out := describeAll(events)
	for i := 0; i < len(events); {
		j := i
		for j < len(events) && events[j].At.Equal(events[i].At) {
			j++
		}
		slices.Sort(out[i:j])
		i = j
	}
	return out
}

func describeAll(es []*graph.AuditEvent) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = describe(e)
	}
	return out
}

// describe is one line a test can compare: the operation, the item, who
// and how, and what the item was before.
func describe(e *graph.AuditEvent) string {
	var b strings.Builder
	b.WriteString(string(e.Op) + " ")
	if e.IsEdge() {
		fmt.Fprintf(&b, "%s %s→%s", e.Type, e.From, e.To)
	} else {
		fmt.Fprintf(&b, "%s:%s", e.Kind, e.Key)
	}
	if e.Actor != "" {
		b.WriteString(" by " + e.Actor)
	}
	if e.Source != "" {
		b.WriteString(" via " + e.Source + "/" + e.Run)
	}
	sources := func(as []graph.Assertion) string {
		var ss []string
		for _, a := range as {
			ss = append(ss, a.Source)
		}
		return strings.Join(ss, ", ")
	}
	switch {
	case e.Node != nil:
		fmt.Fprintf(&b, " (before: %s; %s)", nodeSummary(e.Node), sources(e.Node.Assertions))
	case e.Edge != nil:
		fmt.Fprintf(&b, " (before: %s)", sources(e.Edge.Assertions))
	}
	return b.String()
}

// nodeSummary is a node's name and description, "" for none.
func nodeSummary(n *graph.Node) string {
	if n == nil {
		return ""
	}
	if d, ok := n.Props["description"].(string); ok {
		return n.Name + "[" + d + "]"
	}
	return n.Name
}

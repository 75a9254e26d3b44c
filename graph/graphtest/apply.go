package graphtest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

func testApply(t *testing.T, h Harness) {
	t.Run("CreatesWithDeterministicIDs", func(t *testing.T) {
		s := h(t)
		b := graph.Batch{Source: "github:acme", Run: "r1", At: T0,
			Nodes: []graph.NodeInput{
				{Kind: graph.KindService, Key: "payments", Name: "Payments",
					Props: map[string]any{"tier": 1}, Evidence: "catalog-info.yaml:3"},
				{Kind: graph.KindApplication, Key: "payments-api", Confidence: graph.Inferred},
			},
			Edges: []graph.EdgeInput{partOf(app("payments-api"), svc("payments"))},
		}
		got := MustApply(t, s, b)
		if want := (graph.ApplyResult{NodesCreated: 2, EdgesCreated: 1}); got != want {
			t.Errorf("ApplyResult = %+v, want %+v", got, want)
		}
		wantSvc := &graph.Node{
			ID: graph.NodeID(graph.KindService, "payments"), Kind: graph.KindService, Key: "payments",
			Name: "Payments", Props: map[string]any{"tier": int64(1)},
			Assertions: []graph.Assertion{{Source: "github:acme", Run: "r1", Confidence: graph.Declared,
				Evidence: "catalog-info.yaml:3", FirstSeen: T0, LastSeen: T0}},
			FirstSeen: T0, LastSeen: T0,
		}
		sameJSON(t, "Node(Service:payments)", getNode(t, s, svc("payments")), wantSvc)
		wantApp := &graph.Node{
			ID: graph.NodeID(graph.KindApplication, "payments-api"), Kind: graph.KindApplication,
			Key: "payments-api", Name: "payments-api", // named after its key
			Assertions: []graph.Assertion{{Source: "github:acme", Run: "r1", Confidence: graph.Inferred,
				FirstSeen: T0, LastSeen: T0}},
			FirstSeen: T0, LastSeen: T0,
		}
		ns, err := s.Nodes(t.Context(), []graph.ID{graph.NodeID(graph.KindApplication, "payments-api")})
		if err != nil || len(ns) != 1 {
			t.Fatalf("Nodes(deterministic id of payments-api) = %d nodes, %v", len(ns), err)
		}
		sameJSON(t, "Nodes(id of Application:payments-api)", ns[0], wantApp)

		wantID := graph.EdgeID(graph.RelPartOf, graph.NodeID(graph.KindApplication, "payments-api"),
			graph.NodeID(graph.KindService, "payments"), "")
		if b.Edges[0].ID() != wantID {
			t.Fatalf("EdgeInput.ID() = %s, want %s", b.Edges[0].ID(), wantID)
		}
		wantEdge := &graph.Edge{
			ID: wantID, Type: graph.RelPartOf, From: app("payments-api"), To: svc("payments"),
			Assertions: []graph.Assertion{{Source: "github:acme", Run: "r1", Confidence: graph.Declared,
				FirstSeen: T0, LastSeen: T0}},
			FirstSeen: T0, LastSeen: T0,
		}
		sameJSON(t, "Edges(id of PART_OF)", getEdge(t, s, b.Edges[0]), wantEdge)
	})

	t.Run("Idempotent", func(t *testing.T) {
		s := h(t)
		b := SmallEstate()
		first := MustApply(t, s, b)
		if want := (graph.ApplyResult{NodesCreated: len(b.Nodes), EdgesCreated: len(b.Edges)}); first != want {
			t.Errorf("first Apply = %+v, want %+v", first, want)
		}
		d1 := TakeDump(t, s)
		if len(d1.Nodes) != len(b.Nodes) || len(d1.Edges) != len(b.Edges) {
			t.Fatalf("after one Apply the store holds %d nodes and %d relationships, want %d and %d",
				len(d1.Nodes), len(d1.Edges), len(b.Nodes), len(b.Edges))
		}

		// Same batch, same time: nothing at all changes.
		second := MustApply(t, s, b)
		if want := (graph.ApplyResult{NodesUpdated: len(b.Nodes), EdgesUpdated: len(b.Edges)}); second != want {
			t.Errorf("second Apply = %+v, want %+v (updates, not creations)", second, want)
		}
		unchanged(t, s, d1, "re-applying the same batch at the same time")

		// Same batch an hour later: only lastSeen moves.
		later := b
		later.At = EstateAt.Add(time.Hour)
		MustApply(t, s, later)
		d3 := TakeDump(t, s)
		if g, w := stripLastSeen(t, d3), stripLastSeen(t, d1); g != w {
			t.Errorf("re-applying later changed more than lastSeen (-got +want):\n%s", lineDiff(g, w))
		}
		for _, n := range d3.Nodes {
			if !n.LastSeen.Equal(later.At) || !n.FirstSeen.Equal(EstateAt) {
				t.Errorf("%s: firstSeen %v lastSeen %v, want %v and %v", n.Ref(), n.FirstSeen, n.LastSeen, EstateAt, later.At)
			}
		}
		for _, e := range d3.Edges {
			if !e.LastSeen.Equal(later.At) || !e.FirstSeen.Equal(EstateAt) {
				t.Errorf("%s %s→%s: firstSeen %v lastSeen %v, want %v and %v", e.Type, e.From, e.To, e.FirstSeen, e.LastSeen, EstateAt, later.At)
			}
		}
	})

	t.Run("Names", func(t *testing.T) {
		s := h(t)
		steps := []struct{ name, want string }{
			{"", "payments"},             // a new node is named after its key
			{"  Payments  ", "Payments"}, // names are trimmed
			{"", "Payments"},             // an empty name keeps the stored one
			{"Payments Service", "Payments Service"},
		}
		for i, st := range steps {
			MustApply(t, s, graph.Batch{Source: "src", Run: fmt.Sprint("r", i), At: at(i),
				Nodes: []graph.NodeInput{{Kind: graph.KindService, Key: "payments", Name: st.name}}})
			if got := getNode(t, s, svc("payments")).Name; got != st.want {
				t.Errorf("after applying name %q: name %q, want %q", st.name, got, st.want)
			}
		}
	})

	t.Run("KeysTrimmed", func(t *testing.T) {
		s := h(t)
		MustApply(t, s, graph.Batch{Source: "src", Run: "r1", At: T0,
			Nodes: []graph.NodeInput{{Kind: graph.KindService, Key: "  payments\t"}, {Kind: graph.KindApplication, Key: "api"}},
			Edges: []graph.EdgeInput{partOf(app(" api "), svc("payments  "))},
		})
		n := getNode(t, s, svc("payments"))
		if n.Key != "payments" || n.ID != graph.NodeID(graph.KindService, "payments") {
			t.Errorf("stored key %q id %s, want %q %s", n.Key, n.ID, "payments", graph.NodeID(graph.KindService, "payments"))
		}
		if e := getEdge(t, s, partOf(app("api"), svc("payments"))); e == nil {
			t.Errorf("relationship given with spaced keys not stored under the trimmed keys")
		}
		if st := stats(t, s); st.TotalNodes() != 2 {
			t.Errorf("store holds %d nodes, want 2", st.TotalNodes())
		}
	})

	t.Run("PropsAndLabelsMerge", func(t *testing.T) {
		s := h(t)
		r := svc("payments")
		apply := func(run string, source string, props map[string]any, labels map[string]string) {
			MustApply(t, s, graph.Batch{Source: source, Run: run, At: T0,
				Nodes: []graph.NodeInput{{Kind: r.Kind, Key: r.Key, Props: props, Labels: labels}}})
		}
		apply("r1", "catalog", map[string]any{"description": "first", "tier": 1, "lifecycle": "production"},
			map[string]string{"team": "payments-core", "env": "prod"})
		apply("r2", "catalog", map[string]any{"description": "second", "criticality": "high"},
			map[string]string{"env": "staging", "cost-centre": "RB-100"})
		apply("a1", "aws:org", nil, map[string]string{"owner": "aws-tag"})
		n := getNode(t, s, r)
		wantProps := map[string]any{"description": "second", "tier": int64(1), "lifecycle": "production", "criticality": "high"}
		if !reflect.DeepEqual(n.Props, wantProps) {
			t.Errorf("props %#v, want %#v", n.Props, wantProps)
		}
		wantLabels := map[string]string{"team": "payments-core", "env": "staging", "cost-centre": "RB-100", "owner": "aws-tag"}
		if !reflect.DeepEqual(n.Labels, wantLabels) {
			t.Errorf("labels %v, want %v", n.Labels, wantLabels)
		}
	})

	t.Run("PropTypes", testPropTypes(h))

	t.Run("EdgeProps", func(t *testing.T) {
		s := h(t)
		mono, a := repo("github.com/acme/mono"), app("api")
		tm := team("core")
		MustApply(t, s, graph.Batch{Source: "src", Run: "r1", At: T0, Nodes: nodes(mono, a, tm),
			Edges: []graph.EdgeInput{edge(graph.RelBuilds, mono, a, "path", "services/api"), owns(tm, a, "")}})
		if e := getEdge(t, s, edge(graph.RelBuilds, mono, a)); e == nil || e.Props["path"] != "services/api" {
			t.Errorf("BUILDS path: got %v, want services/api", edgeProps(e))
		}
		MustApply(t, s, graph.Batch{Source: "src", Run: "r2", At: at(1),
			Edges: []graph.EdgeInput{edge(graph.RelBuilds, mono, a, "path", "apps/api")}})
		if e := getEdge(t, s, edge(graph.RelBuilds, mono, a)); e == nil || e.Props["path"] != "apps/api" {
			t.Errorf("BUILDS path after re-assertion: got %v, want apps/api", edgeProps(e))
		}
		e := getEdge(t, s, owns(tm, a, ""))
		if e == nil || e.Props["role"] != graph.OwnerTechnical || e.Role() != graph.OwnerTechnical {
			t.Errorf("OWNS without a role: props %v, want role technical stored", edgeProps(e))
		}
	})

	t.Run("AliasesAccumulate", func(t *testing.T) {
		s := h(t)
		r := team("github.com/acme/team/checkout")
		apply := func(source, run string, aliases ...string) {
			MustApply(t, s, graph.Batch{Source: source, Run: run, At: T0,
				Nodes: []graph.NodeInput{{Kind: r.Kind, Key: r.Key, Aliases: aliases}}})
		}
		apply("codeowners", "r1", "@acme/checkout-team")
		apply("codeowners", "r2", "acme/checkout-team", " group:checkout-team ", "   ")
		apply("aws:org", "a1", "@acme/checkout-team", "Checkout-Team")
		apply("codeowners", "r3", "@acme/checkout-team") // already there: no duplicate
		want := []graph.Alias{
			{Value: "@acme/checkout-team", Source: "aws:org"},
			{Value: "@acme/checkout-team", Source: "codeowners"},
			{Value: "Checkout-Team", Source: "aws:org"},
			{Value: "acme/checkout-team", Source: "codeowners"},
			{Value: "group:checkout-team", Source: "codeowners"},
		}
		sameJSON(t, "aliases (sorted by value, then source)", getNode(t, s, r).Aliases, want)
	})

	t.Run("AssertionsPerSource", func(t *testing.T) {
		s := h(t)
		a, sv := app("payments-api"), svc("payments")
		e := partOf(a, sv)
		apply := func(source, run string, when time.Time, conf graph.Confidence, evidence string) {
			MustApply(t, s, graph.Batch{Source: source, Run: run, At: when,
				Nodes: []graph.NodeInput{{Kind: a.Kind, Key: a.Key, Confidence: conf, Evidence: evidence}, node(sv)},
				Edges: []graph.EdgeInput{{Type: e.Type, From: e.From, To: e.To, Confidence: conf, Evidence: evidence}}})
		}
		apply("github:acme", "r1", at(0), graph.Inferred, "e1")
		apply("aws:org", "a1", at(60), graph.Heuristic, "tag app=payments-api")
		apply("github:acme", "r2", at(120), graph.Declared, "e2")
		want := []graph.Assertion{
			{Source: "aws:org", Run: "a1", Confidence: graph.Heuristic, Evidence: "tag app=payments-api", FirstSeen: at(60), LastSeen: at(60)},
			{Source: "github:acme", Run: "r2", Confidence: graph.Declared, Evidence: "e2", FirstSeen: at(0), LastSeen: at(120)},
		}
		n := getNode(t, s, a)
		sameJSON(t, "node assertions", n.Assertions, want)
		if !n.FirstSeen.Equal(at(0)) || !n.LastSeen.Equal(at(120)) {
			t.Errorf("node firstSeen %v lastSeen %v, want %v and %v", n.FirstSeen, n.LastSeen, at(0), at(120))
		}
		if n.Confidence() != graph.Declared {
			t.Errorf("node confidence %s, want DECLARED", n.Confidence())
		}
		ed := getEdge(t, s, e)
		if ed == nil {
			t.Fatal("relationship missing")
		}
		sameJSON(t, "relationship assertions", ed.Assertions, want)
		if !ed.FirstSeen.Equal(at(0)) || !ed.LastSeen.Equal(at(120)) {
			t.Errorf("relationship firstSeen %v lastSeen %v, want %v and %v", ed.FirstSeen, ed.LastSeen, at(0), at(120))
		}

		// A late batch observed earlier never moves lastSeen back.
		apply("github:acme", "r0", at(30), graph.Declared, "e0")
		if n := getNode(t, s, a); !n.LastSeen.Equal(at(120)) || !n.FirstSeen.Equal(at(0)) {
			t.Errorf("after a batch observed earlier: firstSeen %v lastSeen %v, want %v and %v", n.FirstSeen, n.LastSeen, at(0), at(120))
		}
	})

	t.Run("AtTruncatedToMillisecondsUTC", func(t *testing.T) {
		s := h(t)
		cet := time.FixedZone("CET", 3600)
		MustApply(t, s, graph.Batch{Source: "src", Run: "r1",
			At:    time.Date(2026, 1, 2, 10, 4, 5, 123456789, cet),
			Nodes: nodes(svc("payments"))})
		want := time.Date(2026, 1, 2, 9, 4, 5, 123000000, time.UTC)
		n := getNode(t, s, svc("payments"))
		for what, got := range map[string]time.Time{
			"firstSeen": n.FirstSeen, "lastSeen": n.LastSeen,
			"assertion firstSeen": n.Assertions[0].FirstSeen, "assertion lastSeen": n.Assertions[0].LastSeen,
		} {
			if !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("%s = %s, want %s", what, got, want)
			}
		}
		if b, _ := json.Marshal(n.FirstSeen); string(b) != `"2026-01-02T09:04:05.123Z"` {
			t.Errorf("firstSeen encodes as %s, want \"2026-01-02T09:04:05.123Z\"", b)
		}
	})

	t.Run("AtZeroMeansNow", func(t *testing.T) {
		s := h(t)
		before := time.Now().Add(-time.Minute)
		MustApply(t, s, graph.Batch{Source: "src", Run: "r1", Nodes: nodes(svc("payments"))})
		after := time.Now().Add(time.Minute)
		n := getNode(t, s, svc("payments"))
		if n.FirstSeen.Before(before) || n.FirstSeen.After(after) || !n.LastSeen.Equal(n.FirstSeen) {
			t.Errorf("batch without a time: firstSeen %v lastSeen %v, want now (%v)", n.FirstSeen, n.LastSeen, time.Now())
		}
		if n.FirstSeen.Location() != time.UTC || n.FirstSeen.Nanosecond()%int(time.Millisecond) != 0 {
			t.Errorf("firstSeen %v is not UTC at millisecond precision", n.FirstSeen)
		}
	})

	t.Run("EdgeEndsStoredOrInBatch", func(t *testing.T) {
		s := h(t)
		sv, a1, a2 := svc("payments"), app("api"), app("worker")
		if got := MustApply(t, s, graph.Batch{Source: "src", Run: "r1", At: T0, Nodes: nodes(sv)}); got.NodesCreated != 1 {
			t.Errorf("first batch: %+v", got)
		}
		// One end stored, the other created in the same batch.
		got := MustApply(t, s, graph.Batch{Source: "src", Run: "r2", At: at(1), Nodes: nodes(a1, a2),
			Edges: []graph.EdgeInput{partOf(a1, sv), partOf(a2, sv)}})
		if want := (graph.ApplyResult{NodesCreated: 2, EdgesCreated: 2}); got != want {
			t.Errorf("second batch: %+v, want %+v", got, want)
		}
		// Both ends stored, no nodes in the batch.
		got = MustApply(t, s, graph.Batch{Source: "other", Run: "o1", At: at(2),
			Edges: []graph.EdgeInput{dependsOn(a2, a1), partOf(a1, sv)}})
		if want := (graph.ApplyResult{EdgesCreated: 1, EdgesUpdated: 1}); got != want {
			t.Errorf("third batch: %+v, want %+v", got, want)
		}
		if st := stats(t, s); st.TotalNodes() != 3 || st.TotalEdges() != 3 {
			t.Errorf("store holds %d nodes, %d relationships; want 3 and 3", st.TotalNodes(), st.TotalEdges())
		}
	})

	t.Run("OwnsRoles", func(t *testing.T) {
		s := h(t)
		tm, a := team("core"), app("api")
		MustApply(t, s, graph.Batch{Source: "src", Run: "r0", At: T0, Nodes: nodes(tm, a)})
		steps := []struct {
			role    string
			want    graph.ApplyResult
			nOwners int
		}{
			{"", graph.ApplyResult{EdgesCreated: 1}, 1},                   // technical by default
			{graph.OwnerTechnical, graph.ApplyResult{EdgesUpdated: 1}, 1}, // the same relationship
			{graph.OwnerBusiness, graph.ApplyResult{EdgesCreated: 1}, 2},  // another role: another one
			{graph.OwnerBusiness, graph.ApplyResult{EdgesUpdated: 1}, 2},  // same role twice: one
		}
		for i, st := range steps {
			got := MustApply(t, s, graph.Batch{Source: "src", Run: fmt.Sprint("r", i+1), At: at(i + 1),
				Edges: []graph.EdgeInput{owns(tm, a, st.role)}})
			if got != st.want {
				t.Errorf("OWNS role %q: %+v, want %+v", st.role, got, st.want)
			}
			if n := stats(t, s).Edges[graph.RelOwns]; n != st.nOwners {
				t.Errorf("after OWNS role %q: %d OWNS relationships, want %d", st.role, n, st.nOwners)
			}
		}
		var roles []string
		for _, e := range TakeDump(t, s).Edges {
			if e.ID != owns(tm, a, e.Role()).ID() {
				t.Errorf("OWNS role %s has id %s, want %s", e.Role(), e.ID, owns(tm, a, e.Role()).ID())
			}
			roles = append(roles, e.Role())
		}
		if want := []string{graph.OwnerBusiness, graph.OwnerTechnical}; !reflect.DeepEqual(roles, want) {
			t.Errorf("OWNS roles in scan order %v, want %v", roles, want)
		}
	})

	t.Run("DuplicatesInBatchMerge", func(t *testing.T) {
		s := h(t)
		a, b := app("api"), app("worker")
		got := MustApply(t, s, graph.Batch{Source: "src", Run: "r1", At: T0,
			Nodes: []graph.NodeInput{
				{Kind: a.Kind, Key: a.Key, Name: "API", Props: map[string]any{"description": "one", "type": "service"}},
				node(b),
				{Kind: a.Kind, Key: a.Key, Props: map[string]any{"description": "two"}, Aliases: []string{"the-api"}},
			},
			Edges: []graph.EdgeInput{dependsOn(b, a), dependsOn(b, a)},
		})
		// Each distinct node or relationship counts once.
		if want := (graph.ApplyResult{NodesCreated: 2, EdgesCreated: 1}); got != want {
			t.Errorf("ApplyResult %+v, want %+v", got, want)
		}
		n := getNode(t, s, a)
		if n.Name != "API" || n.Props["description"] != "two" || n.Props["type"] != "service" || len(n.Aliases) != 1 {
			t.Errorf("duplicate node did not merge in order: name %q props %v aliases %v", n.Name, n.Props, n.Aliases)
		}
		if st := stats(t, s); st.TotalNodes() != 2 || st.TotalEdges() != 1 {
			t.Errorf("store holds %d nodes, %d relationships; want 2 and 1", st.TotalNodes(), st.TotalEdges())
		}
	})
}

func edgeProps(e *graph.Edge) any {
	if e == nil {
		return "no relationship"
	}
	return e.Props
}

// testPropTypes checks that properties come back in their canonical Go types
// (int64, bool, []string, string; times as RFC 3339 UTC strings) from every
// read path, whatever type the source gave.
func testPropTypes(h Harness) func(*testing.T) {
	return func(t *testing.T) {
		s := h(t)
		plus2 := time.FixedZone("+02", 2*3600)
		cases := []struct {
			kind  graph.Kind
			prop  string
			in    any
			want  any
			label string
		}{
			{graph.KindService, "tier", 2, int64(2), "int"},
			{graph.KindService, "tier", int32(3), int64(3), "int32"},
			{graph.KindService, "tier", int64(4), int64(4), "int64"},
			{graph.KindService, "tier", float64(5), int64(5), "whole float64 (from JSON)"},
			{graph.KindService, "tier", json.Number("6"), int64(6), "json.Number"},
			{graph.KindService, "description", "card payments", "card payments", "string"},
			{graph.KindRepository, "archived", true, true, "bool true"},
			{graph.KindRepository, "fork", false, false, "bool false"},
			{graph.KindRepository, "topics", []string{"go", "payments"}, []string{"go", "payments"}, "[]string"},
			{graph.KindRepository, "topics", []any{"a", "b"}, []string{"a", "b"}, "[]any of strings"},
			{graph.KindRepository, "pushedAt", "2026-01-02T03:04:05+02:00", "2026-01-02T01:04:05Z", "RFC 3339 string with offset"},
			{graph.KindRepository, "pushedAt", time.Date(2026, 1, 2, 3, 4, 5, 0, plus2), "2026-01-02T01:04:05Z", "time.Time"},
			{graph.KindCloudAccount, "registered", false, false, "bool on CloudAccount"},
			{graph.KindPerson, "handles", []string{}, []string{}, "empty []string"},
		}
		b := graph.Batch{Source: "src", Run: "r1", At: T0}
		for i, c := range cases {
			b.Nodes = append(b.Nodes, graph.NodeInput{Kind: c.kind, Key: fmt.Sprintf("case-%02d", i),
				Props: map[string]any{c.prop: c.in}})
		}
		MustApply(t, s, b)

		check := func(path string, n *graph.Node) {
			t.Helper()
			var i int
			if n == nil || n.Key == "" {
				t.Errorf("%s: missing node", path)
				return
			}
			if _, err := fmt.Sscanf(n.Key, "case-%02d", &i); err != nil || i >= len(cases) {
				return
			}
			c := cases[i]
			got, ok := n.Props[c.prop]
			if !ok {
				t.Errorf("%s: %s %s lost property %s", path, c.label, n.Ref(), c.prop)
				return
			}
			if reflect.TypeOf(got) != reflect.TypeOf(c.want) || !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: %s property %s = %#v (%T), want %#v (%T)", path, c.label, c.prop, got, got, c.want, c.want)
			}
		}
		var refs []graph.Ref
		for _, in := range b.Nodes {
			refs = append(refs, in.Ref())
			check("Node", getNode(t, s, in.Ref()))
		}
		ns, err := s.Nodes(t.Context(), ids(refs...))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			check("Nodes", n)
		}
		for _, n := range TakeDump(t, s).Nodes {
			check("ScanNodes", n)
		}
		page, err := s.List(t.Context(), graph.ListQuery{First: graph.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range page.Nodes {
			check("List", n)
		}
	}
}

// testApplyRejects checks that a batch with one bad item is rejected with the
// documented code and changes nothing, not even the valid items next to it.
func testApplyRejects(t *testing.T, h Harness) {
	valid := graph.NodeInput{Kind: graph.KindApplication, Key: "brand-new-app", Name: "Brand new"}
	stored := app(EstatePaymentsAPI) // in SmallEstate
	withNode := func(n graph.NodeInput) graph.Batch {
		return graph.Batch{Source: "src", Run: "bad", At: at(600), Nodes: []graph.NodeInput{valid, n}}
	}
	withEdge := func(e graph.EdgeInput) graph.Batch {
		return graph.Batch{Source: "src", Run: "bad", At: at(600), Nodes: []graph.NodeInput{valid},
			Edges: []graph.EdgeInput{dependsOn(valid.Ref(), stored), e}}
	}
	props := func(k graph.Kind, kv ...any) graph.NodeInput {
		n := graph.NodeInput{Kind: k, Key: "props-case", Props: map[string]any{}}
		for i := 0; i+1 < len(kv); i += 2 {
			n.Props[kv[i].(string)] = kv[i+1]
		}
		return n
	}
	tooMany := graph.Batch{Source: "src", Run: "bad", At: at(600)}
	for i := range graph.MaxBatchItems + 1 {
		tooMany.Nodes = append(tooMany.Nodes, graph.NodeInput{Kind: graph.KindApplication, Key: fmt.Sprint("bulk-", i)})
	}
	cases := []struct {
		name  string
		batch graph.Batch
		code  graph.Code
	}{
		{"UnknownKind", withNode(graph.NodeInput{Kind: "Server", Key: "web-1"}), graph.CodeInvalid},
		{"LowercaseKind", withNode(graph.NodeInput{Kind: "service", Key: "payments"}), graph.CodeInvalid},
		{"EmptyKey", withNode(graph.NodeInput{Kind: graph.KindService, Key: ""}), graph.CodeInvalid},
		{"WhitespaceKey", withNode(graph.NodeInput{Kind: graph.KindService, Key: " \t "}), graph.CodeInvalid},
		{"NewlineInKey", withNode(graph.NodeInput{Kind: graph.KindService, Key: "pay\nments"}), graph.CodeInvalid},
		{"NULInKey", withNode(graph.NodeInput{Kind: graph.KindService, Key: "pay\x00ments"}), graph.CodeInvalid},
		{"InvalidUTF8Key", withNode(graph.NodeInput{Kind: graph.KindService, Key: "pay\xffments"}), graph.CodeInvalid},
		{"KeyTooLong", withNode(graph.NodeInput{Kind: graph.KindService, Key: strings.Repeat("k", graph.MaxKeyLen+1)}), graph.CodeInvalid},
		{"ControlCharInName", withNode(graph.NodeInput{Kind: graph.KindService, Key: "payments", Name: "Pay\x07"}), graph.CodeInvalid},
		{"UnknownProperty", withNode(props(graph.KindService, "owner", "payments-core")), graph.CodeInvalid},
		{"PropertyOfAnotherKind", withNode(props(graph.KindService, "archived", true)), graph.CodeInvalid},
		{"StringForInt", withNode(props(graph.KindService, "tier", "one")), graph.CodeInvalid},
		{"FractionForInt", withNode(props(graph.KindService, "tier", 1.5)), graph.CodeInvalid},
		{"StringForBool", withNode(props(graph.KindRepository, "archived", "yes")), graph.CodeInvalid},
		{"IntForString", withNode(props(graph.KindRepository, "language", 42)), graph.CodeInvalid},
		{"NonStringInList", withNode(props(graph.KindRepository, "topics", []any{"go", 1})), graph.CodeInvalid},
		{"StringForList", withNode(props(graph.KindRepository, "topics", "go")), graph.CodeInvalid},
		{"MalformedTime", withNode(props(graph.KindRepository, "pushedAt", "yesterday")), graph.CodeInvalid},
		{"EmptyLabelName", withNode(graph.NodeInput{Kind: graph.KindService, Key: "payments", Labels: map[string]string{" ": "x"}}), graph.CodeInvalid},
		{"UnknownConfidence", withNode(graph.NodeInput{Kind: graph.KindService, Key: "payments", Confidence: "SURE"}), graph.CodeInvalid},
		{"EmptySource", graph.Batch{Source: "", Run: "r", Nodes: []graph.NodeInput{valid}}, graph.CodeInvalid},
		{"WhitespaceSource", graph.Batch{Source: "  ", Run: "r", Nodes: []graph.NodeInput{valid}}, graph.CodeInvalid},
		{"EmptyRun", graph.Batch{Source: "src", Run: " ", Nodes: []graph.NodeInput{valid}}, graph.CodeInvalid},
		{"UnknownRelType", withEdge(edge("HOSTS", stored, app(EstateAccountsAPI))), graph.CodeInvalid},
		{"BuildsFromTeam", withEdge(edge(graph.RelBuilds, team(EstatePaymentsTeam), stored)), graph.CodeInvalid},
		{"DependsOnFromService", withEdge(dependsOn(svc(EstatePayments), stored)), graph.CodeInvalid},
		{"InAccountReversed", withEdge(edge(graph.RelInAccount, acct(EstateAccount), res(EstatePaymentsDB))), graph.CodeInvalid},
		{"MemberOfTeamToPerson", withEdge(edge(graph.RelMemberOf, team(EstatePaymentsTeam), person(EstateAlice))), graph.CodeInvalid},
		{"OwnsPerson", withEdge(owns(team(EstatePaymentsTeam), person(EstateAlice), "")), graph.CodeInvalid},
		{"SelfLoop", withEdge(dependsOn(stored, stored)), graph.CodeInvalid},
		{"UnknownOwnerRole", withEdge(owns(team(EstatePaymentsTeam), stored, "janitor")), graph.CodeInvalid},
		{"UnknownEdgeProperty", withEdge(edge(graph.RelDependsOn, stored, app(EstateAccountsAPI), "path", "x")), graph.CodeInvalid},
		{"EdgeEndUnknownKind", withEdge(dependsOn(stored, ref("Server", "web-1"))), graph.CodeInvalid},
		{"EdgeEndEmptyKey", withEdge(dependsOn(stored, app(" "))), graph.CodeInvalid},
		{"UnknownEdgeConfidence", withEdge(graph.EdgeInput{Type: graph.RelDependsOn, From: stored, To: app(EstateAccountsAPI), Confidence: "MAYBE"}), graph.CodeInvalid},
		{"EdgeToNodeNowhere", withEdge(dependsOn(stored, app("ghost"))), graph.CodeNotFound},
		{"EdgeFromNodeNowhere", withEdge(dependsOn(app("ghost"), stored)), graph.CodeNotFound},
		{"EdgeToKindMismatch", withEdge(dependsOn(stored, svc(EstatePaymentsAPI))), graph.CodeNotFound}, // payments-api is an Application
		{"EdgeToWrongCase", withEdge(dependsOn(stored, app("Payments-API"))), graph.CodeNotFound},       // keys are case-sensitive
		{"TooManyItems", tooMany, graph.CodeLimitExceeded},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := h(t)
			MustApply(t, s, SmallEstate())
			before := TakeDump(t, s)
			_, err := s.Apply(t.Context(), c.batch)
			wantCode(t, "Apply", err, c.code)
			unchanged(t, s, before, "after a rejected batch")
			if c.name != "TooManyItems" {
				absent(t, s, valid.Ref())
			}
		})
	}
}

func stats(t testing.TB, s graph.Store) graph.Stats {
	t.Helper()
	st, err := s.Stats(t.Context())
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	return st
}

package graphtest

import (
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

// testManualProvenance checks DESIGN.md's rule that manual edits are never
// silently overwritten and that a conflict with an ingested value is
// visible, field by field: the name, properties and labels.
func testManualProvenance(t *testing.T, h Harness) {
	target := app("orders-api")
	ingest := func(run string, minute int, name, typ, env string) graph.Batch {
		n := node(target)
		n.Name, n.Props, n.Labels = name, map[string]any{"type": typ}, map[string]string{"env": env}
		n.Confidence, n.Evidence = graph.Inferred, "mono/deploy/orders.yaml:3"
		return graph.Batch{Source: "git:mono", Run: run, At: at(minute), Nodes: []graph.NodeInput{n}}
	}
	manual := func(minute int, name string, props map[string]any, labels map[string]string) graph.Batch {
		n := node(target)
		n.Name, n.Props, n.Labels = name, props, labels
		return graph.Batch{Source: graph.SourceManual, Run: "m", At: at(minute), Nodes: []graph.NodeInput{n}}
	}
	conflict := func(field, manual, ingested string, minute int) graph.Conflict {
		return graph.Conflict{Field: field, Manual: manual, Ingested: ingested, Source: "git:mono", SeenAt: at(minute)}
	}
	type want struct {
		name      string
		props     map[string]any
		labels    map[string]string
		manual    []string
		conflicts []graph.Conflict
	}
	for _, tc := range []struct {
		name    string
		batches []graph.Batch
		sweep   string // run of git:mono kept by a sweep after the batches
		want    want
	}{
		{
			name: "ingest alone overwrites as before",
			batches: []graph.Batch{
				ingest("r1", 1, "Orders", "container", "prod"),
				ingest("r2", 2, "Orders API", "helm-chart", "staging"),
			},
			want: want{name: "Orders API", props: map[string]any{"type": "helm-chart"}, labels: map[string]string{"env": "staging"}},
		},
		{
			name: "a manual rename survives a re-ingest and the conflict shows",
			batches: []graph.Batch{
				ingest("r1", 1, "Orders", "container", "prod"),
				manual(2, "Orders (legacy)", nil, nil),
				ingest("r2", 3, "Orders", "container", "prod"),
			},
			want: want{name: "Orders (legacy)", props: map[string]any{"type": "container"}, labels: map[string]string{"env": "prod"},
				manual: []string{"name"}, conflicts: []graph.Conflict{conflict("name", "Orders (legacy)", "Orders", 3)}},
		},
		{
			name: "edit before the first ingest ends the same",
			batches: []graph.Batch{
				manual(2, "Orders (legacy)", nil, nil),
				ingest("r2", 3, "Orders", "container", "prod"),
			},
			want: want{name: "Orders (legacy)", props: map[string]any{"type": "container"}, labels: map[string]string{"env": "prod"},
				manual: []string{"name"}, conflicts: []graph.Conflict{conflict("name", "Orders (legacy)", "Orders", 3)}},
		},
		{
			name: "an edit replacing an ingested value shows the conflict at once",
			batches: []graph.Batch{
				ingest("r1", 1, "Orders", "container", "prod"),
				manual(2, "", map[string]any{"type": "serverless"}, map[string]string{"env": "dr"}),
			},
			want: want{name: "Orders", props: map[string]any{"type": "serverless"}, labels: map[string]string{"env": "dr"},
				manual:    []string{"labels.env", "props.type"},
				conflicts: []graph.Conflict{conflict("labels.env", "dr", "prod", 1), conflict("props.type", "serverless", "container", 1)}},
		},
		{
			name: "a late batch of an earlier run gives the same result in either order",
			batches: []graph.Batch{
				manual(2, "", map[string]any{"type": "serverless"}, map[string]string{"env": "dr"}),
				ingest("r1", 1, "Orders", "container", "prod"),
			},
			want: want{name: "Orders", props: map[string]any{"type": "serverless"}, labels: map[string]string{"env": "dr"},
				manual:    []string{"labels.env", "props.type"},
				conflicts: []graph.Conflict{conflict("labels.env", "dr", "prod", 1), conflict("props.type", "serverless", "container", 1)}},
		},
		{
			name: "unpinned fields still follow the source",
			batches: []graph.Batch{
				ingest("r1", 1, "Orders", "container", "prod"),
				manual(2, "", nil, map[string]string{"env": "dr"}),
				ingest("r2", 3, "Orders API", "helm-chart", "prod"),
			},
			want: want{name: "Orders API", props: map[string]any{"type": "helm-chart"}, labels: map[string]string{"env": "dr"},
				manual: []string{"labels.env"}, conflicts: []graph.Conflict{conflict("labels.env", "dr", "prod", 3)}},
		},
		{
			name: "the conflict clears when the source agrees again",
			batches: []graph.Batch{
				ingest("r1", 1, "Orders", "container", "prod"),
				manual(2, "Orders (legacy)", nil, nil),
				ingest("r2", 3, "Orders (legacy)", "container", "prod"),
			},
			want: want{name: "Orders (legacy)", props: map[string]any{"type": "container"}, labels: map[string]string{"env": "prod"},
				manual: []string{"name"}},
		},
		{
			name: "the conflict clears when the manual value gives way",
			batches: []graph.Batch{
				ingest("r1", 1, "Orders", "container", "prod"),
				manual(2, "Orders (legacy)", nil, nil),
				ingest("r2", 3, "Orders", "container", "prod"),
				manual(4, "Orders", nil, nil),
			},
			want: want{name: "Orders", props: map[string]any{"type": "container"}, labels: map[string]string{"env": "prod"},
				manual: []string{"name"}},
		},
		{
			name: "a new manual value updates what the conflict shows",
			batches: []graph.Batch{
				ingest("r1", 1, "Orders", "container", "prod"),
				manual(2, "Orders (legacy)", nil, nil),
				manual(4, "Orders v1", nil, nil),
			},
			want: want{name: "Orders v1", props: map[string]any{"type": "container"}, labels: map[string]string{"env": "prod"},
				manual: []string{"name"}, conflicts: []graph.Conflict{conflict("name", "Orders v1", "Orders", 1)}},
		},
		{
			name: "a sweep of the source takes its conflicts",
			batches: []graph.Batch{
				ingest("r1", 1, "Orders", "container", "prod"),
				manual(2, "Orders (legacy)", nil, nil),
				ingest("r2", 3, "Orders", "container", "prod"),
			},
			sweep: "r3",
			want: want{name: "Orders (legacy)", props: map[string]any{"type": "container"}, labels: map[string]string{"env": "prod"},
				manual: []string{"name"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := h(t)
			for _, b := range tc.batches {
				MustApply(t, s, b)
			}
			if tc.sweep != "" {
				if _, err := s.Sweep(t.Context(), graph.SweepRequest{Source: "git:mono", Run: tc.sweep}); err != nil {
					t.Fatal(err)
				}
			}
			n := getNode(t, s, target)
			w := tc.want
			sameJSON(t, "orders-api name, props, labels, manual fields, conflicts",
				[]any{n.Name, n.Props, n.Labels, n.Manual, n.Conflicts},
				[]any{w.name, w.props, w.labels, w.manual, w.conflicts})

			// Whatever the store holds, an export restores exactly.
			d := TakeDump(t, s)
			s2 := h(t)
			if err := s2.Restore(t.Context(), d.Nodes, d.Edges); err != nil {
				t.Fatalf("Restore(dump): %v", err)
			}
			sameJSON(t, "dump after restore", TakeDump(t, s2), d)
		})
	}

	t.Run("a manual path on a relationship survives a re-ingest", func(t *testing.T) {
		s := h(t)
		r := repo("github.com/acme/mono")
		ingestBuilds := func(run string, minute int) graph.Batch {
			return graph.Batch{Source: "git:mono", Run: run, At: at(minute), Nodes: nodes(r, target),
				Edges: []graph.EdgeInput{edge(graph.RelBuilds, r, target, "path", "services/orders")}}
		}
		MustApply(t, s, ingestBuilds("r1", 1))
		MustApply(t, s, graph.Batch{Source: graph.SourceManual, Run: "m", At: at(2), Nodes: nodes(r, target),
			Edges: []graph.EdgeInput{edge(graph.RelBuilds, r, target, "path", "apps/orders")}})
		MustApply(t, s, ingestBuilds("r2", 3))
		e := getEdge(t, s, edge(graph.RelBuilds, r, target))
		sameJSON(t, "BUILDS path, manual fields, conflicts", []any{e.Props, e.Manual, e.Conflicts}, []any{
			map[string]any{"path": "apps/orders"}, []string{"props.path"},
			[]graph.Conflict{conflict("props.path", "apps/orders", "services/orders", 3)}})

		d := TakeDump(t, s)
		s2 := h(t)
		if err := s2.Restore(t.Context(), d.Nodes, d.Edges); err != nil {
			t.Fatalf("Restore(dump): %v", err)
		}
		sameJSON(t, "dump after restore", TakeDump(t, s2), d)

		if _, err := s.Sweep(t.Context(), graph.SweepRequest{Source: "git:mono", Run: "r3"}); err != nil {
			t.Fatal(err)
		}
		e = getEdge(t, s, edge(graph.RelBuilds, r, target))
		sameJSON(t, "after a sweep of the source", []any{e.Props, e.Manual, e.Conflicts}, []any{
			map[string]any{"path": "apps/orders"}, []string{"props.path"}, nil})
	})

	t.Run("restore rejects malformed provenance", func(t *testing.T) {
		for _, bad := range []struct {
			name   string
			mutate func(*graph.Node)
		}{
			{"unknown manual field", func(n *graph.Node) { n.Manual = []string{"colour"} }},
			{"unsorted manual fields", func(n *graph.Node) { n.Manual = []string{"props.type", "name"} }},
			{"conflict without source", func(n *graph.Node) {
				n.Conflicts = []graph.Conflict{{Field: "name", Manual: "a", Ingested: "b", SeenAt: T0}}
			}},
		} {
			t.Run(bad.name, func(t *testing.T) {
				s := h(t)
				n := &graph.Node{ID: target.ID(), Kind: target.Kind, Key: target.Key, Name: "Orders",
					Assertions: []graph.Assertion{{Source: graph.SourceManual, Confidence: graph.Declared, FirstSeen: T0, LastSeen: T0}},
					FirstSeen:  T0, LastSeen: T0}
				bad.mutate(n)
				wantCode(t, "Restore("+bad.name+")", s.Restore(t.Context(), []*graph.Node{n}, nil), graph.CodeInvalid)
				unchanged(t, s, Dump{}, "after a rejected restore")
			})
		}
	})
}

package graphtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// testConcurrency runs writers and readers at once (run it with -race). Every
// batch adds exactly perBatch applications, each PART_OF one shared service,
// so a reader that sees a count that is not a multiple of perBatch has seen
// half a batch.
func testConcurrency(t *testing.T, h Harness) {
	s := h(t)
	shared := svc("shared")
	const writers, batches, perBatch, readers = 6, 8, 15, 4
	appRef := func(w, i, j int) graph.Ref { return app(fmt.Sprintf("w%d-b%02d-a%02d", w, i, j)) }

	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range batches {
				// Each writer gives the shared service its own tier, so that
				// the light reads below meet it changing.
				sv := node(shared)
				sv.Props = map[string]any{"tier": w + 1}
				b := graph.Batch{Source: fmt.Sprint("src-", w), Run: fmt.Sprint("r", i), At: at(i),
					Nodes: []graph.NodeInput{sv}}
				for j := range perBatch {
					b.Nodes = append(b.Nodes, graph.NodeInput{Kind: graph.KindApplication, Key: appRef(w, i, j).Key,
						Labels: map[string]string{"writer": fmt.Sprint(w)}})
					b.Edges = append(b.Edges, partOf(appRef(w, i, j), shared))
					if j > 0 {
						b.Edges = append(b.Edges, dependsOn(appRef(w, i, j), appRef(w, i, j-1)))
					}
				}
				if _, err := s.Apply(t.Context(), b); err != nil {
					t.Errorf("writer %d batch %d: %v", w, i, err)
					return
				}
			}
		})
	}

	done := make(chan struct{})
	var rg sync.WaitGroup
	for r := range readers {
		rg.Go(func() {
			last := 0
			for iter := 0; ; iter++ {
				m, err := s.Neighbors(t.Context(), ids(shared), graph.NeighborQuery{Direction: graph.In, Types: []graph.RelType{graph.RelPartOf}})
				if err != nil {
					t.Errorf("reader %d: Neighbors: %v", r, err)
					return
				}
				n := len(m[shared.ID()])
				if n%perBatch != 0 || n < last {
					t.Errorf("reader %d: shared service has %d members (before: %d): a half-applied batch is visible", r, n, last)
					return
				}
				last = n
				for _, x := range m[shared.ID()] {
					if x.Node == nil || x.Edge == nil {
						t.Errorf("reader %d: a neighbour without its node or relationship", r)
						return
					}
				}
				switch iter % 4 {
				case 0:
					p, err := s.List(t.Context(), graph.ListQuery{Kinds: []graph.Kind{graph.KindApplication}, First: 100})
					if err != nil {
						t.Errorf("reader %d: List: %v", r, err)
						return
					}
					if p.TotalCount%perBatch != 0 || !slices.IsSortedFunc(p.Nodes, func(a, b *graph.Node) int { return graph.CompareRefs(a.Ref(), b.Ref()) }) {
						t.Errorf("reader %d: List: total %d, order %q", r, p.TotalCount, refsOf(p.Nodes))
						return
					}
				case 1:
					apps := 0
					if err := s.ScanNodes(t.Context(), func(n *graph.Node) error {
						if n.Kind == graph.KindApplication {
							apps++
						}
						return nil
					}); err != nil {
						t.Errorf("reader %d: ScanNodes: %v", r, err)
						return
					}
					if apps%perBatch != 0 {
						t.Errorf("reader %d: ScanNodes saw %d applications: a half-applied batch is visible", r, apps)
						return
					}
				case 2:
					if _, err := s.Search(t.Context(), graph.SearchQuery{Text: "w1-b0", Limit: 50}); err != nil {
						t.Errorf("reader %d: Search: %v", r, err)
						return
					}
					if _, err := s.Traverse(t.Context(), graph.TraverseQuery{Starts: ids(appRef(r%writers, 0, perBatch-1)),
						Steps: []graph.Step{{Type: graph.RelDependsOn, Direction: graph.Out}}, MaxDepth: 4}); err != nil {
						t.Errorf("reader %d: Traverse: %v", r, err)
						return
					}
					// A light read of the service's tier, which a backend may
					// keep between reads (graph.Light), while writers change it.
					m, err := s.Neighbors(t.Context(), ids(appRef(r%writers, 0, 0)), graph.NeighborQuery{
						Types: []graph.RelType{graph.RelPartOf}, Direction: graph.Out, Light: &graph.Light{Props: []string{"tier"}}})
					if err != nil {
						t.Errorf("reader %d: light Neighbors: %v", r, err)
						return
					}
					for _, nb := range m[appRef(r%writers, 0, 0).ID()] {
						if tier, _ := nb.Node.Props["tier"].(int64); tier < 1 || tier > writers {
							t.Errorf("reader %d: the shared service read light has tier %v, want one a writer gave", r, nb.Node.Props["tier"])
							return
						}
					}
				case 3:
					if _, err := s.Stats(t.Context()); err != nil {
						t.Errorf("reader %d: Stats: %v", r, err)
						return
					}
				}
				select {
				case <-done:
					return
				default:
				}
			}
		})
	}
	wg.Wait()
	close(done)
	rg.Wait()

	st := stats(t, s)
	total := writers * batches * perBatch
	if st.Nodes[graph.KindApplication] != total || st.Edges[graph.RelPartOf] != total || st.Edges[graph.RelDependsOn] != writers*batches*(perBatch-1) {
		t.Errorf("after concurrent writes: %d applications, %d PART_OF, %d DEPENDS_ON; want %d, %d, %d",
			st.Nodes[graph.KindApplication], st.Edges[graph.RelPartOf], st.Edges[graph.RelDependsOn],
			total, total, writers*batches*(perBatch-1))
	}
	if n := getNode(t, s, shared); len(n.Assertions) != writers {
		t.Errorf("shared service asserted by %d writers concurrently keeps %d assertions", writers, len(n.Assertions))
	}
	m, err := s.Neighbors(t.Context(), ids(shared), graph.NeighborQuery{Direction: graph.In})
	if err != nil {
		t.Fatal(err)
	}
	if len(m[shared.ID()]) != total {
		t.Errorf("shared service has %d members, want %d", len(m[shared.ID()]), total)
	}
}

// testContext checks that calls made with a cancelled context fail with the
// context's error (wrapped or not: errors.Is) and change nothing.
func testContext(t *testing.T, h Harness) {
	t.Run("Cancelled", func(t *testing.T) {
		s := h(t)
		MustApply(t, s, SmallEstate())
		before := TakeDump(t, s)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		payAPI := app(EstatePaymentsAPI)
		fresh := app("fresh")
		freshNode := &graph.Node{ID: fresh.ID(), Kind: fresh.Kind, Key: fresh.Key, Name: fresh.Key,
			Assertions: []graph.Assertion{{Source: "import", Confidence: graph.Declared, FirstSeen: T0, LastSeen: T0}},
			FirstSeen:  T0, LastSeen: T0}
		calls := []struct {
			name string
			call func(context.Context) error
		}{
			{"Apply", func(ctx context.Context) error {
				_, err := s.Apply(ctx, graph.Batch{Source: "src", Run: "r", At: T0, Nodes: nodes(fresh)})
				return err
			}},
			{"Nodes", func(ctx context.Context) error { _, err := s.Nodes(ctx, ids(payAPI)); return err }},
			{"Node", func(ctx context.Context) error { _, err := s.Node(ctx, payAPI); return err }},
			{"Resolve", func(ctx context.Context) error { _, err := s.Resolve(ctx, "pay-api", nil); return err }},
			{"List", func(ctx context.Context) error { _, err := s.List(ctx, graph.ListQuery{}); return err }},
			{"Search", func(ctx context.Context) error { _, err := s.Search(ctx, graph.SearchQuery{Text: "pay"}); return err }},
			{"Edges", func(ctx context.Context) error {
				_, err := s.Edges(ctx, []graph.ID{dependsOn(payAPI, app(EstateAccountsAPI)).ID()})
				return err
			}},
			{"Neighbors", func(ctx context.Context) error {
				_, err := s.Neighbors(ctx, ids(payAPI), graph.NeighborQuery{})
				return err
			}},
			{"Traverse", func(ctx context.Context) error {
				_, err := s.Traverse(ctx, graph.TraverseQuery{Starts: ids(payAPI), MaxDepth: 3,
					Steps: []graph.Step{{Type: graph.RelDependsOn, Direction: graph.Both}}})
				return err
			}},
			{"DeleteNodes", func(ctx context.Context) error { _, err := s.DeleteNodes(ctx, ids(payAPI)); return err }},
			{"DeleteEdges", func(ctx context.Context) error {
				_, err := s.DeleteEdges(ctx, []graph.ID{dependsOn(payAPI, app(EstateAccountsAPI)).ID()})
				return err
			}},
			{"Sweep", func(ctx context.Context) error {
				_, err := s.Sweep(ctx, graph.SweepRequest{Source: EstateSource, Run: "another-run"})
				return err
			}},
			{"ScanNodes", func(ctx context.Context) error { return s.ScanNodes(ctx, func(*graph.Node) error { return nil }) }},
			{"ScanEdges", func(ctx context.Context) error { return s.ScanEdges(ctx, func(*graph.Edge) error { return nil }) }},
			{"Topology", func(ctx context.Context) error { _, err := s.Topology(ctx); return err }},
			{"Restore", func(ctx context.Context) error { return s.Restore(ctx, []*graph.Node{freshNode}, nil) }},
			{"Stats", func(ctx context.Context) error { _, err := s.Stats(ctx); return err }},
		}
		for _, c := range calls {
			t.Run(c.name, func(t *testing.T) {
				if err := c.call(ctx); !errors.Is(err, context.Canceled) {
					t.Errorf("%s with a cancelled context: %v, want an error wrapping context.Canceled", c.name, err)
				}
			})
		}
		unchanged(t, s, before, "calls with a cancelled context")
	})

	t.Run("DeadlineExceeded", func(t *testing.T) {
		s := h(t)
		MustApply(t, s, SmallEstate())
		ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
		defer cancel()
		if _, err := s.Node(ctx, app(EstatePaymentsAPI)); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Node past its deadline: %v, want an error wrapping context.DeadlineExceeded", err)
		}
	})

	t.Run("CancelledDuringScan", func(t *testing.T) {
		// An export whose client went away must not look complete when it
		// is not: once the context is cancelled, a scan either returns the
		// context's error or has handed fn every item. (A backend may stream
		// on for a while before it notices.)
		s := h(t)
		b := SmallEstate()
		MustApply(t, s, b)
		check := func(what string, total int, scan func(context.Context, func()) error) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			calls := 0
			err := scan(ctx, func() { calls++; cancel() })
			if !errors.Is(err, context.Canceled) && !(err == nil && calls == total) {
				t.Errorf("%s cancelled after the first item: %v after %d of %d items; want context.Canceled (or all %d items)",
					what, err, calls, total, total)
			}
		}
		check("ScanNodes", len(b.Nodes), func(ctx context.Context, seen func()) error {
			return s.ScanNodes(ctx, func(*graph.Node) error { seen(); return nil })
		})
		check("ScanEdges", len(b.Edges), func(ctx context.Context, seen func()) error {
			return s.ScanEdges(ctx, func(*graph.Edge) error { seen(); return nil })
		})
	})
}

// testCopies checks that what a store returns and what it is given are not
// shared with it: a caller modifying a node changes nothing stored.
func testCopies(t *testing.T, h Harness) {
	mutateNode := func(n *graph.Node) {
		if n == nil {
			return
		}
		n.Name += " (modified)"
		n.Key += "-modified"
		for k, v := range n.Props {
			if l, ok := v.([]string); ok && len(l) > 0 {
				l[0] = "modified"
			} else {
				n.Props[k] = "modified"
			}
		}
		for k := range n.Labels {
			n.Labels[k] = "modified"
		}
		for i := range n.Aliases {
			n.Aliases[i].Value = "modified"
		}
		for i := range n.Assertions {
			n.Assertions[i].Source, n.Assertions[i].LastSeen = "modified", time.Time{}
		}
		n.FirstSeen = time.Time{}
	}
	mutateEdge := func(e *graph.Edge) {
		if e == nil {
			return
		}
		for k := range e.Props {
			e.Props[k] = "modified"
		}
		for i := range e.Assertions {
			e.Assertions[i].Run = "modified"
		}
		e.From.Key += "-modified"
	}

	t.Run("ReturnedValues", func(t *testing.T) {
		s := h(t)
		MustApply(t, s, SmallEstate())
		before := TakeDump(t, s).JSON()
		ctx := t.Context()
		payAPI := app(EstatePaymentsAPI)
		reads := map[string]func() ([]*graph.Node, []*graph.Edge, error){
			"Node": func() ([]*graph.Node, []*graph.Edge, error) {
				n, err := s.Node(ctx, payAPI)
				return []*graph.Node{n}, nil, err
			},
			"Nodes": func() ([]*graph.Node, []*graph.Edge, error) {
				ns, err := s.Nodes(ctx, ids(payAPI, svc(EstatePayments), repo(EstateMonorepo)))
				return ns, nil, err
			},
			"Resolve": func() ([]*graph.Node, []*graph.Edge, error) {
				ns, err := s.Resolve(ctx, "pay-api", nil)
				return ns, nil, err
			},
			"List": func() ([]*graph.Node, []*graph.Edge, error) {
				p, err := s.List(ctx, graph.ListQuery{First: graph.MaxPageSize})
				if err != nil {
					return nil, nil, err
				}
				return p.Nodes, nil, nil
			},
			"Search": func() ([]*graph.Node, []*graph.Edge, error) {
				ns, err := s.Search(ctx, graph.SearchQuery{Text: "pay"})
				return ns, nil, err
			},
			"Edges": func() ([]*graph.Node, []*graph.Edge, error) {
				es, err := s.Edges(ctx, []graph.ID{edge(graph.RelBuilds, repo(EstateMonorepo), payAPI).ID(),
					owns(person(EstateCarol), payAPI, graph.OwnerSecurity).ID()})
				return nil, es, err
			},
			"Neighbors": func() ([]*graph.Node, []*graph.Edge, error) {
				m, err := s.Neighbors(ctx, ids(payAPI, svc(EstatePayments)), graph.NeighborQuery{})
				var ns []*graph.Node
				var es []*graph.Edge
				for _, l := range m {
					for _, x := range l {
						ns, es = append(ns, x.Node), append(es, x.Edge)
					}
				}
				return ns, es, err
			},
			"Traverse": func() ([]*graph.Node, []*graph.Edge, error) {
				tr, err := s.Traverse(ctx, graph.TraverseQuery{Starts: ids(payAPI), MaxDepth: 3, Steps: []graph.Step{
					{Type: graph.RelDependsOn, Direction: graph.Both}, {Type: graph.RelBuilds, Direction: graph.In},
					{Type: graph.RelPartOf, Direction: graph.Out}}})
				if err != nil {
					return nil, nil, err
				}
				var ns []*graph.Node
				var es []*graph.Edge
				for _, hit := range tr.Hits {
					ns, es = append(ns, hit.Node), append(es, hit.Path...)
				}
				return ns, es, nil
			},
			"Scan": func() ([]*graph.Node, []*graph.Edge, error) {
				d := TakeDump(t, s)
				return d.Nodes, d.Edges, nil
			},
		}
		for name, read := range reads {
			ns, es, err := read()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(ns)+len(es) == 0 {
				t.Fatalf("%s returned nothing to modify", name)
			}
			for _, n := range ns {
				mutateNode(n)
			}
			for _, e := range es {
				mutateEdge(e)
			}
			if after := TakeDump(t, s).JSON(); after != before {
				t.Fatalf("modifying what %s returned changed the store (-got +want):\n%s", name, lineDiff(after, before))
			}
		}
	})

	t.Run("ApplyInput", func(t *testing.T) {
		s := h(t)
		b := graph.Batch{Source: "src", Run: "r1", At: T0,
			Nodes: []graph.NodeInput{
				{Kind: graph.KindRepository, Key: "github.com/acme/mono", Aliases: []string{"mono"},
					Props:  map[string]any{"topics": []string{"go", "payments"}, "language": "Go"},
					Labels: map[string]string{"env": "prod"}},
				node(app("api")),
			},
			Edges: []graph.EdgeInput{edge(graph.RelBuilds, repo("github.com/acme/mono"), app("api"), "path", "api")},
		}
		MustApply(t, s, b)
		before := TakeDump(t, s).JSON()
		b.Nodes[0].Props["topics"].([]string)[0] = "modified"
		b.Nodes[0].Props["language"] = "modified"
		b.Nodes[0].Labels["env"] = "modified"
		b.Nodes[0].Aliases[0] = "modified"
		b.Edges[0].Props["path"] = "modified"
		if after := TakeDump(t, s).JSON(); after != before {
			t.Errorf("modifying an applied batch changed the store (-got +want):\n%s", lineDiff(after, before))
		}
	})

	t.Run("RestoreInput", func(t *testing.T) {
		s1 := h(t)
		MustApply(t, s1, SmallEstate())
		d := TakeDump(t, s1)
		s2 := h(t)
		if err := s2.Restore(t.Context(), d.Nodes, d.Edges); err != nil {
			t.Fatal(err)
		}
		before := TakeDump(t, s2).JSON()
		for _, n := range d.Nodes {
			mutateNode(n)
		}
		for _, e := range d.Edges {
			mutateEdge(e)
		}
		if after := TakeDump(t, s2).JSON(); after != before {
			t.Errorf("modifying restored nodes changed the store (-got +want):\n%s", lineDiff(after, before))
		}
	})
}

package graphtest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

func testNodes(t *testing.T, h Harness) {
	s := h(t)
	MustApply(t, s, SmallEstate())
	a, b := app(EstatePaymentsAPI), team(EstatePaymentsTeam)
	ghost := app("ghost")
	t.Run("InOrderWithNilForMissing", func(t *testing.T) {
		got, err := s.Nodes(t.Context(), []graph.ID{b.ID(), ghost.ID(), a.ID(), b.ID(), svc(EstatePaymentsAPI).ID()})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{b.String(), "<nil>", a.String(), b.String(), "<nil>"}
		if g := refsOf(got); !slices.Equal(g, want) {
			t.Errorf("Nodes = %q, want %q", g, want)
		}
		if len(got) > 0 && got[0] != nil && got[0].Name != "Payments Core" {
			t.Errorf("Nodes returned %s named %q, want the whole node (name Payments Core)", got[0].Ref(), got[0].Name)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		got, err := s.Nodes(t.Context(), nil)
		if err != nil || len(got) != 0 {
			t.Errorf("Nodes(nil) = %q, %v; want nothing, no error", refsOf(got), err)
		}
	})
}

func testNode(t *testing.T, h Harness) {
	s := h(t)
	MustApply(t, s, SmallEstate())
	n := getNode(t, s, app(EstatePaymentsAPI))
	if n.Name != "Payments API" || n.ID != app(EstatePaymentsAPI).ID() || len(n.Assertions) != 1 {
		t.Errorf("Node(payments-api) = %s named %q with %d assertions", n.Ref(), n.Name, len(n.Assertions))
	}
	for _, r := range []graph.Ref{
		app("ghost"),
		svc(EstatePaymentsAPI),      // the key exists, but as an Application
		app("PAYMENTS-API"),         // keys are case-sensitive; Resolve ignores case
		team("@acme/payments-core"), // an alias is not a key; Resolve finds aliases
	} {
		absent(t, s, r)
	}
}

func testResolve(t *testing.T, h Harness) {
	s := h(t)
	tm := team("github.com/acme/team/payments-core")
	coreApp := app("payments-core") // a key equal to one of the team's aliases
	MustApply(t, s, graph.Batch{Source: "codeowners", Run: "r1", At: T0, Nodes: []graph.NodeInput{
		{Kind: tm.Kind, Key: tm.Key, Aliases: []string{"@acme/payments-core", "GitHub.com/Acme/Team/Payments-Core"}},
		node(coreApp), node(app("payments")), node(svc("payments-core-svc")),
	}})
	MustApply(t, s, graph.Batch{Source: "aws:org", Run: "a1", At: T0, Nodes: []graph.NodeInput{
		{Kind: tm.Kind, Key: tm.Key, Aliases: []string{"Payments-Core"}},
	}})
	MustApply(t, s, graph.Batch{Source: "catalog", Run: "c1", At: T0, Nodes: []graph.NodeInput{
		{Kind: tm.Kind, Key: tm.Key, Aliases: []string{"payments-core"}},
	}})
	cases := []struct {
		ref   string
		kinds []graph.Kind
		want  []graph.Ref
	}{
		{"github.com/acme/team/payments-core", nil, []graph.Ref{tm}}, // key (and an alias): once
		{"GITHUB.COM/ACME/TEAM/PAYMENTS-CORE", nil, []graph.Ref{tm}}, // key, ignoring case
		{"@acme/payments-core", nil, []graph.Ref{tm}},                // alias
		{"@ACME/Payments-Core", nil, []graph.Ref{tm}},                // alias, ignoring case
		{"PAYMENTS-CORE", nil, []graph.Ref{coreApp, tm}},             // a key and two aliases: kind order
		{"payments-core", []graph.Kind{graph.KindTeam}, []graph.Ref{tm}},
		{"payments-core", []graph.Kind{graph.KindApplication, graph.KindPerson}, []graph.Ref{coreApp}},
		{"payments-core", []graph.Kind{graph.KindPerson}, nil},
		{"payments", nil, []graph.Ref{app("payments")}}, // exact only: no prefix matches
		{"acme", nil, nil},
		{"nobody", nil, nil},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(fmt.Sprintf("%s%v", c.ref, c.kinds), "/", "|"), func(t *testing.T) {
			got, err := s.Resolve(t.Context(), c.ref, c.kinds)
			if err != nil {
				t.Fatalf("Resolve(%q, %v): %v", c.ref, c.kinds, err)
			}
			sameRefs(t, fmt.Sprintf("Resolve(%q, %v)", c.ref, c.kinds), got, c.want...)
		})
	}
}

// listEstate is a set of nodes of every kind, inserted out of order, with
// keys whose byte order differs from their case-insensitive order, some
// labels and two sources.
func listEstate() []graph.Batch {
	gh := graph.Batch{Source: "github:acme", Run: "r1", At: T0}
	aws := graph.Batch{Source: "aws:org", Run: "a1", At: T0}
	add := func(b *graph.Batch, r graph.Ref, labels map[string]string) {
		b.Nodes = append(b.Nodes, graph.NodeInput{Kind: r.Kind, Key: r.Key, Labels: labels})
	}
	prod := map[string]string{"env": "prod"}
	prodCore := map[string]string{"env": "prod", "team": "core"}
	add(&gh, team("zeta"), nil)
	add(&gh, app("b-app"), prod)
	add(&gh, app("B-app"), nil)
	add(&gh, app("a-app"), prodCore)
	add(&aws, res("arn:aws:s3:::logs"), prodCore)
	add(&aws, acct("aws:111111111111"), nil)
	add(&gh, bu("retail"), nil)
	add(&gh, svc("payments"), prod)
	add(&gh, person("alice@acme.example"), nil)
	add(&gh, repo("github.com/acme/zed"), map[string]string{"env": "dev"})
	add(&gh, repo("github.com/acme/émile"), nil)
	add(&gh, repo("github.com/acme/Zed"), nil)
	add(&aws, res("arn:aws:ec2:eu-west-1:111111111111:instance/i-1"), map[string]string{"env": "dev", "team": "core"})
	for i := 11; i >= 0; i-- {
		var labels map[string]string
		if i%3 == 0 {
			labels = prodCore
		}
		add(&gh, app(fmt.Sprintf("app-%02d", i)), labels)
	}
	add(&aws, app("app-03"), nil)     // also asserted by aws
	add(&gh, bu("digital"), prodCore) // after retail in insertion, before it in order
	return []graph.Batch{gh, aws}
}

// sortedRefs returns every node ref of the batches, ordered kind then key.
func sortedRefs(bs []graph.Batch, keep func(graph.NodeInput, string) bool) []graph.Ref {
	seen := map[graph.Ref]bool{}
	var out []graph.Ref
	for _, b := range bs {
		for _, n := range b.Nodes {
			if (keep == nil || keep(n, b.Source)) && !seen[n.Ref()] {
				seen[n.Ref()] = true
				out = append(out, n.Ref())
			}
		}
	}
	slices.SortFunc(out, graph.CompareRefs)
	return out
}

func testList(t *testing.T, h Harness) {
	s := h(t)
	s0 := s
	batches := listEstate()
	for _, b := range batches {
		MustApply(t, s, b)
	}
	all := sortedRefs(batches, nil)
	// store is what list and pages read: s, but for a subtest that builds
	// its own.
	store := s
	list := func(t *testing.T, q graph.ListQuery) *graph.NodePage {
		t.Helper()
		p, err := store.List(t.Context(), q)
		if err != nil {
			t.Fatalf("List(%+v): %v", q, err)
		}
		if p == nil {
			t.Fatalf("List(%+v) returned a nil page", q)
		}
		return p
	}

	t.Run("KindThenKey", func(t *testing.T) {
		// Kinds order (not alphabetical), then keys byte-wise (upper case first).
		head := []graph.Ref{bu("digital"), bu("retail"), svc("payments"), app("B-app"), app("a-app"), app("app-00")}
		p := list(t, graph.ListQuery{First: len(head)})
		sameRefs(t, "first page", p.Nodes, head...)
		p = list(t, graph.ListQuery{First: graph.MaxPageSize})
		sameRefs(t, "everything", p.Nodes, all...)
		if p.HasNext || p.TotalCount != len(all) {
			t.Errorf("whole listing: hasNext %v totalCount %d, want false %d", p.HasNext, p.TotalCount, len(all))
		}
	})

	// pages walks every page of q with After cursors and checks each page.
	pages := func(t *testing.T, q graph.ListQuery, want []graph.Ref) {
		t.Helper()
		var got []*graph.Node
		for i := 0; ; i++ {
			if i > len(want)+1 {
				t.Fatalf("pagination does not end after %d pages", i)
			}
			p := list(t, q)
			if len(p.Nodes) > q.First {
				t.Errorf("page %d holds %d nodes, more than first=%d", i, len(p.Nodes), q.First)
			}
			if p.TotalCount != len(want) {
				t.Errorf("page %d: totalCount %d, want %d", i, p.TotalCount, len(want))
			}
			if len(p.Cursors) != len(p.Nodes) {
				t.Fatalf("page %d: %d cursors for %d nodes", i, len(p.Cursors), len(p.Nodes))
			}
			for j, n := range p.Nodes {
				if c := graph.EncodeCursor(n.Ref()); p.Cursors[j] != c {
					t.Errorf("page %d: cursor of %s is %q, want the portable %q", i, n.Ref(), p.Cursors[j], c)
				}
			}
			if len(p.Nodes) > 0 && (p.StartCursor != p.Cursors[0] || p.EndCursor != p.Cursors[len(p.Cursors)-1]) {
				t.Errorf("page %d: start/end cursors %q %q are not the first and last cursors", i, p.StartCursor, p.EndCursor)
			}
			if i > 0 && len(p.Nodes) == 0 {
				t.Errorf("page %d is empty although the page before said it had a next page", i)
			}
			got = append(got, p.Nodes...)
			if !p.HasNext {
				break
			}
			if len(p.Nodes) == 0 {
				t.Fatalf("page %d is empty but says it has a next page", i)
			}
			q.After = p.EndCursor
		}
		sameRefs(t, "every page, in order", got, want...)
	}
	t.Run("Pagination", func(t *testing.T) {
		for _, first := range []int{1, 3, 7, len(all) - 1, len(all), len(all) + 1} {
			t.Run(fmt.Sprint("first=", first), func(t *testing.T) {
				pages(t, graph.ListQuery{First: first}, all)
			})
		}
	})

	t.Run("Filters", func(t *testing.T) {
		has := func(labels map[string]string) func(graph.NodeInput, string) bool {
			return func(n graph.NodeInput, _ string) bool {
				for k, v := range labels {
					if n.Labels[k] != v {
						return false
					}
				}
				return true
			}
		}
		// app-03 is asserted twice, with labels by github:acme and without by
		// aws:org: labels merge, so the first assertion's labels stand.
		labelled := func(labels map[string]string) []graph.Ref { return sortedRefs(batches, has(labels)) }
		cases := []struct {
			name string
			q    graph.ListQuery
			want []graph.Ref
		}{
			{"Kinds", graph.ListQuery{Kinds: []graph.Kind{graph.KindTeam, graph.KindBusinessUnit}},
				[]graph.Ref{bu("digital"), bu("retail"), team("zeta")}},
			{"Label", graph.ListQuery{Labels: map[string]string{"env": "prod"}}, labelled(map[string]string{"env": "prod"})},
			{"TwoLabels", graph.ListQuery{Labels: map[string]string{"env": "prod", "team": "core"}},
				labelled(map[string]string{"env": "prod", "team": "core"})},
			{"LabelValueMustMatch", graph.ListQuery{Labels: map[string]string{"env": "staging"}}, nil},
			{"Source", graph.ListQuery{Source: "aws:org"},
				[]graph.Ref{app("app-03"), acct("aws:111111111111"), res("arn:aws:ec2:eu-west-1:111111111111:instance/i-1"), res("arn:aws:s3:::logs")}},
			{"KindsAndSource", graph.ListQuery{Kinds: []graph.Kind{graph.KindApplication}, Source: "aws:org"}, []graph.Ref{app("app-03")}},
			{"KindsAndLabel", graph.ListQuery{Kinds: []graph.Kind{graph.KindCloudResource}, Labels: map[string]string{"team": "core"}},
				[]graph.Ref{res("arn:aws:ec2:eu-west-1:111111111111:instance/i-1"), res("arn:aws:s3:::logs")}},
			{"UnknownSource", graph.ListQuery{Source: "gitlab:acme"}, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				q := c.q
				q.First = graph.MaxPageSize
				p := list(t, q)
				sameRefs(t, "filtered listing", p.Nodes, c.want...)
				if p.TotalCount != len(c.want) || p.HasNext {
					t.Errorf("totalCount %d hasNext %v, want %d false", p.TotalCount, p.HasNext, len(c.want))
				}
				if len(c.want) > 2 {
					q.First = 2
					pages(t, q, c.want)
				}
			})
		}
	})

	// Changes and incidents are listed by label at scale (a month of
	// history, the pending changes of a class); a backend may index their
	// labels, and the listing must follow every relabel and removal.
	t.Run("LabelsOfChangeRecords", func(t *testing.T) {
		s := h(t)
		store = s
		defer func() { store = s0 }()
		change := func(key string) graph.Ref { return ref(graph.KindChange, key) }
		labelled := func(r graph.Ref, labels map[string]string) graph.NodeInput {
			return graph.NodeInput{Kind: r.Kind, Key: r.Key, Labels: labels}
		}
		pending := map[string]string{"status": "PENDING", "month": "2026-11"}
		b := graph.Batch{Source: "governance", Run: "r1", At: T0}
		for i := range 7 {
			b.Nodes = append(b.Nodes, labelled(change(fmt.Sprintf("c%d", i)), pending))
		}
		b.Nodes = append(b.Nodes,
			labelled(change("c-old"), map[string]string{"status": "PENDING", "month": "2026-10"}),
			labelled(ref(graph.KindIncident, "INC-1"), map[string]string{"month": "2026-11"}),
			labelled(app("app-pending"), map[string]string{"status": "PENDING"}))
		MustApply(t, s, b)
		check := func(what string, q graph.ListQuery, want ...graph.Ref) {
			t.Helper()
			q.First = graph.MaxPageSize
			p := list(t, q)
			sameRefs(t, what, p.Nodes, want...)
			if p.TotalCount != len(want) {
				t.Errorf("%s: totalCount %d, want %d", what, p.TotalCount, len(want))
			}
			if len(want) > 2 {
				q.First = 2
				pages(t, q, want)
			}
		}
		changes := []graph.Kind{graph.KindChange}
		check("pending changes of November", graph.ListQuery{Kinds: changes, Labels: pending},
			change("c0"), change("c1"), change("c2"), change("c3"), change("c4"), change("c5"), change("c6"))
		check("November, every kind", graph.ListQuery{Labels: map[string]string{"month": "2026-11"}},
			change("c0"), change("c1"), change("c2"), change("c3"), change("c4"), change("c5"), change("c6"), ref(graph.KindIncident, "INC-1"))
		check("pending, every kind", graph.ListQuery{Labels: map[string]string{"status": "PENDING"}},
			app("app-pending"), change("c-old"), change("c0"), change("c1"), change("c2"), change("c3"), change("c4"), change("c5"), change("c6"))
		check("a value nothing has", graph.ListQuery{Kinds: changes, Labels: map[string]string{"status": "PENDING", "month": "1999-01"}})

		// A decision relabels c2 and c5; c4 is removed.
		MustApply(t, s, graph.Batch{Source: "governance", Run: "r2", At: T0.Add(time.Minute), Nodes: []graph.NodeInput{
			labelled(change("c2"), map[string]string{"status": "APPROVED"}),
			labelled(change("c5"), map[string]string{"status": "APPROVED", "month": "2026-12"}),
		}})
		if _, err := s.DeleteNodes(t.Context(), []graph.ID{change("c4").ID()}); err != nil {
			t.Fatal(err)
		}
		// A new change, which a store may put where c4 was.
		MustApply(t, s, graph.Batch{Source: "governance", Run: "r3", At: T0.Add(2 * time.Minute), Nodes: []graph.NodeInput{
			labelled(change("c9"), map[string]string{"status": "PENDING", "month": "2026-12"})}})
		check("pending after the decisions", graph.ListQuery{Kinds: changes, Labels: map[string]string{"status": "PENDING"}},
			change("c-old"), change("c0"), change("c1"), change("c3"), change("c6"), change("c9"))
		check("approved", graph.ListQuery{Kinds: changes, Labels: map[string]string{"status": "APPROVED"}}, change("c2"), change("c5"))
		check("November after the decisions", graph.ListQuery{Kinds: changes, Labels: map[string]string{"month": "2026-11"}},
			change("c0"), change("c1"), change("c2"), change("c3"), change("c6"))
		check("December", graph.ListQuery{Kinds: changes, Labels: map[string]string{"month": "2026-12"}}, change("c5"), change("c9"))
	})

	t.Run("DefaultPageSize", func(t *testing.T) {
		s := h(t)
		b := graph.Batch{Source: "src", Run: "r1", At: T0}
		for i := range graph.DefaultPageSize + 10 {
			b.Nodes = append(b.Nodes, node(app(fmt.Sprintf("app-%03d", i))))
		}
		MustApply(t, s, b)
		p, err := s.List(t.Context(), graph.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Nodes) != graph.DefaultPageSize || !p.HasNext || p.TotalCount != len(b.Nodes) {
			t.Errorf("List without first: %d nodes, hasNext %v, totalCount %d; want %d, true, %d",
				len(p.Nodes), p.HasNext, p.TotalCount, graph.DefaultPageSize, len(b.Nodes))
		}
	})

	t.Run("CursorOfMissingNode", func(t *testing.T) {
		// A cursor stays usable when its node is deleted between two pages.
		p := list(t, graph.ListQuery{First: 3, After: graph.EncodeCursor(app("app-055"))})
		sameRefs(t, "page after a cursor naming no node", p.Nodes, app("app-06"), app("app-07"), app("app-08"))
		p = list(t, graph.ListQuery{First: 3, After: graph.EncodeCursor(app("zzz"))})
		sameRefs(t, "page after the last application", p.Nodes, repo("github.com/acme/Zed"), repo("github.com/acme/zed"), repo("github.com/acme/émile"))
	})

	t.Run("PastTheEnd", func(t *testing.T) {
		p := list(t, graph.ListQuery{First: 5, After: graph.EncodeCursor(all[len(all)-1])})
		if len(p.Nodes) != 0 || p.HasNext {
			t.Errorf("page after the last node: %q, hasNext %v; want empty, false", refsOf(p.Nodes), p.HasNext)
		}
	})

	t.Run("EmptyStore", func(t *testing.T) {
		p, err := h(t).List(t.Context(), graph.ListQuery{First: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Nodes) != 0 || p.HasNext || p.TotalCount != 0 {
			t.Errorf("empty store: %d nodes, hasNext %v, totalCount %d", len(p.Nodes), p.HasNext, p.TotalCount)
		}
	})

	t.Run("Rejects", func(t *testing.T) {
		cases := []struct {
			name string
			q    graph.ListQuery
			code graph.Code
		}{
			{"FirstOverMax", graph.ListQuery{First: graph.MaxPageSize + 1}, graph.CodeLimitExceeded},
			{"NegativeFirst", graph.ListQuery{First: -1}, graph.CodeInvalid},
			{"CursorNotBase64", graph.ListQuery{After: "!!not a cursor!!"}, graph.CodeInvalid},
			{"CursorUnknownKind", graph.ListQuery{After: "U2VydmVyAHdlYi0x"}, graph.CodeInvalid}, // "Server\x00web-1"
			{"CursorWithoutSeparator", graph.ListQuery{After: "YXBw"}, graph.CodeInvalid},        // "app"
			{"UnknownKind", graph.ListQuery{Kinds: []graph.Kind{"Server"}}, graph.CodeInvalid},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := s.List(t.Context(), c.q)
				wantCode(t, fmt.Sprintf("List(%+v)", c.q), err, c.code)
			})
		}
	})
}

func testSearch(t *testing.T, h Harness) {
	s := h(t)
	MustApply(t, s, graph.Batch{Source: "src", Run: "r1", At: T0, Nodes: []graph.NodeInput{
		node(app("pay")), // exact key
		{Kind: graph.KindTeam, Key: "team-x", Aliases: []string{"PAY"}}, // exact alias
		{Kind: graph.KindTeam, Key: "t-77", Name: "Pay"},                // exact name
		{Kind: graph.KindService, Key: "payments", Name: "Payments"},    // prefix (key and name)
		node(app("payments-api")),                                       // prefix (key)
		{Kind: graph.KindService, Key: "svc-payroll", Name: "Payroll"},  // prefix (name)
		node(repo("github.com/acme/payments")),                          // contains (key)
		{Kind: graph.KindTeam, Key: "t-42", Name: "The Pay Team"},       // contains (name)
		{Kind: graph.KindCloudResource, Key: "arn:aws:s3:::bucket-logs",
			Labels: map[string]string{"cost-centre": "cc-repay-01"}}, // contains (label value)
		{Kind: graph.KindCloudResource, Key: "arn:aws:sqs:queue-1",
			Labels: map[string]string{"app": "payroll"}}, // a label value never ranks above "contains"
		{Kind: graph.KindService, Key: "billing", Labels: map[string]string{"pay": "no"}}, // label names do not count
		node(person("bob@acme.example")),
	}})
	exact := []graph.Ref{app("pay"), team("t-77"), team("team-x")}
	prefix := []graph.Ref{svc("payments"), svc("svc-payroll"), app("payments-api")}
	contains := []graph.Ref{repo("github.com/acme/payments"), team("t-42"), res("arn:aws:s3:::bucket-logs"), res("arn:aws:sqs:queue-1")}
	ranked := slices.Concat(exact, prefix, contains)

	cases := []struct {
		name string
		q    graph.SearchQuery
		want []graph.Ref
	}{
		{"Ranked", graph.SearchQuery{Text: "pay"}, ranked},
		{"IgnoresCase", graph.SearchQuery{Text: "PaY"}, ranked},
		{"Trimmed", graph.SearchQuery{Text: "  pay "}, ranked},
		{"Limit", graph.SearchQuery{Text: "pay", Limit: 3}, ranked[:3]},
		{"Kinds", graph.SearchQuery{Text: "pay", Kinds: []graph.Kind{graph.KindApplication, graph.KindCloudResource}},
			[]graph.Ref{app("pay"), app("payments-api"), res("arn:aws:s3:::bucket-logs"), res("arn:aws:sqs:queue-1")}},
		{"ExactKeyFirst", graph.SearchQuery{Text: "payments"}, []graph.Ref{svc("payments"), app("payments-api"), repo("github.com/acme/payments")}},
		{"ExactAliasAndName", graph.SearchQuery{Text: "pay", Kinds: []graph.Kind{graph.KindTeam}}, []graph.Ref{team("t-77"), team("team-x"), team("t-42")}},
		{"NamePrefix", graph.SearchQuery{Text: "PAYR"}, []graph.Ref{svc("svc-payroll"), res("arn:aws:sqs:queue-1")}},
		{"Name", graph.SearchQuery{Text: "pay team"}, []graph.Ref{team("t-42")}},
		{"LabelValue", graph.SearchQuery{Text: "REPAY"}, []graph.Ref{res("arn:aws:s3:::bucket-logs")}},
		{"NoMatch", graph.SearchQuery{Text: "kubernetes"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.Search(t.Context(), c.q)
			if err != nil {
				t.Fatalf("Search(%+v): %v", c.q, err)
			}
			sameRefs(t, fmt.Sprintf("Search(%+v)", c.q), got, c.want...)
		})
	}
	t.Run("Rejects", func(t *testing.T) {
		for _, c := range []struct {
			q    graph.SearchQuery
			code graph.Code
		}{
			{graph.SearchQuery{Text: "   "}, graph.CodeInvalid},
			{graph.SearchQuery{Text: "pay", Kinds: []graph.Kind{"Server"}}, graph.CodeInvalid},
			{graph.SearchQuery{Text: "pay", Limit: graph.MaxSearch + 1}, graph.CodeLimitExceeded},
		} {
			_, err := s.Search(t.Context(), c.q)
			wantCode(t, fmt.Sprintf("Search(%+v)", c.q), err, c.code)
		}
	})
}

// testIndexesFollowUpdates checks that lookups answer from what is stored
// now, not from what a node used to be called or labelled.
func testIndexesFollowUpdates(t *testing.T, h Harness) {
	s := h(t)
	r := team("t-1")
	MustApply(t, s, graph.Batch{Source: "catalog", Run: "c1", At: T0, Nodes: []graph.NodeInput{
		{Kind: r.Kind, Key: r.Key, Name: "Checkout crew", Labels: map[string]string{"env": "prod"}}}})
	MustApply(t, s, graph.Batch{Source: "aws:org", Run: "a1", At: at(1), Nodes: []graph.NodeInput{
		{Kind: r.Kind, Key: r.Key, Name: "Basket crew", Labels: map[string]string{"env": "staging"}, Aliases: []string{"Basket"}}}})
	search := func(text string) []*graph.Node {
		t.Helper()
		got, err := s.Search(t.Context(), graph.SearchQuery{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	list := func(q graph.ListQuery) []*graph.Node {
		t.Helper()
		p, err := s.List(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		return p.Nodes
	}
	sameRefs(t, "Search(old name)", search("checkout crew"))
	sameRefs(t, "Search(new name)", search("basket crew"), r)
	got, err := s.Resolve(t.Context(), "basket", nil)
	if err != nil {
		t.Fatal(err)
	}
	sameRefs(t, "Resolve(new alias)", got, r)
	sameRefs(t, "List(old label value)", list(graph.ListQuery{Labels: map[string]string{"env": "prod"}}))
	sameRefs(t, "List(new label value)", list(graph.ListQuery{Labels: map[string]string{"env": "staging"}}), r)
	sameRefs(t, "List(new source)", list(graph.ListQuery{Source: "aws:org"}), r)
	sameRefs(t, "List(first source)", list(graph.ListQuery{Source: "catalog"}), r)
}

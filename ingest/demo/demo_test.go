package demo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
)

// recorder is an ingest.Emitter that keeps what it is given and checks the
// contract: a relationship only after both its ends.
type recorder struct {
	t       *testing.T
	nodes   []graph.NodeInput
	edges   []graph.EdgeInput
	seen    map[graph.Ref]bool
	errs    []string
	edgeIDs map[graph.ID]bool
}

func (r *recorder) Node(n graph.NodeInput) error {
	if len(r.edges) > 0 {
		r.t.Errorf("node %s emitted after relationships", n.Ref())
	}
	v, err := graph.ValidateNodeInput(n)
	if err != nil {
		r.t.Errorf("node %s: %v", n.Ref(), err)
		return nil
	}
	if r.seen[v.Ref()] {
		r.t.Errorf("node %s emitted twice", v.Ref())
	}
	r.seen[v.Ref()] = true
	r.nodes = append(r.nodes, v)
	return nil
}

func (r *recorder) Edge(e graph.EdgeInput) error {
	v, err := graph.ValidateEdge(e)
	if err != nil {
		r.t.Errorf("%s %s → %s: %v", e.Type, e.From, e.To, err)
		return nil
	}
	for _, end := range []graph.Ref{v.From, v.To} {
		if !r.seen[end] {
			r.t.Errorf("%s %s → %s emitted before %s", v.Type, v.From, v.To, end)
		}
	}
	if r.edgeIDs[v.ID()] {
		r.t.Errorf("%s %s → %s emitted twice", v.Type, v.From, v.To)
	}
	r.edgeIDs[v.ID()] = true
	r.edges = append(r.edges, v)
	return nil
}

func (r *recorder) ItemError(item string, err error) { r.errs = append(r.errs, item+": "+err.Error()) }

func record(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{t: t, seen: map[graph.Ref]bool{}, edgeIDs: map[graph.ID]bool{}}
	if err := New().Run(context.Background(), r); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(r.errs) > 0 {
		t.Fatalf("item errors: %v", r.errs)
	}
	return r
}

// index answers questions about the emitted estate.
type index struct {
	nodes map[graph.Ref]graph.NodeInput
	out   map[graph.Ref][]graph.EdgeInput
	in    map[graph.Ref][]graph.EdgeInput
	edges []graph.EdgeInput
}

func newIndex(r *recorder) *index {
	x := &index{nodes: map[graph.Ref]graph.NodeInput{}, out: map[graph.Ref][]graph.EdgeInput{}, in: map[graph.Ref][]graph.EdgeInput{}, edges: r.edges}
	for _, n := range r.nodes {
		x.nodes[n.Ref()] = n
	}
	for _, e := range r.edges {
		x.out[e.From] = append(x.out[e.From], e)
		x.in[e.To] = append(x.in[e.To], e)
	}
	return x
}

func (x *index) ofKind(k graph.Kind) []graph.NodeInput {
	var ns []graph.NodeInput
	for _, n := range x.nodes {
		if n.Kind == k {
			ns = append(ns, n)
		}
	}
	sort.Slice(ns, func(i, j int) bool { return ns[i].Key < ns[j].Key })
	return ns
}

func filter(es []graph.EdgeInput, t graph.RelType) []graph.EdgeInput {
	var out []graph.EdgeInput
	for _, e := range es {
		if e.Type == t {
			out = append(out, e)
		}
	}
	return out
}

func (x *index) outOf(r graph.Ref, t graph.RelType) []graph.EdgeInput { return filter(x.out[r], t) }
func (x *index) into(r graph.Ref, t graph.RelType) []graph.EdgeInput  { return filter(x.in[r], t) }

func sorted(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}

func TestEmitsValidItemsInOrder(t *testing.T) {
	r := record(t)
	for _, e := range r.edges {
		if strings.TrimSpace(e.Evidence) == "" {
			t.Errorf("%s %s → %s has no evidence", e.Type, e.From, e.To)
		}
	}
	for _, n := range r.nodes {
		if n.Name == "" || n.Evidence == "" {
			t.Errorf("%s has no name or no evidence", n.Ref())
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b := record(t), record(t)
	if !reflect.DeepEqual(a.nodes, b.nodes) || !reflect.DeepEqual(a.edges, b.edges) {
		t.Fatal("two runs emitted different estates")
	}
	nodes, edges, err := Items()
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != len(a.nodes) || len(edges) != len(a.edges) {
		t.Fatalf("Items: %d nodes, %d edges; Run emitted %d, %d", len(nodes), len(edges), len(a.nodes), len(a.edges))
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := &recorder{t: t, seen: map[graph.Ref]bool{}, edgeIDs: map[graph.ID]bool{}}
	if err := New().Run(ctx, r); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run on a cancelled context: %v, want context.Canceled", err)
	}
}

func TestCounts(t *testing.T) {
	x := newIndex(record(t))
	// The ranges of the foundation issue's "Demo estate" bullet.
	for _, c := range []struct {
		kind     graph.Kind
		min, max int
	}{
		{graph.KindBusinessUnit, 3, 4},
		{graph.KindService, 18, 24},
		{graph.KindApplication, 35, 45},
		{graph.KindRepository, 55, 65},
		{graph.KindTeam, 8, 20},
		{graph.KindPerson, 25, 35},
		{graph.KindCloudAccount, 2, 2},
		{graph.KindCloudResource, 90, 110},
	} {
		if n := len(x.ofKind(c.kind)); n < c.min || n > c.max {
			t.Errorf("%d %s nodes, want %d–%d", n, c.kind, c.min, c.max)
		}
	}
	perType := map[graph.RelType]int{}
	perConf := map[graph.RelType]map[graph.Confidence]bool{}
	for _, e := range x.edges {
		perType[e.Type]++
		if perConf[e.Type] == nil {
			perConf[e.Type] = map[graph.Confidence]bool{}
		}
		perConf[e.Type][e.Confidence] = true
	}
	for _, rt := range graph.EstateRelTypes {
		if perType[rt] == 0 {
			t.Errorf("no %s relationships", rt)
		}
	}
	// Confidence varies where real sources would disagree in certainty.
	for _, rt := range []graph.RelType{graph.RelOwns, graph.RelDependsOn, graph.RelBuilds} {
		for _, c := range []graph.Confidence{graph.Declared, graph.Inferred, graph.Heuristic} {
			if !perConf[rt][c] {
				t.Errorf("no %s %s relationship", c, rt)
			}
		}
	}
	// Every resource is in exactly one account; the shadow account holds some.
	inShadow := 0
	for _, n := range x.ofKind(graph.KindCloudResource) {
		acc := x.outOf(n.Ref(), graph.RelInAccount)
		if len(acc) != 1 {
			t.Errorf("%s is IN_ACCOUNT %d accounts", n.Key, len(acc))
			continue
		}
		if acc[0].To.Key == ShadowAccount {
			inShadow++
		}
		if want := strings.TrimPrefix(acc[0].To.Key, "aws:"); n.Props["account"] != want {
			t.Errorf("%s: account prop %v, IN_ACCOUNT %s", n.Key, n.Props["account"], want)
		}
	}
	if inShadow < 5 {
		t.Errorf("%d resources in the shadow account, want several", inShadow)
	}
	t.Logf("nodes: %d, relationships: %d", len(x.nodes), len(x.edges))
}

func TestShape(t *testing.T) {
	x := newIndex(record(t))

	types := map[string]bool{}
	for _, n := range x.ofKind(graph.KindApplication) {
		types[n.Props["type"].(string)] = true
	}
	for _, typ := range []string{"service", "website", "library", "batch"} {
		if !types[typ] {
			t.Errorf("no application of type %s", typ)
		}
	}
	tiers := map[int64]bool{}
	for _, n := range x.ofKind(graph.KindService) {
		tiers[n.Props["tier"].(int64)] = true
		if n.Props["lifecycle"] == nil {
			t.Errorf("service %s has no lifecycle", n.Key)
		}
	}
	if len(tiers) != 4 {
		t.Errorf("service tiers %v, want all of 1–4", tiers)
	}
	archived := 0
	for _, n := range x.ofKind(graph.KindRepository) {
		if !strings.HasPrefix(n.Key, "github.com/acme/") {
			t.Errorf("repository key %q is not in github.com/acme", n.Key)
		}
		for _, p := range []string{"url", "host", "defaultBranch", "visibility", "archived"} {
			if _, ok := n.Props[p]; !ok {
				t.Errorf("repository %s has no %s", n.Key, p)
			}
		}
		if n.Props["archived"] == true {
			archived++
		}
	}
	if archived == 0 {
		t.Error("no archived repository")
	}
	resTypes := map[string]bool{}
	for _, n := range x.ofKind(graph.KindCloudResource) {
		resTypes[n.Props["type"].(string)] = true
		if !strings.HasPrefix(n.Key, "arn:aws:") {
			t.Errorf("resource key %q is not an ARN", n.Key)
		}
	}
	for _, typ := range []string{ec2Instance, rdsInstance, s3Bucket, lambdaFunction, sqsQueue, loadBalancer, dynamoTable} {
		if !resTypes[typ] {
			t.Errorf("no %s resource", typ)
		}
	}

	// Nested teams known by every spelling other sources use.
	pc := x.nodes[teamRef("payments-core")]
	for _, a := range []string{"@acme/payments-core", "acme/payments-core", "group:payments-core"} {
		if !slices.Contains(pc.Aliases, a) {
			t.Errorf("team payments-core lacks alias %q (has %v)", a, pc.Aliases)
		}
	}
	if pc.Props["contact"] == nil || pc.Props["email"] == nil {
		t.Errorf("team payments-core has no contact details: %v", pc.Props)
	}
	for child, parent := range map[string]string{"payments-core": "payments", "payments-fraud": "payments", "platform-sre": "platform", "platform-identity": "platform"} {
		if !hasEdge(x.outOf(teamRef(child), graph.RelMemberOf), teamRef(parent)) {
			t.Errorf("team %s is not MEMBER_OF %s", child, parent)
		}
	}
	if !hasEdge(x.outOf(buRef(NestedBU), graph.RelPartOf), buRef(ParentBU)) {
		t.Errorf("business unit %s is not PART_OF %s", NestedBU, ParentBU)
	}
	// Every service with an owner is owned by a team.
	for _, n := range x.ofKind(graph.KindService) {
		for _, e := range x.into(n.Ref(), graph.RelOwns) {
			if e.Props["role"] == graph.OwnerTechnical && e.From.Kind != graph.KindTeam {
				t.Errorf("service %s is technically owned by %s, not a team", n.Key, e.From)
			}
		}
	}

	// Accounts.
	reg, shadow := x.nodes[accountRef(RegisteredAccount)], x.nodes[accountRef(ShadowAccount)]
	if reg.Props["registered"] != true || reg.Name != "acme-prod" {
		t.Errorf("registered account: %+v", reg)
	}
	if shadow.Props["registered"] != false {
		t.Errorf("shadow account: %+v", shadow)
	}
	if len(x.into(accountRef(ShadowAccount), graph.RelOwns)) != 0 {
		t.Error("the shadow account has an owner")
	}

	// A service-desk agent's hostname lands on the application.
	pay := x.nodes[appRef(MultiOwnerApp)]
	if !slices.Contains(pay.Props["hostnames"].([]string), PaymentsHostname) || !slices.Contains(pay.Aliases, PaymentsHostname) {
		t.Errorf("%s: hostnames %v, aliases %v; want %s in both", MultiOwnerApp, pay.Props["hostnames"], pay.Aliases, PaymentsHostname)
	}
}

func hasEdge(es []graph.EdgeInput, to graph.Ref) bool {
	for _, e := range es {
		if e.To == to {
			return true
		}
	}
	return false
}

func TestDeliberateGaps(t *testing.T) {
	x := newIndex(record(t))

	t.Run("monorepo", func(t *testing.T) {
		builds := x.outOf(graph.Ref{Kind: graph.KindRepository, Key: MonorepoKey}, graph.RelBuilds)
		got := map[string]string{}
		for _, e := range builds {
			p, _ := e.Props["path"].(string)
			got[p] = e.To.Key
		}
		if !reflect.DeepEqual(got, MonorepoApps) {
			t.Errorf("monorepo builds %v, want %v", got, MonorepoApps)
		}
	})

	t.Run("orphan application", func(t *testing.T) {
		var orphans []string
		for _, n := range x.ofKind(graph.KindApplication) {
			if len(x.outOf(n.Ref(), graph.RelPartOf)) == 0 {
				orphans = append(orphans, n.Key)
			}
		}
		if !reflect.DeepEqual(orphans, []string{OrphanApp}) {
			t.Errorf("applications without a service: %v, want [%s]", orphans, OrphanApp)
		}
	})

	t.Run("services without owner or business unit", func(t *testing.T) {
		var unowned, noBU []string
		for _, n := range x.ofKind(graph.KindService) {
			if len(x.into(n.Ref(), graph.RelOwns)) == 0 {
				unowned = append(unowned, n.Key)
			}
			if len(x.outOf(n.Ref(), graph.RelPartOf)) == 0 {
				noBU = append(noBU, n.Key)
			}
		}
		if !reflect.DeepEqual(unowned, []string{UnownedService}) {
			t.Errorf("services without an owner: %v, want [%s]", unowned, UnownedService)
		}
		if !reflect.DeepEqual(noBU, []string{ServiceWithoutBU}) {
			t.Errorf("services without a business unit: %v, want [%s]", noBU, ServiceWithoutBU)
		}
	})

	t.Run("owner who left", func(t *testing.T) {
		var teamless []string
		for _, n := range x.ofKind(graph.KindPerson) {
			if len(x.outOf(n.Ref(), graph.RelMemberOf)) == 0 {
				teamless = append(teamless, n.Key)
			}
		}
		if !reflect.DeepEqual(teamless, []string{DepartedOwner}) {
			t.Errorf("people in no team: %v, want [%s]", teamless, DepartedOwner)
		}
		if !hasEdge(x.outOf(personRef(DepartedOwner), graph.RelOwns), appRef(OrphanApp)) {
			t.Errorf("%s does not own %s", DepartedOwner, OrphanApp)
		}
	})

	t.Run("owners", func(t *testing.T) {
		roles := map[string]bool{}
		for _, e := range x.into(appRef(MultiOwnerApp), graph.RelOwns) {
			roles[e.Props["role"].(string)] = true
		}
		if len(roles) < 2 {
			t.Errorf("%s has owner roles %v, want several", MultiOwnerApp, roles)
		}
		var technical []string
		for _, e := range x.into(appRef(ConflictApp), graph.RelOwns) {
			if e.Props["role"] == graph.OwnerTechnical {
				technical = append(technical, e.From.Key+"/"+string(e.Confidence))
			}
		}
		if len(technical) < 2 {
			t.Errorf("%s has technical owners %v, want two that disagree", ConflictApp, technical)
		}
	})

	t.Run("impact chain", func(t *testing.T) {
		if len(ImpactChain) < 5 {
			t.Fatalf("impact chain %v is under 4 hops", ImpactChain)
		}
		for i := 0; i+1 < len(ImpactChain); i++ {
			if !hasEdge(x.outOf(appRef(ImpactChain[i]), graph.RelDependsOn), appRef(ImpactChain[i+1])) {
				t.Errorf("%s does not DEPEND_ON %s", ImpactChain[i], ImpactChain[i+1])
			}
		}
		last := ImpactChain[len(ImpactChain)-1]
		if !hasEdge(x.outOf(appRef(last), graph.RelDependsOn), resourceRef(ImpactChainEnd)) {
			t.Errorf("%s does not DEPEND_ON %s", last, ImpactChainEnd)
		}
		if n := len(x.into(appRef(SharedApp), graph.RelDependsOn)); n < 8 {
			t.Errorf("%d applications depend on %s, want many", n, SharedApp)
		}
	})

	t.Run("unmapped repositories", func(t *testing.T) {
		var unmapped, infra []string
		for _, n := range x.ofKind(graph.KindRepository) {
			builds, defines := x.outOf(n.Ref(), graph.RelBuilds), x.outOf(n.Ref(), graph.RelDefines)
			switch {
			case len(builds) == 0 && len(defines) == 0:
				unmapped = append(unmapped, n.Key)
			case len(builds) == 0:
				infra = append(infra, n.Key)
			}
		}
		if !reflect.DeepEqual(unmapped, sorted(UnmappedRepositories)) {
			t.Errorf("repositories mapped to nothing:\n got %v\nwant %v", unmapped, sorted(UnmappedRepositories))
		}
		if !reflect.DeepEqual(infra, sorted(InfraRepositories)) {
			t.Errorf("infrastructure repositories: %v, want %v", infra, sorted(InfraRepositories))
		}
	})

	t.Run("unowned resources", func(t *testing.T) {
		var unowned []string
		for _, n := range x.ofKind(graph.KindCloudResource) {
			explained := false
			for _, e := range x.in[n.Ref()] {
				switch e.Type {
				case graph.RelOwns, graph.RelRunsOn, graph.RelDependsOn, graph.RelDefines:
					explained = true
				}
			}
			if !explained {
				unowned = append(unowned, n.Key)
			}
		}
		if !reflect.DeepEqual(unowned, sorted(UnownedResources)) {
			t.Errorf("unowned resources:\n got %v\nwant %v", unowned, sorted(UnownedResources))
		}
	})

	t.Run("tags naming unknown teams and applications", func(t *testing.T) {
		known := func(k graph.Kind, v string) bool {
			for _, n := range x.ofKind(k) {
				if strings.EqualFold(n.Key, v) {
					return true
				}
				for _, a := range n.Aliases {
					if strings.EqualFold(a, v) {
						return true
					}
				}
			}
			return false
		}
		unknown := map[string]map[string]bool{"team": {}, "app": {}}
		kinds := map[string]graph.Kind{"team": graph.KindTeam, "app": graph.KindApplication}
		for _, n := range x.ofKind(graph.KindCloudResource) {
			for tag, k := range kinds {
				if v, ok := n.Labels[tag]; ok && !known(k, v) {
					unknown[tag][v] = true
					// A tag naming nothing links nothing.
					for _, e := range x.in[n.Ref()] {
						if e.From.Kind == k {
							t.Errorf("%s tagged %s=%s has %s from %s", n.Key, tag, v, e.Type, e.From)
						}
					}
				}
			}
		}
		for tag, want := range map[string][]string{"team": UnknownTeamTags, "app": UnknownAppTags} {
			got := slices.Sorted(maps.Keys(unknown[tag]))
			if !reflect.DeepEqual(got, sorted(want)) {
				t.Errorf("unknown %s tags %v, want %v", tag, got, sorted(want))
			}
		}
	})
}

// TestIngestIsIdempotent loads the demo twice through the engine into the
// embedded store: the second run creates nothing and changes no count.
func TestIngestIsIdempotent(t *testing.T) {
	ctx := context.Background()
	store, err := embedded.Open(ctx, t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	nodes, edges, err := Items()
	if err != nil {
		t.Fatal(err)
	}

	first, err := ingest.Run(ctx, store, New(), ingest.Options{})
	if err != nil {
		t.Fatalf("first run: %v", err)
	}
	if first.Status != ingest.StatusSucceeded || len(first.Errors) > 0 {
		t.Fatalf("first run: status %s, errors %v", first.Status, first.Errors)
	}
	if first.Applied.NodesCreated != len(nodes) || first.Applied.EdgesCreated != len(edges) {
		t.Errorf("first run created %d nodes and %d relationships, want %d and %d",
			first.Applied.NodesCreated, first.Applied.EdgesCreated, len(nodes), len(edges))
	}
	stats, err := store.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.TotalNodes() != len(nodes) || stats.TotalEdges() != len(edges) {
		t.Errorf("store holds %d nodes and %d relationships, want %d and %d", stats.TotalNodes(), stats.TotalEdges(), len(nodes), len(edges))
	}
	logCounts(t, stats)

	second, err := ingest.Run(ctx, store, New(), ingest.Options{})
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if second.Status != ingest.StatusSucceeded || len(second.Errors) > 0 || second.SweepHeld != "" {
		t.Fatalf("second run: status %s, errors %v, sweep held %q", second.Status, second.Errors, second.SweepHeld)
	}
	if second.Applied.NodesCreated != 0 || second.Applied.EdgesCreated != 0 {
		t.Errorf("second run created %d nodes and %d relationships, want none", second.Applied.NodesCreated, second.Applied.EdgesCreated)
	}
	if s := second.Swept; s != nil && s.NodesRemoved+s.EdgesRemoved+s.NodesRetracted+s.EdgesRetracted != 0 {
		t.Errorf("second run swept %+v", *s)
	}
	again, err := store.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stats, again) {
		t.Errorf("stats changed: %v → %v", stats, again)
	}

	// What the demo promises answers to is findable in the store.
	for _, ref := range []string{PaymentsHostname, "@acme/payments-core", "i-0b29b3f8d101fb289", "acme-prod"} {
		got, err := store.Resolve(ctx, ref, nil)
		if err != nil || len(got) != 1 {
			t.Errorf("Resolve(%q) = %d nodes, %v; want one", ref, len(got), err)
		}
	}
}

func logCounts(t *testing.T, s graph.Stats) {
	var b strings.Builder
	for _, k := range graph.Kinds {
		fmt.Fprintf(&b, " %s=%d", k, s.Nodes[k])
	}
	b.WriteString("\n")
	for _, rt := range graph.RelTypes {
		fmt.Fprintf(&b, " %s=%d", rt, s.Edges[rt])
	}
	t.Logf("demo estate:%s", b.String())
}

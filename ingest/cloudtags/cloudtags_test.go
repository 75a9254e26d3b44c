package cloudtags

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

func TestMatch(t *testing.T) {
	tags := map[string]string{
		"Team": "Checkout-Team", "APP": "checkout-api, cart", "git_repository": "https://github.com/acme/checkout.git",
		"env": "prod", "Name": "web-1", "app.kubernetes.io/name": "checkout-api",
	}
	got := Default().Match(tags)
	want := []Ref{
		{RoleTeam, "Team", "Checkout-Team"},
		{RoleApplication, "APP", "checkout-api"},
		{RoleApplication, "APP", "cart"},
		{RoleApplication, "app.kubernetes.io/name", "checkout-api"},
		{RoleRepository, "git_repository", "https://github.com/acme/checkout.git"},
		{RoleEnvironment, "env", "prod"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Match:\n got %v\nwant %v", got, want)
	}
	custom := Rules{Team: []string{"squad"}}
	if got := custom.Match(map[string]string{"team": "x", "Squad": "y"}); len(got) != 1 || got[0].Value != "y" {
		t.Fatalf("custom rules: got %v, want only the squad tag", got)
	}
}

func TestCandidates(t *testing.T) {
	r := Default()
	tests := []struct {
		role  Role
		value string
		want  []string
	}{
		{RoleTeam, "@acme/checkout-team", []string{"@acme/checkout-team", "acme/checkout-team", "checkout-team"}},
		{RoleTeam, "group:checkout-team", []string{"group:checkout-team", "checkout-team"}},
		{RoleTeam, "Checkout-Team", []string{"Checkout-Team"}},
		{RoleTeam, "jane@acme.com", []string{"jane@acme.com"}},
		{RoleRepository, "https://github.com/acme/checkout.git", []string{"https://github.com/acme/checkout.git", "github.com/acme/checkout"}},
		{RoleRepository, "git@github.com:acme/checkout.git", []string{"git@github.com:acme/checkout.git", "github.com/acme/checkout"}},
		{RoleApplication, "  payments-api ", []string{"payments-api"}},
	}
	for _, tt := range tests {
		if got := r.Candidates(tt.role, tt.value); !slices.Equal(got, tt.want) {
			t.Errorf("Candidates(%s, %q) = %q, want %q", tt.role, tt.value, got, tt.want)
		}
	}
}

type recorder struct {
	edges []graph.EdgeInput
	fail  error
}

func (r *recorder) Node(graph.NodeInput) error { return nil }
func (r *recorder) Edge(e graph.EdgeInput) error {
	r.edges = append(r.edges, e)
	return r.fail
}
func (r *recorder) ItemError(string, error) {}

func TestLink(t *testing.T) {
	known := map[graph.Kind]map[string]string{ // lower-case ref → key
		graph.KindTeam:        {"checkout-team": "github.com/acme/team/checkout-team"},
		graph.KindPerson:      {"jane@acme.com": "jane@acme.com"},
		graph.KindApplication: {"checkout-api": "checkout-api"},
		graph.KindRepository:  {"github.com/acme/checkout": "github.com/acme/checkout"},
	}
	calls := 0
	resolve := func(_ context.Context, ref string, kind graph.Kind) (string, bool) {
		calls++
		k, ok := known[kind][strings.ToLower(ref)]
		return k, ok
	}
	var notes []string
	l := &Linker{Rules: Default(), Resolve: resolve, Provider: "aws", Note: func(item, msg string) { notes = append(notes, item+": "+msg) }}
	res := graph.Ref{Kind: graph.KindCloudResource, Key: "arn:aws:ec2:us-east-1:123456789012:instance/i-1"}
	tags := map[string]string{
		"team": "@acme/Checkout-Team", "owner": "jane@acme.com", "app": "checkout-api",
		"service": "ghost-app", "repo": "git@github.com:acme/checkout.git", "env": "prod",
	}
	rec := &recorder{}
	if err := l.Link(context.Background(), rec, res, tags, true); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range rec.edges {
		if e.Confidence != graph.Inferred || e.To != res {
			t.Errorf("edge %+v: want INFERRED to the resource", e)
		}
		got = append(got, string(e.Type)+" "+e.From.String()+" ("+e.Evidence+")")
	}
	want := []string{
		"OWNS Team:github.com/acme/team/checkout-team (aws tag team=@acme/Checkout-Team)",
		"OWNS Person:jane@acme.com (aws tag owner=jane@acme.com)",
		"RUNS_ON Application:checkout-api (aws tag app=checkout-api)",
		"DEFINES Repository:github.com/acme/checkout (aws tag repo=git@github.com:acme/checkout.git)",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("edges:\n got %q\nwant %q", got, want)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "service=ghost-app names no known service") {
		t.Fatalf("notes = %q, want one about the unknown service", notes)
	}

	// Non-compute resources depend; lookups are cached.
	before := calls
	rec = &recorder{}
	if err := l.Link(context.Background(), rec, res, map[string]string{"application": "Checkout-API"}, false); err != nil {
		t.Fatal(err)
	}
	if len(rec.edges) != 1 || rec.edges[0].Type != graph.RelDependsOn {
		t.Fatalf("non-compute: got %+v, want one DEPENDS_ON", rec.edges)
	}
	if calls != before {
		t.Errorf("cached lookup called the resolver %d more times", calls-before)
	}

	// Without a resolver nothing links (and nothing becomes a new team).
	rec = &recorder{}
	if err := (&Linker{Provider: "aws"}).Link(context.Background(), rec, res, tags, true); err != nil || len(rec.edges) != 0 {
		t.Fatalf("no resolver: edges %v err %v", rec.edges, err)
	}

	// An emitter error stops linking.
	stop := errors.New("store down")
	if err := l.Link(context.Background(), &recorder{fail: stop}, res, tags, true); !errors.Is(err, stop) {
		t.Fatalf("emitter error: got %v", err)
	}
}

func TestAccountProps(t *testing.T) {
	for _, tc := range []struct {
		registered []string
		id         string
		want       any // nil: not asserted
	}{
		{nil, "123456789012", nil},
		{[]string{"123456789012"}, "123456789012", true},
		{[]string{"123456789012"}, "210987654321", false},
		{[]string{"CFBBD179-59D2-4052-AA06-9270A38AA9D6"}, "cfbbd179-59d2-4052-aa06-9270a38aa9d6", true},
	} {
		props := AccountProps("aws", tc.registered, tc.id)
		got, asserted := props["registered"]
		if props["provider"] != "aws" || asserted != (tc.want != nil) || (asserted && got != tc.want) {
			t.Errorf("AccountProps(%v, %s) = %v, want registered %v", tc.registered, tc.id, props, tc.want)
		}
	}
}

// TestLabels checks what a resource records about its tags: the tags, and
// per tag naming something, the values the rules could not resolve — the
// cases the shadow report used to get wrong by re-deriving from raw tags.
func TestLabels(t *testing.T) {
	known := map[graph.Kind]map[string]string{
		graph.KindTeam:        {"checkout-team": "github.com/acme/team/checkout-team"},
		graph.KindApplication: {"checkout-api": "checkout-api"},
	}
	resolve := func(_ context.Context, ref string, kind graph.Kind) (string, bool) {
		k, ok := known[kind][strings.ToLower(ref)]
		return k, ok
	}
	squad := Default()
	squad.Team = append(squad.Team, "squad")
	tests := []struct {
		name  string
		rules Rules
		tags  map[string]string
		want  map[string]string // the unknown-tag labels only
	}{
		{"normalised team resolves", Default(), map[string]string{"team": "@acme/Checkout-Team"},
			map[string]string{"unknown-team/team": ""}},
		{"custom team key", squad, map[string]string{"squad": "ghost2", "env": "prod"},
			map[string]string{"unknown-team/squad": "ghost2"}},
		{"custom key not configured", Default(), map[string]string{"squad": "ghost2"}, map[string]string{}},
		{"one of two values unknown", Default(), map[string]string{"app": "checkout-api, cart"},
			map[string]string{"unknown-application/app": "cart"}},
		{"both values unknown", Default(), map[string]string{"app": "cart; basket"},
			map[string]string{"unknown-application/app": "cart, basket"}},
		{"key spelled as the resource does", Default(), map[string]string{"Team": "DevOps", "Name": "loki"},
			map[string]string{"unknown-team/Team": "DevOps"}},
		{"service and repository tags", Default(), map[string]string{"service": "checkout-api", "repo": "acme/ghost"},
			map[string]string{"unknown-service/service": "", "unknown-repository/repo": "acme/ghost"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &Linker{Rules: tt.rules, Resolve: resolve, Provider: "aws"}
			got := l.Labels(context.Background(), tt.tags)
			unknown := map[string]string{}
			for k, v := range got {
				if _, _, ok := graph.ParseUnknownTagLabel(k); ok {
					unknown[k] = v
				} else if tt.tags[k] != v {
					t.Errorf("label %s=%q, want the tag %q", k, v, tt.tags[k])
				}
			}
			if len(got)-len(unknown) != len(tt.tags) {
				t.Errorf("labels %v do not hold every tag of %v", got, tt.tags)
			}
			if !maps.Equal(unknown, tt.want) {
				t.Errorf("unknown-tag labels %v, want %v", unknown, tt.want)
			}
			// What Labels calls unknown is what Link does not link.
			rec := &recorder{}
			if err := l.Link(context.Background(), rec, graph.Ref{Kind: graph.KindCloudResource, Key: "r"}, tt.tags, false); err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, m := range tt.rules.Match(tt.tags) {
				if links(m.Role) {
					want++
				}
			}
			for _, v := range unknown {
				want -= len(graph.ListLabelValues(v))
			}
			if len(rec.edges) != want {
				t.Errorf("Link made %d edges, want %d (the linkable values less the unknown ones)", len(rec.edges), want)
			}
		})
	}
	if got := (&Linker{}).Labels(context.Background(), map[string]string{"team": "ghost"}); !maps.Equal(got, map[string]string{"team": "ghost"}) {
		t.Errorf("without a resolver: labels %v, want the tags only (nothing was looked up)", got)
	}
}

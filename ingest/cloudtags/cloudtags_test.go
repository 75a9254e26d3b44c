package cloudtags

import (
	"context"
	"errors"
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

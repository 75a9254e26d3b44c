package ingest_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
)

// reposSource reads repositories as scopes, each asserting its teams; a
// repository in failing reports an item error (in its scope, or outside
// any when unscoped) and asserts nothing.
type reposSource struct {
	repos    map[string][]string
	failing  string
	unscoped bool
}

func (s reposSource) Name() string { return "test:repos" }
func (s reposSource) Run(_ context.Context, emit ingest.Emitter) error {
	if err := emit.Node(graph.NodeInput{Kind: graph.KindTeam, Key: "org-admins"}); err != nil {
		return err
	}
	for repo, teams := range s.repos {
		sc := ingest.Scoped(emit, "repo/acme/"+repo)
		if repo == s.failing {
			if s.unscoped {
				emit.ItemError(repo, errors.New("HTTP 500"))
			} else {
				// What the repository's deploy folder says is in a
				// narrower scope, which the repository's contains.
				ingest.Scoped(sc, "repo/acme/"+repo+"/deploy").ItemError("deploy/values.yaml", errors.New("templated YAML"))
				sc.ItemError(repo, errors.New("HTTP 500"))
			}
			continue
		}
		for _, team := range teams {
			if err := sc.Node(graph.NodeInput{Kind: graph.KindTeam, Key: team}); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestScopedFailureSweepsOtherScopes(t *testing.T) {
	all := map[string][]string{"pay": {"pay-1", "pay-2"}, "web": {"web-1", "web-2"}, "ops": {"ops-1", "ops-2", "ops-3"}}
	// The second run fails to read pay and finds web-2 and ops-3 gone.
	second := map[string][]string{"pay": nil, "web": {"web-1"}, "ops": {"ops-1", "ops-2"}}
	for _, tc := range []struct {
		name       string
		src        reposSource
		opts       ingest.Options
		wantKept   []string
		wantGone   []string
		wantScopes []string
		wantHeld   bool
	}{
		{name: "a failed scope keeps its data, the others are swept",
			src:      reposSource{repos: second, failing: "pay"},
			wantKept: []string{"pay-1", "pay-2", "web-1", "ops-1", "org-admins"}, wantGone: []string{"web-2", "ops-3"},
			wantScopes: []string{"repo/acme/pay"}},
		{name: "an error outside any scope holds the whole sweep",
			src:      reposSource{repos: second, failing: "pay", unscoped: true},
			wantKept: []string{"pay-1", "pay-2", "web-2", "ops-3"}, wantHeld: true},
		{name: "the mass-deletion guard still holds",
			src:      reposSource{repos: second, failing: "pay"},
			opts:     ingest.Options{GuardMinItems: 1, MaxDeleteShare: 0.1},
			wantKept: []string{"pay-1", "web-2", "ops-3"}, wantScopes: []string{"repo/acme/pay"}, wantHeld: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := newRecordingStore(t)
			if rep, err := ingest.Run(ctx, st, reposSource{repos: all}, ingest.Options{Now: tick()}); err != nil || rep.Status != graph.RunSucceeded {
				t.Fatalf("first run %s: %v", rep.Status, err)
			}
			opts := tc.opts
			opts.Now = tick()
			rep, err := ingest.Run(ctx, st, tc.src, opts)
			if err != nil || rep.Status != graph.RunPartial {
				t.Fatalf("second run %s (%v), want partial", rep.Status, err)
			}
			for _, k := range tc.wantKept {
				if _, err := st.Node(ctx, graph.Ref{Kind: graph.KindTeam, Key: k}); err != nil {
					t.Errorf("team %s: %v, want it kept", k, err)
				}
			}
			for _, k := range tc.wantGone {
				if _, err := st.Node(ctx, graph.Ref{Kind: graph.KindTeam, Key: k}); graph.CodeOf(err) != graph.CodeNotFound {
					t.Errorf("team %s: %v, want it swept", k, err)
				}
			}
			got, err := graph.GetRun(ctx, st, rep.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.KeptScopes, tc.wantScopes) || !slices.Equal(rep.KeptScopes, tc.wantScopes) {
				t.Errorf("kept scopes: recorded %q, reported %q; want %q", got.KeptScopes, rep.KeptScopes, tc.wantScopes)
			}
			if held := got.SweepHeld != ""; held != tc.wantHeld || (got.Swept == nil) != tc.wantHeld {
				t.Errorf("sweep held %q, swept %+v; want held: %v", got.SweepHeld, got.Swept, tc.wantHeld)
			}
			var scopes []string
			for _, e := range got.Errors {
				scopes = append(scopes, e.Scope)
			}
			wantErrScopes := []string{"repo/acme/pay/deploy", "repo/acme/pay"}
			if tc.src.unscoped {
				wantErrScopes = []string{""}
			}
			if !slices.Equal(scopes, wantErrScopes) {
				t.Errorf("item errors recorded in scopes %q, want %q", scopes, wantErrScopes)
			}
		})
	}
}

package graph

import (
	"reflect"
	"testing"
	"time"
)

// TestTouchesAgreesWithMerge: where TouchesNode and TouchesEdge say an
// input only touches the stored item, merging it gives exactly the touched
// item, and where merging changes more they say so. A field added to the
// inputs or items must be considered by them (the field counts below; the
// ids DeriveIDs keeps in the inputs, one field of NodeInput and three of
// EdgeInput, are not data).
func TestTouchesAgreesWithMerge(t *testing.T) {
	for typ, n := range map[reflect.Type]int{
		reflect.TypeFor[NodeInput](): 10, reflect.TypeFor[EdgeInput](): 10,
		reflect.TypeFor[Node](): 12, reflect.TypeFor[Edge](): 10,
	} {
		if typ.NumField() != n {
			t.Errorf("%s has %d fields, not %d: check that TouchesNode and TouchesEdge consider the new ones, then update this test", typ, typ.NumField(), n)
		}
	}
	t0 := time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC)
	at := t0.Add(time.Hour)
	base := NodeInput{Kind: KindService, Key: "pay", Name: "Payments", Props: map[string]any{"tier": int64(1), "tags": []string{"a"}},
		Labels: map[string]string{"env": "prod"}, Aliases: []string{"payments"}, Confidence: Declared, Evidence: "catalog"}
	stored := MergeNode(MergeNode(nil, base, "other", "o-1", t0), base, "src", "run-1", t0)
	nodeCases := map[string]struct {
		in     func(NodeInput) NodeInput
		source string
		at     time.Time
		want   bool
	}{
		"same":              {func(in NodeInput) NodeInput { return in }, "src", at, true},
		"same, same time":   {func(in NodeInput) NodeInput { return in }, "src", t0, true},
		"no name":           {func(in NodeInput) NodeInput { in.Name = ""; return in }, "src", at, true},
		"fewer props":       {func(in NodeInput) NodeInput { in.Props = nil; in.Labels = nil; in.Aliases = nil; return in }, "src", at, true},
		"stale":             {func(in NodeInput) NodeInput { return in }, "src", t0.Add(-time.Hour), false},
		"new name":          {func(in NodeInput) NodeInput { in.Name = "Pay"; return in }, "src", at, false},
		"changed prop":      {func(in NodeInput) NodeInput { in.Props = map[string]any{"tier": int64(2)}; return in }, "src", at, false},
		"changed list":      {func(in NodeInput) NodeInput { in.Props = map[string]any{"tags": []string{"b"}}; return in }, "src", at, false},
		"new prop":          {func(in NodeInput) NodeInput { in.Props = map[string]any{"x": "y"}; return in }, "src", at, false},
		"changed label":     {func(in NodeInput) NodeInput { in.Labels = map[string]string{"env": "dev"}; return in }, "src", at, false},
		"new alias":         {func(in NodeInput) NodeInput { in.Aliases = []string{"pay"}; return in }, "src", at, false},
		"other confidence":  {func(in NodeInput) NodeInput { in.Confidence = Inferred; return in }, "src", at, false},
		"other evidence":    {func(in NodeInput) NodeInput { in.Evidence = "x"; return in }, "src", at, false},
		"other scope":       {func(in NodeInput) NodeInput { in.Scope = "repo/acme/pay"; return in }, "src", at, false},
		"new source":        {func(in NodeInput) NodeInput { return in }, "third", at, false},
		"the manual source": {func(in NodeInput) NodeInput { return in }, SourceManual, at, false},
	}
	for name, tc := range nodeCases {
		in := tc.in(base)
		got := TouchesNode(stored, in, tc.source, tc.at)
		merged := MergeNode(stored, in, tc.source, "run-2", tc.at)
		touched := CloneNode(stored)
		as, first, last, ok := Touch(stored.Assertions, tc.source, "run-2", tc.at)
		touched.Assertions, touched.FirstSeen, touched.LastSeen = as, first, last
		if equal := ok && reflect.DeepEqual(merged, touched); got != tc.want || (got && !equal) || (equal && !got) {
			t.Errorf("node %s: TouchesNode %v, want %v; merging gives the touched node: %v", name, got, tc.want, equal)
		}
	}

	edge := EdgeInput{Type: RelOwns, From: Ref{Kind: KindTeam, Key: "t"}, To: Ref{Kind: KindService, Key: "pay"},
		Props: map[string]any{"role": OwnerTechnical}, Confidence: Declared, Evidence: "CODEOWNERS"}
	storedEdge := MergeEdge(nil, edge, "src", "run-1", t0)
	edgeCases := map[string]struct {
		in   func(EdgeInput) EdgeInput
		want bool
	}{
		"same":           {func(in EdgeInput) EdgeInput { return in }, true},
		"other evidence": {func(in EdgeInput) EdgeInput { in.Evidence = "y"; return in }, false},
		"other scope":    {func(in EdgeInput) EdgeInput { in.Scope = "repo/acme/pay"; return in }, false},
		"new prop":       {func(in EdgeInput) EdgeInput { in.Props = map[string]any{"role": OwnerTechnical, "x": "y"}; return in }, false},
	}
	for name, tc := range edgeCases {
		in := tc.in(edge)
		got := TouchesEdge(storedEdge, in, "src", at)
		merged := MergeEdge(storedEdge, in, "src", "run-2", at)
		touched := CloneEdge(storedEdge)
		touched.Assertions, touched.FirstSeen, touched.LastSeen, _ = Touch(storedEdge.Assertions, "src", "run-2", at)
		if equal := reflect.DeepEqual(merged, touched); got != tc.want || got != equal {
			t.Errorf("edge %s: TouchesEdge %v, want %v; merging gives the touched relationship: %v", name, got, tc.want, equal)
		}
	}
	// A manual field makes every input a merge.
	manual := CloneEdge(storedEdge)
	manual.Manual = []string{PropField("x")}
	if TouchesEdge(manual, edge, "src", at) {
		t.Error("TouchesEdge: an input for a relationship with manual fields touches it")
	}
}

// TestMergeScope: an assertion records the scope it was made in; one run
// asserting an item from two scopes records their common scope, even when
// the second batch comes late; a later run records its own scope.
func TestMergeScope(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC)
	in := func(scope string) NodeInput { return NodeInput{Kind: KindTeam, Key: "t", Scope: scope} }
	type step struct {
		scope, run string
		at         time.Duration
	}
	cases := map[string]struct {
		steps []step
		want  string
	}{
		"one scope":                       {[]step{{"repo/acme/a", "r1", 0}}, "repo/acme/a"},
		"two scopes, one run":             {[]step{{"repo/acme/a", "r1", 0}, {"repo/acme/b", "r1", time.Minute}}, "repo/acme"},
		"two scopes, one run, late batch": {[]step{{"repo/acme/a", "r1", time.Minute}, {"aws/1", "r1", 0}}, ""},
		"a later run":                     {[]step{{"repo/acme/a", "r1", 0}, {"repo/acme/b", "r1", 0}, {"repo/acme/b", "r2", time.Hour}}, "repo/acme/b"},
	}
	for name, tc := range cases {
		var n *Node
		for _, st := range tc.steps {
			n = MergeNode(n, in(st.scope), "src", st.run, t0.Add(st.at))
		}
		if got := n.Assertions[0].Scope; got != tc.want {
			t.Errorf("%s: scope %q, want %q", name, got, tc.want)
		}
	}
}

func TestScopeHeld(t *testing.T) {
	keep := []string{"repo/acme/pay", "aws/1/eu-west-1"}
	for scope, want := range map[string]bool{
		"repo/acme/pay": true, "repo/acme/pay/deploy": true, "repo/acme": true, "": true, "aws/1": true,
		"repo/acme/payments": false, "repo/acme/web": false, "aws/1/us-east-1": false, "aws/2": false,
	} {
		if got := ScopeHeld(scope, keep); got != want {
			t.Errorf("ScopeHeld(%q, %q) = %v, want %v", scope, keep, got, want)
		}
	}
}

func TestPathScope(t *testing.T) {
	for path, want := range map[string]string{
		"envs/prod/terraform.tfstate":                      "state/envs/prod/terraform.tfstate",
		"/srv/state//prod.tfstate":                         "state/srv/state/prod.tfstate",
		"s3://acme-tfstate/prod/terraform.tfstate":         "state/s3:/acme-tfstate/prod/terraform.tfstate",
		"https://storage.googleapis.com/b/x.json?REDACTED": "state/https:/storage.googleapis.com/b/x.json?REDACTED",
		"prod\x00.tfstate":                                 "state",
	} {
		if got := PathScope("state", path); got != want {
			t.Errorf("PathScope(state, %q) = %q, want %q", path, got, want)
		}
	}
}

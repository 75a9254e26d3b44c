// Package graphtest is the conformance suite every graph.Store backend must
// pass: the Store contract of package graph, written once as tests and run
// against each backend (the embedded bbolt store, Neo4j), in the style of
// go-cloud's drivertest.
//
// A backend's test file needs a few lines:
//
//	func harness(t testing.TB) graph.Store {
//		s, err := embedded.Open(ctx, t.TempDir(), embedded.Options{})
//		if err != nil {
//			t.Fatal(err)
//		}
//		t.Cleanup(func() { s.Close() })
//		return s
//	}
//
//	func TestConformance(t *testing.T) { graphtest.RunConformance(t, harness) }
//	func BenchmarkStore(b *testing.B)  { graphtest.RunBenchmarks(b, harness) }
//
// The tests assert what a user of the store would notice: what a lookup,
// listing or traversal returns, and that bad input changes nothing. Every
// subtest asks the harness for its own fresh store, so a failure names one
// behaviour; subtests do not run in parallel, so a harness may share one
// server and wipe it between tests.
//
// Where the Store contract is silent the suite expects what a user would:
//
//   - ApplyResult counts each distinct node and relationship of a batch once,
//     however often the batch repeats it.
//   - NodePage.TotalCount counts every node matching the filters, whatever
//     First and After are; a cursor stays usable after its node is deleted.
//   - Neighbors may leave out an id with no neighbours or map it to an empty
//     slice: callers treat both the same. Ties in the order (same type and
//     other node) go outgoing first, then by role, as graph.SortNeighbors.
//   - Traverse from ids that do not exist returns no hits and no error; when
//     Limit cuts a walk, the shallowest nodes are the ones kept.
//   - Restore and Apply validate everything before writing anything, and
//     neither keeps references to what the caller passed in.
//   - After a context is cancelled, a scan returns the context's error or
//     has handed fn every item: never a silently shortened scan.
//
// The exported helpers (SmallEstate, SyntheticEstate, MustApply, TakeDump)
// are for other packages' tests: analysis, GraphQL and CLI tests build on the
// same small realistic estate.
package graphtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// Harness makes a fresh, empty store for one test; cleanup via t.Cleanup.
type Harness func(t testing.TB) graph.Store

// RunConformance runs every behaviour test of the Store contract against
// stores made by h, each as a t.Run subtest.
func RunConformance(t *testing.T, h Harness) {
	groups := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"Apply", testApply},
		{"ApplyRejects", testApplyRejects},
		{"Nodes", testNodes},
		{"Node", testNode},
		{"Resolve", testResolve},
		{"List", testList},
		{"Search", testSearch},
		{"IndexesFollowUpdates", testIndexesFollowUpdates},
		{"Edges", testEdges},
		{"Neighbors", testNeighbors},
		{"Traverse", testTraverse},
		{"Light", testLight},
		{"DeleteNodes", testDeleteNodes},
		{"DeleteEdges", testDeleteEdges},
		{"Sweep", testSweep},
		{"Scan", testScan},
		{"Restore", testRestore},
		{"Stats", testStats},
		{"Ping", testPing},
		{"Concurrency", testConcurrency},
		{"Context", testContext},
		{"Copies", testCopies},
		{"Runs", testRuns},
		{"ManualProvenance", testManualProvenance},
		{"Audit", testAudit},
		{"Merge", testMerge},
		{"Annotate", testAnnotate},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.fn(t, h) })
	}
}

// T0 is the fixed observation time the suite's batches use (with later times
// derived from it), so that times compare exactly.
var T0 = time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)

// at returns T0 plus some minutes.
func at(minutes int) time.Time { return T0.Add(time.Duration(minutes) * time.Minute) }

// MustApply applies b to s and fails the test on error.
func MustApply(t testing.TB, s graph.Store, b graph.Batch) graph.ApplyResult {
	t.Helper()
	res, err := s.Apply(t.Context(), b)
	if err != nil {
		t.Fatalf("Apply(%s/%s): %v", b.Source, b.Run, err)
	}
	return res
}

// Dump is everything a store holds, in scan order. Its JSON encoding is the
// shape estate export writes, so two stores hold the same data exactly when
// their dumps encode to the same JSON.
type Dump struct {
	Nodes []*graph.Node `json:"nodes"`
	Edges []*graph.Edge `json:"edges"`
}

// TakeDump reads every node and relationship of s with ScanNodes and
// ScanEdges.
func TakeDump(t testing.TB, s graph.Store) Dump {
	t.Helper()
	var d Dump
	if err := s.ScanNodes(t.Context(), func(n *graph.Node) error {
		d.Nodes = append(d.Nodes, n)
		return nil
	}); err != nil {
		t.Fatalf("ScanNodes: %v", err)
	}
	if err := s.ScanEdges(t.Context(), func(e *graph.Edge) error {
		d.Edges = append(d.Edges, e)
		return nil
	}); err != nil {
		t.Fatalf("ScanEdges: %v", err)
	}
	return d
}

// JSON returns the dump's indented JSON encoding.
func (d Dump) JSON() string { return jsonOf(d) }

func jsonOf(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	return string(b)
}

// sameJSON fails the test when got and want do not encode to the same JSON,
// showing where they differ.
func sameJSON(t testing.TB, what string, got, want any) bool {
	t.Helper()
	g, w := jsonOf(got), jsonOf(want)
	if g == w {
		return true
	}
	t.Errorf("%s differs (-got +want):\n%s", what, lineDiff(g, w))
	return false
}

// unchanged fails the test when the store's dump differs from before.
func unchanged(t testing.TB, s graph.Store, before Dump, what string) {
	t.Helper()
	sameJSON(t, what+": store contents", TakeDump(t, s), before)
}

// lineDiff shows the lines around the first difference of two texts.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	i := 0
	for i < len(al) && i < len(bl) && al[i] == bl[i] {
		i++
	}
	from := max(0, i-4)
	var sb strings.Builder
	for j := from; j < i; j++ {
		fmt.Fprintf(&sb, "  %s\n", al[j])
	}
	for j := i; j < min(len(al), i+8); j++ {
		fmt.Fprintf(&sb, "- %s\n", al[j])
	}
	for j := i; j < min(len(bl), i+8); j++ {
		fmt.Fprintf(&sb, "+ %s\n", bl[j])
	}
	return sb.String()
}

// sentinels maps each code to its errors.Is sentinel.
var sentinels = map[graph.Code]error{
	graph.CodeNotFound:      graph.ErrNotFound,
	graph.CodeInvalid:       graph.ErrInvalid,
	graph.CodeLimitExceeded: graph.ErrLimitExceeded,
	graph.CodeUnavailable:   graph.ErrUnavailable,
	graph.CodeConflict:      graph.ErrConflict,
}

// wantCode fails the test unless err carries code, checked the way callers
// do: errors.Is with the sentinel, and CodeOf.
func wantCode(t testing.TB, what string, err error, code graph.Code) bool {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %s", what, code)
		return false
	}
	if !errors.Is(err, sentinels[code]) || graph.CodeOf(err) != code {
		t.Errorf("%s: error %q has code %s, want %s", what, err, graph.CodeOf(err), code)
		return false
	}
	return true
}

// Refs and inputs, kept short so test tables read like the estate they build.

func ref(k graph.Kind, key string) graph.Ref { return graph.Ref{Kind: k, Key: key} }
func bu(key string) graph.Ref                { return ref(graph.KindBusinessUnit, key) }
func svc(key string) graph.Ref               { return ref(graph.KindService, key) }
func app(key string) graph.Ref               { return ref(graph.KindApplication, key) }
func repo(key string) graph.Ref              { return ref(graph.KindRepository, key) }
func team(key string) graph.Ref              { return ref(graph.KindTeam, key) }
func person(key string) graph.Ref            { return ref(graph.KindPerson, key) }
func acct(key string) graph.Ref              { return ref(graph.KindCloudAccount, key) }
func res(key string) graph.Ref               { return ref(graph.KindCloudResource, key) }

// node asserts the node r with no properties.
func node(r graph.Ref) graph.NodeInput { return graph.NodeInput{Kind: r.Kind, Key: r.Key} }

// nodes asserts each of refs with no properties.
func nodes(refs ...graph.Ref) []graph.NodeInput {
	out := make([]graph.NodeInput, len(refs))
	for i, r := range refs {
		out[i] = node(r)
	}
	return out
}

// edge asserts a relationship; kv are property name/value pairs.
func edge(t graph.RelType, from, to graph.Ref, kv ...string) graph.EdgeInput {
	e := graph.EdgeInput{Type: t, From: from, To: to}
	if len(kv) > 0 {
		e.Props = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			e.Props[kv[i]] = kv[i+1]
		}
	}
	return e
}

func dependsOn(from, to graph.Ref) graph.EdgeInput { return edge(graph.RelDependsOn, from, to) }
func partOf(from, to graph.Ref) graph.EdgeInput    { return edge(graph.RelPartOf, from, to) }
func owns(from, to graph.Ref, role string) graph.EdgeInput {
	if role == "" {
		return edge(graph.RelOwns, from, to)
	}
	return edge(graph.RelOwns, from, to, "role", role)
}

func ids(refs ...graph.Ref) []graph.ID {
	out := make([]graph.ID, len(refs))
	for i, r := range refs {
		out[i] = r.ID()
	}
	return out
}

// getNode returns the node r, failing the test if it cannot.
func getNode(t testing.TB, s graph.Store, r graph.Ref) *graph.Node {
	t.Helper()
	n, err := s.Node(t.Context(), r)
	if err != nil {
		t.Fatalf("Node(%s): %v", r, err)
	}
	if n == nil {
		t.Fatalf("Node(%s) returned nil without an error", r)
	}
	return n
}

// getEdge returns the relationship with the id of in, or nil.
func getEdge(t testing.TB, s graph.Store, in graph.EdgeInput) *graph.Edge {
	t.Helper()
	es, err := s.Edges(t.Context(), []graph.ID{in.ID()})
	if err != nil {
		t.Fatalf("Edges: %v", err)
	}
	if len(es) != 1 {
		t.Fatalf("Edges of one id returned %d entries", len(es))
	}
	return es[0]
}

// absent fails the test unless Node(r) is NOT_FOUND.
func absent(t testing.TB, s graph.Store, r graph.Ref) {
	t.Helper()
	n, err := s.Node(t.Context(), r)
	if err == nil {
		t.Errorf("Node(%s) = %s %q, want NOT_FOUND", r, n.Ref(), n.Name)
		return
	}
	wantCode(t, fmt.Sprintf("Node(%s)", r), err, graph.CodeNotFound)
}

// refsOf lists the refs of nodes, "<nil>" for nil entries.
func refsOf(ns []*graph.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		if n == nil {
			out[i] = "<nil>"
		} else {
			out[i] = n.Ref().String()
		}
	}
	return out
}

func refStrings(rs ...graph.Ref) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

// sameRefs fails the test unless the nodes are exactly want, in order.
func sameRefs(t testing.TB, what string, got []*graph.Node, want ...graph.Ref) {
	t.Helper()
	g, w := refsOf(got), refStrings(want...)
	if !reflect.DeepEqual(g, w) && !(len(g) == 0 && len(w) == 0) {
		t.Errorf("%s:\n got %q\nwant %q", what, g, w)
	}
}

// stripLastSeen returns the dump's JSON with every lastSeen time blanked,
// for comparing states that differ only in when things were last seen.
func stripLastSeen(t testing.TB, d Dump) string {
	t.Helper()
	var raw any
	dec := json.NewDecoder(bytes.NewReader([]byte(jsonOf(d))))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "lastSeen" {
					v[k] = "-"
					continue
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(raw)
	return jsonOf(raw)
}

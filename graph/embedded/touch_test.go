package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/graphtest"
)

// TestTouchPayloadMatchesEncoding: touching a payload in place gives the
// bytes that decoding, touching and storing the relationship again would.
func TestTouchPayloadMatchesEncoding(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	as := func(runs ...string) []graph.Assertion {
		var out []graph.Assertion
		for i, r := range runs {
			out = append(out, graph.Assertion{Source: fmt.Sprint("src-", i), Run: r, Confidence: graph.Confidence("declared"),
				Evidence: "file " + r, FirstSeen: at.Add(time.Duration(-i-10) * time.Hour), LastSeen: at.Add(time.Duration(-i) * time.Hour)})
		}
		return out
	}
	edges := map[string]*graph.Edge{
		"one assertion": {Assertions: as("r0")},
		"several":       {Assertions: as("r0", "r1", "r2"), Props: map[string]any{"path": "svc/a", "n": int64(3), "ok": true, "l": []string{"x", "y"}}},
		"manual":        {Assertions: as("r0", "r1"), Manual: []string{"props.path"}, Conflicts: []graph.Conflict{{Field: "props.path", Manual: "a", Ingested: "b", Source: "src-1", SeenAt: at}}},
		// A touch at an earlier time than another source's last sighting.
		"not latest": {Assertions: as("r0", "r1")},
	}
	for name, e := range edges {
		t.Run(name, func(t *testing.T) {
			st := newState()
			for _, key := range []string{"a", "b"} {
				st.putNode(&graph.Node{ID: graph.NodeID(graph.KindService, key), Kind: graph.KindService, Key: key}, nil)
			}
			e.Type, e.From, e.To = graph.RelDependsOn, graph.Ref{Kind: graph.KindService, Key: "a"}, graph.Ref{Kind: graph.KindService, Key: "b"}
			e.ID = graph.EdgeID(e.Type, e.From.ID(), e.To.ID(), "")
			e.FirstSeen, e.LastSeen = e.Assertions[len(e.Assertions)-1].FirstSeen, e.Assertions[0].LastSeen
			le, _, err := newLogEdge(nil, e, e.From.ID(), e.To.ID())
			if err != nil {
				t.Fatal(err)
			}
			if err := st.putLogEdge(le); err != nil {
				t.Fatal(err)
			}
			tc := touch{source: "src-1", run: "new-run", at: at.Add(time.Minute)}
			if name == "one assertion" {
				tc.source = "src-0"
			}
			if name == "not latest" {
				tc.at = at.Add(-30 * time.Minute)
			}
			want, ok := tc.edge(e)
			if !ok {
				t.Fatal("touch.edge: not asserted")
			}
			wantData, err := encodeEdgeData(nil, want)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.touchEdges([]graph.ID{e.ID}, tc); err != nil {
				t.Fatal(err)
			}
			wantPayload, err := st.syms.intern(nil, wantData)
			if err != nil {
				t.Fatal(err)
			}
			i, _ := st.edgeAt.get(e.ID)
			if got := st.payload(&st.edges[i]); !bytes.Equal(got, wantPayload) {
				t.Fatalf("touched payload\n%x, want\n%x", got, wantPayload)
			}
			if got := st.edge(i); !reflect.DeepEqual(got, want) {
				t.Fatalf("touched relationship reads %+v, want %+v", got, want)
			}
			if err := st.touchEdges([]graph.ID{e.ID}, touch{source: "nobody", run: "x", at: at}); err == nil {
				t.Fatal("a touch by a source that does not assert the relationship was applied")
			}
		})
	}
}

// lastEntry returns the newest entry of the store's log.
func lastEntry(t *testing.T, s *Store) []byte {
	t.Helper()
	var v []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		_, last := tx.Bucket(s.active).Cursor().Last()
		v = bytes.Clone(last)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// dump renders the whole store, to compare states across restarts.
func dump(t *testing.T, s *Store) string {
	t.Helper()
	var sb strings.Builder
	ctx := context.Background()
	if err := s.ScanNodes(ctx, func(n *graph.Node) error { fmt.Fprintf(&sb, "%+v\n", *n); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.ScanEdges(ctx, func(e *graph.Edge) error { fmt.Fprintf(&sb, "%+v\n", *e); return nil }); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

func openAt(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir, Options{Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNoopSyncIsTouches: re-asserting an unchanged estate logs touches,
// not records, and the new run ids and last-seen times survive a restart,
// so that the run's sweep keeps everything.
func TestNoopSyncIsTouches(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openAt(t, dir)
	b := graphtest.SmallEstate()
	b.Run, b.At = "run-1", graphtest.EstateAt
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	cold := len(lastEntry(t, s))
	b.Run, b.At = "run-2", graphtest.EstateAt.Add(time.Hour)
	res, err := s.Apply(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if res.NodesUpdated != len(b.Nodes) || res.EdgesUpdated != len(b.Edges) {
		t.Fatalf("no-op counted %+v, want every item updated", res)
	}
	items := len(b.Nodes) + len(b.Edges)
	if noop := len(lastEntry(t, s)); noop > 16*items+64 {
		t.Fatalf("the no-op logged %d bytes for %d items (the cold write %d): not touches", noop, items, cold)
	}
	want := dump(t, s)
	s.Close()

	s = openAt(t, dir)
	defer s.Close()
	if got := dump(t, s); got != want {
		t.Fatalf("touches read back differently:\ngot:\n%s\nwant:\n%s", got, want)
	}
	check := func(what string, as []graph.Assertion, lastSeen time.Time) {
		if len(as) != 1 || as[0].Run != "run-2" || !as[0].LastSeen.Equal(b.At) || !as[0].FirstSeen.Equal(graphtest.EstateAt) || !lastSeen.Equal(b.At) {
			t.Errorf("%s after a restart: assertions %+v, last seen %v; want run-2 last seen at %v", what, as, lastSeen, b.At)
		}
	}
	err = s.ScanNodes(ctx, func(n *graph.Node) error { check(n.Ref().String(), n.Assertions, n.LastSeen); return nil })
	if err != nil {
		t.Fatal(err)
	}
	err = s.ScanEdges(ctx, func(e *graph.Edge) error { check(string(e.Type), e.Assertions, e.LastSeen); return nil })
	if err != nil {
		t.Fatal(err)
	}
	sw, err := s.Sweep(ctx, graph.SweepRequest{Source: b.Source, Run: "run-2"})
	if err != nil {
		t.Fatal(err)
	}
	if sw.NodesRemoved+sw.EdgesRemoved+sw.NodesRetracted+sw.EdgesRetracted != 0 {
		t.Fatalf("the sweep of the touching run removed %+v", sw)
	}

	// A node and a relationship asserted twice in a batch, touched and
	// then changed, are written in full: the changes survive a restart.
	b.Run, b.At = "run-3", graphtest.EstateAt.Add(2*time.Hour)
	renamed := b.Nodes[0]
	renamed.Name = "renamed"
	b.Nodes = append(b.Nodes, renamed)
	evidenced := b.Edges[0]
	evidenced.Evidence = "seen again"
	b.Edges = append(b.Edges, evidenced)
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	want = dump(t, s)
	s.Close()
	s = openAt(t, dir)
	defer s.Close()
	if got := dump(t, s); got != want {
		t.Fatalf("a touched then changed node reads back differently:\ngot:\n%s\nwant:\n%s", got, want)
	}
	if n, err := s.Node(ctx, renamed.Ref()); err != nil || n.Name != "renamed" || n.Assertions[0].Run != "run-3" {
		t.Fatalf("node asserted twice reads back as %+v (%v)", n, err)
	}
	es, err := s.Edges(ctx, []graph.ID{evidenced.ID()})
	if err != nil || es[0] == nil || es[0].Assertions[0].Evidence != "seen again" || es[0].Assertions[0].Run != "run-3" {
		t.Fatalf("relationship asserted twice reads back as %+v (%v)", es, err)
	}
}

// TestReadsFormat3 opens a store whose log entries are format 3 (no
// touches), upgrades it, and checks that touches written after the
// upgrade survive a restart beside the old entries.
func TestReadsFormat3(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openAt(t, dir)
	b := graphtest.SmallEstate()
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	want := dump(t, s)
	s.Close()
	// A format 3 entry is a format 4 entry without the touch section, and
	// a format 4 one a format 5 entry whose payloads have no scopes.
	empty := (&logEntry{}).encode(nil)[5:]
	db, err := bolt.Open(dir+"/"+FileName, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if err := meta.Put(keyFormat, []byte(formatV3)); err != nil {
			return err
		}
		log := tx.Bucket(meta.Get(keyActive))
		k, v := log.Cursor().Last()
		if v[0] != logV5 || !bytes.HasSuffix(v, empty) {
			return fmt.Errorf("the entry (%d bytes, version %d) is not a format 5 entry without touches", len(v), v[0])
		}
		v4, err := unscopedEntry(v)
		if err != nil {
			return err
		}
		return log.Put(bytes.Clone(k), append([]byte{logV3}, v4[1:len(v4)-len(empty)]...))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	s = openAt(t, dir)
	if got := dump(t, s); got != want {
		t.Fatalf("format 3 store reads back differently:\ngot:\n%s\nwant:\n%s", got, want)
	}
	b.Run, b.At = "run-2", graphtest.EstateAt.Add(time.Hour)
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	want = dump(t, s)
	s.Close()
	s = openAt(t, dir)
	defer s.Close()
	if got := dump(t, s); got != want {
		t.Fatalf("upgraded store reads back differently after touches and a restart:\ngot:\n%s\nwant:\n%s", got, want)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		if f := string(tx.Bucket(bucketMeta).Get(keyFormat)); f != format {
			return fmt.Errorf("format marker %q after the upgrade, want %q", f, format)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// unscopedEntry rewrites a format 5 log entry holding only nodes and
// relationships as a format 4 one: its payloads without assertion scopes.
func unscopedEntry(v []byte) ([]byte, error) {
	r := reader{b: v[1:]}
	out := []byte{logV4}
	out = putIDs(out, r.ids())
	out = putIDs(out, r.ids())
	nodes := r.b
	for range r.count() {
		r.bytes(r.count())
		r.bytes(r.count())
	}
	out = append(out, nodes[:len(nodes)-len(r.b)]...)
	n := r.count()
	out = binary.AppendUvarint(out, uint64(n))
	for range n {
		head := r.b
		r.id()
		r.string()
		r.id()
		r.id()
		out = append(out, head[:len(head)-len(r.b)]...)
		p := reader{b: r.bytes(r.count())}
		var data []byte
		na := p.count()
		data = binary.AppendUvarint(data, uint64(na))
		for range na {
			for range 3 { // source, run, confidence
				data = putString(data, p.string())
			}
			p.string() // the scope
			rest := p.b
			p.string()
			p.time()
			p.time()
			data = append(data, rest[:len(rest)-len(p.b)]...)
		}
		data = append(data, p.b...)
		if p.err != nil {
			return nil, p.err
		}
		out = binary.AppendUvarint(out, uint64(len(data)))
		out = append(out, data...)
	}
	return append(out, r.b...), r.err
}

// TestTouchesAgreesWithGraph: the store's touch checks, which read stored
// items without decoding them, answer as graph.TouchesNode and
// graph.TouchesEdge do on the decoded items, for every way an input can
// differ from what is stored.
func TestTouchesAgreesWithGraph(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	stored := []graph.Assertion{
		{Source: "aws", Run: "r1", Scope: "aws/1", Confidence: graph.Declared, Evidence: "tag", FirstSeen: at.Add(-time.Hour), LastSeen: at},
		{Source: "github", Run: "r2", Confidence: graph.Inferred, FirstSeen: at.Add(-2 * time.Hour), LastSeen: at.Add(-time.Hour)},
	}
	props := map[string]any{"path": "svc/a", "n": int64(3)}
	a, b := graph.Ref{Kind: graph.KindService, Key: "a"}, graph.Ref{Kind: graph.KindService, Key: "b"}
	node := &graph.Node{ID: a.ID(), Kind: a.Kind, Key: a.Key, Name: "A", Props: map[string]any{"tier": "1", "lifecycle": "production"},
		Labels: map[string]string{"env": "prod"}, Aliases: []graph.Alias{{Value: "alpha", Source: "aws"}},
		Assertions: stored, FirstSeen: at.Add(-2 * time.Hour), LastSeen: at}
	edge := &graph.Edge{ID: graph.EdgeID(graph.RelBuilds, a.ID(), b.ID(), ""), Type: graph.RelBuilds, From: a, To: b, Props: props,
		Assertions: stored, FirstSeen: at.Add(-2 * time.Hour), LastSeen: at}
	nodeIn := graph.NodeInput{Kind: a.Kind, Key: a.Key, Name: "A", Props: map[string]any{"tier": "1", "lifecycle": "production"},
		Labels: map[string]string{"env": "prod"}, Aliases: []string{"alpha"}, Scope: "aws/1", Confidence: graph.Declared, Evidence: "tag"}
	edgeIn := graph.EdgeInput{Type: graph.RelBuilds, From: a, To: b, Props: props, Scope: "aws/1", Confidence: graph.Declared, Evidence: "tag"}
	cases := []struct {
		name   string
		source string
		at     time.Time
		node   func(n *graph.Node, in *graph.NodeInput)
		edge   func(e *graph.Edge, in *graph.EdgeInput)
		// labels is set for the cases about labels, which only nodes have:
		// the relationship is asserted the same again.
		labels bool
	}{
		{name: "the same again", source: "aws", at: at.Add(time.Hour)},
		{name: "the same at the same time", source: "aws", at: at},
		{name: "earlier than last seen", source: "aws", at: at.Add(-time.Minute)},
		{name: "second source", source: "github", at: at,
			node: func(_ *graph.Node, in *graph.NodeInput) {
				in.Scope, in.Confidence, in.Evidence, in.Aliases = "", graph.Inferred, "", nil
			},
			edge: func(_ *graph.Edge, in *graph.EdgeInput) {
				in.Scope, in.Confidence, in.Evidence = "", graph.Inferred, ""
			}},
		{name: "a source that does not assert it", source: "gitlab", at: at},
		{name: "the manual source", source: graph.SourceManual, at: at},
		{name: "other scope", source: "aws", at: at,
			node: func(_ *graph.Node, in *graph.NodeInput) { in.Scope = "aws/2" }, edge: func(_ *graph.Edge, in *graph.EdgeInput) { in.Scope = "aws/2" }},
		{name: "other confidence", source: "aws", at: at,
			node: func(_ *graph.Node, in *graph.NodeInput) { in.Confidence = graph.Inferred },
			edge: func(_ *graph.Edge, in *graph.EdgeInput) { in.Confidence = graph.Inferred }},
		{name: "other evidence", source: "aws", at: at,
			node: func(_ *graph.Node, in *graph.NodeInput) { in.Evidence = "file" }, edge: func(_ *graph.Edge, in *graph.EdgeInput) { in.Evidence = "" }},
		{name: "no properties asserted", source: "aws", at: at,
			node: func(_ *graph.Node, in *graph.NodeInput) { in.Props = nil }, edge: func(_ *graph.Edge, in *graph.EdgeInput) { in.Props = nil }},
		{name: "fewer properties asserted", source: "aws", at: at,
			node: func(_ *graph.Node, in *graph.NodeInput) { in.Props = map[string]any{"tier": "1"} },
			edge: func(_ *graph.Edge, in *graph.EdgeInput) { in.Props = map[string]any{"n": int64(3)} }},
		{name: "a property changed", source: "aws", at: at,
			node: func(_ *graph.Node, in *graph.NodeInput) {
				in.Props = map[string]any{"tier": "2", "lifecycle": "production"}
			},
			edge: func(_ *graph.Edge, in *graph.EdgeInput) { in.Props = map[string]any{"path": "svc/b", "n": int64(3)} }},
		{name: "list, integer and boolean properties the same", source: "aws", at: at,
			node: func(n *graph.Node, in *graph.NodeInput) { n.Props, in.Props = typedProps(), typedProps() },
			edge: func(e *graph.Edge, in *graph.EdgeInput) { e.Props, in.Props = typedProps(), typedProps() }},
		{name: "a list property changed", source: "aws", at: at,
			node: func(n *graph.Node, in *graph.NodeInput) {
				n.Props, in.Props = typedProps(), typedProps()
				in.Props["hostnames"] = []string{"a", "c"}
			},
			edge: func(e *graph.Edge, in *graph.EdgeInput) {
				e.Props, in.Props = typedProps(), typedProps()
				in.Props["hostnames"] = []string{"a"}
			}},
		{name: "a boolean and an integer property changed", source: "aws", at: at,
			node: func(n *graph.Node, in *graph.NodeInput) {
				n.Props, in.Props = typedProps(), typedProps()
				in.Props["archived"] = false
			},
			edge: func(e *graph.Edge, in *graph.EdgeInput) {
				e.Props, in.Props = typedProps(), typedProps()
				in.Props["tier"] = int64(2)
			}},
		{name: "a property of a type the store does not keep", source: "aws", at: at,
			node: func(n *graph.Node, in *graph.NodeInput) {
				n.Props, in.Props = typedProps(), typedProps()
				in.Props["tier"] = 1
			},
			edge: func(e *graph.Edge, in *graph.EdgeInput) {
				e.Props, in.Props = typedProps(), typedProps()
				in.Props["tier"] = 1.0
			}},
		{name: "a label changed", source: "aws", at: at,
			node: func(_ *graph.Node, in *graph.NodeInput) { in.Labels = map[string]string{"env": "dev"} }, labels: true},
		{name: "a label added", source: "aws", at: at,
			node: func(_ *graph.Node, in *graph.NodeInput) { in.Labels = map[string]string{"env": "prod", "team": "a"} }, labels: true},
		{name: "fewer labels asserted", source: "aws", at: at,
			node: func(n *graph.Node, in *graph.NodeInput) {
				n.Labels, in.Labels = map[string]string{"env": "prod", "team": "a"}, map[string]string{"team": "a"}
			}, labels: true},
		{name: "a stored item without properties", source: "aws", at: at,
			node: func(n *graph.Node, in *graph.NodeInput) { n.Props, in.Props = nil, nil },
			edge: func(e *graph.Edge, in *graph.EdgeInput) { e.Props, in.Props = nil, nil }},
		{name: "manual fields", source: "aws", at: at,
			node: func(n *graph.Node, _ *graph.NodeInput) { n.Manual = []string{"name"} },
			edge: func(e *graph.Edge, in *graph.EdgeInput) { e.Manual, in.Props = []string{"props.path"}, nil }},
		{name: "a conflict", source: "aws", at: at,
			node: func(n *graph.Node, _ *graph.NodeInput) {
				n.Conflicts = []graph.Conflict{{Field: "name", Manual: "A", Ingested: "B", Source: "aws", SeenAt: at}}
			},
			edge: func(e *graph.Edge, in *graph.EdgeInput) {
				e.Conflicts, in.Props = []graph.Conflict{{Field: "props.path", Manual: "x", Ingested: "y", Source: "aws", SeenAt: at}}, nil
			}},
	}
	// Both answers are checked against what each case is set up for, so
	// that the cases cover touching and not.
	touching := map[string]bool{"the same again": true, "the same at the same time": true, "second source": true,
		"no properties asserted": true, "fewer properties asserted": true, "a stored item without properties": true,
		"fewer labels asserted": true, "list, integer and boolean properties the same": true}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, e := graph.CloneNode(node), graph.CloneEdge(edge)
			nin, ein := nodeIn, edgeIn
			if tc.node != nil {
				tc.node(n, &nin)
			}
			if tc.edge != nil {
				tc.edge(e, &ein)
			}
			st := newState()
			ln, _, err := newLogNode(nil, n)
			if err != nil {
				t.Fatal(err)
			}
			st.putNode(graph.CloneNode(n), ln.props)
			st.putNode(&graph.Node{ID: b.ID(), Kind: b.Kind, Key: b.Key}, nil)
			putLogEdge(t, st, e)
			ni, _ := st.nodeAt.get(n.ID)
			ei, _ := st.edgeAt.get(e.ID)
			gotNode, wantNode := st.touchesNode(ni, nin, tc.source, tc.at), graph.TouchesNode(n, nin, tc.source, tc.at)
			if gotNode != wantNode {
				t.Errorf("node: the store says touches %v, graph.TouchesNode %v", gotNode, wantNode)
			}
			gotEdge, wantEdge := st.touchesEdge(ei, ein, tc.source, tc.at), graph.TouchesEdge(e, ein, tc.source, tc.at)
			if gotEdge != wantEdge {
				t.Errorf("relationship: the store says touches %v, graph.TouchesEdge %v", gotEdge, wantEdge)
			}
			if touches := touching[tc.name]; touches != wantNode || (touches || tc.labels) != wantEdge {
				t.Errorf("graph says node touches %v, relationship %v; the case is set up to say %v", wantNode, wantEdge, touches)
			}
		})
	}
}

// typedProps holds a property of each type the store encodes.
func typedProps() map[string]any {
	return map[string]any{"tier": int64(1), "hostnames": []string{"a", "b"}, "archived": true, "lifecycle": "production"}
}

// TestMarksWrap: after 2³² writes the generation wraps, and a slot marked
// by an old write must not read as touched by a new one.
func TestMarksWrap(t *testing.T) {
	var m marks
	m.next(2, 1)
	m.nodes[1], m.edges[0] = m.gen, m.gen
	m.next(3, 1)
	if m.nodes[1] == m.gen || m.edges[0] == m.gen || len(m.nodes) != 3 {
		t.Fatalf("the next write sees the last one's marks (gen %d, marks %v %v)", m.gen, m.nodes, m.edges)
	}
	m.gen = math.MaxUint32
	m.nodes[0] = 1 // marked by the write that had gen 1, long ago
	m.next(3, 1)
	if m.gen == 0 || m.nodes[0] == m.gen {
		t.Fatalf("after the wrap gen is %d and an old mark reads %d", m.gen, m.nodes[0])
	}
}

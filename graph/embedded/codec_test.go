package embedded

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// TestEdgeDataRoundTrip checks that a relationship's payload reads back
// as written, in the log's form and through the state's interned form,
// for every property type and for times the short form cannot hold.
func TestEdgeDataRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	assertion := func(src, run string, first, last time.Time) graph.Assertion {
		return graph.Assertion{Source: src, Run: run, Confidence: graph.Declared, FirstSeen: first, LastSeen: last}
	}
	cases := map[string]*graph.Edge{
		"no props": {Assertions: []graph.Assertion{assertion("github", "run-1", at, at)}, FirstSeen: at, LastSeen: at},
		"every value type": {
			Props:      map[string]any{"role": "business", "n": int64(-7), "ok": true, "list": []string{"a", "b"}, "empty": []string{}},
			Assertions: []graph.Assertion{assertion("github", "run-1", at, at.Add(time.Hour))},
			FirstSeen:  at, LastSeen: at.Add(time.Hour),
		},
		"two sources, times going back": {
			Assertions: []graph.Assertion{
				{Source: "aws", Run: "r2", Confidence: graph.Inferred, Evidence: "tag owner=team-a", FirstSeen: at, LastSeen: at.Add(48 * time.Hour)},
				assertion("github", "r1", at.Add(-365*24*time.Hour), at.Add(-time.Minute)),
			},
			FirstSeen: at.Add(-365 * 24 * time.Hour), LastSeen: at.Add(48 * time.Hour),
		},
		"sub-millisecond and zero times": {
			Assertions: []graph.Assertion{assertion("manual", "", at.Add(123456789*time.Nanosecond), time.Time{})},
			FirstSeen:  time.Time{}, LastSeen: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			data, err := encodeEdgeData(nil, want)
			if err != nil {
				t.Fatal(err)
			}
			var sy symbols
			sy.id([]byte("unrelated"))                        // symbols already in use shift the indexes
			interned, err := sy.intern([]byte{1, 2, 3}, data) // appended after other bytes
			interned = interned[3:]
			if err != nil {
				t.Fatal(err)
			}
			forms := map[string]reader{
				"log":      {b: data},
				"state":    {b: interned, syms: sy.strs},
				"decoding": decoding(interned, sy.strs), // strings cut from one copy
				"expanded": {b: sy.expand(interned)},
			}
			for form, r := range forms {
				got := &graph.Edge{}
				if err := r.edgeData(got); err != nil {
					t.Fatalf("%s form: %v", form, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s form reads back\n%+v\nwant\n%+v", form, got, want)
				}
			}
		})
	}
}

// TestEdgeDataDamaged checks that every truncation of a payload is an
// error, not a panic or a silently shorter relationship.
func TestEdgeDataDamaged(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	data, err := encodeEdgeData(nil, &graph.Edge{
		Props:      map[string]any{"role": "support"},
		Assertions: []graph.Assertion{{Source: "github", Run: "run-1", Confidence: graph.Declared, FirstSeen: at, LastSeen: at}},
		FirstSeen:  at, LastSeen: at,
	})
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(data) {
		r := reader{b: data[:n]}
		if err := r.edgeData(&graph.Edge{}); err == nil {
			t.Errorf("payload cut to %d of %d bytes read without error", n, len(data))
		}
	}
	if _, err := encodeEdgeData(nil, &graph.Edge{Props: map[string]any{"x": 1.5}}); err == nil {
		t.Error("a property of an unsupported type was encoded")
	}
}

// TestArenaReclaimsReplacedPayloads rewrites every relationship's payload
// many times and checks that the arena stays proportional to the live
// payloads and that every relationship still reads back its latest value.
func TestArenaReclaimsReplacedPayloads(t *testing.T) {
	st := newState()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	bu := &graph.Node{ID: graph.NodeID(graph.KindBusinessUnit, "bu"), Kind: graph.KindBusinessUnit, Key: "bu"}
	st.putNode(bu, nil)
	const services, rounds = 1000, 60
	for i := range services {
		key := fmt.Sprint("svc-", i)
		st.putNode(&graph.Node{ID: graph.NodeID(graph.KindService, key), Kind: graph.KindService, Key: key}, nil)
	}
	live := 0
	for round := range rounds {
		live = 0
		for i := range services {
			from := graph.Ref{Kind: graph.KindService, Key: fmt.Sprint("svc-", i)}
			e := &graph.Edge{
				ID: graph.EdgeID(graph.RelPartOf, from.ID(), bu.ID, ""), Type: graph.RelPartOf, From: from, To: bu.Ref(),
				Assertions: []graph.Assertion{{Source: "test", Run: fmt.Sprint("run-", round), Confidence: graph.Declared,
					Evidence: strings.Repeat("e", 20), FirstSeen: at, LastSeen: at.Add(time.Duration(round) * time.Minute)}},
			}
			le, _, err := newLogEdge(nil, e, from.ID(), bu.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.putLogEdge(le); err != nil {
				t.Fatal(err)
			}
			i, _ := st.edgeAt.get(e.ID)
			live += int(st.edges[i].size)
		}
	}
	if written := rounds * live; len(st.arena) > 2*live+arenaSlack || len(st.arena) > written/2 {
		t.Errorf("arena holds %d bytes for %d live ones after %d written: replaced payloads not reclaimed", len(st.arena), live, written)
	}
	if st.numEdges() != services {
		t.Fatalf("%d relationships, want %d", st.numEdges(), services)
	}
	for i := range st.edges {
		e := st.edge(int32(i))
		if a := e.Assertions[0]; a.Run != fmt.Sprint("run-", rounds-1) || !a.LastSeen.Equal(at.Add((rounds-1)*time.Minute)) {
			t.Fatalf("%s reads back %+v, want the last round's assertion", e.From, a)
		}
	}
}

// TestNodeDataRoundTrip checks that a node's properties and labels read
// back from the state's form, that the log's form of the properties comes
// back out of it unchanged, and that the bytes are allocated to size.
func TestNodeDataRoundTrip(t *testing.T) {
	cases := map[string]struct {
		props  map[string]any
		labels map[string]string
	}{
		"neither":     {},
		"props only":  {props: map[string]any{"tier": "gold", "n": int64(3), "tags": []string{"a"}}},
		"labels only": {labels: map[string]string{"env": "prod", "team": "payments-core"}},
		"both":        {props: map[string]any{"region": "eu-west-1"}, labels: map[string]string{"env": "prod", "": "empty name", "v": ""}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			props, err := encodeProps(c.props)
			if err != nil {
				t.Fatal(err)
			}
			data := nodeData(props, c.labels)
			if cap(data) != len(data) {
				t.Errorf("data holds %d bytes in %d", len(data), cap(data))
			}
			gotProps, gotLabels, err := decodeNodeData(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotProps, c.props) || !reflect.DeepEqual(gotLabels, c.labels) {
				t.Errorf("read back %v and %v, want %v and %v", gotProps, gotLabels, c.props, c.labels)
			}
			if got := nodeProps(data); string(got) != string(props) || (got == nil) != (props == nil) {
				t.Errorf("properties part %x, want %x", got, props)
			}
			seen := map[string]string{}
			eachLabel(data, func(k, v []byte) bool { seen[string(k)] = string(v); return true })
			if len(c.labels) > 0 && !reflect.DeepEqual(seen, c.labels) || len(c.labels) == 0 && len(seen) > 0 {
				t.Errorf("eachLabel saw %v, want %v", seen, c.labels)
			}
		})
	}
	if _, _, err := decodeNodeData([]byte{0, 2, 1, 'k'}); err == nil {
		t.Error("truncated labels decoded")
	}
}

// TestLogChunksReplayAsOne splits a log entry holding every section into
// small pieces and checks that each piece stays near the limit and that
// replaying the pieces in order leaves the state the whole entry leaves.
func TestLogChunksReplayAsOne(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	as := []graph.Assertion{{Source: "src", Run: "run-1", Confidence: graph.Declared, FirstSeen: at, LastSeen: at}}
	// Every item is cut from one buffer that grows under them, as a
	// commit's are.
	buf := make([]byte, 0, 64)
	node := func(key string) logNode {
		ln, b, err := newLogNode(buf, &graph.Node{ID: graph.NodeID(graph.KindService, key), Kind: graph.KindService, Key: key, Name: key,
			Props: map[string]any{"tier": "1"}, Assertions: as, FirstSeen: at, LastSeen: at})
		if err != nil {
			t.Fatal(err)
		}
		buf = b
		return ln
	}
	edge := func(from, to string) logEdge {
		f, g := graph.Ref{Kind: graph.KindService, Key: from}, graph.Ref{Kind: graph.KindService, Key: to}
		e := &graph.Edge{ID: graph.EdgeID(graph.RelDependsOn, f.ID(), g.ID(), ""), Type: graph.RelDependsOn, From: f, To: g,
			Assertions: as, FirstSeen: at, LastSeen: at}
		le, b, err := newLogEdge(buf, e, f.ID(), g.ID())
		if err != nil {
			t.Fatal(err)
		}
		buf = b
		return le
	}
	id := func(key string) graph.ID { return graph.NodeID(graph.KindService, key) }
	base := &logEntry{}
	for i := range 6 {
		base.nodes = append(base.nodes, node(fmt.Sprint("old-", i)))
	}
	base.edges = []logEdge{edge("old-0", "old-1"), edge("old-1", "old-2"), edge("old-2", "old-3"), edge("old-4", "old-5")}
	entry := &logEntry{
		delEdges:   []graph.ID{base.edges[0].id},
		delNodes:   []graph.ID{id("old-5")},
		touch:      touch{source: "src", run: "run-2", at: at.Add(time.Hour)},
		touchNodes: []graph.ID{id("old-0"), id("old-1"), id("old-2")},
		touchEdges: []graph.ID{base.edges[1].id, base.edges[2].id},
	}
	for i := range 40 {
		entry.nodes = append(entry.nodes, node(fmt.Sprint("new-", i)))
		entry.edges = append(entry.edges, edge(fmt.Sprint("new-", i), "old-0"))
	}
	replay := func(entries ...*logEntry) *state {
		st := newState()
		for _, e := range entries {
			p, err := parseEntry(e.encode(nil))
			if err == nil {
				_, err = p.apply(st)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		return st
	}
	want := replay(base, entry)
	for _, limit := range []int{1, 64, 300, 1000, 1 << 20} {
		t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
			chunks := entry.chunks(limit)
			pieces, records := []*logEntry{base}, 0
			for i := range chunks {
				c := &chunks[i]
				pieces = append(pieces, c)
				records += c.records()
				// An entry's header (version, six counts, touch) takes
				// under 100 bytes here; one item may pass the limit alone.
				if n := len(c.encode(nil)); n > limit+100 && c.records() > 1 {
					t.Errorf("piece %d of %d records encodes to %d bytes, limit %d", i, c.records(), n, limit)
				}
			}
			if records != entry.records() {
				t.Fatalf("pieces hold %d records, the entry %d", records, entry.records())
			}
			if limit == 1<<20 && len(chunks) != 1 {
				t.Errorf("a %d-byte entry was cut into %d pieces", len(entry.encode(nil)), len(chunks))
			}
			got := replay(pieces...)
			if got.numNodes() != want.numNodes() || got.numEdges() != want.numEdges() {
				t.Fatalf("pieces replay to %d nodes and %d relationships, the entry to %d and %d",
					got.numNodes(), got.numEdges(), want.numNodes(), want.numEdges())
			}
			for i := range want.nodes {
				if w := want.nodes[i].n; w != nil && !reflect.DeepEqual(got.node(w.ID), want.node(w.ID)) {
					t.Errorf("node %s replays as\n%+v\nwant\n%+v", w.Key, got.node(w.ID), want.node(w.ID))
				}
			}
			for i := range want.edges {
				if w := want.edges[i]; w.typ != 0 && !reflect.DeepEqual(got.edgeByID(w.id), want.edgeByID(w.id)) {
					t.Errorf("relationship %s replays as\n%+v\nwant\n%+v", w.id, got.edgeByID(w.id), want.edgeByID(w.id))
				}
			}
		})
	}
}

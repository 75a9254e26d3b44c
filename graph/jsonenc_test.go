package graph_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
)

// TestEncodeAuditEventIsJSON checks that every event encodes to exactly
// what encoding/json makes of it — the stored form both backends read —
// whether it takes the direct path (created items) or not, and with
// strings that need escaping.
func TestEncodeAuditEventIsJSON(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 30, 0, 123456000, time.UTC)
	svc := graph.Ref{Kind: graph.KindService, Key: "payments"}
	repo := graph.Ref{Kind: graph.KindRepository, Key: "github.com/acme/payments"}
	node := &graph.Node{ID: svc.ID(), Kind: svc.Kind, Key: svc.Key, Name: "Payments", FirstSeen: at, LastSeen: at}
	cases := map[string]graph.AuditEvent{
		"node created": {At: at, Seq: 1, Actor: "github:acme", Source: "github:acme", Run: "run-1", Op: graph.AuditCreated,
			Subject: svc.ID(), Kind: svc.Kind, Key: svc.Key},
		"relationship created": {At: at, Seq: 1 << 40, Actor: "github:acme", Source: "github:acme", Run: "run-1", Op: graph.AuditCreated,
			Subject: graph.EdgeID(graph.RelBuilds, repo.ID(), svc.ID(), ""), Type: graph.RelBuilds, From: repo, To: svc},
		"no actor, source or run": {At: at, Op: graph.AuditDeleted, Subject: svc.ID(), Kind: svc.Kind, Key: svc.Key},
		"strings to escape": {At: at.In(time.FixedZone("CET", 3600)), Seq: -3, Actor: "Zoë <ops> & \"team\"", Source: "manual", Op: graph.AuditCreated,
			Subject: svc.ID(), Kind: svc.Kind, Key: "tab\there\\line\nend\u2028é"},
		"zero time":        {Op: graph.AuditCreated, Subject: svc.ID(), Kind: svc.Kind, Key: svc.Key},
		"with a snapshot":  {At: at, Seq: 2, Op: graph.AuditDeleted, Subject: svc.ID(), Kind: svc.Kind, Key: svc.Key, Node: node},
		"with changes":     {At: at, Seq: 3, Op: graph.AuditUpdated, Subject: svc.ID(), Kind: svc.Kind, Key: svc.Key, Node: node, Changes: []graph.FieldChange{{Field: "name", Before: "Payments", After: "Pay"}}},
		"empty changes":    {At: at, Seq: 4, Op: graph.AuditUpdated, Subject: svc.ID(), Kind: svc.Kind, Key: svc.Key, Changes: []graph.FieldChange{}},
		"one end only set": {At: at, Op: graph.AuditCreated, Subject: svc.ID(), Type: graph.RelBuilds, From: repo},
	}
	for name, e := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(&e)
			if err != nil {
				t.Fatal(err)
			}
			got, err := graph.AppendAuditEvent([]byte("prefix"), &e)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, append([]byte("prefix"), want...)) {
				t.Errorf("encoded as\n%s\nencoding/json writes\nprefix%s", got, want)
			}
			back, err := graph.DecodeAuditEvent(got[len("prefix"):])
			if err != nil {
				t.Fatal(err)
			}
			if back.Seq != e.Seq || back.Key != e.Key || back.Actor != e.Actor || !back.At.Equal(e.At) {
				t.Errorf("decodes back as %+v", back)
			}
		})
	}
}

// TestAppendNodeJSONIsJSON checks that nodes encode to exactly what
// encoding/json makes of them, on the direct path and off it.
func TestAppendNodeJSONIsJSON(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 30, 0, 500, time.UTC)
	as := []graph.Assertion{
		{Source: "aws:123", Run: "r1", Scope: "aws/123/eu-west-1", Confidence: graph.Declared, Evidence: "tag <owner>=a&b", FirstSeen: at, LastSeen: at.Add(time.Hour)},
		{Source: "github:acme", Confidence: graph.Inferred, FirstSeen: at.In(time.FixedZone("", -5*3600)), LastSeen: at},
	}
	node := func(f func(n *graph.Node)) *graph.Node {
		n := &graph.Node{ID: graph.NodeID(graph.KindPerson, "zoë"), Kind: graph.KindPerson, Key: "zoë", Name: "Zoë \"Z\" Doe",
			Assertions: as, FirstSeen: at, LastSeen: at.Add(time.Hour)}
		f(n)
		return n
	}
	cases := map[string]*graph.Node{
		"plain":         node(func(*graph.Node) {}),
		"no assertions": node(func(n *graph.Node) { n.Assertions = nil }),
		"empty assertions, labels and aliases": node(func(n *graph.Node) {
			n.Assertions, n.Labels, n.Aliases = []graph.Assertion{}, map[string]string{}, []graph.Alias{}
		}),
		"labels and aliases": node(func(n *graph.Node) {
			n.Labels = map[string]string{"z": "last", "env": "prod", "a\tb": "<x>"}
			n.Aliases = []graph.Alias{{Value: "zoe@acme.com", Source: "github:acme"}, {Value: "Zoë", Source: "aws:123"}}
		}),
		"props":  node(func(n *graph.Node) { n.Props = map[string]any{"email": "zoe@acme.com"} }),
		"manual": node(func(n *graph.Node) { n.Manual = []string{"name"} }),
		"conflicts": node(func(n *graph.Node) {
			n.Conflicts = []graph.Conflict{{Field: "name", Manual: "Zoë", Ingested: "Z", Source: "aws:123", SeenAt: at}}
		}),
		"zero times":     node(func(n *graph.Node) { n.FirstSeen, n.LastSeen = time.Time{}, time.Time{} }),
		"a far-off time": node(func(n *graph.Node) { n.LastSeen = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }),
	}
	for name, n := range cases {
		t.Run(name, func(t *testing.T) {
			want, wantErr := json.Marshal(n)
			got, err := graph.AppendNodeJSON([]byte("prefix"), n)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("error %v, encoding/json's %v", err, wantErr)
			}
			if err == nil && !bytes.Equal(got, append([]byte("prefix"), want...)) {
				t.Errorf("encoded as\n%s\nencoding/json writes\nprefix%s", got, want)
			}
		})
	}
}

// TestDirectJSONKnowsEveryField fails when a field is added to a type the
// direct JSON path writes: the path must then write it (and the tests
// above set it), or it would silently drop it from what is stored.
func TestDirectJSONKnowsEveryField(t *testing.T) {
	for typ, want := range map[reflect.Type]int{
		reflect.TypeFor[graph.Node]():       12,
		reflect.TypeFor[graph.Assertion]():  7,
		reflect.TypeFor[graph.Alias]():      2,
		reflect.TypeFor[graph.Ref]():        2,
		reflect.TypeFor[graph.AuditEvent](): 15,
	} {
		if typ.NumField() != want {
			t.Errorf("%s has %d fields, the direct JSON path (graph/jsonenc.go) knows %d", typ, typ.NumField(), want)
		}
	}
}

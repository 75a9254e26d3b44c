package jsonl_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/graph/graphtest"
	"github.com/estate-cmdb/estate/graph/jsonl"
)

func newStore(t *testing.T) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(context.Background(), t.TempDir(), embedded.Options{Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func export(t *testing.T, s jsonl.Scanner) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := jsonl.Export(context.Background(), s, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readerOnly hides *os.File so Import must spool, as with standard input.
type readerOnly struct{ io.Reader }

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := newStore(t)
	graphtest.MustApply(t, src, graphtest.SmallEstate())
	b := graphtest.SmallEstate()
	b.Source, b.Run, b.At = "second-source", "r2", graphtest.EstateAt.Add(3600e9)
	graphtest.MustApply(t, src, b)
	first := export(t, src)

	for name, in := range map[string]func() io.Reader{
		"stream": func() io.Reader { return readerOnly{bytes.NewReader(first)} },
		"file": func() io.Reader {
			p := filepath.Join(t.TempDir(), "export.jsonl")
			if err := os.WriteFile(p, first, 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		},
	} {
		t.Run(name, func(t *testing.T) {
			dst := newStore(t)
			c, err := jsonl.Import(ctx, dst, in(), false)
			if err != nil {
				t.Fatal(err)
			}
			if lines := bytes.Count(first, []byte("\n")); c.Nodes+c.Edges != lines {
				t.Fatalf("imported %d+%d records from %d lines", c.Nodes, c.Edges, lines)
			}
			if second := export(t, dst); !bytes.Equal(first, second) {
				t.Fatalf("export → import → export differs:\nfirst:\n%s\nsecond:\n%s", first, second)
			}
		})
	}
}

func TestImportRejectsBadInputAndWritesNothing(t *testing.T) {
	src := newStore(t)
	graphtest.MustApply(t, src, graphtest.SmallEstate())
	good := string(export(t, src))
	lines := strings.Split(strings.TrimSuffix(good, "\n"), "\n")
	last := len(lines) - 1
	replace := func(i int, s string) string {
		l := append([]string(nil), lines...)
		l[i] = s
		return strings.Join(l, "\n") + "\n"
	}
	cases := []struct {
		name, input, want string
	}{
		{"not json", replace(last, "{nope"), "line " + strconv.Itoa(last+1)},
		{"neither node nor edge", replace(last, `{"other":1}`), "exactly one"},
		{"unknown kind", replace(0, strings.Replace(lines[0], `"kind":"BusinessUnit"`, `"kind":"Spaceship"`, 1)), "unknown kind"},
		{"wrong id", replace(0, strings.Replace(lines[0], `"id":"`, `"id":"0`, 1)), "line 1"},
		{"edge before its node", lines[last] + "\n" + good, "not among the nodes before it"},
		{"huge line", good + `{"node":"` + strings.Repeat("x", 17<<20) + `"}` + "\n", "line"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dst := newStore(t)
			_, err := jsonl.Import(context.Background(), dst, readerOnly{strings.NewReader(tc.input)}, false)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one mentioning %q", err, tc.want)
			}
			if !errors.Is(err, graph.ErrInvalid) {
				t.Errorf("error %v is not INVALID_INPUT", err)
			}
			if got := export(t, dst); len(got) != 0 {
				t.Fatalf("a rejected import wrote %d bytes of data", len(got))
			}
		})
	}
}

func TestImportRefusesNonEmptyStore(t *testing.T) {
	s := newStore(t)
	graphtest.MustApply(t, s, graphtest.SmallEstate())
	data := export(t, s)
	_, err := jsonl.Import(context.Background(), s, bytes.NewReader(data), false)
	if !errors.Is(err, graph.ErrConflict) {
		t.Fatalf("import into a non-empty store: got %v, want a CONFLICT error", err)
	}
	if _, err := jsonl.Import(context.Background(), s, bytes.NewReader(data), true); err != nil {
		t.Fatalf("merge import of the same data: %v", err)
	}
	if again := export(t, s); !bytes.Equal(again, data) {
		t.Fatal("merging an export into the store it came from changed the store")
	}
}

// TestImportInChunks: an export of thousands of lines is parsed in chunks
// on every core; it imports whole and in order, and a bad line deep inside
// is reported by its own number, with nothing written.
func TestImportInChunks(t *testing.T) {
	src := newStore(t)
	graphtest.MustApply(t, src, graphtest.SyntheticEstate("", 2000))
	good := export(t, src)
	lines := strings.Split(strings.TrimSuffix(string(good), "\n"), "\n")
	if len(lines) < 3500 {
		t.Fatalf("%d lines; want several chunks", len(lines))
	}
	dst := newStore(t)
	if _, err := jsonl.Import(t.Context(), dst, readerOnly{bytes.NewReader(good)}, false); err != nil {
		t.Fatal(err)
	}
	if got := export(t, dst); !bytes.Equal(got, good) {
		t.Fatal("a large export imported and exported again differs")
	}
	for _, at := range []int{1000, 1001, 2345, len(lines)} { // 1-based, at and around a chunk's seam
		l := slices.Clone(lines)
		l[at-1] = "{nope"
		dst := newStore(t)
		_, err := jsonl.Import(t.Context(), dst, readerOnly{strings.NewReader(strings.Join(l, "\n") + "\n")}, false)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("import line %d: not a JSON record", at)) {
			t.Fatalf("line %d damaged: got error %v", at, err)
		}
		if got := export(t, dst); len(got) != 0 {
			t.Fatalf("line %d damaged: the import wrote %d bytes", at, len(got))
		}
	}
}

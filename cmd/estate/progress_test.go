package main

import (
	"bytes"
	"testing"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/graph/graphtest"
	"github.com/estate-cmdb/estate/graph/jsonl"
)

// TestCountedStores: export and import through the progress wrappers
// count every record once and change nothing of what is written.
func TestCountedStores(t *testing.T) {
	open := func() *embedded.Store {
		s, err := embedded.Open(t.Context(), t.TempDir(), embedded.Options{Logger: zerolog.Nop(), NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	src := open()
	b := graphtest.SmallEstate()
	graphtest.MustApply(t, src, b)
	want := len(b.Nodes) + len(b.Edges)

	var plain, counted bytes.Buffer
	if _, err := jsonl.Export(t.Context(), src, &plain); err != nil {
		t.Fatal(err)
	}
	scanned := 0
	if _, err := jsonl.Export(t.Context(), countedScanner{src, func(n int) { scanned += n }}, &counted); err != nil {
		t.Fatal(err)
	}
	if scanned != want || !bytes.Equal(plain.Bytes(), counted.Bytes()) {
		t.Errorf("counted export: %d records counted (want %d), same output %v", scanned, want, bytes.Equal(plain.Bytes(), counted.Bytes()))
	}

	dst := open()
	written := 0
	if _, err := jsonl.Import(t.Context(), countedRestorer{dst, func(n int) { written += n }}, bytes.NewReader(plain.Bytes()), false); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if _, err := jsonl.Export(t.Context(), dst, &again); err != nil {
		t.Fatal(err)
	}
	if written != want || !bytes.Equal(plain.Bytes(), again.Bytes()) {
		t.Errorf("counted import: %d records counted (want %d), round trip identical %v", written, want, bytes.Equal(plain.Bytes(), again.Bytes()))
	}
}

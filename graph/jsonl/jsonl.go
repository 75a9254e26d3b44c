// Package jsonl moves a whole estate in and out of any graph.Store as JSON
// Lines: one node or relationship per line, nodes first, in the store's scan
// order, with every provenance record and time. Export then import into an
// empty store then export again gives byte-identical output, on any backend.
package jsonl

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/estate-cmdb/estate/graph"
)

// record is one line. Exactly one field is set.
type record struct {
	Node *graph.Node `json:"node,omitempty"`
	Edge *graph.Edge `json:"edge,omitempty"`
}

// Counts says how much was moved.
type Counts struct {
	Nodes int `json:"nodes"`
	Edges int `json:"edges"`
}

// Scanner is what Export needs from a store.
type Scanner interface {
	ScanNodes(ctx context.Context, fn func(*graph.Node) error) error
	ScanEdges(ctx context.Context, fn func(*graph.Edge) error) error
}

// Export streams the store to w.
func Export(ctx context.Context, s Scanner, w io.Writer) (Counts, error) {
	var c Counts
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	err := s.ScanNodes(ctx, func(n *graph.Node) error {
		c.Nodes++
		return enc.Encode(record{Node: n})
	})
	if err != nil {
		return c, fmt.Errorf("export nodes: %w", err)
	}
	err = s.ScanEdges(ctx, func(e *graph.Edge) error {
		c.Edges++
		return enc.Encode(record{Edge: e})
	})
	if err != nil {
		return c, fmt.Errorf("export relationships: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return c, fmt.Errorf("export: %w", err)
	}
	return c, nil
}

// Restorer is what Import needs from a store.
type Restorer interface {
	Restore(ctx context.Context, nodes []*graph.Node, edges []*graph.Edge) error
	Stats(ctx context.Context) (graph.Stats, error)
}

// maxLine bounds one record, so a corrupt input cannot exhaust memory.
const maxLine = 16 << 20

// batchSize is the number of records restored per store write.
const batchSize = 5000

// Import reads an export into the store. It reads the input twice: first to
// check every line (so a bad line changes nothing and its number is in the
// error), then to write in batches. Input that cannot be re-read (standard
// input) is spooled to a temporary file during the first pass. The store
// must be empty unless merge is true.
func Import(ctx context.Context, s Restorer, in io.Reader, merge bool) (Counts, error) {
	if !merge {
		st, err := s.Stats(ctx)
		if err != nil {
			return Counts{}, fmt.Errorf("import: %w", err)
		}
		if st.TotalNodes() > 0 {
			return Counts{}, graph.Errorf(graph.CodeConflict, "import: the store already holds %d nodes; import into an empty store (or merge explicitly)", st.TotalNodes())
		}
	}
	src, cleanup, err := rereadable(in)
	if err != nil {
		return Counts{}, err
	}
	defer cleanup()
	c, err := scan(ctx, src.reader(), func([]*graph.Node, []*graph.Edge) error { return nil })
	if err != nil {
		return Counts{}, err
	}
	r, err := src.rewind()
	if err != nil {
		return Counts{}, err
	}
	_, err = scan(ctx, r, func(ns []*graph.Node, es []*graph.Edge) error { return s.Restore(ctx, ns, es) })
	if err != nil {
		return Counts{}, fmt.Errorf("import: %w", err)
	}
	return c, nil
}

// scan parses and validates every line, handing batches to fn. Nodes must
// precede the relationships that use them, as Export writes them.
func scan(ctx context.Context, r io.Reader, fn func([]*graph.Node, []*graph.Edge) error) (Counts, error) {
	var c Counts
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), maxLine)
	seen := map[graph.ID]bool{}
	var nodes []*graph.Node
	var edges []*graph.Edge
	flush := func() error {
		if len(nodes)+len(edges) == 0 {
			return nil
		}
		err := fn(nodes, edges)
		nodes, edges = nil, nil
		return err
	}
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var rec record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return c, graph.Errorf(graph.CodeInvalid, "import line %d: not a JSON record: %v", line, err)
		}
		switch {
		case rec.Node != nil && rec.Edge == nil:
			if err := graph.ValidateNode(rec.Node); err != nil {
				return c, fmt.Errorf("import line %d: %w", line, err)
			}
			seen[rec.Node.ID] = true
			nodes = append(nodes, rec.Node)
			c.Nodes++
		case rec.Edge != nil && rec.Node == nil:
			if err := graph.ValidateStoredEdge(rec.Edge); err != nil {
				return c, fmt.Errorf("import line %d: %w", line, err)
			}
			for _, end := range []graph.Ref{rec.Edge.From, rec.Edge.To} {
				if !seen[end.ID()] {
					return c, graph.Errorf(graph.CodeInvalid, "import line %d: relationship end %s is not among the nodes before it", line, end)
				}
			}
			edges = append(edges, rec.Edge)
			c.Edges++
		default:
			return c, graph.Errorf(graph.CodeInvalid, "import line %d: a record has exactly one of \"node\" or \"edge\"", line)
		}
		if len(nodes)+len(edges) >= batchSize {
			if err := flush(); err != nil {
				return c, err
			}
		}
		if line%batchSize == 0 {
			if err := ctx.Err(); err != nil {
				return c, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return c, graph.Errorf(graph.CodeInvalid, "import line %d: %v", line+1, err)
	}
	return c, flush()
}

// source is an input that can be read twice.
type source struct {
	f     *os.File
	first io.Reader
}

func (s *source) reader() io.Reader { return s.first }

func (s *source) rewind() (io.Reader, error) {
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("import: rewind input: %w", err)
	}
	return s.f, nil
}

// rereadable returns in itself when it is a seekable file, and otherwise
// tees it into a temporary file while the first pass reads it.
func rereadable(in io.Reader) (*source, func(), error) {
	if f, ok := in.(*os.File); ok {
		if _, err := f.Seek(0, io.SeekCurrent); err == nil {
			return &source{f: f, first: f}, func() {}, nil
		}
	}
	tmp, err := os.CreateTemp("", "estate-import-*.jsonl")
	if err != nil {
		return nil, nil, fmt.Errorf("import: spool input: %w", err)
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	return &source{f: tmp, first: io.TeeReader(in, tmp)}, cleanup, nil
}

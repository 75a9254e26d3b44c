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
	"runtime"
	"sync"

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
	w := &restoring{ctx: ctx, s: s}
	_, err = scan(ctx, r, w.restore)
	if werr := w.wait(); err == nil {
		err = werr
	}
	if err != nil {
		return Counts{}, fmt.Errorf("import: %w", err)
	}
	return c, nil
}

// restoring writes batches to the store one at a time, each while the next
// is parsed.
type restoring struct {
	ctx     context.Context
	s       Restorer
	writing chan error // the batch being written, if any
	err     error
}

// restore waits for the batch before, then starts writing this one.
func (w *restoring) restore(nodes []*graph.Node, edges []*graph.Edge) error {
	if err := w.wait(); err != nil {
		return err
	}
	w.writing = make(chan error, 1)
	go func() { w.writing <- w.s.Restore(w.ctx, nodes, edges) }()
	return nil
}

// wait waits for the batch being written and returns the first error.
func (w *restoring) wait() error {
	if w.writing != nil {
		if err := <-w.writing; w.err == nil {
			w.err = err
		}
		w.writing = nil
	}
	return w.err
}

// scan parses and validates every line, handing batches to fn in order.
// Nodes must precede the relationships that use them, as Export writes
// them. Decoding JSON is most of an import's time (two passes over 1.3 GB at
// the L tier took 86 of 115 s), so lines are parsed in chunks on every core
// (chunk.parse) and checked against each other in order here.
func scan(ctx context.Context, r io.Reader, fn func([]*graph.Node, []*graph.Edge) error) (Counts, error) {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	// Chunks go to the parsers, and their results, in the order read,
	// to this goroutine.
	work := make(chan *chunk)
	order := make(chan *chunk, 2*runtime.GOMAXPROCS(0))
	go readChunks(ctx, r, work, order)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for c := range work {
				c.parse()
				close(c.done)
			}
		})
	}
	defer func() {
		stop()
		for c := range order { // until the reader has stopped
			<-c.done
		}
		wg.Wait()
	}()

	var c Counts
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
	for ch := range order {
		<-ch.done
		if err := ctx.Err(); err != nil {
			return c, err
		}
		for _, rec := range ch.records {
			if rec.Node != nil {
				seen[rec.Node.ID] = true
				nodes = append(nodes, rec.Node)
				c.Nodes++
			} else {
				for _, end := range []graph.Ref{rec.Edge.From, rec.Edge.To} {
					if !seen[end.ID()] {
						return c, graph.Errorf(graph.CodeInvalid, "import line %d: relationship end %s is not among the nodes before it", rec.line, end)
					}
				}
				edges = append(edges, rec.Edge)
				c.Edges++
			}
			if len(nodes)+len(edges) >= batchSize {
				if err := flush(); err != nil {
					return c, err
				}
			}
		}
		if ch.err != nil {
			return c, ch.err
		}
	}
	return c, flush()
}

// chunkLines is how many lines a parser takes at a time.
const chunkLines = 1000

// chunk is a run of input lines and, once done is closed, what they hold:
// the records up to the first bad line, and its error.
type chunk struct {
	first   int // the line number of lines[0]
	lines   [][]byte
	records []lineRecord
	err     error
	done    chan struct{}
}

type lineRecord struct {
	record
	line int
}

// readChunks cuts r into chunks of lines, each handed to a parser (work)
// and, in order, to the caller (order); both are closed at the end of r,
// at a read error (a chunk holding only it) or when ctx ends.
func readChunks(ctx context.Context, r io.Reader, work, order chan<- *chunk) {
	defer close(order)
	defer close(work)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), maxLine)
	line := 0
	send := func(c *chunk) bool {
		select {
		case order <- c:
		case <-ctx.Done():
			return false
		}
		select {
		case work <- c:
			return true
		case <-ctx.Done():
			close(c.done) // never parsed: the caller stops before it
			return false
		}
	}
	c := &chunk{first: 1, done: make(chan struct{})}
	for sc.Scan() {
		line++
		// The scanner reuses its buffer: each line is copied.
		c.lines = append(c.lines, append([]byte(nil), sc.Bytes()...))
		if len(c.lines) == chunkLines {
			if !send(c) {
				return
			}
			c = &chunk{first: line + 1, done: make(chan struct{})}
		}
	}
	if err := sc.Err(); err != nil {
		c.err = graph.Errorf(graph.CodeInvalid, "import line %d: %v", line+1, err)
	}
	if len(c.lines) > 0 || c.err != nil {
		send(c)
	}
}

// parse decodes and validates the chunk's lines, stopping at the first bad
// one. A read error the chunk already holds comes after its lines.
func (c *chunk) parse() {
	readErr := c.err
	c.err = nil
	for i, b := range c.lines {
		line := c.first + i
		if len(b) == 0 {
			continue
		}
		var rec record
		if err := json.Unmarshal(b, &rec); err != nil {
			c.err = graph.Errorf(graph.CodeInvalid, "import line %d: not a JSON record: %v", line, err)
			return
		}
		switch {
		case rec.Node != nil && rec.Edge == nil:
			if err := graph.ValidateNode(rec.Node); err != nil {
				c.err = fmt.Errorf("import line %d: %w", line, err)
				return
			}
		case rec.Edge != nil && rec.Node == nil:
			if err := graph.ValidateStoredEdge(rec.Edge); err != nil {
				c.err = fmt.Errorf("import line %d: %w", line, err)
				return
			}
		default:
			c.err = graph.Errorf(graph.CodeInvalid, "import line %d: a record has exactly one of \"node\" or \"edge\"", line)
			return
		}
		c.records = append(c.records, lineRecord{record: rec, line: line})
	}
	c.lines = nil
	c.err = readErr
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

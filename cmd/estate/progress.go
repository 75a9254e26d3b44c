package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/jsonl"
)

// progress starts a progress bar on standard error when it is a terminal
// (never in logs or pipes): total items when known, else -1 for a running
// count with its rate. add moves it; done ends it. Off a terminal both do
// nothing.
func (a *app) progress(what string, total int64) (add func(int), done func()) {
	f, ok := a.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return func(int) {}, func() {}
	}
	bar := progressbar.NewOptions64(total, progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription(what), progressbar.OptionShowCount(),
		progressbar.OptionShowIts(), progressbar.OptionSetItsString("items"),
		progressbar.OptionThrottle(100*time.Millisecond),                  // export adds one record at a time
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(a.stderr) })) // logs start on a line of their own
	return func(n int) { bar.Add(n) }, func() { bar.Finish() }
}

// countedScanner is a store that moves a progress bar as export reads it.
type countedScanner struct {
	jsonl.Scanner
	add func(int)
}

func (c countedScanner) ScanNodes(ctx context.Context, fn func(*graph.Node) error) error {
	return c.Scanner.ScanNodes(ctx, func(n *graph.Node) error { c.add(1); return fn(n) })
}

func (c countedScanner) ScanEdges(ctx context.Context, fn func(*graph.Edge) error) error {
	return c.Scanner.ScanEdges(ctx, func(e *graph.Edge) error { c.add(1); return fn(e) })
}

// countedRestorer is a store that moves a progress bar as import writes to
// it (the second pass: the first only checks).
type countedRestorer struct {
	jsonl.Restorer
	add func(int)
}

func (c countedRestorer) Restore(ctx context.Context, nodes []*graph.Node, edges []*graph.Edge) error {
	err := c.Restorer.Restore(ctx, nodes, edges)
	if err == nil {
		c.add(len(nodes) + len(edges))
	}
	return err
}

// Package web holds estate's web UI, built into dist/ and embedded in the
// binary so that `estate serve` needs nothing else. For now dist/ holds a
// placeholder page; the Vite + TypeScript UI will build into it.
package web

import (
	"embed"
	"io/fs"
)

//go:embed dist
var dist embed.FS

// FS returns the built UI with dist/ as its root (index.html at the top).
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at build time: cannot happen
	}
	return sub
}

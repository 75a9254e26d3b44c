// Package web holds estate's web UI (Vite + TypeScript + React, sources in
// src/), built into dist/ and embedded in the binary so that `estate serve`
// needs nothing else. dist/ is committed: a fresh clone serves the UI without
// Node. Rebuild it with `npm run build` after changing src/ (see README.md);
// scripts/e2e.sh checks that it matches the sources.
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

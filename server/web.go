package server

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/estate-cmdb/estate/web"
)

// webUI serves the embedded web UI. Paths that are not files and have no
// extension get index.html, so the UI's client-side routes survive a
// reload; missing assets are 404.
func webUI() http.Handler {
	files := web.FS()
	fileServer := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name != "" {
			if _, err := fs.Stat(files, name); err != nil && path.Ext(name) == "" {
				http.ServeFileFS(w, r, files, "index.html")
				return
			}
		}
		fileServer.ServeHTTP(w, r)
	})
}

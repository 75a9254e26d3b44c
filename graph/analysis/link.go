package analysis

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/estate-cmdb/estate/graph"
)

// Links into a repository. Tickets rarely carry a repository's own URL:
// they carry a link to a file, a directory, a pull request or a pipeline
// run. A git host puts such a page under the repository's path, after a
// segment naming the view (GitHub's blob and pull, GitLab's "-", Bitbucket's
// and Gitea's src), so the repository is the part before that segment.

// repoViews are the path segments after which git hosts show a page of a
// repository rather than a deeper repository: GitHub's, GitLab's (which
// puts "-" first, and still redirects its older links without it),
// Bitbucket's and Gitea's.
var repoViews = map[string]bool{
	"-": true, "blob": true, "tree": true, "blame": true, "raw": true, "edit": true, "src": true,
	"commits": true, "commit": true, "history": true, "compare": true, "branches": true, "tags": true,
	"releases": true, "pull": true, "pulls": true, "pull-requests": true, "merge_requests": true,
	"issues": true, "actions": true, "pipelines": true, "jobs": true, "wiki": true, "wikis": true,
	"security": true, "settings": true, "deployments": true, "environments": true, "packages": true,
	"discussions": true, "milestones": true, "labels": true,
}

// fileViews are the views followed by a ref (a branch, tag or commit, its
// own segments if it has slashes) and a path in the repository.
var fileViews = map[string]bool{
	"blob": true, "tree": true, "blame": true, "raw": true, "edit": true, "src": true, "commits": true, "history": true,
}

// maxLinkTries caps the repository lookups of one link: the part before
// the first view segment, and before the second when a repository is
// named like a view (github.com/acme/tree/blob/main).
const maxLinkTries = 2

// resolveRepository resolves a repository URL in https or ssh form, then
// a link into a repository (resolveLink). Nil when ref is neither.
func resolveRepository(ctx context.Context, s Store, ref string, kinds []graph.Kind) (*Resolution, error) {
	if rk := RepositoryKey(ref); rk != ref && strings.Contains(rk, "/") && graph.HasAnyKind(kinds, graph.KindRepository) {
		if r, err := lookup(ctx, s, rk, []graph.Kind{graph.KindRepository}, ByRepo); err != nil || r != nil {
			return r, err
		}
	}
	return resolveLink(ctx, s, ref, kinds)
}

// resolveLink resolves a link into a repository (see the comment above) to
// the repository, or, when it points at a path inside the directory an
// application is built from (a BUILDS path: a monorepo), to that
// application: the one with the deepest such directory, and the
// repository when two share it. A link to an application's directory in a
// repository built whole by one application names the repository: the
// link names nothing more specific. Nil when ref is no such link, or
// names nothing of kinds.
func resolveLink(ctx context.Context, s Store, ref string, kinds []graph.Kind) (*Resolution, error) {
	if !graph.HasAnyKind(kinds, graph.KindRepository) && !graph.HasAnyKind(kinds, graph.KindApplication) {
		return nil, nil
	}
	segs := strings.Split(RepositoryKey(ref), "/")
	var repo *graph.Node
	var rest []string // from the view segment on
	for i, tries := 2, 0; i < len(segs) && tries < maxLinkTries; i++ {
		view := strings.ToLower(segs[i])
		if !repoViews[view] {
			continue
		}
		tries++
		ns, err := s.Resolve(ctx, strings.Join(segs[:i], "/"), []graph.Kind{graph.KindRepository})
		if err != nil {
			return nil, err
		}
		if len(ns) == 1 {
			repo, rest = ns[0], segs[i:]
			break
		}
		if view == "-" { // GitLab's marker is never part of a project path
			break
		}
	}
	if repo == nil {
		return nil, nil
	}
	if rest[0] == "-" {
		rest = rest[1:]
	}
	if len(rest) >= 3 && fileViews[strings.ToLower(rest[0])] && graph.HasAnyKind(kinds, graph.KindApplication) {
		app, err := appBuiltAt(ctx, s, repo, rest[1:])
		if err != nil {
			return nil, err
		}
		if app != nil {
			return &Resolution{Subject: app, By: ByPath}, nil
		}
	}
	if !graph.HasAnyKind(kinds, graph.KindRepository) {
		return nil, nil
	}
	return &Resolution{Subject: repo, By: ByLink}, nil
}

// appBuiltAt returns the application repo builds from the deepest
// directory that contains the path in refPath (a ref, then a path), or nil
// when none does or two share the deepest. The ref may have slashes of its
// own (feature/login), so a directory may start at any segment but the
// first.
func appBuiltAt(ctx context.Context, s Store, repo *graph.Node, refPath []string) (*graph.Node, error) {
	nbs, err := s.Neighbors(ctx, []graph.ID{repo.ID}, graph.NeighborQuery{
		Types: []graph.RelType{graph.RelBuilds}, Direction: graph.Out, Kinds: []graph.Kind{graph.KindApplication},
	})
	if err != nil {
		return nil, err
	}
	for i, seg := range refPath {
		if p, err := url.PathUnescape(seg); err == nil {
			refPath[i] = p
		}
	}
	var best *graph.Node
	depth, shared := 0, false
	for _, nb := range nbs[repo.ID] {
		dir := buildDir(nb.Edge)
		if dir == "" {
			continue
		}
		d := strings.Split(dir, "/")
		if len(d) < depth || !within(refPath, d) {
			continue
		}
		switch {
		case len(d) > depth:
			best, depth, shared = nb.Node, len(d), false
		case nb.Node.ID != best.ID:
			shared = true
		}
	}
	if shared {
		return nil, nil
	}
	return best, nil
}

// within reports whether dir's segments follow the ref in refPath: start
// at any segment but the first.
func within(refPath, dir []string) bool {
	for k := 1; k+len(dir) <= len(refPath); k++ {
		if slices.Equal(refPath[k:k+len(dir)], dir) {
			return true
		}
	}
	return false
}

// buildDir is the directory a BUILDS relationship builds from, without
// slashes at its ends; "" when it builds the whole repository.
func buildDir(e *graph.Edge) string {
	p, _ := e.Props["path"].(string)
	if p = strings.Trim(p, "/"); p == "." {
		return ""
	}
	return p
}

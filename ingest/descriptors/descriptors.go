// Package descriptors reads the files in a repository that say what it builds
// and who owns it — CODEOWNERS, Backstage catalog-info.yaml, and the build and
// deployment files that imply deployable units — and turns them into graph
// nodes and relationships with evidence ("path:line") and confidence.
//
// Everything here is a pure function over file contents: no I/O, no network,
// no store. The git sources (gitrepo, github, gitlab) fetch the files and
// emit what these functions return; the one file read on demand, a target of
// a Backstage Location, is read through the caller's AnalyzeOptions.ReadFile. A problem with one line or one file is
// returned as a Problem, never a panic and never fatal to the rest.
package descriptors

import (
	"fmt"
	"strings"

	"github.com/estate-cmdb/estate/graph"
)

// MaxFileSize is the largest descriptor file read; larger files are reported
// and skipped. Real CODEOWNERS and catalog files are a few kilobytes.
const MaxFileSize = 1 << 20

// Problem is something wrong with one file or one line of it. It never stops
// the rest of the file from being used.
type Problem struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"` // 0 when the problem is the whole file
	Msg  string `json:"msg"`
	// Fatal is set when nothing of the file could be used (unreadable,
	// too large, binary, not parseable at all).
	Fatal bool `json:"fatal,omitempty"`
}

func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return p.File + ": " + p.Msg
}

// Result is what one descriptor file yields. Edges only name nodes in Nodes
// or nodes the caller is expected to emit (the repository).
type Result struct {
	Nodes []graph.NodeInput
	Edges []graph.EdgeInput
	// Builds are the applications the repository builds (BUILDS from the
	// repository, which the caller names).
	Builds   []Build
	Problems []Problem
}

// Evidence formats "path:line".
func Evidence(file string, line int) string {
	if line <= 0 {
		return file
	}
	return fmt.Sprintf("%s:%d", file, line)
}

// CheckContent reports why data cannot be read as a text descriptor: too
// large, or binary (a NUL byte in the first 8 KiB, as git decides).
func CheckContent(data []byte) error {
	if len(data) > MaxFileSize {
		return fmt.Errorf("file is %d bytes, over the %d byte limit for descriptors", len(data), MaxFileSize)
	}
	head := data
	if len(head) > 8000 {
		head = head[:8000]
	}
	for _, b := range head {
		if b == 0 {
			return fmt.Errorf("binary file (NUL byte), not a descriptor")
		}
	}
	return nil
}

// Identity conventions shared with the other sources (see ingest/demo): a
// team's key is its slug and it is also known as @org/slug, org/slug,
// group:slug and HOST/org/team/slug; a person is keyed by e-mail when known,
// otherwise by login, and known as login, @login and user:login.

// TeamRef names the team with the given slug.
func TeamRef(slug string) graph.Ref {
	return graph.Ref{Kind: graph.KindTeam, Key: strings.ToLower(slug)}
}

// PersonRef names a person by e-mail address or login.
func PersonRef(emailOrLogin string) graph.Ref {
	return graph.Ref{Kind: graph.KindPerson, Key: strings.ToLower(emailOrLogin)}
}

// TeamNode is the node for a team slug in org on host (org and host may be
// empty).
func TeamNode(host, org, slug, name string, c graph.Confidence, evidence string) graph.NodeInput {
	s := strings.ToLower(slug)
	aliases := []string{"group:" + s}
	if org != "" {
		o := strings.ToLower(org)
		full := o + "/" + s
		if s == o || strings.HasPrefix(s, o+"/") {
			full = s // a GitLab group path already starts with its top-level group
		}
		aliases = append(aliases, "@"+full, full)
		if host != "" {
			aliases = append(aliases, host+"/"+o+"/team/"+s)
		}
	}
	return graph.NodeInput{Kind: graph.KindTeam, Key: s, Name: name, Aliases: aliases, Confidence: c, Evidence: evidence}
}

// PersonNode is the node for a login on host (email may be empty).
func PersonNode(host, login, email, name string, c graph.Confidence, evidence string) graph.NodeInput {
	l := strings.ToLower(login)
	n := graph.NodeInput{Kind: graph.KindPerson, Name: name, Confidence: c, Evidence: evidence, Props: map[string]any{}}
	if email != "" {
		n.Key = strings.ToLower(email)
		n.Props["email"] = strings.ToLower(email)
	} else {
		n.Key = l
	}
	if l != "" {
		n.Aliases = []string{l, "@" + l, "user:" + l}
		if host != "" {
			n.Props["handles"] = []string{host + "/" + l}
		}
	}
	if len(n.Props) == 0 {
		n.Props = nil
	}
	return n
}

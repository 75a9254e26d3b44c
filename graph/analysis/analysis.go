// Package analysis answers the questions estate exists for, on any
// graph.Store: who owns this (WhoOwns), what breaks if it changes (Impact),
// what runs that nobody registered (ShadowEstate), how good the CMDB is
// (Health) and what it may hold twice (Duplicates). It lives next to the Store contract and depends only on it, so
// every backend gives the same answers; graph/analysis/analysistest checks
// them on the demo estate.
//
// Store calls are bounded, never one per visited node: WhoOwns makes at most
// seven resolution calls and six graph calls, Impact one resolution per ref,
// at most one Neighbors call for monorepo paths, one Traverse and three
// Neighbors calls, and ShadowEstate, Health and Duplicates one Topology each
// (docs/answers.md).
package analysis

import (
	"context"
	"net"
	"slices"
	"strings"

	"github.com/estate-cmdb/estate/graph"
)

// Store is what the answers need from a backend; every graph.Store is one.
type Store interface {
	Resolve(ctx context.Context, ref string, kinds []graph.Kind) ([]*graph.Node, error)
	Search(ctx context.Context, q graph.SearchQuery) ([]*graph.Node, error)
	Neighbors(ctx context.Context, ids []graph.ID, q graph.NeighborQuery) (map[graph.ID][]graph.Neighbor, error)
	Traverse(ctx context.Context, q graph.TraverseQuery) (*graph.Traversal, error)
	Topology(ctx context.Context) (*graph.Topology, error)
}

// Item names one entity in an answer. Node is the entity itself, for
// callers (GraphQL) that show more of it, when the answer read it whole; it
// is nil when the answer read it light (graph.Light: Impact's affected
// items, groups and teams), and callers load it by Ref().ID() for more. It
// is not part of the JSON form.
type Item struct {
	Kind graph.Kind  `json:"kind"`
	Key  string      `json:"key"`
	Name string      `json:"name"`
	Node *graph.Node `json:"-"`
}

func itemOf(n *graph.Node) Item { return Item{Kind: n.Kind, Key: n.Key, Name: n.Name, Node: n} }

// lightItemOf names a node read light: Node stays nil, so that no caller
// mistakes what was read for the whole entity.
func lightItemOf(n *graph.Node) Item { return Item{Kind: n.Kind, Key: n.Key, Name: n.Name} }

// Ref returns the item's kind and key.
func (i Item) Ref() graph.Ref { return graph.Ref{Kind: i.Kind, Key: i.Key} }

func (i Item) String() string { return i.Ref().String() }

// Contact is a team or person with the details needed to reach them.
type Contact struct {
	Item
	Email string `json:"email,omitempty"`
	// Channel is a team's contact channel (chat, queue).
	Channel string   `json:"channel,omitempty"`
	Handles []string `json:"handles,omitempty"`
	// Departed is set for a person who is in no team any more.
	Departed bool `json:"departed,omitempty"`
}

func contactOf(n *graph.Node) Contact {
	c := Contact{Item: itemOf(n)}
	c.Email, _ = n.Props["email"].(string)
	c.Channel, _ = n.Props["contact"].(string)
	switch h := n.Props["handles"].(type) {
	case []string:
		c.Handles = slices.Clone(h)
	case []any:
		for _, x := range h {
			if s, ok := x.(string); ok {
				c.Handles = append(c.Handles, s)
			}
		}
	}
	return c
}

// PathStep is one relationship on the way to an answer, as stored (From
// and To as the relationship points).
type PathStep struct {
	Type graph.RelType `json:"type"`
	From graph.Ref     `json:"from"`
	To   graph.Ref     `json:"to"`
	// Path is the BUILDS path (a monorepo directory), if any.
	Path string `json:"path,omitempty"`
}

func stepOf(e *graph.Edge) PathStep {
	p, _ := e.Props["path"].(string)
	return PathStep{Type: e.Type, From: e.From, To: e.To, Path: p}
}

// RepositoryKey turns a clone or browse URL into a repository key:
// https://github.com/acme/payments.git, git@github.com:acme/payments.git and
// ssh://git@github.com/acme/payments all give github.com/acme/payments.
// Anything else comes back trimmed.
func RepositoryKey(u string) string {
	s := strings.TrimSpace(u)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
		if at := strings.Index(s, "@"); at >= 0 && at < strings.Index(s+"/", "/") {
			s = s[at+1:] // user info
		}
	} else if at := strings.Index(s, "@"); at >= 0 && strings.Contains(s[at:], ":") {
		// scp-like: git@host:owner/repo
		s = strings.Replace(s[at+1:], ":", "/", 1)
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "/"), ".git")
	if host, rest, ok := strings.Cut(s, "/"); ok {
		// Host names are case-insensitive; drop a port.
		host, _, _ = strings.Cut(host, ":")
		s = strings.ToLower(host) + "/" + rest
	}
	return s
}

// hostOf returns the host name of a URL (https://pay.acme.example/v2 →
// pay.acme.example) or of a host and port, as connection errors give them
// (10.0.1.15:5432), or "" when s is neither.
func hostOf(s string) string {
	_, rest, ok := strings.Cut(s, "://")
	if !ok {
		if host, port, err := net.SplitHostPort(s); err == nil && host != "" && port != "" && strings.Trim(port, "0123456789") == "" {
			return strings.ToLower(host)
		}
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		rest = rest[at+1:]
	}
	host, _, _ := strings.Cut(rest, ":")
	return strings.ToLower(host)
}

// Resolution is how a ref was resolved.
type Resolution struct {
	// Subject is the one entity the ref names; nil when it is ambiguous.
	Subject *graph.Node
	// Candidates are the entities an ambiguous ref may mean, best first.
	Candidates []*graph.Node
	// By says how: one of the By constants.
	By string
}

// Resolution methods.
const (
	ByKey  = "key or alias"
	ByRepo = "repository URL"
	ByLink = "link into a repository"
	ByPath = "application directory in a repository"
	// A cloud resource's URL, or that of a part of one (an object in a
	// bucket, a function's alias): see cloudKeys.
	ByCloudURL  = "cloud resource URL"
	ByCloudPart = "cloud resource it is part of"
	ByBackstage = "Backstage entity ref"
	ByHost      = "URL host name"
	BySearch    = "search"
)

// maxCandidates caps the candidates of an ambiguous ref.
const maxCandidates = 20

// maxRefLen caps a ref: a key, or a URL with a path after it.
const maxRefLen = 4 * graph.MaxKeyLen

// Resolve finds what a ref names, the way a service-desk agent would
// expect: a key or alias of any kind, ignoring case (Store.Resolve); a
// "Kind:key" prefix such as "Service:payments" restricts the kinds; a
// Backstage entity ref or catalog page (backstageAlias); a cloud
// resource's URL or a part of one (an object in a bucket, a
// function's alias; see cloudKeys); a repository URL in https or ssh
// form; a link into a repository (a file, a pull request: the repository,
// or the application built from the directory a path is in; see
// resolveLink); the host name of a URL; and last a search whose exact
// name, key or alias matches win. More than one match gives candidates,
// never a guess. Errors: CodeInvalid for an empty ref or one over
// maxRefLen bytes, CodeNotFound when nothing matches at all.
//
// Store calls: at most seven, one per step but a cloud reference's three
// lookups and a link's three (two repository lookups, one Neighbors), of
// which a ref makes one or the other (a Backstage ref makes two calls in
// all); with kinds, an error naming an
// entity of another kind costs up to four more.
func Resolve(ctx context.Context, s Store, ref string, kinds []graph.Kind) (*Resolution, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, graph.Errorf(graph.CodeInvalid, "the ref is empty")
	}
	if len(ref) > maxRefLen {
		return nil, graph.Errorf(graph.CodeInvalid, "the ref is over %d bytes", maxRefLen)
	}
	if k, rest, ok := strings.Cut(ref, ":"); ok && rest != "" {
		for _, kind := range graph.Kinds {
			if strings.EqualFold(k, string(kind)) && graph.HasAnyKind(kinds, kind) {
				ref, kinds = strings.TrimSpace(rest), []graph.Kind{kind}
				break
			}
		}
	}
	if r, err := lookup(ctx, s, ref, kinds, ByKey); err != nil || r != nil {
		return r, err
	}
	if alias := backstageAlias(ref); alias != "" {
		if r, err := lookup(ctx, s, alias, kinds, ByBackstage); err != nil || r != nil {
			return r, err
		}
		return nil, notFound(ctx, s, ref, kinds) // no later step reads an entity ref
	}
	if keys := cloudKeys(ref); len(keys) > 0 {
		if r, err := resolveCloud(ctx, s, keys, kinds); err != nil || r != nil {
			return r, err
		}
	} else if r, err := resolveRepository(ctx, s, ref, kinds); err != nil || r != nil {
		return r, err
	}
	if h := hostOf(ref); h != "" {
		if r, err := lookup(ctx, s, h, kinds, ByHost); err != nil || r != nil {
			return r, err
		}
	}
	if len(ref) > graph.MaxSearchText { // no name is that long
		return nil, notFound(ctx, s, ref, kinds)
	}
	ns, err := s.Search(ctx, graph.SearchQuery{Text: ref, Kinds: kinds, Limit: maxCandidates})
	if err != nil {
		return nil, err
	}
	var exact []*graph.Node
	low := strings.ToLower(ref)
	for _, n := range ns {
		if graph.SearchRank(n, low) == 0 {
			exact = append(exact, n)
		}
	}
	if r := found(exact, BySearch); r != nil {
		return r, nil
	}
	if len(ns) > 0 {
		return &Resolution{Candidates: ns, By: BySearch}, nil
	}
	return nil, notFound(ctx, s, ref, kinds)
}

// lookup is a step of Resolve that looks key up among kinds
// (Store.Resolve): its resolution, by, or nil when key names nothing.
func lookup(ctx context.Context, s Store, key string, kinds []graph.Kind, by string) (*Resolution, error) {
	ns, err := s.Resolve(ctx, key, kinds)
	if err != nil {
		return nil, err
	}
	return found(ns, by), nil
}

// found is the resolution of a step that matched ns: nil for none, the
// subject for one, else candidates.
func found(ns []*graph.Node, by string) *Resolution {
	switch len(ns) {
	case 0:
		return nil
	case 1:
		return &Resolution{Subject: ns[0], By: by}
	}
	if len(ns) > maxCandidates {
		ns = ns[:maxCandidates]
	}
	return &Resolution{Candidates: ns, By: by}
}

// Named is what a ref names, as the answers read it: how whoOwns starts,
// and what the search box shows first.
type Named struct {
	// Ref is what was asked; Resolution how it was resolved (By).
	Ref        string `json:"ref"`
	Resolution string `json:"resolution"`
	// Subject is what the ref names, read whole; nil when it is ambiguous,
	// and then Candidates lists what it may mean.
	Subject    *Item  `json:"subject,omitempty"`
	Candidates []Item `json:"candidates,omitempty"`
}

// Ambiguous reports whether the ref named several things.
func (n *Named) Ambiguous() bool { return n.Subject == nil && len(n.Candidates) > 0 }

// Lookup resolves ref among kinds (all when empty) as Resolve does, and
// names what it found. Errors and store calls: Resolve's.
func Lookup(ctx context.Context, s Store, ref string, kinds []graph.Kind) (*Named, error) {
	r, err := Resolve(ctx, s, ref, kinds)
	if err != nil {
		return nil, err
	}
	out := &Named{Ref: ref, Resolution: r.By}
	if r.Subject == nil {
		out.Candidates = items(r.Candidates)
		return out, nil
	}
	subj := itemOf(r.Subject)
	out.Subject = &subj
	return out, nil
}

// notFound is Resolve's error when nothing of kinds matches ref. What the
// ref names among every kind, by any of Resolve's steps but a search's
// partial matches (a team given to impact, which starts from what changes;
// a host name of an application given where a team is asked), is named,
// with the kinds that were asked for (CodeInvalid): "names nothing" would
// send the user looking for a typo. Else CodeNotFound.
func notFound(ctx context.Context, s Store, ref string, kinds []graph.Kind) error {
	if len(kinds) > 0 {
		// Best effort: a store error here leaves the plain NOT_FOUND.
		// Without kinds, Resolve ends in the plain NOT_FOUND: no loop.
		if r, err := Resolve(ctx, s, ref, nil); err == nil {
			n := r.Subject
			if n == nil && r.By != BySearch && len(r.Candidates) > 0 {
				n = r.Candidates[0]
			}
			if n != nil {
				var want []string
				for _, k := range kinds {
					want = append(want, string(k))
				}
				return graph.Errorf(graph.CodeInvalid, "%q names %s, and only %s can be asked for here", ref, n.Ref(), strings.Join(want, ", "))
			}
		}
	}
	return graph.Errorf(graph.CodeNotFound, "%q names nothing in the estate (no key, alias, repository URL, host name or search match)", ref)
}

func items(ns []*graph.Node) []Item {
	out := make([]Item, len(ns))
	for i, n := range ns {
		out[i] = itemOf(n)
	}
	return out
}

// sortedKeys returns the keys of a set, sorted.
func sortedKeys[K ~string, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

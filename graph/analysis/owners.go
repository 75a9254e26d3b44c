package analysis

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/estate-cmdb/estate/graph"
)

// Class is the precedence class of an ownership assertion: smaller wins.
// DESIGN.md's order is manual > declared descriptor > CODEOWNERS > cloud
// tags > inherited > commit heuristics.
type Class int

// Precedence classes, highest first.
const (
	ClassManual Class = iota + 1
	ClassDescriptor
	ClassCodeowners
	ClassTag
	ClassInherited
	ClassHeuristic
)

var classNames = map[Class]string{
	ClassManual: "manual", ClassDescriptor: "descriptor", ClassCodeowners: "codeowners",
	ClassTag: "cloud-tag", ClassInherited: "inherited", ClassHeuristic: "commit-heuristic",
}

func (c Class) String() string {
	if s, ok := classNames[c]; ok {
		return s
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// MarshalText writes the class name (JSON and tables).
func (c Class) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

var (
	reTag        = regexp.MustCompile(`(?i)\btags?\b[^=]*\S=\S`)
	reDescriptor = regexp.MustCompile(`(?i)(catalog-info|\.ya?ml\b|\bdescriptor\b|backstage)`)
	reCommits    = regexp.MustCompile(`(?i)(git log|\bcommits?\b|top committer)`)
)

// ClassOf derives the precedence class of one assertion of an OWNS
// relationship from its source, evidence and confidence, in this order:
//
//  1. source "manual" (an edit through the API): manual;
//  2. HEURISTIC confidence, or evidence naming commits (git log, commits,
//     top committer): commit-heuristic;
//  3. evidence naming a CODEOWNERS file: codeowners;
//  4. evidence naming a tag (tag key=value, as cloud sources write it):
//     cloud-tag;
//  5. evidence naming a descriptor (catalog-info.yaml or another YAML
//     descriptor such as a Backstage system file): descriptor;
//  6. otherwise by confidence: DECLARED is a descriptor (a source that says
//     so explicitly), INFERRED ranks with cloud tags.
//
// Inherited owners are not assertions of the item: they get ClassInherited.
func ClassOf(a graph.Assertion) Class {
	switch {
	case a.Source == graph.SourceManual:
		return ClassManual
	case a.Confidence == graph.Heuristic || reCommits.MatchString(a.Evidence):
		return ClassHeuristic
	case strings.Contains(a.Evidence, "CODEOWNERS"):
		return ClassCodeowners
	case reTag.MatchString(a.Evidence):
		return ClassTag
	case reDescriptor.MatchString(a.Evidence):
		return ClassDescriptor
	case a.Confidence == graph.Inferred:
		return ClassTag
	}
	return ClassDescriptor
}

// Evidence is one source's claim behind an owner.
type Evidence struct {
	Source     string           `json:"source"`
	Confidence graph.Confidence `json:"confidence"`
	Evidence   string           `json:"evidence"`
	Class      Class            `json:"class"`
}

// Owner is one team or person owning the subject in one role.
type Owner struct {
	Contact
	Role string `json:"role"`
	// Class is the best precedence class of the owner's assertions
	// (ClassInherited for an inherited owner).
	Class      Class            `json:"class"`
	Confidence graph.Confidence `json:"confidence"`
	// Evidence lists the assertions of the OWNS relationship, best class
	// first; for an inherited owner, those of the ancestor's relationship.
	Evidence []Evidence `json:"evidence"`
	// InheritedFrom is the ancestor the owner was inherited from (nil for a
	// direct owner), reached from the subject by Via.
	InheritedFrom *Item      `json:"inheritedFrom,omitempty"`
	Via           []PathStep `json:"via,omitempty"`
	// Accountable marks the owners at the top precedence of their role.
	Accountable bool `json:"accountable"`
}

// Conflict reports owners of one role that disagree.
type Conflict struct {
	Role string `json:"role"`
	// Owners are the disagreeing owners' refs ("Team:checkout"), best
	// class first.
	Owners []string `json:"owners"`
	// Resolved is set when precedence settles it: exactly one owner at the
	// top class. Winner is that owner.
	Resolved    bool   `json:"resolved"`
	Winner      string `json:"winner,omitempty"`
	Explanation string `json:"explanation"`
}

// EscalationChain is who to go to next: an accountable team, its parent
// teams, then the business units the subject belongs to.
type EscalationChain struct {
	Steps []Contact `json:"steps"`
}

// Ownership answers "who owns this?": what the ref names, then its owners.
type Ownership struct {
	Named
	// Owners in role order (technical, business, support, security), then
	// precedence, then kind and key.
	Owners     []Owner           `json:"owners"`
	Conflicts  []Conflict        `json:"conflicts"`
	Escalation []EscalationChain `json:"escalation"`
	// People are the members of the accountable teams, by key.
	People []Contact `json:"people"`
}

// Accountable returns the accountable owners of a role.
func (o *Ownership) Accountable(role string) []Owner {
	var out []Owner
	for _, w := range o.Owners {
		if w.Role == role && w.Accountable {
			out = append(out, w)
		}
	}
	return out
}

func roleRank(r string) int {
	if i := slices.Index(graph.OwnerRoles, r); i >= 0 {
		return i
	}
	return len(graph.OwnerRoles)
}

// maxAncestry bounds the walk up from the subject: resource → application
// → service → business unit → parent business units.
const maxAncestry = 4

// maxFirstLevel caps the relationships read into the subject (owners, and
// for a resource the applications and repositories it inherits from), in
// the Store's neighbour order, so a resource a thousand applications depend
// on costs no more than one fifty depend on.
const maxFirstLevel = 50

// maxTeamNesting bounds the walk up the team tree.
const maxTeamNesting = 6

// WhoOwns resolves ref (see Resolve) and answers who owns it: the direct
// owners (OWNS into it) with their evidence and precedence class; owners
// inherited from the nearest ancestor that has one for a role (application
// → service → business unit; a resource from the applications running on or
// depending on it and the repositories defining it; a repository from the
// applications it builds; an incident or a change from the services and
// applications it affects); the accountable owners per role (the top
// precedence class); conflicts; escalation chains (team → parent teams →
// business units); and the members of the accountable teams.
//
// An ambiguous ref gives an Ownership with Candidates and no Subject.
// Errors: those of Resolve, and store errors.
//
// Store calls: Resolve's (one to seven), then six at most: Neighbors of the
// subject, Traverse up PART_OF, Neighbors for inherited owners, Traverse up
// the team tree, Neighbors for team parents (and people's teams) and
// Neighbors for the accountable teams' members.
func WhoOwns(ctx context.Context, s Store, ref string) (*Ownership, error) {
	named, err := Lookup(ctx, s, ref, nil)
	if err != nil {
		return nil, err
	}
	out := &Ownership{Named: *named, Owners: []Owner{}, Conflicts: []Conflict{}, Escalation: []EscalationChain{}, People: []Contact{}}
	if out.Subject == nil {
		return out, nil
	}
	x := out.Subject.Node

	// 1. The subject's owners (and, for a resource, what explains it; for
	// a person, their teams): relationships into it, or out of a person.
	q := graph.NeighborQuery{Types: []graph.RelType{graph.RelOwns}, Direction: graph.In, Limit: maxFirstLevel}
	switch x.Kind {
	case graph.KindCloudResource:
		q.Types = append(q.Types, graph.RelRunsOn, graph.RelDependsOn, graph.RelDefines)
	case graph.KindIncident, graph.KindChange:
		// Nobody owns an incident or a change: whoever owns what it
		// affects is who to call.
		q = graph.NeighborQuery{Types: []graph.RelType{graph.RelOwns, graph.RelAffects}, Limit: maxFirstLevel}
	case graph.KindPerson:
		q = graph.NeighborQuery{Types: []graph.RelType{graph.RelMemberOf}, Direction: graph.Out}
	}
	nbs, err := s.Neighbors(ctx, []graph.ID{x.ID}, q)
	if err != nil {
		return nil, err
	}
	type ancestor struct {
		node  *graph.Node
		depth int
		via   []PathStep
	}
	anc := map[graph.ID]*ancestor{}
	starts := []graph.ID{x.ID}
	var personTeams []*graph.Node
	for _, nb := range nbs[x.ID] {
		e := nb.Edge
		switch {
		case e.Type == graph.RelOwns && !nb.Outgoing:
			out.Owners = append(out.Owners, directOwner(nb))
		case e.Type == graph.RelMemberOf && nb.Outgoing:
			personTeams = append(personTeams, nb.Node)
		case !nb.Outgoing && (e.Type == graph.RelRunsOn || e.Type == graph.RelDependsOn || e.Type == graph.RelDefines),
			nb.Outgoing && e.Type == graph.RelAffects:
			if _, ok := anc[nb.Node.ID]; !ok {
				anc[nb.Node.ID] = &ancestor{node: nb.Node, depth: 1, via: []PathStep{stepOf(e)}}
				starts = append(starts, nb.Node.ID)
			}
		}
	}

	// 2. Up PART_OF (and from a repository, BUILDS to its applications)
	// from the subject and the first level: services, business units.
	steps := []graph.Step{{Type: graph.RelPartOf, Direction: graph.Out}}
	if x.Kind == graph.KindRepository {
		steps = append(steps, graph.Step{Type: graph.RelBuilds, Direction: graph.Out})
	}
	if x.Kind != graph.KindPerson && x.Kind != graph.KindTeam && x.Kind != graph.KindCloudAccount {
		tr, err := s.Traverse(ctx, graph.TraverseQuery{Starts: starts, Steps: steps, MaxDepth: maxAncestry})
		if err != nil {
			return nil, err
		}
		for _, h := range tr.Hits {
			if _, ok := anc[h.Node.ID]; ok || h.Node.ID == x.ID || len(h.Path) == 0 {
				continue
			}
			var via []PathStep
			depth := h.Depth
			if from := h.Path[0].From.ID(); from != x.ID {
				start := anc[from]
				if start == nil {
					continue
				}
				via, depth = slices.Clone(start.via), depth+1
			}
			if depth > maxAncestry {
				continue
			}
			for _, e := range h.Path {
				via = append(via, stepOf(e))
			}
			anc[h.Node.ID] = &ancestor{node: h.Node, depth: depth, via: via}
		}
	}
	ancList := make([]*ancestor, 0, len(anc))
	for _, a := range anc {
		ancList = append(ancList, a)
	}
	slices.SortFunc(ancList, func(a, b *ancestor) int {
		if a.depth != b.depth {
			return a.depth - b.depth
		}
		return graph.CompareRefs(a.node.Ref(), b.node.Ref())
	})

	// 3. Owners of the ancestors: inherited, per role from the nearest
	// ancestors that have one.
	if len(ancList) > 0 {
		ids := make([]graph.ID, len(ancList))
		for i, a := range ancList {
			ids[i] = a.node.ID
		}
		owned, err := s.Neighbors(ctx, ids, graph.NeighborQuery{Types: []graph.RelType{graph.RelOwns}, Direction: graph.In})
		if err != nil {
			return nil, err
		}
		direct := map[string]bool{}
		for _, w := range out.Owners {
			direct[w.Role+"\x00"+w.Ref().String()] = true
		}
		nearest := map[string]int{}
		seen := map[string]bool{}
		for _, a := range ancList {
			for _, nb := range owned[a.node.ID] {
				if nb.Outgoing || nb.Edge.Type != graph.RelOwns {
					continue
				}
				role := nb.Edge.Role()
				if d, ok := nearest[role]; ok && d < a.depth {
					continue
				}
				nearest[role] = a.depth
				k := role + "\x00" + nb.Node.Ref().String()
				if direct[k] || seen[k] {
					continue
				}
				seen[k] = true
				w := directOwner(nb)
				w.Class = ClassInherited
				it := itemOf(a.node)
				w.InheritedFrom, w.Via = &it, a.via
				out.Owners = append(out.Owners, w)
			}
		}
	}
	// Inherited owners only count for roles with no direct owner.
	hasDirect := map[string]bool{}
	for _, w := range out.Owners {
		if w.InheritedFrom == nil {
			hasDirect[w.Role] = true
		}
	}
	out.Owners = slices.DeleteFunc(out.Owners, func(w Owner) bool { return w.InheritedFrom != nil && hasDirect[w.Role] })
	sortOwners(out.Owners)
	markAccountable(out)

	// 4. Escalation: the accountable teams (technical first), up the team
	// tree, then the subject's business units.
	var teams []*graph.Node
	seenStart := map[graph.ID]bool{}
	addStart := func(n *graph.Node) {
		if n.Kind == graph.KindTeam && !seenStart[n.ID] {
			seenStart[n.ID] = true
			teams = append(teams, n)
		}
	}
	switch x.Kind {
	case graph.KindTeam:
		addStart(x)
	case graph.KindPerson:
		for _, t := range personTeams {
			addStart(t)
		}
	}
	for _, role := range graph.OwnerRoles {
		for _, w := range out.Accountable(role) {
			addStart(w.Node)
		}
		if len(teams) > 0 {
			break
		}
	}
	var persons []graph.ID
	for _, w := range out.Owners {
		if w.Kind == graph.KindPerson {
			persons = append(persons, w.Node.ID)
		}
	}
	if len(teams) == 0 && len(persons) == 0 {
		return out, nil
	}
	teamIDs := make([]graph.ID, 0, len(teams))
	for _, t := range teams {
		teamIDs = append(teamIDs, t.ID)
	}
	ids := slices.Clone(teamIDs)
	if len(teamIDs) > 0 {
		tr, err := s.Traverse(ctx, graph.TraverseQuery{
			Starts: teamIDs, Steps: []graph.Step{{Type: graph.RelMemberOf, Direction: graph.Out}}, MaxDepth: maxTeamNesting,
		})
		if err != nil {
			return nil, err
		}
		for _, h := range tr.Hits {
			if h.Node.Kind == graph.KindTeam {
				ids = append(ids, h.Node.ID)
			}
		}
	}
	ids = append(ids, persons...)
	// Parents and teams of people (MEMBER_OF out) for all of them, members
	// (in) for the accountable teams only: the ancestors' members, most of
	// a team tree's relationships, are no part of the answer.
	up, err := s.Neighbors(ctx, ids, graph.NeighborQuery{Types: []graph.RelType{graph.RelMemberOf}, Direction: graph.Out})
	if err != nil {
		return nil, err
	}
	var members map[graph.ID][]graph.Neighbor
	if len(teamIDs) > 0 {
		if members, err = s.Neighbors(ctx, teamIDs, graph.NeighborQuery{Types: []graph.RelType{graph.RelMemberOf}, Direction: graph.In}); err != nil {
			return nil, err
		}
	}
	// Departed owners: people in no team.
	for i := range out.Owners {
		w := &out.Owners[i]
		if w.Kind != graph.KindPerson {
			continue
		}
		inTeam := false
		for _, nb := range up[w.Node.ID] {
			if nb.Outgoing && nb.Node.Kind == graph.KindTeam {
				inTeam = true
			}
		}
		w.Departed = !inTeam
	}
	parent := func(id graph.ID) *graph.Node {
		var best *graph.Node
		for _, nb := range up[id] {
			if nb.Outgoing && nb.Node.Kind == graph.KindTeam && (best == nil || nb.Node.Key < best.Key) {
				best = nb.Node
			}
		}
		return best
	}
	var units []Contact
	for _, a := range ancList {
		if a.node.Kind == graph.KindBusinessUnit {
			units = append(units, contactOf(a.node))
		}
	}
	if x.Kind == graph.KindBusinessUnit {
		units = append([]Contact{contactOf(x)}, units...)
	}
	people := map[graph.ID]*graph.Node{}
	for _, t := range teams {
		chain := EscalationChain{Steps: []Contact{contactOf(t)}}
		visited := map[graph.ID]bool{t.ID: true}
		for p := parent(t.ID); p != nil && !visited[p.ID]; p = parent(p.ID) {
			visited[p.ID] = true
			chain.Steps = append(chain.Steps, contactOf(p))
		}
		chain.Steps = append(chain.Steps, units...)
		out.Escalation = append(out.Escalation, chain)
		for _, nb := range members[t.ID] {
			if !nb.Outgoing && nb.Node.Kind == graph.KindPerson {
				people[nb.Node.ID] = nb.Node
			}
		}
	}
	out.People = make([]Contact, 0, len(people))
	for _, p := range people {
		out.People = append(out.People, contactOf(p))
	}
	slices.SortFunc(out.People, func(a, b Contact) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// directOwner is the owner at the other end of an OWNS relationship.
func directOwner(nb graph.Neighbor) Owner {
	w := Owner{Contact: contactOf(nb.Node), Role: nb.Edge.Role(), Confidence: nb.Edge.Confidence()}
	w.Class = ClassHeuristic + 1
	for _, a := range nb.Edge.Assertions {
		c := ClassOf(a)
		w.Evidence = append(w.Evidence, Evidence{Source: a.Source, Confidence: a.Confidence, Evidence: a.Evidence, Class: c})
		w.Class = min(w.Class, c)
	}
	if len(w.Evidence) == 0 {
		w.Class = ClassOf(graph.Assertion{Confidence: w.Confidence})
	}
	slices.SortStableFunc(w.Evidence, func(a, b Evidence) int { return cmp.Compare(a.Class, b.Class) })
	return w
}

func sortOwners(ws []Owner) {
	slices.SortStableFunc(ws, func(a, b Owner) int {
		if c := roleRank(a.Role) - roleRank(b.Role); c != 0 {
			return c
		}
		if a.Class != b.Class {
			return cmp.Compare(a.Class, b.Class)
		}
		return graph.CompareRefs(a.Ref(), b.Ref())
	})
}

// markAccountable marks the top class of each role and records conflicts:
// a role with more than one owner (direct ones if any, else inherited ones)
// is a conflict, resolved when exactly one of them has the top class.
func markAccountable(o *Ownership) {
	byRole := map[string][]int{}
	for i, w := range o.Owners {
		byRole[w.Role] = append(byRole[w.Role], i)
	}
	for _, role := range sortedRoles(byRole) {
		idx := byRole[role]
		top := o.Owners[idx[0]].Class // sorted: best first
		var winners []string
		for _, i := range idx {
			if o.Owners[i].Class == top {
				o.Owners[i].Accountable = true
				winners = append(winners, o.Owners[i].Ref().String())
			}
		}
		if len(idx) < 2 {
			continue
		}
		c := Conflict{Role: role}
		var parts []string
		for _, i := range idx {
			w := o.Owners[i]
			c.Owners = append(c.Owners, w.Ref().String())
			parts = append(parts, fmt.Sprintf("%s (%s)", w.Key, w.Class))
		}
		if len(winners) == 1 {
			c.Resolved, c.Winner = true, winners[0]
			c.Explanation = fmt.Sprintf("%s owners disagree: %s; %s wins by precedence", role, strings.Join(parts, " vs "), o.Owners[idx[0]].Key)
		} else {
			c.Explanation = fmt.Sprintf("%d %s owners at the same precedence (%s): %s", len(winners), role, top, strings.Join(parts, " vs "))
		}
		o.Conflicts = append(o.Conflicts, c)
	}
}

func sortedRoles(m map[string][]int) []string {
	roles := sortedKeys(m)
	slices.SortStableFunc(roles, func(a, b string) int { return roleRank(a) - roleRank(b) })
	return roles
}

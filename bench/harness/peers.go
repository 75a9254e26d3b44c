package harness

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
)

// Maps is the in-memory ceiling of an ingest (F1's peer): the items a source
// emits kept in plain maps by id, with the same validation the engine does
// and nothing else. It is an ingest.Emitter.
type Maps struct {
	Nodes map[graph.ID]graph.NodeInput
	Edges map[graph.ID]graph.EdgeInput
}

// NewMaps returns empty maps.
func NewMaps() *Maps {
	return &Maps{Nodes: map[graph.ID]graph.NodeInput{}, Edges: map[graph.ID]graph.EdgeInput{}}
}

// Node validates and keeps a node.
func (m *Maps) Node(n graph.NodeInput) error {
	v, err := graph.ValidateNodeInput(n)
	m.Nodes[graph.NodeID(v.Kind, v.Key)] = v
	return err
}

// Edge validates and keeps a relationship.
func (m *Maps) Edge(e graph.EdgeInput) error {
	v, err := graph.ValidateEdge(e)
	m.Edges[v.ID()] = v
	return err
}

// ItemError ignores item errors: the generator emits none.
func (m *Maps) ItemError(string, error) {}

// Stats counts the maps like graph.Store.Stats counts a store.
func (m *Maps) Stats() graph.Stats {
	st := graph.Stats{Nodes: map[graph.Kind]int{}, Edges: map[graph.RelType]int{}}
	for _, n := range m.Nodes {
		st.Nodes[n.Kind]++
	}
	for _, e := range m.Edges {
		st.Edges[e.Type]++
	}
	return st
}

// Compact is a graph as integer arrays (compressed sparse rows): the floor a
// plain in-memory breadth-first search reaches (F3's and F6's peer).
type Compact struct {
	index map[graph.ID]int32
	off   []int32
	adj   []int32
	seen  []uint32
	stamp uint32
}

// CompactBuilder collects the arcs of a Compact.
type CompactBuilder struct {
	index map[graph.ID]int32
	pairs [][2]int32
}

// NewCompactBuilder returns an empty builder.
func NewCompactBuilder() *CompactBuilder { return &CompactBuilder{index: map[graph.ID]int32{}} }

func (b *CompactBuilder) id(x graph.ID) int32 {
	i, ok := b.index[x]
	if !ok {
		i = int32(len(b.index))
		b.index[x] = i
	}
	return i
}

// Add adds an arc to walk from one node to another.
func (b *CompactBuilder) Add(from, to graph.ID) {
	b.pairs = append(b.pairs, [2]int32{b.id(from), b.id(to)})
}

// Build lays the arcs out as arrays. The builder must not be used again.
func (b *CompactBuilder) Build() *Compact {
	n := len(b.index)
	c := &Compact{index: b.index, off: make([]int32, n+1), adj: make([]int32, len(b.pairs)), seen: make([]uint32, n)}
	for _, p := range b.pairs {
		c.off[p[0]+1]++
	}
	for i := range n {
		c.off[i+1] += c.off[i]
	}
	fill := slices.Clone(c.off)
	for _, p := range b.pairs {
		c.adj[fill[p[0]]] = p[1]
		fill[p[0]]++
	}
	b.pairs = nil
	return c
}

// Arcs returns the number of arcs.
func (c *Compact) Arcs() int { return len(c.adj) }

// Reach counts the nodes within depth arcs of start, start excluded; a start
// on no arc reaches nothing. It is not safe for concurrent use.
func (c *Compact) Reach(start graph.ID, depth int) int {
	s, ok := c.index[start]
	if !ok {
		return 0
	}
	c.stamp++
	frontier := []int32{s}
	c.seen[s] = c.stamp
	n := 0
	for d := 0; d < depth && len(frontier) > 0; d++ {
		var next []int32
		for _, v := range frontier {
			for _, u := range c.adj[c.off[v]:c.off[v+1]] {
				if c.seen[u] != c.stamp {
					c.seen[u] = c.stamp
					next = append(next, u)
					n++
				}
			}
		}
		frontier = next
	}
	return n
}

// Downstream orients a relationship the way impact analysis walks it
// downstream (analysis.ImpactSteps): dependents of what changed, the
// applications a repository builds, what it defines, and what a part
// belongs to. ok is false for relationships the walk does not follow.
func Downstream(t graph.RelType, from, to graph.ID) (a, b graph.ID, ok bool) {
	switch t {
	case graph.RelDependsOn, graph.RelRunsOn:
		return to, from, true
	case graph.RelBuilds, graph.RelDefines, graph.RelPartOf:
		return from, to, true
	}
	return graph.ID{}, graph.ID{}, false
}

// Ownership orients a relationship the way who-owns reads it: owners (OWNS
// in), ancestors (PART_OF out; RUNS_ON, DEPENDS_ON and DEFINES in) and
// parent teams (MEMBER_OF out).
func Ownership(t graph.RelType, from, to graph.ID) (a, b graph.ID, ok bool) {
	switch t {
	case graph.RelOwns, graph.RelRunsOn, graph.RelDependsOn, graph.RelDefines:
		return to, from, true
	case graph.RelPartOf, graph.RelMemberOf:
		return from, to, true
	}
	return graph.ID{}, graph.ID{}, false
}

// NestedQuery is F5's question, three levels deep: a service's
// applications, their repositories and the repositories' owners.
const NestedQuery = `query Nested($key: String!) {
  service(key: $key) {
    key name
    applications {
      edges { node { key
        repositories { edges { node { key
          owners { edges { node { key name } } }
        } } }
      } }
    }
  }
}`

// NestedAnswer is the shape both F5 handlers return, so their answers
// compare.
type NestedAnswer struct {
	Service struct {
		Key          string `json:"key"`
		Applications struct {
			Edges []struct {
				Node struct {
					Key          string `json:"key"`
					Repositories struct {
						Edges []struct {
							Node struct {
								Key    string `json:"key"`
								Owners struct {
									Edges []struct {
										Node struct{ Key, Name string }
									}
								}
							}
						}
					}
				}
			}
		}
	}
}

// Size counts the applications, repositories and owners in the answer.
func (a NestedAnswer) Size() (apps, repos, owners int) {
	for _, ae := range a.Service.Applications.Edges {
		apps++
		for _, re := range ae.Node.Repositories.Edges {
			repos++
			owners += len(re.Node.Owners.Edges)
		}
	}
	return
}

// OwnerQuery is F5's other question, the service desk's: who owns one
// thing, with everything the answer carries (owners with their evidence
// and inheritance path, conflicts, escalation, people) — not the entity
// fields, which the plain handler has no store call for.
const OwnerQuery = `query Owner($ref: String!) {
  whoOwns(ref: $ref) {
    ref resolution
    subject { kind key name }
    candidates { kind key name }
    owners {
      kind key name email channel handles departed role class confidence accountable
      evidence { source confidence evidence class }
      inheritedFrom { kind key name }
      via { type from { kind key } to { kind key } path }
    }
    conflicts { role owners resolved winner explanation }
    escalation { steps { kind key name email channel handles departed } }
    people { kind key name email channel handles departed }
  }
}`

// OwnerAnswer is the part of both handlers' owner answers that F5
// compares.
type OwnerAnswer struct {
	WhoOwns struct {
		Owners     []struct{ Kind, Key, Role string }
		Escalation []struct{ Steps []struct{ Key string } }
		People     []struct{ Key string }
	}
}

// Size counts the owners, escalation steps and people in the answer.
func (a OwnerAnswer) Size() (owners, steps, people int) {
	for _, c := range a.WhoOwns.Escalation {
		steps += len(c.Steps)
	}
	return len(a.WhoOwns.Owners), steps, len(a.WhoOwns.People)
}

// PlainOwnerHandler is F5's peer for OwnerQuery: net/http and encoding/json
// answering with analysis.WhoOwns, the call the whoOwns resolver makes.
func PlainOwnerHandler(s graph.Store, timeout time.Duration) http.Handler {
	return plainJSON(timeout, func(ctx context.Context, vars struct{ Ref string }) (any, error) {
		o, err := analysis.WhoOwns(ctx, s, vars.Ref)
		return map[string]any{"whoOwns": o}, err
	})
}

// plainJSON is a plain handler of one question, the way an API without
// GraphQL would answer it: it decodes the variables of a GraphQL request
// body (the query text is ignored), answers them within timeout, and
// writes {"data": answer} with encoding/json; an error is a 404 when
// something asked for is not found, else a 500.
func plainJSON[V any](timeout time.Duration, answer func(context.Context, V) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Variables V `json:"variables"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		data, err := answer(ctx, req.Variables)
		if err != nil {
			status := http.StatusInternalServerError
			if graph.CodeOf(err) == graph.CodeNotFound {
				status = http.StatusNotFound
			}
			http.Error(w, err.Error(), status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"data": data})
	})
}

// PlainHandler is F5's peer for NestedQuery: net/http and encoding/json
// answering with the same store calls the resolvers make, one Neighbors
// call per level, so the difference is the cost of GraphQL itself.
func PlainHandler(s graph.Store, timeout time.Duration) http.Handler {
	type obj = map[string]any
	edges := func(items []obj) obj {
		es := make([]obj, len(items))
		for i, it := range items {
			es[i] = obj{"node": it}
		}
		return obj{"edges": es}
	}
	level := func(ctx context.Context, ids []graph.ID, t graph.RelType) (map[graph.ID][]graph.Neighbor, error) {
		return s.Neighbors(ctx, ids, graph.NeighborQuery{Types: []graph.RelType{t}, Direction: graph.In, Limit: 20})
	}
	return plainJSON(timeout, func(ctx context.Context, vars struct{ Key string }) (any, error) {
		svc, err := s.Node(ctx, graph.Ref{Kind: graph.KindService, Key: vars.Key})
		if err != nil {
			return nil, err
		}
		apps, err := level(ctx, []graph.ID{svc.ID}, graph.RelPartOf)
		if err != nil {
			return nil, err
		}
		var appIDs []graph.ID
		for _, n := range apps[svc.ID] {
			appIDs = append(appIDs, n.Node.ID)
		}
		repos, err := level(ctx, appIDs, graph.RelBuilds)
		if err != nil {
			return nil, err
		}
		var repoIDs []graph.ID
		for _, ns := range repos {
			for _, n := range ns {
				repoIDs = append(repoIDs, n.Node.ID)
			}
		}
		owners, err := level(ctx, repoIDs, graph.RelOwns)
		if err != nil {
			return nil, err
		}
		var appObjs []obj
		for _, a := range apps[svc.ID] {
			var repoObjs []obj
			for _, rp := range repos[a.Node.ID] {
				var ownerObjs []obj
				for _, o := range owners[rp.Node.ID] {
					ownerObjs = append(ownerObjs, obj{"key": o.Node.Key, "name": o.Node.Name})
				}
				repoObjs = append(repoObjs, obj{"key": rp.Node.Key, "owners": edges(ownerObjs)})
			}
			appObjs = append(appObjs, obj{"key": a.Node.Key, "repositories": edges(repoObjs)})
		}
		return obj{"service": obj{"key": svc.Key, "name": svc.Name, "applications": edges(appObjs)}}, nil
	})
}

package neo4j

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/estate-cmdb/estate/graph"
)

// Labels, relationship types and schema names, all built from the validated
// namespace and the closed sets graph.Kinds and graph.RelTypes, and quoted.

func (s *Store) entity() string { return "`" + s.ns + "Entity`" }

func (s *Store) kindLabel(k graph.Kind) string {
	if !k.Valid() {
		panic(fmt.Sprintf("neo4j: kind %q used unvalidated", k))
	}
	return "`" + s.ns + string(k) + "`"
}

func (s *Store) relType(t graph.RelType) string {
	if !t.Valid() {
		panic(fmt.Sprintf("neo4j: relationship type %q used unvalidated", t))
	}
	return "`" + s.ns + string(t) + "`"
}

// relTypes is a relationship type expression such as `PART_OF`|`OWNS`;
// empty means every type.
func (s *Store) relTypes(ts []graph.RelType) string {
	if len(ts) == 0 {
		ts = graph.RelTypes
	}
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		parts = append(parts, s.relType(t))
	}
	return strings.Join(parts, "|")
}

// kindLabels is a label expression such as `Team`|`Person` for a node
// pattern's kinds; empty for none (the pattern then matches every kind).
func (s *Store) kindLabels(ks []graph.Kind) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = s.kindLabel(k)
	}
	return strings.Join(parts, "|")
}

// relTypeOf maps a stored relationship type back to the estate type.
func (s *Store) relTypeOf(stored string) (graph.RelType, error) {
	t := graph.RelType(strings.TrimPrefix(stored, s.ns))
	if !strings.HasPrefix(stored, s.ns) || !t.Valid() {
		return "", fmt.Errorf("neo4j: unexpected relationship type %q", stored)
	}
	return t, nil
}

// Planner hints keep the hot lookups on their indexes whatever the
// statistics say (right after a bulk delete they say "empty", and the
// planner would scan).

// relsByID matches relationships r of type t whose id is in the list param.
func (s *Store) relsByID(t graph.RelType, param string) string {
	return "MATCH ()-[r:" + s.relType(t) + "]->() USING INDEX SEEK r:" + s.relType(t) + "(id) WHERE r.id IN $" + param
}

// bySearch matches entities n whose search text contains the param.
func (s *Store) bySearch(param string) string {
	return "MATCH (n:" + s.entity() + ") USING TEXT INDEX n:" + s.entity() + "(search) WHERE n.search CONTAINS $" + param
}

// keysAfter matches nodes v of kind k whose key sorts after the param, in
// an ordered range scan of the kind's key index.
func (s *Store) keysAfter(v string, k graph.Kind, param string) string {
	return "MATCH (" + v + ":" + s.kindLabel(k) + ") USING INDEX " + v + ":" + s.kindLabel(k) + "(key) WHERE " + v + ".key > $" + param
}

// typeRank is a Cypher expression giving type(r)'s position in RelTypes.
func (s *Store) typeRank(r string) string {
	var b strings.Builder
	b.WriteString("CASE type(" + r + ")")
	for i, t := range graph.RelTypes {
		fmt.Fprintf(&b, " WHEN '%s%s' THEN %d", s.ns, t, i)
	}
	b.WriteString(" END")
	return b.String()
}

func (s *Store) schemaName(parts ...string) string {
	return "estate_" + strings.ToLower(s.ns) + strings.Join(parts, "_")
}

// migration is one versioned schema change. Statements are idempotent
// (IF NOT EXISTS), so a migration interrupted half way is simply run again.
type migration struct {
	version    int
	name       string
	statements func(s *Store) []string
}

// migrations run in order; SchemaVersion is the last one's version. Never
// edit a released migration: add a new one.
var migrations = []migration{
	{1, "constraints, lookup and search indexes", func(s *Store) []string {
		st := []string{
			"CREATE CONSTRAINT estate_schema_namespace IF NOT EXISTS FOR (s:EstateSchema) REQUIRE s.namespace IS UNIQUE",
			fmt.Sprintf("CREATE CONSTRAINT %s IF NOT EXISTS FOR (n:%s) REQUIRE n.id IS UNIQUE", s.schemaName("entity_id"), s.entity()),
		}
		for _, k := range graph.Kinds {
			st = append(st, fmt.Sprintf("CREATE CONSTRAINT %s IF NOT EXISTS FOR (n:%s) REQUIRE n.key IS UNIQUE",
				s.schemaName(strings.ToLower(string(k)), "key"), s.kindLabel(k)))
		}
		for _, t := range graph.RelTypes {
			st = append(st, fmt.Sprintf("CREATE CONSTRAINT %s IF NOT EXISTS FOR ()-[r:%s]-() REQUIRE r.id IS UNIQUE",
				s.schemaName(strings.ToLower(string(t)), "id"), s.relType(t)))
		}
		// Search and Resolve: CONTAINS over the lower-cased search text.
		st = append(st, fmt.Sprintf("CREATE TEXT INDEX %s IF NOT EXISTS FOR (n:%s) ON (n.search)",
			s.schemaName("entity_search"), s.entity()))
		return st
	}},
	// Version 1 iterates the kinds and types of its day; a database made
	// before change governance lacks these.
	{2, "change governance: Change and Incident keys, AFFECTS, MADE_BY and CAUSED_BY ids", func(s *Store) []string {
		var st []string
		for _, k := range []graph.Kind{graph.KindChange, graph.KindIncident} {
			st = append(st, fmt.Sprintf("CREATE CONSTRAINT %s IF NOT EXISTS FOR (n:%s) REQUIRE n.key IS UNIQUE",
				s.schemaName(strings.ToLower(string(k)), "key"), s.kindLabel(k)))
		}
		for _, t := range []graph.RelType{graph.RelAffects, graph.RelMadeBy, graph.RelCausedBy} {
			st = append(st, fmt.Sprintf("CREATE CONSTRAINT %s IF NOT EXISTS FOR ()-[r:%s]-() REQUIRE r.id IS UNIQUE",
				s.schemaName(strings.ToLower(string(t)), "id"), s.relType(t)))
		}
		return st
	}},
	{3, "ingest run records", func(s *Store) []string {
		return []string{
			fmt.Sprintf("CREATE CONSTRAINT %s IF NOT EXISTS FOR (r:%s) REQUIRE r.id IS UNIQUE", s.schemaName("ingest_run_id"), s.runLabel()),
			fmt.Sprintf("CREATE RANGE INDEX %s IF NOT EXISTS FOR (r:%s) ON (r.started)", s.schemaName("ingest_run_started"), s.runLabel()),
		}
	}},
	{4, "audit trail", func(s *Store) []string {
		var st []string
		for _, end := range auditEnds {
			st = append(st, fmt.Sprintf("CREATE RANGE INDEX %s IF NOT EXISTS FOR (e:%s) ON (e.%s, e.at, e.seq)",
				s.schemaName("audit", end), s.auditLabel(), end))
		}
		return st
	}},
	{5, "change governance listings: indexes on the listed labels of changes and incidents", func(s *Store) []string {
		var st []string
		for _, k := range []graph.Kind{graph.KindChange, graph.KindIncident} {
			for _, l := range graph.ListedLabels[k] {
				st = append(st, fmt.Sprintf("CREATE RANGE INDEX %s IF NOT EXISTS FOR (n:%s) ON (n.%s)",
					s.labelIndexName(k, l), s.kindLabel(k), quoteName(labelPrefix+l)))
			}
		}
		return st
	}},
	{6, "merges: the ids of nodes merged away, to the nodes they were merged into", func(s *Store) []string {
		return []string{fmt.Sprintf("CREATE CONSTRAINT %s IF NOT EXISTS FOR (r:%s) REQUIRE r.from IS UNIQUE",
			s.schemaName("redirect_from"), s.redirectLabel())}
	}},
}

// redirectLabel labels a redirect: from, the id of a node merged away, and
// to, the id of the node it was merged into. Redirects index the merged
// aliases of the nodes that stay (graph.MergedIDs), which are what is
// exported and what Restore writes them from again.
func (s *Store) redirectLabel() string { return "`" + s.ns + "Redirect`" }

// labelIndexName names the index on label l of kind k (migration 5).
func (s *Store) labelIndexName(k graph.Kind, l string) string {
	return s.schemaName(strings.ToLower(string(k)), "label", l)
}

// quoteName quotes a property name for Cypher (backticks, doubled inside).
func quoteName(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// migrationTimeout bounds bringing a namespace's schema up to date (the
// caller's context still applies), when QueryTimeout is shorter: creating
// some fifty constraints and indexes and waiting for them to be online
// took over a minute on a loaded two-core machine, and an index on an
// existing database must first be populated.
const migrationTimeout = 5 * time.Minute

// SchemaVersion is the schema version this package sets up.
var SchemaVersion = migrations[len(migrations)-1].version

// ensureSchema brings the namespace's schema to SchemaVersion, once per
// Store; a failure (Neo4j down) is retried on the next call.
func (s *Store) ensureSchema(ctx context.Context) error {
	if s.schemaDone.Load() {
		return nil
	}
	s.schemaMu.Lock()
	defer s.schemaMu.Unlock()
	if s.schemaDone.Load() {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	budget := max(s.cfg.QueryTimeout, migrationTimeout)
	octx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	exec := func(cypher string, params map[string]any) (*neo4j.EagerResult, error) {
		return neo4j.ExecuteQuery(octx, s.driver, cypher, params, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(s.cfg.Database), neo4j.ExecuteQueryWithBookmarkManager(s.bm))
	}
	res, err := exec("OPTIONAL MATCH (v:EstateSchema {namespace: $ns}) RETURN v.version AS version", map[string]any{"ns": s.ns})
	if err != nil {
		return s.mapErr(ctx, "read schema version", err)
	}
	s.markUp()
	current := 0
	if len(res.Records) > 0 {
		if v, ok := res.Records[0].Values[0].(int64); ok {
			current = int(v)
		}
	}
	if current > SchemaVersion {
		return &graph.Error{Code: graph.CodeInternal, Msg: fmt.Sprintf(
			"neo4j database %q namespace %q has schema version %d, newer than this estate's %d: upgrade estate",
			s.cfg.Database, s.ns, current, SchemaVersion)}
	}
	for _, m := range migrations {
		if m.version <= current {
			continue
		}
		start := time.Now()
		for _, st := range m.statements(s) {
			if _, err := exec(st, nil); err != nil {
				return s.mapErr(ctx, fmt.Sprintf("schema migration %d", m.version), err)
			}
		}
		if _, err := exec("CALL db.awaitIndexes($seconds)", map[string]any{"seconds": int64(budget / time.Second)}); err != nil {
			return s.mapErr(ctx, "await indexes", err)
		}
		if _, err := exec("MERGE (v:EstateSchema {namespace: $ns}) SET v.version = $version, v.migratedAt = datetime()",
			map[string]any{"ns": s.ns, "version": int64(m.version)}); err != nil {
			return s.mapErr(ctx, "record schema version", err)
		}
		s.log.Info().Int("version", m.version).Str("migration", m.name).Dur("took", time.Since(start)).
			Msg("neo4j schema migrated")
	}
	s.schemaDone.Store(true)
	return nil
}

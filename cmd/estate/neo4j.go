package main

import (
	"context"
	"errors"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/estate-cmdb/estate/graph"
)

// neo4jFlags configure the Neo4j backend.
type neo4jFlags struct {
	uri, user, password, database string
}

func (n *neo4jFlags) add(f *pflag.FlagSet) {
	f.StringVar(&n.uri, "neo4j-uri", "bolt://127.0.0.1:7687", "Neo4j Bolt URI")
	f.StringVar(&n.user, "neo4j-user", "neo4j", "Neo4j user")
	f.StringVar(&n.password, "neo4j-password", "", "Neo4j password (prefer ESTATE_NEO4J_PASSWORD)")
	f.StringVar(&n.database, "neo4j-database", "neo4j", "Neo4j database")
}

func (n *neo4jFlags) open(ctx context.Context, log zerolog.Logger) (graph.Store, error) {
	return nil, errors.New("the neo4j backend is not available in this build yet (see issue 3); use --store embedded")
}

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/neo4j"
)

// neo4jFlags configure the Neo4j backend. Like every flag they can also be
// set from the environment: ESTATE_NEO4J_URI, ESTATE_NEO4J_USER,
// ESTATE_NEO4J_PASSWORD, ESTATE_NEO4J_DATABASE, ...
type neo4jFlags struct {
	uri, user, password, database, namespace string
	maxPoolSize                              int
	queryTimeout, connectTimeout             time.Duration
}

func (n *neo4jFlags) add(f *pflag.FlagSet) {
	f.StringVar(&n.uri, "neo4j-uri", "bolt://127.0.0.1:7687", "Neo4j Bolt URI")
	f.StringVar(&n.user, "neo4j-user", "neo4j", "Neo4j user")
	f.StringVar(&n.password, "neo4j-password", "", "Neo4j password (prefer ESTATE_NEO4J_PASSWORD)")
	f.StringVar(&n.database, "neo4j-database", "neo4j", "Neo4j database")
	f.StringVar(&n.namespace, "neo4j-namespace", "", "prefix of every label and relationship type, to share one database between estates")
	f.IntVar(&n.maxPoolSize, "neo4j-max-pool-size", 100, "maximum Neo4j connections")
	f.DurationVar(&n.queryTimeout, "neo4j-query-timeout", 60*time.Second, "time limit of one store call")
	f.DurationVar(&n.connectTimeout, "neo4j-connect-timeout", 5*time.Second, "time limit of connecting and health checks")
}

// open opens the Neo4j backend. It succeeds while Neo4j is down (calls then
// fail with UNAVAILABLE until it is back) and fails for a malformed
// configuration or rejected credentials.
func (n *neo4jFlags) open(ctx context.Context, log zerolog.Logger) (graph.Store, error) {
	s, err := neo4j.Open(ctx, n.config(log))
	if err != nil {
		return nil, fmt.Errorf("--store neo4j: %w", err)
	}
	return s, nil
}

// config is the backend configuration the flags give.
func (n *neo4jFlags) config(log zerolog.Logger) neo4j.Config {
	return neo4j.Config{
		URI: n.uri, User: n.user, Password: n.password, Database: n.database,
		Namespace: n.namespace, MaxPoolSize: n.maxPoolSize,
		QueryTimeout: n.queryTimeout, ConnectTimeout: n.connectTimeout, Logger: log,
	}
}

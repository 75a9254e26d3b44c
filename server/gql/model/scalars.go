package model

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/estate-cmdb/estate/graph"
)

// MarshalNodeID writes a graph id as the GraphQL ID: the UUID in its
// canonical text form. Ids are global already (UUID v5 of kind and key), so
// no kind prefix is needed.
func MarshalNodeID(id graph.ID) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(id.String()))
	})
}

// UnmarshalNodeID reads a GraphQL ID. Errors: INVALID_INPUT.
func UnmarshalNodeID(v any) (graph.ID, error) {
	s, ok := v.(string)
	if !ok {
		return graph.ID{}, graph.Errorf(graph.CodeInvalid, "an id must be a string, not %T", v)
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return graph.ID{}, graph.Errorf(graph.CodeInvalid, "malformed id %q", s)
	}
	return id, nil
}

// MarshalMap writes a JSON object.
func MarshalMap(m map[string]any) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		if err := json.NewEncoder(w).Encode(m); err != nil {
			panic(fmt.Errorf("marshal map: %w", err))
		}
	})
}

// UnmarshalMap reads a JSON object. Errors: INVALID_INPUT.
func UnmarshalMap(v any) (map[string]any, error) {
	switch m := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return m, nil
	}
	return nil, graph.Errorf(graph.CodeInvalid, "properties must be an object, not %T", v)
}

package graph

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// PropType is the type of a node or relationship property.
type PropType int

// Property types. Times are kept as RFC 3339 strings in UTC (with
// sub-second digits only when there are any) so every backend and the
// export format store them the same way.
const (
	PropString PropType = iota
	PropInt
	PropBool
	PropStringList
	PropTime
)

func (t PropType) String() string {
	return [...]string{"string", "integer", "boolean", "list of strings", "RFC 3339 time"}[t]
}

// propSchemas are the typed properties of each kind. A property not listed is
// rejected: free-form data belongs in labels.
var propSchemas = map[Kind]map[string]PropType{
	KindBusinessUnit: {"description": PropString},
	KindService: {
		"description": PropString, "tier": PropInt, "lifecycle": PropString,
		"criticality": PropString,
	},
	KindApplication: {
		"description": PropString, "type": PropString, "lifecycle": PropString,
		"hostnames": PropStringList, "urls": PropStringList,
		// environments it is deployed to (CI deploy jobs name them)
		"environments": PropStringList,
	},
	KindRepository: {
		"description": PropString, "host": PropString, "url": PropString,
		"defaultBranch": PropString, "visibility": PropString, "archived": PropBool,
		"fork": PropBool, "language": PropString, "topics": PropStringList, "pushedAt": PropTime,
	},
	KindTeam:   {"description": PropString, "contact": PropString, "email": PropString},
	KindPerson: {"email": PropString, "handles": PropStringList, "title": PropString},
	KindCloudAccount: {
		"provider": PropString, "registered": PropBool, "environment": PropString,
	},
	KindCloudResource: {
		"provider": PropString, "type": PropString, "region": PropString, "account": PropString,
		"hostnames": PropStringList, "createdAt": PropTime,
		// where Terraform manages it: module.vpc.aws_subnet.private[0], aws_subnet
		"terraformAddress": PropString, "terraformType": PropString,
	},
	// Change and Incident are written by change governance (graph/governance);
	// factors is the assessment's explanation as a JSON document.
	KindChange: {
		"repository": PropString, "commit": PropString, "environment": PropString,
		"class": PropString, "score": PropInt, "status": PropString, "policyVersion": PropString,
		"factors": PropString, "team": PropString, "changedPaths": PropStringList,
		"linesChanged": PropInt, "coverage": PropInt, "components": PropInt,
		"committedAt": PropTime, "assessedAt": PropTime, "requestedBy": PropString,
		"decidedAt": PropTime, "decidedBy": PropString, "decisionReason": PropString,
	},
	KindIncident: {
		"description": PropString, "source": PropString, "severity": PropString, "status": PropString,
		"url": PropString, "startedAt": PropTime, "restoredAt": PropTime,
	},
}

// edgePropSchemas are the properties relationships may carry.
var edgePropSchemas = map[RelType]map[string]PropType{
	RelOwns:   {"role": PropString},
	RelBuilds: {"path": PropString},
}

// PropNames returns the property names of kind k, sorted.
func PropNames(k Kind) []string {
	names := make([]string, 0, len(propSchemas[k]))
	for n := range propSchemas[k] {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// coerceProps checks props against schema and returns them in canonical Go
// types (string, int64, bool, []string; times as RFC 3339 strings). It accepts
// what JSON decoding and database drivers produce (float64, json.Number,
// []any) so that every backend and the export format round-trip exactly.
func coerceProps(schema map[string]PropType, what string, props map[string]any) (map[string]any, error) {
	if len(props) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(props))
	for name, v := range props {
		t, ok := schema[name]
		if !ok {
			return nil, Errorf(CodeInvalid, "%s has no property %q (allowed: %s)", what, name, sortedNames(schema))
		}
		if v == nil {
			continue
		}
		c, err := coerce(t, v)
		if err != nil {
			return nil, Errorf(CodeInvalid, "%s property %q: %v", what, name, err)
		}
		out[name] = c
	}
	return out, nil
}

func sortedNames(schema map[string]PropType) string {
	names := make([]string, 0, len(schema))
	for n := range schema {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "none"
	}
	b, _ := json.Marshal(names)
	return string(b)
}

// coerce returns v itself when it already has its canonical type: boxing
// it again would allocate, once per property of every item ingested.
func coerce(t PropType, v any) (any, error) {
	switch t {
	case PropString:
		if _, ok := v.(string); ok {
			return v, nil
		}
	case PropTime:
		if s, ok := v.(string); ok {
			tm, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return nil, fmt.Errorf("want %s, got %q", t, s)
			}
			return tm.UTC().Format(time.RFC3339Nano), nil
		}
		if tm, ok := v.(time.Time); ok {
			return tm.UTC().Format(time.RFC3339Nano), nil
		}
	case PropBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case PropInt:
		switch n := v.(type) {
		case int:
			return int64(n), nil
		case int32:
			return int64(n), nil
		case int64:
			return v, nil
		case float64:
			if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
				return int64(n), nil
			}
		case json.Number:
			if i, err := n.Int64(); err == nil {
				return i, nil
			}
		}
	case PropStringList:
		switch l := v.(type) {
		case []string:
			return append([]string{}, l...), nil
		case []any:
			out := make([]string, 0, len(l))
			for _, e := range l {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("want %s, got an element of type %T", t, e)
				}
				out = append(out, s)
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("want %s, got %T", t, v)
}

// CoerceNodeProps validates and canonicalises the properties of a node of kind
// k. Backends call it when reading stored values back.
func CoerceNodeProps(k Kind, props map[string]any) (map[string]any, error) {
	return coerceProps(propSchemas[k], string(k), props)
}

// CoerceEdgeProps validates and canonicalises relationship properties.
func CoerceEdgeProps(t RelType, props map[string]any) (map[string]any, error) {
	return coerceProps(edgePropSchemas[t], string(t), props)
}

// SortedKeys returns m's keys in order, in buf when they fit. Properties
// and labels are visited in name order wherever they are merged, encoded
// or compared, for every item a sync writes; most maps have a few keys,
// and slices.Sorted(maps.Keys(m)) would grow a new slice for each.
func SortedKeys[V any](m map[string]V, buf []string) []string {
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

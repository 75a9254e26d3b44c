package graph

import (
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"
)

// What a bulk write stores per item as JSON — a created item's audit event
// (AppendAuditEvent), a node without its properties (AppendNodeJSON) — is
// written here directly, byte for byte as encoding/json writes it but
// without reflection or an allocation per value. Anything rarer goes
// through encoding/json.

// AppendNodeJSON appends n's JSON, as encoding/json writes it, to b.
func AppendNodeJSON(b []byte, n *Node) ([]byte, error) {
	if len(n.Props) > 0 || len(n.Manual) > 0 || len(n.Conflicts) > 0 || !jsonTime(n.FirstSeen) || !jsonTime(n.LastSeen) ||
		slices.ContainsFunc(n.Assertions, func(a Assertion) bool { return !jsonTime(a.FirstSeen) || !jsonTime(a.LastSeen) }) {
		v, err := json.Marshal(n)
		return append(b, v...), err
	}
	b = append(b, `{"id":`...)
	b = appendJSONID(b, n.ID)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, string(n.Kind))
	b = append(b, `,"key":`...)
	b = appendJSONString(b, n.Key)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, n.Name)
	if len(n.Labels) > 0 {
		b = append(b, `,"labels":{`...)
		var buf [16]string
		for i, k := range SortedKeys(n.Labels, buf[:]) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, n.Labels[k])
		}
		b = append(b, '}')
	}
	if len(n.Aliases) > 0 {
		b = append(b, `,"aliases":[`...)
		for i, a := range n.Aliases {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"value":`...)
			b = appendJSONString(b, a.Value)
			b = append(b, `,"source":`...)
			b = appendJSONString(b, a.Source)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"assertions":`...)
	if n.Assertions == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range n.Assertions {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAssertionJSON(b, &n.Assertions[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"firstSeen":`...)
	b = appendJSONTime(b, n.FirstSeen)
	b = append(b, `,"lastSeen":`...)
	b = appendJSONTime(b, n.LastSeen)
	return append(b, '}'), nil
}

func appendAssertionJSON(b []byte, a *Assertion) []byte {
	b = append(b, `{"source":`...)
	b = appendJSONString(b, a.Source)
	b = appendJSONField(b, "run", a.Run)
	b = appendJSONField(b, "scope", a.Scope)
	b = append(b, `,"confidence":`...)
	b = appendJSONString(b, string(a.Confidence))
	b = appendJSONField(b, "evidence", a.Evidence)
	b = append(b, `,"firstSeen":`...)
	b = appendJSONTime(b, a.FirstSeen)
	b = append(b, `,"lastSeen":`...)
	b = appendJSONTime(b, a.LastSeen)
	return append(b, '}')
}

// appendJSONID appends id as encoding/json writes it (its String, quoted).
func appendJSONID(b []byte, id ID) []byte {
	b = append(b, '"')
	for i, part := range [][]byte{id[:4], id[4:6], id[6:8], id[8:10], id[10:]} {
		if i > 0 {
			b = append(b, '-')
		}
		b = hex.AppendEncode(b, part)
	}
	return append(b, '"')
}

// jsonTime reports whether appendJSONTime writes t as encoding/json does:
// encoding/json refuses years and zone offsets RFC 3339 cannot hold.
func jsonTime(t time.Time) bool {
	_, off := t.Zone()
	return t.Year() >= 0 && t.Year() <= 9999 && off > -24*3600 && off < 24*3600
}

func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendJSONField appends an omitempty string field after others.
func appendJSONField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, name...)
	b = append(b, `":`...)
	return appendJSONString(b, v)
}

// appendJSONString appends s as encoding/json writes it: directly when no
// byte needs escaping (printable ASCII, no quote, backslash or HTML
// character), else through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			v, _ := json.Marshal(s) // a string always encodes
			return append(b, v...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

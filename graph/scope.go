package graph

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Scopes. A source reads its system in parts — a repository of an
// organisation, a region of an account — and an assertion records the part
// it was made in (Assertion.Scope): a path of "/"-separated segments such
// as "repo/acme/payments" or "aws/123456789012/eu-west-1"; "" is the whole
// source. When a part fails to be read, a sweep keeps what that part
// asserted before (SweepRequest.Keep) and still removes what the parts
// that were read no longer assert (DESIGN.md, "Ingest and
// reconciliation").
//
// An item one run asserts from several scopes (a team named by the
// CODEOWNERS of two repositories) records their common scope, the
// longest path both lie in; so that such an item is not removed because
// one of those parts failed, a kept scope also keeps the scopes that
// contain it (ScopeHeld).

// MaxScopeLen caps a scope's length.
const MaxScopeLen = 512

// ValidateScope checks a scope: "" or non-empty segments joined by "/",
// without control characters. Errors: CodeInvalid.
func ValidateScope(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > MaxScopeLen || !utf8.ValidString(s) || hasControl(s) ||
		slices.Contains(strings.Split(s, "/"), "") || strings.TrimSpace(s) != s {
		return Errorf(CodeInvalid, "scope %q is malformed (want segments joined by \"/\", at most %d bytes)", s, MaxScopeLen)
	}
	return nil
}

// InScope reports whether scope is within, the same as or under, outer.
// Every scope is within "" (the whole source).
func InScope(scope, outer string) bool {
	return outer == "" || scope == outer || strings.HasPrefix(scope, outer) && scope[len(outer)] == '/'
}

// ScopeHeld reports whether a sweep keeping the scopes keep leaves an
// assertion made in scope alone: scope is within a kept scope, or
// contains one (see the package comment on scopes).
func ScopeHeld(scope string, keep []string) bool {
	for _, k := range keep {
		if InScope(scope, k) || InScope(k, scope) {
			return true
		}
	}
	return false
}

// CommonScope returns the longest scope both a and b are within.
func CommonScope(a, b string) string {
	for !InScope(b, a) {
		i := strings.LastIndexByte(a, '/')
		if i < 0 {
			return ""
		}
		a = a[:i]
	}
	return a
}

// PathScope is the scope of what one file or URL says: prefix, then the
// "/"-separated segments of path; prefix alone (every such file's scope)
// when that is no valid scope.
func PathScope(prefix, path string) string {
	scope := strings.Join(append([]string{prefix}, strings.FieldsFunc(path, func(r rune) bool { return r == '/' })...), "/")
	if ValidateScope(scope) != nil {
		return prefix
	}
	return scope
}

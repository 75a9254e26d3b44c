// Package auth is estate's API authentication: bearer tokens with a role,
// stored hashed in a small JSON file in the data directory, and the
// principal a request acts as.
//
// A token is "est_" followed by 32 random bytes in unpadded base64url. Only
// its SHA-256 hash is kept, so the file is useless to someone who steals it
// and the plaintext is shown exactly once, when the token is created.
package auth

import (
	"context"
	"fmt"
	"strings"
)

// Role is what a token may do. Each role includes the ones before it:
// viewer < editor < admin.
type Role string

// The roles.
const (
	// RoleViewer reads everything.
	RoleViewer Role = "viewer"
	// RoleEditor reads and edits the graph.
	RoleEditor Role = "editor"
	// RoleAdmin edits and manages API tokens.
	RoleAdmin Role = "admin"
)

// Roles lists the roles from least to most privileged.
var Roles = []Role{RoleViewer, RoleEditor, RoleAdmin}

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleEditor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// Includes reports whether a holder of r may do what need allows.
func (r Role) Includes(need Role) bool { return r.Valid() && r.rank() >= need.rank() }

func (r Role) String() string { return string(r) }

// ParseRole parses a role name, ignoring case ("viewer", "EDITOR"...).
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		return "", fmt.Errorf("unknown role %q (known: viewer, editor, admin)", s)
	}
	return r, nil
}

// Code classifies an authentication or authorization failure. The GraphQL
// layer reports it as extensions.code.
type Code string

// Failure codes.
const (
	// CodeUnauthenticated: no usable credentials (none, malformed, unknown
	// or revoked token).
	CodeUnauthenticated Code = "UNAUTHENTICATED"
	// CodeForbidden: the caller is known but its role does not allow this.
	CodeForbidden Code = "FORBIDDEN"
)

// Error is an authentication or authorization failure with a message safe
// to show the caller. It never contains a token.
type Error struct {
	Code Code
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Is matches any *Error with the same code, so the sentinels work with
// errors.Is.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is.
var (
	ErrUnauthenticated = &Error{Code: CodeUnauthenticated, Msg: "authentication required"}
	ErrForbidden       = &Error{Code: CodeForbidden, Msg: "forbidden"}
)

// Principal is who a request acts as.
type Principal struct {
	// TokenID is the id of the token used; empty when anonymous.
	TokenID string
	// Name is the token's name, or "anonymous". Safe to log and to record
	// as the author of manual edits.
	Name      string
	Role      Role
	Anonymous bool
	// Membership says which changes the principal may approve.
	Membership Membership
	// Email is a signed-in person's verified e-mail address, from the
	// identity provider; empty for tokens.
	Email string
}

// Anonymous is the principal of a request without a token on a server that
// allows anonymous reads.
var Anonymous = Principal{Name: "anonymous", Role: RoleViewer, Anonymous: true}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx; ok is false when there is none.
func PrincipalFrom(ctx context.Context) (p Principal, ok bool) {
	p, ok = ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Require checks that the principal in ctx has at least the role need. It
// returns an *Error: UNAUTHENTICATED for no principal or an anonymous one
// (a token would help), FORBIDDEN for a token whose role is too low.
func Require(ctx context.Context, need Role) error {
	p, ok := PrincipalFrom(ctx)
	if ok && p.Role.Includes(need) {
		return nil
	}
	if !ok || p.Anonymous {
		return &Error{Code: CodeUnauthenticated, Msg: fmt.Sprintf("this needs an API token with the %s role", need)}
	}
	return &Error{Code: CodeForbidden, Msg: fmt.Sprintf("this needs the %s role; the token %q has the %s role", need, p.Name, p.Role)}
}

package graph

import (
	"errors"
	"fmt"
)

// Code classifies an error so callers branch on it with errors.Is, never on
// the message. The GraphQL layer maps each code to extensions.code.
type Code string

// Error codes. A backend returns these and nothing else for the failures the
// Store contract documents.
const (
	CodeNotFound      Code = "NOT_FOUND"
	CodeInvalid       Code = "INVALID_INPUT"
	CodeUnavailable   Code = "UNAVAILABLE"
	CodeLimitExceeded Code = "LIMIT_EXCEEDED"
	CodeConflict      Code = "CONFLICT"
	CodeInternal      Code = "INTERNAL"
)

// Sentinels for errors.Is: errors.Is(err, graph.ErrNotFound) holds for any
// *Error with that code.
var (
	ErrNotFound      = &Error{Code: CodeNotFound}
	ErrInvalid       = &Error{Code: CodeInvalid}
	ErrUnavailable   = &Error{Code: CodeUnavailable}
	ErrLimitExceeded = &Error{Code: CodeLimitExceeded}
	ErrConflict      = &Error{Code: CodeConflict}
)

// Error is a classified error with a message safe to show a user.
type Error struct {
	Code Code
	Msg  string
	Err  error // cause, may be nil
}

func (e *Error) Error() string {
	switch {
	case e.Msg == "" && e.Err == nil:
		return string(e.Code)
	case e.Err == nil:
		return e.Msg
	case e.Msg == "":
		return e.Err.Error()
	}
	return e.Msg + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches any *Error with the same code, so sentinels work with errors.Is.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Msg == "" && t.Err == nil
}

// Errorf builds a classified error.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Unavailable wraps a backend failure (connection refused, timeout) so the
// API reports it as UNAVAILABLE.
func Unavailable(err error, format string, args ...any) error {
	return &Error{Code: CodeUnavailable, Msg: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the code of the first *Error in err's chain, or CodeInternal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

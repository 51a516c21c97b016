package livespec

import (
	"errors"
	"fmt"
)

// Error kinds. Every error that leaves a package is classified once with one
// of these kinds; surfaces map the kind to an exit code, an HTTP status or a
// Slack message in one place.
const (
	EINVALID      = "invalid"      // the caller's input is wrong (bad flag, bad date, bad JSON)
	ENOTFOUND     = "not_found"    // no such repo, path, job or checkpoint
	ECONFLICT     = "conflict"     // the state forbids it now (e.g. an ingest already running)
	ETOOLARGE     = "too_large"    // input over a size limit
	EUNAVAILABLE  = "unavailable"  // a backend (store, model server) cannot be reached
	EMISMATCH     = "mismatch"     // the index was built with another embedder
	ERATELIMIT    = "rate_limited" // too many requests now
	EUNAUTHORIZED = "unauthorized" // missing or wrong credentials
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// Error is a classified error. Message is meant for the end user; the
// wrapped Err, if any, carries the detail for logs.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Message != "":
		return e.Message + ": " + e.Err.Error()
	case e.Err != nil:
		return e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError classifies err with code, keeping it as the cause. A nil err
// gives nil.
func WrapError(code string, err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the kind of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the Message of the
// first *Error in its chain, or a generic text for unclassified errors, so
// internals never reach a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "internal error"
}

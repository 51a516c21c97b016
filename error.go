package livespec

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"regexp"
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

// Error is a classified error. Message is meant for the local user (the
// CLI's, who may see the index path); Public, when set, is what remote
// users (HTTP clients, Slack) see instead. The wrapped Err, if any,
// carries the detail for logs.
type Error struct {
	Code    string
	Message string
	Public  string
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

// WrapPublic is WrapError with the safe message remote users see: the
// formatted message may name paths and hosts, public must not.
func WrapPublic(code string, err error, public, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Public: public, Err: err}
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

// ErrorMessage returns the local user's message of err (the CLI's): the
// first Message in its chain of *Error, or a generic text for unclassified
// errors. Remote users get PublicError's instead.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	for errors.As(err, &e) {
		if e.Message != "" {
			return e.Message
		}
		err = e.Err
	}
	return "internal error"
}

// PublicError returns what a remote user (an HTTP client, a Slack user) is
// told about err: its kind and a safe message. It is the one place that
// decides this; the surfaces only add their transport's own kinds
// (timeouts, oversized bodies). The message never names a path, host, URL
// or SQL text: errors of the kinds that describe the server's state
// (unavailable, internal) say only what kind of failure it was, unless the
// error carries a Public message; the others describe the caller's request
// and keep their message, with any credentials in URLs removed. The whole
// chain belongs in the log.
func PublicError(err error) (kind, message string) {
	if err == nil {
		return "", ""
	}
	var e *Error
	if !errors.As(err, &e) {
		return EINTERNAL, publicText[EINTERNAL]
	}
	kind = e.Code
	if msg, ok := publicText[kind]; ok {
		message = msg
	}
	// The first Public message in the chain wins; else, for the kinds
	// that describe the request, the first message.
	for e != nil {
		if e.Public != "" {
			return kind, redactURLs(e.Public)
		}
		if message == "" && e.Message != "" {
			message = redactURLs(e.Message)
		}
		var next *Error
		if !errors.As(e.Err, &next) {
			break
		}
		e = next
	}
	return kind, cmp.Or(message, publicText[EINTERNAL])
}

// publicText is the message of the kinds whose detail stays in the log.
var publicText = map[string]string{
	EUNAVAILABLE: "the spec index or a service it needs is unavailable right now; try again later",
	EINTERNAL:    "internal error",
}

var urlPattern = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+`)

// redactURLs removes the user information (credentials) from URLs in s.
func redactURLs(s string) string {
	return urlPattern.ReplaceAllStringFunc(s, RedactURL)
}

// RedactURL returns u without its password or token, for messages and
// logs; a string that is not a URL with user information is returned as is.
func RedactURL(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.User == nil {
		return u
	}
	pu.User = nil
	return pu.String()
}

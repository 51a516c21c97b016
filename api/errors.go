package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/livespec/livespec"
)

// Error codes the API adds to the livespec kinds, for conditions that only
// exist over HTTP.
const (
	ECONTENTTYPE    = "unsupported_media_type" // 415: the body is not JSON
	EUNPROCESSABLE  = "unprocessable"          // 422: well-formed but meaningless, e.g. an unparseable period
	ETIMEOUT        = "timeout"                // 504: the request ran out of time
	ENOTCONFIGURED  = "not_configured"         // 501: the feature is switched off on this server
	EMETHOD         = "method_not_allowed"     // 405
	EFORBIDDEN      = "forbidden"              // 403: the caller's token may not do this (start ingests)
	ECANCELED       = "canceled"               // the client went away; nothing is written
	statusCancelled = 499                      // logged for requests the client abandoned
)

// statusOf maps an error code to its HTTP status. This is the one place the
// API decides statuses.
func statusOf(code string) int {
	switch code {
	case livespec.EINVALID:
		return http.StatusBadRequest
	case livespec.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case livespec.ENOTFOUND:
		return http.StatusNotFound
	case EFORBIDDEN:
		return http.StatusForbidden
	case EMETHOD:
		return http.StatusMethodNotAllowed
	case livespec.ECONFLICT:
		return http.StatusConflict
	case livespec.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case ECONTENTTYPE:
		return http.StatusUnsupportedMediaType
	case EUNPROCESSABLE:
		return http.StatusUnprocessableEntity
	case livespec.ERATELIMIT:
		return http.StatusTooManyRequests
	case ENOTCONFIGURED:
		return http.StatusNotImplemented
	case livespec.EUNAVAILABLE, livespec.EMISMATCH:
		// A mismatched index is the server's configuration, not the
		// client's: the service cannot answer until it is re-embedded.
		return http.StatusServiceUnavailable
	case ETIMEOUT:
		return http.StatusGatewayTimeout
	case ECANCELED:
		return statusCancelled
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is a classified error as the client sees it.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// classify returns the code and the user-facing message of err, turning
// context errors and oversized bodies into their own kinds; every other
// error is mapped by livespec.PublicError, so no path, host, URL or SQL
// text reaches a client.
func classify(err error) (code, msg string) {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return livespec.ETOOLARGE, "request body over " + strconv.FormatInt(mbe.Limit, 10) + " bytes"
	case errors.Is(err, context.DeadlineExceeded):
		return ETIMEOUT, "the request took too long and was stopped"
	case errors.Is(err, context.Canceled):
		return ECANCELED, "the request was cancelled"
	}
	return livespec.PublicError(err)
}

// fail writes err as a JSON error response and aborts the chain. Internal
// errors are logged with their detail by the logging middleware, never sent.
func fail(c *gin.Context, err error) {
	code, msg := classify(err)
	status := statusOf(code)
	_ = c.Error(err)
	if code == livespec.ERATELIMIT {
		c.Header("Retry-After", "1")
	}
	if code == livespec.EUNAUTHORIZED {
		c.Header("WWW-Authenticate", `Bearer realm="livespec"`)
	}
	if code == ECANCELED {
		// Nobody is listening; record the status for the logs only.
		c.Status(status)
		c.Abort()
		return
	}
	c.Abort()
	writeJSON(c, status, ErrorBody{ErrorDetail{Code: code, Message: msg}})
}

// invalid returns an EINVALID error naming the parameter at fault.
func invalid(param, format string, args ...any) error {
	e := livespec.Errorf(livespec.EINVALID, format, args...)
	if param != "" {
		e.Message = param + ": " + e.Message
	}
	return e
}

// handler adapts fn, a handler that returns its error, to gin: the one
// place a route's error becomes its status and body (fail).
func handler(fn func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := fn(c); err != nil {
			fail(c, err)
		}
	}
}

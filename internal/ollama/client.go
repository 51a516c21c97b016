package ollama

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/livespec/livespec"
	"github.com/ollama/ollama/api"
	"github.com/ollama/ollama/types/model"
)

// DefaultURL is the address of a local Ollama server.
const DefaultURL = "http://127.0.0.1:11434"

// DefaultPort is the port Ollama listens on, used for addresses given
// without a scheme ("ollama", "10.0.0.5").
const DefaultPort = "11434"

// Client talks to one Ollama server through the ollama/api client. It is
// safe for concurrent use.
type Client struct {
	base     *url.URL
	portNote string // set when the port came from the scheme (http:// → 80)
	err      error  // the base URL did not parse
	api      *api.Client
	hc       *http.Client
}

// New returns a client for the Ollama server at baseURL, sending requests
// with hc (nil: an http.Client without an overall timeout, since answers
// stream). baseURL follows OLLAMA_HOST's rules (see ParseURL); an empty
// baseURL means DefaultURL. An invalid baseURL does not panic: every method
// of the client then returns the EINVALID error ParseURL gave.
func New(baseURL string, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{}
	}
	c := &Client{hc: hc}
	u, err := ParseURL(baseURL)
	if err != nil {
		c.err = err
		return c
	}
	c.base = u
	if !hasExplicitPort(baseURL) && strings.Contains(baseURL, "://") && u.Port() == "80" {
		c.portNote = " (no port given: http:// means port 80; Ollama listens on " + DefaultPort + ")"
	}
	c.api = api.NewClient(u, hc)
	return c
}

// URL returns the server address the client uses, with the port made
// explicit ("http://127.0.0.1:11434"), or "" when the base URL was invalid.
func (c *Client) URL() string {
	if c.base == nil {
		return ""
	}
	return c.base.String()
}

// ParseURL parses an Ollama server address the way Ollama's own OLLAMA_HOST
// does, so one value means the same server to livespec and to the ollama
// command:
//
//	""                      → http://127.0.0.1:11434
//	"ollama", "ollama:8080" → http://ollama:11434, http://ollama:8080 (no scheme: port 11434)
//	"http://ollama"         → http://ollama:80   (a scheme without a port means the scheme's port!)
//	"https://ollama.example"→ https://ollama.example:443
//	"http://ollama:11434"   → as written
//	"http://proxy/ollama"   → http://proxy:80/ollama (a path prefix is kept)
//
// Mind the third line: in Docker Compose write "http://ollama:11434", not
// "http://ollama". Unlike OLLAMA_HOST, a scheme other than http or https,
// a bad port, a query or user credentials give an EINVALID error instead
// of a silent default.
func ParseURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = DefaultURL
	}
	bad := func(why string) error {
		return livespec.Errorf(livespec.EINVALID, "ollama: invalid server URL %q: %s", s, why)
	}
	scheme, rest, ok := strings.Cut(s, "://")
	port := DefaultPort
	switch {
	case !ok:
		scheme, rest = "http", s
	case scheme == "http":
		port = "80"
	case scheme == "https":
		port = "443"
	default:
		return nil, bad("the scheme must be http or https")
	}
	hostport, path, _ := strings.Cut(rest, "/")
	if strings.ContainsAny(path, "?#") || strings.ContainsAny(hostport, "?#") {
		return nil, bad("a query or fragment is not allowed")
	}
	if strings.Contains(hostport, "@") {
		return nil, bad("credentials in the URL are not supported")
	}
	host := hostport
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return nil, bad("the port must be a number from 1 to 65535")
		}
	} else if strings.Count(hostport, ":") == 1 && !strings.HasPrefix(hostport, "[") {
		return nil, bad("the port must be a number from 1 to 65535")
	}
	host = strings.Trim(host, "[]")
	if host == "" {
		host = "127.0.0.1"
	}
	if strings.ContainsAny(host, " \t/\\") {
		return nil, bad("the host name is not valid")
	}
	u := &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, port)}
	if path = strings.Trim(path, "/"); path != "" {
		u.Path = "/" + path
	}
	return u, nil
}

// hasExplicitPort reports whether an address written as scheme://host[:port]
// names its port.
func hasExplicitPort(s string) bool {
	_, rest, ok := strings.Cut(strings.TrimSpace(s), "://")
	if !ok {
		return true
	}
	hostport, _, _ := strings.Cut(rest, "/")
	_, _, err := net.SplitHostPort(hostport)
	return err == nil
}

// Check verifies that the server answers as Ollama does (/api/version)
// and that every named model is pulled (one /api/show per model). An unreachable server is an
// EUNAVAILABLE error whose message is one line naming the address; missing
// models give one EUNAVAILABLE error that says which `ollama pull` to run.
// With no models it only checks that the server answers.
func (c *Client) Check(ctx context.Context, models ...string) error {
	if c.err != nil {
		return c.err
	}
	if _, err := c.api.Version(ctx); err != nil {
		var se api.StatusError
		if errors.As(err, &se) && ctx.Err() == nil && se.StatusCode < 500 {
			return livespec.WrapError(livespec.EUNAVAILABLE, cause{err}, "ollama: %s does not look like an Ollama server (/api/version answered %d)", c.URL(), se.StatusCode)
		}
		return c.classify(ctx, err, "")
	}
	var missing []string
	seen := map[string]bool{}
	for _, m := range models {
		m = strings.TrimSpace(m)
		if m == "" {
			return livespec.Errorf(livespec.EINVALID, "ollama: empty model name")
		}
		if seen[m] {
			continue
		}
		seen[m] = true
		if _, err := c.show(ctx, m); err != nil {
			if isNotFound(err) {
				missing = append(missing, m)
				continue
			}
			return err
		}
	}
	return missingModels(missing)
}

// missingModels is the one error for models that are not pulled.
func missingModels(missing []string) error {
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return livespec.Errorf(livespec.EUNAVAILABLE, "ollama: model %q is not pulled; run: ollama pull %s", missing[0], missing[0])
	}
	quoted := make([]string, len(missing))
	pulls := make([]string, len(missing))
	for i, m := range missing {
		quoted[i] = strconv.Quote(m)
		pulls[i] = "ollama pull " + m
	}
	return livespec.Errorf(livespec.EUNAVAILABLE, "ollama: models %s are not pulled; run: %s",
		strings.Join(quoted, ", "), strings.Join(pulls, " && "))
}

// show calls /api/show for model, classifying errors.
func (c *Client) show(ctx context.Context, name string) (*api.ShowResponse, error) {
	res, err := c.api.Show(ctx, &api.ShowRequest{Model: name})
	if err != nil {
		return nil, c.classify(ctx, err, name)
	}
	return res, nil
}

// errNotPulled marks a classified "model not found" error.
var errNotPulled = errors.New("model not pulled")

func isNotFound(err error) bool { return errors.Is(err, errNotPulled) }

// notPulled is the error for a model the server does not have. Its message
// is the exact one-line instruction; the cause only marks it.
type notPulledError struct{ model string }

func (e *notPulledError) Error() string { return "model not found" }
func (e *notPulledError) Is(target error) bool {
	return target == errNotPulled
}

// classify turns an error of the ollama/api client into a livespec error
// with a one-line message. model names the model the request was for ("" for
// none). Cancellation is returned as the context's error, unclassified, so
// errors.Is(err, context.Canceled) holds.
func (c *Client) classify(ctx context.Context, err error, name string) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("ollama: %w", context.Cause(ctx))
	}
	var le *livespec.Error
	if errors.As(err, &le) {
		return err
	}
	var se api.StatusError
	var ae api.AuthorizationError
	switch {
	case errors.As(err, &se):
		msg := oneLine(se.ErrorMessage, 200)
		if msg == "" {
			msg = oneLine(se.Status, 200)
		}
		switch {
		case se.StatusCode == http.StatusNotFound && name != "":
			e := livespec.Errorf(livespec.EUNAVAILABLE, "ollama: model %q is not pulled; run: ollama pull %s", name, name)
			e.Public = e.Message
			e.Err = &notPulledError{name}
			return e
		case se.StatusCode == http.StatusServiceUnavailable:
			return livespec.WrapPublic(livespec.EUNAVAILABLE, cause{err}, "the model server is busy", "ollama: server %s is busy", c.base.Host)
		case se.StatusCode == http.StatusTooManyRequests:
			return livespec.WrapError(livespec.ERATELIMIT, cause{err}, "ollama: server %s is rate limiting requests", c.base.Host)
		case se.StatusCode >= 500:
			return livespec.WrapPublic(livespec.EUNAVAILABLE, cause{err}, fmt.Sprintf("the model server failed (%d)", se.StatusCode), "ollama: server error (%d): %s", se.StatusCode, msg)
		case se.StatusCode == http.StatusUnauthorized || se.StatusCode == http.StatusForbidden:
			return livespec.WrapError(livespec.EUNAUTHORIZED, cause{err}, "ollama: server %s refused the request (%d)", c.base.Host, se.StatusCode)
		default:
			what := "request"
			if name != "" {
				what = fmt.Sprintf("model %q", name)
			}
			return livespec.WrapError(livespec.EINVALID, cause{err}, "ollama: %s rejected (%d): %s", what, se.StatusCode, msg)
		}
	case errors.As(err, &ae):
		return livespec.WrapError(livespec.EUNAUTHORIZED, cause{err}, "ollama: server %s requires authorization", c.base.Host)
	case isNetError(err):
		return livespec.WrapPublic(livespec.EUNAVAILABLE, cause{err}, "the model server is not reachable", "ollama: server %s is not reachable (%s)%s", c.URL(), netReason(err), c.portNote)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return livespec.WrapPublic(livespec.EUNAVAILABLE, cause{err}, "the model server closed the stream before it was done", "ollama: the server closed the stream before it was done")
	}
	return livespec.WrapError(livespec.EUNAVAILABLE, cause{err}, "ollama: unexpected response from %s: %s", c.base.Host, oneLine(err.Error(), 160))
}

// isNetError reports whether err is a transport failure: no connection,
// a reset, a DNS failure, a timeout, a truncated HTTP response.
func isNetError(err error) bool {
	var ue *url.Error
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &oe) || errors.As(err, &de) || errors.As(err, &ne) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		(errors.As(err, &ue) && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)))
}

// netReason is a short human reason for a transport failure.
func netReason(err error) string {
	var de *net.DNSError
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.As(err, &de):
		if de.IsNotFound {
			return "no such host " + de.Name
		}
		return "DNS lookup failed"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	return "network error"
}

// transient reports whether a failed request is worth retrying: the server
// is busy or failing (5xx, 429) or the connection failed. 4xx answers
// (bad request, model not found) and cancellation are not.
func transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var se api.StatusError
	if errors.As(err, &se) {
		return se.StatusCode >= 500 || se.StatusCode == http.StatusTooManyRequests
	}
	var ae api.AuthorizationError
	if errors.As(err, &ae) {
		return false
	}
	return isNetError(err)
}

// Retry is a retry policy for transient failures.
type Retry struct {
	// Attempts is the number of tries in all, at least 1. Zero means 4.
	Attempts int
	// Base is the delay before the first retry; each further retry doubles
	// it, with ±25% jitter, up to Max. Zero means 250ms.
	Base time.Duration
	// Max caps one delay. Zero means 5s.
	Max time.Duration
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 4
	}
	if r.Base <= 0 {
		r.Base = 250 * time.Millisecond
	}
	if r.Max <= 0 {
		r.Max = 5 * time.Second
	}
	return r
}

// do runs fn until it succeeds, fails for good, or the attempts run out,
// sleeping between tries. It returns fn's last raw error.
func (r Retry) do(ctx context.Context, fn func() error) error {
	r = r.withDefaults()
	delay := r.Base
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt >= r.Attempts || !transient(err) || ctx.Err() != nil {
			return err
		}
		d := delay + time.Duration((rand.Float64()-0.5)*0.5*float64(delay))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay = min(2*delay, r.Max)
	}
}

// cause wraps an underlying error so that its text is one short line.
type cause struct{ err error }

func (c cause) Error() string { return oneLine(c.err.Error(), 300) }
func (c cause) Unwrap() error { return c.err }

// oneLine collapses whitespace (newlines included) and cuts s to at most
// max bytes on a rune boundary.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// modelName normalises a model name for IDs: "nomic-embed-text:latest" and
// "nomic-embed-text" are the same model.
func modelName(m string) string {
	return strings.TrimSuffix(strings.TrimSpace(m), ":latest")
}

// hasCapability reports whether show lists capability c; an empty list
// (older servers) says nothing and passes.
func hasCapability(show *api.ShowResponse, c string) bool {
	if len(show.Capabilities) == 0 {
		return true
	}
	return slices.ContainsFunc(show.Capabilities, func(x model.Capability) bool { return string(x) == c })
}

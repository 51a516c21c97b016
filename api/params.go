package api

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/gin-gonic/gin"

	"github.com/livespec/livespec"
)

// decodeJSON reads the request body as one JSON object into v, refusing
// other content types (415), oversized bodies (413), malformed JSON and
// unknown fields (400) with a message naming the fault. An empty body is
// allowed when emptyOK, and leaves v as it is.
func decodeJSON(c *gin.Context, v any, emptyOK bool) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return livespec.WrapError(livespec.EINVALID, err, "body: could not be read")
	}
	empty := len(bytes.TrimSpace(body)) == 0
	if empty && emptyOK {
		return nil
	}
	if ct := c.GetHeader("Content-Type"); !isJSON(ct) {
		return livespec.Errorf(ECONTENTTYPE, "Content-Type must be application/json, not %q", clip(ct, 80))
	}
	if empty {
		return invalid("body", "empty; want a JSON object")
	}
	if !utf8.Valid(body) {
		return invalid("body", "not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalid("body", "unexpected data after the JSON object")
	}
	return nil
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// jsonError explains a decoding failure.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return invalid("body", "invalid JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		field := cmp.Or(typ.Field, "body")
		return invalid(field, "want a JSON %s, got %s", typ.Type.Kind(), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("body", "truncated JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return invalid("body", "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return invalid("body", "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// parseTime reads a time parameter: RFC 3339, or a date (YYYY-MM-DD, UTC),
// which stands for its first instant, or with endOfDay for the next
// midnight (so "until=2025-03-31" includes the 31st).
func parseTime(param, v string, endOfDay bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		if t, err = time.Parse(time.DateOnly, v); err != nil {
			return time.Time{}, invalid(param, "%q is not a time: use YYYY-MM-DD or RFC 3339 (2025-03-01T12:00:00Z)", clip(v, 40))
		}
		if endOfDay {
			t = t.AddDate(0, 0, 1)
		}
	}
	return t, inYears(param, t)
}

// inYears rejects a time outside the years 1 to 9999, which the answers'
// dates (RFC 3339) cannot carry.
func inYears(param string, t time.Time) error {
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return invalid(param, "%s is out of range: dates run from the year 1 to 9999", t.UTC().Format("2006-01-02T15:04:05Z"))
	}
	return nil
}

// parseAt reads an "as of" instant: a date means the end of that day, so
// the day's own commits are included.
func parseAt(param, v string) (time.Time, error) {
	t, err := parseTime(param, v, false)
	if err != nil || t.IsZero() {
		return t, err
	}
	if _, err := time.Parse(time.DateOnly, v); err == nil {
		t = livespec.EndOfDay(t)
	}
	return t, nil
}

// window reads since/until or period(+now) from the query. ok is false when
// none is given.
func (q queries) window(c *gin.Context) (w livespec.Window, ok bool, err error) {
	since, until, period := c.Query("since"), c.Query("until"), c.Query("period")
	if period != "" {
		if since != "" || until != "" {
			return w, false, invalid("period", "give either period or since/until, not both")
		}
		if q.parsePeriod == nil {
			return w, false, livespec.Errorf(ENOTCONFIGURED, "period: this server cannot parse periods; use since and until")
		}
		if len(period) > 200 {
			return w, false, invalid("period", "over 200 characters")
		}
		now, err := q.now(c.Query("now"))
		if err != nil {
			return w, false, err
		}
		w, err := q.parsePeriod(period, now)
		if err != nil {
			return w, false, livespec.WrapError(EUNPROCESSABLE, err, "period: cannot understand %q (try \"last quarter\", \"Q3 2025\", \"since March\", \"last 30 days\")", clip(period, 60))
		}
		return w, true, nil
	}
	if w.From, err = parseTime("since", since, false); err != nil {
		return w, false, err
	}
	if w.To, err = parseTime("until", until, true); err != nil {
		return w, false, err
	}
	if !w.From.IsZero() && !w.To.IsZero() && !w.From.Before(w.To) {
		return w, false, invalid("until", "must be after since")
	}
	return w, since != "" || until != "", nil
}

// queries reads the query parameters the read routes share: a window
// (since and until, or a period), the clock and the repositories.
type queries struct {
	parsePeriod func(text string, now time.Time) (livespec.Window, error) // nil: periods are not understood
	clock       func() time.Time
	checkRepos  func(ctx context.Context, repos []string) error
}

// queries are the server's.
func (s *Server) queries() queries {
	return queries{parsePeriod: s.cfg.ParsePeriod, clock: s.cfg.Now, checkRepos: s.checkRepos}
}

// now reads a "now" parameter, defaulting to the server's clock.
func (q queries) now(v string) (time.Time, error) {
	if v == "" {
		return q.clock(), nil
	}
	return parseTime("now", v, false)
}

// repoParam reads repo (repeatable) and checks each is in the index.
func (q queries) repoParam(c *gin.Context) ([]string, error) {
	repos := c.QueryArray("repo")
	return repos, q.checkRepos(c.Request.Context(), repos)
}

// checkRepos checks each repository is in the index and in the caller's
// scope; one outside the scope gets the same 404 as one not indexed.
func (s *Server) checkRepos(ctx context.Context, repos []string) error {
	scope := callerScope(ctx)
	for _, r := range repos {
		if r == "" {
			return invalid("repo", "empty")
		}
		ok, err := s.repos.has(ctx, s.cfg.Store, r)
		if err != nil {
			return err
		}
		if ok && !scope.Allows(r) {
			ok = false
			s.metrics.Denied("api", "repo")
		}
		if !ok {
			return errNoRepo(r)
		}
	}
	return nil
}

func errNoRepo(r string) error {
	return livespec.Errorf(livespec.ENOTFOUND, "repo: %q is not in the index", clip(r, 100))
}

// callerScope is what the request's caller may read: every repository on
// a server without access rules.
func callerScope(ctx context.Context) livespec.Scope {
	if c, ok := livespec.CallerFrom(ctx); ok {
		return c.Scope
	}
	return livespec.AllRepos()
}

// globParam reads a doublestar glob parameter.
func globParam(c *gin.Context, name string) ([]string, error) {
	var out []string
	for _, p := range c.QueryArray(name) {
		if p == "" {
			continue
		}
		if !doublestar.ValidatePattern(p) {
			return nil, invalid(name, "%q is not a valid glob", clip(p, 100))
		}
		out = append(out, p)
	}
	return out, nil
}

// intParam reads an integer parameter in [lo, hi], def when absent.
func intParam(c *gin.Context, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, invalid(name, "want an integer from %d to %d, got %q", lo, hi, clip(v, 20))
	}
	return n, nil
}

// boolParam reads true/false/1/0, def when absent.
func boolParam(c *gin.Context, name string, def bool) (bool, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, invalid(name, "want true or false, got %q", clip(v, 20))
	}
	return b, nil
}

// Cursors are opaque to clients: base64url of "c1:" and the last change id.
func encodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("c1:" + id))
}

func decodeCursor(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	id, ok := strings.CutPrefix(string(b), "c1:")
	if err != nil || !ok || id == "" {
		return "", invalid("cursor", "not a cursor this server issued; pass next_cursor from the previous page")
	}
	return id, nil
}

// clip shortens user input echoed in messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// repoCache remembers which repositories the index holds, so checking a
// repo parameter costs no store round trip on the hot path.
type repoCache struct {
	mu    sync.Mutex
	set   map[string]bool
	at    time.Time
	tried time.Time
}

const (
	repoCacheTTL   = 10 * time.Second
	repoCacheRetry = time.Second // an unknown name refreshes at most this often
)

// has reports whether repo is in the index.
func (rc *repoCache) has(ctx context.Context, st livespec.Store, repo string) (bool, error) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	now := time.Now()
	if rc.set == nil || now.Sub(rc.at) > repoCacheTTL {
		if err := rc.refresh(ctx, st, now); err != nil {
			return false, err
		}
	}
	if rc.set[repo] {
		return true, nil
	}
	if now.Sub(rc.tried) > repoCacheRetry {
		if err := rc.refresh(ctx, st, now); err != nil {
			return false, err
		}
	}
	return rc.set[repo], nil
}

// names returns the repositories in the index, fresh when asked.
func (rc *repoCache) names(ctx context.Context, st livespec.Store, fresh bool) ([]string, error) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	now := time.Now()
	if fresh || rc.set == nil || now.Sub(rc.at) > repoCacheTTL {
		if err := rc.refresh(ctx, st, now); err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(rc.set))
	for r := range rc.set {
		out = append(out, r)
	}
	return out, nil
}

// invalidate makes the next lookup read the store (after an ingest).
func (rc *repoCache) invalidate() {
	rc.mu.Lock()
	rc.set = nil
	rc.mu.Unlock()
}

func (rc *repoCache) refresh(ctx context.Context, st livespec.Store, now time.Time) error {
	rc.tried = now
	// The cache serves every caller: it lists the whole index, and
	// checkRepos applies each caller's scope.
	infos, err := st.Repos(livespec.WithCaller(ctx, livespec.Caller{Name: "api", Scope: livespec.AllRepos()}))
	if err != nil {
		return err
	}
	rc.set = make(map[string]bool, len(infos))
	for _, r := range infos {
		rc.set[r.Repo] = true
	}
	rc.at = now
	return nil
}

// checkQuery refuses a request whose query string does not parse (a bad
// %-escape, a ';' separator), naming the parameter at fault: gin's
// c.Query drops such pairs silently, which would turn a filter the client
// asked for into no filter at all.
func checkQuery(c *gin.Context) {
	if err := queryError(c.Request.URL.RawQuery); err != nil {
		fail(c, err)
		return
	}
	c.Next()
}

// queryError returns an EINVALID error for the first pair of raw that
// url.ParseQuery would reject, nil when every pair parses.
func queryError(raw string) error {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, kerr := url.QueryUnescape(rawKey)
		if kerr != nil {
			key = rawKey
		}
		if strings.Contains(rawKey, ";") {
			return invalid(queryName(key), "';' is not a query separator; use '&'")
		}
		if kerr != nil {
			return invalid(queryName(key), "the parameter name is not valid URL encoding (escape %% as %%25)")
		}
		if strings.Contains(rawValue, ";") {
			return invalid(queryName(key), "';' is not a query separator; use '&' (or escape it as %%3B)")
		}
		if _, err := url.QueryUnescape(rawValue); err != nil {
			return invalid(queryName(key), "the value is not valid URL encoding (escape %% as %%25)")
		}
	}
	return nil
}

// queryName is a parameter name as error messages show it.
func queryName(key string) string {
	if !utf8.ValidString(key) {
		key = strings.ToValidUTF8(key, "?")
	}
	return clip(cmp.Or(key, "(empty name)"), 60)
}

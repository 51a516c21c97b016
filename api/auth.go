package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/gin-gonic/gin"
	"golang.org/x/term"

	"github.com/livespec/livespec"
)

// hashToken returns a fixed-length digest of a token, so comparisons take
// the same time whatever the lengths.
func hashToken(t string) [32]byte { return sha256.Sum256([]byte(t)) }

// tokens authenticates requests: by Config.Callers when set, else by the
// configured bearer tokens (none: every request is let through).
type tokens struct {
	hashes  [][32]byte
	callers func(token string) (livespec.Caller, bool)
}

// authenticate lets the request through when no tokens are configured or
// when its Authorization header (or, without one, the web page's cookie)
// carries one of them. Tokens are never logged.
func (t *tokens) authenticate(c *gin.Context) {
	if !t.needed() {
		admit(c, anonymous)
		return
	}
	tok, _, ok := requestToken(c)
	if !ok {
		fail(c, livespec.Errorf(livespec.EUNAUTHORIZED, "missing bearer token: send Authorization: Bearer <token>"))
		return
	}
	caller, ok := t.callerOf(tok)
	if !ok {
		fail(c, livespec.Errorf(livespec.EUNAUTHORIZED, "invalid bearer token"))
		return
	}
	admit(c, caller)
}

// anonymous is the caller of a server without tokens (on loopback only).
var anonymous = livespec.Caller{Name: "anonymous", Scope: livespec.AllRepos(), Ingest: true, Subscribe: true}

// needed reports whether requests must carry a token.
func (t *tokens) needed() bool { return len(t.hashes) > 0 || t.callers != nil }

// callerOf returns the caller a token names: from Config.Callers when
// set, else any configured token may read everything. Both compare in
// constant time.
func (t *tokens) callerOf(tok string) (livespec.Caller, bool) {
	if t.callers != nil {
		return t.callers(tok)
	}
	given := hashToken(tok)
	match := 0
	for _, want := range t.hashes {
		match |= subtle.ConstantTimeCompare(given[:], want[:])
	}
	return livespec.Caller{Name: "token", Scope: livespec.AllRepos(), Ingest: true, Subscribe: true}, match == 1
}

// valid compares tok with every configured token in constant time.
func (t *tokens) valid(tok string) bool {
	_, ok := t.callerOf(tok)
	return ok
}

// admit lets the request through as caller: its context carries it, so
// the scoped store limits every read to the caller's repositories.
func admit(c *gin.Context, caller livespec.Caller) {
	c.Request = c.Request.WithContext(livespec.WithCaller(c.Request.Context(), caller))
	c.Next()
}

// validRequest reports whether no tokens are configured or the request
// carries a valid one.
func (t *tokens) validRequest(c *gin.Context) bool {
	if !t.needed() {
		return true
	}
	tok, _, ok := requestToken(c)
	return ok && t.valid(tok)
}

// ParseTokens splits a comma-separated token list (LIVESPEC_API_TOKENS),
// dropping blanks.
func ParseTokens(s string) []string {
	var out []string
	for t := range strings.SplitSeq(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// ReadTokenFile reads one token per line from path, skipping blank lines
// and lines starting with '#'.
func ReadTokenFile(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, livespec.WrapError(livespec.EINVALID, err, "cannot read the API token file %s", path)
	}
	var out []string
	for line := range strings.SplitSeq(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		return nil, livespec.Errorf(livespec.EINVALID, "the API token file %s holds no token", path)
	}
	return out, nil
}

// CheckBind refuses to serve without tokens on anything but a loopback
// address, unless allowOpen is set. addr is a listen address ("host:port",
// ":8080" meaning every interface).
func CheckBind(addr string, tokens []string, allowOpen bool) error {
	if len(tokens) > 0 || allowOpen {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return livespec.WrapError(livespec.EINVALID, err, "bad listen address %q (want host:port)", addr)
	}
	if isLoopback(host) {
		return nil
	}
	return livespec.Errorf(livespec.EINVALID,
		"refusing to serve on %s without API tokens: set LIVESPEC_API_TOKENS (or a token file), listen on 127.0.0.1, or allow unauthenticated access explicitly", addr)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.IsLoopback()
}

// NewLogger returns a slog.Logger writing to w: text for a terminal, JSON
// otherwise (for log collectors).
func NewLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

package api

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/web"
)

// The web page's routes (package web) are listed in routes.go with the
// others; this file holds what the API gives them: authentication by a
// token kept in a cookie, the one error mapping, and the answer queue.

// requestToken returns the token a request carries: its bearer token, or
// else the web page's cookie. cookie says where it came from.
func requestToken(c *gin.Context) (tok string, cookie, ok bool) {
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, t, found := strings.Cut(h, " ")
		t = strings.TrimSpace(t)
		return t, false, found && strings.EqualFold(scheme, "Bearer") && t != ""
	}
	if ck, err := c.Request.Cookie(web.CookieName); err == nil && ck.Value != "" {
		return ck.Value, true, true
	}
	return "", false, false
}

// authenticatePage lets a browser through like authenticate does, and
// sends one without a valid token to the sign-in form.
func (t *tokens) authenticatePage(c *gin.Context) {
	if !t.needed() {
		admit(c, anonymous)
		return
	}
	if tok, _, ok := requestToken(c); ok {
		if caller, ok := t.callerOf(tok); ok {
			admit(c, caller)
			return
		}
	}
	if c.Request.Method == http.MethodGet {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	fail(c, livespec.Errorf(livespec.EUNAUTHORIZED, "sign in at /login first"))
}

// pageError returns the page's error mapping: the status and safe message
// a page shows, through the API's one mapping, with server faults logged
// to log.
func pageError(log *slog.Logger) func(err error) (int, string) {
	return func(err error) (int, string) {
		code, msg := classify(err)
		status := statusOf(code)
		if status >= 500 && status != statusCancelled {
			log.Error("web: page failed", "err", err)
		}
		return status, msg
	}
}

// askPage answers the page's question form (JavaScript off) through the
// same queue and limits as POST /v1/ask.
func askPage(a *answers) func(r *http.Request, req livespec.AskRequest) (*livespec.Answer, error) {
	return func(r *http.Request, req livespec.AskRequest) (*livespec.Answer, error) {
		if n := utf8.RuneCountInString(req.Question); n > MaxQuestionRunes {
			return nil, invalid("question", "%d characters; the limit is %d", n, MaxQuestionRunes)
		}
		release, _, err := a.admit(r.Context(), req)
		if err != nil {
			return nil, err
		}
		return a.answer(r.Context(), req, nil, release)
	}
}

// periodParser returns parse (Config.ParsePeriod), or, when it is nil, a
// parser that answers with a clear error.
func periodParser(parse func(text string, now time.Time) (livespec.Window, error)) func(text string, now time.Time) (livespec.Window, error) {
	if parse != nil {
		return parse
	}
	return func(string, time.Time) (livespec.Window, error) {
		return livespec.Window{}, livespec.Errorf(ENOTCONFIGURED, "period: this server cannot parse periods; use since and until")
	}
}

// pageOpenAPI is the OpenAPI entry of a web page route at path p.
func pageOpenAPI(p string) map[string]any {
	op := map[string]any{
		"summary":     "Web page for browsers (HTML)",
		"description": "Part of the web page at /. Authenticated like the API, or by the token cookie /login sets.",
		"tags":        []any{"web"},
		"responses":   withCommonErrors(map[string]any{"default": map[string]any{"description": "An HTML page, or a redirect to /login."}}),
	}
	var params []any
	for seg := range strings.SplitSeq(p, "/") {
		if len(seg) > 2 && seg[0] == '{' {
			params = append(params, map[string]any{"name": seg[1 : len(seg)-1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
	}
	if params != nil {
		op["parameters"] = params
	}
	return op
}

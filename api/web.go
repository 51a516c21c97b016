package api

import (
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

// validToken compares tok with every configured token in constant time.
func (s *Server) validToken(tok string) bool {
	_, ok := s.callerOf(tok)
	return ok
}

// authenticatePage lets a browser through like authenticate does, and
// sends one without a valid token to the sign-in form.
func (s *Server) authenticatePage(c *gin.Context) {
	if !s.needsToken() {
		s.admit(c, anonymous)
		return
	}
	if tok, _, ok := requestToken(c); ok {
		if caller, ok := s.callerOf(tok); ok {
			s.admit(c, caller)
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

// pageError maps an error to the status and safe message a page shows,
// through the API's one mapping, and logs server faults.
func (s *Server) pageError(err error) (int, string) {
	code, msg := classify(err)
	status := statusOf(code)
	if status >= 500 && status != statusCancelled {
		s.log.Error("web: page failed", "err", err)
	}
	return status, msg
}

// askPage answers the page's question form (JavaScript off) through the
// same queue and limits as POST /v1/ask.
func askPage(a *answers) func(r *http.Request, req livespec.AskRequest) (*livespec.Answer, error) {
	return func(r *http.Request, req livespec.AskRequest) (*livespec.Answer, error) {
		if n := utf8.RuneCountInString(req.Question); n > MaxQuestionRunes {
			return nil, invalid("question", "%d characters; the limit is %d", n, MaxQuestionRunes)
		}
		release, err := a.admit(r.Context(), req)
		if err != nil {
			return nil, err
		}
		return a.answer(r.Context(), req, nil, release)
	}
}

// parsePeriod is Config.ParsePeriod, or a clear error when it is unset.
func (s *Server) parsePeriod(text string, now time.Time) (livespec.Window, error) {
	if s.cfg.ParsePeriod == nil {
		return livespec.Window{}, livespec.Errorf(ENOTCONFIGURED, "period: this server cannot parse periods; use since and until")
	}
	return s.cfg.ParsePeriod(text, now)
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

package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/livespec/livespec/api"
	"github.com/livespec/livespec/web"
)

// TestWebPageAuth: with tokens configured, a browser is sent to /login,
// gives the token once, and its HttpOnly cookie then opens the pages and
// the API calls the page's script makes.
func TestWebPageAuth(t *testing.T) {
	const token = "s3cret-token-value"
	f := newFixture(t, func(c *api.Config, _ *fixture) { c.Tokens = []string{"other", token} })

	w := do(t, f.h, "GET", "/changes?period=last+quarter", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?next="+url.QueryEscape("/changes?period=last+quarter") {
		t.Fatalf("page without a token: %d Location %q", w.Code, w.Header().Get("Location"))
	}
	if w := do(t, f.h, "GET", "/static/app.js", nil); w.Code != 200 {
		t.Errorf("the script is not public: %d", w.Code)
	}
	if w := do(t, f.h, "GET", "/login", nil); w.Code != 200 || !strings.Contains(w.Body.String(), `<label for="token">API token</label>`) {
		t.Errorf("login form: %d", w.Code)
	}

	login := func(tok string) *http.Response {
		form := url.Values{"token": {tok}, "next": {"/changes?period=last+quarter"}}
		return doForm(t, f.h, "/login", strings.NewReader(form.Encode()))
	}
	if res := login("s3cret"); res.StatusCode != http.StatusUnauthorized || len(res.Cookies()) != 0 {
		t.Fatalf("a token prefix signs in: %d %v", res.StatusCode, res.Cookies())
	}
	res := login(token)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/changes?period=last+quarter" {
		t.Fatalf("login: %d Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	var ck *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == web.CookieName {
			ck = c
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" {
		t.Fatalf("cookie = %+v, want HttpOnly, SameSite=Strict, Path=/", ck)
	}
	cookie := ck.Name + "=" + ck.Value
	for _, tt := range []struct {
		method, target, body string
		want                 int
	}{
		{"GET", "/changes?period=last+quarter", "", 200},
		{"GET", "/browse", "", 200},
		{"GET", "/v1/changes?since=2025-01-01", "", 200},
		{"POST", "/v1/ask", `{"question":"coupons?"}`, 200},
	} {
		var body any
		if tt.body != "" {
			body = tt.body
		}
		if w := do(t, f.h, tt.method, tt.target, body, "Cookie", cookie); w.Code != tt.want {
			t.Errorf("%s %s with the cookie: %d, want %d: %s", tt.method, tt.target, w.Code, tt.want, w.Body.String())
		}
	}
	if w := do(t, f.h, "GET", "/browse", nil, "Cookie", web.CookieName+"=wrong"); w.Code != http.StatusSeeOther {
		t.Errorf("a wrong cookie opens the page: %d", w.Code)
	}
	if w := do(t, f.h, "POST", "/ui/answer", `{}`); w.Code != http.StatusUnauthorized {
		t.Errorf("POST page route without a token: %d, want 401", w.Code)
	}
	// An outside redirect target is refused.
	form := url.Values{"token": {token}, "next": {"//evil.example/"}}
	if res := doForm(t, f.h, "/login", strings.NewReader(form.Encode())); res.Header.Get("Location") != "/" {
		t.Errorf("login redirects to %q", res.Header.Get("Location"))
	}
}

// TestWebPagesAreMeasured: page requests show up in the API's request
// metrics under their route.
func TestWebPagesAreMeasured(t *testing.T) {
	f := newFixture(t)
	if w := do(t, f.h, "GET", "/browse", nil); w.Code != 200 {
		t.Fatalf("browse: %d %s", w.Code, w.Body.String())
	}
	m := do(t, f.h, "GET", "/metrics", nil).Body.String()
	if !strings.Contains(m, `route="/browse"`) {
		t.Errorf("no metric for /browse in\n%s", m)
	}
}

// doForm posts an HTML form to h.
func doForm(t testing.TB, h http.Handler, target string, body io.Reader) *http.Response {
	t.Helper()
	req := httptest.NewRequest("POST", target, body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Result()
}

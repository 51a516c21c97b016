package web

import (
	"net/http"
	"strings"
)

// CookieName is the cookie that keeps a web user's API token.
const CookieName = "livespec_token"

// cookieMaxAge is how long a browser keeps the token: 30 days.
const cookieMaxAge = 30 * 24 * 3600

type loginView struct {
	Next  string
	Wrong bool
}

// Login serves /login: GET shows a form asking for an API token once;
// POST checks it with valid (a constant-time comparison) and keeps it in
// an HttpOnly, SameSite=Strict cookie, then returns to ?next=.
func Login(valid func(token string) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			render(w, http.StatusOK, "login", page{Title: "Sign in", Body: loginView{Next: localPath(r.URL.Query().Get("next"))}})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
		next := localPath(r.PostFormValue("next"))
		tok := strings.TrimSpace(r.PostFormValue("token"))
		if tok == "" || !valid(tok) {
			render(w, http.StatusUnauthorized, "login", page{Title: "Sign in", Body: loginView{Next: next, Wrong: true}})
			return
		}
		http.SetCookie(w, &http.Cookie{Name: CookieName, Value: tok, Path: "/", MaxAge: cookieMaxAge,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
		http.Redirect(w, r, next, http.StatusSeeOther)
	})
}

// localPath keeps a redirect target inside this site.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}

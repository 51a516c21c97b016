package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/livespec/livespec"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Errors turns an error into what a user may see: the HTTP status and a
// safe message. Package api passes its one error mapping.
type Errors func(err error) (status int, message string)

// AskFunc answers one question without streaming (the page's form when
// JavaScript is off). Package api passes its bounded answer queue.
type AskFunc func(r *http.Request, req livespec.AskRequest) (*livespec.Answer, error)

// PeriodFunc turns a phrase ("last quarter") into a window at now.
type PeriodFunc func(text string, now time.Time) (livespec.Window, error)

// page is what the layout template needs of every page.
type page struct {
	Title string
	Nav   string // "ask", "changes", "browse", "doc"
	Body  any
}

var templates = template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))

var funcs = template.FuncMap{
	"day":      func(t time.Time) string { return fmtDay(t) },
	"short":    func(c string) string { return livespec.ShortCommit(c) },
	"docURL":   docURL,
	"anchor":   anchor,
	"headLast": lastHeading,
	"edits":    func(kinds []string) string { return strings.ReplaceAll(strings.Join(kinds, ", "), "_", " ") },
	"heading":  func(h string) string { return strings.Join(livespec.SplitHeading(h), " › ") },
	"zeroTime": func() time.Time { return time.Time{} },
	"area":     areaName,
}

// render writes the layout around the named body template.
func render(w http.ResponseWriter, status int, name string, p page) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, "layout", struct {
		page
		Content string
	}{p, name}); err != nil {
		slog.Default().Error("web: template", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail renders an error page with the status and safe message errs gives.
func fail(w http.ResponseWriter, errs Errors, err error) {
	status, msg := errs(err)
	render(w, status, "error", page{Title: "Error", Body: struct {
		Status  int
		Message string
	}{status, msg}})
}

// Static serves the page's own stylesheet and script.
func Static() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		fsrv.ServeHTTP(w, r)
	})
}

// parseAt reads an "as of" date: YYYY-MM-DD means the end of that day (UTC),
// so the day's own commits are included; RFC 3339 is taken as is. Empty is
// the zero time (now).
func parseAt(param, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return livespec.EndOfDay(t), nil
	}
	return time.Time{}, livespec.Errorf(livespec.EINVALID, "%s: %q is not a date; use YYYY-MM-DD", param, clip(v, 40))
}

// parseDay reads a whole UTC day (YYYY-MM-DD) as its first instant.
func parseDay(param, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, livespec.Errorf(livespec.EINVALID, "%s: %q is not a date; use YYYY-MM-DD", param, clip(v, 40))
	}
	return t, nil
}

func validity(at time.Time) livespec.Validity {
	if at.IsZero() {
		return livespec.Current()
	}
	return livespec.AsOf(at)
}

func fmtDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// atParam formats an as-of instant for a URL: the day when it is a day's
// end, RFC 3339 otherwise (a commit's landing).
func atParam(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	if t.Add(time.Nanosecond).Truncate(24*time.Hour) == t.Add(time.Nanosecond) {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// docURL links to a spec file's page at a date (zero: now).
func docURL(repo, path string, at time.Time) string {
	q := url.Values{}
	if repo != "" {
		q.Set("repo", repo)
	}
	if s := atParam(at); s != "" {
		q.Set("at", s)
	}
	u := "/doc/" + escapePath(path)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// anchor is the id of a section on the document page: its heading path's
// headings slugged and joined, so repeated headings under different parents
// stay apart. A long section's parts share their section's anchor.
func anchor(heading string) string {
	if heading == "" {
		return "top"
	}
	var b strings.Builder
	b.WriteString("s")
	for _, h := range livespec.SplitHeading(heading) {
		b.WriteString("-")
		for _, r := range strings.ToLower(h) {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
				b.WriteRune(r)
			case r == ' ' || r == '-' || r == '_':
				b.WriteByte('_')
			case r > 127:
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

func lastHeading(h string) string {
	hs := livespec.SplitHeading(h)
	if len(hs) == 0 {
		return livespec.PreambleHeading
	}
	return hs[len(hs)-1]
}

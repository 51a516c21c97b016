package push

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/livespec/livespec"
)

// restPaths is how many paths of the folded documents a digest names.
const restPaths = 5

// PeriodText names a digest's window in days ("2025-07-01 to 2025-09-30"),
// or in minutes when a bound is not a midnight UTC.
func PeriodText(w livespec.Window) string {
	from, to := w.From.UTC(), w.To.UTC()
	midnight := func(t time.Time) bool { return t.Equal(t.Truncate(24 * time.Hour)) }
	if midnight(from) && midnight(to) {
		last := to.AddDate(0, 0, -1)
		if last.Equal(from) {
			return from.Format(time.DateOnly)
		}
		return from.Format(time.DateOnly) + " to " + last.Format(time.DateOnly)
	}
	return from.Format("2006-01-02 15:04") + " to " + to.Format("2006-01-02 15:04") + " UTC"
}

// TotalsText is the digest's first line in words: "7 commits changed 5
// documents: 1 added, 3 modified, 1 removed (23 section changes)."
func TotalsText(d *livespec.Digest) string {
	t := d.Totals
	if t.Commits == 0 {
		if len(d.Status) > 0 {
			return "No spec text changes."
		}
		return "No spec changes."
	}
	var parts []string
	for _, p := range []struct {
		n    int
		word string
	}{{t.Added, "added"}, {t.Modified, "modified"}, {t.Removed, "removed"}, {t.Renamed, "renamed"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.word))
		}
	}
	s := fmt.Sprintf("%s changed %s", livespec.Plural(t.Commits, "commit"), livespec.Plural(t.Documents, "document"))
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s + fmt.Sprintf(" (%s).", livespec.Plural(t.SectionChanges, "section change"))
}

// statusText says what the window did to a document.
func statusText(doc livespec.DigestDocument) string {
	switch doc.Status {
	case livespec.Added:
		return "new"
	case livespec.Removed:
		return "removed"
	case livespec.Renamed:
		if doc.OldPath != "" {
			return "renamed from " + doc.OldPath
		}
		return "renamed"
	}
	return "changed"
}

// docLine is the line under a document's title.
func docLine(doc livespec.DigestDocument) string {
	s := fmt.Sprintf("%s · %s", livespec.Plural(doc.Commits, "commit"), livespec.Plural(doc.SectionChanges, "section change"))
	if len(doc.Authors) > 0 {
		s += " · by " + joinMax(doc.Authors, 3)
	}
	return s
}

// sectionWhat says what happened to a section and what it says now, as
// (what, quote).
func sectionWhat(s livespec.DigestSection) (string, string) {
	what := string(s.Kind)
	if s.Changes > 1 {
		what += fmt.Sprintf(" %d×", s.Changes)
	}
	what += fmt.Sprintf(", %s, %s", s.Date.UTC().Format(time.DateOnly), livespec.ShortCommit(s.Commit))
	if s.Editorial != "" {
		what += ", editorial: " + strings.ReplaceAll(s.Editorial, "_", " ")
	}
	switch {
	case s.Kind == livespec.Removed && s.Before != "":
		return what, "it said “" + s.Before + "”"
	case s.Now != "" && s.Kind == livespec.Added:
		return what, "“" + s.Now + "”"
	case s.Now != "" && s.Before != "":
		return what, "now says “" + s.Now + "” (was “" + s.Before + "”)"
	case s.Now != "":
		return what, "now says “" + s.Now + "”"
	case s.Before != "":
		return what, "no longer says “" + s.Before + "”"
	}
	return what, ""
}

// restText is the folded documents in words.
func restText(r livespec.DigestRest, code func(string) string) string {
	if r.Documents == 0 {
		return ""
	}
	var names []string
	for i, p := range r.Paths {
		if i == restPaths {
			names = append(names, fmt.Sprintf("and %d more", len(r.Paths)-i))
			break
		}
		names = append(names, code(p))
	}
	return fmt.Sprintf("%d more %s (%s): %s.", r.Documents, livespec.PluralWord(r.Documents, "document"), livespec.Plural(r.SectionChanges, "section change"), strings.Join(names, ", "))
}

// Markdown renders a digest as Markdown: totals first, then the notable
// documents, then the rest in counts.
func Markdown(d *livespec.Digest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Spec digest: %s\n\n", PeriodText(d.Window))
	fmt.Fprintf(&b, "**%s**\n", TotalsText(d))
	if d.Empty() {
		return b.String()
	}
	if st := StatusText(d); st != "" {
		b.WriteString("\n## Status changes\n\n" + st + "\n\n")
		docs := statusDocs(d)
		for i, sd := range docs {
			if i == maxStatusDocs {
				b.WriteString("- " + statusRest(docs[i:]) + "\n")
				break
			}
			title := sd.Title
			if sd.URL != "" {
				title = "[" + title + "](" + sd.URL + ")"
			}
			fmt.Fprintf(&b, "- %s (`%s`): %s\n", title, sd.Path, sd.what(func(v string) string { return "**" + v + "**" }, nil))
		}
	}
	if len(d.Documents) == 0 && d.Rest.Documents == 0 {
		return b.String()
	}
	b.WriteString("\n## Notable changes\n")
	for _, doc := range d.Documents {
		title := doc.Title
		if doc.URL != "" {
			title = "[" + title + "](" + doc.URL + ")"
		}
		fmt.Fprintf(&b, "\n### %s — %s\n", title, statusText(doc))
		fmt.Fprintf(&b, "`%s` · %s\n\n", doc.Path, docLine(doc))
		for _, s := range doc.Sections {
			what, quote := sectionWhat(s)
			line := fmt.Sprintf("- **%s** (%s)", headingText(s.Heading), what)
			if quote != "" {
				line += ": " + quote
			}
			b.WriteString(line + "\n")
		}
		if doc.MoreSections > 0 {
			fmt.Fprintf(&b, "- and %s\n", livespec.Plural(doc.MoreSections, "more changed section"))
		}
	}
	if r := restText(d.Rest, func(p string) string { return "`" + p + "`" }); r != "" {
		b.WriteString("\n## Also changed\n\n" + r + "\n")
	}
	return b.String()
}

// HTML writes a digest as a self-contained HTML page for mail.
func HTML(w io.Writer, d *livespec.Digest) error {
	type sec struct {
		Heading, What, Quote, URL string
	}
	type doc struct {
		Title, URL, Status, Path, Line string
		Sections                       []sec
		More                           string
	}
	type status struct {
		Title, URL, Path string
		What             template.HTML
	}
	data := struct {
		Period, Totals, Rest, StatusLine, StatusRest string
		Status                                       []status
		Docs                                         []doc
	}{Period: PeriodText(d.Window), Totals: TotalsText(d), Rest: restText(d.Rest, func(p string) string { return p }), StatusLine: StatusText(d)}
	strong := func(v string) string { return "<strong>" + template.HTMLEscapeString(v) + "</strong>" }
	for i, sd := range statusDocs(d) {
		if i == maxStatusDocs {
			data.StatusRest = statusRest(statusDocs(d)[i:])
			break
		}
		what := template.HTML(sd.what(strong, template.HTMLEscapeString)) // every part escaped
		data.Status = append(data.Status, status{Title: sd.Title, URL: sd.URL, Path: sd.Path, What: what})
	}
	for _, dd := range d.Documents {
		x := doc{Title: dd.Title, URL: dd.URL, Status: statusText(dd), Path: dd.Path, Line: docLine(dd)}
		for _, s := range dd.Sections {
			what, quote := sectionWhat(s)
			x.Sections = append(x.Sections, sec{Heading: headingText(s.Heading), What: what, Quote: quote, URL: s.URL})
		}
		if dd.MoreSections > 0 {
			x.More = "and " + livespec.Plural(dd.MoreSections, "more changed section")
		}
		data.Docs = append(data.Docs, x)
	}
	return htmlDigest.Execute(w, data)
}

var htmlDigest = template.Must(template.New("digest").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Spec digest: {{.Period}}</title></head>
<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:720px;margin:auto;color:#1d1d1f;line-height:1.45">
<h1 style="font-size:22px">Spec digest: {{.Period}}</h1>
<p style="font-size:16px"><strong>{{.Totals}}</strong></p>
{{if .Status}}<h2 style="font-size:18px">Status changes</h2>
<p>{{.StatusLine}}</p>
<ul style="margin:6px 0">{{range .Status}}
<li>{{if .URL}}<a href="{{.URL}}">{{.Title}}</a>{{else}}{{.Title}}{{end}} (<code>{{.Path}}</code>): {{.What}}</li>{{end}}
{{if .StatusRest}}<li style="color:#6e6e73">{{.StatusRest}}</li>{{end}}</ul>
{{end}}{{if .Docs}}<h2 style="font-size:18px">Notable changes</h2>{{end}}
{{range .Docs}}<div style="margin:0 0 18px 0">
<h3 style="font-size:16px;margin:0">{{if .URL}}<a href="{{.URL}}">{{.Title}}</a>{{else}}{{.Title}}{{end}} <span style="color:#6e6e73;font-weight:normal">— {{.Status}}</span></h3>
<div style="color:#6e6e73;font-size:13px"><code>{{.Path}}</code> · {{.Line}}</div>
<ul style="margin:6px 0">{{range .Sections}}
<li><strong>{{if .URL}}<a href="{{.URL}}">{{.Heading}}</a>{{else}}{{.Heading}}{{end}}</strong> ({{.What}}){{if .Quote}}: {{.Quote}}{{end}}</li>{{end}}
{{if .More}}<li style="color:#6e6e73">{{.More}}</li>{{end}}</ul>
</div>
{{end}}{{if .Rest}}<h2 style="font-size:18px">Also changed</h2>
<p>{{.Rest}}</p>{{end}}
</body></html>
`))

func headingText(h string) string {
	if h == "" {
		return "(text before the first heading)"
	}
	return h
}

func joinMax(ss []string, n int) string {
	if len(ss) <= n {
		return strings.Join(ss, ", ")
	}
	return strings.Join(ss[:n], ", ") + fmt.Sprintf(" and %d more", len(ss)-n)
}

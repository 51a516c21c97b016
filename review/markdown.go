package review

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

// GitHubCommentBytes is the size a --github-comment stays under: GitHub
// refuses comments over 65,536 characters.
const GitHubCommentBytes = 60000

// maxListed caps the sections listed under one document in a terminal
// report; the rest are counted.
const maxListed = 20

// MarkdownOptions shapes the Markdown of a report.
type MarkdownOptions struct {
	// Permalink is a template such as
	// "https://github.com/ORG/REPO/blob/{commit}/{path}#{anchor}" that
	// links sections and code lines at their commit; "" links nothing.
	Permalink string
	// MaxBytes caps the output (0 = no cap): lists are cut, and what
	// was left out is counted.
	MaxBytes int
}

// Markdown renders a report for a person reading a pull request: the
// totals, the spec diff per document, then the drift findings.
func Markdown(r *Report, o MarkdownOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Spec review %s..%s\n\n", r.Base.Hash[:7], r.Head.Hash[:7])
	b.WriteString(summaryLine(r) + "\n")
	var parts []string
	for _, d := range r.Documents {
		parts = append(parts, documentMarkdown(d, r, o))
	}
	findings := findingsMarkdown(r, o, o.MaxBytes/2)
	budget := o.MaxBytes - b.Len() - len(findings) - 200
	left := 0
	for i, p := range parts {
		if o.MaxBytes > 0 && budget-len(p) < 0 {
			left = len(parts) - i
			break
		}
		budget -= len(p)
		b.WriteString(p)
	}
	if left > 0 {
		fmt.Fprintf(&b, "\n*… and %s more, left out to keep this short (`livespec review` lists them all).*\n", livespec.Plural(left, "document"))
	}
	b.WriteString(findings)
	return b.String()
}

// summaryLine counts the report in one sentence.
func summaryLine(r *Report) string {
	t := r.Totals
	var commits string
	if r.Commits >= 0 {
		commits = livespec.Plural(r.Commits, "commit") + ": "
	}
	if t.Documents == 0 {
		return commits + "no spec document changed." + driftCounts(t)
	}
	var secs []string
	for _, c := range []struct {
		n    int
		word string
	}{{t.Added, "added"}, {t.Changed, "changed"}, {t.Removed, "removed"}} {
		if c.n > 0 {
			secs = append(secs, fmt.Sprintf("%d %s", c.n, c.word))
		}
	}
	s := commits + livespec.Plural(t.Documents, "spec document") + " changed"
	if len(secs) > 0 {
		s += "; sections " + strings.Join(secs, ", ")
	}
	if t.Facts > 0 {
		s += "; " + livespec.Plural(t.Facts, "lifecycle fact") + " changed"
	}
	if t.Editorial > 0 {
		s += "; " + livespec.Plural(t.Editorial, "editorial edit")
	}
	return s + "." + driftCounts(t)
}

func driftCounts(t Totals) string {
	var f []string
	if t.Stale > 0 {
		f = append(f, fmt.Sprintf("%d stale", t.Stale))
	}
	if t.Undocumented > 0 {
		f = append(f, fmt.Sprintf("%d undocumented", t.Undocumented))
	}
	if t.Uncovered > 0 {
		f = append(f, fmt.Sprintf("%d linked section not updated", t.Uncovered))
	}
	if len(f) == 0 {
		return " No drift found between code and spec."
	}
	return " Drift: " + strings.Join(f, ", ") + "."
}

// documentMarkdown is one document's part of the report.
func documentMarkdown(d Document, r *Report, o MarkdownOptions) string {
	var b strings.Builder
	commit := r.Head.Hash
	if d.Kind == livespec.Removed {
		commit = r.Base.Hash
	}
	name := "`" + d.Path + "`"
	if u := retrieval.Permalink(o.Permalink, "", commit, d.Path, ""); u != "" {
		name = "[`" + d.Path + "`](" + u + ")"
	}
	fmt.Fprintf(&b, "\n### %s — %s", d.Title, name)
	switch d.Kind {
	case livespec.Added, livespec.Removed:
		fmt.Fprintf(&b, " (%s)", d.Kind)
	case livespec.Renamed:
		fmt.Fprintf(&b, " (renamed from `%s`)", d.OldPath)
	}
	b.WriteString("\n\n")
	for _, f := range d.Facts {
		fmt.Fprintf(&b, "- **%s**: %s\n", cmp.Or(f.Field, f.Name), factMove(f))
	}
	for i, s := range d.Sections {
		if i == maxListed && len(d.Sections) > maxListed+1 {
			fmt.Fprintf(&b, "- … and %s more\n", livespec.Plural(len(d.Sections)-i, "section"))
			break
		}
		b.WriteString(sectionLine(s, d, r, o))
	}
	if n := sum(d.Editorial); n > 0 {
		kinds := make([]string, 0, len(d.Editorial))
		for _, k := range slices.Sorted(maps.Keys(d.Editorial)) {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, d.Editorial[k]))
		}
		fmt.Fprintf(&b, "- %s (%s)\n", livespec.Plural(n, "editorial edit"), strings.Join(kinds, ", "))
	}
	return b.String()
}

// sectionLine is one section's line: what happened, then its sentences.
func sectionLine(s SectionChange, d Document, r *Report, o MarkdownOptions) string {
	commit := r.Head.Hash
	if s.Kind == livespec.Removed {
		commit = r.Base.Hash
	}
	h := "*" + inDoc(s.Heading, d.Title) + "*"
	path := d.Path
	if s.Kind == livespec.Removed && d.OldPath != "" {
		path = d.OldPath
	}
	if u := retrieval.Permalink(o.Permalink, "", commit, path, s.Heading); u != "" {
		h = "[" + inDoc(s.Heading, d.Title) + "](" + u + ")"
	}
	line := fmt.Sprintf("- **%s** %s", kindWord(s.Kind), h)
	if s.OldHeading != "" {
		line += " (was *" + inDoc(s.OldHeading, d.Title) + "*)"
	}
	switch {
	case s.Before != "" && s.Now != "":
		line += fmt.Sprintf(": %s → %s", quote(s.Before), quote(s.Now))
	case s.Now != "" && s.Kind == livespec.Added:
		line += ": " + quote(s.Now)
	case s.Now != "":
		line += ": now says " + quote(s.Now)
	case s.Before != "" && s.Kind == livespec.Removed:
		line += ": said " + quote(s.Before)
	case s.Before != "":
		line += ": no longer says " + quote(s.Before)
	case s.Summary != "":
		line += " (" + s.Summary + ")"
	}
	return line + "\n"
}

func kindWord(k livespec.ChangeKind) string {
	switch k {
	case livespec.Added:
		return "Added"
	case livespec.Removed:
		return "Removed"
	case livespec.Renamed:
		return "Moved"
	}
	return "Changed"
}

func factMove(f FactChange) string {
	switch {
	case f.Before == "":
		return "set to " + code(f.After)
	case f.After == "":
		return "removed (was " + code(f.Before) + ")"
	}
	return code(f.Before) + " → " + code(f.After)
}

// findingsMarkdown lists the drift findings by kind, in about max bytes
// at most (0: no cap), counting those left out.
func findingsMarkdown(r *Report, o MarkdownOptions, max int) string {
	var b strings.Builder
	left := 0
	for _, g := range []struct {
		kind  FindingKind
		title string
	}{
		{Stale, "The spec names what the code no longer has"},
		{Undocumented, "New on a public surface, named by no spec section"},
		{Uncovered, "Code changed, its linked spec section did not"},
	} {
		var lines []string
		for _, f := range r.Findings {
			if f.Kind != g.kind {
				continue
			}
			l := findingLine(f, o)
			if max > 0 && b.Len()+len(strings.Join(lines, ""))+len(l) > max {
				left++
				continue
			}
			lines = append(lines, l)
		}
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n%s", g.title, strings.Join(lines, ""))
	}
	if left > 0 {
		fmt.Fprintf(&b, "\n*… and %s more, left out to keep this short (`livespec review` lists them all).*\n", livespec.Plural(left, "finding"))
	}
	return b.String()
}

// findingLine is one finding: the identifier, the code line, the spec
// section and why.
func findingLine(f Finding, o MarkdownOptions) string {
	where := fmt.Sprintf("`%s`", f.Code.Path)
	if f.Code.Line > 0 {
		where = fmt.Sprintf("`%s:%d`", f.Code.Path, f.Code.Line)
	}
	if o.Permalink != "" {
		anchor := ""
		if f.Code.Line > 0 {
			anchor = fmt.Sprintf("L%d", f.Code.Line)
		}
		u := strings.ReplaceAll(retrieval.Permalink(o.Permalink, "", f.Code.Commit, f.Code.Path, "x"), "#x", "")
		if anchor != "" {
			u += "#" + anchor
		}
		where = "[" + where + "](" + u + ")"
	}
	s := "- "
	if f.Ident != nil {
		s += fmt.Sprintf("`%s` (%s) ", f.Ident.Name, identWord(f.Ident.Kind))
	}
	s += where
	if f.Spec != nil {
		sec := fmt.Sprintf("`%s` › %s", f.Spec.Path, headingOrTop(f.Spec.Heading))
		if u := retrieval.Permalink(o.Permalink, "", f.Spec.Commit, f.Spec.Path, f.Spec.Heading); u != "" {
			sec = fmt.Sprintf("[`%s` › %s](%s)", f.Spec.Path, headingOrTop(f.Spec.Heading), u)
		}
		s += " · " + sec
	}
	return s + ": " + f.Why + "\n"
}

func identWord(k IdentKind) string {
	switch k {
	case EnvVar:
		return "environment variable"
	case ConfigKey:
		return "configuration key"
	case Exported:
		return "exported name"
	case ErrorCode:
		return "error code"
	}
	return string(k)
}

func headingOrTop(h string) string {
	if h == "" {
		return "(top of file)"
	}
	return h
}

// inDoc is a heading path as read under its document's title: the title
// itself is dropped ("Ingest > Command" under "Ingest" is "Command").
func inDoc(heading, title string) string {
	if rest, ok := strings.CutPrefix(heading, title+livespec.HeadingSep); ok && title != "" {
		return rest
	}
	return headingOrTop(heading)
}

func quote(s string) string { return "“" + s + "”" }

func code(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

package review

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/retrieval"
)

// mdLinkTarget is the target of a Markdown link.
var mdLinkTarget = regexp.MustCompile(`\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)

// link is an explicit link between code and a spec section.
type link struct {
	code    string // a glob (covers) or a path (a Markdown link, a code comment)
	line    int    // the comment's line in the code, when the code links
	spec    string // the spec file
	heading string // its section; "" with whole = a whole document
	whole   bool
	how     string
}

// uncovered reports changed code whose explicitly linked spec section
// did not change in the range: sections declare the code they cover, and
// code comments point at the sections that specify them.
func (rv *reviewer) uncovered(ctx context.Context, docs []Document) ([]Finding, error) {
	var changed []fileChange
	for _, fc := range rv.files {
		if fc.To != "" && !rv.isSpec(fc.To) && !ingest.IsTestFile(fc.To) && ctx.Err() == nil {
			changed = append(changed, fc)
		}
	}
	if len(changed) == 0 {
		return nil, ctx.Err()
	}
	specs, err := rv.headSpecs()
	if err != nil {
		return nil, err
	}
	links := rv.sectionLinks(specs)
	touched := touchedSections(docs)
	var out []Finding
	for _, fc := range changed {
		ls := slices.Clone(links)
		cl, err := rv.codeLinks(fc, specs)
		if err != nil {
			return nil, err
		}
		ls = append(ls, cl...)
		if f, ok := rv.firstUncovered(fc.To, ls, touched); ok {
			if f.Code.Line == 0 {
				f.Code.Line = rv.firstChangedLine(fc)
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// firstUncovered is the finding for a changed file whose every linked
// section stayed as it was, naming the first.
func (rv *reviewer) firstUncovered(p string, ls []link, touched map[string]bool) (Finding, bool) {
	var first *link
	for i := range ls {
		l := &ls[i]
		if !l.covers(p) {
			continue
		}
		if touched[l.spec+"\x00"+l.heading] || l.whole && touched[l.spec+"\x00"] {
			return Finding{}, false // one linked section changed with the code
		}
		if first == nil {
			first = l
		}
	}
	if first == nil {
		return Finding{}, false
	}
	return Finding{Kind: Uncovered,
		Code: CodeRef{Path: p, Line: first.line, Commit: rv.rp.head.Hash.String()},
		Spec: &SpecRef{Path: first.spec, Heading: first.heading, Commit: rv.rp.head.Hash.String()},
		Why:  fmt.Sprintf("`%s` changed and %s; the section did not change", p, first.how)}, true
}

func (l link) covers(p string) bool {
	if l.line > 0 || !strings.ContainsAny(l.code, "*?[{") {
		return l.code == p || strings.HasPrefix(p, strings.TrimSuffix(l.code, "/")+"/")
	}
	ok, _ := doublestar.Match(l.code, p)
	return ok
}

// sectionLinks are the links spec sections declare: covers comments and
// Markdown links to files that are not spec files.
func (rv *reviewer) sectionLinks(specs []specSection) []link {
	var out []link
	for _, s := range specs {
		for _, g := range ingest.CoversGlobs(s.Text) {
			out = append(out, link{code: g, spec: s.Path, heading: s.Heading,
				how: fmt.Sprintf("this section covers `%s`", g)})
		}
		for _, m := range mdLinkTarget.FindAllStringSubmatch(ingest.StripCode(s.Text), -1) {
			p, ok := ingest.ResolveLink(s.Path, m[1])
			if !ok || rv.isSpec(p) || codeLanguage(p) == "" {
				continue
			}
			if _, err := rv.rp.headTree.File(p); err != nil {
				continue
			}
			out = append(out, link{code: p, spec: s.Path, heading: s.Heading,
				how: fmt.Sprintf("this section links to `%s`", p)})
		}
	}
	return out
}

// codeLinks are the `spec: FILE.md#anchor` comments of a changed file at
// head, each resolved to its section (a missing anchor: the document).
func (rv *reviewer) codeLinks(fc fileChange, specs []specSection) ([]link, error) {
	src, err := rv.rp.blob(fc.ToHash)
	if err != nil || src == nil || bytes.IndexByte(src, 0) >= 0 {
		return nil, err // a binary file has no comments
	}
	var out []link
	for _, c := range ingest.SpecComments(src) {
		doc := rv.resolveSpec(fc.To, c.Target)
		if doc == "" {
			continue
		}
		l := link{code: fc.To, line: c.Line, spec: doc, whole: c.Anchor == "",
			how: fmt.Sprintf("its comment `spec: %s` points at the section", c.Text)}
		if c.Anchor != "" {
			l.heading = headingOf(specs, doc, c.Anchor)
			if l.heading == "" {
				continue // an anchor no section has: nothing certain to say
			}
		}
		out = append(out, l)
	}
	return out, nil
}

// resolveSpec finds a spec file a code comment names: from the
// repository's root, then from the code file's directory.
func (rv *reviewer) resolveSpec(from, target string) string {
	for _, p := range []string{path.Clean(strings.TrimPrefix(target, "/")), path.Join(path.Dir(from), target)} {
		if _, err := rv.rp.headTree.File(p); err == nil && rv.isSpec(p) {
			return p
		}
	}
	return ""
}

// headingOf is the heading of the section of doc whose anchor is anchor.
func headingOf(specs []specSection, doc, anchor string) string {
	for _, s := range specs {
		if s.Path == doc && s.Heading != "" && retrieval.Anchor(s.Heading) == strings.ToLower(anchor) {
			return s.Heading
		}
	}
	return ""
}

// touchedSections are the sections the range changed in substance
// ("path\x00heading"), and the documents with any change ("path\x00").
func touchedSections(docs []Document) map[string]bool {
	m := map[string]bool{}
	for _, d := range docs {
		m[d.Path+"\x00"] = true
		for _, s := range d.Sections {
			m[d.Path+"\x00"+s.Heading] = true
		}
		if d.Kind == livespec.Added {
			m[d.Path+"\x00"] = true
		}
	}
	return m
}

// firstChangedLine is the first line of a changed file's head version
// that differs from its base version (1 for a new file; 0 when unknown).
func (rv *reviewer) firstChangedLine(fc fileChange) int {
	after, err := rv.rp.blob(fc.ToHash)
	if err != nil || after == nil {
		return 0
	}
	before, err := rv.rp.blob(fc.FromHash)
	if err != nil {
		return 0
	}
	b, a := strings.Split(string(before), "\n"), strings.Split(string(after), "\n")
	for i := range a {
		if i >= len(b) || a[i] != b[i] {
			return i + 1
		}
	}
	return 0
}

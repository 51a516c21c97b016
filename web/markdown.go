package web

import (
	"bytes"
	"html/template"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/livespec/livespec/ingest"
)

// linkContext is what rewriting a document's links needs: the file they
// are in, its repository and the date the page shows.
type linkContext struct {
	repo, path string
	at         time.Time
	isSpec     func(path string) bool // nil: any .md/.markdown path is a spec file
	ids        *headingIDs            // the page's heading ids (nil: one set per call)
}

var linkCtxKey = parser.NewContextKey()

// rewriteLinks points relative links to other spec files at their page in
// this app, at the same date. Raw HTML is left out by goldmark's default
// (safe) renderer.
type rewriteLinks struct{}

func (rewriteLinks) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	lc, _ := pc.Get(linkCtxKey).(*linkContext)
	if lc == nil {
		unwrapRelativeLinks(doc)
		return
	}
	anchorTargets(doc, reader.Source())
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		l, ok := n.(*ast.Link)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		if u, ok := lc.resolve(string(l.Destination)); ok {
			l.Destination = []byte(u)
		}
		return ast.WalkContinue, nil
	})
}

// resolve returns the in-app URL of a link destination that names a spec
// file relative to the current one.
func (lc *linkContext) resolve(dest string) (string, bool) {
	frag := ""
	if i := strings.IndexByte(dest, '#'); i >= 0 {
		frag = dest[i:]
	}
	p, ok := ingest.ResolveLink(lc.path, dest)
	if !ok || lc.isSpec != nil && !lc.isSpec(p) || lc.isSpec == nil && !isMarkdown(p) {
		return "", false
	}
	return docURL(lc.repo, p, lc.at) + frag, true
}

// unwrapRelativeLinks keeps only the text of links without a scheme: in an
// answer, quoted from many files, a relative link has no file to be
// relative to.
func unwrapRelativeLinks(doc *ast.Document) {
	var rel []*ast.Link
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := n.(*ast.Link); ok && entering {
			if u, err := url.Parse(string(l.Destination)); err != nil || u.Scheme == "" {
				rel = append(rel, l)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, l := range rel {
		parent := l.Parent()
		for c := l.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, l, c)
			c = next
		}
		parent.RemoveChild(parent, l)
	}
}

func isMarkdown(p string) bool {
	ext := strings.ToLower(path.Ext(p))
	return ext == ".md" || ext == ".markdown"
}

var md = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithParserOptions(parser.WithAutoHeadingID(), parser.WithASTTransformers(util.Prioritized(rewriteLinks{}, 100))),
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(anchorRenderer{}, 100))),
)

// markdown renders Markdown to HTML (raw HTML dropped, dangerous URLs
// refused by goldmark), rewriting links between spec files when lc is set.
func markdown(src string, lc *linkContext) template.HTML {
	var buf bytes.Buffer
	ids := newHeadingIDs()
	if lc != nil && lc.ids != nil {
		ids = lc.ids
	}
	pc := parser.NewContext(parser.WithIDs(ids))
	if lc != nil {
		pc.Set(linkCtxKey, lc)
	}
	if err := md.Convert([]byte(src), &buf, parser.WithContext(pc)); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(buf.String()) //nolint:gosec // goldmark's safe renderer
}

var citeMarker = regexp.MustCompile(`\[(\d{1,3})\]`)

// linkCitations turns the [n] markers of rendered answer HTML into links
// to the citation list, for n in 1..count.
func linkCitations(h template.HTML, count int) template.HTML {
	return template.HTML(citeMarker.ReplaceAllStringFunc(string(h), func(m string) string {
		n, _ := strconv.Atoi(m[1 : len(m)-1])
		if n < 1 || n > count {
			return m
		}
		return `<a class="cite" href="#cite-` + strconv.Itoa(n) + `">[` + strconv.Itoa(n) + `]</a>`
	}))
}

package web

import (
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// Spec files link into themselves and each other by fragment (#fixed-fields,
// auth.md#tokens): to the ids GitHub gives headings, and to anchors their
// raw HTML names (<a name="oasInfo"></a>). The document page keeps both, so
// those links land.

// headingIDs gives headings GitHub's ids: lower case, letters, digits, "-"
// and "_" kept, spaces made "-", the rest (and inline HTML) dropped; a
// repeated id gets "-1", "-2", ... One headingIDs serves every section of
// a page, so ids stay unique across them.
type headingIDs struct{ used map[string]bool }

func newHeadingIDs() *headingIDs { return &headingIDs{used: map[string]bool{}} }

var inlineTag = regexp.MustCompile(`<[^>]*>`)

// Generate implements parser.IDs.
func (ids *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	var b strings.Builder
	for _, r := range strings.ToLower(inlineTag.ReplaceAllString(strings.TrimSpace(string(value)), "")) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	id := b.String()
	if id == "" {
		id = "heading"
	}
	unique := id
	for n := 1; ids.used[unique]; n++ {
		unique = id + "-" + strconv.Itoa(n)
	}
	ids.used[unique] = true
	return []byte(unique)
}

// Put implements parser.IDs.
func (ids *headingIDs) Put(value []byte) { ids.used[string(value)] = true }

// namedAnchor is an anchor a spec's raw HTML opens (<a name="x"> or
// <a id="x">); its id is all the page keeps of that HTML.
var namedAnchor = regexp.MustCompile(`^<a\s+(?:name|id)\s*=\s*"([^"<>]{1,200})"\s*/?>$`)

// anchorTarget stands where raw HTML named an anchor.
type anchorTarget struct {
	ast.BaseInline
	ID string
}

var kindAnchorTarget = ast.NewNodeKind("AnchorTarget")

// Kind implements ast.Node.
func (n *anchorTarget) Kind() ast.NodeKind { return kindAnchorTarget }

// Dump implements ast.Node.
func (n *anchorTarget) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"ID": n.ID}, nil)
}

// anchorTargets replaces the raw HTML inlines that name an anchor in doc
// by anchorTargets.
func anchorTargets(doc *ast.Document, src []byte) {
	var found []*ast.RawHTML
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if raw, ok := n.(*ast.RawHTML); ok && entering {
			found = append(found, raw)
		}
		return ast.WalkContinue, nil
	})
	for _, raw := range found {
		var text []byte
		for i := range raw.Segments.Len() {
			seg := raw.Segments.At(i)
			text = append(text, seg.Value(src)...)
		}
		m := namedAnchor.FindSubmatch(text)
		switch {
		case m == nil:
		case headingID(raw) == string(m[1]): // the heading has that id already
			raw.Parent().RemoveChild(raw.Parent(), raw)
		default:
			raw.Parent().ReplaceChild(raw.Parent(), raw, &anchorTarget{ID: string(m[1])})
		}
	}
}

// headingID is the id of the heading n is in, or "".
func headingID(n ast.Node) string {
	for ; n != nil; n = n.Parent() {
		if h, ok := n.(*ast.Heading); ok {
			if id, ok := h.AttributeString("id"); ok {
				if b, ok := id.([]byte); ok {
					return string(b)
				}
			}
			return ""
		}
	}
	return ""
}

// anchorRenderer renders an anchorTarget as an empty element with its id.
type anchorRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (anchorRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindAnchorTarget, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.WriteString(`<span id="` + html.EscapeString(n.(*anchorTarget).ID) + `"></span>`)
		}
		return ast.WalkContinue, nil
	})
}

package ingest

import (
	"bytes"
	"cmp"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/livespec/livespec"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// DefaultMaxSectionBytes is the section size above which a section is split
// into parts when ParseOptions.MaxSectionBytes is zero.
const DefaultMaxSectionBytes = 6000

// SplitterVersion names the splitting rules. It belongs in the ingest
// configuration fingerprint (livespec.Checkpoint.Config): a change to the
// rules changes section texts and hashes, so stored data must be rebuilt.
const SplitterVersion = "split/1"

// UntitledHeading stands for a heading with no text ("#" alone), so that it
// cannot be confused with the preamble's empty heading path.
const UntitledHeading = "(untitled)"

// ParseOptions controls how spec files are split.
type ParseOptions struct {
	// MaxSectionBytes is the size above which a section's normalised text
	// is split into parts at paragraph boundaries (default
	// DefaultMaxSectionBytes). Every part's text stays within it, unless the
	// heading line alone takes more than half of it.
	MaxSectionBytes int
}

func (o ParseOptions) maxBytes() int {
	if o.MaxSectionBytes <= 0 {
		return DefaultMaxSectionBytes
	}
	return o.MaxSectionBytes
}

// ParsedFile is one spec file version split into sections.
type ParsedFile struct {
	// Sections are in document order; (Heading, Part) is unique within the
	// file and every Hash is livespec.ContentHash(Text).
	Sections []livespec.Section `json:"sections"`
	// Meta is the YAML front matter (Markdown) or the top level of a
	// YAML/JSON file, as JSON-compatible values. Nil when there is none.
	Meta map[string]any `json:"meta,omitempty"`

	md    *mdLayout // for parsing the next version from this one (Markdown)
	facts []rawFact // the fields that are facts (set by the pipeline's parse workers)
}

// Outline returns the file's sections in document order as references.
func (f *ParsedFile) Outline() []livespec.SectionRef {
	refs := make([]livespec.SectionRef, len(f.Sections))
	for i, s := range f.Sections {
		refs[i] = livespec.SectionRef{Heading: s.Heading, Part: s.Part, Join: s.Join}
	}
	return refs
}

// ParseFile splits content by the file's type: .yaml, .yml and .json files
// as sidecars (see below), anything else as Markdown. It never panics, on any
// input. Markdown never fails; a sidecar that does not decode is a
// livespec.EINVALID error whose message names the file and the decoder's
// complaint ("kep.yaml: invalid YAML: line 3: ...").
//
// Markdown is parsed with goldmark (CommonMark). Only headings at the top
// level of the document start sections: a "# line" inside a code block, an
// HTML block, a block quote or a list item is body text. A section's Text
// runs from its heading line up to the next heading of any level, so a
// parent and its children are separate sections; Heading is the path of
// enclosing headings joined with livespec.HeadingSep, each heading as plain
// text (markup removed; a literal " > " inside a heading becomes " › "). Text
// before the first heading is the section with the empty heading path, and
// YAML front matter becomes Meta plus a section with heading
// livespec.FrontMatterHeading holding the YAML. Front matter that is not a
// valid YAML mapping stays in the preamble's text, and the rest of the file
// is still split. When a heading path repeats, later occurrences get " (2)",
// " (3)"... on their last heading (their children inherit the suffix).
//
// Texts are normalised (see NormalizeText), so edits that only touch line
// endings, trailing whitespace or the number of consecutive blank lines
// change no hash and yield no section change; any other edit, whitespace
// included, changes the hash.
//
// Relative links and images ([x](../auth/token.md#expiry), reference links)
// become Section.Links: clean repository-relative paths (no leading "/", no
// "..", anchor and query dropped; a leading "/" means the repository root).
// Absolute URLs, mailto: and other schemes, pure anchors and links that
// escape the repository are ignored. Links are not filtered by file type.
//
// A sidecar's Meta is its top-level mapping, and each top-level key is a
// section (Level 1) whose Text is the "key: value" YAML of that entry,
// re-encoded with two-space indentation and without comments, in file order.
// A document that is not a mapping is one section with the empty heading.
// Only the first document of a multi-document YAML file is read.
func ParseFile(filePath string, content []byte, opt ParseOptions) (*ParsedFile, error) {
	return parseFileFrom(filePath, content, opt, nil)
}

// parseFileFrom is ParseFile, parsing a Markdown file incrementally from
// base, the parse of another version of it, when that can be done exactly
// (see scanFrom). base may be nil.
func parseFileFrom(filePath string, content []byte, opt ParseOptions, base *ParsedFile) (*ParsedFile, error) {
	switch strings.ToLower(path.Ext(filePath)) {
	case ".yaml", ".yml":
		return parseSidecar(filePath, content, false)
	case ".json":
		return parseSidecar(filePath, content, true)
	}
	var md *mdLayout
	if base != nil {
		md = base.md
	}
	return parseMarkdownFrom(filePath, content, opt, md), nil
}

// mdParser is goldmark's CommonMark block parser with only the inline
// parsers that finding links needs (code spans, so that code is no link,
// and links): emphasis and raw HTML are left as text, which saves a sixth
// of the parse. Heading texts with such markup are parsed again with
// headingParser. A goldmark parser is safe for concurrent use: each Parse
// call has its own context.
var mdParser = parser.NewParser(
	parser.WithBlockParsers(parser.DefaultBlockParsers()...),
	parser.WithInlineParsers(
		util.Prioritized(parser.NewCodeSpanParser(), 100),
		util.Prioritized(parser.NewLinkParser(), 200),
	),
	parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
	parser.WithParagraphTransformers(util.Prioritized(linklessParagraphs{}, 0)),
)

// linklessParagraphs drops the lines of a closed paragraph that has no '['
// (so no link, image or link reference in it), after the link reference
// transformer has run: goldmark then spends no inline parsing on text that
// can hold no link, which was a third of the parse. Such a paragraph leaves
// the tree (goldmark removes paragraphs without lines), which changes
// nothing the splitter reads: headings and links only. A paragraph that a
// setext underline is turning into a heading is left alone: goldmark has
// already taken it off the open blocks then, and the heading needs its
// lines.
type linklessParagraphs struct{}

func (linklessParagraphs) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := node.Lines()
	src := reader.Source()
	for i := range lines.Len() {
		seg := lines.At(i)
		if bytes.IndexByte(seg.Value(src), '[') >= 0 {
			return
		}
	}
	open := pc.OpenedBlocks()
	for i := len(open) - 1; i >= 0; i-- {
		if open[i].Node == node {
			node.SetLines(text.NewSegments())
			return
		}
	}
}

// headingParser is goldmark's full CommonMark parser.
var headingParser = goldmark.DefaultParser()

// mdHeading is one top-level heading of a Markdown document.
type mdHeading struct {
	start   int // offset of the start of its first line
	headEnd int // offset just past its last line (the underline for setext)
	level   int
	text    string
	atx     bool   // an ATX heading, one line
	name    string // its heading path, once the splitter has named it
}

// mdLink is one link destination and the offset it sits at.
type mdLink struct {
	pos  int
	dest string
}

// parseMarkdownFrom splits a Markdown file, reusing what base (a parse of
// another version of a file in the same directory, or nil) found in the
// parts of the file that did not change: see scanFrom. The result is the
// same as without base, byte for byte.
func parseMarkdownFrom(filePath string, content []byte, opt ParseOptions, base *mdLayout) *ParsedFile {
	src := normalizeNewlines(content)
	pf := &ParsedFile{}
	s := &splitter{max: opt.maxBytes(), dir: path.Dir(filePath), used: map[string]int{}}
	lay := &mdLayout{dir: s.dir, max: s.max}
	if base != nil && (base.dir != lay.dir || base.max != lay.max) {
		base = nil
	}
	src, base = s.frontMatter(pf, lay, src, base)
	s.used[""] = 1
	lay.body = src

	// Headings, links and link reference definitions: from base where it
	// can tell, else from a parse of the whole body.
	var sc mdScan
	reused := false
	if base != nil {
		sc, reused = scanFrom(base, src)
	}
	if !reused {
		sc = scanMarkdown(src, nil)
		base = nil
	}
	lay.incremental = reused && sc.reused > 0
	lay.heads, lay.links, lay.refs, lay.refsOK = sc.heads, sc.links, sc.refs, sc.refsOK
	lay.secs = make([][2]int, len(sc.heads))

	s.preamble(lay, src, &sc, base)
	s.headings(lay, src, &sc, base)
	pf.Sections = s.out
	lay.out = s.out
	pf.md = lay
	return pf
}

// frontMatter splits the front matter off src into pf's metadata and its
// own section, reusing base's when it is the same, and records it in lay.
// It returns the rest of src, and base, or nil when base cannot be reused.
func (s *splitter) frontMatter(pf *ParsedFile, lay *mdLayout, src []byte, base *mdLayout) ([]byte, *mdLayout) {
	var preamblePrefix []byte
	if fm, rest, ok := cutFrontMatter(src); ok {
		lay.front = src[:len(src)-len(rest)]
		if base != nil && bytes.Equal(base.front, lay.front) {
			pf.Meta = base.meta
			s.out = append(s.out, base.frontSecs...)
			if len(base.frontSecs) > 0 {
				s.used[livespec.FrontMatterHeading] = 1
			}
			preamblePrefix = base.preamblePrefix
		} else {
			base = nil
			meta, yamlOK := frontMatterMeta(fm)
			if yamlOK {
				pf.Meta = meta
				if t := NormalizeText(string(fm)); t != "" {
					s.used[livespec.FrontMatterHeading] = 1
					s.emit(livespec.FrontMatterHeading, 0, t, nil)
				}
			} else {
				preamblePrefix = lay.front
			}
		}
		src = rest
	} else if base != nil && len(base.front) > 0 {
		base = nil
	}
	lay.meta, lay.frontSecs, lay.preamblePrefix = pf.Meta, s.out[:len(s.out):len(s.out)], preamblePrefix
	return src, base
}

// preamble emits the text before the first heading, or base's sections
// for it when the scan found it unchanged (base is nil when nothing was
// reused).
func (s *splitter) preamble(lay *mdLayout, src []byte, sc *mdScan, base *mdLayout) {
	lay.pre[0] = len(s.out)
	if base != nil && sc.samePreamble {
		s.out = append(s.out, base.sections(base.pre)...)
	} else {
		end := len(src)
		if len(sc.heads) > 0 {
			end = sc.heads[0].start
		}
		if pp := lay.preamblePrefix; len(pp) > 0 {
			// Broken front matter: keep it as preamble text, in front of the
			// Markdown preamble, with the links of the Markdown part.
			pre := string(pp) + string(src[:end])
			s.section("", 0, pre, "", linksIn(sc.links, 0, end), -len(pp))
		} else {
			s.section("", 0, string(src[:end]), "", linksIn(sc.links, 0, end), 0)
		}
	}
	lay.pre[1] = len(s.out)
}

// headings names each heading by its path and emits its section, or
// base's sections for it when the scan found the same heading path over
// the same text and links (base is nil when nothing was reused).
func (s *splitter) headings(lay *mdLayout, src []byte, sc *mdScan, base *mdLayout) {
	heads := sc.heads
	var stack []mdHeading // enclosing headings, with their final names
	for i := range heads {
		h := &heads[i]
		for len(stack) > 0 && stack[len(stack)-1].level >= h.level {
			stack = stack[:len(stack)-1]
		}
		parent := ""
		if len(stack) > 0 {
			parent = stack[len(stack)-1].text + livespec.HeadingSep
		}
		full := s.uniqueName(parent, h.text)
		stack = append(stack, mdHeading{level: h.level, text: full})
		h.name = full

		lay.secs[i][0] = len(s.out)
		if o := sc.oldIndex(i); base != nil && o >= 0 && base.heads[o].name == full {
			s.out = append(s.out, base.sections(base.secs[o])...)
		} else {
			end := len(src)
			if i+1 < len(heads) {
				end = heads[i+1].start
			}
			s.sectionAt(src, full, h.level, h.start, h.headEnd, end, linksIn(sc.links, h.start, end))
		}
		lay.secs[i][1] = len(s.out)
	}
}

// uniqueName returns the heading path parent+name, with " (k)" added to
// name when an earlier heading took that path, and marks it used.
func (s *splitter) uniqueName(parent, name string) string {
	if name == "" {
		name = UntitledHeading
	}
	full := parent + name
	if n := s.used[full]; n > 0 {
		for k := n + 1; ; k++ {
			cand := parent + name + " (" + strconv.Itoa(k) + ")"
			if s.used[cand] == 0 {
				s.used[full] = k
				full = cand
				break
			}
		}
	}
	s.used[full] = max(s.used[full], 1)
	return full
}

// mdScan is what a parse of a Markdown body finds: its top-level headings,
// its links and its link reference definitions, in document order.
type mdScan struct {
	heads []mdHeading
	links []mdLink
	refs  []mdRef
	// refsOK says that refs holds every definition the parser took (so a
	// later version may be compared with it).
	refsOK bool
	// For a scan assembled by scanFrom: oldHead[i] is the index in base's
	// layout of heads[i], or -1 for a heading parsed anew.
	oldHead      []int
	samePreamble bool // the text before the first heading is base's
	reused       int  // how many of base's chunks it reuses
}

// oldIndex returns the index in the base layout of heading i, or -1 when
// it was parsed anew.
func (sc *mdScan) oldIndex(i int) int {
	if sc.oldHead == nil {
		return -1
	}
	return sc.oldHead[i]
}

// scanMarkdown parses src with goldmark. With defs not nil, links resolve
// against defs only, whatever src defines.
func scanMarkdown(src []byte, defs map[string]parser.Reference) mdScan {
	rc := &refContext{Context: parser.NewContext(), fixed: defs}
	doc := mdParser.Parse(text.NewReader(limitNesting(src)), parser.WithContext(rc))
	var sc mdScan
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok {
			sc.heads = append(sc.heads, headingOf(h, src, rc))
		}
		sc.links, sc.refs = collectLinks(n, src, sc.links, sc.refs)
	}
	slices.SortStableFunc(sc.links, func(a, b mdLink) int { return cmp.Compare(a.pos, b.pos) })
	sc.refsOK = len(sc.refs) == rc.added
	for _, r := range sc.refs {
		if r.pos < 0 {
			sc.refsOK = false
		}
	}
	slices.SortStableFunc(sc.refs, func(a, b mdRef) int { return cmp.Compare(a.pos, b.pos) })
	return sc
}

// maxNesting is the number of nested block quotes and list items on one
// line that limitNesting lets through to the parser, and maxIndent the
// length of a line's container prefix (markers and indentation).
const (
	maxNesting = 32
	maxIndent  = 256
)

// limitNesting returns src, or a copy of the same length in which lines that
// open more than maxNesting block quotes or list items, or whose container
// prefix runs past maxIndent bytes, have the byte at that point turned into
// text. goldmark's cost for a line grows with the square of its nesting (a
// line of 100,000 '>' takes seconds; 2,000 list items nested by indentation
// took 36 s); that deep, nothing can be a top-level heading anyway, and only
// the copy given to the parser changes, never the section texts.
//
// It also blanks every maxRefRun-th line of a run of link reference
// definitions: goldmark's cost for a paragraph of definitions grows with the
// square of their number (150,000 took 20 s). A file with more than that
// many definitions in a row loses one in maxRefRun.
func limitNesting(src []byte) []byte {
	out := src
	own := func() {
		if &out[0] == &src[0] {
			out = bytes.Clone(src)
		}
	}
	refRun := 0
	for i := 0; i < len(src); {
		e := mdLineEnd(src, i)
		line := src[i:e]
		if m := deepMarker(line); m >= 0 {
			own()
			out[i+m] = 'x'
		}
		if isRefDefLine(line) {
			if refRun++; refRun >= maxRefRun {
				own()
				for k := i; k < e; k++ {
					out[k] = ' '
				}
				refRun = 0
			}
		} else {
			refRun = 0
		}
		i = e + 1
	}
	return out
}

// maxRefRun bounds the run of link reference definition lines that
// limitNesting lets through to the parser.
const maxRefRun = 1000

// isRefDefLine reports whether line looks like the start of a link
// reference definition: "[label]:" after at most 3 spaces.
func isRefDefLine(line []byte) bool {
	t := bytes.TrimLeft(line, " ")
	return len(line)-len(t) <= 3 && len(t) > 0 && t[0] == '[' && bytes.Contains(t, []byte("]:"))
}

// deepMarker returns the offset in line of the container marker (">", "-",
// "+", "*" or "1." / "1)") past maxNesting, or of the byte at maxIndent when
// the container prefix is longer, or -1.
func deepMarker(line []byte) int {
	n := 0
	for i := 0; i < len(line); {
		if i >= maxIndent {
			if len(bytes.TrimSpace(line[i:])) == 0 {
				return -1 // a blank line stays blank
			}
			return i
		}
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			i++
			continue
		case c == '>':
		case (c == '-' || c == '+' || c == '*') && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t'):
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 9 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j == len(line) || (line[j] != '.' && line[j] != ')') {
				return -1
			}
			if n++; n > maxNesting {
				return i
			}
			i = j + 1
			continue
		default:
			return -1
		}
		if n++; n > maxNesting {
			return i
		}
		i++
	}
	return -1
}

// headingOf locates a top-level heading in src and extracts its plain text.
func headingOf(h *ast.Heading, src []byte, pc parser.Context) mdHeading {
	pos := h.Pos()
	if pos < 0 || pos > len(src) {
		pos = 0
		if h.Lines().Len() > 0 {
			pos = h.Lines().At(0).Start
		}
	}
	start := bytes.LastIndexByte(src[:pos], '\n') + 1
	hd := mdHeading{start: start, level: h.Level, text: headingText(h, src, pc), atx: true}
	hd.headEnd = mdLineEnd(src, pos)
	if !isATXHeading(src[pos:hd.headEnd]) {
		hd.atx = false
		// Setext: the text lines, then the underline.
		last := pos
		if n := h.Lines().Len(); n > 0 {
			last = max(h.Lines().At(n-1).Start, pos)
		}
		underline := mdLineEnd(src, last) + 1
		if underline < len(src) {
			hd.headEnd = mdLineEnd(src, underline)
		} else {
			hd.headEnd = len(src)
		}
	}
	return hd
}

// isATXHeading reports whether line (from its first non-space byte) opens an ATX
// heading: 1-6 '#' followed by a space, a tab or the end of the line.
func isATXHeading(line []byte) bool {
	n := 0
	for n < len(line) && line[n] == '#' {
		n++
	}
	return n >= 1 && n <= 6 && (n == len(line) || line[n] == ' ' || line[n] == '\t')
}

// mdLineEnd returns the offset of the '\n' ending the line holding i, or len(src).
func mdLineEnd(src []byte, i int) int {
	if i >= len(src) {
		return len(src)
	}
	if j := bytes.IndexByte(src[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(src)
}

// headingText returns a heading's text without markup (emphasis, code spans
// and links reduced to their text, raw HTML dropped, escapes and entities
// resolved), cleaned by cleanHeading.
func headingText(h *ast.Heading, src []byte, pc parser.Context) string {
	var b bytes.Buffer
	var content []byte
	for i := range h.Lines().Len() {
		seg := h.Lines().At(i)
		if i > 0 {
			content = append(content, ' ')
		}
		content = append(content, seg.Value(src)...)
	}
	if bytes.ContainsAny(content, "*_<") {
		// Emphasis or raw HTML: parse the heading again with every inline
		// parser, as an ATX heading, with the document's link references.
		hs := append([]byte("# "), content...)
		hpc := parser.NewContext()
		for _, r := range pc.References() {
			hpc.AddReference(r)
		}
		doc := headingParser.Parse(text.NewReader(hs), parser.WithContext(hpc))
		if hh, ok := doc.FirstChild().(*ast.Heading); ok {
			h, src = hh, hs
		}
	}
	headingPlainText(h, src, &b)
	return cleanHeading(b.String())
}

// cleanHeading makes text fit for a heading path: invalid UTF-8 replaced,
// control characters dropped, whitespace collapsed, a literal HeadingSep
// turned into " › ", and at most maxHeadingBytes (then ending with "…").
func cleanHeading(text string) string {
	t := strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1 // control characters have no place in a key
		}
		return r
	}, strings.ToValidUTF8(text, "\uFFFD"))
	t = strings.Join(strings.Fields(t), " ")
	if strings.Contains(t, livespec.HeadingSep) {
		t = strings.ReplaceAll(t, livespec.HeadingSep, " › ")
	}
	if len(t) > maxHeadingBytes {
		t = strings.TrimSpace(t[:runeCut(t, 0, maxHeadingBytes)]) + "…"
	}
	return t
}

// maxHeadingBytes bounds one heading's text in a heading path; longer
// headings are cut on a rune boundary and end with "…".
const maxHeadingBytes = 300

func headingPlainText(n ast.Node, src []byte, b *bytes.Buffer) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			v := c.Value(src)
			if _, code := n.(*ast.CodeSpan); !code {
				v = mdUnescape(v)
			}
			b.Write(v)
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.RawHTML:
		case *ast.AutoLink:
			b.Write(c.Label(src))
		default:
			headingPlainText(c, src, b)
		}
	}
}

// mdUnescape resolves backslash escapes and character references.
func mdUnescape(v []byte) []byte {
	if bytes.IndexByte(v, '\\') < 0 && bytes.IndexByte(v, '&') < 0 {
		return v
	}
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
}

// collectLinks appends the links and images under n to links, and its link
// reference definitions to refs.
func collectLinks(n ast.Node, src []byte, links []mdLink, refs []mdRef) ([]mdLink, []mdRef) {
	blockPos := n.Pos()
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var dest []byte
		switch c := c.(type) {
		case *ast.LinkReferenceDefinition:
			r := mdRef{pos: -1, label: string(c.Label), dest: string(c.Destination), title: string(c.Title)}
			if c.Lines().Len() > 0 {
				r.pos = c.Lines().At(0).Start
			}
			refs = append(refs, r)
			return ast.WalkSkipChildren, nil
		case *ast.Link:
			dest = c.Destination
		case *ast.Image:
			dest = c.Destination
		case *ast.CodeBlock, *ast.FencedCodeBlock, *ast.HTMLBlock, *ast.CodeSpan, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		default:
			return ast.WalkContinue, nil
		}
		pos := c.Pos()
		if pos < 0 || pos > len(src) {
			pos = blockPos
		}
		if len(dest) > 0 {
			links = append(links, mdLink{pos: pos, dest: string(mdUnescape(dest))})
		}
		return ast.WalkContinue, nil
	})
	return links, refs
}

// linksIn returns the links positioned in [start, end); links are sorted
// by position.
func linksIn(links []mdLink, start, end int) []mdLink {
	i, _ := slices.BinarySearchFunc(links, start, func(l mdLink, p int) int { return cmp.Compare(l.pos, p) })
	j := i
	for j < len(links) && links[j].pos < end {
		j++
	}
	return links[i:j:j]
}

// ResolveLink resolves a link destination found in the file at filePath to
// a clean repository-relative path. It reports false for absolute URLs
// (any scheme, or "//host"), pure anchors, and paths that escape the
// repository.
func ResolveLink(filePath, dest string) (string, bool) {
	return resolveLink(path.Dir(filePath), dest)
}

func resolveLink(dir, dest string) (string, bool) {
	dest = strings.TrimSpace(dest)
	if i := strings.IndexAny(dest, "#?"); i >= 0 {
		dest = dest[:i]
	}
	if dest == "" || strings.HasPrefix(dest, "//") {
		return "", false
	}
	if i := strings.IndexByte(dest, ':'); i >= 0 && !strings.Contains(dest[:i], "/") {
		return "", false // a scheme: http:, mailto:, data: ...
	}
	if u, err := url.PathUnescape(dest); err == nil {
		dest = u
	}
	var p string
	if strings.HasPrefix(dest, "/") {
		p = path.Clean(strings.TrimLeft(dest, "/"))
	} else {
		p = path.Join(dir, dest)
	}
	if p == "." || p == ".." || p == "" || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "/") {
		return "", false
	}
	return p, true
}

// splitter accumulates a file's sections.
type splitter struct {
	max  int
	dir  string
	used map[string]int // heading path → highest duplicate number used
	out  []livespec.Section
}

// sectionAt adds the section src[start:end] whose heading lines end at
// headEnd.
func (s *splitter) sectionAt(src []byte, heading string, level, start, headEnd, end int, links []mdLink) {
	headEnd = min(max(headEnd, start), end)
	head := NormalizeText(string(src[start:headEnd]))
	s.section(heading, level, string(src[start:end]), head, links, start)
}

// section adds a section with raw text, heading lines head ("" for the
// preamble), links, and raw text starting at offset base of the source.
func (s *splitter) section(heading string, level int, raw, head string, links []mdLink, base int) {
	t := NormalizeText(raw)
	if t == "" && head == "" {
		return // an empty preamble is no section
	}
	if len(t) <= s.max {
		s.emit(heading, level, t, s.resolve(links))
		return
	}
	bodyStart := 0
	if head != "" {
		// The heading lines end at the first line break after them in raw.
		bodyStart = headLen(raw, head)
	}
	budget := s.max
	if head != "" {
		budget -= len(head) + 2
	}
	budget = max(budget, s.max/2, 1)
	chunks := splitChunks(raw, bodyStart, budget)
	for i, c := range chunks {
		body := NormalizeText(raw[c[0]:c[1]])
		pt := body
		if head != "" {
			pt = head
			if body != "" {
				pt += "\n\n" + body
			}
		}
		var pl []mdLink
		for _, l := range links {
			off := l.pos - base
			if off < bodyStart || (off >= c[0] && off < c[1]) || (i == 0 && off < c[0]) || (i == len(chunks)-1 && off >= c[1]) {
				pl = append(pl, l)
			}
		}
		s.emitPart(heading, i, level, pt, s.resolve(pl))
		if i > 0 {
			s.out[len(s.out)-1].Join = partJoin(raw, chunks[i-1], c)
		}
	}
}

// partJoin classifies what separates chunk prev from chunk next of raw
// once both are normalised: the whitespace between their texts.
func partJoin(raw string, prev, next [2]int) livespec.PartJoin {
	end := prev[0] + len(strings.TrimRight(raw[prev[0]:prev[1]], " \t\n"))
	start := next[0] + len(raw[next[0]:next[1]]) - len(strings.TrimLeft(raw[next[0]:next[1]], "\n"))
	gap := raw[min(end, start):start]
	switch n := strings.Count(gap, "\n"); {
	case n >= 2:
		return livespec.JoinParagraph
	case n == 1:
		return livespec.JoinLine
	case gap != "":
		return livespec.JoinSpace
	}
	return livespec.JoinNone
}

// headLen returns the length of raw's prefix that holds the heading lines
// (head is their normalised form, which has as many lines).
func headLen(raw, head string) int {
	lines := strings.Count(head, "\n") + 1
	i := 0
	for ; lines > 0 && i < len(raw); lines-- {
		j := strings.IndexByte(raw[i:], '\n')
		if j < 0 {
			return len(raw)
		}
		i += j + 1
	}
	return i
}

func (s *splitter) emit(heading string, level int, t string, links []string) {
	s.emitPart(heading, 0, level, t, links)
}

func (s *splitter) emitPart(heading string, part, level int, t string, links []string) {
	s.out = append(s.out, livespec.Section{
		Heading: heading,
		Part:    part,
		Level:   level,
		Text:    t,
		Hash:    livespec.ContentHash(t),
		Links:   links,
	})
}

// resolve turns link destinations into unique repository paths, in order.
func (s *splitter) resolve(links []mdLink) []string {
	var out []string
	for _, l := range links {
		p, ok := resolveLink(s.dir, l.dest)
		if !ok {
			continue
		}
		dup := false
		for _, q := range out {
			if q == p {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

// splitChunks cuts raw[from:] into consecutive [start, end) ranges of at
// most budget bytes: at blank lines outside code fences where possible,
// then at line breaks, then at a rune boundary.
func splitChunks(raw string, from, budget int) [][2]int {
	var chunks [][2]int
	cur := [2]int{from, from} // current chunk
	// full reports whether cur holds more than whitespace.
	full := func() bool { return strings.TrimSpace(raw[cur[0]:cur[1]]) != "" }
	flush := func() {
		if full() {
			chunks = append(chunks, cur)
		}
	}
	add := func(b [2]int) { // add block b (contiguous with cur)
		if full() && b[1]-cur[0] > budget {
			flush()
			cur = [2]int{b[0], b[0]}
		}
		if b[1]-b[0] <= budget {
			cur[1] = b[1]
			return
		}
		// An oversized block: line by line, then by bytes.
		for i := b[0]; i < b[1]; {
			j := strings.IndexByte(raw[i:b[1]], '\n')
			e := b[1]
			if j >= 0 {
				e = i + j + 1
			}
			for i < e {
				piece := e
				if piece-i > budget {
					piece = runeCut(raw, i, i+budget)
				}
				if full() && piece-cur[0] > budget {
					flush()
					cur = [2]int{i, i}
				}
				cur[1] = piece
				i = piece
			}
		}
	}
	for _, b := range splitParagraphs(raw, from) {
		add(b)
	}
	flush()
	if len(chunks) == 0 {
		chunks = append(chunks, [2]int{from, len(raw)})
	}
	return chunks
}

// runeCut returns the largest rune boundary in (start, limit], or the end of
// the rune at start when it is longer than limit-start.
func runeCut(s string, start, limit int) int {
	if limit >= len(s) {
		return len(s)
	}
	for i := limit; i > start; i-- {
		if utf8.RuneStart(s[i]) {
			return i
		}
	}
	_, n := utf8.DecodeRuneInString(s[start:])
	return start + max(n, 1)
}

// paragraphs cuts raw[from:] into contiguous blocks that each end after a
// run of blank lines outside a code fence (the last block ends at the end).
func splitParagraphs(raw string, from int) [][2]int {
	var out [][2]int
	start := from
	var fence string // the open fence's marker, "" outside a fence
	blankRun := false
	for i := from; i < len(raw); {
		j := strings.IndexByte(raw[i:], '\n')
		e := len(raw)
		if j >= 0 {
			e = i + j + 1
		}
		line := raw[i:e]
		blank := strings.TrimSpace(line) == ""
		if blankRun && !blank && fence == "" && i > start {
			out = append(out, [2]int{start, i})
			start = i
		}
		if m := fenceMarker(line); m != "" {
			switch {
			case fence == "":
				fence = m
			case m[0] == fence[0] && len(m) >= len(fence) && strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), m[:1])) == "":
				fence = ""
			}
		}
		blankRun = blank && fence == ""
		i = e
	}
	if start < len(raw) {
		out = append(out, [2]int{start, len(raw)})
	}
	return out
}

// fenceMarker returns the run of ` or ~ (3 or more) opening line after at
// most 3 spaces of indentation, or "".
func fenceMarker(line string) string {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return ""
	}
	n := 0
	for n < len(t) && t[n] == t[0] {
		n++
	}
	if n < 3 {
		return ""
	}
	if t[0] == '`' && strings.IndexByte(t[n:], '`') >= 0 {
		return "" // a backtick fence's info string has no backtick
	}
	return t[:n]
}

// NormalizeText returns the normal form of a section text: line endings
// as "\n", trailing spaces and tabs removed from every line, runs of blank
// lines collapsed to one, and no leading or trailing blank lines.
func NormalizeText(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = string(normalizeNewlines([]byte(s)))
	}
	// Most section texts differ from their normal form only by blank lines
	// around them: those need no copy.
	if t := strings.TrimRight(strings.TrimLeft(s, "\n"), " \t\n"); isNormalText(t) {
		return t
	}
	return normalizeLines(s)
}

// isNormalText reports whether normalizeLines(s) is s: s (with "\n" line
// endings) neither starts with a blank line nor ends with a newline, a
// space or a tab, and has no line ending in a space or a tab and no two
// blank lines in a row.
func isNormalText(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == '\n' {
		return false
	}
	switch s[len(s)-1] {
	case '\n', ' ', '\t':
		return false
	}
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			return true
		}
		k := i + j
		if c := s[k-1]; c == ' ' || c == '\t' {
			return false
		}
		if k+2 < len(s) && s[k+1] == '\n' && s[k+2] == '\n' {
			return false
		}
		i = k + 1
	}
}

// normalizeLines is NormalizeText for a text with "\n" line endings.
func normalizeLines(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pendingBlank := false
	for len(s) > 0 {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		line = strings.TrimRight(line, " \t")
		if line == "" {
			pendingBlank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if pendingBlank {
				b.WriteByte('\n')
			}
		}
		pendingBlank = false
		b.WriteString(line)
	}
	return b.String()
}

// normalizeNewlines drops a UTF-8 byte order mark and turns CRLF and lone CR
// line endings into LF. It returns content itself when nothing changes.
func normalizeNewlines(content []byte) []byte {
	content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(content, '\r') < 0 {
		return content
	}
	out := make([]byte, 0, len(content))
	for i := 0; i < len(content); i++ {
		c := content[i]
		if c == '\r' {
			out = append(out, '\n')
			if i+1 < len(content) && content[i+1] == '\n' {
				i++
			}
			continue
		}
		out = append(out, c)
	}
	return out
}

// cutFrontMatter splits YAML front matter from src: a first line "---" and a
// closing line "---" or "..." (trailing spaces allowed). It returns the YAML
// between the fences and the rest after the closing line; ok is false when
// src has no closed front matter.
func cutFrontMatter(src []byte) (fm, rest []byte, ok bool) {
	first := mdLineEnd(src, 0)
	if string(bytes.TrimRight(src[:first], " \t")) != "---" {
		return nil, src, false
	}
	for i := first + 1; i <= len(src) && first < len(src); {
		e := mdLineEnd(src, i)
		l := string(bytes.TrimRight(src[i:e], " \t"))
		if l == "---" || l == "..." {
			next := min(e+1, len(src))
			return src[first+1 : i], src[next:], true
		}
		if e >= len(src) {
			break
		}
		i = e + 1
	}
	return nil, src, false
}

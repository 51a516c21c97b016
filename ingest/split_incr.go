package ingest

import (
	"bytes"
	"cmp"
	"slices"

	"github.com/livespec/livespec"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/util"
)

// Incremental parsing.
//
// Most commits change a few lines of a long file. Parsing the new version
// again from the first byte costs a full goldmark parse and a section
// split; instead parseMarkdownFrom starts from the layout of the file's
// previous version and parses only what an edit can reach.
//
// Why that is exact. goldmark's block parser reads lines in order, and
// what it does with a line depends only on that line and the lines before
// it. A top-level ATX heading ("# Title" at the document's top level)
// closes every block open before it and is closed at its line's end, so
// nothing is open after it. The only state that crosses it is the set of
// link reference definitions, which is global.
//
// The old version is cut into chunks at its top-level ATX headings (the
// first chunk starts at the top of the body). scanFrom walks the new body
// from one sync point (its start, or a line where nothing is open) to the
// next:
//   - When an old chunk stands at the sync point followed by the line that
//     followed it in the old version, the new lines up to and including
//     that line are the old ones and start from the same state, so they
//     parse as they did: the chunk's headings and links are reused, and
//     the next line (a top-level ATX heading there) is the next sync point.
//   - Otherwise the new text from the sync point through the heading line
//     of the next old chunk that matches as above is parsed on its own. If
//     that heading comes out as a top-level ATX heading at its place, it is
//     the next sync point; if not, the rest of the body is parsed.
//   - Parses resolve links against the old version's definitions, and the
//     result is kept only when the new version's definitions (the first of
//     each label wins) are the same.
//
// Anything else (a changed front matter, another directory or section
// size, changed definitions) is a full parse. TestIncrementalParseIsExact
// and FuzzIncrementalParse check the result against a full parse, and
// TestIncrementalParseOnCorpus does so for every parse of an ingest of
// each corpus.

// mdLayout is what a Markdown parse keeps so that the next version of the
// file can be parsed incrementally.
type mdLayout struct {
	dir string
	max int

	front          []byte // the front matter lines, fences included, or nil
	meta           map[string]any
	frontSecs      []livespec.Section
	preamblePrefix []byte // front matter that is not YAML, kept as preamble text

	body   []byte // the Markdown after the front matter
	heads  []mdHeading
	links  []mdLink
	refs   []mdRef
	refsOK bool

	// incremental says that this layout was built from another one (for
	// tests).
	incremental bool

	out  []livespec.Section // the file's sections
	pre  [2]int             // out[pre[0]:pre[1]] are the preamble's
	secs [][2]int           // out[secs[k][0]:secs[k][1]] are heads[k]'s
}

func (l *mdLayout) sections(r [2]int) []livespec.Section { return l.out[r[0]:r[1]] }

// mdRef is one link reference definition, at its offset in the body.
type mdRef struct {
	pos                int
	label, dest, title string
}

func (r mdRef) key() string { return util.ToLinkReference([]byte(r.label)) }

func (r mdRef) reference() parser.Reference {
	var title []byte
	if r.title != "" {
		title = []byte(r.title)
	}
	return parser.NewReference([]byte(r.label), []byte(r.dest), title)
}

// refContext is a parser context that counts the definitions the parser
// adds and, when fixed is not nil, resolves links against fixed only.
type refContext struct {
	parser.Context
	added int
	fixed map[string]parser.Reference
}

func (c *refContext) AddReference(r parser.Reference) {
	c.added++
	c.Context.AddReference(r)
}

func (c *refContext) Reference(label string) (parser.Reference, bool) {
	if c.fixed == nil {
		return c.Context.Reference(label)
	}
	r, ok := c.fixed[label]
	return r, ok
}

func (c *refContext) References() []parser.Reference {
	if c.fixed == nil {
		return c.Context.References()
	}
	out := make([]parser.Reference, 0, len(c.fixed))
	for _, r := range c.fixed {
		out = append(out, r)
	}
	return out
}

// refDefs returns the definitions in effect for refs (in document order):
// the first definition of each label.
func refDefs(refs ...[]mdRef) map[string]mdRef {
	m := map[string]mdRef{}
	for _, rs := range refs {
		for _, r := range rs {
			k := r.key()
			if _, ok := m[k]; !ok {
				m[k] = r
			}
		}
	}
	return m
}

func sameDefs(a, b map[string]mdRef) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		y, ok := b[k]
		if !ok || x.dest != y.dest || x.title != y.title {
			return false
		}
	}
	return true
}

// scanFrom returns the scan of body built from base's where the two
// bodies agree, and false when it cannot tell (see the comment at the top
// of this file).
func scanFrom(base *mdLayout, body []byte) (mdScan, bool) {
	if !base.refsOK {
		return mdScan{}, false
	}
	c := newChunkScan(base, body)
	sc := mdScan{refsOK: true}
	reused := 0
	for y := 0; y < len(body); {
		// y is a sync point: the start of the body or of a top-level ATX
		// heading, where nothing is open.
		k := -1
		if y == 0 && c.bounds[1] > 0 {
			k = c.match(0, []int{0})
		}
		if k < 0 && looksATX(body[y:]) {
			k = c.match(y, c.byLine[string(body[y:lineEndNL(body, y)])])
		}
		if k >= 0 {
			if k == 0 {
				sc.samePreamble = true
			}
			c.reuse(&sc, y, k)
			y += c.bounds[k+1] - c.bounds[k]
			reused++
			continue
		}
		z, ok := c.parseGap(&sc, y)
		if !ok {
			return mdScan{}, false
		}
		y = z
	}
	if !sameDefs(refDefs(base.refs), refDefs(sc.refs)) {
		return mdScan{}, false
	}
	if sc.oldHead == nil {
		sc.oldHead = []int{}
	}
	sc.reused = reused
	return sc, true
}

// chunkScan scans a body against base's chunks: from one top-level ATX
// heading to the next (the first from the start of the body).
type chunkScan struct {
	base   *mdLayout
	old    []byte // base's body
	body   []byte
	bounds []int            // the chunks' starts, and the end of old
	byLine map[string][]int // the chunks (but the first) by their heading line
	defs   map[string]parser.Reference
}

func newChunkScan(base *mdLayout, body []byte) *chunkScan {
	c := &chunkScan{base: base, old: base.body, body: body, bounds: []int{0},
		byLine: map[string][]int{}, defs: map[string]parser.Reference{}}
	for _, h := range base.heads {
		if h.atx && h.start > c.bounds[len(c.bounds)-1] {
			c.bounds = append(c.bounds, h.start)
		}
	}
	c.bounds = append(c.bounds, len(c.old))
	for k := 1; k+1 < len(c.bounds); k++ {
		l := string(c.old[c.bounds[k]:lineEndNL(c.old, c.bounds[k])])
		c.byLine[l] = append(c.byLine[l], k)
	}
	for _, r := range base.refs {
		if _, ok := c.defs[r.key()]; !ok {
			c.defs[r.key()] = r.reference()
		}
	}
	return c
}

// match returns the chunk of cands that body holds at y followed by the
// line that followed it in base (so the body parses as base did up to and
// including that line), or -1.
func (c *chunkScan) match(y int, cands []int) int {
	body, old := c.body, c.old
	for _, k := range cands {
		a, b := c.bounds[k], c.bounds[k+1]
		n := b - a
		if y+n > len(body) || !bytes.Equal(body[y:y+n], old[a:b]) {
			continue
		}
		if b == len(old) {
			if y+n == len(body) {
				return k
			}
			continue
		}
		next := old[b:lineEndNL(old, b)]
		if bytes.HasPrefix(body[y+n:], next) && (y+n+len(next) == len(body) || next[len(next)-1] == '\n') {
			return k
		}
	}
	return -1
}

// nextMatch returns the first y' > y at a line start where a chunk (but
// the first) matches, and that chunk, or (len(body), -1).
func (c *chunkScan) nextMatch(y int) (int, int) {
	body := c.body
	for z := lineEndNL(body, y); z < len(body); z = lineEndNL(body, z) {
		if !looksATX(body[z:]) {
			continue
		}
		if cands := c.byLine[string(body[z:lineEndNL(body, z)])]; len(cands) > 0 {
			if k := c.match(z, cands); k >= 0 {
				return z, k
			}
		}
	}
	return len(body), -1
}

// reuse appends to sc base's headings, links and references of chunk k,
// which body holds at y.
func (c *chunkScan) reuse(sc *mdScan, y, k int) {
	base := c.base
	a, b := c.bounds[k], c.bounds[k+1]
	d := y - a
	hi, _ := slices.BinarySearchFunc(base.heads, a, func(h mdHeading, p int) int { return cmp.Compare(h.start, p) })
	for ; hi < len(base.heads) && base.heads[hi].start < b; hi++ {
		h := base.heads[hi]
		h.start += d
		h.headEnd += d
		sc.heads = append(sc.heads, h)
		sc.oldHead = append(sc.oldHead, hi)
	}
	li, _ := slices.BinarySearchFunc(base.links, a, func(l mdLink, p int) int { return cmp.Compare(l.pos, p) })
	for ; li < len(base.links) && base.links[li].pos < b; li++ {
		l := base.links[li]
		l.pos += d
		sc.links = append(sc.links, l)
	}
	ri, _ := slices.BinarySearchFunc(base.refs, a, func(r mdRef, p int) int { return cmp.Compare(r.pos, p) })
	for ; ri < len(base.refs) && base.refs[ri].pos < b; ri++ {
		r := base.refs[ri]
		r.pos += d
		sc.refs = append(sc.refs, r)
	}
}

// parseGap parses body from y through the line of the next chunk that
// matches (it must come out as that chunk's heading; else the rest of the
// body), appends what it finds to sc and returns where it stopped. It
// reports false when the parse cannot tell (references it cannot place).
func (c *chunkScan) parseGap(sc *mdScan, y int) (int, bool) {
	body := c.body
	z, k := c.nextMatch(y)
	end := len(body)
	if k >= 0 {
		end = lineEndNL(body, z)
	}
	mid := scanMarkdown(body[y:end], c.defs)
	heads := mid.heads
	if k >= 0 {
		n := len(heads)
		want := c.base.heads[slices.IndexFunc(c.base.heads, func(h mdHeading) bool { return h.start == c.bounds[k] })]
		if n == 0 || !heads[n-1].atx || heads[n-1].start != z-y || heads[n-1].level != want.level || heads[n-1].text != want.text {
			// The edit reaches past that heading: parse the rest.
			z = len(body)
			mid = scanMarkdown(body[y:], c.defs)
			heads = mid.heads
		} else {
			heads = heads[:n-1]
		}
	}
	if !mid.refsOK {
		return 0, false
	}
	for _, h := range heads {
		h.start += y
		h.headEnd += y
		sc.heads = append(sc.heads, h)
		sc.oldHead = append(sc.oldHead, -1)
	}
	for _, l := range mid.links {
		if l.pos += y; l.pos < z {
			sc.links = append(sc.links, l)
		}
	}
	for _, r := range mid.refs {
		r.pos += y
		sc.refs = append(sc.refs, r)
	}
	return z, true
}

// lineEndNL returns the offset just past the line break ending the line
// that holds i, or len(src).
func lineEndNL(src []byte, i int) int {
	if j := bytes.IndexByte(src[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(src)
}

// looksATX reports whether line (a line start) may be an ATX heading: up
// to 3 spaces and a '#'.
func looksATX(line []byte) bool {
	for i := 0; i < len(line) && i < 4; i++ {
		switch line[i] {
		case ' ':
			continue
		case '#':
			return true
		}
		return false
	}
	return false
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	// Compare in blocks first: bytes.Equal is vectorised.
	i := 0
	for i+64 <= n && bytes.Equal(a[i:i+64], b[i:i+64]) {
		i += 64
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

func commonSuffix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+64 <= n && bytes.Equal(a[len(a)-i-64:len(a)-i], b[len(b)-i-64:len(b)-i]) {
		i += 64
	}
	for i < n && a[len(a)-1-i] == b[len(b)-1-i] {
		i++
	}
	return i
}

package retrieval

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// excerptLen is the target length of a citation excerpt, in runes.
const excerptLen = 300

// Cite returns the citation of v numbered n: pinned to the commit that
// introduced the text, with its validity, a permalink built from the
// template (see Permalink) and the excerpt of the section most relevant to
// query.
func Cite(v livespec.Version, n int, query, template string) livespec.Citation {
	return livespec.Citation{
		N:         n,
		Repo:      v.Repo,
		Path:      v.Path,
		Heading:   v.Heading,
		Commit:    v.Commit,
		Date:      livespec.Time{Time: v.ValidFrom},
		ValidFrom: livespec.Time{Time: v.ValidFrom},
		ValidTo:   livespec.Time{Time: v.ValidTo},
		Current:   v.Current(),
		URL:       Permalink(template, v.Repo, v.Commit, v.Path, v.Heading),
		Excerpt:   Excerpt(v.Text, query),
		VersionID: v.ID,
		Text:      v.Text,
	}
}

// Permalink fills a permalink template such as
// "https://github.com/ORG/REPO/blob/{commit}/{path}#{anchor}". It knows
// {repo}, {commit}, {path} (each segment escaped) and {anchor} (the GitHub
// slug of the last heading of the heading path). An empty template gives "";
// an empty anchor drops a "#{anchor}" suffix.
func Permalink(template, repo, commit, path, heading string) string {
	if template == "" {
		return ""
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	anchor := Anchor(heading)
	if anchor == "" {
		template = strings.ReplaceAll(template, "#{anchor}", "")
	}
	return strings.NewReplacer(
		"{repo}", repo,
		"{commit}", commit,
		"{path}", strings.Join(segs, "/"),
		"{anchor}", anchor,
	).Replace(template)
}

var dupSuffix = regexp.MustCompile(` \((\d+)\)$`)

// Anchor returns the GitHub-style anchor of the last heading of a heading
// path: lower case, punctuation dropped, spaces turned into hyphens. A
// " (n)" suffix marking the n-th occurrence of a heading becomes GitHub's
// "-(n-1)". The preamble and the front matter have no anchor.
func Anchor(heading string) string {
	hs := livespec.SplitHeading(heading)
	if len(hs) == 0 || heading == livespec.FrontMatterHeading {
		return ""
	}
	last := hs[len(hs)-1]
	dup := 0
	if m := dupSuffix.FindStringSubmatch(last); m != nil {
		dup, _ = strconv.Atoi(m[1])
		last = last[:len(last)-len(m[0])]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(last)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		}
	}
	s := b.String()
	if dup > 1 {
		s += "-" + strconv.Itoa(dup-1)
	}
	return s
}

// Excerpt returns the part of text most relevant to query: about 300 runes
// cut at sentence or line boundaries around the passage that shares the
// most terms with the query. The heading line is skipped when the body has
// text; a text shorter than the limit is returned whole (trimmed).
func Excerpt(text, query string) string {
	text = strings.TrimSpace(text)
	body := text
	if strings.HasPrefix(body, "#") {
		if i := strings.IndexByte(body, '\n'); i >= 0 && strings.TrimSpace(body[i:]) != "" {
			body = strings.TrimSpace(body[i:])
		}
	}
	if runesEnd(body, excerptLen) < 0 {
		return body
	}
	units := splitUnits(body)
	if len(units) == 0 {
		return truncateRunes(body, excerptLen)
	}
	pt := newPassageTerms(query)
	best, bestScore := 0, -1
	for i, u := range units {
		if s := pt.shared(u); s > bestScore {
			best, bestScore = i, s
		}
		if bestScore == len(pt.query) {
			break // no later unit shares more: the first best stays
		}
	}
	// Grow a window around the best unit: forward first, then back.
	lo, hi := best, best+1
	size := utf8.RuneCountInString(units[best])
	for {
		grew := false
		if hi < len(units) && size+utf8.RuneCountInString(units[hi]) <= excerptLen {
			size += utf8.RuneCountInString(units[hi])
			hi++
			grew = true
		}
		if lo > 0 && size+utf8.RuneCountInString(units[lo-1]) <= excerptLen {
			lo--
			size += utf8.RuneCountInString(units[lo])
			grew = true
		}
		if !grew {
			break
		}
	}
	out := strings.TrimSpace(strings.Join(units[lo:hi], ""))
	if utf8.RuneCountInString(out) > excerptLen {
		out = truncateRunes(out, excerptLen)
	}
	if lo > 0 {
		out = "… " + out
	}
	if hi < len(units) && !strings.HasSuffix(out, "…") {
		out += " …"
	}
	return out
}

// passageTerms counts the terms of a query that passages of one text
// hold. A word's stem starts with the word's first byte (see lex.Stem),
// so only the words that start as a term of the query does are stemmed.
type passageTerms struct {
	query  map[string]int // the index of each distinct term of the query
	starts [256]bool      // the first bytes of the query's terms
	held   []bool         // the query's terms in the passage read
	toks   []lex.Token
}

func newPassageTerms(query string) *passageTerms {
	p := &passageTerms{query: map[string]int{}}
	for st := range termsOf(query) {
		if _, ok := p.query[st]; !ok && st != "" {
			p.query[st] = len(p.query)
			p.starts[st[0]] = true
		}
	}
	p.held = make([]bool, len(p.query))
	return p
}

// shared returns how many distinct terms of the query u holds: the stems
// of its words that are not stop words.
func (p *passageTerms) shared(u string) int {
	clear(p.held)
	n := 0
	p.toks = lex.AppendTokens(p.toks[:0], u)
	for _, t := range p.toks {
		if t.Word == "" || !p.starts[t.Word[0]] {
			continue
		}
		if i, ok := p.query[lex.Stem(t.Word)]; ok && !p.held[i] && !lex.Stop(t.Word) {
			p.held[i] = true
			n++
		}
	}
	return n
}

// splitUnits cuts text after line breaks and sentence ends, keeping the
// separators so that joining the units gives the text back. The units are
// pieces of text, not copies.
func splitUnits(text string) []string {
	if !utf8.ValidString(text) {
		// Each invalid byte reads as U+FFFD, as when ranging over runes.
		text = string([]rune(text))
	}
	var out []string
	start, last := 0, 0 // where the unit read and the last one kept start
	cut := func(end int) {
		switch u := text[start:end]; {
		case strings.TrimSpace(u) != "":
			out, last = append(out, u), start
		case len(out) > 0:
			// Whitespace alone (a line break after a sentence end) joins
			// the unit before it, which ends where it starts, so that
			// joining units keeps the text's breaks.
			out[len(out)-1] = text[last:end]
		}
		start = end
	}
	// The separators are ASCII, so bytes find them as runes would.
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			cut(i + 1)
		case '.', '!', '?':
			if i+1 < len(text) && (text[i+1] == ' ' || text[i+1] == '\n') {
				cut(i + 1)
			}
		}
	}
	if start < len(text) {
		cut(len(text))
	}
	return out
}

// truncateRunes cuts s to at most n runes, at a word boundary when one is
// near, and marks the cut with "…".
func truncateRunes(s string, n int) string {
	end := runesEnd(s, n)
	if end < 0 {
		return s
	}
	rs := []rune(s[:end])
	cut := n - 1
	for i := cut; i > n*2/3; i-- {
		if unicode.IsSpace(rs[i]) {
			cut = i
			break
		}
	}
	return strings.TrimSpace(string(rs[:cut])) + "…"
}

// runesEnd returns the byte length of the first n runes of s, or -1 when
// s has at most n runes, reading no further into s than that takes (an
// invalid byte counts as one rune, as when ranging over s).
func runesEnd(s string, n int) int {
	if len(s) <= n {
		return -1
	}
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return -1
}

package edit

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// Limits of an edit that changes only a few characters (a typo fix).
const (
	typoChars     = 6   // characters changed in all, at most
	typoWordShare = 3   // a changed word keeps all but len/typoWordShare of its characters (at least one may change)
	typoMaxTokens = 600 // tokens of the differing middle of two texts compared word by word, at most
)

// Kind says whether the edit from before to after changed only the
// form of a section's text, and how: livespec.EditWhitespace when only
// spacing differs, EditHeading when only heading levels (ATX marks or
// setext underlines) do, EditLinks when only link targets, anchors or
// URLs do, EditTypo when a few characters within words do (no number, no
// normative or negating word). Anything else, an addition or a removal
// included, is substantive: "". Each step compares the texts normalised a
// little further, so the first that makes them equal names the edit.
//
// Every normalisation works line by line (no pattern spans a line break),
// so the lines both texts share at their start and end compare equal at
// every step: only the lines between them are compared.
func Kind(before, after string) string {
	if before == after || strings.TrimSpace(before) == "" || strings.TrimSpace(after) == "" {
		return ""
	}
	before, after = differingLines(before, after)
	b, a := strings.Fields(before), strings.Fields(after)
	if strings.Join(b, " ") == strings.Join(a, " ") {
		return livespec.EditWhitespace
	}
	b, a = strings.Fields(headingFree(before)), strings.Fields(headingFree(after))
	if strings.Join(b, " ") == strings.Join(a, " ") {
		return livespec.EditHeading
	}
	b, a = strings.Fields(LinkFree(headingFree(before))), strings.Fields(LinkFree(headingFree(after)))
	if strings.Join(b, " ") == strings.Join(a, " ") {
		return livespec.EditLinks
	}
	if typoOnly(b, a) {
		return livespec.EditTypo
	}
	return ""
}

// differingLines returns the lines of before and of after between the
// whole lines the two share at their start and at their end. The fields
// of a text are those of its shared start, of its differing lines and of
// its shared end in turn, so two texts have equal fields exactly when
// their differing lines do, and so for each line-by-line normalisation
// of them.
func differingLines(before, after string) (string, string) {
	n := 0
	for n < len(before) && n < len(after) && before[n] == after[n] {
		n++
	}
	p := strings.LastIndexByte(before[:n], '\n') + 1 // whole shared lines, each with its line break
	before, after = before[p:], after[p:]
	m := 0
	for m < len(before) && m < len(after) && before[len(before)-1-m] == after[len(after)-1-m] {
		m++
	}
	k := strings.IndexByte(before[len(before)-m:], '\n') // the shared end from a line break on
	if k < 0 {
		return before, after
	}
	return before[:len(before)-m+k], after[:len(after)-m+k]
}

var (
	// image is ![alt](target); inlineLink is [text](target "title");
	// refLink is [text][label].
	image      = regexp.MustCompile(`!\[[^\]\n]*\]\([^)\n]*\)`)
	inlineLink = regexp.MustCompile(`\[([^\]\n]*)\]\([^)\n]*\)`)
	refLink    = regexp.MustCompile(`\[([^\]\n]+)\]\[[^\]\n]*\]`)
	// refDef is a link reference definition line: [label]: target.
	refDef = regexp.MustCompile(`(?m)^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S+.*$`)
	// anchorTag is an HTML anchor or span tag; attrAnchor is {#id}.
	anchorTag  = regexp.MustCompile(`(?i)</?(a|span)\b[^>\n]*>`)
	attrAnchor = regexp.MustCompile(`[ \t]*\{#[^}\n]*\}`)
	// bareURL is an autolink or a bare URL.
	bareURL = regexp.MustCompile(`<?https?://[^\s>)]+>?`)
)

// linkForms are the forms LinkFree drops or rewrites, in the order it
// applies them, each with a substring every match holds: a line without
// it is left to the next form unread. No form matches across a line break.
var linkForms = []struct {
	re   *regexp.Regexp
	with string
	mark string
}{
	{refDef, "", "]:"},
	{image, "", "!["},
	{inlineLink, "$1", "]("},
	{refLink, "$1", "]["},
	{anchorTag, "", "<"},
	{attrAnchor, "", "{#"},
	{bareURL, "URL", "http"},
}

// byLine applies f to each line of s.
func byLine(s string, f func(string) string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(f(line))
	}
	return b.String()
}

// headingFree drops the marks that set a heading's level: the "## " that
// opens an ATX heading line (at most three spaces before one to six
// "#"), the run of "#" that may close it, and the underline of a setext
// heading (or a thematic break), line by line.
func headingFree(s string) string {
	if !strings.ContainsAny(s, "#=-") {
		return s
	}
	return byLine(s, headingFreeLine)
}

// headingFreeLine is headingFree of one line.
func headingFreeLine(line string) string {
	line = dropATXMark(line)
	line = dropATXClose(line)
	if setextUnderline(line) {
		return ""
	}
	return line
}

// dropATXMark drops the opening mark of an ATX heading: up to three
// spaces or tabs, one to six "#", and the spaces and tabs after them.
func dropATXMark(line string) string {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i > 3 {
		return line
	}
	j := i
	for j < len(line) && line[j] == '#' {
		j++
	}
	if j == i || j-i > 6 {
		return line
	}
	k := j
	for k < len(line) && (line[k] == ' ' || line[k] == '\t') {
		k++
	}
	if k == j {
		return line
	}
	return line[k:]
}

// dropATXClose drops the closing run of "#" of an ATX heading with the
// spaces and tabs around it: the line ends with spaces or tabs, "#"s and
// optional spaces or tabs.
func dropATXClose(line string) string {
	t := strings.TrimRight(line, " \t")
	h := strings.TrimRight(t, "#")
	if len(h) == len(t) {
		return line
	}
	w := strings.TrimRight(h, " \t")
	if len(w) == len(h) {
		return line
	}
	return w
}

// setextUnderline reports whether line underlines a setext heading (or
// breaks the text): up to three spaces or tabs, a run of "=" or of two or
// more "-", and spaces or tabs.
func setextUnderline(line string) bool {
	t := strings.TrimRight(line, " \t")
	i := 0
	for i < len(t) && (t[i] == ' ' || t[i] == '\t') && i < 4 {
		i++
	}
	if i > 3 || i == len(t) {
		return false
	}
	rest := t[i:]
	c := rest[0]
	if c != '=' && c != '-' || strings.Trim(rest, string(c)) != "" {
		return false
	}
	return c == '=' || len(rest) >= 2
}

// LinkFree keeps the text of links and drops their targets, images (an
// image's alt text is not the spec's text), anchors, reference
// definitions and URLs.
func LinkFree(s string) string {
	if !strings.ContainsAny(s, "[<{h") {
		return s
	}
	return byLine(s, linkFreeLine)
}

// linkFreeLine is LinkFree of one line.
func linkFreeLine(line string) string {
	for _, f := range linkForms {
		if strings.Contains(line, f.mark) {
			line = f.re.ReplaceAllString(line, f.with)
		}
	}
	return line
}

// meaningWords are words whose change changes a requirement however few
// characters it takes (RFC 2119 keywords, negations).
var meaningWords = lex.WordSet(`must shall should may required recommended optional not no never none cannot
	can't won't don't doesn't isn't aren't mustn't shouldn't only all any always`)

// typoOnly reports whether the token lists differ by a few characters
// within words: after the common start and end, the differing tokens pair
// up one to one (by a word-level longest common subsequence), each pair
// is the same word but for a few characters, no token is a number or a
// meaning word, and the characters changed in all are few.
func typoOnly(b, a []string) bool {
	for len(b) > 0 && len(a) > 0 && b[0] == a[0] {
		b, a = b[1:], a[1:]
	}
	for len(b) > 0 && len(a) > 0 && b[len(b)-1] == a[len(a)-1] {
		b, a = b[:len(b)-1], a[:len(a)-1]
	}
	if len(b) != len(a) || len(b) == 0 || len(b) > typoMaxTokens {
		return false
	}
	dels, ins := wordDiff(b, a)
	if len(dels) != len(ins) {
		return false
	}
	total := 0
	for i := range dels {
		x, y := dels[i], ins[i]
		if letters(x) != letters(y) && (meaningful(x) || meaningful(y)) {
			return false // a punctuation mark around a word changes no meaning; a changed word may
		}
		d := editDistance(strings.ToLower(x), strings.ToLower(y))
		if strings.ToLower(x) == strings.ToLower(y) {
			d = 1 // a change of case
		}
		if d > max(1, min(utf8.RuneCountInString(x), utf8.RuneCountInString(y))/typoWordShare) {
			return false
		}
		if total += d; total > typoChars {
			return false
		}
	}
	return true
}

// letters is a token without the punctuation around it.
func letters(tok string) string {
	return strings.TrimFunc(tok, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// meaningful reports whether a token holds a digit or is a meaning word.
func meaningful(tok string) bool {
	if strings.ContainsFunc(tok, unicode.IsDigit) {
		return true
	}
	w := strings.ToLower(strings.TrimFunc(tok, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }))
	return meaningWords[w] || strings.HasSuffix(w, "n't")
}

// wordDiff returns the tokens of b not in a longest common subsequence
// with a, and the tokens of a not in it, each in order.
func wordDiff(b, a []string) (dels, ins []string) {
	n, m := len(b), len(a)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if b[i] == a[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case b[i] == a[j]:
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			dels = append(dels, b[i])
			i++
		default:
			ins = append(ins, a[j])
			j++
		}
	}
	return append(dels, b[i:]...), append(ins, a[j:]...)
}

// editDistance is the distance between two words in runes: insertions,
// deletions, substitutions and swaps of adjacent runes ("teh", "the")
// count one each (optimal string alignment).
func editDistance(x, y string) int { return lex.Distance(x, y, -1) }

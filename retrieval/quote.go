package retrieval

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/livespec/livespec"
)

// Limits of the quotes that say what a change did.
const (
	exQuotes         = 5   // notable changes quoted in a changes report
	quoteNowRunes    = 240 // runes of what a section says now
	quoteBeforeRunes = 160 // runes of what it said before
	quoteMaxSents    = 2   // sentences joined in one quote, at most
)

// prose reports whether a sentence reads as prose a person wrote for
// people: four words or more, mostly words of letters, not a table row or
// a table of contents line, not code (a fence, braces, operators, mostly
// backticked) and not a placeholder in parentheses ("(new spec section)").
func prose(s string) bool {
	s = strings.TrimSpace(s)
	if strings.Count(s, "|") >= 2 || strings.HasPrefix(s, "|") || strings.HasPrefix(s, "```") || anchorLink.MatchString(s) {
		return false
	}
	if strings.HasPrefix(s, "(") && strings.HasSuffix(strings.TrimRight(s, ".!?"), ")") {
		return false
	}
	words := strings.Fields(s)
	if len(words) < 4 {
		return false
	}
	wordy := 0
	for _, w := range words {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if w != "" && strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' && r != '\'' }) < 0 {
			wordy++
		}
	}
	if wordy*10 < len(words)*6 {
		return false
	}
	code, ticked, in := 0, 0, false
	for _, r := range s {
		switch {
		case r == '`':
			in = !in
		case in:
			ticked++
		case strings.ContainsRune("{}[]<>=;$\\", r):
			code++
		}
	}
	n := utf8.RuneCountInString(s)
	return code*20 <= n && ticked*2 <= n
}

var (
	// emphasis is Markdown bold or italic marks.
	emphasis = regexp.MustCompile(`\*\*|__`)
	// blockStart opens a line that starts its own block: a list item, a
	// heading, a quote, a table row, a fence.
	blockStart = regexp.MustCompile("^\\s*([-*+>|#]|[0-9]{1,3}[.)]\\s|```|~~~)")
)

// proseSentences splits a section's text into sentences the way a reader
// sees them: comments dropped, lines wrapped inside a paragraph joined.
func proseSentences(text string) []string {
	if strings.Contains(text, "<!--") {
		text = htmlComment.ReplaceAllString(text, "")
	}
	text = dropEmphasis(text)
	var lines []string
	joinable, fenced := false, false
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if livespec.IsFence(t) {
			fenced = !fenced
		}
		start := blockStart.MatchString(l)
		// A hard line break (a backslash or two spaces at the end) ends
		// the line as a reader sees it: "Ian Lance Taylor\" above
		// "Robert Griesemer\" is a list of names, not one sentence.
		hard := strings.HasSuffix(l, "\\") || strings.HasSuffix(l, "  ")
		if hard && !fenced {
			t = strings.TrimSuffix(t, "\\")
			l = strings.TrimSuffix(strings.TrimRight(l, " "), "\\")
		}
		if joinable && !fenced && t != "" && !start && len(lines) > 0 {
			lines[len(lines)-1] += " " + t
			joinable = !hard
			continue
		}
		lines = append(lines, l)
		joinable = !fenced && !hard && t != "" && !strings.HasPrefix(t, "#") && !strings.HasPrefix(t, "|") && !strings.HasPrefix(t, "```")
	}
	return sentencesOf(strings.Join(lines, "\n"))
}

// dropEmphasis removes Markdown bold and italic marks outside code spans:
// "**/testdata/**" in backticks is a glob, not bold text.
func dropEmphasis(text string) string {
	if !strings.Contains(text, "**") && !strings.Contains(text, "__") {
		return text
	}
	parts := strings.Split(text, "`")
	for i := range parts {
		// Even parts are outside code; an unclosed backtick opens none.
		if i%2 == 0 || (i == len(parts)-1 && len(parts)%2 == 0) {
			parts[i] = emphasis.ReplaceAllString(parts[i], "")
		}
	}
	return strings.Join(parts, "`")
}

// sentenceKey is a sentence as compared between two versions: link
// targets dropped, case and spacing folded.
func sentenceKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(linkFree(s)), " "))
}

// sentenceDiff returns the prose sentences after says that before did
// not (now) and those before said that after no longer does (was), each
// joined and shortened: what a modification changed, in the spec's words.
func sentenceDiff(before, after string) (now, was string) {
	bs, as := proseSentences(before), proseSentences(after)
	inB, inA := map[string]bool{}, map[string]bool{}
	for _, s := range bs {
		inB[sentenceKey(s)] = true
	}
	for _, s := range as {
		inA[sentenceKey(s)] = true
	}
	var added, removed []string
	for _, s := range as {
		if !inB[sentenceKey(s)] && prose(s) {
			added = append(added, s)
		}
	}
	for _, s := range bs {
		if !inA[sentenceKey(s)] && prose(s) {
			removed = append(removed, s)
		}
	}
	return joinQuote(added, quoteNowRunes), joinQuote(removed, quoteBeforeRunes)
}

// leadSentences is the first prose sentences of a text, shortened.
func leadSentences(text string) string {
	var ps []string
	for _, s := range proseSentences(text) {
		if prose(s) {
			ps = append(ps, s)
		}
	}
	return joinQuote(ps, quoteNowRunes)
}

// headlineQuote is the sentence of a text that best answers query among
// its prose sentences (the first on a tie), with the next one when it is
// short; "" when the text has no prose that stands alone.
func headlineQuote(text, query string) string {
	var ps []string
	for _, s := range proseSentences(text) {
		// A sentence that ends in a colon introduces what follows (code,
		// a list) and says little alone.
		if prose(s) && !strings.HasSuffix(s, ":") {
			ps = append(ps, s)
		}
	}
	if len(ps) == 0 {
		return ""
	}
	score := overlap(query)
	best, bestScore := 0, -1
	for i, s := range ps {
		if n := score(s); n > bestScore {
			best, bestScore = i, n
		}
	}
	return joinQuote(ps[best:], exStatement)
}

// joinQuote joins up to quoteMaxSents sentences (the second only while
// the first is short) and clips them to n runes, link targets dropped.
func joinQuote(ss []string, n int) string {
	if len(ss) == 0 {
		return ""
	}
	out := ss[0]
	for _, s := range ss[1:min(len(ss), quoteMaxSents)] {
		if utf8.RuneCountInString(out) >= n/2 {
			break
		}
		out += " " + s
	}
	out = dropLinks(out)
	return clipRunes(strings.Trim(out, "… "), n)
}

package web

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// span is one run of a word diff: kept, inserted or deleted text.
type span struct {
	Op   string // "", "ins", "del"
	Text string
}

// wordDiff diffs two texts word by word (whitespace runs are tokens too,
// so the text is rebuilt exactly).
func wordDiff(a, b string) []span {
	dict := map[string]rune{}
	var words []string
	enc := func(s string) []rune {
		var out []rune
		for _, w := range tokens(s) {
			r, ok := dict[w]
			if !ok {
				r = rune(0xF0000 + len(words)) // a private-use plane: no clash with the texts' own runes
				dict[w] = r
				words = append(words, w)
			}
			out = append(out, r)
		}
		return out
	}
	ra, rb := enc(a), enc(b)
	dmp := diffmatchpatch.New()
	var out []span
	for _, d := range dmp.DiffCleanupSemantic(dmp.DiffMainRunes(ra, rb, false)) {
		var sb strings.Builder
		for _, r := range d.Text {
			sb.WriteString(words[r-0xF0000])
		}
		op := ""
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = "ins"
		case diffmatchpatch.DiffDelete:
			op = "del"
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += sb.String()
			continue
		}
		out = append(out, span{op, sb.String()})
	}
	return out
}

// tokens splits s into runs of word characters, runs of spaces, and
// single other characters.
func tokens(s string) []string {
	var out []string
	start := -1
	class := 0
	classOf := func(r rune) int {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_':
			return 1
		case unicode.IsSpace(r):
			return 2
		}
		return 3
	}
	for i, r := range s {
		c := classOf(r)
		if start >= 0 && c == class && c != 3 {
			continue
		}
		if start >= 0 {
			out = append(out, s[start:i])
		}
		start, class = i, c
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// contextLines is how many unchanged lines a diff keeps around a change.
const contextLines = 2

// trimContext shortens the unchanged runs of a diff to contextLines lines
// on each side of a change, replacing the rest with a "gap" span that
// says how many lines it hides.
func trimContext(spans []span) []span {
	out := make([]span, 0, len(spans))
	for i, s := range spans {
		if s.Op != "" {
			out = append(out, s)
			continue
		}
		lines := strings.SplitAfter(s.Text, "\n")
		keepHead, keepTail := contextLines, contextLines
		if i == 0 {
			keepHead = 0
		}
		if i == len(spans)-1 {
			keepTail = 0
		}
		if len(lines) <= keepHead+keepTail+2 {
			out = append(out, s)
			continue
		}
		hidden := len(lines) - keepHead - keepTail
		if head := strings.Join(lines[:keepHead], ""); head != "" {
			out = append(out, span{"", head})
		}
		out = append(out, span{"gap", strconv.Itoa(hidden) + " unchanged lines"})
		if tail := strings.Join(lines[len(lines)-keepTail:], ""); tail != "" {
			out = append(out, span{"", tail})
		}
	}
	return out
}

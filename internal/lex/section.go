package lex

import "strings"

// pathSeparators turns a spec file's path into words.
var pathSeparators = strings.NewReplacer("/", " ", "_", " ", "-", " ", ".md", " ", ".markdown", " ")

// PathWords returns the words of a spec file's path: its separators and
// its Markdown extension become spaces ("keps/sig-node/README.md" gives
// "keps sig node README").
func PathWords(p string) string { return pathSeparators.Replace(p) }

// Spellable reports whether w is a word spelling corrections consider:
// 4 to 30 lower-case ASCII letters.
func Spellable(w string) bool {
	if len(w) < 4 || len(w) > 30 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// SectionTerms returns what term statistics count once per section: the
// distinct stems of the tokens of its text, the words of its path and its
// heading (stop words included), and its distinct spellable words as
// written (lower case). Both are in order of first appearance.
func SectionTerms(text, path, heading string) (stems, words []string) {
	toks := Tokens(text + "\n" + PathWords(path) + "\n" + heading)
	seen := make(map[string]bool, len(toks))
	seenWord := make(map[string]bool, len(toks)/2)
	for _, t := range toks {
		if st := Stem(t.Word); !seen[st] {
			seen[st] = true
			stems = append(stems, st)
		}
		if !t.Symbol && !seenWord[t.Word] && Spellable(t.Word) {
			seenWord[t.Word] = true
			words = append(words, t.Word)
		}
	}
	return stems, words
}

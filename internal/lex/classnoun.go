package lex

import (
	"strings"
	"unicode"
)

// classNouns are the stems of the nouns that say what kind of thing a code
// span is ("the `resizePolicy` field", "the `?` operator"): beside a
// symbol they classify it, they do not name it.
var classNouns = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`field operator option flag keyword attribute parameter param argument
		method function func type annotation property variable constant macro trait struct enum class
		directive setting header label verb command subcommand syntax sigil token`) {
		m[Stem(w)] = true
	}
	return m
}()

// ClassNoun reports whether the lower-case word w (or its stem) is a noun
// that classifies a code span rather than names it.
func ClassNoun(w string) bool { return classNouns[Stem(w)] }

// months are the month names a number after a capitalised word can be the
// year of ("May 2022").
var months = WordSet(`january february march april may june july august september october
	november december jan feb mar apr jun jul aug sep sept oct nov dec`)

// NameNumbers returns the phrases of a capitalised name and the whole
// number s writes right after it, stemmed as adjacent word pairs are
// ("window 95" of "Windows 95", "python 3" of "Python 3"): the number is
// part of the name, and a text mentions the name only where it writes the
// two side by side. A number after a kind of document ("RFC 243",
// "Proposal 12345") or a month ("May 2022") is not, nor a number that
// goes on with a dot ("OpenAPI 3.1" is a version).
func NameNumbers(s string) []string {
	var out []string
	fs := strings.Fields(s)
	for i := 1; i < len(fs); i++ {
		name := strings.TrimFunc(fs[i-1], func(r rune) bool { return !unicode.IsLetter(r) })
		num := strings.TrimRightFunc(fs[i], func(r rune) bool { return unicode.IsPunct(r) && r != '.' })
		num = strings.TrimRight(num, ".")
		if name == "" || !unicode.IsUpper([]rune(name)[0]) || !allDigits(num) || strings.ContainsAny(fs[i], "#-/") {
			continue
		}
		low := strings.ToLower(name)
		if DocNoun(low) || months[low] || name != fs[i-1] {
			continue
		}
		out = append(out, Stem(low)+" "+num)
	}
	return out
}

func allDigits(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// WordSet returns the set of the space-separated words of s, for the word
// lists of the analysis and of its callers.
func WordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

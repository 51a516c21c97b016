package lex

import (
	"strings"
	"unicode"
)

// maxSymbol bounds the length of a symbol term in bytes.
const maxSymbol = 40

// symbols appends the symbol terms of s (see the package documentation).
// Each is a Part and a Symbol; the words inside it are tokens of their own
// as well, so "$ref" also gives "ref".
func symbols(s string, out []Token) []Token {
	add := func(w string) {
		if len(w) <= maxSymbol {
			out = append(out, Token{Word: strings.ToLower(w), Part: true, Symbol: true})
		}
	}
	// addForm adds the symbol s[a:b], read as a prefix where the text
	// says it is one.
	addForm := func(a, b int) {
		w, prefix := s[a:b], false
		if k := strings.LastIndexByte(w, '-'); k > 1 && formWord[strings.ToLower(w[k+1:])] {
			w, prefix = w[:k], true // "~int-style"
		}
		if len(w) <= maxSymbol {
			out = append(out, Token{Word: strings.ToLower(w), Part: true, Symbol: true, Prefix: prefix || saysPrefix(s, a, b), cuts: symbolCuts(w)})
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !symbolByte[c] {
			continue
		}
		prevWord := i > 0 && isWordByteBefore(s, i)
		switch c {
		case '$', '@', '~':
			// A sigil on a word: "$ref", "@name", "~int".
			if !prevWord {
				if j := wordEnd(s, i+1); j > i+1 {
					addForm(i, j)
				}
			}
		case '{', '<':
			// A word in braces or angle brackets: "{id}", "<T>".
			closer := map[byte]byte{'{': '}', '<': '>'}[c]
			if j := wordEnd(s, i+1); j > i+1 && j < len(s) && s[j] == closer {
				add(s[i : j+1])
			}
		case '#':
			// An attribute: "#[derive(Debug)]". Written as a prefix
			// ("`#[cfg]`-style"), it stands for the attributes that
			// start with its name: "#[cfg" of "#[cfg(test)]".
			if i+1 < len(s) && s[i+1] == '[' {
				if j := strings.IndexByte(s[i:], ']'); j > 2 && j < maxSymbol {
					if saysPrefix(s, i, i+j+1) {
						out = append(out, Token{Word: strings.ToLower(s[i : i+j]), Part: true, Symbol: true, Prefix: true})
					} else {
						add(s[i : i+j+1])
					}
				}
			}
		case '/':
			// A directive: "//go:build".
			if !prevWord && strings.HasPrefix(s[i:], "//") {
				j := wordEnd(s, i+2)
				if j > i+2 && j < len(s) && s[j] == ':' {
					if k := wordEnd(s, j+1); k > j+1 {
						add(s[i:k])
					}
				}
			}
		case '-':
			// A prefix: a letter and its hyphen ("x-" of "x-oai-"), or a
			// short word with a dangling hyphen ("pre- and post-").
			if prevWord {
				a := i
				for a > 0 && isWordByteBefore(s, a) {
					a--
				}
				dangling := i+1 >= len(s) || !isWordByte(s[i+1])
				if (i-a == 1 || (dangling && i-a <= 3)) && (a == 0 || !isWordByteBefore(s, a) && s[a-1] != '-') {
					add(s[a : i+1])
				}
			}
		case '`':
			// A code span holding only punctuation: "`?`", "`~`", "`...`".
			if j := strings.IndexByte(s[i+1:], '`'); j > 0 && j <= 4 {
				if body := s[i+1 : i+1+j]; !strings.ContainsFunc(body, func(r rune) bool { return IsWordRune(r) || unicode.IsSpace(r) }) {
					addForm(i+1, i+1+j)
					i += j + 1
				}
			}
		}
	}
	return out
}

// symbolByte marks the bytes a symbol can start at (see symbols).
var symbolByte = func() (t [256]bool) {
	for _, c := range []byte("$@~{<#/-`") {
		t[c] = true
	}
	return t
}()

// symbolCuts returns the first camelCase cuts of a symbol's name (see
// Token.cuts): the offsets in the symbol where its name, after the sigil,
// splits.
func symbolCuts(sym string) (cuts [maxCuts]uint8) {
	n := 0
	for _, c := range camelCuts(sym) {
		if c > 1 && c <= maxSymbol && n < maxCuts {
			cuts[n] = uint8(c)
			n++
		}
	}
	return cuts
}

// wordEnd returns the end of the run of word runes (and underscores,
// hyphens between words) that starts at i; i when there is none.
func wordEnd(s string, i int) int {
	j := i
	for j < len(s) {
		r, w := decodeRune(s, j)
		if IsWordRune(r) || r == '_' || (r == '-' && j > i && j+1 < len(s) && isWordByte(s[j+1])) {
			j += w
			continue
		}
		break
	}
	return j
}

func isWordByte(c byte) bool {
	return c >= 0x80 || ('a' <= c|0x20 && c|0x20 <= 'z') || ('0' <= c && c <= '9')
}

// isWordByteBefore reports whether the byte before i is part of a word
// (ASCII letter or digit, or the last byte of a multi-byte letter).
func isWordByteBefore(s string, i int) bool { return isWordByte(s[i-1]) }

// formWord holds the words that, joined to a symbol by a hyphen, say that
// it stands for its longer forms: "`~int`-style", "`x-`-prefixed".
var formWord = map[string]bool{"style": true, "like": true, "prefixed": true, "shaped": true, "form": true, "forms": true, "prefix": true, "prefixes": true}

// prefixBefore holds the words that, written before a symbol, say that it
// is the start of longer symbols: "names starting with `$`".
var prefixBefore = []string{"starting with", "beginning with", "starts with", "start with", "begins with", "begin with", "prefixed with", "prefixed by"}

// maxPrefixBefore bounds how far before a symbol saysPrefix looks: the
// longest phrase of prefixBefore, a space and a backtick, and then some.
const maxPrefixBefore = 24

// saysPrefix reports whether the text around the symbol s[a:b] reads it as
// the start of longer symbols (see Token.Prefix): a wildcard after it
// ("~int*"), a form word joined to it ("`~int`-style") or a prefix word
// after it ("the `$` prefix"), or a phrase such as "starting with" before it.
func saysPrefix(s string, a, b int) bool {
	after := s[b:]
	after = strings.TrimPrefix(after, "`")
	if strings.HasPrefix(after, "*") {
		return true
	}
	if rest, ok := strings.CutPrefix(after, "-"); ok && formWord[strings.ToLower(leadingWord(rest))] {
		return true
	}
	if rest, ok := strings.CutPrefix(after, " "); ok {
		if w := strings.ToLower(leadingWord(rest)); w == "prefix" || w == "prefixes" {
			return true
		}
	}
	before := strings.TrimRight(strings.TrimSuffix(s[max(0, a-maxPrefixBefore):a], "`"), " ")
	for _, p := range prefixBefore {
		n := len(before) - len(p)
		if n >= 0 && strings.EqualFold(before[n:], p) && (n == 0 || !isWordByte(before[n-1])) {
			return true
		}
	}
	return false
}

// leadingWord returns the run of word bytes s starts with.
func leadingWord(s string) string {
	j := 0
	for j < len(s) && isWordByte(s[j]) {
		j++
	}
	return s[:j]
}

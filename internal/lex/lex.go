package lex

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"

	"github.com/livespec/livespec/internal/cache"
)

// Token is one word of a text.
type Token struct {
	Word    string // lower-cased
	Acronym bool   // written in capitals, 2-6 letters ("TSC")
	Camel   bool   // a piece of a camelCase word ("only" of "readOnly")
	// Part marks a token that is not a word of the running text: a piece
	// of a compound or an identifier, an identifier, a symbol.
	Part   bool
	Symbol bool // a symbol term ("$ref", "{id}", "`?`")
	// Prefix marks a symbol the text writes as the start of longer
	// symbols: "`~int`-style", "~int*", "names starting with `$`". A
	// query matches its forms with it (see PrefixOf).
	// The word of its name is marked too ("int" of "`~int`-style").
	Prefix bool
	// cuts are, for a symbol with a camelCase name ("$dynamicRef"), the
	// first byte offsets of Word where the name splits (8 for
	// "$dynamic"), 0 past the last: the case that showed them is gone
	// from Word. They fill the struct's padding. See Pieces.
	cuts [maxCuts]uint8
}

// maxCuts is how many camelCase cuts of a symbol a Token keeps.
const maxCuts = 3

// Pieces returns the leading pieces of a camelCase symbol at its first
// cuts ("$dynamic" of "$dynamicRef"): forms of which a symbol written as a
// prefix (`$dynamic`-prefixed) is the start, though Word goes on with a
// letter. Nil for other tokens.
func (t Token) Pieces() []string {
	var out []string
	for _, c := range t.cuts {
		if c == 0 {
			break
		}
		out = append(out, t.Word[:c])
	}
	return out
}

// Tokens splits s into tokens, identifiers and symbols first, then the
// words of the running text in order (see the package documentation).
func Tokens(s string) []Token {
	return AppendTokens(make([]Token, 0, len(s)/6+1), s)
}

// AppendTokens appends the tokens of s to out, as Tokens returns them, and
// returns the longer slice: a caller analysing many texts reuses one.
func AppendTokens(out []Token, s string) []Token {
	start := len(out)
	out = idents(s, out)
	n := len(out)
	out = symbols(s, out)
	names := prefixNames(out[n:])
	out = words(s, out)
	if names != nil {
		markNames(out[start:], names)
	}
	return out
}

// prefixNames returns the names of the symbols read as prefixes: "int" of
// "`~int`-style" stands for "int64" as "~int" does for "~int64".
func prefixNames(syms []Token) []string {
	var names []string
	for _, t := range syms {
		if t.Prefix {
			if n := strings.TrimFunc(t.Word, func(r rune) bool { return !IsWordRune(r) }); n != "" {
				names = append(names, n)
			}
		}
	}
	return names
}

// markNames marks the words that are such names as prefixes too, and the
// form words ("style" of "`~int`-style") as parts: they say how the symbol
// is read, not what the text is about.
func markNames(toks []Token, names []string) {
	for i, t := range toks {
		switch {
		case t.Symbol:
		case slices.Contains(names, t.Word):
			toks[i].Prefix = true
		case formWord[t.Word]:
			toks[i].Part = true
		}
	}
}

type span struct{ a, b int }

// words appends the words of s in order: plain words, and for compounds
// and camelCase words the joined form followed by the parts. The
// lower-case forms of ASCII words written with capitals are written into
// one string for the whole text (see lowered), not one each.
func words(s string, out []Token) []Token {
	low := lowereds.Get().(*lowered)
	defer low.done()
	var cutsBuf [8]int
	n := len(s)
	for i := 0; i < n; {
		if c := s[i]; c < utf8.RuneSelf {
			if !asciiWord[c] {
				i++
				continue
			}
		} else if r, w := utf8.DecodeRuneInString(s[i:]); !IsWordRune(r) {
			i += w
			continue
		}
		// A compound: words joined by single hyphens, at most four.
		var raw [4]span
		nr := 0
		caps, wide := 0, false // upper-case ASCII letters; runes beyond ASCII
		for {
			j := i
			for j < n {
				if c := s[j]; c < utf8.RuneSelf {
					if asciiWord[c] {
						if 'A' <= c && c <= 'Z' {
							caps++
						}
						j++
						continue
					}
					if c == '.' && j > i && isDigitAt(s, j-1) && isDigitAt(s, j+1) {
						j++
						continue
					}
					break
				}
				r, w := utf8.DecodeRuneInString(s[j:])
				if !IsWordRune(r) {
					break
				}
				wide = true
				j += w
			}
			raw[nr] = span{i, j}
			nr++
			i = j
			if nr < 4 && i+1 < n && s[i] == '-' {
				if r, _ := decodeRune(s, i+1); IsWordRune(r) {
					i++
					continue
				}
			}
			break
		}
		if wide {
			out = wideWords(s, raw[:nr], out)
			continue
		}
		if nr == 1 {
			w := s[raw[0].a:raw[0].b]
			switch {
			case caps == 0: // the common case, at no cost
				out = append(out, Token{Word: w})
				continue
			case caps == 1 && 'A' <= w[0] && w[0] <= 'Z':
				// Capitalised: no camelCase cut, no acronym.
				out = low.add(out, Token{}, w)
				continue
			}
			if len(appendCamelCuts(cutsBuf[:0], w)) == 0 {
				out = low.add(out, Token{Acronym: acronym(w)}, w)
				continue
			}
		}
		out = low.addJoined(out, s, raw[:nr])
		for _, r := range raw[:nr] {
			w := s[r.a:r.b]
			start := 0
			var cuts []int
			if caps > 0 {
				cuts = appendCamelCuts(cutsBuf[:0], w)
			}
			for _, c := range cuts {
				out = low.add(out, Token{Acronym: acronym(w[start:c]), Camel: true, Part: true}, w[start:c])
				start = c
			}
			out = low.add(out, Token{Acronym: acronym(w[start:]), Camel: len(cuts) > 0, Part: true}, w[start:])
		}
	}
	low.fill(out)
	return out
}

// wideWords appends the tokens of a word or compound (its spans in s)
// holding runes beyond ASCII, as words does.
func wideWords(s string, raw []span, out []Token) []Token {
	if len(raw) == 1 {
		if w := s[raw[0].a:raw[0].b]; camelCuts(w) == nil {
			return append(out, Token{Word: strings.ToLower(w), Acronym: acronym(w)})
		}
	}
	var joined strings.Builder
	for _, r := range raw {
		joined.WriteString(s[r.a:r.b])
	}
	out = append(out, Token{Word: strings.ToLower(joined.String())})
	for _, r := range raw {
		w := s[r.a:r.b]
		start := 0
		cuts := camelCuts(w)
		for _, c := range cuts {
			out = append(out, Token{Word: strings.ToLower(w[start:c]), Acronym: acronym(w[start:c]), Camel: true, Part: true})
			start = c
		}
		out = append(out, Token{Word: strings.ToLower(w[start:]), Acronym: acronym(w[start:]), Camel: cuts != nil, Part: true})
	}
	return out
}

// lowered writes the lower-case forms of a text's ASCII words one after
// another, for tokens whose Word fill sets once the text is read: one
// string for the text instead of one per word written with capitals.
type lowered struct {
	buf   []byte
	words []loweredWord
}

// lowereds keeps lowered buffers between texts.
var lowereds = sync.Pool{New: func() any { return new(lowered) }}

// done empties l and returns it to lowereds.
func (l *lowered) done() {
	l.buf, l.words = l.buf[:0], l.words[:0]
	lowereds.Put(l)
}

// loweredWord is a token's word: bytes a to b of lowered's buffer.
type loweredWord struct{ tok, a, b int }

// add appends t with the lower-case form of the ASCII word w: w itself
// when it has no capitals, or else a form fill sets.
func (l *lowered) add(out []Token, t Token, w string) []Token {
	k := 0
	for k < len(w) && !('A' <= w[k] && w[k] <= 'Z') {
		k++
	}
	if k == len(w) {
		t.Word = w
		return append(out, t)
	}
	a := len(l.buf)
	l.buf = appendLower(l.buf, w)
	l.words = append(l.words, loweredWord{len(out), a, len(l.buf)})
	return append(out, t)
}

// addJoined appends the token of the ASCII compound of the spans of s,
// its words written together in lower case.
func (l *lowered) addJoined(out []Token, s string, raw []span) []Token {
	a := len(l.buf)
	for _, r := range raw {
		l.buf = appendLower(l.buf, s[r.a:r.b])
	}
	l.words = append(l.words, loweredWord{len(out), a, len(l.buf)})
	return append(out, Token{})
}

// fill sets the words of the tokens add and addJoined appended to out.
func (l *lowered) fill(out []Token) {
	if len(l.words) == 0 {
		return
	}
	all := string(l.buf)
	for _, w := range l.words {
		out[w.tok].Word = all[w.a:w.b]
	}
}

// appendLower appends the ASCII word w in lower case to buf.
func appendLower(buf []byte, w string) []byte {
	for k := 0; k < len(w); k++ {
		c := w[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

func decodeRune(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// IsWordRune reports whether r is a letter or a digit.
func IsWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		c := r | 0x20
		return ('a' <= c && c <= 'z') || ('0' <= r && r <= '9')
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isDigitAt(s string, i int) bool { return i >= 0 && i < len(s) && '0' <= s[i] && s[i] <= '9' }

// idents appends the identifiers of s written with slashes or dots between
// words ("src/oas.md", "text/event-stream", "x.y", "HTTP/2"), whole and
// lower-cased, so that a question quoting one matches the texts that do.
// Only a run of identifier runes holding a '/' or a '.' can be one, so the
// runs around those bytes are read, in order, and the rest is skipped.
func idents(s string, out []Token) []Token {
	dot, slash := nextByte(s, 0, '.'), nextByte(s, 0, '/')
	for i := 0; ; {
		if dot < i {
			dot = nextByte(s, i, '.')
		}
		if slash < i {
			slash = nextByte(s, i, '/')
		}
		k := min(dot, slash)
		if k == len(s) {
			return out
		}
		a, j := identStart(s, i, k), identRunEnd(s, k)
		i = j
		run := strings.TrimLeft(s[a:j], "/._-")
		run = strings.TrimRight(run, "/._-")
		if len(run) > 80 || strings.Contains(run, "//") {
			continue
		}
		if isIdentRun(run) {
			out = append(out, Token{Word: strings.ToLower(run), Part: true})
		}
	}
}

// nextByte returns the index of the first c of s at or after from, or
// len(s).
func nextByte(s string, from int, c byte) int {
	if k := strings.IndexByte(s[from:], c); k >= 0 {
		return from + k
	}
	return len(s)
}

// identStart returns the start of the run of identifier runes that holds
// the byte at k, reading back no further than from. UTF-8 reads the same
// rune boundaries backwards as forwards, so this is where a forward scan
// from a rune boundary at or before from would start the run.
func identStart(s string, from, k int) int {
	for k > from {
		if c := s[k-1]; c < utf8.RuneSelf {
			if !asciiIdent[c] {
				break
			}
			k--
			continue
		}
		r, w := utf8.DecodeLastRuneInString(s[from:k])
		if !IsWordRune(r) {
			break
		}
		k -= w
	}
	return k
}

// identRunEnd returns the end of the run of identifier runes from i.
func identRunEnd(s string, i int) int {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if !asciiIdent[c] {
				break
			}
			i++
			continue
		}
		r, w := decodeRune(s, i)
		if !IsWordRune(r) {
			break
		}
		i += w
	}
	return i
}

// asciiWord marks the ASCII letters and digits.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = IsWordRune(rune(c))
	}
	return t
}()

// asciiIdent marks the ASCII bytes of identifiers.
var asciiIdent = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = IsWordRune(rune(c)) || c == '/' || c == '.' || c == '_' || c == '-'
	}
	return t
}()

// isIdentRun reports whether run joins words with a slash or a dot: a word
// then a letter ("src/oas.md"), or a word with letters, a slash and a
// digit ("HTTP/2").
func isIdentRun(run string) bool {
	letters := false
	for k := 0; k+1 < len(run); k++ {
		c := run[k]
		if c < utf8.RuneSelf && unicode.IsLetter(rune(c)) {
			letters = true
		}
		if (c != '/' && c != '.') || k == 0 || !IsWordRune(rune(run[k-1])) {
			continue
		}
		r, _ := decodeRune(run, k+1)
		if unicode.IsLetter(r) || (c == '/' && letters && unicode.IsDigit(r)) {
			return true
		}
	}
	return false
}

// camelCuts returns the byte offsets where a camelCase word splits
// ("readOnly" at 4, "HTTPServer" at 4), or nil for a plain word.
func camelCuts(w string) []int { return appendCamelCuts(nil, w) }

// appendCamelCuts appends camelCuts(w) to cuts: a caller passing a
// slice of an array on its stack allocates nothing.
func appendCamelCuts(cuts []int, w string) []int {
	var prev rune
	pi := -1
	for i, cur := range w {
		if pi >= 0 {
			if unicode.IsLower(prev) && unicode.IsUpper(cur) {
				cuts = append(cuts, i)
			} else if unicode.IsUpper(prev) && unicode.IsUpper(cur) {
				// An acronym ends before an upper-case letter that starts a
				// word ("HTTPServer"), not before a plural's "s" ("KEPs").
				if next, ok := nextRune(w, i); ok && unicode.IsLower(next) && !pluralEnd(w, i) {
					cuts = append(cuts, i)
				}
			}
		}
		prev, pi = cur, i
	}
	return cuts
}

// pluralEnd reports whether the rune at i is followed by a final "s":
// "KEPs" is the plural of "KEP", not "KE" and "Ps".
func pluralEnd(w string, i int) bool {
	_, size := utf8.DecodeRuneInString(w[i:])
	return w[i+size:] == "s"
}

func nextRune(w string, i int) (rune, bool) {
	_, size := utf8.DecodeRuneInString(w[i:])
	if i+size >= len(w) {
		return 0, false
	}
	r, _ := utf8.DecodeRuneInString(w[i+size:])
	return r, true
}

func acronym(w string) bool {
	if len(w) < 2 || len(w) > 6 {
		return false
	}
	for _, r := range w {
		if !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// stems memoises the stemmer, which costs microseconds a word while a
// spec's vocabulary is small. Every word of every analysed text is looked
// up: a look-up takes no lock (see cache.Memo). A word of at most
// shortWord letters (nearly every one) is kept in the map's own key
// (shortStems), so that a look-up compares it without reading another
// allocation; longer ones are kept as strings (longStems).
var (
	shortStems = cache.NewMemo[shortKey, string](100_000)
	longStems  = cache.NewMemo[string, string](20_000)
)

// shortWord is the most letters a shortKey holds.
const shortWord = 16

// shortKey is a word of at most shortWord letters, padded with zero bytes
// (which no letter is).
type shortKey [shortWord]byte

// Stem returns the Snowball English stem of a lower-case word: "approvals",
// "approved" and "approving" give "approv". Words of fewer than three
// letters, and words holding anything but ASCII letters (numbers,
// identifiers, symbols), are returned as they are. The stem of a word
// starts with the word's first byte: Snowball changes only a word's
// suffixes, and its special forms ("dying", "lying", "skies") keep their
// first letter.
func Stem(w string) string {
	if len(w) < 3 || !asciiLetters(w) {
		return w
	}
	if len(w) > shortWord {
		if s, ok := longStems.Get(w); ok {
			return s
		}
		s := english.Stem(w, true)
		// w is most often a piece of a whole text: the memo keeps a copy,
		// not the text.
		longStems.Add(strings.Clone(w), s)
		return s
	}
	var k shortKey
	copy(k[:], w)
	if s, ok := shortStems.Get(k); ok {
		return s
	}
	s := english.Stem(w, true)
	shortStems.Add(k, s)
	return s
}

func asciiLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// Terms returns the terms an index stores for s: the stems of its tokens
// that are not stop words or single letters (identifiers, parts and
// symbols included), in order, with repeats.
func Terms(s string) []string {
	toks := Tokens(s)
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if isTerm(t) {
			out = append(out, Stem(t.Word))
		}
	}
	return out
}

// isTerm reports whether an index stores a term for t: not a stop word,
// nor a single letter unless it is a symbol.
func isTerm(t Token) bool { return !Stop(t.Word) && (t.Symbol || !singleLetter(t.Word)) }

// QueryTerm is one distinct term of a query. Prefix marks a symbol the
// query writes as the start of longer symbols (see Token.Prefix): it
// stands for its forms as well (see PrefixOf). The words of such a name
// are searched as themselves: as a prefix, "int" would meet "interface".
type QueryTerm struct {
	Term   string
	Prefix bool
}

// QueryTerms returns the distinct terms of a query, in order of first
// appearance, at most max (no bound when max <= 0).
func QueryTerms(s string, max int) []QueryTerm {
	var out []QueryTerm
	seen := map[QueryTerm]bool{}
	for _, tok := range Tokens(s) {
		if !isTerm(tok) {
			continue
		}
		t := QueryTerm{Term: Stem(tok.Word), Prefix: tok.Prefix && tok.Symbol}
		if seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
		if len(out) == max {
			break
		}
	}
	return out
}

// singleLetter reports whether w is one letter.
func singleLetter(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	return n == len(w) && unicode.IsLetter(r)
}

// PrefixOf reports whether the symbol sym is a form of the symbol prefix,
// which a text wrote as a prefix: sym is prefix itself, or starts with it
// where code would break a name: prefix ends in punctuation ("x-" of
// "x-foo", "~" of "~int"), or sym goes on with a digit or punctuation
// ("~int64" and "~int_t" of "~int", but not "~interface"; "$ref.id" but
// not "$refs").
func PrefixOf(prefix, sym string) bool {
	if !strings.HasPrefix(sym, prefix) || prefix == "" {
		return false
	}
	if len(sym) == len(prefix) || !isWordByte(prefix[len(prefix)-1]) {
		return true
	}
	c := sym[len(prefix)]
	return c < 0x80 && !('a' <= c|0x20 && c|0x20 <= 'z')
}

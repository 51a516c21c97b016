package lex

import (
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/kljensen/snowball/english"
)

func wordsOf(toks []Token) []string {
	var out []string
	for _, t := range toks {
		out = append(out, t.Word)
	}
	return out
}

func TestTokens(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // every one must be among the tokens
		absent     []string
	}{
		{"camelCase yields parts and the whole", "readOnly", []string{"readonly", "read", "only"}, nil},
		{"hyphenated compounds join", "read-only", []string{"readonly", "read", "only"}, nil},
		{"version numbers stay whole", "OpenAPI 3.0.0 and 3.1", []string{"openapi", "3.0.0", "3.1"}, []string{"0"}},
		{"paths and media types stay whole", "edit `src/oas.md`, serve text/event-stream.", []string{"src/oas.md", "src", "oas", "md", "text/event-stream"}, nil},
		{"protocol versions stay whole", "HTTP/2 server push", []string{"http/2", "http", "2"}, nil},
		{"fractions are no identifiers", "1/2 of it", nil, []string{"1/2"}},
		{"sentence ends are not identifiers", "It ends. Then", []string{"ends", "then"}, []string{"ends.then"}},
		{"acronym parts", "HTTPServer", []string{"httpserver", "http", "server"}, nil},
		{"sigils", "use `$ref`, @deprecated and ~int64", []string{"$ref", "ref", "@deprecated", "~int64", "int64"}, nil},
		{"e-mail addresses are no sigil words", "write to a@b.org", nil, []string{"@b"}},
		{"braces and brackets", "GET /users/{id} returns Vec<T>", []string{"{id}", "id", "<t>"}, nil},
		{"attributes", "#[derive(Debug)] on the type", []string{"#[derive(debug)]", "derive"}, nil},
		{"dangling hyphen prefix", "names starting with `x-` or x-oai-", []string{"x-", "xoai"}, nil},
		{"long words take no prefix", "a well-known name", nil, []string{"well-"}},
		{"directives", "a //go:build line", []string{"//go:build", "go", "build"}, nil},
		{"punctuation code spans", "the `?` operator and `~`", []string{"?", "~", "operator"}, nil},
		{"question marks are no terms", "what is it?", nil, []string{"?"}},
		{"identifiers with letters beyond ASCII", "siehe Größe/maß.md und über.example", []string{"größe/maß.md", "über.example", "größe"}, nil},
		{"identifiers after many fractions", strings.Repeat("1/2 ", 200) + "edit src/oas.md.", []string{"src/oas.md"}, []string{"1/2"}},
		{"invalid UTF-8 bounds an identifier", "\xffsrc/oas.md\xc3", []string{"src/oas.md"}, nil},
		{"capitalised words", "The Kubelet and Über", []string{"the", "kubelet", "über"}, []string{"The", "Kubelet"}},
		{"capitalised compounds", "Read-Only and X-Kubernetes-PreserveFields", []string{"readonly", "read", "only", "xkubernetespreservefields", "x", "kubernetes", "preserve", "fields"}, []string{"Read", "PreserveFields"}},
		{"compounds beyond ASCII", "Größe-Maß and fooÜber", []string{"größemaß", "größe", "maß", "fooüber", "foo", "über"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wordsOf(Tokens(tc.text))
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("Tokens(%q) = %q, missing %q", tc.text, got, w)
				}
			}
			for _, w := range tc.absent {
				if slices.Contains(got, w) {
					t.Errorf("Tokens(%q) = %q, should not hold %q", tc.text, got, w)
				}
			}
		})
	}
}

// TestAppendTokens checks that tokens appended to those of another text
// are the text's own tokens: a prefix the second text writes marks its
// own words, not the first text's.
func TestAppendTokens(t *testing.T) {
	tests := []struct{ name, first, second string }{
		{"a prefix name in the second text", "int and ints", "names like `~int`-style and int"},
		{"a prefix name in the first text", "`~int`-style names", "int and style"},
		{"nothing before", "", "readOnly `$ref` src/oas.md"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first := Tokens(tc.first)
			got := AppendTokens(slices.Clone(first), tc.second)
			want := append(first, Tokens(tc.second)...)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("AppendTokens = %+v, want %+v", got, want)
			}
		})
	}
}

// TestTokensLowerCaseOnce checks that the words a text writes with
// capitals are lower-cased into one string for the whole text, not one
// string each: tokenising a spec's prose, most of whose sentences start
// with a capital, allocates no more than its plain words do.
func TestTokensLowerCaseOnce(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops a share of what sync.Pool is given, so pooled buffers are made again at random")
	}
	text := strings.Repeat("The Kubelet evicts Pods. Read-Only fields of HTTPServer, and OpenAPI specs. ", 20)
	out := Tokens(text)
	// A collection empties the pools the tokeniser reuses its buffers
	// from, so a few buffers may be made again; one string per
	// capitalised word would be 140 here.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	allocs := testing.AllocsPerRun(20, func() { out = AppendTokens(out[:0], text) })
	if allocs > 8 {
		t.Errorf("AppendTokens allocated %v times, want at most 8 (a few pooled buffers), not one per capitalised word", allocs)
	}
}

// TestStemKeepsFirstByte checks that a word's stem starts with the word's
// first byte, for Snowball's special words, words it changes most, words
// starting with "y" (which it reads as a consonant) and short words.
func TestStemKeepsFirstByte(t *testing.T) {
	words := strings.Fields(`dying lying tying skis skies idly gently ugly early only singly sky news
		howe atlas cosmos bias andes yellow yearly youth ies eed eedly ying yes
		generously communism arsenal relational conditional rational valenci hesitanci
		digitizer conformabli radicalli differentli vileli analogousli vietnamization predication
		operator feudalism decisiveness hopefulness callousness formaliti sensitiviti
		sensibiliti triplicate formative formalize electriciti electrical hopeful goodness
		revival allowance inference airliner gyroscopic adjustable defensible animism
		activate angulariti homologous effective bowdlerize probate rate cease
		controlling rolling caresses ponies ties caress cats feed agreed plastered bled
		motoring sing conflated troubled sized hopping tanned falling hissing fizzed
		failing filing happy`)
	for _, w := range words {
		if st := Stem(w); st == "" || st[0] != w[0] {
			t.Errorf("Stem(%q) = %q, which does not start with %q", w, st, w[:1])
		}
	}
}

// TestStemKeepsNoText checks that stemming a word of a text does not keep
// the text in memory: the memo of stems holds copies of its words, short
// (kept in the memo's keys) and long.
func TestStemKeepsNoText(t *testing.T) {
	tests := []struct{ name, word string }{
		{"short", "zymurgically"},
		{"long", "incomprehensibilities"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Repeat("filler ", 10_000) + tc.word
			freed := make(chan struct{})
			runtime.AddCleanup(unsafe.StringData(text), func(ch chan struct{}) { close(ch) }, freed)
			want := english.Stem(tc.word, true)
			if got := Stem(text[len(text)-len(tc.word):]); got != want {
				t.Fatalf("Stem = %q, want %q", got, want)
			}
			if got := Stem(tc.word); got != want {
				t.Fatalf("Stem again = %q, want %q", got, want)
			}
			text = ""
			deadline := time.After(10 * time.Second)
			for {
				runtime.GC()
				select {
				case <-freed:
					return
				case <-deadline:
					t.Fatal("the text stemmed is still kept")
				case <-time.After(10 * time.Millisecond):
				}
			}
		})
	}
}

// TestStemMemoised checks that a word's memoised stem is the stemmer's,
// asked once or again, for words on both sides of the memo's short form
// (shortWord letters) and words sharing a short one's first letters.
func TestStemMemoised(t *testing.T) {
	for _, w := range []string{"runs", "internationalis", "internationalise", "internationalised", "internationalisations", "Internationalise", "internationalises"} {
		t.Run(w, func(t *testing.T) {
			want := english.Stem(w, true)
			for i := range 2 {
				if got := Stem(w); got != want {
					t.Errorf("Stem(%q) #%d = %q, want %q", w, i+1, got, want)
				}
			}
		})
	}
}

func TestStem(t *testing.T) {
	groups := [][]string{
		{"approval", "approvals", "approved", "approving"},
		{"contributing", "contribution", "contribute"},
		{"members", "member"},
		{"policies", "policy"},
		{"discount", "discounts"},
		{"webhook", "webhooks"},
	}
	for _, g := range groups {
		t.Run(g[0], func(t *testing.T) {
			want := Stem(g[0])
			for _, w := range g[1:] {
				if got := Stem(w); got != want {
					t.Errorf("Stem(%q) = %q, Stem(%q) = %q; want them equal", w, got, g[0], want)
				}
			}
		})
	}
	for _, w := range []string{"3.0.0", "src/oas.md", "tsc", "$ref", "{id}", "http/2", "x-"} {
		if got := Stem(w); got != w {
			t.Errorf("Stem(%q) = %q, want it unchanged", w, got)
		}
	}
}

func TestTerms(t *testing.T) {
	got := Terms("When was the `$ref` keyword of the Schemas first described?")
	for _, w := range []string{"$ref", "ref", "keyword", "schema", "first", "describ"} {
		if !slices.Contains(got, w) {
			t.Errorf("Terms = %q, missing %q", got, w)
		}
	}
	for _, w := range []string{"when", "was", "the", "of"} {
		if slices.Contains(got, w) {
			t.Errorf("Terms = %q holds the stop word %q", got, w)
		}
	}
	if q := QueryTerms("schemas schema Schema", 0); !slices.Equal(q, []QueryTerm{{Term: "schema"}}) {
		t.Errorf("QueryTerms = %v, want one term", q)
	}
	if q := QueryTerms(strings.Repeat("alpha beta gamma ", 3), 2); !slices.Equal(q, []QueryTerm{{Term: "alpha"}, {Term: "beta"}}) {
		t.Errorf("QueryTerms with a bound = %v, want the first two", q)
	}
}

func BenchmarkTerms(b *testing.B) {
	text := strings.Repeat("The kubelet evicts Pods under memory-pressure when `memory.available` drops below the eviction threshold; see keps/sig-node/1234-foo/README.md and readOnly fields in OpenAPI 3.0.0 with `$ref`. ", 30)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Terms(text)
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"the", "teh", -1, 1},
		{"webhoks", "webhooks", -1, 1},
		{"licnese", "license", -1, 1},
		{"retention", "rejection", -1, 2},
		{"retention", "rejection", 1, 2},
		{"größe", "grösse", -1, 2},
		{"", "abc", -1, 3},
		{"abc", "abc", 0, 0},
	}
	for _, tc := range tests {
		if got := Distance(tc.a, tc.b, tc.limit); got != tc.want {
			t.Errorf("Distance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.limit, got, tc.want)
		}
	}
}

func TestPrefixSymbols(t *testing.T) {
	tests := []struct {
		name, text string
		prefix     []string // symbols read as prefixes
		exact      []string // symbols read as themselves
	}{
		{"a form word joined to a code span", "When did `~int`-style constraints appear?", []string{"~int"}, nil},
		{"a form word joined to the symbol", "~int-like types and `$ref`", []string{"~int"}, []string{"$ref"}},
		{"a wildcard", "names such as `$dynamic*` or @deprecated", []string{"$dynamic"}, []string{"@deprecated"}},
		{"a phrase before the symbol", "fields starting with `@` and names beginning with $x", []string{"@", "$x"}, nil},
		{"a prefix word after the symbol", "the `~` prefix of a type", []string{"~"}, nil},
		{"a symbol alone is itself", "when was `~int` introduced, and `?`", nil, []string{"~int", "?"}},
		{"a hyphenated word after a symbol is not a form word", "`$ref`-resolution and ~int-valued", nil, []string{"$ref", "~int-valued"}},
		{"a phrase not ending right before the symbol", "starting with the `$ref` keyword", nil, []string{"$ref"}},
		{"an attribute with a form word", "`#[cfg]`-style attributes and #[derive(Debug)]", []string{"#[cfg"}, []string{"#[derive(debug)]"}},
		{"an attribute alone is itself", "when was `#[cfg]` added", nil, []string{"#[cfg]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]bool{}
			for _, tok := range Tokens(tc.text) {
				if tok.Symbol {
					got[tok.Word] = tok.Prefix
				}
			}
			for _, w := range tc.prefix {
				if p, ok := got[w]; !ok || !p {
					t.Errorf("Tokens(%q): symbol %q is not read as a prefix (symbols: %v)", tc.text, w, got)
				}
			}
			for _, w := range tc.exact {
				if p, ok := got[w]; !ok || p {
					t.Errorf("Tokens(%q): symbol %q should be read as itself (symbols: %v)", tc.text, w, got)
				}
			}
		})
	}
	q := QueryTerms("`~int`-style approximation", 0)
	if !slices.Contains(q, QueryTerm{Term: "~int", Prefix: true}) || slices.Contains(q, QueryTerm{Term: "~int"}) {
		t.Errorf("QueryTerms = %v, want ~int as a prefix only", q)
	}
}

// TestPieces: a camelCase symbol keeps where its name split before lower
// casing, so a prefix written as `$dynamic` meets "$dynamicRef" but not
// "$dynamics"; and a form word beside a prefix is no topic word.
func TestPieces(t *testing.T) {
	pieces := map[string][]string{}
	for _, tok := range Tokens("use $dynamicRef, @JsonPropertyName and $dynamics or ~int64") {
		if tok.Symbol {
			pieces[tok.Word] = tok.Pieces()
		}
	}
	want := map[string][]string{"$dynamicref": {"$dynamic"}, "@jsonpropertyname": {"@json", "@jsonproperty"}, "$dynamics": nil, "~int64": nil}
	if !reflect.DeepEqual(pieces, want) {
		t.Errorf("pieces = %v, want %v", pieces, want)
	}
	for _, tok := range Tokens("`$dynamic`-prefixed keywords") {
		if tok.Word == "prefixed" && !tok.Part {
			t.Errorf("the form word %q is read as a word of the text", tok.Word)
		}
	}
}

func TestPrefixOf(t *testing.T) {
	tests := []struct {
		prefix, sym string
		want        bool
	}{
		{"~int", "~int", true},
		{"~int", "~int64", true},
		{"~int", "~int_t", true},
		{"~int", "~interface", false},
		{"~float", "~float64", true},
		{"~flo", "~float64", false},
		{"x-", "x-oai-foo", true},
		{"~", "~int", true},
		{"$ref", "$refs", false},
		{"$ref", "@ref", false},
		{"~int", "~in", false},
		{"", "~int", false},
	}
	for _, tc := range tests {
		t.Run(tc.prefix+"_"+tc.sym, func(t *testing.T) {
			if got := PrefixOf(tc.prefix, tc.sym); got != tc.want {
				t.Errorf("PrefixOf(%q, %q) = %v, want %v", tc.prefix, tc.sym, got, tc.want)
			}
		})
	}
}

package retrieval

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

func TestLexQuery(t *testing.T) {
	qs := lexQuery("When did the TSC governance document add a Community Manager role?")
	var content, generic []string
	for _, q := range qs {
		if q.generic {
			generic = append(generic, q.term)
		} else {
			content = append(content, q.term)
		}
	}
	if want := []string{"tsc", "govern", "communiti", "manag", "role"}; !slices.Equal(content, want) {
		t.Errorf("content terms = %v, want %v", content, want)
	}
	if want := []string{"document", "add"}; !slices.Equal(generic, want) {
		t.Errorf("generic terms = %v, want %v", generic, want)
	}
	var phrases []string
	for _, q := range lexPhrases("the TSC governance document and the Community Manager role") {
		phrases = append(phrases, q.term)
	}
	if want := []string{"tsc govern", "communiti manag", "manag role"}; !slices.Equal(phrases, want) {
		t.Errorf("phrases = %v, want %v", phrases, want)
	}
}

// TestTextWords checks that the words read from texts are the runs of
// letters and digits a rune-by-rune reading finds, in texts of other
// scripts, marks and broken UTF-8 too.
func TestTextWords(t *testing.T) {
	runes := func(text string) []string { // the reading textWords must agree with
		var out []string
		start := -1
		for i, r := range text {
			switch in := lex.IsWordRune(r); {
			case in && start < 0:
				start = i
			case !in && start >= 0:
				out, start = append(out, text[start:i]), -1
			}
		}
		if start >= 0 {
			out = append(out, text[start:])
		}
		return out
	}
	tests := []struct{ name, text string }{
		{"ascii", "The Pod's spec: v1.2 (alpha) -- 3 fields_x y"},
		{"accents", "naïve café Ärger über-alles"},
		{"other scripts", "日本語のテキスト and Ελληνικά 123"},
		{"marks and symbols", "→ • “quoted” — €5 ½"},
		{"broken utf-8", "ab\xffcd \xe2\x84 ef\xc3"},
		{"edges", " lead and trail "},
		{"empty", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := slices.Collect(textWords(tc.text)), runes(tc.text); !slices.Equal(got, want) {
				t.Errorf("words = %q, want %q", got, want)
			}
			half := len(tc.text) / 2
			whole := runes(tc.text[:half] + " " + tc.text[half:])
			if got := slices.Collect(textWords(tc.text[:half], tc.text[half:])); !slices.Equal(got, whole) {
				t.Errorf("words of two parts = %q, want %q", got, whole)
			}
		})
	}
}

// TestLexExpandReadsParts checks that an acronym is spelled out from a
// text given in parts (a version's text, path words and heading) as from
// the parts written one per line, wherever the run of capitals is.
func TestLexExpandReadsParts(t *testing.T) {
	tests := []struct {
		name  string
		parts []string
		want  []string // the words spelled out; nil: none
	}{
		{"in the text", []string{"The Technical Steering Committee meets.", "community governance", "Charter"}, []string{"technical", "steering", "committee"}},
		{"in the heading", []string{"It meets weekly.", "community governance", "Charter > Technical Steering Committee"}, []string{"technical", "steering", "committee"}},
		{"late in a long text", []string{strings.Repeat("the tally stays calm ", 500) + "Then Tally Stays Calm", "", ""}, []string{"tally", "stays", "calm"}},
		{"after a partial run", []string{"Technical Steering and then Technical Steering Committee", "", ""}, []string{"technical", "steering", "committee"}},
		{"lower case words", []string{"the technical steering committee", "technical steering committee", ""}, nil},
		{"split by a part's end", []string{"our Technical", "", "Steering"}, nil},
		{"non-ASCII capitals", []string{"Ärger Über Tor", "", ""}, nil},
		{"none", []string{"", "", ""}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const acronym = "tsc"
			var want []string
			for _, w := range tc.want {
				want = append(want, lex.Stem(w))
			}
			got := []qterm{{term: acronym, acronym: acronym}}
			lexExpand(got, wholeTexts(slices.Values([]string{"Nothing here.", "Neither Here"})))
			if got[0].expansion != nil {
				t.Fatalf("expanded from texts without it: %v", got[0].expansion)
			}
			lexExpand(got, func(yield func([]string) bool) { yield(tc.parts) })
			joined := []qterm{{term: acronym, acronym: acronym}}
			lexExpand(joined, wholeTexts(slices.Values([]string{strings.Join(tc.parts, "\n")})))
			if !slices.Equal(got[0].expansion, want) || !slices.Equal(joined[0].expansion, want) {
				t.Errorf("expansion = %v (joined: %v), want %v", got[0].expansion, joined[0].expansion, want)
			}
		})
	}
}

func TestLexCoverage(t *testing.T) {
	qs := lexQuery("TSC members")
	texts := []string{
		"The Technical Steering Committee (TSC) meets weekly.",
		"# Technical Steering Committee Members\n\n- Ada",
		"Unrelated text.",
	}
	var docs []*lexDoc
	for _, text := range texts {
		docs = append(docs, lexAnalyse(text))
	}
	lexExpand(qs, wholeTexts(slices.Values(texts)))
	if len(qs[0].expansion) != 3 {
		t.Fatalf("TSC expansion = %v, want three words", qs[0].expansion)
	}
	tests := []struct {
		name string
		doc  *lexDoc
		want float64
	}{
		{"acronym written out counts", docs[1], 1},
		{"half", docs[0], 0.5},
		{"none", docs[2], 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lexCoverage(qs, tc.doc); got != tc.want {
				t.Errorf("coverage = %v, want %v", got, tc.want)
			}
		})
	}
}

func BenchmarkLexAnalyse(b *testing.B) {
	text := strings.Repeat("The kubelet evicts Pods under memory-pressure when `memory.available` drops below the eviction threshold; see keps/sig-node/1234-foo/README.md and readOnly fields in OpenAPI 3.0.0. ", 30)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		lexAnalyseTerms(text)
	}
}

// statsStore serves the reads corpus statistics need from memory; every
// other Store method is unimplemented.
type statsStore struct {
	livespec.Store
	commit   string
	versions []livespec.Version
	reads    int
}

func (s *statsStore) Repos(context.Context) ([]livespec.RepoInfo, error) {
	return []livespec.RepoInfo{{Checkpoint: livespec.Checkpoint{Repo: "r", Commit: s.commit}}}, nil
}

func (s *statsStore) Checkpoint(context.Context, string) (livespec.Checkpoint, error) {
	return livespec.Checkpoint{Repo: "r", Commit: s.commit}, nil
}

func (s *statsStore) Versions(context.Context, livespec.VersionQuery) ([]livespec.Version, error) {
	s.reads++
	return s.versions, nil
}

// kepCorpus returns 1,200 sections that all say "KEP", a third say "pod",
// and a few say "rollback".
func kepCorpus() []livespec.Version {
	var vs []livespec.Version
	for i := range 1200 {
		text := fmt.Sprintf("This KEP section %d.", i)
		if i%3 == 0 {
			text += " Pods run here."
		}
		if i%100 == 0 {
			text += " Rollback is manual."
		}
		vs = append(vs, livespec.Version{ID: fmt.Sprint(i), Key: livespec.Key{Repo: "r", Path: fmt.Sprintf("keps/%d.md", i)}, Text: text})
	}
	return vs
}

func TestStoreText(t *testing.T) {
	st := &statsStore{commit: "c1", versions: kepCorpus()}
	a := &Assistant{Store: st}
	ctx := context.Background()
	tests := []struct {
		name, text, want string
	}{
		{"common and stop words left out", "What must a KEP say about rollback?", "rollback"},
		{"only common words: unchanged", "Which KEPs?", "Which KEPs?"},
		{"nothing common: unchanged", "How does rollback work?", "How does rollback work?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := a.storeText(ctx, tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("storeText(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
	topics := []struct {
		topic string
		want  bool
	}{
		{"the KEPs", true},
		{"KEPs about rollback", false},
		{"pods", true},
	}
	for _, tc := range topics {
		t.Run("common topic "+tc.topic, func(t *testing.T) {
			got, err := a.commonTopic(ctx, tc.topic)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("commonTopic(%q) = %v, want %v", tc.topic, got, tc.want)
			}
		})
	}
	t.Run("statistics are read once per checkpoint", func(t *testing.T) {
		reads := st.reads
		if _, err := a.corpus(ctx); err != nil {
			t.Fatal(err)
		}
		if st.reads != reads {
			t.Errorf("statistics read again with the index unchanged")
		}
		st.commit = "c2"
		if _, err := a.corpus(ctx); err != nil {
			t.Fatal(err)
		}
		if st.reads != reads+1 {
			t.Errorf("statistics not read again after the checkpoint moved")
		}
	})
}

// TestCapitals checks capitals against every rune: for each byte, the
// capitals whose lower case is its rune, and no other.
func TestCapitals(t *testing.T) {
	var want [256][]string
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if l := unicode.ToLower(r); unicode.IsUpper(r) && l < 256 {
			want[l] = append(want[l], string(r))
		}
	}
	for c := range 256 {
		if got := capitals(byte(c)); !slices.Equal(got, want[c]) {
			t.Errorf("capitals(%#x) = %q, want %q", c, got, want[c])
		}
	}
}

// TestAcronymRunIsTheFirstWindow checks acronymRun against plainAcronymRun, which reads every
// word of the parts in turn (textWords) and testing each window of
// len(a) words: the same first run, or none, wherever the initials stand
// (after other capitals, inside words, after non-ASCII letters and bytes
// that are no UTF-8, across parts).
func TestAcronymRunIsTheFirstWindow(t *testing.T) {
	tests := []struct {
		name, acronym string
		parts         []string
	}{
		{"plain", "tsc", []string{"The Technical Steering Committee meets"}},
		{"capitals inside words", "tsc", []string{"McTechnical Steering Committee, then Technical Steering Committee"}},
		{"after a non-ASCII letter", "tsc", []string{"éTechnical Steering Committee and Technical Steering Committee"}},
		{"after a byte that is no UTF-8", "tsc", []string{"\xc3Technical Steering Committee"}},
		{"after a truncated rune", "tsc", []string{"\xe2\x82Technical Steering Committee"}},
		{"a partial run first", "tsc", []string{"Technical Steering and Technical Stuff Committee Technical Steering Committee"}},
		{"across parts", "tsc", []string{"the Technical", "Steering", "Committee"}},
		{"across an empty part", "tsc", []string{"the Technical", "", "Steering Committee"}},
		{"the Kelvin sign", "kp", []string{"\u212aelvin Points and Kilo Pascal"}},
		{"a dotted capital I", "ip", []string{"\u0130stanbul Protocol"}},
		{"non-ASCII capitals", "äü", []string{"Ärger Über"}},
		{"digits and symbols", "tsc", []string{"T1 S2 C3 and Technical_Steering Committee and T-S-C"}},
		{"none", "tsc", []string{"technical steering committee", "", ""}},
		{"empty", "tsc", []string{"", "", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := acronymRun(tc.acronym, capitals(tc.acronym[0]), tc.parts)
			if want := plainAcronymRun(tc.acronym, tc.parts); !slices.Equal(got, want) {
				t.Errorf("acronymRun(%q) = %q, want %q", tc.acronym, got, want)
			}
		})
	}
}

// plainAcronymRun returns the first window of len(a) words of parts (textWords)
// whose initials are capitals lower-casing to a's bytes, or nil.
func plainAcronymRun(a string, parts []string) []string {
	words := slices.Collect(textWords(parts...))
	for end := len(a); end <= len(words); end++ {
		w := words[end-len(a) : end]
		ok := true
		for j := range w {
			r, _ := utf8.DecodeRuneInString(w[j])
			ok = ok && unicode.IsUpper(r) && unicode.ToLower(r) == rune(a[j])
		}
		if ok {
			return w
		}
	}
	return nil
}

// TestAnalyseKeepsNoWordState checks that an analysis depends on its text
// alone, not on the words the builder analysed before (its vocabulary):
// words stemmed in earlier texts, words filed where others were, words
// too long to keep, a count of texts that wraps.
func TestAnalyseKeepsNoWordState(t *testing.T) {
	var many strings.Builder
	for i := range 20000 { // more words than a vocabulary holds
		fmt.Fprintf(&many, "w%dx Approvals%d ", i, i%7)
	}
	tests := []struct {
		name   string
		before []string // texts the builder analyses first
		text   string
		wrap   bool // the builder's count of texts is about to wrap
	}{
		{"a fresh builder", nil, "Pods approve pods; the approvals of Pods", false},
		{"words seen before", []string{"approvals pods approve", "the pods", "approvals"}, "Pods approve pods; the approvals of Pods", false},
		{"words filed over", []string{many.String()}, "w1x w2x approvals0 w3x of the w1x", false},
		{"more words than it holds, twice", []string{many.String()}, many.String(), false},
		{"words alike", []string{"abcdefghijklmnop abcdefghijklmnoq ab abc abcdefgh abcdefghi"}, "abcdefghijklmnoq ab abcdefghi abc abcdefghijklmnop abcdefgh", false},
		{"long words", []string{"internationalisations internationalisation"}, "internationalisations of internationalisation, internationalised", false},
		{"after a wrap", []string{"approvals of pods", "pods"}, "pods approvals of pods", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, phrases := range []bool{false, true} {
				want := analysedTerms(new(termBuilder).analyse(tc.text, phrases))
				b := new(termBuilder)
				for _, text := range tc.before {
					b.analyse(text, phrases)
				}
				if tc.wrap {
					b.gen = math.MaxUint32 // the next text wraps it
				}
				for i := range 3 {
					if got := analysedTerms(b.analyse(tc.text, phrases)); !slices.Equal(got, want) {
						t.Errorf("analysis #%d with phrases %v = %q, want %q", i+1, phrases, got, want)
					}
				}
			}
		})
	}
}

// analysedTerms lists d's terms in order, then its phrases sorted.
func analysedTerms(d *lexDoc) []string {
	var out, phrases []string
	for i := range d.terms.len() {
		out = append(out, d.terms.at(i))
	}
	for _, k := range d.terms.pairs32 {
		if k != 0 {
			phrases = append(phrases, d.terms.at(int(k>>16)-1)+" "+d.terms.at(int(k&0xffff)-1))
		}
	}
	for _, k := range d.terms.pairs64 {
		if k != 0 {
			phrases = append(phrases, d.terms.at(int(k>>32)-1)+" "+d.terms.at(int(k&0xffffffff)-1))
		}
	}
	slices.Sort(phrases)
	return append(out, phrases...)
}

// TestKeyOfWord checks that words a vocabulary may hold have keys of
// their own: a word and its prefixes, words alike in their first eight
// bytes, words ending in zero bytes.
func TestKeyOfWord(t *testing.T) {
	words := []string{"a", "ab", "pod", "pods", "abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnoq", "bbcdefghijklmnop", "a\x00", "a\x00\x00", "\x00"}
	seen := map[wordKey]string{}
	for _, w := range words {
		k := keyOfWord(w)
		if other, ok := seen[k]; ok {
			t.Errorf("keyOfWord(%q) = keyOfWord(%q) = %+v", w, other, k)
		}
		seen[k] = w
	}
}

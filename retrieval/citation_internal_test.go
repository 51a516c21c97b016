package retrieval

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/livespec/livespec"
)

// TestSplitUnits checks where a text is cut into the units an excerpt is
// made of: after line breaks and sentence ends, with whitespace alone
// joined to the unit before it and dropped before the first.
func TestSplitUnits(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"empty", "", nil},
		{"one sentence", "Pods are evicted", []string{"Pods are evicted"}},
		{"sentences", "One. Two! Three? Four", []string{"One.", " Two!", " Three?", " Four"}},
		{"a dot inside a word", "See v1.2 and e.g.x now.", []string{"See v1.2 and e.g.x now."}},
		{"lines", "a\nb\n", []string{"a\n", "b\n"}},
		{"blank lines join the sentence before", "a.\n\n\nb", []string{"a.\n\n\n", "b"}},
		{"blank lines after a line", "a\n\n  \nb.\n", []string{"a\n\n  \n", "b.\n"}},
		{"leading blank lines are dropped", "\n\n a\nb", []string{" a\n", "b"}},
		{"whitespace alone", " \n \n", nil},
		{"invalid UTF-8 reads as U+FFFD", "a\xff.\nb", []string{"a\uFFFD.\n", "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := splitUnits(tc.text); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("splitUnits(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

// TestClippingReadsRunesAsConversionDoes checks that clipRunes,
// truncateRunes and Excerpt, which find the n-th rune of a text without
// converting the whole text to runes, cut where the conversion cuts: in
// texts of ASCII, multi-byte runes and invalid bytes, around each length.
func TestClippingReadsRunesAsConversionDoes(t *testing.T) {
	pieces := []string{"a", "bc ", " ", "é", "€ ", "𝄞", "\xff", "\xe2\x82", ". ", "\n", ",", "word ", "\t\t", "\u00a0", "\u2028", ";"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		s := randomText(rng, pieces, 40)
		for _, n := range []int{1, 2, 5, 9, 17} {
			if got, want := clipRunes(s, n), refClipRunes(s, n); got != want {
				t.Fatalf("clipRunes(%q, %d) = %q, want %q", s, n, got, want)
			}
			if got, want := truncateRunes(s, n+3), refTruncateRunes(s, n+3); got != want {
				t.Fatalf("truncateRunes(%q, %d) = %q, want %q", s, n+3, got, want)
			}
		}
		if got, want := runesEnd(s, 7) < 0, utf8.RuneCountInString(s) <= 7; got != want {
			t.Fatalf("runesEnd(%q, 7) < 0 = %v, want %v", s, got, want)
		}
	}
}

// refClipRunes and refTruncateRunes are clipRunes and truncateRunes as
// they were, converting the whole text to runes.
func refClipRunes(s string, n int) string {
	s = oneLine(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)[:n]
	cut := strings.LastIndex(string(rs), " ")
	out := string(rs)
	if cut > len(out)/2 {
		out = out[:cut]
	}
	return strings.TrimRight(out, " ,;:.") + "…"
}

func refTruncateRunes(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	cut := n - 1
	for i := cut; i > n*2/3; i-- {
		if unicode.IsSpace(rs[i]) {
			cut = i
			break
		}
	}
	return strings.TrimSpace(string(rs[:cut])) + "…"
}

// TestClipRunesCopiesOnlyWhatItKeeps checks that clipping a long text
// makes only the clipped string (and the line it is cut from), not a
// copy of the whole text on one line and another in runes.
func TestClipRunesCopiesOnlyWhatItKeeps(t *testing.T) {
	s := strings.Repeat("The kubelet reads the pod’s resources before admitting it. ", 60)
	if n := testing.AllocsPerRun(100, func() { clipRunes(s, exExcerptRunes) }); n > 2 {
		t.Errorf("clipRunes: %.0f allocations, want 2", n)
	}
}

func BenchmarkClipRunes(b *testing.B) {
	s := strings.Repeat("The kubelet reads the pod’s resources before admitting it. ", 60)
	b.ReportAllocs()
	for b.Loop() {
		clipRunes(s, exExcerptRunes)
	}
}

// TestExcerptPatternsRunOnlyWhereTheyCanMatch checks that shortExcerpt
// and dropLinks, which skip a pattern on a text that cannot hold it, give
// what running every pattern gives, on texts with and without tags,
// links and sentence ends glued to the next sentence.
func TestExcerptPatternsRunOnlyWhereTheyCanMatch(t *testing.T) {
	pieces := []string{"word ", "<a name=\"x\"></a>", "a < b ", "[text](http://x/y) ", "[no link] (x) ", "end.Next ",
		"end. Next ", "v1.2 ", "](", "é ", "\n", "\n\n", "# Head\n", "- item\n", "`code`.Then ", "Ok!Yes "}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		s := randomText(rng, pieces, 30)
		if got, want := dropLinks(s), mdLink.ReplaceAllString(s, "$1"); got != want {
			t.Fatalf("dropLinks(%q) = %q, want %q", s, got, want)
		}
		c := livespec.Citation{Excerpt: s}
		if got, want := shortExcerpt(c), refShortExcerpt(c); got != want {
			t.Fatalf("shortExcerpt(%q) = %q, want %q", s, got, want)
		}
	}
}

// refShortExcerpt is shortExcerpt running every pattern.
func refShortExcerpt(c livespec.Citation) string {
	text := c.Excerpt
	if strings.TrimSpace(text) == "" {
		text = c.Text
	}
	text = htmlTag.ReplaceAllString(strings.Join(plainText(text), " "), "")
	return clipRunes(gluedSentence.ReplaceAllString(text, "$1 $2"), exExcerptRunes)
}

// TestShortExcerptOfPlainTextRunsNoPattern checks that a plain excerpt
// (no tag, no glued sentence) costs its line and its clip, not the
// copies each pattern's replacement makes.
func TestShortExcerptOfPlainTextRunsNoPattern(t *testing.T) {
	c := livespec.Citation{Excerpt: strings.Repeat("The kubelet reads the pod resources before admitting it. ", 8)}
	if n := testing.AllocsPerRun(100, func() { shortExcerpt(c) }); n > 5 {
		t.Errorf("shortExcerpt: %.0f allocations, want at most 5", n)
	}
}

// randomText joins fewer than most pieces drawn at random by rng.
func randomText(rng *rand.Rand, pieces []string, most int) string {
	var b strings.Builder
	for range rng.IntN(most) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

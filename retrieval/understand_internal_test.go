package retrieval

import (
	"strings"
	"testing"
	"unicode"
)

// TestFoldRe checks that every case-insensitive expression read as a
// foldRe (the intent patterns, the period hints) is matched lower-cased,
// and that it matches what it matches as written: in questions that hit
// and miss each, written in lower case, upper case, capitalised and in
// alternating case, and in texts that are not ASCII, which are matched
// as written.
func TestFoldRe(t *testing.T) {
	questions := []string{
		"when was the quota added?", "and when did it land", "first introduced in the spec", "how has auth evolved over the years?",
		"history of the api", "what happened to the gate?", "how did it change over time", "what changed last week?",
		"what's new in the spec", "which sections were touched", "is there a changelog", "release notes please",
		"what is different now", "changes made to auth since march", "please list the recent changes", "any updates?",
		"what edits landed", "did anything change", "what did the spec say about quotas", "what was it at the time",
		"what does the spec say about Kube Scheduler?", "graduation criteria in Q3 2024", "since 2019", "a while ago",
		"the other day", "on june 1, 2024", "nothing to see", "", "Status_API.md", "12 o'clock", "x-when was",
		"What’s new?", "hiſtory of the api", "changes laſt wee\u212a", "ÉTÉ 2024 history of",
	}
	var texts []string
	for _, q := range questions {
		texts = append(texts, q, strings.ToUpper(q), capitalise(q), alternateCase(q))
	}
	res := map[string]foldRe{"pointHint": pointHint, "otherHint": otherHint}
	for name, list := range map[string][]foldRe{"timeline": timelineRes, "changes": changesRes, "as of": asOfRes} {
		for i, re := range list {
			res[name+" "+string(rune('0'+i))] = re
		}
	}
	for name, re := range res {
		if re.lower == nil {
			t.Errorf("%s: not matched lower-cased", name)
		}
		hits := 0
		for _, s := range texts {
			ls, ascii := foldText(s)
			want := re.re.MatchString(s)
			if got := re.match(s, ls, ascii); got != want {
				t.Errorf("%s in %q: %v, as written %v", name, s, got, want)
			}
			if want {
				hits++
			}
		}
		if hits == 0 || hits == len(texts) {
			t.Errorf("%s matches %d of the %d texts: the test does not try it", name, hits, len(texts))
		}
	}
}

// capitalise writes the first letter of each word of s in upper case.
func capitalise(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		rs := []rune(w)
		rs[0] = unicode.ToUpper(rs[0])
		words[i] = string(rs)
	}
	return strings.Join(words, " ")
}

// alternateCase writes the letters of s in upper and lower case in turn.
func alternateCase(s string) string {
	rs := []rune(s)
	for i, r := range rs {
		if i%2 == 0 {
			rs[i] = unicode.ToUpper(r)
		}
	}
	return string(rs)
}

// TestLowerOnly checks which patterns a foldRe matches lower-cased: those
// that write no capital and set no flag.
func TestLowerOnly(t *testing.T) {
	tests := []struct {
		name, pattern string
		want          bool
	}{
		{"lower-case words", `\bwhen\s+(?:was|were)\b`, true},
		{"an escape's capital", `\S+\W\B\D`, true},
		{"named and plain groups", `(?P<a>x)(?:y)`, true},
		{"a capital", `\bTSC\b`, false},
		{"a capital in a class", `[A-Z]+`, false},
		{"a Unicode class", `\pL`, false},
		{"a Unicode class by name", `\p{greek}`, false},
		{"case sensitive again", `(?-i:abc)`, false},
		{"flags set again", `(?s:a.b)`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lowerOnly(tc.pattern); got != tc.want {
				t.Errorf("lowerOnly(%q) = %v, want %v", tc.pattern, got, tc.want)
			}
		})
	}
}

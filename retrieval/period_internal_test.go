package retrieval

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestPhrasesReadInUTCDays checks what findPhrases's memory relies on: the
// phrases of a question depend on the instant of now alone, not on its
// time zone, even where the zone's calendar day, quarter or year is not
// UTC's.
func TestPhrasesReadInUTCDays(t *testing.T) {
	east := time.FixedZone("UTC+14", 14*3600)
	west := time.FixedZone("UTC-12", -12*3600)
	nows := map[string]time.Time{
		"a new year east of UTC":      time.Date(2025, 12, 31, 22, 30, 0, 0, time.UTC).In(east),
		"the old quarter west of UTC": time.Date(2025, 10, 1, 3, 0, 0, 0, time.UTC).In(west),
		"a Monday east of UTC":        time.Date(2025, 11, 16, 20, 0, 0, 0, time.UTC).In(east),
		"local time with a monotonic": time.Now().In(west),
		"the first of a month in UTC": time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
	}
	questions := []string{
		"what changed this quarter?",
		"what changed last week?",
		"what changed since March?",
		"what did the spec say as of June 1?",
		"what changed yesterday?",
		"what changed in the last 30 days?",
		"what changed between May and July?",
		"what changed this year?",
		"what was accepted in Q3?",
		"what changed recently?",
		"what changed 2 weeks ago?",
		"what changed last Tuesday?",
		"what changed today?",
		"what is the current status of the spec?",
	}
	for name, now := range nows {
		t.Run(name, func(t *testing.T) {
			for _, q := range questions {
				zoned, utc := scanPhrases(q, now), scanPhrases(q, now.UTC())
				if !reflect.DeepEqual(zoned, utc) {
					t.Errorf("%q: phrases at %v = %+v, at %v = %+v", q, now, zoned, now.UTC(), utc)
				}
				if got := findPhrases(q, now); !reflect.DeepEqual(got, utc) {
					t.Errorf("%q: findPhrases = %+v, want %+v", q, got, utc)
				}
			}
		})
	}
}

// phraseTexts returns every way of writing a phrase the expressions know,
// before and after other words, glued to punctuation.
func phraseTexts() []string {
	leads := []string{
		"", "as of", "as at", "as it stood on", "as it was in", "at the end of", "by the start of",
		"back in", "back on", "on", "on the close of", "between", "from", "since", "after", "before",
		"until", "till", "up to", "prior to", "in", "during", "for", "throughout", "within", "over",
		"across", "in the month of", "during the course of", "the last", "in the past", "over the previous",
		"for the trailing", "within the prior",
	}
	points := []string{
		"2024-06-01", "june 1, 2024", "1st of june 2024", "june 2024", "2024-06", "q3 2025", "2025-q3",
		"the second quarter of last year", "h1 2024", "2024 h2", "the first half", "the week before last",
		"the last week of march", "this quarter", "last month", "3 days ago", "a couple of weeks ago",
		"today", "yesterday", "last friday", "mid-2024", "early march 2024", "the week of june 3",
		"2024", "september", "30 days", "two weeks", "few months",
	}
	joins := []string{" and ", " to ", " through ", " until ", " thru ", "..", "...", "-", "–", "—", " - ", " or "}
	alone := []string{
		"since it was accepted", "since they were first added", "since its creation", "since the very beginning",
		"since day one", "of all time", "in all time", "over its whole lifetime", "throughout their entire history",
		"recently", "most recently", "lately", "of late", "in recent days", "in recent weeks", "in recent times",
		"the other day", "a while ago", "a while back", "some time back", "a few days ago", "several months back",
		"couple of weeks ago", "way back", "long ago", "back in the day", "in the last few weeks",
		"over the past several years", "the recent few days",
	}
	var texts []string
	for _, l := range leads {
		for _, p := range points {
			texts = append(texts, l+" "+p, "what changed "+l+" "+p+"?", "(x)"+l+" "+p+"_y")
			for _, j := range joins {
				texts = append(texts, l+" "+p+j+points[len(p)%len(points)])
			}
		}
	}
	for _, a := range alone {
		texts = append(texts, a, "what changed "+a+"?", "x."+a+".y")
	}
	return texts
}

// TestPhraseCues checks that a text a phrase expression matches always
// holds the expression's cue, so that skipping the texts without it
// finds every phrase.
func TestPhraseCues(t *testing.T) {
	texts := phraseTexts()
	matched := make([]int, len(phraseRes()))
	for _, s := range texts {
		ls := asciiLower(s)
		for i, pr := range phraseRes() {
			if pr.re.FindStringIndex(ls) == nil {
				continue
			}
			matched[i]++
			if !pr.cue.in(ls) {
				t.Errorf("expression %d (kind %d) matches %q, which lacks its cue %v", i, pr.kind, ls, pr.cue)
			}
		}
	}
	for i, n := range matched {
		if n == 0 {
			t.Errorf("expression %d matched none of the %d texts: the test does not try it", i, len(texts))
		}
	}
}

// TestPhraseCueIn checks how a cue is looked for: its words whole, its
// marks anywhere.
func TestPhraseCueIn(t *testing.T) {
	cue := &phraseCue{words: []string{"on", "to"}, marks: []string{".."}}
	tests := []struct {
		name, text string
		want       bool
	}{
		{"a word alone", "on", true},
		{"a word between others", "as it stood on june 1", true},
		{"a word after punctuation", "(to)", true},
		{"a word inside another", "version question", false},
		{"a word glued by an underscore", "on_call to_do", false},
		{"a word glued to a digit", "2to3", false},
		{"a mark anywhere", "2024..2025", true},
		{"nothing", "what changed?", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cue.in(tt.text); got != tt.want {
				t.Errorf("in(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
	if !(*phraseCue)(nil).in("anything") {
		t.Error("a nil cue is not everywhere")
	}
}

// TestWordStartScan checks that findAll, trying an expression only where
// a word starts, finds what scanning the whole text does, for the point
// scan and every phrase expression: in every way of writing a phrase, and
// glued after a letter, a digit, an underscore or a hyphen, where no word
// starts ("faq3 2025", "x2024", "mid-2024").
func TestWordStartScan(t *testing.T) {
	var texts []string
	for i, s := range phraseTexts() {
		if i%5 == 0 { // a sample: every lead, point and join shows in it
			texts = append(texts, s)
		}
		if glue := []string{"x", "9", "_", "-", "é"}[i%5]; i%13 == 0 {
			texts = append(texts, glue+strings.TrimSpace(s), "what is "+glue+strings.TrimSpace(s)+" about?")
		}
	}
	texts = append(texts, "", "q", "as of", "faq3 2025 to h1 2026", "as of june 1, 2024as of may 2, 2023")
	ps := pointScan()
	scans := []struct {
		name   string
		re, at *regexp.Regexp
	}{{"point scan", ps[0], ps[1]}}
	for i, pr := range phraseRes() {
		scans = append(scans, struct {
			name   string
			re, at *regexp.Regexp
		}{fmt.Sprintf("expression %d (kind %d)", i, pr.kind), pr.re, pr.at})
	}
	anchored := 0
	for _, sc := range scans {
		if sc.at == nil {
			continue
		}
		anchored++
		for _, s := range texts {
			ls := asciiLower(s)
			if got, want := findAll(sc.re, sc.at, ls, true), sc.re.FindAllStringSubmatchIndex(ls, -1); !reflect.DeepEqual(got, want) {
				t.Errorf("%s in %q: findAll = %v, FindAllStringSubmatchIndex = %v", sc.name, ls, got, want)
			}
			if sc.re != ps[0] {
				continue
			}
			if got, want := findAll(sc.re, sc.at, ls, false), sc.re.FindAllStringIndex(ls, -1); !reflect.DeepEqual(got, want) {
				t.Errorf("%s in %q: findAll = %v, FindAllStringIndex = %v", sc.name, ls, got, want)
			}
		}
	}
	if anchored < 2 {
		t.Errorf("%d expressions are tried where words start: the test does not try the scan", anchored)
	}
}

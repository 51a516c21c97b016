package retrieval

import (
	"maps"
	"testing"

	"github.com/livespec/livespec"
)

// TestSynonymLen checks how many words of a question from a position a
// synonym of a status value spells: the longest synonym whose words all
// follow, in order, from there.
func TestSynonymLen(t *testing.T) {
	synonyms := map[string][]string{
		"under review":        {"review"},
		"generally available": {"ga"},
		"ga":                  {"ga"},
		"  spaced   out  ":    {"spaced"},
		"":                    nil,
	}
	toks := []string{"is", "it", "generally", "available", "or", "under", "review", "spaced", "out"}
	tests := []struct {
		name string
		at   int
		want int
	}{
		{"no synonym starts here", 0, 0},
		{"two words", 2, 2},
		{"the first word alone", 3, 0},
		{"at the end", 5, 2},
		{"a synonym written with extra spaces", 7, 2},
		{"past the last word", 9, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := synonymLen(toks, tc.at, synonyms); got != tc.want {
				t.Errorf("synonymLen(%v, %d) = %d, want %d", toks, tc.at, got, tc.want)
			}
		})
	}
	if got := synonymLen([]string{"ga", "x"}, 0, synonyms); got != 1 {
		t.Errorf("a one-word synonym: %d words, want 1", got)
	}
	if got := synonymLen([]string{"under"}, 0, synonyms); got != 0 {
		t.Errorf("a synonym cut by the question's end: %d words, want 0", got)
	}
}

// TestPathNamesScores checks how a status question's words find a
// document by the words of its paths: each word a path holds (a typo of
// one letter in a long word too) scores ten, a document scores its best
// path, and words most paths share name none. The paths are read once
// per lineage.
func TestPathNamesScores(t *testing.T) {
	var fs []livespec.Fact
	for _, p := range []string{
		"keps/sig-auth/1234-token-rotation/README.md",
		"keps/sig-auth/1234-token-rotation/kep.yaml",
		"keps/sig-node/2000-memory-swap/README.md",
		"keps/sig-node/2100-pod-overhead/README.md",
		"keps/sig-apps/3000-job-tracking/README.md",
	} {
		fs = append(fs, livespec.Fact{Repo: "r", Path: p})
	}
	renamed := []livespec.FactChange{{Repo: "r", Path: "keps/sig-node/2000-memory-swap/README.md", OldPath: "keps/sig-node/swap.md"}}
	fs = append(fs, livespec.Fact{Repo: "r", Path: "keps/sig-node/swap.md"})
	lin := newLineage(fs, renamed)
	swap := lin.find("r\x00keps/sig-node/2000-memory-swap/README.md")
	tests := []struct {
		name    string
		subject []string
		want    map[string]float64
	}{
		{"one word of one path", []string{"rotation"}, map[string]float64{"r\x00keps/sig-auth/1234-token-rotation/README.md": 10, "r\x00keps/sig-auth/1234-token-rotation/kep.yaml": 10}},
		{"two words of one path", []string{"memory", "swap"}, map[string]float64{swap: 20}},
		{"a typo of one letter in a long word", []string{"overheat"}, map[string]float64{"r\x00keps/sig-node/2100-pod-overhead/README.md": 10}},
		{"a word most paths share names none", []string{"keps"}, map[string]float64{}},
		{"no word of a path", []string{"billing"}, map[string]float64{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lin.pathNames().scores(tc.subject); !maps.Equal(got, tc.want) {
				t.Errorf("scores(%q) = %v, want %v", tc.subject, got, tc.want)
			}
		})
	}
	if lin.pathNames() != lin.pathNames() {
		t.Error("a lineage's paths were read again")
	}
}

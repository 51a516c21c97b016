package retrieval

import "testing"

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

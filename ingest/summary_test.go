package ingest

import (
	"fmt"
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	many := func(n int, f string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, f+"\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{"no change", "a\nb", "a\nb", "no change"},
		{"whitespace only", "a b\nc", "a  b c", "whitespace only"},
		{"blank lines only", "a\nb", "a\n\nb", "whitespace only"},
		{"added text", "", "a\n\nb\nc", "+3 lines"},
		{"removed text", "a\nb", "", "−2 lines"},
		{"one line edited", "a\nb\nc", "a\nB\nc", "+1 −1 lines"},
		{"lines appended", "a\nb", "a\nb\nc\nd", "+2 −0 lines"},
		{"lines dropped in the middle", "a\nb\nc\nd", "a\nd", "+0 −2 lines"},
		{"swapped lines", "a\nb", "b\na", "+1 −1 lines"},
		{"indentation change", "a\n  b", "a\n    b\nc", "+2 −1 lines"},
		{"large rewrite", many(5000, "old line %d"), many(5000, "new line %d"), "+5000 −5000 lines"},
		{"large local edit", many(5000, "line %d"), strings.Replace(many(5000, "line %d"), "line 2500\n", "line 2500 edited\n", 1), "+1 −1 lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summarize(tt.old, tt.new); got != tt.want {
				t.Errorf("Summarize = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLineChangesMatchesMultisetOnDisjointTexts(t *testing.T) {
	a := strings.Split("a b c d e f", " ")
	b := strings.Split("g h c i", " ")
	add, del := lineChanges(a, b)
	if add != 3 || del != 5 {
		t.Errorf("lineChanges = +%d −%d, want +3 −5", add, del)
	}
	// Past the edit limit the counts come from the multisets.
	if add, del := multisetChanges(a, b); add != 3 || del != 5 {
		t.Errorf("multisetChanges = +%d −%d, want +3 −5", add, del)
	}
	if _, ok := editDistance(a, b, 2); ok {
		t.Errorf("editDistance ignored its limit")
	}
}

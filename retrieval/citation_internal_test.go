package retrieval

import (
	"reflect"
	"testing"
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

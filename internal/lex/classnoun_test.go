package lex

import (
	"slices"
	"testing"
)

func TestNameNumbers(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"a number after a capitalised name", "support for Windows 95 nodes", []string{"window 95"}},
		{"a number ending the text", "the move to Python 3.", []string{"python 3"}},
		{"a document number is no name's", "what changed in RFC 243", nil},
		{"a capitalised document noun too", "Proposal 12345 and KEP 2021", nil},
		{"a year after a month", "changes in May 2022", nil},
		{"a dotted version", "OpenAPI 3.1 webhooks", nil},
		{"a number glued to a name", "KEP-2021 and #678", nil},
		{"a number after a lower-case word", "support for 95 nodes and page 12", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NameNumbers(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("NameNumbers(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestClassNoun(t *testing.T) {
	for _, w := range []string{"field", "fields", "operator", "keywords", "attribute", "properties", "methods"} {
		if !ClassNoun(w) {
			t.Errorf("ClassNoun(%q) = false, want true", w)
		}
	}
	for _, w := range []string{"webhooks", "policy", "support", "windows"} {
		if ClassNoun(w) {
			t.Errorf("ClassNoun(%q) = true, want false", w)
		}
	}
}

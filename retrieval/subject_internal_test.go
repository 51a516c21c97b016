package retrieval

import (
	"slices"
	"testing"
)

func TestDocPhraseOf(t *testing.T) {
	kinds := map[string]bool{"design": true}
	tests := []struct {
		name, topic        string
		named              bool
		required, optional []string
	}{
		{"kind noun as head", "the Overlays proposal", true, []string{"overlay"}, []string{"propos"}},
		{"the repository's kind word as head", "type parameters draft design", true, []string{"type", "paramet"}, []string{"draft"}},
		{"two kind nouns", "Swagger 1.2 specification document", true, []string{"swagger", "1.2"}, []string{"specif", "document"}},
		{"kind noun followed by what it is about", "the proposal for generic methods", true, []string{"generic", "method"}, []string{"propos"}},
		{"no kind noun", "checksum database", false, nil, nil},
		{"only a kind noun", "the proposals", false, nil, nil},
		{"kind noun not the head", "proposal review meetings", false, nil, nil},
		{"a clause, not a name", "the specification is developed in a src/oas.md file", false, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := docPhraseOf(tc.topic, kinds)
			if d.named != tc.named {
				t.Fatalf("named = %v, want %v (%+v)", d.named, tc.named, d)
			}
			if tc.named && (!slices.Equal(d.required, tc.required) || !slices.Equal(d.optional, tc.optional)) {
				t.Errorf("required %v optional %v, want %v and %v", d.required, d.optional, tc.required, tc.optional)
			}
		})
	}
}

func TestKindWords(t *testing.T) {
	var files []fileTitle
	for _, p := range []string{"design/1-a.md", "design/2-b.md", "design/3-c.md", "design/4-d.md", "design/5-e.md",
		"design/6-f.md", "design/7-g.md", "README.md", "CONTRIBUTING.md", "other/notes.md"} {
		files = append(files, fileTitle{f: fileID{"r", p}})
	}
	got := kindWords(files)
	if !got["design"] || len(got) != 1 {
		t.Errorf("kindWords = %v, want only design (7 of 10 paths)", got)
	}
	if got := kindWords(files[:5]); len(got) != 0 {
		t.Errorf("kindWords of 5 files = %v, want none: too few files to tell", got)
	}
}

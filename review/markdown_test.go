package review

import (
	"fmt"
	"strings"
	"testing"

	"github.com/livespec/livespec"
)

func TestMarkdownStaysUnderItsCap(t *testing.T) {
	r := &Report{Base: Commit{Hash: strings.Repeat("a", 40)}, Head: Commit{Hash: strings.Repeat("b", 40)}}
	for i := range 200 {
		r.Documents = append(r.Documents, Document{Path: fmt.Sprintf("spec/doc%03d.md", i), Title: "Doc", Kind: livespec.Modified,
			Sections: []SectionChange{{Heading: "Doc > Part", Kind: livespec.Modified, Before: strings.Repeat("old words ", 20), Now: strings.Repeat("new words ", 20)}}})
		r.Findings = append(r.Findings, Finding{Kind: Stale, Ident: &Ident{Kind: Flag, Name: fmt.Sprintf("--flag-%d", i)},
			Code: CodeRef{Path: "main.go", Line: i + 1, Commit: r.Base.Hash}, Spec: &SpecRef{Path: "spec/cli.md", Heading: "CLI", Commit: r.Head.Hash}, Why: "gone"})
	}
	r.Totals = totals(r)
	const limit = 20000
	md := Markdown(r, MarkdownOptions{MaxBytes: limit, Permalink: "https://github.com/o/r/blob/{commit}/{path}#{anchor}"})
	if len(md) > limit {
		t.Errorf("comment is %d bytes, over %d", len(md), limit)
	}
	for _, want := range []string{"200 spec documents changed", "200 stale", "more, left out", "https://github.com/o/r/blob/" + r.Base.Hash + "/main.go#L1)"} {
		if !strings.Contains(md, want) {
			t.Errorf("comment lacks %q", want)
		}
	}
	if full := Markdown(r, MarkdownOptions{}); !strings.Contains(full, "spec/doc199.md") || !strings.Contains(full, "--flag-199") {
		t.Error("without a cap the report leaves something out")
	}
}

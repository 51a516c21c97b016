package push_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/push"
)

// statusDigest is a digest of status changes only: n documents moved
// stage from alpha to beta, two from beta to stable (one of them with its
// status in the same commit), and n new documents at alpha.
func statusDigest(n int) *livespec.Digest {
	d := &livespec.Digest{Window: livespec.Window{From: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}}
	at := livespec.Time{Time: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	add := func(path, field, value, previous, commit string) {
		d.Status = append(d.Status, livespec.DigestStatus{Repo: "r", Path: path, Title: "Doc " + path, Field: field, Value: value, Previous: previous, Commit: commit, Date: at})
	}
	for i := range n {
		add(fmt.Sprintf("a%02d.md", i), "stage", "alpha", "", fmt.Sprintf("%040d", i))
	}
	for i := range n {
		add(fmt.Sprintf("b%02d.md", i), "stage", "beta", "alpha", fmt.Sprintf("%040d", 100+i))
	}
	add("s1.md", "stage", "stable", "beta", strings.Repeat("a", 40))
	add("s2.md", "stage", "stable", "beta", strings.Repeat("b", 40))
	add("s2.md", "status", "implemented", "implementable", strings.Repeat("b", 40))
	return d
}

// TestDigestStatusReadsInAMinute: a digest's status changes give one line
// per document (its fields together), the documents furthest along the
// lifecycle first, as the period's own moves order the values (stable
// after beta after alpha), then documents given a first value, at most
// fifteen lines with the rest counted; the summary counts per field.
func TestDigestStatusReadsInAMinute(t *testing.T) {
	md := push.Markdown(statusDigest(10))
	for _, want := range []string{
		"22 documents changed status — stage: 10 now alpha, 10 now beta, 2 now stable; status: 1 now implemented.",
		"- Doc s2.md (`s2.md`): stage **stable** (was beta), status **implemented** (was implementable) — 2026-05-04, bbbbbbb\n",
		"- Doc b00.md (`b00.md`): stage **beta** (was alpha, 2026-05-04, 0000000)\n",
		"- and 7 more documents: 7 with a first value.\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("digest lacks %q:\n%s", want, md)
		}
	}
	s1, b0, a0 := strings.Index(md, "Doc s1.md"), strings.Index(md, "Doc b00.md"), strings.Index(md, "Doc a00.md")
	if s1 < 0 || b0 < 0 || a0 < 0 || s1 > b0 || b0 > a0 {
		t.Errorf("want stable before beta before the new documents:\n%s", md)
	}
	if n := strings.Count(md, "\n- "); n != 16 {
		t.Errorf("%d status lines, want 15 and the count of the rest:\n%s", n, md)
	}

	var html bytes.Buffer
	d := statusDigest(10)
	d.Status[0].Title = "<script>alert(1)</script>"
	d.Status[0].Field = "<b>stage</b>"
	if err := push.HTML(&html, d); err != nil {
		t.Fatal(err)
	}
	h := html.String()
	for _, want := range []string{"stage <strong>stable</strong> (was beta), status <strong>implemented</strong> (was implementable) — 2026-05-04, bbbbbbb", "and 7 more documents: 7 with a first value."} {
		if !strings.Contains(h, want) {
			t.Errorf("html lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(h, "<script>") || strings.Contains(h, "<b>stage") {
		t.Errorf("html does not escape a title or a field:\n%s", h)
	}
}

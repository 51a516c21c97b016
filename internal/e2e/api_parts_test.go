package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/apitest"
	"github.com/livespec/livespec/internal/e2e"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// longSpec is a Markdown file whose sections are stored in parts: a long
// preamble, a section of many paragraphs, one of a paragraph with many
// short lines, and one of a single line of words far over the part size.
func longSpec(edit string) string {
	var b strings.Builder
	for i := range 80 {
		fmt.Fprintf(&b, "Preamble paragraph %d says what the product is for, at some length to fill the part.\n\n", i)
	}
	b.WriteString("# Checkout\n\nShort intro.\n\n## Rules\n\n")
	for i := range 120 {
		fmt.Fprintf(&b, "Rule %d: an order of item %d ships within %d days of payment %s.\n\n", i, i, i%9+1, edit)
	}
	b.WriteString("## Lines\n\n")
	for i := range 200 {
		fmt.Fprintf(&b, "line %d of one long paragraph about refunds %s\n", i, edit)
	}
	b.WriteString("\n## One line\n\n")
	words := 1500
	if edit == "by drone" {
		words = 2500 // the section grows by a part
	}
	for i := range words {
		fmt.Fprintf(&b, "w%d ", i)
	}
	b.WriteString("end.\n\n## Coupons\n\nOne coupon per order.\n")
	return b.String()
}

// TestLongSectionsInParts ingests a file whose long sections are split
// into parts: GET /v1/specs/{path} gives back the file's text exactly
// (no heading repeated at a part boundary, no break inside a line), and a
// commit that edits every part of a section counts it as one change.
func TestLongSectionsInParts(t *testing.T) {
	repo := gittest.New(t, time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC))
	v1 := longSpec("by courier")
	repo.Write("spec/checkout.md", v1)
	repo.Commit("checkout spec")
	repo.When = time.Date(2025, 2, 3, 12, 0, 0, 0, time.UTC)
	v2 := longSpec("by drone")
	repo.Write("spec/checkout.md", v2)
	repo.Commit("drones")

	ctx := t.Context()
	st := e2e.Index(t, ingest.Options{Repo: "shop", Dir: repo.Dir})
	parts := map[string]int{}
	vs, err := st.Versions(ctx, livespec.VersionQuery{Validity: livespec.Current()})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		parts[v.Heading] = max(parts[v.Heading], v.Part+1)
	}
	for _, h := range []string{"", "Checkout > Rules", "Checkout > Lines", "Checkout > One line"} {
		if parts[h] < 2 {
			t.Fatalf("section %q is stored in %d parts; the test needs several (parts: %v)", h, parts[h], parts)
		}
	}

	asst := &retrieval.Assistant{Store: st, Now: func() time.Time { return time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) }}
	srv, err := api.New(api.Config{Asker: asst, Store: st, ParsePeriod: retrieval.ParsePeriod})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	h := srv.Handler()

	for _, tt := range []struct{ name, at, want string }{
		{"as of the first commit", "2025-01-20", v1},
		{"now", "", v2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := apitest.Do(t, h, "GET", "/v1/specs/spec/checkout.md?at="+tt.at, nil)
			got := apitest.Decode[api.SpecText](t, w)
			if want := strings.TrimSpace(tt.want); w.Code != 200 || got.Text != want {
				t.Fatalf("status %d: %d characters served for a %d-character file; first difference at %d:\n%q\nwant\n%q",
					w.Code, len(got.Text), len(want), firstDiff(got.Text, want), around(got.Text, firstDiff(got.Text, want)), around(want, firstDiff(got.Text, want)))
			}
		})
	}

	t.Run("a section edited in every part counts once", func(t *testing.T) {
		ans := apitest.Decode[livespec.Answer](t, apitest.Do(t, h, "POST", "/v1/ask", `{"question":"what changed in February 2025?"}`))
		per := map[string]int{}
		for _, c := range ans.Changes {
			if c.Heading != "" {
				per[c.Heading]++
			}
		}
		for _, h := range []string{"Checkout > Rules", "Checkout > Lines", "Checkout > One line"} {
			if per[h] != 1 {
				t.Errorf("section %q listed %d times in the answer's changes, want once", h, per[h])
			}
		}
		if ans.Totals == nil || ans.Totals.Sections != 3 || ans.Totals.Modified != 3 {
			t.Errorf("totals %+v, want 3 sections modified (Rules, Lines, One line)", ans.Totals)
		}
		if strings.Count(ans.Answer, "*Rules*") != 1 {
			t.Errorf("the answer names Rules %d times, want once:\n%s", strings.Count(ans.Answer, "*Rules*"), ans.Answer)
		}
	})
}

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func around(s string, i int) string {
	return s[max(0, i-60):min(len(s), i+60)]
}

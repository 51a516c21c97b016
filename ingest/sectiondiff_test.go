package ingest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/livespec/livespec"
)

// diffLines renders DiffSections as one line per entry:
// "kind old -> new: summary", with "=" for unchanged pairs and "-" for a
// missing side.
func diffLines(d []SectionDiff) []string {
	var out []string
	for _, e := range d {
		k := string(e.Kind)
		if k == "" {
			k = "="
		}
		o, n := "-", "-"
		if e.Old != nil {
			o = fmt.Sprintf("%q", e.Old.Heading)
			if e.Old.Part > 0 {
				o += fmt.Sprintf("/%d", e.Old.Part)
			}
		}
		if e.New != nil {
			n = fmt.Sprintf("%q", e.New.Heading)
			if e.New.Part > 0 {
				n += fmt.Sprintf("/%d", e.New.Part)
			}
		}
		out = append(out, k+" "+o+" -> "+n+": "+e.Summary)
	}
	return out
}

func sections(t testing.TB, src string) []livespec.Section {
	t.Helper()
	if src == "" {
		return nil
	}
	return parse(t, "spec.md", src, ParseOptions{}).Sections
}

const diffBase = `Intro.

# Checkout

Checkout takes a cart and returns an order.

## Coupons

A coupon gives a fixed or a percentage discount on the cart total.
Only one coupon applies per order.

## Payment

Payment uses the card on file, or asks for a new card when none is stored.

# Proposal

## Risks

The payment provider may be down; orders are then queued for ten minutes.
`

func TestDiffSections(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     []string
	}{
		{
			name: "unchanged",
			old:  diffBase,
			new:  diffBase,
			want: []string{
				`= "" -> "": `,
				`= "Checkout" -> "Checkout": `,
				`= "Checkout > Coupons" -> "Checkout > Coupons": `,
				`= "Checkout > Payment" -> "Checkout > Payment": `,
				`= "Proposal" -> "Proposal": `,
				`= "Proposal > Risks" -> "Proposal > Risks": `,
			},
		},
		{
			name: "new file",
			old:  "",
			new:  "# A\nOne.\n\nTwo.\n## B\n",
			want: []string{
				`added - -> "A": +3 lines`,
				`added - -> "A > B": +1 lines`,
			},
		},
		{
			name: "deleted file",
			old:  "# A\nOne.\n## B\n",
			new:  "",
			want: []string{
				`removed "A" -> -: −2 lines`,
				`removed "A > B" -> -: −1 lines`,
			},
		},
		{
			name: "add, edit and delete",
			old:  diffBase,
			new: strings.Replace(strings.Replace(strings.Replace(diffBase,
				"Only one coupon applies per order.", "Two coupons may apply per order.\nThey stack.", 1),
				"## Payment", "## Refunds\n\nRefunds go back to the card.\n\n## Payment", 1),
				"## Risks\n\nThe payment provider may be down; orders are then queued for ten minutes.\n", "", 1),
			want: []string{
				`= "" -> "": `,
				`= "Checkout" -> "Checkout": `,
				`modified "Checkout > Coupons" -> "Checkout > Coupons": +2 −1 lines`,
				`added - -> "Checkout > Refunds": +2 lines`,
				`= "Checkout > Payment" -> "Checkout > Payment": `,
				`= "Proposal" -> "Proposal": `,
				`removed "Proposal > Risks" -> -: −2 lines`,
			},
		},
		{
			name: "heading renamed",
			old:  diffBase,
			new:  strings.Replace(diffBase, "## Coupons", "## Discount codes", 1),
			want: []string{
				`= "" -> "": `,
				`= "Checkout" -> "Checkout": `,
				`renamed "Checkout > Coupons" -> "Checkout > Discount codes": heading renamed from "Coupons"`,
				`= "Checkout > Payment" -> "Checkout > Payment": `,
				`= "Proposal" -> "Proposal": `,
				`= "Proposal > Risks" -> "Proposal > Risks": `,
			},
		},
		{
			name: "section moved under another parent",
			old:  diffBase,
			new: strings.Replace(strings.Replace(diffBase,
				"## Risks\n\nThe payment provider may be down; orders are then queued for ten minutes.\n", "", 1),
				"# Proposal", "## Risks\n\nThe payment provider may be down; orders are then queued for ten minutes.\n\n# Proposal", 1),
			want: []string{
				`= "" -> "": `,
				`= "Checkout" -> "Checkout": `,
				`= "Checkout > Coupons" -> "Checkout > Coupons": `,
				`= "Checkout > Payment" -> "Checkout > Payment": `,
				`renamed "Proposal > Risks" -> "Checkout > Risks": moved from "Proposal" to "Checkout"`,
				`= "Proposal" -> "Proposal": `,
			},
		},
		{
			name: "renamed and edited",
			old:  diffBase,
			new: strings.Replace(diffBase,
				"## Coupons\n\nA coupon gives a fixed or a percentage discount on the cart total.\nOnly one coupon applies per order.",
				"## Promotions\n\nA coupon gives a fixed or a percentage discount on the cart total.\nOnly one coupon applies per order, and never to gift cards.", 1),
			want: []string{
				`= "" -> "": `,
				`= "Checkout" -> "Checkout": `,
				`renamed "Checkout > Coupons" -> "Checkout > Promotions": heading renamed from "Coupons"; +1 −1 lines`,
				`= "Checkout > Payment" -> "Checkout > Payment": `,
				`= "Proposal" -> "Proposal": `,
				`= "Proposal > Risks" -> "Proposal > Risks": `,
			},
		},
		{
			name: "renamed and rewritten is removed and added",
			old:  "# A\n## Coupons\nA coupon gives a fixed discount on the cart total.\n",
			new:  "# A\n## Promotions\nSeasonal campaigns are planned by marketing each quarter.\n",
			want: []string{
				`= "A" -> "A": `,
				`added - -> "A > Promotions": +2 lines`,
				`removed "A > Coupons" -> -: −2 lines`,
			},
		},
		{
			name: "moved and renamed with its parent",
			old:  "# Design\n## Auth\nTokens expire after one hour.\n### Refresh\nRefresh tokens last a day.\n",
			new:  "# Design\n## Authentication\nTokens expire after one hour.\n### Refresh\nRefresh tokens last a day.\n",
			want: []string{
				`= "Design" -> "Design": `,
				`renamed "Design > Auth" -> "Design > Authentication": heading renamed from "Auth"`,
				`renamed "Design > Auth > Refresh" -> "Design > Authentication > Refresh": moved from "Auth" to "Authentication"`,
			},
		},
		{
			name: "moved one level down and up",
			old:  "# A\n## B\nbody of b\n### C\nbody of c here\n## D\nbody of d\n",
			new:  "# A\n## B\nbody of b\n## D\nbody of d\n### C\nbody of c here\n",
			want: []string{
				`= "A" -> "A": `,
				`= "A > B" -> "A > B": `,
				`= "A > D" -> "A > D": `,
				`renamed "A > B > C" -> "A > D > C": moved from "B" to "D"`,
			},
		},
		{
			name: "moved out of and under a parent",
			old:  "# A\n## B\n### C\nthe body of section c\n## E\nthe body of section e\n",
			new:  "# A\n## B\n## C\nthe body of section c\n### F\n#### E\nthe body of section e\n",
			want: []string{
				`= "A" -> "A": `,
				`= "A > B" -> "A > B": `,
				`renamed "A > B > C" -> "A > C": moved out of "B"`,
				`added - -> "A > C > F": +1 lines`,
				`renamed "A > E" -> "A > C > F > E": moved under "C > F"`,
			},
		},
		{
			name: "renamed and moved names the old path from where it differs",
			old:  "# K\n## Proposal\n### Phase 1\n#### Type safety\nExpressions are type checked at creation time.\n## Alternatives\n",
			new:  "# K\n## Proposal\n### Phase 1\n## Alternatives\n### Type checking\nExpressions are type checked at creation time.\n",
			want: []string{
				`= "K" -> "K": `,
				`= "K > Proposal" -> "K > Proposal": `,
				`= "K > Proposal > Phase 1" -> "K > Proposal > Phase 1": `,
				`= "K > Alternatives" -> "K > Alternatives": `,
				`renamed "K > Proposal > Phase 1 > Type safety" -> "K > Alternatives > Type checking": renamed from "Proposal > Phase 1 > Type safety"`,
			},
		},
		{
			name: "short bodies do not pair sections",
			old:  "# A\n## Goals\nTBD\n",
			new:  "# A\n## Risks\nTBD\n",
			want: []string{
				`= "A" -> "A": `,
				`added - -> "A > Risks": +2 lines`,
				`removed "A > Goals" -> -: −2 lines`,
			},
		},
		{
			name: "preamble gets a heading",
			old:  "Checkout takes a cart and returns an order.\n# Details\n",
			new:  "# Overview\nCheckout takes a cart and returns an order.\n# Details\n",
			want: []string{
				`renamed "" -> "Overview": heading added over the text before the first heading`,
				`= "Details" -> "Details": `,
			},
		},
		{
			name: "duplicate headings: a twin inserted before",
			old:  "# A\n## Notes\nfirst note\n## Notes\nsecond note\n",
			new:  "# A\n## Notes\nnew note\n## Notes\nfirst note\n## Notes\nsecond note\n",
			want: []string{
				`= "A" -> "A": `,
				`added - -> "A > Notes": +2 lines`,
				`renamed "A > Notes" -> "A > Notes (2)": repeated heading renumbered from "A > Notes"`,
				`renamed "A > Notes (2)" -> "A > Notes (3)": repeated heading renumbered from "A > Notes (2)"`,
			},
		},
		{
			name: "duplicate headings: one edited",
			old:  "# A\n## Notes\nfirst note\n## Notes\nsecond note\n",
			new:  "# A\n## Notes\nfirst note\n## Notes\nsecond note, edited\n",
			want: []string{
				`= "A" -> "A": `,
				`= "A > Notes" -> "A > Notes": `,
				`modified "A > Notes (2)" -> "A > Notes (2)": +1 −1 lines`,
			},
		},
		{
			name: "whitespace-only edit",
			old:  "# A\nOne two three.\n",
			new:  "# A\nOne  two\nthree.\n",
			want: []string{`modified "A" -> "A": whitespace only`},
		},
		{
			name: "edits the normal form removes are no change",
			old:  "# A\nOne two three.\n",
			new:  "# A   \r\nOne two three.   \r\n\r\n\r\n",
			want: []string{`= "A" -> "A": `},
		},
		{
			name: "identical sections moved keep document order",
			old:  "# X\n## Same\nbody\n# Y\n## Same\nbody\n",
			new:  "# P\n## Same\nbody\n# Q\n## Same\nbody\n",
			want: []string{
				`added - -> "P": +1 lines`,
				`renamed "X > Same" -> "P > Same": moved from "X" to "P"`,
				`added - -> "Q": +1 lines`,
				`renamed "Y > Same" -> "Q > Same": moved from "Y" to "Q"`,
				`removed "X" -> -: −1 lines`,
				`removed "Y" -> -: −1 lines`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, new := sections(t, tt.old), sections(t, tt.new)
			got := diffLines(DiffSections(old, new))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DiffSections:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tt.want, "\n     "))
			}
			// Every section of either side appears exactly once.
			seenOld, seenNew := map[*livespec.Section]int{}, map[*livespec.Section]int{}
			for _, d := range DiffSections(old, new) {
				if d.Old != nil {
					seenOld[d.Old]++
				}
				if d.New != nil {
					seenNew[d.New]++
				}
			}
			if len(seenOld) != len(old) || len(seenNew) != len(new) {
				t.Errorf("entries cover %d/%d old and %d/%d new sections", len(seenOld), len(old), len(seenNew), len(new))
			}
		})
	}
}

func TestDiffSectionsParts(t *testing.T) {
	para := strings.Repeat("Some words that fill a paragraph of the long section. ", 8)
	long := func(n int) string {
		return "# Long\n\n" + strings.Repeat(para+"\n\n", n)
	}
	opt := ParseOptions{MaxSectionBytes: 1200}
	old := parse(t, "x.md", long(4), opt).Sections
	new := parse(t, "x.md", long(6), opt).Sections
	if len(old) < 2 || len(new) <= len(old) {
		t.Fatalf("want more parts after growth: %d -> %d", len(old), len(new))
	}
	var added int
	for _, d := range DiffSections(old, new) {
		switch {
		case d.Kind == livespec.Added:
			added++
			if d.New.Heading != "Long" || d.New.Part < len(old) {
				t.Errorf("added %q part %d", d.New.Heading, d.New.Part)
			}
		case d.Kind != "" && d.Kind != livespec.Modified:
			t.Errorf("unexpected %s of %q part %d", d.Kind, d.New.Heading, d.New.Part)
		}
	}
	if added != len(new)-len(old) {
		t.Errorf("added %d parts, want %d", added, len(new)-len(old))
	}
}

// synthSections builds n sections with distinct, realistic bodies.
func synthSections(n int, salt string) []livespec.Section {
	out := make([]livespec.Section, n)
	for i := range out {
		h := fmt.Sprintf("Spec > Area %d > Topic %d", i/10, i)
		text := fmt.Sprintf("### Topic %d\n\nThe service %s handles request kind %d with a limit of %d per minute.\nRetries back off after %d failures; operators see metric m_%d.",
			i, salt, i, i*7%100, i%5+1, i)
		out[i] = livespec.Section{Heading: h, Level: 3, Text: text, Hash: livespec.ContentHash(text)}
	}
	return out
}

func TestDiffSectionsLargeFileShuffle(t *testing.T) {
	old := synthSections(400, "alpha")
	// Rename every section's heading and edit a third of them; the differ
	// must pair each with its old self.
	new := make([]livespec.Section, len(old))
	for i, s := range old {
		s.Heading = strings.Replace(s.Heading, "Topic", "Subject", 1)
		if i%3 == 0 {
			s.Text += "\nNew sentence " + fmt.Sprint(i) + "."
		}
		s.Hash = livespec.ContentHash(s.Text)
		new[len(new)-1-i] = s // reverse order
	}
	for _, d := range DiffSections(old, new) {
		if d.Kind != livespec.Renamed {
			t.Fatalf("%s %v -> %v, want renamed", d.Kind, d.Old, d.New)
		}
		if strings.Replace(d.Old.Heading, "Topic", "Subject", 1) != d.New.Heading {
			t.Fatalf("paired %q with %q", d.Old.Heading, d.New.Heading)
		}
	}
}

func BenchmarkDiffSections(b *testing.B) {
	old := synthSections(400, "alpha")
	edited := make([]livespec.Section, len(old))
	copy(edited, old)
	for i := 0; i < len(edited); i += 20 {
		edited[i].Text += "\nEdited."
		edited[i].Hash = livespec.ContentHash(edited[i].Text)
	}
	// Every heading and text differs: the worst case for similarity.
	renamed := synthSections(400, "beta")
	for i := range renamed {
		renamed[i].Heading += " (renamed)"
	}
	b.Run("few-edits", func(b *testing.B) {
		for b.Loop() {
			DiffSections(old, edited)
		}
	})
	b.Run("all-new", func(b *testing.B) {
		for b.Loop() {
			DiffSections(old, renamed)
		}
	})
}

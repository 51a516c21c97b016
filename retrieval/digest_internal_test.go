package retrieval

import (
	"testing"

	"github.com/livespec/livespec"
)

// Text that several notable documents share (a template's checklist) is
// shown after what each document says of its own; an editorial change and
// a change without prose come last.
func TestPickSectionsDemotesTemplateText(t *testing.T) {
	checklist := livespec.DigestSection{Heading: "Checklist", Now: "Items marked with (R) are required before the release."}
	doc := func(own string, shared bool) livespec.DigestDocument {
		d := livespec.DigestDocument{Sections: []livespec.DigestSection{
			{Heading: "Intro", Now: "", Before: ""},
			{Heading: "Typo", Now: "The service retries three times.", Editorial: livespec.EditTypo},
		}}
		if shared {
			d.Sections = append(d.Sections, checklist)
		}
		d.Sections = append(d.Sections, livespec.DigestSection{Heading: "Summary", Now: own})
		return d
	}
	for _, tc := range []struct {
		name   string
		shared int
		first  string
	}{
		{"three documents share it", 3, "Summary"},
		{"two documents share it", 2, "Checklist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var docs []livespec.DigestDocument
			for i, own := range []string{"Checkout accepts one coupon per order.", "Refunds are paid within ten days.", "Invoices are sent every month by email."} {
				docs = append(docs, doc(own, i < tc.shared))
			}
			pickSections(docs, 2)
			d := docs[0]
			if len(d.Sections) != 2 || d.Sections[0].Heading != tc.first || d.MoreSections != 2 {
				t.Fatalf("sections %+v, more %d; want %s first, two shown", d.Sections, d.MoreSections, tc.first)
			}
			if first := docs[2].Sections[0]; first.Heading != "Summary" {
				t.Errorf("a document without shared text shows %+v first, want its own prose", first)
			}
		})
	}
}

// TestNamesTitle: a digest names a document by its first heading when
// that heading names the title its front matter or sidecar gives, and by
// that title when the first heading is something else.
func TestNamesTitle(t *testing.T) {
	for _, tc := range []struct {
		heading, title string
		want           bool
	}{
		{"KEP-5647: Stale Controller Detection and Mitigation", "Stale Controller Handling", true},
		{"KEP-3721: Support for env files", "Support for env files.", true},
		{"Release Signoff Checklist", "Enable Writable Cgroups", false},
		{"", "Enable Writable Cgroups", false},
		{"KEP-1: Fast path", "x", true},
	} {
		if got := namesTitle(tc.heading, tc.title); got != tc.want {
			t.Errorf("namesTitle(%q, %q) = %v, want %v", tc.heading, tc.title, got, tc.want)
		}
	}
}

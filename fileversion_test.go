package livespec_test

import (
	"strings"
	"testing"

	"github.com/livespec/livespec"
)

func TestFileVersionFirstHeading(t *testing.T) {
	h := func(s ...string) livespec.SectionRef {
		return livespec.SectionRef{Heading: strings.Join(s, livespec.HeadingSep)}
	}
	for _, tc := range []struct {
		name    string
		outline []livespec.SectionRef
		want    string
	}{
		{"no outline", nil, ""},
		{"preamble only", []livespec.SectionRef{{Heading: ""}}, ""},
		{"front matter skipped", []livespec.SectionRef{{Heading: livespec.FrontMatterHeading}, {Heading: ""}, h("Checkout")}, "Checkout"},
		{"nested heading gives its top level", []livespec.SectionRef{h("Checkout", "Coupons")}, "Checkout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := livespec.FileVersion{Outline: tc.outline}
			if got := f.FirstHeading(); got != tc.want {
				t.Errorf("FirstHeading() = %q, want %q", got, tc.want)
			}
		})
	}
}

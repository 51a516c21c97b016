package retrieval

import "testing"

// TestMergeSummaries: the parts of one section changed in one commit are
// told with their line counts summed, what the first part says before its
// count kept.
func TestMergeSummaries(t *testing.T) {
	for _, tc := range []struct{ name, a, b, want string }{
		{"two edits", "+3 −1 lines", "+2 −4 lines", "+5 −5 lines"},
		{"an edit and an added part", "+3 −1 lines", "+12 lines", "+15 −1 lines"},
		{"a removed part", "−12 lines", "−3 lines", "−15 lines"},
		{"a move then counts", `moved from "A" to "B"; +22 −29 lines`, `moved from "A" to "B"; +5 −6 lines`, `moved from "A" to "B"; +27 −35 lines`},
		{"no count in the second", "+3 −1 lines", "whitespace only", "+3 −1 lines"},
		{"no count in the first", "whitespace only", "+2 lines", "whitespace only"},
		{"nothing in the first", "", "+2 lines", "+2 lines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mergeSummaries(tc.a, tc.b); got != tc.want {
				t.Errorf("mergeSummaries(%q, %q) = %q, want %q", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

package eval

import "testing"

// TestIsSpec checks that git's side of a changes question counts the files
// livespec ingests by default: Markdown, minus test fixtures and vendored
// trees.
func TestIsSpec(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"README.md", true},
		{"spec/auth.markdown", true},
		{"docs/vendoring.md", true},
		{"spec/kep.yaml", false},
		{"testdata/top.md", false},
		{"ingest/testdata/split/kep-like.md", false},
		{"vendor/lib/README.md", false},
		{"web/node_modules/pkg/README.md", false},
	}
	for _, tt := range tests {
		if got := isSpec(tt.path); got != tt.want {
			t.Errorf("isSpec(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

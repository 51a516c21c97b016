package retrieval

import "testing"

// TestQuotesKeepCode: what a change report quotes drops bold and italic
// marks from prose but keeps code spans exactly as written, so a glob such
// as `**/testdata/**` is quoted whole.
func TestQuotesKeepCode(t *testing.T) {
	tests := []struct {
		name, before, after, wantNow string
	}{
		{
			name:    "glob in a code span",
			before:  "The default include takes every Markdown file in the tree.",
			after:   "The default exclude skips `**/testdata/**` and vendored copies of other trees.",
			wantNow: "The default exclude skips `**/testdata/**` and vendored copies of other trees.",
		},
		{
			name:    "bold prose",
			before:  "Tokens expire after one hour of use.",
			after:   "Tokens **always** expire after one day of use.",
			wantNow: "Tokens always expire after one day of use.",
		},
		{
			name:    "unclosed backtick is literal text",
			before:  "Nothing was said here about the flags at all.",
			after:   "Every option of the command is documented on its page, except one marked `beta **soon**.",
			wantNow: "Every option of the command is documented on its page, except one marked `beta soon.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if now, _ := sentenceDiff(tt.before, tt.after); now != tt.wantNow {
				t.Errorf("sentenceDiff now = %q, want %q", now, tt.wantNow)
			}
			if lead := leadSentences(tt.after); lead != tt.wantNow {
				t.Errorf("leadSentences = %q, want %q", lead, tt.wantNow)
			}
		})
	}
}

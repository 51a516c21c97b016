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

// TestQuotesHardBreaks: lines ended by a Markdown hard break (a backslash
// or two spaces) are lines apart, so a block of names and a date under a
// title is no sentence to quote, while a sentence wrapped without one
// still reads whole.
func TestQuotesHardBreaks(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"backslash breaks", "Ian Lance Taylor\\\nRobert Griesemer\\\nAugust 20, 2021\n\nThis proposal adds type parameters to the language.\n",
			"This proposal adds type parameters to the language."},
		{"two-space breaks", "Ada Lovelace  \nCharles Babbage  \nMarch 1, 2024\n\nThe engine computes Bernoulli numbers in a loop.\n",
			"The engine computes Bernoulli numbers in a loop."},
		{"a wrapped sentence stays whole", "The engine computes\nBernoulli numbers in a loop.\n",
			"The engine computes Bernoulli numbers in a loop."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := leadSentences(tt.text); got != tt.want {
				t.Errorf("leadSentences = %q, want %q", got, tt.want)
			}
			if got := headlineQuote(tt.text, "type parameters engine"); got != tt.want {
				t.Errorf("headlineQuote = %q, want %q", got, tt.want)
			}
		})
	}
}

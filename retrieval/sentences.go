package retrieval

// SentenceDiff returns the prose sentences after says that before did not
// (now) and those before said that after no longer does (was), each
// joined and shortened: what an edit changed, in the spec's words, as the
// change reports and digests quote it.
func SentenceDiff(before, after string) (now, was string) { return sentenceDiff(before, after) }

// LeadSentences is the first prose sentences of a text, shortened: what
// an added section says.
func LeadSentences(text string) string { return leadSentences(text) }

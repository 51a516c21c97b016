package livespec

import "context"

// TermCounts are statistics of terms over the current sections of every
// repository in a store, each section read as internal/lex.SectionTerms
// reads it (its text, the words of its path, its heading).
type TermCounts struct {
	// Sections counts the current sections.
	Sections int
	// Stems maps each stem asked for to the number of current sections
	// holding it (0 when none does).
	Stems map[string]int
	// Words maps each word asked for (lower case, as written) to the
	// number of current sections holding it.
	Words map[string]int
}

// TermStore is implemented by stores that keep the term statistics of
// current sections as they are written, so that a question reads the few
// terms it needs instead of every current section.
type TermStore interface {
	// TermCounts returns the number of current sections and the counts of
	// stems and words. settled is false when the statistics lag the
	// versions (a run writing the index is under way): the counts are
	// then those of the index before the run, and a caller that needs
	// them exact computes them from the versions.
	TermCounts(ctx context.Context, stems, words []string) (counts TermCounts, settled bool, err error)
	// Vocabulary returns every word of current sections that starts with
	// prefix (lower case, as written, each spellable: see
	// internal/lex.Spellable) with the number of current sections holding
	// it; settled is as for TermCounts.
	Vocabulary(ctx context.Context, prefix string) (words map[string]int, settled bool, err error)
}

package sqlite

import (
	"context"
	"sort"
	"unicode/utf8"

	"github.com/livespec/livespec"
)

// Most answers ask TermCounts for the counts of their words: a statement
// on the read pool each (1,836 in the KEPs load mix's 3,000 questions,
// nearly all with other words), 1.1% of a server's CPU. term_counts is
// small (the KEPs history's 92,000 stems and words weigh 1.4 MB), so a
// warmed Store (Warm: a server at start) keeps all of it, at the
// DataVersion of its whole tables, in a few slices the collector does not
// scan, and TermCounts at that version reads nothing of the index.

// maxWholeTerms bounds the bytes of terms a warmed Store keeps.
const maxWholeTerms = 16 << 20

// wholeTerms are term_counts at one DataVersion, as TermCounts reads it.
type wholeTerms struct {
	settled  bool
	sections int
	stems    countedTerms
	words    countedTerms
}

// countedTerms is one kind's terms, in order, and each one's count: term i is
// terms[ends[i-1]:ends[i]] (from 0 for the first).
type countedTerms struct {
	terms string
	ends  []uint32
	n     []int64
}

// term returns term i of l.
func (l *countedTerms) term(i int) string {
	from := uint32(0)
	if i > 0 {
		from = l.ends[i-1]
	}
	return l.terms[from:l.ends[i]]
}

// count returns how many current sections hold t; 0 for a term l lacks.
func (l *countedTerms) count(t string) int {
	i := sort.Search(len(l.ends), func(i int) bool { return l.term(i) >= t })
	if i < len(l.ends) && l.term(i) == t {
		return int(l.n[i])
	}
	return 0
}

// readWholeTerms reads term_counts in q; nil when its terms weigh more
// than maxWholeTerms.
func readWholeTerms(ctx context.Context, q queryer) (*wholeTerms, error) {
	w := &wholeTerms{}
	var uncounted bool
	if err := queryOne(ctx, q, `SELECT EXISTS (SELECT 1 FROM versions WHERE counted <> (end_commit = ''))`, nil, &uncounted); err != nil {
		return nil, err
	}
	w.settled = !uncounted
	rows, err := q.QueryContext(ctx, `SELECT kind, term, n FROM term_counts ORDER BY kind, term`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var stems, words []byte
	weight := 0
	for rows.Next() {
		var kind int
		var n int64
		var term string
		if err := rows.Scan(&kind, &term, &n); err != nil {
			return nil, err
		}
		if weight += len(term) + 12; weight > maxWholeTerms {
			return nil, nil
		}
		switch {
		case kind == kindSections && term == "":
			w.sections = int(n)
		case kind == kindStem:
			stems = w.stems.add(stems, term, n)
		case kind == kindWord:
			words = w.words.add(words, term, n)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	w.stems.terms, w.words.terms = string(stems), string(words)
	return w, nil
}

// add appends term, counted n, to l, its text to b, and returns b.
func (l *countedTerms) add(b []byte, term string, n int64) []byte {
	b = append(b, term...)
	l.ends, l.n = append(l.ends, uint32(len(b))), append(l.n, n)
	return b
}

// keptTermCounts is (*wholeTerms).counts; tests see when TermCounts
// answers from the kept counts.
var keptTermCounts = (*wholeTerms).counts

// counts fills c, as TermCounts does, with the kept counts of its stems
// and words, and returns whether term_counts was settled.
func (w *wholeTerms) counts(c *livespec.TermCounts) bool {
	c.Sections = w.sections
	for t := range c.Stems {
		if utf8.ValidString(t) {
			c.Stems[t] = w.stems.count(t)
		}
	}
	for t := range c.Words {
		if utf8.ValidString(t) {
			c.Words[t] = w.words.count(t)
		}
	}
	return w.settled
}

package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/livespec/livespec/internal/lex"
)

// phrasesExpr returns the FTS5 query that the texts of a search filtered
// by phrases (livespec.SearchQuery.Phrases) match: one of phrases, each
// its terms side by side in order; "" when none is given. none is true
// when no text can pass: phrases were given and none has a term.
func phrasesExpr(phrases []string) (expr string, none bool) {
	var alts []string
	for _, p := range phrases {
		terms := lex.Terms(p)
		if len(terms) == 0 {
			continue
		}
		for i, t := range terms {
			terms[i] = ftsToken(t)
		}
		alts = append(alts, ftsPhrase(terms))
	}
	if len(phrases) > 0 && len(alts) == 0 {
		return "", true
	}
	return strings.Join(alts, " OR "), false
}

// ftsPhrase returns the FTS5 phrase of tokens, each an FTS token or a
// prefix (ending in "*": see Terms): "a b", or "zx24" * for a prefix.
func ftsPhrase(tokens []string) string {
	var b strings.Builder
	b.WriteByte('"')
	prefix := false
	for i, t := range tokens {
		if i > 0 {
			b.WriteByte(' ')
		}
		t, prefix = strings.CutSuffix(t, "*")
		b.WriteString(strings.ReplaceAll(t, `"`, `""`))
	}
	b.WriteByte('"')
	if prefix && len(tokens) == 1 {
		b.WriteString(" *")
	}
	return b.String()
}

// keepHolding returns the postings of ranked (the sum of lists, each
// term's texts) whose texts pass f's filter on words: those in every list
// when f.allTerms, and matching f.phrases when given, in ranked's order,
// in ranked's own array (its tail is overwritten). The texts holding
// every term are read off lists, and only the phrases are asked of the
// full-text index, which reads their positions: asking it for the terms
// too cost twice as much (1.8 against 0.8 ms for "default behavior" on
// the KEPs).
func (f *searchFilter) keepHolding(ctx context.Context, tx *sql.Tx, ranked []posting, lists [][]posting) ([]posting, error) {
	var all []int64 // sorted: the texts in every list
	if f.allTerms {
		if all = intersectIDs(lists); len(all) == 0 {
			return ranked[:0], nil
		}
	}
	held := make(map[int64]bool)
	if f.phrases == "" {
		for _, id := range all {
			held[id] = true
		}
	} else {
		ids, err := readMatches(ctx, tx, f.phrases)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if _, found := slices.BinarySearch(all, id); found || !f.allTerms {
				held[id] = true
			}
		}
	}
	out := ranked[:0]
	for _, p := range ranked {
		if held[p.id] {
			out = append(out, p)
		}
	}
	return out, nil
}

// intersectIDs returns the ids found in every one of lists (each ordered
// by id), in order; none when there are no lists.
func intersectIDs(lists [][]posting) []int64 {
	if len(lists) == 0 {
		return nil
	}
	least := slices.MinFunc(lists, func(a, b []posting) int { return len(a) - len(b) })
	at := make([]int, len(lists))
	var out []int64
next:
	for _, p := range least {
		for i, l := range lists {
			j := at[i]
			for j < len(l) && l[j].id < p.id {
				j++
			}
			if at[i] = j; j == len(l) {
				return out
			}
			if l[j].id != p.id {
				continue next
			}
		}
		out = append(out, p.id)
	}
	return out
}

// readMatches is matches; tests see what the full-text index is asked.
var readMatches = matches

// matches returns the ids of the texts of all_fts matching the FTS5
// query expr.
func matches(ctx context.Context, tx *sql.Tx, expr string) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT rowid FROM all_fts WHERE all_fts MATCH ?`, expr)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, closeRows(rows)
}

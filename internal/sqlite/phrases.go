package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// holdingExpr returns the FTS5 query that the texts of a filtered search
// (livespec.SearchQuery.All, Phrases) match: every term of q.Text when
// All, and one of q.Phrases, each its terms side by side in order. none
// is true when no text can pass: Phrases were given and none has a term.
func holdingExpr(q livespec.SearchQuery) (expr string, none bool) {
	var parts []string
	if q.All {
		for _, t := range Terms(q.Text) {
			parts = append(parts, ftsPhrase([]string{t}))
		}
	}
	if len(q.Phrases) > 0 {
		var alts []string
		for _, p := range q.Phrases {
			terms := lex.Terms(p)
			if len(terms) == 0 {
				continue
			}
			for i, t := range terms {
				terms[i] = ftsToken(t)
			}
			alts = append(alts, ftsPhrase(terms))
		}
		if len(alts) == 0 {
			return "", true
		}
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	return strings.Join(parts, " AND "), false
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

// keepHolding returns the postings of ranked whose texts match the FTS5
// query expr, in ranked's order, in ranked's own array (its tail is
// overwritten).
func keepHolding(ctx context.Context, tx *sql.Tx, ranked []posting, expr string) ([]posting, error) {
	rows, err := tx.QueryContext(ctx, `SELECT rowid FROM all_fts WHERE all_fts MATCH ?`, expr)
	if err != nil {
		return nil, err
	}
	ids := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids[id] = true
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	out := ranked[:0]
	for _, p := range ranked {
		if ids[p.id] {
			out = append(out, p)
		}
	}
	return out, nil
}

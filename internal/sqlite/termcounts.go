package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"unicode/utf8"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
	"golang.org/x/sync/errgroup"
)

var _ livespec.TermStore = (*Store)(nil)

// Term statistics of current sections (livespec.TermStore) live in
// term_counts: for every stem (kind 1) and spellable word (kind 2) of the
// counted versions, how many of them hold it, and their number (kind 0,
// term ”). versions.counted says whether a version is counted; the
// statistics are exact when every open version is counted and no closed
// one is, which versions_uncounted indexes the exceptions of. A run's last
// batch, a repository's deletion and the migration that made the table
// settle them (syncTerms), so a full ingest reads each current section
// once and an incremental one only the sections it opened or closed.
const (
	kindSections = 0
	kindStem     = 1
	kindWord     = 2
)

const (
	sqlTermsPending = `SELECT EXISTS (SELECT 1 FROM versions WHERE counted <> (end_commit = ''))`
	sqlUncounted    = `SELECT v.path, v.heading, t.text, v.counted FROM versions v JOIN texts t ON t.id = v.text_id
	WHERE v.counted <> (v.end_commit = '')`
	sqlSettleCounted = `UPDATE versions SET counted = (end_commit = '') WHERE counted <> (end_commit = '')`
	sqlRepoCounted   = `SELECT v.path, v.heading, t.text, v.counted FROM versions v JOIN texts t ON t.id = v.text_id
	WHERE v.repo = ? AND v.counted = 1`
	sqlTermsInsert   = `INSERT INTO term_counts (kind, term, n) VALUES `
	sqlTermsConflict = ` ON CONFLICT (kind, term) DO UPDATE SET n = n + excluded.n`
	sqlTermsDrop     = `DELETE FROM term_counts WHERE kind = ? AND term = ? AND n <= 0`
)

var termsUpsert = newMultiRow(sqlTermsInsert, sqlTermsConflict, 3)

// termDelta is a change of term_counts: + for each version counted anew,
// - for each version no longer counted.
type termDelta struct {
	sections int
	stems    map[string]int
	words    map[string]int
}

func newTermDelta() *termDelta {
	return &termDelta{stems: map[string]int{}, words: map[string]int{}}
}

// add counts the section (sign +1) or discounts it (sign -1).
func (d *termDelta) add(text, path, heading string, sign int) {
	d.sections += sign
	stems, words := lex.SectionTerms(text, path, heading)
	for _, s := range stems {
		d.stems[s] += sign
	}
	for _, w := range words {
		d.words[w] += sign
	}
}

// read adds the versions of a query selecting (path, heading, text,
// counted): a counted one is discounted, another counted. The sections
// are read first, then analysed by one worker per CPU (the analysis is
// most of a full ingest's counting), each into a delta of its own.
func (d *termDelta) read(ctx context.Context, tx *sql.Tx, q string, args ...any) error {
	type section struct {
		path, heading, text string
		sign                int
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	var secs []section
	for rows.Next() {
		var s section
		var counted bool
		if err := rows.Scan(&s.path, &s.heading, &s.text, &counted); err != nil {
			rows.Close()
			return err
		}
		s.sign = 1
		if counted {
			s.sign = -1
		}
		secs = append(secs, s)
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	workers := min(runtime.GOMAXPROCS(0), max(len(secs)/256, 1))
	parts := make([]*termDelta, workers)
	var g errgroup.Group
	for w := range parts {
		parts[w] = newTermDelta()
		g.Go(func() error {
			for i := w; i < len(secs); i += workers {
				s := secs[i]
				parts[w].add(s.text, s.path, s.heading, s.sign)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, p := range parts {
		d.merge(p)
	}
	return nil
}

// merge adds o to d.
func (d *termDelta) merge(o *termDelta) {
	d.sections += o.sections
	for t, n := range o.stems {
		d.stems[t] += n
	}
	for w, n := range o.words {
		d.words[w] += n
	}
}

// syncTerms brings term_counts in line with the open versions, in tx.
func syncTerms(ctx context.Context, tx *sql.Tx) error {
	d := newTermDelta()
	if err := d.read(ctx, tx, sqlUncounted); err != nil {
		return fmt.Errorf("count terms: %w", err)
	}
	if d.sections == 0 && len(d.stems) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, sqlSettleCounted); err != nil {
		return fmt.Errorf("count terms: %w", err)
	}
	return d.write(ctx, tx)
}

// discountRepo removes the counted versions of repo from term_counts, in
// tx, before they are deleted.
func discountRepo(ctx context.Context, tx *sql.Tx, repo string) error {
	d := newTermDelta()
	if err := d.read(ctx, tx, sqlRepoCounted, repo); err != nil {
		return fmt.Errorf("discount terms: %w", err)
	}
	return d.write(ctx, tx)
}

// write adds d to term_counts and drops the terms no section holds.
func (d *termDelta) write(ctx context.Context, tx *sql.Tx) error {
	var rows, drop [][]any
	put := func(kind int, term string, n int) {
		if n == 0 {
			return
		}
		if n < 0 {
			drop = append(drop, []any{kind, term})
		}
		rows = append(rows, []any{kind, term, n})
	}
	put(kindSections, "", d.sections)
	for _, kt := range []struct {
		kind  int
		terms map[string]int
	}{{kindStem, d.stems}, {kindWord, d.words}} {
		// In order, so the table's B-tree is written from left to right.
		for _, t := range slices.Sorted(maps.Keys(kt.terms)) {
			put(kt.kind, t, kt.terms[t])
		}
	}
	if err := insertRows(ctx, tx, termsUpsert, len(rows), func(i int) []any { return rows[i] }); err != nil {
		return err
	}
	for _, kt := range drop {
		if _, err := tx.ExecContext(ctx, sqlTermsDrop, kt...); err != nil {
			return err
		}
	}
	return nil
}

// sqlTermCounts reads, in one statement (one snapshot, prepared once per
// Store), whether term_counts is settled (kind -1: 1 when a version is
// still to count), the number of sections (kind 0) and the counts of the
// stems (kind 1) and words (kind 2) of two JSON arrays. A question asks
// for a few terms at a time: a transaction of four statements parsed anew
// cost more than reading the counts.
const sqlTermCounts = `SELECT -1, '', EXISTS (SELECT 1 FROM versions WHERE counted <> (end_commit = ''))
	UNION ALL SELECT kind, term, n FROM term_counts WHERE kind = 0 AND term = ''
	UNION ALL SELECT kind, term, n FROM term_counts WHERE kind = 1 AND term IN (SELECT value FROM json_each(?1))
	UNION ALL SELECT kind, term, n FROM term_counts WHERE kind = 2 AND term IN (SELECT value FROM json_each(?2))`

// TermCounts returns the number of current sections and how many of them
// hold each of stems and words, from term_counts (or what a warmed Store
// keeps of it: wholeTerms); settled is false while a run has versions to
// count still (see livespec.TermStore).
func (s *Store) TermCounts(ctx context.Context, stems, words []string) (livespec.TermCounts, bool, error) {
	c := livespec.TermCounts{Stems: make(map[string]int, len(stems)), Words: make(map[string]int, len(words))}
	for _, t := range stems {
		c.Stems[t] = 0
	}
	for _, w := range words {
		c.Words[w] = 0
	}
	kept, err := s.keptWhole(ctx)
	if err != nil {
		return c, false, err
	}
	if kept != nil && kept.terms != nil {
		return c, keptTermCounts(kept.terms, &c), nil
	}
	rows, err := s.query(ctx, sqlTermCounts, jsonStrings(stems), jsonStrings(words))
	if err != nil {
		return c, false, s.fail(ctx, "term counts", err)
	}
	settled := false
	for rows.Next() {
		var kind, n int
		var term string
		if err := rows.Scan(&kind, &term, &n); err != nil {
			rows.Close()
			return c, false, s.fail(ctx, "term counts", err)
		}
		switch kind {
		case -1:
			settled = n == 0
		case kindSections:
			c.Sections = n
		case kindStem:
			c.Stems[term] = n
		case kindWord:
			c.Words[term] = n
		}
	}
	if err := closeRows(rows); err != nil {
		return c, false, s.fail(ctx, "term counts", err)
	}
	return c, settled, nil
}

// jsonStrings returns the valid UTF-8 strings of ss as a JSON array: the
// analysis makes no other term (it splits words at invalid bytes), so no
// other is counted, and JSON could not carry one.
func jsonStrings(ss []string) string {
	valid := make([]string, 0, len(ss))
	for _, t := range ss {
		if utf8.ValidString(t) {
			valid = append(valid, t)
		}
	}
	b, _ := json.Marshal(valid)
	return string(b)
}

// Vocabulary returns the words of current sections that start with prefix
// and how many sections hold each.
func (s *Store) Vocabulary(ctx context.Context, prefix string) (map[string]int, bool, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, false, s.fail(ctx, "vocabulary", err)
	}
	defer tx.Rollback()
	settled, err := termsSettled(ctx, tx)
	if err != nil {
		return nil, false, s.fail(ctx, "vocabulary", err)
	}
	q := `SELECT term, n FROM term_counts WHERE kind = 2 AND term >= ?`
	args := []any{prefix}
	if end, ok := prefixEnd(prefix); ok {
		q += ` AND term < ?`
		args = append(args, end)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, s.fail(ctx, "vocabulary", err)
	}
	out := map[string]int{}
	for rows.Next() {
		var w string
		var n int
		if err := rows.Scan(&w, &n); err != nil {
			rows.Close()
			return nil, false, s.fail(ctx, "vocabulary", err)
		}
		out[w] = n
	}
	if err := closeRows(rows); err != nil {
		return nil, false, s.fail(ctx, "vocabulary", err)
	}
	return out, settled, nil
}

// prefixEnd returns the least string above every string starting with
// prefix, or false when there is none (an empty prefix, or all 0xff).
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// termsSettled reports whether term_counts counts exactly the open
// versions.
func termsSettled(ctx context.Context, tx *sql.Tx) (bool, error) {
	var pending bool
	if err := tx.QueryRowContext(ctx, sqlTermsPending).Scan(&pending); err != nil {
		return false, err
	}
	return !pending, nil
}

// termsSchema is the schema version that made term_counts: opening an
// older index counts its open versions in the migration's transaction.
const termsSchema = 7

package sqlite

import (
	"context"
	"database/sql"
	"math"

	"github.com/livespec/livespec"
)

// An as-of search ranks every text by BM25 and reads, best first, the
// versions of as many as it takes to find its hits among those valid at
// its date: over the KEPs load mix, 1,650 texts a search, most of them
// valid only before or after it; a current search reads 120 to find 30
// hits. textSpans says, per text, when any of its versions can be valid:
// from the earliest start to the latest end of a closed version, or on
// while one is open. A text outside its span has no version that passes,
// so a search drops it from the ranking before reading any version: the
// hits are the same, read from a few dozen texts.
//
// Reading the spans of every text costs about as much as a few as-of
// searches that read without them (50-90 ms on the KEPs), so a Store reads
// them only once spansAfter searches of current or as-of validity have
// run at one DataVersion, or when warmed (Warm: a server at start): a
// process that answers one question never does, a server at start and
// once per index write.

// spansAfter is how many searches of current or as-of validity at one
// DataVersion run before the next reads the spans of texts.
const spansAfter = 8

// sqlTextSpans selects, per text, the earliest start of its versions,
// whether one is open and the latest end of its closed ones (NULL when
// none has an end).
const sqlTextSpans = `SELECT text_id, min(valid_from), max(end_commit = ''), max(CASE WHEN end_commit <> '' THEN valid_to END)
	FROM versions INDEXED BY versions_valid GROUP BY text_id`

// textSpans are the spans of the texts of one state of the index, by text
// id.
type textSpans struct {
	from []int64 // the earliest valid_from of the text's versions
	to   []int64 // the latest valid_to of its closed versions; MinInt64: none
	open []bool  // some version of the text is open
}

// readSpans reads the spans of every text in tx.
func readSpans(ctx context.Context, tx *sql.Tx) (*textSpans, error) {
	rows, err := tx.QueryContext(ctx, sqlTextSpans)
	if err != nil {
		return nil, err
	}
	t := &textSpans{}
	for rows.Next() {
		var id, from int64
		var open bool
		var to sql.NullInt64
		if err := rows.Scan(&id, &from, &open, &to); err != nil {
			rows.Close()
			return nil, err
		}
		if id < 0 || id > math.MaxInt32 {
			continue // not indexed: mayPass keeps it
		}
		for int64(len(t.from)) <= id {
			// A text with no version, which mayPass keeps.
			t.from = append(t.from, math.MinInt64)
			t.to = append(t.to, math.MinInt64)
			t.open = append(t.open, true)
		}
		t.from[id], t.open[id], t.to[id] = from, open, math.MinInt64
		if to.Valid {
			t.to[id] = to.Int64
		}
	}
	return t, closeRows(rows)
}

// mayPass reports whether a version of text id may pass f's validity:
// false only when none can.
func (t *textSpans) mayPass(id int64, f *searchFilter) bool {
	if id < 0 || id >= int64(len(t.from)) {
		return true
	}
	switch f.validity.Mode {
	case livespec.ValidCurrent, "":
		return t.open[id]
	case livespec.ValidAsOf:
		return t.from[id] <= f.at && (t.open[id] || t.to[id] > f.at)
	}
	return true
}

// dropUnspanned returns the texts of ranked (in its array, in its order)
// that may have a version passing f's validity, when the spans of texts
// are kept or f.view is to read them; else ranked.
func (f *searchFilter) dropUnspanned(ctx context.Context, tx *sql.Tx, ranked []posting) ([]posting, error) {
	v := f.view
	if f.validity.Mode == livespec.ValidAny {
		return ranked, nil
	}
	v.dated = true
	if v.spans == nil && v.readSpans {
		spans, err := readSpans(ctx, tx)
		if err != nil {
			return nil, err
		}
		v.spans = spans
	}
	if v.spans == nil {
		return ranked, nil
	}
	f.spanned = true
	kept := ranked[:0]
	for _, p := range ranked {
		if v.spans.mayPass(p.id, f) {
			kept = append(kept, p)
		}
	}
	return kept, nil
}

// Warm reads, at the index's DataVersion, the spans of texts (see
// spansAfter), every text and version (wholeTables), the row sizes of
// the full-text index (termCache.sizesAt) and the stored postings
// (wholePostings), so that no search at it pays for them, then has every
// reader connection read every page of the index's b-trees (touchPages).
// Nothing is kept when the index is written
// meanwhile, or when the Store keeps nothing.
func (s *Store) Warm(ctx context.Context) error {
	if err := s.warmKept(ctx); err != nil {
		return err
	}
	if err := s.touchPages(ctx); err != nil {
		return s.fail(ctx, "warm", err)
	}
	return nil
}

// warmKept reads and keeps what Warm keeps.
func (s *Store) warmKept(ctx context.Context) error {
	c := &s.mem().search
	if c.off {
		return nil
	}
	gen, err := s.DataVersion(ctx)
	if err != nil {
		return err
	}
	v := c.view(gen)
	if err := s.warmView(ctx, v); err != nil {
		return s.fail(ctx, "warm", err)
	}
	if after, err := s.DataVersion(ctx); err != nil || after != gen {
		return err // a write committed meanwhile: what was read may not be of gen
	}
	v.keep()
	return nil
}

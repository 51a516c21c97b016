package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"

	"modernc.org/libc"
)

// A term's contribution to a row's bm25() is computed in Go from the
// term's frequency in the row (its stored postings), the row's size and
// the table's averages, with FTS5's own formula and log, so the scores are
// bm25()'s bit for bit.

// ftsSnap is what FTS5's bm25() reads of a table at one snapshot besides a
// term's own rows, and what tells whether rows were deleted since.
type ftsSnap struct {
	state        string
	rows, tokens int64 // the averages record: rows and tokens in all
	maxID        int64 // the largest rowid (0 when empty)
	maxOrigin    int64 // that row's origin (contentless_delete tables)
}

// avgdl is the mean row length, as FTS5 computes it.
func (s *ftsSnap) avgdl() float64 { return float64(s.tokens) / float64(s.rows) }

// FTS5's BM25 constants, as run-time float64 values: FTS5 computes k1+1 at
// run time, and a Go constant expression would round once, exactly.
var ftsK1, ftsB = 1.2, 0.75

// ftsIDF is FTS5's idf for a term in hits of rows rows, with the same
// log (modernc's libc, as bm25() calls it).
func ftsIDF(rows, hits int64) float64 {
	x := (float64(rows-hits) + 0.5) / (float64(hits) + 0.5)
	if !(x > 0) || math.IsInf(x, 0) {
		return math.NaN() // never a score: the list is read again
	}
	idf := libc.Xlog(nil, x) // x > 0 and finite: the TLS is not used
	if idf <= 0 {
		idf = 1e-6
	}
	return idf
}

// ftsScore is a term's contribution to a row's bm25() (negated): tf the
// term's instances in the row, size the row's tokens. The conversions keep
// each product rounded as FTS5's C code does (no fused multiply-add).
func ftsScore(idf, avgdl float64, tf, size int32) float64 {
	f, d := float64(tf), float64(size)
	return idf * (float64(f*(ftsK1+1)) / (f + float64(ftsK1*(1-ftsB+float64(ftsB*d)/avgdl))))
}

// readSnap reads the snapshot of table that tx sees; avg is its averages
// record.
func readSnap(ctx context.Context, q queryer, table, state string, avg []byte) (*ftsSnap, error) {
	s := &ftsSnap{state: state}
	if len(avg) > 0 {
		var n, m int
		s.rows, n = ftsVarint(avg)
		if n > 0 {
			s.tokens, m = ftsVarint(avg[n:])
		}
		if n == 0 || m == 0 {
			return nil, errors.New(table + ": bad averages record")
		}
	}
	err := queryOne(ctx, q, `SELECT id, origin FROM `+table+`_docsize ORDER BY id DESC LIMIT 1`, nil, &s.maxID, &s.maxOrigin)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return s, err
}

// queryOne scans the first row of query into dest: sql.ErrNoRows when it
// has none.
func queryOne(ctx context.Context, q queryer, query string, args []any, dest ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	return firstRow(rows, err, func(r scanner) error { return r.Scan(dest...) })
}

// ftsVarint decodes an SQLite varint (big-endian groups of 7 bits, the
// ninth byte whole), as FTS5 writes its records; n is 0 when b is short.
func ftsVarint(b []byte) (v int64, n int) {
	for i := 0; i < 9 && i < len(b); i++ {
		if i == 8 {
			return v<<8 | int64(b[i]), 9
		}
		v = v<<7 | int64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// docSizes holds every row's size (tokens) of a table at snapshot at, in
// rowid order, for scoring; byID holds them by rowid too (size+1, 0 for
// no row) unless the rowids are sparse.
type docSizes struct {
	at     *ftsSnap
	ids    []int64
	sizes  []int32
	byID   []int32
	sparse bool
}

// size returns the size of row id.
func (d *docSizes) size(id int64) (int32, bool) {
	if !d.sparse {
		if id < 0 || id >= int64(len(d.byID)) || d.byID[id] == 0 {
			return 0, false
		}
		return d.byID[id] - 1, true
	}
	i, ok := slices.BinarySearch(d.ids, id)
	if !ok {
		return 0, false
	}
	return d.sizes[i], true
}

// add appends row id of size size, above every row held.
func (d *docSizes) add(id int64, size int32) {
	d.ids = append(d.ids, id)
	d.sizes = append(d.sizes, size)
	if d.sparse || id >= 4*int64(len(d.ids))+1<<16 {
		d.sparse, d.byID = true, nil
		return
	}
	if n := int(id) + 1 - len(d.byID); n > 0 {
		d.byID = append(d.byID, make([]int32, n)...)
	}
	d.byID[id] = size + 1
}

// since returns the rows and tokens of the rows above id.
func (d *docSizes) since(id int64) (rows, tokens int64) {
	i, _ := slices.BinarySearch(d.ids, id+1)
	for _, s := range d.sizes[i:] {
		tokens += int64(s)
	}
	return int64(len(d.ids) - i), tokens
}

// readSizes appends the sizes of the rows of table above after, in rowid
// order.
func (d *docSizes) readSizes(ctx context.Context, q queryer, table string, after int64) error {
	rows, err := q.QueryContext(ctx, `SELECT id, sz FROM `+table+`_docsize WHERE id > ? ORDER BY id`, after)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var sz []byte
		if err := rows.Scan(&id, &sz); err != nil {
			return err
		}
		v, n := ftsVarint(sz)
		if n == 0 || v >= math.MaxInt32 {
			return errors.New(table + ": bad size record")
		}
		d.add(id, int32(v))
	}
	return closeRows(rows)
}

// unchangedSince reports whether the rows of snapshot from are all still
// in snapshot to (d, at to), unchanged: the row and token counts grew by
// exactly the rows above from's largest rowid, and that row is still the
// one it was (a row deleted and written again has a new origin).
func (d *docSizes) unchangedSince(ctx context.Context, q queryer, table string, from *ftsSnap) (bool, error) {
	to := d.at
	if from.maxID > to.maxID {
		return false, nil
	}
	rows, tokens := d.since(from.maxID)
	if to.rows-from.rows != rows || to.tokens-from.tokens != tokens {
		return false, nil
	}
	if from.maxID == 0 {
		return true, nil
	}
	var origin int64
	err := queryOne(ctx, q, `SELECT origin FROM `+table+`_docsize WHERE id = ?`, []any{from.maxID}, &origin)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil && origin == from.maxOrigin, err
}

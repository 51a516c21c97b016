package sqlite

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"slices"
	"sort"
)

// A server's first questions each read the stored postings of words no
// earlier one asked (readPostings): a range read per term, about 50 ms of
// the CPU of its first 1.2 s on the KEPs load mix (0.21 s over four
// runs), where a later 1.2 s spends a third as much on postings. The
// postings table is small (the KEPs history's 69,000 terms
// hold 3.2 MB of chunks), so a warmed Store (Warm: a server at start)
// keeps all of it, with all_fts's state it was read at, in a few slices
// the collector does not scan: a search at that state and at the
// DataVersion of the whole tables decodes a term's chunks from memory
// and reads nothing of the index for them.
//
// Decoding and scoring a term's postings on its first use still costs
// in proportion to their number, and the terms of most postings (the
// stems of the words most texts use) are those the first questions ask
// most: so Warm also scores the largest lists at its snapshot, up to
// warmPostings contributions, and keeps them as a search would
// (termCache.put): a search at that snapshot finds them scored.

// maxWholePostings bounds the bytes of terms and chunks a warmed Store
// keeps.
const maxWholePostings = 32 << 20

// wholePostings are the stored postings at one state of all_fts: term i
// is terms[termEnd[i-1]:termEnd[i]] (from 0 for the first), in order, and
// its chunks, in order, are firstChunk[i] to firstChunk[i+1]; chunk j is
// data[chunkEnd[j-1]:chunkEnd[j]].
type wholePostings struct {
	state      string // all_fts's (ftsState)
	terms      string
	termEnd    []uint32
	firstChunk []uint32
	data       []byte
	chunkEnd   []uint32
}

// warmPostings bounds the contributions Warm scores: half of what a
// term cache keeps (16 MB of them).
const warmPostings = maxCachedPostings / 2

// sqlWholePostings selects every chunk, by term then chunk: the order
// of the primary key.
const sqlWholePostings = `SELECT term, data FROM postings ORDER BY term, chunk`

// readWholePostings reads the postings table in q, at all_fts's state
// (read in the same transaction); nil when its terms and chunks weigh
// more than maxWholePostings, or its terms do not come in Go's order.
func readWholePostings(ctx context.Context, q queryer, state string) (*wholePostings, error) {
	rows, err := q.QueryContext(ctx, sqlWholePostings)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	w := &wholePostings{state: state}
	var terms []byte
	last := 0                   // where the last term starts in terms
	var term, data sql.RawBytes // copied below
	for rows.Next() {
		if err := rows.Scan(&term, &data); err != nil {
			return nil, err
		}
		if len(terms)+len(term)+len(w.data)+len(data) > maxWholePostings {
			return nil, nil
		}
		if n := len(w.termEnd); n == 0 || !bytes.Equal(term, terms[last:]) {
			if n > 0 && bytes.Compare(term, terms[last:]) < 0 {
				return nil, nil
			}
			last = len(terms)
			terms = append(terms, term...)
			w.termEnd = append(w.termEnd, uint32(len(terms)))
			w.firstChunk = append(w.firstChunk, uint32(len(w.chunkEnd)))
		}
		w.data = append(w.data, data...)
		w.chunkEnd = append(w.chunkEnd, uint32(len(w.data)))
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	w.terms = string(terms)
	w.firstChunk = append(w.firstChunk, uint32(len(w.chunkEnd)))
	return w, nil
}

// term returns term i.
func (w *wholePostings) term(i int) string {
	from := uint32(0)
	if i > 0 {
		from = w.termEnd[i-1]
	}
	return w.terms[from:w.termEnd[i]]
}

// postings returns term's postings, as readPostings reads them from the
// index: none for a term w lacks.
func (w *wholePostings) postings(term string) ([]termPosting, error) {
	i := sort.Search(len(w.termEnd), func(i int) bool { return w.term(i) >= term })
	if i == len(w.termEnd) || w.term(i) != term {
		return nil, nil
	}
	chunks := make([][]byte, 0, w.firstChunk[i+1]-w.firstChunk[i])
	for j := w.firstChunk[i]; j < w.firstChunk[i+1]; j++ {
		chunks = append(chunks, w.chunk(int(j)))
	}
	return decodeChunks(chunks)
}

// chunk returns chunk j's data.
func (w *wholePostings) chunk(j int) []byte {
	from := uint32(0)
	if j > 0 {
		from = w.chunkEnd[j-1]
	}
	return w.data[from:w.chunkEnd[j]]
}

// keptPostings returns the stored postings kept with the view's whole
// tables; nil when none are (or v is nil).
func (v *searchView) keptPostings() *wholePostings {
	if v == nil || v.whole == nil {
		return nil
	}
	return v.whole.postings
}

// warmLists scores the lists of w's terms with the most postings (a
// term's chunks counted, not decoded), largest first, as a search at
// snap would (stored), up to warmPostings contributions, and keeps
// them.
func (c *termCache) warmLists(ctx context.Context, q txQuerier, snap *ftsSnap, w *wholePostings) error {
	if w.state != snap.state {
		return nil
	}
	type sized struct{ term, n int }
	terms := make([]sized, len(w.termEnd))
	for i := range terms {
		terms[i].term = i
		for j := w.firstChunk[i]; j < w.firstChunk[i+1]; j++ {
			terms[i].n += chunkPostings(w.chunk(int(j)))
		}
	}
	slices.SortFunc(terms, func(a, b sized) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.term, b.term)) })
	budget := warmPostings
	for _, t := range terms {
		if t.n > budget {
			break
		}
		term := w.term(t.term)
		ps, ok, err := c.stored(ctx, q, "all_fts", term, snap, w)
		if err != nil {
			return err
		}
		if ok {
			c.put(term, &termList{at: snap, ps: ps})
			budget -= len(ps)
		}
	}
	return nil
}

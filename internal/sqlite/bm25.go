package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/livespec/livespec/internal/cache"
)

// FTS5's bm25() of a row for the query "t1" OR "t2" ... is minus the sum,
// in term order, of each term's contribution: idf(t) * tf*(k1+1) /
// (tf + k1*(1-b+b*len/avglen)), where a term the row lacks adds zero. A
// term's contribution to a row depends on the term and the index alone,
// not on the other terms, and it is what bm25() gives the row for the
// one-term query "t". So Search reads each term's contributions once (one
// range read of its stored postings, scored in Go: postings.go), keeps them per process while the index stays as it
// is, and sums them in Go in the same order as FTS5 does: the scores and the
// order (score, then rowid) are those of the OR query, and a question whose
// words were seen before costs no BM25 evaluation at all.
//
// A list is read at a snapshot of its table, named by its averages record
// (rows, tokens) and structure record (segments, write counters,
// tombstones): every write to an FTS5 index changes its structure record,
// whichever process or connection writes. Search reads both records in the
// transaction that reads the lists; a list kept from one snapshot is read
// again at another, and scored with that snapshot's row sizes and
// averages (bm25score.go).

// maxCachedPostings bounds the contributions kept per store and table
// (20 bytes each).
const maxCachedPostings = 2 << 20

// posting is a text's BM25 score for one term or, summed, for a query.
type posting struct {
	id    int64 // texts.id, the FTS rowid
	score float64
}

// termList is one term's contributions at a snapshot of its table.
type termList struct {
	at *ftsSnap
	ps []posting // ordered by id
}

// termCache keeps the per-term contributions of one FTS table. The
// searches that miss a term at once (all of them, right after a write)
// share one read of it.
type termCache struct {
	mu      sync.Mutex
	lists   map[string]*termList
	entries int
	snap    *ftsSnap                // the last read
	snaps   cache.Flight[*ftsSnap]  // by state
	reads   cache.Flight[*termList] // by state and term

	sizesMu sync.Mutex
	sizes   *docSizes // at the latest snapshot a list was scored at
}

// read returns term's contributions at state: kept, or read (once for
// the searches asking at once) from its stored postings or, for a term
// not stored, from FTS5's bm25(), and keeps them.
func (c *termCache) read(ctx context.Context, q txQuerier, table, state string, avg []byte, term string, kept *wholePostings) ([]posting, error) {
	if old := c.get(term); old != nil && old.at.state == state {
		return old.ps, nil
	}
	l, _, err := c.reads.Do(ctx, state+"\x00"+term, func() (*termList, error) {
		snap, err := c.snapshot(ctx, q, table, state, avg)
		if err != nil {
			return nil, err
		}
		ps, ok, err := c.stored(ctx, q, table, term, snap, kept)
		if err == nil && !ok {
			ps, err = readTermScores(ctx, q, table, term, 0)
		}
		if err != nil {
			return nil, err
		}
		l := &termList{at: snap, ps: ps}
		c.put(term, l)
		return l, nil
	})
	if err != nil {
		return nil, err
	}
	return l.ps, nil
}

// stored returns term's contributions at snapshot snap, scored from its
// stored postings with FTS5's formula: those kept (a warmed Store's)
// when they are of snap's state, else read; ok is false when term is not
// stored (storedTerm) or the row sizes at snap are not at hand (a
// search on a snapshot older than the last one scored).
func (c *termCache) stored(ctx context.Context, q txQuerier, table, term string, snap *ftsSnap, kept *wholePostings) (ps []posting, ok bool, err error) {
	if table != "all_fts" || !storedTerm(term) {
		return nil, false, nil
	}
	sizes, err := c.sizesAt(ctx, q, table, snap)
	if err != nil || sizes == nil {
		return nil, false, err
	}
	var tps []termPosting
	if kept != nil && kept.state == snap.state {
		tps, err = kept.postings(term)
	} else {
		tps, err = readTermPostings(ctx, q, term)
	}
	if err != nil || len(tps) == 0 {
		return nil, err == nil, err
	}
	idf, avgdl := ftsIDF(snap.rows, int64(len(tps))), snap.avgdl()
	if math.IsNaN(idf) {
		return nil, false, nil
	}
	ps = make([]posting, len(tps))
	for i, p := range tps {
		size, found := sizes.size(p.id)
		if !found {
			return nil, false, nil // never so: bm25() scores it
		}
		ps[i] = posting{id: p.id, score: ftsScore(idf, avgdl, p.tf, size)}
	}
	return ps, true, nil
}

// snapshot returns the snapshot at state, read once (avg is its averages
// record).
func (c *termCache) snapshot(ctx context.Context, q txQuerier, table, state string, avg []byte) (*ftsSnap, error) {
	c.mu.Lock()
	last := c.snap
	c.mu.Unlock()
	if last != nil && last.state == state {
		return last, nil
	}
	snap, _, err := c.snaps.Do(ctx, state, func() (*ftsSnap, error) {
		snap, err := readSnap(ctx, q, table, state, avg)
		if err == nil {
			c.mu.Lock()
			c.snap = snap
			c.mu.Unlock()
		}
		return snap, err
	})
	return snap, err
}

// sizesAt returns the row sizes at snapshot to: kept, extended by the rows
// written since the snapshot they were kept at, or read whole (also after
// rows were deleted, and for a search on an older snapshot).
func (c *termCache) sizesAt(ctx context.Context, q txQuerier, table string, to *ftsSnap) (*docSizes, error) {
	c.sizesMu.Lock()
	defer c.sizesMu.Unlock()
	old := c.sizes
	if old != nil && old.at.state == to.state {
		return old, nil
	}
	if old != nil && to.maxID >= old.at.maxID {
		d := &docSizes{at: to, ids: old.ids, sizes: old.sizes, byID: old.byID, sparse: old.sparse}
		if err := d.readSizes(ctx, q, table, old.at.maxID); err != nil {
			return nil, err
		}
		ok, err := d.unchangedSince(ctx, q, table, old.at)
		if err != nil {
			return nil, err
		}
		if ok {
			c.sizes = d
			return d, nil
		}
	}
	d := &docSizes{at: to}
	if err := d.readSizes(ctx, q, table, 0); err != nil {
		return nil, err
	}
	c.sizes = d
	return d, nil
}

// keptAt sets lists[i] to the list of terms[i] kept at state and reports
// whether every term has one.
func (c *termCache) keptAt(state string, terms []string, lists [][]posting) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, t := range terms {
		l := c.lists[t]
		if l == nil || l.at.state != state {
			return false
		}
		lists[i] = l.ps
	}
	return true
}

// get returns term's kept list, at whichever snapshot it was read.
func (c *termCache) get(term string) *termList {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lists[term]
}

// put keeps l as term's list, in place of one at another snapshot.
func (c *termCache) put(term string, l *termList) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lists == nil {
		c.lists = make(map[string]*termList)
	}
	if old, ok := c.lists[term]; ok {
		delete(c.lists, term)
		c.entries -= len(old.ps)
	}
	if len(l.ps) > maxCachedPostings/4 {
		return
	}
	for t, old := range c.lists { // random eviction: map order
		if c.entries+len(l.ps) <= maxCachedPostings {
			break
		}
		delete(c.lists, t)
		c.entries -= len(old.ps)
	}
	c.lists[term] = l
	c.entries += len(l.ps)
}

// drop forgets every kept list and size: rows were deleted.
func (c *termCache) drop() {
	c.sizesMu.Lock()
	c.sizes = nil
	c.sizesMu.Unlock()
	c.mu.Lock()
	c.lists, c.entries, c.snap = nil, 0, nil
	c.mu.Unlock()
}

// perStore is what a Store keeps in memory beside its connections: the
// term caches of its FTS tables and the state of DataVersion.
type perStore struct {
	terms   map[string]*termCache
	ver     versionState
	readers readerGens
	stmts   stmtCache
	search  searchCache
	windows windowNames
	// checkpoints are the repositories' checkpoints at one DataVersion.
	checkpoints genLRU[string, keptCheckpoint]
}

// mem returns the Store's in-memory state, made on first use.
func (s *Store) mem() *perStore {
	s.memOnce.Do(func() {
		s.memState = &perStore{terms: map[string]*termCache{"all_fts": {}}}
	})
	return s.memState
}

func (s *Store) termCache(table string) *termCache { return s.mem().terms[table] }

// ftsState returns the averages and structure records of table, read in
// tx, as one string, and the averages record.
func ftsState(ctx context.Context, q queryer, table string) (string, []byte, error) {
	rows, err := q.QueryContext(ctx, `SELECT (SELECT block FROM `+table+`_data WHERE id = 1), (SELECT block FROM `+table+`_data WHERE id = 10)`)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	var avg, structure []byte
	if !rows.Next() {
		return "", nil, fmt.Errorf("%s: no state: %w", table, closeRows(rows))
	}
	if err := rows.Scan(&avg, &structure); err != nil {
		return "", nil, err
	}
	state := fmt.Sprintf("%d:%s%s", len(avg), avg, structure)
	return state, avg, closeRows(rows)
}

// readTermScores is termScores and readTermPostings readPostings; tests
// count their calls.
var (
	readTermScores   = termScores
	readTermPostings = readPostings
)

// termScores returns the contributions of term to the texts of table above
// rowid after that match it, ordered by id.
func termScores(ctx context.Context, tx queryer, table, term string, after int64) ([]posting, error) {
	rows, err := tx.QueryContext(ctx, `SELECT rowid, bm25(`+table+`) FROM `+table+` WHERE `+table+` MATCH ? AND rowid > ?`, matchExpr([]string{term}), after)
	if err != nil {
		return nil, err
	}
	var out []posting
	for rows.Next() {
		var p posting
		if err := rows.Scan(&p.id, &p.score); err != nil {
			rows.Close()
			return nil, err
		}
		p.score = -p.score
		out = append(out, p)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	if !slices.IsSortedFunc(out, func(a, b posting) int { return cmpInt64(a.id, b.id) }) {
		slices.SortFunc(out, func(a, b posting) int { return cmpInt64(a.id, b.id) })
	}
	return out, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// rankTexts returns every text of table matching any of terms with its
// BM25 score (higher is better), in no particular order, in dst's array
// when it is large enough (sumScores of termLists).
func (s *Store) rankTexts(ctx context.Context, tx *sql.Tx, table string, terms []string, dst []posting, view *searchView) ([]posting, error) {
	lists, err := s.termLists(ctx, tx, table, terms, view)
	if err != nil {
		return nil, err
	}
	return sumScores(dst, lists), nil
}

// termLists returns each term's contributions to the texts of table
// that match it, ordered by id (shared: callers must not change them).
// When view kept the table's state at its DataVersion and every term's
// list is kept at that state, nothing is read; else the state is read in
// tx (and noted in view) and the lists at it.
func (s *Store) termLists(ctx context.Context, tx *sql.Tx, table string, terms []string, view *searchView) ([][]posting, error) {
	tc := s.termCache(table)
	if tc == nil {
		return nil, errors.New("no FTS table " + table)
	}
	lists := make([][]posting, len(terms))
	if state := view.ftsState(table); state != "" && tc.keptAt(state, terms, lists) {
		return lists, nil
	}
	q := txQuerier{s, tx}
	state, avg, err := ftsState(ctx, q, table)
	if err != nil {
		return nil, err
	}
	view.keepFTS(table, state)
	for i, t := range terms {
		l, err := tc.read(ctx, q, table, state, avg, t, view.keptPostings())
		if err != nil {
			return nil, err
		}
		lists[i] = l
	}
	return lists, nil
}

// sumScores returns every id of lists (each ordered by id) with the sum
// of its scores, added in list order as FTS5's bm25() sums its phrases,
// in no particular order. Ids index a slice of positions in the result
// when they are dense enough; else the lists are merged. The result is
// in dst's array when it is large enough.
func sumScores(dst []posting, lists [][]posting) []posting {
	total := 0
	for _, l := range lists {
		total += len(l)
	}
	maxID := int64(-1)
	for _, l := range lists {
		if len(l) > 0 {
			maxID = max(maxID, l[len(l)-1].id)
		}
	}
	if len(lists) < 2 || l0(lists) < 0 || maxID >= int64(max(4*total, 1<<16)) {
		return mergeScores(dst, lists, total)
	}
	pos := positions.Get().(*[]int32)
	if int64(len(*pos)) <= maxID {
		*pos = make([]int32, maxID+1)
	}
	at := *pos // at[id] is id's place in out, plus one
	out := slices.Grow(dst[:0], total)
	for _, l := range lists {
		for _, p := range l {
			i := at[p.id]
			if i == 0 {
				out = append(out, posting{id: p.id})
				i = int32(len(out))
				at[p.id] = i
			}
			out[i-1].score = out[i-1].score + p.score
		}
	}
	for _, p := range out {
		at[p.id] = 0
	}
	positions.Put(pos)
	return out
}

// l0 returns the smallest id of lists, or 0 when they are empty.
func l0(lists [][]posting) int64 {
	least := int64(0)
	for _, l := range lists {
		if len(l) > 0 {
			least = min(least, l[0].id)
		}
	}
	return least
}

// positions holds the slices sumScores indexes by id.
var positions = sync.Pool{New: func() any { return new([]int32) }}

// rankedBufs holds arrays for the ranked texts of searches (rankTexts's
// dst): a search's ranking is the most it allocates, and it needs it only
// until it has its best candidates.
var rankedBufs = sync.Pool{New: func() any { return new([]posting) }}

// mergeScores is sumScores by merging the lists.
func mergeScores(dst []posting, lists [][]posting, total int) []posting {
	out := slices.Grow(dst[:0], total)
	pos := make([]int, len(lists))
	for {
		min := int64(0)
		found := false
		for i, l := range lists {
			if pos[i] < len(l) && (!found || l[pos[i]].id < min) {
				min, found = l[pos[i]].id, true
			}
		}
		if !found {
			return out
		}
		sum := 0.0
		for i, l := range lists {
			if pos[i] < len(l) && l[pos[i]].id == min {
				sum = sum + l[pos[i]].score
				pos[i]++
			}
		}
		out = append(out, posting{id: min, score: sum})
	}
}

// better orders postings as FTS5's ORDER BY rank, rowid: higher score
// first, then smaller id.
func better(a, b posting) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.id < b.id
}

// topK returns the k best postings of ps, best first: bestK's selection
// on the postings themselves (most of ps is compared with the worst kept
// once, and this loop does it without a call).
func topK(ps []posting, k int) []posting {
	k = min(k, len(ps))
	if k <= 0 {
		return []posting{}
	}
	// h is a heap of the best so far with the worst at the root.
	h := make([]posting, 0, k)
	worse := func(a, b posting) bool { return better(b, a) }
	for _, p := range ps {
		if len(h) < k {
			h = append(h, p)
			for j := len(h) - 1; j > 0 && better(h[(j-1)/2], h[j]); j = (j - 1) / 2 {
				h[j], h[(j-1)/2] = h[(j-1)/2], h[j]
			}
			continue
		}
		if w := h[0]; p.score > w.score || p.score == w.score && p.id < w.id { // better(p, w)
			h[0] = p
			siftDown(h, 0, worse)
		}
	}
	sortBest(h, better)
	return h
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
// FTS5 query per term), keeps them per process while the index stays as it
// is, and sums them in Go in the same order as FTS5 does: the scores and the
// order (score, then rowid) are those of the OR query, and a question whose
// words were seen before costs no BM25 evaluation at all.
//
// The lists of a table are valid while its averages record (rows, tokens)
// and structure record (segments, write counters, tombstones) are byte for
// byte unchanged: every write to an FTS5 index changes its structure
// record, whichever process or connection writes. Search reads both records
// in the transaction that reads the lists, so a list read from one snapshot
// is never used with another.

// maxCachedPostings bounds the contributions kept per store and table
// (16 bytes each).
const maxCachedPostings = 2 << 20

// posting is a text's BM25 score for one term or, summed, for a query.
type posting struct {
	id    int64 // texts.id, the FTS rowid
	score float64
}

// termCache keeps the per-term contributions of one FTS table. The
// searches that miss a term at once (all of them, right after a write)
// share one read of it.
type termCache struct {
	mu      sync.Mutex
	state   string // the table's averages and structure records
	lists   map[string][]posting
	entries int
	reads   cache.Flight[[]posting] // by state and term
}

// read returns term's contributions at state, kept or read by read (once
// for the searches asking at once) and kept.
func (c *termCache) read(ctx context.Context, state, term string, read func() ([]posting, error)) ([]posting, error) {
	if l, ok := c.get(state, term); ok {
		return l, nil
	}
	l, _, err := c.reads.Do(ctx, state+"\x00"+term, func() ([]posting, error) {
		l, err := read()
		if err == nil {
			c.put(state, term, l)
		}
		return l, err
	})
	return l, err
}

// get returns term's contributions read at state, if kept.
func (c *termCache) get(state, term string) ([]posting, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != state {
		return nil, false
	}
	l, ok := c.lists[term]
	return l, ok
}

// put keeps term's contributions read at state; a new state drops the
// lists of the old one.
func (c *termCache) put(state, term string, l []posting) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != state || c.lists == nil {
		c.state, c.lists, c.entries = state, make(map[string][]posting), 0
	}
	if len(l) > maxCachedPostings/4 {
		return
	}
	if _, ok := c.lists[term]; ok {
		return
	}
	for t, old := range c.lists { // random eviction: map order
		if c.entries+len(l) <= maxCachedPostings {
			break
		}
		delete(c.lists, t)
		c.entries -= len(old)
	}
	c.lists[term] = l
	c.entries += len(l)
}

// perStore is what a Store keeps in memory beside its connections: the
// term caches of its FTS tables and the state of DataVersion.
type perStore struct {
	terms map[string]*termCache
	ver   versionState
	stmts stmtCache
}

// mem returns the Store's in-memory state, made on first use.
func (s *Store) mem() *perStore {
	s.memOnce.Do(func() {
		s.memState = &perStore{terms: map[string]*termCache{"all_fts": {}}}
	})
	return s.memState
}

func (s *Store) termCache(table string) *termCache { return s.mem().terms[table] }

// ftsState returns the averages and structure records of table, read in tx.
func ftsState(ctx context.Context, q queryer, table string) (string, error) {
	rows, err := q.QueryContext(ctx, `SELECT (SELECT block FROM `+table+`_data WHERE id = 1), (SELECT block FROM `+table+`_data WHERE id = 10)`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var avg, structure []byte
	if !rows.Next() {
		return "", fmt.Errorf("%s: no state: %w", table, closeRows(rows))
	}
	if err := rows.Scan(&avg, &structure); err != nil {
		return "", err
	}
	state := fmt.Sprintf("%d:%s%s", len(avg), avg, structure)
	return state, closeRows(rows)
}

// readTermScores is termScores; tests count its calls.
var readTermScores = termScores

// termScores returns the contributions of term to the texts of table that
// match it, ordered by id.
func termScores(ctx context.Context, tx *sql.Tx, table, term string) ([]posting, error) {
	rows, err := tx.QueryContext(ctx, `SELECT rowid, bm25(`+table+`) FROM `+table+` WHERE `+table+` MATCH ?`, matchExpr([]string{term}))
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
// BM25 score (higher is better), in no particular order.
func (s *Store) rankTexts(ctx context.Context, tx *sql.Tx, table string, terms []string) ([]posting, error) {
	tc := s.termCache(table)
	if tc == nil {
		return nil, errors.New("no FTS table " + table)
	}
	state, err := ftsState(ctx, txQuerier{s, tx}, table)
	if err != nil {
		return nil, err
	}
	lists := make([][]posting, len(terms))
	total := 0
	for i, t := range terms {
		l, err := tc.read(ctx, state, t, func() ([]posting, error) { return readTermScores(ctx, tx, table, t) })
		if err != nil {
			return nil, err
		}
		lists[i] = l
		total += len(l)
	}
	return sumScores(lists, total), nil
}

// sumScores merges lists ordered by id, summing each id's scores in list
// order, as FTS5's bm25() sums its phrases.
func sumScores(lists [][]posting, total int) []posting {
	out := make([]posting, 0, total)
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

// topK returns the k best postings of ps, best first.
func topK(ps []posting, k int) []posting {
	idx := bestK(len(ps), max(k, 0), func(a, b int) bool { return better(ps[a], ps[b]) })
	out := make([]posting, len(idx))
	for i, j := range idx {
		out[i] = ps[j]
	}
	return out
}

package sqlite

import (
	"context"
	"database/sql"
	"math"
)

// A server answering the KEPs load mix reads 96% of the index's texts,
// and the versions carrying them, within 3,000 questions: text by text,
// a few dozen at a time, each read costing it about twice its share of
// one scan of the table, and each later use a look-up in an LRU under
// its lock. A warmed Store (Warm: a server at start) reads every text
// and every version at once instead, at one DataVersion, into slices by
// text id that searches at that version read without a lock; an index
// too large for the searchCache's bounds is left to the LRUs, as is
// every later DataVersion.

// wholeTables are every text of the index and the versions carrying
// each (without their texts), at one DataVersion, by text id.
type wholeTables struct {
	texts []keptText
	// versions[id] are the versions carrying text id (none for a text no
	// version carries); nil for an id that is no text's.
	versions []*keptVersions
	// files are every version of each file, as readFileVersions reads
	// them (a file of no version has none).
	files map[fileKey][]fileVersion
	// changes are every section-level change event (nil when too many),
	// fileChanges every file-level one.
	changes     *wholeChanges
	fileChanges *wholeFileChanges
	// terms are term_counts (nil when too large).
	terms *wholeTerms
	// postings are the stored postings, at all_fts's state (nil when too
	// large); set by Warm.
	postings *wholePostings
}

// text returns text id, and whether the index holds it.
func (w *wholeTables) text(id int64) (keptText, bool) {
	if w == nil || id < 0 || id >= int64(len(w.versions)) || w.versions[id] == nil {
		return keptText{}, false
	}
	return w.texts[id], true
}

// wholeText returns text id of the view's whole tables, and whether they
// hold it (false for a nil view, or one without them).
func (v *searchView) wholeText(id int64) (keptText, bool) {
	if v == nil {
		return keptText{}, false
	}
	return v.whole.text(id)
}

// versionsOf returns the versions carrying text id, and whether the index
// holds text id.
func (w *wholeTables) versionsOf(id int64) (*keptVersions, bool) {
	if w == nil || id < 0 || id >= int64(len(w.versions)) || w.versions[id] == nil {
		return nil, false
	}
	return w.versions[id], true
}

// readWhole reads every text and version of the index in tx; nil when
// they weigh more than a searchCache keeps, or the text ids are too
// sparse to index a slice by.
func readWhole(ctx context.Context, q queryer) (*wholeTables, error) {
	var texts, maxID int64
	if err := queryOne(ctx, q, `SELECT count(*), ifnull(max(id), 0) FROM texts`, nil, &texts, &maxID); err != nil {
		return nil, err
	}
	var n int
	if err := queryOne(ctx, q, `SELECT count(*) FROM versions`, nil, &n); err != nil {
		return nil, err
	}
	if maxID > 2*texts+1024 {
		return nil, nil
	}
	w := &wholeTables{texts: make([]keptText, maxID+1), versions: make([]*keptVersions, maxID+1)}
	none := &keptVersions{}
	whole, err := readTextRows(ctx, q, "", nil, maxKeptTexts, func(id int64, t keptText) bool {
		if id < 0 || id > maxID {
			return false // written meanwhile: never so in one transaction
		}
		w.texts[id], w.versions[id] = t, none
		return true
	})
	if err != nil || !whole {
		return nil, err
	}
	read, whole, err := readVersionMeta(ctx, q, ` FROM versions v`, nil, n, maxKeptVersions)
	if err != nil || !whole {
		return nil, err
	}
	w.files = make(map[fileKey][]fileVersion)
	for i := range read {
		r := &read[i]
		k := fileKey{r.v.Repo, r.v.Path}
		w.files[k] = append(w.files[k], fileVersion{rid: r.rid, textID: r.textID})
	}
	byText := make(map[int64]*keptVersions, texts)
	keepVersions(read, byText)
	for id, vs := range byText {
		if id < 0 || id > maxID || w.versions[id] == nil {
			return nil, nil // a version of no text: left to the searches
		}
		w.versions[id] = vs
	}
	if w.changes, err = readWholeChanges(ctx, q); err != nil {
		return nil, err
	}
	if w.fileChanges, err = readWholeFileChanges(ctx, q); err != nil {
		return nil, err
	}
	if w.terms, err = readWholeTerms(ctx, q); err != nil {
		return nil, err
	}
	return w, nil
}

// wholeAt returns the whole tables kept at gen; nil when none are.
func (c *searchCache) wholeAt(gen uint64) *wholeTables {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return nil
	}
	return c.whole
}

// keptWhole returns the whole tables kept at the index's current
// DataVersion; nil when none are.
func (s *Store) keptWhole(ctx context.Context) (*wholeTables, error) {
	gen, err := s.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	return s.mem().search.wholeAt(gen), nil
}

// warmView reads into v, in one transaction, what Warm keeps.
func (s *Store) warmView(ctx context.Context, v *searchView) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	q := txQuerier{s, tx}
	snap, err := s.warmSizes(ctx, q, v)
	if err != nil {
		return err
	}
	if v.whole, err = readWhole(ctx, q); err != nil {
		return err
	}
	if v.whole != nil {
		v.spans = v.whole.spans()
		if v.whole.postings, err = readWholePostings(ctx, q, v.fts.state); err != nil || v.whole.postings == nil {
			return err
		}
		return s.termCache("all_fts").warmLists(ctx, q, snap, v.whole.postings)
	}
	v.spans, err = readSpans(ctx, tx)
	return err
}

// warmSizes reads all_fts's state, noted in v, and the sizes of its rows
// at it, which the first search to score a term's stored postings would
// read, the searches asking at once waiting for it (termCache.sizesAt),
// and returns the snapshot at that state.
func (s *Store) warmSizes(ctx context.Context, q txQuerier, v *searchView) (*ftsSnap, error) {
	const table = "all_fts"
	state, avg, err := ftsState(ctx, q, table)
	if err != nil {
		return nil, err
	}
	v.keepFTS(table, state)
	tc := s.termCache(table)
	snap, err := tc.snapshot(ctx, q, table, state, avg)
	if err != nil {
		return nil, err
	}
	_, err = tc.sizesAt(ctx, q, table, snap)
	return snap, err
}

// spans returns the spans of w's texts, as readSpans reads them.
func (w *wholeTables) spans() *textSpans {
	if w == nil {
		return nil
	}
	n := len(w.versions)
	t := &textSpans{from: make([]int64, n), to: make([]int64, n), open: make([]bool, n)}
	for id, vs := range w.versions {
		t.from[id], t.to[id], t.open[id] = math.MinInt64, math.MinInt64, true // no version: mayPass keeps it
		if vs == nil || len(vs.vs) == 0 {
			continue
		}
		t.from[id], t.open[id] = math.MaxInt64, false
		for i := range vs.vs {
			k := &vs.vs[i]
			t.from[id] = min(t.from[id], k.from)
			t.open[id] = t.open[id] || k.open
			if !k.open && k.ends {
				t.to[id] = max(t.to[id], k.to)
			}
		}
	}
	return t
}

package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/livespec/livespec"
)

// maxByPath is the most literal paths for which a search of current or
// as-of versions reads the paths' versions first; with more, widening the
// BM25 candidates finds enough sooner (KEPs: 2-8 paths 5-15x faster, 100
// paths as fast, 241 paths 5x slower). A search of any version reads them
// first however many paths: every version of each file, and the rids of
// the whole set, are kept (fileRids), and a change report's window search
// of a busy month (about 130 files) costs 0.75x widening.
const maxByPath = 64

// minCandidates is the first number of BM25 candidate texts Search reads;
// it widens until enough pass the filters (see widen).
const minCandidates = 64

// widen returns how many candidates a search reads next, having read
// read of them (limit asked) and found found of the n refs it needs: as
// many as the pass rate so far says it needs, and a quarter more, but at
// least a quarter more than limit and at most four times limit. An as-of
// search that widened fourfold read 1,700 texts per question on the KEPs
// where about 900 held its refs.
func widen(limit, read, found, n int) int {
	if found == 0 {
		return 4 * limit
	}
	want := read + (n-found)*read*5/(found*4) + 1
	return min(4*limit, max(limit+limit/4, want))
}

// ref is a version that passed a search's filters, before its text is read.
type ref struct {
	rid     int64
	textID  int64
	id      string
	repo    string
	path    string
	heading string
	part    int
	score   float64
	// kept holds its version (version keptAt), when kept or read by the
	// search.
	kept   *keptVersions
	keptAt int
}

func refLess(a, b ref) int {
	return cmp.Or(cmp.Compare(a.repo, b.repo), cmp.Compare(a.path, b.path), cmp.Compare(a.heading, b.heading),
		cmp.Compare(a.part, b.part), cmp.Compare(a.id, b.id))
}

// searchFilter is a SearchQuery's filters on versions, as SQL and Go.
type searchFilter struct {
	where where
	paths *pathFilter
	// byPath: the filter names repositories and literal paths, a few or
	// of any validity, whose versions the index finds directly.
	byPath bool
	// anyVersion: versions of any validity and path pass, so nearly
	// every candidate text has one that passes.
	anyVersion bool
	validity   livespec.Validity
	at         int64 // validity.At in unix nanoseconds, clamped
	repos      []string
	pathList   []string        // the paths or globs asked (paths matches globs)
	pathSet    map[string]bool // pathList, when paths is nil (every path literal)
	// view: what the search may use of the Store's searchCache and what
	// it read to keep there.
	view *searchView
	// allTerms: the texts of a filtered search hold every term of its
	// text (SearchQuery.All); phrases is the FTS5 query of which they
	// hold one of SearchQuery.Phrases (phrasesExpr); none is true when
	// no text can.
	allTerms bool
	phrases  string
	none     bool
	// spanned: the search dropped the texts none of whose versions can
	// pass its validity (see textSpans).
	spanned bool
}

func newSearchFilter(q livespec.SearchQuery) (*searchFilter, error) {
	f := &searchFilter{validity: q.Validity, at: clampNanos(q.Validity.At), repos: q.Repos, pathList: q.Paths}
	f.phrases, f.none = phrasesExpr(q.Phrases)
	f.allTerms = q.All
	if err := f.where.validity("v", q.Validity); err != nil {
		return nil, err
	}
	f.where.in("v.repo", q.Repos)
	var err error
	f.paths, err = newPathFilter(q.Paths, &f.where, "v.path")
	if f.paths == nil && len(q.Paths) > 0 {
		f.pathSet = make(map[string]bool, len(q.Paths))
		for _, p := range q.Paths {
			f.pathSet[p] = true
		}
	}
	f.byPath = len(q.Repos) > 0 && len(q.Paths) > 0 && f.paths == nil && (len(q.Paths) <= maxByPath || q.Validity.Mode == livespec.ValidAny)
	f.anyVersion = q.Validity.Mode == livespec.ValidAny && len(q.Paths) == 0
	return f, err
}

// passingRids returns, for each text, how many of the versions carrying
// it pass f (a byPath filter).
func passingRids(ctx context.Context, tx *sql.Tx, f *searchFilter) (map[int64]int, error) {
	if f.view != nil && f.validity.Mode == livespec.ValidAny {
		return fileRids(ctx, tx, f)
	}
	rows, err := tx.QueryContext(ctx, `SELECT v.text_id, v.rid FROM versions v`+f.where.String(), f.where.args...)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int)
	for rows.Next() {
		var tid, rid int64
		if err := rows.Scan(&tid, &rid); err != nil {
			rows.Close()
			return nil, err
		}
		out[tid]++
	}
	return out, closeRows(rows)
}

// fileRids returns passingRids of a byPath filter of any validity from
// every version of each file it names, kept by f.view or read (and kept):
// a change report's window search names the files the window changed,
// and many reports share a month or a busy file. The result for the
// whole set of files is kept too (shared: callers must not change it),
// so that the reports of one month find it made.
func fileRids(ctx context.Context, tx *sql.Tx, f *searchFilter) (map[int64]int, error) {
	keys := make([]fileKey, 0, len(f.repos)*len(f.pathList))
	for _, r := range f.repos {
		for _, p := range f.pathList {
			keys = append(keys, fileKey{r, p})
		}
	}
	slices.SortFunc(keys, func(a, b fileKey) int { return cmp.Or(cmp.Compare(a.repo, b.repo), cmp.Compare(a.path, b.path)) })
	keys = slices.Compact(keys)
	set := fileSetKey(keys)
	if rids, ok := f.view.fileSet(set); ok {
		return rids, nil
	}
	files, missing := f.view.fileVersions(keys)
	if len(missing) > 0 {
		read, err := readFilesOf(ctx, tx, missing)
		if err != nil {
			return nil, err
		}
		for _, k := range missing {
			files[k] = read[k]
			f.view.files[k] = read[k]
		}
	}
	n := 0
	for _, k := range keys {
		n += len(files[k])
	}
	out := make(map[int64]int, n)
	for _, k := range keys {
		for _, v := range files[k] {
			out[v.textID]++
		}
	}
	// A kept text's entry: its map slot (about 24 bytes).
	f.view.sets[set] = fileSet{rids: out, weight: int64(24*len(out)) + 64}
	return out, nil
}

// fileSetKey returns the key by which a searchCache keeps the rids of the
// files keys (sorted, each once).
func fileSetKey(keys []fileKey) string {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k.repo)
		b.WriteByte(0)
		b.WriteString(k.path)
		b.WriteByte(0)
	}
	return b.String()
}

// readFilesOf is readFileVersions; tests count its reads.
var readFilesOf = readFileVersions

// readFileVersions reads every version of the files keys (of any validity).
func readFileVersions(ctx context.Context, tx *sql.Tx, keys []fileKey) (map[fileKey][]fileVersion, error) {
	var repos, paths []string
	for _, k := range keys {
		repos = append(repos, k.repo)
		paths = append(paths, k.path)
	}
	slices.Sort(repos)
	slices.Sort(paths)
	var w where
	w.in("v.repo", slices.Compact(repos))
	w.in("v.path", slices.Compact(paths))
	rows, err := tx.QueryContext(ctx, `SELECT v.repo, v.path, v.rid, v.text_id FROM versions v`+w.String(), w.args...)
	if err != nil {
		return nil, err
	}
	out := make(map[fileKey][]fileVersion, len(keys))
	for rows.Next() {
		var k fileKey
		var v fileVersion
		if err := rows.Scan(&k.repo, &k.path, &v.rid, &v.textID); err != nil {
			rows.Close()
			return nil, err
		}
		out[k] = append(out[k], v)
	}
	return out, closeRows(rows)
}

// Search returns the versions most relevant to q that pass its validity
// and filters: BM25 over every distinct text (all-history statistics, for
// every validity mode), fused by reciprocal rank
// with exact cosine neighbours of q.Vector when given. A text carried by
// several versions that pass the filters gives one hit per version.
func (s *Store) Search(ctx context.Context, q livespec.SearchQuery) ([]livespec.Hit, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("sqlite: search: %w", livespec.Errorf(livespec.EINVALID, "negative limit %d", q.Limit))
	}
	limit := cmp.Or(q.Limit, 10)
	f, err := newSearchFilter(q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search: %w", err)
	}
	if f.none {
		return nil, nil
	}
	dense := len(q.Vector) > 0 && !q.Filtered()
	if dense && q.Embedder == "" {
		return nil, fmt.Errorf("sqlite: search: %w", livespec.Errorf(livespec.EINVALID, "a query vector without its embedder"))
	}
	if dense {
		info, err := readIndex(ctx, s.r)
		if err != nil {
			return nil, s.fail(ctx, "search", err)
		}
		if info.Embedder != "" && (info.Embedder != q.Embedder || info.Dimensions != len(q.Vector)) {
			return nil, fmt.Errorf("sqlite: search: %w", mismatch(info, livespec.IndexInfo{Embedder: q.Embedder, Dimensions: len(q.Vector)}))
		}
	}
	depth := limit
	if dense {
		depth = max(limit*3, 30)
	}
	// Prepare what earlier searches ran unprepared, before holding a
	// connection: a goroutine holding one never asks the pool for another.
	if err := s.keepPending(ctx); err != nil {
		return nil, s.fail(ctx, "search", err)
	}
	lists, err := s.searchCached(ctx, q, f, depth)
	if err != nil {
		return nil, err
	}
	if !dense {
		if len(lists[0]) > limit {
			return lists[0][:limit], nil
		}
		return lists[0], nil
	}
	return RRF(RRFK, limit, lists...), nil
}

// searchCached returns searchLists's lists, using and adding to the
// Store's searchCache at the DataVersion of the snapshot it reads. A
// reader connection that saw no commit since a snapshot of known
// DataVersion reads that version again (readerGens): such a search asks
// DataVersion nothing. Else the search reads between two DataVersions,
// and only when they are the same is the snapshot known to be of it.
func (s *Store) searchCached(ctx context.Context, q livespec.SearchQuery, f *searchFilter, depth int) ([][]livespec.Hit, error) {
	c := &s.mem().search
	if c.off {
		lists, _, err := s.searchLists(ctx, q, f, depth, nil)
		return lists, s.failed(ctx, "search", err)
	}
	var conn any // the reader connection the search read on
	var seen int64
	lists, ok, err := s.searchLists(ctx, q, f, depth, func(dc any, dv int64) bool {
		gen, ok := s.mem().readers.gen(dc, dv)
		if ok {
			f.view = c.view(gen)
		}
		return ok
	})
	if err != nil {
		return nil, s.fail(ctx, "search", err)
	}
	if ok {
		f.view.keep()
		return lists, nil
	}
	gen, err := s.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	f.view = c.view(gen)
	lists, _, err = s.searchLists(ctx, q, f, depth, func(dc any, dv int64) bool {
		conn, seen = dc, dv
		return true
	})
	if err != nil {
		return nil, s.fail(ctx, "search", err)
	}
	after, err := s.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	if after != gen {
		// A write committed during the search: what was kept may not
		// be of the snapshot read. Read everything.
		f.view = nil
		lists, _, err = s.searchLists(ctx, q, f, depth, nil)
		return lists, s.failed(ctx, "search", err)
	}
	f.view.keep()
	s.mem().readers.note(conn, seen, gen)
	return lists, nil
}

// failed is fail, and nil for no error.
func (s *Store) failed(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	return s.fail(ctx, op, err)
}

// searchLists returns the hits of q's BM25 ranking and, with a vector, of
// its nearest neighbours, up to depth each, read at one snapshot. With
// at, its snapshot starts with the connection's PRAGMA data_version,
// which at is given with the driver connection before anything else is
// read; when at returns false, nothing is read and ok is false.
func (s *Store) searchLists(ctx context.Context, q livespec.SearchQuery, f *searchFilter, depth int, at func(dc any, dv int64) bool) (_ [][]livespec.Hit, ok bool, _ error) {
	conn, err := s.r.Conn(ctx) // one connection: one snapshot for every step
	if err != nil {
		return nil, false, err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	if at != nil {
		var dc any
		var dv int64
		err := conn.Raw(func(c any) (err error) {
			dc = c
			dv, err = s.mem().readers.dataVersion(ctx, c)
			return err
		})
		if err != nil {
			return nil, false, err
		}
		if !at(dc, dv) {
			return nil, false, nil
		}
	}
	lists, err := s.readLists(ctx, tx, q, f, depth)
	return lists, err == nil, err
}

// readLists is searchLists in tx.
func (s *Store) readLists(ctx context.Context, tx *sql.Tx, q livespec.SearchQuery, f *searchFilter, depth int) ([][]livespec.Hit, error) {
	lists := make([][]ref, 0, 2)
	bm, err := s.bm25(ctx, tx, Terms(q.Text), f, depth)
	if err != nil {
		return nil, err
	}
	lists = append(lists, bm)
	if len(q.Vector) > 0 && !q.Filtered() {
		nn, err := s.nearest(ctx, tx, q, f, depth)
		if err != nil {
			return nil, err
		}
		lists = append(lists, nn)
	}
	return s.hits(ctx, tx, lists, f.view)
}

// bm25 returns up to n versions passing f whose text matches terms, best
// first. It reads the best candidate texts from the FTS table and widens the
// candidate set until n versions pass the filters or the matches run out.
func (s *Store) bm25(ctx context.Context, tx *sql.Tx, terms []string, f *searchFilter, n int) ([]ref, error) {
	if len(terms) == 0 {
		return nil, nil
	}
	lists, err := s.termLists(ctx, tx, "all_fts", terms, f.view)
	if err != nil {
		return nil, err
	}
	buf := rankedBufs.Get().(*[]posting)
	ranked := sumScores(*buf, lists)
	// Nothing returned holds ranked: candidates are copied out of it.
	defer func() { *buf = ranked[:0]; rankedBufs.Put(buf) }()
	if f.allTerms || f.phrases != "" {
		held, err := f.keepHolding(ctx, tx, ranked, lists)
		if err != nil {
			return nil, err
		}
		ranked = held // the same array
	}
	if f.view != nil {
		if ranked, err = f.dropUnspanned(ctx, tx, ranked); err != nil {
			return nil, err
		}
	}
	if f.byPath {
		// Few versions pass: read them all at once and rank only their
		// texts rather than widen through the whole index. The passing
		// refs and their order are the same.
		rids, err := passingRids(ctx, tx, f)
		if err != nil {
			return nil, err
		}
		var kept []posting
		for _, p := range ranked {
			if rids[p.id] > 0 {
				kept = append(kept, p)
			}
		}
		// Every kept text has a ref: the best n hold the first n refs.
		top := topK(kept, n)
		need, count := top, 0
		for i, p := range top {
			if count >= n {
				need = top[:i]
				break
			}
			count += rids[p.id]
		}
		refs := newTextRefs(f)
		if err := s.addRefs(ctx, tx, need, f, refs); err != nil {
			return nil, err
		}
		return fill(top, refs, n), nil
	}
	refs := newTextRefs(f)
	read := 0 // the best read candidates have their refs
	// The hits are the first n refs of the candidates in rank order, so
	// where the search starts changes only what it reads. Every stored
	// text has a version: when any version passes, the best n texts
	// nearly always hold n refs, and a wider first read is wasted; in
	// every repository they always do, so a few hits read a few texts.
	first := max(minCandidates, 4*n)
	switch {
	case f.anyVersion && len(f.repos) == 0, f.spanned && f.validity.Mode != livespec.ValidAsOf && len(f.repos) == 0 && len(f.pathList) == 0:
		// Nearly every candidate holds a ref; a current one always
		// does, unless filtered by repository or path.
		first = n
	case f.anyVersion:
		first = max(minCandidates, n)
	}
	cands := candidates{ranked: ranked}
	for limit := first; ; {
		top := cands.take(limit)
		// A wider set starts with the narrower one: read the new ones.
		if err := s.addRefs(ctx, tx, top[min(read, len(top)):], f, refs); err != nil {
			return nil, err
		}
		read = len(top)
		out := fill(top, refs, n)
		if len(out) == n || len(top) < limit {
			return out, nil
		}
		limit = widen(limit, read, len(out), n)
	}
}

// candidates hands out a search's ranked texts best first, in topK's
// order, the best limit of them at each take. The first two takes select
// them from every text; a search that widens more (an as-of search
// widens to thousands) orders the rest once, in a heap, and takes the
// next from it, rather than select and sort a wider top from every text
// again. A search that widens once would pay more for the heap than for
// a second selection.
type candidates struct {
	ranked []posting
	top    []posting // handed out, best first
	rest   []posting // the others, a heap with the best at the root
	takes  int
	heaped bool
}

// take returns the best limit candidates (fewer when fewer match).
func (c *candidates) take(limit int) []posting {
	if c.takes++; c.takes <= 2 {
		c.top = topK(c.ranked, limit)
		return c.top
	}
	if !c.heaped && len(c.top) > 0 {
		last := c.top[len(c.top)-1]
		c.rest = make([]posting, 0, max(len(c.ranked)-len(c.top), 0))
		for _, p := range c.ranked {
			if better(last, p) {
				c.rest = append(c.rest, p)
			}
		}
		for i := len(c.rest)/2 - 1; i >= 0; i-- {
			siftDown(c.rest, i, better)
		}
	}
	c.heaped, c.ranked = true, nil
	c.top = slices.Grow(c.top, limit-len(c.top))
	for len(c.top) < limit && len(c.rest) > 0 {
		c.top = append(c.top, c.rest[0])
		n := len(c.rest) - 1
		c.rest[0] = c.rest[n]
		c.rest = c.rest[:n]
		siftDown(c.rest, 0, better)
	}
	return c.top
}

// fill returns the first n refs of the texts of top, in order, each
// text's in key order, with its text's score.
func fill(top []posting, refs *textRefs, n int) []ref {
	out := make([]ref, 0, n)
	for _, p := range top {
		if len(out) == n {
			break
		}
		out = refs.appendTo(out, p, n)
	}
	return out
}

// textRefs are the refs of a search's candidate texts that pass its
// filter f: read as refs, or kept as their text's kept versions and
// which of them pass. A search keeps only the first refs of its best
// texts, so the refs of a kept text are built when fill takes them: a
// text carried by thousands of versions built a ref for each of them
// (the KEPs mix's current and as-of answers allocated 19 MB more).
type textRefs struct {
	f    *searchFilter
	read map[int64][]ref
	kept map[int64]passingVersions
}

// passingVersions are the versions of vs that pass a search's filter:
// count of them, the first at first.
type passingVersions struct {
	vs           *keptVersions
	first, count int32
}

func newTextRefs(f *searchFilter) *textRefs {
	return &textRefs{f: f, read: make(map[int64][]ref), kept: make(map[int64]passingVersions)}
}

// appendTo appends to out the refs of text p, in key order with p's
// score, until out holds n.
func (t *textRefs) appendTo(out []ref, p posting, n int) []ref {
	for _, r := range t.read[p.id] {
		if len(out) == n {
			return out
		}
		r.score = p.score
		out = append(out, r)
	}
	k, ok := t.kept[p.id]
	for i, left := int(k.first), k.count; ok && left > 0 && len(out) < n; i++ {
		if t.f.passes(k.vs, &k.vs.vs[i]) {
			r := refOf(k.vs, i)
			r.score = p.score
			out = append(out, r)
			left--
		}
	}
	return out
}

// all returns every ref, of each text in key order.
func (t *textRefs) all() map[int64][]ref {
	for id, k := range t.kept {
		rs := t.appendTo(make([]ref, 0, k.count), posting{id: id}, int(k.count))
		t.read[id] = rs
	}
	return t.read
}

// refPacked selects a ref packed (see unpackRef); refCols the same columns.
var (
	refPacked = packExpr(`v.rid`, `v.text_id`, `v.part`, `v.id`, `v.repo`, `v.path`, `v.heading`)
	refCols   = `v.rid, v.text_id, v.part, v.id, v.repo, v.path, v.heading`
)

func unpackRef(s string, r *ref) bool {
	var f [7]string
	if !split(s, f[:]) {
		return false
	}
	rid, ok1 := parseInt(f[0])
	tid, ok2 := parseInt(f[1])
	part, ok3 := parseInt(f[2])
	if !ok1 || !ok2 || !ok3 || !rid.Valid || !tid.Valid || !part.Valid {
		return false
	}
	*r = ref{rid: rid.Int64, textID: tid.Int64, part: int(part.Int64), id: f[3], repo: f[4], path: f[5], heading: f[6]}
	return true
}

// refs returns, for each text id, the versions carrying it that pass f, in
// key order.
func (s *Store) refs(ctx context.Context, tx *sql.Tx, textIDs []int64, f *searchFilter) (map[int64][]ref, error) {
	out := newTextRefs(f)
	texts := make([]posting, len(textIDs))
	for i, id := range textIDs {
		texts[i].id = id
	}
	if err := s.addRefs(ctx, tx, texts, f, out); err != nil {
		return nil, err
	}
	return out.all(), nil
}

// addRefs adds to out, for each text of texts, the versions carrying it
// that pass f, in key order.
func (s *Store) addRefs(ctx context.Context, tx *sql.Tx, texts []posting, f *searchFilter, out *textRefs) error {
	if len(texts) == 0 {
		return nil
	}
	ids := make([]int64, len(texts))
	for i, p := range texts {
		ids[i] = p.id
	}
	if f.view != nil {
		if ids = f.keptRefs(ids, out); len(ids) == 0 {
			return nil
		}
		// Read every version of the texts, passing or not, to keep: most
		// will be candidates of later searches.
		if err := readVersionsOfTexts(s, ctx, tx, ids, f.view); err != nil {
			return err
		}
		f.keptRefs(ids, out)
		return nil
	}
	b, _ := json.Marshal(ids)
	w := f.where
	w.conds = append(slices.Clip(w.conds), "v.text_id IN (SELECT value FROM json_each(?))")
	w.args = append(slices.Clip(w.args), string(b))
	// The text ids are the selective part: never let the planner prefer
	// the repo's open versions. The index holds each version's validity,
	// so only the versions that pass it are read from the table.
	found, err := s.sortedRefs(ctx, tx, ` FROM versions v INDEXED BY versions_valid`+w.String(), w.args, f)
	if err != nil {
		return err
	}
	maps.Copy(out.read, found)
	return nil
}

// sortedRefs reads the refs of the versions selected by from (a FROM
// clause on versions v, with its args) that pass f, for each text in key
// order.
func (s *Store) sortedRefs(ctx context.Context, tx *sql.Tx, from string, args []any, f *searchFilter) (map[int64][]ref, error) {
	q := txQuerier{s, tx}
	found, exact, err := readRefs(ctx, q, `SELECT `+refPacked+from, args, f, true)
	if err == nil && !exact { // a heading holds a NUL byte: read the columns
		found, _, err = readRefs(ctx, q, `SELECT `+refCols+from, args, f, false)
	}
	if err != nil {
		return nil, err
	}
	for _, rs := range found {
		slices.SortFunc(rs, refLess)
	}
	return found, nil
}

func readRefs(ctx context.Context, q queryer, query string, args []any, f *searchFilter, packed bool) (map[int64][]ref, bool, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	out := make(map[int64][]ref)
	var row string
	for rows.Next() {
		var r ref
		if packed {
			if err := rows.Scan(&row); err != nil {
				return nil, false, err
			}
			if !unpackRef(row, &r) {
				return nil, false, nil
			}
		} else if err := rows.Scan(&r.rid, &r.textID, &r.part, &r.id, &r.repo, &r.path, &r.heading); err != nil {
			return nil, false, err
		}
		if f.paths.match(r.path) {
			out[r.textID] = append(out[r.textID], r)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// hits reads the versions of every ref list and returns them as hits:
// kept by f.view, with their text kept or read by id, or read whole.
func (s *Store) hits(ctx context.Context, tx *sql.Tx, lists [][]ref, view *searchView) ([][]livespec.Hit, error) {
	var tids []int64                // texts of kept versions, not in whole tables
	textOf := make(map[int64]int64) // versions to read whole: rowid → text id
	for _, l := range lists {
		for _, r := range l {
			if r.kept == nil {
				textOf[r.rid] = r.textID
			} else if _, ok := view.wholeText(r.textID); !ok {
				tids = append(tids, r.textID)
			}
		}
	}
	texts, err := s.textsOf(ctx, tx, tids, view)
	if err != nil {
		return nil, err
	}
	read, err := s.readHits(ctx, tx, textOf, view)
	if err != nil {
		return nil, err
	}
	out := make([][]livespec.Hit, len(lists))
	for i, l := range lists {
		out[i] = make([]livespec.Hit, 0, len(l))
		for _, r := range l {
			var v livespec.Version
			var ok bool
			if r.kept != nil {
				t, whole := view.wholeText(r.textID)
				if !whole {
					t, ok = texts[r.textID]
				}
				if !whole && !ok {
					continue // as the join of a version with no text
				}
				v = r.kept.version(r.keptAt)
				v.Text, v.Hash = t.text, t.hash
			} else if v, ok = read[r.rid]; !ok {
				continue
			}
			out[i] = append(out[i], livespec.Hit{Version: v, Score: r.score})
		}
	}
	return out, nil
}

// readHits reads whole the versions whose rowids textOf maps to their
// text ids, by rowid, and notes their texts in view.
func (s *Store) readHits(ctx context.Context, tx *sql.Tx, textOf map[int64]int64, view *searchView) (map[int64]livespec.Version, error) {
	if len(textOf) == 0 {
		return nil, nil
	}
	b, _ := json.Marshal(slices.Collect(maps.Keys(textOf)))
	read := make(map[int64]livespec.Version, len(textOf))
	err := queryVersions(ctx, txQuerier{s, tx}, ` FROM versions v JOIN texts t ON t.id = v.text_id
		WHERE v.rid IN (SELECT value FROM json_each(?))`, []any{string(b)},
		func() { clear(read) },
		func(v livespec.Version, rid int64) bool {
			read[rid] = v
			return true
		})
	if err != nil {
		return nil, err
	}
	for rid, v := range read {
		view.keepText(textOf[rid], keptText{text: v.Text, hash: v.Hash})
	}
	return read, nil
}

package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/cache"
)

// Searches of one process read the same versions and texts again and
// again: over the KEPs load mix (3,000 questions about distinct topics)
// 92% of the texts whose versions a search read, and 91% of the versions
// it returned, had been read by an earlier search. searchCache keeps them
// for one state of the index (DataVersion): every version carrying a text
// (without the text), by text id, and texts, by id. A search uses what is
// kept only if DataVersion is the same before its transaction and after
// its last read, so the snapshot it reads is the state the kept rows were
// read at; what it read itself is kept only then.

// Bounds of a searchCache (bytes, roughly): the versions of every text of
// the KEPs index weigh about 30 MB, its texts about 40 MB. Texts bounded
// at 32 MB were read again for a third of the texts the load mix read
// (52,644 texts read for 35,263 distinct).
const (
	maxKeptVersions = 32 << 20
	maxKeptTexts    = 64 << 20
	maxKeptFiles    = 8 << 20 // every file of the KEPs index: about 3 MB
	// The rids of the changed files of every month of the KEPs index
	// (119 months): about 14 MB.
	maxKeptFileSets = 16 << 20
)

// keptVersion is a version kept by a searchCache, without its text, with
// its validity as a search's filter compares it.
type keptVersion struct {
	rid, textID int64
	// from and to are v.ValidFrom and v.ValidTo in unix nanoseconds;
	// ends: v.ValidTo is set; open: v is current (no end commit).
	from, to   int64
	ends, open bool
	v          livespec.Version
}

// newKept returns v, of rowid rid and text textID, to keep.
func newKept(rid, textID int64, v livespec.Version) keptVersion {
	return keptVersion{rid: rid, textID: textID, from: v.ValidFrom.UnixNano(), to: v.ValidTo.UnixNano(),
		ends: !v.ValidTo.IsZero(), open: v.EndCommit == "", v: v}
}

// keptText is a text kept by a searchCache.
type keptText struct{ text, hash string }

// fileKey is a file of a repository.
type fileKey struct{ repo, path string }

// fileVersion is a version of a file as a search filtered by paths needs
// it: its rowid and its text's id.
type fileVersion struct{ rid, textID int64 }

// searchCache keeps versions and texts at one DataVersion.
type searchCache struct {
	off      bool // keep nothing, use nothing (tests compare with it)
	mu       sync.Mutex
	gen      uint64
	versions *cache.LRU[int64, []keptVersion]   // by text id, in key order
	texts    *cache.LRU[int64, keptText]        // by text id
	files    *cache.LRU[fileKey, []fileVersion] // every version of a file
	sets     *cache.LRU[string, fileSet]        // by fileSetKey
	spans    *textSpans                         // nil until read (see spansAfter)
	dated    int                                // searches kept at gen of current or as-of validity
	fts      ftsKept                            // all_fts's state at gen, once read
}

// ftsKept is the state of all_fts (ftsState) at one DataVersion: a
// search at that version whose terms' lists are kept at that state ranks
// without reading it again (and, when its versions and texts are kept
// too, reads nothing of the index).
type ftsKept struct {
	state string // "": not read
}

// fileSet is the rids of every version of some files, by text id
// (fileRids), with about how many bytes it holds.
type fileSet struct {
	rids   map[int64][]int64
	weight int64
}

// view returns what searches may use at gen: nil maps when gen is not the
// kept one.
func (c *searchCache) view(gen uint64) *searchView {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := &searchView{c: c, gen: gen, versions: map[int64][]keptVersion{}, texts: map[int64]keptText{}, files: map[fileKey][]fileVersion{},
		sets: map[string]fileSet{}}
	if c.gen == gen && c.versions != nil {
		v.keptVersions, v.keptTexts, v.keptFiles, v.keptSets = c.versions, c.texts, c.files, c.sets
		v.spans, v.readSpans = c.spans, c.spans == nil && c.dated >= spansAfter
		v.fts = c.fts
	}
	return v
}

// searchView is one search's use of a searchCache: what was kept at its
// DataVersion, and what it read itself, to keep once it is known to be
// of that version.
type searchView struct {
	c            *searchCache
	gen          uint64
	keptVersions *cache.LRU[int64, []keptVersion]
	keptTexts    *cache.LRU[int64, keptText]
	keptFiles    *cache.LRU[fileKey, []fileVersion]
	keptSets     *cache.LRU[string, fileSet]
	versions     map[int64][]keptVersion // read by this search
	texts        map[int64]keptText
	files        map[fileKey][]fileVersion
	sets         map[string]fileSet
	// spans are the spans of texts kept at gen, or read by this search
	// when readSpans; dated: the search is of current or as-of validity.
	spans     *textSpans
	readSpans bool
	dated     bool
	fts       ftsKept // all_fts's state, kept at gen or read by the search
}

// ftsState returns the state of table kept at the view's DataVersion or
// read by its search; "" when neither (or v is nil).
func (v *searchView) ftsState(table string) string {
	if v == nil || table != "all_fts" {
		return ""
	}
	return v.fts.state
}

// keepFTS notes the state of table read by the search, to keep.
func (v *searchView) keepFTS(table, state string) {
	if v != nil && table == "all_fts" {
		v.fts = ftsKept{state: state}
	}
}

// eachVersions calls fn with every version carrying each text of ids,
// kept or read, and whether there are.
func (v *searchView) eachVersions(ids []int64, fn func(id int64, vs []keptVersion, ok bool)) {
	var kept [][]keptVersion
	var found []bool
	if v.keptVersions != nil {
		kept, found = v.keptVersions.PeekAll(ids)
	}
	for i, id := range ids {
		vs, ok := v.versions[id]
		if !ok && found != nil {
			vs, ok = kept[i], found[i]
		}
		fn(id, vs, ok)
	}
}

// fileVersions returns every version of each file of keys that is kept
// or read, and the keys of the others.
func (v *searchView) fileVersions(keys []fileKey) (map[fileKey][]fileVersion, []fileKey) {
	var kept func([]fileKey) map[fileKey][]fileVersion
	if v.keptFiles != nil {
		kept = v.keptFiles.PeekMany
	}
	return gather(keys, kept, v.files)
}

// fileSet returns the rids of the files of key (fileSetKey), by text id,
// kept or made by the search.
func (v *searchView) fileSet(key string) (map[int64][]int64, bool) {
	set, ok := v.sets[key]
	if !ok && v.keptSets != nil {
		set, ok = v.keptSets.Get(key)
	}
	return set.rids, ok
}

// textsOf returns those of the texts of ids that are kept or read by the
// search, and the ids of the others (once each).
func (v *searchView) textsOf(ids []int64) (map[int64]keptText, []int64) {
	var kept func([]int64) map[int64]keptText
	if v.keptTexts != nil {
		kept = v.keptTexts.GetMany
	}
	out, missing := gather(ids, kept, v.texts)
	slices.Sort(missing)
	return out, slices.Compact(missing)
}

// gather returns the values of those of keys that kept (when not nil)
// or local hold, and the keys of the others.
func gather[K comparable, V any](keys []K, kept func([]K) map[K]V, local map[K]V) (map[K]V, []K) {
	out := make(map[K]V, len(keys))
	if kept != nil {
		out = kept(keys)
	}
	var missing []K
	for _, k := range keys {
		if _, ok := out[k]; ok {
			continue
		}
		if x, ok := local[k]; ok {
			out[k] = x
			continue
		}
		missing = append(missing, k)
	}
	return out, missing
}

// keepText notes text id, read by the search.
func (v *searchView) keepText(id int64, t keptText) {
	if v != nil {
		v.texts[id] = t
	}
}

// keep adds what the search read to the cache, at its DataVersion.
func (v *searchView) keep() {
	c := v.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if v.gen < c.gen {
		return
	}
	if v.gen > c.gen || c.versions == nil {
		c.gen = v.gen
		c.versions = cache.NewWeighed(maxKeptVersions, func(_ int64, vs []keptVersion) int64 {
			n := int64(0)
			for _, k := range vs {
				n += versionWeight(&k.v)
			}
			return n
		})
		c.texts = cache.NewWeighed(maxKeptTexts, func(_ int64, t keptText) int64 { return int64(len(t.text)+len(t.hash)) + 64 })
		c.files = cache.NewWeighed(maxKeptFiles, func(k fileKey, vs []fileVersion) int64 {
			return int64(len(k.repo)+len(k.path)+16*len(vs)) + 64
		})
		c.sets = cache.NewWeighed(maxKeptFileSets, func(k string, set fileSet) int64 { return int64(len(k)) + set.weight })
		c.spans, c.dated, c.fts = nil, 0, ftsKept{}
	}
	if c.fts.state == "" {
		c.fts = v.fts
	}
	if v.dated {
		c.dated++
	}
	if c.spans == nil {
		c.spans = v.spans
	}
	for id, vs := range v.versions {
		c.versions.Add(id, vs)
	}
	for id, t := range v.texts {
		c.texts.Add(id, t)
	}
	for k, vs := range v.files {
		c.files.Add(k, vs)
	}
	for k, set := range v.sets {
		c.sets.Add(k, set)
	}
}

// versionWeight is roughly what a kept version (without text) holds.
func versionWeight(v *livespec.Version) int64 {
	return int64(len(v.ID)+len(v.Repo)+len(v.Path)+len(v.Heading)+len(v.Commit)+len(v.Author)+len(v.EndCommit)) + 256
}

// passes reports whether k passes f, as the SQL of f and f.paths do. (A
// path that a glob matches starts with the glob's literal prefix, which
// is what SQL checks of a glob.)
func (f *searchFilter) passes(k *keptVersion) bool {
	v := &k.v
	if len(f.repos) > 0 && !slices.Contains(f.repos, v.Repo) {
		return false
	}
	if len(f.pathList) > 0 && (f.paths == nil && !f.pathSet[v.Path] || !f.paths.match(v.Path)) {
		return false
	}
	switch f.validity.Mode {
	case livespec.ValidCurrent, "":
		return k.open
	case livespec.ValidAsOf:
		// valid_to is NULL exactly when ValidTo is zero: a stored time
		// is within int64 nanoseconds, which the zero time is not.
		return k.from <= f.at && (k.open || (k.ends && k.to > f.at))
	}
	return true
}

// keptRefs adds to out the refs of the texts of ids whose versions are
// kept or read, and returns the other ids.
func (f *searchFilter) keptRefs(ids []int64, out map[int64][]ref) []int64 {
	missing := ids[:0:0]
	f.view.eachVersions(ids, func(id int64, vs []keptVersion, ok bool) {
		if !ok {
			missing = append(missing, id)
			return
		}
		var rs []ref
		for i := range vs {
			if k := &vs[i]; f.passes(k) {
				rs = append(rs, refOf(k))
			}
		}
		if rs != nil {
			out[id] = rs
		}
	})
	return missing
}

// versionMeta selects what versionPacked and versionCols do with no text
// and the text's id in place of its hash.
var (
	versionMeta       = strings.NewReplacer("t.text", "''", "t.hash", "v.text_id")
	versionMetaPacked = versionMeta.Replace(versionPacked)
	versionMetaCols   = versionMeta.Replace(versionCols)
)

// refOf returns the ref of a kept version.
func refOf(k *keptVersion) ref {
	return ref{rid: k.rid, textID: k.textID, id: k.v.ID, repo: k.v.Repo, path: k.v.Path, heading: k.v.Heading, part: k.v.Part, kept: k}
}

// readVersionsOfTexts is Store.readTextVersions; tests count its reads.
var readVersionsOfTexts = (*Store).readTextVersions

// readTextVersions reads every version carrying the texts of ids, without
// their texts, into the search's view, in key order.
func (s *Store) readTextVersions(ctx context.Context, tx *sql.Tx, ids []int64, view *searchView) error {
	b, _ := json.Marshal(ids)
	read := make(map[int64][]keptVersion, len(ids))
	var bad error
	err := queryVersionsOf(ctx, txQuerier{s, tx}, versionMetaPacked, versionMetaCols,
		` FROM versions v INDEXED BY versions_valid WHERE v.text_id IN (SELECT value FROM json_each(?))`, []any{string(b)},
		func() { clear(read) },
		func(v livespec.Version, rid int64) bool {
			id, ok := parseInt(v.Hash)
			if !ok || !id.Valid {
				bad = fmt.Errorf("version %s: text id %q", v.ID, v.Hash)
				return false
			}
			v.Hash = ""
			read[id.Int64] = append(read[id.Int64], newKept(rid, id.Int64, v))
			return true
		})
	if err = cmp.Or(err, bad); err != nil {
		return err
	}
	for _, id := range ids {
		vs := read[id]
		slices.SortFunc(vs, func(a, b keptVersion) int { return refLess(refOf(&a), refOf(&b)) })
		view.versions[id] = vs
	}
	return nil
}

// textsOf returns the texts of ids (the texts of versions kept by view),
// kept or read (and noted in view to keep).
func (s *Store) textsOf(ctx context.Context, tx *sql.Tx, ids []int64, view *searchView) (map[int64]keptText, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out, missing := view.textsOf(ids)
	if err := s.readTexts(ctx, tx, missing, view); err != nil {
		return nil, err
	}
	for _, id := range missing {
		if t, ok := view.texts[id]; ok {
			out[id] = t
		}
	}
	return out, nil
}

// readTexts reads the texts of ids into the search's view.
func (s *Store) readTexts(ctx context.Context, tx *sql.Tx, ids []int64, view *searchView) error {
	if len(ids) == 0 {
		return nil
	}
	b, _ := json.Marshal(ids)
	rows, err := (txQuerier{s, tx}).QueryContext(ctx, `SELECT concat_ws(char(0), id, hash, text) FROM texts WHERE id IN (SELECT value FROM json_each(?))`, string(b))
	if err != nil {
		return err
	}
	var row string
	for rows.Next() {
		if err := rows.Scan(&row); err != nil {
			rows.Close()
			return err
		}
		// The id and the hash hold no NUL byte; the text is the rest.
		id, rest, ok1 := strings.Cut(row, "\x00")
		hash, text, ok2 := strings.Cut(rest, "\x00")
		n, ok3 := parseInt(id)
		if !ok1 || !ok2 || !ok3 || !n.Valid {
			rows.Close()
			return fmt.Errorf("text row %.20q does not split", row)
		}
		view.texts[n.Int64] = keptText{text: text, hash: hash}
	}
	return closeRows(rows)
}

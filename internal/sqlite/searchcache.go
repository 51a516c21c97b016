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
	"time"
	"unsafe"

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
	// The sets of the changed files of every month of the KEPs index
	// (119 months): about 14 MB as lists of rids, less as counts.
	maxKeptFileSets = 16 << 20
)

// keptVersions are the versions carrying one text, kept by a searchCache
// without the text, in key order: their numbers in a slice that holds no
// pointer and their strings in one string, so that the collector, which
// meets these for the server's whole life, scans a text's versions as a
// few words rather than every field of every version.
type keptVersions struct {
	strs string
	vs   []keptVersion
	// links are the links of each version (nil when no version has
	// any), shared as the decoded lists of the index's links are.
	links [][]string
}

// keptVersion is a version kept by a searchCache, without its text, with
// its validity as a search's filter compares it.
type keptVersion struct {
	rid, textID int64
	// from and to are ValidFrom and ValidTo in unix nanoseconds; ends:
	// ValidTo is set; open: the version is current (no end commit).
	from, to    int64
	seq, endSeq int64
	part, level int32
	ends, open  bool
	// at is where its strings start in the strs of its keptVersions;
	// end[i] where its i-th string (keptID, ...) ends, from at.
	at  uint32
	end [keptStrings]uint32
}

// The strings of a keptVersion, in the order they are kept.
const (
	keptID = iota
	keptRepo
	keptPath
	keptHeading
	keptCommit
	keptAuthor
	keptEndCommit
	keptStrings
)

// str returns the i-th string of version k of vs.
func (vs *keptVersions) str(k *keptVersion, i int) string {
	start := uint32(0)
	if i > 0 {
		start = k.end[i-1]
	}
	return vs.strs[k.at+start : k.at+k.end[i]]
}

// newKeptVersions returns the versions of read at order (without their
// texts), all of one text, in that order, to keep.
func newKeptVersions(read []readVersion, order []int32) *keptVersions {
	n := 0
	for _, o := range order {
		v := &read[o].v
		n += len(v.ID) + len(v.Repo) + len(v.Path) + len(v.Heading) + len(v.Commit) + len(v.Author) + len(v.EndCommit)
	}
	var b strings.Builder
	b.Grow(n)
	out := &keptVersions{vs: make([]keptVersion, len(order))}
	for i, o := range order {
		r := &read[o]
		v := &r.v
		k := keptVersion{rid: r.rid, textID: r.textID, from: v.ValidFrom.UnixNano(), to: v.ValidTo.UnixNano(),
			seq: v.Seq, endSeq: v.EndSeq, part: int32(v.Part), level: int32(v.Level),
			ends: !v.ValidTo.IsZero(), open: v.EndCommit == "", at: uint32(b.Len())}
		for j, str := range [keptStrings]string{v.ID, v.Repo, v.Path, v.Heading, v.Commit, v.Author, v.EndCommit} {
			b.WriteString(str)
			k.end[j] = uint32(b.Len()) - k.at
		}
		out.vs[i] = k
		if v.Links != nil {
			if out.links == nil {
				out.links = make([][]string, len(order))
			}
			out.links[i] = v.Links
		}
	}
	out.strs = b.String()
	return out
}

// version returns version i of vs, without its text.
func (vs *keptVersions) version(i int) livespec.Version {
	k := &vs.vs[i]
	v := livespec.Version{ID: vs.str(k, keptID),
		Key:   livespec.Key{Repo: vs.str(k, keptRepo), Path: vs.str(k, keptPath), Heading: vs.str(k, keptHeading), Part: int(k.part)},
		Level: int(k.level), Commit: vs.str(k, keptCommit), Seq: k.seq, ValidFrom: time.Unix(0, k.from).UTC(),
		Author: vs.str(k, keptAuthor), EndCommit: vs.str(k, keptEndCommit), EndSeq: k.endSeq}
	if k.ends {
		v.ValidTo = time.Unix(0, k.to).UTC()
	}
	if vs.links != nil {
		v.Links = vs.links[i]
	}
	return v
}

// weight is roughly what vs holds.
func (vs *keptVersions) weight() int64 {
	n := int64(len(vs.strs)) + int64(len(vs.vs))*int64(unsafe.Sizeof(keptVersion{})) + 64
	for _, l := range vs.links {
		for _, link := range l {
			n += int64(len(link)) + 16
		}
	}
	return n
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
	versions *cache.LRU[int64, *keptVersions]   // by text id
	texts    *cache.LRU[int64, keptText]        // by text id
	files    *cache.LRU[fileKey, []fileVersion] // every version of a file
	sets     *cache.LRU[string, fileSet]        // by fileSetKey
	spans    *textSpans                         // nil until read (see spansAfter)
	whole    *wholeTables                       // nil until read (Warm)
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

// fileSet is how many versions of some files carry each text, by text
// id (fileRids), with about how many bytes it holds: a map of no pointer,
// which the collector does not scan.
type fileSet struct {
	rids   map[int64]int
	weight int64
}

// view returns what searches may use at gen: nil maps when gen is not the
// kept one.
func (c *searchCache) view(gen uint64) *searchView {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := &searchView{c: c, gen: gen, versions: map[int64]*keptVersions{}, texts: map[int64]keptText{}, files: map[fileKey][]fileVersion{},
		sets: map[string]fileSet{}}
	if c.gen == gen && c.versions != nil {
		v.keptVersions, v.keptTexts, v.keptFiles, v.keptSets = c.versions, c.texts, c.files, c.sets
		v.spans, v.readSpans = c.spans, c.spans == nil && c.dated >= spansAfter
		v.whole = c.whole
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
	keptVersions *cache.LRU[int64, *keptVersions]
	keptTexts    *cache.LRU[int64, keptText]
	keptFiles    *cache.LRU[fileKey, []fileVersion]
	keptSets     *cache.LRU[string, fileSet]
	versions     map[int64]*keptVersions // read by this search
	texts        map[int64]keptText
	files        map[fileKey][]fileVersion
	sets         map[string]fileSet
	// spans are the spans of texts kept at gen, or read by this search
	// when readSpans; dated: the search is of current or as-of validity.
	spans     *textSpans
	readSpans bool
	dated     bool
	fts       ftsKept // all_fts's state, kept at gen or read by the search
	// whole: every text and version, kept at gen or read by Warm.
	whole *wholeTables
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
func (v *searchView) eachVersions(ids []int64, fn func(id int64, vs *keptVersions, ok bool)) {
	var kept []*keptVersions
	var found []bool
	if v.keptVersions != nil && v.whole == nil {
		kept, found = v.keptVersions.PeekAll(ids)
	}
	for i, id := range ids {
		vs, ok := v.whole.versionsOf(id)
		if !ok {
			vs, ok = v.versions[id]
		}
		if !ok && found != nil {
			vs, ok = kept[i], found[i]
		}
		fn(id, vs, ok)
	}
}

// fileVersions returns every version of each file of keys that is kept
// or read, and the keys of the others.
func (v *searchView) fileVersions(keys []fileKey) (map[fileKey][]fileVersion, []fileKey) {
	if v.whole != nil {
		out := make(map[fileKey][]fileVersion, len(keys))
		for _, k := range keys {
			out[k] = v.whole.files[k]
		}
		return out, nil
	}
	var kept func([]fileKey) map[fileKey][]fileVersion
	if v.keptFiles != nil {
		kept = v.keptFiles.PeekMany
	}
	return gather(keys, kept, v.files)
}

// fileSet returns how many versions of the files of key (fileSetKey)
// carry each text, by text id, kept or made by the search.
func (v *searchView) fileSet(key string) (map[int64]int, bool) {
	set, ok := v.sets[key]
	if !ok && v.keptSets != nil {
		set, ok = v.keptSets.Get(key)
	}
	return set.rids, ok
}

// textsOf returns those of the texts of ids that are kept or read by the
// search, and the ids of the others (once each).
func (v *searchView) textsOf(ids []int64) (map[int64]keptText, []int64) {
	if v.whole != nil {
		return v.wholeTexts(ids)
	}
	var kept func([]int64) map[int64]keptText
	if v.keptTexts != nil {
		kept = v.keptTexts.GetMany
	}
	out, missing := gather(ids, kept, v.texts)
	slices.Sort(missing)
	return out, slices.Compact(missing)
}

// wholeTexts is textsOf of a view with whole tables: those of ids that
// are no text of them are read (once each) or kept by the search.
func (v *searchView) wholeTexts(ids []int64) (map[int64]keptText, []int64) {
	out := make(map[int64]keptText, len(ids))
	var missing []int64
	for _, id := range ids {
		if t, ok := v.whole.text(id); ok {
			out[id] = t
		} else if t, ok := v.texts[id]; ok {
			out[id] = t
		} else {
			missing = append(missing, id)
		}
	}
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
		c.versions = cache.NewWeighed(maxKeptVersions, func(_ int64, vs *keptVersions) int64 { return vs.weight() })
		c.texts = cache.NewWeighed(maxKeptTexts, func(_ int64, t keptText) int64 { return int64(len(t.text)+len(t.hash)) + 64 })
		c.files = cache.NewWeighed(maxKeptFiles, func(k fileKey, vs []fileVersion) int64 {
			return int64(len(k.repo)+len(k.path)+16*len(vs)) + 64
		})
		c.sets = cache.NewWeighed(maxKeptFileSets, func(k string, set fileSet) int64 { return int64(len(k)) + set.weight })
		c.spans, c.dated, c.fts, c.whole = nil, 0, ftsKept{}, nil
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
	if c.whole == nil {
		c.whole = v.whole
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

// passes reports whether version k of vs passes f, as the SQL of f and
// f.paths do. (A path that a glob matches starts with the glob's literal
// prefix, which is what SQL checks of a glob.)
func (f *searchFilter) passes(vs *keptVersions, k *keptVersion) bool {
	if len(f.repos) > 0 && !slices.Contains(f.repos, vs.str(k, keptRepo)) {
		return false
	}
	if len(f.pathList) > 0 {
		if path := vs.str(k, keptPath); f.paths == nil && !f.pathSet[path] || !f.paths.match(path) {
			return false
		}
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

// keptRefs adds to out the versions passing f of the texts of ids whose
// versions are kept or read, and returns the other ids.
func (f *searchFilter) keptRefs(ids []int64, out *textRefs) []int64 {
	missing := ids[:0:0]
	f.view.eachVersions(ids, func(id int64, vs *keptVersions, ok bool) {
		if !ok {
			missing = append(missing, id)
			return
		}
		p := passingVersions{vs: vs, first: -1}
		for i := range vs.vs {
			if f.passes(vs, &vs.vs[i]) {
				if p.count == 0 {
					p.first = int32(i)
				}
				p.count++
			}
		}
		if p.count > 0 {
			out.kept[id] = p
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

// refOf returns the ref of version i of vs.
func refOf(vs *keptVersions, i int) ref {
	k := &vs.vs[i]
	return ref{rid: k.rid, textID: k.textID, id: vs.str(k, keptID), repo: vs.str(k, keptRepo), path: vs.str(k, keptPath),
		heading: vs.str(k, keptHeading), part: int(k.part), kept: vs, keptAt: i}
}

// versionLess orders versions as refLess orders their refs.
func versionLess(a, b *livespec.Version) int {
	return cmp.Or(cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Heading, b.Heading),
		cmp.Compare(a.Part, b.Part), cmp.Compare(a.ID, b.ID))
}

// readVersionsOfTexts is Store.readTextVersions; tests count its reads.
var readVersionsOfTexts = (*Store).readTextVersions

// readTextVersions reads every version carrying the texts of ids, without
// their texts, into the search's view, in key order.
func (s *Store) readTextVersions(ctx context.Context, tx *sql.Tx, ids []int64, view *searchView) error {
	b, _ := json.Marshal(ids)
	read, _, err := readVersionMeta(ctx, txQuerier{s, tx},
		` FROM versions v INDEXED BY versions_valid WHERE v.text_id IN (SELECT value FROM json_each(?))`, []any{string(b)}, 0, 0)
	if err != nil {
		return err
	}
	for _, id := range ids {
		view.versions[id] = &keptVersions{}
	}
	keepVersions(read, view.versions)
	return nil
}

// readVersionMeta reads the versions selected by from (a FROM clause on
// versions v, with its args) without their texts, with their text ids.
// With most > 0 it stops, and reports false, once they weigh more than
// most bytes (roughly, as keptVersions do). n is about how many there
// are, when known.
func readVersionMeta(ctx context.Context, q queryer, from string, args []any, n int, most int64) ([]readVersion, bool, error) {
	read := make([]readVersion, 0, n)
	var bad error
	weight, whole := int64(0), true
	err := queryVersionsOf(ctx, q, versionMetaPacked, versionMetaCols, from, args,
		func() { read, weight = read[:0], 0 },
		func(v livespec.Version, rid int64) bool {
			id, ok := parseInt(v.Hash)
			if !ok || !id.Valid {
				bad = fmt.Errorf("version %s: text id %q", v.ID, v.Hash)
				return false
			}
			v.Hash = ""
			read = append(read, readVersion{textID: id.Int64, rid: rid, v: v})
			if most > 0 {
				weight += int64(len(v.ID)+len(v.Repo)+len(v.Path)+len(v.Heading)+len(v.Commit)+len(v.Author)+len(v.EndCommit)) +
					int64(unsafe.Sizeof(keptVersion{}))
				if whole = weight <= most; !whole {
					return false
				}
			}
			return true
		})
	if err = cmp.Or(err, bad); err != nil {
		return nil, false, err
	}
	return read, whole, nil
}

// keepVersions sets into[id], for each text id of read, to its versions
// of read in key order.
func keepVersions(read []readVersion, into map[int64]*keptVersions) {
	order := make([]int32, len(read)) // sorted, rather than the large versions
	for i := range order {
		order[i] = int32(i)
	}
	// By text, then each text's few in key order: most comparisons are
	// of two ids.
	slices.SortFunc(order, func(i, j int32) int { return cmp.Compare(read[i].textID, read[j].textID) })
	for len(order) > 0 {
		n := 1
		for n < len(order) && read[order[n]].textID == read[order[0]].textID {
			n++
		}
		slices.SortFunc(order[:n], func(i, j int32) int { return versionLess(&read[i].v, &read[j].v) })
		into[read[order[0]].textID] = newKeptVersions(read, order[:n])
		order = order[n:]
	}
}

// readVersion is a version of text textID and rowid rid, read to keep.
type readVersion struct {
	textID, rid int64
	v           livespec.Version
}

// textsOf returns the texts of ids (the texts of versions kept by view),
// kept or read (and noted in view to keep).
func (s *Store) textsOf(ctx context.Context, tx *sql.Tx, ids []int64, view *searchView) (map[int64]keptText, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out, missing := view.textsOf(ids)
	if err := readTextsOf(s, ctx, tx, missing, view); err != nil {
		return nil, err
	}
	for _, id := range missing {
		if t, ok := view.texts[id]; ok {
			out[id] = t
		}
	}
	return out, nil
}

// readTextsOf is Store.readTexts; tests count its reads.
var readTextsOf = (*Store).readTexts

// readTexts reads the texts of ids into the search's view.
func (s *Store) readTexts(ctx context.Context, tx *sql.Tx, ids []int64, view *searchView) error {
	if len(ids) == 0 {
		return nil
	}
	b, _ := json.Marshal(ids)
	_, err := readTextRows(ctx, txQuerier{s, tx}, ` WHERE id IN (SELECT value FROM json_each(?))`, []any{string(b)}, 0,
		func(id int64, t keptText) bool {
			view.texts[id] = t
			return true
		})
	return err
}

// readTextRows calls fn, until it returns false, with each text of the
// rows of texts that where (a WHERE clause, with its args) selects, in
// the table's order, and reports whether fn had them all. With most > 0
// it stops, and reports false, once they weigh more than most bytes (as
// a searchCache weighs them).
func readTextRows(ctx context.Context, q queryer, where string, args []any, most int64, fn func(id int64, t keptText) bool) (bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT concat_ws(char(0), id, hash, text) FROM texts`+where, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	var row string
	weight := int64(0)
	for rows.Next() {
		if err := rows.Scan(&row); err != nil {
			return false, err
		}
		// The id and the hash hold no NUL byte; the text is the rest.
		id, rest, ok1 := strings.Cut(row, "\x00")
		hash, text, ok2 := strings.Cut(rest, "\x00")
		n, ok3 := parseInt(id)
		if !ok1 || !ok2 || !ok3 || !n.Valid {
			return false, fmt.Errorf("text row %.20q does not split", row)
		}
		weight += int64(len(text)+len(hash)) + 64
		if most > 0 && weight > most || !fn(n.Int64, keptText{text: text, hash: hash}) {
			return false, closeRows(rows)
		}
	}
	return true, closeRows(rows)
}

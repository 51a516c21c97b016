package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"slices"

	"github.com/livespec/livespec"
)

// passingText is a text carried by versions that pass a byPath filter:
// its id and how many such versions carry it.
type passingText struct {
	id int64
	n  int
}

// readsPaths reports whether a search reads the versions of f's paths
// before it ranks: a byPath filter, or one naming literal paths only of
// any validity, whose files' versions the search's view keeps or reads
// and keeps (a busy month's change reports search 100-150 files; over
// the KEPs such searches took 1.4-2.4x less time so than widening).
func (f *searchFilter) readsPaths() bool {
	return f.byPath || f.literal && f.filesKept()
}

// filesKept reports whether f's files' versions come from its view.
func (f *searchFilter) filesKept() bool {
	return f.view != nil && f.validity.Mode == livespec.ValidAny
}

// byPathRefs is bm25 for a filter that readsPaths: the first n refs of the
// passing texts that match terms, best first. Only the passing texts are
// looked up in each term's list (they are few, the lists long), and
// their scores are summed in list order, as sumScores sums them.
func (s *Store) byPathRefs(ctx context.Context, tx *sql.Tx, terms []string, f *searchFilter, n int) ([]ref, error) {
	lists, _, err := s.termLists(ctx, tx, "all_fts", terms)
	if err != nil {
		return nil, err
	}
	passing, err := passingTexts(ctx, tx, f)
	if err != nil {
		return nil, err
	}
	kept := scorePassing(lists, passing)
	if f.holding != "" {
		if kept, err = keepHolding(ctx, tx, kept, f.holding); err != nil {
			return nil, err
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
		j, _ := slices.BinarySearchFunc(passing, p.id, func(t passingText, id int64) int { return cmp.Compare(t.id, id) })
		count += passing[j].n
	}
	refs := make(map[int64][]ref)
	if err := s.addRefs(ctx, tx, need, f, refs); err != nil {
		return nil, err
	}
	return fill(top, refs, n), nil
}

// scorePassing returns the texts of passing (ordered by id) that lists
// (each ordered by id) hold, each with the sum of its scores added in
// list order, ordered by id.
func scorePassing(lists [][]posting, passing []passingText) []posting {
	scores := make([]float64, len(passing))
	held := make([]bool, len(passing))
	for _, l := range lists {
		at := 0
		for i, t := range passing {
			k, found := slices.BinarySearchFunc(l[at:], t.id, func(p posting, id int64) int { return cmp.Compare(p.id, id) })
			if at += k; at == len(l) {
				break
			}
			if found {
				scores[i] = scores[i] + l[at].score
				held[i] = true
			}
		}
	}
	var out []posting
	for i, t := range passing {
		if held[i] {
			out = append(out, posting{id: t.id, score: scores[i]})
		}
	}
	return out
}

// passingTexts returns the texts of the versions that pass f (one that
// readsPaths), ordered by id.
func passingTexts(ctx context.Context, tx *sql.Tx, f *searchFilter) ([]passingText, error) {
	if !f.filesKept() {
		ids, err := passingIDs(ctx, tx, f)
		if err != nil {
			return nil, err
		}
		return countIDs(ids), nil
	}
	files, err := fileVersionsOf(ctx, tx, f)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, vs := range files {
		for _, v := range vs {
			ids = append(ids, v.textID)
		}
	}
	return countIDs(ids), nil
}

// countIDs returns the distinct ids, ordered, each with how often it
// occurs.
func countIDs(ids []int64) []passingText {
	slices.Sort(ids)
	var out []passingText
	for i, id := range ids {
		if i > 0 && ids[i-1] == id {
			out[len(out)-1].n++
			continue
		}
		out = append(out, passingText{id: id, n: 1})
	}
	return out
}

// passingIDs reads the text id of each version passing f.
func passingIDs(ctx context.Context, tx *sql.Tx, f *searchFilter) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT v.text_id FROM versions v`+f.where.String(), f.where.args...)
	if err != nil {
		return nil, err
	}
	var out []int64
	for rows.Next() {
		var tid int64
		if err := rows.Scan(&tid); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, tid)
	}
	return out, closeRows(rows)
}

// fileVersionsOf returns every version of each file a literal filter of
// any validity names, kept by f.view or read (and kept): a change
// report's window search names the files the window changed, and many
// reports share a month or a busy file.
func fileVersionsOf(ctx context.Context, tx *sql.Tx, f *searchFilter) ([][]fileVersion, error) {
	keys := make([]fileKey, 0, len(f.repos)*len(f.pathList))
	for _, r := range f.repos {
		for _, p := range f.pathList {
			keys = append(keys, fileKey{r, p})
		}
	}
	slices.SortFunc(keys, func(a, b fileKey) int { return cmp.Or(cmp.Compare(a.repo, b.repo), cmp.Compare(a.path, b.path)) })
	keys = slices.Compact(keys)
	files, missing := f.view.fileVersions(keys)
	if len(missing) > 0 {
		read, err := readFileVersions(ctx, tx, missing)
		if err != nil {
			return nil, err
		}
		for _, k := range missing {
			files[k] = read[k]
			f.view.files[k] = read[k]
		}
	}
	out := make([][]fileVersion, 0, len(keys))
	for _, k := range keys {
		out = append(out, files[k])
	}
	return out, nil
}

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

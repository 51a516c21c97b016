package sqlite

import (
	"cmp"
	"context"
	"hash/maphash"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/livespec/livespec"
)

// A change report and a timeline ask SectionChanges for the events of the
// sections they found: a statement looking each name up in two indexes,
// sorting and packing the events, 3% of a server's CPU on the KEPs load
// mix (2,200 statements in 3,000 questions, nearly each with other
// names or another window). A warmed Store (Warm: a server at start)
// keeps every section-level event instead, packed as SectionChanges
// reads them, in its order, with the names each is found by, at the
// DataVersion of its whole tables; SectionChanges at that version looks
// the names up in memory and unpacks the same rows in the same order.

// maxWholeChanges bounds the bytes of packed events a warmed Store keeps
// (the KEPs history's 61,000 section events weigh about 25 MB).
const maxWholeChanges = 64 << 20

// wholeChanges are every section-level change event of the index,
// packed (changePacked) in Changes order, and the events found by each
// name, at one DataVersion.
type wholeChanges struct {
	rows []string // packed events, in Changes order
	date []int64  // each event's date
	// named and renamed are the events by the hash of their name and of
	// their old name (an event that renamed nothing has none), ordered
	// by hash then event: no pointer for the collector to scan.
	named, renamed []nameRef
	seed           maphash.Seed
}

// nameRef is an event found by the name of hash h.
type nameRef struct {
	h uint64
	i int32
}

// sectionEventFields are the fields of changePacked that wholeChanges
// looks at: the date, seq, repository, path, old path, heading and old
// heading.
const (
	fieldDate       = 0
	fieldSeq        = 1
	fieldRepo       = 5
	fieldPath       = 7
	fieldOldPath    = 8
	fieldHeading    = 9
	fieldOldHeading = 10
)

// wholeSectionChanges selects every section-level event, packed, in
// Changes order: "+" keeps changes_files out of the plan, whose rows
// would each be looked up in the table and then sorted; changes_order
// holds every column, in order.
var wholeSectionChanges = `SELECT ` + changePacked + ` FROM changes c WHERE +c.section = 1 ORDER BY ` + changeOrder

// readWholeChanges reads every section-level event in q; nil when they
// weigh more than maxWholeChanges, or one does not split into its fields
// (a text holding a NUL byte), or its date does not parse.
func readWholeChanges(ctx context.Context, q queryer) (*wholeChanges, error) {
	w := &wholeChanges{seed: maphash.MakeSeed()}
	read, err := readPackedEvents(ctx, q, wholeSectionChanges, func(i int32, f []string) {
		repo, path, heading := f[fieldRepo], f[fieldPath], f[fieldHeading]
		w.named = append(w.named, nameRef{w.hash(repo, path, heading), i})
		if f[fieldOldPath] != "" || f[fieldOldHeading] != "" {
			w.renamed = append(w.renamed, nameRef{w.hash(repo, cmp.Or(f[fieldOldPath], path), cmp.Or(f[fieldOldHeading], heading)), i})
		}
	})
	if err != nil || read == nil {
		return nil, err
	}
	w.rows, w.date = read.rows, read.date
	byHash := func(a, b nameRef) int { return cmp.Or(cmp.Compare(a.h, b.h), cmp.Compare(a.i, b.i)) }
	slices.SortFunc(w.named, byHash)
	slices.SortFunc(w.renamed, byHash)
	return w, nil
}

// packedEvents are change events packed (changePacked) in the order they
// were read, with each one's date.
type packedEvents struct {
	rows []string
	date []int64
}

// readPackedEvents reads the packed events query selects in q, calling
// each with every event's place and fields; nil when they weigh more
// than maxWholeChanges, or one does not split into its fields (a text
// holding a NUL byte), or its date does not parse.
func readPackedEvents(ctx context.Context, q queryer, query string, each func(i int32, f []string)) (*packedEvents, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	w := &packedEvents{}
	var weight int
	var f [briefFields + 7]string
	for rows.Next() {
		var row string
		if err := rows.Scan(&row); err != nil {
			return nil, err
		}
		weight += len(row) + 64
		if weight > maxWholeChanges || !split(row, f[:]) {
			return nil, nil
		}
		date, ok := parseInt(f[fieldDate])
		if !ok || !date.Valid {
			return nil, nil
		}
		if each != nil {
			each(int32(len(w.rows)), f[:])
		}
		w.rows, w.date = append(w.rows, row), append(w.date, date.Int64)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	return w, nil
}

// hash returns the hash of a section's name.
func (w *wholeChanges) hash(repo, path, heading string) uint64 {
	var h maphash.Hash
	h.SetSeed(w.seed)
	h.WriteString(repo)
	h.WriteByte(0)
	h.WriteString(path)
	h.WriteByte(0)
	h.WriteString(heading)
	return h.Sum64()
}

// keptSectionChanges is (*wholeChanges).sectionChanges; tests see when
// SectionChanges answers from the kept events.
var keptSectionChanges = (*wholeChanges).sectionChanges

// sectionChanges returns what SectionChanges reads of names (each a
// valid UTF-8 repository, path and heading) in the window [from, to):
// the events under one of the names or from one, in Changes order, and
// whether every one unpacked.
func (w *wholeChanges) sectionChanges(names [][3]string, from, to int64) ([]livespec.Change, bool) {
	var found []int32
	var f [fieldOldHeading + 1]string
	for _, n := range names {
		h := w.hash(n[0], n[1], n[2])
		for _, byOld := range []bool{false, true} {
			refs := w.named
			if byOld {
				refs = w.renamed
			}
			at, _ := slices.BinarySearchFunc(refs, h, func(r nameRef, h uint64) int { return cmp.Compare(r.h, h) })
			for ; at < len(refs) && refs[at].h == h; at++ {
				i := refs[at].i
				if w.date[i] < from || w.date[i] >= to {
					continue
				}
				leading(w.rows[i], f[:fieldOldHeading+1])
				path, heading := f[fieldPath], f[fieldHeading]
				if byOld {
					path, heading = cmp.Or(f[fieldOldPath], path), cmp.Or(f[fieldOldHeading], heading)
				}
				if f[fieldRepo] == n[0] && path == n[1] && heading == n[2] {
					found = append(found, i)
				}
			}
		}
	}
	if len(found) == 0 {
		return nil, true
	}
	slices.Sort(found)
	found = slices.Compact(found)
	out := make([]livespec.Change, len(found))
	for j, i := range found {
		if !unpackChange(w.rows[i], &out[j]) {
			return nil, false
		}
	}
	return out, true
}

// leading fills fields with the first fields of row, packed by packExpr,
// which holds more (the kept rows split whole when read).
func leading(row string, fields []string) {
	for i := range fields {
		j := strings.IndexByte(row, 0)
		fields[i], row = row[:j], row[j+1:]
	}
}

// validNames reports whether every field of names is valid UTF-8: a
// name that is not is asked of the index, which is given it as JSON (the
// invalid bytes replaced).
func validNames(names [][3]string) bool {
	for _, n := range names {
		if !validStrings(n[:]) {
			return false
		}
	}
	return true
}

// validStrings reports whether every one of ss is valid UTF-8.
func validStrings(ss []string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

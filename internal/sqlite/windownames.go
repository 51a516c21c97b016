package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/cache"
)

// The topic change reports of one period ask ChangedSections about a few
// hundred sections each, most of them asked of no earlier report: each
// asked section cost two lookups in the name indexes (about 2 ms a
// report on the KEPs). windowNames keeps, per window and index state,
// every name the window's section-level events changed, read once: a
// busy KEPs month has about 3,300 such events. A warmed Store lists
// them from the events it keeps (wholeChanges), in memory: a server's
// first reports of each period read nothing of the index for them.

// Bounds of the kept windows: the events a window's names are read from
// (a window with more is asked section by section), and the bytes kept.
const (
	maxWindowEvents = 4096
	maxWindowBytes  = 16 << 20
)

// sectionName is a section's repository, path and heading.
type sectionName struct{ repo, path, heading string }

// windowNames keeps the names of windows at one DataVersion, by window
// (windowKey); a nil set stands for a window of more than
// maxWindowEvents events (limit, when not zero: tests lower it).
type windowNames struct {
	genLRU[string, map[sectionName]bool]
	limit int
}

// windowKey returns the key of the window [from, to).
func windowKey(from, to int64) string {
	return strconv.FormatInt(from, 10) + "," + strconv.FormatInt(to, 10)
}

// keep keeps names as the window key's at gen.
func (w *windowNames) keep(gen uint64, key string, names map[sectionName]bool) {
	w.genLRU.keep(gen, key, names, newWindowSets)
}

// newWindowSets returns the LRU of a DataVersion's window names, bounded
// by maxWindowBytes.
func newWindowSets() *cache.LRU[string, map[sectionName]bool] {
	return cache.NewWeighed(maxWindowBytes, func(k string, names map[sectionName]bool) int64 {
		n := int64(len(k)) + 64
		for s := range names {
			n += int64(len(s.repo)+len(s.path)+len(s.heading)) + 64
		}
		return n
	})
}

// windowEvents selects the section-level events of the window ?1 <= date
// < ?2, at most ?3 of them, in Changes order (changes_order covers the
// query: no row is read from the table): what changedNames needs of each,
// packed in one value (see packExpr) or, windowEventCols, as columns.
const (
	windowEventCols = `c.date, c.seq, c.repo, c.path, c.heading, c.old_path, c.old_heading`
	windowEventFrom = ` FROM changes c WHERE +c.section = 1 AND c.date >= ?1 AND c.date < ?2 ORDER BY ` + changeOrder + ` LIMIT ?3`
)

var windowEvents = `SELECT ` + packExpr(strings.Split(windowEventCols, ", ")...) + windowEventFrom

// windowEvent is what changedNames reads of an event: its commit (date
// and seq), name and old names.
type windowEvent struct {
	date, seq        int64
	name             sectionName
	oldPath, oldHead string
}

// changedNames returns every name a section-level event of the window
// [from, to) changed, as changedSections keeps them: the event's own, and
// the old one (OldPath for Path, OldHeading for Heading, each when set)
// of the first part (in Changes order) of the events one commit made on
// one section. It returns nil for a window of more than maxWindowEvents
// events, kept or read (and kept).
func (s *Store) changedNames(ctx context.Context, from, to int64) (map[sectionName]bool, error) {
	w := &s.mem().windows
	gen, err := s.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	key := windowKey(from, to)
	if names, ok := w.get(gen, key); ok {
		return names, nil
	}
	limit := cmp.Or(w.limit, maxWindowEvents)
	if whole := s.mem().search.wholeAt(gen); whole != nil && whole.changes != nil {
		names := keptWindowNames(whole.changes, from, to, limit)
		w.keep(gen, key, names)
		return names, nil
	}
	names, exact, err := s.readWindowNames(ctx, windowEvents, from, to, limit, unpackWindowEvent, nil)
	if err == nil && !exact { // a name holds a NUL byte: read the columns
		names, _, err = s.readWindowNames(ctx, `SELECT `+windowEventCols+windowEventFrom, from, to, limit, nil,
			func(rows *sql.Rows, e *windowEvent) error {
				return rows.Scan(&e.date, &e.seq, &e.name.repo, &e.name.path, &e.name.heading, &e.oldPath, &e.oldHead)
			})
	}
	if err != nil {
		return nil, err
	}
	// Kept only when no write committed since gen was read: the names
	// are then of that state.
	if after, err := s.DataVersion(ctx); err == nil && after == gen {
		w.keep(gen, key, names)
	}
	return names, nil
}

// keptWindowNames is (*wholeChanges).windowNames; tests see when
// changedNames reads a window's names from the kept events.
var keptWindowNames = (*wholeChanges).windowNames

// windowNames returns the names changedNames keeps of the window [from,
// to), read from the kept events (in Changes order, so by date: the
// window's are adjacent) as readWindowNames reads them from the index:
// nil when they are more than limit.
func (w *wholeChanges) windowNames(from, to int64, limit int) map[sectionName]bool {
	lo, _ := slices.BinarySearch(w.date, from)
	hi, _ := slices.BinarySearch(w.date, to)
	if hi-lo > limit {
		return nil
	}
	names := make(map[sectionName]bool, hi-lo)
	var f, last [fieldOldHeading + 1]string
	for i := lo; i < hi; i++ {
		leading(w.rows[i], f[:])
		name := sectionName{f[fieldRepo], f[fieldPath], f[fieldHeading]}
		// An event's parts are adjacent, its first part first.
		first := i == lo || f[fieldDate] != last[fieldDate] || f[fieldSeq] != last[fieldSeq] ||
			name != sectionName{last[fieldRepo], last[fieldPath], last[fieldHeading]}
		last = f
		names[name] = true
		if first && (f[fieldOldPath] != "" || f[fieldOldHeading] != "") {
			names[sectionName{name.repo, cmp.Or(f[fieldOldPath], name.path), cmp.Or(f[fieldOldHeading], name.heading)}] = true
		}
	}
	return names
}

// readWindowNames runs query, which selects the window's events packed
// (read with unpack) or as columns (read with scan), and returns the
// names changedNames keeps of them: nil when they are more than limit.
// With packed rows, exact is false when a row did not split.
func (s *Store) readWindowNames(ctx context.Context, query string, from, to int64, limit int,
	unpack func(string, *windowEvent) bool, scan func(*sql.Rows, *windowEvent) error) (names map[sectionName]bool, exact bool, err error) {
	rows, err := s.query(ctx, query, from, to, limit+1)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	names = map[sectionName]bool{}
	var row string
	var last windowEvent // an event's parts are adjacent, its first part first
	for n := 1; rows.Next(); n++ {
		var e windowEvent
		if unpack != nil {
			if err := rows.Scan(&row); err != nil {
				return nil, false, err
			}
			if !unpack(row, &e) {
				return nil, false, nil
			}
		} else if err := scan(rows, &e); err != nil {
			return nil, false, err
		}
		if n > limit {
			names = nil
			break
		}
		first := n == 1 || e.date != last.date || e.seq != last.seq || e.name != last.name
		last = e
		names[e.name] = true
		if first && (e.oldPath != "" || e.oldHead != "") {
			names[sectionName{e.name.repo, cmp.Or(e.oldPath, e.name.path), cmp.Or(e.oldHead, e.name.heading)}] = true
		}
	}
	return names, true, closeRows(rows)
}

// unpackWindowEvent fills e from a row of windowEvents and reports
// whether the row split exactly.
func unpackWindowEvent(row string, e *windowEvent) bool {
	var f [7]string
	if !split(row, f[:]) {
		return false
	}
	date, ok1 := parseInt(f[0])
	seq, ok2 := parseInt(f[1])
	e.date, e.seq = date.Int64, seq.Int64
	e.name = sectionName{f[2], f[3], f[4]}
	e.oldPath, e.oldHead = f[5], f[6]
	return ok1 && ok2
}

// keptChanged returns those of sections (in order) that names holds.
func keptChanged(names map[sectionName]bool, sections []livespec.Key) []livespec.Key {
	var out []livespec.Key
	for _, k := range sections {
		if names[sectionName{k.Repo, k.Path, k.Heading}] {
			out = append(out, k)
		}
	}
	return out
}

package sqlite

import (
	"cmp"
	"context"
	"strconv"
	"sync"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/cache"
)

// The topic change reports of one period ask ChangedSections about a few
// hundred sections each, most of them asked of no earlier report: each
// asked section cost two lookups in the name indexes (about 2 ms a
// report on the KEPs). windowNames keeps, per window and index state,
// every name the window's section-level events changed, read once: a
// busy KEPs month has about 3,300 such events.

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
	mu    sync.Mutex
	gen   uint64
	sets  *cache.LRU[string, map[sectionName]bool]
	limit int
}

// windowKey returns the key of the window [from, to).
func windowKey(from, to int64) string {
	return strconv.FormatInt(from, 10) + "," + strconv.FormatInt(to, 10)
}

// get returns the kept names of the window key at gen, and whether it
// is kept.
func (w *windowNames) get(gen uint64, key string) (map[sectionName]bool, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gen != gen || w.sets == nil {
		return nil, false
	}
	return w.sets.Get(key)
}

// keep keeps names as the window key's at gen.
func (w *windowNames) keep(gen uint64, key string, names map[sectionName]bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if gen < w.gen {
		return
	}
	if gen > w.gen || w.sets == nil {
		w.gen = gen
		w.sets = cache.NewWeighed(maxWindowBytes, func(k string, names map[sectionName]bool) int64 {
			n := int64(len(k)) + 64
			for s := range names {
				n += int64(len(s.repo)+len(s.path)+len(s.heading)) + 64
			}
			return n
		})
	}
	w.sets.Add(key, names)
}

// windowEvents selects the section-level events of the window ?1 <= date
// < ?2, at most ?3 of them: what changedNames needs of each.
const windowEvents = `SELECT date, repo, seq, path, heading, part, id, old_path, old_heading FROM changes
WHERE section = 1 AND date >= ?1 AND date < ?2 LIMIT ?3`

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
	rows, err := s.query(ctx, windowEvents, from, to, limit+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type event struct {
		date, seq int64
		repo      string
		path      string
		heading   string
	}
	type first struct {
		part             int
		id               string
		oldPath, oldHead string
	}
	names := map[sectionName]bool{}
	firsts := map[event]first{}
	n := 0
	for rows.Next() {
		var e event
		var f first
		if err := rows.Scan(&e.date, &e.repo, &e.seq, &e.path, &e.heading, &f.part, &f.id, &f.oldPath, &f.oldHead); err != nil {
			return nil, err
		}
		if n++; n > limit {
			names = nil
			break
		}
		names[sectionName{e.repo, e.path, e.heading}] = true
		if old, ok := firsts[e]; !ok || f.part < old.part || f.part == old.part && f.id < old.id {
			firsts[e] = f
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	for e, f := range firsts {
		if names != nil && (f.oldPath != "" || f.oldHead != "") {
			names[sectionName{e.repo, cmp.Or(f.oldPath, e.path), cmp.Or(f.oldHead, e.heading)}] = true
		}
	}
	// Kept only when no write committed since gen was read: the names
	// are then of that state.
	if after, err := s.DataVersion(ctx); err == nil && after == gen {
		w.keep(gen, key, names)
	}
	return names, nil
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

package sqlite

import (
	"context"
	"slices"

	"github.com/livespec/livespec"
)

// A change report reads its period's file-level events once (the files
// the period touched), and the first reports of each period on a fresh
// server each ran that statement: 0.17 s of the CPU of the KEPs load mix's
// first 300 questions over three runs, against 0.04 s a later 300. The
// KEPs history has 4,155 file-level events (about 1 MB), so a warmed
// Store (Warm: a server at start) keeps every one, packed as Changes
// reads them, in Changes order, at the DataVersion of its whole tables:
// Changes of file-level events with no path filter or cursor at that
// version reads them from memory.

// wholeFileChanges are every file-level change event of the index,
// packed (changePacked) in Changes order, with each one's date.
type wholeFileChanges packedEvents

// wholeFileEvents selects every file-level event, packed, in Changes
// order.
var wholeFileEvents = `SELECT ` + changePacked + ` FROM changes c WHERE c.section = 0 ORDER BY ` + changeOrder

// readWholeFileChanges reads every file-level event in q; nil when they
// weigh more than maxWholeChanges, or one does not split into its fields
// (a text holding a NUL byte), or its date does not parse.
func readWholeFileChanges(ctx context.Context, q queryer) (*wholeFileChanges, error) {
	read, err := readPackedEvents(ctx, q, wholeFileEvents, nil)
	return (*wholeFileChanges)(read), err
}

// keptFileChanges is (*wholeFileChanges).changes; tests see when Changes
// answers from the kept events.
var keptFileChanges = (*wholeFileChanges).changes

// changes returns what Changes reads for q, a query of file-level events
// with no path filter and no cursor: the events of q's window and
// repositories, in Changes order, at most q.Limit (0: all), briefly when
// q.Brief; and whether every one unpacked.
func (w *wholeFileChanges) changes(q livespec.ChangeQuery) ([]livespec.Change, bool) {
	lo, hi := 0, len(w.date)
	if !q.From.IsZero() {
		lo, _ = slices.BinarySearch(w.date, clampNanos(q.From))
	}
	if !q.To.IsZero() {
		hi, _ = slices.BinarySearch(w.date, clampNanos(q.To))
	}
	var out []livespec.Change
	var f [fieldRepo + 1]string
	for i := lo; i < hi; i++ {
		row := w.rows[i]
		leading(row, f[:])
		if len(q.Repos) > 0 && !slices.Contains(q.Repos, f[fieldRepo]) {
			continue
		}
		var c livespec.Change
		if ok := q.Brief && unpackBriefChange(briefPrefix(row), &c) || !q.Brief && unpackChange(row, &c); !ok {
			return nil, false
		}
		out = append(out, c)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, true
}

// briefPrefix returns the fields of a brief change (changeBriefPacked)
// at the start of row, packed by changePacked.
func briefPrefix(row string) string {
	n := 0
	for i := 0; i < len(row); i++ {
		if row[i] == 0 {
			if n++; n == briefFields {
				return row[:i]
			}
		}
	}
	return row
}

package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/livespec/livespec"
)

// nanosPerDay is the width of a day of change_days.
const nanosPerDay = int64(24 * time.Hour)

// changedFiles selects the files with section events: on the days
// ?1 <= day < ?2 of change_days, and in the windows ?3 <= date < ?4 and
// ?5 <= date < ?6 of changes_files.
const changedFiles = `SELECT DISTINCT repo, path FROM (
	SELECT repo, path FROM change_days WHERE day >= ?1 AND day < ?2
	UNION ALL SELECT repo, path FROM changes WHERE section = 1 AND date >= ?3 AND date < ?4
	UNION ALL SELECT repo, path FROM changes WHERE section = 1 AND date >= ?5 AND date < ?6)`

// ChangedFiles returns the files with a section-level change event in q's
// window: change_days's rows of the days wholly inside it and the events
// of the rest (at most a part of a day at each end), made distinct in SQL.
func (s *Store) ChangedFiles(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Key, error) {
	from, to, err := changeWindow(q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: changed files: %w", err)
	}
	lo, hi := fullDays(from, to)
	args := []any{lo, hi, from, to, int64(0), int64(0)}
	if lo < hi {
		args = []any{lo, hi, from, lo * nanosPerDay, hi * nanosPerDay, to}
	}
	query := changedFiles
	if len(q.Repos) > 0 {
		b, _ := json.Marshal(q.Repos)
		query += ` WHERE repo IN (SELECT value FROM json_each(?7))`
		args = append(args, string(b))
	}
	rows, err := s.query(ctx, query+` ORDER BY repo, path`, args...)
	if err != nil {
		return nil, s.fail(ctx, "changed files", err)
	}
	defer rows.Close()
	var out []livespec.Key
	for rows.Next() {
		var k livespec.Key
		if err := rows.Scan(&k.Repo, &k.Path); err != nil {
			return nil, s.fail(ctx, "changed files", err)
		}
		out = append(out, k)
	}
	if err := closeRows(rows); err != nil {
		return nil, s.fail(ctx, "changed files", err)
	}
	return out, nil
}

// countChanges counts the events of the window ?1 <= date < ?2 per
// repository as MergeParts merges them: a commit's (a Seq's) events on
// one section, its parts, once, and each file-level event (a commit has
// one per file). Grouped in changes_order's order, the events are counted
// as the index is scanned, with no sort. countChangesIn keeps the
// repositories of a JSON list ?3.
const (
	countChanges   = `SELECT repo, count(*) FROM (SELECT repo FROM changes WHERE date >= ?1 AND date < ?2`
	countChangesIn = countChanges + ` AND repo IN (SELECT value FROM json_each(?3))`
	countGroups    = ` GROUP BY date, repo, seq, section, path, heading) GROUP BY repo`
)

// CountChanges returns how many events q's window holds per repository,
// counted in SQL: the events themselves are not read.
func (s *Store) CountChanges(ctx context.Context, q livespec.ChangeQuery) (map[string]int, error) {
	from, to, err := changeWindow(q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: count changes: %w", err)
	}
	query, args := countChanges, []any{from, to}
	if len(q.Repos) > 0 {
		b, _ := json.Marshal(q.Repos)
		query, args = countChangesIn, append(args, string(b))
	}
	rows, err := s.query(ctx, query+countGroups, args...)
	if err != nil {
		return nil, s.fail(ctx, "count changes", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var repo string
		var n int
		if err := rows.Scan(&repo, &n); err != nil {
			return nil, s.fail(ctx, "count changes", err)
		}
		out[repo] = n
	}
	if err := closeRows(rows); err != nil {
		return nil, s.fail(ctx, "count changes", err)
	}
	return out, nil
}

// fullDays returns the days of change_days wholly inside [from, to) as
// [lo, hi), with lo >= hi when there is none. Day 0 also holds the day
// before 1970, so none starts before day 1.
func fullDays(from, to int64) (lo, hi int64) {
	lo = max(from/nanosPerDay, 1)
	if from > lo*nanosPerDay {
		lo++
	}
	return lo, to / nanosPerDay
}

// changedSections keeps the sections of a JSON list [[repo, path,
// heading], …] (its keys in order) that a section-level event of the
// window ?2 ≤ date < ?3 changed: one under the section's name
// (changes_named), or one that had it as its old name
// (changes_old_named) and is the first part of its event. The planner
// picks these indexes; none is named, as a bulk run drops them a while
// (bulk.go) and a query naming a missing index fails.
const changedSections = `SELECT j.key FROM json_each(?1) j
WHERE EXISTS (SELECT 1 FROM changes c
		WHERE c.section = 1 AND c.repo = j.value ->> 0 AND c.path = j.value ->> 1 AND c.heading = j.value ->> 2
			AND c.date >= ?2 AND c.date < ?3)
	OR EXISTS (SELECT 1 FROM changes c
		WHERE c.section = 1 AND (c.old_path <> '' OR c.old_heading <> '') AND c.repo = j.value ->> 0
			AND coalesce(nullif(c.old_path, ''), c.path) = j.value ->> 1
			AND coalesce(nullif(c.old_heading, ''), c.heading) = j.value ->> 2
			AND c.date >= ?2 AND c.date < ?3
			AND NOT EXISTS (SELECT 1 FROM changes b
				WHERE b.section = 1 AND b.repo = c.repo AND b.path = c.path AND b.heading = c.heading
					AND b.date = c.date AND b.seq = c.seq AND (b.part < c.part OR b.part = c.part AND b.id < c.id)))
ORDER BY j.key`

// ChangedSections returns those of sections that a section-level change
// event in q's window changed: in the window's names (changedNames), or,
// in a window of more events, each looked up in the name indexes.
func (s *Store) ChangedSections(ctx context.Context, q livespec.ChangeQuery, sections []livespec.Key) ([]livespec.Key, error) {
	from, to, err := changeWindow(q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: changed sections: %w", err)
	}
	var asked []livespec.Key
	for _, k := range sections {
		if len(q.Repos) == 0 || slices.Contains(q.Repos, k.Repo) {
			asked = append(asked, k)
		}
	}
	if len(asked) == 0 {
		return nil, nil
	}
	kept, err := s.changedNames(ctx, from, to)
	if err != nil {
		return nil, s.fail(ctx, "changed sections", err)
	}
	if kept != nil {
		return keptChanged(kept, asked), nil
	}
	// A window of too many events is asked section by section.
	names := make([][3]string, len(asked))
	for i, k := range asked {
		names[i] = [3]string{k.Repo, k.Path, k.Heading}
	}
	b, _ := json.Marshal(names)
	rows, err := s.query(ctx, changedSections, string(b), from, to)
	if err != nil {
		return nil, s.fail(ctx, "changed sections", err)
	}
	defer rows.Close()
	var out []livespec.Key
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			return nil, s.fail(ctx, "changed sections", err)
		}
		out = append(out, asked[i])
	}
	if err := closeRows(rows); err != nil {
		return nil, s.fail(ctx, "changed sections", err)
	}
	return out, nil
}

// sectionChanges selects, from a JSON list [[repo, path, heading], …],
// the section-level events of the window ?2 ≤ date < ?3 under one of
// its names (changes_named) or from one of them (changes_old_named), in
// Changes order; an event both under and from a name is read once.
// CROSS JOIN keeps the names the outer loop, so that the planner looks
// each up in its index rather than scanning the window's section events
// (changes_files). The events are found by rid, which the name indexes
// hold: by id, each would be looked up in the index of ids first.
const sectionChanges = ` FROM changes c WHERE c.rid IN (
	SELECT c.rid FROM json_each(?1) j CROSS JOIN changes c
		WHERE c.section = 1 AND c.repo = j.value ->> 0 AND c.path = j.value ->> 1 AND c.heading = j.value ->> 2
			AND c.date >= ?2 AND c.date < ?3
	UNION ALL SELECT c.rid FROM json_each(?1) j CROSS JOIN changes c
		WHERE c.section = 1 AND (c.old_path <> '' OR c.old_heading <> '') AND c.repo = j.value ->> 0
			AND coalesce(nullif(c.old_path, ''), c.path) = j.value ->> 1
			AND coalesce(nullif(c.old_heading, ''), c.heading) = j.value ->> 2
			AND c.date >= ?2 AND c.date < ?3)
ORDER BY ` + changeOrder

// SectionChanges returns the section-level events in q's window that
// changed one of sections under its name or from it, each name looked up
// in the name indexes, or in the events a warmed Store keeps
// (wholeChanges).
func (s *Store) SectionChanges(ctx context.Context, q livespec.ChangeQuery, sections []livespec.Key) ([]livespec.Change, error) {
	from, to, err := changeWindow(q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: section changes: %w", err)
	}
	names := make([][3]string, 0, len(sections))
	for _, k := range sections {
		if len(q.Repos) == 0 || slices.Contains(q.Repos, k.Repo) {
			names = append(names, [3]string{k.Repo, k.Path, k.Heading})
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	kept, err := s.keptWhole(ctx)
	if err != nil {
		return nil, err
	}
	if kept != nil && kept.changes != nil && validNames(names) {
		if out, exact := keptSectionChanges(kept.changes, names, from, to); exact {
			return out, nil
		}
	}
	b, _ := json.Marshal(names)
	args := []any{string(b), from, to}
	out, exact, err := s.readChanges(ctx, `SELECT `+changeFull.packed+sectionChanges, args, nil, 0, changeFull.unpack, nil)
	if err == nil && !exact { // a text holds a NUL byte: read the columns
		out, _, err = s.readChanges(ctx, `SELECT `+changeFull.cols+sectionChanges, args, nil, 0, nil, changeFull.scan)
	}
	if err != nil {
		return nil, s.fail(ctx, "section changes", err)
	}
	return out, nil
}

// changeWindow returns q's window in stored nanoseconds, an open end as
// the widest bound.
func changeWindow(q livespec.ChangeQuery) (from, to int64, err error) {
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return 0, 0, livespec.Errorf(livespec.EINVALID, "the window ends (%s) before it starts (%s)", q.To.Format("2006-01-02T15:04:05Z07:00"), q.From.Format("2006-01-02T15:04:05Z07:00"))
	}
	from, to = math.MinInt64, math.MaxInt64
	if !q.From.IsZero() {
		from = clampNanos(q.From)
	}
	if !q.To.IsZero() {
		to = clampNanos(q.To)
	}
	return from, to, nil
}

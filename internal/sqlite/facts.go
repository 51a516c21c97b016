package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/livespec/livespec"
)

const (
	// A replayed fact keeps its close: an upsert never reopens a version.
	sqlInsertFacts = `INSERT INTO facts
	(id, repo, path, source, origin, field, name, raw, value, release, commit_, seq, valid_from,
	 since_commit, since, previous, end_commit, end_seq, valid_to)
	VALUES `
	sqlFactsConflict = `
	ON CONFLICT (id) DO UPDATE SET
		path = excluded.path, source = excluded.source, origin = excluded.origin, field = excluded.field,
		name = excluded.name, raw = excluded.raw, value = excluded.value, release = excluded.release,
		commit_ = excluded.commit_, seq = excluded.seq, valid_from = excluded.valid_from,
		since_commit = excluded.since_commit, since = excluded.since, previous = excluded.previous,
		end_commit = CASE WHEN excluded.end_commit <> '' THEN excluded.end_commit ELSE facts.end_commit END,
		end_seq = CASE WHEN excluded.end_commit <> '' THEN excluded.end_seq ELSE facts.end_seq END,
		valid_to = CASE WHEN excluded.end_commit <> '' THEN excluded.valid_to ELSE facts.valid_to END
	WHERE facts.repo = excluded.repo`
	factArgs = 19

	sqlInsertFactChanges = `INSERT INTO fact_changes
	(id, repo, commit_, seq, date, author, message, path, old_path, source, field, kind, value, previous, before, after)
	VALUES `
	sqlFactChangesConflict = `
	ON CONFLICT (id) DO UPDATE SET
		commit_ = excluded.commit_, seq = excluded.seq, date = excluded.date, author = excluded.author,
		message = excluded.message, path = excluded.path, old_path = excluded.old_path, source = excluded.source,
		field = excluded.field, kind = excluded.kind, value = excluded.value, previous = excluded.previous,
		before = excluded.before, after = excluded.after
	WHERE fact_changes.repo = excluded.repo`
	factChangeArgs = 16

	factCols = `f.id, f.repo, f.path, f.source, f.origin, f.field, f.name, f.raw, f.value, f.release,
	f.commit_, f.seq, f.valid_from, f.since_commit, f.since, f.previous, f.end_commit, f.end_seq, f.valid_to`
	factChangeCols = `c.id, c.repo, c.commit_, c.seq, c.date, c.author, c.message, c.path, c.old_path,
	c.source, c.field, c.kind, c.value, c.previous, c.before, c.after`
	factChangeOrder = `c.date, c.repo, c.seq, c.path, c.field, c.id`
)

var (
	factsUpsert       = newMultiRow(sqlInsertFacts, sqlFactsConflict, factArgs)
	factChangesUpsert = newMultiRow(sqlInsertFactChanges, sqlFactChangesConflict, factChangeArgs)
)

// applyFacts writes b's facts, fact closes and fact changes in the
// transaction of Apply: facts and fact changes rowsPerStmt rows a
// statement, as versions are.
func (a *applier) applyFacts(b *livespec.Batch) error {
	if len(b.Facts) > 0 {
		if err := a.facts(b.Facts); err != nil {
			return err
		}
	}
	if err := a.closeRecords("facts", "fact", b.Repo, b.FactCloses); err != nil {
		return err
	}
	if len(b.FactChanges) > 0 {
		return a.factChanges(b.FactChanges)
	}
	return nil
}

func (a *applier) facts(fs []livespec.Fact) error {
	return a.upsert(factsUpsert, factArgs, len(fs), func(w *rowWriter, i int) error {
		f := &fs[i]
		return w.add(f.ID, f.Repo, f.Path, f.Source, string(f.Origin), f.Field, f.Name, f.Raw,
			f.Value, f.Release, f.Commit, f.Seq, nanos(f.ValidFrom), f.SinceCommit, nanos(f.Since), f.Previous,
			f.EndCommit, f.EndSeq, nanos(f.ValidTo))
	})
}

func (a *applier) factChanges(cs []livespec.FactChange) error {
	return a.upsert(factChangesUpsert, factChangeArgs, len(cs), func(w *rowWriter, i int) error {
		c := &cs[i]
		return w.add(c.ID, c.Repo, c.Commit, c.Seq, nanos(c.Date), c.Author, c.Message,
			c.Path, c.OldPath, c.Source, c.Field, string(c.Kind), c.Value, c.Previous, c.Before, c.After)
	})
}

// Facts returns the fact versions matching q, ordered by repo, path,
// field and valid_from.
func (s *Store) Facts(ctx context.Context, q livespec.FactQuery) ([]livespec.Fact, error) {
	if err := checkLimit(q.Limit); err != nil {
		return nil, fmt.Errorf("sqlite: facts: %w", err)
	}
	var w where
	w.in("f.repo", q.Repos)
	w.in("f.field", q.Fields)
	if err := w.validity("f", q.Validity); err != nil {
		return nil, fmt.Errorf("sqlite: facts: %w", err)
	}
	pf, err := newPathFilter(q.Paths, &w, "f.path")
	if err != nil {
		return nil, fmt.Errorf("sqlite: facts: %w", err)
	}
	rows, err := s.query(ctx, `SELECT `+factCols+` FROM facts f`+w.String()+
		` ORDER BY f.repo, f.path, f.field, f.valid_from, f.seq`, w.args...)
	if err != nil {
		return nil, s.fail(ctx, "facts", err)
	}
	defer rows.Close()
	var out []livespec.Fact
	for rows.Next() {
		var f livespec.Fact
		var origin string
		var from, since, to sql.NullInt64
		if err := rows.Scan(&f.ID, &f.Repo, &f.Path, &f.Source, &origin, &f.Field, &f.Name, &f.Raw, &f.Value, &f.Release,
			&f.Commit, &f.Seq, &from, &f.SinceCommit, &since, &f.Previous, &f.EndCommit, &f.EndSeq, &to); err != nil {
			return nil, s.fail(ctx, "facts", err)
		}
		if !pf.match(f.Path) {
			continue
		}
		f.Origin = livespec.FactOrigin(origin)
		f.ValidFrom, f.Since, f.ValidTo = fromNanos(from), fromNanos(since), fromNanos(to)
		out = append(out, f)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, s.fail(ctx, "facts", err)
	}
	return out, nil
}

// FactChanges returns the fact change events matching q in their total order.
func (s *Store) FactChanges(ctx context.Context, q livespec.FactChangeQuery) ([]livespec.FactChange, error) {
	if err := checkLimit(q.Limit); err != nil {
		return nil, fmt.Errorf("sqlite: fact changes: %w", err)
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return nil, fmt.Errorf("sqlite: fact changes: %w", livespec.Errorf(livespec.EINVALID, "the window ends before it starts"))
	}
	var w where
	w.in("c.repo", q.Repos)
	w.in("c.field", q.Fields)
	pf, err := newPathFilter(q.Paths, &w, "c.path", "c.old_path")
	if err != nil {
		return nil, fmt.Errorf("sqlite: fact changes: %w", err)
	}
	if !q.From.IsZero() {
		w.add("c.date >= ?", clampNanos(q.From))
	}
	if !q.To.IsZero() {
		w.add("c.date < ?", clampNanos(q.To))
	}
	if q.After != "" {
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM fact_changes WHERE id = ?`, q.After).Scan(&n); err != nil {
			return nil, s.fail(ctx, "fact changes", err)
		}
		if n == 0 {
			return nil, fmt.Errorf("sqlite: fact changes: %w", livespec.Errorf(livespec.EINVALID, "unknown cursor %q: no fact change has this id", q.After))
		}
		w.add(`(`+factChangeOrder+`) > (SELECT `+factChangeOrder+` FROM fact_changes c WHERE c.id = ?)`, q.After)
	}
	rows, err := s.query(ctx, `SELECT `+factChangeCols+` FROM fact_changes c`+w.String()+` ORDER BY `+factChangeOrder, w.args...)
	if err != nil {
		return nil, s.fail(ctx, "fact changes", err)
	}
	defer rows.Close()
	var out []livespec.FactChange
	for rows.Next() {
		var c livespec.FactChange
		var kind string
		var date sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Repo, &c.Commit, &c.Seq, &date, &c.Author, &c.Message, &c.Path, &c.OldPath,
			&c.Source, &c.Field, &kind, &c.Value, &c.Previous, &c.Before, &c.After); err != nil {
			return nil, s.fail(ctx, "fact changes", err)
		}
		if !pf.match(c.Path, c.OldPath) {
			continue
		}
		c.Kind, c.Date = livespec.ChangeKind(kind), fromNanos(date)
		out = append(out, c)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, s.fail(ctx, "fact changes", err)
	}
	return out, nil
}

// FactValues returns the distinct (field, value) pairs of repos' facts.
func (s *Store) FactValues(ctx context.Context, repos []string) ([]livespec.FactValue, error) {
	var w where
	w.in("f.repo", repos)
	rows, err := s.query(ctx, `SELECT f.field, f.value, count(*) FROM facts f`+w.String()+
		` GROUP BY f.field, f.value ORDER BY f.field, f.value`, w.args...)
	if err != nil {
		return nil, s.fail(ctx, "fact values", err)
	}
	defer rows.Close()
	var out []livespec.FactValue
	for rows.Next() {
		var v livespec.FactValue
		if err := rows.Scan(&v.Field, &v.Value, &v.Count); err != nil {
			return nil, s.fail(ctx, "fact values", err)
		}
		out = append(out, v)
	}
	if err := closeRows(rows); err != nil {
		return nil, s.fail(ctx, "fact values", err)
	}
	return out, nil
}

// closeRecords ends the open versions of table (facts or links) that
// closes name; closing one already closed changes nothing, closing an
// unknown one is EINVALID naming what (fact, link).
func (a *applier) closeRecords(table, what, repo string, closes []livespec.Close) error {
	if len(closes) == 0 {
		return nil
	}
	st, err := a.prepare(`UPDATE ` + table + ` SET end_commit = ?, end_seq = ?, valid_to = ? WHERE id = ? AND repo = ? AND end_commit = ''`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, c := range closes {
		if err := a.tick(); err != nil {
			return err
		}
		res, err := st.ExecContext(a.nc, c.Commit, c.Seq, nanos(c.ValidTo), c.ID, repo)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var one int
			err := a.tx.QueryRowContext(a.nc, `SELECT 1 FROM `+table+` WHERE id = ? AND repo = ?`, c.ID, repo).Scan(&one)
			if err == sql.ErrNoRows {
				return livespec.Errorf(livespec.EINVALID, "close of unknown %s %s in repo %s", what, c.ID, repo)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

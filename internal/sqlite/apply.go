package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/livespec/livespec"
)

// checkEvery is how many rows Apply writes between looks at its context.
const checkEvery = 128

const (
	sqlInsertText = `INSERT OR IGNORE INTO texts (hash, text) VALUES (?, ?)`
	sqlTextID     = `SELECT id FROM texts WHERE hash = ?`
	sqlMaxText    = `SELECT coalesce(max(id), 0) FROM texts`

	// A replayed version keeps its close: an upsert never reopens a version.
	sqlInsertVersions = `INSERT INTO versions
	(id, repo, path, heading, part, level, text_id, links, commit_, seq, valid_from, author, end_commit, end_seq, valid_to)
	VALUES `
	sqlVersionsConflict = `
	ON CONFLICT (id) DO UPDATE SET
		path = excluded.path, heading = excluded.heading, part = excluded.part, level = excluded.level,
		text_id = excluded.text_id, links = excluded.links, commit_ = excluded.commit_, seq = excluded.seq,
		valid_from = excluded.valid_from, author = excluded.author,
		end_commit = CASE WHEN excluded.end_commit <> '' THEN excluded.end_commit ELSE versions.end_commit END,
		end_seq = CASE WHEN excluded.end_commit <> '' THEN excluded.end_seq ELSE versions.end_seq END,
		valid_to = CASE WHEN excluded.end_commit <> '' THEN excluded.valid_to ELSE versions.valid_to END
	WHERE versions.repo = excluded.repo`
	versionArgs = 15

	sqlUpsertFile = `INSERT INTO files
	(id, repo, path, blob, size, status, outline, meta, target, commit_, seq, valid_from, end_commit, end_seq, valid_to, title)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET
		path = excluded.path, blob = excluded.blob, size = excluded.size, status = excluded.status,
		outline = excluded.outline, meta = excluded.meta, target = excluded.target, title = excluded.title,
		commit_ = excluded.commit_, seq = excluded.seq, valid_from = excluded.valid_from,
		end_commit = CASE WHEN excluded.end_commit <> '' THEN excluded.end_commit ELSE files.end_commit END,
		end_seq = CASE WHEN excluded.end_commit <> '' THEN excluded.end_seq ELSE files.end_seq END,
		valid_to = CASE WHEN excluded.end_commit <> '' THEN excluded.valid_to ELSE files.valid_to END
	WHERE files.repo = excluded.repo`

	sqlCloseVersion = `UPDATE versions SET end_commit = ?, end_seq = ?, valid_to = ? WHERE id = ? AND repo = ? AND end_commit = ''`
	sqlCloseFile    = `UPDATE files SET end_commit = ?, end_seq = ?, valid_to = ? WHERE id = ? AND repo = ? AND end_commit = ''`

	sqlInsertChanges = `INSERT INTO changes
	(id, repo, commit_, seq, date, author_date, author, message, path, old_path, heading, old_heading, part, section, kind, before, after, summary, editorial)
	VALUES `
	sqlChangesConflict = `
	ON CONFLICT (id) DO UPDATE SET
		commit_ = excluded.commit_, seq = excluded.seq, date = excluded.date, author_date = excluded.author_date,
		author = excluded.author, message = excluded.message, path = excluded.path, old_path = excluded.old_path,
		heading = excluded.heading, old_heading = excluded.old_heading, part = excluded.part,
		section = excluded.section, kind = excluded.kind, before = excluded.before, after = excluded.after,
		summary = excluded.summary, editorial = excluded.editorial
	WHERE changes.repo = excluded.repo`
	changeArgs = 19

	sqlUpsertVector = `INSERT OR REPLACE INTO vectors (embedder, hash, vec) VALUES (?, ?, ?)`

	sqlUpsertCheckpoint = `INSERT INTO checkpoints (repo, branch, commit_, seq, time, config, source, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (repo) DO UPDATE SET branch = excluded.branch, commit_ = excluded.commit_, seq = excluded.seq,
		time = excluded.time, config = excluded.config, source = excluded.source, updated_at = excluded.updated_at`
)

// Apply writes b in one transaction: texts (once per distinct hash, into
// all_fts as well), versions, files, closes, changes, vectors and the
// checkpoint. Replaying a batch changes nothing; an upsert never reopens a
// closed version. Every read sees each applied batch in full. A batch with
// More on an empty index drops the secondary indexes that only readers use,
// and the next batch without More builds them again (see bulk.go), so
// reads are slower, never different, while a first ingest runs.
func (s *Store) Apply(ctx context.Context, b *livespec.Batch) error {
	if err := b.Validate(); err != nil {
		return fmt.Errorf("sqlite: apply: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: apply: %w", err)
	}
	stmts, err := s.writeStmts(ctx)
	if err != nil {
		return s.fail(ctx, "apply", err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, "apply", err)
	}
	defer tx.Rollback()
	nc := context.WithoutCancel(ctx)
	if b.More {
		// A run filling an empty index builds its secondary indexes at its
		// end (bulk.go).
		empty, err := indexEmpty(nc, tx)
		if err == nil && empty {
			err = dropDeferred(nc, tx)
		}
		if err != nil {
			return s.fail(ctx, "apply", err)
		}
	}
	a := applier{ctx: ctx, nc: nc, tx: tx, ids: make(map[string]int64), stmts: stmts}
	if err := tx.StmtContext(a.nc, stmts[sqlMaxText]).QueryRowContext(a.nc).Scan(&a.maxText); err != nil {
		return s.fail(ctx, "apply", err)
	}
	if err := a.apply(b); err != nil {
		return s.fail(ctx, "apply", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: apply: %w", err)
	}
	// all_fts and postings take the batch's new texts (postings.go).
	if err := syncFTS(a.nc, tx, a.maxText); err != nil {
		return s.fail(ctx, "apply", err)
	}
	if !b.More {
		if err := createDeferred(a.nc, tx); err != nil {
			return s.fail(ctx, "apply", err)
		}
		if err := syncTerms(a.nc, tx); err != nil {
			return s.fail(ctx, "apply", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: apply: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return s.fail(ctx, "apply", err)
	}
	return nil
}

// applier holds the state of one Apply. Statements run with nc, a context
// that is never cancelled, because modernc starts a watcher goroutine per
// statement for cancellable contexts; ctx is checked every checkEvery rows
// and the transaction itself is bound to ctx.
type applier struct {
	ctx   context.Context
	nc    context.Context
	tx    *sql.Tx
	ids   map[string]int64 // text hash → texts.id
	n     int
	stmts map[string]*sql.Stmt
	// maxText is the largest texts.id before the batch: texts above it
	// are new and go into all_fts at the end.
	maxText int64
}

func (a *applier) tick() error {
	a.n++
	if a.n%checkEvery == 0 {
		return a.ctx.Err()
	}
	return nil
}

// prepare returns the statement q for the transaction, reusing the
// writer connection's prepared statement.
func (a *applier) prepare(q string) (*sql.Stmt, error) {
	if st := a.stmts[q]; st != nil {
		return a.tx.StmtContext(a.nc, st), nil
	}
	return a.tx.PrepareContext(a.nc, q)
}

func (a *applier) apply(b *livespec.Batch) error {
	if err := a.vectorsFit(b.Vectors); err != nil {
		return err
	}
	if len(b.Versions) > 0 {
		if err := a.versions(b.Versions); err != nil {
			return err
		}
	}
	if len(b.Files) > 0 {
		if err := a.files(b.Files); err != nil {
			return err
		}
	}
	if len(b.Closes) > 0 {
		if err := a.closes(b.Repo, b.Closes); err != nil {
			return err
		}
	}
	if len(b.Changes) > 0 {
		if err := a.changes(b.Changes); err != nil {
			return err
		}
	}
	if len(b.Vectors) > 0 {
		if err := a.vectors(b.Vectors); err != nil {
			return err
		}
	}
	if err := a.applyFacts(b); err != nil {
		return err
	}
	if err := a.applyLinks(b); err != nil {
		return err
	}
	if cp := b.Checkpoint; cp != nil {
		updated := cp.UpdatedAt
		if updated.IsZero() {
			updated = time.Now()
		}
		st, err := a.prepare(sqlUpsertCheckpoint)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(a.nc, b.Repo, cp.Branch, cp.Commit, cp.Seq,
			nanos(cp.Time), cp.Config, cp.Source, nanos(updated)); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) versions(vs []livespec.Version) error {
	// Texts first: versions refer to them.
	ids := make([]int64, len(vs))
	if err := a.texts(vs, ids); err != nil {
		return err
	}
	return a.upsert(versionsUpsert, versionArgs, len(vs), func(w *rowWriter, i int) error {
		v := &vs[i]
		links, err := jsonOrNil(v.Links, len(v.Links) == 0)
		if err != nil {
			return err
		}
		return w.add(v.ID, v.Repo, v.Path, v.Heading, v.Part, v.Level, ids[i], links,
			v.Commit, v.Seq, nanos(v.ValidFrom), v.Author, v.EndCommit, v.EndSeq, nanos(v.ValidTo))
	})
}

// texts stores the texts of vs that are new and sets ids[i] to the
// texts.id of vs[i].
func (a *applier) texts(vs []livespec.Version, ids []int64) error {
	insText, err := a.prepare(sqlInsertText)
	if err != nil {
		return err
	}
	defer insText.Close()
	textID, err := a.prepare(sqlTextID)
	if err != nil {
		return err
	}
	defer textID.Close()
	for i := range vs {
		v := &vs[i]
		if err := a.tick(); err != nil {
			return err
		}
		hash := v.Hash
		if hash == "" {
			hash = livespec.ContentHash(v.Text)
		}
		id, ok := a.ids[hash]
		if !ok {
			res, err := insText.ExecContext(a.nc, hash, v.Text)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				id, err = res.LastInsertId()
			} else {
				err = textID.QueryRowContext(a.nc, hash).Scan(&id)
			}
			if err != nil {
				return err
			}
			a.ids[hash] = id
		}
		ids[i] = id
	}
	return nil
}

func (a *applier) files(fs []livespec.FileVersion) error {
	up, err := a.prepare(sqlUpsertFile)
	if err != nil {
		return err
	}
	defer up.Close()
	for i := range fs {
		f := &fs[i]
		if err := a.tick(); err != nil {
			return err
		}
		outline, err := jsonOrNil(f.Outline, len(f.Outline) == 0)
		if err != nil {
			return err
		}
		meta, err := jsonOrNil(f.Meta, f.Meta == nil)
		if err != nil {
			return livespec.WrapError(livespec.EINVALID, err, "file version %s: metadata is not JSON-compatible", f.ID)
		}
		if _, err := up.ExecContext(a.nc, f.ID, f.Repo, f.Path, f.Blob, f.Size, string(f.Status), outline, meta, f.Target,
			f.Commit, f.Seq, nanos(f.ValidFrom), f.EndCommit, f.EndSeq, nanos(f.ValidTo), f.FirstHeading()); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) closes(repo string, cs []livespec.Close) error {
	cv, err := a.prepare(sqlCloseVersion)
	if err != nil {
		return err
	}
	defer cv.Close()
	cf, err := a.prepare(sqlCloseFile)
	if err != nil {
		return err
	}
	defer cf.Close()
	many, err := a.prepare(sqlCloseVersions)
	if err != nil {
		return err
	}
	defer many.Close()
	one := func(c livespec.Close) error {
		st := cv
		if c.File {
			st = cf
		}
		res, err := st.ExecContext(a.nc, c.Commit, c.Seq, nanos(c.ValidTo), c.ID, repo)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		return a.known(repo, c)
	}
	// Sections and files are apart, so each keeps its own order only.
	var sections []livespec.Close
	for _, c := range cs {
		if !c.File {
			sections = append(sections, c)
			continue
		}
		if err := a.tick(); err != nil {
			return err
		}
		if err := one(c); err != nil {
			return err
		}
	}
	args := make([]any, 0, 4*rowsPerStmt+1)
	ids := make(map[string]bool, rowsPerStmt)
	for chunk := range slices.Chunk(sections, rowsPerStmt) {
		if err := a.tick(); err != nil {
			return err
		}
		// A full chunk of distinct versions is one UPDATE; a short one,
		// or one that closes a version twice (the first close counts),
		// goes row by row.
		args = args[:0]
		clear(ids)
		for _, c := range chunk {
			ids[c.ID] = true
			args = append(args, c.ID, c.Commit, c.Seq, nanos(c.ValidTo))
		}
		if len(chunk) < rowsPerStmt || len(ids) < len(chunk) {
			for _, c := range chunk {
				if err := one(c); err != nil {
					return err
				}
			}
			continue
		}
		res, err := many.ExecContext(a.nc, append(args, repo)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == int64(len(chunk)) {
			continue
		}
		// Some were closed already (a no-op) or are unknown.
		for _, c := range chunk {
			if err := a.known(repo, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// known returns an EINVALID error when the version c closes is not in the
// store: closing a closed version is a no-op, an unknown one the caller's
// mistake.
func (a *applier) known(repo string, c livespec.Close) error {
	table, kind := "versions", "section"
	if c.File {
		table, kind = "files", "file"
	}
	var one int
	err := a.tx.QueryRowContext(a.nc, "SELECT 1 FROM "+table+" WHERE id = ? AND repo = ?", c.ID, repo).Scan(&one)
	if err == sql.ErrNoRows {
		return livespec.Errorf(livespec.EINVALID, "close of unknown %s version %s in repo %s", kind, c.ID, repo)
	}
	return err
}

func (a *applier) changes(cs []livespec.Change) error {
	return a.upsert(changesUpsert, changeArgs, len(cs), func(w *rowWriter, i int) error {
		c := &cs[i]
		return w.add(c.ID, c.Repo, c.Commit, c.Seq, nanos(c.Date), nanos(c.AuthorDate), c.Author,
			c.Message, c.Path, c.OldPath, c.Heading, c.OldHeading, c.Part, c.Section, string(c.Kind),
			c.Before, c.After, c.Summary, c.Editorial)
	})
}

// vectorsFit checks the batch's vectors against the index's embedder and
// against the dimension of vectors already stored.
func (a *applier) vectorsFit(vs []livespec.Vector) error {
	if len(vs) == 0 {
		return nil
	}
	info, err := readIndex(a.nc, a.tx)
	if err != nil {
		return err
	}
	dims := make(map[string]int)
	for _, v := range vs {
		if d, ok := dims[v.Embedder]; ok {
			if d != len(v.Values) {
				return livespec.Errorf(livespec.EINVALID, "vectors of %s with %d and %d dimensions in one batch", v.Embedder, d, len(v.Values))
			}
			continue
		}
		if info.Embedder != "" && (v.Embedder != info.Embedder || len(v.Values) != info.Dimensions) {
			return mismatch(info, livespec.IndexInfo{Embedder: v.Embedder, Dimensions: len(v.Values)})
		}
		var n int
		err := a.tx.QueryRowContext(a.nc, `SELECT length(vec) / 4 FROM vectors WHERE embedder = ? LIMIT 1`, v.Embedder).Scan(&n)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return err
		case n != len(v.Values):
			return mismatch(livespec.IndexInfo{Embedder: v.Embedder, Dimensions: n}, livespec.IndexInfo{Embedder: v.Embedder, Dimensions: len(v.Values)})
		}
		dims[v.Embedder] = len(v.Values)
	}
	return nil
}

func (a *applier) vectors(vs []livespec.Vector) error {
	up, err := a.prepare(sqlUpsertVector)
	if err != nil {
		return err
	}
	defer up.Close()
	var buf []byte
	for _, v := range vs {
		if err := a.tick(); err != nil {
			return err
		}
		buf = encodeVector(buf[:0], v.Values)
		if _, err := up.ExecContext(a.nc, v.Embedder, v.Hash, buf); err != nil {
			return err
		}
	}
	return nil
}

// encodeVector appends v as little-endian float32s.
func encodeVector(buf []byte, v []float32) []byte {
	for _, x := range v {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
	}
	return buf
}

// decodeVector decodes encodeVector's output into dst (reused when long enough).
func decodeVector(dst []float32, b []byte) []float32 {
	n := len(b) / 4
	if cap(dst) < n {
		dst = make([]float32, n)
	}
	dst = dst[:n]
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return dst
}

// jsonOrNil marshals v, or returns NULL when empty.
func jsonOrNil(v any, empty bool) (any, error) {
	if empty {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// execStmt runs q in tx, prepared on the writer when it is in stmts.
func execStmt(ctx context.Context, tx *sql.Tx, stmts map[string]*sql.Stmt, q string, args ...any) error {
	var err error
	if st := stmts[q]; st != nil {
		_, err = tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	} else {
		_, err = tx.ExecContext(ctx, q, args...)
	}
	return err
}

// rowsPerStmt is how many rows one multi-row upsert writes. A statement
// has a fixed cost in SQLite (a statement journal that copies every page
// the statement changes, opened and closed) and in database/sql, which
// rows of one statement share.
const rowsPerStmt = 32

// multiRow is an upsert of one row and of rowsPerStmt rows: the INSERT up
// to VALUES, the conflict clause after them.
type multiRow struct {
	one, many string
}

func newMultiRow(insert, conflict string, cols int) multiRow {
	row := "(" + placeholders(cols) + ")"
	many := strings.TrimSuffix(strings.Repeat(row+", ", rowsPerStmt), ", ")
	return multiRow{one: insert + row + conflict, many: insert + many + conflict}
}

var (
	versionsUpsert = newMultiRow(sqlInsertVersions, sqlVersionsConflict, versionArgs)
	changesUpsert  = newMultiRow(sqlInsertChanges, sqlChangesConflict, changeArgs)

	// sqlCloseVersions closes rowsPerStmt distinct open versions: VALUES
	// rows (id, end_commit, end_seq, valid_to), then the repo.
	sqlCloseVersions = `UPDATE versions SET end_commit = c.column2, end_seq = c.column3, valid_to = c.column4
	FROM (VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", rowsPerStmt), ", ") + `) AS c
	WHERE versions.id = c.column1 AND versions.repo = ?` + fmt.Sprint(4*rowsPerStmt+1) + ` AND versions.end_commit = ''`
)

// rowWriter buffers the rows of an upsert and writes them rowsPerStmt at a
// time, in order; flush writes the rest one by one.
type rowWriter struct {
	a         *applier
	q         multiRow
	many, one *sql.Stmt
	cols      int
	args      []any
}

func (a *applier) rows(q multiRow, cols int) (*rowWriter, error) {
	many, err := a.prepare(q.many)
	if err != nil {
		return nil, err
	}
	return &rowWriter{a: a, q: q, many: many, cols: cols, args: make([]any, 0, cols*rowsPerStmt)}, nil
}

// upsert writes n rows through q, an upsert of cols columns: row adds the
// values of row i to w.
func (a *applier) upsert(q multiRow, cols, n int, row func(w *rowWriter, i int) error) error {
	w, err := a.rows(q, cols)
	if err != nil {
		return err
	}
	defer w.close()
	for i := range n {
		if err := a.tick(); err != nil {
			return err
		}
		if err := row(w, i); err != nil {
			return err
		}
	}
	return w.flush()
}

// add buffers one row of w.cols values.
func (w *rowWriter) add(vals ...any) error {
	if len(vals) != w.cols {
		return fmt.Errorf("%d values for %d columns", len(vals), w.cols)
	}
	w.args = append(w.args, vals...)
	if len(w.args) < w.cols*rowsPerStmt {
		return nil
	}
	_, err := w.many.ExecContext(w.a.nc, w.args...)
	w.args = w.args[:0]
	return err
}

// flush writes the buffered rows.
func (w *rowWriter) flush() error {
	if len(w.args) == 0 {
		return nil
	}
	if w.one == nil {
		var err error
		if w.one, err = w.a.prepare(w.q.one); err != nil {
			return err
		}
	}
	for row := range slices.Chunk(w.args, w.cols) {
		if _, err := w.one.ExecContext(w.a.nc, row...); err != nil {
			return err
		}
	}
	w.args = w.args[:0]
	return nil
}

func (w *rowWriter) close() {
	w.many.Close()
	if w.one != nil {
		w.one.Close()
	}
}

// writeStatements are prepared once on the writer connection.
var writeStatements = []string{sqlInsertText, sqlTextID, versionsUpsert.one, versionsUpsert.many, sqlUpsertFile,
	sqlCloseVersion, sqlCloseVersions, sqlCloseFile, changesUpsert.one, changesUpsert.many, sqlUpsertVector,
	sqlUpsertCheckpoint, sqlMaxText, factsUpsert.one, factsUpsert.many,
	factChangesUpsert.one, factChangesUpsert.many}

// writeStmts returns writeStatements prepared on the writer, preparing
// them at the first write: a process that only reads (a question from the
// command line) prepares none.
func (s *Store) writeStmts(ctx context.Context) (map[string]*sql.Stmt, error) {
	s.stmtsMu.Lock()
	defer s.stmtsMu.Unlock()
	if s.stmts != nil {
		return s.stmts, nil
	}
	stmts := make(map[string]*sql.Stmt, len(writeStatements))
	for _, q := range writeStatements {
		st, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			for _, st := range stmts {
				st.Close()
			}
			return nil, fmt.Errorf("prepare %.40q: %w", q, err)
		}
		stmts[q] = st
	}
	s.stmts = stmts
	return stmts, nil
}

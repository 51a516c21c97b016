package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/livespec/livespec"
)

// Checkpoint returns repo's checkpoint, ENOTFOUND before its first Apply.
func (s *Store) Checkpoint(ctx context.Context, repo string) (livespec.Checkpoint, error) {
	k := &s.mem().checkpoints
	gen, err := s.DataVersion(ctx)
	if err != nil {
		return livespec.Checkpoint{}, err
	}
	kept, ok := k.get(gen, repo)
	if !ok {
		if kept, err = readCheckpoint(s, ctx, repo); err != nil {
			return livespec.Checkpoint{}, s.fail(ctx, "checkpoint", err)
		}
		// Kept only when no write committed since gen was read: the
		// checkpoint is then of that state.
		if after, err := s.DataVersion(ctx); err == nil && after == gen {
			k.keep(gen, repo, kept, newKeptCheckpoints)
		}
	}
	if !kept.found {
		return livespec.Checkpoint{}, fmt.Errorf("sqlite: checkpoint: %w", livespec.Errorf(livespec.ENOTFOUND, "repository %q has not been ingested", repo))
	}
	return kept.cp, nil
}

// readCheckpoint is (*Store).checkpointRow; tests count its calls.
var readCheckpoint = (*Store).checkpointRow

// checkpointRow reads repo's checkpoint from the index; found is false
// when it has none.
func (s *Store) checkpointRow(ctx context.Context, repo string) (keptCheckpoint, error) {
	cp := livespec.Checkpoint{Repo: repo}
	var t, u sql.NullInt64
	err := s.queryRow(ctx, func(sc scanner) error {
		return sc.Scan(&cp.Branch, &cp.Commit, &cp.Seq, &t, &cp.Config, &cp.Source, &u)
	}, `SELECT branch, commit_, seq, time, config, source, updated_at FROM checkpoints WHERE repo = ?`, repo)
	if errors.Is(err, sql.ErrNoRows) {
		return keptCheckpoint{}, nil
	}
	if err != nil {
		return keptCheckpoint{}, err
	}
	cp.Time, cp.UpdatedAt = fromNanos(t), fromNanos(u)
	return keptCheckpoint{cp: cp, found: true}, nil
}

// OpenVersions calls fn for every current section version of repo. The
// rows are read before fn is first called, so fn may use the store.
func (s *Store) OpenVersions(ctx context.Context, repo string, fn func(livespec.OpenVersion) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT v.id, v.path, v.heading, v.part, t.hash, v.seq
		FROM versions v JOIN texts t ON t.id = v.text_id WHERE v.repo = ? AND v.end_commit = ''`, repo)
	if err != nil {
		return s.fail(ctx, "open versions", err)
	}
	var open []livespec.OpenVersion
	for rows.Next() {
		o := livespec.OpenVersion{Key: livespec.Key{Repo: repo}}
		if err := rows.Scan(&o.ID, &o.Key.Path, &o.Key.Heading, &o.Key.Part, &o.Hash, &o.Seq); err != nil {
			rows.Close()
			return s.fail(ctx, "open versions", err)
		}
		open = append(open, o)
	}
	if err := closeRows(rows); err != nil {
		return s.fail(ctx, "open versions", err)
	}
	for _, o := range open {
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

// OpenFiles calls fn for every current file version of repo.
func (s *Store) OpenFiles(ctx context.Context, repo string, fn func(livespec.OpenFile) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT id, path, blob, seq FROM files WHERE repo = ? AND end_commit = ''`, repo)
	if err != nil {
		return s.fail(ctx, "open files", err)
	}
	var open []livespec.OpenFile
	for rows.Next() {
		var o livespec.OpenFile
		if err := rows.Scan(&o.ID, &o.Path, &o.Blob, &o.Seq); err != nil {
			rows.Close()
			return s.fail(ctx, "open files", err)
		}
		open = append(open, o)
	}
	if err := closeRows(rows); err != nil {
		return s.fail(ctx, "open files", err)
	}
	for _, o := range open {
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

// HasVectors returns the hashes among hashes that have a vector of embedder.
func (s *Store) HasVectors(ctx context.Context, embedder string, hashes []string) (map[string]bool, error) {
	has := make(map[string]bool)
	if len(hashes) == 0 {
		return has, nil
	}
	b, _ := json.Marshal(hashes)
	rows, err := s.r.QueryContext(ctx, `SELECT hash FROM vectors WHERE embedder = ? AND hash IN (SELECT value FROM json_each(?))`, embedder, string(b))
	if err != nil {
		return nil, s.fail(ctx, "has vectors", err)
	}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return nil, s.fail(ctx, "has vectors", err)
		}
		has[h] = true
	}
	if err := closeRows(rows); err != nil {
		return nil, s.fail(ctx, "has vectors", err)
	}
	return has, nil
}

// DeleteRepo removes repo's versions, files, changes, facts and checkpoint, and the
// texts no other version carries, in one transaction. Vectors stay.
func (s *Store) DeleteRepo(ctx context.Context, repo string) error {
	if repo == "" {
		return fmt.Errorf("sqlite: delete repo: %w", livespec.Errorf(livespec.EINVALID, "no repo given"))
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, "delete repo", err)
	}
	defer tx.Rollback()
	if err := discountRepo(ctx, tx, repo); err != nil {
		return s.fail(ctx, "delete repo", err)
	}
	for _, q := range []string{
		`DELETE FROM versions WHERE repo = ?1`,
		`DELETE FROM files WHERE repo = ?1`,
		`DELETE FROM changes WHERE repo = ?1`,
		`DELETE FROM facts WHERE repo = ?1`,
		`DELETE FROM fact_changes WHERE repo = ?1`,
		`DELETE FROM links WHERE repo = ?1`,
		`DELETE FROM checkpoints WHERE repo = ?1`,
	} {
		if _, err := tx.ExecContext(ctx, q, repo); err != nil {
			return s.fail(ctx, "delete repo", err)
		}
	}
	// A bulk run that was killed may have left the secondary indexes out.
	if err := createDeferred(ctx, tx); err != nil {
		return s.fail(ctx, "delete repo", err)
	}
	// Texts no version carries any more leave the index.
	if err := dropUnusedPostings(ctx, tx); err != nil {
		return s.fail(ctx, "delete repo", err)
	}
	for _, q := range []string{
		`DELETE FROM all_fts WHERE rowid IN (SELECT id FROM texts t WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.text_id = t.id))`,
		`DELETE FROM texts WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.text_id = texts.id)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return s.fail(ctx, "delete repo", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.fail(ctx, "delete repo", err)
	}
	for _, tc := range s.mem().terms {
		tc.drop()
	}
	return nil
}

// versionCols selects a Version from versions v joined with texts t.
const versionCols = `v.id, v.repo, v.path, v.heading, v.part, v.level, t.text, t.hash, v.links,
	v.commit_, v.seq, v.valid_from, v.author, v.end_commit, v.end_seq, v.valid_to`

type scanner interface{ Scan(dest ...any) error }

func scanVersion(sc scanner, v *livespec.Version, extra ...any) error {
	var links sql.NullString
	var from, to sql.NullInt64
	dest := []any{&v.ID, &v.Repo, &v.Path, &v.Heading, &v.Part, &v.Level, &v.Text, &v.Hash, &links,
		&v.Commit, &v.Seq, &from, &v.Author, &v.EndCommit, &v.EndSeq, &to}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	v.ValidFrom, v.ValidTo = fromNanos(from), fromNanos(to)
	v.Links = nil
	if links.Valid {
		if err := json.Unmarshal([]byte(links.String), &v.Links); err != nil {
			return fmt.Errorf("version %s: links: %w", v.ID, err)
		}
	}
	return nil
}

// Version returns the section version with id, ENOTFOUND if none.
func (s *Store) Version(ctx context.Context, id string) (livespec.Version, error) {
	var v livespec.Version
	err := s.queryRow(ctx, func(sc scanner) error { return scanVersion(sc, &v) },
		`SELECT `+versionCols+` FROM versions v JOIN texts t ON t.id = v.text_id WHERE v.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("sqlite: version: %w", livespec.Errorf(livespec.ENOTFOUND, "no version %q", id))
	}
	if err != nil {
		return v, s.fail(ctx, "version", err)
	}
	return v, nil
}

// Versions returns the section versions matching q, ordered by repo, path,
// ValidFrom, Seq (then heading, part and id).
func (s *Store) Versions(ctx context.Context, q livespec.VersionQuery) ([]livespec.Version, error) {
	if err := checkLimit(q.Limit); err != nil {
		return nil, fmt.Errorf("sqlite: versions: %w", err)
	}
	var w where
	if err := w.validity("v", q.Validity); err != nil {
		return nil, fmt.Errorf("sqlite: versions: %w", err)
	}
	w.in("v.repo", q.Repos)
	pf, err := newPathFilter(q.Paths, &w, "v.path")
	if err != nil {
		return nil, fmt.Errorf("sqlite: versions: %w", err)
	}
	var keys map[livespec.Key]bool
	if len(q.Keys) > 0 {
		keys = make(map[livespec.Key]bool, len(q.Keys))
		var repos, paths []string
		seen := make(map[string]bool)
		for _, k := range q.Keys {
			keys[k] = true
			if !seen["r"+k.Repo] {
				seen["r"+k.Repo] = true
				repos = append(repos, k.Repo)
			}
			if !seen["p"+k.Path] {
				seen["p"+k.Path] = true
				paths = append(paths, k.Path)
			}
		}
		w.in("v.repo", repos)
		w.in("v.path", paths)
	}
	if len(q.Hashes) > 0 {
		b, _ := json.Marshal(q.Hashes)
		w.add("t.hash IN (SELECT value FROM json_each(?))", string(b))
	}
	if q.HeadingSet || q.Heading != "" {
		w.add("v.heading = ?", q.Heading)
	}
	var out []livespec.Version
	err = queryVersions(ctx, poolQuerier{s}, ` FROM versions v JOIN texts t ON t.id = v.text_id`+
		w.String()+` ORDER BY v.repo, v.path, v.valid_from, v.seq, v.heading, v.part, v.id`, w.args,
		func() { out = nil },
		func(v livespec.Version, _ int64) bool {
			if !pf.match(v.Path) || (keys != nil && !keys[v.Key]) {
				return true
			}
			out = append(out, v)
			return q.Limit == 0 || len(out) < q.Limit
		})
	if err != nil {
		return nil, s.fail(ctx, "versions", err)
	}
	return out, nil
}

// Files returns the file versions matching q, ordered by repo, path, ValidFrom.
func (s *Store) Files(ctx context.Context, q livespec.FileQuery) ([]livespec.FileVersion, error) {
	if err := checkLimit(q.Limit); err != nil {
		return nil, fmt.Errorf("sqlite: files: %w", err)
	}
	var w where
	if err := w.validity("f", q.Validity); err != nil {
		return nil, fmt.Errorf("sqlite: files: %w", err)
	}
	w.in("f.repo", q.Repos)
	pf, err := newPathFilter(q.Paths, &w, "f.path")
	if err != nil {
		return nil, fmt.Errorf("sqlite: files: %w", err)
	}
	cols := fileColumns
	if q.Brief {
		cols = briefFileColumns
	}
	rows, err := s.query(ctx, `SELECT `+cols+` FROM files f`+
		w.String()+` ORDER BY f.repo, f.path, f.valid_from, f.seq, f.id`, w.args...)
	if err != nil {
		return nil, s.fail(ctx, "files", err)
	}
	defer rows.Close()
	var out []livespec.FileVersion
	for rows.Next() {
		f, err := scanFile(rows, q.Brief)
		if err != nil {
			return nil, s.fail(ctx, "files", err)
		}
		if !pf.match(f.Path) {
			continue
		}
		out = append(out, f)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, s.fail(ctx, "files", err)
	}
	return out, nil
}

// The columns Files reads of a file version in full, and in brief: the
// brief ones of a current version are all in the files_titles index, so
// listing the current files reads no outline.
const (
	fileColumns = `f.id, f.repo, f.path, f.commit_, f.seq, f.valid_from, f.end_commit, f.end_seq, f.valid_to,
		f.blob, f.size, f.status, f.outline, f.meta, f.target`
	briefFileColumns = `f.id, f.repo, f.path, f.commit_, f.seq, f.valid_from, f.end_commit, f.end_seq, f.valid_to, f.title`
)

// scanFile reads a row of fileColumns, or of briefFileColumns when brief.
func scanFile(rows *sql.Rows, brief bool) (livespec.FileVersion, error) {
	var f livespec.FileVersion
	var from, to sql.NullInt64
	dest := []any{&f.ID, &f.Repo, &f.Path, &f.Commit, &f.Seq, &from, &f.EndCommit, &f.EndSeq, &to}
	var title, status string
	var outline, meta sql.NullString
	if brief {
		dest = append(dest, &title)
	} else {
		dest = append(dest, &f.Blob, &f.Size, &status, &outline, &meta, &f.Target)
	}
	if err := rows.Scan(dest...); err != nil {
		return f, err
	}
	f.ValidFrom, f.ValidTo = fromNanos(from), fromNanos(to)
	if brief {
		if title != "" {
			f.Outline = []livespec.SectionRef{{Heading: title}}
		}
		return f, nil
	}
	f.Status = livespec.FileStatus(status)
	var err error
	if outline.Valid {
		if f.Outline, err = outlines.decode(outline.String, copyOutline); err != nil {
			return f, fmt.Errorf("%s outline: %w", f.ID, err)
		}
	}
	if meta.Valid {
		if f.Meta, err = metas.decode(meta.String, copyMeta); err != nil {
			return f, fmt.Errorf("%s meta: %w", f.ID, err)
		}
	}
	return f, nil
}

// shortWindow is the longest window whose changes Changes reads in their
// order when paths are given too. A day holds at most a few thousand
// events (1,208 on the busiest day of the Kubernetes KEPs), read from the
// order index alone; a file's history through the path indexes costs a
// table read per event of every date and a sort, ten times the time for
// the one second of a commit.
const shortWindow = 24 * time.Hour

// changeOrder is the total order of Changes, as SQL columns.
const changeOrder = `c.date, c.repo, c.seq, c.section, c.path, c.heading, c.part, c.id`

// Changes returns the change events matching q in their total order.
func (s *Store) Changes(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Change, error) {
	if err := checkLimit(q.Limit); err != nil {
		return nil, fmt.Errorf("sqlite: changes: %w", err)
	}
	if _, _, err := changeWindow(q); err != nil {
		return nil, fmt.Errorf("sqlite: changes: %w", err)
	}
	if !q.Sections && len(q.Paths) == 0 && q.After == "" && validStrings(q.Repos) { // a list of repositories goes to the index as JSON
		kept, err := s.keptWhole(ctx)
		if err != nil {
			return nil, s.fail(ctx, "changes", err)
		}
		if kept != nil && kept.fileChanges != nil {
			if out, exact := keptFileChanges(kept.fileChanges, q); exact {
				return out, nil
			}
		}
	}
	var w where
	w.in("c.repo", q.Repos)
	pathCols := []string{"c.path", "c.old_path"}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Sub(q.From) <= shortWindow {
		// "+" keeps the path indexes out of the plan: the window's range of
		// changes_order is read, its rows filtered by path.
		pathCols = []string{"+c.path", "+c.old_path"}
	}
	pf, err := newPathFilter(q.Paths, &w, pathCols...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: changes: %w", err)
	}
	if !q.From.IsZero() {
		w.add("c.date >= ?", clampNanos(q.From))
	}
	if !q.To.IsZero() {
		w.add("c.date < ?", clampNanos(q.To))
	}
	switch {
	case !q.Sections && len(q.Paths) > 0:
		// "+" keeps changes_files (section, date, …) out of the plan: the
		// paths' indexes, or the short window's range, find fewer rows
		// than every file-level event.
		w.add("+c.section = 0")
	case !q.Sections:
		w.add("c.section = 0")
	}
	if q.After != "" {
		var n int
		err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM changes WHERE id = ?`, q.After).Scan(&n)
		if err != nil {
			return nil, s.fail(ctx, "changes", err)
		}
		if n == 0 {
			return nil, fmt.Errorf("sqlite: changes: %w", livespec.Errorf(livespec.EINVALID, "unknown cursor %q: no change has this id", q.After))
		}
		w.add(`(`+changeOrder+`) > (SELECT `+changeOrder+` FROM changes c WHERE c.id = ?)`, q.After)
	}
	from, order := ` FROM changes c`+w.String()+` ORDER BY `+changeOrder, w.args
	f := changeFull
	if q.Brief {
		f = changeBrief
	}
	out, exact, err := s.readChanges(ctx, `SELECT `+f.packed+from, order, pf, q.Limit, f.unpack, nil)
	if err == nil && !exact { // a text holds a NUL byte: read the columns
		out, _, err = s.readChanges(ctx, `SELECT `+f.cols+from, order, pf, q.Limit, nil, f.scan)
	}
	if err != nil {
		return nil, s.fail(ctx, "changes", err)
	}
	return out, nil
}

// changeForm is how Changes selects and reads a change: its columns
// packed in one value and unpacked, or as columns and scanned.
type changeForm struct {
	packed, cols string
	unpack       func(string, *livespec.Change) bool
	scan         func(scanner, *livespec.Change) error
}

// changeFull reads every field of a change; changeBrief those a brief
// query (ChangeQuery.Brief) keeps.
var (
	changeFull  = changeForm{changePacked, changeCols, unpackChange, scanChange}
	changeBrief = changeForm{changeBriefPacked, changeBriefCols, unpackBriefChange, scanBriefChange}
)

// readChanges runs query, which selects one packed value (read with
// unpack) or columns (read with scan), and returns the changes passing
// pf, at most limit (0: all). With packed rows, exact is false when a row
// did not split.
func (s *Store) readChanges(ctx context.Context, query string, args []any, pf *pathFilter, limit int,
	unpack func(string, *livespec.Change) bool, scan func(scanner, *livespec.Change) error) (out []livespec.Change, exact bool, err error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var row string
	for rows.Next() {
		var c livespec.Change
		if unpack != nil {
			if err := rows.Scan(&row); err != nil {
				return nil, false, err
			}
			if !unpack(row, &c) {
				return nil, false, nil
			}
		} else if err := scan(rows, &c); err != nil {
			return nil, false, err
		}
		if !pf.match(c.Path, c.OldPath) {
			continue
		}
		out = append(out, c)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// Repos lists the repositories with a checkpoint or stored files.
func (s *Store) Repos(ctx context.Context) ([]livespec.RepoInfo, error) {
	rows, err := s.r.QueryContext(ctx, checkpointSelect+`,
			(SELECT count(*) FROM files f WHERE f.repo = r.repo AND f.end_commit = ''),
			(SELECT count(*) FROM versions v WHERE v.repo = r.repo),
			(SELECT count(*) FROM changes c WHERE c.repo = r.repo)
		`+checkpointFrom)
	if err != nil {
		return nil, s.fail(ctx, "repos", err)
	}
	defer rows.Close()
	var out []livespec.RepoInfo
	for rows.Next() {
		var ri livespec.RepoInfo
		if err := scanCheckpoint(rows, &ri.Checkpoint, &ri.Files, &ri.Versions, &ri.Changes); err != nil {
			return nil, s.fail(ctx, "repos", err)
		}
		out = append(out, ri)
	}
	if err := closeRows(rows); err != nil {
		return nil, s.fail(ctx, "repos", err)
	}
	return out, nil
}

// checkpointSelect and checkpointFrom frame a query over every repository
// the index knows (checkpointed or holding files) with its checkpoint's
// columns first, as scanCheckpoint reads them.
const (
	checkpointSelect = `WITH r(repo) AS (SELECT repo FROM checkpoints UNION SELECT DISTINCT repo FROM files)
		SELECT r.repo, coalesce(cp.branch, ''), coalesce(cp.commit_, ''), coalesce(cp.seq, 0), cp.time,
			coalesce(cp.config, ''), coalesce(cp.source, ''), cp.updated_at`
	checkpointFrom = ` FROM r LEFT JOIN checkpoints cp ON cp.repo = r.repo ORDER BY r.repo`
)

// scanCheckpoint reads a row of checkpointSelect into cp, and the columns
// after the checkpoint's into more.
func scanCheckpoint(rows *sql.Rows, cp *livespec.Checkpoint, more ...any) error {
	var t, u sql.NullInt64
	dest := append([]any{&cp.Repo, &cp.Branch, &cp.Commit, &cp.Seq, &t, &cp.Config, &cp.Source, &u}, more...)
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	cp.Time, cp.UpdatedAt = fromNanos(t), fromNanos(u)
	return nil
}

// Checkpoints lists the repositories Repos lists with their checkpoints,
// without counting what each holds.
func (s *Store) Checkpoints(ctx context.Context) ([]livespec.Checkpoint, error) {
	rows, err := s.r.QueryContext(ctx, checkpointSelect+checkpointFrom)
	if err != nil {
		return nil, s.fail(ctx, "checkpoints", err)
	}
	defer rows.Close()
	var out []livespec.Checkpoint
	for rows.Next() {
		var cp livespec.Checkpoint
		if err := scanCheckpoint(rows, &cp); err != nil {
			return nil, s.fail(ctx, "checkpoints", err)
		}
		out = append(out, cp)
	}
	if err := closeRows(rows); err != nil {
		return nil, s.fail(ctx, "checkpoints", err)
	}
	return out, nil
}

// Stats counts what the store holds for repo ("" for every repo).
func (s *Store) Stats(ctx context.Context, repo string) (livespec.Stats, error) {
	var st livespec.Stats
	var err error
	if repo == "" {
		err = s.r.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM (SELECT DISTINCT repo, path FROM files)),
			(SELECT count(*) FROM files),
			(SELECT count(*) FROM versions),
			(SELECT count(*) FROM changes),
			(SELECT count(DISTINCT text_id) FROM versions),
			(SELECT count(*) FROM vectors)`).Scan(&st.Files, &st.FileVersions, &st.Versions, &st.Changes, &st.DistinctTexts, &st.Vectors)
	} else {
		err = s.r.QueryRowContext(ctx, `SELECT
			(SELECT count(DISTINCT path) FROM files WHERE repo = ?1),
			(SELECT count(*) FROM files WHERE repo = ?1),
			(SELECT count(*) FROM versions WHERE repo = ?1),
			(SELECT count(*) FROM changes WHERE repo = ?1),
			(SELECT count(DISTINCT text_id) FROM versions WHERE repo = ?1),
			(SELECT count(*) FROM vectors WHERE hash IN
				(SELECT t.hash FROM texts t WHERE t.id IN (SELECT text_id FROM versions WHERE repo = ?1)))`, repo).
			Scan(&st.Files, &st.FileVersions, &st.Versions, &st.Changes, &st.DistinctTexts, &st.Vectors)
	}
	if err != nil {
		return st, s.fail(ctx, "stats", err)
	}
	return st, nil
}

// closeRows closes rows and returns the iteration's error.
func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

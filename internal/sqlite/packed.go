package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/livespec/livespec"
)

// Reading a column through modernc.org/sqlite takes the connection's mutex
// two or three times (type, value, size) and allocates a Go value, which
// costs more than the row's b-tree step. Hot read paths therefore select
// one text per row, the row's columns joined by NUL bytes
// (concat_ws(char(0), ...)), and split it in Go: the fields of a row share
// one Go string. A text holding a NUL byte itself makes the field count
// wrong; the reader then reads the query again column by column, so the
// result is exact whatever the texts hold.

// packExpr returns the SQL expression joining cols with NUL bytes. A NULL
// column must be wrapped (ifnull(col, ”)): concat_ws skips NULLs.
func packExpr(cols ...string) string {
	return `concat_ws(char(0), ` + strings.Join(cols, ", ") + `)`
}

// split splits s, packed by packExpr, into fields, and reports whether it
// held exactly len(fields) fields.
func split(s string, fields []string) bool {
	for i := range fields {
		if i == len(fields)-1 {
			if strings.IndexByte(s, 0) >= 0 {
				return false
			}
			fields[i] = s
			return true
		}
		j := strings.IndexByte(s, 0)
		if j < 0 {
			return false
		}
		fields[i], s = s[:j], s[j+1:]
	}
	return s == ""
}

// parseInt parses a packed integer field; "" is NULL.
func parseInt(f string) (sql.NullInt64, bool) {
	if f == "" {
		return sql.NullInt64{}, true
	}
	n, err := strconv.ParseInt(f, 10, 64)
	return sql.NullInt64{Int64: n, Valid: err == nil}, err == nil
}

// changeBriefCols are the columns of a brief Change (ChangeQuery.Brief) in
// changes c, in scan order; changeCols those of a whole Change, the brief
// ones first.
const (
	changeBriefCols = `c.date, c.seq, c.part, c.section, c.id, c.repo, c.commit_, c.path, c.old_path, c.heading, c.old_heading, c.kind`
	changeCols      = changeBriefCols + `, c.author_date, c.author, c.message, c.before, c.after, c.summary, c.editorial`
)

// changeBriefPacked and changePacked select changeBriefCols and changeCols
// packed (see unpackBriefChange and unpackChange).
var (
	changeBriefPacked = packExpr(changeBriefExprs...)
	changePacked      = packExpr(append(changeBriefExprs[:len(changeBriefExprs):len(changeBriefExprs)],
		`ifnull(c.author_date, '')`, `c.author`, `c.message`, `c.before`, `c.after`, `c.summary`, `c.editorial`)...)
)

var changeBriefExprs = strings.Split(changeBriefCols, ", ")

// briefFields is how many fields a brief change has.
const briefFields = 12

// scanBriefChange scans changeBriefCols into c.
func scanBriefChange(sc scanner, c *livespec.Change) error { return scanChangeCols(sc, c) }

// scanChangeCols scans changeBriefCols into c, and more after them.
func scanChangeCols(sc scanner, c *livespec.Change, more ...any) error {
	var date sql.NullInt64
	var kind string
	dest := append([]any{&date, &c.Seq, &c.Part, &c.Section, &c.ID, &c.Repo, &c.Commit,
		&c.Path, &c.OldPath, &c.Heading, &c.OldHeading, &kind}, more...)
	if err := sc.Scan(dest...); err != nil {
		return err
	}
	c.Kind = livespec.ChangeKind(kind)
	c.Date = fromNanos(date)
	return nil
}

// scanChange scans changeCols into c.
func scanChange(sc scanner, c *livespec.Change) error {
	var adate sql.NullInt64
	if err := scanChangeCols(sc, c, &adate, &c.Author, &c.Message, &c.Before, &c.After, &c.Summary, &c.Editorial); err != nil {
		return err
	}
	c.AuthorDate = fromNanos(adate)
	return nil
}

// unpackBriefChange fills c from a row selected with changeBriefPacked
// and reports whether the row split exactly.
func unpackBriefChange(s string, c *livespec.Change) bool {
	var f [briefFields]string
	return split(s, f[:]) && briefChange(f[:], c)
}

// unpackChange fills c from a row selected with changePacked and reports
// whether the row split exactly.
func unpackChange(s string, c *livespec.Change) bool {
	var f [briefFields + 7]string
	if !split(s, f[:]) || !briefChange(f[:briefFields], c) {
		return false
	}
	adate, ok := parseInt(f[briefFields])
	c.AuthorDate = fromNanos(adate)
	c.Author, c.Message, c.Before, c.After, c.Summary = f[briefFields+1], f[briefFields+2], f[briefFields+3], f[briefFields+4], f[briefFields+5]
	c.Editorial = f[briefFields+6]
	return ok
}

// briefChange fills c with the fields of a brief change, f, and reports
// whether its numbers parsed.
func briefChange(f []string, c *livespec.Change) bool {
	date, ok1 := parseInt(f[0])
	seq, ok2 := parseInt(f[1])
	part, ok3 := parseInt(f[2])
	section, ok4 := parseInt(f[3])
	if !ok1 || !ok2 || !ok3 || !ok4 || !date.Valid {
		return false
	}
	*c = livespec.Change{ID: f[4], Repo: f[5], Commit: f[6], Path: f[7], OldPath: f[8], Heading: f[9], OldHeading: f[10],
		Kind: livespec.ChangeKind(f[11]), Seq: seq.Int64, Part: int(part.Int64), Section: section.Int64 != 0, Date: fromNanos(date)}
	return true
}

// versionPacked selects a Version and its rid from versions v joined with
// texts t, packed (see unpackVersion).
var versionPacked = packExpr(`v.rid`, `v.part`, `v.level`, `v.seq`, `v.valid_from`, `v.end_seq`,
	`ifnull(v.valid_to, '')`, `v.links IS NULL`, `v.id`, `v.repo`, `v.path`, `v.heading`, `t.text`, `t.hash`,
	`ifnull(v.links, '')`, `v.commit_`, `v.author`, `v.end_commit`)

var linkLists = newDecodeCache[[]string]()

// unpackVersion fills v and rid from a row selected with versionPacked and
// reports whether the row split; err is a links column that is not JSON.
func unpackVersion(s string, v *livespec.Version, rid *int64) (bool, error) {
	var f [18]string
	if !split(s, f[:]) {
		return false, nil
	}
	var n [8]sql.NullInt64
	for i := range n {
		var ok bool
		if n[i], ok = parseInt(f[i]); !ok {
			return false, nil
		}
	}
	if !n[0].Valid || !n[1].Valid || !n[2].Valid || !n[3].Valid || !n[4].Valid || !n[5].Valid || !n[7].Valid {
		return false, nil
	}
	*rid = n[0].Int64
	*v = livespec.Version{ID: f[8], Key: livespec.Key{Repo: f[9], Path: f[10], Heading: f[11], Part: int(n[1].Int64)},
		Level: int(n[2].Int64), Text: f[12], Hash: f[13], Commit: f[15], Seq: n[3].Int64, ValidFrom: fromNanos(n[4]),
		Author: f[16], EndCommit: f[17], EndSeq: n[5].Int64, ValidTo: fromNanos(n[6])}
	if n[7].Int64 == 0 { // links not NULL
		links, err := linkLists.decode(f[14], func(l []string) []string { return slices.Clone(l) })
		if err != nil {
			return true, fmt.Errorf("version %s: links: %w", v.ID, err)
		}
		v.Links = links
	}
	return true, nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryVersions runs "SELECT <a version and its rid>" + from and calls fn
// for each row in order until fn returns false. It reads packed rows; when
// a row does not split (a text with a NUL byte) it calls reset and reads
// the columns from the start.
func queryVersions(ctx context.Context, q queryer, from string, args []any, reset func(), fn func(v livespec.Version, rid int64) bool) error {
	return queryVersionsOf(ctx, q, versionPacked, versionCols, from, args, reset, fn)
}

// queryVersionsOf is queryVersions selecting packed or, when a row does
// not split, cols: versionPacked and versionCols or the same columns
// with other expressions in place of the text's.
func queryVersionsOf(ctx context.Context, q queryer, packed, cols, from string, args []any, reset func(), fn func(v livespec.Version, rid int64) bool) error {
	rows, err := q.QueryContext(ctx, `SELECT `+packed+from, args...)
	if err != nil {
		return err
	}
	var row string
	exact := true
	for rows.Next() {
		if err := rows.Scan(&row); err != nil {
			rows.Close()
			return err
		}
		var v livespec.Version
		var rid int64
		ok, err := unpackVersion(row, &v, &rid)
		if err != nil {
			rows.Close()
			return err
		}
		if !ok {
			exact = false
			break
		}
		if !fn(v, rid) {
			break
		}
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	if exact {
		return nil
	}
	reset()
	rows, err = q.QueryContext(ctx, `SELECT `+cols+`, v.rid`+from, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v livespec.Version
		var rid int64
		if err := scanVersion(rows, &v, &rid); err != nil {
			rows.Close()
			return err
		}
		if !fn(v, rid) {
			break
		}
	}
	return closeRows(rows)
}

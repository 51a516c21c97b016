package sqlite

import (
	"database/sql"
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

// changeCols are the columns of a Change in changes c, in scan order.
const changeCols = `c.date, c.author_date, c.seq, c.part, c.section, c.id, c.repo, c.commit_, c.author, c.message,
	c.path, c.old_path, c.heading, c.old_heading, c.kind, c.before, c.after, c.summary`

// changePacked selects changeCols packed (see unpackChange).
var changePacked = packExpr(`c.date`, `ifnull(c.author_date, '')`, `c.seq`, `c.part`, `c.section`, `c.id`, `c.repo`,
	`c.commit_`, `c.author`, `c.message`, `c.path`, `c.old_path`, `c.heading`, `c.old_heading`, `c.kind`,
	`c.before`, `c.after`, `c.summary`)

// scanChange scans changeCols into c.
func scanChange(sc scanner, c *livespec.Change) error {
	var date, adate sql.NullInt64
	var kind string
	if err := sc.Scan(&date, &adate, &c.Seq, &c.Part, &c.Section, &c.ID, &c.Repo, &c.Commit, &c.Author, &c.Message,
		&c.Path, &c.OldPath, &c.Heading, &c.OldHeading, &kind, &c.Before, &c.After, &c.Summary); err != nil {
		return err
	}
	c.Kind = livespec.ChangeKind(kind)
	c.Date, c.AuthorDate = fromNanos(date), fromNanos(adate)
	return nil
}

// unpackChange fills c from a row selected with changePacked and reports
// whether the row split exactly.
func unpackChange(s string, c *livespec.Change) bool {
	var f [18]string
	if !split(s, f[:]) {
		return false
	}
	date, ok1 := parseInt(f[0])
	adate, ok2 := parseInt(f[1])
	seq, ok3 := parseInt(f[2])
	part, ok4 := parseInt(f[3])
	section, ok5 := parseInt(f[4])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !date.Valid {
		return false
	}
	*c = livespec.Change{ID: f[5], Repo: f[6], Commit: f[7], Author: f[8], Message: f[9], Path: f[10], OldPath: f[11],
		Heading: f[12], OldHeading: f[13], Kind: livespec.ChangeKind(f[14]), Before: f[15], After: f[16], Summary: f[17],
		Seq: seq.Int64, Part: int(part.Int64), Section: section.Int64 != 0,
		Date: fromNanos(date), AuthorDate: fromNanos(adate)}
	return true
}

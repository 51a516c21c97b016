package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// Each reader connection maps the index file on its own (mmap_size), and
// the first time it reads a page it pays a page fault and SQLite's
// decoding of the page: a fresh server's first second of questions spent
// about a sixth of its CPU so (the KEPs load mix, served, 0.48 s of
// _btreeInitPage over four 1.2 s windows against 0.05 s later). A warmed
// Store has every reader connection count the rows of every table and
// index first, which reads each of their b-trees' pages once.

// bTrees selects the name of every table and index of the index file
// and, for an index, its table; virtual tables (all_fts) have no b-tree
// of their own (their shadow tables are listed).
const bTrees = `SELECT name, type, tbl_name FROM sqlite_schema
	WHERE type IN ('table', 'index') AND rootpage > 0 ORDER BY name`

// touchStatements returns one statement per b-tree of the index, each
// counting its rows through that b-tree alone.
func (s *Store) touchStatements(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, bTrees)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name, typ, table string
		if err := rows.Scan(&name, &typ, &table); err != nil {
			return nil, err
		}
		if typ == "table" {
			out = append(out, fmt.Sprintf(`SELECT count(*) FROM %q NOT INDEXED`, name))
		} else {
			out = append(out, fmt.Sprintf(`SELECT count(*) FROM %q INDEXED BY %q`, table, name))
		}
	}
	return out, closeRows(rows)
}

// touchPages has each of the readers connections run every
// touchStatements statement, all of them at once.
func (s *Store) touchPages(ctx context.Context) error {
	stmts, err := s.touchStatements(ctx)
	if err != nil {
		return err
	}
	conns := make([]*sql.Conn, 0, readers)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range readers { // held together, so that no two are one connection
		c, err := s.r.Conn(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, c)
	}
	g, ctx := errgroup.WithContext(ctx)
	for _, c := range conns {
		g.Go(func() error { return touchAll(ctx, c, stmts) })
	}
	return g.Wait()
}

// touched, when tests set it, is called with each connection's driver
// connection and each statement it ran for touchPages.
var touched func(conn any, stmt string)

// touchAll runs stmts on c.
func touchAll(ctx context.Context, c *sql.Conn, stmts []string) error {
	var dc any
	if touched != nil {
		if err := c.Raw(func(x any) error { dc = x; return nil }); err != nil {
			return err
		}
	}
	for _, q := range stmts {
		var n int64
		if err := c.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return err
		}
		if touched != nil {
			touched(dc, q)
		}
	}
	return nil
}

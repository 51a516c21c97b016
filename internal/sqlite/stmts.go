package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxReadStmts bounds the read statements a Store keeps prepared.
const maxReadStmts = 128

// stmtCache keeps the hot read queries prepared: parsing and planning a
// query costs as much as reading a page of changes. The statements are
// closed when their Store is garbage.
//
// A statement is prepared on the read pool only by a goroutine that holds
// no read connection: one that holds a transaction (Search) and asked the
// pool for another connection would wait for the others to finish, which
// may wait for it (four searches holding the four connections deadlocked).
// A transaction prepares a missing statement on its own connection and
// leaves the query in pending, for the next caller outside a transaction
// to keep.
type stmtCache struct {
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// query runs query on the read pool, prepared once per Store.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, kept, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if !kept {
		defer st.Close() // closed once the rows are read
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs query on the read pool, prepared once per Store, and
// scans its first row with scan: sql.ErrNoRows when it has none.
func (s *Store) queryRow(ctx context.Context, scan func(scanner) error, query string, args ...any) error {
	rows, err := s.query(ctx, query, args...)
	return firstRow(rows, err, scan)
}

// firstRow scans the first of rows (a query's result and error) with scan
// and closes them: sql.ErrNoRows when there is none.
func firstRow(rows *sql.Rows, err error, scan func(scanner) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := closeRows(rows); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := scan(rows); err != nil {
		return err
	}
	return closeRows(rows)
}

// prepared returns query prepared on the read pool, kept per Store, and
// whether it is kept (a statement not kept must be closed after use).
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, bool, error) {
	c := &s.mem().stmts
	c.mu.Lock()
	st := c.m[query]
	c.mu.Unlock()
	if st != nil {
		return st, true, nil
	}
	st, err := s.r.PrepareContext(ctx, query)
	if err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]*sql.Stmt)
	}
	if old := c.m[query]; old != nil {
		st.Close()
		return old, true, nil
	}
	if len(c.m) >= maxReadStmts {
		return st, false, nil
	}
	c.m[query] = st
	return st, true, nil
}

// txQuerier runs the Store's kept statements in a read transaction.
type txQuerier struct {
	s  *Store
	tx *sql.Tx
}

// QueryContext runs query on the transaction's own connection: a kept
// statement when there is one, else the query itself, remembered for
// keepPending. It never waits for another connection of the pool.
func (q txQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c := &q.s.mem().stmts
	c.mu.Lock()
	st := c.m[query]
	if st == nil && len(c.m)+len(c.pending) < maxReadStmts {
		if c.pending == nil {
			c.pending = make(map[string]bool)
		}
		c.pending[query] = true
	}
	c.mu.Unlock()
	if st == nil {
		return q.tx.QueryContext(ctx, query, args...)
	}
	return q.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

// keepPending prepares on the read pool the queries transactions ran
// unprepared. The caller must hold no read connection.
func (s *Store) keepPending(ctx context.Context) error {
	c := &s.mem().stmts
	c.mu.Lock()
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	for query := range pending {
		st, kept, err := s.prepared(ctx, query)
		if err != nil {
			return err
		}
		if !kept {
			st.Close()
		}
	}
	return nil
}

// poolQuerier runs the Store's kept statements on the read pool.
type poolQuerier struct{ s *Store }

func (q poolQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.s.query(ctx, query, args...)
}

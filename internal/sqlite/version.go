package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync"
)

// versionState numbers the states of the index a Store has seen.
type versionState struct {
	mu   sync.Mutex
	gen  uint64
	conn any   // the connection last asked (its numbers are its own)
	last int64 // its PRAGMA data_version when last asked
	// stmt is PRAGMA data_version prepared on conn: preparing and
	// finalising it cost twice what running it does.
	stmt driver.Stmt
}

// DataVersion returns a number that stays the same only while no write to
// the index commits, from this process or another: if two calls return the
// same number, nothing was written between them. A number is meaningful
// only to the Store that returned it. It reads no table.
//
// SQLite's data_version changes, on one connection, when another connection
// commits. DataVersion asks one connection of its own, kept for the
// Store's life, and counts up whenever that connection's value moved (or
// the connection was opened anew): a commit is seen by the first call after
// it, every later call returns a larger number, and one commit moves the
// number once, however many calls and readers there are, so what is kept
// per version is made once per write. Calls take turns.
func (s *Store) DataVersion(ctx context.Context) (uint64, error) {
	conn, err := s.v.Conn(ctx)
	if err != nil {
		return 0, s.fail(ctx, "data version", err)
	}
	defer conn.Close()
	v := &s.mem().ver
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := conn.Raw(func(dc any) error { return v.read(ctx, dc) }); err != nil {
		return 0, s.fail(ctx, "data version", err)
	}
	return v.gen, nil
}

// read reads PRAGMA data_version on dc, the driver connection, and moves
// gen when dc is not the connection last asked or its number moved. The
// driver connection is kept, so its address is never reused by a new
// connection that would inherit the old one's number. The caller holds
// v.mu.
func (v *versionState) read(ctx context.Context, dc any) error {
	if v.stmt == nil || v.conn != dc {
		// A statement of a connection the pool dropped is left to it:
		// closing it there would use a closed connection.
		v.stmt = nil
		pc, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errors.New("driver connection cannot prepare")
		}
		st, err := pc.PrepareContext(ctx, `PRAGMA data_version`)
		if err != nil {
			return err
		}
		v.stmt = st
	}
	qc, ok := v.stmt.(driver.StmtQueryContext)
	if !ok {
		return errors.New("driver statement cannot query")
	}
	rows, err := qc.QueryContext(ctx, nil)
	if err != nil {
		return err
	}
	row := make([]driver.Value, 1)
	err = rows.Next(row)
	if err = errors.Join(err, rows.Close()); err != nil {
		return err
	}
	dv, ok := row[0].(int64)
	if !ok {
		return errors.New("data_version is not an integer")
	}
	if v.conn != dc || v.last != dv {
		v.conn, v.last = dc, dv
		v.gen++
	}
	return nil
}

// close closes the kept statement, before its connection closes.
func (v *versionState) close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.stmt == nil {
		return nil
	}
	err := v.stmt.Close()
	v.stmt = nil
	return err
}

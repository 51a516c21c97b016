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
	stmt  driver.Stmt
	asked int // the calls that read data_version (tests count them)
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
	v.asked++
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
		st, err := prepareDataVersion(ctx, dc)
		if err != nil {
			return err
		}
		v.stmt = st
	}
	dv, err := queryDataVersion(ctx, v.stmt)
	if err != nil {
		return err
	}
	if v.conn != dc || v.last != dv {
		v.conn, v.last = dc, dv
		v.gen++
	}
	return nil
}

// prepareDataVersion prepares PRAGMA data_version on dc, a driver
// connection: preparing and finalising it cost twice what running it
// does.
func prepareDataVersion(ctx context.Context, dc any) (driver.Stmt, error) {
	pc, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return nil, errors.New("driver connection cannot prepare")
	}
	return pc.PrepareContext(ctx, `PRAGMA data_version`)
}

// queryDataVersion runs st, PRAGMA data_version prepared on its
// connection, and returns the number.
func queryDataVersion(ctx context.Context, st driver.Stmt) (int64, error) {
	qc, ok := st.(driver.StmtQueryContext)
	if !ok {
		return 0, errors.New("driver statement cannot query")
	}
	rows, err := qc.QueryContext(ctx, nil)
	if err != nil {
		return 0, err
	}
	row := make([]driver.Value, 1)
	err = rows.Next(row)
	if err = errors.Join(err, rows.Close()); err != nil {
		return 0, err
	}
	dv, ok := row[0].(int64)
	if !ok {
		return 0, errors.New("data_version is not an integer")
	}
	return dv, nil
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

// readerGens maps the reader connections to the DataVersion of the last
// snapshot each was seen to read, with its PRAGMA data_version then. A
// connection's data_version moves whenever another connection committed
// since its last snapshot (readers never write), so a snapshot starting
// at the same number is of the same state: a search on it knows its
// DataVersion without asking (see Store.searchCached).
type readerGens struct {
	mu sync.Mutex
	// by is keyed by the driver connection, which the map keeps, so its
	// address is never reused by a new connection.
	by map[any]*readerGen
}

// readerGen is a reader connection's PRAGMA data_version, prepared on
// it, and its number at a snapshot of DataVersion gen (seen: one was).
type readerGen struct {
	stmt driver.Stmt
	dv   int64
	gen  uint64
	seen bool
}

// maxReaderGens bounds the connections a readerGens keeps (a Store opens
// readers; more come only when the pool replaces a broken one).
const maxReaderGens = 4 * readers

// dataVersion returns the PRAGMA data_version of dc, a reader's driver
// connection that the caller holds. In a transaction, the first
// statement starts its snapshot.
func (r *readerGens) dataVersion(ctx context.Context, dc any) (int64, error) {
	r.mu.Lock()
	g := r.by[dc]
	r.mu.Unlock()
	if g == nil {
		st, err := prepareDataVersion(ctx, dc)
		if err != nil {
			return 0, err
		}
		g = &readerGen{stmt: st}
		r.mu.Lock()
		if r.by == nil || len(r.by) >= maxReaderGens {
			// A statement of a connection the pool dropped is left to
			// it: closing it there would use a closed connection.
			r.by = make(map[any]*readerGen, readers)
		}
		r.by[dc] = g
		r.mu.Unlock()
	}
	return queryDataVersion(ctx, g.stmt)
}

// gen returns the DataVersion of a snapshot of connection dc whose
// data_version is dv, when known.
func (r *readerGens) gen(dc any, dv int64) (uint64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	g := r.by[dc]
	if g == nil || !g.seen || g.dv != dv {
		return 0, false
	}
	return g.gen, true
}

// note notes that connection dc read a snapshot of DataVersion gen when
// its data_version was dv.
func (r *readerGens) note(dc any, dv int64, gen uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if g := r.by[dc]; g != nil {
		g.dv, g.gen, g.seen = dv, gen, true
	}
}

// close closes the kept statements, before their connections close.
func (r *readerGens) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for _, g := range r.by {
		errs = append(errs, g.stmt.Close())
	}
	r.by = nil
	return errors.Join(errs...)
}

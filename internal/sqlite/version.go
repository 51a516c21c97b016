package sqlite

import (
	"context"
	"sync"
)

// versionState numbers the states of the index a Store has seen.
type versionState struct {
	mu   sync.Mutex
	gen  uint64
	conn any   // the connection last asked (its numbers are its own)
	last int64 // its PRAGMA data_version when last asked
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
	var id any
	if err := conn.Raw(func(dc any) error { id = dc; return nil }); err != nil {
		return 0, s.fail(ctx, "data version", err)
	}
	v := &s.mem().ver
	v.mu.Lock()
	defer v.mu.Unlock()
	var dv int64
	if err := conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&dv); err != nil {
		return 0, s.fail(ctx, "data version", err)
	}
	// The driver connection is kept, so its address is never reused by a
	// new connection that would inherit the old one's number.
	if v.conn != id || v.last != dv {
		v.conn, v.last = id, dv
		v.gen++
	}
	return v.gen, nil
}

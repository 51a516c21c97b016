package sqlite

import (
	"context"
	"sync"
)

// versionState numbers the states of the index a Store has seen.
type versionState struct {
	mu   sync.Mutex
	gen  uint64
	last map[any]int64 // read connection → its PRAGMA data_version when last asked
}

// DataVersion returns a number that stays the same only while no write to
// the index commits, from this process or another: if two calls return the
// same number, nothing was written between them. A number is meaningful
// only to the Store that returned it. It reads no table.
//
// SQLite's data_version changes, on one connection, when another connection
// commits. DataVersion asks a read connection (never a writer) and counts
// up whenever that connection's value moved or the connection is new to it,
// so any commit before a call is seen by the first call after it on every
// connection, and every later call returns a larger number. Calls take
// turns (one statement each).
func (s *Store) DataVersion(ctx context.Context) (uint64, error) {
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return 0, s.fail(ctx, "data version", err)
	}
	defer conn.Close()
	var id any
	if err := conn.Raw(func(dc any) error { id = dc; return nil }); err != nil {
		return 0, s.fail(ctx, "data version", err)
	}
	// Checks take turns, so that every check that reads after a commit
	// returns a larger number than every check that read before it.
	v := &s.mem().ver
	v.mu.Lock()
	defer v.mu.Unlock()
	var dv int64
	if err := conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&dv); err != nil {
		return 0, s.fail(ctx, "data version", err)
	}
	if v.last == nil {
		v.last = make(map[any]int64)
	}
	// The map holds the driver connection, so its address is never reused
	// by a new connection that would inherit the old one's number.
	if last, ok := v.last[id]; !ok || last != dv {
		v.last[id] = dv
		v.gen++
	}
	return v.gen, nil
}

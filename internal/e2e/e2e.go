package e2e

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/sqlite"
)

// Open opens a fresh SQLite index in a temporary directory, closed when
// the test ends.
func Open(tb testing.TB) *sqlite.Store {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "livespec.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// Index ingests the git repository opt.Dir as opt.Repo into a fresh
// SQLite index (Open), failing the test when ingest fails.
func Index(tb testing.TB, opt ingest.Options) *sqlite.Store {
	tb.Helper()
	st := Open(tb)
	if _, err := ingest.Run(context.Background(), st, opt); err != nil {
		tb.Fatal(err)
	}
	return st
}

package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// TestCheckpointKeptPerVersion checks that Checkpoint reads a
// repository's checkpoint, or its absence, once while nothing is written,
// and reads it anew after a write: of this Store, and of another process
// (a second Store on the same file).
func TestCheckpointKeptPerVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	s, other := openAt(t, path), openAt(t, path)
	reads := 0
	was := readCheckpoint
	readCheckpoint = func(s *Store, ctx context.Context, repo string) (keptCheckpoint, error) {
		reads++
		return was(s, ctx, repo)
	}
	t.Cleanup(func() { readCheckpoint = was })
	ask := func(repo string) string {
		t.Helper()
		cp, err := s.Checkpoint(ctx, repo)
		if livespec.ErrorCode(err) == livespec.ENOTFOUND {
			return "none"
		}
		if err != nil {
			t.Fatal(err)
		}
		return cp.Commit
	}
	write := func(st *Store, commit string) {
		t.Helper()
		cp := &livespec.Checkpoint{Repo: "r", Branch: "main", Commit: commit, Time: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}
		if err := st.Apply(ctx, &livespec.Batch{Repo: "r", Checkpoint: cp}); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		name  string
		write func()
		want  string
		reads int
	}{
		{"never ingested", nil, "none", 1},
		{"absence kept", nil, "none", 1},
		{"written here", func() { write(s, "c1") }, "c1", 2},
		{"kept", nil, "c1", 2},
		{"written by another process", func() { write(other, "c2") }, "c2", 3},
		{"kept again", nil, "c2", 3},
	} {
		if step.write != nil {
			step.write()
		}
		if got := ask("r"); got != step.want || reads != step.reads {
			t.Errorf("%s: checkpoint %s after %d reads, want %s after %d", step.name, got, reads, step.want, step.reads)
		}
	}
}

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/internal/storetest"
)

// bigRepo builds a history of n commits, each editing, adding or renaming
// spec files, so an ingest takes long enough to be killed in the middle.
func bigRepo(t testing.TB, n int) *gittest.Repo {
	r := gittest.New(t, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	for i := range n {
		for j := range 4 {
			f := fmt.Sprintf("spec/area%d/file%d.md", j, (i+j)%12)
			body := fmt.Sprintf("# Area %d file %d\n\n## Rules\n\nRule revision %d for area %d.\n\n## Notes\n\nNote %d.\n", j, (i+j)%12, i, j, i%7)
			for k := range 20 {
				body += fmt.Sprintf("\n## Section %d\n\nStable text %d of file %d with some words to index.\n", k, k, (i+j)%12)
			}
			r.Write(f, body)
		}
		if i%25 == 24 {
			r.Move(fmt.Sprintf("spec/area0/file%d.md", i%12), fmt.Sprintf("spec/moved/file%d-%d.md", i%12, i))
		}
		r.Commit(fmt.Sprintf("change %d", i))
	}
	return r
}

// TestKillAndResume kills `livespec ingest` with SIGKILL at several moments
// and checks that running it again gives exactly the index of an
// uninterrupted run.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and a 150-commit repository")
	}
	bin := filepath.Join(t.TempDir(), "livespec")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	r := bigRepo(t, 150)
	ingestCmd := func(index string) *exec.Cmd {
		c := exec.Command(bin, "ingest", "--repo", r.Dir, "--index", index, "--name", "specs")
		c.Env = append(os.Environ(), "HOME="+t.TempDir())
		return c
	}

	clean := t.TempDir()
	start := time.Now()
	if out, err := ingestCmd(clean).CombinedOutput(); err != nil {
		t.Fatalf("clean ingest: %v\n%s", err, out)
	}
	full := time.Since(start)

	crashed := t.TempDir()
	interrupted := 0
	for _, frac := range []float64{0.01, 0.05, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.95} {
		c := ingestCmd(crashed)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(frac * float64(full)))
		_ = c.Process.Signal(syscall.SIGKILL)
		err := c.Wait()
		if ws, ok := c.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			interrupted++
		} else if err != nil {
			t.Fatalf("ingest failed on its own: %v", err)
		}
	}
	if interrupted == 0 {
		t.Fatalf("no run was interrupted (a clean run took %v)", full)
	}
	if out, err := ingestCmd(crashed).CombinedOutput(); err != nil {
		t.Fatalf("final ingest: %v\n%s", err, out)
	}

	ctx := context.Background()
	snap := func(dir string) string {
		st, err := sqlite.Open(ctx, filepath.Join(dir, "livespec.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		return storetest.Snapshot(ctx, t, st, "specs")
	}
	want, got := snap(clean), snap(crashed)
	if got != want {
		t.Errorf("after %d kills, the index differs from a clean run's (%d vs %d bytes of snapshot)", interrupted, len(got), len(want))
	}
	t.Logf("killed %d of 9 runs; clean ingest took %v", interrupted, full)
}

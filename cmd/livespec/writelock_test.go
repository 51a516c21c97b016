package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/internal/storetest"
)

// TestMain lets a test run this package's main in a child process (the
// test binary with LIVESPEC_TEST_MAIN=1 is livespec), so tests can start
// real concurrent processes without building a binary.
func TestMain(m *testing.M) {
	if os.Getenv("LIVESPEC_TEST_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// livespecProc is `livespec args...` as a child process.
func livespecProc(t testing.TB, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	c := exec.Command(os.Args[0], args...)
	c.Env = append(os.Environ(), "LIVESPEC_TEST_MAIN=1", "HOME="+t.TempDir(), "XDG_CACHE_HOME="+t.TempDir())
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	return c, &out
}

// runTogether starts every command at once and waits for all of them.
func runTogether(t testing.TB, cmds ...[]string) []string {
	t.Helper()
	type proc struct {
		c   *exec.Cmd
		out *bytes.Buffer
	}
	var ps []proc
	for _, args := range cmds {
		c, out := livespecProc(t, args...)
		ps = append(ps, proc{c, out})
	}
	for _, p := range ps {
		if err := p.c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	outs := make([]string, len(ps))
	for i, p := range ps {
		done := make(chan error, 1)
		go func() { done <- p.c.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("livespec %s: %v\n%s", strings.Join(cmds[i], " "), err, p.out)
			}
		case <-time.After(3 * time.Minute):
			_ = p.c.Process.Kill()
			t.Fatalf("livespec %s did not end in 3 minutes\n%s", strings.Join(cmds[i], " "), p.out)
		}
		outs[i] = p.out.String()
	}
	return outs
}

func indexSnapshot(t testing.TB, dir, repo string) string {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "livespec.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return storetest.Snapshot(ctx, t, st, repo)
}

// TestConcurrentIngests runs two `livespec ingest` processes on one index at
// once: on a new index, and a plain ingest racing `ingest --rebuild`. Both
// must succeed and leave the index a single clean run leaves.
func TestConcurrentIngests(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ingest processes on a 30-commit repository")
	}
	r := bigRepo(t, 30)
	ingest := func(index string, extra ...string) []string {
		return append([]string{"ingest", "--repo", r.Dir, "--index", index, "--name", "specs"}, extra...)
	}
	clean := t.TempDir()
	runTogether(t, ingest(clean))
	want := indexSnapshot(t, clean, "specs")

	t.Run("WaitsForTheWriterThenRuns", func(t *testing.T) {
		idx := t.TempDir()
		ctx := context.Background()
		st, err := sqlite.Open(ctx, filepath.Join(idx, "livespec.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		unlock, err := st.LockWrites(ctx, nil) // as another ingest would
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		c, _ := livespecProc(t, ingest(idx)...)
		buf := &lockedWriter{w: &bytes.Buffer{}}
		c.Stdout, c.Stderr = buf, buf
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- c.Wait() }()
		deadline := time.After(2 * time.Minute)
		for !strings.Contains(buf.String(), "another ingest is running on this index: waiting for it to end (at most 10m0s)") {
			select {
			case err := <-done:
				t.Fatalf("ingest ended (%v) while another writer held the lock:\n%s", err, buf.String())
			case <-deadline:
				_ = c.Process.Kill()
				t.Fatalf("ingest never said it waits:\n%s", buf.String())
			case <-time.After(50 * time.Millisecond):
			}
		}
		if _, err := st.Checkpoint(ctx, "specs"); livespec.ErrorCode(err) != livespec.ENOTFOUND {
			t.Fatalf("the waiting ingest wrote while another writer held the lock: %v", err)
		}
		unlock()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("ingest after the lock was freed: %v\n%s", err, buf.String())
			}
		case <-time.After(3 * time.Minute):
			_ = c.Process.Kill()
			t.Fatalf("ingest did not end after the lock was freed:\n%s", buf.String())
		}
		if got := indexSnapshot(t, idx, "specs"); got != want {
			t.Fatalf("the ingest that waited left another index than one run")
		}
	})
	t.Run("TwoIngestsOfANewIndex", func(t *testing.T) {
		for range 3 {
			idx := t.TempDir()
			outs := runTogether(t, ingest(idx), ingest(idx))
			if got := indexSnapshot(t, idx, "specs"); got != want {
				t.Fatalf("two concurrent ingests left another index than one run (%d vs %d bytes of snapshot)\n%s\n%s", len(got), len(want), outs[0], outs[1])
			}
		}
	})
	t.Run("IngestRacingRebuild", func(t *testing.T) {
		for range 3 {
			idx := t.TempDir()
			runTogether(t, ingest(idx))
			outs := runTogether(t, ingest(idx, "--rebuild"), ingest(idx), ingest(idx, "--rebuild"))
			if got := indexSnapshot(t, idx, "specs"); got != want {
				t.Fatalf("ingest racing --rebuild left another index than one run (%d vs %d bytes of snapshot)\n%s", len(got), len(want), strings.Join(outs, "\n"))
			}
		}
	})
}

// TestIngestGivesUpOnABusyIndex holds an index's writer lock (as another
// ingest would) and runs ingest with a short --lock-wait: it says it
// waits, then fails with a conflict naming the index, and writes nothing.
func TestIngestGivesUpOnABusyIndex(t *testing.T) {
	r := bigRepo(t, 3)
	idx := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(idx, "livespec.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	unlock, err := st.LockWrites(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, stderr, err := livespecRun(t, nil, "ingest", "--repo", r.Dir, "--index", idx, "--lock-wait", "500ms")
	if livespec.ErrorCode(err) != livespec.ECONFLICT {
		t.Fatalf("ingest on a locked index: %v (kind %q), want a conflict", err, livespec.ErrorCode(err))
	}
	if !strings.Contains(err.Error(), "another ingest is running on the index "+filepath.Join(idx, "livespec.db")) {
		t.Errorf("error %q does not say another ingest runs on the index", err)
	}
	if !strings.Contains(stderr, "another ingest is running on this index: waiting for it to end (at most 500ms)") {
		t.Errorf("stderr says nothing of the wait:\n%s", stderr)
	}
	if el := time.Since(start); el < 500*time.Millisecond {
		t.Errorf("gave up after %s, before --lock-wait", el)
	}
	if _, err := st.Checkpoint(ctx, repoName(r.Dir)); livespec.ErrorCode(err) != livespec.ENOTFOUND {
		t.Errorf("the ingest that gave up wrote a checkpoint: %v", err)
	}
	unlock()
	if _, _, err := livespecRun(t, nil, "ingest", "--repo", r.Dir, "--index", idx, "--lock-wait", "500ms"); err != nil {
		t.Fatalf("ingest once the lock is free: %v", err)
	}
}

package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
)

func TestDataVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	s := openAt(t, path)
	batches := wordyHistory("a", 2, 4)
	version := func() uint64 {
		t.Helper()
		v, err := s.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// busy holds n read connections, so that the next call asks another.
	busy := func(n int) func() { return holdReaders(t, s, n) }
	if err := s.Apply(ctx, batches[0]); err != nil {
		t.Fatal(err)
	}
	// Visit every read connection once; from then on, no write, no change.
	for i := range readers {
		release := busy(i)
		version()
		release()
	}
	v := version()
	for i := range readers {
		release := busy(i)
		if got := version(); got != v {
			t.Fatalf("nothing written, yet connection %d says %d after %d", i, got, v)
		}
		release()
	}

	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for step, write := range []func() error{
		func() error { return s.Apply(ctx, batches[1]) },
		func() error { return other.Apply(ctx, batches[2]) }, // as another process
		func() error { return other.DeleteRepo(ctx, "a") },
	} {
		if err := write(); err != nil {
			t.Fatal(err)
		}
		// Whichever connection answers first after the write, and every
		// one after it, must say something new.
		for i := range readers {
			release := busy(readers - 1 - i)
			got := version()
			release()
			if got <= v {
				t.Fatalf("write %d: connection %d says %d, not after %d", step, i, got, v)
			}
		}
		v = version()
	}
}

// TestDataVersionConcurrent checks, with calls racing writes, that a call
// that starts after a write ends never returns a number returned by a call
// that ended before the write started.
func TestDataVersionConcurrent(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	batches := wordyHistory("a", 3, 30)
	var before uint64 // the largest number seen before the current write started
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.DataVersion(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for _, b := range batches {
		v, err := s.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		before = max(before, v)
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
		after, err := s.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if after <= before {
			t.Fatalf("after a write: %d, before it: %d", after, before)
		}
	}
	close(stop)
	wg.Wait()
}

// TestDataVersionOncePerWrite checks that one write moves the number once,
// whichever read connections are busy when it is asked: what callers keep
// per version (the current files, the answers) is then made once per
// write, not once per connection.
func TestDataVersionOncePerWrite(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	batches := wordyHistory("a", 3, 4)
	// version asks for the version while n read connections are held.
	version := func(n int) uint64 {
		t.Helper()
		defer holdReaders(t, s, n)()
		v, err := s.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	prev := version(0)
	for step, b := range batches {
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
		v := version(0)
		if v <= prev {
			t.Fatalf("write %d: version %d, not after %d", step, v, prev)
		}
		for i := range readers {
			if got := version(i); got != v {
				t.Fatalf("write %d: with %d readers busy the version is %d, with none %d: one write, two versions", step, i, got, v)
			}
		}
		prev = v
	}
}

// holdReaders takes n of s's read connections and returns what gives them
// back.
func holdReaders(tb testing.TB, s *Store, n int) func() {
	tb.Helper()
	var conns []*sql.Conn
	for range n {
		c, err := s.r.Conn(tb.Context())
		if err != nil {
			tb.Fatal(err)
		}
		conns = append(conns, c)
	}
	return func() {
		for _, c := range conns {
			c.Close()
		}
	}
}

// BenchmarkDataVersion measures a call when nothing was written: what a
// search pays twice and retrieval's version cache once per look-up.
func BenchmarkDataVersion(b *testing.B) {
	ctx := context.Background()
	s := openAt(b, filepath.Join(b.TempDir(), "x.db"))
	if err := s.Apply(ctx, wordyHistory("a", 2, 4)[0]); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.DataVersion(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

package sqlite_test

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/internal/storetest"
)

// open returns a new store in a temporary directory, closed at cleanup.
func open(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "index", "livespec.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) livespec.Store { return open(tb) })
}

// shop applies a two-commit history to s and returns it.
func shop(tb testing.TB, s livespec.Store) *storetest.History {
	tb.Helper()
	h := storetest.NewHistory("shop")
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, b := range []*livespec.Batch{
		h.Commit(storetest.Commit{SHA: strings.Repeat("a", 40), Time: t0, Author: "Ann", Message: "checkout",
			Files: map[string][]livespec.Section{"specs/checkout.md": {
				storetest.Sec("Checkout", "# Checkout\nThe cart is paid in one step."),
				storetest.Sec("Checkout > Coupons", "## Coupons\nCoupons are not supported."),
			}}}),
		h.Commit(storetest.Commit{SHA: strings.Repeat("b", 40), Time: t0.Add(48 * time.Hour), Author: "Bob", Message: "coupons",
			Files: map[string][]livespec.Section{"specs/checkout.md": {
				storetest.Sec("Checkout", "# Checkout\nThe cart is paid in one step."),
				storetest.Sec("Checkout > Coupons", "## Coupons\nOne coupon per order."),
			}}}),
	} {
		if err := s.Apply(context.Background(), b); err != nil {
			tb.Fatalf("apply %d: %v", i, err)
		}
	}
	return h
}

func TestReopenPersists(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "livespec.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	shop(t, s)
	info := livespec.IndexInfo{Embedder: "test/2d", Dimensions: 2}
	if err := s.SetIndex(ctx, info); err != nil {
		t.Fatal(err)
	}
	want := storetest.Snapshot(ctx, t, s, "shop")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open2(t, path)
	if got := storetest.Snapshot(ctx, t, s, "shop"); got != want {
		t.Errorf("after reopening:\n%s\nwant:\n%s", got, want)
	}
	if got, err := s.Index(ctx); err != nil || got != info {
		t.Errorf("index after reopening = %+v, %v; want %+v", got, err, info)
	}
	hits, err := s.Search(ctx, livespec.SearchQuery{Text: "coupon per order", Validity: livespec.Current()})
	if err != nil || len(hits) != 1 || hits[0].Version.Heading != "Checkout > Coupons" {
		t.Errorf("search after reopening: %+v, %v", hits, err)
	}
}

// open2 opens the store at path, closed at cleanup.
func open2(tb testing.TB, path string) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// rawExec runs statements on the file at path with a plain connection.
func rawExec(tb testing.TB, path string, stmts ...string) {
	tb.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	newer := filepath.Join(dir, "newer.db")
	s, err := sqlite.Open(ctx, newer)
	if err != nil {
		t.Fatal(err)
	}
	shop(t, s)
	s.Close()
	rawExec(t, newer, fmt.Sprintf("PRAGMA user_version = %d", sqlite.SchemaVersion()+1))

	for _, tt := range []struct {
		name  string
		setup func(path string)
		want  string // in the message
	}{
		{"text file", func(p string) { os.WriteFile(p, []byte(strings.Repeat("not a database\n", 100)), 0o644) }, "not a livespec index"},
		{"another application's database", func(p string) {
			rawExec(t, p, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)", "INSERT INTO notes (body) VALUES ('keep me')")
		}, "another application"},
		{"newer schema", func(p string) {
			b, _ := os.ReadFile(newer)
			os.WriteFile(p, b, 0o644)
		}, "newer livespec"},
		{"directory", func(p string) { os.Mkdir(p, 0o755) }, "is a directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.db")
			tt.setup(path)
			before := dirState(t, filepath.Dir(path))
			s, err := sqlite.Open(ctx, path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v (%s), want an EINVALID error saying %q", err, livespec.ErrorCode(err), tt.want)
			}
			if after := dirState(t, filepath.Dir(path)); after != before {
				t.Errorf("a refused Open changed the files:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	if os.Geteuid() != 0 { // root opens anything
		ro := filepath.Join(t.TempDir(), "ro")
		os.Mkdir(ro, 0o555)
		if _, err := sqlite.Open(ctx, filepath.Join(ro, "x.db")); livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
			t.Errorf("Open in a read-only directory = %v, want EUNAVAILABLE", err)
		}
	}
	if _, err := sqlite.Open(ctx, ""); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Errorf("Open(\"\") = %v, want EINVALID", err)
	}
}

// dirState describes the files in dir and their contents.
func dirState(tb testing.TB, dir string) string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		fmt.Fprintf(&b, "%s:%s ", e.Name(), livespec.ContentHash(string(data))[:12])
	}
	return b.String()
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		setup func(path string)
		page  int // a file with a table keeps the page size it was made with
	}{
		{"missing file", func(string) {}, 8192},
		{"empty file", func(p string) { os.WriteFile(p, nil, 0o644) }, 8192},
		{"killed while choosing the page size", func(p string) {
			// What an older Open left when killed between its statements.
			db, err := sql.Open("sqlite", p)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec("CREATE TABLE livespec_init (x)"); err != nil {
				t.Fatal(err)
			}
		}, 4096},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "deep", "er", "x.db")
			os.MkdirAll(filepath.Dir(path), 0o755)
			tt.setup(path)
			s := open2(t, path)
			shop(t, s)
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var app, ver, page int
			var mode string
			if err := db.QueryRow(`SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version),
				(SELECT journal_mode FROM pragma_journal_mode), (SELECT page_size FROM pragma_page_size)`).Scan(&app, &ver, &mode, &page); err != nil {
				t.Fatal(err)
			}
			if app != 0x4C565350 || ver != sqlite.SchemaVersion() || mode != "wal" || page != tt.page {
				t.Errorf("application_id %#x, user_version %d, journal %s, page size %d; want 0x4c565350, %d, wal, %d", app, ver, mode, page, sqlite.SchemaVersion(), tt.page)
			}
			// Opening again migrates nothing and keeps the data.
			s2 := open2(t, path)
			if st, err := s2.Stats(ctx, "shop"); err != nil || st.Versions != 3 {
				t.Errorf("stats after a second open = %+v, %v", st, err)
			}
		})
	}
}

func TestConcurrentReadersDuringWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "livespec.db")
	w := open2(t, path)
	other := open2(t, path) // another process, as far as SQLite knows
	h := shop(t, w)
	if err := w.SetIndex(ctx, livespec.IndexInfo{Embedder: "c/2", Dimensions: 2}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)

	const commits = 40
	done := make(chan struct{})
	errc := make(chan error, 16)
	var wg sync.WaitGroup
	for i, s := range []*sqlite.Store{w, w, other, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := int64(0)
			for {
				select {
				case <-done:
					return
				default:
				}
				cp, err := s.Checkpoint(ctx, "shop")
				if err != nil {
					errc <- fmt.Errorf("reader %d: checkpoint: %w", i, err)
					return
				}
				if cp.Seq < last {
					errc <- fmt.Errorf("reader %d: checkpoint went back from %d to %d", i, last, cp.Seq)
					return
				}
				last = cp.Seq
				hits, err := s.Search(ctx, livespec.SearchQuery{Text: "feature flag rollout coupons", Validity: livespec.Current(), Limit: 50,
					Vector: []float32{1, float32(i)}, Embedder: "c/2"})
				if err != nil {
					errc <- fmt.Errorf("reader %d: search: %w", i, err)
					return
				}
				for _, h := range hits {
					if !h.Version.Current() {
						errc <- fmt.Errorf("reader %d: current search returned closed %s", i, h.Version.ID)
						return
					}
				}
				if _, err := s.Changes(ctx, livespec.ChangeQuery{Sections: true, Limit: 20}); err != nil {
					errc <- fmt.Errorf("reader %d: changes: %w", i, err)
					return
				}
			}
		}()
	}
	for i := range commits {
		b := h.Commit(storetest.Commit{SHA: fmt.Sprintf("%040d", i), Time: t0.Add(time.Duration(i) * time.Hour), Author: "Ci",
			Message: "flags", Files: map[string][]livespec.Section{"specs/flags.md": {
				storetest.Sec("Flags", fmt.Sprintf("# Flags\nThe feature flag rollout reaches %d percent.", i)),
			}}})
		for _, v := range b.Versions {
			b.Vectors = append(b.Vectors, livespec.Vector{Embedder: "c/2", Hash: v.Hash, Values: []float32{float32(i), 1}})
		}
		if err := w.Apply(ctx, b); err != nil {
			t.Fatalf("apply %d: %v", i, err)
		}
	}
	close(done)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	hits, err := other.Search(ctx, livespec.SearchQuery{Text: "feature flag rollout", Validity: livespec.Current()})
	if err != nil || len(hits) != 1 || !strings.Contains(hits[0].Version.Text, "reaches 39 percent") {
		t.Errorf("the other store after the writes: %+v, %v", hits, err)
	}
	hits, err = other.Search(ctx, livespec.SearchQuery{Vector: []float32{39, 1}, Embedder: "c/2", Validity: livespec.AsOf(t0.Add(39 * time.Hour))})
	if err != nil || len(hits) == 0 || !strings.Contains(hits[0].Version.Text, "reaches 39 percent") {
		t.Errorf("the other store after the writes: %+v, %v", hits, err)
	}
}

func TestVectorsAcrossStoresAndReset(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "livespec.db")
	s1, s2 := open2(t, path), open2(t, path)
	shop(t, s1)
	checkout := livespec.ContentHash("# Checkout\nThe cart is paid in one step.")
	coupons := livespec.ContentHash("## Coupons\nOne coupon per order.")
	put := func(s *sqlite.Store, embedder string, vs map[string][]float32) {
		t.Helper()
		b := &livespec.Batch{Repo: "shop"}
		for h, v := range vs {
			b.Vectors = append(b.Vectors, livespec.Vector{Embedder: embedder, Hash: h, Values: v})
		}
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	first := func(s *sqlite.Store, embedder string, q []float32) string {
		t.Helper()
		hits, err := s.Search(ctx, livespec.SearchQuery{Vector: q, Embedder: embedder, Validity: livespec.Current()})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 {
			return ""
		}
		return hits[0].Version.Heading
	}
	if err := s1.SetIndex(ctx, livespec.IndexInfo{Embedder: "e/2", Dimensions: 2}); err != nil {
		t.Fatal(err)
	}
	put(s1, "e/2", map[string][]float32{checkout: {0, 1}, coupons: {1, 0}})
	if got := first(s1, "e/2", []float32{0, 1}); got != "Checkout" {
		t.Fatalf("nearest to (0, 1) = %q, want Checkout", got)
	}
	// Another process replaces the vectors; this one sees the new ones.
	put(s2, "e/2", map[string][]float32{checkout: {1, 0}, coupons: {0, 3}})
	if got := first(s1, "e/2", []float32{0, 1}); got != "Checkout > Coupons" {
		t.Errorf("after another store rewrote the vectors, nearest to (0, 1) = %q, want the Coupons", got)
	}
	// Switching embedders: SetIndex refuses, ResetVectors drops the old vectors.
	next := livespec.IndexInfo{Embedder: "f/3", Dimensions: 3}
	if err := s2.SetIndex(ctx, next); livespec.ErrorCode(err) != livespec.EMISMATCH {
		t.Fatalf("SetIndex over vectors of another embedder: %v, want EMISMATCH", err)
	}
	if err := s2.ResetVectors(ctx, next); err != nil {
		t.Fatal(err)
	}
	if has, err := s1.HasVectors(ctx, "e/2", []string{checkout, coupons}); err != nil || len(has) != 0 {
		t.Errorf("vectors of the old embedder after ResetVectors: %v, %v", has, err)
	}
	if info, err := s1.Index(ctx); err != nil || info != next {
		t.Errorf("index after ResetVectors = %+v, %v", info, err)
	}
	if _, err := s1.Search(ctx, livespec.SearchQuery{Vector: []float32{0, 1}, Embedder: "e/2", Validity: livespec.Current()}); livespec.ErrorCode(err) != livespec.EMISMATCH {
		t.Errorf("search with the old embedder: %v, want EMISMATCH", err)
	}
	put(s2, "f/3", map[string][]float32{checkout: {0, 0, 1}, coupons: {0, 1, 0}})
	if got := first(s1, "f/3", []float32{0, 0, 1}); got != "Checkout" {
		t.Errorf("nearest with the new embedder = %q, want Checkout", got)
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestSnapshotGolden pins what a small history looks like in the store,
// through storetest.Snapshot: ids, intervals, changes, checkpoint.
func TestSnapshotGolden(t *testing.T) {
	s := open(t)
	shop(t, s)
	got := storetest.Snapshot(context.Background(), t, s, "shop")
	golden := filepath.Join("testdata", "shop.snapshot")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("snapshot differs from %s (run with -update if the change is intended):\n%s", golden, got)
	}
}

// TestWriteLock runs the writer-lock contract on two stores opened on one
// index file, as two processes would open it.
func TestWriteLock(t *testing.T) {
	storetest.WriteLock(t, func(tb testing.TB) (livespec.Store, livespec.Store) {
		path := filepath.Join(tb.TempDir(), "livespec.db")
		var out [2]livespec.Store
		for i := range out {
			s, err := sqlite.Open(context.Background(), path)
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { s.Close() })
			out[i] = s
		}
		return out[0], out[1]
	})
}

// TestOpenWhileWriting opens an index while another connection holds a
// write transaction on it (as an ingest does for each batch): opening an
// index of the current schema reads it, and neither waits for the writer
// nor fails.
func TestOpenWhileWriting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "livespec.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	shop(t, s)
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")
	if _, err := conn.ExecContext(ctx, "UPDATE checkpoints SET config = config"); err != nil {
		t.Fatal(err)
	}
	octx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	r, err := sqlite.Open(octx, path)
	if err != nil {
		t.Fatalf("open while another connection writes: %v", err)
	}
	defer r.Close()
	if _, err := r.Checkpoint(octx, "shop"); err != nil {
		t.Errorf("read while another connection writes: %v", err)
	}
}

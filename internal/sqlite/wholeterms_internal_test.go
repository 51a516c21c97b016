package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/livespec/livespec"
)

// TestTermCountsKept checks that a warmed Store answers TermCounts from
// the counts it keeps exactly as term_counts answers (a Store of the same
// file, not warmed), asking the index nothing: stems and words stored,
// escaped in JSON, absent, or not valid UTF-8 (which no analysis makes,
// counted 0), and the number of sections. After a write, the counts are
// read from the index again: a new term, and a version still to count
// (not settled).
func TestTermCountsKept(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	s, plain := openAt(t, path), openAt(t, path)
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := s.w.Exec(query, args...); err != nil {
			t.Fatal(err)
		}
	}
	put := func(kind int, term string, n int) {
		exec(`INSERT INTO term_counts (kind, term, n) VALUES (?, ?, ?)`, kind, term, n)
	}
	put(kindSections, "", 7)
	for i, term := range []string{"coupon", `"quoted"`, `back\slash`, "<b>&amp;", "line\u2028sep", "héllo", "zebra"} {
		put(kindStem, term, i+1)
		put(kindWord, term+"s", i+11)
	}
	put(kindWord, "coupon", 30)
	if err := s.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	ask := []string{"coupon", "coupons", `"quoted"`, `back\slash`, "<b>&amp;s", "line\u2028sep", "héllo", "h\xe9llo", "absent", "", "zebras", "zz"}
	for _, tt := range []struct {
		name    string
		write   func()
		kept    bool
		settled bool
	}{
		{"warmed", nil, true, true},
		{"a term written", func() { put(kindStem, "absent", 3) }, false, true},
		{"a version to count", func() {
			exec(`INSERT INTO texts (id, hash, text) VALUES (1, 'h1', 'Coupons.')`)
			exec(`INSERT INTO versions (id, repo, path, heading, part, level, text_id, commit_, seq, valid_from, author, end_commit)
				VALUES ('v1', 'shop', 'a.md', 'A', 0, 2, 1, 'c1', 1, 0, 'Ada', '')`)
		}, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.write != nil {
				tt.write()
			}
			fromKept := false
			was := keptTermCounts
			keptTermCounts = func(w *wholeTerms, c *livespec.TermCounts) bool {
				fromKept = true
				return was(w, c)
			}
			defer func() { keptTermCounts = was }()
			got, settled, err := s.TermCounts(ctx, ask, ask)
			if err != nil {
				t.Fatal(err)
			}
			want, wantSettled, err := plain.TermCounts(ctx, ask, ask)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) || settled != wantSettled || settled != tt.settled {
				t.Errorf("warmed store: %+v settled %v, want %+v settled %v (%v)", got, settled, want, wantSettled, tt.settled)
			}
			if got.Sections != 7 || got.Stems["coupon"] != 1 || got.Words["coupon"] != 30 || got.Words["zebras"] != 17 {
				t.Errorf("counts %+v, want 7 sections, stem coupon 1, words coupon 30 and zebras 17", got)
			}
			if fromKept != tt.kept {
				t.Errorf("answered from the kept counts: %v, want %v", fromKept, tt.kept)
			}
		})
	}
}

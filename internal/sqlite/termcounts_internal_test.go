package sqlite

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
)

// TestMigrateCountsTerms opens an index of schema 6, which kept no term
// statistics, and checks that its open versions are counted and its
// closed ones are not.
func TestMigrateCountsTerms(t *testing.T) {
	path, db := oldIndex(t, 6)
	rows := []struct {
		text, heading string
		closed        bool
	}{
		{"Coupons give discounts.", "Checkout > Coupons", false},
		{"Coupons are stacked.", "Checkout > Coupons", true},
		{"Returns within thirty days.", "Returns", false},
	}
	for i, r := range rows {
		end := ""
		if r.closed {
			end = "c2"
		}
		if _, err := db.Exec(`INSERT INTO texts (id, hash, text) VALUES (?, ?, ?)`, i+1, fmt.Sprint("h", i), r.text); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO versions (id, repo, path, heading, part, level, text_id, commit_, seq, valid_from, author, end_commit)
			VALUES (?, 'shop', 'specs/checkout.md', ?, 0, 2, ?, 'c1', 1, 0, 'Ada', ?)`, fmt.Sprint("v", i), r.heading, i+1, end); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s := openMigrated(t, path)
	c, settled, err := s.TermCounts(context.Background(), []string{"coupon", "stack", "return", "checkout", "spec"}, []string{"coupons", "stacked", "thirty"})
	if err != nil || !settled {
		t.Fatalf("term counts after migration: settled %v, %v", settled, err)
	}
	if c.Sections != 2 {
		t.Errorf("%d sections counted, want the 2 open ones", c.Sections)
	}
	want := map[string]int{"coupon": 1, "stack": 0, "return": 1, "checkout": 2, "spec": 2}
	for term, n := range want {
		if c.Stems[term] != n {
			t.Errorf("stem %q in %d sections, want %d", term, c.Stems[term], n)
		}
	}
	for w, n := range map[string]int{"coupons": 1, "stacked": 0, "thirty": 1} {
		if c.Words[w] != n {
			t.Errorf("word %q in %d sections, want %d", w, c.Words[w], n)
		}
	}
}

// TestTermCountsEscapedTerms checks that terms which JSON writes escaped
// (quotes, backslashes, markup, line separators) are counted as stored,
// and that terms not stored, among them one no analysis makes (invalid
// UTF-8), count 0.
func TestTermCountsEscapedTerms(t *testing.T) {
	s := openTemp(t)
	stems := map[string]int{`"quoted"`: 2, `back\slash`: 3, "<b>&amp;": 4, "line\u2028sep": 5, "héllo": 6}
	words := map[string]int{}
	for term, n := range stems {
		words[term] = n + 10
		for kind, n := range map[int]int{kindStem: n, kindWord: n + 10} {
			if _, err := s.w.Exec(`INSERT INTO term_counts (kind, term, n) VALUES (?, ?, ?)`, kind, term, n); err != nil {
				t.Fatal(err)
			}
		}
	}
	ask := append(slices.Collect(maps.Keys(stems)), "h\xe9llo", "absent")
	c, settled, err := s.TermCounts(context.Background(), ask, ask)
	if err != nil || !settled {
		t.Fatalf("term counts: settled %v, %v", settled, err)
	}
	for _, term := range ask {
		if got, ok := c.Stems[term]; !ok || got != stems[term] {
			t.Errorf("stem %q counted %d (%v), want %d", term, got, ok, stems[term])
		}
		if got, ok := c.Words[term]; !ok || got != words[term] {
			t.Errorf("word %q counted %d (%v), want %d", term, got, ok, words[term])
		}
	}
}

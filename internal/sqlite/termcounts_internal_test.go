package sqlite

import (
	"context"
	"fmt"
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

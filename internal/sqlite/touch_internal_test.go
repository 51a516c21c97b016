package sqlite

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestWarmTouchesEveryBTreeOnEveryReader checks that Warm has each of
// the readers connections read every table's and every index's b-tree
// (the full-text index's shadow tables included), whether or not the
// Store keeps anything, so that no early question maps a page first.
func TestWarmTouchesEveryBTreeOnEveryReader(t *testing.T) {
	for _, keeps := range []bool{true, false} {
		t.Run(fmt.Sprintf("keeps=%v", keeps), func(t *testing.T) {
			ctx := context.Background()
			s := openAt(t, t.TempDir()+"/x.db")
			s.mem().search.off = !keeps
			applyAll(t, s, wordyHistory("a", 3, 20)...)
			var mu sync.Mutex
			ran := map[any]map[string]bool{}
			touched = func(conn any, stmt string) {
				mu.Lock()
				defer mu.Unlock()
				if ran[conn] == nil {
					ran[conn] = map[string]bool{}
				}
				ran[conn][stmt] = true
			}
			t.Cleanup(func() { touched = nil })
			if err := s.Warm(ctx); err != nil {
				t.Fatal(err)
			}
			want := bTreeStatements(t, s)
			if len(ran) != readers {
				t.Fatalf("Warm read the b-trees on %d connections, want %d", len(ran), readers)
			}
			for conn, stmts := range ran {
				for _, q := range want {
					if !stmts[q] {
						t.Errorf("connection %p did not run %s", conn, q)
					}
				}
			}
		})
	}
}

// bTreeStatements returns the count statement of every b-tree of s's
// file, the tables and indexes named in sqlite_schema, and checks that
// it names the ones every index has.
func bTreeStatements(tb testing.TB, s *Store) []string {
	tb.Helper()
	rows, err := s.r.Query(`SELECT name, type, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index')`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	seen := map[string]bool{}
	for rows.Next() {
		var name, typ, table string
		if err := rows.Scan(&name, &typ, &table); err != nil {
			tb.Fatal(err)
		}
		seen[name] = true
		switch {
		case name == "all_fts": // virtual: its shadow tables hold its pages
		case typ == "table":
			out = append(out, fmt.Sprintf(`SELECT count(*) FROM %q NOT INDEXED`, name))
		default:
			out = append(out, fmt.Sprintf(`SELECT count(*) FROM %q INDEXED BY %q`, table, name))
		}
	}
	for _, name := range []string{"texts", "versions", "changes", "changes_order", "all_fts_data", "postings"} {
		if !seen[name] {
			tb.Errorf("the schema has no %s", name)
		}
	}
	return out
}

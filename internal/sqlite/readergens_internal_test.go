package sqlite

import (
	"context"
	"reflect"
	"testing"
)

// TestSearchesAskNoDataVersionWhileUnwritten checks that once a Store's
// searches have read on its reader connections, later searches find the
// same hits without asking DataVersion, and that a write from another
// Store (another process) between them is seen: every search finds what
// a Store that keeps nothing finds.
func TestSearchesAskNoDataVersionWhileUnwritten(t *testing.T) {
	path := t.TempDir() + "/x.db"
	ctx := context.Background()
	s, other, fresh := openAt(t, path), openAt(t, path), openAt(t, path)
	fresh.mem().search.off = true
	applyAll(t, other, wordyHistory("a", 3, 30)...)
	if err := s.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	qs := warmQueries()
	check := func(when string) {
		t.Helper()
		for _, q := range qs {
			if got, want := search(t, s, q), search(t, fresh, q); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, %+v: found %v, a fresh store %v", when, q, ids(got), ids(want))
			}
		}
	}
	check("first")
	asked := s.mem().ver.asked
	check("again")
	if n := s.mem().ver.asked - asked; n > 0 {
		t.Errorf("%d searches of an unwritten index asked DataVersion %d times", len(qs), n)
	}
	applyAll(t, other, wordyHistory("b", 4, 10)...)
	check("after another Store wrote")
	applyAll(t, s, wordyHistory("c", 5, 10)...)
	check("after the Store wrote")
}

// TestReaderGens checks that a connection's DataVersion is known only at
// the data_version it was noted with.
func TestReaderGens(t *testing.T) {
	a, b := new(int), new(int)
	r := readerGens{by: map[any]*readerGen{a: {}, b: {}}}
	if _, ok := r.gen(a, 0); ok {
		t.Error("a connection never noted has a DataVersion")
	}
	r.note(a, 1, 7)
	r.note(b, 5, 8)
	for _, c := range []struct {
		name string
		dc   any
		dv   int64
		gen  uint64
		ok   bool
	}{
		{"same number", a, 1, 7, true},
		{"moved number", a, 2, 0, false},
		{"other connection", b, 5, 8, true},
		{"other connection's number", b, 1, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if gen, ok := r.gen(c.dc, c.dv); ok != c.ok || ok && gen != c.gen {
				t.Errorf("gen = %d, %v; want %d, %v", gen, ok, c.gen, c.ok)
			}
		})
	}
}

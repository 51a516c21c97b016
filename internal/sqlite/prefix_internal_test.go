package sqlite

import (
	"slices"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/storetest"
)

// TestSearchSymbolPrefix checks that a query writing a symbol as a prefix
// ("`~quux`-style") finds the versions holding its longer forms
// ("~quux64"), removed ones too, while the symbol alone finds only itself.
func TestSearchSymbolPrefix(t *testing.T) {
	s := openTemp(t)
	h := storetest.NewHistory("r")
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	texts := []string{
		"# Types\nConstraints such as `~quux64|~quux32` restrict a type set.",
		"# Types\nA plain constraint, ~quux alone.",
		"# Types\nNothing but words here: a quuxly type.",
	}
	ids := map[string]string{}
	for i, text := range texts {
		b := h.Commit(storetest.Commit{SHA: string(rune('a'+i)) + "000000000000000000000000000000000000000", Time: t0.Add(time.Duration(i) * time.Hour),
			Author: "a", Message: "m", Files: map[string][]livespec.Section{"spec.md": {storetest.Sec("", text)}}})
		applyAll(t, s, b)
		for _, v := range b.Versions {
			ids[v.ID] = text
		}
	}
	idOf := func(i int) string {
		for id, text := range ids {
			if text == texts[i] {
				return id
			}
		}
		t.Fatalf("no version of text %d", i)
		return ""
	}
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"a prefix finds its forms in closed versions", "`~quux`-style", []string{idOf(0), idOf(1)}},
		{"a wildcard is a prefix", "~quux*", []string{idOf(0), idOf(1)}},
		{"the symbol alone is exact", "`~quux`", []string{idOf(1)}},
		{"an unrelated prefix finds nothing", "`~str`-style", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if got := searchIDs(t, s, tc.query, livespec.AnyVersion()); !slices.Equal(got, want) {
				t.Errorf("search %q found %v, want %v", tc.query, got, want)
			}
		})
	}
}

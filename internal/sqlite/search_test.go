package sqlite_test

import (
	"math"
	"slices"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/sqlite"
)

func TestTerms(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		want       []string
	}{
		{"question", "What does the checkout say about Coupons?", []string{"checkout", "coupon"}},
		{"query syntax is just words", `"token" AND NOT (expiry*) - OR col:value`, []string{"token", "expiri", "col", "valu"}},
		{"one-character words and duplicates", "a b c x Token token TOKEN", []string{"token"}},
		{"digits and unicode", "KEP-1287 in-place Größe naïve", []string{"kep1287", "kep", "1287", "inplac", "place", "größe", "naïve"}},
		{"symbols are terms", "the `$ref` of /users/{id}", []string{"zx24726566", "zx7b69647d", "ref", "user", "id"}},
		{"a symbol written as a prefix is a prefix query", "`~int`-style", []string{"zx7e696e74*", "int", "style"}},
		{"nothing usable", "what is the?", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := sqlite.Terms(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Terms(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
	long := ""
	for i := range 100 {
		long += " w" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	if n := len(sqlite.Terms(long)); n != 32 {
		t.Errorf("100 distinct words give %d terms, want at most 32", n)
	}
}

func hits(ids ...string) []livespec.Hit {
	var hs []livespec.Hit
	for _, id := range ids {
		hs = append(hs, livespec.Hit{Version: livespec.Version{ID: id}, Score: 100})
	}
	return hs
}

func TestRRF(t *testing.T) {
	for _, tt := range []struct {
		name     string
		limit    int
		rankings [][]livespec.Hit
		want     []string
	}{
		{"one ranking keeps its order", 0, [][]livespec.Hit{hits("a", "b", "c")}, []string{"a", "b", "c"}},
		{"in both beats first in one", 0, [][]livespec.Hit{hits("a", "b"), hits("c", "b")}, []string{"b", "a", "c"}},
		{"ties go to the first ranking", 0, [][]livespec.Hit{hits("a"), hits("b")}, []string{"a", "b"}},
		{"limit", 2, [][]livespec.Hit{hits("a", "b", "c"), hits("c", "d")}, []string{"c", "a"}},
		{"empty rankings", 5, [][]livespec.Hit{nil, hits("x")}, []string{"x"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := sqlite.RRF(sqlite.RRFK, tt.limit, tt.rankings...)
			var ids []string
			for _, h := range got {
				ids = append(ids, h.Version.ID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("got %v, want %v", ids, tt.want)
			}
		})
	}
	got := sqlite.RRF(60, 0, hits("a", "b"), hits("b"))
	if want := 1.0/62 + 1.0/61; got[0].Version.ID != "b" || math.Abs(got[0].Score-want) > 1e-12 {
		t.Errorf("fused score of b = %v, want 1/62 + 1/61 = %v", got[0].Score, want)
	}
}

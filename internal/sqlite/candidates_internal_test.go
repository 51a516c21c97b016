package sqlite

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestCandidatesTake checks that a widening search's candidates, taken a
// few more at a time, are at each take the best ones topK selects, in its
// order: scores tie often, and the limits grow by one, by a quarter,
// fourfold, or past every text.
func TestCandidatesTake(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	widenings := map[string]func(int) int{
		"by one":     func(l int) int { return l + 1 },
		"by quarter": func(l int) int { return l + max(l/4, 1) },
		"fourfold":   func(l int) int { return 4 * l },
		"past all":   func(l int) int { return l + 1000 },
	}
	for _, n := range []int{0, 1, 2, 7, 64, 300} {
		ps := make([]posting, n)
		for i, id := range rng.Perm(n) {
			ps[i] = posting{id: int64(id), score: float64(rng.IntN(6))}
		}
		for name, next := range widenings {
			for _, first := range []int{1, 3, 64} {
				t.Run(fmt.Sprintf("%d texts, first %d, %s", n, first, name), func(t *testing.T) {
					c := candidates{ranked: append([]posting(nil), ps...)}
					for limit := first; ; limit = next(limit) {
						got := c.take(limit)
						if want := topK(ps, limit); fmt.Sprint(got) != fmt.Sprint(want) {
							t.Fatalf("take(%d) = %v, want %v", limit, got, want)
						}
						if len(got) < limit {
							return
						}
					}
				})
			}
		}
	}
}

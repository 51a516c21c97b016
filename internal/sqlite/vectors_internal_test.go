package sqlite

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestBestK(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 5, 100, 1000} {
		vals := make([]int, n)
		for i := range vals {
			vals[i] = rng.IntN(50) // many ties
		}
		better := func(a, b int) bool {
			if vals[a] != vals[b] {
				return vals[a] > vals[b]
			}
			return a < b
		}
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		slices.SortFunc(all, func(a, b int) int {
			if better(a, b) {
				return -1
			}
			return 1
		})
		for _, k := range []int{0, 1, 3, 64, 5000} {
			if got, want := bestK(n, k, better), all[:min(k, n)]; !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("bestK(%d, %d) = %v, want %v", n, k, got, want)
			}
		}
	}
}

func TestDot(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5, 6, 7}
	b := []float32{7, 6, 5, 4, 3, 2, 1}
	if got := dot(a, b); got != 84 {
		t.Errorf("dot = %v, want 84", got)
	}
}

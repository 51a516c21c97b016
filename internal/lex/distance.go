package lex

// Distance returns the optimal-string-alignment distance between two words
// in runes: insertions, deletions, substitutions and swaps of adjacent runes
// ("teh", "the") count one each. With limit >= 0 it stops early and returns
// limit+1 once the distance exceeds limit.
func Distance(x, y string, limit int) int {
	a, b := []rune(x), []rune(y)
	if d := len(a) - len(b); limit >= 0 && (d > limit || -d > limit) {
		return limit + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if limit >= 0 && rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

package ingest

import (
	"strconv"
	"strings"
)

// maxDiffEdits bounds the line diff behind Summarize; past it the counts
// come from comparing the two texts' line multisets, which ignores moves.
const maxDiffEdits = 1000

// Summarize returns a short summary of a text change: "no change",
// "whitespace only" (the texts differ only in spaces, tabs and line
// breaks), "+3 −1 lines" (non-blank lines added and removed by a line
// diff), or, for an added or removed text, "+12 lines" / "−12 lines".
func Summarize(oldText, newText string) string {
	if oldText == newText {
		return "no change"
	}
	if sameWords(oldText, newText) {
		return "whitespace only"
	}
	a, b := summaryLines(oldText), summaryLines(newText)
	switch {
	case len(a) == 0:
		return "+" + strconv.Itoa(len(b)) + " lines"
	case len(b) == 0:
		return "−" + strconv.Itoa(len(a)) + " lines"
	}
	add, del := lineChanges(a, b)
	return "+" + strconv.Itoa(add) + " −" + strconv.Itoa(del) + " lines"
}

// summaryLines returns the non-blank lines of a text.
func summaryLines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// sameWords reports whether a and b hold the same non-whitespace runs.
func sameWords(a, b string) bool {
	for {
		a = strings.TrimLeft(a, " \t\r\n\f\v")
		b = strings.TrimLeft(b, " \t\r\n\f\v")
		if a == "" || b == "" {
			return a == b
		}
		i := strings.IndexAny(a, " \t\r\n\f\v")
		if i < 0 {
			i = len(a)
		}
		j := strings.IndexAny(b, " \t\r\n\f\v")
		if j < 0 {
			j = len(b)
		}
		if a[:i] != b[:j] {
			return false
		}
		a, b = a[i:], b[j:]
	}
}

// lineChanges returns how many lines a line diff from a to b adds and
// removes (a shortest edit script of insertions and deletions).
func lineChanges(a, b []string) (add, del int) {
	// Common prefix and suffix first: most edits are local.
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if len(a) == 0 || len(b) == 0 {
		return len(b), len(a)
	}
	d, ok := editDistance(a, b, maxDiffEdits)
	if !ok {
		return multisetChanges(a, b)
	}
	// d = adds + dels and len(b) - len(a) = adds - dels.
	add = (d + len(b) - len(a)) / 2
	return add, d - add
}

// editDistance is Myers' O((N+M)D) algorithm for the length of the shortest
// insert/delete edit script; ok is false when it exceeds limit.
func editDistance(a, b []string, limit int) (int, bool) {
	n, m := len(a), len(b)
	maxD := min(n+m, limit)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	for d := 0; d <= maxD; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				return d, true
			}
		}
	}
	return 0, false
}

// multisetChanges counts the lines of b not in a and of a not in b, as
// multisets.
func multisetChanges(a, b []string) (add, del int) {
	count := make(map[string]int, len(a))
	for _, l := range a {
		count[l]++
	}
	for _, l := range b {
		if count[l] > 0 {
			count[l]--
		} else {
			add++
		}
	}
	for _, c := range count {
		del += c
	}
	return add, del
}

package retrieval

import (
	"cmp"
	"regexp"
	"strconv"

	"github.com/livespec/livespec"
)

// MergeParts folds the events one commit made on the parts of one long
// section into one event of that section, so reports count a section once
// however many parts it was stored in. cs is in Store.Changes order (the
// parts of a section adjacent, part 0 first); the merged event keeps the
// first part's ids and summary, and its kind is the parts' kind when they
// agree, renamed when any part was renamed, otherwise modified (a section
// that grew or shrank gains or loses parts while it is edited).
func MergeParts(cs []livespec.Change) []livespec.Change {
	type key struct {
		repo, commit, path, heading string
	}
	at := map[key]int{}
	out := make([]livespec.Change, 0, len(cs))
	for _, c := range cs {
		if !c.Section {
			out = append(out, c)
			continue
		}
		k := key{c.Repo, c.Commit, c.Path, c.Heading}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, c)
			continue
		}
		m := &out[i]
		switch {
		case m.Kind == c.Kind:
		case m.Kind == livespec.Renamed || c.Kind == livespec.Renamed:
			m.Kind = livespec.Renamed
		default:
			m.Kind = livespec.Modified
		}
		if m.Part > c.Part {
			m.Part = c.Part
		}
		m.Summary = mergeSummaries(m.Summary, c.Summary)
	}
	return out
}

// lineCount is the line count that ends a summary: "+3 −1 lines", "+12
// lines", "−12 lines", alone or after "; ".
var lineCount = regexp.MustCompile(`(^|; )(?:\+(\d+))?(?: ?−(\d+))? lines$`)

// mergeSummaries sums the line counts of two parts' summaries ("+3 −1
// lines" and "+2 lines" make "+5 −1 lines"), keeping what the first says
// before its count; a summary without a count leaves the first as it is.
func mergeSummaries(a, b string) string {
	ma, mb := lineCount.FindStringSubmatchIndex(a), lineCount.FindStringSubmatchIndex(b)
	counted := func(m []int) bool { return m != nil && (m[4] >= 0 || m[6] >= 0) }
	if !counted(ma) || !counted(mb) {
		return cmp.Or(a, b)
	}
	n := func(s string, m []int, i int) int {
		if m[2*i] < 0 {
			return 0
		}
		v, _ := strconv.Atoi(s[m[2*i]:m[2*i+1]])
		return v
	}
	add, del := n(a, ma, 2)+n(b, mb, 2), n(a, ma, 3)+n(b, mb, 3)
	count := "+" + strconv.Itoa(add) + " −" + strconv.Itoa(del) + " lines"
	switch {
	case del == 0:
		count = "+" + strconv.Itoa(add) + " lines"
	case add == 0:
		count = "−" + strconv.Itoa(del) + " lines"
	}
	return a[:ma[3]] + count
}

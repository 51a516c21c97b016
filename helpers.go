package livespec

import (
	"strings"
	"time"
)

// MaxQuestion is the longest question livespec accepts, in characters,
// on every surface.
const MaxQuestion = 2000

// ShortCommitLen is how many hex digits of a commit id every surface shows.
const ShortCommitLen = 7

// ShortCommit returns the first ShortCommitLen characters of a commit id,
// as git abbreviates it.
func ShortCommit(commit string) string {
	if len(commit) > ShortCommitLen {
		return commit[:ShortCommitLen]
	}
	return commit
}

// EndOfDay returns the last instant of the day that starts at day: a date
// given for "as of" means the end of that day, so that its own commits
// count.
func EndOfDay(day time.Time) time.Time {
	return day.AddDate(0, 0, 1).Add(-time.Nanosecond)
}

// globMeta are the metacharacters of the doublestar globs of a query's
// Paths.
const globMeta = `*?[]{}\`

// LiteralGlob quotes the glob metacharacters of a path, so that a Paths
// filter matches exactly that path.
func LiteralGlob(path string) string {
	if !strings.ContainsAny(path, globMeta) {
		return path
	}
	var b strings.Builder
	for _, r := range path {
		if strings.ContainsRune(globMeta, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

package livespec

import (
	"strconv"
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

// Plural returns a count of word as every surface writes it: "1 file",
// "3 files", "0 files".
func Plural(n int, word string) string {
	return strconv.Itoa(n) + " " + PluralWord(n, word)
}

// PluralWord returns word, with an s unless n is 1.
func PluralWord(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// IsFence reports whether line, its spaces trimmed, opens or closes a
// fenced code block of Markdown (``` or ~~~): livespec's line-by-line
// readers of a section's text skip or keep what lies between two such
// lines.
func IsFence(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")
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

package livespec_test

import (
	"testing"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/livespec/livespec"
)

func TestLiteralGlobMatchesOnlyThatPath(t *testing.T) {
	for _, tt := range []struct {
		name, path, other string
	}{
		{"plain", "specs/a.md", "specs/b.md"},
		{"star", "specs/*.md", "specs/a.md"},
		{"braces and brackets", "specs/{a}[1].md", "specs/a1.md"},
		{"question mark and backslash", `specs/a?\b.md`, "specs/ab.md"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := livespec.LiteralGlob(tt.path)
			if ok, err := doublestar.Match(g, tt.path); !ok || err != nil {
				t.Errorf("%q does not match its own path %q (%v)", g, tt.path, err)
			}
			if ok, _ := doublestar.Match(g, tt.other); ok {
				t.Errorf("%q matches %q too", g, tt.other)
			}
		})
	}
}

func TestShortCommitAndEndOfDay(t *testing.T) {
	if got := livespec.ShortCommit("0123456789abcdef"); got != "0123456" {
		t.Errorf("ShortCommit = %q, want 0123456", got)
	}
	if got := livespec.ShortCommit("abc"); got != "abc" {
		t.Errorf("ShortCommit of a short id = %q", got)
	}
	day := time.Date(2024, 2, 28, 0, 0, 0, 0, time.UTC)
	end := livespec.EndOfDay(day)
	if end.Day() != 28 || !end.Add(time.Nanosecond).Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("EndOfDay(%s) = %s, want the last nanosecond of that day", day, end)
	}
}

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		want string
	}{
		{"none", 0, "0 files"},
		{"one", 1, "1 file"},
		{"many", 12, "12 files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := livespec.Plural(tc.n, "file"); got != tc.want {
				t.Errorf("Plural(%d, file) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}

func TestIsFence(t *testing.T) {
	for _, tc := range []struct {
		name string
		line string
		want bool
	}{
		{"backticks with a language", "```go", true},
		{"tildes", "~~~", true},
		{"indented", "   ```", true},
		{"two backticks", "``code``", false},
		{"a code span", "use `x` here", false},
		{"prose", "Tokens expire.", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := livespec.IsFence(tc.line); got != tc.want {
				t.Errorf("IsFence(%q) = %v, want %v", tc.line, got, tc.want)
			}
		})
	}
}

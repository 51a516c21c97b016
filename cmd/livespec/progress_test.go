package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/gittest"
)

// TestProgressWarningsAboveBar checks that on a terminal a warning gets a
// line of its own above the bar, never the bar's line.
func TestProgressWarningsAboveBar(t *testing.T) {
	tty := &ttyBuffer{width: 80}
	p := newProgress(tty, "ingest specs")
	p.update(ingest.Progress{Done: 3, Total: 10})
	if !strings.Contains(tty.String(), "3/10") {
		t.Fatalf("no bar drawn: %q", tty.String())
	}
	w := newWarner(p.println, 20)
	w.warn("spec/logo.md at 0123456789ab: binary or not UTF-8, recorded but not indexed")
	p.update(ingest.Progress{Done: 10, Total: 10})
	p.finish()
	out := tty.String()
	i := strings.Index(out, "warning: ")
	if i < 0 {
		t.Fatalf("no warning in %q", out)
	}
	// What precedes the warning on its line must be erased bar: carriage
	// returns, blanks and escape sequences, no bar text.
	lineStart := strings.LastIndex(out[:i], "\n") + 1
	before := regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`).ReplaceAllString(out[lineStart:i], "")
	if cut := strings.LastIndex(before, "\r"); cut >= 0 {
		before = before[cut+1:]
	}
	if strings.TrimSpace(before) != "" {
		t.Errorf("warning printed inside the bar's line after %q:\n%q", before, out)
	}
	if !strings.Contains(out[i:], "recorded but not indexed\n") {
		t.Errorf("warning does not end its line: %q", out[i:])
	}
}

// TestProgressRate checks that the rate appears only once it means
// something: not in a run's first seconds.
func TestProgressRate(t *testing.T) {
	p := newProgress(&bytes.Buffer{}, "x")
	if r := p.rate(time.Now(), 900000); r != 0 {
		t.Errorf("rate at the start = %v, want none", r)
	}
	p.start = time.Now().Add(-4 * time.Second)
	if r := p.rate(time.Now(), 400); r < 90 || r > 110 {
		t.Errorf("rate after 4s and 400 commits = %v, want about 100", r)
	}

	var out bytes.Buffer
	lines := newProgress(&out, "ingest specs")
	lines.update(ingest.Progress{Done: 5, Total: 100})
	if out.Len() != 0 {
		t.Errorf("a line in the first seconds: %q", out.String())
	}
	lines.start = time.Now().Add(-3 * time.Second)
	lines.update(ingest.Progress{Done: 30, Total: 100})
	if !regexp.MustCompile(`^ingest specs: 30/100 commits \(10/s, ETA 7s\)\n$`).MatchString(out.String()) {
		t.Errorf("progress line = %q", out.String())
	}
}

// TestSummarySaysWhySkipped checks the ingest summary counts the files not
// indexed by reason.
func TestSummarySaysWhySkipped(t *testing.T) {
	r := gittest.New(t, time.Date(2025, 2, 3, 9, 0, 0, 0, time.UTC))
	r.Write("spec/a.md", "# A\n\nText.\n")
	r.Write("spec/logo.md", "\x89PNG\r\n\x1a\n\x00\x00\x00binary")
	r.Symlink("spec/alias.md", "a.md")
	r.Commit("Add")
	out, stderr, err := livespecRun(t, map[string]string{"XDG_CACHE_HOME": t.TempDir()}, "ingest", "--repo", r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, ", 2 files not indexed (1 binary, 1 symbolic link) in ") {
		t.Errorf("summary = %q", out)
	}
	if strings.Count(stderr, "warning: ") != 2 {
		t.Errorf("stderr = %q, want one warning per skipped file", stderr)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/livespec/livespec"
)

// changesTotals counts a `livespec changes --json` list the way a digest's
// totals count: distinct commits, file-level events by kind, distinct files.
func changesTotals(chs []livespec.AnswerChange) livespec.DigestTotals {
	var t livespec.DigestTotals
	commits, files := map[string]bool{}, map[string]bool{}
	for _, c := range chs {
		commits[c.Commit] = true
		if c.Heading != "" {
			t.SectionChanges++
			continue
		}
		files[c.Repo+"\x00"+c.Path] = true
		t.FileChanges++
		switch c.Kind {
		case livespec.Added:
			t.Added++
		case livespec.Modified:
			t.Modified++
		case livespec.Removed:
			t.Removed++
		case livespec.Renamed:
			t.Renamed++
		}
	}
	t.Commits, t.Documents = len(commits), len(files)
	return t
}

func TestDigest(t *testing.T) {
	r := specRepo(t)
	index := t.TempDir()
	env := map[string]string{"HOME": t.TempDir()}
	if _, _, err := livespecRun(t, env, "ingest", "--repo", r.Dir, "--index", index); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	digestJSON := func(t *testing.T, args ...string) livespec.Digest {
		t.Helper()
		out, _, err := livespecRun(t, env, append([]string{"digest", "--index", index, "--json"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		var d livespec.Digest
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return d
	}

	for _, tc := range []struct {
		name         string
		since, until string
		paths        []string
	}{
		{"second quarter", "2025-04-01", "2025-06-30", nil},
		{"whole history", "2025-01-01", "2025-12-31", nil},
		{"one path glob", "2025-01-01", "2025-12-31", []string{"spec/a*.md"}},
		{"empty period", "2025-06-01", "2025-06-30", nil},
	} {
		t.Run("totals equal changes: "+tc.name, func(t *testing.T) {
			args := []string{"--since", tc.since, "--until", tc.until}
			for _, p := range tc.paths {
				args = append(args, "--path", p)
			}
			out, _, err := livespecRun(t, env, append([]string{"changes", "--index", index, "--json"}, args...)...)
			if err != nil {
				t.Fatal(err)
			}
			var chs struct{ Changes []livespec.AnswerChange }
			if err := json.Unmarshal([]byte(out), &chs); err != nil {
				t.Fatal(err)
			}
			d := digestJSON(t, args...)
			if want := changesTotals(chs.Changes); d.Totals != want {
				t.Errorf("digest totals %+v, changes say %+v", d.Totals, want)
			}
			if d.Events.Commits != d.Totals.Commits || d.Events.Files != d.Totals.Documents {
				t.Errorf("digest events %+v disagree with its totals %+v", d.Events, d.Totals)
			}
			if len(d.Commits) != d.Totals.Commits {
				t.Errorf("%d commits listed, totals say %d", len(d.Commits), d.Totals.Commits)
			}
		})
	}

	t.Run("period in words is the same window", func(t *testing.T) {
		byDays := digestJSON(t, "--since", "2025-04-01", "--until", "2025-06-30")
		byWords := digestJSON(t, "--period", "last quarter", "--now", "2025-07-15")
		if !byWords.Window.From.Equal(byDays.Window.From) || !byWords.Window.To.Equal(byDays.Window.To) || byWords.Totals != byDays.Totals {
			t.Errorf("last quarter = %+v %+v, days = %+v %+v", byWords.Window, byWords.Totals, byDays.Window, byDays.Totals)
		}
	})

	t.Run("notable documents say what the text now says", func(t *testing.T) {
		d := digestJSON(t, "--since", "2025-04-01", "--until", "2025-06-30")
		var auth *livespec.DigestDocument
		for i := range d.Documents {
			if d.Documents[i].Path == "spec/auth.md" {
				auth = &d.Documents[i]
			}
		}
		if auth == nil {
			t.Fatalf("spec/auth.md not among the notable documents: %+v", d.Documents)
		}
		if auth.Title != "Authentication" || auth.Status != livespec.Modified || len(auth.Sections) != 1 {
			t.Fatalf("auth document = %+v", auth)
		}
		s := auth.Sections[0]
		if s.Heading != "Token expiry" || !strings.Contains(s.Now, "refresh tokens after 30 days") {
			t.Errorf("auth section = %+v; want Token expiry quoting the new text", s)
		}
	})

	t.Run("the rest is folded into counts", func(t *testing.T) {
		d := digestJSON(t, "--since", "2025-01-01", "--until", "2025-12-31", "--notable", "1")
		if len(d.Documents) != 1 || d.Rest.Documents != d.Totals.Documents-1 || len(d.Rest.Paths) != d.Rest.Documents {
			t.Errorf("documents %d, rest %+v, totals %+v", len(d.Documents), d.Rest, d.Totals)
		}
	})

	t.Run("markdown and html", func(t *testing.T) {
		md, _, err := livespecRun(t, env, "digest", "--index", index, "--since", "2025-04-01", "--until", "2025-06-30")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"# Spec digest: 2025-04-01 to 2025-06-30", "3 commits changed 3 documents: 1 added, 1 modified, 1 renamed", "### Authentication — changed", "now says “"} {
			if !strings.Contains(md, want) {
				t.Errorf("markdown lacks %q:\n%s", want, md)
			}
		}
		if first := strings.SplitN(md, "\n", 4)[2]; !strings.Contains(first, "commits changed") {
			t.Errorf("totals are not first: %q", first)
		}
		html, _, err := livespecRun(t, env, "digest", "--index", index, "--since", "2025-04-01", "--until", "2025-06-30", "--html")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(html, "<!DOCTYPE html>") || !strings.Contains(html, "<h3") || !strings.Contains(html, "Authentication") {
			t.Errorf("html = %s", html)
		}
		empty, _, err := livespecRun(t, env, "digest", "--index", index, "--since", "2025-06-01", "--until", "2025-06-30")
		if err != nil || !strings.Contains(empty, "No spec changes.") {
			t.Errorf("empty digest = %q, %v", empty, err)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, args := range [][]string{
			{"digest", "--index", index},
			{"digest", "--index", index, "--period", "someday soon"},
			{"digest", "--index", index, "--period", "last week", "--since", "2025-01-01"},
			{"digest", "--index", index, "--since", "2025-01-01", "--json", "--html"},
		} {
			if _, _, err := livespecRun(t, env, args...); livespec.ErrorCode(err) != livespec.EINVALID {
				t.Errorf("%v: err = %v, want an EINVALID error", args, err)
			}
		}
	})
}

// TestDigestRendering: on a terminal the digest is rendered (styles, no
// Markdown marks); piped, or with --plain, it is plain Markdown.
func TestDigestRendering(t *testing.T) {
	r := specRepo(t)
	index := t.TempDir()
	env := map[string]string{"HOME": t.TempDir()}
	if _, _, err := livespecRun(t, env, "ingest", "--repo", r.Dir, "--index", index); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	args := []string{"digest", "--index", index, "--since", "2025-01-01", "--until", "2025-12-31"}
	piped := runOn(t, &bytes.Buffer{}, env, args...)
	if strings.Contains(piped, "\x1b[") || !strings.Contains(piped, "**") {
		t.Errorf("piped digest is not plain Markdown:\n%s", piped)
	}
	tty := runOn(t, &ttyBuffer{width: 80}, env, args...)
	if !strings.Contains(tty, "\x1b[") || strings.Contains(stripANSI(tty), "**") {
		t.Errorf("digest on a terminal is not rendered:\n%s", tty)
	}
	if plain := runOn(t, &ttyBuffer{width: 80}, env, append(args, "--plain")...); plain != piped {
		t.Errorf("--plain on a terminal differs from piped output:\n%s\n---\n%s", plain, piped)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
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

// TestDigestStatusFirst: a digest tells the documents whose lifecycle
// field changed in the period (kep.yaml sidecars and front matter) before
// the prose changes, in Markdown, JSON and HTML, with the net change of the
// period; other fields, changes outside the period and values set back are
// left out; a status words file adds lifecycle fields.
func TestDigestStatusFirst(t *testing.T) {
	kep := func(stage, status string) string {
		return "title: x\nauthors: [\"@ann\"]\nstage: " + stage + "\nstatus: " + status + "\n"
	}
	rfc := func(status, body string) string {
		return "---\nstatus: " + status + "\nowner: bob\n---\n# Single sign-on\n\n" + body + "\n"
	}
	r := gittest.New(t, time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC),
		gittest.Step{Date: "2025-01-06T09:00:00Z", Msg: "start", Write: map[string]string{
			"keps/sig-a/1000-fast/README.md": "# KEP-1000: Fast path\n\nMake the path fast.\n",
			"keps/sig-a/1000-fast/kep.yaml":  kep("alpha", "implementable"),
			"keps/sig-b/2000-slow/README.md": "# KEP-2000: Slow path\n\nMake the path slow.\n",
			"keps/sig-b/2000-slow/kep.yaml":  kep("alpha", "implementable"),
			"keps/sig-c/3000-flip/README.md": "# KEP-3000: Flip flop\n\nFlip it.\n",
			"keps/sig-c/3000-flip/kep.yaml":  kep("beta", "implementable"),
			"rfcs/0001-sso.md":               rfc("draft", "Sign in once."),
			"services/queue.md":              "# Queue\n\n- Readiness: Pilot\n\nThe queue service.\n",
		}},
		gittest.Step{Date: "2025-03-03T09:00:00Z", Msg: "before the period", Write: map[string]string{"keps/sig-a/1000-fast/kep.yaml": kep("beta", "implementable")}},
		// In the period (2025-04-01 to 2025-06-30):
		gittest.Step{Date: "2025-04-10T09:00:00Z", Msg: "fast goes stable", Write: map[string]string{"keps/sig-a/1000-fast/kep.yaml": kep("stable", "implemented")}},
		gittest.Step{Date: "2025-04-20T09:00:00Z", Msg: "slow withdrawn, authors", Write: map[string]string{"keps/sig-b/2000-slow/kep.yaml": "title: x\nauthors: [\"@cid\"]\nstage: alpha\nstatus: withdrawn\n"}},
		gittest.Step{Date: "2025-05-02T09:00:00Z", Msg: "flip", Write: map[string]string{"keps/sig-c/3000-flip/kep.yaml": kep("stable", "implementable")}},
		gittest.Step{Date: "2025-05-09T09:00:00Z", Msg: "flop", Write: map[string]string{"keps/sig-c/3000-flip/kep.yaml": kep("beta", "implementable")}},
		gittest.Step{Date: "2025-05-20T09:00:00Z", Msg: "accept sso", Write: map[string]string{
			"rfcs/0001-sso.md":  rfc("accepted", "Sign in once, with any identity provider."),
			"services/queue.md": "# Queue\n\n- Readiness: Production\n\nThe queue service.\n",
		}},
		gittest.Step{Date: "2025-08-01T09:00:00Z", Msg: "after the period", Write: map[string]string{"keps/sig-b/2000-slow/kep.yaml": kep("alpha", "implementable")}},
	)
	index := t.TempDir()
	env := map[string]string{"HOME": t.TempDir()}
	if _, _, err := livespecRun(t, env, "ingest", "--repo", r.Dir, "--index", index); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	period := []string{"digest", "--index", index, "--since", "2025-04-01", "--until", "2025-06-30"}
	out, _, err := livespecRun(t, env, append(period, "--json")...)
	if err != nil {
		t.Fatal(err)
	}
	var d livespec.Digest
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := []string{
		"keps/sig-a/1000-fast/README.md KEP-1000: Fast path stage beta → stable 2025-04-10",
		"rfcs/0001-sso.md Single sign-on status draft → accepted 2025-05-20",
		"keps/sig-a/1000-fast/README.md KEP-1000: Fast path status implementable → implemented 2025-04-10",
		"keps/sig-b/2000-slow/README.md KEP-2000: Slow path status implementable → withdrawn 2025-04-20",
	}
	var got []string
	for _, s := range d.Status {
		got = append(got, fmt.Sprintf("%s %s %s %s → %s %s", s.Path, s.Title, s.Field, s.Previous, s.Value, s.Date.UTC().Format(time.DateOnly)))
		if len(s.Commit) != 40 {
			t.Errorf("%s: commit %q", s.Path, s.Commit)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("status changes:\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}

	md, _, err := livespecRun(t, env, period...)
	if err != nil {
		t.Fatal(err)
	}
	st, notable := strings.Index(md, "## Status changes"), strings.Index(md, "## Notable changes")
	if st < 0 || notable < 0 || st > notable {
		t.Fatalf("status changes are not told before the notable changes:\n%s", md)
	}
	for _, line := range []string{
		"3 documents changed status — stage: 1 now stable; status: 1 now accepted, 1 now implemented, 1 now withdrawn.",
		"- KEP-1000: Fast path (`keps/sig-a/1000-fast/README.md`): stage **stable** (was beta), status **implemented** (was implementable) — 2025-04-10, ",
		"- KEP-2000: Slow path (`keps/sig-b/2000-slow/README.md`): status **withdrawn** (was implementable, 2025-04-20, ",
		"- Single sign-on (`rfcs/0001-sso.md`): status **accepted** (was draft, 2025-05-20, ",
	} {
		if !strings.Contains(md[st:notable], line) {
			t.Errorf("status changes lack %q:\n%s", line, md)
		}
	}
	if strings.Contains(md[st:notable], "Flip flop") || strings.Contains(md[st:notable], "@cid") || strings.Contains(md[st:notable], "Queue") {
		t.Errorf("status changes tell a value set back, another field or a field no lifecycle:\n%s", md[st:notable])
	}

	html, _, err := livespecRun(t, env, append(period, "--html")...)
	if err != nil {
		t.Fatal(err)
	}
	hs, hn := strings.Index(html, "Status changes"), strings.Index(html, "Notable changes")
	if hs < 0 || hn < 0 || hs > hn || !strings.Contains(html[hs:hn], "KEP-2000: Slow path") || !strings.Contains(html[hs:hn], "<strong>withdrawn</strong>") {
		t.Errorf("html does not tell the status changes first:\n%s", html)
	}

	t.Run("a period where only a sidecar changed", func(t *testing.T) {
		md, _, err := livespecRun(t, env, "digest", "--index", index, "--since", "2025-08-01", "--until", "2025-08-01")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"No spec text changes.", "1 document changed status: 1 now implementable.", "KEP-2000: Slow path (`keps/sig-b/2000-slow/README.md`): status **implementable** (was withdrawn"} {
			if !strings.Contains(md, want) {
				t.Errorf("digest lacks %q:\n%s", want, md)
			}
		}
	})

	t.Run("a status words file adds lifecycle fields", func(t *testing.T) {
		words := filepath.Join(t.TempDir(), "words.yaml")
		if err := os.WriteFile(words, []byte("fields: [readiness]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		md, _, err := livespecRun(t, env, append(period, "--status-words", words)...)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(md, "- Queue (`services/queue.md`): readiness **Production** (was Pilot, 2025-05-20, ") {
			t.Errorf("the configured field is not told:\n%s", md)
		}
		if err := os.WriteFile(words, []byte("fields: readiness\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err = livespecRun(t, env, append(period, "--status-words", words)...)
		if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(livespec.ErrorMessage(err), "line 1:") {
			t.Errorf("a malformed status words file: %v (%s), want EINVALID naming the line", err, livespec.ErrorCode(err))
		}
	})
}

// TestDigestTotalsEqualChangesWithLongSections: a long section stored in
// parts, edited in every part by one commit, is one section change in the
// digest and one section event in `livespec changes` (text and JSON), its
// summary summing the parts' line counts.
func TestDigestTotalsEqualChangesWithLongSections(t *testing.T) {
	rules := func(how string) string {
		var b strings.Builder
		b.WriteString("# Checkout\n\nShort intro.\n\n## Rules\n\n")
		for i := range 120 {
			fmt.Fprintf(&b, "Rule %d: an order of item %d ships within %d days of payment %s.\n\n", i, i, i%9+1, how)
		}
		b.WriteString("## Coupons\n\nOne coupon per order.\n")
		return b.String()
	}
	r := gittest.New(t, time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC),
		gittest.Step{Date: "2025-01-10T12:00:00Z", Msg: "checkout", Write: map[string]string{"spec/checkout.md": rules("by courier")}},
		gittest.Step{Date: "2025-02-03T12:00:00Z", Msg: "drones", Write: map[string]string{"spec/checkout.md": rules("by drone")}},
	)
	index := t.TempDir()
	env := map[string]string{"HOME": t.TempDir()}
	if _, _, err := livespecRun(t, env, "ingest", "--repo", r.Dir, "--index", index); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	window := []string{"--index", index, "--since", "2025-02-01", "--until", "2025-02-28"}
	out, _, err := livespecRun(t, env, append([]string{"changes", "--json"}, window...)...)
	if err != nil {
		t.Fatal(err)
	}
	var chs struct{ Changes []livespec.AnswerChange }
	if err := json.Unmarshal([]byte(out), &chs); err != nil {
		t.Fatal(err)
	}
	var rulesEvents []livespec.AnswerChange
	for _, c := range chs.Changes {
		if strings.HasSuffix(c.Heading, "Rules") {
			rulesEvents = append(rulesEvents, c)
		}
	}
	if len(rulesEvents) != 1 || rulesEvents[0].Kind != livespec.Modified || rulesEvents[0].Summary != "+120 −120 lines" {
		t.Fatalf("changes lists the Rules section as %+v; want one modified event, +120 −120 lines", rulesEvents)
	}
	dout, _, err := livespecRun(t, env, append([]string{"digest", "--json"}, window...)...)
	if err != nil {
		t.Fatal(err)
	}
	var d livespec.Digest
	if err := json.Unmarshal([]byte(dout), &d); err != nil {
		t.Fatal(err)
	}
	if want := changesTotals(chs.Changes); d.Totals != want || d.Totals.SectionChanges != 1 {
		t.Errorf("digest totals %+v, changes say %+v; want one section change", d.Totals, want)
	}
	text, _, err := livespecRun(t, env, append([]string{"changes"}, window...)...)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(text, "Rules:"); n != 1 {
		t.Errorf("the text report lists the Rules section %d times:\n%s", n, text)
	}
}

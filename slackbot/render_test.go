package slackbot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/slackbot"
	"github.com/livespec/livespec/slackbot/slackbottest"
	"github.com/slack-go/slack"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// changeReport is a change report over 12 files, as the extractive
// generator writes it.
func changeReport() *livespec.Answer {
	from := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	a := &livespec.Answer{
		Question: "what changed last quarter?",
		Intent:   livespec.IntentChanges,
		Window:   &livespec.Window{From: from, To: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)},
		Answer:   "**17 changes to 12 files in 14 commits between 2025-07-01 and 2025-09-30:** 9 added, 6 modified, 1 removed, 1 renamed.\n\n- **specs/checkout.md** — 4 changes\n  - 2025-07-02 `aaaaaaa` “Coupons” — added *Coupons* [1]",
		Model:    livespec.ModelInfo{Embedder: "none (BM25 only)", Generator: "extractive"},
		Citations: []livespec.Citation{{N: 1, Path: "specs/checkout.md", Heading: "Checkout > Coupons", Commit: "aaaaaaa1111111111111111111111111111111",
			Date: livespec.Time{Time: from.Add(24 * time.Hour)}, ValidFrom: livespec.Time{Time: from.Add(24 * time.Hour)}, Current: true,
			URL: "https://git.example.com/shop/blob/aaaaaaa1111111111111111111111111111111/specs/checkout.md#coupons"}},
	}
	add := func(path string, kind livespec.ChangeKind, day int, commit string) {
		a.Changes = append(a.Changes, livespec.AnswerChange{Commit: commit, Date: livespec.Time{Time: from.AddDate(0, 0, day)},
			Author: "Ana", Path: path, Heading: "H", Kind: kind, Summary: "s"})
	}
	add("specs/checkout.md", livespec.Added, 1, "c01")
	add("specs/checkout.md", livespec.Modified, 5, "c02")
	add("specs/checkout.md", livespec.Modified, 9, "c03")
	add("specs/checkout.md", livespec.Removed, 9, "c03")
	add("specs/refunds.md", livespec.Added, 2, "c04")
	add("specs/refunds.md", livespec.Modified, 30, "c05")
	add("specs/a&b <draft>.md", livespec.Renamed, 40, "c06")
	for i := range 9 {
		add(fmt.Sprintf("specs/area-%02d.md", i), livespec.Added, 50+i, fmt.Sprintf("d%02d", i))
	}
	add("specs/area-00.md", livespec.Modified, 80, "c07")
	return a
}

func TestRenderChangeReport(t *testing.T) {
	list := []string{
		"• `specs/checkout.md` — 1 added, 2 modified, 1 removed · last 2025-07-10",
		"• `specs/area-00.md` — 1 added, 1 modified · last 2025-09-19",
		"`specs/a&amp;b &lt;draft&gt;.md` — 1 renamed",
		"_and 2 more files (2 changes)_",
	}
	t.Run("extractive", func(t *testing.T) {
		m := slackbot.Render(changeReport(), slackbot.RenderOptions{AnswerID: "ans-1", PublicURL: "https://livespec.example.com"})
		slackbottest.ValidateBlocks(t, m.Blocks)
		text := slackbottest.BlockText(m.Blocks)
		for _, want := range append(list, "*17 changes to 12 files in 14 commits between 2025-07-01 and 2025-09-30:* 9 added") {
			if !strings.Contains(text, want) {
				t.Errorf("change report lacks %q", want)
			}
		}
		// The extractive text's own list is replaced by the compact one,
		// and its summary line is not repeated.
		if strings.Contains(text, "“Coupons”") || strings.Count(text, "17 changes") != 1 {
			t.Errorf("the extractive list or summary is shown twice:\n%s", text)
		}
		golden(t, "changes.golden.json", m)
	})
	t.Run("generated", func(t *testing.T) {
		a := changeReport()
		a.Model.Generator = "ollama/llama3.1"
		a.Answer = "Coupons arrived in July [1]; refunds changed twice."
		m := slackbot.Render(a, slackbot.RenderOptions{AnswerID: "ans-1"})
		slackbottest.ValidateBlocks(t, m.Blocks)
		text := slackbottest.BlockText(m.Blocks)
		for _, want := range append(list, "Coupons arrived in July", "*17 changes to 12 files in 16 commits* from 2025-07-01 to 2025-09-30: 11 added, 4 modified, 1 removed, 1 renamed") {
			if !strings.Contains(text, want) {
				t.Errorf("change report lacks %q:\n%s", want, text)
			}
		}
	})
	t.Run("totals beyond the listed events", func(t *testing.T) {
		a := changeReport()
		a.Model.Generator = "ollama/llama3.1"
		a.Answer = "Many changes."
		a.Totals = &livespec.ChangeTotals{Files: 40, Sections: 20020, Commits: 300, Added: 20, Modified: 20000}
		text := slackbottest.BlockText(slackbot.Render(a, slackbot.RenderOptions{AnswerID: "ans-1"}).Blocks)
		if want := "*20020 changes to 40 files in 300 commits* from 2025-07-01 to 2025-09-30: 20 added, 20000 modified"; !strings.Contains(text, want) {
			t.Errorf("change report lacks %q:\n%s", want, text)
		}
	})
	t.Run("a file's section events count once with its file-level event", func(t *testing.T) {
		a := changeReport()
		a.Model.Generator = "ollama/llama3.1"
		a.Answer = "Checkout changed."
		a.Changes = []livespec.AnswerChange{
			{Commit: "c1", Path: "specs/checkout.md", Level: livespec.LevelFile, Kind: livespec.Modified},
			{Commit: "c1", Path: "specs/checkout.md", Level: livespec.LevelSection, Heading: "A", Kind: livespec.Modified},
			{Commit: "c1", Path: "specs/checkout.md", Level: livespec.LevelSection, Heading: "B", Kind: livespec.Added},
		}
		text := slackbottest.BlockText(slackbot.Render(a, slackbot.RenderOptions{AnswerID: "ans-1"}).Blocks)
		if want := "*2 changes to 1 file in 1 commit*"; !strings.Contains(text, want) {
			t.Errorf("change report lacks %q:\n%s", want, text)
		}
	})
}

// TestRenderTimelineFoldsEditorial checks that a history lists its
// changes of substance and counts the editorial ones.
func TestRenderTimelineFoldsEditorial(t *testing.T) {
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &livespec.Answer{Question: "how has the guide evolved?", Intent: livespec.IntentTimeline, Answer: "It evolved.",
		Model: livespec.ModelInfo{Generator: "ollama/llama3.1"}}
	for i, e := range []string{"", livespec.EditTypo, "", livespec.EditSweep} {
		a.Changes = append(a.Changes, livespec.AnswerChange{Commit: fmt.Sprintf("c%d000000", i), Date: livespec.Time{Time: at.AddDate(0, i, 0)},
			Author: "Ana", Path: fmt.Sprintf("guide-%d.md", i), Level: livespec.LevelFile, Kind: livespec.Modified, Editorial: e})
	}
	text := slackbottest.BlockText(slackbot.Render(a, slackbot.RenderOptions{AnswerID: "ans-1"}).Blocks)
	for _, want := range []string{"*4 changes by 1 author* (2 editorial, not listed)", "`guide-0.md`", "`guide-2.md`"} {
		if !strings.Contains(text, want) {
			t.Errorf("timeline lacks %q:\n%s", want, text)
		}
	}
	for _, hidden := range []string{"guide-1.md", "guide-3.md"} {
		if strings.Contains(text, hidden) {
			t.Errorf("timeline lists the editorial change of %s:\n%s", hidden, text)
		}
	}
}

func TestRenderCurrentAnswer(t *testing.T) {
	a := slackbottest.AnswerFor(slackbottest.Question)
	a.Answer += "\n\nCited excerpts:\n- **specs/checkout.md › Checkout > Coupons** [1] — One coupon per order.\n- **specs/checkout.md › Checkout > Stacking** [2] — Coupons stack. (superseded on 2025-09-10)"
	m := slackbot.Render(a, slackbot.RenderOptions{AnswerID: "ans-2"})
	slackbottest.ValidateBlocks(t, m.Blocks)
	text := slackbottest.BlockText(m.Blocks)
	if strings.Contains(text, "Cited excerpts") || strings.Count(text, "One coupon per order") != 1 {
		t.Errorf("the text's own source list is repeated above the sources block:\n%s", text)
	}
	for _, want := range []string{
		"Stacking was dropped <https://git.example.com/shop/blob/0123456789abcdef0123456789abcdef01234567/specs/checkout.md#stacking|[2]>",
		"[2] <https://git.example.com/shop/blob/0123456789abcdef0123456789abcdef01234567/specs/checkout.md#stacking|specs/checkout.md › Checkout › Stacking> · `0123456` · superseded on 2025-09-10 (valid since 2025-03-04) — “Coupons stack.”",
		"_answered by extractive · search: none (BM25 only)_",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("answer lacks %q:\n%s", want, text)
		}
	}
	golden(t, "current.golden.json", m)

	// Sources from several repositories name theirs.
	a.Citations[1].Repo = "billing"
	text = slackbottest.BlockText(slackbot.Render(a, slackbot.RenderOptions{}).Blocks)
	if !strings.Contains(text, "Coupons> (shop)") || !strings.Contains(text, "Stacking> (billing)") {
		t.Errorf("sources from two repositories do not name them:\n%s", text)
	}
}

func TestRenderManySourcesAndNoButtons(t *testing.T) {
	a := slackbottest.AnswerFor(slackbottest.Question)
	a.Citations = nil
	for i := 1; i <= 14; i++ {
		a.Citations = append(a.Citations, livespec.Citation{N: i, Path: fmt.Sprintf("specs/s%d.md", i), Commit: "abcdef0123", Current: true,
			ValidFrom: livespec.Time{Time: slackbottest.March}})
	}
	m := slackbot.Render(a, slackbot.RenderOptions{})
	slackbottest.ValidateBlocks(t, m.Blocks)
	if slackbottest.HasFeedbackButtons(m.Blocks) {
		t.Error("buttons without an answer id")
	}
	text := slackbottest.BlockText(m.Blocks)
	if !strings.Contains(text, "[10] *specs/s10.md*") || strings.Contains(text, "specs/s11.md") || !strings.Contains(text, "_and 4 more sources_") {
		t.Errorf("sources:\n%s", text)
	}
}

func TestRenderHugeAnswerIsCutWithALink(t *testing.T) {
	for _, intent := range []livespec.Intent{livespec.IntentCurrent, livespec.IntentChanges, livespec.IntentTimeline} {
		t.Run(string(intent), func(t *testing.T) {
			a := slackbottest.AnswerFor(slackbottest.Question)
			a.Intent = intent
			a.Window = &livespec.Window{From: slackbottest.March, To: slackbottest.Sept}
			a.Answer = strings.Repeat("A very long line with <angle> & ampersand characters. ", 4000) // one 220,000-character line
			m := slackbot.Render(a, slackbot.RenderOptions{AnswerID: "x", PublicURL: "https://livespec.example.com/"})
			slackbottest.ValidateBlocks(t, m.Blocks)
			text := slackbottest.BlockText(m.Blocks)
			if !strings.Contains(text, "it is cut here") || !strings.Contains(text, "livespec.example.com/v1/") {
				t.Errorf("a cut answer does not say where the rest is:\n%s", text[len(text)-600:])
			}
		})
	}
}

// FuzzRender checks that any answer text gives blocks within Slack's
// limits.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"", "**a**", "```\ncode\n", "[x](https://e.com)", strings.Repeat("<&>", 2000), strings.Repeat("word ", 1200) + "\n```\n" + strings.Repeat("x", 4000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := slackbottest.AnswerFor(slackbottest.Question)
		a.Answer = s
		m := slackbot.Render(a, slackbot.RenderOptions{AnswerID: "id", MaxAnswerChars: 7000})
		slackbottest.ValidateBlocks(t, m.Blocks)
	})
}

func golden(t *testing.T, name string, m slackbot.Message) {
	t.Helper()
	got, err := json.MarshalIndent(map[string]any{"text": m.Text, "blocks": slack.Blocks{BlockSet: m.Blocks}}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the rendered message (go test -update rewrites it):\n%s", path, got)
	}
}

func TestExportFeedbackStopsOnError(t *testing.T) {
	if err := slackbot.ExportFeedback(context.Background(), nil, &bytes.Buffer{}); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Fatalf("nil store: err = %v", err)
	}
	m := &slackbottest.Feedback{}
	_ = m.AddFeedback(context.Background(), livespec.Feedback{ID: "a", Rating: 1, Question: "q"})
	if err := slackbot.ExportFeedback(context.Background(), m, failWriter{}); err == nil {
		t.Fatal("a failing writer gave no error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

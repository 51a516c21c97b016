package eval_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/eval"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/gittest"
)

func TestLoad(t *testing.T) {
	valid := `{"id": "c1", "kind": "current", "question": "Q?", "gold_paths": ["a.md"], "gold_heading": "A"}

{"id": "i1", "kind": "introduced", "question": "When?", "phrase": "x", "gold_commit": "abc", "gold_date": "2024-01-02", "gold_path": "a.md"}
{"id": "a1", "kind": "as_of", "question": "As of?", "as_of": "2024-06-30", "gold_path": "a.md", "gold_commit": "abc"}
{"id": "e1", "kind": "evolution", "question": "How?", "gold_path": "a.md", "gold_commits": ["abc", "def"], "window": {"from": "2024-01-01", "to": "2024-12-31"}}
{"id": "g1", "kind": "changes", "question": "What changed?", "from": "2024-01-01", "to": "2024-01-31"}
`
	qs, err := eval.Load(strings.NewReader(valid))
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 5 {
		t.Fatalf("loaded %d questions, want 5", len(qs))
	}
	if qs[3].Window == nil || qs[3].Window.To != "2024-12-31" || len(qs[3].GoldCommits) != 2 {
		t.Errorf("evolution question = %+v", qs[3])
	}

	bad := []struct {
		name, input, mention string
	}{
		{"not json", "{\"id\": ", "line 1"},
		{"unknown kind", `{"id": "x", "kind": "vibes", "question": "Q?"}`, "unknown kind"},
		{"no id", `{"kind": "current", "question": "Q?", "gold_paths": ["a.md"]}`, "no id"},
		{"no question", `{"id": "x", "kind": "current", "gold_paths": ["a.md"]}`, "no question"},
		{"current without paths", `{"id": "x", "kind": "current", "question": "Q?"}`, "gold_paths"},
		{"bad as_of date", `{"id": "x", "kind": "as_of", "question": "Q?", "gold_path": "a.md", "as_of": "June 1"}`, "as_of"},
		{"window backwards", `{"id": "x", "kind": "changes", "question": "Q?", "from": "2024-02-01", "to": "2024-01-01"}`, "before"},
		{"duplicate id", "{\"id\": \"x\", \"kind\": \"current\", \"question\": \"Q?\", \"gold_paths\": [\"a.md\"]}\n{\"id\": \"x\", \"kind\": \"current\", \"question\": \"Q?\", \"gold_paths\": [\"a.md\"]}", "line 2"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			qs, err := eval.Load(strings.NewReader(tc.input))
			if livespec.ErrorCode(err) != livespec.EINVALID {
				t.Fatalf("Load error = %v, want EINVALID", err)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
			if qs != nil {
				t.Errorf("Load returned questions with an error")
			}
		})
	}
}

func TestLoadSharedSet(t *testing.T) {
	files, _ := filepath.Glob("../../shared/eval/*.jsonl")
	if len(files) == 0 {
		t.Skip("shared question sets absent")
	}
	kinds := map[string]int{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		qs, err := eval.Load(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(name), err)
		}
		for _, q := range qs {
			kinds[q.Kind]++
		}
	}
	// Together the shared sets use every kind eval scores.
	for _, k := range eval.Kinds {
		if kinds[k] == 0 {
			t.Errorf("no %s questions loaded from %d sets", k, len(files))
		}
	}
}

// cannedAsker answers from a table, as a stand-in for the Assistant when
// what is under test is the scoring.
type cannedAsker map[string]*livespec.Answer

func (c cannedAsker) Ask(_ context.Context, req livespec.AskRequest, _ func(string) error) (*livespec.Answer, error) {
	if a, ok := c[req.Question]; ok {
		if a.Answer == "" && a.Intent == "" {
			// A canned answer found something unless it says otherwise.
			b := *a
			b.Found = true
			return &b, nil
		}
		return a, nil
	}
	return nil, livespec.Errorf(livespec.EINVALID, "no answer")
}

// testRepo builds a git repository with two first-parent commits and a
// merge whose side branch touched a file; it returns the directory.
func testRepo(t *testing.T) string {
	t.Helper()
	r := gittest.New(t, time.Date(2024, 1, 10, 12, 0, 0, 0, time.UTC))
	r.Author = "Ada"
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "one",
		Write: map[string]string{"a.md": "# A\n", "notes.txt": "not a spec\n", "my doc.md": "# Spaces\n"}})
	r.Do(gittest.Step{Date: "2024-02-10T12:00:00Z", Msg: "rename",
		Write: map[string]string{"GUIDE.MD": "# Upper case extension: not a spec file\n"},
		Move:  [][2]string{{"a.md", "b.md"}}})
	r.Checkout("side").Do(gittest.Step{Date: "2024-03-01T12:00:00Z", Msg: "side work",
		Write: map[string]string{"side.md": "# Side\n"}})
	r.Checkout("main").Do(gittest.Step{Date: "2024-03-20T12:00:00Z", Msg: "merge side", Merge: "side"})
	return r.Dir
}

func TestRun(t *testing.T) {
	dir := testRepo(t)
	day := func(s string) time.Time {
		d, _ := time.Parse("2006-01-02", s)
		return d
	}
	qs := []eval.Question{
		{ID: "cur-ok", Kind: eval.KindCurrent, Question: "cur ok", GoldPaths: []string{"b.md"}},
		{ID: "cur-late", Kind: eval.KindCurrent, Question: "cur late", GoldPaths: []string{"b.md"}},
		{ID: "intro", Kind: eval.KindIntroduced, Question: "intro", GoldDate: "2024-01-10", GoldCommit: "c1"},
		{ID: "asof-ok", Kind: eval.KindAsOf, Question: "asof ok", AsOf: "2024-01-31", GoldPath: "a.md"},
		{ID: "asof-stale", Kind: eval.KindAsOf, Question: "asof stale", AsOf: "2024-03-31", GoldPath: "a.md"},
		{ID: "evo", Kind: eval.KindEvolution, Question: "evo", GoldCommits: []string{"c1", "c2", "c3", "c4"}},
		{ID: "chg-ok", Kind: eval.KindChanges, Question: "chg ok", From: "2024-02-01", To: "2024-03-31"},
		{ID: "chg-window", Kind: eval.KindChanges, Question: "chg window", From: "2024-02-01", To: "2024-03-31"},
		{ID: "err", Kind: eval.KindCurrent, Question: "unanswerable", GoldPaths: []string{"b.md"}},
	}
	cite := func(path, from, to string) livespec.Citation {
		c := livespec.Citation{Path: path, ValidFrom: livespec.Time{Time: day(from)}}
		if to != "" {
			c.ValidTo = livespec.Time{Time: day(to)}
		}
		return c
	}
	window := &livespec.Window{From: day("2024-02-01"), To: day("2024-04-01")}
	files := []livespec.AnswerChange{
		{Commit: "r", Path: "b.md", OldPath: "a.md", Kind: livespec.Renamed},
		{Commit: "r", Path: "b.md", Heading: "A", Kind: livespec.Renamed},
		{Commit: "m", Path: "side.md", Kind: livespec.Added},
	}
	asker := cannedAsker{
		"cur ok":     {Citations: []livespec.Citation{cite("x.md", "2024-01-01", ""), cite("b.md", "2024-01-01", "")}},
		"cur late":   {Citations: []livespec.Citation{cite("1.md", "", ""), cite("2.md", "", ""), cite("3.md", "", ""), cite("4.md", "", ""), cite("5.md", "", ""), cite("b.md", "", "")}},
		"intro":      {Changes: []livespec.AnswerChange{{Commit: "c1", Date: livespec.Time{Time: day("2024-01-10").Add(13 * time.Hour)}}}},
		"asof ok":    {Citations: []livespec.Citation{cite("a.md", "2024-01-10", "2024-02-10")}},
		"asof stale": {Citations: []livespec.Citation{cite("a.md", "2024-01-10", "2024-02-10")}},
		"evo":        {Changes: []livespec.AnswerChange{{Commit: "c1"}, {Commit: "c3"}, {Commit: "c9"}}},
		"chg ok":     {Window: window, Changes: files},
		"chg window": {Window: &livespec.Window{From: day("2024-02-01"), To: day("2024-03-31")}, Changes: files},
	}
	rep, err := eval.Run(context.Background(), asker, dir, qs, day("2024-06-01"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"cur-ok": 1, "cur-late": 0, "intro": 1, "asof-ok": 1, "asof-stale": 0, "evo": 0.5,
		"chg-ok": 1, "chg-window": 0, "err": 0,
	}
	for _, r := range rep.Results {
		if r.Score != want[r.ID] {
			t.Errorf("%s: score %v, want %v (expected %q, got %q, error %q)", r.ID, r.Score, want[r.ID], r.Expected, r.Got, r.Error)
		}
		if r.OK != (r.Score == 1 || (r.Kind == eval.KindEvolution && r.Score >= eval.EvolutionPass)) {
			t.Errorf("%s: ok = %v with score %v", r.ID, r.OK, r.Score)
		}
	}
	if got, _ := rep.Score(eval.KindCurrent); got != 1.0/3 {
		t.Errorf("current score = %v, want 1/3", got)
	}
	if got, _ := rep.Score(eval.KindChanges); got != 0.5 {
		t.Errorf("changes score = %v, want 0.5", got)
	}

	t.Run("text report", func(t *testing.T) {
		text := rep.Text()
		for _, s := range []string{"cur-ok", "asof-stale", "expected:", "got:", "error:", "kind", "evolution"} {
			if !strings.Contains(text, s) {
				t.Errorf("text report lacks %q:\n%s", s, text)
			}
		}
	})
	t.Run("json report", func(t *testing.T) {
		b, err := rep.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var back eval.Report
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if len(back.Results) != len(rep.Results) || len(back.Kinds) != len(rep.Kinds) {
			t.Errorf("JSON round trip lost results: %s", b)
		}
	})
}

func TestRunChangesFileSet(t *testing.T) {
	dir := testRepo(t)
	day := func(s string) time.Time {
		d, _ := time.Parse("2006-01-02", s)
		return d
	}
	// The whole history: the first commit's files, both sides of the rename,
	// the merged side branch's file; never notes.txt or GUIDE.MD.
	q := eval.Question{ID: "all", Kind: eval.KindChanges, Question: "all", From: "2024-01-01", To: "2024-12-31"}
	w := &livespec.Window{From: day("2024-01-01"), To: day("2025-01-01")}
	tests := []struct {
		name  string
		paths []string
		want  float64
	}{
		{"equal", []string{"a.md", "my doc.md", "b.md", "side.md"}, 1},
		{"missing", []string{"a.md", "b.md", "side.md"}, 0},
		{"extra", []string{"a.md", "my doc.md", "b.md", "side.md", "notes.txt"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var cs []livespec.AnswerChange
			for _, p := range tc.paths {
				cs = append(cs, livespec.AnswerChange{Path: p})
			}
			rep, err := eval.Run(context.Background(), cannedAsker{"all": {Window: w, Changes: cs}}, dir, []eval.Question{q}, day("2025-01-01"))
			if err != nil {
				t.Fatal(err)
			}
			if r := rep.Results[0]; r.Score != tc.want {
				t.Errorf("score %v, want %v: %s", r.Score, tc.want, r.Got)
			}
		})
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := eval.Run(ctx, cannedAsker{}, ".", []eval.Question{{ID: "x", Kind: eval.KindCurrent, Question: "q", GoldPaths: []string{"a"}}}, time.Now())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

func TestRunNotARepo(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	q := eval.Question{ID: "x", Kind: eval.KindChanges, Question: "q", From: "2024-01-01", To: "2024-01-31"}
	_, err := eval.Run(context.Background(), cannedAsker{"q": {}}, t.TempDir(), []eval.Question{q}, time.Now())
	if livespec.ErrorCode(err) != livespec.EINVALID {
		t.Errorf("error = %v, want EINVALID", err)
	}
}

func ExampleLoad() {
	set := `{"id": "q1", "kind": "changes", "question": "What changed in March 2025?", "from": "2025-03-01", "to": "2025-03-31"}
{"id": "q2", "kind": "current", "question": "Who approves spec changes?", "gold_paths": ["CONTRIBUTING.md"]}`
	qs, err := eval.Load(strings.NewReader(set))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, q := range qs {
		fmt.Println(q.ID, q.Kind, q.Question)
	}
	// Then: rep, err := eval.Run(ctx, assistant, repoDir, qs, time.Now()); fmt.Print(rep.Text())
	// Output:
	// q1 changes What changed in March 2025?
	// q2 current Who approves spec changes?
}

func TestRunFound(t *testing.T) {
	dir := testRepo(t)
	at := time.Date(2024, 1, 10, 12, 0, 0, 0, time.UTC)
	notFound := &livespec.Answer{Intent: livespec.IntentTimeline, Answer: "Nothing in the spec history mentions gRPC.", Found: false}
	found := &livespec.Answer{Intent: livespec.IntentTimeline, Answer: "It appeared …", Found: true,
		FirstSeen: &livespec.FirstSeen{Commit: "0123456789abcdef", Date: livespec.Time{Time: at}, Path: "a.md"},
		Changes:   []livespec.AnswerChange{{Commit: "ffffffffff", Date: livespec.Time{Time: at.AddDate(0, -3, 0)}}}}
	asker := cannedAsker{"absent": notFound, "present": found}
	tests := []struct {
		name string
		q    eval.Question
		want float64
	}{
		{"absent passes when nothing was found", eval.Question{ID: "a1", Kind: eval.KindAbsent, Question: "absent"}, 1},
		{"absent fails when something was found", eval.Question{ID: "a2", Kind: eval.KindAbsent, Question: "present"}, 0},
		{"introduced fails when nothing was found", eval.Question{ID: "i1", Kind: eval.KindIntroduced, Question: "absent", GoldDate: "2024-01-10"}, 0},
		{"current fails when nothing was found", eval.Question{ID: "c1", Kind: eval.KindCurrent, Question: "absent", GoldPaths: []string{"a.md"}}, 0},
		{"introduced reads first_seen before the earliest change", eval.Question{ID: "i2", Kind: eval.KindIntroduced, Question: "present", GoldDate: "2024-01-10"}, 1},
		{"a day off is within one day", eval.Question{ID: "i3", Kind: eval.KindIntroduced, Question: "present", GoldDate: "2024-01-11"}, 1},
		{"two days off is not", eval.Question{ID: "i4", Kind: eval.KindIntroduced, Question: "present", GoldDate: "2024-01-12"}, 0},
		{"a 7-digit prefix names the commit", eval.Question{ID: "i5", Kind: eval.KindIntroduced, Question: "present", GoldCommit: "0123456", GoldDate: "2020-01-01"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := eval.Run(context.Background(), asker, dir, []eval.Question{tc.q}, at)
			if err != nil {
				t.Fatal(err)
			}
			if r := rep.Results[0]; r.Score != tc.want {
				t.Errorf("score %v, want %v: %s", r.Score, tc.want, r.Got)
			}
		})
	}
}

func TestRunVariants(t *testing.T) {
	dir := testRepo(t)
	asker := cannedAsker{"absent": {Intent: livespec.IntentCurrent, Answer: "Nothing in the spec history mentions X."}}
	qs := []eval.Question{
		{ID: "a", Kind: eval.KindAbsent, Variant: "typo", Question: "absent"},
		{ID: "b", Kind: eval.KindCurrent, Variant: "typo", Question: "absent", GoldPaths: []string{"a.md"}},
		{ID: "c", Kind: eval.KindAbsent, Question: "absent"},
	}
	rep, err := eval.Run(context.Background(), asker, dir, qs, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := []eval.VariantScore{{Variant: "typo", N: 2, OK: 1, Score: 0.5}, {Variant: "plain", N: 1, OK: 1, Score: 1}}
	if !slices.Equal(rep.Variants, want) {
		t.Errorf("variants = %+v, want %+v", rep.Variants, want)
	}
	if text := rep.Text(); !strings.Contains(text, "variant") || !strings.Contains(text, "typo") {
		t.Errorf("text report lacks the variant table:\n%s", text)
	}
}

// TestRunChangesReadsSidecars: an index that reads sidecars (kep.yaml
// beside a README.md) reports their changes; the git file set it is scored
// against holds them when the run is told what the index reads, and
// never files the index does not read.
func TestRunChangesReadsSidecars(t *testing.T) {
	r := gittest.New(t, time.Date(2024, 1, 10, 12, 0, 0, 0, time.UTC))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "kep",
		Write: map[string]string{"keps/1-a/README.md": "# KEP-1\n", "keps/1-a/kep.yaml": "status: provisional\n", "notes.txt": "no spec\n"}})
	q := eval.Question{ID: "all", Kind: eval.KindChanges, Question: "all", From: "2024-01-01", To: "2024-12-31"}
	w := &livespec.Window{From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	asker := cannedAsker{"all": {Window: w, Changes: []livespec.AnswerChange{{Path: "keps/1-a/README.md"}, {Path: "keps/1-a/kep.yaml"}}}}
	reads, err := ingest.Reads(ingest.Options{Exclude: ingest.DefaultExclude})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		reads func(string) bool
		want  float64
	}{
		{"the index's files", reads, 1},
		{"Markdown only", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := eval.RunReading(context.Background(), asker, r.Dir, tc.reads, []eval.Question{q}, w.To)
			if err != nil {
				t.Fatal(err)
			}
			if res := rep.Results[0]; res.Score != tc.want {
				t.Errorf("score %v, want %v: %s", res.Score, tc.want, res.Got)
			}
		})
	}
}

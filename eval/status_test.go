package eval_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/eval"
)

func TestRunStatus(t *testing.T) {
	fact := func(path, value, since string) livespec.AnswerFact {
		return livespec.AnswerFact{Path: path, Field: "status", Value: value, Since: livespec.FactSince{Commit: "c", Date: livespec.Time{Time: statusDay(since)}}}
	}
	list := func(id string, gold ...string) eval.Question {
		return eval.Question{ID: id, Kind: eval.KindStatusList, Question: id, Field: "status", Value: "Accepted", GoldPaths: gold,
			Window: &eval.DayWindow{From: "2024-01-01", To: "2024-12-31"}, GoldAliases: map[string][]string{"p/b.md": {"p/0002-b.md"}}}
	}
	of := eval.Question{ID: "of", Kind: eval.KindStatusOf, Question: "of", Field: "status", GoldPath: "p/a.md",
		GoldValue: "beta", GoldDate: "2024-03-01", GoldAliases: map[string][]string{"p/a.md": {"p/0001-a.md"}}}
	ofLate := of
	ofLate.ID, ofLate.Question, ofLate.GoldDate = "of-late", "of-late", "2024-02-20"
	asker := cannedAsker{
		// every gold document, one through its later path
		"all": {Intent: livespec.IntentStatus, Found: true, Facts: []livespec.AnswerFact{fact("p/a.md", "Accepted", "2024-02-01"), fact("p/0002-b.md", "Accepted", "2024-03-01")}},
		// one of two gold documents: under 90% covered
		"half": {Found: true, Facts: []livespec.AnswerFact{fact("p/a.md", "Accepted", "2024-02-01")}},
		// every gold document and one more: under 90% gold
		"extra": {Found: true, Facts: []livespec.AnswerFact{fact("p/a.md", "Accepted", "2024-02-01"), fact("p/b.md", "Accepted", "2024-03-01"), fact("p/c.md", "Accepted", "2024-03-01")}},
		// the value contains the gold value, since within a day, by the renamed path
		"of":      {Found: true, Facts: []livespec.AnswerFact{fact("p/0001-a.md", "Beta since 1.4", "2024-03-01")}},
		"of-late": {Found: true, Facts: []livespec.AnswerFact{fact("p/0001-a.md", "Beta since 1.4", "2024-03-01")}},
	}
	qs := []eval.Question{list("all", "p/a.md", "p/b.md"), list("half", "p/a.md", "p/b.md"), list("extra", "p/a.md", "p/b.md"), of, ofLate}
	rep, err := eval.Run(context.Background(), asker, ".", qs, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"all": true, "half": false, "extra": false, "of": true, "of-late": false}
	for _, r := range rep.Results {
		if r.OK != want[r.ID] {
			t.Errorf("%s: ok %v, want %v (got %s; expected %s)", r.ID, r.OK, want[r.ID], r.Got, r.Expected)
		}
	}
	if s, _ := rep.Score(eval.KindStatusList); s < 0.33 || s > 0.34 {
		t.Errorf("status_list score %.3f, want 1/3", s)
	}
}

func TestLoadStatusQuestions(t *testing.T) {
	for _, line := range []string{
		`{"id":"a","kind":"status_list","question":"q","gold_paths":["x"]}`,
		`{"id":"b","kind":"status_of","question":"q","gold_path":"x","gold_value":"beta"}`,
	} {
		if _, err := eval.Load(strings.NewReader(line)); livespec.ErrorCode(err) != livespec.EINVALID {
			t.Errorf("%s: %v, want EINVALID", line, err)
		}
	}
}

func statusDay(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

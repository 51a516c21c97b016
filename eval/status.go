package eval

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/livespec/livespec"
)

// Status question kinds: the documents whose field reached a value in a
// window or holds it at a date (status_list), and one document's value at
// a date and since when (status_of).
const (
	KindStatusList = "status_list"
	KindStatusOf   = "status_of"
)

// StatusShare is the share of gold documents a status_list answer must
// cover, and of its documents that must be gold.
const StatusShare = 0.9

// validateStatus checks the gold fields of a status question.
func (q *Question) validateStatus() error {
	switch q.Kind {
	case KindStatusList:
		if len(q.GoldPaths) == 0 {
			return fmt.Errorf("a status_list question needs gold_paths")
		}
		if (q.Window == nil) == (q.AsOf == "") {
			return fmt.Errorf("a status_list question needs a window or as_of")
		}
	case KindStatusOf:
		if q.GoldPath == "" || q.GoldValue == "" {
			return fmt.Errorf("a status_of question needs gold_path and gold_value")
		}
		if _, err := time.Parse(dayLayout, q.GoldDate); err != nil {
			return fmt.Errorf("gold_date %q is not a YYYY-MM-DD date", q.GoldDate)
		}
	}
	return nil
}

// isGold reports whether path is gold (or one of its paths over renames).
func (q *Question) isGold(gold, path string) bool {
	return path == gold || slices.Contains(q.GoldAliases[gold], path)
}

// scoreStatus scores a status question: 1 when it passes, else 0.
func scoreStatus(res *Result, q Question, ans *livespec.Answer) {
	switch q.Kind {
	case KindStatusList:
		res.Expected = fmt.Sprintf("facts of %d documents (%s %s), ≥%.0f%% covered and ≥%.0f%% gold", len(q.GoldPaths), q.Field, q.Value, 100*StatusShare, 100*StatusShare)
		paths := map[string]bool{}
		for _, f := range ans.Facts {
			paths[f.Path] = true
		}
		covered := 0
		var missing []string
		for _, g := range q.GoldPaths {
			if slices.ContainsFunc(keys(paths), func(p string) bool { return q.isGold(g, p) }) {
				covered++
			} else {
				missing = append(missing, g)
			}
		}
		var extra []string
		for _, p := range keys(paths) {
			if !slices.ContainsFunc(q.GoldPaths, func(g string) bool { return q.isGold(g, p) }) {
				extra = append(extra, p)
			}
		}
		res.Got = fmt.Sprintf("intent %s, %d documents, %d/%d gold covered", ans.Intent, len(paths), covered, len(q.GoldPaths))
		if len(missing) > 0 {
			res.Got += ", missing " + strings.Join(missing, " ")
		}
		if len(extra) > 0 {
			res.Got += ", extra " + strings.Join(extra, " ")
		}
		good := len(paths) - len(extra)
		if float64(covered) >= StatusShare*float64(len(q.GoldPaths)) && len(paths) > 0 && float64(good) >= StatusShare*float64(len(paths)) {
			res.Score = 1
		}
	case KindStatusOf:
		res.Expected = fmt.Sprintf("a fact of %s with %q since %s", q.GoldPath, q.GoldValue, q.GoldDate)
		gold, _ := time.Parse(dayLayout, q.GoldDate)
		var got []string
		for _, f := range ans.Facts {
			got = append(got, fmt.Sprintf("%s %s=%q since %s", f.Path, f.Field, f.Value, f.Since.Date.UTC().Format(dayLayout)))
			d := f.Since.Date.Sub(gold)
			if q.isGold(q.GoldPath, f.Path) && strings.Contains(strings.ToLower(f.Value), strings.ToLower(q.GoldValue)) &&
				d >= -24*time.Hour && d < 48*time.Hour {
				res.Score = 1
			}
		}
		if len(got) == 0 {
			got = append(got, "no facts")
		}
		res.Got = fmt.Sprintf("intent %s, %s", ans.Intent, strings.Join(got, "; "))
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

// defaultPeriod is the Changes page's period when none is asked for.
const defaultPeriod = "last 90 days"

// maxReportDocs is how many documents the report lists in full.
const maxReportDocs = 200

// periodSuggestions are phrases offered beside the period box; the box
// takes anything the API's period parameter understands.
var periodSuggestions = []string{"this week", "last week", "this month", "last month", "this quarter", "last quarter", "last 90 days", "this year", "last year"}

// changesView is the Changes page.
type changesView struct {
	Period, Since, Until string // the form's values
	Suggestions          []string
	Window               livespec.Window
	Chart                *chart
	Area, Week           string // the bar a click narrowed the report to
	Bucket               string // that bar's name: "week of 13 Jan 2025", "Sep 2025"
	ReportFrom, ReportTo time.Time
	ClearURL             string
	Totals               totals
	Docs                 []reportDoc
	MoreDocs             int
}

type totals struct{ Changes, Files, Sections, Commits, Documents int }

// reportDoc is one document's changes in the period.
type reportDoc struct {
	Repo, Path, Title string
	URL               string
	Commits           []historyEntry
}

// Changes serves /changes: the changes of a period (?period= phrase, or
// ?since=&until= days) as a chart per week or month stacked by area, and
// the report of that period grouped by document. ?week=&area= (a bar's
// link) narrows the report to one bar.
func Changes(st livespec.Store, period PeriodFunc, now func() time.Time, errs Errors) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := changesPage(r, st, period, now())
		if err != nil {
			fail(w, errs, err)
			return
		}
		render(w, http.StatusOK, "changes", page{Title: "Changes", Nav: "changes", Body: v})
	})
}

func changesPage(r *http.Request, st livespec.Store, period PeriodFunc, now time.Time) (*changesView, error) {
	q := r.URL.Query()
	v := &changesView{Period: strings.TrimSpace(q.Get("period")), Since: q.Get("since"), Until: q.Get("until"),
		Suggestions: periodSuggestions, Area: q.Get("area"), Week: q.Get("week")}
	win, err := v.window(period, now)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	repos, err := st.Repos(ctx)
	if err != nil {
		return nil, err
	}
	chs, err := st.Changes(ctx, livespec.ChangeQuery{From: win.From, To: win.To, Sections: true})
	if err != nil {
		return nil, err
	}
	if win.From.IsZero() && len(chs) > 0 {
		win.From = chs[0].Date
	}
	if win.To.IsZero() {
		win.To = now
	}
	v.Window = win
	byRepo := len(repos) > 1
	v.Chart = buildChart(chs, win, byRepo, v.linkFor)
	report, err := v.narrow(chs, byRepo)
	if err != nil {
		return nil, err
	}
	return v, v.buildReport(r, st, report)
}

// window resolves the form into the chart's window.
func (v *changesView) window(period PeriodFunc, now time.Time) (livespec.Window, error) {
	if v.Since != "" || v.Until != "" {
		v.Period = ""
		from, err := parseDay("since", v.Since)
		if err != nil {
			return livespec.Window{}, err
		}
		to, err := parseDay("until", v.Until)
		if err != nil {
			return livespec.Window{}, err
		}
		if !to.IsZero() {
			to = to.AddDate(0, 0, 1) // until is inclusive
		}
		if !from.IsZero() && !to.IsZero() && !from.Before(to) {
			return livespec.Window{}, livespec.Errorf(livespec.EINVALID, "until: must not be before since")
		}
		return livespec.Window{From: from, To: to}, nil
	}
	v.Period = cmp.Or(v.Period, defaultPeriod)
	if len(v.Period) > 200 {
		return livespec.Window{}, livespec.Errorf(livespec.EINVALID, "period: over 200 characters")
	}
	w, err := period(v.Period, now)
	if err != nil {
		return livespec.Window{}, livespec.WrapError(livespec.EINVALID, err, "period: cannot understand %q (try \"last quarter\", \"Q3 2025\", \"since March\", \"last 30 days\")", clip(v.Period, 60))
	}
	return w, nil
}

// formValues are the query parameters that select the chart's window.
func (v *changesView) formValues() url.Values {
	q := url.Values{}
	if v.Period != "" {
		q.Set("period", v.Period)
	}
	if v.Since != "" {
		q.Set("since", v.Since)
	}
	if v.Until != "" {
		q.Set("until", v.Until)
	}
	return q
}

// linkFor is the URL of one bar segment: the same chart, the report
// narrowed to that bucket and area.
func (v *changesView) linkFor(bucket time.Time, area string) string {
	q := v.formValues()
	q.Set("week", bucket.Format(time.DateOnly))
	q.Set("area", area)
	return "/changes?" + q.Encode() + "#report"
}

// narrow keeps the changes of the bar the page was narrowed to, if any.
func (v *changesView) narrow(chs []livespec.Change, byRepo bool) ([]livespec.Change, error) {
	v.ReportFrom, v.ReportTo = v.Window.From, v.Window.To
	if v.Week == "" && v.Area == "" {
		return chs, nil
	}
	v.ClearURL = "/changes?" + v.formValues().Encode() + "#report"
	if v.Week != "" {
		start, err := parseDay("week", v.Week)
		if err != nil {
			return nil, err
		}
		v.ReportFrom = maxTime(start, v.Window.From)
		v.ReportTo = minTime(v.Chart.Unit.next(start), v.Window.To)
		v.Bucket = v.Chart.Unit.label(start)
	}
	v.Chart.markSelected(v.Week, v.Area)
	return slices.DeleteFunc(slices.Clone(chs), func(c livespec.Change) bool {
		return c.Date.Before(v.ReportFrom) || !c.Date.Before(v.ReportTo) || v.Area != "" && areaOf(c, byRepo) != v.Area
	}), nil
}

// buildReport groups the report's changes by document, with totals.
func (v *changesView) buildReport(r *http.Request, st livespec.Store, chs []livespec.Change) error {
	chs = retrieval.MergeParts(chs)
	type docKey struct{ repo, path string }
	byDoc := map[docKey][]livespec.Change{}
	var keys []docKey
	commits, files := map[string]bool{}, map[docKey]bool{}
	for _, c := range chs {
		k := docKey{c.Repo, c.Path}
		if byDoc[k] == nil {
			keys = append(keys, k)
		}
		byDoc[k] = append(byDoc[k], c)
		commits[c.Repo+"\x00"+c.Commit] = true
		if c.Section {
			v.Totals.Sections++
		} else {
			files[k] = true
			v.Totals.Files++
		}
	}
	v.Totals.Changes, v.Totals.Commits, v.Totals.Documents = len(chs), len(commits), len(keys)
	titles, err := titlesAt(r, st, v.ReportTo)
	if err != nil {
		return err
	}
	for i, k := range keys {
		if i == maxReportDocs {
			v.MoreDocs = len(keys) - maxReportDocs
			break
		}
		d := reportDoc{Repo: k.repo, Path: k.path, Title: titles[k.repo+"\x00"+k.path],
			URL: docURL(k.repo, k.path, v.ReportTo.Add(-time.Nanosecond))}
		d.Commits = groupByCommit(byDoc[k], nil)
		v.Docs = append(v.Docs, d)
	}
	return nil
}

// titlesAt maps "repo\x00path" to the title of every file standing just
// before t.
func titlesAt(r *http.Request, st livespec.Store, t time.Time) (map[string]string, error) {
	files, err := st.Files(r.Context(), livespec.FileQuery{Validity: livespec.AsOf(t.Add(-time.Nanosecond))})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(files))
	for _, f := range files {
		out[f.Repo+"\x00"+f.Path] = fileTitle(&f)
	}
	return out, nil
}

// fileTitle is a file version's title: its front matter's title, else its
// first heading.
func fileTitle(f *livespec.FileVersion) string {
	if t, ok := f.Meta["title"].(string); ok && t != "" {
		return t
	}
	return f.FirstHeading()
}

// groupByCommit gathers one file's changes by commit, in order. With
// editKind (retrieval.EditKind of a change's texts), a commit whose every
// section change is editorial is marked so, with the kinds of edit.
func groupByCommit(chs []livespec.Change, editKind func(livespec.Change) string) []historyEntry {
	byCommit := map[string]int{}
	var out []historyEntry
	for _, c := range chs {
		i, ok := byCommit[c.Commit]
		if !ok {
			i = len(out)
			byCommit[c.Commit] = i
			out = append(out, historyEntry{Commit: c.Commit, Message: c.Message, Author: c.Author, Date: c.Date,
				Kind: livespec.Modified, Editorial: editKind != nil})
		}
		e := &out[i]
		if !c.Section {
			e.Kind, e.OldPath = c.Kind, c.OldPath
			if c.OldPath != "" {
				e.OldURL = docURL(c.Repo, c.OldPath, c.Date.Add(-time.Second))
			}
			e.Editorial = e.Editorial && c.Kind == livespec.Modified
			continue
		}
		e.Sections = append(e.Sections, c)
		if !e.Editorial {
			continue
		}
		kind := ""
		if c.Kind == livespec.Modified {
			kind = editKind(c)
		}
		if e.Editorial = kind != ""; e.Editorial && !slices.Contains(e.EditKinds, kind) {
			e.EditKinds = append(e.EditKinds, kind)
		}
	}
	for i := range out {
		if !out[i].Editorial || len(out[i].Sections) == 0 {
			out[i].Editorial, out[i].EditKinds = false, nil
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

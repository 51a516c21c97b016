package web

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/livespec/livespec"
)

// unit is a chart's bucket size.
type unit string

const (
	week  unit = "week"
	month unit = "month"
)

// start returns the first instant of t's bucket (weeks start on Monday, UTC).
func (u unit) start(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if u == month {
		return d.AddDate(0, 0, 1-d.Day())
	}
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

func (u unit) next(t time.Time) time.Time {
	if u == month {
		return t.AddDate(0, 1, 0)
	}
	return t.AddDate(0, 0, 7)
}

// label names a bucket on the axis and for screen readers.
func (u unit) label(t time.Time) string {
	if u == month {
		return t.Format("Jan 2006")
	}
	return "week of " + t.Format("2 Jan 2006")
}

// chart is the stacked bar chart of changes per bucket and area, laid out
// for an SVG of Width×Height.
type chart struct {
	Unit          unit
	Width, Height int
	PlotTop       int
	Baseline      int
	LabelY        int // the x axis labels' baseline
	Max           int
	Bars          []bar
	Ticks         []tick
	Areas         []legendEntry
	ByRepo        bool
	Empty         bool
	Narrowed      bool // the report shows only the selected segments
}

type bar struct {
	Start    string // YYYY-MM-DD
	Label    string
	Count    int
	Segments []segment
}

type segment struct {
	Area       string
	Count      int
	X, Y, W, H int
	Color      string
	URL        string
	Label      string
	Selected   bool
}

// tick labels a bucket on the x axis; a minor one is hidden on narrow
// screens, where the labels would touch.
type tick struct {
	X     int
	Label string
	Minor bool
}

type legendEntry struct {
	Area, Color string
	Count       int
}

// palette is distinguishable with white text and on a white background
// (contrast ≥ 3:1 against white for graphics).
var palette = []string{"#1f5fa8", "#b3541e", "#2e7d32", "#7b3fa0", "#a3152b", "#00707a", "#6b5b00", "#4a4a4a"}

// areaOf is the top-level area of a change: its repository when several
// are indexed, else its path's first directory ("/" for files at the
// root).
func areaOf(c livespec.Change, byRepo bool) string {
	if byRepo {
		return c.Repo
	}
	if i := strings.IndexByte(c.Path, '/'); i >= 0 {
		return c.Path[:i]
	}
	if path.Dir(c.Path) == "." {
		return "/"
	}
	return c.Path
}

// buildChart counts the changes per bucket and area over w; each segment
// links to linkFor(bucket, area).
func buildChart(chs []livespec.Change, w livespec.Window, byRepo bool, linkFor func(time.Time, string) string) *chart {
	c := &chart{Unit: week, Width: 720, Height: 240, PlotTop: 16, Baseline: 200, LabelY: 218, ByRepo: byRepo}
	if w.To.Sub(w.From) > 26*7*24*time.Hour {
		c.Unit = month
	}
	var starts []time.Time
	for t := c.Unit.start(w.From); t.Before(w.To); t = c.Unit.next(t) {
		starts = append(starts, t)
		if len(starts) > 400 {
			break
		}
	}
	counts := make([]map[string]int, len(starts))
	areaTotal := map[string]int{}
	for _, ch := range chs {
		b := c.Unit.start(ch.Date)
		i, ok := slices.BinarySearchFunc(starts, b, func(a, b time.Time) int { return a.Compare(b) })
		if !ok {
			continue
		}
		if counts[i] == nil {
			counts[i] = map[string]int{}
		}
		a := areaOf(ch, byRepo)
		counts[i][a]++
		areaTotal[a]++
	}
	areas := make([]string, 0, len(areaTotal))
	for a := range areaTotal {
		areas = append(areas, a)
	}
	slices.SortFunc(areas, func(a, b string) int { return cmp.Or(cmp.Compare(areaTotal[b], areaTotal[a]), strings.Compare(a, b)) })

	color := map[string]string{}
	for i, a := range areas {
		color[a] = palette[i%len(palette)]
		c.Areas = append(c.Areas, legendEntry{a, color[a], areaTotal[a]})
	}
	c.layout(starts, counts, areas, color, linkFor)
	return c
}

// layout places the bars: one slot per bucket, segments stacked in legend
// order, heights scaled to the tallest bar.
func (c *chart) layout(starts []time.Time, counts []map[string]int, areas []string, color map[string]string, linkFor func(time.Time, string) string) {
	for _, m := range counts {
		n := 0
		for _, k := range m {
			n += k
		}
		c.Max = max(c.Max, n)
	}
	c.Empty = c.Max == 0
	if c.Empty || len(starts) == 0 {
		return
	}
	left, right := 40, 8
	slot := float64(c.Width-left-right) / float64(len(starts))
	barW := max(int(slot*0.75), 2)
	plotH := c.Baseline - c.PlotTop
	every := max(1, len(starts)/8)
	for i, s := range starts {
		x := left + int(float64(i)*slot+(slot-float64(barW))/2)
		if i%every == 0 {
			c.Ticks = append(c.Ticks, tick{X: x + barW/2, Label: tickLabel(c.Unit, s), Minor: len(c.Ticks)%2 == 1})
		}
		if len(counts[i]) == 0 {
			continue
		}
		b := bar{Start: s.Format(time.DateOnly), Label: c.Unit.label(s)}
		y := c.Baseline
		for _, a := range areas {
			n := counts[i][a]
			if n == 0 {
				continue
			}
			h := max(n*plotH/c.Max, 2)
			y -= h
			b.Count += n
			b.Segments = append(b.Segments, segment{Area: a, Count: n, X: x, Y: y, W: barW, H: h, Color: color[a],
				URL: linkFor(s, a), Label: fmt.Sprintf("%s, %s: %s", b.Label, areaName(a), livespec.Plural(n, "change"))})
		}
		c.Bars = append(c.Bars, b)
	}
}

// markSelected marks the segments a report narrowed to the bar starting
// on week (YYYY-MM-DD, "" for any) and to area ("" for any) shows.
func (c *chart) markSelected(week, area string) {
	if week == "" && area == "" {
		return
	}
	c.Narrowed = true
	for i := range c.Bars {
		for j := range c.Bars[i].Segments {
			s := &c.Bars[i].Segments[j]
			s.Selected = (week == "" || c.Bars[i].Start == week) && (area == "" || s.Area == area)
		}
	}
}

func tickLabel(u unit, t time.Time) string {
	if u == month {
		return t.Format("Jan 06")
	}
	return t.Format("2 Jan")
}

func areaName(a string) string {
	if a == "/" {
		return "top level"
	}
	return a
}

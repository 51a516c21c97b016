package retrieval

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/olebedev/when"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/cache"
)

// This file parses the periods and dates people write in questions. The
// grammar has two levels: a point names one calendar span ("June 1, 2024",
// "March 2025", "Q3", "the second half of 2017", "last week", "2024"), and a
// phrase builds a window or an as-of instant from points ("between May and
// July 2024", "since March", "the last 30 days", "as of the end of June
// 2025"). Everything is UTC and relative to an injected now.
//
// Weekday phrases ("last Tuesday") and "today"/"yesterday" are resolved by
// github.com/olebedev/when. Month dates are parsed here: when cannot carry a
// year on them ("June 1, 2024") and sets the month before the day, so
// "February 1" parsed on a 30th lands in March.

// grain is the size of the calendar span a point names.
type grain int

const (
	grainDay grain = iota + 1
	grainWeek
	grainMonth
	grainQuarter
	grainHalf
	grainYear
	grainRolling // a span ending today ("the past year")
)

// span is a resolved point: the half-open interval [from, to) of whole UTC
// days it covers.
type span struct {
	from, to time.Time
	grain    grain
	// explicitYear reports that the text fixed the year (or that the point
	// is relative to now); otherwise a range may move it to its other end's
	// year.
	explicitYear bool
	// rough marks "early 2024", "mid-March", "late 2023": the whole named
	// span stands for its part, and a note says so.
	rough bool
}

// pointForm is one way of writing a point. pattern has capturing groups
// that resolve reads; year, when non-zero, overrides an unwritten year.
type pointForm struct {
	name    string
	pattern string
	strict  bool // unambiguous enough to count as a period without a preposition
	resolve func(m []string, now time.Time, year int) (span, error)
	re      *regexp.Regexp // ^pattern$, compiled once (compilePointForms)
}

const (
	pMonth   = `(january|february|march|april|may|june|july|august|september|october|november|december|sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)\.?`
	pFullMon = `(january|february|march|april|may|june|july|august|september|october|november|december|sept)\b`
	pDay     = `(3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?\b`
	pYear    = `((?:19|20)[0-9]{2})\b`
	// pDateYear is the year of a written date ("June 1, 2024"): any
	// number of four digits or more, so that a year outside the range
	// livespec reads is an error, never a date of this year.
	pDateYear = `([0-9]{4,})\b`
	pSep      = `(?:\s*,\s*|\s+)`
	pUnit     = `(days?|weeks?|months?|quarters?|years?)\b`
	pCount    = `([0-9]{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+couple\s+of|couple\s+of|a)`
	pWeekday  = `(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b`
	pOrdinal4 = `(first|second|third|fourth|1st|2nd|3rd|4th)`
	pOrdinal2 = `(first|second|1st|2nd)`
	pRelYear  = `((?:19|20)[0-9]{2}|this\s+year|last\s+year|the\s+previous\s+year|previous\s+year)`
)

var monthNames = map[string]time.Month{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
	"september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
	"december": 12, "dec": 12,
}

var countWords = map[string]int{
	"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple of": 2, "a couple of": 2,
}

var ordinals = map[string]int{
	"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
}

// pointForms are tried in order at each position: longer forms first.
var pointForms = []*pointForm{
	{name: "iso day", strict: true, pattern: `([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})\b`, resolve: resolveISODay},
	{name: "month day year", strict: true, pattern: pMonth + `\s+` + pDay + `(?:` + pSep + pDateYear + `)?`, resolve: resolveMonthDay(1, 2, 3)},
	{name: "day month year", strict: true, pattern: pDay + `\s+(?:of\s+)?` + pMonth + `(?:` + pSep + pDateYear + `)?`, resolve: resolveMonthDay(2, 1, 3)},
	{name: "month year", strict: true, pattern: pMonth + pSep + pDateYear, resolve: resolveMonthYear},
	{name: "iso month", pattern: `((?:19|20)[0-9]{2})-(0[1-9]|1[0-2])\b`, resolve: resolveISOMonth},
	{name: "quarter", strict: true, pattern: `q([1-4])(?:\s*(?:of\s+)?` + pYear + `)?`, resolve: resolveQuarter(1, 2)},
	{name: "year quarter", strict: true, pattern: pYear + `[\s-]*q([1-4])\b`, resolve: resolveQuarter(2, 1)},
	{name: "ordinal quarter", strict: true, pattern: `(?:the\s+)?` + pOrdinal4 + `\s+quarter\b(?:\s+(?:of\s+)?` + pRelYear + `)?`, resolve: resolveOrdinal(3)},
	{name: "half", strict: true, pattern: `h([12])\s*(?:of\s+)?` + pYear, resolve: resolveHalf(1, 2)},
	{name: "year half", strict: true, pattern: pYear + `[\s-]*h([12])\b`, resolve: resolveHalf(2, 1)},
	{name: "ordinal half", strict: true, pattern: `(?:the\s+)?` + pOrdinal2 + `\s+half\b(?:\s+(?:of\s+)?` + pRelYear + `)?`, resolve: resolveOrdinal(6)},
	{name: "before last", strict: true, pattern: `the\s+(week|month|quarter|year)\s+before\s+last\b`, resolve: resolveBeforeLast},
	{name: "ordinal week", strict: true, pattern: `(?:the\s+)?(first|second|third|fourth|last|1st|2nd|3rd|4th)\s+week\s+(?:of|in)\s+(` + uncapture(pMonth+`(?:`+pSep+pYear+`)?`) + `)`}, // resolve set in init
	{name: "relative", strict: true, pattern: `(?:the\s+)?(this|current|last|previous|prior|past|next[\s-]+to[\s-]+last|penultimate)\s+(week|month|quarter|year)\b`, resolve: resolveRelative},
	{name: "ago", strict: true, pattern: pCount + `\s+` + pUnit + `\s+ago\b`, resolve: resolveAgo},
	{name: "casual day", strict: true, pattern: `(today|yesterday)\b`, resolve: resolveWhen},
	{name: "weekday", strict: true, pattern: `(?:(last|past|this|on)\s+)?` + pWeekday, resolve: resolveWhen},
	{name: "rough", strict: true, pattern: `(early|mid|late)[\s-]+(` + uncapture(pMonth) + pSep + uncapture(pYear) + `|` + uncapture(pYear) + `|` + uncapture(pFullMon) + `)`},                                                                               // resolve set in init: it recurses
	{name: "week of", strict: true, pattern: `(?:the\s+)?week\s+(?:of|starting|beginning|from)\s+(` + uncapture(`[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}\b|`+pMonth+`\s+`+pDay+`(?:`+pSep+pYear+`)?|`+pDay+`\s+(?:of\s+)?`+pMonth+`(?:`+pSep+pYear+`)?`) + `)`}, // resolve set in init
	{name: "year", pattern: pYear, resolve: resolveYear},
	{name: "month", pattern: pFullMon, resolve: resolveMonth},
}

func init() {
	for _, f := range pointForms {
		switch f.name {
		case "rough":
			f.resolve = resolveRough
		case "week of":
			f.resolve = resolveWeekOf
		case "ordinal week":
			f.resolve = resolveOrdinalWeek
		}
	}
}

// compilePointForms compiles the point forms' expressions at the first
// point resolved: a process that reads no question never pays for them.
var compilePointForms = sync.OnceFunc(func() {
	for _, f := range pointForms {
		f.re = regexp.MustCompile(`(?i)^(?:` + f.pattern + `)$`)
	}
})

// uncapture turns the capturing groups of a pattern into non-capturing
// ones, so patterns can be nested in a larger expression.
func uncapture(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			b.WriteString(p[i : i+2])
			i++
			continue
		}
		b.WriteByte(p[i])
		if p[i] == '(' && (i+1 >= len(p) || p[i+1] != '?') {
			b.WriteString("?:")
		}
	}
	return b.String()
}

// pointPattern is the alternation of the point forms (strict ones only
// when strict is set), with no capturing groups.
func pointPattern(strict bool) string {
	var alts []string
	for _, f := range pointForms {
		if strict && !f.strict {
			continue
		}
		alts = append(alts, uncapture(f.pattern))
	}
	return `(?:` + strings.Join(alts, `|`) + `)`
}

// resolvePoint resolves the text of a point. year, when non-zero, is used
// for a point that does not write its year.
func resolvePoint(text string, now time.Time, year int) (span, error) {
	text = strings.TrimSpace(text)
	compilePointForms()
	for _, f := range pointForms {
		if m := f.re.FindStringSubmatch(text); m != nil {
			for i := range m {
				m[i] = strings.ToLower(m[i])
			}
			return f.resolve(m, now, year)
		}
	}
	return span{}, badPeriod(text)
}

func badPeriod(text string) error {
	return livespec.Errorf(livespec.EINVALID, "could not understand the period %q", strings.TrimSpace(text))
}

// day returns midnight UTC starting the day of t.
func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// tomorrow is the midnight after now's day: the end of an open window.
func tomorrow(now time.Time) time.Time { return day(now).AddDate(0, 0, 1) }

// addMonths moves t by n months, clamping the day to the target month's
// length (January 31 + 1 month = February 28).
func addMonths(t time.Time, n int) time.Time {
	first := date(t.Year(), t.Month(), 1).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	d := t.Day()
	if d > last {
		d = last
	}
	return date(first.Year(), first.Month(), d)
}

func daySpan(t time.Time, explicit bool) span {
	return span{from: t, to: t.AddDate(0, 0, 1), grain: grainDay, explicitYear: explicit}
}

func monthSpan(y int, m time.Month, explicit bool) span {
	f := date(y, m, 1)
	return span{from: f, to: f.AddDate(0, 1, 0), grain: grainMonth, explicitYear: explicit}
}

func quarterSpan(y, q int) span {
	f := date(y, time.Month(3*(q-1)+1), 1)
	return span{from: f, to: f.AddDate(0, 3, 0), grain: grainQuarter, explicitYear: true}
}

func halfSpan(y, h int) span {
	f := date(y, time.Month(6*(h-1)+1), 1)
	return span{from: f, to: f.AddDate(0, 6, 0), grain: grainHalf, explicitYear: true}
}

func yearSpan(y int) span {
	return span{from: date(y, 1, 1), to: date(y+1, 1, 1), grain: grainYear, explicitYear: true}
}

// latest picks the year of a point written without one: year if given,
// else this year, or last year when this year's start(y) is still ahead.
func latest(now time.Time, year int, start func(y int) time.Time) (int, bool) {
	if year != 0 {
		return year, true
	}
	y := now.UTC().Year()
	if start(y).After(now) {
		y--
	}
	return y, false
}

func resolveISODay(m []string, _ time.Time, _ int) (span, error) {
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	t := date(y, time.Month(mo), d)
	if mo < 1 || mo > 12 || t.Day() != d {
		return span{}, badPeriod(m[0])
	}
	return daySpan(t, true), nil
}

func resolveMonthDay(mi, di, yi int) func([]string, time.Time, int) (span, error) {
	return func(m []string, now time.Time, year int) (span, error) {
		mo := monthNames[strings.TrimSuffix(m[mi], ".")]
		d, _ := strconv.Atoi(strings.TrimRight(m[di], "stndrh"))
		explicit := m[yi] != ""
		if explicit {
			year, _ = strconv.Atoi(m[yi])
		}
		y, fixed := latest(now, year, func(y int) time.Time { return date(y, mo, d) })
		t := date(y, mo, d)
		if t.Day() != d {
			return span{}, badPeriod(m[0])
		}
		return daySpan(t, explicit || fixed), nil
	}
}

func resolveMonthYear(m []string, _ time.Time, _ int) (span, error) {
	y, _ := strconv.Atoi(m[2])
	return monthSpan(y, monthNames[strings.TrimSuffix(m[1], ".")], true), nil
}

func resolveISOMonth(m []string, _ time.Time, _ int) (span, error) {
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	return monthSpan(y, time.Month(mo), true), nil
}

func resolveMonth(m []string, now time.Time, year int) (span, error) {
	mo := monthNames[m[1]]
	y, fixed := latest(now, year, func(y int) time.Time { return date(y, mo, 1) })
	return monthSpan(y, mo, fixed), nil
}

// resolveRough resolves "late 2023" to all of 2023, marked rough.
func resolveRough(m []string, now time.Time, year int) (span, error) {
	sp, err := resolvePoint(m[2], now, year)
	sp.rough = true
	return sp, err
}

// resolveOrdinalWeek resolves "the first week of May 2026" to May 1–7:
// the nth seven days of the month, the last seven for "last".
func resolveOrdinalWeek(m []string, now time.Time, year int) (span, error) {
	mo, err := resolvePoint(m[2], now, year)
	if err != nil {
		return span{}, err
	}
	w := span{grain: grainWeek, explicitYear: mo.explicitYear}
	if n, ok := ordinals[m[1]]; ok {
		w.from = mo.from.AddDate(0, 0, 7*(n-1))
		w.to = w.from.AddDate(0, 0, 7)
	} else {
		w.to = mo.to
		w.from = w.to.AddDate(0, 0, -7)
	}
	return w, nil
}

// resolveWeekOf resolves "the week of March 3, 2025" to the ISO week
// (Monday to Sunday) holding that day.
func resolveWeekOf(m []string, now time.Time, year int) (span, error) {
	d, err := resolvePoint(m[1], now, year)
	if err != nil {
		return span{}, err
	}
	w := unitSpan("week", d.from, 0)
	w.explicitYear = d.explicitYear
	return w, nil
}

func resolveYear(m []string, _ time.Time, _ int) (span, error) {
	y, _ := strconv.Atoi(m[1])
	return yearSpan(y), nil
}

func resolveQuarter(qi, yi int) func([]string, time.Time, int) (span, error) {
	return func(m []string, now time.Time, year int) (span, error) {
		q, _ := strconv.Atoi(m[qi])
		if m[yi] != "" {
			year, _ = strconv.Atoi(m[yi])
		}
		y, _ := latest(now, year, func(y int) time.Time { return quarterSpan(y, q).from })
		return quarterSpan(y, q), nil
	}
}

func resolveHalf(hi, yi int) func([]string, time.Time, int) (span, error) {
	return func(m []string, _ time.Time, _ int) (span, error) {
		h, _ := strconv.Atoi(m[hi])
		y, _ := strconv.Atoi(m[yi])
		return halfSpan(y, h), nil
	}
}

// resolveOrdinal resolves "the third quarter (of 2025)" (per = 3 months)
// and "the first half (of last year)" (per = 6).
func resolveOrdinal(per int) func([]string, time.Time, int) (span, error) {
	return func(m []string, now time.Time, year int) (span, error) {
		n := ordinals[m[1]]
		build := func(y int) span {
			if per == 3 {
				return quarterSpan(y, n)
			}
			return halfSpan(y, n)
		}
		switch ry := strings.Join(strings.Fields(m[2]), " "); {
		case ry == "this year":
			year = now.UTC().Year()
		case strings.HasSuffix(ry, "year"):
			year = now.UTC().Year() - 1
		case ry != "":
			year, _ = strconv.Atoi(ry)
		}
		y, _ := latest(now, year, func(y int) time.Time { return build(y).from })
		return build(y), nil
	}
}

// unitSpan is the calendar week, month, quarter or year holding t, moved
// back by back units.
func unitSpan(unit string, t time.Time, back int) span {
	t = day(t)
	switch unit {
	case "week":
		monday := t.AddDate(0, 0, -((int(t.Weekday())+6)%7)-7*back)
		return span{from: monday, to: monday.AddDate(0, 0, 7), grain: grainWeek, explicitYear: true}
	case "month":
		f := date(t.Year(), t.Month(), 1).AddDate(0, -back, 0)
		return monthSpan(f.Year(), f.Month(), true)
	case "quarter":
		f := date(t.Year(), time.Month(3*((int(t.Month())-1)/3)+1), 1).AddDate(0, -3*back, 0)
		return quarterSpan(f.Year(), int(f.Month()-1)/3+1)
	default:
		return yearSpan(t.Year() - back)
	}
}

// recentDays is how far back "recently" and "lately" reach: as "the last
// 30 days", the 30 days ending with today.
const recentDays = 30

// rolling is the span of n units ending with now's day.
func rolling(now time.Time, n int, unit string) span {
	end := tomorrow(now)
	return span{from: back(end, n, unit), to: end, grain: grainRolling, explicitYear: true}
}

// back returns t moved n units ("day(s)", "week(s)", "month(s)",
// "quarter(s)", else years) into the past.
func back(t time.Time, n int, unit string) time.Time {
	switch strings.TrimSuffix(unit, "s") {
	case "day":
		return t.AddDate(0, 0, -n)
	case "week":
		return t.AddDate(0, 0, -7*n)
	case "month":
		return addMonths(t, -n)
	case "quarter":
		return addMonths(t, -3*n)
	}
	return addMonths(t, -12*n)
}

func resolveRelative(m []string, now time.Time, _ int) (span, error) {
	switch which := strings.Join(strings.Fields(strings.ReplaceAll(m[1], "-", " ")), " "); which {
	case "this", "current":
		return unitSpan(m[2], now, 0), nil
	case "past":
		return rolling(now, 1, m[2]), nil
	case "next to last", "penultimate":
		return unitSpan(m[2], now, 2), nil
	default:
		return unitSpan(m[2], now, 1), nil
	}
}

func resolveBeforeLast(m []string, now time.Time, _ int) (span, error) {
	return unitSpan(m[1], now, 2), nil
}

func parseCount(s string) (int, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if n, ok := countWords[s]; ok {
		return n, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

func resolveAgo(m []string, now time.Time, _ int) (span, error) {
	n, ok := parseCount(m[1])
	if !ok {
		return span{}, badPeriod(m[0])
	}
	return daySpan(back(day(now), n, m[2]), true), nil
}

// whenParser resolves weekday and casual day phrases.
var whenParser = when.EN

// resolveWhen resolves "today", "yesterday" and weekday phrases with
// olebedev/when. A bare weekday means the most recent one before today.
func resolveWhen(m []string, now time.Time, _ int) (span, error) {
	text := strings.Join(strings.Fields(m[0]), " ")
	text = strings.TrimPrefix(text, "on ")
	if wd := weekdayOnly(text); wd {
		text = "last " + text
	}
	r, err := whenParser.Parse(text, now.UTC())
	if err != nil || r == nil {
		return span{}, badPeriod(m[0])
	}
	return daySpan(day(r.Time), true), nil
}

func weekdayOnly(s string) bool {
	switch s {
	case "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday":
		return true
	}
	return false
}

// Phrase kinds.
type phraseKind int

const (
	phraseAsOf    phraseKind = iota + 1 // "as of June 1, 2024", "at the end of 2023", "on 2024-06-01"
	phraseRange                         // "between May and July 2024", "2024-01-01..2024-03-31"
	phraseOpen                          // "since March", "after Q2", "before 2024", "until June"
	phraseRolling                       // "the last 30 days"
	phraseIn                            // "in March", "during 2025" (a point with a preposition)
	phrasePoint                         // a strict point on its own: "this quarter", "Q3 2025"
	phraseAll                           // "since it was created": all of history
	phraseVague                         // "the other day": a period that cannot be pinned down
)

// phrase is one period phrase found in a text.
type phrase struct {
	kind       phraseKind
	start, end int    // byte offsets of the whole phrase, preposition included
	text       string // the period as written, without a leading "in"/"during"
	window     livespec.Window
	asOf       time.Time // the last instant of the named day/month/... (as-of phrases)
	explicit   bool      // an as-of phrase that says so ("as of", "at the end of"), not a bare "on"
	err        error
	note       string // how a rough period was read
}

var (
	pointAny    = pointPattern(false)
	pointStrict = pointPattern(true)

	// phraseRes are the phrase expressions, compiled at their first use
	// (findPhrases): a process that reads no question never pays for them.
	phraseRes = sync.OnceValue(func() []phraseRe {
		exprs := []phraseExpr{
			{phraseAsOf, cueWords("as", "at", "by", "back", "on"), regexp.MustCompile(`\b(?:as\s+of|as\s+at|as\s+it\s+(?:stood|was)\s+(?:on|in|at)|(?:at|by)\s+the\s+(?P<e1>end|close|start|beginning)\s+of|back\s+in|back\s+on|on)\s+(?:the\s+(?P<e2>end|close|start|beginning)\s+of\s+)?(?P<a>` + pointAny + `)`)},
			{phraseRange, cueWords("between", "from"), regexp.MustCompile(`\b(?:between|from)\s+(?P<a>` + pointAny + `)\s*(?:\band\b|\bto\b|\buntil\b|\btill\b|\bthrough\b|\bthru\b|-|–|—|\.\.\.?)\s*(?P<b>` + pointAny + `)`)},
			{phraseRange, &phraseCue{words: []string{"to", "through", "until", "thru"}, marks: []string{"..", "–", "—"}}, regexp.MustCompile(`(?P<a>` + pointStrict + `)\s*(?:\.\.\.?|–|—|\s\bto\b|\s\bthrough\b|\s\buntil\b|\s\bthru\b)\s*(?P<b>` + pointAny + `)`)},
			// "January–March 2024", "2019–2021": dashes join any two points.
			{phraseRange, &phraseCue{marks: []string{"-", "–", "—"}}, regexp.MustCompile(`(?P<a>` + pointAny + `)\s*(?:-|–|—)\s*(?P<b>` + pointAny + `)`)},
			{phraseAll, cueWords("since", "all", "its", "their"), regexp.MustCompile(`\bsince\s+(?:(?:it|they|this|that|these|those)\s+(?:(?:was|were|got|had\s+been|has\s+been)\s+)?(?:first\s+)?\w+|(?:its|their)\s+\w+|the\s+(?:very\s+)?(?:beginning|start|outset|inception|creation)|(?:the\s+)?(?:beginning|start|inception|creation|day\s+one))\b|\b(?:of|in|for)\s+all\s+time\b|\b(?:over|during|across|through(?:out)?)\s+(?:its|their)\s+(?:whole\s+|entire\s+)?(?:lifetime|life|existence|history)\b`)},
			{phraseOpen, cueWords("since", "after", "before", "until", "till", "up", "prior"), regexp.MustCompile(`\b(?P<k>since|after|before|until|till|up\s+to|prior\s+to)\s+(?P<a>` + pointAny + `)`)},
			{phraseRolling, cueWords("last", "past", "previous", "prior", "trailing"), regexp.MustCompile(`\b(?:(?:in|during|over|within|for)\s+)?(?:the\s+)?(?P<k>last|past|previous|prior|trailing)\s+(?P<n>` + uncapture(pCount) + `)\s+(?P<u>` + uncapture(pUnit) + `)`)},
			// "recently", "lately": the last recentDays days (see buildPhrase).
			{phraseRolling, cueWords("recently", "lately", "late", "recent"), regexp.MustCompile(`\b(?:(?:most\s+)?recently|lately|of\s+late|in\s+recent\s+(?:days|weeks|times))\b`)},
			{phraseIn, cueWords("in", "during", "for", "throughout", "within", "over", "across"), regexp.MustCompile(`\b(?:in|during|for|throughout|within|over|across)\s+(?:the\s+(?:month|year|quarter|course)\s+of\s+)?(?P<a>` + pointAny + `)`)},
			{phrasePoint, nil, regexp.MustCompile(`\b(?P<a>` + pointStrict + `)`)},
			{phraseVague, cueWords("other", "ago", "back", "few", "several"), regexp.MustCompile(`\b(?:the\s+other\s+day|a\s+while\s+(?:ago|back)|some\s+time\s+(?:ago|back)|(?:a\s+)?(?:few|several|couple\s+of)\s+(?:days|weeks|months|years|quarters)\s+(?:ago|back)|way\s+back|long\s+ago|back\s+in\s+the\s+day|(?:(?:in|over|during)\s+)?(?:the\s+)?(?:last|past|recent)\s+(?:few|several)\s+(?:days|weeks|months|years|quarters))\b`)},
		}
		res := make([]phraseRe, len(exprs))
		for i, e := range exprs {
			res[i] = phraseRe{e, wordStarts(e.re)}
		}
		return res
	})
)

// phraseRe is one phrase expression, the kind of phrase it finds and
// what every match of it holds.
type phraseRe struct {
	phraseExpr
	at *regexp.Regexp // see wordStarts; nil for an expression not made so
}

// phraseExpr is a phrase expression as written.
type phraseExpr struct {
	kind phraseKind
	cue  *phraseCue
	re   *regexp.Regexp
}

// wordStarts returns re anchored, to be tried only where a word starts,
// when every match of re starts a word: every branch of it opens with \b
// and a word byte, which its callers vouch for (TestWordStartScan checks
// it). Otherwise it returns nil.
func wordStarts(re *regexp.Regexp) *regexp.Regexp {
	if !strings.HasPrefix(re.String(), `\b`) {
		return nil
	}
	return regexp.MustCompile(`^(?:` + re.String() + `)`)
}

// findAll returns what re.FindAllStringSubmatchIndex(s, -1) returns, the
// leftmost-first matches that do not overlap, trying at, re anchored (see
// wordStarts), only where a word of s starts: at every position of a text
// an unanchored expression of many branches is tried, which costs most of
// reading a question's period. With at nil, it scans with re.
func findAll(re, at *regexp.Regexp, s string, submatch bool) [][]int {
	if at == nil {
		if submatch {
			return re.FindAllStringSubmatchIndex(s, -1)
		}
		return re.FindAllStringIndex(s, -1)
	}
	var out [][]int
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) || i > 0 && isWordByte(s[i-1]) {
			continue
		}
		var loc []int
		if submatch {
			loc = at.FindStringSubmatchIndex(s[i:])
		} else {
			loc = at.FindStringIndex(s[i:])
		}
		if loc == nil {
			continue
		}
		for k := range loc {
			if loc[k] >= 0 {
				loc[k] += i
			}
		}
		out = append(out, loc)
		i = max(i, loc[1]-1) // the next match starts after this one
	}
	return out
}

// phraseCue is what every match of a phrase expression holds: one of
// words whole (a run of [0-9A-Za-z_], as \b reads words) or one of marks
// anywhere. A text that holds none is not searched with the expression,
// which would find nothing there.
type phraseCue struct{ words, marks []string }

func cueWords(words ...string) *phraseCue { return &phraseCue{words: words} }

// in reports whether s holds the cue; a nil cue is everywhere.
func (c *phraseCue) in(s string) bool {
	if c == nil {
		return true
	}
	for _, m := range c.marks {
		if strings.Contains(s, m) {
			return true
		}
	}
	for i := 0; i < len(s); {
		if !isWordByte(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		if slices.Contains(c.words, s[i:j]) {
			return true
		}
		i = j
	}
	return false
}

// Cheap hints that a text may hold a period at all: every point has a
// year, a month or weekday name, a unit word or today/yesterday; the
// whole-history and vague phrases have words of their own. Texts without
// them skip the expensive phrase expressions.
var (
	pointHint = mustFold(`(?i)\b(?:(?:19|20)[0-9][0-9]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|q[1-4]|h[12]|today|yesterday|week|month|quarter|half|year|day|mon|tue|wed|thu|fri|sat|sun)`)
	otherHint = mustFold(`(?i)\b(?:since|all\s+time|other\s+day|while|ago|back|long|few|several|couple|recently|lately|late|recent|lifetime|life|existence|history)\b`)
)

// pointScan finds every point (compiled at its first use, as phraseRes);
// phraseBefore and phraseAfter bound how far a phrase reaches before its
// first point and after it.
var pointScan = sync.OnceValue(func() [2]*regexp.Regexp {
	re := regexp.MustCompile(`\b` + pointAny)
	return [2]*regexp.Regexp{re, wordStarts(re)}
})

const phraseBefore, phraseAfter = 48, 96

// phraseKey is a text read at an instant, in UTC: what period phrases it
// holds, and how a question is understood, depend on nothing else (both
// are read in UTC days).
type phraseKey struct {
	text string
	now  time.Time
}

// readAt returns read(s, now), from kept when it holds it for s at now
// (the same instant in any zone), else keeping it there.
func readAt[V any](kept *cache.LRU[phraseKey, V], s string, now time.Time, read func(string, time.Time) V) V {
	k := phraseKey{s, now.UTC()}
	if v, ok := kept.Get(k); ok {
		return v
	}
	v := read(s, now)
	kept.Add(k, v)
	return v
}

// readPhrases keeps the period phrases of the latest texts read: a
// question is read for its period by Understand and again when it is read
// as a status question.
var readPhrases = cache.NewLRU[phraseKey, []phrase](256)

// findPhrases returns the period phrases of s that do not overlap, leftmost
// first (the longest at a tie). The result is shared: callers must not
// change it.
func findPhrases(s string, now time.Time) []phrase {
	return readAt(readPhrases, s, now, scanPhrases)
}

// scanPhrases is findPhrases without its memory.
func scanPhrases(s string, now time.Time) []phrase {
	fs, ascii := foldText(s)
	hasPoint, hasOther := pointHint.match(s, fs, ascii), otherHint.match(s, fs, ascii)
	if !hasPoint && !hasOther {
		return nil
	}
	// The phrase expressions are written in lower case: matching a
	// lower-cased copy (same byte offsets) is much faster than (?i).
	ls := asciiLower(s)
	// Phrases built on points are only looked for around the points found
	// by one scan, so a long question costs one pass of the big expression.
	type region struct{ from, to int }
	var windows []region
	if hasPoint {
		ps := pointScan()
		for _, m := range findAll(ps[0], ps[1], ls, false) {
			from, to := max(0, m[0]-phraseBefore), min(len(ls), m[1]+phraseAfter)
			for from > 0 && ls[from-1] != ' ' {
				from--
			}
			for to < len(ls) && ls[to] != ' ' {
				to++
			}
			if n := len(windows); n > 0 && from <= windows[n-1].to {
				windows[n-1].to = to
				continue
			}
			windows = append(windows, region{from, to})
		}
	}
	var cands []phrase
	seen := map[[3]int]bool{}
	add := func(kind phraseKind, re *regexp.Regexp, loc []int) {
		k := [3]int{int(kind), loc[0], loc[1]}
		if seen[k] || !plausible(s, re, loc) {
			return
		}
		seen[k] = true
		cands = append(cands, buildPhrase(s, kind, re, loc, now))
	}
	for _, pr := range phraseRes() {
		switch pr.kind {
		case phraseAll, phraseVague, phraseRolling:
			if pr.kind != phraseRolling && !hasOther || pr.kind == phraseRolling && !hasPoint && !hasOther || !pr.cue.in(ls) {
				continue
			}
			for _, loc := range findAll(pr.re, pr.at, ls, true) {
				add(pr.kind, pr.re, loc)
			}
		default:
			for _, w := range windows {
				if !pr.cue.in(ls[w.from:w.to]) {
					continue
				}
				for _, loc := range findAll(pr.re, pr.at, ls[w.from:w.to], true) {
					for i := range loc {
						if loc[i] >= 0 {
							loc[i] += w.from
						}
					}
					add(pr.kind, pr.re, loc)
				}
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].start != cands[j].start {
			return cands[i].start < cands[j].start
		}
		if cands[i].end != cands[j].end {
			return cands[i].end > cands[j].end
		}
		// One text read two ways ("2025-Q3"): a single point beats a range.
		return cands[i].kind != phraseRange && cands[j].kind == phraseRange
	})
	// Overlapping candidates are readings of one phrase: the longest wins
	// ("in 2015-2016" is the range, not "in 2015"), the earliest at a tie.
	var out []phrase
	for i := 0; i < len(cands); {
		best, end := i, cands[i].end
		j := i + 1
		for ; j < len(cands) && cands[j].start < end; j++ {
			end = max(end, cands[j].end)
			if cands[j].end-cands[j].start > cands[best].end-cands[best].start {
				best = j
			}
		}
		out = append(out, cands[best])
		i = j
	}
	return out
}

func group(s string, re *regexp.Regexp, loc []int, name string) string {
	i := re.SubexpIndex(name)
	if i < 0 || loc[2*i] < 0 {
		return ""
	}
	return s[loc[2*i]:loc[2*i+1]]
}

// notPeriodBefore are words after which a year or a month is a name, not a
// period ("JSON Schema draft 2020-12", "version 2024").
var notPeriodBefore = regexp.MustCompile(`(?i)(?:\b(?:draft|version|v|rfc|kep|openapi|schema|release|number|no)\s*|[./#v])$`)

// gluedName reports whether the point s[start:end] is glued by a hyphen or
// an underscore to a name around it, so that it is part of an identifier
// or a file name, not a period: "2094-nll.md", "KEP-2021", "ABC_2020". A
// quarter or a half written after a year ("2024-Q3") is read by its own
// pattern, and "mid-2024" by the rough one.
func gluedName(s string, start, end int) bool {
	if end+1 < len(s) && (s[end] == '-' || s[end] == '_') && isLetter(s[end+1]) {
		return true
	}
	if start < 2 || (s[start-1] != '-' && s[start-1] != '_') || !isLetter(s[start-2]) {
		return false
	}
	a := start - 1
	for a > 0 && isWordByte(s[a-1]) {
		a--
	}
	return !roughWord[strings.ToLower(s[a:start-1])]
}

// roughWord are the words a hyphen joins to a year in a rough period.
var roughWord = map[string]bool{"early": true, "mid": true, "late": true}

// plausible rejects matches that are probably not periods: "may" written in
// lower case before a verb ("a PR may be"), a capitalised "May" opening a
// question, points glued to version-like text.
func plausible(s string, re *regexp.Regexp, loc []int) bool {
	start, end := loc[0], loc[1]
	if notPeriodBefore.MatchString(s[max(0, start-24):start]) {
		return false
	}
	if end < len(s) && (isWordByte(s[end]) || s[end] == '.' && end+1 < len(s) && isDigit(s[end+1])) {
		return false
	}
	if gluedName(s, start, end) {
		return false
	}
	a := group(s, re, loc, "a")
	if b := group(s, re, loc, "b"); b != "" {
		a = b
	}
	if strings.HasSuffix(a, "may") || strings.HasSuffix(a, "May") {
		rest := strings.TrimLeft(s[end:], " ")
		if strings.HasSuffix(a, "may") && rest != "" && isLetter(rest[0]) {
			return false
		}
		if a == "May" && start == 0 {
			return false
		}
	}
	return true
}

// asciiLower lower-cases ASCII letters only, keeping every byte offset.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isWordByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' }
func isLetter(c byte) bool   { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool    { return c >= '0' && c <= '9' }

var leadingPrep = regexp.MustCompile(`(?i)^(?:(?:in|during|for|throughout|within|over|across|on)\s+)+`)

// buildPhrase resolves one matched phrase.
func buildPhrase(s string, kind phraseKind, re *regexp.Regexp, loc []int, now time.Time) phrase {
	p := phrase{kind: kind, start: loc[0], end: loc[1]}
	full := s[loc[0]:loc[1]]
	p.text = strings.TrimSpace(leadingPrep.ReplaceAllString(full, ""))
	if kind == phraseAsOf || kind == phraseRange || kind == phraseOpen {
		p.text = strings.TrimSpace(full)
	}
	if kind == phraseAsOf && strings.HasPrefix(strings.ToLower(full), "on ") {
		p.text = strings.TrimSpace(full[3:])
	}
	switch kind {
	case phraseAsOf:
		a, err := resolvePoint(group(s, re, loc, "a"), now, 0)
		if err != nil {
			p.err = badPeriod(full)
			return p
		}
		edge := strings.ToLower(group(s, re, loc, "e1") + group(s, re, loc, "e2"))
		switch {
		case edge == "start" || edge == "beginning":
			a = daySpan(a.from, true)
		case edge != "":
			a = daySpan(a.to.AddDate(0, 0, -1), true)
		}
		p.window = livespec.Window{From: a.from, To: a.to}
		p.asOf = a.to.Add(-time.Second)
		p.explicit = !strings.HasPrefix(strings.ToLower(full), "on ")
	case phraseRange:
		w, err := rangeWindow(group(s, re, loc, "a"), group(s, re, loc, "b"), now)
		if err != nil {
			p.err = badPeriod(full)
			return p
		}
		p.window = w
	case phraseOpen:
		a, err := resolvePoint(group(s, re, loc, "a"), now, 0)
		if err != nil {
			p.err = badPeriod(full)
			return p
		}
		switch k := strings.Join(strings.Fields(strings.ToLower(group(s, re, loc, "k"))), " "); k {
		case "since":
			p.window = livespec.Window{From: a.from, To: tomorrow(now)}
		case "after":
			p.window = livespec.Window{From: a.to, To: tomorrow(now)}
		case "before", "prior to":
			p.window = livespec.Window{To: a.from}
		default: // until, till, up to: the named span included
			p.window = livespec.Window{To: a.to}
		}
		if !p.window.From.IsZero() && !p.window.From.Before(p.window.To) {
			p.err = livespec.Errorf(livespec.EINVALID, "the period %q is in the future", strings.TrimSpace(full))
		}
	case phraseRolling:
		if re.SubexpIndex("n") < 0 { // "recently"
			sp := rolling(now, recentDays, "days")
			p.window = livespec.Window{From: sp.from, To: sp.to}
			p.text = strings.TrimSpace(full)
			p.note = fmt.Sprintf("read %q as the last %d days (%s to %s)", p.text, recentDays, dateOf(sp.from), dateOf(sp.to.AddDate(0, 0, -1)))
			return p
		}
		n, ok := parseCount(group(s, re, loc, "n"))
		if !ok {
			p.err = badPeriod(full)
			return p
		}
		sp := rolling(now, n, strings.ToLower(group(s, re, loc, "u")))
		p.window = livespec.Window{From: sp.from, To: sp.to}
		p.text = strings.TrimSpace(leadingPrep.ReplaceAllString(full, ""))
	case phraseIn, phrasePoint:
		a, err := resolvePoint(group(s, re, loc, "a"), now, 0)
		if err != nil {
			p.err = badPeriod(full)
			return p
		}
		p.window = livespec.Window{From: a.from, To: a.to}
		p.asOf = a.to.Add(-time.Second)
		if a.rough {
			p.note = fmt.Sprintf("read %q as %s to %s", p.text, dateOf(a.from), dateOf(a.to.AddDate(0, 0, -1)))
		}
	case phraseAll:
		p.text = strings.TrimSpace(full)
	case phraseVague:
		p.text = strings.TrimSpace(full)
		p.err = badPeriod(full)
	}
	if p.err == nil && !inYears(p.window) {
		p.err = livespec.Errorf(livespec.EINVALID, "the period %q falls outside the years %d to %d, the dates livespec reads", strings.TrimSpace(full), minYear, maxYear)
	}
	return p
}

// The years a question's dates may fall in: git records no commit before
// 1970, and a time after 9999 has no RFC 3339 form.
const (
	minYear = 1970
	maxYear = 9999
)

// inYears reports whether w's bounds (zero: open) lie in minYear..maxYear.
func inYears(w livespec.Window) bool {
	ok := func(t time.Time, end bool) bool {
		if t.IsZero() {
			return true
		}
		if end && t.Equal(date(maxYear+1, 1, 1)) {
			return true // the end of the last day of maxYear
		}
		return t.Year() >= minYear && t.Year() <= maxYear
	}
	return ok(w.From, false) && ok(w.To, true)
}

// rangeWindow builds [start of a, end of b). A point without a year takes
// the other end's year, moved so that the range runs forwards ("between
// November and February 2025" starts in November 2024).
func rangeWindow(as, bs string, now time.Time) (livespec.Window, error) {
	a, err := resolvePoint(as, now, 0)
	if err != nil {
		return livespec.Window{}, err
	}
	b, err := resolvePoint(bs, now, 0)
	if err != nil {
		return livespec.Window{}, err
	}
	switch {
	case !a.explicitYear && b.explicitYear:
		y := b.from.Year()
		if a, err = resolvePoint(as, now, y); err == nil && a.from.After(b.from) {
			a, err = resolvePoint(as, now, y-1)
		}
	case a.explicitYear && !b.explicitYear:
		y := a.from.Year()
		if b, err = resolvePoint(bs, now, y); err == nil && b.to.Before(a.to) {
			b, err = resolvePoint(bs, now, y+1)
		}
	case !a.explicitYear && !b.explicitYear && a.from.After(b.from):
		a, err = resolvePoint(as, now, b.from.Year()-1)
	}
	if err != nil {
		return livespec.Window{}, err
	}
	if !a.from.Before(b.to) {
		return livespec.Window{}, fmt.Errorf("range ends before it starts")
	}
	return livespec.Window{From: a.from, To: b.to}, nil
}

// ParsePeriod parses a period phrase alone ("last quarter", "Q3 2025",
// "since March", "between May and July 2024", "2024-01-01..2024-03-31",
// "as of June 1, 2024") into a half-open window of whole UTC days,
// relative to now. A single day or an as-of date gives that day's window.
// A phrase meaning all of history ("since it was created") gives the zero
// Window. Anything else is a livespec.EINVALID error naming the text.
func ParsePeriod(text string, now time.Time) (livespec.Window, error) {
	t := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(text), "?.!,;:"))
	if t == "" {
		return livespec.Window{}, livespec.Errorf(livespec.EINVALID, "empty period")
	}
	// The phrase must be the whole text, or all of it after a preposition
	// ("in 2015-2016").
	for _, p := range findPhrases(t, now) {
		if p.end != len(t) || p.start != 0 && strings.TrimSpace(leadingPrep.ReplaceAllString(t[:p.start], "")) != "" {
			continue
		}
		if p.err != nil {
			return livespec.Window{}, p.err
		}
		return p.window, nil
	}
	return livespec.Window{}, badPeriod(text)
}

// ParseDay parses one date ("2025-04-01", "June 1, 2024", "1 June 2024",
// "June 1", "yesterday", "today", "last Tuesday", "3 days ago") to the
// midnight UTC starting that day. A date written without its year is the
// most recent one not after now. Anything else is a livespec.EINVALID
// error naming the text.
func ParseDay(text string, now time.Time) (time.Time, error) {
	t := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(text), "?.!,;:"))
	t = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(t, "on "), "On "))
	sp, err := resolvePoint(t, now, 0)
	if err != nil || sp.grain != grainDay {
		return time.Time{}, livespec.Errorf(livespec.EINVALID, "could not understand the date %q", strings.TrimSpace(text))
	}
	return sp.from, nil
}

package retrieval_test

import (
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

// now is the fixed clock of these tests: Wednesday 19 November 2025,
// 15:30 UTC, in the fourth quarter and ISO week 47.
var now = time.Date(2025, 11, 19, 15, 30, 0, 0, time.UTC)

func d(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func win(from, to string) livespec.Window {
	var w livespec.Window
	if from != "" {
		w.From = d(from)
	}
	if to != "" {
		w.To = d(to)
	}
	return w
}

func fmtWindow(w livespec.Window) string {
	f := func(t time.Time) string {
		if t.IsZero() {
			return "open"
		}
		return t.Format(time.RFC3339)
	}
	return "[" + f(w.From) + ", " + f(w.To) + ")"
}

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		name, text string
		now        time.Time // zero: now
		want       livespec.Window
	}{
		{"this quarter", "this quarter", time.Time{}, win("2025-10-01", "2026-01-01")},
		{"current quarter", "the current quarter", time.Time{}, win("2025-10-01", "2026-01-01")},
		{"last quarter", "last quarter", time.Time{}, win("2025-07-01", "2025-10-01")},
		{"previous quarter", "the previous quarter", time.Time{}, win("2025-07-01", "2025-10-01")},
		{"next-to-last quarter", "next-to-last quarter", time.Time{}, win("2025-04-01", "2025-07-01")},
		{"quarter before last", "the quarter before last", time.Time{}, win("2025-04-01", "2025-07-01")},
		{"last quarter across a year", "last quarter", time.Date(2025, 2, 10, 9, 0, 0, 0, time.UTC), win("2024-10-01", "2025-01-01")},
		{"Q3 2025", "Q3 2025", time.Time{}, win("2025-07-01", "2025-10-01")},
		{"2025 Q3", "2025-Q3", time.Time{}, win("2025-07-01", "2025-10-01")},
		{"Q3 this year", "Q3", time.Time{}, win("2025-07-01", "2025-10-01")},
		{"Q4 running", "Q4", time.Time{}, win("2025-10-01", "2026-01-01")},
		{"Q3 still ahead is last year's", "Q3", time.Date(2025, 2, 10, 9, 0, 0, 0, time.UTC), win("2024-07-01", "2024-10-01")},
		{"third quarter of 2025", "the third quarter of 2025", time.Time{}, win("2025-07-01", "2025-10-01")},
		{"2nd quarter", "2nd quarter 2024", time.Time{}, win("2024-04-01", "2024-07-01")},
		{"first quarter of last year", "the first quarter of last year", time.Time{}, win("2024-01-01", "2024-04-01")},
		{"H1 2024", "H1 2024", time.Time{}, win("2024-01-01", "2024-07-01")},
		{"H2 2024", "H2 2024", time.Time{}, win("2024-07-01", "2025-01-01")},
		{"first half of 2024", "first half of 2024", time.Time{}, win("2024-01-01", "2024-07-01")},
		{"second half of 2024", "the second half of 2024", time.Time{}, win("2024-07-01", "2025-01-01")},
		{"this week", "this week", time.Time{}, win("2025-11-17", "2025-11-24")},
		{"this week on a Sunday", "this week", time.Date(2025, 11, 23, 22, 0, 0, 0, time.UTC), win("2025-11-17", "2025-11-24")},
		{"this week on a Monday", "this week", time.Date(2025, 11, 17, 0, 0, 0, 0, time.UTC), win("2025-11-17", "2025-11-24")},
		{"last week", "last week", time.Time{}, win("2025-11-10", "2025-11-17")},
		{"last week across a year", "last week", time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC), win("2025-12-22", "2025-12-29")},
		{"this month", "this month", time.Time{}, win("2025-11-01", "2025-12-01")},
		{"last month", "last month", time.Time{}, win("2025-10-01", "2025-11-01")},
		{"last month in January", "last month", time.Date(2026, 1, 31, 8, 0, 0, 0, time.UTC), win("2025-12-01", "2026-01-01")},
		{"this year", "this year", time.Time{}, win("2025-01-01", "2026-01-01")},
		{"last year", "last year", time.Time{}, win("2024-01-01", "2025-01-01")},
		{"in 2024", "in 2024", time.Time{}, win("2024-01-01", "2025-01-01")},
		{"during 2023", "during 2023", time.Time{}, win("2023-01-01", "2024-01-01")},
		{"in March 2025", "in March 2025", time.Time{}, win("2025-03-01", "2025-04-01")},
		{"in September 2025", "in September 2025", time.Time{}, win("2025-09-01", "2025-10-01")},
		{"abbreviated month", "Sept 2025", time.Time{}, win("2025-09-01", "2025-10-01")},
		{"in March", "in March", time.Time{}, win("2025-03-01", "2025-04-01")},
		{"in December is last year's", "in December", time.Time{}, win("2024-12-01", "2025-01-01")},
		{"in November is this one", "in November", time.Time{}, win("2025-11-01", "2025-12-01")},
		{"since March", "since March", time.Time{}, win("2025-03-01", "2025-11-20")},
		{"since ISO date", "since 2025-04-01", time.Time{}, win("2025-04-01", "2025-11-20")},
		{"since June 1", "since June 1", time.Time{}, win("2025-06-01", "2025-11-20")},
		{"since last week", "since last week", time.Time{}, win("2025-11-10", "2025-11-20")},
		{"after Q2 2025", "after Q2 2025", time.Time{}, win("2025-07-01", "2025-11-20")},
		{"before 2024", "before 2024", time.Time{}, win("", "2024-01-01")},
		{"until June 2024", "until June 2024", time.Time{}, win("", "2024-07-01")},
		{"last 30 days", "last 30 days", time.Time{}, win("2025-10-21", "2025-11-20")},
		{"in the last 30 days", "in the last 30 days", time.Time{}, win("2025-10-21", "2025-11-20")},
		{"past 2 weeks", "past 2 weeks", time.Time{}, win("2025-11-06", "2025-11-20")},
		{"last 6 months", "last 6 months", time.Time{}, win("2025-05-20", "2025-11-20")},
		{"last two years", "over the last two years", time.Time{}, win("2023-11-20", "2025-11-20")},
		{"past year is rolling", "the past year", time.Time{}, win("2024-11-20", "2025-11-20")},
		{"last month clamps the day", "last 1 month", time.Date(2025, 3, 30, 8, 0, 0, 0, time.UTC), win("2025-02-28", "2025-03-31")},
		{"between months", "between May and July 2024", time.Time{}, win("2024-05-01", "2024-08-01")},
		{"between days", "between October 1 and December 31, 2024", time.Time{}, win("2024-10-01", "2025-01-01")},
		{"between across a year", "between November and February 2025", time.Time{}, win("2024-11-01", "2025-03-01")},
		{"between years", "between 2019 and 2021", time.Time{}, win("2019-01-01", "2022-01-01")},
		{"from to", "from March 2024 to June 2024", time.Time{}, win("2024-03-01", "2024-07-01")},
		{"from to without years", "from March to June", time.Time{}, win("2025-03-01", "2025-07-01")},
		{"from Q1 through Q2", "from Q1 2024 through Q2 2024", time.Time{}, win("2024-01-01", "2024-07-01")},
		{"en dash months", "January–March 2024", time.Time{}, win("2024-01-01", "2024-04-01")},
		{"hyphen months", "January-March 2024", time.Time{}, win("2024-01-01", "2024-04-01")},
		{"dash years", "2019–2021", time.Time{}, win("2019-01-01", "2022-01-01")},
		{"week of a day", "the week of March 5, 2025", time.Time{}, win("2025-03-03", "2025-03-10")},
		{"week of ISO", "week of 2025-03-09", time.Time{}, win("2025-03-03", "2025-03-10")},
		{"dash years after in", "in 2015-2016", time.Time{}, win("2015-01-01", "2017-01-01")},
		{"mid-year", "mid-2024", time.Time{}, win("2024-01-01", "2025-01-01")},
		{"ISO range dots", "2024-01-01..2024-03-31", time.Time{}, win("2024-01-01", "2024-04-01")},
		{"ISO range to", "2024-01-01 to 2024-03-31", time.Time{}, win("2024-01-01", "2024-04-01")},
		{"as of a day", "as of June 1, 2024", time.Time{}, win("2024-06-01", "2024-06-02")},
		{"as of end of month", "as of the end of June 2025", time.Time{}, win("2025-06-30", "2025-07-01")},
		{"as of a month", "as of December 2022", time.Time{}, win("2022-12-01", "2023-01-01")},
		{"on ISO day", "on 2024-06-01", time.Time{}, win("2024-06-01", "2024-06-02")},
		{"day month year", "1 June 2024", time.Time{}, win("2024-06-01", "2024-06-02")},
		{"ordinal day", "June 1st, 2024", time.Time{}, win("2024-06-01", "2024-06-02")},
		{"yesterday", "yesterday", time.Time{}, win("2025-11-18", "2025-11-19")},
		{"today", "today", time.Time{}, win("2025-11-19", "2025-11-20")},
		{"last Tuesday", "last Tuesday", time.Time{}, win("2025-11-18", "2025-11-19")},
		{"last Friday", "last Friday", time.Time{}, win("2025-11-14", "2025-11-15")},
		{"three weeks ago", "three weeks ago", time.Time{}, win("2025-10-29", "2025-10-30")},
		{"since it was created", "since it was created", time.Time{}, livespec.Window{}},
		{"trailing question mark", "in Q1 2025?", time.Time{}, win("2025-01-01", "2025-04-01")},
		{"capitals", "LAST QUARTER", time.Time{}, win("2025-07-01", "2025-10-01")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := tt.now
			if n.IsZero() {
				n = now
			}
			got, err := retrieval.ParsePeriod(tt.text, n)
			if err != nil {
				t.Fatalf("ParsePeriod(%q): %v", tt.text, err)
			}
			if !got.From.Equal(tt.want.From) || !got.To.Equal(tt.want.To) {
				t.Errorf("ParsePeriod(%q) = %s, want %s", tt.text, fmtWindow(got), fmtWindow(tt.want))
			}
			for _, b := range []time.Time{got.From, got.To} {
				if !b.IsZero() && (b.Location() != time.UTC || b.Hour()+b.Minute()+b.Second() != 0) {
					t.Errorf("bound %v is not a UTC midnight", b)
				}
			}
		})
	}
}

func TestParsePeriodErrors(t *testing.T) {
	tests := []struct{ name, text string }{
		{"empty", "  "},
		{"vague", "the other day"},
		{"event", "since the big refactor"},
		{"no date", "soon"},
		{"impossible day", "2024-02-30"},
		{"impossible month", "2024-13-01"},
		{"backwards range", "between 2024-07-01 and 2024-05-01"},
		{"future start", "since next year"},
		{"trailing words", "Q3 2025 please"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := retrieval.ParsePeriod(tt.text, now)
			if err == nil {
				t.Fatalf("ParsePeriod(%q) = %s, want an error", tt.text, fmtWindow(w))
			}
			if code := livespec.ErrorCode(err); code != livespec.EINVALID {
				t.Errorf("error kind = %q, want %q", code, livespec.EINVALID)
			}
			if text := strings.TrimSpace(tt.text); text != "" && !strings.Contains(err.Error(), text) {
				t.Errorf("error %q does not name the text %q", err, text)
			}
		})
	}
}

func TestParseDay(t *testing.T) {
	tests := []struct {
		name, text string
		want       string
	}{
		{"ISO", "2025-04-01", "2025-04-01"},
		{"month day year", "June 1, 2024", "2024-06-01"},
		{"month day year without comma", "June 1 2024", "2024-06-01"},
		{"ordinal", "June 1st, 2024", "2024-06-01"},
		{"day month year", "1 June 2024", "2024-06-01"},
		{"day of month", "1st of June 2024", "2024-06-01"},
		{"abbreviated", "Dec. 31, 2023", "2023-12-31"},
		{"this year's", "June 1", "2025-06-01"},
		{"last year's when still ahead", "December 24", "2024-12-24"},
		{"today", "today", "2025-11-19"},
		{"yesterday", "yesterday", "2025-11-18"},
		{"on yesterday", "on 2024-06-01", "2024-06-01"},
		{"last Tuesday", "last Tuesday", "2025-11-18"},
		{"bare weekday is the past one", "Monday", "2025-11-17"},
		{"days ago", "3 days ago", "2025-11-16"},
		{"months ago", "two months ago", "2025-09-19"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := retrieval.ParseDay(tt.text, now)
			if err != nil {
				t.Fatalf("ParseDay(%q): %v", tt.text, err)
			}
			if want := d(tt.want); !got.Equal(want) {
				t.Errorf("ParseDay(%q) = %v, want %v", tt.text, got, want)
			}
		})
	}
	for _, bad := range []string{"March 2025", "Q3", "soon", "2025-13-01", "February 30, 2024", ""} {
		t.Run("bad "+bad, func(t *testing.T) {
			got, err := retrieval.ParseDay(bad, now)
			if err == nil {
				t.Fatalf("ParseDay(%q) = %v, want an error", bad, got)
			}
			if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(err.Error(), bad) {
				t.Errorf("error = %v, want EINVALID naming %q", err, bad)
			}
		})
	}
}

// FuzzParsePeriod checks that any text either parses to a forward window
// of whole UTC days or fails with EINVALID, and that Understand never
// panics on it.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"last quarter", "Q3 2025", "between May and July 2024", "since June 1",
		"2024-01-01..2024-03-31", "as of the end of June 2025", "the other day", "last 30 days", "in March",
		"from 2024-02-30 to 2024-03-01", "between 3.0 and 3.1", "since 9999-99-99", "last 999 years", "may"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := retrieval.ParsePeriod(s, now)
		if err != nil {
			if livespec.ErrorCode(err) != livespec.EINVALID {
				t.Errorf("ParsePeriod(%q): error kind %q: %v", s, livespec.ErrorCode(err), err)
			}
		} else {
			if !w.From.IsZero() && !w.To.IsZero() && !w.From.Before(w.To) {
				t.Errorf("ParsePeriod(%q) = %s: not a forward window", s, fmtWindow(w))
			}
			for _, b := range []time.Time{w.From, w.To} {
				if !b.IsZero() && (b.Location() != time.UTC || !b.Equal(b.Truncate(24*time.Hour))) {
					t.Errorf("ParsePeriod(%q) bound %v is not a UTC midnight", s, b)
				}
			}
		}
		u := retrieval.Understand(s, now)
		if u.Window != nil && !u.Window.From.IsZero() && !u.Window.To.IsZero() && !u.Window.From.Before(u.Window.To) {
			t.Errorf("Understand(%q).Window = %s: not a forward window", s, fmtWindow(*u.Window))
		}
	})
}

func BenchmarkUnderstand(b *testing.B) {
	qs := []string{
		"What changed in the specs between October 1 and December 31, 2024?",
		"As of the end of June 2025, which version was listed as the minor release in development?",
		"When did the spec first describe mutual TLS as a security scheme type?",
		"How many TSC approvals does a pull request that changes src/oas.md need?",
	}
	for i := 0; b.Loop(); i++ {
		retrieval.Understand(qs[i%len(qs)], now)
	}
}

func BenchmarkUnderstandLong(b *testing.B) {
	q := strings.Repeat("what did the spec say about tokens and scopes in the checkout flow ", 60) + "since March?"
	for b.Loop() {
		retrieval.Understand(q, now)
	}
}

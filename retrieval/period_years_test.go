package retrieval_test

import (
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

// TestDatesOutsideTheYearsLivespecReads: a written year outside 1970–9999,
// or a period computed from a clock near year 1, is an invalid period
// named in the error, never a date of this year.
func TestDatesOutsideTheYearsLivespecReads(t *testing.T) {
	early := time.Date(1970, 1, 15, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name, text string
		now        time.Time
	}{
		{"year 1 in a month date", "as of January 1, 0001", now},
		{"year 1 in a day month date", "as of 1 January 0001", now},
		{"a five-digit year", "as of January 1, 10000", now},
		{"a month of year 1", "in March 0001", now},
		{"a period before 1970 computed from now", "last quarter", early},
		{"a range reaching before 1970", "between December 1969 and March 1970", now},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w, err := retrieval.ParsePeriod(tt.text, tt.now)
			if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(err.Error(), "outside the years 1970 to 9999") {
				t.Fatalf("ParsePeriod(%q) = %s, %v; want an invalid period outside the years 1970 to 9999", tt.text, fmtWindow(w), err)
			}
		})
	}
	t.Run("the question is answered without the period, saying why", func(t *testing.T) {
		u := retrieval.Understand("What did the spec say as of January 1, 0001?", now)
		if !u.AsOf.IsZero() && u.AsOf.Year() != 1 {
			t.Fatalf("as of %s for a question as of January 1, 0001", u.AsOf)
		}
		if !strings.Contains(strings.Join(u.Problems, " "), "outside the years 1970 to 9999") {
			t.Fatalf("problems %q do not say the date is out of range", u.Problems)
		}
	})
	for _, tt := range []struct{ text, from, to string }{
		{"as of June 1, 2024", "2024-06-01", "2024-06-02"},
		{"in 1970", "1970-01-01", "1971-01-01"},
		{"as of December 31, 9999", "9999-12-31", ""},
	} {
		w, err := retrieval.ParsePeriod(tt.text, now)
		if err != nil || !w.From.Equal(d(tt.from)) || tt.to != "" && !w.To.Equal(d(tt.to)) {
			t.Errorf("ParsePeriod(%q) = %s, %v; want from %s", tt.text, fmtWindow(w), err, tt.from)
		}
	}
}

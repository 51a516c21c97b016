package retrieval

import (
	"reflect"
	"testing"
	"time"
)

// TestPhrasesReadInUTCDays checks what findPhrases's memory relies on: the
// phrases of a question depend on the instant of now alone, not on its
// time zone, even where the zone's calendar day, quarter or year is not
// UTC's.
func TestPhrasesReadInUTCDays(t *testing.T) {
	east := time.FixedZone("UTC+14", 14*3600)
	west := time.FixedZone("UTC-12", -12*3600)
	nows := map[string]time.Time{
		"a new year east of UTC":      time.Date(2025, 12, 31, 22, 30, 0, 0, time.UTC).In(east),
		"the old quarter west of UTC": time.Date(2025, 10, 1, 3, 0, 0, 0, time.UTC).In(west),
		"a Monday east of UTC":        time.Date(2025, 11, 16, 20, 0, 0, 0, time.UTC).In(east),
		"local time with a monotonic": time.Now().In(west),
		"the first of a month in UTC": time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
	}
	questions := []string{
		"what changed this quarter?",
		"what changed last week?",
		"what changed since March?",
		"what did the spec say as of June 1?",
		"what changed yesterday?",
		"what changed in the last 30 days?",
		"what changed between May and July?",
		"what changed this year?",
		"what was accepted in Q3?",
		"what changed recently?",
		"what changed 2 weeks ago?",
		"what changed last Tuesday?",
		"what changed today?",
		"what is the current status of the spec?",
	}
	for name, now := range nows {
		t.Run(name, func(t *testing.T) {
			for _, q := range questions {
				zoned, utc := scanPhrases(q, now), scanPhrases(q, now.UTC())
				if !reflect.DeepEqual(zoned, utc) {
					t.Errorf("%q: phrases at %v = %+v, at %v = %+v", q, now, zoned, now.UTC(), utc)
				}
				if got := findPhrases(q, now); !reflect.DeepEqual(got, utc) {
					t.Errorf("%q: findPhrases = %+v, want %+v", q, got, utc)
				}
			}
		})
	}
}

package retrieval

import (
	"reflect"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// TestUnderstoodByHeavyForAsk: what Heavy read of a question is what Ask
// reads of it when asked at the same time, and only then; Ask takes it, so
// nothing is kept per question once it is answered.
func TestUnderstoodByHeavyForAsk(t *testing.T) {
	june := time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	july := time.Date(2025, 7, 10, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name           string
		weighed, asked string
		weighedAt      time.Time
		askedAt        time.Time
		wantIntent     livespec.Intent
		wantFrom       time.Time // of the window; zero: none
	}{
		{"the same question at the same time", "what changed this month?", "what changed this month?", june, june, livespec.IntentChanges, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)},
		{"the same question a month later", "what changed this month?", "what changed this month?", june, july, livespec.IntentChanges, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)},
		{"the same instant in another zone", "what changed this month?", "what changed this month?", june, june.In(time.FixedZone("X", 3600)), livespec.IntentChanges, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)},
		{"another question", "what changed this month?", "how has the login flow evolved?", june, june, livespec.IntentTimeline, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &Assistant{}
			if !a.Heavy(livespec.AskRequest{Question: "  " + tc.weighed + " ", Now: tc.weighedAt}) {
				t.Fatalf("Heavy(%q) = false", tc.weighed)
			}
			got := a.understood.understand(tc.asked, tc.askedAt)
			if want := Understand(tc.asked, tc.askedAt); !reflect.DeepEqual(got, want) {
				t.Errorf("understood %+v, want %+v", got, want)
			}
			if got.Intent != tc.wantIntent {
				t.Errorf("intent %s, want %s", got.Intent, tc.wantIntent)
			}
			if from := windowFrom(got); !from.Equal(tc.wantFrom) {
				t.Errorf("window from %v, want %v", from, tc.wantFrom)
			}
			kept := 0
			if tc.weighed != tc.asked || !tc.weighedAt.Equal(tc.askedAt) {
				kept = 1 // weighed, never asked: left to the bound
			}
			if n := a.understood.lru().Len(); n != kept {
				t.Errorf("%d readings kept after Ask, want %d", n, kept)
			}
		})
	}
}

func windowFrom(u Understanding) time.Time {
	if u.Window == nil {
		return time.Time{}
	}
	return u.Window.From
}

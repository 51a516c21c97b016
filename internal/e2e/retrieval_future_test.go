package e2e_test

import (
	"strings"
	"testing"

	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// TestFutureDateIsAnsweredAsOfToday asks about a date after the newest
// history: the answer is as of today and says so.
func TestFutureDateIsAnsweredAsOfToday(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Start", Write: map[string]string{"spec/refunds.md": "# Refunds\n\nRefunds take 14 days.\n"}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	ans := ask(t, a, "What did the spec say about refunds as of June 1, 2030?", day("2024-07-01T12:00:00Z"))
	if got := ans.AsOf.Format("2006-01-02T15:04:05Z07:00"); got != "2024-07-01T23:59:59Z" {
		t.Errorf("as_of = %s, want 2024-07-01T23:59:59Z", got)
	}
	if want := `Read "as of June 1, 2030" as of today, 2024-07-01: the date is after the newest history.`; !strings.HasPrefix(ans.Answer, want) {
		t.Errorf("answer = %q, want it to start %q", ans.Answer, want)
	}
	if len(ans.Citations) == 0 || ans.Citations[0].Path != "spec/refunds.md" {
		t.Errorf("citations = %+v, want spec/refunds.md", ans.Citations)
	}
}

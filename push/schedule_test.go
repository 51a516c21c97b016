package push_test

import (
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/push"
)

func TestParseSchedule(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	from := time.Date(2026, 3, 18, 12, 0, 0, 0, time.UTC) // a Wednesday
	for _, tc := range []struct {
		name, spec string
		want       time.Time
	}{
		{"weekly in a zone", "weekly mon 09:00 Europe/Berlin", time.Date(2026, 3, 23, 9, 0, 0, 0, berlin)},
		{"weekly defaults", "weekly", time.Date(2026, 3, 23, 9, 0, 0, 0, time.UTC)},
		{"daily at a time", "daily 07:30", time.Date(2026, 3, 19, 7, 30, 0, 0, time.UTC)},
		{"monthly", "monthly", time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)},
		{"cron expression", "0 9 * * 5", time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)},
		{"cron with a zone", "CRON_TZ=Europe/Berlin 0 9 * * 1", time.Date(2026, 3, 23, 9, 0, 0, 0, berlin)},
		{"descriptor", "@daily", time.Date(2026, 3, 19, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := push.ParseSchedule(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Next(from); !got.Equal(tc.want) {
				t.Errorf("next = %v, want %v", got, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "weekly noday", "weekly 25:00", "fortnightly", "weekly mon 09:00 Mars/Olympus", "1 2 3"} {
		if _, err := push.ParseSchedule(bad); livespec.ErrorCode(err) != livespec.EINVALID {
			t.Errorf("ParseSchedule(%q) = %v, want EINVALID", bad, err)
		}
	}
}

package push

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/livespec/livespec"
)

// cronParser reads five-field cron expressions, descriptors (@daily) and a
// CRON_TZ= or TZ= prefix.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

var weekdays = map[string]string{
	"sun": "0", "sunday": "0", "mon": "1", "monday": "1", "tue": "2", "tues": "2", "tuesday": "2",
	"wed": "3", "wednesday": "3", "thu": "4", "thur": "4", "thurs": "4", "thursday": "4",
	"fri": "5", "friday": "5", "sat": "6", "saturday": "6",
}

// ParseSchedule reads a digest schedule: "daily [HH:MM] [ZONE]", "weekly
// [DAY] [HH:MM] [ZONE]", "monthly [HH:MM] [ZONE]" (the 1st), or a cron
// expression ("0 9 * * 1", "CRON_TZ=Europe/Berlin 0 9 * * 1", "@weekly").
// Omitted parts are Monday, 09:00 and UTC. Times are wall-clock times in
// the zone, so a weekly digest at 09:00 Europe/Berlin stays at 09:00
// local across daylight-saving changes.
func ParseSchedule(s string) (cron.Schedule, error) {
	spec, err := cronSpec(s)
	if err != nil {
		return nil, err
	}
	sched, err := cronParser.Parse(spec)
	if err != nil {
		return nil, livespec.Errorf(livespec.EINVALID, "schedule %q: not a schedule (%v); try \"weekly mon 09:00 Europe/Berlin\", \"daily\" or a cron expression", s, err)
	}
	return sched, nil
}

// cronSpec turns the words of a schedule into a cron expression.
func cronSpec(s string) (string, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return "", livespec.Errorf(livespec.EINVALID, "a schedule is required: \"weekly\", \"daily\" or a cron expression")
	}
	kind := strings.ToLower(fields[0])
	if kind != "daily" && kind != "weekly" && kind != "monthly" {
		return s, nil // a cron expression
	}
	day, hour, minute, zone := "1", 9, 0, "UTC"
	for _, f := range fields[1:] {
		lf := strings.ToLower(f)
		switch {
		case weekdays[lf] != "" && kind == "weekly":
			day = weekdays[lf]
		case strings.Contains(f, ":") && !strings.Contains(f, "/"):
			h, m, ok := clock(f)
			if !ok {
				return "", livespec.Errorf(livespec.EINVALID, "schedule %q: %q is not a time such as 09:00", s, f)
			}
			hour, minute = h, m
		default:
			if _, err := time.LoadLocation(f); err != nil || f == "" {
				return "", livespec.Errorf(livespec.EINVALID, "schedule %q: %q is not a weekday, a time or a time zone such as Europe/Berlin", s, f)
			}
			zone = f
		}
	}
	switch kind {
	case "daily":
		return fmt.Sprintf("CRON_TZ=%s %d %d * * *", zone, minute, hour), nil
	case "weekly":
		return fmt.Sprintf("CRON_TZ=%s %d %d * * %s", zone, minute, hour, day), nil
	}
	return fmt.Sprintf("CRON_TZ=%s %d %d 1 * *", zone, minute, hour), nil
}

// clock reads HH:MM.
func clock(s string) (int, int, bool) {
	hs, ms, ok := strings.Cut(s, ":")
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if !ok || err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

// period is the window a digest due at due covers: from the previous due
// time (last, or one schedule step before due when there was none) to due.
func period(sched cron.Schedule, last, due time.Time) livespec.Window {
	if last.IsZero() || !last.Before(due) {
		step := sched.Next(due).Sub(due)
		last = due.Add(-step)
	}
	return livespec.Window{From: last.UTC(), To: due.UTC()}
}

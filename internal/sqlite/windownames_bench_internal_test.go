package sqlite

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// BenchmarkChangedNames reads the names the section events of each of
// the last 48 months changed (changedNames), none kept: what the first
// topic change report of a month pays. It reports the CPU time per month.
func BenchmarkChangedNames(b *testing.B) {
	p := os.Getenv("LIVESPEC_BENCH_INDEX")
	if p == "" {
		b.Skip("set LIVESPEC_BENCH_INDEX to a livespec.db to benchmark reads of a real index")
	}
	ctx := context.Background()
	st, err := Open(ctx, p)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	cs, err := st.Changes(ctx, livespec.ChangeQuery{})
	if err != nil || len(cs) == 0 {
		b.Fatalf("changes: %v (%d)", err, len(cs))
	}
	now := cs[len(cs)-1].Date
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	w := &st.mem().windows
	n := 0
	cpu := cpuTime()
	for b.Loop() {
		for m := range 48 {
			from := start.AddDate(0, -m, 0)
			w.mu.Lock()
			w.by = nil
			w.mu.Unlock()
			if _, err := st.changedNames(ctx, from.UnixNano(), from.AddDate(0, 1, 0).UnixNano()); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(n), "cpu-ms/month")
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

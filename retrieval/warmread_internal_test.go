package retrieval

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"
)

// TestWarmReadingLeavesAFirstQuestionNothingToCompile reads a first
// question in a fresh process after warmReading (as Assistant.Warm does)
// and checks that it allocates as a question does, not as the compiling
// of the period expressions does (tens of thousands of allocations).
func TestWarmReadingLeavesAFirstQuestionNothingToCompile(t *testing.T) {
	if os.Getenv("LIVESPEC_TEST_WARM_READING") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestWarmReadingLeavesAFirstQuestionNothingToCompile$")
		cmd.Env = append(os.Environ(), "LIVESPEC_TEST_WARM_READING=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return
	}
	warmReading()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	before := m.Mallocs
	u := Understand("what changed in pod topology spread between March and August 2025?", time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	runtime.ReadMemStats(&m)
	// A question makes a few hundred allocations, a few thousand under
	// the race detector (which drops some of what sync.Pool is given);
	// compiling the period expressions makes about 48,000.
	if n := m.Mallocs - before; n > 10000 {
		t.Errorf("the first question after warmReading: %d allocations, want a question's few hundred (a few thousand under -race), not the compiling's tens of thousands", n)
	}
	if u.Window == nil {
		t.Errorf("Understand read no window: %+v", u)
	}
}

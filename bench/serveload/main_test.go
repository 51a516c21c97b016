package main

import (
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

func TestFollowsIndexed(t *testing.T) {
	cps := []livespec.Checkpoint{{Repo: "specs"}, {Repo: "keps0"}}
	tests := []struct {
		name, dir string
		ok        bool
	}{
		{"same name", "/tmp/run/keps0", true},
		{"bare clone", "/tmp/run/keps0.git", true},
		{"trailing slash", "/tmp/run/keps0/", true},
		{"other name", "/tmp/run/repo", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := followsIndexed(cps, tt.dir)
			if (err == nil) != tt.ok {
				t.Fatalf("followsIndexed(%q) = %v, want ok %v", tt.dir, err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "keps0") {
				t.Errorf("the error does not name the indexed repositories: %v", err)
			}
		})
	}
}

func TestParseTiming(t *testing.T) {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	tests := []struct {
		name, header string
		want         timing
	}{
		{"answer", "queue;dur=1.5, gate;dur=0, answer;dur=4.25, total;dur=7", timing{queue: ms(1.5), answer: ms(4.25), total: ms(7), ok: true}},
		{"stream", "queue;dur=0, gate;dur=12", timing{gate: ms(12), ok: true}},
		{"none", "", timing{}},
		{"foreign metric", "db;dur=3, cache;desc=hit", timing{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseTiming(tt.header); got != tt.want {
				t.Fatalf("parseTiming(%q) = %+v, want %+v", tt.header, got, tt.want)
			}
		})
	}
}

func TestColdStartComparesTheBurstsAnswersWithLaterOnes(t *testing.T) {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	r := func(kind string, start, answer float64) result {
		return result{kind: kind, start: ms(start), timing: timing{answer: ms(answer), ok: true}}
	}
	rs := []result{
		r("changes", 10, 40), r("timeline", 900, 60), r("changes", 2000, 10), r("timeline", 5000, 15),
		r("current", 20, 9), {kind: "as_of", start: ms(3000)}, // no Server-Timing: left out
	}
	var b strings.Builder
	coldStart(&b, rs, time.Second)
	got := b.String()
	if want := "heavy (changes, timeline) answers' own time: 50.0ms mean in the first 1s (2), 12.5ms after (2): 4.0x\n"; got != want {
		t.Fatalf("coldStart wrote %q, want %q (and no light line: no light answer after the burst has a time)", got, want)
	}
}

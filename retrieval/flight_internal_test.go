package retrieval

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// TestHeavyLeavesItsUnderstandingForAsk: weighing a question (Heavy, as
// a surface does to admit it) leaves its Understanding for Ask at the
// same instant, equal to Understand's, so that the question is read once.
func TestHeavyLeavesItsUnderstandingForAsk(t *testing.T) {
	now := time.Date(2025, 11, 19, 15, 30, 0, 0, time.FixedZone("UTC+1", 3600))
	tests := []struct {
		name, q string
		heavy   bool
	}{
		{"change report", "  What changed in authentication this quarter? ", true},
		{"timeline", "When was SSE first described?", true},
		{"current", "Does checkout support coupons?", false},
		{"as of", "As of June 1, 2024, how long did tokens last?", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (&Assistant{}).Heavy(livespec.AskRequest{Question: tt.q, Now: now}); got != tt.heavy {
				t.Fatalf("Heavy(%q) = %v, want %v", tt.q, got, tt.heavy)
			}
			u, ok := understood.Get(phraseKey{strings.TrimSpace(tt.q), now.UTC()})
			if !ok {
				t.Fatalf("Heavy(%q) left no Understanding for Ask", tt.q)
			}
			if want := Understand(tt.q, now); !reflect.DeepEqual(u, want) {
				t.Errorf("the Understanding kept for %q = %+v, want Understand's %+v", tt.q, u, want)
			}
		})
	}
}

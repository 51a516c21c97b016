package ollama_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/ollama"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestPromptGolden pins the whole prompt (system and user message) for
// each intent; run with -update after a deliberate change and review the diff.
func TestPromptGolden(t *testing.T) {
	asOf := &livespec.Time{Time: date("2025-03-01").Time}
	tests := []struct {
		name string
		ev   func() *livespec.Evidence
	}{
		{"changes", evidence},
		{"current", func() *livespec.Evidence {
			ev := evidence()
			ev.Intent, ev.Window, ev.Changes = livespec.IntentCurrent, nil, nil
			ev.Question = "does checkout support coupons?"
			return ev
		}},
		{"as_of", func() *livespec.Evidence {
			ev := evidence()
			ev.Intent, ev.Window, ev.Changes, ev.AsOf = livespec.IntentAsOf, nil, nil, asOf
			ev.Question = "what did payment say on 1 March 2025?"
			return ev
		}},
		{"timeline", func() *livespec.Evidence {
			ev := evidence()
			ev.Intent, ev.Window, ev.Topic = livespec.IntentTimeline, nil, "coupons"
			ev.Question = "when did coupons appear?"
			ev.Notes = []string{"The first mention of coupons is in commit 0123456789ab."}
			return ev
		}},
		{"status", func() *livespec.Evidence {
			ev := evidence()
			ev.Intent, ev.Changes = livespec.IntentStatus, nil
			ev.Question = "which proposals were accepted in Q1 2025?"
			ev.Notes = []string{"1 document reached status accepted between 2025-01-01 and 2025-03-31."}
			ev.Facts = []livespec.AnswerFact{{Repo: "shop", Path: "rfcs/0001-coupons.md", Title: "Coupons", Field: "status",
				Value: "Accepted", Previous: "Draft", Since: livespec.FactSince{Commit: "0123456789abcdef", Date: date("2025-02-03")}}}
			return ev
		}},
	}
	g := ollama.New("", nil).Generator(ollama.GenerateOptions{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := g.Prompt(tt.ev())
			got := "=== system\n" + p.System + "\n=== user\n" + p.User
			path := filepath.Join("testdata", "prompt_"+tt.name+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("prompt differs from %s (run with -update and review the diff):\n%s", path, got)
			}
		})
	}
}

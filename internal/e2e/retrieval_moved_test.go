package e2e_test

import (
	"slices"
	"testing"

	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// TestMovedWithRewrite names a document by number whose file was moved to
// another directory in the same commit that rewrote it, too much for git to
// see a rename: its history is followed back through the move and the
// earlier rename to where it first appeared, while a file of another number
// removed in that commit stays out.
func TestMovedWithRewrite(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	first := r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Sidecars", Write: map[string]string{
		"keps/sig-apps/sidecars.md":   "# Sidecars\n\nSidecar containers start before the app and stop after it.\n",
		"keps/sig-apps/0099-other.md": "# Other\n\nAn unrelated enhancement about quotas.\n",
	}})
	numbered := r.Do(gittest.Step{Date: "2024-01-20T12:00:00Z", Msg: "Number it",
		Move: [][2]string{{"keps/sig-apps/sidecars.md", "keps/sig-apps/0753-sidecars.md"}}})
	moved := r.Do(gittest.Step{Date: "2024-02-01T12:00:00Z", Msg: "Move to sig-node with the new template",
		Remove: []string{"keps/sig-apps/0753-sidecars.md", "keps/sig-apps/0099-other.md"},
		Write:  map[string]string{"keps/sig-node/0753-sidecars.md": "# KEP-753: Sidecar containers\n\n## Summary\n\nInit containers may restart always.\n\n## Motivation\n\nLogging agents and proxies.\n\n## Graduation\n\nAlpha in 1.28.\n"}})
	edited := r.Do(gittest.Step{Date: "2024-02-10T12:00:00Z", Msg: "Beta", Write: map[string]string{
		"keps/sig-node/0753-sidecars.md": "# KEP-753: Sidecar containers\n\n## Summary\n\nInit containers may restart always.\n\n## Motivation\n\nLogging agents and proxies.\n\n## Graduation\n\nBeta in 1.29.\n"}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	ans := ask(t, a, "How has KEP-753 changed?", day("2024-03-01T00:00:00Z"))
	if !ans.Found || len(ans.Subjects) != 1 {
		t.Fatalf("found %v, subjects %+v; want one subject", ans.Found, ans.Subjects)
	}
	want := []string{"keps/sig-apps/sidecars.md", "keps/sig-apps/0753-sidecars.md", "keps/sig-node/0753-sidecars.md"}
	if s := ans.Subjects[0]; s.Path != "keps/sig-node/0753-sidecars.md" || !slices.Equal(s.Paths, want) {
		t.Errorf("subject = %+v, want path keps/sig-node/0753-sidecars.md and paths %v", s, want)
	}
	if ans.FirstSeen == nil || ans.FirstSeen.Commit != first {
		t.Errorf("first_seen = %+v, want commit %s", ans.FirstSeen, first)
	}
	var got []string
	for _, c := range ans.Changes {
		if !slices.Contains(got, c.Commit) {
			got = append(got, c.Commit)
		}
		if c.Path == "keps/sig-apps/0099-other.md" {
			t.Errorf("change of another document: %+v", c)
		}
	}
	if want := []string{first, numbered, moved, edited}; !slices.Equal(got, want) {
		t.Errorf("commits %v, want %v", got, want)
	}
}

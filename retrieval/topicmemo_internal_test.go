package retrieval

import (
	"testing"

	"github.com/livespec/livespec"
)

// TestOwnMatchAddsApart checks that what a caller adds to its copy of a
// kept topic match (a change report's mentions in its window) shows
// neither in the kept match nor in another caller's copy.
func TestOwnMatchAddsApart(t *testing.T) {
	matched := make([]scored, 2, 8) // room to append in place
	matched[0] = scored{livespec.Version{ID: "v1"}, 1}
	matched[1] = scored{livespec.Version{ID: "v2"}, 0.9}
	kept := &topicMatch{topic: "quota", matched: matched[:2]}
	a, b := kept.own(), kept.own()
	a.matched = append(a.matched, scored{livespec.Version{ID: "a"}, 0.8})
	a.docs["a"] = &lexDoc{}
	b.matched = append(b.matched, scored{livespec.Version{ID: "b"}, 0.8})
	if got := ids(kept.matched); got != "v1 v2" {
		t.Errorf("kept match = %s, want v1 v2", got)
	}
	if got := ids(a.matched); got != "v1 v2 a" {
		t.Errorf("first copy = %s, want v1 v2 a", got)
	}
	if got := ids(b.matched); got != "v1 v2 b" {
		t.Errorf("second copy = %s, want v1 v2 b", got)
	}
	if len(b.docs) != 0 || kept.docs != nil {
		t.Errorf("docs shared: copy %v, kept %v", b.docs, kept.docs)
	}
}

func ids(ss []scored) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += s.v.ID
	}
	return out
}

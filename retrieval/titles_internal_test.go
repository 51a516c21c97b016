package retrieval

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/livespec/livespec"
)

// countedFiles is writableFiles counting the reads of named paths (the
// reads of titles, not of the list of every current file).
type countedFiles struct {
	*writableFiles
	mu    sync.Mutex
	reads int
}

func (s *countedFiles) Files(ctx context.Context, q livespec.FileQuery) ([]livespec.FileVersion, error) {
	if len(q.Paths) > 0 {
		s.mu.Lock()
		s.reads++
		s.mu.Unlock()
	}
	return s.writableFiles.Files(ctx, q)
}

// TestTitlesReadOncePerWrite checks that an answer's document titles are
// read only for the files no answer named since the last write, and are
// the store's after a write.
func TestTitlesReadOncePerWrite(t *testing.T) {
	ctx := context.Background()
	st := &countedFiles{writableFiles: &writableFiles{titles: map[string]string{"a.md": "Alpha", "b.md": "Beta"}}}
	a := &Assistant{Store: st}
	for _, step := range []struct {
		name         string
		write, title string // a file given a new title first, if any
		ask          []string
		want         string
		reads        int // reads of titles so far
	}{
		{name: "first", ask: []string{"a.md"}, want: "a.md=Alpha", reads: 1},
		{name: "one new file", ask: []string{"a.md", "b.md"}, want: "a.md=Alpha b.md=Beta", reads: 2},
		{name: "both kept", ask: []string{"b.md", "a.md"}, want: "b.md=Beta a.md=Alpha", reads: 2},
		{name: "after a write", write: "a.md", title: "Alpha two", ask: []string{"a.md", "b.md"}, want: "a.md=Alpha two b.md=Beta", reads: 3},
	} {
		if step.write != "" {
			st.write(step.write, step.title)
		}
		var cs []livespec.AnswerChange
		for _, p := range step.ask {
			cs = append(cs, livespec.AnswerChange{Repo: "r", Path: p})
		}
		ts, err := a.titles(ctx, cs)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, dt := range ts {
			got = append(got, dt.Path+"="+dt.Title)
		}
		if g := strings.Join(got, " "); g != step.want {
			t.Errorf("%s: titles %q, want %q", step.name, g, step.want)
		}
		if st.reads != step.reads {
			t.Errorf("%s: %d reads of titles, want %d", step.name, st.reads, step.reads)
		}
	}
}

package retrieval

import (
	"context"
	"slices"
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

// fileHistory is a Store of the file versions fs (of repositories r and
// s), counting the reads of named paths: the reads of titles.
type fileHistory struct {
	livespec.Store
	fs        []livespec.FileVersion
	mu        sync.Mutex
	pathReads int
	decoded   []string   // paths of the versions read whole, outlines and all
	mixed     [][]string // reads of several paths, one of them quoted
}

func (s *fileHistory) Checkpoints(context.Context) ([]livespec.Checkpoint, error) {
	return []livespec.Checkpoint{{Repo: "r", Commit: "c3"}, {Repo: "s", Commit: "c3"}}, nil
}

func (s *fileHistory) Checkpoint(_ context.Context, repo string) (livespec.Checkpoint, error) {
	return livespec.Checkpoint{Repo: repo, Commit: "c3"}, nil
}

func (s *fileHistory) DataVersion(context.Context) (uint64, error) { return 1, nil }

func (s *fileHistory) Versions(context.Context, livespec.VersionQuery) ([]livespec.Version, error) {
	return nil, nil
}

func (s *fileHistory) Warm(context.Context) error { return nil }

func (s *fileHistory) FactValues(context.Context, []string) ([]livespec.FactValue, error) {
	return nil, nil
}

func (s *fileHistory) Files(_ context.Context, q livespec.FileQuery) ([]livespec.FileVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(q.Paths) > 0 {
		s.pathReads++
	}
	if len(q.Paths) > 1 && slices.ContainsFunc(q.Paths, func(p string) bool { return strings.Contains(p, `\`) }) {
		s.mixed = append(s.mixed, q.Paths)
	}
	var out []livespec.FileVersion
	for _, f := range s.fs {
		switch {
		case len(q.Repos) > 0 && !slices.Contains(q.Repos, f.Repo):
		case len(q.Paths) > 0 && !slices.Contains(q.Paths, livespec.LiteralGlob(f.Path)):
		case q.Validity.Mode == livespec.ValidAny || f.Current():
			if q.Brief {
				f = f.Brief()
			} else {
				s.decoded = append(s.decoded, f.Path)
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// TestWarmKeepsEveryTitle: after Warm, an answer naming any file of the
// index, current or removed, with or without a current outline, reads no
// title, and names each file as an Assistant that never warmed up does.
func TestWarmKeepsEveryTitle(t *testing.T) {
	ctx := context.Background()
	outline := func(title string) []livespec.SectionRef {
		return []livespec.SectionRef{{Heading: title}, {Heading: title + " > More"}}
	}
	closed := func(f livespec.FileVersion) livespec.FileVersion {
		f.EndCommit = "c2"
		return f
	}
	fs := []livespec.FileVersion{
		closed(livespec.FileVersion{Repo: "r", Path: "a.md", Seq: 1, Outline: outline("Old alpha")}),
		{Repo: "r", Path: "a.md", Seq: 2, Outline: outline("Alpha")},
		closed(livespec.FileVersion{Repo: "r", Path: "b.md", Seq: 1, Outline: outline("Beta one")}),
		closed(livespec.FileVersion{Repo: "r", Path: "b.md", Seq: 2, Outline: outline("Beta two")}),
		closed(livespec.FileVersion{Repo: "r", Path: "c.md", Seq: 1, Outline: outline("Gamma")}),
		{Repo: "r", Path: "c.md", Seq: 2},
		{Repo: "r", Path: "e.md", Seq: 1, Outline: outline("Epsilon one")},
		{Repo: "r", Path: "e.md", Seq: 2, Outline: outline("Epsilon two")},
		{Repo: "s", Path: "d.md", Seq: 1, Outline: outline("Heading"), Meta: map[string]any{"title": "Delta"}},
		closed(livespec.FileVersion{Repo: "s", Path: "[id].md", Seq: 1, Outline: outline("Page")}),
		closed(livespec.FileVersion{Repo: "s", Path: "gone.md", Seq: 1, Outline: outline("Gone")}),
	}
	var cs []livespec.AnswerChange
	for _, p := range []string{"r/a.md", "r/b.md", "r/c.md", "r/e.md", "s/d.md", "s/[id].md", "s/gone.md"} {
		repo, file, _ := strings.Cut(p, "/")
		cs = append(cs, livespec.AnswerChange{Repo: repo, Path: file})
	}
	names := func(a *Assistant) string {
		t.Helper()
		ts, err := a.titles(ctx, cs)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, dt := range ts {
			got = append(got, dt.Repo+"/"+dt.Path+"="+dt.Title)
		}
		return strings.Join(got, " ")
	}
	cold := &fileHistory{fs: fs}
	want := names(&Assistant{Store: cold})
	warm := &fileHistory{fs: fs}
	a := &Assistant{Store: warm}
	if err := a.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	// Old versions of a file its current version titles are not read
	// whole: the store would keep their outlines decoded.
	if n := strings.Count(strings.Join(warm.decoded, " "), "a.md"); n != 1 {
		t.Errorf("Warm read %d versions of a.md whole, want its current one: read %q", n, warm.decoded)
	}
	// A path with a glob metacharacter is read alone: a store matches a
	// list holding one by each path's prefix.
	if len(warm.mixed) > 0 {
		t.Errorf("Warm read a quoted path with others: %q", warm.mixed)
	}
	warm.pathReads = 0
	if got := names(a); got != want {
		t.Errorf("after Warm, titles %q, want %q (unwarmed)", got, want)
	}
	if warm.pathReads != 0 {
		t.Errorf("after Warm, titles read files by path %d times, want none (unwarmed: %d)", warm.pathReads, cold.pathReads)
	}
	if want != "r/a.md=Alpha r/b.md=Beta two r/c.md=Gamma r/e.md=Epsilon two s/d.md=Delta s/[id].md=Page s/gone.md=Gone" {
		t.Errorf("unwarmed titles %q", want)
	}
}

package retrieval

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// writableFiles is a Store that lists current files and counts its
// writes: the two things the kept list of current files reads. Every
// write gives a larger DataVersion, as the Store contract asks of every
// store (internal/storetest checks the real ones).
type writableFiles struct {
	livespec.Store
	mu      sync.Mutex
	version uint64
	titles  map[string]string // path → title
}

func (s *writableFiles) DataVersion(context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, nil
}

func (s *writableFiles) Files(_ context.Context, q livespec.FileQuery) ([]livespec.FileVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []livespec.FileVersion
	for _, p := range slices.Sorted(maps.Keys(s.titles)) {
		out = append(out, livespec.FileVersion{Repo: "r", Path: p,
			Outline: []livespec.SectionRef{{Heading: s.titles[p]}, {Heading: s.titles[p] + " > More"}}})
	}
	return out, nil
}

// write sets the file's title, or removes it when title is "".
func (s *writableFiles) write(path, title string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if title == "" {
		delete(s.titles, path)
	} else {
		s.titles[path] = title
	}
	s.version++
}

// TestCurrentFilesFollowWrites checks that the kept list of current files
// is the store's after every write.
func TestCurrentFilesFollowWrites(t *testing.T) {
	ctx := context.Background()
	st := &writableFiles{titles: map[string]string{}}
	a := &Assistant{Store: st}
	list := func() string {
		t.Helper()
		fs, err := a.currentFiles(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range fs {
			out = append(out, f.f.path+"="+f.title)
		}
		return strings.Join(out, " ")
	}
	for i, w := range []struct {
		file, title string // title "": remove the file
		want        string
	}{
		{"a.md", "Alpha", "a.md=Alpha"},
		{"b.md", "Beta", "a.md=Alpha b.md=Beta"},
		{"c.md", "Gamma", "a.md=Alpha b.md=Beta c.md=Gamma"},
		{"a.md", "", "b.md=Beta c.md=Gamma"},
		{"b.md", "Beta two", "b.md=Beta two c.md=Gamma"},
	} {
		list() // kept before the write
		st.write(w.file, w.title)
		if got := list(); got != w.want {
			t.Errorf("write %d: current files %q, want %q", i, got, w.want)
		}
	}
}

// gatedFiles is writableFiles whose Files waits for open to close, and
// counts its calls.
type gatedFiles struct {
	*writableFiles
	open  chan struct{}
	calls chan struct{} // one send per call
}

func (s *gatedFiles) Files(ctx context.Context, q livespec.FileQuery) ([]livespec.FileVersion, error) {
	s.calls <- struct{}{}
	<-s.open
	return s.writableFiles.Files(ctx, q)
}

// TestCurrentFilesReadOnceAfterWrite checks that questions asking for the
// current files at once, right after a write, share one read of them
// instead of each reading the whole list.
func TestCurrentFilesReadOnceAfterWrite(t *testing.T) {
	const questions = 8
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st := &gatedFiles{writableFiles: &writableFiles{titles: map[string]string{"a.md": "Alpha"}},
		open: make(chan struct{}), calls: make(chan struct{}, questions)}
	a := &Assistant{Store: st}
	var wg sync.WaitGroup
	errs := make(chan error, questions)
	for range questions {
		wg.Go(func() {
			fs, err := a.currentFiles(ctx, nil)
			if err == nil && (len(fs) != 1 || fs[0].title != "Alpha") {
				err = fmt.Errorf("current files %v, want a.md=Alpha", fs)
			}
			errs <- err
		})
	}
	// The read is let go once every question is reading (each its own)
	// or after a while (the others wait for the one read).
	reads := 0
	select {
	case <-st.calls:
		reads++
	case <-ctx.Done():
		t.Fatal("no question read the current files")
	}
	wait := time.After(300 * time.Millisecond)
collect:
	for reads < questions {
		select {
		case <-st.calls:
			reads++
		case <-wait:
			break collect
		}
	}
	close(st.open)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	reads += len(st.calls)
	if reads != 1 {
		t.Errorf("%d questions read the current files %d times, want once", questions, reads)
	}
}

// TestDocCacheKeysTheText checks that kept analyses are found by the text
// analysed, however it is split into body and tail, and that another
// text or another choice of phrases is another analysis.
func TestDocCacheKeysTheText(t *testing.T) {
	body, tail := "Quota admission gates pods", "\nkeps sig-node\nDesign > Quota"
	d := docs.analyseJoined(body, tail, true)
	if again := docs.analyseJoined(body+"\nkeps", " sig-node\nDesign > Quota", true); again != d {
		t.Errorf("the same text split elsewhere gave another analysis")
	}
	quota, adm := lex.Stem("quota"), lex.Stem("admission")
	tests := []struct {
		name string
		doc  *lexDoc
		term string
		want bool
	}{
		{"its own word", d, lex.Stem("gates"), true},
		{"a word of its tail", d, lex.Stem("design"), true},
		{"a phrase", d, quota + " " + adm, true},
		{"another tail", docs.analyseJoined(body, "\nkeps sig-auth\nDesign", true), lex.Stem("node"), false},
		{"another tail's word", docs.analyseJoined(body, "\nkeps sig-auth\nDesign", true), lex.Stem("auth"), true},
		{"no phrases asked", docs.analyseJoined(body, tail, false), quota + " " + adm, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.doc.holds(tc.term, false); got != tc.want {
				t.Errorf("holds(%q) = %v, want %v", tc.term, got, tc.want)
			}
		})
	}
}

// TestVersionDocKeysTheVersionText checks that a version's kept analysis is
// that of its own text, path and heading: versions that share all three
// share it, and a version differing in any of them (a text of the same
// length, another file or section, no hash) is analysed as itself.
func TestVersionDocKeysTheVersionText(t *testing.T) {
	version := func(id, text, path, heading string) livespec.Version {
		return livespec.Version{ID: id, Key: livespec.Key{Repo: "r", Path: path, Heading: heading}, Text: text, Hash: livespec.ContentHash(text)}
	}
	base := version("v1", "Quota admission gates pods", "keps/sig-node/quota.md", "Design > Quota")
	d := versionDoc(base)
	if again := versionDoc(version("v2", base.Text, base.Path, base.Heading)); again != d {
		t.Errorf("another version of the same text, path and heading gave another analysis")
	}
	noHash := base
	noHash.Hash = ""
	tests := []struct {
		name string
		v    livespec.Version
		term string
		want bool
	}{
		{"its own word", base, "gates", true},
		{"a word of its path", base, "node", true},
		{"a word of its heading", base, "design", true},
		{"a text of the same length", version("v3", "Quota admission gates jobs", base.Path, base.Heading), "pods", false},
		{"that text's own word", version("v3", "Quota admission gates jobs", base.Path, base.Heading), "jobs", true},
		{"another path", version("v4", base.Text, "keps/sig-auth/quota.md", base.Heading), "node", false},
		{"another path's word", version("v4", base.Text, "keps/sig-auth/quota.md", base.Heading), "auth", true},
		{"another heading", version("v5", base.Text, base.Path, "Motivation"), "design", false},
		{"another heading's word", version("v5", base.Text, base.Path, "Motivation"), "motivation", true},
		{"no hash", noHash, "gates", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionDoc(tc.v).holds(lex.Stem(tc.term), false); got != tc.want {
				t.Errorf("holds(%q) = %v, want %v", tc.term, got, tc.want)
			}
		})
	}
}

// TestVersionDocsAreVersionDoc checks that versionDocs analyses each of
// its versions as versionDoc does: a kept analysis is found, a new one is
// kept, a version without a hash is analysed as itself.
func TestVersionDocsAreVersionDoc(t *testing.T) {
	version := func(id, text, path, heading string) livespec.Version {
		return livespec.Version{ID: id, Key: livespec.Key{Repo: "r", Path: path, Heading: heading}, Text: text, Hash: livespec.ContentHash(text)}
	}
	kept := version("v1", "Sprocket tuning takes a minute", "docs/sprockets.md", "Guide > Sprockets")
	d := versionDoc(kept)
	fresh := version("v2", "Gear meshing is quiet "+t.Name(), "docs/gears.md", "Gears")
	noHash := version("v3", "Cog counting", "docs/cogs.md", "Cogs")
	noHash.Hash = ""
	vs := []livespec.Version{fresh, kept, noHash}
	got := versionDocs(len(vs), func(i int) *livespec.Version { return &vs[i] })
	if len(got) != 3 {
		t.Fatalf("versionDocs of 3 versions gave %d analyses", len(got))
	}
	if got[1] != d {
		t.Errorf("the kept analysis of %s was not found", kept.ID)
	}
	if versionDoc(fresh) != got[0] {
		t.Errorf("the new analysis of %s was not kept", fresh.ID)
	}
	for _, tc := range []struct {
		name string
		doc  *lexDoc
		term string
		want bool
	}{
		{"a word of the new text", got[0], "meshing", true},
		{"a word of its heading", got[0], "gears", true},
		{"a word of another text", got[0], "sprocket", false},
		{"a word of the text without a hash", got[2], "counting", true},
		{"a word of its path", got[2], "cogs", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if g := tc.doc.holds(lex.Stem(tc.term), false); g != tc.want {
				t.Errorf("holds(%q) = %v, want %v", tc.term, g, tc.want)
			}
		})
	}
}

// TestHeaderDocKeysPathAndHeading checks that a kept header analysis is
// that of its own path and heading path: versions sharing both share it,
// whatever their texts, and a version differing in either, or whose path
// and heading join into the same string split elsewhere, is analysed as
// itself.
func TestHeaderDocKeysPathAndHeading(t *testing.T) {
	version := func(text, path, heading string) livespec.Version {
		return livespec.Version{Key: livespec.Key{Repo: "r", Path: path, Heading: heading}, Text: text, Hash: livespec.ContentHash(text)}
	}
	base := version("Quota admission gates pods", "keps/sig-node/quota.md", "Design > Quota")
	d := headerDoc(base)
	if again := headerDoc(version("Another text", base.Path, base.Heading)); again != d {
		t.Errorf("another version of the same path and heading gave another analysis")
	}
	tests := []struct {
		name string
		v    livespec.Version
		term string
		want bool
	}{
		{"a word of its path", base, "node", true},
		{"a word of its heading", base, "design", true},
		{"not a word of its text", base, "gates", false},
		{"another path", version(base.Text, "keps/sig-auth/quota.md", base.Heading), "node", false},
		{"another path's word", version(base.Text, "keps/sig-auth/quota.md", base.Heading), "auth", true},
		{"another heading", version(base.Text, base.Path, "Motivation"), "design", false},
		{"another heading's word", version(base.Text, base.Path, "Motivation"), "motivation", true},
		{"a path and heading joined", version(base.Text, "keps/a", "bc Design"), "bc", true},
		{"the same joined, split elsewhere", version(base.Text, "keps/ab", "c Design"), "bc", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := headerDoc(tc.v).holds(lex.Stem(tc.term), false); got != tc.want {
				t.Errorf("holds(%q) = %v, want %v", tc.term, got, tc.want)
			}
		})
	}
}

// TestAnalysePoolKeepsEachVersionOnce checks that a topic pool keeps each
// version once, in the search's order, with its own analysis: a version
// the search gave twice is dropped, while another version of the same
// text, path and heading (its section's text restored by a later commit,
// the same analysis key) and a repeated version without a hash are told
// apart by their ids.
func TestAnalysePoolKeepsEachVersionOnce(t *testing.T) {
	version := func(id, text, heading string) livespec.Version {
		return livespec.Version{ID: id, Key: livespec.Key{Repo: "r", Path: "docs/pool.md", Heading: heading}, Text: text, Hash: livespec.ContentHash(text)}
	}
	first := version("v1", "Widget sizing", "Widgets")
	restored := version("v3", "Widget sizing", "Widgets") // v1's text again
	other := version("v2", "Gadget sizing", "Gadgets")
	noHash := version("v4", "Doohickey sizing", "Doohickeys")
	noHash.Hash = ""
	tests := []struct {
		name string
		hits []livespec.Version
		want []string
	}{
		{"no repeats", []livespec.Version{first, other, restored}, []string{"v1", "v2", "v3"}},
		{"a repeat", []livespec.Version{first, other, first, restored, other}, []string{"v1", "v2", "v3"}},
		{"a repeat after a restored text", []livespec.Version{restored, first, restored, noHash}, []string{"v3", "v1", "v4"}},
		{"a repeat without a hash", []livespec.Version{noHash, first, noHash}, []string{"v4", "v1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits := make([]livespec.Hit, len(tc.hits))
			for i, v := range tc.hits {
				hits[i] = livespec.Hit{Version: v, Score: float64(len(tc.hits) - i)}
			}
			pool, docs := analysePool(hits)
			var ids []string
			for i, h := range pool {
				ids = append(ids, h.Version.ID)
				if !reflect.DeepEqual(docs[i], versionDoc(h.Version)) {
					t.Errorf("the analysis of %s is not its own", h.Version.ID)
				}
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("pool = %v, want %v", ids, tc.want)
			}
			if tc.hits[0].ID != hits[0].Version.ID {
				t.Error("the search's hits were changed")
			}
		})
	}
}

// TestVersionKeysTellVersionsApart checks that versionKey gives the same
// key to the same text under the same path and heading, whatever the
// version, and another key when any part of that differs, parts swapped
// or moved from one to the other included.
func TestVersionKeysTellVersionsApart(t *testing.T) {
	version := func(id, text, path, heading string) livespec.Version {
		return livespec.Version{ID: id, Key: livespec.Key{Repo: "r", Path: path, Heading: heading}, Text: text, Hash: livespec.ContentHash(text)}
	}
	base := version("v1", "Quota admission gates pods", "keps/quota.md", "Design")
	key := func(v livespec.Version) docKey {
		t.Helper()
		k, ok := versionKey(v, true)
		if !ok {
			t.Fatalf("versionKey(%+v): no key", v)
		}
		return k
	}
	if got := key(version("v2", base.Text, base.Path, base.Heading)); got != key(base) {
		t.Errorf("another version of the same text, path and heading: key %v, want %v", got, key(base))
	}
	longer := base
	longer.Text += " " // the same content hash, another text
	tests := []struct {
		name string
		v    livespec.Version
	}{
		{"another text", version("v3", "Quota admission gates jobs", base.Path, base.Heading)},
		{"another length of the same hash", longer},
		{"another path", version("v4", base.Text, "keps/quota2.md", base.Heading)},
		{"another heading", version("v5", base.Text, base.Path, "Motivation")},
		{"path and heading swapped", version("v6", base.Text, base.Heading, base.Path)},
		{"a byte moved from the path to the heading", version("v7", base.Text, "keps/quota.m", "dDesign")},
		{"path and heading the same", version("v8", base.Text, base.Path, base.Path)},
	}
	seen := map[docKey]string{key(base): "base"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := key(tc.v)
			if other, dup := seen[k]; dup {
				t.Errorf("key %v, the key of %s", k, other)
			}
			seen[k] = tc.name
		})
	}
	if _, ok := versionKey(livespec.Version{Text: "no hash"}, true); ok {
		t.Error("a version without a content hash got a key")
	}
}

// BenchmarkVersionKey measures the key a topic pool looks each of its
// versions up by.
func BenchmarkVersionKey(b *testing.B) {
	v := livespec.Version{Key: livespec.Key{Repo: "keps", Path: "keps/sig-node/2000-memory-swap/README.md", Heading: "Design Details > Graduation Criteria > Beta"},
		Text: "Swap is enabled on nodes with cgroup v2.", Hash: livespec.ContentHash("Swap is enabled on nodes with cgroup v2.")}
	for b.Loop() {
		versionKey(v, true)
	}
}

// BenchmarkPoolVersionsOnce measures how a topic pool of 300 distinct
// versions, as a search returns them, is checked for repeats.
func BenchmarkPoolVersionsOnce(b *testing.B) {
	hits := make([]livespec.Hit, topicPool)
	for i := range hits {
		hits[i].Version.ID = fmt.Sprintf("%08x-1c2d-5e6f-8a9b-%012x", i*7919, i)
	}
	for b.Loop() {
		if !distinctVersions(hits) {
			b.Fatal("distinct versions told apart as repeats")
		}
	}
}

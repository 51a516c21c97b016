package sqlite_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/internal/storetest"
)

// corpus is a synthetic history of the size of the Kubernetes KEPs: about
// 30k distinct section texts (about 1 KB each, 30 MB), 100k versions and
// 170k changes over 9,500 commits: files added, sections edited, and whole
// directories of files renamed (new versions of old texts).
type corpus struct {
	commits  []*livespec.Batch
	texts    int   // distinct texts
	bytes    int64 // their size
	versions int
	words    []string
	end      time.Time
}

var perCommit = flag.Bool("bench-per-commit", false, "BenchmarkApply: also apply one batch per commit (slow)")

const (
	corpusFiles    = 2500 // added files, 12 sections each (9 unique texts, 3 from templates)
	corpusEdits    = 2000 // commits editing 4 sections of a file
	corpusRenames  = 5000 // commits renaming a file
	corpusSections = 12
)

func newCorpus() *corpus {
	rng := rand.New(rand.NewPCG(1, 2))
	c := &corpus{}
	for i := range 6000 {
		c.words = append(c.words, pseudoWord(rng, i))
	}
	zipf := rand.NewZipf(rng, 1.1, 4, uint64(len(c.words)-1))
	text := func(heading string, words int) string {
		var b strings.Builder
		b.WriteString("## " + heading + "\n")
		for i := range words {
			if i > 0 {
				b.WriteByte(' ')
				if i%17 == 0 {
					b.WriteString(".\n")
				}
			}
			b.WriteString(c.words[zipf.Uint64()])
		}
		return b.String()
	}
	templates := make([]string, 60)
	for i := range templates {
		templates[i] = text(fmt.Sprintf("Template %d", i), 40)
	}
	seen := make(map[string]bool)
	count := func(s []livespec.Section) {
		for _, x := range s {
			if !seen[x.Hash] {
				seen[x.Hash] = true
				c.texts++
				c.bytes += int64(len(x.Text))
			}
		}
	}

	h := storetest.NewHistory("keps")
	t := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	files := make(map[string][]livespec.Section)
	var paths []string
	commit := func(n int, changed map[string][]livespec.Section, deleted ...string) {
		t = t.Add(37 * time.Minute)
		b := h.Commit(storetest.Commit{SHA: fmt.Sprintf("%040x", n), Time: t, Author: "dev", Message: "commit", Files: changed, Deleted: deleted})
		c.versions += len(b.Versions)
		c.commits = append(c.commits, b)
	}
	n := 0
	for i := range corpusFiles {
		p := fmt.Sprintf("keps/sig-%d/%d-feature/README.md", i%24, i)
		var secs []livespec.Section
		for j := range corpusSections {
			heading := fmt.Sprintf("Feature %d > Part %d", i, j)
			if j%4 == 3 {
				secs = append(secs, storetest.Sec(heading, templates[rng.IntN(len(templates))]))
			} else {
				secs = append(secs, storetest.Sec(heading, text(heading, 150)))
			}
		}
		count(secs)
		files[p] = secs
		paths = append(paths, p)
		n++
		commit(n, map[string][]livespec.Section{p: secs})
	}
	for i := range corpusEdits + corpusRenames {
		k := rng.IntN(len(paths))
		p := paths[k]
		secs := append([]livespec.Section(nil), files[p]...)
		n++
		if i%7 < 2 { // edit
			for range 4 {
				j := rng.IntN(len(secs))
				secs[j] = storetest.Sec(secs[j].Heading, text(secs[j].Heading, 150))
			}
			count(secs)
			files[p] = secs
			commit(n, map[string][]livespec.Section{p: secs})
			continue
		}
		np := fmt.Sprintf("keps/sig-%d/%d-moved/README.md", rng.IntN(24), n)
		delete(files, p)
		files[np] = secs
		paths[k] = np
		commit(n, map[string][]livespec.Section{np: secs}, p)
	}
	c.end = t
	return c
}

// pseudoWord returns a pronounceable lowercase word, distinct for each i.
func pseudoWord(rng *rand.Rand, i int) string {
	const cons, vows = "bcdfghklmnprstvz", "aeiou"
	var b strings.Builder
	for range 2 + rng.IntN(3) {
		b.WriteByte(cons[rng.IntN(len(cons))])
		b.WriteByte(vows[rng.IntN(len(vows))])
	}
	fmt.Fprintf(&b, "%c", 'a'+i%26)
	return b.String() + strings.Repeat("x", i/(26*26))
}

// batches merges consecutive commits into batches of at most maxItems
// versions, files, closes and changes (ingest's default is 2000), or one
// batch per commit when maxItems is 0.
func (c *corpus) batches(maxItems int) []*livespec.Batch {
	if maxItems == 0 {
		return c.commits
	}
	var out []*livespec.Batch
	var m *livespec.Batch
	items := 0
	for _, b := range c.commits {
		n := len(b.Versions) + len(b.Files) + len(b.Closes) + len(b.Changes)
		if m == nil || items+n > maxItems {
			m = &livespec.Batch{Repo: b.Repo}
			out = append(out, m)
			items = 0
		}
		items += n
		m.Versions = append(m.Versions, b.Versions...)
		m.Files = append(m.Files, b.Files...)
		m.Closes = append(m.Closes, b.Closes...)
		m.Changes = append(m.Changes, b.Changes...)
		m.Checkpoint = b.Checkpoint
	}
	return out
}

// BenchmarkApply measures a full ingest of the synthetic KEPs-sized history
// into a new store, in batches of at most 2,000 and 20,000 items (ingest's
// default is 2,000) and, with -bench-per-commit, one batch per commit.
func BenchmarkApply(b *testing.B) {
	c := newCorpus()
	b.Logf("corpus: %d commits, %d versions, %d distinct texts (%.1f MB)", len(c.commits), c.versions, c.texts, float64(c.bytes)/1e6)
	sizes := []int{2000, 20000}
	if *perCommit {
		sizes = append(sizes, 0)
	}
	for _, size := range sizes {
		batches := c.batches(size)
		b.Run(fmt.Sprintf("items-per-batch=%d", size), func(b *testing.B) {
			b.SetBytes(c.bytes)
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "x.db"))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				cpu0 := cpuTime()
				for _, batch := range batches {
					if err := s.Apply(context.Background(), batch); err != nil {
						b.Fatal(err)
					}
				}
				cpu += cpuTime() - cpu0
				b.StopTimer()
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(c.versions)*float64(b.N)/b.Elapsed().Seconds(), "versions/s")
			// On a shared machine wall time depends on the neighbours;
			// the process's CPU time does less.
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// BenchmarkSearch measures searches over the synthetic KEPs-sized history:
// BM25 current, as of a date, over all history, and fused with exact
// 768-dimension vectors.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	c := newCorpus()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "x.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, batch := range c.batches(20000) {
		if err := s.Apply(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	const dims = 768
	rng := rand.New(rand.NewPCG(3, 4))
	vec := func() []float32 {
		v := make([]float32, dims)
		for i := range v {
			v[i] = rng.Float32()*2 - 1
		}
		return v
	}
	var vs []livespec.Vector
	seen := make(map[string]bool)
	for _, batch := range c.commits {
		for _, v := range batch.Versions {
			if !seen[v.Hash] {
				seen[v.Hash] = true
				vs = append(vs, livespec.Vector{Embedder: "bench", Hash: v.Hash, Values: vec()})
			}
		}
	}
	for i := 0; i < len(vs); i += 2000 {
		if err := s.Apply(ctx, &livespec.Batch{Repo: "keps", Vectors: vs[i:min(i+2000, len(vs))]}); err != nil {
			b.Fatal(err)
		}
	}
	// Questions of 2 to 5 words of every frequency, with stopwords.
	var questions []string
	for i := range 50 {
		q := []string{"what", "does", "the"}
		for j := range 2 + i%4 {
			q = append(q, c.words[(i*131+j*977)%len(c.words)/(1+j%3*20)])
		}
		questions = append(questions, strings.Join(q, " ")+"?")
	}
	mid := c.commits[len(c.commits)/2].Checkpoint.Time
	for _, tt := range []struct {
		name string
		q    livespec.SearchQuery
	}{
		{"bm25-current", livespec.SearchQuery{Validity: livespec.Current()}},
		{"bm25-as-of", livespec.SearchQuery{Validity: livespec.AsOf(mid)}},
		{"bm25-any", livespec.SearchQuery{Validity: livespec.AnyVersion()}},
		{"bm25-current-path", livespec.SearchQuery{Validity: livespec.Current(), Paths: []string{"keps/sig-3/**"}}},
		{"hybrid-current", livespec.SearchQuery{Validity: livespec.Current(), Vector: vec(), Embedder: "bench"}},
		{"hybrid-as-of", livespec.SearchQuery{Validity: livespec.AsOf(mid), Vector: vec(), Embedder: "bench"}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			// Warm up: the first dense search loads the vectors into memory.
			if _, err := s.Search(ctx, tt.q); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			hits := 0
			for i := 0; i < b.N; i++ {
				q := tt.q
				q.Text = questions[i%len(questions)]
				h, err := s.Search(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				hits += len(h)
			}
			b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
		})
	}
}

// cpuTime returns the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package retrieval

import (
	"cmp"
	"context"
	"crypto/sha256"
	"hash/maphash"
	"math/bits"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/cache"
)

// maxCachedDocBytes bounds the memory of the analysed texts kept per
// process (see lexDoc.size). A topic pool analyses 300 versions: a busy
// server's questions share many of them, and a cold analysis is most of
// the cost of a history answer. Asked of the KEPs, the 3,000 questions of
// the load mix (internal/loadmix) analyse 78,985 texts, 93 MB: at 64 MB
// (and analyses a sixth larger) a server answering them concurrently,
// kinds interleaved, analysed 137k times (109k asked one kind after
// another); at 128 MB it analyses each text once.
const maxCachedDocBytes = 128 << 20

// docKey is what an analysis depends on: the text analysed, by a 128-bit
// hash of it (two maphash sums of independent seeds), and whether phrases
// were asked for. A key holds no text, so the bytes of the cache go to
// analyses: a kept text would be a fifth of them. A version's text is
// hashed by what names it (see versionKey), which byVersion marks; a
// header by its path and heading path (see analyseHeader), which header
// marks.
type docKey struct {
	sum       [2]uint64
	phrases   bool
	byVersion bool
	header    bool
}

// docSeeds seed the two sums of every docKey.
var docSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// keyOf returns the key of the analysis of body+tail, without joining them.
func keyOf(body, tail string, phrases bool) docKey {
	k := docKey{phrases: phrases}
	for i, seed := range docSeeds {
		var h maphash.Hash
		h.SetSeed(seed)
		h.WriteString(body)
		h.WriteString(tail)
		k.sum[i] = h.Sum64()
	}
	return k
}

// versionKey returns the key of the analysis of v.Text+tail, where tail is
// made of v's path and heading alone, without reading the text: a version
// carries the SHA-256 of its text, so hashing that hash, the text's
// length, the path and the heading tells texts apart as well as hashing
// the text would. A version without a hash of that form has none: ok is
// false.
func versionKey(v livespec.Version, phrases bool) (k docKey, ok bool) {
	if len(v.Hash) != 2*sha256.Size {
		return docKey{}, false
	}
	k = docKey{phrases: phrases, byVersion: true}
	for i, seed := range docSeeds {
		k.sum[i] = versionSum(seed, v)
	}
	return k, true
}

// versionSum hashes what names a version's text under seed: its content
// hash, the text's length, the path and the heading. Each string is
// hashed apart (maphash.String, which reads it in place: streaming the
// four into one maphash.Hash copied each into its buffer first, three
// times the cost, and a topic pool looks up 300 versions), so no two such
// tuples hash the same bytes; the parts' sums are combined each rotated
// to a place of its own, so that swapping two parts changes the sum.
func versionSum(seed maphash.Seed, v livespec.Version) uint64 {
	return maphash.String(seed, v.Hash) ^
		bits.RotateLeft64(maphash.String(seed, v.Path), 21) ^
		bits.RotateLeft64(maphash.String(seed, v.Heading), 42) ^
		uint64(len(v.Text))*0x9e3779b97f4a7c15
}

// docCache keeps analysed texts: an analysis depends on the text alone, and
// the same sections come back question after question.
type docCache struct {
	c   *cache.LRU[docKey, *lexDoc]
	max int64 // what the analyses kept weigh at most (see lexDoc.size)
}

// newDocCache returns a docCache keeping analyses that weigh max bytes
// at most.
func newDocCache(max int64) docCache {
	return docCache{cache.NewWeighed(max, func(_ docKey, d *lexDoc) int64 { return d.size() }), max}
}

// docs is the process's cache of analysed section texts.
var docs = newDocCache(maxCachedDocBytes)

// analyse returns analyse(text, phrases), from the cache when it holds it.
// The returned doc is shared: callers must not change it.
func (c docCache) analyse(text string, phrases bool) *lexDoc {
	return c.analyseJoined(text, "", phrases)
}

// analyseJoined returns analyse(body+tail, phrases), from the cache when
// it holds it, joining the two only to analyse them.
func (c docCache) analyseJoined(body, tail string, phrases bool) *lexDoc {
	key := keyOf(body, tail, phrases)
	if d, ok := c.c.Get(key); ok {
		return d
	}
	d := analyse(body+tail, phrases)
	c.c.Add(key, d)
	return d
}

// analyseVersion returns analyse(v.Text+tail(v), phrases), from the cache
// when it holds it. tail must depend on v's path and heading alone; it is
// called only to analyse.
func (c docCache) analyseVersion(v livespec.Version, tail func(livespec.Version) string, phrases bool) *lexDoc {
	key, ok := versionKey(v, phrases)
	if !ok {
		return c.analyseJoined(v.Text, tail(v), phrases)
	}
	if d, ok := c.c.Get(key); ok {
		return d
	}
	d := analyse(v.Text+tail(v), phrases)
	c.c.Add(key, d)
	return d
}

// analyseVersions returns analyseVersion of each of the n versions that
// version returns (by position), finding those the
// cache holds in one look-up that leaves their order (cache.LRU.PeekAll):
// a topic pool looks up 300 analyses, and making each the most recently
// used cost more than finding it (0.3 of 0.45 ms a pool on the KEPs). The
// analyses a pool finds are forgotten in the order they were made.
func (c docCache) analyseVersions(n int, version func(int) *livespec.Version, tail func(livespec.Version) string, phrases bool) []*lexDoc {
	out := make([]*lexDoc, n)
	keys := make([]docKey, 0, n)
	at := make([]int, 0, n) // the version of each key
	for i := range n {
		v := version(i)
		k, ok := versionKey(*v, phrases)
		if !ok {
			out[i] = c.analyseJoined(v.Text, tail(*v), phrases)
			continue
		}
		keys = append(keys, k)
		at = append(at, i)
	}
	kept, found := c.c.PeekAll(keys)
	for j, i := range at {
		if found[j] {
			out[i] = kept[j]
			continue
		}
		v := version(i)
		out[i] = analyse(v.Text+tail(*v), phrases)
		c.c.Add(keys[j], out[i])
	}
	return out
}

// analyseHeader returns analyse(text(path, heading), false), from the
// cache when it holds it. The key is hashed from path and heading, which a
// NUL byte (no path holds one) keeps apart, so a kept header is found
// without writing its text. text must depend on path and heading alone.
func (c docCache) analyseHeader(path, heading string, text func(path, heading string) string) *lexDoc {
	key := docKey{header: true}
	for i, seed := range docSeeds {
		var h maphash.Hash
		h.SetSeed(seed)
		h.WriteString(path)
		h.WriteByte(0)
		h.WriteString(heading)
		key.sum[i] = h.Sum64()
	}
	if d, ok := c.c.Get(key); ok {
		return d
	}
	d := analyse(text(path, heading), false)
	c.c.Add(key, d)
	return d
}

// DefaultAnswerCache is how many answers an Assistant keeps when
// AnswerCache is zero.
const DefaultAnswerCache = 1024

// answerCache keeps answers by what decides them (see answerKey), for one
// index version at a time.
type answerCache struct {
	mu      sync.Mutex
	version uint64
	c       *cache.LRU[string, *livespec.Answer] // made at the first put
}

func (c *answerCache) get(key string, version uint64) *livespec.Answer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || c.c == nil {
		return nil
	}
	if a, ok := c.c.Get(key); ok {
		return copyAnswer(a)
	}
	return nil
}

func (c *answerCache) put(key string, version uint64, a *livespec.Answer, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.c == nil {
		c.c = cache.NewLRU[string, *livespec.Answer](size)
	}
	if c.version != version {
		if version < c.version {
			return // computed before a write that a newer answer saw
		}
		c.version = version
		c.c.Purge()
	}
	c.c.Add(key, copyAnswer(a))
}

// copyAnswer returns a copy of a that shares nothing mutable with it.
func copyAnswer(a *livespec.Answer) *livespec.Answer {
	c := *a
	if a.Window != nil {
		w := *a.Window
		c.Window = &w
	}
	c.Citations = slices.Clone(a.Citations)
	c.Changes = slices.Clone(a.Changes)
	return &c
}

// answerCaching reports whether answers of a may be kept: only when the
// answer is a function of the question and the index, that is with the
// extractive generator (a model phrases differently each time) and no
// embedder (its availability changes the answer). Answers are kept while
// the store's DataVersion stays the same.
func (a *Assistant) answerCaching() (int, bool) {
	if a.AnswerCache < 0 || a.Embedder != nil {
		return 0, false
	}
	if _, ok := a.generator().(Extractive); !ok {
		return 0, false
	}
	return cmp.Or(a.AnswerCache, DefaultAnswerCache), true
}

// answerKey is everything besides the index that an answer depends on: the
// question as asked (it is searched and echoed), what it was understood to
// ask (intent, window, as-of, topic after follow-ups, problems), the
// repositories, the clock only where it sets the window (a changes
// question naming no period), the corpus statistics in use and the
// assistant's settings.
func (a *Assistant) answerKey(question string, u Understanding, topic string, now time.Time, repos []string, stats *corpusStats) string {
	var b strings.Builder
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	tm := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return strconv.FormatInt(t.UnixNano(), 10)
	}
	field(question)
	field(string(u.Intent))
	if u.Window != nil {
		field(tm(u.Window.From) + "," + tm(u.Window.To))
	} else {
		field("no window")
		if u.Intent == livespec.IntentChanges {
			field(tm(now))
		}
	}
	field(tm(u.AsOf))
	field(topic)
	field(u.Topic)
	field(u.Period)
	for _, p := range u.Problems {
		field(p)
	}
	field("repos")
	for _, r := range repos {
		field(r)
	}
	field("stats " + strconv.FormatUint(stats.seq, 10))
	field(a.Permalink)
	field(strconv.Itoa(a.sources()))
	return b.String()
}

// maxCachedNames bounds the names and titles whose terms are kept.
const maxCachedNames = 16384

// names keeps nameTerms of file names and titles, which depend on the
// string alone. The slices are shared: callers must not change them.
var names = cache.NewLRU[string, []string](maxCachedNames)

func cachedNameTerms(s string) []string {
	if t, ok := names.Get(s); ok {
		return t
	}
	t := nameTerms(s)
	names.Add(s, t)
	return t
}

// fileTitle is a current file and its title (its first heading, "" when
// that is no title: see untitledHeadings).
type fileTitle struct {
	f     fileID
	title string
}

// versionCache keeps what is computed from the whole index (the current
// files, the repository's kind words, the fact vocabulary, topic matches),
// by key, for one index version and at most what B allows: a question
// reads it once per write of the index instead of once per question, and
// the questions that miss it at once (all of them, right after an ingest)
// share one read.
type versionCache[T any, B bound[T]] struct {
	mu      sync.Mutex
	version uint64
	kept    *cache.LRU[string, T] // made anew for each version
	reads   cache.Flight[T]       // reads in progress, by version and key
}

// bound says how much a versionCache keeps: entries weighing weigh each,
// at most max together.
type bound[T any] interface {
	weigh(T) int64
	max() int64
}

// maxVersionKeys bounds the keys (sets of repositories) of a versionCache
// bounded by few.
const maxVersionKeys = 256

// few bounds a versionCache by its number of keys (maxVersionKeys).
type few[T any] struct{}

func (few[T]) weigh(T) int64 { return 1 }
func (few[T]) max() int64    { return maxVersionKeys }

// get returns the value of key at the index's version: kept, or made by
// read and kept when nothing was written while it was read.
func (c *versionCache[T, B]) get(ctx context.Context, dv livespec.DataVersioner, key string, read func() (T, error)) (T, error) {
	var zero T
	version, err := dv.DataVersion(ctx)
	if err != nil {
		return zero, storeError("read the index version", err)
	}
	c.mu.Lock()
	var v T
	hit := false
	if c.version == version && c.kept != nil {
		v, hit = c.kept.Get(key)
	}
	c.mu.Unlock()
	if hit {
		return v, nil
	}
	if v, err = c.read(ctx, version, key, read); err != nil {
		return zero, err
	}
	if after, err := dv.DataVersion(ctx); err == nil && after == version {
		c.mu.Lock()
		if c.version != version || c.kept == nil {
			var b B
			c.version, c.kept = version, cache.NewWeighed(b.max(), func(_ string, v T) int64 { return b.weigh(v) })
		}
		c.kept.Add(key, v)
		c.mu.Unlock()
	}
	return v, nil
}

// read calls read once for every caller asking for key at version at the
// same time. A caller whose shared read ended with another caller's
// context error reads again.
func (c *versionCache[T, B]) read(ctx context.Context, version uint64, key string, read func() (T, error)) (T, error) {
	v, _, err := c.reads.Do(ctx, strconv.FormatUint(version, 10)+"\x00"+key, read)
	return v, err
}

// currentSet is the current files of a set of repositories with their
// titles, and the words that name the repositories' kind of document
// (kindWords).
type currentSet struct {
	files []fileTitle
	kinds map[string]bool
	// untitled are the first headings that are no title (see
	// untitledHeadings); the files they open have none.
	untitled map[string]bool

	namesOnce sync.Once
	names     []fileNames // per file, made at the first byTitle

	indexOnce sync.Once
	index     nameIndex // made at the first nameFile
}

// nameIndex finds current files by the terms of their names and titles:
// byTerm lists, for each term, the files (indices into currentSet.files,
// ascending) whose name or title holds it; at is each file's index. A file
// listed twice counts once, at its first index.
type nameIndex struct {
	byTerm map[string][]int
	at     map[fileID]int
}

// nameIndex returns the name index of c's files, made once. It is shared:
// callers must not change it.
func (c *currentSet) nameIndex() nameIndex {
	c.indexOnce.Do(func() {
		names := c.fileNames()
		c.index = nameIndex{byTerm: map[string][]int{}, at: make(map[fileID]int, len(c.files))}
		for i, f := range c.files {
			if _, ok := c.index.at[f.f]; ok {
				continue
			}
			c.index.at[f.f] = i
			for w := range names[i].own {
				c.index.byTerm[w] = append(c.index.byTerm[w], i)
			}
		}
	})
	return c.index
}

// fileNames are the name terms of a current file: of its name (base) and
// title (words), both (own) and its directories (dirs).
type fileNames struct {
	base, words []string
	own, dirs   map[string]bool
}

// fileNames returns the name terms of every file of c, in c.files' order,
// made once. They are shared: callers must not change them.
func (c *currentSet) fileNames() []fileNames {
	c.namesOnce.Do(func() {
		c.names = make([]fileNames, len(c.files))
		for i, f := range c.files {
			n := fileNames{base: nameTerms(docName(f.f.path)), words: nameTerms(f.title), own: map[string]bool{}, dirs: map[string]bool{}}
			for _, w := range n.base {
				n.own[w] = true
			}
			for _, w := range n.words {
				n.own[w] = true
			}
			for _, w := range nameTerms(strings.ReplaceAll(path.Dir(f.f.path), "/", " ")) {
				n.dirs[w] = true
			}
			c.names[i] = n
		}
	})
	return c.names
}

// current returns the current files of repos (all: none given) and their
// kind words, kept per index version. Both are shared: callers must not
// change them.
func (a *Assistant) current(ctx context.Context, repos []string) (*currentSet, error) {
	return a.files.get(ctx, a.Store, strings.Join(repos, "\x00"), func() (*currentSet, error) {
		fs, err := a.readCurrentFiles(ctx, repos)
		if err != nil {
			return nil, err
		}
		untitled, err := a.untitledHeadings(ctx, fs)
		if err != nil {
			return nil, err
		}
		for i := range fs {
			if untitled[fs[i].title] {
				fs[i].title = ""
			}
		}
		return &currentSet{files: fs, kinds: kindWords(fs), untitled: untitled}, nil
	})
}

// currentFiles returns the current files of repos (all: none given) with
// their titles (see current).
func (a *Assistant) currentFiles(ctx context.Context, repos []string) ([]fileTitle, error) {
	cur, err := a.current(ctx, repos)
	if err != nil {
		return nil, err
	}
	return cur.files, nil
}

// repoKinds returns kindWords of the current files of repos (see current).
func (a *Assistant) repoKinds(ctx context.Context, repos []string) (map[string]bool, error) {
	cur, err := a.current(ctx, repos)
	if err != nil {
		return nil, err
	}
	return cur.kinds, nil
}

func (a *Assistant) readCurrentFiles(ctx context.Context, repos []string) ([]fileTitle, error) {
	files, err := a.Store.Files(ctx, livespec.FileQuery{Repos: repos, Validity: livespec.Current(), Brief: true})
	if err != nil {
		return nil, storeError("list files", err)
	}
	out := make([]fileTitle, len(files))
	for i, f := range files {
		out[i] = fileTitle{fileID{f.Repo, f.Path}, f.FirstHeading()}
	}
	return out, nil
}

// untitledMin is how many files a first heading must open, beside other
// top-level headings, to be a template's section name rather than a title.
const untitledMin = 3

// untitledHeadings returns the first headings that are no title: each
// opens at least untitledMin files, and the first untitledMin of them have
// other headings at its level ("Summary", "Motivation", … of every RFC),
// so it names a section of a template, not a document. A heading that
// stands alone at the top of its files ("OpenAPI Specification" over each
// version) is a title however many files share it. Only the outlines of
// those few files per shared heading are read.
func (a *Assistant) untitledHeadings(ctx context.Context, fs []fileTitle) (map[string]bool, error) {
	byTitle := map[string][]fileID{}
	for _, f := range fs {
		if f.title != "" {
			byTitle[f.title] = append(byTitle[f.title], f.f)
		}
	}
	sample := map[string][]string{} // repo → path globs of the files to read
	for _, ids := range byTitle {
		if len(ids) < untitledMin {
			continue
		}
		for _, f := range ids[:untitledMin] {
			sample[f.repo] = append(sample[f.repo], livespec.LiteralGlob(f.path))
		}
	}
	flat := map[string]int{} // title → sampled files with a flat outline
	for repo, paths := range sample {
		full, err := a.Store.Files(ctx, livespec.FileQuery{Repos: []string{repo}, Paths: paths, Validity: livespec.Current()})
		if err != nil {
			return nil, storeError("list files", err)
		}
		for _, f := range full {
			if flatOutline(f.Outline) {
				flat[f.FirstHeading()]++
			}
		}
	}
	out := map[string]bool{}
	for h, n := range flat {
		if n >= untitledMin {
			out[h] = true
		}
	}
	return out, nil
}

// flatOutline reports whether an outline has more than one top-level
// heading: its first heading opens a section among siblings.
func flatOutline(outline []livespec.SectionRef) bool {
	first := ""
	for _, o := range outline {
		if o.Heading == "" || o.Heading == livespec.FrontMatterHeading {
			continue
		}
		top := livespec.SplitHeading(o.Heading)[0]
		switch {
		case first == "":
			first = top
		case top != first:
			return true
		}
	}
	return false
}

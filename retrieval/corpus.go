package retrieval

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// corpusStats are the document frequencies of terms over the current
// sections of every repository: how rare a word is in the specs, which
// decides how much it says about a topic. A store that keeps them
// (livespec.TermStore) is asked for the terms a question touches, as it
// touches them; from any other store, or while a run writing the index
// has not settled them, every current section is read once and counted.
// They are made anew whenever a repository's checkpoint moves.
type corpusStats struct {
	seq     uint64            // numbers the statistics an Assistant made
	key     string            // the checkpoints they were made at
	commits map[string]string // repo → checkpoint commit
	listed  time.Time         // when the repositories were last listed; guarded by Assistant.mu
	n       int               // sections counted

	// store answers the terms df and words lack; nil when they are
	// complete. ctx is the context of the question that made the
	// statistics, without its cancellation: later questions share them.
	store livespec.TermStore
	ctx   context.Context

	mu     sync.Mutex
	df     map[string]int32 // term → sections containing it
	words  map[string]int32 // plain lower-case word as written → sections containing it
	vocab  map[string]bool  // initials whose words are all in words (store only)
	failed error            // a store read failed: the next question makes them anew
}

// statsRecheck is how often corpus statistics look for new repositories.
const statsRecheck = time.Minute

// maxStatsSections bounds the sections read for corpus statistics.
const maxStatsSections = 200000

// idf returns the BM25 inverse document frequency of a stemmed term.
func (c *corpusStats) idf(term string) float64 {
	df := float64(c.docFreq(term))
	n := float64(c.n)
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// docFreq returns the number of current sections holding the stem term.
func (c *corpusStats) docFreq(term string) int32 {
	c.need([]string{term}, nil)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.df[term]
}

// wordFreq returns the number of current sections holding the word w as
// written (lower case).
func (c *corpusStats) wordFreq(w string) int32 {
	c.need(nil, []string{w})
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.words[w]
}

// need reads from the store the counts of the stems and words that are not
// known yet, in one request.
func (c *corpusStats) need(stems, words []string) {
	if c.store == nil {
		return
	}
	c.mu.Lock()
	var ms, mw []string
	for _, s := range stems {
		if _, ok := c.df[s]; !ok {
			ms = append(ms, s)
		}
	}
	for _, w := range words {
		if _, ok := c.words[w]; !ok && !c.vocab[initial(w)] {
			mw = append(mw, w)
		}
	}
	c.mu.Unlock()
	if len(ms) == 0 && len(mw) == 0 {
		return
	}
	counts, _, err := c.store.TermCounts(c.ctx, ms, mw)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.failed = err
		return
	}
	for s, n := range counts.Stems {
		c.df[s] = int32(n)
	}
	for w, n := range counts.Words {
		c.words[w] = int32(n)
	}
}

// prefetch reads, in one request, the counts of the stems and the words
// of text that are not known yet: the steps of an answer ask for them
// one by one.
func (c *corpusStats) prefetch(text string) {
	if c.store == nil {
		return
	}
	stems := lex.Terms(text)
	for _, t := range lex.Tokens(text) {
		stems = append(stems, lex.Stem(t.Word))
	}
	var words []string
	for _, w := range questionWord.FindAllString(text, -1) {
		words = append(words, strings.ToLower(w))
	}
	slices.Sort(stems)
	slices.Sort(words)
	c.need(slices.Compact(stems), slices.Compact(words))
}

// wordsFrom returns the vocabulary words starting with w's first letter
// (with others, when the statistics are complete) and their counts.
func (c *corpusStats) wordsFrom(w string) map[string]int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.store == nil {
		return c.words
	}
	in := initial(w)
	if c.vocab[in] {
		return c.byInitial(in)
	}
	c.mu.Unlock()
	vocab, _, err := c.store.Vocabulary(c.ctx, in)
	c.mu.Lock()
	if err != nil {
		c.failed = err
		return nil
	}
	for v, n := range vocab {
		c.words[v] = int32(n)
	}
	for v := range c.words {
		if initial(v) == in && vocab[v] == 0 {
			c.words[v] = 0
		}
	}
	c.vocab[in] = true
	return c.byInitial(in)
}

// byInitial returns the known words with the initial in that some section
// holds; c.mu is held.
func (c *corpusStats) byInitial(in string) map[string]int32 {
	out := map[string]int32{}
	for v, n := range c.words {
		if n > 0 && initial(v) == in {
			out[v] = n
		}
	}
	return out
}

// initial returns the first byte of w as a string.
func initial(w string) string {
	if w == "" {
		return ""
	}
	return w[:1]
}

// corpus returns the corpus statistics of the question ctx carries (see
// withCorpus), or else the assistant's (see freshCorpus).
func (a *Assistant) corpus(ctx context.Context) (*corpusStats, error) {
	if cs, ok := ctx.Value(corpusKey{}).(*corpusStats); ok {
		return cs, nil
	}
	return a.freshCorpus(ctx)
}

// corpusKey keys a question's corpus statistics in its context.
type corpusKey struct{}

// withCorpus returns ctx carrying the corpus statistics the question is
// answered with: every step of one answer reads the same statistics, and
// checks their freshness once.
func (a *Assistant) withCorpus(ctx context.Context) (context.Context, error) {
	cs, err := a.freshCorpus(ctx)
	if err != nil {
		return ctx, err
	}
	return context.WithValue(ctx, corpusKey{}, cs), nil
}

// freshCorpus returns the corpus statistics, making them anew when the
// index changed since they were last made: when a known repository's
// checkpoint moved (checked on every call, cheaply), or when the list of
// repositories changed (checked at most every statsRecheck). The store is
// read with no lock held, so a question that waits for a connection never
// holds up the others; questions that find the same new checkpoints share
// one making of the statistics.
func (a *Assistant) freshCorpus(ctx context.Context) (*corpusStats, error) {
	a.mu.Lock()
	cs := a.stats
	recent := cs != nil && time.Since(cs.listed) < statsRecheck
	a.mu.Unlock()
	if recent && cs.sound() {
		fresh, err := a.checkpointsAt(ctx, cs.commits)
		if err != nil || fresh {
			return cs, err
		}
	}
	repos, err := livespec.Checkpoints(ctx, a.Store)
	if err != nil {
		return nil, storeError("list repos", err)
	}
	commits := map[string]string{}
	var key strings.Builder
	for _, r := range repos {
		commits[r.Repo] = r.Commit
		fmt.Fprintf(&key, "%s@%s;", r.Repo, r.Commit)
	}
	// Made for every question that waits for them: one's end stops none.
	v, err, _ := a.statsFlight.Do(key.String(), func() (any, error) {
		return a.makeCorpus(context.WithoutCancel(ctx), key.String(), commits)
	})
	if err != nil {
		return nil, err
	}
	return v.(*corpusStats), nil
}

// checkpointsAt reports whether every repository's checkpoint is still at
// the commit of commits.
func (a *Assistant) checkpointsAt(ctx context.Context, commits map[string]string) (bool, error) {
	for repo, commit := range commits {
		cp, err := a.Store.Checkpoint(ctx, repo)
		if err != nil && livespec.ErrorCode(err) != livespec.ENOTFOUND {
			return false, storeError("read checkpoint", err)
		}
		if cp.Commit != commit {
			return false, nil
		}
	}
	return true, nil
}

// makeCorpus returns the assistant's statistics when they were made at
// the checkpoints of key (listed again now), else makes them and keeps
// them.
func (a *Assistant) makeCorpus(ctx context.Context, key string, commits map[string]string) (*corpusStats, error) {
	a.mu.Lock()
	if cs := a.stats; cs != nil && cs.key == key && cs.sound() {
		cs.listed = time.Now()
		a.mu.Unlock()
		return cs, nil
	}
	a.mu.Unlock()
	cs := &corpusStats{key: key, commits: commits, listed: time.Now(),
		ctx: context.WithoutCancel(ctx), df: map[string]int32{}, words: map[string]int32{}, vocab: map[string]bool{}}
	if err := a.countTerms(ctx, cs); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.statsSeq++
	cs.seq = a.statsSeq
	a.stats = cs
	return cs, nil
}

// sound reports whether no store read of the statistics failed.
func (c *corpusStats) sound() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failed == nil
}

// countTerms sets up cs: on the store's term statistics when it keeps
// them settled, else by counting every current section.
func (a *Assistant) countTerms(ctx context.Context, cs *corpusStats) error {
	if ts, ok := a.Store.(livespec.TermStore); ok {
		counts, settled, err := ts.TermCounts(ctx, nil, nil)
		if err != nil {
			return storeError("read term counts", err)
		}
		if settled {
			cs.n, cs.store = counts.Sections, ts
			return nil
		}
	}
	vs, err := a.Store.Versions(ctx, livespec.VersionQuery{Validity: livespec.Current(), Limit: maxStatsSections})
	if err != nil {
		return storeError("read versions", err)
	}
	cs.n = len(vs)
	for _, v := range vs {
		stems, words := lex.SectionTerms(v.Text, v.Path, v.Heading)
		for _, s := range stems {
			cs.df[s]++
		}
		for _, w := range words {
			cs.words[w]++
		}
	}
	return nil
}

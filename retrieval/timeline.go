package retrieval

import (
	"cmp"
	"context"
	"hash/maphash"
	"iter"
	"maps"
	"math"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// Topic matching tuning.
const (
	topicPool    = 300  // hits asked from the store across every version
	topicMinCov  = 0.8  // a version mentions a topic when it covers this share of its core
	topicRelCov  = 0.75 // a named file is the whole topic when its first version covers the rest of the topic this share of the best version
	topicMaxKeys = 12   // sections whose whole history a timeline reads
	nameFull     = 0.99 // a file is named by a topic when its file name is covered this well...
	titleShare   = 0.6  // ...or the topic covers this weighted share of its title and the title all of the topic
	nameShare    = 0.3  // a file name must also cover this share of the topic's words
	maxEvents    = 400  // events an answer carries at most
)

// scored is a version with its coverage of a topic.
type scored struct {
	v   livespec.Version
	cov float64
}

// sectionID is a section across parts: repo, path and heading path.
type sectionID struct{ repo, path, heading string }

func sectionOf(v livespec.Version) sectionID { return sectionID{v.Repo, v.Path, v.Heading} }

// fileID is a file: repo and path.
type fileID struct{ repo, path string }

// topicMatch is how a topic maps onto the index: its weighted terms, the
// versions that mention it, the sections they belong to and the file the
// topic names, if any.
type topicMatch struct {
	topic    string
	qs       []qterm     // the core: terms and phrases of the topic that the best hit has
	words    []qterm     // every content word of the topic, weighted
	phrases  []qterm     // pairs of adjacent content words, weighted
	matched  []scored    // versions mentioning the topic, best first
	sections []sectionID // their sections, best first, at most topicMaxKeys
	named    *fileID     // the file the topic names, when one does
	fileMode bool        // the topic is that file as a whole
	thr      float64     // the coverage a version needs to mention the topic
	docs     map[string]*lexDoc
	// required are the topic's symbols and identifiers ("$ref", "go.work"):
	// a version mentions the topic only when it holds every one of them
	// (a form of a symbol written as a prefix: "~int64" of "`~int`-style").
	required []lex.QueryTerm
}

// usefulTopic reports whether topic names something: a topic made only of
// stop words and generic words ("the specs") narrows nothing.
func usefulTopic(topic string) bool {
	for _, q := range lexQuery(topic) {
		if !q.generic {
			return true
		}
	}
	return false
}

// versionDoc analyses a version's text with its path and heading path
// (versionTail), so that a file's name and a section's headings count as
// mentions.
func versionDoc(v livespec.Version) *lexDoc {
	return docs.analyseVersion(v, versionTail, true)
}

// versionDocs returns versionDoc of each of the n versions that version
// returns, by position.
func versionDocs(n int, version func(int) *livespec.Version) []*lexDoc {
	return docs.analyseVersions(n, version, versionTail, true)
}

// versionTail is what versionDoc reads after a version's text.
func versionTail(v livespec.Version) string {
	return "\n" + pathWords(v.Path) + "\n" + v.Heading
}

// versionTexts yields the texts versionDoc analyses of vs, in order, each
// in the parts its words come from (see lexExpand): the version's text,
// its path's words and its heading, which versionTail writes after the
// text on lines of their own.
func versionTexts(pool []livespec.Hit) iter.Seq[[]string] {
	return func(yield func([]string) bool) {
		var parts [3]string
		for _, h := range pool {
			v := &h.Version
			parts = [3]string{v.Text, pathWords(v.Path), v.Heading}
			if !yield(parts[:]) {
				return
			}
		}
	}
}

// pathWords returns the words of a spec file's path (see lex.PathWords).
func pathWords(p string) string { return lex.PathWords(p) }

// findTopic searches every version for topic and decides which versions
// mention it (see matchTopic, which keeps what it finds). Terms weigh by
// their rarity in the index (estimated by asking the store for each). The
// topic's core is the set of its terms and phrases that the best hit
// contains: questions often add words the spec never uses ("tied to", "the
// idea of"), and the best hit shows which of them the spec's own wording
// shares. A version mentions the topic when it covers most of the core.
func (a *Assistant) findTopic(ctx context.Context, topic string, repos []string) (*topicMatch, error) {
	text, err := a.storeText(ctx, topic)
	if err != nil {
		return nil, err
	}
	hits, err := a.Store.Search(ctx, livespec.SearchQuery{Text: text, Validity: livespec.AnyVersion(), Repos: repos, Limit: topicPool})
	if err != nil {
		return nil, storeError("search history", err)
	}
	m := &topicMatch{topic: topic}
	pool, docs := analysePool(hits)
	words := lexContent(lexQuery(topic))
	lexExpand(words, versionTexts(pool))
	lexIdentParts(words)
	all := append(append([]qterm(nil), words...), lexPhrases(topic)...)
	if err := a.weighByCorpus(ctx, all); err != nil {
		return nil, err
	}
	words = all[:len(words)]
	m.qs = words
	held := holdings(all, docs)
	if len(pool) > 0 {
		if core := held.core(all, held.best(all)); len(core) > 0 {
			m.qs = core
		}
	}
	m.thr = topicMinCov
	m.required = requiredTerms(topic)
	if code := classedCode(topic); code != nil {
		m.required = append(m.required, code...)
		m.qs = withoutClassNouns(m.qs)
	}
	if forms := formsCore(m.qs); forms != nil {
		m.qs = forms
	}
	m.matchPool(pool, docs, held, all)
	m.words, m.phrases = all[:len(words)], all[len(words):]
	if err := a.nameFile(ctx, m, pool, docs, repos, held.counts(all, len(words))); err != nil {
		return nil, err
	}
	return m, nil
}

// analysePool returns hits, each version once, in order, with their
// versions' analyses (versionDoc). Only hits that repeat a version are
// copied without it.
func analysePool(hits []livespec.Hit) ([]livespec.Hit, []*lexDoc) {
	pool := hits
	if !distinctVersions(hits) {
		pool = onceEach(hits)
	}
	return pool, versionDocs(len(pool), func(i int) *livespec.Version { return &pool[i].Version })
}

// idSeed seeds the hashes distinctVersions compares.
var idSeed = maphash.MakeSeed()

// distinctVersions reports whether no two of hits are of the same
// version, as a pool nearly always is: no two of their ids' hashes are
// equal, which sorting them tells at a fifth of the cost of a set of the
// ids (a topic pool has 300). Equal hashes, rare, may be a collision:
// false, and onceEach tells.
func distinctVersions(hits []livespec.Hit) bool {
	hs := make([]uint64, len(hits))
	for i := range hits { // by index: a Hit is a large struct
		hs[i] = maphash.String(idSeed, hits[i].Version.ID)
	}
	slices.Sort(hs)
	for i := 1; i < len(hs); i++ {
		if hs[i] == hs[i-1] {
			return false
		}
	}
	return true
}

// onceEach returns hits, each version once, in order: hits itself when
// none repeats, else a copy without the repeats.
func onceEach(hits []livespec.Hit) []livespec.Hit {
	pool := hits
	seen := make(map[string]struct{}, len(hits))
	for i := range hits {
		id := hits[i].Version.ID
		if _, ok := seen[id]; !ok {
			seen[id] = struct{}{}
			if len(pool) < len(hits) {
				pool = append(pool, hits[i])
			}
		} else if len(pool) == len(hits) {
			pool = slices.Clip(hits[:i]) // a copy from here on
		}
	}
	return pool
}

// matchPool sets m.matched to the pool's versions that hold the topic's
// required terms and cover its core (m.qs) by m.thr, best first, and
// m.sections to their sections.
func (m *topicMatch) matchPool(pool []livespec.Hit, docs []*lexDoc, held termHits, all []qterm) {
	ks := held.indices(all, m.qs)
	// The pool is ranked by its positions: a version is copied only once
	// it is known to mention the topic.
	type rank struct {
		i   int
		cov float64
	}
	ranked := make([]rank, 0, len(pool))
	for i := range pool {
		if !m.holdsRequired(docs[i]) {
			continue
		}
		cov := held.coverage(i, all, ks)
		if ks == nil {
			cov = lexCoverage(m.qs, docs[i])
		}
		ranked = append(ranked, rank{i, cov})
	}
	slices.SortStableFunc(ranked, func(x, y rank) int { return cmp.Compare(y.cov, x.cov) })
	n := 0
	for n < len(ranked) && ranked[n].cov >= m.thr {
		n++
	}
	if n == 0 {
		return
	}
	m.matched = make([]scored, n)
	seenKey := map[sectionID]bool{}
	for j, r := range ranked[:n] {
		m.matched[j] = scored{pool[r.i].Version, r.cov}
		if k := sectionOf(pool[r.i].Version); !seenKey[k] && len(m.sections) < topicMaxKeys {
			seenKey[k] = true
			m.sections = append(m.sections, k)
		}
	}
}

// termHits records which of a topic's terms each version of its pool
// holds, so that each is looked up once per version whatever the set of
// terms a coverage is of.
type termHits struct {
	n, rows int    // terms, versions
	has     []bool // has[i*n+k]: version i holds term k
}

// holdings returns which of qs each of docs holds (lexDoc.has). Each word
// that is a term of qs or a word of their phrases is looked up once per
// doc (see termParts).
func holdings(qs []qterm, docs []*lexDoc) termHits {
	t := termHits{n: len(qs), rows: len(docs), has: make([]bool, len(qs)*len(docs))}
	parts, uses := termParts(qs)
	// The phrases are looked up as terms too (see termSet.has), after the
	// words.
	look := slices.Clip(parts)
	for k, q := range qs {
		if uses[k].y >= 0 {
			uses[k].term = len(look)
			look = append(look, q.term)
		}
	}
	hs := make([]uint64, len(look))
	for j, p := range look {
		hs[j] = termHash(p)
	}
	// The first slots of holdGroup docs are read at once (see
	// termSet.firstSlots).
	ats := make([]int, holdGroup*len(look))
	for i, d := range docs {
		g := i % holdGroup
		if g == 0 {
			for h, d := range docs[i:min(i+holdGroup, len(docs))] {
				d.terms.firstSlots(hs, ats[h*len(look):(h+1)*len(look)])
			}
		}
		at := ats[g*len(look) : (g+1)*len(look)]
		d.terms.confirm(look, hs, at)
		row := t.has[i*t.n : (i+1)*t.n]
		for k, q := range qs {
			switch u := uses[k]; {
			case u.y >= 0: // a phrase of two words: termSet.has
				row[k] = at[u.term] >= 0 || (at[u.x] >= 0 && at[u.y] >= 0 && d.terms.hasPair(at[u.x], at[u.y]))
			case u.x >= 0: // a word: a term the doc has, or lexDoc.has past its terms
				row[k] = at[u.x] >= 0 || (q.prefix && d.holdsPrefix(q.term)) || d.hasExpansion(q)
			default:
				row[k] = d.has(q)
			}
		}
	}
	return t
}

// holdGroup is how many docs holdings looks up at once.
const holdGroup = 8

// partUse is where a term of a topic is in termParts' list: a word at x
// (y < 0), a phrase of the words at x and y, or neither (both < 0); term
// is where holdings looks a phrase up as a term.
type partUse struct{ x, y, term int }

// termParts returns the distinct words that qs are or are made of, and
// how each term uses them: a term without a space is a word (whatever its
// prefix or expansion, a doc holding it as a term has it); a phrase of two
// words joined by one space, neither prefix nor expanded, is held by a doc
// holding it as a term or holding its two words side by side.
func termParts(qs []qterm) ([]string, []partUse) {
	var parts []string
	index := func(w string) int {
		if j := slices.Index(parts, w); j >= 0 {
			return j
		}
		parts = append(parts, w)
		return len(parts) - 1
	}
	uses := make([]partUse, len(qs))
	for k, q := range qs {
		uses[k] = partUse{-1, -1, -1}
		x, y, phrase := strings.Cut(q.term, " ")
		switch {
		case !phrase:
			uses[k].x = index(q.term)
		case !q.prefix && len(q.expansion) == 0 && !strings.Contains(y, " "):
			uses[k] = partUse{index(x), index(y), -1}
		}
	}
	return parts, uses
}

// coverage returns lexCoverage of the terms ks of qs (in that order) for
// version i: the same sums, from what holdings found.
func (t termHits) coverage(i int, qs []qterm, ks []int) float64 {
	row := t.has[i*t.n : (i+1)*t.n]
	total, got := 0.0, 0.0
	for _, k := range ks {
		total += qs[k].weight
		if row[k] {
			got += qs[k].weight
		}
	}
	if total == 0 {
		return 0
	}
	return got / total
}

// indices returns the positions in qs of the terms of sub, in sub's order,
// or nil when one of them is not in qs once with the same weight.
func (termHits) indices(qs, sub []qterm) []int {
	at := make(map[string]int, len(qs))
	for k, q := range qs {
		if _, dup := at[q.term]; dup {
			return nil
		}
		at[q.term] = k
	}
	ks := make([]int, len(sub))
	for j, q := range sub {
		k, ok := at[q.term]
		if !ok || qs[k].weight != q.weight || qs[k].prefix != q.prefix || !slices.Equal(qs[k].expansion, q.expansion) {
			return nil
		}
		ks[j] = k
	}
	return ks
}

// best returns the pool's best hit for the terms qs: the store's ranking
// fused with the ranking by coverage of qs; on a tie, the better
// coverage. The pool must not be empty.
func (t termHits) best(qs []qterm) int {
	n := t.rows
	ks := make([]int, len(qs))
	for k := range ks {
		ks[k] = k
	}
	cov := make([]float64, n)
	order := make([]int, n)
	for i := range n {
		cov[i] = t.coverage(i, qs, ks)
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(cov[y], cov[x]) })
	fused := make([]float64, n)
	for rank, i := range order {
		fused[i] += 1 / float64(rrfK+rank+1)
	}
	for i := range n {
		fused[i] += 1 / float64(rrfK+i+1)
	}
	top := 0
	for i := range n {
		if fused[i] > fused[top]+1e-12 || (math.Abs(fused[i]-fused[top]) <= 1e-12 && cov[i] > cov[top]) {
			top = i
		}
	}
	return top
}

// counts returns, for each term of qs from the from-th on, how many
// versions hold it.
func (t termHits) counts(qs []qterm, from int) map[string]int {
	out := make(map[string]int, len(qs)-from)
	for k := from; k < len(qs); k++ {
		n := 0
		for i := range t.rows {
			if t.has[i*t.n+k] {
				n++
			}
		}
		out[qs[k].term] = n
	}
	return out
}

// core returns the terms of qs that version i holds.
func (t termHits) core(qs []qterm, i int) []qterm {
	var core []qterm
	for k, q := range qs {
		if t.has[i*t.n+k] {
			core = append(core, q)
		}
	}
	return core
}

// weighByCorpus sets each term's weight to its inverse document frequency
// over the current sections of the index; a phrase weighs the mean of its
// two words.
func (a *Assistant) weighByCorpus(ctx context.Context, qs []qterm) error {
	cs, err := a.corpus(ctx)
	if err != nil {
		return err
	}
	for i := range qs {
		if w1, w2, ok := strings.Cut(qs[i].term, " "); ok {
			qs[i].weight = (cs.idf(w1) + cs.idf(w2)) / 2
			continue
		}
		qs[i].weight = cs.idf(qs[i].term)
	}
	return nil
}

// nameFile finds the file a topic names by its file name or its title (the
// first heading): "the contributing guide" names CONTRIBUTING.md, "the list
// of TSC members" names a file titled "Technical Steering Committee
// Members". A file is named when the topic covers every word of its file
// name and the name accounts for a good share of the topic's words, or
// when the topic covers most of its title (words weighted by their rarity
// among titles) and is itself wholly covered by it. It is never named by
// words every spec uses, nor when a word of its name is bound in a
// compound of the topic that the specs use ("security" in "pod security").
// Of several named files the one whose name covers more of the topic wins,
// then the better covered file name, a current file over a removed one,
// the shallower path and the better search rank; a tie names none. Whether
// the topic is the file as a whole is wholeFile's call. phraseDocs counts
// the pool's versions holding each phrase of the topic.
func (a *Assistant) nameFile(ctx context.Context, m *topicMatch, pool []livespec.Hit, docs []*lexDoc, repos []string, phraseDocs map[string]int) error {
	cands, nw, err := a.fileCandidates(ctx, m, pool, repos)
	if err != nil {
		return err
	}
	named, err := a.namedFiles(ctx, m, cands, nw, docs, phraseDocs)
	if err != nil {
		return err
	}
	best, ok := bestNamed(named)
	if !ok {
		return nil
	}
	if !m.fileHoldsRequired(best.c.f, pool, docs) {
		return nil
	}
	m.named = &best.c.f
	var rest []qterm
	for _, q := range m.words {
		if !best.covered[q.term] {
			rest = append(rest, q)
		}
	}
	for _, q := range m.phrases {
		if w1, w2, _ := strings.Cut(q.term, " "); !best.covered[w1] || !best.covered[w2] {
			rest = append(rest, q)
		}
	}
	m.fileMode, err = a.wholeFile(ctx, m, best.c.f, pool, docs, rest)
	return err
}

// fileCand is a file a topic may name: one of the search pool's (rank is
// its first place there) or a current file (ranked after the pool).
type fileCand struct {
	f           fileID
	title       string
	rank        int
	current     bool
	base, words []string // the name terms of its file name and its title
}

// fileCandidates lists the files of the pool and the current files, each
// once, with their name terms, and weighs the words of their names. Of the
// current files the pool lacks it lists only those whose name or title
// holds a word of the topic (or of an acronym's expansion): no other can be
// named (see topicCover), and the weights count them all the same.
func (a *Assistant) fileCandidates(ctx context.Context, m *topicMatch, pool []livespec.Hit, repos []string) ([]*fileCand, nameWeights, error) {
	var cands []*fileCand
	byFile := make(map[fileID]*fileCand, len(pool)/2) // about as many files as the pool has
	var made []fileCand                               // the pool's files, allocated a few at a time
	var last *fileCand                                // the previous version's file: the pool's versions often share one
	for i := range pool {
		v := &pool[i].Version
		c := last
		if c == nil || c.f.path != v.Path || c.f.repo != v.Repo {
			f := fileID{v.Repo, v.Path}
			var ok bool
			if c, ok = byFile[f]; !ok {
				if len(made) == cap(made) {
					made = make([]fileCand, 0, 32) // a new block: the full one stays where it is
				}
				made = append(made, fileCand{f: f, rank: i})
				c = &made[len(made)-1]
				byFile[f] = c
				cands = append(cands, c)
			}
			last = c
		}
		if c.title == "" {
			c.title = firstHeading(v.Heading)
		}
	}
	cur, err := a.current(ctx, repos)
	if err != nil {
		return nil, nameWeights{}, err
	}
	idx, names := cur.nameIndex(), cur.fileNames()
	nw := nameWeights{df: idx.byTerm, n: len(cands) + len(idx.at), names: names, delta: map[string]int{}}
	for _, c := range cands {
		if i, ok := idx.at[c.f]; ok {
			c.current = true
			if c.title == "" {
				c.title = cur.files[i].title
			}
			nw.n--
			if c.title == cur.files[i].title {
				// Counted with the same name terms: the counts stand.
				c.base, c.words = names[i].base, names[i].words
				continue
			}
			nw.removed = append(nw.removed, i) // counted with its pool title instead
		}
		c.base, c.words = cachedNameTerms(docName(c.f.path)), cachedNameTerms(c.title)
		nw.added = append(nw.added, c)
	}
	for _, i := range namingFiles(m, idx) {
		f := cur.files[i].f
		if byFile[f] == nil {
			cands = append(cands, &fileCand{f: f, title: cur.files[i].title, rank: len(pool), current: true,
				base: names[i].base, words: names[i].words})
		}
	}
	return cands, nw, nil
}

// namingFiles returns the current files (indices, ascending) whose name or
// title holds a word of the topic or of an acronym's expansion.
func namingFiles(m *topicMatch, idx nameIndex) []int {
	var out []int
	for _, q := range m.words {
		if q.camel {
			continue
		}
		out = append(out, idx.byTerm[q.term]...)
		for _, e := range q.expansion {
			out = append(out, idx.byTerm[e]...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// nameWeights weighs the words of file names and titles by their rarity
// among the candidate files: df lists the current files holding each word
// (shared), and n counts the candidates. The counts are corrected for the
// pool's files (see count): added are counted with their own name terms,
// removed (indices of current files and of names) are not counted with
// theirs; delta keeps the corrections of the words weighed so far, as only
// the few words of the names the topic covers are.
type nameWeights struct {
	df      map[string][]int
	n       int
	added   []*fileCand
	removed []int
	names   []fileNames
	delta   map[string]int
}

func (nw nameWeights) weight(w string) float64 {
	return math.Log(1 + float64(nw.n)/float64(max(nw.count(w), 1)))
}

// count returns how many candidate files have w in their file name or
// title.
func (nw nameWeights) count(w string) int {
	d, ok := nw.delta[w]
	if !ok {
		for _, c := range nw.added {
			if contains(c.base, w) || contains(c.words, w) {
				d++
			}
		}
		for _, i := range nw.removed {
			if nw.names[i].own[w] {
				d--
			}
		}
		nw.delta[w] = d
	}
	return len(nw.df[w]) + d
}

// share returns the weighted share of words that the topic's words cover.
func (nw nameWeights) share(m *topicMatch, words []string) float64 {
	total, got := 0.0, 0.0
	for _, w := range words {
		total += nw.weight(w)
		for _, q := range m.words {
			if !q.camel && coversName(q, w, words) {
				got += nw.weight(w)
				break
			}
		}
	}
	if total == 0 {
		return 0
	}
	return got / total
}

// coversName reports whether topic word q covers the word w of a name made
// of words: the same term, or an acronym whose expansion the name spells.
func coversName(q qterm, w string, words []string) bool {
	return q.term == w || (len(q.expansion) > 0 && contains(q.expansion, w) && containsAll(words, q.expansion))
}

// scoredFile is a file the topic names, with the share of the topic its
// name covers (topicCov), the weighted share of its file name the topic
// covers (baseCov) and the topic's terms it covers.
type scoredFile struct {
	c                 *fileCand
	topicCov, baseCov float64
	covered           map[string]bool
}

// namedFiles returns the candidates the topic names (see nameFile).
func (a *Assistant) namedFiles(ctx context.Context, m *topicMatch, cands []*fileCand, nw nameWeights, poolDocs []*lexDoc, phraseDocs map[string]int) ([]scoredFile, error) {
	cs, err := a.corpus(ctx)
	if err != nil {
		return nil, err
	}
	var named []scoredFile
	phraseCounts := phraseDocs // filled in as boundInCompound needs
	for _, c := range cands {
		covered, topicCov := topicCover(m, c)
		if topicCov < nameShare {
			continue // too little of the topic for either way of naming
		}
		// A file-name word bound in a compound of the topic ("security" in
		// "pod security", a phrase the specs use) names only part of a unit.
		baseCovered := map[string]bool{}
		for _, q := range m.words {
			for _, w := range c.base {
				if !q.camel && coversName(q, w, c.base) {
					baseCovered[q.term] = true
				}
			}
		}
		if boundInCompound(m, cs, baseCovered, poolDocs, phraseCounts) {
			continue
		}
		// Words every spec uses ("KEP" among KEPs) name no file.
		if allCommon(cs, covered) {
			continue
		}
		baseCov := nw.share(m, c.base)
		if (baseCov >= nameFull && topicCov >= nameShare) || (nw.share(m, c.words) >= titleShare && topicCov >= nameFull) {
			named = append(named, scoredFile{c, topicCov, baseCov, covered})
		}
	}
	return named, nil
}

// topicCover returns the share of the topic's words (camelCase pieces
// aside) that c's file name or title covers and, when that share names a
// file (nameShare or more), the topic's terms they cover (else nil: most
// candidates cover too little to need them).
func topicCover(m *topicMatch, c *fileCand) (map[string]bool, float64) {
	total, got := 0, 0
	for _, q := range m.words {
		if !q.camel {
			total++
			if coversEither(q, c.base, c.words) {
				got++
			}
		}
	}
	if total == 0 {
		return nil, 0
	}
	share := float64(got) / float64(total)
	if share < nameShare {
		return nil, share
	}
	covered := make(map[string]bool, got)
	for _, q := range m.words {
		if !q.camel && coversEither(q, c.base, c.words) {
			covered[q.term] = true
		}
	}
	return covered, share
}

// coversEither reports whether topic word q covers a word of the name
// made of the words of base and words together (see coversName), without
// joining them: the same term, or an acronym whose whole expansion the
// two spell (a word of the expansion among them then comes with it).
func coversEither(q qterm, base, words []string) bool {
	if contains(base, q.term) || contains(words, q.term) {
		return true
	}
	if len(q.expansion) == 0 {
		return false
	}
	for _, e := range q.expansion {
		if !contains(base, e) && !contains(words, e) {
			return false
		}
	}
	return true
}

// bestNamed picks the named file whose name covers more of the topic, then
// the better covered file name, a current file over a removed one, the
// shallower path and the better search rank; a tie picks none.
func bestNamed(named []scoredFile) (scoredFile, bool) {
	if len(named) == 0 {
		return scoredFile{}, false
	}
	better := func(x, y scoredFile) int {
		switch {
		case math.Abs(x.topicCov-y.topicCov) > 1e-9:
			return cmpFloat(x.topicCov, y.topicCov)
		case math.Abs(x.baseCov-y.baseCov) > 1e-9:
			return cmpFloat(x.baseCov, y.baseCov)
		case x.c.current != y.c.current:
			if x.c.current {
				return 1
			}
			return -1
		case strings.Count(x.c.f.path, "/") != strings.Count(y.c.f.path, "/"):
			return strings.Count(y.c.f.path, "/") - strings.Count(x.c.f.path, "/")
		}
		return y.c.rank - x.c.rank
	}
	sort.SliceStable(named, func(i, j int) bool { return better(named[i], named[j]) > 0 })
	if len(named) > 1 && better(named[0], named[1]) == 0 {
		return scoredFile{}, false
	}
	return named[0], true
}

// wholeFile decides whether a topic that names file f is the file as a
// whole. The words of the topic beyond the name either describe the file
// ("the published 3.0.0 document") or point at a part of it ("the swap
// metrics of the node swap KEP"). They point at a part when some version
// of the file covers them clearly better than the file's first version
// does: then the topic is that part, and its history starts where it first
// appears.
func (a *Assistant) wholeFile(ctx context.Context, m *topicMatch, f fileID, pool []livespec.Hit, docs []*lexDoc, rest []qterm) (bool, error) {
	if len(rest) == 0 {
		return true, nil
	}
	best := 0.0
	for i := range pool {
		if v := &pool[i].Version; v.Repo == f.repo && v.Path == f.path {
			best = max(best, lexCoverage(rest, docs[i]))
		}
	}
	if best == 0 {
		return true, nil
	}
	fvs, err := a.Store.Files(ctx, livespec.FileQuery{Repos: []string{f.repo}, Paths: []string{livespec.LiteralGlob(f.path)}, Validity: livespec.AnyVersion(), Limit: 1})
	if err != nil {
		return false, storeError("list files", err)
	}
	if len(fvs) == 0 {
		return true, nil
	}
	vs, err := a.Store.Versions(ctx, livespec.VersionQuery{Repos: []string{f.repo}, Paths: []string{livespec.LiteralGlob(f.path)}, Validity: livespec.AsOf(fvs[0].ValidFrom)})
	if err != nil {
		return false, storeError("read versions", err)
	}
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(v.Text)
		b.WriteByte('\n')
	}
	return lexCoverage(rest, lexAnalyse(b.String())) >= topicRelCov*best, nil
}

// allCommon reports whether every term of terms is common in the corpus
// (see storeText); small corpora have no common words.
func allCommon(cs *corpusStats, terms map[string]bool) bool {
	if cs.n < minPruneSections {
		return false
	}
	limit := int32(commonShare * float64(cs.n))
	for t := range terms {
		if cs.docFreq(t) <= limit {
			return false
		}
	}
	return true
}

// ubiquitousShare is the share of sections a word appears in to be part
// of nearly every spec ("KEP" in a repository of KEPs).
const ubiquitousShare = 0.6

// boundInCompound reports whether a phrase of the topic joins a word of
// the file name with another word, not ubiquitous in the corpus, and
// occurs in the topic's hits: then the name's word is bound in a compound
// the specs use. counts keeps how many docs hold each phrase, for the next
// call over the same docs.
func boundInCompound(m *topicMatch, cs *corpusStats, covered map[string]bool, docs []*lexDoc, counts map[string]int) bool {
	for _, q := range m.phrases {
		w1, w2, _ := strings.Cut(q.term, " ")
		if covered[w1] == covered[w2] {
			continue
		}
		if other := map[bool]string{true: w2, false: w1}[covered[w1]]; cs.n >= minPruneSections && float64(cs.docFreq(other)) > ubiquitousShare*float64(cs.n) {
			continue // "the swap KEP" among KEPs binds nothing
		}
		n, ok := counts[q.term]
		if !ok {
			for _, d := range docs {
				if d.terms.has(q.term) {
					n++
				}
			}
			counts[q.term] = n
		}
		if n >= max(2, len(docs)/100) {
			return true
		}
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a > b:
		return 1
	case a < b:
		return -1
	}
	return 0
}

// docName returns the name a file goes by: its base name without the
// extension, or for a directory's README or index, the directory's name
// ("keps/sig-node/2400-node-swap/README.md" is "2400-node-swap").
func docName(p string) string {
	base := strings.TrimSuffix(path.Base(p), path.Ext(p))
	if dir := path.Dir(p); dir != "." && (strings.EqualFold(base, "readme") || strings.EqualFold(base, "index")) {
		return path.Base(dir)
	}
	return base
}

// nameTerms returns the stemmed words of a file name or title, without
// stop words, generic words or bare numbers (dates in file names).
func nameTerms(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range lex.Tokens(strings.NewReplacer("_", " ", "-", " ").Replace(s)) {
		w := t.Word
		if lex.Stop(w) || lexGeneric[w] || isNumber(w) {
			continue
		}
		w = lex.Stem(w)
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func isNumber(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return w != ""
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func containsAll(ss, want []string) bool {
	for _, w := range want {
		if !contains(ss, w) {
			return false
		}
	}
	return true
}

// firstHeading returns the first heading of a heading path (the file's
// title, when it has one), "" for front matter, without splitting the
// rest: a topic pool asks it of most of its 300 versions.
func firstHeading(h string) string {
	if h == livespec.FrontMatterHeading {
		return ""
	}
	first, _, _ := strings.Cut(h, livespec.HeadingSep)
	return first
}

// Timeline returns the history of the sections matching q.Topic, or of
// q.Path (and q.Heading), oldest first (EINVALID without either, ENOTFOUND
// for an unknown repository or path): when the topic first appeared (the
// earliest version whose text matches it, flagged FirstMention), every
// change since, following renames of files and headings, and the removal
// if any. With q.Window only the events in the window are kept.
func (a *Assistant) Timeline(ctx context.Context, q livespec.TimelineQuery) (*livespec.Timeline, error) {
	tl, _, err := a.timeline(ctx, q)
	return tl, err
}

// timelineResult is what a timeline answer cites besides the events.
type timelineResult struct {
	cite     []livespec.Version  // versions worth citing, best first: the first mention, then the latest
	first    *livespec.FirstSeen // where the topic first appeared, nil when it never did
	subjects []livespec.Subject  // the document the topic named, if any
}

func (a *Assistant) timeline(ctx context.Context, q livespec.TimelineQuery) (*livespec.Timeline, *timelineResult, error) {
	if err := a.checkRepos(ctx, q.Repos); err != nil {
		return nil, nil, err
	}
	switch {
	case q.Path != "":
		return a.pathTimeline(ctx, q)
	case strings.TrimSpace(q.Topic) == "":
		return nil, nil, livespec.Errorf(livespec.EINVALID, "a timeline needs a topic or a path")
	}
	doc, err := a.resolveDocument(ctx, q.Topic, q.Repos)
	if err != nil {
		return nil, nil, err
	}
	if doc != nil {
		return a.documentTimeline(ctx, q, *doc)
	}
	m, err := a.matchTopic(ctx, nameOfAppositive(q.Topic), q.Repos)
	if err != nil {
		return nil, nil, err
	}
	tl := &livespec.Timeline{Query: q, Events: []livespec.TimelineEvent{}}
	res := &timelineResult{}
	if m == nil || (len(m.matched) == 0 && m.named == nil) {
		return tl, res, nil
	}
	if doc, err := a.describedDocument(ctx, m, q.Repos); err != nil || doc != nil {
		if err != nil {
			return nil, nil, err
		}
		return a.documentTimeline(ctx, q, *doc)
	}
	if m.fileMode {
		return a.fileTimeline(ctx, q, m, tl, res)
	}
	return a.sectionTimeline(ctx, q, m, tl, res)
}

// fileTimeline fills tl and res with the history of the file the topic
// names as a whole.
func (a *Assistant) fileTimeline(ctx context.Context, q livespec.TimelineQuery, m *topicMatch, tl *livespec.Timeline, res *timelineResult) (*livespec.Timeline, *timelineResult, error) {
	if err := a.history(ctx, q, *m.named, a.titleOf(ctx, *m.named, q.Repos), tl, res); err != nil {
		return nil, nil, err
	}
	res.cite = a.bestIn(m, *m.named)
	return tl, res, nil
}

// history fills tl and res with the whole history of the document f
// (see lineage): its events in q's window, its first appearance and the
// subject it makes, titled title.
func (a *Assistant) history(ctx context.Context, q livespec.TimelineQuery, f fileID, title string, tl *livespec.Timeline, res *timelineResult) error {
	events, subject, err := a.lineage(ctx, f, title)
	if err != nil {
		return err
	}
	if len(events) > 0 {
		res.first = firstSeenOf(events[0])
	}
	tl.Events = filterWindow(events, q.Window)
	res.subjects = []livespec.Subject{subject}
	return nil
}

// lineage returns every event of the document f under every path it had,
// the first marked as its first mention, and the subject it makes, titled
// title.
func (a *Assistant) lineage(ctx context.Context, f fileID, title string) ([]livespec.TimelineEvent, livespec.Subject, error) {
	events, _, err := a.fileEvents(ctx, f, false)
	if err != nil {
		return nil, livespec.Subject{}, err
	}
	if len(events) > 0 {
		events[0].FirstMention = true
	}
	return events, subjectOf(f, title, events), nil
}

// sectionTimeline fills tl and res with the history of the sections the
// topic matches: every version of the matched sections (and their renamed
// predecessors) joins the pool; the earliest version that mentions the
// topic is the first mention.
func (a *Assistant) sectionTimeline(ctx context.Context, q livespec.TimelineQuery, m *topicMatch, tl *livespec.Timeline, res *timelineResult) (*livespec.Timeline, *timelineResult, error) {
	reads := &chainReads{seen: map[string]bool{}}
	chain, err := a.sectionChain(ctx, m.sections, reads)
	if err != nil {
		return nil, nil, err
	}
	first, err := a.firstMention(ctx, m, chain, reads.changes)
	if err != nil {
		return nil, nil, err
	}
	if first == nil {
		return tl, res, nil
	}
	// The first mention's own section joins the chain when it lies elsewhere.
	if !chain[sectionOf(*first)] {
		more, err := a.sectionChain(ctx, []sectionID{sectionOf(*first)}, reads)
		if err != nil {
			return nil, nil, err
		}
		for k := range more {
			chain[k] = true
		}
	}
	changes := reads.changes
	events := sectionEvents(changes, chain, first)
	seq := seqIndex{}
	seq.add(changes...)
	seq[first.Repo+"\x00"+first.Commit] = first.Seq
	events = collapse(sortEvents(events, seq))
	tl.Events = filterWindow(events, q.Window)
	res.cite = append([]livespec.Version{*first}, a.latestOf(m)...)
	res.first = &livespec.FirstSeen{Commit: first.Commit, Date: livespec.Time{Time: first.ValidFrom}, Path: first.Path, Heading: first.Heading}
	return tl, res, nil
}

// firstMention returns the earliest version, of the matched sections and
// of every section of chain, that mentions the topic; nil when none does.
// The chain's versions are those its section events (changes) introduced:
// they are read oldest first, and only while they are earlier than the
// earliest mention so far.
func (a *Assistant) firstMention(ctx context.Context, m *topicMatch, chain map[sectionID]bool, changes []livespec.Change) (*livespec.Version, error) {
	var first *livespec.Version
	consider := func(v *livespec.Version) bool {
		d, ok := m.docs[v.ID]
		if !ok {
			d = versionDoc(*v)
			m.docs[v.ID] = d
		}
		if lexCoverage(m.qs, d) < m.thr || !m.holdsRequired(d) || (first != nil && !earlier(*v, *first)) {
			return false
		}
		first = v
		return true
	}
	matched := m.matched
	for i, d := range versionDocs(len(matched), func(i int) *livespec.Version { return &matched[i].v }) { // found in one look-up
		if _, ok := m.docs[matched[i].v.ID]; !ok {
			m.docs[matched[i].v.ID] = d
		}
	}
	for i := range matched {
		consider(&matched[i].v)
	}
	for _, c := range chainVersions(changes, chain) {
		if first != nil && !earlier(c, *first) {
			break
		}
		v, err := a.versionText(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		if v.ID != "" && consider(&v) {
			break
		}
	}
	return first, nil
}

// chainVersions returns the versions the section events of chain
// introduced, oldest first, as stand-ins holding only their id and where
// they stand in the history.
func chainVersions(changes []livespec.Change, chain map[sectionID]bool) []livespec.Version {
	var out []livespec.Version
	seen := map[string]bool{}
	for _, c := range changes {
		if !c.Section || c.After == "" || seen[c.After] || !chain[sectionID{c.Repo, c.Path, c.Heading}] {
			continue
		}
		seen[c.After] = true
		out = append(out, livespec.Version{ID: c.After, ValidFrom: c.Date, Seq: c.Seq, Key: livespec.Key{Repo: c.Repo, Path: c.Path, Heading: c.Heading, Part: c.Part}})
	}
	slices.SortStableFunc(out, compareAge)
	return out
}

// sectionEvents are the section changes of chain from the first mention
// on, each once; the change that wrote the first mention is marked so (or
// a "first mention" event stands for it).
func sectionEvents(changes []livespec.Change, chain map[sectionID]bool, first *livespec.Version) []livespec.TimelineEvent {
	var events []livespec.TimelineEvent
	seen := map[string]bool{}
	found := false
	for _, c := range changes {
		if !c.Section || !chain[sectionID{c.Repo, c.Path, c.Heading}] || seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		if c.Date.Before(first.ValidFrom) {
			continue
		}
		e := eventOf(c)
		if c.After == first.ID {
			e.FirstMention, found = true, true
		}
		events = append(events, e)
	}
	if !found {
		events = append(events, livespec.TimelineEvent{
			Date: livespec.Time{Time: first.ValidFrom}, Commit: first.Commit, Author: first.Author,
			Kind: livespec.Added, Repo: first.Repo, Path: first.Path, Heading: first.Heading, Level: livespec.LevelSection,
			Summary: "first mention", VersionID: first.ID, FirstMention: true,
		})
	}
	return events
}

// earlier reports whether a landed before b (see compareAge).
func earlier(a, b livespec.Version) bool { return compareAge(a, b) < 0 }

// compareAge orders versions by when they landed: date, then position in
// the history, then part.
func compareAge(a, b livespec.Version) int {
	return cmp.Or(a.ValidFrom.Compare(b.ValidFrom), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.Part, b.Part))
}

// chainReads are the section events one timeline has read, each once, in
// Changes order.
type chainReads struct {
	seen    map[string]bool
	changes []livespec.Change
}

// sectionChain returns the given sections and every section they were
// renamed from or to (heading renames, file renames), adding the section
// events under and from their names to reads: it asks the store for the
// events of the sections it has not asked about yet until no rename adds
// one.
func (a *Assistant) sectionChain(ctx context.Context, start []sectionID, reads *chainReads) (map[sectionID]bool, error) {
	chain := map[sectionID]bool{}
	var ask []livespec.Key
	add := func(k sectionID) {
		if !chain[k] {
			chain[k] = true
			ask = append(ask, livespec.Key{Repo: k.repo, Path: k.path, Heading: k.heading})
		}
	}
	for _, k := range start {
		add(k)
	}
	read := len(reads.changes)
	for len(ask) > 0 {
		cs, err := a.Store.SectionChanges(ctx, livespec.ChangeQuery{}, ask)
		if err != nil {
			return nil, storeError("read changes", err)
		}
		ask = nil
		for _, c := range cs {
			if !reads.seen[c.ID] {
				reads.seen[c.ID] = true
				reads.changes = append(reads.changes, c)
			}
			if c.OldPath != "" || c.OldHeading != "" {
				add(sectionID{c.Repo, c.Path, c.Heading})
				add(sectionID{c.Repo, or(c.OldPath, c.Path), or(c.OldHeading, c.Heading)})
			}
		}
	}
	slices.SortFunc(reads.changes[read:], livespec.CompareChanges)
	return chain, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// fileEvents returns the file-level events of f and of the paths it was
// renamed from or to, oldest first; with sections, the section events too.
func (a *Assistant) fileEvents(ctx context.Context, f fileID, sections bool) ([]livespec.TimelineEvent, seqIndex, error) {
	paths := map[string]bool{f.path: true}
	queue := []string{f.path}
	var all []livespec.Change
	seen := map[string]bool{}
	for len(queue) > 0 {
		for len(queue) > 0 {
			p := queue[0]
			queue = queue[1:]
			cs, err := a.Store.Changes(ctx, livespec.ChangeQuery{Repos: []string{f.repo}, Paths: []string{livespec.LiteralGlob(p)}, Sections: sections})
			if err != nil {
				return nil, nil, storeError("read changes", err)
			}
			for _, c := range cs {
				if seen[c.ID] {
					continue
				}
				seen[c.ID] = true
				all = append(all, c)
				if !c.Section && c.OldPath != "" {
					for _, q := range []string{c.OldPath, c.Path} {
						if !paths[q] {
							paths[q] = true
							queue = append(queue, q)
						}
					}
				}
			}
		}
		moved, err := a.movedFrom(ctx, f.repo, all, paths)
		if err != nil {
			return nil, nil, err
		}
		for _, p := range moved {
			paths[p] = true
			queue = append(queue, p)
		}
	}
	var events []livespec.TimelineEvent
	for _, c := range ownLife(all, f.path) {
		if paths[c.Path] || paths[c.OldPath] {
			events = append(events, eventOf(c))
		}
	}
	seq := seqIndex{}
	seq.add(all...)
	return sortEvents(events, seq), seq, nil
}

// movedFrom returns the paths the document moved from with a rewrite, too
// different from its new text for git to see a rename: a file removed in
// the very commit that added one of the document's paths, with the same
// document name or number ("keps/sig-apps/0753-sidecarcontainers.md"
// removed as "keps/sig-node/0753-sidecarcontainers.md" is added). Paths
// already followed are left out.
func (a *Assistant) movedFrom(ctx context.Context, repo string, all []livespec.Change, paths map[string]bool) ([]string, error) {
	var out []string
	for _, c := range all {
		if c.Section || c.Kind != livespec.Added || !paths[c.Path] {
			continue
		}
		cs, err := a.Store.Changes(ctx, livespec.ChangeQuery{Repos: []string{repo}, From: c.Date, To: c.Date.Add(time.Second)})
		if err != nil {
			return nil, storeError("read changes", err)
		}
		name, num := docName(c.Path), numberOf(docName(c.Path))
		for _, r := range cs {
			if r.Section || r.Kind != livespec.Removed || r.Commit != c.Commit || paths[r.Path] || slices.Contains(out, r.Path) {
				continue
			}
			if rn := docName(r.Path); rn == name || (num >= 0 && numberOf(rn) == num) {
				out = append(out, r.Path)
			}
		}
	}
	return out, nil
}

// ownLife drops the events of other documents that shared a path with the
// one at start: a path renamed away and later written again holds a new
// document ("notary.md" renamed to "sumdb.md", then re-created as a
// pointer). When start is such a path, its document is the new one: only
// its events after the rename are kept. Otherwise the events of the other
// paths after they were renamed away are dropped.
func ownLife(all []livespec.Change, start string) []livespec.Change {
	away := map[string]int64{} // path → the last rename away from it
	for _, c := range all {
		if !c.Section && c.Kind == livespec.Renamed && c.OldPath != "" && c.OldPath != c.Path && c.Seq > away[c.OldPath] {
			away[c.OldPath] = c.Seq
		}
	}
	if r, ok := away[start]; ok && slices.ContainsFunc(all, func(c livespec.Change) bool { return c.Path == start && c.Seq > r }) {
		var out []livespec.Change
		for _, c := range all {
			if c.Path == start && c.Seq > r {
				out = append(out, c)
			}
		}
		return out
	}
	var out []livespec.Change
	for _, c := range all {
		if r, ok := away[c.Path]; ok && c.Path != start && c.Seq > r && c.OldPath == "" {
			continue
		}
		out = append(out, c)
	}
	return out
}

// pathTimeline tells the history of one file (file and section events) or
// of one section of it.
func (a *Assistant) pathTimeline(ctx context.Context, q livespec.TimelineQuery) (*livespec.Timeline, *timelineResult, error) {
	tl := &livespec.Timeline{Query: q, Events: []livespec.TimelineEvent{}}
	res := &timelineResult{}
	repos := q.Repos
	if len(repos) == 0 {
		infos, err := livespec.Checkpoints(ctx, a.Store)
		if err != nil {
			return nil, nil, storeError("list repos", err)
		}
		for _, r := range infos {
			repos = append(repos, r.Repo)
		}
	}
	var events []livespec.TimelineEvent
	seq := seqIndex{}
	for _, r := range repos {
		if q.Heading == "" {
			es, s, err := a.fileEvents(ctx, fileID{r, q.Path}, true)
			if err != nil {
				return nil, nil, err
			}
			events = append(events, es...)
			maps.Copy(seq, s)
			continue
		}
		start := sectionID{r, q.Path, q.Heading}
		reads := &chainReads{seen: map[string]bool{}}
		chain, err := a.sectionChain(ctx, []sectionID{start}, reads)
		if err != nil {
			return nil, nil, err
		}
		changes := reads.changes
		seq.add(changes...)
		seen := map[string]bool{}
		for _, c := range changes {
			if c.Section && chain[sectionID{c.Repo, c.Path, c.Heading}] && !seen[c.ID] {
				seen[c.ID] = true
				events = append(events, eventOf(c))
			}
		}
	}
	events = collapse(sortEvents(events, seq))
	if len(events) == 0 {
		return nil, nil, livespec.Errorf(livespec.ENOTFOUND, "no history for %s", strings.TrimSuffix(q.Path+"#"+q.Heading, "#"))
	}
	tl.Events = filterWindow(events, q.Window)
	return tl, res, nil
}

// eventOf converts a change to a timeline event.
func eventOf(c livespec.Change) livespec.TimelineEvent {
	return livespec.TimelineEvent{
		Date: livespec.Time{Time: c.Date}, Commit: c.Commit, Author: c.Author, Message: c.Message,
		Kind: c.Kind, Repo: c.Repo, Path: c.Path, OldPath: c.OldPath, Heading: c.Heading,
		OldHeading: c.OldHeading, Summary: c.Summary, VersionID: c.After, Level: levelOf(c), Editorial: c.Editorial,
	}
}

func levelOf(c livespec.Change) string {
	if c.Section {
		return livespec.LevelSection
	}
	return livespec.LevelFile
}

// seqIndex maps repo and commit to the commit's position on the
// first-parent chain, which orders commits landed in the same second.
type seqIndex map[string]int64

func (s seqIndex) add(cs ...livespec.Change) {
	for _, c := range cs {
		s[c.Repo+"\x00"+c.Commit] = c.Seq
	}
}

// sortEvents orders events oldest first (landing time, then position on
// the first-parent chain); file-level events come before the section
// events of the same commit.
func sortEvents(es []livespec.TimelineEvent, seq seqIndex) []livespec.TimelineEvent {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if !a.Date.Equal(b.Date.Time) {
			return a.Date.Before(b.Date.Time)
		}
		if a.Commit != b.Commit {
			sa, sb := seq[a.Repo+"\x00"+a.Commit], seq[b.Repo+"\x00"+b.Commit]
			if sa != sb {
				return sa < sb
			}
			return a.Commit < b.Commit
		}
		if (a.Heading == "") != (b.Heading == "") {
			return a.Heading == ""
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Heading < b.Heading
	})
	return es
}

// collapse keeps one event per commit and section (parts of one section
// change together), keeping the first-mention flag.
func collapse(es []livespec.TimelineEvent) []livespec.TimelineEvent {
	out := es[:0]
	idx := map[string]int{}
	for _, e := range es {
		k := e.Commit + "\x00" + e.Repo + "\x00" + e.Path + "\x00" + e.Heading
		if i, ok := idx[k]; ok {
			out[i].FirstMention = out[i].FirstMention || e.FirstMention
			continue
		}
		idx[k] = len(out)
		out = append(out, e)
	}
	return out
}

func filterWindow(es []livespec.TimelineEvent, w *livespec.Window) []livespec.TimelineEvent {
	if w == nil {
		return es
	}
	out := []livespec.TimelineEvent{}
	for _, e := range es {
		if w.Contains(e.Date.Time) {
			out = append(out, e)
		}
	}
	return out
}

// bestIn returns the matched versions of file f, best first, current ones
// preferred, one per section.
func (a *Assistant) bestIn(m *topicMatch, f fileID) []livespec.Version {
	var cur, old []livespec.Version
	seen := map[sectionID]bool{}
	for _, s := range m.matched {
		if s.v.Repo != f.repo || s.v.Path != f.path || seen[sectionOf(s.v)] {
			continue
		}
		seen[sectionOf(s.v)] = true
		if s.v.Current() {
			cur = append(cur, s.v)
		} else {
			old = append(old, s.v)
		}
	}
	return append(cur, old...)
}

// latestOf returns, for each matched section, its latest matching version, best first.
func (a *Assistant) latestOf(m *topicMatch) []livespec.Version {
	latest := map[sectionID]int{} // the section's place in at
	var at []int                  // the position in m.matched of each section's latest
	for i, s := range m.matched {
		k := sectionOf(s.v)
		j, ok := latest[k]
		switch {
		case !ok:
			latest[k] = len(at)
			at = append(at, i)
		case earlier(m.matched[at[j]].v, s.v):
			at[j] = i
		}
	}
	out := make([]livespec.Version, len(at))
	for j, i := range at {
		out[j] = m.matched[i].v
	}
	return out
}

// firstSeenOf is where and when an event happened, as a first appearance.
func firstSeenOf(e livespec.TimelineEvent) *livespec.FirstSeen {
	return &livespec.FirstSeen{Commit: e.Commit, Date: e.Date, Path: e.Path, Heading: e.Heading}
}

// documentTimeline is the history of a document named by path or number:
// every first-parent commit that touched it, under every path it had.
func (a *Assistant) documentTimeline(ctx context.Context, q livespec.TimelineQuery, doc fileTitle) (*livespec.Timeline, *timelineResult, error) {
	tl := &livespec.Timeline{Query: q, Events: []livespec.TimelineEvent{}}
	res := &timelineResult{}
	if err := a.history(ctx, q, doc.f, doc.title, tl, res); err != nil {
		return nil, nil, err
	}
	vs, err := a.Store.Versions(ctx, livespec.VersionQuery{Repos: []string{doc.f.repo}, Paths: []string{livespec.LiteralGlob(doc.f.path)}, Validity: livespec.Current(), Limit: docCiteRead})
	if err != nil {
		return nil, nil, storeError("read versions", err)
	}
	order, err := a.outlineOrder(ctx, doc.f)
	if err != nil {
		return nil, nil, err
	}
	res.cite = leadSections(vs, order, docCites)
	return tl, res, nil
}

// outlineOrder returns the position of each section of a file in its
// latest outline (document order), keyed by heading and part.
func (a *Assistant) outlineOrder(ctx context.Context, f fileID) (map[livespec.SectionRef]int, error) {
	fv, err := a.latestFile(ctx, f.repo, f.path)
	if err != nil {
		return nil, err
	}
	order := make(map[livespec.SectionRef]int, len(fv.Outline))
	for i, o := range fv.Outline {
		order[livespec.SectionRef{Heading: o.Heading, Part: o.Part}] = i
	}
	return order, nil
}

// A document's history cites the first docCites of its current sections
// nearest its title, of the first docCiteRead read.
const (
	docCites    = 3
	docCiteRead = 200
)

// leadSections returns the n sections of a document nearest its title:
// the least nested headings first, in document order (order gives each
// section's place in the file's outline; one not in it comes after, in the
// order read), front matter last.
func leadSections(vs []livespec.Version, order map[livespec.SectionRef]int, n int) []livespec.Version {
	place := func(v livespec.Version) int {
		if i, ok := order[livespec.SectionRef{Heading: v.Heading, Part: v.Part}]; ok {
			return i
		}
		return math.MaxInt
	}
	depth := func(v livespec.Version) int {
		if v.Heading == livespec.FrontMatterHeading {
			return math.MaxInt // metadata, not prose
		}
		return len(livespec.SplitHeading(v.Heading))
	}
	sort.SliceStable(vs, func(i, j int) bool {
		if di, dj := depth(vs[i]), depth(vs[j]); di != dj {
			return di < dj
		}
		if pi, pj := place(vs[i]), place(vs[j]); pi != pj {
			return pi < pj
		}
		return vs[i].Part < vs[j].Part
	})
	return vs[:min(n, len(vs))]
}

// titleOf returns the title of a current file, or "".
func (a *Assistant) titleOf(ctx context.Context, f fileID, repos []string) string {
	files, err := a.currentFiles(ctx, repos)
	if err != nil {
		return ""
	}
	for _, ft := range files {
		if ft.f == f {
			return ft.title
		}
	}
	return ""
}

// requiredTerms returns the symbols and identifiers of a topic, stemmed,
// each marked when the topic writes it as a prefix, and a name with the
// number that belongs to it, as a phrase ("window 95" of "Windows 95",
// see lex.NameNumbers).
func requiredTerms(topic string) []lex.QueryTerm {
	var out []lex.QueryTerm
	for _, t := range lex.Tokens(topic) {
		if t.Symbol || (t.Part && strings.ContainsAny(t.Word, "/.") && strings.ContainsFunc(t.Word, unicode.IsLetter) && wordsOfTwo(t.Word)) {
			out = append(out, lex.QueryTerm{Term: lex.Stem(t.Word), Prefix: t.Prefix})
		}
	}
	for _, n := range lex.NameNumbers(topic) {
		out = append(out, lex.QueryTerm{Term: n})
	}
	return out
}

// classedCode returns the code spans of a topic that also has a noun
// classifying them ("the `resizePolicy` field", "the `?` operator"): its
// symbols and camelCase names. The span is what a version must hold; the
// noun only ranks. Nil when the topic has no such pair.
func classedCode(topic string) []lex.QueryTerm {
	toks := lex.Tokens(topic)
	var code []lex.QueryTerm
	classed := false
	for i, t := range toks {
		switch {
		case t.Symbol:
			code = append(code, lex.QueryTerm{Term: lex.Stem(t.Word), Prefix: t.Prefix})
		case !t.Part && i+1 < len(toks) && toks[i+1].Camel:
			code = append(code, lex.QueryTerm{Term: lex.Stem(t.Word)})
		case !t.Part && lex.ClassNoun(t.Word):
			classed = true
		}
	}
	if !classed {
		return nil
	}
	return code
}

// withoutClassNouns returns the terms and phrases of a core that hold no
// class noun (see classedCode); all of them when nothing else is left.
func withoutClassNouns(qs []qterm) []qterm {
	var out []qterm
	for _, q := range qs {
		w1, w2, _ := strings.Cut(q.term, " ")
		if !lex.ClassNoun(w1) && (w2 == "" || !lex.ClassNoun(w2)) {
			out = append(out, q)
		}
	}
	if len(out) == 0 {
		return qs
	}
	return out
}

// fileHoldsRequired reports whether some version of f in pool holds every
// required term of the topic: a file whose title shares the topic's words
// but lacks its number ("Windows node support" for "Windows 95 nodes") is
// not what the topic names.
func (m *topicMatch) fileHoldsRequired(f fileID, pool []livespec.Hit, docs []*lexDoc) bool {
	if len(m.required) == 0 {
		return true
	}
	for i := range pool {
		if v := &pool[i].Version; v.Repo == f.repo && v.Path == f.path && m.holdsRequired(docs[i]) {
			return true
		}
	}
	return false
}

// formsCore returns the terms of a core that name a family of symbols: a
// symbol the topic writes as a prefix with a name in it ("`~int`-style
// approximation constraints", "keywords starting with `$dynamic`"), and
// the word of that name (lex marks both). A version holding one of its
// forms ("~int64") mentions the topic, whatever it calls them; the
// topic's other words only rank the versions. A bare sigil or letter
// ("~", "x-") names no family: the other words must be there as usual.
// Nil when there is none.
func formsCore(qs []qterm) []qterm {
	var out []qterm
	for _, q := range qs {
		if q.prefix && len(strings.TrimFunc(q.term, func(r rune) bool { return !lex.IsWordRune(r) })) >= 2 {
			out = append(out, q)
		}
	}
	return out
}

// holdsRequired reports whether d holds every required term of the topic.
// A name with its number (a phrase, see requiredTerms) is held by its
// dotted forms too: "OpenAPI 3.0" mentions "OpenAPI 3", "Windows 950" does
// not mention "Windows 95".
func (m *topicMatch) holdsRequired(d *lexDoc) bool {
	for _, t := range m.required {
		if !d.holds(t.Term, t.Prefix) && !(strings.Contains(t.Term, " ") && d.holds(t.Term+".", true)) {
			return false
		}
	}
	return true
}

// wordsOfTwo reports whether every piece of an identifier between its
// slashes and dots has two characters or more ("go.work", not "i.e").
func wordsOfTwo(ident string) bool {
	for _, p := range strings.FieldsFunc(ident, func(r rune) bool { return r == '/' || r == '.' }) {
		if len(p) < 2 {
			return false
		}
	}
	return true
}

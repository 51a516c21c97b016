package retrieval

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// Search tuning. The store is asked with the question's words minus those
// common to most specs, and returns a pool of hits ranked by BM25 (fused
// with vector search when an embedder is set); retrieval re-ranks the pool
// with its own lexical score, which weighs terms by their rarity in the
// pool and boosts matches in the path and heading path, and fuses both
// rankings by reciprocal rank.
const (
	searchPool    = 30  // hits asked from the store
	rrfK          = 10  // reciprocal-rank constant
	headingBoost  = 0.8 // weight of the path+heading coverage beside the text coverage
	expandTop     = 3   // hits whose links are followed
	expandLinks   = 8   // links followed per hit
	expandPerLink = 2   // sections taken from each linked file
	linkedFactor  = 0.7 // a linked section's score relative to the hit linking it
)

// candidate is one version considered for an answer.
type candidate struct {
	v      livespec.Version
	score  float64
	via    string // version id of the hit that linked to it, for link expansion
	doc    *lexDoc
	header *lexDoc
}

// searchQuery describes one retrieval: the text, the validity filter and
// the repos.
type searchQuery struct {
	text     string
	validity livespec.Validity
	repos    []string
	limit    int
	naming   naming // the thing the question names, whose namers come first
}

// search returns the versions that best answer q: the store's hits
// re-ranked, expanded one hop along spec links, those naming the thing q
// names first (see namer), de-duplicated and capped at q.limit. The
// embedder note is non-empty when the embedder failed and the search fell
// back to BM25.
//
// A thing named in words side by side whose words the hits hold in no
// own heading is searched for again, for the versions that hold all its
// words and a pair of them so (namingHits): versions holding its words
// apart may bury them below every hit of the plain search.
func (a *Assistant) search(ctx context.Context, q searchQuery) (cands []*candidate, note string, err error) {
	text, err := a.storeText(ctx, q.text)
	if err != nil {
		return nil, "", err
	}
	hits, note, err := a.plainSearch(ctx, q, text)
	if err != nil {
		return nil, note, err
	}
	var names *namer
	if q.naming.named() {
		names = newNamer(q.naming)
	}
	// Whether a hit's own heading names the thing is known before the
	// hits are ranked: they are ranked once, with the thing's hits.
	if names != nil && !names.namesInHeading(hits) {
		more, err := a.namingHits(ctx, q.naming, q.validity, q.repos)
		if err != nil {
			return nil, note, err
		}
		hits = append(hits, more...)
	}
	cands = rerank(q.text, hits)
	cands, err = a.expandLinks(ctx, q, cands)
	if err != nil {
		return nil, note, err
	}
	if names != nil {
		names.order(cands, q.limit)
	}
	return capWithLinked(cands, q.limit), note, nil
}

// plainSearch returns the store's best searchPool hits for q, whose text
// without common words is text: by BM25, fused with the vector search when
// an embedder is set. The note is non-empty when the embedder failed.
func (a *Assistant) plainSearch(ctx context.Context, q searchQuery, text string) (hits []livespec.Hit, note string, err error) {
	sq := livespec.SearchQuery{Text: text, Validity: q.validity, Repos: q.repos, Limit: searchPool}
	if a.Embedder != nil {
		vec, err := a.Embedder.EmbedQuery(ctx, q.text)
		if err != nil {
			if ctx.Err() != nil {
				return nil, "", ctx.Err()
			}
			a.logFallback(ctx, "the embedding model failed; searching with BM25 only", a.Embedder.ID(), err)
			note = "The embedding model could not be reached, so this answer used keyword (BM25) search only."
		} else {
			sq.Vector, sq.Embedder = vec, a.Embedder.ID()
		}
	}
	hits, err = a.Store.Search(ctx, sq)
	if err != nil {
		return nil, note, storeError("search", err)
	}
	return hits, note, nil
}

// rerank scores the store's hits with a lexical score and fuses it with the
// store's ranking by reciprocal rank, best first.
func rerank(text string, hits []livespec.Hit) []*candidate {
	cands := make([]*candidate, 0, len(hits))
	seen := map[string]bool{}
	for _, h := range hits {
		if seen[h.Version.ID] {
			continue
		}
		seen[h.Version.ID] = true
		cands = append(cands, &candidate{v: h.Version, doc: docs.analyse(h.Version.Text, false), header: headerDoc(h.Version)})
	}
	if len(cands) == 0 {
		return nil
	}
	qs := lexQuery(text)
	docs := make([]*lexDoc, len(cands))
	for i, c := range cands {
		docs[i] = c.doc
	}
	lexExpand(qs, wholeTexts(func(yield func(string) bool) {
		for _, c := range cands {
			if !yield(c.v.Text) {
				return
			}
		}
	}))
	lexWeigh(qs, docs)
	lex := make([]float64, len(cands))
	for i, c := range cands {
		lex[i] = lexCoverage(qs, c.doc) + headingBoost*lexCoverage(qs, c.header)
	}
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool { return lex[order[x]] > lex[order[y]] })
	for rank, i := range order {
		cands[i].score = 1 / float64(rrfK+rank+1)
	}
	for rank, c := range cands {
		c.score += 1 / float64(rrfK+rank+1)
	}
	sort.SliceStable(cands, func(x, y int) bool { return cands[x].score > cands[y].score })
	return cands
}

// headerDoc analyses the path and heading path of v: where a section sits
// says as much about its subject as its words.
func headerDoc(v livespec.Version) *lexDoc {
	return docs.analyseHeader(v.Path, v.Heading, headerText)
}

// headerText is the text headerDoc analyses of a path and heading path.
func headerText(path, heading string) string {
	return headerReplacer.Replace(path) + "\n" + heading
}

var headerReplacer = strings.NewReplacer("/", " ", "_", " ", ".md", " ", ".markdown", " ")

// expandLinks follows the links of the top hits one hop: from each linked
// spec file it takes the sections most relevant to the query (same
// validity), so that a question answered by a sub-spec linked from a top
// spec finds both. Linked sections rank just below the hit linking them.
func (a *Assistant) expandLinks(ctx context.Context, q searchQuery, cands []*candidate) ([]*candidate, error) {
	seen := map[string]*candidate{}
	for _, c := range cands {
		seen[c.v.ID] = c
	}
	// The linked files of the top hits, each credited to the best hit
	// linking it; one search per repository covers them all.
	// A linked file the pool already holds needs no search: its best
	// section in the pool is credited to the hit linking it.
	inPool := map[fileID]*candidate{}
	for _, c := range cands {
		if f := (fileID{c.v.Repo, c.v.Path}); inPool[f] == nil {
			inPool[f] = c
		}
	}
	parent := map[fileID]*candidate{}
	var repos []string
	paths := map[string][]string{}
	for _, c := range cands[:min(expandTop, len(cands))] {
		links := dedupe(c.v.Links)
		if len(links) > expandLinks {
			links = links[:expandLinks]
		}
		for _, l := range links {
			f := fileID{c.v.Repo, l}
			if l == c.v.Path || parent[f] != nil {
				continue
			}
			parent[f] = c
			if p := inPool[f]; p != nil {
				if p.via == "" && p != c {
					p.via = c.v.ID
				}
				p.score = max(p.score, c.score*linkedFactor)
				continue
			}
			if paths[c.v.Repo] == nil {
				repos = append(repos, c.v.Repo)
			}
			paths[c.v.Repo] = append(paths[c.v.Repo], livespec.LiteralGlob(l))
		}
	}
	var added []*candidate
	for _, repo := range repos {
		hits, err := a.Store.Search(ctx, livespec.SearchQuery{
			Text: q.text, Validity: q.validity, Repos: []string{repo},
			Paths: paths[repo], Limit: expandPerLink * len(paths[repo]),
		})
		if err != nil {
			return nil, storeError("search linked specs", err)
		}
		taken := map[fileID]int{}
		for _, h := range hits {
			f := fileID{h.Version.Repo, h.Version.Path}
			c := parent[f]
			if c == nil || taken[f] >= expandPerLink {
				continue
			}
			taken[f]++
			score := c.score * linkedFactor
			if old, ok := seen[h.Version.ID]; ok {
				if old.via == "" && old.v.ID != c.v.ID {
					old.via = c.v.ID
				}
				old.score = max(old.score, score)
				continue
			}
			n := &candidate{v: h.Version, score: score, via: c.v.ID}
			seen[h.Version.ID] = n
			added = append(added, n)
		}
	}
	cands = append(cands, added...)
	sort.SliceStable(cands, func(x, y int) bool { return cands[x].score > cands[y].score })
	return cands, nil
}

// commonShare is the share of sections a word must appear in to be left
// out of the text sent to the store: such words ("kep" in a repository of
// KEPs) barely change BM25 ranks but make the full-text query read most of
// the index.
const commonShare = 0.25

// minPruneSections is the corpus size below which no word is left out.
const minPruneSections = 1000

// storeText returns text without the words that are common in the corpus,
// or text itself when every word is common.
func (a *Assistant) storeText(ctx context.Context, text string) (string, error) {
	cs, err := a.corpus(ctx)
	if err != nil {
		return "", err
	}
	if cs.n < minPruneSections {
		return text, nil
	}
	limit := int32(commonShare * float64(cs.n))
	// Whole words of the text are kept or dropped, so that symbols
	// ("$ref") reach the store as written.
	var kept []string
	dropped, content := false, 0
	for _, w := range strings.Fields(text) {
		terms := lex.Terms(w)
		if len(terms) == 0 {
			continue
		}
		common := true
		for _, t := range terms {
			if cs.docFreq(t) <= limit {
				common = false
				break
			}
		}
		if common {
			dropped = true
			continue
		}
		kept = append(kept, strings.TrimRight(w, "?!.,;:"))
		content++
	}
	if !dropped || content == 0 {
		return text, nil
	}
	return strings.Join(kept, " "), nil
}

// capWithLinked cuts cands to limit, keeping the best section linked from
// the top hit: the top spec and the sub-spec it points to answer together.
func capWithLinked(cands []*candidate, limit int) []*candidate {
	if len(cands) <= limit {
		return cands
	}
	out := cands[:limit]
	if len(out) < 2 {
		return out
	}
	top := out[0].v.ID
	for _, c := range out[1:] {
		if c.via == top {
			return out
		}
	}
	for _, c := range cands[limit:] {
		if c.via == top {
			out = append(out[:limit-1:limit-1], c)
			sort.SliceStable(out, func(x, y int) bool { return out[x].score > out[y].score })
			return out
		}
	}
	return out
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// storeError adds context to a store error and classifies an unclassified
// one as EUNAVAILABLE: the index could not serve the request.
func storeError(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("retrieval: %s: %w", op, err)
	}
	var e *livespec.Error
	if errors.As(err, &e) {
		return fmt.Errorf("retrieval: %s: %w", op, err)
	}
	return livespec.WrapError(livespec.EUNAVAILABLE, err, "the spec index is unavailable (%s)", op)
}

// This file holds the light text analysis retrieval uses to re-rank store
// hits, pick excerpts and decide which versions mention a topic: a
// tokeniser that keeps version numbers ("3.0.0") whole and splits
// camelCase and hyphenated compounds while keeping the joined form too
// ("readOnly" and "read-only" both give readonly, read, only), a light
// suffix stemmer, a stop list and acronym expansion ("TSC" matches
// "Technical Steering Committee").

// lexGeneric name documents and specs in general; they say nothing about
// which one. They are dropped from topics and lightly weighted in queries.
var lexGeneric = lexSet(`spec specs specification specifications document documents doc docs file files page
pages guide text section sections repo repository project time times way ways thing things first earliest
originally initially change changes changed changing happen happened happening evolve evolved evolution
history describe described describes mention mentioned mentions introduce introduced add added new currently
current today latest now list idea ideas notion concept`)

func lexSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// termsOf yields the terms of s in order, with repeats: the stems of its
// words that are not stop words.
func termsOf(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, t := range lex.Tokens(s) {
			if !lex.Stop(t.Word) && !yield(lex.Stem(t.Word)) {
				return
			}
		}
	}
}

// qterm is one distinct term of a query with its weight and, for an
// acronym, the stemmed words of its expansion when one was found.
type qterm struct {
	term      string
	word      string // the word as written (lower case), for asking the store
	weight    float64
	generic   bool
	camel     bool     // only seen as a piece of a camelCase word
	prefix    bool     // a symbol written as a prefix: its forms count (lex.PrefixOf)
	acronym   string   // the acronym as written, lower case
	expansion []string // stemmed words that spell the acronym
}

// lexQuery returns the distinct terms of a query. Generic words weigh
// little; everything else weighs 1 until weigh adjusts it.
func lexQuery(q string) []qterm {
	var out []qterm
	seen := map[string]int{}
	for _, t := range lex.Tokens(q) {
		if lex.Stop(t.Word) {
			continue
		}
		s := lex.Stem(t.Word)
		if i, ok := seen[s]; ok {
			out[i].camel = out[i].camel && t.Camel
			continue
		}
		seen[s] = len(out)
		qt := qterm{term: s, word: t.Word, weight: 1, camel: t.Camel, prefix: t.Prefix}
		if lexGeneric[t.Word] || lexGeneric[s] {
			qt.generic = true
			qt.weight = 0.2
		}
		if t.Acronym {
			qt.acronym = t.Word
		}
		out = append(out, qt)
	}
	return out
}

// lexPhrases returns the pairs of adjacent content words of q ("community
// manager", "callback object") as terms; a text has one when it has the
// two words side by side.
func lexPhrases(q string) []qterm {
	var out []qterm
	seen := map[string]bool{}
	prev, prevWord := "", ""
	for _, t := range lex.Tokens(q) {
		if t.Part {
			continue
		}
		st := lex.Stem(t.Word)
		if lex.Stop(t.Word) || lexGeneric[t.Word] || lexGeneric[st] {
			prev = ""
			continue
		}
		if prev != "" && prev != st {
			p := prev + " " + st
			if !seen[p] {
				seen[p] = true
				out = append(out, qterm{term: p, word: prevWord + " " + t.Word, weight: 1})
			}
		}
		prev, prevWord = st, t.Word
	}
	return out
}

// lexContent drops the generic terms of a query, unless nothing else is left.
func lexContent(qs []qterm) []qterm {
	var out []qterm
	for _, q := range qs {
		if !q.generic {
			out = append(out, q)
		}
	}
	if len(out) == 0 {
		return qs
	}
	return out
}

// lexDoc is a text analysed once: its term set. Analysed texts are kept
// (see docCache), so a doc holds few pointers for the garbage collector to
// trace: its terms share one string. It does not hold the text: acronyms
// are looked for in the texts themselves (lexExpand).
type lexDoc struct {
	terms termSet // its terms and, when analysed with phrases, phrases
	// pieces are the leading pieces of its camelCase symbols ("$dynamic"
	// of "$dynamicRef"), which a symbol written as a prefix may be.
	pieces map[string]bool
}

// docOverhead is what a kept doc holds besides its terms: its struct, its
// cache entry and key, the headers of its slices.
const docOverhead = 256

// size returns about how many bytes d holds.
func (d *lexDoc) size() int64 {
	n := docOverhead + d.terms.bytes()
	for p := range d.pieces {
		n += len(p) + 48 // a map entry and its string
	}
	return int64(n)
}

// lexAnalyse analyses text for coverage: its stemmed terms and its
// adjacent word pairs (phrases).
func lexAnalyse(text string) *lexDoc { return analyse(text, true) }

// lexAnalyseTerms is lexAnalyse without phrases, for ranking.
func lexAnalyseTerms(text string) *lexDoc { return analyse(text, false) }

// analyse analyses text, with a builder of termBuilders.
func analyse(text string, phrases bool) *lexDoc {
	b := termBuilders.Get().(*termBuilder)
	defer b.done()
	return b.analyse(text, phrases)
}

// analyse analyses text with b, which must not be in use.
func (b *termBuilder) analyse(text string, phrases bool) *lexDoc {
	d := &lexDoc{}
	prev := -1 // the index of the last word's term; none: -1
	for _, t := range b.tokens(text, phrases) {
		i, stop := b.addWord(t.Word)
		if t.Symbol {
			d.addPieces(t.Pieces())
		}
		if !phrases || t.Part {
			continue
		}
		if stop {
			prev = -1
			continue
		}
		if prev >= 0 {
			b.addPair(prev, i) // adjacent words, for phrases
		}
		if prev = i; t.Word == "" {
			prev = -1
		}
	}
	d.terms = b.set()
	return d
}

func (d *lexDoc) addPieces(ps []string) {
	if len(ps) > 0 && d.pieces == nil {
		d.pieces = map[string]bool{}
	}
	for _, p := range ps {
		d.pieces[p] = true
	}
}

// textWords yields the words of parts, read one after another: the runs
// of letters and digits, in order, with their case. A word ends with its
// part, as if a space stood between parts.
func textWords(parts ...string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, text := range parts {
			for i := 0; i < len(text); {
				start := skipRunes(text, i, false)
				if i = skipRunes(text, start, true); i > start && !yield(text[start:i]) {
					return
				}
			}
		}
	}
}

// skipRunes returns the index of the first rune of text from i on that is
// not a letter or digit (lex.IsWordRune) when words, or that is one when
// not, or len(text). ASCII bytes are read without decoding.
func skipRunes(text string, i int, words bool) int {
	for i < len(text) {
		if c := text[i]; c < utf8.RuneSelf {
			if wordBytes[c] != words {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if lex.IsWordRune(r) != words {
			return i
		}
		i += size
	}
	return i
}

// wordBytes marks the ASCII bytes that are letters or digits.
var wordBytes = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = lex.IsWordRune(rune(c))
	}
	return t
}()

// has reports whether the document contains q's term or, for an acronym
// with an expansion, every word of the expansion.
func (d *lexDoc) has(q qterm) bool {
	return d.holds(q.term, q.prefix) || d.hasExpansion(q)
}

// hasExpansion reports whether the document contains every word of q's
// expansion, when it has one.
func (d *lexDoc) hasExpansion(q qterm) bool {
	if len(q.expansion) == 0 {
		return false
	}
	for _, e := range q.expansion {
		if !d.terms.has(e) {
			return false
		}
	}
	return true
}

// holds reports whether the document contains term or, when prefix, a
// symbol of which term is a prefix ("~int64" for "~int").
func (d *lexDoc) holds(term string, prefix bool) bool {
	return d.terms.has(term) || (prefix && d.holdsPrefix(term))
}

// holdsPrefix reports whether the document contains something term is a
// prefix of (lex.PrefixOf): a symbol's leading piece, a term or, for a
// phrase, a phrase of its first word and a word its second is a prefix of.
func (d *lexDoc) holdsPrefix(term string) bool {
	if d.pieces[term] {
		return true
	}
	if x, y, ok := strings.Cut(term, " "); ok && d.terms.hasPhrasePrefix(x, y) {
		return true
	}
	for i := range d.terms.len() {
		if lex.PrefixOf(term, d.terms.at(i)) {
			return true
		}
	}
	return false
}

// lexIdentParts sets the expansion of identifier terms ("async/await",
// "src/oas.md") to their words, so that a text writing them apart
// ("async and await", "`async`/`await`") has them too.
func lexIdentParts(qs []qterm) {
	for i := range qs {
		if !strings.ContainsAny(qs[i].term, "/.") || len(qs[i].expansion) > 0 || !strings.ContainsFunc(qs[i].term, unicode.IsLetter) {
			continue
		}
		for _, t := range lex.Tokens(strings.NewReplacer("/", " ", ".", " ", "-", " ", "_", " ").Replace(qs[i].term)) {
			if !lex.Stop(t.Word) {
				qs[i].expansion = append(qs[i].expansion, lex.Stem(t.Word))
			}
		}
		if len(qs[i].expansion) < 2 {
			qs[i].expansion = nil
		}
	}
}

// lexExpand looks in texts, in order, for a run of capitalised words
// whose initials spell each acronym term ("Technical Steering Committee"
// for "TSC") and records the first found. A text comes in parts, read as
// textWords reads them (a version's text, path words and heading: see
// versionTexts), which lexExpand does not keep. A query with no acronym
// reads no text.
func lexExpand(qs []qterm, texts iter.Seq[[]string]) {
	for i := range qs {
		a := qs[i].acronym
		if a == "" {
			continue
		}
		initials := capitals(a[0])
		for parts := range texts {
			if run := acronymRun(a, initials, parts); run != nil {
				for _, w := range run {
					qs[i].expansion = append(qs[i].expansion, lex.Stem(strings.ToLower(w)))
				}
				break
			}
		}
	}
}

// acronymRun returns the first run of len(a) words of parts (textWords)
// whose initials are capitals that lower-case to a's bytes, or nil.
// initials are capitals(a[0]), which a run starts with: only the words
// that start with one are read on.
func acronymRun(a string, initials []string, parts []string) []string {
	next := make([]int, len(initials)) // where each of initials is next found (see nextInitial)
	for p, part := range parts {
		for k := range next {
			next[k] = -2 // not looked for yet
		}
		for i := 0; ; {
			j := nextInitial(part, i, initials, next)
			if j < 0 {
				break
			}
			if wordStart(part, j) {
				if run := runAt(a, parts, p, j); run != nil {
					return run
				}
			}
			i = j + 1
		}
	}
	return nil
}

// nextInitial returns the first place from i on where part holds one of
// initials, or -1; next keeps where each was found last (-1: nowhere from
// there on), and one found before i (or not looked for: -2) is looked for
// again.
func nextInitial(part string, i int, initials []string, next []int) int {
	first := -1
	for k, c := range initials {
		if next[k] != -1 && next[k] < i {
			if at := strings.Index(part[i:], c); at >= 0 {
				next[k] = i + at
			} else {
				next[k] = -1
			}
		}
		if next[k] >= 0 && (first < 0 || next[k] < first) {
			first = next[k]
		}
	}
	return first
}

// wordStart reports whether a word of text (textWords) starts at i: no
// letter or digit ends just before it.
func wordStart(text string, i int) bool {
	if i == 0 {
		return true
	}
	if c := text[i-1]; c < utf8.RuneSelf {
		return !wordBytes[c]
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return !lex.IsWordRune(r)
}

// runAt returns the len(a) words of parts from parts[p][i:] on, read as
// textWords reads them, when their initials are capitals that lower-case
// to a's bytes, or nil.
func runAt(a string, parts []string, p, i int) []string {
	var run []string
	for ; p < len(parts); p, i = p+1, 0 {
		text := parts[p]
		for i < len(text) {
			start := skipRunes(text, i, false)
			if i = skipRunes(text, start, true); i == start {
				break
			}
			w := text[start:i]
			if r, _ := utf8.DecodeRuneInString(w); unicode.ToLower(r) != rune(a[len(run)]) || !unicode.IsUpper(r) {
				return nil
			}
			if run = append(run, w); len(run) == len(a) {
				return run
			}
		}
	}
	return nil
}

// capitals returns, UTF-8 encoded, the runes that are capitals
// (unicode.IsUpper) whose lower case (unicode.ToLower) is the rune of the
// byte c: the initials of a word that stands for c in an acronym.
func capitals(c byte) []string {
	var out []string
	if u := unicode.ToUpper(rune(c)); unicode.IsUpper(u) && unicode.ToLower(u) == rune(c) {
		out = append(out, string(u))
	}
	for _, u := range otherCapitals[c] {
		out = append(out, string(u))
	}
	return out
}

// otherCapitals are the capitals that lower-case to a byte's rune besides
// its upper case (the Kelvin sign to "k"): TestCapitals checks them
// against every rune.
var otherCapitals = map[byte][]rune{'i': {'\u0130'}, 'k': {'\u212a'}, 0xdf: {'\u1e9e'}, 0xe5: {'\u212b'}}

// wholeTexts yields each of texts as a text of one part (see lexExpand).
func wholeTexts(texts iter.Seq[string]) iter.Seq[[]string] {
	return func(yield func([]string) bool) {
		var part [1]string
		for t := range texts {
			part[0] = t
			if !yield(part[:]) {
				return
			}
		}
	}
}

// weigh sets the weight of each non-generic term to its inverse document
// frequency over docs (smoothed), so rare terms count more.
func lexWeigh(qs []qterm, docs []*lexDoc) {
	n := float64(len(docs))
	for i := range qs {
		if qs[i].generic {
			continue
		}
		df := 0.0
		for _, d := range docs {
			if d.has(qs[i]) {
				df++
			}
		}
		qs[i].weight = math.Log(1 + (n+1)/(df+1))
	}
}

// coverage returns the weighted share of qs that d contains, in [0, 1].
func lexCoverage(qs []qterm, d *lexDoc) float64 {
	total, got := 0.0, 0.0
	for _, q := range qs {
		total += q.weight
		if d.has(q) {
			got += q.weight
		}
	}
	if total == 0 {
		return 0
	}
	return got / total
}

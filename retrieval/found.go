package retrieval

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// Found-or-not tuning.
const (
	// maxTopicTerms is the most significant terms a topic may have to be
	// read as one thing that appears only where all its terms occur
	// together; a longer one is a whole question (see unknownShare).
	maxTopicTerms = 4
	// unknownShare is the weighted share of a long topic's terms that no
	// version ever contained from which it counts as never mentioned.
	unknownShare = 0.4
	// togetherFirst is how many of a topic's best history hits are read
	// for one holding all its terms (on the KEPs, 598 of 612 named things
	// were found in the first ten); togetherPool how many of the versions
	// the index says hold them all, and one pair side by side, are read
	// next.
	togetherPool  = 100
	togetherFirst = 10
	// maxSuggestions is how many close vocabulary words a not-found answer
	// offers.
	maxSuggestions = 3
)

// spellable reports whether w is a word a misspelling check reads: lower-case
// ASCII letters only, 4 to 30 of them.
func spellable(w string) bool { return lex.Spellable(w) }

// maxTypo is the edit distance a misspelling may have from its word: one
// letter added, dropped or changed, or two letters swapped.
func maxTypo(string) int { return 1 }

// close returns the words of the vocabulary within limit edits of w that
// start with its letter (a misspelling seldom changes the first letter),
// nearest first, then the most used.
func (c *corpusStats) close(w string, limit int) []string {
	type cand struct {
		w  string
		d  int
		df int32
	}
	var cs []cand
	for v, df := range c.wordsFrom(w) {
		if v[0] != w[0] || v == w {
			continue
		}
		if d := lex.Distance(w, v, limit); d <= limit {
			cs = append(cs, cand{v, d, df})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		if cs[i].df != cs[j].df {
			return cs[i].df > cs[j].df
		}
		return cs[i].w < cs[j].w
	})
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.w
	}
	return out
}

// correct returns the one clear correction of the unknown word w: the
// only vocabulary word nearest to it within maxTypo edits, or the nearest
// one used ten times as often as any other as near. The stems of the
// candidates count once (a word and its plural are one correction).
func (c *corpusStats) correct(w string) (string, bool) {
	cands := c.close(w, maxTypo(w))
	if len(cands) == 0 {
		return "", false
	}
	best := cands[0]
	d := lex.Distance(w, best, maxTypo(w))
	for _, o := range cands[1:] {
		if lex.Distance(w, o, maxTypo(w)) > d {
			break
		}
		if lex.Stem(o) == lex.Stem(best) {
			continue
		}
		if c.wordFreq(best) < 10*c.wordFreq(o) {
			return "", false
		}
	}
	return best, true
}

// correction is a misspelt word of a question and how it was read.
type correction struct{ from, to string }

// questionWord is a word of a question as written: letters, with at most
// an initial capital (a camelCase word is a name, not a misspelling), or
// all capitals and six letters or more (a setting such as GOTOOLCHAIN;
// shorter ones are acronyms).
var questionWord = regexp.MustCompile(`\b(?:[A-Za-z][a-z]+|[A-Z]{6,})\b`)

// corrections returns the misspellings of the question's topic that have
// one clear correction: words no version of the specs ever held whose
// nearest vocabulary word is clear. Words the understanding read as the
// period, the intent or question filler ("March", "changed") are not the
// topic and are never corrected towards the specs' vocabulary.
func (a *Assistant) corrections(ctx context.Context, question, topic string, repos []string) ([]correction, error) {
	cs, err := a.corpus(ctx)
	if err != nil {
		return nil, err
	}
	cs.prefetch(question) // the words the answer's steps ask about
	inTopic := map[string]bool{}
	for _, w := range questionWord.FindAllString(topic, -1) {
		inTopic[strings.ToLower(w)] = true
	}
	var out []correction
	seen := map[string]bool{}
	for _, m := range questionWord.FindAllStringIndex(question, -1) {
		raw := question[m[0]:m[1]]
		// A word glued to a symbol or identifier ("go.wrok") counts too,
		// but not one inside a code span's name ("`x-oai`").
		w := strings.ToLower(raw)
		if seen[w] || !inTopic[w] || !spellable(w) || lex.Stop(w) || lexGeneric[w] || cs.wordFreq(w) > 0 || cs.docFreq(lex.Stem(w)) > 0 {
			continue
		}
		seen[w] = true
		ever, err := a.everSeen(ctx, lex.Stem(w), w, false, repos)
		if err != nil {
			return nil, err
		}
		if ever {
			continue
		}
		if to, ok := cs.correct(w); ok {
			out = append(out, correction{raw, to})
		}
	}
	return out, nil
}

// applyCorrections replaces the misspelt words of s.
func applyCorrections(s string, cs []correction) string {
	for _, c := range cs {
		re := regexp.MustCompile(`\b` + regexp.QuoteMeta(c.from) + `\b`)
		s = re.ReplaceAllLiteralString(s, c.to)
	}
	return s
}

// correctionNote says how misspelt words were read.
func correctionNote(cs []correction) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%q as %q", c.from, c.to))
	}
	return "Read " + joinOr(parts, "and") + "."
}

// everSeen reports whether some version of the specs, current or not,
// holds term (a stem; word is how the question wrote it) or, for a symbol
// written as a prefix, one of its forms.
func (a *Assistant) everSeen(ctx context.Context, term, word string, prefix bool, repos []string) (bool, error) {
	cs, err := a.corpus(ctx)
	if err != nil {
		return false, err
	}
	if cs.docFreq(term) > 0 {
		return true, nil
	}
	if prefix {
		word += "*" // lex reads a symbol before a wildcard as a prefix
	}
	hits, err := a.Store.Search(ctx, livespec.SearchQuery{Text: word, Validity: livespec.AnyVersion(), Repos: repos, Limit: 10})
	if err != nil {
		return false, storeError("search history", err)
	}
	for _, h := range hits {
		if versionDoc(h.Version).holds(term, prefix) {
			return true, nil
		}
	}
	return false, nil
}

// sigTerm is a significant term of a topic, the word that wrote it and,
// for a compound or an identifier of words ("out-of-band", "readOnly",
// "async/await"), the stems of its parts: a text that writes the parts
// apart holds it too. A symbol written as a prefix ("`~int`-style") is
// held by a text holding one of its forms ("~int64").
type sigTerm struct {
	term, word string
	parts      []string
	prefix     bool
}

// significant returns the terms of a topic that a version must hold to
// mention it: its words, identifiers and symbols, without stop words,
// generic words, single letters and the words most sections of the corpus
// use (they name the corpus, not a topic).
func significant(cs *corpusStats, topic string) []sigTerm {
	var out []sigTerm
	seen := map[string]bool{}
	toks := lex.Tokens(topic)
	for i, t := range toks {
		ident := t.Part && !t.Symbol && strings.ContainsAny(t.Word, "/.")
		if t.Part && !t.Symbol && !ident {
			continue
		}
		st := lex.Stem(t.Word)
		if seen[st] || lex.Stop(t.Word) || lexGeneric[t.Word] || lexGeneric[st] || (!t.Symbol && len([]rune(t.Word)) < 2) || cs.common(st) {
			continue
		}
		s := sigTerm{term: st, word: t.Word, prefix: t.Prefix}
		switch {
		case ident && !strings.ContainsFunc(t.Word, unicode.IsDigit):
			for _, p := range lex.Tokens(strings.NewReplacer("/", " ", ".", " ").Replace(t.Word)) {
				if !p.Part && !lex.Stop(p.Word) {
					s.parts = append(s.parts, lex.Stem(p.Word))
				}
			}
			if len(s.parts) == 0 {
				continue // "MUST/SHALL": stop words only
			}
		case !t.Part:
			// A hyphenated compound, not a camelCase name ("GraphQL").
			for _, p := range toks[i+1:] {
				if !p.Part || p.Camel || p.Symbol || strings.ContainsAny(p.Word, "/.") {
					break
				}
				if !lex.Stop(p.Word) {
					s.parts = append(s.parts, lex.Stem(p.Word))
				}
			}
		}
		seen[st] = true
		out = append(out, s)
	}
	return out
}

// seen reports whether some version holds s, whole or, for a compound,
// every one of its parts together.
func (a *Assistant) seen(ctx context.Context, s sigTerm, repos []string) (bool, error) {
	ever, err := a.everSeen(ctx, s.term, s.word, s.prefix, repos)
	if err != nil || ever || len(s.parts) == 0 {
		return ever, err
	}
	parts := make([]sigTerm, len(s.parts))
	for i, p := range s.parts {
		parts[i] = sigTerm{term: p, word: p}
	}
	return a.together(ctx, strings.Join(s.parts, " "), parts, nil, repos)
}

// alternatives splits a topic into the readings any one of which makes it
// appear: a parenthesis is read apart from the rest ("Callback Object
// (out-of-band callbacks)"), then the rest is split at "or", commas and
// slashes between words.
//
// A parenthesis of code ("(cond ? a : b)", "(x = 1)") is an example, not
// another name: it is left out.
func alternatives(topic string) []string {
	var out []string
	rest := parenthesis.ReplaceAllStringFunc(topic, func(p string) string {
		if inner := strings.Trim(p, "() "); !codeLike.MatchString(inner) {
			out = append(out, inner)
		}
		return " "
	})
	return append(orSplit.Split(rest, -1), out...)
}

// codeLike is text with an operator between words or spaces: code, not prose.
var codeLike = regexp.MustCompile(`[=?:;{}<>|&^*+%!]|\s-\s`)

// parenthesis is a parenthesised part of a topic.
var parenthesis = regexp.MustCompile(`\([^()]*\)`)

// common reports whether term is in so many sections that it names the
// corpus rather than a topic (see commonShare); small corpora have none.
func (c *corpusStats) common(term string) bool {
	return c.n >= minPruneSections && float64(c.docFreq(term)) > commonShare*float64(c.n)
}

// orSplit splits a topic into its alternatives ("GDPR or personal data"),
// and a name from its description ("Moonwalk, the effort toward 4.0").
var orSplit = regexp.MustCompile(`(?i)\s+(?:or|and/or)\s+|\s*/\s+|,\s+`)

// presence is whether a topic appears in the spec history, and if not, the
// words of it that no version ever held.
type presence struct {
	found   bool
	missing []string
}

// topicPresence decides whether a topic appears anywhere in the history.
// A topic of alternatives ("X or Y", "X, the Y", "X (Y)") appears when one
// of them does. A topic is missing when a name, identifier or symbol of it
// ("gRPC", "$ref", "HTTP/2") or half its terms occur in no version; a topic
// read strictly (a timeline's) of a few terms is missing when any of them
// never occurs, and a longer one (a whole question) when the terms no
// version held carry much of its weight. A topic read leniently keeps the
// words of a question about the text ("how long do tokens last"), which
// need not meet in one section; but with named, the topic is the thing a
// question names ("say about X", "is there a proposal that adds X"), and
// each alternative of it that is a noun phrase is read strictly.
func (a *Assistant) topicPresence(ctx context.Context, question, topic string, repos []string, strict, named bool) (presence, error) {
	cs, err := a.corpus(ctx)
	if err != nil {
		return presence{}, err
	}
	var p presence
	for _, alt := range alternatives(topic) {
		sig := significant(cs, alt)
		if len(sig) == 0 {
			return presence{found: true}, nil
		}
		strict := strict || (named && nounPhrase(alt))
		var unknown, known []sigTerm
		name := false
		for _, s := range sig {
			ever, err := a.seen(ctx, s, repos)
			if err != nil {
				return presence{}, err
			}
			if ever {
				known = append(known, s)
				continue
			}
			unknown = append(unknown, s)
			p.missing = append(p.missing, s.word)
			name = name || isName(question, s.word)
		}
		switch {
		case name || 2*len(unknown) >= len(sig):
		case !strict:
			return presence{found: true}, nil
		case named && len(unknown) > 0:
			// A thing the question names is missing when a word of it is.
		case len(sig) > maxTopicTerms && !named:
			total, miss := 0.0, 0.0
			for _, s := range sig {
				total += cs.idf(s.term)
			}
			for _, u := range unknown {
				miss += cs.idf(u.term)
			}
			if miss < unknownShare*total {
				return presence{found: true}, nil
			}
		case len(unknown) == 0 && !named:
			return presence{found: true}, nil
		case len(unknown) == 0:
			// A thing the question names appears where all its terms
			// meet ("dependency" and "injection" apart are not
			// "dependency injection"). A timeline's topic may carry words
			// the specs never use beside it ("the published 3.0.0
			// document"); its matching reads those leniently.
			// The words of a compound name meet as written: one pair of
			// its adjacent words at least ("depending on ... injection"
			// is no "dependency injection").
			ok, err := a.together(ctx, alt, sig, lexPhrases(alt), repos)
			if err != nil || ok {
				return presence{found: ok}, err
			}
		}
	}
	return p, nil
}

// isName reports whether the question writes the lower-case word w as a
// name: with capitals past its first letter ("gRPC", "GDPR",
// "OpenTelemetry"), capitalised inside a sentence ("Apache Avro"), or with
// anything but letters ("HTTP/2", "$ref").
func isName(question, w string) bool {
	i := strings.Index(strings.ToLower(question), w)
	if i < 0 || len(strings.ToLower(question)) != len(question) {
		return !spellable(w)
	}
	raw := question[i : i+len(w)]
	for k, r := range raw {
		if (k > 0 && unicode.IsUpper(r)) || !unicode.IsLetter(r) {
			return true
		}
	}
	before := strings.TrimRight(question[:i], " \t\"'`(")
	return unicode.IsUpper(rune(raw[0])) && before != "" && !strings.HasSuffix(before, ".") && !strings.HasSuffix(before, "?") && !strings.HasSuffix(before, "!")
}

// together reports whether some version holds every term of sig and,
// when pairs are given, one of those pairs of adjacent words (written as
// words or as the parts of a compound: "kube-scheduler" holds "kube
// scheduler"). It reads the best togetherFirst history hits for text
// first: most things are found there. Words common apart can bury the
// versions that hold them together below thousands of others, so it then
// asks the index for the versions holding every term and one pair side by
// side (SearchQuery.All, Phrases) and reads the best togetherPool of them.
func (a *Assistant) together(ctx context.Context, text string, sig []sigTerm, pairs []qterm, repos []string) (bool, error) {
	terms := make([]string, len(pairs))
	for i, p := range pairs {
		terms[i] = p.term
	}
	hits, err := a.Store.Search(ctx, livespec.SearchQuery{Text: text, Validity: livespec.AnyVersion(), Repos: repos, Limit: togetherFirst})
	if err != nil {
		return false, storeError("search history", err)
	}
	if slices.ContainsFunc(hits, func(h livespec.Hit) bool { return holdsAll(versionDoc(h.Version), sig, terms) }) {
		return true, nil
	}
	if len(hits) < togetherFirst {
		return false, nil // no more versions match
	}
	q := holdingQuery(text, sig, pairs, repos)
	if hits, err = a.Store.Search(ctx, q); err != nil {
		return false, storeError("search history", err)
	}
	return slices.ContainsFunc(hits, func(h livespec.Hit) bool {
		d := versionDoc(h.Version)
		return holdsAll(d, sig, nil) && (len(terms) == 0 || holdsAll(d, nil, terms) || holdsPair(h.Version.Text, terms))
	}), nil
}

// holdingQuery is the search for the best togetherPool versions that hold
// every term of sig and one of pairs as the index reads them. Terms the
// index may read otherwise (a compound, a prefix, a stem given for a
// word) are left to the caller to check; with none left, text is searched
// for the pairs alone.
func holdingQuery(text string, sig []sigTerm, pairs []qterm, repos []string) livespec.SearchQuery {
	var words []string
	for _, s := range sig {
		if len(s.parts) == 0 && !s.prefix && lex.Stem(s.word) == s.term {
			words = append(words, s.word)
		}
	}
	q := livespec.SearchQuery{Text: text, Validity: livespec.AnyVersion(), Repos: repos, Limit: togetherPool}
	if len(words) > 0 {
		q.Text, q.All = strings.Join(words, " "), true
	}
	for _, p := range pairs {
		q.Phrases = append(q.Phrases, p.word)
	}
	return q
}

// holdsAll reports whether d holds every term of sig and, when pairs are
// given, one of them.
func holdsAll(d *lexDoc, sig []sigTerm, pairs []string) bool {
	for _, s := range sig {
		if !d.holds(s.term, s.prefix) {
			return false
		}
	}
	return len(pairs) == 0 || slices.ContainsFunc(pairs, func(p string) bool { return d.terms.has(p) })
}

// holdsPair reports whether text holds one of pairs (stems, "kube schedul")
// side by side, the parts of a compound or camelCase word read as words
// ("kube-scheduler", "kubeScheduler"); a stop word parts two words, and
// identifiers and symbols are read as the words they hold.
func holdsPair(text string, pairs []string) bool {
	buf := pairTokens.Get().(*[]lex.Token)
	toks := lex.AppendTokens((*buf)[:0], text)
	defer func() {
		clear(toks) // let the texts go
		*buf = toks[:0]
		pairTokens.Put(buf)
	}()
	prev := ""
	for i, t := range toks {
		part := t.Part && !t.Symbol && !strings.ContainsAny(t.Word, "/.")
		switch {
		case t.Part && !part:
			continue // an identifier or a symbol, before the running words
		case !t.Part && i+1 < len(toks) && toks[i+1].Part && !toks[i+1].Symbol:
			continue // a compound whose parts follow
		case lex.Stop(t.Word):
			prev = ""
			continue
		}
		st := lex.Stem(t.Word)
		if prev != "" && prev != st && slices.Contains(pairs, prev+" "+st) {
			return true
		}
		prev = st
	}
	return false
}

// pairTokens keeps token slices between holdsPair calls, which read many
// texts an answer.
var pairTokens = sync.Pool{New: func() any { return new([]lex.Token) }}

// suggestions returns up to maxSuggestions vocabulary words close to the
// missing words, nearest first.
func (a *Assistant) suggestions(ctx context.Context, missing []string) ([]string, error) {
	cs, err := a.corpus(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, w := range missing {
		w = strings.ToLower(w)
		if !spellable(w) {
			continue
		}
		for _, c := range cs.close(w, maxTypo(w)+1) {
			if len(out) == maxSuggestions {
				return out, nil
			}
			if st := lex.Stem(c); !seen[st] {
				seen[st] = true
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// notFoundText is the whole answer to a question about something no version
// of the specs mentions.
func notFoundText(topic string, suggestions []string) string {
	s := fmt.Sprintf("Nothing in the spec history mentions %s.", topic)
	if len(suggestions) > 0 {
		s += fmt.Sprintf(" Did you mean %s?", joinOr(suggestions, "or"))
	}
	return s
}

// joinOr joins words as "a", "a or b", "a, b or c".
func joinOr(ws []string, conj string) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " " + conj + " " + ws[len(ws)-1]
}

// Questions that name the thing they ask about: "what does the spec say
// about X", "anything regarding X", "is there a proposal that adds X",
// "does any RFC specify X".
var (
	aboutObject = regexp.MustCompile(`(?i)\b(?:say|says|said|mention|mentions|cover|covers|anything|something)\s+(?:about|regarding|concerning|on)\s+(.+?)[\s?.!,;:]*$`)
	existObject = regexp.MustCompile(`(?i)^(?:is|are|was|were)\s+there\s+(?:a|an|any)\s+(\S+)\s+(?:that|which)\s+\S+\s+(.+?)[\s?.!,;:]*$`)
	anyObject   = regexp.MustCompile(`(?i)^(?:does|do|did)\s+(?:any|a|an)\s+(\S+)\s+\S+\s+(.+?)[\s?.!,;:]*$`)
)

// namedObject returns the thing a question names as what it asks about,
// and whether it names one: the object of "say about" and the like, or of
// an existence question about documents whose kind noun is a noun for a
// document or one of the repository's kind words ("is there a KEEP that
// adds X"). The thing is read strictly: a noun phrase of it appears only
// where all its terms do.
func (a *Assistant) namedObject(ctx context.Context, question string, repos []string) (string, bool, error) {
	q := strings.Join(strings.Fields(question), " ")
	if m := aboutObject.FindStringSubmatch(q); m != nil {
		return m[1], true, nil
	}
	m := existObject.FindStringSubmatch(q)
	if m == nil {
		m = anyObject.FindStringSubmatch(q)
	}
	if m == nil {
		return "", false, nil
	}
	kinds, err := a.repoKinds(ctx, repos)
	if err != nil {
		return "", false, err
	}
	kind := strings.ToLower(strings.Trim(m[1], "`'\""))
	if !lex.DocNoun(kind) && !kinds[lex.Stem(kind)] {
		return "", false, nil
	}
	return m[2], true, nil
}

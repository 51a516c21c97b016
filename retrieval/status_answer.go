package retrieval

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// maxFacts is how many documents a status answer lists at most; the count
// before the list is always the whole count.
const maxFacts = 100

// statusQuestion reads the question as a status question against the
// fields and values the index holds, or returns nil.
func (a *Assistant) statusQuestion(ctx context.Context, question string, now time.Time, repos []string) (*statusQuery, error) {
	vocab, err := a.factVocab(ctx, repos)
	if err != nil || vocab == nil {
		return nil, err
	}
	words := a.statusWords()
	sq := parseStatus(question, now, vocab, words.synonyms())
	if sq == nil || !sq.weak {
		return sq, nil
	}
	lin, err := a.factLineage(ctx, sq, repos)
	if err != nil {
		return nil, err
	}
	// At least half the question's other words must name the document.
	scores := lin.pathNames().scores(sq.subject)
	best, ok := bestScore(scores)
	if !ok || scores[best] < 10*float64((len(sq.subject)+1)/2) {
		return nil, nil
	}
	return sq, nil
}

// factVocab returns the vocabulary of the fact values of repos (nil when
// the index holds none), kept per index version: every question is read
// against it. It is shared: callers must not change it.
func (a *Assistant) factVocab(ctx context.Context, repos []string) (*factVocab, error) {
	return a.vocab.get(ctx, a.Store, strings.Join(repos, "\x00"), func() (*factVocab, error) {
		vals, err := a.Store.FactValues(ctx, repos)
		if err != nil {
			return nil, storeError("read fact values", err)
		}
		if len(vals) == 0 {
			return nil, nil
		}
		return buildVocab(vals, a.statusWords()), nil
	})
}

// factLineage reads the documents that have the fields asked about, with
// their paths over renames. A lineage depends on the index, the
// repositories and the fields alone, and few sets of fields are asked
// about: it is kept per index version and shared, so callers must not
// change it.
func (a *Assistant) factLineage(ctx context.Context, sq *statusQuery, repos []string) (*lineage, error) {
	key := strings.Join(repos, "\x00") + "\x01" + strings.Join(sq.fields, "\x00")
	return a.lineages.get(ctx, a.Store, key, func() (*lineage, error) {
		all, err := a.Store.Facts(ctx, livespec.FactQuery{Repos: repos, Fields: sq.fields, Validity: livespec.AnyVersion()})
		if err != nil {
			return nil, storeError("read facts", err)
		}
		chs, err := a.Store.FactChanges(ctx, livespec.FactChangeQuery{Repos: repos, Fields: sq.fields})
		if err != nil {
			return nil, storeError("read fact changes", err)
		}
		lin := newLineage(all, chs)
		lin.facts, lin.changes = all, chs
		return lin, nil
	})
}

// warmLineages keeps the lineage of every lifecycle field of the index,
// of all its repositories: what a status question naming one field, or
// values one field holds, reads first.
func (a *Assistant) warmLineages(ctx context.Context) error {
	vocab, err := a.factVocab(ctx, nil)
	if err != nil || vocab == nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(vocab.fields)) {
		if !vocab.fields[name].categorical {
			continue
		}
		if _, err := a.factLineage(ctx, &statusQuery{fields: []string{name}}, nil); err != nil {
			return err
		}
	}
	return nil
}

// factRows bounds the lineages an Assistant keeps by the facts and
// changes they hold, at most maxLineageRows together.
type factRows struct{}

func (factRows) weigh(l *lineage) int64 { return int64(len(l.facts)+len(l.changes)) + 1 }
func (factRows) max() int64             { return maxLineageRows }

// maxLineageRows bounds the facts and fact changes of the lineages kept:
// a few tens of MB.
const maxLineageRows = 200_000

// statusResult is the evidence of a status answer.
type statusResult struct {
	notFound bool // status of one document, and no document matches
	facts    []livespec.AnswerFact
	at       []time.Time // per fact, a time its document had its path
	cite     []livespec.Version
	notes    []string
}

// status gathers the facts a status question asks for: the documents
// whose field reached a matching value in the window, or holds one at the
// as-of date (now by default), or one document's value and since when.
func (a *Assistant) status(ctx context.Context, sq *statusQuery, question string, now time.Time, repos []string) (*statusResult, error) {
	window, at := statusPeriod(question, now)
	if window != nil && !sq.list && !window.To.IsZero() && window.To.Before(now) {
		at = window.To.Add(-time.Second)
	}
	var res *statusResult
	var err error
	switch {
	case sq.list && window != nil:
		res, err = a.statusReached(ctx, sq, *window, repos)
	case sq.list:
		res, err = a.statusHolding(ctx, sq, at, now, repos)
	default:
		res, err = a.statusOf(ctx, sq, at, repos)
	}
	if err != nil {
		return nil, err
	}
	for i := range res.facts {
		f := &res.facts[i]
		if f.Title == "" {
			f.Title = a.docTitle(ctx, f.Repo, f.Path, f.Since.Date.Time)
		}
	}
	return res, nil
}

// statusPeriod reads the period of a status question: an as-of phrase
// ("as of 2023", "at the end of 2017") is the date the values held at; any
// other period ("in Q2 2024", "this quarter", "between May and July") is
// the window the values were reached in. No period: now.
func statusPeriod(question string, now time.Time) (*livespec.Window, time.Time) {
	for _, p := range findPhrases(strings.Join(strings.Fields(question), " "), now) {
		switch {
		case p.err != nil || p.kind == phraseAll:
			continue
		case p.kind == phraseAsOf:
			at := p.asOf
			if at.IsZero() {
				at = p.window.To.Add(-time.Second)
			}
			return nil, at
		}
		w := p.window
		return &w, now
	}
	return nil, now
}

// describe says what the query asks in words: "status Accepted".
func (sq *statusQuery) describe() string {
	s := strings.Join(sq.fields, "/")
	if len(sq.words) > 0 {
		s += " " + strings.Join(sq.words, " or ")
	}
	if sq.release != "" {
		s += " in " + sq.release
	}
	return s
}

// statusReached lists the documents whose field took a matching value (from
// one that did not match, or none) by a change landed in the window.
func (a *Assistant) statusReached(ctx context.Context, sq *statusQuery, w livespec.Window, repos []string) (*statusResult, error) {
	chs, err := a.Store.FactChanges(ctx, livespec.FactChangeQuery{Repos: repos, Fields: sq.fields, From: w.From, To: w.To})
	if err != nil {
		return nil, storeError("read fact changes", err)
	}
	byDoc := map[string]int{}
	res := &statusResult{}
	for _, c := range chs {
		if !sq.matches(c.Value, "") || sq.matches(c.Previous, "") {
			continue
		}
		f := livespec.AnswerFact{Repo: c.Repo, Path: c.Path, Field: c.Field, Value: c.Value, Previous: c.Previous,
			Since: livespec.FactSince{Commit: c.Commit, Date: livespec.Time{Time: c.Date}}}
		k := c.Repo + "\x00" + c.Path
		if i, ok := byDoc[k]; ok {
			res.facts[i], res.at[i] = f, c.Date
			continue
		}
		byDoc[k] = len(res.facts)
		res.facts = append(res.facts, f)
		res.at = append(res.at, c.Date)
	}
	res.notes = append(res.notes, fmt.Sprintf("%s reached %s %s.", countDocs(len(res.facts)), sq.describe(), windowWords(w)))
	a.capFacts(ctx, res)
	return res, nil
}

// statusHolding lists the documents whose field holds a matching value at t.
func (a *Assistant) statusHolding(ctx context.Context, sq *statusQuery, at, now time.Time, repos []string) (*statusResult, error) {
	validity := livespec.AsOf(at)
	if !at.Before(now) {
		validity = livespec.Current()
	}
	fs, err := a.Store.Facts(ctx, livespec.FactQuery{Repos: repos, Fields: sq.fields, Validity: validity})
	if err != nil {
		return nil, storeError("read facts", err)
	}
	res := &statusResult{}
	for _, f := range fs {
		if sq.matches(f.Value, f.Release) {
			res.facts = append(res.facts, answerFact(f))
		}
	}
	slices.SortStableFunc(res.facts, func(x, y livespec.AnswerFact) int { return x.Since.Date.Compare(y.Since.Date.Time) })
	for range res.facts {
		res.at = append(res.at, at)
	}
	when := "now"
	if validity.Mode == livespec.ValidAsOf {
		when = "as of " + at.UTC().Format("2006-01-02")
	}
	res.notes = append(res.notes, fmt.Sprintf("%s %s %s.", countDocs(len(res.facts)), pluralVerb(len(res.facts), "has", "have"), sq.describe()+" "+when))
	a.capFacts(ctx, res)
	return res, nil
}

func answerFact(f livespec.Fact) livespec.AnswerFact {
	return livespec.AnswerFact{Repo: f.Repo, Path: f.Path, Field: f.Field, Value: f.Value, Previous: f.Previous,
		Since: livespec.FactSince{Commit: f.SinceCommit, Date: livespec.Time{Time: f.Since}}}
}

// capFacts keeps the first maxFacts facts and cites the documents of the
// first few.
func (a *Assistant) capFacts(ctx context.Context, res *statusResult) {
	if len(res.facts) > maxFacts {
		res.notes = append(res.notes, fmt.Sprintf("Only the first %d are listed.", maxFacts))
		res.facts, res.at = res.facts[:maxFacts], res.at[:maxFacts]
	}
	for i, f := range res.facts {
		if len(res.cite) >= a.sources() {
			break
		}
		if v, ok := a.docVersion(ctx, f.Repo, f.Path, res.at[i]); ok {
			res.cite = append(res.cite, v)
		}
	}
}

// statusOf answers for one document: its value of the field at t and
// since when; with value words ("when did it reach beta?"), also when it
// first took such a value.
func (a *Assistant) statusOf(ctx context.Context, sq *statusQuery, at time.Time, repos []string) (*statusResult, error) {
	lin, err := a.factLineage(ctx, sq, repos)
	if err != nil {
		return nil, err
	}
	all, chs := lin.facts, lin.changes
	doc, ok := a.resolveDoc(ctx, sq, lin, repos)
	res := &statusResult{}
	if !ok {
		res.notFound = true
		res.notes = append(res.notes, "No document with a "+strings.Join(sq.fields, "/")+" matches the question.")
		return res, nil
	}
	// Words of the document's own paths ("KEEP" of KEEP-0416) name it,
	// not a value.
	var docWords []string
	for k := range lin.paths {
		if lin.find(k) == doc {
			docWords = append(docWords, valueStems(k)...)
		}
	}
	sq.dropValues(func(alt []string) bool {
		return !slices.ContainsFunc(alt, func(st string) bool { return !slices.Contains(docWords, st) })
	})
	// The values the document holds at t: of the fields named, else of
	// every field asked.
	show := sq.named
	if len(show) == 0 {
		show = sq.fields
	}
	var helds []livespec.Fact
	for _, f := range all {
		if lin.group(f.Repo, f.Path) == doc && f.ValidAt(at) && slices.Contains(show, f.Field) {
			helds = append(helds, f)
			res.facts = append(res.facts, answerFact(f))
			res.at = append(res.at, at)
		}
	}
	if len(helds) == 0 {
		res.notes = append(res.notes, fmt.Sprintf("The document had no %s on %s.", strings.Join(show, "/"), at.UTC().Format("2006-01-02")))
	}
	if len(sq.values) > 0 || sq.release != "" {
		reached := false
		for _, c := range chs {
			if lin.group(c.Repo, c.Path) == doc && !c.Date.After(at) && sq.matches(c.Value, "") && !sq.matches(c.Previous, "") {
				f := livespec.AnswerFact{Repo: c.Repo, Path: c.Path, Field: c.Field, Value: c.Value, Previous: c.Previous,
					Since: livespec.FactSince{Commit: c.Commit, Date: livespec.Time{Time: c.Date}}}
				if !slices.ContainsFunc(helds, func(h livespec.Fact) bool { return h.Field == c.Field && h.SinceCommit == c.Commit }) {
					res.facts = append(res.facts, f)
					res.at = append(res.at, c.Date)
				}
				reached = true
				break
			}
		}
		if !reached {
			res.notes = append(res.notes, fmt.Sprintf("Its %s never was %s.", strings.Join(sq.fields, "/"), strings.Join(sq.words, " or ")))
		}
	}
	for i, f := range res.facts {
		if v, ok := a.docVersion(ctx, f.Repo, f.Path, res.at[i]); ok {
			res.cite = append(res.cite, v)
			break
		}
	}
	return res, nil
}

// lineage groups the paths a document had over renames.
type lineage struct {
	parent  map[string]string
	paths   map[string]bool
	facts   []livespec.Fact
	changes []livespec.FactChange
	named   sync.Once
	names   *pathNames // what resolveDoc reads of paths, made once (see pathNamesOf)
}

func newLineage(fs []livespec.Fact, chs []livespec.FactChange) *lineage {
	l := &lineage{parent: map[string]string{}, paths: map[string]bool{}}
	for _, f := range fs {
		l.paths[f.Repo+"\x00"+f.Path] = true
	}
	for _, c := range chs {
		if c.OldPath != "" {
			l.union(c.Repo+"\x00"+c.OldPath, c.Repo+"\x00"+c.Path)
		}
	}
	return l
}

func (l *lineage) find(k string) string {
	for {
		p, ok := l.parent[k]
		if !ok || p == k {
			return k
		}
		k = p
	}
}

func (l *lineage) union(a, b string) {
	ra, rb := l.find(a), l.find(b)
	if ra != rb {
		l.parent[ra] = rb
	}
}

func (l *lineage) group(repo, p string) string { return l.find(repo + "\x00" + p) }

var numberToken = regexp.MustCompile(`\d+`)

// resolveDoc finds the document a status question is about: by a file
// name, by a number in its path ("KEEP-0135", "KEP 1234"), else by its
// words through the search index.
func (a *Assistant) resolveDoc(ctx context.Context, sq *statusQuery, lin *lineage, repos []string) (string, bool) {
	names := lin.pathNames()
	score := map[string]float64{}
	for _, p := range names.paths {
		for _, n := range sq.names {
			if p.base == path.Base(n) {
				score[p.group] += 10
			}
		}
		for _, n := range p.numbers {
			if slices.Contains(sq.ids, n) {
				score[p.group] += 5
			}
		}
	}
	if best, ok := bestScore(score); ok {
		return best, true
	}
	if len(sq.subject) == 0 {
		return "", false
	}
	for g, v := range names.scores(sq.subject) {
		score[g] = v
	}
	cands, _, err := a.search(ctx, searchQuery{text: strings.Join(sq.subject, " "), validity: livespec.AnyVersion(), repos: repos, limit: 20})
	if err != nil {
		return bestScore(score)
	}
	seen := map[string]bool{}
	for i, c := range cands {
		k := c.v.Repo + "\x00" + c.v.Path
		g := lin.find(k)
		if !lin.paths[k] || seen[g] {
			continue
		}
		seen[g] = true
		w := 1 / float64(i+1)
		if c.v.Level == 1 {
			w *= 2 // the document's title section
		}
		score[g] += w
	}
	return bestScore(score)
}

// pathNames is what resolveDoc reads of a lineage's paths, which depends
// on the lineage alone: a status question used to read every path of the
// index again (its base name, numbers and word stems), most of a status
// answer's time.
type pathNames struct {
	paths []pathName
	vocab []string // the distinct words of the paths' kept words
}

// pathName is one path of a lineage as resolveDoc reads it.
type pathName struct {
	group   string  // the document, lineage.find of the path
	base    string  // the path's base name in lower case
	numbers []int   // the numbers in the path, strconv.Atoi of each
	words   []int32 // the stems of its words (valueStems, lex.Stem) but those most paths share, in order, as places in vocab
}

// pathNames returns lin's pathNames, made at the first call.
func (lin *lineage) pathNames() *pathNames {
	lin.named.Do(func() { lin.names = pathNamesOf(lin) })
	return lin.names
}

// pathNamesOf reads lin's paths for resolveDoc: words most paths share
// ("keep", "proposals", "md") name no document, so they are left out.
func pathNamesOf(lin *lineage) *pathNames {
	out := &pathNames{paths: make([]pathName, 0, len(lin.paths))}
	stems := make([][]string, 0, len(lin.paths))
	df := map[string]int{}
	for k := range lin.paths {
		_, p, _ := strings.Cut(k, "\x00")
		n := pathName{group: lin.find(k), base: strings.ToLower(path.Base(p))}
		for _, m := range numberToken.FindAllString(p, -1) {
			i, _ := strconv.Atoi(m)
			n.numbers = append(n.numbers, i)
		}
		var ws []string
		seen := map[string]bool{}
		for _, w := range valueStems(p) {
			st := lex.Stem(w)
			ws = append(ws, st)
			if !seen[st] {
				seen[st] = true
				df[st]++
			}
		}
		out.paths = append(out.paths, n)
		stems = append(stems, ws)
	}
	common := max(3, len(lin.paths)/10)
	at := map[string]int32{}
	for i, ws := range stems {
		for _, w := range ws {
			if df[w] > common {
				continue
			}
			j, ok := at[w]
			if !ok {
				j = int32(len(out.vocab))
				at[w] = j
				out.vocab = append(out.vocab, w)
			}
			out.paths[i].words = append(out.paths[i].words, j)
		}
	}
	return out
}

// scores scores the documents by the words of subject found among the
// words of their paths (a typo of one letter in a long word still
// counts): ten for each word a path holds, the best of a document's paths.
func (pn *pathNames) scores(subject []string) map[string]float64 {
	// Which words of the paths each subject word meets, decided once per
	// word of the paths.
	meets := make([][]bool, len(subject))
	for i, w := range subject {
		st := lex.Stem(w)
		meets[i] = make([]bool, len(pn.vocab))
		for j, x := range pn.vocab {
			meets[i][j] = x == st || len(st) >= 5 && lex.Distance(x, st, 1) <= 1
		}
	}
	score := map[string]float64{}
	for _, p := range pn.paths {
		n := 0
		for _, m := range meets {
			if slices.ContainsFunc(p.words, func(j int32) bool { return m[j] }) {
				n++
			}
		}
		if n > 0 {
			score[p.group] = max(score[p.group], 10*float64(n))
		}
	}
	return score
}

func bestScore(score map[string]float64) (string, bool) {
	best, bs := "", 0.0
	for k, s := range score {
		if s > bs || s == bs && k < best {
			best, bs = k, s
		}
	}
	return best, bs > 0
}

// docTitle is the document's first heading in its file version at t (or
// its latest), or its path when it has none.
func (a *Assistant) docTitle(ctx context.Context, repo, p string, t time.Time) string {
	fs, err := a.Store.Files(ctx, livespec.FileQuery{Repos: []string{repo}, Paths: []string{livespec.LiteralGlob(p)}, Validity: livespec.AnyVersion()})
	if err != nil || len(fs) == 0 {
		return p
	}
	f := fs[len(fs)-1]
	for _, fv := range fs {
		if fv.ValidAt(t) {
			f = fv
		}
	}
	return cmp.Or(f.FirstHeading(), p)
}

// docVersion is the first section of the document valid at t, to cite.
func (a *Assistant) docVersion(ctx context.Context, repo, p string, t time.Time) (livespec.Version, bool) {
	vs, err := a.Store.Versions(ctx, livespec.VersionQuery{Repos: []string{repo}, Paths: []string{livespec.LiteralGlob(p)}, Validity: livespec.AsOf(t)})
	if err != nil || len(vs) == 0 {
		return livespec.Version{}, false
	}
	fs, err := a.Store.Files(ctx, livespec.FileQuery{Repos: []string{repo}, Paths: []string{livespec.LiteralGlob(p)}, Validity: livespec.AsOf(t)})
	if err == nil && len(fs) > 0 {
		for _, s := range fs[0].Outline {
			for _, v := range vs {
				if v.Heading == s.Heading && v.Part == s.Part && s.Heading != livespec.FrontMatterHeading {
					return v, true
				}
			}
		}
	}
	return vs[0], true
}

func countDocs(n int) string {
	if n == 1 {
		return "1 document"
	}
	return strconv.Itoa(n) + " documents"
}

func pluralVerb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// windowWords renders a window of whole days: "between 2025-08-01 and
// 2025-12-31".
func windowWords(w livespec.Window) string {
	switch {
	case w.From.IsZero() && w.To.IsZero():
		return "ever"
	case w.To.IsZero():
		return "since " + w.From.UTC().Format("2006-01-02")
	case w.From.IsZero():
		return "before " + w.To.UTC().Format("2006-01-02")
	}
	return "between " + w.From.UTC().Format("2006-01-02") + " and " + w.To.Add(-time.Second).UTC().Format("2006-01-02")
}

// statusNotes drops the period problems a status question's own words
// make: "since when" asks for the date a value was set, it names no period.
func statusNotes(notes []string) []string {
	return slices.DeleteFunc(slices.Clone(notes), func(n string) bool {
		return strings.Contains(strings.ToLower(n), `"since when`)
	})
}

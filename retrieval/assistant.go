package retrieval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/cache"
	"github.com/livespec/livespec/internal/lex"
	"golang.org/x/sync/singleflight"
)

// DefaultSources is how many sections an answer cites at most when
// Assistant.Sources is zero.
const DefaultSources = 8

// NoEmbedder is Answer.Model.Embedder for an answer served by BM25 alone.
const NoEmbedder = "none (BM25 only)"

// Assistant answers questions about the specs in a Store: it understands
// the question, gathers the evidence (sections for current and as-of
// questions, change events for changes and timeline questions) and has a
// Generator phrase it. The facts never depend on the generator. It is safe
// for concurrent use and must not be copied after first use.
type Assistant struct {
	Store     livespec.Store
	Embedder  livespec.Embedder  // nil: BM25 only
	Generator livespec.Generator // nil: Extractive
	// Permalink is the citation URL template, e.g.
	// "https://github.com/ORG/REPO/blob/{commit}/{path}#{anchor}"; {repo}
	// is also replaced. Empty: citations carry no URL.
	Permalink string
	Now       func() time.Time // nil: time.Now
	Sources   int              // citations per answer at most (0: DefaultSources)
	// AnswerCache is how many answers are kept for questions asked again
	// (0: DefaultAnswerCache; negative: none). Answers are kept only where
	// they cannot differ from a fresh one: with the extractive generator,
	// no embedder, a store that reports writes (the SQLite store does),
	// and only while nothing is written to the index.
	AnswerCache int
	// Logger receives a line, with the cause, whenever a model fails and
	// the answer falls back to BM25 search or the extractive generator
	// (nil: no log).
	Logger *slog.Logger
	// StatusWords says which fact fields hold a document's lifecycle and
	// the synonyms of status words in questions (nil: DefaultStatusWords;
	// see ParseStatusWords).
	StatusWords *StatusWords

	mu          sync.Mutex         // guards stats, statsSeq and stats.listed
	stats       *corpusStats       // term statistics, computed on first use
	statsSeq    uint64             // numbers the statistics computed
	statsFlight singleflight.Group // statistics being made, by checkpoints
	answers     answerCache
	flights     cache.Flight[*livespec.Answer] // heavy answers being computed (answerOnce)
	files       versionCache[*currentSet, few[*currentSet]]
	vocab       versionCache[*factVocab, few[*factVocab]]
	lineages    versionCache[*lineage, factRows]          // fact lineages, by repositories and fields
	topics      versionCache[*topicMatch, topicBound]     // topic matches, by topic, repositories and statistics
	windows     versionCache[*windowFacts, windowBound]   // what reports read of a period, by period and repositories
	docTitles   versionCache[*docTitles, few[*docTitles]] // titles of the files answers named
}

var _ livespec.Asker = (*Assistant)(nil)

func (a *Assistant) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Assistant) sources() int {
	if a.Sources > 0 {
		return a.Sources
	}
	return DefaultSources
}

func (a *Assistant) generator() livespec.Generator {
	if a.Generator != nil {
		return a.Generator
	}
	return Extractive{}
}

// Ask answers req. The question must be non-empty and at most livespec.MaxQuestion
// characters (EINVALID otherwise). It is understood with req.Now (or the
// assistant's clock) for relative periods, then routed by intent: current
// and as-of questions search the sections valid now or then; changes
// questions read the change events of the window (the last 7 days when
// none is named); timeline questions tell the history of the topic. When
// onToken is non-nil the answer text is streamed to it.
func (a *Assistant) Ask(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error) {
	question := strings.TrimSpace(req.Question)
	switch {
	case question == "":
		return nil, livespec.Errorf(livespec.EINVALID, "the question is empty")
	case !utf8.ValidString(question):
		return nil, livespec.Errorf(livespec.EINVALID, "the question is not valid UTF-8")
	case utf8.RuneCountInString(question) > livespec.MaxQuestion:
		return nil, livespec.Errorf(livespec.EINVALID, "the question is too long (%d characters, at most %d)", utf8.RuneCountInString(question), livespec.MaxQuestion)
	}
	if a.Store == nil {
		return nil, livespec.Errorf(livespec.EINTERNAL, "retrieval: assistant has no store")
	}
	if err := a.checkRepos(ctx, req.Repos); err != nil {
		return nil, err
	}
	ctx, err := a.withCorpus(ctx)
	if err != nil {
		return nil, err
	}
	now := req.Now
	if now.IsZero() {
		now = a.now()
	}
	u := understand(question, now)
	topic := a.topic(question, u, req.History, now)
	if size, ok := a.answerCaching(); ok && onToken == nil {
		return a.cachedAnswer(ctx, size, question, u, topic, now, req.Repos)
	}
	if onToken == nil {
		return a.answerOnce(ctx, question, u, topic, now, req.Repos)
	}
	return a.answer(ctx, question, u, topic, now, req.Repos, onToken)
}

// cachedAnswer returns the kept answer to the question when the index and
// the statistics are as they were when it was computed, or computes it and
// keeps it if nothing was written meanwhile.
func (a *Assistant) cachedAnswer(ctx context.Context, size int, question string, u Understanding, topic string, now time.Time, repos []string) (*livespec.Answer, error) {
	stats, err := a.corpus(ctx)
	if err != nil {
		return nil, err
	}
	version, err := a.Store.DataVersion(ctx)
	if err != nil {
		return nil, storeError("read the index version", err)
	}
	key := a.answerKey(question, u, topic, now, repos, stats)
	if ans := a.answers.get(key, version); ans != nil {
		return ans, nil
	}
	ans, err := a.answerOnce(ctx, question, u, topic, now, repos)
	if err != nil {
		return nil, err
	}
	after, err := a.Store.DataVersion(ctx)
	a.mu.Lock()
	same := a.stats == stats
	a.mu.Unlock()
	if err == nil && after == version && same {
		a.answers.put(key, version, ans, size)
	}
	return ans, nil
}

// answer gathers the evidence for the understood question and has the
// generator phrase it.
func (a *Assistant) answer(ctx context.Context, question string, u Understanding, topic string, now time.Time, repos []string, onToken func(string) error) (*livespec.Answer, error) {
	asked := question
	fixes, err := a.corrections(ctx, question, topic, repos)
	if err != nil {
		return nil, err
	}
	if len(fixes) > 0 {
		question = applyCorrections(question, fixes)
		rest := u.rest
		u = Understand(question, now)
		u.rest = rest // notFound reads a named object as asked
		topic = applyCorrections(topic, fixes)
	}
	// Status questions are read as asked: their words are matched against
	// the facts the index holds, not corrected towards the text.
	sq, err := a.statusQuestion(ctx, asked, now, repos)
	if err != nil {
		return nil, err
	}
	thing := ""
	if sq == nil {
		if thing, err = a.namedThing(ctx, asked, u, topic, repos); err != nil {
			return nil, err
		}
		if ans, err := a.notFound(ctx, asked, u, topic, thing, repos, fixes); ans != nil || err != nil {
			return ans, err
		}
	}
	ev := &livespec.Evidence{Question: question, Intent: u.Intent, Window: u.Window, Topic: topic}
	if len(fixes) > 0 {
		ev.Notes = append(ev.Notes, correctionNote(fixes))
	}
	ev.Notes = append(ev.Notes, u.Problems...)
	if !u.AsOf.IsZero() {
		ev.AsOf = &livespec.Time{Time: u.AsOf}
	}
	if sq != nil {
		u.Intent, ev.Intent, ev.Topic = livespec.IntentStatus, livespec.IntentStatus, ""
		ev.Question, ev.Notes = asked, statusNotes(Understand(asked, now).Problems)
	}
	var g gathered
	switch u.Intent {
	case livespec.IntentStatus:
		g, err = a.statusEvidence(ctx, ev, sq, asked, now, repos)
	case livespec.IntentChanges:
		g, err = a.changesEvidence(ctx, ev, u, topic, now, repos)
	case livespec.IntentTimeline:
		g, err = a.timelineEvidence(ctx, ev, u, question, topic, now, repos)
	default:
		g, err = a.searchEvidence(ctx, ev, u, question, topic, applyCorrections(thing, fixes), repos)
	}
	if err != nil {
		return nil, err
	}
	excerptQuery := question
	if usefulTopic(topic) {
		excerptQuery = topic
	}
	seen := map[string]bool{}
	for _, v := range g.cited {
		if len(ev.Sources) >= a.sources() || seen[v.ID] {
			continue
		}
		seen[v.ID] = true
		ev.Sources = append(ev.Sources, Cite(v, len(ev.Sources)+1, excerptQuery, a.Permalink))
	}

	text, genName, err := a.generate(ctx, ev, onToken)
	if err != nil {
		return nil, err
	}
	embedder := NoEmbedder
	if a.Embedder != nil && !g.bm25Only {
		embedder = a.Embedder.ID()
	}
	return answerOf(asked, ev, g, text, livespec.ModelInfo{Embedder: embedder, Generator: genName}), nil
}

// gathered is what the evidence of one intent gives an answer beside the
// Evidence itself.
type gathered struct {
	cited     []livespec.Version
	found     bool
	firstSeen *livespec.FirstSeen
	subjects  []livespec.Subject
	bm25Only  bool // the search fell back to BM25 alone
}

// statusEvidence adds the facts a status question asks for to ev.
func (a *Assistant) statusEvidence(ctx context.Context, ev *livespec.Evidence, sq *statusQuery, asked string, now time.Time, repos []string) (gathered, error) {
	res, err := a.status(ctx, sq, asked, now, repos)
	if err != nil {
		return gathered{}, err
	}
	ev.Facts = res.facts
	ev.Notes = append(ev.Notes, res.notes...)
	return gathered{cited: res.cite, found: !res.notFound, subjects: []livespec.Subject{}}, nil
}

// changesEvidence adds the change ledger of the question's period to ev.
func (a *Assistant) changesEvidence(ctx context.Context, ev *livespec.Evidence, u Understanding, topic string, now time.Time, repos []string) (gathered, error) {
	res, err := a.ledger(ctx, u, topic, now, repos)
	if err != nil {
		return gathered{}, err
	}
	ev.Window = &res.window
	ev.Notes = append(ev.Notes, res.notes...)
	if !res.narrowed {
		ev.Topic = ""
	}
	for _, c := range res.changes {
		ev.Changes = append(ev.Changes, livespec.ChangeOf(c))
	}
	for _, c := range res.earlier {
		ev.Earlier = append(ev.Earlier, livespec.ChangeOf(c))
	}
	ev.Totals = res.totals
	ev.Quotes = res.quotes
	return gathered{cited: res.cite, found: true, subjects: res.subjects}, nil
}

// timelineEvidence adds the history of the question's topic to ev.
func (a *Assistant) timelineEvidence(ctx context.Context, ev *livespec.Evidence, u Understanding, question, topic string, now time.Time, repos []string) (gathered, error) {
	t := topic
	if !usefulTopic(t) {
		t = question
	}
	tl, res, err := a.timeline(ctx, livespec.TimelineQuery{Topic: t, Repos: repos, Window: u.Window, Now: now})
	if err != nil {
		return gathered{}, err
	}
	for _, e := range tl.Events {
		ev.Changes = append(ev.Changes, changeOfEvent(e))
	}
	if len(ev.Changes) > maxEvents {
		ev.Notes = append(ev.Notes, fmt.Sprintf("Only the first %d of %d events are listed.", maxEvents, len(ev.Changes)))
		ev.Changes = ev.Changes[:maxEvents]
	}
	if ev.Titles, err = a.titles(ctx, ev.Changes); err != nil {
		return gathered{}, err
	}
	g := gathered{cited: res.cite, found: true, firstSeen: res.first, subjects: res.subjects}
	switch {
	case len(ev.Changes) > 0:
	case u.Window != nil && len(res.cite) > 0:
		ev.Notes = append(ev.Notes, fmt.Sprintf("Nothing about %q changed in the period.", t))
	default:
		// The generator says what nothing matching means: the extractive
		// one in notFoundText's words, a model from its empty sources.
		g.found = len(res.cite) > 0
	}
	if res.first != nil && u.Window == nil && subjectPeriod.MatchString(u.Period) {
		ev.Notes = append(ev.Notes, fmt.Sprintf("Read %q as from %s, when it first appeared.", u.Period, dateOf(res.first.Date.Time)))
	}
	return g, nil
}

// searchEvidence finds the sections that answer a question about the
// spec now or as of a date. A question naming a thing (thing, see
// namedThing) is searched for the thing, and the sections naming it come
// first.
func (a *Assistant) searchEvidence(ctx context.Context, ev *livespec.Evidence, u Understanding, question, topic, thing string, repos []string) (gathered, error) {
	validity, text := livespec.Current(), question
	if u.Intent == livespec.IntentAsOf {
		if u.AsOf.IsZero() {
			ev.Intent = livespec.IntentCurrent
		} else {
			validity = livespec.AsOf(u.AsOf)
		}
		if usefulTopic(topic) {
			text = topic
		}
	}
	if topic != strings.TrimSpace(u.Topic) && text == question {
		text += " " + topic // a follow-up: the earlier turn's topic helps
	}
	if thing != "" {
		text = thing
	}
	cands, note, err := a.search(ctx, searchQuery{text: text, validity: validity, repos: repos, limit: a.sources(), naming: namingOf(thing)})
	if err != nil {
		return gathered{}, err
	}
	g := gathered{found: true, subjects: []livespec.Subject{}}
	if note != "" {
		ev.Notes = append(ev.Notes, note)
		g.bm25Only = true
	}
	for _, c := range cands {
		g.cited = append(g.cited, c.v)
	}
	if len(g.cited) == 0 {
		ev.Notes = append(ev.Notes, "Nothing in the specs matches the question.")
	}
	return g, nil
}

// answerOf is the answer to asked from ev, g and the generated text; empty
// lists are empty, not null.
func answerOf(asked string, ev *livespec.Evidence, g gathered, text string, model livespec.ModelInfo) *livespec.Answer {
	ans := &livespec.Answer{
		Question:  asked,
		Intent:    ev.Intent,
		Found:     g.found,
		Subjects:  g.subjects,
		FirstSeen: g.firstSeen,
		Window:    ev.Window,
		Answer:    text,
		Citations: ev.Sources,
		Changes:   ev.Changes,
		Totals:    ev.Totals,
		Facts:     ev.Facts,
		Model:     model,
	}
	if ev.AsOf != nil {
		ans.AsOf = *ev.AsOf
	}
	if ans.Citations == nil {
		ans.Citations = []livespec.Citation{}
	}
	if ans.Changes == nil {
		ans.Changes = []livespec.AnswerChange{}
	}
	if ans.Facts == nil {
		ans.Facts = []livespec.AnswerFact{}
	}
	if ans.Subjects == nil {
		ans.Subjects = []livespec.Subject{}
	}
	return ans
}

// checkRepos returns ENOTFOUND for a repository the index does not hold.
func (a *Assistant) checkRepos(ctx context.Context, repos []string) error {
	for _, r := range repos {
		if _, err := a.Store.Checkpoint(ctx, r); err != nil {
			if livespec.ErrorCode(err) == livespec.ENOTFOUND {
				return livespec.Errorf(livespec.ENOTFOUND, "no repository %q in the index", r)
			}
			return storeError("read checkpoint", err)
		}
	}
	return nil
}

// Warm compiles the expressions that read a question (warmReading),
// computes the term statistics that topic questions (timelines, changes
// about a topic) need, has the store read ahead what its searches need
// (livespec.Warmer), keeps the title of every file (warmTitles) and the
// lineage of every lifecycle field (warmLineages) and analyses the
// versions topic pools read (warmAnalyses), so that the first questions
// do not pay for them.
// Servers call it at start; it is optional.
func (a *Assistant) Warm(ctx context.Context) error {
	warmReading()
	if _, err := a.corpus(ctx); err != nil {
		return err
	}
	if err := a.Store.Warm(ctx); err != nil {
		return storeError("warm", err)
	}
	if err := a.warmTitles(ctx); err != nil {
		return err
	}
	if err := a.warmLineages(ctx); err != nil {
		return err
	}
	return a.warmAnalyses(ctx)
}

// generate has the generator phrase the evidence. When it fails before
// producing any text (a model server down), the extractive generator
// stands in and a note says so; a failure mid-stream is returned.
func (a *Assistant) generate(ctx context.Context, ev *livespec.Evidence, onToken func(string) error) (string, string, error) {
	g := a.generator()
	streamed := false
	var sinkErr error
	tok := onToken
	if onToken != nil {
		tok = func(s string) error {
			streamed = true
			if err := onToken(s); err != nil {
				sinkErr = err
				return err
			}
			return nil
		}
	}
	text, err := g.Generate(ctx, ev, tok)
	if err == nil {
		return text, g.Name(), nil
	}
	if sinkErr != nil && errors.Is(err, sinkErr) || ctx.Err() != nil || streamed {
		return "", "", fmt.Errorf("retrieval: generate: %w", err)
	}
	if _, ok := g.(Extractive); ok {
		return "", "", fmt.Errorf("retrieval: generate: %w", err)
	}
	a.logFallback(ctx, "the language model failed; answering with the extractive generator", g.Name(), err)
	ev.Notes = append(ev.Notes, fmt.Sprintf("The language model (%s) was unavailable, so this answer lists the evidence as found.", g.Name()))
	fb := Extractive{}
	text, err = fb.Generate(ctx, ev, onToken)
	if err != nil {
		return "", "", fmt.Errorf("retrieval: generate: %w", err)
	}
	return text, fb.Name(), nil
}

// referenceWords mark a follow-up question that refers to an earlier turn.
var referenceWords = lexSet(`it its that this they them those these there`)

// topic returns the topic of the question, or, for a follow-up that names
// none of its own ("when did that change?"), the topic of the latest
// earlier turn that had one.
func (a *Assistant) topic(question string, u Understanding, history []livespec.Turn, now time.Time) string {
	topic := strings.TrimSpace(u.Topic)
	if len(history) == 0 {
		return topic
	}
	refers := false
	for _, t := range lex.Tokens(question) {
		if referenceWords[t.Word] {
			refers = true
			break
		}
	}
	if usefulTopic(topic) && !refers {
		return topic
	}
	if !refers && u.Intent == livespec.IntentChanges {
		return topic
	}
	for i := len(history) - 1; i >= 0; i-- {
		prev := Understand(history[i].Question, now).Topic
		if usefulTopic(prev) {
			if usefulTopic(topic) {
				return topic + " " + prev
			}
			return prev
		}
	}
	return topic
}

// changeOfEvent converts a timeline event to its answer form.
func changeOfEvent(e livespec.TimelineEvent) livespec.AnswerChange {
	return livespec.AnswerChange{
		Repo: e.Repo, Commit: e.Commit, Date: e.Date, Author: e.Author, Message: e.Message,
		Path: e.Path, OldPath: e.OldPath, Heading: livespec.AnswerHeading(e.Heading, e.Level == livespec.LevelSection),
		Level: e.Level, Kind: e.Kind, Summary: e.Summary, Editorial: e.Editorial,
	}
}

// logFallback logs that model failed with err and the answer fell back.
func (a *Assistant) logFallback(ctx context.Context, msg, model string, err error) {
	if a.Logger != nil {
		a.Logger.WarnContext(ctx, "retrieval: "+msg, "model", model, "err", err.Error())
	}
}

// notFound returns the answer to a question about something no version of
// the specs mentions (see topicPresence), or nil when the question's topic
// appears somewhere. Questions about changes in a period, and questions
// without a topic, are never "not found".
func (a *Assistant) notFound(ctx context.Context, question string, u Understanding, topic, thing string, repos []string, fixes []correction) (*livespec.Answer, error) {
	t := topic
	switch {
	case u.Intent == livespec.IntentChanges:
		return nil, nil
	case !usefulTopic(t) && u.Intent == livespec.IntentTimeline:
		t = question
	case !usefulTopic(t):
		return nil, nil
	}
	if doc, err := a.resolveDocument(ctx, t, repos); err != nil || doc != nil {
		return nil, err // a document named by path or number is there
	}
	// A timeline's own topic is read strictly; one carried over from an
	// earlier turn of a conversation keeps that turn's question words.
	// A topic phrased as a question ("does checkout support coupons")
	// keeps its verbs, read leniently too.
	strict := strictTopic(question, u, topic, t)
	named := thing != ""
	if named {
		t = thing
	}
	if !strict && !named {
		t = withoutPredicate(u.rest, t)
	}
	p, err := a.topicPresence(ctx, question, t, repos, strict, named)
	if err != nil || p.found {
		return nil, err
	}
	sugg, err := a.suggestions(ctx, p.missing)
	if err != nil {
		return nil, err
	}
	what := t
	if len(p.missing) > 0 {
		ws := make([]string, len(p.missing))
		for i, w := range p.missing {
			ws[i] = asWritten(t, w)
		}
		what = joinOr(ws, "or")
	}
	text := notFoundText(what, sugg)
	if len(fixes) > 0 {
		text = correctionNote(fixes) + " " + text
	}
	embedder := NoEmbedder
	if a.Embedder != nil {
		embedder = a.Embedder.ID()
	}
	ans := &livespec.Answer{
		Question: question, Intent: u.Intent, Window: u.Window, Answer: text,
		Subjects: []livespec.Subject{}, Citations: []livespec.Citation{}, Changes: []livespec.AnswerChange{},
		Facts: []livespec.AnswerFact{}, Model: livespec.ModelInfo{Embedder: embedder, Generator: a.generator().Name()},
	}
	if !u.AsOf.IsZero() {
		ans.AsOf = livespec.Time{Time: u.AsOf}
	}
	return ans, nil
}

// strictTopic reports whether t, the topic a question about topic is
// checked for, is read strictly: a timeline's own topic is; one carried
// over from an earlier turn of a conversation keeps that turn's question
// words, and one phrased as a question ("does checkout support coupons")
// keeps its verbs, read leniently.
func strictTopic(question string, u Understanding, topic, t string) bool {
	return u.Intent == livespec.IntentTimeline && topic == strings.TrimSpace(u.Topic) && !isClause(question, t)
}

// namedThing returns the thing the question names as what it asks about
// (see namedObject), or "": a question about changes, a timeline read
// strictly, a topic carried over from an earlier turn and a question
// without a topic name none.
func (a *Assistant) namedThing(ctx context.Context, question string, u Understanding, topic string, repos []string) (string, error) {
	t := topic
	switch {
	case u.Intent == livespec.IntentChanges:
		return "", nil
	case !usefulTopic(t) && u.Intent == livespec.IntentTimeline:
		t = question
	case !usefulTopic(t):
		return "", nil
	}
	if strictTopic(question, u, topic, t) || topic != strings.TrimSpace(u.Topic) {
		return "", nil
	}
	obj, ok, err := a.namedObject(ctx, u.rest, repos)
	if err != nil || !ok {
		return "", err
	}
	return obj, nil
}

// predicateQuestion is a question about how its subject is done or is:
// "how are refunds handled", "why is the cache invalidated". Its last word,
// a plain lower-case word, is the predicate asked about the subject.
// predicatePhrase is one whose predicate, a participle ("handled",
// "written"), is followed by a phrase a preposition opens: "how are
// refunds handled in the spec".
var (
	predicateQuestion = regexp.MustCompile(`^\s*(?i:how|why|when|where)\s+(?i:is|are|was|were)\s+\S.*?\s([a-z]+)[\s?.!]*$`)
	predicatePhrase   = regexp.MustCompile(`^\s*(?i:how|why|when|where)\s+(?i:is|are|was|were)\s+\S.*?\s([a-z]+(?:ed|en))\s+(?:in|for|by|on|at|with|within|under|during|across|from|to|via|through|between|among|per|after|before)\s`)
)

// withoutPredicate returns topic without the predicate of a question that
// asks how its subject is done (see predicatePhrase, predicateQuestion):
// the predicate says what is asked about the subject, so whether the
// subject appears decides whether the question is about something the
// specs hold. What follows the predicate ("in GraphQL") stays. rest is
// the question without its period phrases.
func withoutPredicate(rest, topic string) string {
	m := predicatePhrase.FindStringSubmatch(rest)
	if m == nil {
		m = predicateQuestion.FindStringSubmatch(rest)
	}
	if m == nil {
		return topic
	}
	words := strings.Fields(topic)
	for i := len(words) - 1; i > 0; i-- {
		if words[i] == m[1] {
			return strings.Join(slices.Delete(words, i, i+1), " ")
		}
	}
	return topic
}

// asWritten returns w as text writes it (w is lower case), or w.
func asWritten(text, w string) string {
	if i := strings.Index(strings.ToLower(text), w); i >= 0 && len(strings.ToLower(text)) == len(text) {
		return text[i : i+len(w)]
	}
	return w
}

// isClause reports whether the question asks about its topic as a
// question clause ("history of does checkout support coupons"): an
// auxiliary verb right before the topic's first word, which matches
// case-insensitively (as (?i) does) and ends at a word boundary. It runs
// one fixed expression (clauseLead) on the text before each place the
// word is found, not an expression compiled for the word.
func isClause(question, topic string) bool {
	f := strings.Fields(topic)
	if len(f) == 0 || !utf8.ValidString(f[0]) {
		return false // an expression of invalid UTF-8 does not compile
	}
	for p := 1; p < len(question); p++ {
		if reSpace(question[p-1]) && !reSpace(question[p]) && foldedWordAt(question, p, f[0]) && clauseLead.MatchString(question[:p]) {
			return true
		}
	}
	return false
}

// clauseLead is an auxiliary verb at the start of a text or after "of",
// and the spaces after it, ending the text.
var clauseLead = regexp.MustCompile(`(?i)(?:^|\bof\s+)(?:do|does|did|is|are|was|were|can|could|will|would|should|has|have|had)\s+$`)

// reSpace reports whether b is a space as \s reads one.
func reSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r' }

// foldedWordAt reports whether s holds w at byte p, each rune equal to
// w's or in its simple case-folding orbit (as (?i) matches a literal, an
// invalid byte reading as U+FFFD), followed by a word boundary (\b: a
// change between an ASCII word byte and anything else).
func foldedWordAt(s string, p int, w string) bool {
	for _, r := range w {
		if p >= len(s) {
			return false
		}
		q, size := utf8.DecodeRuneInString(s[p:])
		if q != r && !sameFold(r, q) {
			return false
		}
		p += size
	}
	return wordByte(s[p-1]) != (p < len(s) && wordByte(s[p]))
}

// sameFold reports whether q is in r's simple case-folding orbit.
func sameFold(r, q rune) bool {
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f == q {
			return true
		}
	}
	return false
}

// wordByte reports whether b is a word byte as \b reads one.
func wordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_'
}

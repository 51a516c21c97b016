package retrieval

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// DefaultSynonyms are the status words a question may use for values a
// repository spells otherwise. A word (or phrase) of a question that no
// fact value of the index contains stands for those of its synonyms that
// some value does contain: "GA" finds `stage: stable` only in a repository
// that says "stable". Words the index holds are taken as they are.
var DefaultSynonyms = map[string][]string{
	"ga":                  {"stable", "ga", "generally available", "graduated"},
	"generally available": {"stable", "ga", "generally available", "graduated"},
	"graduated":           {"stable", "ga", "generally available", "graduated"},
	"stable":              {"stable", "ga", "generally available", "graduated"},
	"shipped":             {"released", "shipped", "stable", "implemented", "ga", "done", "completed"},
	"released":            {"released", "shipped", "stable", "implemented", "ga", "done", "completed"},
	"landed":              {"released", "shipped", "stable", "implemented", "ga", "done", "completed"},
	"delivered":           {"released", "shipped", "stable", "implemented", "ga", "done", "completed"},
	"implemented":         {"implemented", "stable", "released", "done", "completed", "final"},
	"done":                {"done", "completed", "implemented", "final"},
	"accepted":            {"accepted", "approved", "implementable", "agreed"},
	"approved":            {"accepted", "approved", "implementable", "agreed"},
	"rejected":            {"rejected", "declined"},
	"declined":            {"rejected", "declined"},
	"withdrawn":           {"withdrawn", "abandoned", "retracted"},
	"abandoned":           {"withdrawn", "abandoned", "retracted"},
	"under review":        {"under review", "in review", "under consideration", "review", "public discussion", "proposed", "provisional"},
	"in review":           {"under review", "in review", "under consideration", "review", "public discussion", "proposed", "provisional"},
	"under consideration": {"under review", "in review", "under consideration", "review", "public discussion", "proposed", "provisional"},
	"reviewed":            {"under review", "in review", "under consideration", "review", "public discussion"},
	"deprecated":          {"deprecated", "obsolete", "superseded", "replaced"},
	"obsolete":            {"deprecated", "obsolete", "superseded", "replaced"},
	"superseded":          {"superseded", "replaced", "obsolete"},
	"deferred":            {"deferred", "postponed", "on hold", "dormant"},
	"postponed":           {"deferred", "postponed", "on hold", "dormant"},
	"draft":               {"draft", "wip", "work in progress"},
	"experimental":        {"experimental", "preview"},
	"preview":             {"preview", "experimental", "beta"},
	"alpha":               {"alpha", "experimental"},
	"beta":                {"beta", "preview"},
}

// factVocab is what the index holds: per field, how many fact versions
// carry it and the word stems of its values.
type factVocab struct {
	fields map[string]*fieldVocab
}

type fieldVocab struct {
	name     string
	versions int
	values   [][]string      // stems of each distinct value
	stems    map[string]bool // stems of the first two words of its values: the words that say a state
	// categorical: a lifecycle field (see StatusWords.Lifecycle).
	categorical bool
}

// buildVocab reads the distinct (field, value) pairs; words says which
// fields hold a lifecycle.
func buildVocab(vals []livespec.FactValue, words StatusWords) *factVocab {
	v := &factVocab{fields: map[string]*fieldVocab{}}
	for _, fv := range vals {
		f := v.fields[fv.Field]
		if f == nil {
			f = &fieldVocab{name: fv.Field, stems: map[string]bool{}}
			v.fields[fv.Field] = f
		}
		f.versions += fv.Count
		st := valueStems(fv.Value)
		f.values = append(f.values, st)
		// The words that say a state lead a short value ("Stable in 1.1",
		// "Under consideration"); a long one is prose.
		if len(st) <= 6 {
			heads := slices.DeleteFunc(slices.Clone(st), func(w string) bool { return isNumber(w) || statusStop[w] })
			for _, s := range heads[:min(2, len(heads))] {
				f.stems[s] = true
			}
		}
	}
	for name, f := range v.fields {
		f.categorical = words.Lifecycle(name)
	}
	return v
}

// wordRE finds words, keeping release numbers ("2.3"), identifiers
// ("KEEP-0135") and file names whole.
var wordRE = regexp.MustCompile(`[\p{L}\p{N}]+(?:[.\-_/][\p{L}\p{N}]+)*`)

// valueStems returns the folded words (valueWord) of a value, in order.
func valueStems(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out = append(out, valueWord(w))
	}
	return out
}

// valueWord folds a word of a value or a question for matching values:
// lower case, a plural "s" dropped ("drafts" meets "draft"). No stemming:
// "proposal" must not meet "proposed", nor "stabilization" "stable";
// synonyms bridge the words a repository spells otherwise.
func valueWord(w string) string {
	w = strings.ToLower(w)
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		return w[:len(w)-1]
	}
	return w
}

// hasPhrase reports whether the stems of phrase occur in value in order
// and next to each other.
func hasPhrase(value, phrase []string) bool {
	if len(phrase) == 0 {
		return false
	}
	for i := 0; i+len(phrase) <= len(value); i++ {
		if slices.Equal(value[i:i+len(phrase)], phrase) {
			return true
		}
	}
	return false
}

// statusQuery is a status question as understood against the vocabulary.
type statusQuery struct {
	fields  []string   // the fields asked about
	named   []string   // those the question names ("status of")
	values  [][]string // alternatives: a fact matches when its value holds one of these stem phrases
	words   []string   // the value words as asked, for the answer
	release string     // a release number the value must name, or ""
	list    bool       // which documents (else: one document's status)
	subject []string   // the question words left for finding the document (status of one)
	ids     []int      // numbers naming a document ("KEEP-0135", "KEP 1234")
	names   []string   // file names named
	weak    bool       // a yes/no question whose document its path words must name
}

var (
	listLead = regexp.MustCompile(`(?i)^\s*(?:(?:so|and|ok|please)\s+)?(?:which|list|show|name|how\s+many|count|what\s+(?:went|got|became|shipped|moved|reached|graduated|was\s+\w+ed|were|are|is\s+(?:still|currently|now)|has\s+been|have\s+been))\b`)
	yesNo    = regexp.MustCompile(`(?i)^\s*(?:is|are|was|were|has|have|had|did|does|do)\b`)
	ofField  = regexp.MustCompile(`(?i)\b(?:status|stage|state|phase|maturity)\b`)
	releaseQ = regexp.MustCompile(`^v?\d+\.\d+(?:\.\d+)?(?:-[a-z][\w.]*)?$`)
	idWord   = regexp.MustCompile(`(?i)^(?:[a-z]{2,6}-)?0*(\d{1,5})(?:-.*)?$`)
)

// statusStop are question words that never name a value or a document.
var statusStop = lex.WordSet(`a an the of in on at to for by from with and or is are was were be been being has have had do does did
	which what whose who list show name how many count there their its it this that these those any all some
	still currently now yet today ever went go goes got get became become reached reach moved move marked mark promoted
	set turned changed change enter entered made since when status stage state phase maturity value field
	according lines line say says said fully partially between during until till after before as end beginning
	start q1 q2 q3 q4 quarter month year week day days weeks months years`)

// changeWords are what the changes and timeline intents ask about; alone
// they do not make a status question.
var changeWords = lex.WordSet(`changed change added add removed remove updated update modified modify edited edit new touched
	renamed rename introduced introduce deleted delete`)

// parseStatus reads a question as a status question, or returns nil. A
// status question names a field the index holds ("status", "stage") or a
// value some categorical field holds ("accepted", or a synonym of one),
// and either asks which documents ("which proposals were accepted in Q2?")
// or asks about one document's field ("what is the status of KEP-1234?").
func parseStatus(question string, now time.Time, v *factVocab, synonyms map[string][]string) *statusQuery {
	if v == nil || len(v.fields) == 0 {
		return nil
	}
	q := strings.Join(strings.Fields(question), " ")
	wording := blankTimePhrases(q, now)
	sq := &statusQuery{list: listLead.MatchString(strings.TrimLeft(wording, " ,;:"))}
	toks := sq.readWords(wording)
	if sq.list {
		toks = dropListSubject(toks)
	}
	rest := statusValues{v: v, synonyms: synonyms, sq: sq}.read(toks)
	named := namedFields(v, rest, wording)
	sq.addFields(v, named)
	sq.subject = slices.DeleteFunc(rest, func(w string) bool { return statusStop[w] || len(w) < 2 })
	switch {
	case len(sq.fields) == 0:
		return nil
	case sq.list && (len(sq.values) > 0 || sq.release != ""):
		return sq
	case !sq.list && len(named) > 0 && (len(sq.subject) > 0 || len(sq.ids) > 0 || len(sq.names) > 0):
		return sq
	case !sq.list && len(sq.values) > 0 && (len(sq.ids) > 0 || len(sq.names) > 0):
		// "is KEP-1234 beta yet?"
		return sq
	case !sq.list && len(sq.values) > 0 && yesNo.MatchString(q) && len(sq.subject) > 0:
		// "is the X feature stable?": only when the words name a
		// document by its path (see Assistant.statusQuestion).
		sq.weak = true
		return sq
	}
	return nil
}

// blankTimePhrases returns q with its time phrases ("in Q2", "since
// March") blanked out, at the same length.
func blankTimePhrases(q string, now time.Time) string {
	blank := []byte(q)
	for _, p := range findPhrases(q, now) {
		for i := p.start; i < p.end && i < len(blank); i++ {
			blank[i] = ' '
		}
	}
	return string(blank)
}

// readWords reads the words of wording: a release ("v1.30"), file names
// and document ids go to sq; the other words are returned, lower case.
func (sq *statusQuery) readWords(wording string) []string {
	var toks []string
	for _, w := range wordRE.FindAllString(strings.ToLower(wording), -1) {
		w = strings.Trim(w, ".-_/")
		switch {
		case releaseQ.MatchString(w):
			if sq.release == "" {
				sq.release = strings.TrimPrefix(w, "v")
			}
			continue
		case strings.HasSuffix(w, ".md") || strings.HasSuffix(w, ".markdown"):
			sq.names = append(sq.names, w)
			continue
		}
		if m := idWord.FindStringSubmatch(w); m != nil && (strings.Contains(w, "-") || len(w) <= 5) && !isYear(w) {
			if n, err := strconv.Atoi(m[1]); err == nil {
				sq.ids = append(sq.ids, n)
			}
			if !strings.Contains(w, "-") {
				continue
			}
		}
		toks = append(toks, w)
	}
	return toks
}

// statusValues finds, among a question's words, the values (or synonyms
// of values) that a categorical field of the index holds.
type statusValues struct {
	v        *factVocab
	synonyms map[string][]string
	sq       *statusQuery // gets the values found
}

func (r statusValues) categorical(fn func(*fieldVocab) bool) bool {
	for _, f := range r.v.fields {
		if f.categorical && fn(f) {
			return true
		}
	}
	return false
}

// held reports whether a categorical field holds the value phrase.
func (r statusValues) held(phrase []string) bool {
	return r.categorical(func(f *fieldVocab) bool {
		return slices.ContainsFunc(f.values, func(val []string) bool { return hasPhrase(val, phrase) })
	})
}

// candidate reports whether w may start a value: a synonym key or the
// stem of a value word, not a stop word or a change word.
func (r statusValues) candidate(w string) bool {
	if statusStop[w] || changeWords[w] {
		return false
	}
	if _, ok := r.synonyms[w]; ok {
		return true
	}
	st := valueWord(w)
	return r.categorical(func(f *fieldVocab) bool { return f.stems[st] })
}

// add records words as a value asked when a field holds it, or holds one
// of its synonyms; it reports whether one was.
func (r statusValues) add(words []string) bool {
	phrase := make([]string, len(words))
	for i, w := range words {
		phrase[i] = valueWord(w)
	}
	text := strings.Join(words, " ")
	if r.held(phrase) {
		r.sq.values = append(r.sq.values, phrase)
		r.sq.words = append(r.sq.words, text)
		return true
	}
	found := false
	for _, syn := range r.synonyms[text] {
		st := valueStems(syn)
		if r.held(st) {
			r.sq.values = append(r.sq.values, st)
			found = true
		}
	}
	if found {
		r.sq.words = append(r.sq.words, text)
	}
	return found
}

// read records the values toks ask for and returns the other words.
func (r statusValues) read(toks []string) []string {
	var rest []string
	for i := 0; i < len(toks); {
		if n := synonymLen(toks, i, r.synonyms); n > 1 && r.add(toks[i:i+n]) {
			i += n // "under review", "generally available"
			continue
		}
		if !r.candidate(toks[i]) {
			rest = append(rest, toks[i])
			i++
			continue
		}
		// The longest phrase from here that a value holds: "under
		// consideration", "public discussion".
		j := i + 1
		for j < len(toks) && r.held(valueStems(strings.Join(toks[i:j+1], " "))) {
			j++
		}
		if !r.add(toks[i:j]) {
			rest = append(rest, toks[i:j]...)
		}
		i = j
	}
	return rest
}

// namedFields are the categorical fields the question names: by their
// name among rest, else by a lifecycle word of wording ("status",
// "stage") that is a word of their name ("status" asked, "release status"
// held).
func namedFields(v *factVocab, rest []string, wording string) map[string]bool {
	named := map[string]bool{}
	for name, f := range v.fields {
		if f.categorical && containsWords(rest, strings.Fields(name)) {
			named[name] = true
		}
	}
	if len(named) > 0 {
		return named
	}
	for _, w := range ofField.FindAllString(strings.ToLower(wording), -1) {
		for name, f := range v.fields {
			if f.categorical && slices.Contains(strings.Fields(name), w) {
				named[name] = true
			}
		}
	}
	return named
}

// addFields sets the fields asked about: those named, else also those
// whose values hold the value words asked.
func (sq *statusQuery) addFields(v *factVocab, named map[string]bool) {
	for name := range named {
		sq.named = append(sq.named, name)
	}
	slices.Sort(sq.named)
	sq.fields = slices.Clone(sq.named)
	if len(sq.values) > 0 && !slices.ContainsFunc(sq.named, func(n string) bool { return fieldHolds(v.fields[n], sq.values) }) {
		// "what is the status of KEP-1234 and when did it reach beta?":
		// beta is a value of another field (stage).
		for _, f := range fieldsHolding(v, sq.values) {
			if !slices.Contains(sq.fields, f) {
				sq.fields = append(sq.fields, f)
			}
		}
	}
}

func isYear(w string) bool {
	n, err := strconv.Atoi(w)
	return err == nil && len(w) == 4 && n >= 1970 && n <= 2100
}

// synonymLen returns the length in words of the longest synonym key
// starting at toks[i], or 0.
func synonymLen(toks []string, i int, synonyms map[string][]string) int {
	n := 0
	for k := range synonyms {
		n = max(n, wordsAt(toks, i, k))
	}
	return n
}

// wordsAt returns how many words k has when toks from i start with them
// all, else 0. It reads k's words in place: it is asked of every synonym
// at every word of every question.
func wordsAt(toks []string, i int, k string) int {
	m := 0
	for w := range strings.FieldsSeq(k) {
		if i+m >= len(toks) || toks[i+m] != w {
			return 0
		}
		m++
	}
	return m
}

// dropListSubject removes what a list question asks for ("which KEEP
// proposals were ..."): the words between the question word and the verb.
func dropListSubject(toks []string) []string {
	lead := map[string]bool{"which": true, "what": true, "list": true, "show": true, "name": true, "many": true, "count": true}
	verbs := lex.WordSet(`is are was were has have had did do does went go got became become reached moved shipped graduated
		landed entered hit made marked promoted turned currently still now`)
	for i, w := range toks {
		if !lead[w] {
			continue
		}
		j := i + 1
		for j < len(toks) && !verbs[toks[j]] {
			j++
		}
		if j < len(toks) {
			return append(slices.Clone(toks[:i+1]), toks[j:]...)
		}
		return toks
	}
	return toks
}

func containsWords(toks, words []string) bool {
	for i := 0; i+len(words) <= len(toks); i++ {
		if slices.Equal(toks[i:i+len(words)], words) {
			return true
		}
	}
	return false
}

// fieldsHolding returns the categorical fields whose values hold one of
// the alternatives, the most used first kept only: questions name one
// field.
func fieldsHolding(v *factVocab, alts [][]string) []string {
	best, bestN := "", 0
	for name, f := range v.fields {
		if !f.categorical {
			continue
		}
		n := 0
		for _, val := range f.values {
			if slices.ContainsFunc(alts, func(a []string) bool { return hasPhrase(val, a) }) {
				n++
			}
		}
		if n > bestN || n == bestN && n > 0 && (f.versions > v.fields[best].versions || f.versions == v.fields[best].versions && name < best) {
			best, bestN = name, n
		}
	}
	if bestN == 0 {
		return nil
	}
	return []string{best}
}

// fieldHolds reports whether one of f's values holds one of alts.
func fieldHolds(f *fieldVocab, alts [][]string) bool {
	return f != nil && slices.ContainsFunc(f.values, func(val []string) bool {
		return slices.ContainsFunc(alts, func(a []string) bool { return hasPhrase(val, a) })
	})
}

// matches reports whether a fact value satisfies the query's values and
// release.
func (sq *statusQuery) matches(value, release string) bool {
	if value == "" {
		return false
	}
	if len(sq.values) > 0 {
		st := valueStems(value)
		if !slices.ContainsFunc(sq.values, func(a []string) bool { return hasPhrase(st, a) }) {
			return false
		}
	}
	if sq.release != "" && !namesRelease(value, sq.release) {
		return false
	}
	return true
}

var releaseAny = regexp.MustCompile(`\d+\.\d+(?:\.\d+)?`)

// namesRelease reports whether value names release rel or one of its
// patch releases ("1.4" matches "1.4", "1.4.0", "1.4.30", not "1.40").
func namesRelease(value, rel string) bool {
	for _, r := range releaseAny.FindAllString(value, -1) {
		if r == rel || strings.HasPrefix(r, rel+".") {
			return true
		}
	}
	return false
}

// dropValues removes the value alternatives drop says to, with the words
// they came from when none is left.
func (sq *statusQuery) dropValues(drop func([]string) bool) {
	sq.values = slices.DeleteFunc(sq.values, drop)
	if len(sq.values) == 0 {
		sq.words = nil
	}
}

package retrieval

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// Understanding is what Understand makes of a question.
type Understanding struct {
	Intent livespec.Intent // current (default), as_of, changes, timeline
	// Window is the changes/timeline period, half-open [From, To) on whole
	// UTC days; nil when the question names no period (the caller picks a
	// default).
	Window *livespec.Window
	// AsOf is, for as_of, the last instant (23:59:59 UTC) of the named day,
	// month or year, so "as of June 1, 2024" includes what landed on June 1.
	AsOf time.Time
	// Topic is the subject with question words, intent words and the period
	// removed ("what changed in authentication this quarter" →
	// "authentication"); "" when the question is about the spec as a whole.
	Topic string
	// Period is the period phrase as written ("this quarter"), "" if none.
	Period string
	// Problems says what could not be understood, e.g. `could not
	// understand the period "the other day"`. Understand never guesses
	// silently.
	Problems []string
	// rest is the question with its period phrases blanked out, as
	// Topic is read from it: what the question asks about, without when.
	rest string
}

// Intent patterns. Timeline wins over changes ("how has X changed"), and
// changes over as-of.
var (
	timelineRes = []foldRe{
		mustFold(`(?i)(?:^|[^\w\s]\s*|\b(?:and|but|so|then|exactly|precisely)\s+)when\s+(?:was|were|did|has|have|had)\b`),
		mustFold(`(?i)\b(?:first|originally|initially)\s+(?:introduced|added|described|mentioned|appeared|appear|proposed|defined|documented|specified|created|written|published)\b`),
		mustFold(`(?i)\bhow\s+(?:has|have|did|had)\b.*\b(?:evolv\w*|chang\w*|develop\w*|grow\w*|grew|shift\w*|progress\w*)\b`),
		mustFold(`(?i)\b(?:history|evolution|timeline)\s+(?:of|for)\b`),
		mustFold(`(?i)\bwhat\s+(?:has\s+|had\s+)?happened\s+(?:to|with)\b`),
		mustFold(`(?i)\bover\s+time\b`),
	}
	changesRes = []foldRe{
		mustFold(`(?i)\bwhat\s*(?:'s|’s|\s+is|\s+are|\s+was|\s+were|\s+has|\s+have|\s+had|\s+did|\s+got)?\s*(?:been\s+|got\s+)?(?:changed|new|added|removed|updated|modified|deprecated|dropped|deleted|renamed|introduced|edited|revised|rewritten)\b`),
		mustFold(`(?i)\b(?:which|what|any)\s+(?:specs?|files?|sections?|documents?|docs?|parts?|pages?|requirements?|proposals?)\s+(?:have\s+been\s+|has\s+been\s+|were\s+|was\s+|have\s+|has\s+|got\s+)?(?:changed|added|removed|updated|modified|edited|touched|deleted|renamed|introduced)\b`),
		mustFold(`(?i)\bchange\s*logs?\b|\brelease\s+notes\b|\bwhat(?:'s|’s|\s+is)\s+different\b`),
		mustFold(`(?i)\b(?:changes|updates|edits|modifications|additions|removals)\s+(?:were\s+|have\s+been\s+|has\s+been\s+)?(?:in|to|since|during|between|from|over|for|made|of|this|last|landed)\b`),
		mustFold(`(?i)^\s*(?:please\s+)?(?:list|show|summari[sz]e|give|tell|report)\b.*\b(?:changes|updates|edits|changelog)\b`),
		mustFold(`(?i)\b(?:any|recent|latest)\s+(?:changes|updates|edits)\b`),
		mustFold(`(?i)\bwhat\s+(?:changes|updates|edits)\b`),
		mustFold(`(?i)\b(?:did|has|have)\s+(?:anything|something|much)\s+(?:change|changed)\b`),
	}
	asOfRes = []foldRe{
		mustFold(`(?i)\bwhat\s+(?:did|was|were)\b.*\b(?:say|said|state|specify|require|look\s+like|describe|mean|list|read)\b`),
		mustFold(`(?i)\bat\s+the\s+time\b`),
	}
	// eventVerb is a past-tense verb of something that happened to a
	// spec ("which RFCs were accepted in 2019").
	eventVerb = regexp.MustCompile(`(?i)\b(?:added|removed|accepted|merged|graduated|promoted|introduced|deprecated|created|published|released|landed|proposed|renamed|updated|changed|modified|edited|approved|rejected|dropped|deleted|moved|withdrawn|postponed|closed|implemented|stabili[sz]ed|revised|rewritten|retired|replaced|superseded|shipped|launched|fixed|clarified|touched)\b` +
		`|\b(?:did|has|have)\b.{0,60}?\b(?:ship|add|remove|change|update|modify|deprecate|drop|delete|rename|introduce|accept|merge|graduate|release|publish|land|edit|revise|fix|launch|clarify)\b`)
	// uncertainPeriod catches period-like phrases that no rule understood.
	uncertainPeriod = regexp.MustCompile(`(?i)\b(since|as\s+of|as\s+at|between|during|after|before|until|till|prior\s+to)\s+([^?!,;:()]+)`)
)

// subjectPeriod is a period phrase tied to the subject's own life ("since
// it was added", "since its creation", "over its lifetime"): it runs from
// the subject's first appearance, which the answer says.
var subjectPeriod = regexp.MustCompile(`(?i)^since\s+(?:it|they|this|that|these|those|its|their)\b|\b(?:its|their)\s+(?:whole\s+|entire\s+)?(?:lifetime|life|existence|history)\b`)

func matchAny(res []foldRe, s string) bool {
	ls, ascii := foldText(s)
	for _, re := range res {
		if re.match(s, ls, ascii) {
			return true
		}
	}
	return false
}

// foldRe is a case-insensitive expression, written (?i) first, that is
// matched in a text of ASCII alone by the same expression without (?i)
// in the text lower-cased: the same matches, without folding the case of
// every character tried, which costs most of matching. An expression that
// writes an upper-case letter, or sets flags again, is matched as written.
type foldRe struct {
	re    *regexp.Regexp // as written
	lower *regexp.Regexp // without (?i), for a lower-cased ASCII text; or nil
}

// mustFold compiles pattern as a foldRe.
func mustFold(pattern string) foldRe {
	f := foldRe{re: regexp.MustCompile(pattern)}
	if body, ok := strings.CutPrefix(pattern, "(?i)"); ok && lowerOnly(body) {
		f.lower = regexp.MustCompile(body)
	}
	return f
}

// lowerOnly reports whether pattern writes no upper-case ASCII letter
// outside an escape's first letter and sets no flag: what it matches
// without (?i) in a lower-cased text is what it matches with it.
func lowerOnly(pattern string) bool {
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\':
			if i+1 < len(pattern) && (pattern[i+1] == 'p' || pattern[i+1] == 'P') {
				return false // a Unicode class: its name has capitals
			}
			i++
		case c >= 'A' && c <= 'Z':
			return false
		case strings.HasPrefix(pattern[i:], "(?P<"):
			i += len("(?P<") - 1 // a group's name: its capitals are read on
		case strings.HasPrefix(pattern[i:], "(?") && !strings.HasPrefix(pattern[i:], "(?:"):
			return false
		}
	}
	return true
}

// foldText returns s lower-cased and whether s is ASCII alone: what a
// foldRe matches in.
func foldText(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return "", false
		}
	}
	return asciiLower(s), true
}

// match reports whether f matches s, whose foldText is ls and ascii.
func (f foldRe) match(s, ls string, ascii bool) bool {
	if f.lower != nil && ascii {
		return f.lower.MatchString(ls)
	}
	return f.re.MatchString(s)
}

// warmReading compiles the expressions Understand builds at their first
// use (the period phrases, the point scan and the point forms): a
// server's first questions, read at once, would otherwise all wait for
// the one compiling them (~65 ms).
func warmReading() {
	phraseRes()
	pointScan()
	compilePointForms()
}

// Understand reads a question deterministically: its intent, its period
// (relative to now, in UTC) and its topic. Periods that look like periods
// but cannot be parsed are reported in Problems, never guessed.
func Understand(question string, now time.Time) Understanding {
	now = now.UTC()
	q := strings.Join(strings.Fields(question), " ")
	u := Understanding{Intent: livespec.IntentCurrent}

	phrases := findPhrases(q, now)
	var chosen *phrase
	for i := range phrases {
		p := &phrases[i]
		if p.err != nil {
			u.Problems = append(u.Problems, p.err.Error())
			continue
		}
		if chosen == nil {
			chosen = p
		}
	}
	// Blank out every period phrase: what remains says what is asked.
	rest := []byte(q)
	for _, p := range phrases {
		for i := p.start; i < p.end; i++ {
			rest[i] = ' '
		}
	}
	wording := string(rest)

	switch {
	case chosen != nil && chosen.explicit:
		u.Intent = livespec.IntentAsOf
	case matchAny(timelineRes, wording):
		u.Intent = livespec.IntentTimeline
	case matchAny(changesRes, wording), matchAny(changesRes, q):
		u.Intent = livespec.IntentChanges
	case chosen != nil && chosen.kind == phraseAsOf, matchAny(asOfRes, wording) && chosen != nil:
		u.Intent = livespec.IntentAsOf
	case chosen != nil && (chosen.kind == phraseRange || chosen.kind == phraseOpen || chosen.kind == phraseRolling):
		// "which sections were touched since March": a window with
		// current-state wording asks what changed.
		u.Intent = livespec.IntentChanges
	case chosen != nil && (chosen.kind == phraseIn || chosen.kind == phrasePoint) && eventVerb.MatchString(wording):
		// "which KEPs graduated in Q2 2023": events in the period.
		u.Intent = livespec.IntentChanges
	case chosen != nil && (chosen.kind == phraseIn || chosen.kind == phrasePoint):
		// "who were the TSC members in 2023": the state at the end of the
		// named period, unless that period is still running.
		if chosen.window.To.After(now) {
			chosen = nil
		} else {
			u.Intent = livespec.IntentAsOf
		}
	}

	if chosen != nil {
		u.Period = chosen.text
		if chosen.note != "" {
			u.Problems = append(u.Problems, chosen.note)
		}
		switch {
		case chosen.kind == phraseAll:
			// All of history: no window.
		case u.Intent == livespec.IntentAsOf:
			u.AsOf = chosen.asOf
			if u.AsOf.IsZero() { // a window phrase asked as of: its last instant
				u.AsOf = chosen.window.To.Add(-time.Second)
			}
			// Never past today: a period still running ("what did the
			// spec say in 2024?" asked on 2024-12-01) is as of today, and
			// so is one wholly after today, which the answer says.
			if end := tomorrow(now).Add(-time.Second); u.AsOf.After(end) {
				u.AsOf = end
				if !chosen.window.From.Before(tomorrow(now)) {
					u.Problems = append(u.Problems, futureNote(chosen.text, end))
				}
			}
		default:
			w := chosen.window
			u.Window = &w
		}
	}
	if chosen == nil && len(u.Problems) == 0 {
		if m := uncertainPeriod.FindStringSubmatchIndex(wording); m != nil {
			kw := strings.ToLower(strings.Join(strings.Fields(wording[m[2]:m[3]]), " "))
			strong := kw == "as of" || kw == "as at" || kw == "during"
			if strong || u.Intent != livespec.IntentCurrent {
				text := clip(q[m[0]:m[1]], 7)
				u.Problems = append(u.Problems, badPeriod(text).Error())
				wording = wording[:m[0]] + strings.Repeat(" ", len(text)) + wording[m[0]+len(text):]
			}
		}
	}
	u.rest = wording
	u.Topic = topicOf(quoteBareSymbols(wording), u.Intent)
	return u
}

// futureNote says that the as-of period text, wholly after today, is
// answered as of asOf, the end of today: no history is newer.
func futureNote(text string, asOf time.Time) string {
	return fmt.Sprintf("read %q as of today, %s: the date is after the newest history", text, dateOf(asOf))
}

// bareSymbol is a run of punctuation standing alone before a word ("the ?
// operator", "a ~ constraint"): a symbol the question writes without
// backquotes, not sentence punctuation.
var bareSymbol = regexp.MustCompile("(^|\\s)([?~!*#@$%^|<>=+]{1,3}|\\.\\.\\.?|::)(\\s+[\\w`])")

// quoteBareSymbols writes the bare symbols of a question in backquotes, as
// the text analysis reads symbols, so that they stay in its topic.
func quoteBareSymbols(q string) string {
	if !strings.ContainsAny(q, "?~!*#@$%^|<>=+.:") {
		return q
	}
	return bareSymbol.ReplaceAllString(q, "$1`$2`$3")
}

// clip keeps the first n words of s.
func clip(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}

// Topic extraction: the intent's own phrasing is cut first, then question
// words, filler and generic subjects at the edges.
var (
	topicTimeline = []*regexp.Regexp{
		regexp.MustCompile(`(?i)^.*?\bhow\s+(?:has|have|did|had)\s+(?P<t>.+?)\s+(?:evolv\w*|chang\w*|develop\w*|grow\w*|grew|shift\w*|progress\w*)\b(?P<r>.*)$`),
		regexp.MustCompile(`(?i)^.*?\b(?:history|evolution|timeline)\s+(?:of|for)\s+(?P<t>.+)$`),
		regexp.MustCompile(`(?i)^.*?\bwhat\s+(?:has\s+|had\s+)?happened\s+(?:to|with)\s+(?P<t>.+)$`),
		regexp.MustCompile(`(?i)^.*?\bwhen\s+(?:and\s+how\s+)?(?:was|were|has|have|had)\s+(?P<t>.+?)\s+(?:(?:first|originally|initially|last)\s+)?(?:been\s+)?(?:introduced|added|described|mentioned|documented|defined|specified|proposed|created|written|removed|dropped|deprecated|deleted|changed|modified|updated|renamed|published|adopted|released|replaced|moved|merged|accepted|rejected|approved|appear(?:ed)?)\b(?P<r>.*)$`),
		// "when did X first appear in the design docs": the place where
		// it appeared, when it names the documents, is no part of X.
		regexp.MustCompile(`(?i)^.*?\bwhen\s+(?:did|does|do)\s+(?P<t>.+?)\s+(?:(?:first|originally|initially)\s+)?(?:appear|show\s+up|turn\s+up|come\s+up|get\s+(?:added|introduced|mentioned|described|defined|proposed|specified))\b` +
			`(?:\s+(?:in|within|across)\s+(?:the\s+|our\s+|any\s+)?(?:[\w-]+\s+)?(?:specs?|specifications?|docs?|documents?|documentation|designs?|proposals?|repo|repository)\b)?(?P<r>.*)$`),
		regexp.MustCompile(`(?i)^.*?\bwhen\s+(?:and\s+how\s+)?(?:did|was|were|has|have|had)\s+(?P<t>.+)$`),
	}
	topicChanges = []*regexp.Regexp{
		regexp.MustCompile(`(?i)^.*?\bwhat\s*(?:'s|’s|\s+is|\s+are|\s+was|\s+were|\s+has|\s+have|\s+had|\s+did|\s+got)?\s*(?:been\s+|got\s+)?(?:changed|new|added|removed|updated|modified|deprecated|dropped|deleted|renamed|introduced|edited|revised|rewritten|different)\b(?P<t>.*)$`),
		regexp.MustCompile(`(?i)^.*?\b(?:which|what|any)\s+(?P<t>specs?|files?|sections?|documents?|docs?|parts?|pages?|requirements?|proposals?)\s+(?:have\s+been\s+|has\s+been\s+|were\s+|was\s+|have\s+|has\s+|got\s+)?(?:changed|added|removed|updated|modified|edited|touched|deleted|renamed|introduced)\b(?P<r>.*)$`),
		regexp.MustCompile(`(?i)^.*?\b(?:change\s*logs?|release\s+notes|changes|updates|edits|modifications|additions|removals)\b(?:\s+(?:were\s+|have\s+been\s+|has\s+been\s+)?(?:made|landed))?(?P<t>.*)$`),
		regexp.MustCompile(`(?i)^.*?\b(?:did|has|have)\s+(?:anything|something|much)\s+(?:change|changed)\b(?P<t>.*)$`),
	}
	topicAsOf = regexp.MustCompile(`(?i)^.*?\bwhat\s+(?:did|was|were)\s+(?P<t>.+?)\s+(?:say|said|state|specify|require|look\s+like|describe|mean|list|read)\b(?:\s+(?:about|on|regarding|for)\b)?(?P<r>.*)$`)

	questionLead = regexp.MustCompile(`(?i)^(?:(?:so|and|but|hey|hi|ok|okay|please|quick\s+question|question|tell\s+me|show\s+me|can\s+you\s+tell\s+me|do\s+you\s+know|i\s+wonder|remind\s+me)\b[\s,:]*)*(?:(?:what|which|who|whom|whose|when|where|why|how(?:\s+(?:many|much|big|long|often|far|large|small))?|is|are|was|were|do|does|did|can|could|should|would|will|shall|may|might|must|has|have|had|am)(?:'s|’s|'re|’re)?\b\s*)+`)
	overTime     = regexp.MustCompile(`(?i)\b(?:over|across|through)\s+(?:the\s+)?(?:time|years|history)\b`)
	// edgeWords are dropped from either end of a topic.
	edgeWords = lex.WordSet(`a an the in on of to for about regarding concerning with by at from into and or
		any some there here it its this that these those anything everything something ever currently now
		today still all also first originally initially been be being through until till by since`)
	// genericSubjects name the spec as a whole; a topic made only of them
	// is no topic, and as the subject of a timeline question they are cut
	// with the verb that follows ("the spec first let X" → "X").
	genericSubjects = `(?:the\s+)?(?:specs?|specifications?|docs|documentation|project|repo|repository|product|spec\s+files?|spec\s+documents?|openapi\s+spec(?:ification)?)`
	genericOnly     = regexp.MustCompile(`(?i)^(?:(?:the|in|to|of|for|all|our|this|these)\s+)*` + genericSubjects + `$`)
	genericLead     = regexp.MustCompile(`(?i)^` + genericSubjects + `\s+(?:(?:first|originally|initially|ever|start(?:ed)?\s+to|begin\s+to|began\s+to)\s+)*(?:let|allow|say|said|describ|mention|add|introduc|defin|specif|support|includ|publish|adopt|list|tell|told|document|requir|start|begin|began|get|got|gain|ha(?:ve|s|d)\b|us(?:e|es|ed|ing)\b|recommend|drop|remov|deprecat|stop|ma(?:ke|de))\w*\b\s*`)
	// pronounLead is a person as the subject of a timeline question ("when
	// did we drop X"), cut with the verb that follows.
	pronounLead   = regexp.MustCompile(`(?i)^(?:we|they|you|i|people|users|someone)\s+(?:(?:first|start(?:ed)?|begin|began)\s+)?(?:(?:to|using)\s+)?(?:let|allow|say|describ|mention|add|introduc|defin|specif|support|includ|publish|adopt|list|document|requir|get|got|gain|drop|remov|deprecat|stop|ma(?:ke|de)|chang|switch|mov|renam|replac|retir|ship|launch|releas|enabl|disabl)\w*\b\s*`)
	genericTrail  = regexp.MustCompile(`(?i)\s*\b(?:in|to|of|from|across)\s+` + genericSubjects + `\s*$`)
	timelineWords = regexp.MustCompile(`(?i)(?:^|\s)(?:first|originally|initially|start(?:ed)?|begin|began)(?:\s|$)`)
)

// topicOf extracts the topic from a question whose period is blanked out.
func topicOf(q string, intent livespec.Intent) string {
	s := strings.Join(strings.Fields(q), " ")
	s = strings.TrimRight(s, " ?!.")
	pick := func(re *regexp.Regexp) bool {
		m := re.FindStringSubmatch(s)
		if m == nil {
			return false
		}
		t := m[re.SubexpIndex("t")]
		if i := re.SubexpIndex("r"); i >= 0 {
			t += " " + m[i]
		}
		s = t
		return true
	}
	switch intent {
	case livespec.IntentTimeline:
		for _, re := range topicTimeline {
			if pick(re) {
				break
			}
		}
		s = timelineWords.ReplaceAllString(s, " ")
	case livespec.IntentChanges:
		for _, re := range topicChanges {
			if pick(re) {
				break
			}
		}
	case livespec.IntentAsOf:
		if m := topicAsOf.FindStringSubmatch(s); m != nil {
			t, r := m[topicAsOf.SubexpIndex("t")], m[topicAsOf.SubexpIndex("r")]
			if genericOnly.MatchString(strings.TrimSpace(t)) {
				t = "" // "what did the docs say about X": X
			}
			s = t + " " + r
		}
	}
	return cleanTopic(overTime.ReplaceAllString(s, " "))
}

// cleanTopic trims question words, punctuation, filler and generic
// subjects from the edges of a topic.
func cleanTopic(s string) string {
	for range 4 {
		before := s
		s = strings.Join(strings.Fields(s), " ")
		s = strings.Trim(s, " ,;:?!.-–—")
		s = questionLead.ReplaceAllString(s, "")
		s = genericLead.ReplaceAllString(s, "")
		s = pronounLead.ReplaceAllString(s, "")
		s = genericTrail.ReplaceAllString(s, "")
		words := strings.Fields(s)
		for len(words) > 0 && edgeWords[strings.ToLower(strings.Trim(words[0], ",;:"))] {
			words = words[1:]
		}
		for len(words) > 0 && edgeWords[strings.ToLower(strings.Trim(words[len(words)-1], ",;:"))] {
			words = words[:len(words)-1]
		}
		s = strings.Join(words, " ")
		if s == before {
			break
		}
	}
	s = strings.Trim(s, " ,;:?!.-–—")
	if genericOnly.MatchString(s) || isTopicFiller(s) {
		return ""
	}
	return s
}

// isTopicFiller reports topics that are only question filler ("changed",
// "happened").
func isTopicFiller(s string) bool {
	switch strings.ToLower(s) {
	case "changed", "happened", "new", "different", "changes", "updates", "things", "stuff", "spec changes":
		return true
	}
	return false
}

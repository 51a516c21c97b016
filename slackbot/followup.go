package slackbot

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/livespec/livespec"
)

// Follow-ups the Asker cannot read on its own, because they name no topic
// and their intent lies in the earlier turn: "and before that?" asks what
// the spec said before the text of the previous answer took effect; "who
// changed it?" asks for the history of the previous question's topic.
var (
	beforeRe = regexp.MustCompile(`(?i)^(?:and|but|ok|okay|so)?[\s,]*(?:what\s+(?:about|was\s+it|did\s+it\s+say)\s+)?(?:before|earlier|previously|prior)(?:\s+(?:that|this|then|it|to\s+that))?\s*[?.!]*$`)
	whoRe    = regexp.MustCompile(`(?i)^(?:and|but|ok|okay|so)?[\s,]*(?:who|which\s+commits?|by\s+whom)\b.*\b(?:it|that|this|them|those)\b\s*[?.!]*$`)
	// askedPrefix is what an earlier rewrite put in front of the question.
	askedPrefix = regexp.MustCompile(`(?i)^(?:as of \d{4}-\d{2}-\d{2},\s*|history of\s+)`)
)

// followUp rewrites q in terms of the last earlier turn when q is one of
// those follow-ups: "and before that?" becomes "as of <the day before the
// previous answer's first source took effect>, <previous question>", and
// "who changed it?" becomes "history of <previous question>". Any other
// question is returned unchanged with false. The earlier turns still go to
// the Asker as History.
func followUp(q string, history []livespec.Turn) (string, bool) {
	if len(history) == 0 {
		return q, false
	}
	last := history[len(history)-1]
	prev := strings.TrimRight(strings.TrimSpace(askedPrefix.ReplaceAllString(strings.TrimSpace(last.Question), "")), "?.! ")
	if prev == "" {
		return q, false
	}
	q = strings.TrimSpace(q)
	switch {
	case beforeRe.MatchString(q):
		if from := sourceSince(last.Answer); !from.IsZero() {
			return fmt.Sprintf("as of %s, %s?", day(from.Add(-24*time.Hour)), prev), true
		}
		return "history of " + prev, true
	case whoRe.MatchString(q) && len(strings.Fields(q)) <= 8:
		return "history of " + prev, true
	}
	return q, false
}

// sourceSince is when the text of an answer's first source took effect.
func sourceSince(a *livespec.Answer) time.Time {
	if a == nil || len(a.Citations) == 0 {
		return time.Time{}
	}
	c := a.Citations[0]
	if !c.ValidFrom.IsZero() {
		return c.ValidFrom.Time
	}
	return c.Date.Time
}

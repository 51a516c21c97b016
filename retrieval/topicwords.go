package retrieval

import (
	"context"
	"strings"

	"github.com/livespec/livespec/internal/lex"
)

// corpusTopic reports whether a changes question's topic names the
// repository's documents as a whole rather than something in them: every
// content word of it is common in the corpus (commonTopic), a noun for a
// kind of document ("documents", "the proposals", "RFCs"), a word in most
// of the repository's paths (kindWords: "design" among design/*.md), or a
// verb of what happens to documents ("edited", "updated": the question's
// intent, see eventVerb). Such a topic narrows nothing: "which spec
// documents were edited lately" reports every change of the period.
func (a *Assistant) corpusTopic(ctx context.Context, topic string, repos []string) (bool, error) {
	if common, err := a.commonTopic(ctx, topic); err != nil || common {
		return common, err
	}
	cs, err := a.corpus(ctx)
	if err != nil {
		return false, err
	}
	kinds, err := a.repoKinds(ctx, repos)
	if err != nil {
		return false, err
	}
	if spellsKind(topic, kinds) {
		return true, nil
	}
	for _, t := range lex.Tokens(topic) {
		if t.Part || lex.Stop(t.Word) {
			continue
		}
		st := lex.Stem(t.Word)
		if lexGeneric[t.Word] || lexGeneric[st] || lex.DocNoun(t.Word) || kinds[st] || cs.common(st) || eventWord(t.Word) {
			continue
		}
		return false, nil
	}
	return true, nil
}

// eventWord reports whether w alone is a verb of something that happened
// to a document ("edited", "updated", "touched").
func eventWord(w string) bool {
	m := eventVerb.FindStringIndex(w)
	return m != nil && m[0] == 0 && m[1] == len(w)
}

// spellsKind reports whether a topic spells out the acronym that names the
// repository's kind of document (a word of kinds: "kep" in a repository of
// keps/): its words' initials are the acronym ("Kubernetes enhancement
// proposals") or its end ("the enhancement proposals", the organisation's
// letter left out), so it names the documents as a whole, not one topic.
func spellsKind(topic string, kinds map[string]bool) bool {
	var initials []byte
	for _, t := range lex.Tokens(topic) {
		if t.Part {
			continue
		}
		if len(initials) == 0 && lex.Stop(t.Word) {
			continue // "the", "all the"
		}
		initials = append(initials, t.Word[0])
	}
	if len(initials) < 2 {
		return false
	}
	for k := range kinds {
		if len(k) >= 3 && len(k) <= 5 && len(initials) <= len(k) && strings.HasSuffix(k, string(initials)) {
			return true
		}
	}
	return false
}

package retrieval

import (
	"context"

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

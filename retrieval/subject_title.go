package retrieval

import (
	"context"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/livespec/livespec/internal/lex"
)

// Documents named by title and by what they are about.
const (
	// kindMinFiles is the fewest current files a repository needs for the
	// words of its paths to tell its kind of document.
	kindMinFiles = 10
	// kindShare is the share of current files whose path holds a word for
	// the word to name the repository's kind of document ("design" in
	// design/NNNNN-name.md).
	kindShare = 0.5
	// mentionShare is the share of the sections mentioning a topic that
	// one document must hold for a question about "the <topic> design" to
	// be about that document; mentionMin is the fewest such sections.
	mentionShare = 0.5
	mentionMin   = 3
)

// kindWords returns the stems of the words that name the repository's own
// kind of document: words in the paths of at least kindShare of the
// current files ("design" among design/NNNNN-name.md, "keep" and
// "proposal" among proposals/KEEP-NNNN-name.md). A question's "design" or
// "KEEPs" names a document of the repository, not what it is about.
func kindWords(files []fileTitle) map[string]bool {
	out := map[string]bool{}
	if len(files) < kindMinFiles {
		return out
	}
	df := map[string]int{}
	for _, f := range files {
		seen := map[string]bool{}
		p := strings.TrimSuffix(f.f.path, path.Ext(f.f.path))
		for _, w := range nameTerms(strings.ReplaceAll(p, "/", " ")) {
			if !seen[w] {
				seen[w] = true
				df[w]++
			}
		}
	}
	for w, n := range df {
		if float64(n) >= kindShare*float64(len(files)) {
			out[w] = true
		}
	}
	return out
}

// docPhrase is a topic read as the name of a document: the stems of the
// words that say which one (required), the nouns for its kind that it
// also uses ("draft" of "the type parameters draft design"), and whether
// the topic names a document at all: a noun for a kind of document is its
// head ("the Overlays proposal", "the proposal for X").
type docPhrase struct {
	named    bool
	required []string
	optional []string
}

// docPhraseOf reads a topic as the name of a document; kinds are the
// repository's own kind words (see kindWords).
func docPhraseOf(topic string, kinds map[string]bool) docPhrase {
	type word struct {
		raw, stem string
		kind      bool
	}
	var ws []word
	for _, t := range lex.Tokens(topic) {
		if t.Part || lex.Stop(t.Word) {
			continue
		}
		st := lex.Stem(t.Word)
		kind := lex.DocNoun(t.Word) || kinds[st]
		if !kind && (lexGeneric[t.Word] || lexGeneric[st]) {
			continue
		}
		ws = append(ws, word{t.Word, st, kind})
	}
	var d docPhrase
	if len(ws) < 2 || !nounPhrase(topic) {
		return d
	}
	last := len(ws) - 1
	d.named = ws[last].kind || (ws[0].kind && docOfRe.MatchString(topic))
	seen := map[string]bool{}
	for _, w := range ws {
		switch {
		case seen[w.stem]:
		case !w.kind:
			d.required = append(d.required, w.stem)
		case !kinds[w.stem]:
			d.optional = append(d.optional, w.stem)
		}
		seen[w.stem] = true
	}
	d.named = d.named && len(d.required) > 0
	return d
}

// docOfRe is a topic that starts with a noun for a document followed by
// what it is about ("the proposal for generic methods").
var docOfRe = regexp.MustCompile(`(?i)^(?:the\s+|a\s+|an\s+)?\S+\s+(?:for|of|on|about)\s`)

// byTitle returns the one current file whose name, title and directories
// hold every required word of d, at least one of them in its name or
// title: of several, the one holding more of the topic's words in its name
// and title, then the one whose name and title the topic covers best; a
// tie names none.
func byTitle(d docPhrase, cur *currentSet) *fileTitle {
	var best *fileTitle
	bestHits, bestShare, tie := 0, 0.0, false
	names := cur.fileNames()
	for i := range cur.files {
		own, dirs := names[i].own, names[i].dirs
		hits, inOwn := 0, 0
		ok := true
		for _, w := range d.required {
			switch {
			case own[w]:
				hits++
				inOwn++
			case !dirs[w]:
				ok = false
			}
		}
		if !ok || inOwn == 0 {
			continue
		}
		for _, w := range d.optional {
			if own[w] {
				hits++
			}
		}
		share := float64(hits) / float64(len(own))
		switch {
		case best == nil || hits > bestHits || (hits == bestHits && share > bestShare+1e-9):
			best, bestHits, bestShare, tie = &cur.files[i], hits, share, false
		case hits == bestHits && share > bestShare-1e-9:
			tie = true
		}
	}
	if tie {
		return nil
	}
	return best
}

// byMentions returns the document that holds at least mentionShare of the
// sections mentioning the topic (and mentionMin of them), counted over
// every path the document had, or nil.
func (a *Assistant) byMentions(ctx context.Context, m *topicMatch, repos []string) (*fileTitle, error) {
	sections := map[sectionID]bool{}
	perFile := map[fileID]int{}
	var top fileID
	for _, s := range m.matched {
		k := sectionOf(s.v)
		if sections[k] {
			continue
		}
		sections[k] = true
		f := fileID{k.repo, k.path}
		perFile[f]++
		if perFile[f] > perFile[top] {
			top = f
		}
	}
	if perFile[top] < mentionMin {
		return nil, nil
	}
	events, _, err := a.fileEvents(ctx, top, false)
	if err != nil {
		return nil, err
	}
	paths := map[string]bool{top.path: true}
	for _, e := range events {
		paths[e.Path], paths[e.OldPath] = true, true
	}
	held := 0
	for k := range sections {
		if k.repo == top.repo && paths[k.path] {
			held++
		}
	}
	if float64(held) < mentionShare*float64(len(sections)) {
		return nil, nil
	}
	if len(events) > 0 && events[len(events)-1].Path != "" {
		top.path = events[len(events)-1].Path
	}
	return &fileTitle{f: top, title: a.titleOf(ctx, top, repos)}, nil
}

// describedDocument returns the document a topic names by a noun for a
// kind of document and what the document is about ("the module checksum
// database design"), found by where the topic's mentions are (byMentions);
// nil when the topic names no document or one nameFile already named as
// a whole.
func (a *Assistant) describedDocument(ctx context.Context, m *topicMatch, repos []string) (*fileTitle, error) {
	if m.fileMode {
		return nil, nil
	}
	kinds, err := a.repoKinds(ctx, repos)
	if err != nil {
		return nil, err
	}
	if !docPhraseOf(m.topic, kinds).named {
		return nil, nil
	}
	return a.byMentions(ctx, m, repos)
}

// nameJoiners are the function words a document's name may hold ("the
// proposal for generic methods", "the style guide of the project").
var nameJoiners = lexSet(`the a an of for on about and to in with from by`)

// nounPhrase reports whether a topic is a noun phrase that can name a
// document, not a clause ("the specification is developed in a file"):
// its only function words are articles, "and" and prepositions ("of",
// "for", "on", "about", "to", "in", "with", "from", "by").
func nounPhrase(topic string) bool {
	for _, w := range strings.Fields(strings.ToLower(topic)) {
		w = strings.Trim(w, "`'\"()[],;:.!?")
		if lex.Stop(w) && !nameJoiners[w] {
			return false
		}
	}
	return true
}

// appositive is a name followed by its description: "Moonwalk, the effort
// toward 4.0", "Arazzo, a workflow specification".
var appositive = regexp.MustCompile(`^([^,]+?),\s+(?:the|a|an)\s+\S.*$`)

// nameOfAppositive returns the name of a topic that is a name with its
// description (see appositive), or the topic: the description says what
// the name is, and its words are no part of where the name appears. The
// name has at most maxTopicTerms words, one of them capitalised or not a
// plain word.
func nameOfAppositive(topic string) string {
	m := appositive.FindStringSubmatch(strings.TrimSpace(topic))
	if m == nil {
		return topic
	}
	ws := strings.Fields(m[1])
	name := func(w string) bool { return strings.ContainsFunc(w, unicode.IsUpper) || !spellable(strings.ToLower(w)) }
	if len(ws) > maxTopicTerms || !slices.ContainsFunc(ws, name) {
		return topic
	}
	return m[1]
}

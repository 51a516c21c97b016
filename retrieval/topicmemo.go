package retrieval

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// maxTopicBytes bounds the memory of the topic matches an Assistant keeps
// (see topicMatch.size): a timeline and a change report about the same
// topic, or the same topic asked again in another form, share one match.
const maxTopicBytes = 16 << 20

// topicBound bounds the kept topic matches by their bytes.
type topicBound struct{}

func (topicBound) weigh(m *topicMatch) int64 { return m.size() }
func (topicBound) max() int64                { return maxTopicBytes }

// matchOverhead is what a kept match holds besides its matched versions:
// its struct, terms, sections and slice headers.
const matchOverhead = 4 << 10

// size returns about how many bytes m holds (a kept match holds no
// analyses: the docs cache keeps them).
func (m *topicMatch) size() int64 {
	n := int64(matchOverhead)
	for _, s := range m.matched {
		n += int64(len(s.v.Text)) + 256 // its text, the rest of its version
	}
	return n
}

// matchTopic returns how topic maps onto the index (see findTopic): kept
// for the index version, the repositories and the corpus statistics it was
// found with, so that the timeline and the change reports of one topic
// search and analyse its history once. The caller gets its own copy of
// what it may add to (matched, docs: empty, the analyses come from the
// docs cache). It returns nil when the topic names nothing.
func (a *Assistant) matchTopic(ctx context.Context, topic string, repos []string) (*topicMatch, error) {
	if !usefulTopic(topic) {
		return nil, nil
	}
	cs, err := a.corpus(ctx)
	if err != nil {
		return nil, err
	}
	key := strconv.Itoa(len(topic)) + ":" + topic + strconv.FormatUint(cs.seq, 10) + "\x00" + strings.Join(repos, "\x00")
	m, err := a.topics.get(ctx, a.Store, key, func() (*topicMatch, error) {
		return a.findTopic(ctx, topic, repos) // no analyses: the docs cache keeps them
	})
	if err != nil {
		return nil, err
	}
	return m.own(), nil
}

// own returns a caller's copy of the kept match m: its own docs, and
// matched sharing m's versions without copying them (a timeline's match
// holds up to topicPool of them, each a large struct), clipped so that
// what the caller appends (addMentions) goes to an array of its own. No
// caller changes a matched version in place.
func (m *topicMatch) own() *topicMatch {
	c := *m
	c.matched = slices.Clip(m.matched)
	c.docs = make(map[string]*lexDoc, len(m.matched))
	return &c
}

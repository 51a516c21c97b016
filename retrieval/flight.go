package retrieval

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/cache"
)

var _ livespec.Weigher = (*Assistant)(nil)

// Heavy reports whether the question of req asks for history: a timeline
// or a change report (see livespec.Weigher).
// What it understood of the question is kept for Ask, which a server
// calls next with the same request.
func (a *Assistant) Heavy(req livespec.AskRequest) bool {
	now := req.Now
	if now.IsZero() {
		now = a.now()
	}
	question := strings.TrimSpace(req.Question)
	u := Understand(question, now)
	a.understood.keep(question, now, u)
	return heavy(u)
}

// understood holds what Heavy understood of the questions it weighed last,
// until Ask takes it: a server weighs each question to admit it, then asks
// it, and reading a question costs as much as answering the lightest.
type understood struct {
	once sync.Once
	kept *cache.LRU[understoodKey, Understanding]
}

type understoodKey struct {
	question string
	now      int64 // Unix nanoseconds: Understand reads now in UTC
}

// understoodKept is how many questions Heavy's readings are kept for: more
// than wait for an answer slot on a server (its queues of 64).
const understoodKept = 256

func (m *understood) lru() *cache.LRU[understoodKey, Understanding] {
	m.once.Do(func() { m.kept = cache.NewLRU[understoodKey, Understanding](understoodKept) })
	return m.kept
}

func (m *understood) keep(question string, now time.Time, u Understanding) {
	m.lru().Add(understoodKey{question, now.UnixNano()}, u)
}

// understand returns Understand(question, now), taking it from what Heavy
// kept when it weighed the same question at the same time.
func (m *understood) understand(question string, now time.Time) Understanding {
	k := understoodKey{question, now.UnixNano()}
	if u, ok := m.lru().Get(k); ok {
		m.kept.Remove(k)
		return u
	}
	return Understand(question, now)
}

// HeavyQuestion reports whether question, asked at now, is understood as a
// timeline or a change report.
func HeavyQuestion(question string, now time.Time) bool {
	return heavy(Understand(question, now))
}

func heavy(u Understanding) bool {
	return u.Intent == livespec.IntentTimeline || u.Intent == livespec.IntentChanges
}

// answerOnce computes the answer as answer does; a heavy question asked
// again while its answer is computed waits for that answer instead of
// computing it too (singleflight, keyed by what decides the answer), and
// every caller that shares one gets its own copy. A caller whose shared
// computation ended with the context error of another caller computes
// the answer itself.
func (a *Assistant) answerOnce(ctx context.Context, question string, u Understanding, topic string, now time.Time, repos []string) (*livespec.Answer, error) {
	if !heavy(u) {
		return a.answer(ctx, question, u, topic, now, repos, nil)
	}
	stats, err := a.corpus(ctx)
	if err != nil {
		return nil, err
	}
	key := a.answerKey(question, u, topic, now, repos, stats)
	ans, shared, err := a.flights.Do(ctx, key, func() (*livespec.Answer, error) {
		return a.answer(ctx, question, u, topic, now, repos, nil)
	})
	if err != nil {
		return nil, err
	}
	if shared {
		ans = copyAnswer(ans)
	}
	return ans, nil
}

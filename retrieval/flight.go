package retrieval

import (
	"context"
	"strings"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/cache"
)

var _ livespec.Weigher = (*Assistant)(nil)

// Heavy reports whether the question of req asks for history: a timeline
// or a change report (see livespec.Weigher).
func (a *Assistant) Heavy(req livespec.AskRequest) bool {
	now := req.Now
	if now.IsZero() {
		now = a.now()
	}
	return HeavyQuestion(req.Question, now)
}

// HeavyQuestion reports whether question, asked at now, is understood as a
// timeline or a change report.
func HeavyQuestion(question string, now time.Time) bool {
	return heavy(understand(strings.TrimSpace(question), now))
}

// understood keeps the Understandings of the latest questions: a surface
// weighs a question (Heavy, to admit it) just before it asks it, and Ask
// then reads it again at the same instant.
var understood = cache.NewLRU[phraseKey, Understanding](256)

// understand is Understand, remembered for the latest questions. The
// result is shared: callers must not change what its Window points to.
func understand(question string, now time.Time) Understanding {
	return readAt(understood, question, now, Understand)
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

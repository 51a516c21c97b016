package slackbot

import (
	"context"

	"github.com/livespec/livespec"
)

// answerSlot takes an answer slot for the question text: from HeavyQueue when
// it is set and the Asker weighs the question heavy, else from Queue.
func (b *Bot) answerSlot(ctx context.Context, text string) (func(), error) {
	if b.cfg.HeavyQueue != nil {
		if w, ok := b.cfg.Asker.(livespec.Weigher); ok && w.Heavy(livespec.AskRequest{Question: text, Now: b.cfg.Now()}) {
			return b.cfg.HeavyQueue.Acquire(ctx)
		}
	}
	return b.queue.Acquire(ctx)
}

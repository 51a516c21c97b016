package slackbot

import (
	"context"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/limit"
)

// answerSlot admits the answer to the question text as the HTTP API
// admits its own (limit.Admission): a slot of HeavyQueue when it is set
// and the Asker weighs the question heavy (livespec.Weigher), else of
// Queue; then a place at Gate when it is set, which lets light answers in
// before waiting heavy ones.
func (b *Bot) answerSlot(ctx context.Context, text string) (func(), error) {
	w, ok := b.cfg.Asker.(livespec.Weigher)
	heavy := ok && (b.cfg.HeavyQueue != nil || b.cfg.Gate != nil) && w.Heavy(livespec.AskRequest{Question: text, Now: b.cfg.Now()})
	release, _, err := limit.Admission{Light: b.queue, Heavy: b.cfg.HeavyQueue, Gate: b.cfg.Gate}.Admit(ctx, heavy)
	return release, err
}

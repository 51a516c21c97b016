package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/livespec/livespec"
)

// ExportFeedback writes every stored rating to w as JSON Lines, oldest
// first: one livespec.Feedback object per line, with its question, answer
// and citations.
func ExportFeedback(ctx context.Context, store livespec.FeedbackStore, w io.Writer) error {
	if store == nil {
		return livespec.Errorf(livespec.EINVALID, "slackbot: export feedback: no feedback store")
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return store.EachFeedback(ctx, func(f livespec.Feedback) error {
		if err := enc.Encode(f); err != nil {
			return fmt.Errorf("slackbot: export feedback: %w", err)
		}
		return nil
	})
}

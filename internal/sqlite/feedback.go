package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/livespec/livespec"
)

// AddFeedback stores f, replacing a stored rating with the same id.
func (s *Store) AddFeedback(ctx context.Context, f livespec.Feedback) error {
	switch {
	case f.ID == "":
		return fmt.Errorf("sqlite: add feedback: %w", livespec.Errorf(livespec.EINVALID, "a rating needs an id"))
	case f.Rating != 1 && f.Rating != -1:
		return fmt.Errorf("sqlite: add feedback: %w", livespec.Errorf(livespec.EINVALID, "rating must be +1 or -1, not %d", f.Rating))
	case f.Time.IsZero():
		return fmt.Errorf("sqlite: add feedback: %w", livespec.Errorf(livespec.EINVALID, "a rating needs a time"))
	}
	if err := livespec.CheckTimes("feedback time", f.Time); err != nil {
		return fmt.Errorf("sqlite: add feedback: %w", err)
	}
	answer, err := jsonOrNil(f.Answer, f.Answer == nil)
	if err != nil {
		return fmt.Errorf("sqlite: add feedback: %w", livespec.WrapError(livespec.EINVALID, err, "the rated answer cannot be stored"))
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO feedback (id, time, source, user, channel, thread, rating, question, answer)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET time = excluded.time, source = excluded.source, user = excluded.user,
			channel = excluded.channel, thread = excluded.thread, rating = excluded.rating,
			question = excluded.question, answer = excluded.answer`,
		f.ID, nanos(f.Time), f.Source, f.User, f.Channel, f.Thread, f.Rating, f.Question, answer)
	return s.fail(ctx, "add feedback", err)
}

// EachFeedback calls fn for every stored rating, oldest first (ties by id).
// The ratings are read before fn is first called, so fn may use the store.
func (s *Store) EachFeedback(ctx context.Context, fn func(livespec.Feedback) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT id, time, source, user, channel, thread, rating, question, answer
		FROM feedback ORDER BY time, id`)
	if err != nil {
		return s.fail(ctx, "each feedback", err)
	}
	var all []livespec.Feedback
	for rows.Next() {
		var f livespec.Feedback
		var t sql.NullInt64
		var answer sql.NullString
		if err := rows.Scan(&f.ID, &t, &f.Source, &f.User, &f.Channel, &f.Thread, &f.Rating, &f.Question, &answer); err != nil {
			rows.Close()
			return s.fail(ctx, "each feedback", err)
		}
		f.Time = fromNanos(t)
		if answer.Valid {
			f.Answer = new(livespec.Answer)
			if err := json.Unmarshal([]byte(answer.String), f.Answer); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: each feedback: %s: %w", f.ID, err)
			}
		}
		all = append(all, f)
	}
	if err := closeRows(rows); err != nil {
		return s.fail(ctx, "each feedback", err)
	}
	for _, f := range all {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

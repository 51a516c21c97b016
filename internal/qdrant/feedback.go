package qdrant

import (
	"cmp"
	"context"
	"slices"

	qc "github.com/qdrant/go-client/qdrant"

	"github.com/livespec/livespec"
)

// feedbackColl names the collection of answer ratings.
func (s *Store) feedbackColl() string { return s.cfg.Collection + "_feedback" }

// AddFeedback stores f, replacing a stored rating with the same id.
func (s *Store) AddFeedback(ctx context.Context, f livespec.Feedback) error {
	switch {
	case f.ID == "":
		return livespec.Errorf(livespec.EINVALID, "qdrant: add feedback: a rating needs an id")
	case f.Rating != 1 && f.Rating != -1:
		return livespec.Errorf(livespec.EINVALID, "qdrant: add feedback: rating must be +1 or -1, not %d", f.Rating)
	case f.Time.IsZero():
		return livespec.Errorf(livespec.EINVALID, "qdrant: add feedback: a rating needs a time")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := metaPoint(pointID("feedback\x00"+f.ID), "feedback", "", f)
	if err != nil {
		return livespec.WrapError(livespec.EINVALID, err, "qdrant: add feedback: the rated answer cannot be stored")
	}
	p.Payload[fDate] = qc.NewValueString(ts(f.Time))
	return s.upsert(ctx, s.feedbackColl(), []*qc.PointStruct{p})
}

// EachFeedback calls fn for every stored rating, oldest first (ties by
// id). The ratings are read before fn is first called.
func (s *Store) EachFeedback(ctx context.Context, fn func(livespec.Feedback) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var all []livespec.Feedback
	err := s.scroll(ctx, &qc.ScrollPoints{CollectionName: s.feedbackColl(), WithPayload: qc.NewWithPayload(true)},
		func(pts []*qc.RetrievedPoint) error {
			for _, p := range pts {
				var f livespec.Feedback
				if err := decodeDoc(p.GetPayload(), &f); err != nil {
					return livespec.WrapError(livespec.EINTERNAL, err, "qdrant: each feedback")
				}
				f.Time = f.Time.UTC()
				all = append(all, f)
			}
			return nil
		})
	if err != nil {
		return err
	}
	slices.SortFunc(all, func(a, b livespec.Feedback) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.ID, b.ID))
	})
	for _, f := range all {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

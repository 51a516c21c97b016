package qdrant

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	qc "github.com/qdrant/go-client/qdrant"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/livespec/livespec"
)

// fField is the payload key of a fact's normalised field name.
const fField = "field"

// factsColl holds fact versions, factChangesColl fact change events; both
// are payload-only points with the record as JSON in "doc".
func (s *Store) factsColl() string       { return s.cfg.Collection + "_facts" }
func (s *Store) factChangesColl() string { return s.cfg.Collection + "_fact_changes" }

// ensureFactCollections creates the fact collections when missing.
func (s *Store) ensureFactCollections(ctx context.Context) error {
	if err := s.ensureCollection(ctx, s.factsColl(), 0, map[string]qc.FieldType{
		fRepo: qc.FieldType_FieldTypeKeyword, fPath: qc.FieldType_FieldTypeKeyword,
		fField: qc.FieldType_FieldTypeKeyword, fCurrent: qc.FieldType_FieldTypeBool,
		fValidFrom: qc.FieldType_FieldTypeDatetime, fValidTo: qc.FieldType_FieldTypeDatetime,
	}); err != nil {
		return err
	}
	return s.ensureCollection(ctx, s.factChangesColl(), 0, map[string]qc.FieldType{
		fRepo: qc.FieldType_FieldTypeKeyword, fPath: qc.FieldType_FieldTypeKeyword,
		fOldPath: qc.FieldType_FieldTypeKeyword, fField: qc.FieldType_FieldTypeKeyword,
		fDate: qc.FieldType_FieldTypeDatetime,
	})
}

// factPoint is the point of a fact version.
func factPoint(f *livespec.Fact) (*qc.PointStruct, error) {
	doc, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	p := map[string]any{
		fID: f.ID, fRepo: f.Repo, fPath: f.Path, fField: f.Field, fCurrent: f.Current(),
		fValidFrom: ts(f.ValidFrom), fSeq: f.Seq, fDoc: string(doc),
	}
	if !f.Current() {
		p[fValidTo], p[fEndSeq], p[fEndCommit] = ts(f.ValidTo), f.EndSeq, f.EndCommit
	}
	return payloadPoint(f.ID, p)
}

// factChangePoint is the point of a fact change event.
func factChangePoint(c *livespec.FactChange) (*qc.PointStruct, error) {
	doc, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return payloadPoint(c.ID, map[string]any{
		fID: c.ID, fRepo: c.Repo, fPath: c.Path, fOldPath: c.OldPath, fField: c.Field,
		fDate: ts(c.Date), fSeq: c.Seq, fDoc: string(doc),
	})
}

// applyFacts writes b's fact versions (with the closes of those the batch
// itself ends), closes stored facts, then writes the fact changes.
func (s *Store) applyFacts(ctx context.Context, b *livespec.Batch) error {
	if len(b.Facts) == 0 && len(b.FactCloses) == 0 && len(b.FactChanges) == 0 {
		return nil
	}
	if err := s.ensureFactCollections(ctx); err != nil {
		return err
	}
	closes := map[string]livespec.Close{}
	for _, c := range b.FactCloses {
		closes[c.ID] = c
	}
	pts, err := pointsOf(b.Facts, "fact", func(f *livespec.Fact) string { return f.ID }, func(f *livespec.Fact) (*qc.PointStruct, error) {
		g := *f
		if c, ok := closes[g.ID]; ok && g.Current() {
			g.EndCommit, g.EndSeq, g.ValidTo = c.Commit, c.Seq, c.ValidTo
		}
		return factPoint(&g)
	})
	if err != nil {
		return err
	}
	if err := s.upsert(ctx, s.factsColl(), pts); err != nil {
		return err
	}
	if err := s.closeOpen(ctx, s.factsColl(), "facts", b.FactCloses); err != nil {
		return err
	}
	if pts, err = pointsOf(b.FactChanges, "fact change", func(c *livespec.FactChange) string { return c.ID }, factChangePoint); err != nil {
		return err
	}
	return s.upsert(ctx, s.factChangesColl(), pts)
}

// deleteFacts removes repo's facts, fact changes and links.
func (s *Store) deleteFacts(ctx context.Context, repo string) error {
	f := &qc.Filter{Must: []*qc.Condition{qc.NewMatchKeyword(fRepo, repo)}}
	for _, coll := range []string{s.factsColl(), s.factChangesColl(), s.linksColl()} {
		if _, err := s.client.Delete(ctx, &qc.DeletePoints{
			CollectionName: coll, Wait: qc.PtrOf(true), Ordering: writeOrdering(),
			Points: qc.NewPointsSelectorFilter(f),
		}); err != nil && !isNotFound(err) {
			return s.classify(ctx, err, "qdrant: delete repo %s", repo)
		}
	}
	return nil
}

// closeOpen ends the open versions of coll (facts or links, what) that
// closes name; a version already closed stays as it was.
func (s *Store) closeOpen(ctx context.Context, coll, what string, closes []livespec.Close) error {
	for _, c := range closes {
		f := &qc.Filter{Must: []*qc.Condition{qc.NewHasID(pointID(c.ID)), qc.NewMatchBool(fCurrent, true)}}
		if _, err := s.client.SetPayload(ctx, &qc.SetPayloadPoints{
			CollectionName: coll, Wait: qc.PtrOf(true), Ordering: writeOrdering(),
			Payload: closePayload(c), PointsSelector: qc.NewPointsSelectorFilter(f),
		}); err != nil {
			return s.classify(ctx, err, "qdrant: close %s", what)
		}
	}
	return nil
}

// scrollFacts scrolls coll with filter, treating a missing collection as
// empty (no facts or links stored yet).
func (s *Store) scrollFacts(ctx context.Context, coll string, filter *qc.Filter, fn func(map[string]*qc.Value) error) error {
	err := s.scroll(ctx, &qc.ScrollPoints{CollectionName: coll, Filter: filter, WithPayload: qc.NewWithPayload(true)},
		func(pts []*qc.RetrievedPoint) error {
			for _, p := range pts {
				if err := fn(p.GetPayload()); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil && isNotFound(err) {
		return nil
	}
	return err
}

// Facts returns the fact versions matching q, ordered by repo, path,
// field, ValidFrom.
func (s *Store) Facts(ctx context.Context, q livespec.FactQuery) ([]livespec.Fact, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q.Limit < 0 {
		return nil, livespec.Errorf(livespec.EINVALID, "fact limit %d is negative", q.Limit)
	}
	if q.Validity.Mode == livespec.ValidAsOf && q.Validity.At.IsZero() {
		return nil, livespec.Errorf(livespec.EINVALID, "an as-of filter needs a time")
	}
	must := append(scopeConditions(q.Repos, nil, false), validityConditions(q.Validity)...)
	if len(q.Fields) > 0 {
		must = append(must, qc.NewMatchKeywords(fField, q.Fields...))
	}
	out := []livespec.Fact{}
	err := s.scrollFacts(ctx, s.factsColl(), &qc.Filter{Must: must}, func(p map[string]*qc.Value) error {
		var f livespec.Fact
		if err := decodeDoc(p, &f); err != nil {
			return livespec.WrapError(livespec.EINTERNAL, err, "qdrant: facts")
		}
		var err error
		if f.EndCommit, f.EndSeq, f.ValidTo, err = decodeEnd(p); err != nil {
			return livespec.WrapError(livespec.EINTERNAL, err, "qdrant: facts")
		}
		f.ValidFrom, f.Since = f.ValidFrom.UTC(), f.Since.UTC()
		if len(q.Paths) == 0 || matchAny(q.Paths, f.Path) {
			out = append(out, f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b livespec.Fact) int {
		return cmp.Or(cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Field, b.Field),
			a.ValidFrom.Compare(b.ValidFrom), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// FactChanges returns the fact change events matching q in their total order.
func (s *Store) FactChanges(ctx context.Context, q livespec.FactChangeQuery) ([]livespec.FactChange, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q.Limit < 0 {
		return nil, livespec.Errorf(livespec.EINVALID, "fact change limit %d is negative", q.Limit)
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return nil, livespec.Errorf(livespec.EINVALID, "the window ends before it starts")
	}
	must := scopeConditions(q.Repos, nil, false)
	if len(q.Fields) > 0 {
		must = append(must, qc.NewMatchKeywords(fField, q.Fields...))
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		r := &qc.DatetimeRange{}
		if !q.From.IsZero() {
			r.Gte = timestamppb.New(q.From)
		}
		if !q.To.IsZero() {
			r.Lt = timestamppb.New(q.To)
		}
		must = append(must, qc.NewDatetimeRange(fDate, r))
	}
	var out []livespec.FactChange
	err := s.scrollFacts(ctx, s.factChangesColl(), &qc.Filter{Must: must}, func(p map[string]*qc.Value) error {
		var c livespec.FactChange
		if err := decodeDoc(p, &c); err != nil {
			return livespec.WrapError(livespec.EINTERNAL, err, "qdrant: fact changes")
		}
		c.Date = c.Date.UTC()
		if len(q.Paths) == 0 || matchAny(q.Paths, c.Path) || (c.OldPath != "" && matchAny(q.Paths, c.OldPath)) {
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, compareFactChanges)
	if q.After != "" {
		i := slices.IndexFunc(out, func(c livespec.FactChange) bool { return c.ID == q.After })
		if i < 0 {
			all, err := s.FactChanges(ctx, livespec.FactChangeQuery{})
			if err != nil {
				return nil, err
			}
			j := slices.IndexFunc(all, func(c livespec.FactChange) bool { return c.ID == q.After })
			if j < 0 {
				return nil, livespec.Errorf(livespec.EINVALID, "unknown cursor %q: no fact change has this id", q.After)
			}
			cur := all[j]
			i, _ = slices.BinarySearchFunc(out, cur, compareFactChanges)
			i--
		}
		out = out[i+1:]
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// compareFactChanges is the total order of fact changes: Date, Repo, Seq,
// Path, Field, ID.
func compareFactChanges(a, b livespec.FactChange) int {
	return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Seq, b.Seq),
		cmp.Compare(a.Path, b.Path), cmp.Compare(a.Field, b.Field), cmp.Compare(a.ID, b.ID))
}

// FactValues returns the distinct (field, value) pairs of repos' facts.
func (s *Store) FactValues(ctx context.Context, repos []string) ([]livespec.FactValue, error) {
	fs, err := s.Facts(ctx, livespec.FactQuery{Repos: repos, Validity: livespec.AnyVersion()})
	if err != nil {
		return nil, fmt.Errorf("qdrant: fact values: %w", err)
	}
	counts := map[[2]string]int{}
	for _, f := range fs {
		counts[[2]string{f.Field, f.Value}]++
	}
	out := make([]livespec.FactValue, 0, len(counts))
	for k, n := range counts {
		out = append(out, livespec.FactValue{Field: k[0], Value: k[1], Count: n})
	}
	slices.SortFunc(out, func(a, b livespec.FactValue) int {
		return cmp.Or(cmp.Compare(a.Field, b.Field), cmp.Compare(a.Value, b.Value))
	})
	return out, nil
}

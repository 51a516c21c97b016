package qdrant

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"

	qc "github.com/qdrant/go-client/qdrant"

	"github.com/livespec/livespec"
)

// linksColl holds link versions: payload-only points with the record as
// JSON in "doc".
func (s *Store) linksColl() string { return s.cfg.Collection + "_links" }

// linkPoint is the point of a link version.
func linkPoint(l *livespec.Link) (*qc.PointStruct, error) {
	doc, err := json.Marshal(l)
	if err != nil {
		return nil, err
	}
	p := map[string]any{
		fID: l.ID, fRepo: l.Repo, fPath: l.Path, fKind: string(l.Kind), fCurrent: l.Current(),
		fValidFrom: ts(l.ValidFrom), fSeq: l.Seq, fDoc: string(doc),
	}
	if !l.Current() {
		p[fValidTo], p[fEndSeq], p[fEndCommit] = ts(l.ValidTo), l.EndSeq, l.EndCommit
	}
	return payloadPoint(l.ID, p)
}

// applyLinks writes b's link versions (with the closes of those the batch
// itself ends), then closes stored links.
func (s *Store) applyLinks(ctx context.Context, b *livespec.Batch) error {
	if len(b.Links) == 0 && len(b.LinkCloses) == 0 {
		return nil
	}
	if err := s.ensureCollection(ctx, s.linksColl(), 0, map[string]qc.FieldType{
		fRepo: qc.FieldType_FieldTypeKeyword, fPath: qc.FieldType_FieldTypeKeyword,
		fKind: qc.FieldType_FieldTypeKeyword, fCurrent: qc.FieldType_FieldTypeBool,
		fValidFrom: qc.FieldType_FieldTypeDatetime, fValidTo: qc.FieldType_FieldTypeDatetime,
	}); err != nil {
		return err
	}
	closes := map[string]livespec.Close{}
	for _, c := range b.LinkCloses {
		closes[c.ID] = c
	}
	pts, err := pointsOf(b.Links, "link", func(l *livespec.Link) string { return l.ID }, func(l *livespec.Link) (*qc.PointStruct, error) {
		m := *l
		if c, ok := closes[m.ID]; ok && m.Current() {
			m.EndCommit, m.EndSeq, m.ValidTo = c.Commit, c.Seq, c.ValidTo
		}
		return linkPoint(&m)
	})
	if err != nil {
		return err
	}
	if err := s.upsert(ctx, s.linksColl(), pts); err != nil {
		return err
	}
	return s.closeOpen(ctx, s.linksColl(), "links", b.LinkCloses)
}

// Links returns the link versions matching q, ordered by repo, path,
// heading, kind, target, anchor and ValidFrom.
func (s *Store) Links(ctx context.Context, q livespec.LinkQuery) ([]livespec.Link, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q.Limit < 0 {
		return nil, livespec.Errorf(livespec.EINVALID, "link limit %d is negative", q.Limit)
	}
	if q.Validity.Mode == livespec.ValidAsOf && q.Validity.At.IsZero() {
		return nil, livespec.Errorf(livespec.EINVALID, "an as-of filter needs a time")
	}
	must := append(scopeConditions(q.Repos, nil, false), validityConditions(q.Validity)...)
	if len(q.Kinds) > 0 {
		kinds := make([]string, len(q.Kinds))
		for i, k := range q.Kinds {
			kinds[i] = string(k)
		}
		must = append(must, qc.NewMatchKeywords(fKind, kinds...))
	}
	out := []livespec.Link{}
	err := s.scrollFacts(ctx, s.linksColl(), &qc.Filter{Must: must}, func(p map[string]*qc.Value) error {
		var l livespec.Link
		if err := decodeDoc(p, &l); err != nil {
			return livespec.WrapError(livespec.EINTERNAL, err, "qdrant: links")
		}
		var err error
		if l.EndCommit, l.EndSeq, l.ValidTo, err = decodeEnd(p); err != nil {
			return livespec.WrapError(livespec.EINTERNAL, err, "qdrant: links")
		}
		l.ValidFrom = l.ValidFrom.UTC()
		if len(q.Paths) == 0 || matchAny(q.Paths, l.Path) {
			out = append(out, l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b livespec.Link) int {
		return cmp.Or(cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Heading, b.Heading),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Target, b.Target), cmp.Compare(a.Anchor, b.Anchor),
			a.ValidFrom.Compare(b.ValidFrom), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

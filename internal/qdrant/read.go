package qdrant

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	qc "github.com/qdrant/go-client/qdrant"

	"github.com/livespec/livespec"
)

// facetLimit bounds the distinct values a facet request returns.
const facetLimit = 1 << 20

// withSections runs fn with the index record; when the sections collection
// it names is gone (another process changed the index), it reloads the
// record and runs fn once more.
func (s *Store) withSections(ctx context.Context, fn func(indexRecord) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := fn(s.cachedIndex())
	if err != nil && isNotFound(err) && ctx.Err() == nil {
		rec, lerr := s.loadIndex(ctx)
		if lerr != nil {
			return lerr
		}
		err = fn(rec)
	}
	return err
}

// Checkpoint returns the repo's checkpoint (ENOTFOUND if none).
func (s *Store) Checkpoint(ctx context.Context, repo string) (livespec.Checkpoint, error) {
	var cp livespec.Checkpoint
	if err := ctx.Err(); err != nil {
		return cp, err
	}
	pts, err := s.client.Get(ctx, &qc.GetPoints{
		CollectionName: s.metaColl(), Ids: []*qc.PointId{checkpointPointID(repo)}, WithPayload: qc.NewWithPayload(true),
	})
	if err != nil {
		return cp, s.classify(ctx, err, "qdrant: checkpoint of %s", repo)
	}
	if len(pts) == 0 {
		return cp, livespec.Errorf(livespec.ENOTFOUND, "repository %q has not been ingested", repo)
	}
	if err := decodeDoc(pts[0].GetPayload(), &cp); err != nil {
		return cp, livespec.WrapError(livespec.EINTERNAL, err, "qdrant: checkpoint of %s", repo)
	}
	cp.Time, cp.UpdatedAt = cp.Time.UTC(), cp.UpdatedAt.UTC()
	return cp, nil
}

// OpenVersions calls fn for every current section version of repo.
func (s *Store) OpenVersions(ctx context.Context, repo string, fn func(livespec.OpenVersion) error) error {
	return s.withSections(ctx, func(rec indexRecord) error {
		return s.scroll(ctx, &qc.ScrollPoints{
			CollectionName: rec.Sections,
			Filter:         versionFilter([]string{repo}, nil, livespec.Current()),
			WithPayload:    qc.NewWithPayloadInclude(fID, fRepo, fPath, fHeading, fPart, fHash, fSeq),
		}, func(pts []*qc.RetrievedPoint) error {
			for _, p := range pts {
				pl := p.GetPayload()
				if err := fn(livespec.OpenVersion{
					ID: pl[fID].GetStringValue(),
					Key: livespec.Key{Repo: pl[fRepo].GetStringValue(), Path: pl[fPath].GetStringValue(),
						Heading: pl[fHeading].GetStringValue(), Part: int(pl[fPart].GetIntegerValue())},
					Hash: pl[fHash].GetStringValue(),
					Seq:  pl[fSeq].GetIntegerValue(),
				}); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// OpenFiles calls fn for every current file version of repo.
func (s *Store) OpenFiles(ctx context.Context, repo string, fn func(livespec.OpenFile) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.scroll(ctx, &qc.ScrollPoints{
		CollectionName: s.filesColl(),
		Filter:         versionFilter([]string{repo}, nil, livespec.Current()),
		WithPayload:    qc.NewWithPayloadInclude(fID, fPath, fBlob, fSeq),
	}, func(pts []*qc.RetrievedPoint) error {
		for _, p := range pts {
			pl := p.GetPayload()
			if err := fn(livespec.OpenFile{
				ID: pl[fID].GetStringValue(), Path: pl[fPath].GetStringValue(),
				Blob: pl[fBlob].GetStringValue(), Seq: pl[fSeq].GetIntegerValue(),
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

// HasVectors returns the hashes that have a vector of embedder.
func (s *Store) HasVectors(ctx context.Context, embedder string, hashes []string) (map[string]bool, error) {
	out := map[string]bool{}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(hashes) == 0 {
		return out, nil
	}
	colls, err := s.vectorCollections(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range colls {
		for chunk := range slices.Chunk(hashes, 1024) {
			ids := make([]*qc.PointId, len(chunk))
			for i, h := range chunk {
				ids[i] = vectorPointID(embedder, h)
			}
			pts, err := s.client.Get(ctx, &qc.GetPoints{CollectionName: c, Ids: ids, WithPayload: qc.NewWithPayloadInclude(fHash)})
			if err != nil {
				return nil, s.classify(ctx, err, "qdrant: has vectors")
			}
			for _, p := range pts {
				out[p.GetPayload()[fHash].GetStringValue()] = true
			}
		}
	}
	return out, nil
}

// isGlob reports whether a path pattern has glob syntax.
func isGlob(p string) bool { return strings.ContainsAny(p, "*?[{\\") }

// resolvePaths turns path globs into the exact paths they match among the
// values of the keyword fields keys in coll (for repos), since Qdrant has
// no glob match. nil globs give nil (every path); globs without glob
// syntax are returned as they are. A non-nil empty result matches nothing.
func (s *Store) resolvePaths(ctx context.Context, coll string, repos, globs []string, keys ...string) ([]string, error) {
	if len(globs) == 0 {
		return nil, nil
	}
	for _, g := range globs {
		if !doublestar.ValidatePattern(g) {
			return nil, livespec.Errorf(livespec.EINVALID, "bad path pattern %q", g)
		}
	}
	if !slices.ContainsFunc(globs, isGlob) {
		return globs, nil
	}
	var f *qc.Filter
	if len(repos) > 0 {
		f = &qc.Filter{Must: []*qc.Condition{qc.NewMatchKeywords(fRepo, repos...)}}
	}
	out := []string{}
	seen := map[string]bool{}
	for _, key := range keys {
		hits, err := s.client.Facet(ctx, &qc.FacetCounts{
			CollectionName: coll, Key: key, Filter: f, Limit: qc.PtrOf(uint64(facetLimit)), Exact: qc.PtrOf(true),
		})
		if err != nil {
			return nil, s.classify(ctx, err, "qdrant: list paths")
		}
		for _, h := range hits {
			p := h.GetValue().GetStringValue()
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			if matchAny(globs, p) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

func matchAny(globs []string, p string) bool {
	for _, g := range globs {
		if ok, _ := doublestar.Match(g, p); ok {
			return true
		}
	}
	return false
}

// Search returns the best sections for q: BM25 (over current versions only
// for ValidCurrent), fused by reciprocal rank with the dense neighbours of
// q.Vector when the index has an embedder.
func (s *Store) Search(ctx context.Context, q livespec.SearchQuery) ([]livespec.Hit, error) {
	limit := cmp.Or(q.Limit, 10)
	if limit < 0 {
		return nil, livespec.Errorf(livespec.EINVALID, "search limit %d is negative", q.Limit)
	}
	var hits []livespec.Hit
	err := s.withSections(ctx, func(rec indexRecord) error {
		hits = nil
		var dense []float32
		if q.Vector != nil && rec.Dimensions > 0 {
			if (q.Embedder != "" && q.Embedder != rec.Embedder) || len(q.Vector) != rec.Dimensions {
				return livespec.Errorf(livespec.EMISMATCH,
					"the index is built with %q (%d dimensions), the query vector with %q (%d); rebuild it with `livespec ingest --reembed`",
					rec.Embedder, rec.Dimensions, q.Embedder, len(q.Vector))
			}
			dense = q.Vector
		}
		paths, err := s.resolvePaths(ctx, rec.Sections, q.Repos, q.Paths, fPath)
		if err != nil || (paths != nil && len(paths) == 0) {
			return err
		}
		sparseName := bm25Name
		if q.Validity.Mode == livespec.ValidCurrent || q.Validity.Mode == "" {
			sparseName = currentName
		}
		filter := versionFilter(q.Repos, paths, q.Validity)
		if q.Filtered() {
			hits, err = s.searchHolding(ctx, rec.Sections, q, sparseName, filter, limit)
			return err
		}
		hits, _, err = s.query(ctx, searchRequest(rec.Sections, QueryVector(q.Text), sparseName, dense, filter, limit, s.rrfK), q, nil)
		return err
	})
	return hits, err
}

// query runs a search request (none: no hits) and returns its hits that
// pass q's validity and, with a holder h, hold its terms, and how many
// points it returned.
func (s *Store) query(ctx context.Context, req *qc.QueryPoints, q livespec.SearchQuery, h *holder) ([]livespec.Hit, int, error) {
	if req == nil {
		return nil, 0, nil
	}
	pts, err := s.client.Query(ctx, req)
	if err != nil {
		return nil, 0, s.classify(ctx, err, "qdrant: search")
	}
	var hits []livespec.Hit
	for _, p := range pts {
		v, err := decodeVersion(p.GetPayload())
		if err != nil {
			return nil, 0, livespec.WrapError(livespec.EINTERNAL, err, "qdrant: search")
		}
		if !q.Validity.Matches(&v) {
			continue // a close applied between the filter and the read
		}
		if h != nil && !h.holds(v.Text) {
			continue
		}
		hits = append(hits, livespec.Hit{Version: v, Score: float64(p.GetScore())})
	}
	return hits, len(pts), nil
}

// searchHolding returns the best limit BM25 hits of a filtered search
// (SearchQuery.All, Phrases). Qdrant keeps no word positions, so the store
// reads the BM25 ranking in wider and wider heads until limit of them
// hold the terms or the ranking (every point sharing a term) runs out.
func (s *Store) searchHolding(ctx context.Context, coll string, q livespec.SearchQuery, sparseName string, filter *qc.Filter, limit int) ([]livespec.Hit, error) {
	h := newHolder(q)
	if h.none {
		return nil, nil
	}
	for n := max(4*limit, 64); ; n *= 4 {
		hits, read, err := s.query(ctx, searchRequest(coll, QueryVector(q.Text), sparseName, nil, filter, n, s.rrfK), q, h)
		if err != nil || len(hits) >= limit || read < n {
			return hits[:min(limit, len(hits))], err
		}
	}
}

// Changes returns the change events matching q in the promised order.
func (s *Store) Changes(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q.Limit < 0 {
		return nil, livespec.Errorf(livespec.EINVALID, "change limit %d is negative", q.Limit)
	}
	from := q.From
	var after *livespec.Change
	if q.After != "" {
		pts, err := s.client.Get(ctx, &qc.GetPoints{
			CollectionName: s.changesColl(), Ids: []*qc.PointId{pointID(q.After)}, WithPayload: qc.NewWithPayload(true),
		})
		if err != nil {
			return nil, s.classify(ctx, err, "qdrant: changes")
		}
		if len(pts) == 0 {
			return nil, livespec.Errorf(livespec.EINVALID, "unknown change cursor %q", q.After)
		}
		c, err := decodeChange(pts[0].GetPayload())
		if err != nil {
			return nil, livespec.WrapError(livespec.EINTERNAL, err, "qdrant: changes")
		}
		after = &c
		if c.Date.After(from) {
			from = c.Date
		}
	}
	if !q.To.IsZero() && !from.Before(q.To) {
		return []livespec.Change{}, nil
	}
	paths, err := s.resolvePaths(ctx, s.changesColl(), q.Repos, q.Paths, fPath, fOldPath)
	if err != nil {
		return nil, err
	}
	out := []livespec.Change{}
	if paths != nil && len(paths) == 0 {
		return out, nil
	}
	err = s.scroll(ctx, &qc.ScrollPoints{
		CollectionName: s.changesColl(),
		Filter:         changeFilter(q.Repos, paths, from, q.To, q.Sections),
		WithPayload:    qc.NewWithPayload(true),
	}, func(pts []*qc.RetrievedPoint) error {
		for _, p := range pts {
			c, err := decodeChange(p.GetPayload())
			if err != nil {
				return livespec.WrapError(livespec.EINTERNAL, err, "qdrant: changes")
			}
			if after == nil || livespec.CompareChanges(c, *after) > 0 {
				if q.Brief {
					c = briefChange(c)
				}
				out = append(out, c)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortChanges(out)
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// briefChange is c without what ChangeQuery.Brief leaves out.
func briefChange(c livespec.Change) livespec.Change {
	c.Author, c.AuthorDate, c.Message, c.Before, c.After, c.Summary, c.Editorial = "", time.Time{}, "", "", "", "", ""
	return c
}

// keyFilter selects versions of any of keys.
func keyFilter(keys []livespec.Key) *qc.Condition {
	should := make([]*qc.Condition, len(keys))
	for i, k := range keys {
		should[i] = qc.NewFilterAsCondition(&qc.Filter{Must: []*qc.Condition{
			qc.NewMatchKeyword(fRepo, k.Repo), qc.NewMatchKeyword(fPath, k.Path),
			qc.NewMatchKeyword(fHeading, k.Heading), qc.NewMatchInt(fPart, int64(k.Part)),
		}})
	}
	return qc.NewFilterAsCondition(&qc.Filter{Should: should})
}

// Versions returns the section versions matching q, ordered by repo, path,
// ValidFrom and Seq (then heading, part and id).
func (s *Store) Versions(ctx context.Context, q livespec.VersionQuery) ([]livespec.Version, error) {
	if q.Limit < 0 {
		return nil, livespec.Errorf(livespec.EINVALID, "version limit %d is negative", q.Limit)
	}
	var out []livespec.Version
	err := s.withSections(ctx, func(rec indexRecord) error {
		out = []livespec.Version{}
		paths, err := s.resolvePaths(ctx, rec.Sections, q.Repos, q.Paths, fPath)
		if err != nil || (paths != nil && len(paths) == 0) {
			return err
		}
		base := versionFilter(q.Repos, paths, q.Validity)
		if len(q.Hashes) > 0 {
			base.Must = append(base.Must, qc.NewMatchKeywords(fHash, q.Hashes...))
		}
		if q.HeadingSet || q.Heading != "" {
			base.Must = append(base.Must, qc.NewMatchKeyword(fHeading, q.Heading))
		}
		filters := []*qc.Filter{base}
		if len(q.Keys) > 0 {
			filters = filters[:0]
			for chunk := range slices.Chunk(q.Keys, 256) {
				f := &qc.Filter{Must: append(slices.Clone(base.Must), keyFilter(chunk))}
				filters = append(filters, f)
			}
		}
		seen := map[string]bool{}
		for _, f := range filters {
			err := s.scroll(ctx, &qc.ScrollPoints{
				CollectionName: rec.Sections, Filter: f, WithPayload: qc.NewWithPayload(true),
			}, func(pts []*qc.RetrievedPoint) error {
				for _, p := range pts {
					v, err := decodeVersion(p.GetPayload())
					if err != nil {
						return livespec.WrapError(livespec.EINTERNAL, err, "qdrant: versions")
					}
					if !seen[v.ID] {
						seen[v.ID] = true
						out = append(out, v)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b livespec.Version) int {
		return cmp.Or(cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Path, b.Path), a.ValidFrom.Compare(b.ValidFrom),
			cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.Heading, b.Heading), cmp.Compare(a.Part, b.Part), cmp.Compare(a.ID, b.ID))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// Version returns one section version by id.
func (s *Store) Version(ctx context.Context, id string) (livespec.Version, error) {
	var v livespec.Version
	err := s.withSections(ctx, func(rec indexRecord) error {
		pts, err := s.client.Get(ctx, &qc.GetPoints{
			CollectionName: rec.Sections, Ids: []*qc.PointId{pointID(id)}, WithPayload: qc.NewWithPayload(true),
		})
		if err != nil {
			return s.classify(ctx, err, "qdrant: version %s", id)
		}
		if len(pts) == 0 {
			return livespec.Errorf(livespec.ENOTFOUND, "no version %q", id)
		}
		if v, err = decodeVersion(pts[0].GetPayload()); err != nil {
			return livespec.WrapError(livespec.EINTERNAL, err, "qdrant: version %s", id)
		}
		return nil
	})
	return v, err
}

// Files returns the file versions matching q, ordered by repo, path and
// ValidFrom.
func (s *Store) Files(ctx context.Context, q livespec.FileQuery) ([]livespec.FileVersion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q.Limit < 0 {
		return nil, livespec.Errorf(livespec.EINVALID, "file limit %d is negative", q.Limit)
	}
	out := []livespec.FileVersion{}
	paths, err := s.resolvePaths(ctx, s.filesColl(), q.Repos, q.Paths, fPath)
	if err != nil || (paths != nil && len(paths) == 0) {
		return out, err
	}
	err = s.scroll(ctx, &qc.ScrollPoints{
		CollectionName: s.filesColl(), Filter: versionFilter(q.Repos, paths, q.Validity), WithPayload: qc.NewWithPayload(true),
	}, func(pts []*qc.RetrievedPoint) error {
		for _, p := range pts {
			f, err := decodeFile(p.GetPayload())
			if err != nil {
				return livespec.WrapError(livespec.EINTERNAL, err, "qdrant: files")
			}
			if q.Brief {
				f = f.Brief()
			}
			out = append(out, f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b livespec.FileVersion) int {
		return cmp.Or(cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Path, b.Path), a.ValidFrom.Compare(b.ValidFrom),
			cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// count counts the points of coll matching f exactly.
func (s *Store) count(ctx context.Context, coll string, f *qc.Filter) (int, error) {
	n, err := s.client.Count(ctx, &qc.CountPoints{CollectionName: coll, Filter: f, Exact: qc.PtrOf(true)})
	if err != nil {
		return 0, s.classify(ctx, err, "qdrant: count %s", coll)
	}
	return int(n), nil
}

// distinct returns the distinct values of the keyword field key in coll.
func (s *Store) distinct(ctx context.Context, coll, key string, f *qc.Filter) ([]string, error) {
	hits, err := s.client.Facet(ctx, &qc.FacetCounts{
		CollectionName: coll, Key: key, Filter: f, Limit: qc.PtrOf(uint64(facetLimit)), Exact: qc.PtrOf(true),
	})
	if err != nil {
		return nil, s.classify(ctx, err, "qdrant: distinct %s", key)
	}
	out := make([]string, 0, len(hits))
	for _, h := range hits {
		out = append(out, h.GetValue().GetStringValue())
	}
	return out, nil
}

// Checkpoints lists the ingested repositories with their checkpoints, by
// repo, without counting what each holds.
func (s *Store) Checkpoints(ctx context.Context) ([]livespec.Checkpoint, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var cps []livespec.Checkpoint
	err := s.scroll(ctx, &qc.ScrollPoints{
		CollectionName: s.metaColl(),
		Filter:         &qc.Filter{Must: []*qc.Condition{qc.NewMatchKeyword(fKind, "checkpoint")}},
		WithPayload:    qc.NewWithPayload(true),
	}, func(pts []*qc.RetrievedPoint) error {
		for _, p := range pts {
			var cp livespec.Checkpoint
			if err := decodeDoc(p.GetPayload(), &cp); err != nil {
				return livespec.WrapError(livespec.EINTERNAL, err, "qdrant: repos")
			}
			cp.Time, cp.UpdatedAt = cp.Time.UTC(), cp.UpdatedAt.UTC()
			cps = append(cps, cp)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(cps, func(a, b livespec.Checkpoint) int { return cmp.Compare(a.Repo, b.Repo) })
	return cps, nil
}

// Repos lists the ingested repositories with their checkpoints and counts.
func (s *Store) Repos(ctx context.Context) ([]livespec.RepoInfo, error) {
	cps, err := s.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]livespec.RepoInfo, 0, len(cps))
	for _, cp := range cps {
		info := livespec.RepoInfo{Checkpoint: cp}
		err := s.withSections(ctx, func(rec indexRecord) error {
			repo := qc.NewMatchKeyword(fRepo, cp.Repo)
			var err error
			if info.Files, err = s.count(ctx, s.filesColl(), &qc.Filter{Must: []*qc.Condition{repo, qc.NewMatchBool(fCurrent, true)}}); err != nil {
				return err
			}
			if info.Versions, err = s.count(ctx, rec.Sections, &qc.Filter{Must: []*qc.Condition{repo}}); err != nil {
				return err
			}
			info.Changes, err = s.count(ctx, s.changesColl(), &qc.Filter{Must: []*qc.Condition{repo}})
			return err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// Stats counts what the store holds for repo ("" for every repo). Vectors
// counts the distinct texts of the repo that have a vector of the index's
// embedder (for "", every vector of it).
func (s *Store) Stats(ctx context.Context, repo string) (livespec.Stats, error) {
	var st livespec.Stats
	err := s.withSections(ctx, func(rec indexRecord) error {
		st = livespec.Stats{}
		var f *qc.Filter
		if repo != "" {
			f = &qc.Filter{Must: []*qc.Condition{qc.NewMatchKeyword(fRepo, repo)}}
		}
		paths, err := s.distinct(ctx, s.filesColl(), fPath, f)
		if err != nil {
			return err
		}
		st.Files = len(paths)
		if st.FileVersions, err = s.count(ctx, s.filesColl(), f); err != nil {
			return err
		}
		if st.Versions, err = s.count(ctx, rec.Sections, f); err != nil {
			return err
		}
		if st.Changes, err = s.count(ctx, s.changesColl(), f); err != nil {
			return err
		}
		hashes, err := s.distinct(ctx, rec.Sections, fHash, f)
		if err != nil {
			return err
		}
		st.DistinctTexts = len(hashes)
		if rec.Dimensions == 0 {
			return nil
		}
		if repo == "" {
			n, err := s.count(ctx, s.vectorsColl(rec.Dimensions),
				&qc.Filter{Must: []*qc.Condition{qc.NewMatchKeyword(fEmbedder, rec.Embedder)}})
			if err != nil && !isNotFound(err) {
				return err
			}
			st.Vectors = n
			return nil
		}
		has, err := s.HasVectors(ctx, rec.Embedder, hashes)
		st.Vectors = len(has)
		return err
	})
	return st, err
}

// ChangedFiles returns the files with a section-level change event in q's
// window, from the window's events: Qdrant keeps no index of them.
func (s *Store) ChangedFiles(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Key, error) {
	cs, err := s.windowSections(ctx, q)
	if err != nil {
		return nil, err
	}
	return livespec.ChangedFilesOf(cs), nil
}

// ChangedSections returns those of sections that a section-level change
// event in q's window changed, from the window's events.
func (s *Store) ChangedSections(ctx context.Context, q livespec.ChangeQuery, sections []livespec.Key) ([]livespec.Key, error) {
	cs, err := s.windowSections(ctx, q)
	if err != nil {
		return nil, err
	}
	return livespec.ChangedSectionsOf(cs, sections), nil
}

// SectionChanges returns the section-level events in q's window that
// changed one of sections under its name or from it, from the events of
// the sections' files: Qdrant keeps no index of section names.
func (s *Store) SectionChanges(ctx context.Context, q livespec.ChangeQuery, sections []livespec.Key) ([]livespec.Change, error) {
	if len(sections) == 0 {
		return nil, ctx.Err()
	}
	cs, err := s.Changes(ctx, livespec.ChangeQuery{Repos: q.Repos, Paths: livespec.SectionPaths(sections), From: q.From, To: q.To, Sections: true})
	if err != nil {
		return nil, err
	}
	return livespec.SectionChangesOf(cs, sections), nil
}

// CountChanges returns how many events q's window holds per repository,
// from the window's events.
func (s *Store) CountChanges(ctx context.Context, q livespec.ChangeQuery) (map[string]int, error) {
	cs, err := s.windowSections(ctx, q)
	if err != nil {
		return nil, err
	}
	return livespec.CountChangesOf(cs), nil
}

// windowSections reads the events of q's window and repositories briefly.
func (s *Store) windowSections(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Change, error) {
	return s.Changes(ctx, livespec.ChangeQuery{Repos: q.Repos, From: q.From, To: q.To, Sections: true, Brief: true})
}

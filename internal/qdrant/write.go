package qdrant

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	qc "github.com/qdrant/go-client/qdrant"

	"github.com/livespec/livespec"
)

// writeOrdering routes writes through the shard leader, so a write that
// follows another on the same points (upsert then close) is applied after it.
func writeOrdering() *qc.WriteOrdering {
	return &qc.WriteOrdering{Type: qc.WriteOrderingType_Medium}
}

// loadIndex reads the index record from the meta collection (a fresh store
// has a BM25-only index), makes sure its sections collection exists and
// caches it.
func (s *Store) loadIndex(ctx context.Context) (indexRecord, error) {
	rec := indexRecord{Sections: s.sectionsColl(0)}
	pts, err := s.client.Get(ctx, &qc.GetPoints{
		CollectionName: s.metaColl(), Ids: []*qc.PointId{indexPointID()}, WithPayload: qc.NewWithPayload(true),
	})
	if err != nil {
		return rec, s.classify(ctx, err, "qdrant: read index info")
	}
	if len(pts) > 0 {
		if err := decodeDoc(pts[0].GetPayload(), &rec); err != nil {
			return rec, livespec.WrapError(livespec.EINTERNAL, err, "qdrant: read index info")
		}
	}
	if err := s.ensureCollection(ctx, rec.Sections, rec.Dimensions, versionIndexes()); err != nil {
		return rec, err
	}
	s.mu.Lock()
	s.index = rec
	s.mu.Unlock()
	return rec, nil
}

// cachedIndex returns the cached index record.
func (s *Store) cachedIndex() indexRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.index
}

// Index returns the embedder and dimensions the index records.
func (s *Store) Index(ctx context.Context) (livespec.IndexInfo, error) {
	if err := ctx.Err(); err != nil {
		return livespec.IndexInfo{}, err
	}
	rec, err := s.loadIndex(ctx)
	return rec.IndexInfo, err
}

// SetIndex records info. It fails with EMISMATCH when vectors of another
// embedder or dimension are stored. When the dimensions change, the section
// versions move to a new sections collection configured for them (a
// collection's vectors are fixed at creation); the copy is idempotent and
// the index record switches to the new collection only once it is
// complete, so an interrupted SetIndex can simply be run again.
func (s *Store) SetIndex(ctx context.Context, info livespec.IndexInfo) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if info.Dimensions < 0 || (info.Embedder == "") != (info.Dimensions == 0) {
		return livespec.Errorf(livespec.EINVALID, "qdrant: index info: embedder %q with %d dimensions", info.Embedder, info.Dimensions)
	}
	cur, err := s.loadIndex(ctx)
	if err != nil {
		return err
	}
	if cur.IndexInfo == info {
		return nil
	}
	if err := s.checkVectors(ctx, info); err != nil {
		return err
	}
	rec := indexRecord{IndexInfo: info, Sections: s.sectionsColl(info.Dimensions)}
	if rec.Sections != cur.Sections {
		if err := s.ensureCollection(ctx, rec.Sections, info.Dimensions, versionIndexes()); err != nil {
			return err
		}
		if err := s.copySections(ctx, cur.Sections, rec); err != nil {
			return err
		}
	}
	p, err := metaPoint(indexPointID(), "index", "", rec)
	if err != nil {
		return livespec.WrapError(livespec.EINTERNAL, err, "qdrant: set index")
	}
	if err := s.upsert(ctx, s.metaColl(), []*qc.PointStruct{p}); err != nil {
		return err
	}
	if rec.Sections != cur.Sections {
		if err := s.client.DeleteCollection(ctx, cur.Sections); err != nil && !isNotFound(err) {
			return s.classify(ctx, err, "qdrant: drop %s", cur.Sections)
		}
	}
	s.mu.Lock()
	s.index = rec
	s.mu.Unlock()
	return nil
}

// vectorCollections lists the collections holding embeddings.
func (s *Store) vectorCollections(ctx context.Context) ([]string, error) {
	names, err := s.client.ListCollections(ctx)
	if err != nil {
		return nil, s.classify(ctx, err, "qdrant: list collections")
	}
	var out []string
	prefix := s.cfg.Collection + "_vectors_d"
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

// checkVectors fails with EMISMATCH when any stored vector was made by an
// embedder other than info's or has other dimensions.
func (s *Store) checkVectors(ctx context.Context, info livespec.IndexInfo) error {
	colls, err := s.vectorCollections(ctx)
	if err != nil {
		return err
	}
	for _, c := range colls {
		f := &qc.Filter{}
		if c == s.vectorsColl(info.Dimensions) && info.Dimensions > 0 {
			f.MustNot = []*qc.Condition{qc.NewMatchKeyword(fEmbedder, info.Embedder)}
		}
		n, err := s.client.Count(ctx, &qc.CountPoints{CollectionName: c, Filter: f, Exact: qc.PtrOf(true)})
		if err != nil {
			return s.classify(ctx, err, "qdrant: count vectors")
		}
		if n > 0 {
			return livespec.Errorf(livespec.EMISMATCH,
				"the index holds vectors of another embedder than %q (%d dimensions); rebuild it with `livespec ingest --reembed`",
				info.Embedder, info.Dimensions)
		}
	}
	return nil
}

// copySections copies every section version from the collection from into
// rec.Sections, with the dense vectors of rec's embedder where stored.
func (s *Store) copySections(ctx context.Context, from string, rec indexRecord) error {
	return s.scroll(ctx, &qc.ScrollPoints{
		CollectionName: from, WithPayload: qc.NewWithPayload(true),
	}, func(pts []*qc.RetrievedPoint) error {
		vs := make([]livespec.Version, 0, len(pts))
		for _, p := range pts {
			v, err := decodeVersion(p.GetPayload())
			if err != nil {
				return livespec.WrapError(livespec.EINTERNAL, err, "qdrant: copy sections")
			}
			vs = append(vs, v)
		}
		return s.upsertVersions(ctx, rec, vs, nil)
	})
}

// Apply writes b. Qdrant has no transactions across points, so Apply is
// ordered to make a crash harmless: vectors, file versions, section
// versions, closes, changes, and the checkpoint last. Every step is an
// idempotent upsert by deterministic id, or a close guarded by
// "still current", so re-applying the batch after a crash converges to
// the state one clean Apply gives, and the checkpoint never claims work
// that is not stored. See the package documentation.
func (s *Store) Apply(ctx context.Context, b *livespec.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return fmt.Errorf("qdrant: apply: %w", err)
	}
	// Read the index record afresh: another process may have moved the
	// sections collection (SetIndex) since this one cached it.
	rec, err := s.loadIndex(ctx)
	if err != nil {
		return err
	}
	if rec, err = s.indexFirstVectors(ctx, rec, b.Vectors); err != nil {
		return err
	}
	// Vectors first: versions look their dense vectors up by hash.
	given, err := s.applyVectors(ctx, rec, b.Vectors)
	if err != nil {
		return err
	}
	// Closes of versions written by this same batch are applied before
	// writing them; the others are applied to stored points afterwards.
	closes := map[string]livespec.Close{}
	for _, c := range b.Closes {
		closes[closeKey(c.File, c.ID)] = c
	}
	if err := s.applyFiles(ctx, b.Files, closes); err != nil {
		return err
	}
	versions := slices.Clone(b.Versions)
	for i := range versions {
		v := &versions[i]
		if c, ok := closes[closeKey(false, v.ID)]; ok && v.Current() {
			v.EndCommit, v.EndSeq, v.ValidTo = c.Commit, c.Seq, c.ValidTo
		}
	}
	if err := s.upsertVersions(ctx, rec, versions, given); err != nil {
		return err
	}
	if err := s.applyCloses(ctx, rec, b.Closes); err != nil {
		return err
	}
	pts, err := pointsOf(b.Changes, "change", func(c *livespec.Change) string { return c.ID }, changePoint)
	if err != nil {
		return err
	}
	if err := s.upsert(ctx, s.changesColl(), pts); err != nil {
		return err
	}
	if err := s.applyFacts(ctx, b); err != nil {
		return err
	}
	if err := s.applyLinks(ctx, b); err != nil {
		return err
	}
	return s.applyCheckpoint(ctx, b)
}

// indexFirstVectors records the embedder of the first vectors stored in a
// BM25-only index, as SetIndex would: vectors are only useful if searches
// can use them. It returns the index record to write with.
func (s *Store) indexFirstVectors(ctx context.Context, rec indexRecord, vs []livespec.Vector) (indexRecord, error) {
	if rec.Dimensions != 0 || len(vs) == 0 {
		return rec, nil
	}
	info := livespec.IndexInfo{Embedder: vs[0].Embedder, Dimensions: len(vs[0].Values)}
	for _, v := range vs {
		if v.Embedder != info.Embedder || len(v.Values) != info.Dimensions {
			return rec, livespec.Errorf(livespec.EMISMATCH,
				"qdrant: one batch holds vectors of %q (%d dimensions) and %q (%d); rebuild with `livespec ingest --reembed`",
				info.Embedder, info.Dimensions, v.Embedder, len(v.Values))
		}
	}
	if err := s.SetIndex(ctx, info); err != nil {
		return rec, err
	}
	return s.cachedIndex(), nil
}

// applyVectors stores vs in the vectors collection of their dimensions and
// returns those of the index's embedder by hash.
func (s *Store) applyVectors(ctx context.Context, rec indexRecord, vs []livespec.Vector) (map[string][]float32, error) {
	given := map[string][]float32{}
	byDims := map[int][]*qc.PointStruct{}
	for i := range vs {
		v := &vs[i]
		if rec.Dimensions > 0 && (v.Embedder != rec.Embedder || len(v.Values) != rec.Dimensions) {
			return nil, livespec.Errorf(livespec.EMISMATCH,
				"qdrant: vector of %q with %d dimensions, but the index is built with %q (%d); rebuild it with `livespec ingest --reembed`",
				v.Embedder, len(v.Values), rec.Embedder, rec.Dimensions)
		}
		if v.Embedder == rec.Embedder {
			given[v.Hash] = v.Values
		}
		p, err := vectorPoint(v)
		if err != nil {
			return nil, livespec.WrapError(livespec.EINVALID, err, "qdrant: vector %s", v.Hash)
		}
		byDims[len(v.Values)] = append(byDims[len(v.Values)], p)
	}
	for dims, pts := range byDims {
		c := s.vectorsColl(dims)
		if err := s.ensureCollection(ctx, c, dims,
			map[string]qc.FieldType{fEmbedder: qc.FieldType_FieldTypeKeyword, fHash: qc.FieldType_FieldTypeKeyword}); err != nil {
			return nil, err
		}
		if err := s.upsert(ctx, c, pts); err != nil {
			return nil, err
		}
	}
	return given, nil
}

// applyFiles stores file versions, each ended first when closes (by
// closeKey) ends it.
func (s *Store) applyFiles(ctx context.Context, files []livespec.FileVersion, closes map[string]livespec.Close) error {
	pts, err := pointsOf(files, "file version", func(f *livespec.FileVersion) string { return f.ID },
		func(f *livespec.FileVersion) (*qc.PointStruct, error) {
			g := *f
			if c, ok := closes[closeKey(true, g.ID)]; ok && g.Current() {
				g.EndCommit, g.EndSeq, g.ValidTo = c.Commit, c.Seq, c.ValidTo
			}
			return filePoint(&g)
		})
	if err != nil {
		return err
	}
	return s.upsert(ctx, s.filesColl(), pts)
}

// applyCheckpoint stores the batch's checkpoint, if any: the last write
// of a batch.
func (s *Store) applyCheckpoint(ctx context.Context, b *livespec.Batch) error {
	if b.Checkpoint == nil {
		return nil
	}
	cp := *b.Checkpoint
	if cp.Repo == "" {
		cp.Repo = b.Repo
	}
	cp.UpdatedAt = time.Now().UTC()
	p, err := metaPoint(checkpointPointID(cp.Repo), "checkpoint", cp.Repo, cp)
	if err != nil {
		return livespec.WrapError(livespec.EINVALID, err, "qdrant: checkpoint")
	}
	return s.upsert(ctx, s.metaColl(), []*qc.PointStruct{p})
}

// pointsOf builds one point per item with point; what and id name an item
// in errors.
func pointsOf[T any](items []T, what string, id func(*T) string, point func(*T) (*qc.PointStruct, error)) ([]*qc.PointStruct, error) {
	pts := make([]*qc.PointStruct, 0, len(items))
	for i := range items {
		p, err := point(&items[i])
		if err != nil {
			return nil, livespec.WrapError(livespec.EINVALID, err, "qdrant: %s %s", what, id(&items[i]))
		}
		pts = append(pts, p)
	}
	return pts, nil
}

func closeKey(file bool, id string) string {
	if file {
		return "f" + id
	}
	return "s" + id
}

// upsertVersions writes section versions into rec.Sections, each with the
// dense vector of its hash: from given, else from the vectors collection.
func (s *Store) upsertVersions(ctx context.Context, rec indexRecord, vs []livespec.Version, given map[string][]float32) error {
	if len(vs) == 0 {
		return nil
	}
	var dense map[string][]float32
	if rec.Dimensions > 0 {
		var missing []string
		for _, v := range vs {
			if _, ok := given[v.Hash]; !ok {
				missing = append(missing, v.Hash)
			}
		}
		var err error
		if dense, err = s.vectors(ctx, rec, missing); err != nil {
			return err
		}
		for h, vals := range given {
			dense[h] = vals
		}
	}
	pts := make([]*qc.PointStruct, 0, len(vs))
	for i := range vs {
		p, err := versionPoint(&vs[i], dense[vs[i].Hash])
		if err != nil {
			return livespec.WrapError(livespec.EINVALID, err, "qdrant: version %s", vs[i].ID)
		}
		pts = append(pts, p)
	}
	return s.upsert(ctx, rec.Sections, pts)
}

// vectors fetches the stored embeddings of hashes by rec's embedder.
func (s *Store) vectors(ctx context.Context, rec indexRecord, hashes []string) (map[string][]float32, error) {
	out := map[string][]float32{}
	if len(hashes) == 0 || rec.Dimensions == 0 {
		return out, nil
	}
	coll := s.vectorsColl(rec.Dimensions)
	for chunk := range slices.Chunk(slices.Compact(slices.Sorted(slices.Values(hashes))), 1024) {
		ids := make([]*qc.PointId, len(chunk))
		for i, h := range chunk {
			ids[i] = vectorPointID(rec.Embedder, h)
		}
		pts, err := s.client.Get(ctx, &qc.GetPoints{
			CollectionName: coll, Ids: ids, WithPayload: qc.NewWithPayloadInclude(fHash),
			WithVectors: qc.NewWithVectorsInclude(denseName),
		})
		if isNotFound(err) {
			return out, nil
		}
		if err != nil {
			return nil, s.classify(ctx, err, "qdrant: read vectors")
		}
		for _, p := range pts {
			if d := p.GetVectors().GetVectors().GetVectors()[denseName]; d != nil {
				out[p.GetPayload()[fHash].GetStringValue()] = denseData(d)
			}
		}
	}
	return out, nil
}

// denseData returns the values of a dense vector output, in either of the
// encodings the server may use.
func denseData(v *qc.VectorOutput) []float32 {
	if d := v.GetDense(); d != nil {
		return d.GetData()
	}
	return v.GetData() //nolint:staticcheck // older servers fill the deprecated field
}

// closeGroup is a set of closes that set the same end of validity.
type closeGroup struct {
	file  bool
	end   livespec.Close
	ids   []string
	order int
}

// applyCloses ends the validity of stored versions. Closes with the same
// commit, sequence and time are grouped into one request per collection.
// Each request only touches versions that are still current, so closing a
// closed version is a no-op. For section versions the current-only BM25
// vector is deleted first, then the payload is set: a crash in between
// leaves a version that a re-Apply closes.
func (s *Store) applyCloses(ctx context.Context, rec indexRecord, closes []livespec.Close) error {
	groups := map[string]*closeGroup{}
	for i, c := range closes {
		k := fmt.Sprintf("%t\x00%s\x00%d\x00%s", c.File, c.Commit, c.Seq, c.ValidTo.UTC().Format(time.RFC3339Nano))
		g := groups[k]
		if g == nil {
			g = &closeGroup{file: c.File, end: c, order: i}
			groups[k] = g
		}
		g.ids = append(g.ids, c.ID)
	}
	ordered := slices.SortedFunc(func(yield func(*closeGroup) bool) {
		for _, g := range groups {
			if !yield(g) {
				return
			}
		}
	}, func(a, b *closeGroup) int { return a.order - b.order })
	for _, g := range ordered {
		coll := rec.Sections
		if g.file {
			coll = s.filesColl()
		}
		for chunk := range slices.Chunk(g.ids, 1024) {
			f := &qc.Filter{Must: []*qc.Condition{qc.NewHasID(pointIDs(chunk)...), qc.NewMatchBool(fCurrent, true)}}
			if !g.file {
				if _, err := s.client.DeleteVectors(ctx, &qc.DeletePointVectors{
					CollectionName: coll, Wait: qc.PtrOf(true), Ordering: writeOrdering(),
					PointsSelector: qc.NewPointsSelectorFilter(f),
					Vectors:        &qc.VectorsSelector{Names: []string{currentName}},
				}); err != nil {
					return s.classify(ctx, err, "qdrant: close versions")
				}
			}
			if _, err := s.client.SetPayload(ctx, &qc.SetPayloadPoints{
				CollectionName: coll, Wait: qc.PtrOf(true), Ordering: writeOrdering(),
				Payload: closePayload(g.end), PointsSelector: qc.NewPointsSelectorFilter(f),
			}); err != nil {
				return s.classify(ctx, err, "qdrant: close versions")
			}
		}
	}
	return nil
}

// upsert writes points in batches under the message limit, waiting for
// each batch to be applied.
func (s *Store) upsert(ctx context.Context, coll string, pts []*qc.PointStruct) error {
	for _, batch := range splitBatches(pts, maxBatchBytes, maxBatchPoints) {
		if _, err := s.client.Upsert(ctx, &qc.UpsertPoints{
			CollectionName: coll, Points: batch, Wait: qc.PtrOf(true), Ordering: writeOrdering(),
		}); err != nil {
			return s.classify(ctx, err, "qdrant: write %s", coll)
		}
	}
	return nil
}

// DeleteRepo removes the repo's versions, files, changes and checkpoint.
// The checkpoint goes first: if the deletion is interrupted, the repo is no
// longer listed and its next ingest starts from scratch; running DeleteRepo
// again removes what is left. Vectors stay.
func (s *Store) DeleteRepo(ctx context.Context, repo string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := s.client.Delete(ctx, &qc.DeletePoints{
		CollectionName: s.metaColl(), Wait: qc.PtrOf(true), Ordering: writeOrdering(),
		Points: qc.NewPointsSelector(checkpointPointID(repo)),
	}); err != nil {
		return s.classify(ctx, err, "qdrant: delete repo %s", repo)
	}
	rec := s.cachedIndex()
	f := &qc.Filter{Must: []*qc.Condition{qc.NewMatchKeyword(fRepo, repo)}}
	for _, coll := range []string{rec.Sections, s.filesColl(), s.changesColl()} {
		if _, err := s.client.Delete(ctx, &qc.DeletePoints{
			CollectionName: coll, Wait: qc.PtrOf(true), Ordering: writeOrdering(),
			Points: qc.NewPointsSelectorFilter(f),
		}); err != nil {
			return s.classify(ctx, err, "qdrant: delete repo %s", repo)
		}
	}
	return s.deleteFacts(ctx, repo)
}

// scroll pages through the points matching req, calling fn per page.
func (s *Store) scroll(ctx context.Context, req *qc.ScrollPoints, fn func([]*qc.RetrievedPoint) error) error {
	req.Limit = qc.PtrOf(uint32(scrollPage))
	req.Offset = nil
	for {
		pts, next, err := s.client.ScrollAndOffset(ctx, req)
		if err != nil {
			return s.classify(ctx, err, "qdrant: read %s", req.CollectionName)
		}
		if len(pts) > 0 {
			if err := fn(pts); err != nil {
				return err
			}
		}
		if next == nil || len(pts) == 0 {
			return nil
		}
		req.Offset = next
	}
}

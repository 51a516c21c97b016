package qdrant

import (
	"context"

	qc "github.com/qdrant/go-client/qdrant"

	"github.com/livespec/livespec"
)

// ResetVectors deletes every stored vector that is not of info's embedder
// and dimensions, in every repository, and records info as the index's
// embedder, so that `livespec ingest --reembed` can switch embedders.
// Vectors of info's embedder and dimensions stay.
//
// Dense vectors of two embedders are never mixed, even when the reset is
// interrupted: first the dense vectors of the section versions go (when
// the recorded embedder differs but the dimensions are the same, so the
// sections collection stays), then the embeddings of other embedders
// (P_vectors_dN of other dimensions are dropped), and last the index
// record is written through SetIndex, which moves the versions to the
// sections collection of info's dimensions when they differ. Running it
// again after an interruption completes it. Versions of repositories not
// yet re-ingested keep no dense vector, so dense search misses them until
// `livespec ingest --reembed` has run for each repository.
func (s *Store) ResetVectors(ctx context.Context, info livespec.IndexInfo) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if info.Dimensions < 0 || (info.Embedder == "") != (info.Dimensions == 0) {
		return livespec.Errorf(livespec.EINVALID, "qdrant: reset vectors: embedder %q with %d dimensions", info.Embedder, info.Dimensions)
	}
	cur, err := s.loadIndex(ctx)
	if err != nil {
		return err
	}
	if cur.Dimensions > 0 && cur.Dimensions == info.Dimensions && cur.Embedder != info.Embedder {
		if _, err := s.client.DeleteVectors(ctx, &qc.DeletePointVectors{
			CollectionName: cur.Sections, Wait: qc.PtrOf(true), Ordering: writeOrdering(),
			PointsSelector: qc.NewPointsSelectorFilter(&qc.Filter{}),
			Vectors:        &qc.VectorsSelector{Names: []string{denseName}},
		}); err != nil {
			return s.classify(ctx, err, "qdrant: reset vectors of %s", cur.Sections)
		}
	}
	colls, err := s.vectorCollections(ctx)
	if err != nil {
		return err
	}
	for _, c := range colls {
		if info.Dimensions == 0 || c != s.vectorsColl(info.Dimensions) {
			if err := s.client.DeleteCollection(ctx, c); err != nil && !isNotFound(err) {
				return s.classify(ctx, err, "qdrant: reset vectors: drop %s", c)
			}
			continue
		}
		if _, err := s.client.Delete(ctx, &qc.DeletePoints{
			CollectionName: c, Wait: qc.PtrOf(true), Ordering: writeOrdering(),
			Points: qc.NewPointsSelectorFilter(&qc.Filter{MustNot: []*qc.Condition{qc.NewMatchKeyword(fEmbedder, info.Embedder)}}),
		}); err != nil {
			return s.classify(ctx, err, "qdrant: reset vectors of %s", c)
		}
	}
	return s.SetIndex(ctx, info)
}

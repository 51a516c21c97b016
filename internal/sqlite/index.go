package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/livespec/livespec"
)

// ReembedCommand is the command that rebuilds an index's vectors with the
// configured embedder; EMISMATCH errors name it.
const ReembedCommand = "livespec ingest --reembed"

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readIndex(ctx context.Context, q querier) (livespec.IndexInfo, error) {
	var info livespec.IndexInfo
	err := q.QueryRowContext(ctx, `SELECT embedder, dimensions FROM index_info WHERE id = 1`).Scan(&info.Embedder, &info.Dimensions)
	return info, err
}

// mismatch is the EMISMATCH error for an index built with have and used with want.
func mismatch(have, want livespec.IndexInfo) error {
	return livespec.Errorf(livespec.EMISMATCH,
		"the index holds vectors of %s (%d dimensions) but %s (%d dimensions) is configured: run `%s` to re-embed, or configure %s again",
		name(have.Embedder), have.Dimensions, name(want.Embedder), want.Dimensions, ReembedCommand, name(have.Embedder))
}

func name(embedder string) string {
	if embedder == "" {
		return "no embedder"
	}
	return embedder
}

// Index returns the embedder the index records.
func (s *Store) Index(ctx context.Context) (livespec.IndexInfo, error) {
	info, err := readIndex(ctx, s.r)
	if err != nil {
		return livespec.IndexInfo{}, s.fail(ctx, "index", err)
	}
	return info, nil
}

// SetIndex records info as the index's embedder. It fails with EMISMATCH,
// changing nothing, when vectors of another embedder or dimension are stored.
func (s *Store) SetIndex(ctx context.Context, info livespec.IndexInfo) error {
	if (info.Embedder == "") != (info.Dimensions == 0) || info.Dimensions < 0 {
		return fmt.Errorf("sqlite: set index: %w", livespec.Errorf(livespec.EINVALID, "embedder %q with %d dimensions", info.Embedder, info.Dimensions))
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, "set index", err)
	}
	defer tx.Rollback()
	var other livespec.IndexInfo
	err = tx.QueryRowContext(ctx, `SELECT embedder, length(vec) / 4 FROM vectors
		WHERE embedder <> ?1 OR length(vec) <> ?2 * 4 LIMIT 1`, info.Embedder, info.Dimensions).Scan(&other.Embedder, &other.Dimensions)
	switch {
	case err == nil:
		return fmt.Errorf("sqlite: set index: %w", mismatch(other, info))
	case err != sql.ErrNoRows:
		return s.fail(ctx, "set index", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE index_info SET embedder = ?, dimensions = ? WHERE id = 1`, info.Embedder, info.Dimensions); err != nil {
		return s.fail(ctx, "set index", err)
	}
	if err := tx.Commit(); err != nil {
		return s.fail(ctx, "set index", err)
	}
	return nil
}

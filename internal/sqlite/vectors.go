package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/livespec/livespec"
)

// vecCache keeps the vectors of each embedder in memory, as unit vectors,
// so that a dense search is one pass over memory instead of over the file.
// It loads what is new by vector id, and everything again when the index's
// vectors_epoch says vectors were deleted.
type vecCache struct {
	mu   sync.Mutex
	sets map[string]*vecSet
}

// vecSet is an immutable snapshot of one embedder's vectors.
type vecSet struct {
	epoch, maxID int64
	hashes       []string
	vecs         [][]float32 // unit length
	index        map[string]int
}

// vectors returns the vectors of embedder as of tx.
func (s *Store) vectors(ctx context.Context, tx *sql.Tx, embedder string) (*vecSet, error) {
	var epoch, maxID int64
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT vectors_epoch FROM index_info WHERE id = 1),
		coalesce((SELECT max(id) FROM vectors), 0)`).Scan(&epoch, &maxID); err != nil {
		return nil, err
	}
	s.vc.mu.Lock()
	defer s.vc.mu.Unlock()
	if s.vc.sets == nil {
		s.vc.sets = make(map[string]*vecSet)
	}
	cur := s.vc.sets[embedder]
	if cur != nil && cur.epoch == epoch && cur.maxID >= maxID {
		return cur, nil
	}
	next := &vecSet{epoch: epoch, index: make(map[string]int)}
	if cur != nil && cur.epoch == epoch {
		next.maxID = cur.maxID
		next.hashes = slices.Clone(cur.hashes)
		next.vecs = slices.Clone(cur.vecs)
		next.index = make(map[string]int, len(cur.index))
		for h, i := range cur.index {
			next.index[h] = i
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, hash, vec FROM vectors WHERE embedder = ? AND id > ? ORDER BY id`, embedder, next.maxID)
	if err != nil {
		return nil, err
	}
	var raw []byte
	for rows.Next() {
		var id int64
		var hash string
		if err := rows.Scan(&id, &hash, &raw); err != nil {
			rows.Close()
			return nil, err
		}
		v := decodeVector(nil, raw)
		n := norm(v)
		if n == 0 {
			continue
		}
		for i := range v {
			v[i] = float32(float64(v[i]) / n)
		}
		if i, ok := next.index[hash]; ok {
			next.vecs[i] = v
		} else {
			next.index[hash] = len(next.hashes)
			next.hashes = append(next.hashes, hash)
			next.vecs = append(next.vecs, v)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	next.maxID = max(next.maxID, maxID)
	s.vc.sets[embedder] = next
	return next, nil
}

// nearest returns up to n versions passing f whose texts' vectors of
// q.Embedder are nearest (cosine) to q.Vector, best first. Like bm25, it
// checks the best texts against the filters and widens until n versions
// pass or the texts run out.
func (s *Store) nearest(ctx context.Context, tx *sql.Tx, q livespec.SearchQuery, f *searchFilter, n int) ([]ref, error) {
	qn := norm(q.Vector)
	if qn == 0 {
		return nil, nil
	}
	set, err := s.vectors(ctx, tx, q.Embedder)
	if err != nil {
		return nil, err
	}
	qv := make([]float32, len(q.Vector))
	for i, x := range q.Vector {
		qv[i] = float32(float64(x) / qn)
	}
	sims := make([]float32, len(set.vecs))
	for i, v := range set.vecs {
		if len(v) != len(qv) {
			sims[i] = float32(math.Inf(-1))
			continue
		}
		sims[i] = dot(qv, v)
	}
	better := func(a, b int) bool { // a ranks before b
		if sims[a] != sims[b] {
			return sims[a] > sims[b]
		}
		return set.hashes[a] < set.hashes[b]
	}
	for limit := max(minCandidates, 4*n); ; limit *= 4 {
		top := bestK(len(sims), limit, better)
		hashes := make([]string, len(top))
		for i, j := range top {
			hashes[i] = set.hashes[j]
		}
		ids, err := textIDs(ctx, tx, hashes)
		if err != nil {
			return nil, err
		}
		var tids []int64
		for _, h := range hashes {
			if id, ok := ids[h]; ok {
				tids = append(tids, id)
			}
		}
		refs, err := s.refs(ctx, tx, tids, f)
		if err != nil {
			return nil, err
		}
		var out []ref
		for _, j := range top {
			for _, r := range refs[ids[set.hashes[j]]] {
				r.score = float64(sims[j])
				out = append(out, r)
			}
		}
		if len(out) >= n || len(top) == len(sims) {
			return out[:min(n, len(out))], nil
		}
	}
}

// textIDs maps content hashes to texts.id, for the hashes that have a text.
func textIDs(ctx context.Context, tx *sql.Tx, hashes []string) (map[string]int64, error) {
	ids := make(map[string]int64, len(hashes))
	if len(hashes) == 0 {
		return ids, nil
	}
	b, _ := json.Marshal(hashes)
	rows, err := tx.QueryContext(ctx, `SELECT id, hash FROM texts WHERE hash IN (SELECT value FROM json_each(?))`, string(b))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var h string
		if err := rows.Scan(&id, &h); err != nil {
			rows.Close()
			return nil, err
		}
		ids[h] = id
	}
	return ids, closeRows(rows)
}

// bestK returns the k best of the indexes 0..n-1 by better, best first,
// in O(n log k).
func bestK(n, k int, better func(a, b int) bool) []int {
	k = min(k, n)
	if k == 0 {
		return nil
	}
	// h is a heap of the best so far with the worst at the root.
	h := make([]int, 0, k)
	worse := func(a, b int) bool { return better(b, a) }
	for i := range n {
		switch {
		case len(h) < k:
			h = append(h, i)
			for j := len(h) - 1; j > 0 && better(h[(j-1)/2], h[j]); j = (j - 1) / 2 {
				h[j], h[(j-1)/2] = h[(j-1)/2], h[j]
			}
		case better(i, h[0]):
			h[0] = i
			siftDown(h, 0, worse)
		}
	}
	sortBest(h, better)
	return h
}

// sortBest sorts h best first, as better orders its elements.
func sortBest[T any](h []T, better func(a, b T) bool) {
	slices.SortFunc(h, func(a, b T) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
}

// siftDown moves h[i] down the heap h, where each element is above its
// children by above, to its place.
func siftDown[T any](h []T, i int, above func(a, b T) bool) {
	for {
		w, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && above(h[l], h[w]) {
			w = l
		}
		if r < len(h) && above(h[r], h[w]) {
			w = r
		}
		if w == i {
			return
		}
		h[i], h[w] = h[w], h[i]
		i = w
	}
}

// dot returns the dot product of a and b (same length).
func dot(a, b []float32) float32 {
	var s0, s1, s2, s3 float32
	b = b[:len(a)]
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

// ResetVectors records info as the index's embedder and deletes every stored
// vector of another embedder or dimension, so that an ingest can embed the
// texts again with a new embedder (`livespec ingest --reembed`). Vectors of
// info's embedder and dimension stay.
func (s *Store) ResetVectors(ctx context.Context, info livespec.IndexInfo) error {
	if (info.Embedder == "") != (info.Dimensions == 0) || info.Dimensions < 0 {
		return fmt.Errorf("sqlite: reset index: %w", livespec.Errorf(livespec.EINVALID, "embedder %q with %d dimensions", info.Embedder, info.Dimensions))
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, "reset index", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM vectors WHERE embedder <> ?1 OR length(vec) <> ?2 * 4`, info.Embedder, info.Dimensions); err != nil {
		return s.fail(ctx, "reset index", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE index_info SET embedder = ?, dimensions = ?, vectors_epoch = vectors_epoch + 1 WHERE id = 1`,
		info.Embedder, info.Dimensions); err != nil {
		return s.fail(ctx, "reset index", err)
	}
	if err := tx.Commit(); err != nil {
		return s.fail(ctx, "reset index", err)
	}
	return nil
}

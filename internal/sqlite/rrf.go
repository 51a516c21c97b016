package sqlite

import (
	"sort"

	"github.com/livespec/livespec"
)

// RRFK is the usual constant of reciprocal-rank fusion.
const RRFK = 60

// RRF fuses rankings by reciprocal rank: a hit scores the sum, over the
// rankings that hold it, of 1/(k + rank), rank counted from 1; hits are
// identified by Version.ID. It returns at most limit hits (all when limit
// <= 0), best first; ties go to the hit with the better single rank, then
// to the earlier ranking, then to the smaller id.
func RRF(k, limit int, rankings ...[]livespec.Hit) []livespec.Hit {
	type fused struct {
		hit  livespec.Hit
		best int // best rank
		list int // first ranking holding it
	}
	byID := make(map[string]*fused)
	var all []*fused
	for li, ranking := range rankings {
		for i, h := range ranking {
			rank := i + 1
			f, ok := byID[h.Version.ID]
			if !ok {
				f = &fused{hit: h, best: rank, list: li}
				f.hit.Score = 0
				byID[h.Version.ID] = f
				all = append(all, f)
			}
			f.hit.Score += 1 / float64(k+rank)
			f.best = min(f.best, rank)
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		switch {
		case a.hit.Score != b.hit.Score:
			return a.hit.Score > b.hit.Score
		case a.best != b.best:
			return a.best < b.best
		case a.list != b.list:
			return a.list < b.list
		}
		return a.hit.Version.ID < b.hit.Version.ID
	})
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	out := make([]livespec.Hit, len(all))
	for i, f := range all {
		out[i] = f.hit
	}
	return out
}

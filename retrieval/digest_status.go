package retrieval

import (
	"cmp"
	"context"
	"slices"

	"github.com/livespec/livespec"
)

// digestStatus lists the documents whose lifecycle field changed value in
// q's window (the net change: the value before the window and the value at
// its end; a field set back to its old value is left out), ordered by
// field, value, date and path.
func (a *Assistant) digestStatus(ctx context.Context, q livespec.DigestQuery) ([]livespec.DigestStatus, error) {
	chs, err := a.Store.FactChanges(ctx, livespec.FactChangeQuery{Repos: q.Repos, Paths: q.Paths, From: q.Window.From, To: q.Window.To})
	if err != nil {
		return nil, storeError("read fact changes", err)
	}
	words := a.statusWords()
	// By document and field; a document renamed in the window keeps its
	// events under its new path.
	type key struct{ repo, path, field string }
	type net struct{ first, last livespec.FactChange }
	byKey := map[key]*net{}
	var order []*net
	for _, c := range chs {
		if !words.Lifecycle(c.Field) {
			continue
		}
		k := key{c.Repo, c.Path, c.Field}
		n := byKey[k]
		if old := (key{c.Repo, c.OldPath, c.Field}); n == nil && c.OldPath != "" && byKey[old] != nil {
			n = byKey[old]
			delete(byKey, old)
			byKey[k] = n
		}
		if n == nil {
			n = &net{first: c}
			byKey[k] = n
			order = append(order, n)
		}
		n.last = c
	}
	out := []livespec.DigestStatus{}
	titles := map[[2]string]string{}
	for _, n := range order {
		s := livespec.DigestStatus{
			Repo: n.last.Repo, Path: n.last.Path, Field: n.last.Field, Value: n.last.Value, Previous: n.first.Previous,
			Commit: n.last.Commit, Date: livespec.Time{Time: n.last.Date},
		}
		if n.first.Kind == livespec.Added {
			s.Previous = ""
		}
		if s.Value == s.Previous {
			continue // set back, or only moved
		}
		if n.last.Kind != livespec.Removed {
			s.URL = Permalink(q.Permalink, s.Repo, n.last.Commit, n.last.Source, "")
		}
		tk := [2]string{s.Repo, s.Path}
		t, ok := titles[tk]
		if !ok {
			latest, err := a.latestFile(ctx, s.Repo, s.Path)
			if err != nil {
				return nil, err
			}
			if t, err = a.digestTitle(ctx, latest, s.Repo, s.Path); err != nil {
				return nil, err
			}
			titles[tk] = t
		}
		s.Title = t
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(x, y livespec.DigestStatus) int {
		return cmp.Or(cmp.Compare(x.Field, y.Field), cmp.Compare(x.Value, y.Value),
			x.Date.Compare(y.Date.Time), cmp.Compare(x.Repo, y.Repo), cmp.Compare(x.Path, y.Path))
	})
	return out, nil
}

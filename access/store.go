package access

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/livespec/livespec"
)

// namesTTL is how long the list of indexed repositories is reused to
// resolve a scope's globs; a repository ingested meanwhile is left out
// (never let in) until the list is read again.
const namesTTL = 5 * time.Second

// Store returns inner with every read limited to the scope of the caller
// ctx carries (livespec.ScopeFrom): queries get the allowed repositories
// as their Repos filter, which the store applies; a read that names only
// repositories outside the scope, or whose caller may read none, finds
// nothing, exactly as for a repository that is not indexed. The
// repositories each read returned are noted for the caller's audit line.
// Writes pass through.
func Store(inner livespec.Store) livespec.Store {
	return &store{Store: inner}
}

type store struct {
	livespec.Store

	mu    sync.Mutex
	names []string
	at    time.Time
}

// repos returns the Repos filter for a read asking for requested (empty:
// every repository) under ctx's scope; none is true when the scope allows
// none of them, and the read must find nothing.
func (s *store) repos(ctx context.Context, requested []string) (repos []string, none bool, err error) {
	sc := livespec.ScopeFrom(ctx)
	if sc.All() {
		return requested, false, nil
	}
	if len(requested) == 0 {
		if requested, err = s.indexed(ctx); err != nil {
			return nil, false, err
		}
	}
	repos = sc.Filter(requested)
	return repos, len(repos) == 0, nil
}

// indexed lists the repositories in the index, briefly cached.
func (s *store) indexed(ctx context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.names != nil && time.Since(s.at) < namesTTL {
		return s.names, nil
	}
	infos, err := s.Store.Repos(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(infos))
	for i, r := range infos {
		names[i] = r.Repo
	}
	s.names, s.at = names, time.Now()
	return names, nil
}

func note[T any](ctx context.Context, rows []T, repo func(*T) string) {
	seen := map[string]bool{}
	var out []string
	for i := range rows {
		if r := repo(&rows[i]); !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	livespec.NoteRead(ctx, out...)
}

func (s *store) Search(ctx context.Context, q livespec.SearchQuery) ([]livespec.Hit, error) {
	var none bool
	var err error
	if q.Repos, none, err = s.repos(ctx, q.Repos); err != nil || none {
		return nil, err
	}
	hits, err := s.Store.Search(ctx, q)
	note(ctx, hits, func(h *livespec.Hit) string { return h.Version.Repo })
	return hits, err
}

func (s *store) Changes(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Change, error) {
	var none bool
	var err error
	if q.Repos, none, err = s.repos(ctx, q.Repos); err != nil || none {
		return nil, err
	}
	chs, err := s.Store.Changes(ctx, q)
	note(ctx, chs, func(c *livespec.Change) string { return c.Repo })
	return chs, err
}

func (s *store) ChangedFiles(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Key, error) {
	var none bool
	var err error
	if q.Repos, none, err = s.repos(ctx, q.Repos); err != nil || none {
		return nil, err
	}
	ks, err := s.Store.ChangedFiles(ctx, q)
	note(ctx, ks, func(k *livespec.Key) string { return k.Repo })
	return ks, err
}

func (s *store) ChangedSections(ctx context.Context, q livespec.ChangeQuery, sections []livespec.Key) ([]livespec.Key, error) {
	var none bool
	var err error
	if q.Repos, none, err = s.repos(ctx, q.Repos); err != nil || none {
		return nil, err
	}
	ks, err := s.Store.ChangedSections(ctx, q, sections)
	note(ctx, ks, func(k *livespec.Key) string { return k.Repo })
	return ks, err
}

func (s *store) CountChanges(ctx context.Context, q livespec.ChangeQuery) (map[string]int, error) {
	var none bool
	var err error
	if q.Repos, none, err = s.repos(ctx, q.Repos); err != nil || none {
		return nil, err
	}
	n, err := s.Store.CountChanges(ctx, q)
	repos := slices.Sorted(maps.Keys(n))
	note(ctx, repos, func(r *string) string { return *r })
	return n, err
}

func (s *store) SectionChanges(ctx context.Context, q livespec.ChangeQuery, sections []livespec.Key) ([]livespec.Change, error) {
	var none bool
	var err error
	if q.Repos, none, err = s.repos(ctx, q.Repos); err != nil || none {
		return nil, err
	}
	chs, err := s.Store.SectionChanges(ctx, q, sections)
	note(ctx, chs, func(c *livespec.Change) string { return c.Repo })
	return chs, err
}

func (s *store) Versions(ctx context.Context, q livespec.VersionQuery) ([]livespec.Version, error) {
	var none bool
	var err error
	if q.Repos, none, err = s.repos(ctx, q.Repos); err != nil || none {
		return nil, err
	}
	if len(q.Keys) > 0 { // keys name their repository
		keys := q.Keys[:0:0]
		for _, k := range q.Keys {
			if livespec.ScopeFrom(ctx).Allows(k.Repo) {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			return nil, nil
		}
		q.Keys = keys
	}
	vs, err := s.Store.Versions(ctx, q)
	note(ctx, vs, func(v *livespec.Version) string { return v.Repo })
	return vs, err
}

func (s *store) Version(ctx context.Context, id string) (livespec.Version, error) {
	v, err := s.Store.Version(ctx, id)
	if err != nil {
		return v, err
	}
	if !livespec.ScopeFrom(ctx).Allows(v.Repo) {
		return livespec.Version{}, livespec.Errorf(livespec.ENOTFOUND, "no section version %q", id)
	}
	livespec.NoteRead(ctx, v.Repo)
	return v, nil
}

func (s *store) Files(ctx context.Context, q livespec.FileQuery) ([]livespec.FileVersion, error) {
	var none bool
	var err error
	if q.Repos, none, err = s.repos(ctx, q.Repos); err != nil || none {
		return nil, err
	}
	fs, err := s.Store.Files(ctx, q)
	note(ctx, fs, func(f *livespec.FileVersion) string { return f.Repo })
	return fs, err
}

func (s *store) Facts(ctx context.Context, q livespec.FactQuery) ([]livespec.Fact, error) {
	var none bool
	var err error
	if q.Repos, none, err = s.repos(ctx, q.Repos); err != nil || none {
		return nil, err
	}
	fs, err := s.Store.Facts(ctx, q)
	note(ctx, fs, func(f *livespec.Fact) string { return f.Repo })
	return fs, err
}

func (s *store) FactChanges(ctx context.Context, q livespec.FactChangeQuery) ([]livespec.FactChange, error) {
	var none bool
	var err error
	if q.Repos, none, err = s.repos(ctx, q.Repos); err != nil || none {
		return nil, err
	}
	chs, err := s.Store.FactChanges(ctx, q)
	note(ctx, chs, func(c *livespec.FactChange) string { return c.Repo })
	return chs, err
}

func (s *store) FactValues(ctx context.Context, repos []string) ([]livespec.FactValue, error) {
	repos, none, err := s.repos(ctx, repos)
	if err != nil || none {
		return nil, err
	}
	return s.Store.FactValues(ctx, repos)
}

func (s *store) Links(ctx context.Context, q livespec.LinkQuery) ([]livespec.Link, error) {
	var none bool
	var err error
	if q.Repos, none, err = s.repos(ctx, q.Repos); err != nil || none {
		return nil, err
	}
	ls, err := s.Store.Links(ctx, q)
	note(ctx, ls, func(l *livespec.Link) string { return l.Repo })
	return ls, err
}

func (s *store) Repos(ctx context.Context) ([]livespec.RepoInfo, error) {
	infos, err := s.Store.Repos(ctx)
	if err != nil {
		return nil, err
	}
	sc := livespec.ScopeFrom(ctx)
	out := infos[:0:0]
	for _, r := range infos {
		if sc.Allows(r.Repo) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *store) Checkpoint(ctx context.Context, repo string) (livespec.Checkpoint, error) {
	if !livespec.ScopeFrom(ctx).Allows(repo) {
		return livespec.Checkpoint{}, livespec.Errorf(livespec.ENOTFOUND, "repository %q has not been ingested", repo)
	}
	return s.Store.Checkpoint(ctx, repo)
}

// Stats of one repository outside the scope are zero; of every
// repository, the sum over the allowed ones (DistinctTexts and Vectors
// may then count a text shared by two of them twice).
func (s *store) Stats(ctx context.Context, repo string) (livespec.Stats, error) {
	sc := livespec.ScopeFrom(ctx)
	if repo != "" || sc.All() {
		if !sc.Allows(repo) && repo != "" {
			return livespec.Stats{}, nil
		}
		return s.Store.Stats(ctx, repo)
	}
	repos, _, err := s.repos(ctx, nil)
	if err != nil {
		return livespec.Stats{}, err
	}
	var sum livespec.Stats
	for _, r := range repos {
		st, err := s.Store.Stats(ctx, r)
		if err != nil {
			return livespec.Stats{}, err
		}
		sum.Files += st.Files
		sum.FileVersions += st.FileVersions
		sum.Versions += st.Versions
		sum.Changes += st.Changes
		sum.DistinctTexts += st.DistinctTexts
		sum.Vectors += st.Vectors
	}
	return sum, nil
}

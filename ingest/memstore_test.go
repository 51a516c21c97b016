package ingest

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sort"
	"sync"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/livespec/livespec"
)

// memStore is a small in-memory livespec.Store for the pipeline's tests:
// just enough of the contract for ingest (Apply, checkpoints, open
// versions, vectors) and for reading back what was written.
type memStore struct {
	mu       sync.Mutex
	versions map[string]livespec.Version
	files    map[string]livespec.FileVersion
	changes  map[string]livespec.Change
	cps      map[string]livespec.Checkpoint
	vectors  map[string]livespec.Vector // embedder + "|" + hash
	facts    map[string]livespec.Fact
	fchanges map[string]livespec.FactChange
	links    map[string]livespec.Link
	index    livespec.IndexInfo
	applies  int
	deletes  int

	dataVersion uint64
	feedback    []livespec.Feedback
	writer      chan struct{} // held by the writer (LockWrites)
}

var _ livespec.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{
		versions: map[string]livespec.Version{},
		files:    map[string]livespec.FileVersion{},
		changes:  map[string]livespec.Change{},
		cps:      map[string]livespec.Checkpoint{},
		vectors:  map[string]livespec.Vector{},
		facts:    map[string]livespec.Fact{},
		fchanges: map[string]livespec.FactChange{},
		links:    map[string]livespec.Link{},
		writer:   make(chan struct{}, 1),
	}
}

// LockWrites lets one writer hold the store at a time.
func (s *memStore) LockWrites(ctx context.Context, busy func()) (func(), error) {
	select {
	case s.writer <- struct{}{}:
	default:
		if busy != nil {
			busy()
		}
		select {
		case s.writer <- struct{}{}:
		case <-ctx.Done():
			return nil, livespec.WrapPublic(livespec.ECONFLICT, ctx.Err(), "another ingest is running on this index", "memstore: locked")
		}
	}
	var once sync.Once
	return func() { once.Do(func() { <-s.writer }) }, nil
}

func (s *memStore) Apply(ctx context.Context, b *livespec.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applies++
	for _, v := range b.Versions {
		if old, ok := s.versions[v.ID]; ok && !old.Current() && v.Current() {
			v.EndCommit, v.EndSeq, v.ValidTo = old.EndCommit, old.EndSeq, old.ValidTo
		}
		s.versions[v.ID] = v
	}
	for _, f := range b.Files {
		if old, ok := s.files[f.ID]; ok && !old.Current() && f.Current() {
			f.EndCommit, f.EndSeq, f.ValidTo = old.EndCommit, old.EndSeq, old.ValidTo
		}
		s.files[f.ID] = f
	}
	for _, c := range b.Closes {
		if c.File {
			if f, ok := s.files[c.ID]; ok && f.Current() {
				f.EndCommit, f.EndSeq, f.ValidTo = c.Commit, c.Seq, c.ValidTo
				s.files[c.ID] = f
			}
			continue
		}
		if v, ok := s.versions[c.ID]; ok && v.Current() {
			v.EndCommit, v.EndSeq, v.ValidTo = c.Commit, c.Seq, c.ValidTo
			s.versions[c.ID] = v
		}
	}
	for _, c := range b.Changes {
		s.changes[c.ID] = c
	}
	for _, v := range b.Vectors {
		s.vectors[v.Embedder+"|"+v.Hash] = v
	}
	for _, f := range b.Facts {
		if old, ok := s.facts[f.ID]; ok && !old.Current() && f.Current() {
			f.EndCommit, f.EndSeq, f.ValidTo = old.EndCommit, old.EndSeq, old.ValidTo
		}
		s.facts[f.ID] = f
	}
	for _, c := range b.FactCloses {
		if f, ok := s.facts[c.ID]; ok && f.Current() {
			f.EndCommit, f.EndSeq, f.ValidTo = c.Commit, c.Seq, c.ValidTo
			s.facts[c.ID] = f
		}
	}
	for _, c := range b.FactChanges {
		s.fchanges[c.ID] = c
	}
	for _, l := range b.Links {
		if old, ok := s.links[l.ID]; ok && !old.Current() && l.Current() {
			l.EndCommit, l.EndSeq, l.ValidTo = old.EndCommit, old.EndSeq, old.ValidTo
		}
		s.links[l.ID] = l
	}
	for _, c := range b.LinkCloses {
		if l, ok := s.links[c.ID]; ok && l.Current() {
			l.EndCommit, l.EndSeq, l.ValidTo = c.Commit, c.Seq, c.ValidTo
			s.links[c.ID] = l
		}
	}
	if b.Checkpoint != nil {
		s.cps[b.Repo] = *b.Checkpoint
	}
	return nil
}

func (s *memStore) Checkpoint(ctx context.Context, repo string) (livespec.Checkpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cp, ok := s.cps[repo]
	if !ok {
		return cp, livespec.Errorf(livespec.ENOTFOUND, "repo %q not found", repo)
	}
	return cp, nil
}

func (s *memStore) OpenVersions(ctx context.Context, repo string, fn func(livespec.OpenVersion) error) error {
	s.mu.Lock()
	var open []livespec.OpenVersion
	for _, v := range s.versions {
		if v.Repo == repo && v.Current() {
			open = append(open, livespec.OpenVersion{ID: v.ID, Key: v.Key, Hash: v.Hash, Seq: v.Seq})
		}
	}
	s.mu.Unlock()
	return callEach(open, fn)
}

func (s *memStore) OpenFiles(ctx context.Context, repo string, fn func(livespec.OpenFile) error) error {
	s.mu.Lock()
	var open []livespec.OpenFile
	for _, f := range s.files {
		if f.Repo == repo && f.Current() {
			open = append(open, livespec.OpenFile{ID: f.ID, Path: f.Path, Blob: f.Blob, Seq: f.Seq})
		}
	}
	s.mu.Unlock()
	return callEach(open, fn)
}

func (s *memStore) HasVectors(ctx context.Context, embedder string, hashes []string) (map[string]bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for _, h := range hashes {
		if _, ok := s.vectors[embedder+"|"+h]; ok {
			out[h] = true
		}
	}
	return out, nil
}

func (s *memStore) DeleteRepo(ctx context.Context, repo string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deletes++
	maps.DeleteFunc(s.versions, func(_ string, v livespec.Version) bool { return v.Repo == repo })
	maps.DeleteFunc(s.files, func(_ string, f livespec.FileVersion) bool { return f.Repo == repo })
	maps.DeleteFunc(s.changes, func(_ string, c livespec.Change) bool { return c.Repo == repo })
	maps.DeleteFunc(s.facts, func(_ string, f livespec.Fact) bool { return f.Repo == repo })
	maps.DeleteFunc(s.fchanges, func(_ string, c livespec.FactChange) bool { return c.Repo == repo })
	maps.DeleteFunc(s.links, func(_ string, l livespec.Link) bool { return l.Repo == repo })
	delete(s.cps, repo)
	return nil
}

func (s *memStore) Search(ctx context.Context, q livespec.SearchQuery) ([]livespec.Hit, error) {
	return nil, livespec.Errorf(livespec.EINTERNAL, "memStore: no search")
}

// Changes returns the changes of q.Repos (every change when empty),
// ignoring the other filters, in the store's change order.
func (s *memStore) Changes(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []livespec.Change
	for _, c := range s.changes {
		if len(q.Repos) == 0 || slices.Contains(q.Repos, c.Repo) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Repo != b.Repo:
			return a.Repo < b.Repo
		case a.Seq != b.Seq:
			return a.Seq < b.Seq
		case a.Section != b.Section:
			return !a.Section
		case a.Path != b.Path:
			return a.Path < b.Path
		case a.Heading != b.Heading:
			return a.Heading < b.Heading
		case a.Part != b.Part:
			return a.Part < b.Part
		}
		return a.ID < b.ID
	})
	return out, nil
}

// Versions returns the versions of q.Repos matching q.Validity, ordered
// by repo, path, heading, seq.
func (s *memStore) Versions(ctx context.Context, q livespec.VersionQuery) ([]livespec.Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []livespec.Version
	for _, v := range s.versions {
		if (len(q.Repos) == 0 || slices.Contains(q.Repos, v.Repo)) && q.Validity.Matches(&v) && matchAny(q.Paths, v.Path) {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Repo != b.Repo:
			return a.Repo < b.Repo
		case a.Path != b.Path:
			return a.Path < b.Path
		case a.Heading != b.Heading:
			return a.Heading < b.Heading
		case a.Part != b.Part:
			return a.Part < b.Part
		}
		return a.Seq < b.Seq
	})
	return out, nil
}

func (s *memStore) Version(ctx context.Context, id string) (livespec.Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.versions[id]
	if !ok {
		return v, livespec.Errorf(livespec.ENOTFOUND, "version %s not found", id)
	}
	return v, nil
}

func (s *memStore) Files(ctx context.Context, q livespec.FileQuery) ([]livespec.FileVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []livespec.FileVersion
	for _, f := range s.files {
		if len(q.Repos) > 0 && !slices.Contains(q.Repos, f.Repo) {
			continue
		}
		if q.Validity.Mode == livespec.ValidCurrent && !f.Current() {
			continue
		}
		if q.Validity.Mode == livespec.ValidAsOf && !f.ValidAt(q.Validity.At) {
			continue
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Seq < out[j].Seq
	})
	return out, nil
}

func (s *memStore) Repos(ctx context.Context) ([]livespec.RepoInfo, error) { return nil, nil }

func (s *memStore) Stats(ctx context.Context, repo string) (livespec.Stats, error) {
	return livespec.Stats{}, nil
}

func (s *memStore) Index(ctx context.Context) (livespec.IndexInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.index, nil
}

func (s *memStore) SetIndex(ctx context.Context, info livespec.IndexInfo) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index.Embedder != "" && s.index != info {
		return livespec.Errorf(livespec.EMISMATCH, "index built with %s@%d; re-embed with livespec ingest --reembed", s.index.Embedder, s.index.Dimensions)
	}
	s.index = info
	return nil
}

func (s *memStore) Close() error { return nil }

func (s *memStore) ResetVectors(ctx context.Context, info livespec.IndexInfo) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.vectors {
		if v.Embedder != info.Embedder || len(v.Values) != info.Dimensions {
			delete(s.vectors, k)
		}
	}
	s.index = info
	return nil
}

// DataVersion returns a new number on every call: the fake cannot tell
// that nothing was written.
func (s *memStore) DataVersion(context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dataVersion++
	return s.dataVersion, nil
}

// Warm has nothing to read ahead.
func (s *memStore) Warm(context.Context) error { return nil }

func (s *memStore) AddFeedback(_ context.Context, f livespec.Feedback) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.feedback = append(s.feedback, f)
	return nil
}

func (s *memStore) EachFeedback(_ context.Context, fn func(livespec.Feedback) error) error {
	s.mu.Lock()
	fs := slices.Clone(s.feedback)
	s.mu.Unlock()
	for _, f := range fs {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

func matchAny(globs []string, path string) bool {
	if len(globs) == 0 {
		return true
	}
	for _, g := range globs {
		if ok, _ := doublestar.Match(g, path); ok {
			return true
		}
	}
	return false
}

// callEach calls fn on each item in order, stopping at the first error.
func callEach[T any](items []T, fn func(T) error) error {
	for _, it := range items {
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}

// Facts returns the facts of q.Repos passing q.Validity, by repo, path,
// field, ValidFrom; other filters are ignored.
func (s *memStore) Facts(ctx context.Context, q livespec.FactQuery) ([]livespec.Fact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []livespec.Fact
	for _, f := range s.facts {
		if len(q.Repos) > 0 && !slices.Contains(q.Repos, f.Repo) {
			continue
		}
		switch q.Validity.Mode {
		case livespec.ValidCurrent, "":
			if !f.Current() {
				continue
			}
		case livespec.ValidAsOf:
			if !f.ValidAt(q.Validity.At) {
				continue
			}
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b livespec.Fact) int {
		return cmp.Or(cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Field, b.Field), a.ValidFrom.Compare(b.ValidFrom), cmp.Compare(a.Seq, b.Seq))
	})
	return out, nil
}

// FactChanges returns every fact change of q.Repos and q.Fields in their
// order.
func (s *memStore) FactChanges(ctx context.Context, q livespec.FactChangeQuery) ([]livespec.FactChange, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []livespec.FactChange
	for _, c := range s.fchanges {
		if (len(q.Repos) == 0 || slices.Contains(q.Repos, c.Repo)) && (len(q.Fields) == 0 || slices.Contains(q.Fields, c.Field)) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b livespec.FactChange) int {
		return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Field, b.Field), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (s *memStore) FactValues(ctx context.Context, repos []string) ([]livespec.FactValue, error) {
	return nil, livespec.Errorf(livespec.EINTERNAL, "memStore: no fact values")
}

// Links returns the links of q.Repos that pass q.Validity, ignoring the
// other filters, in the contract's order.
func (s *memStore) Links(ctx context.Context, q livespec.LinkQuery) ([]livespec.Link, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []livespec.Link
	for _, l := range s.links {
		valid := l.Current()
		switch q.Validity.Mode {
		case livespec.ValidAny:
			valid = true
		case livespec.ValidAsOf:
			valid = l.ValidAt(q.Validity.At)
		}
		if valid && (len(q.Repos) == 0 || slices.Contains(q.Repos, l.Repo)) {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b livespec.Link) int {
		return cmp.Or(cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Heading, b.Heading),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Target, b.Target), a.ValidFrom.Compare(b.ValidFrom))
	})
	return out, nil
}

// discardStore drops every batch.
type discardStore struct{ *memStore }

func (discardStore) Apply(ctx context.Context, b *livespec.Batch) error { return ctx.Err() }

// ChangedFiles and ChangedSections answer from the window's events.
func (s *memStore) ChangedFiles(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Key, error) {
	cs, err := s.Changes(ctx, livespec.ChangeQuery{Repos: q.Repos, From: q.From, To: q.To, Sections: true})
	return livespec.ChangedFilesOf(cs), err
}

func (s *memStore) ChangedSections(ctx context.Context, q livespec.ChangeQuery, sections []livespec.Key) ([]livespec.Key, error) {
	cs, err := s.Changes(ctx, livespec.ChangeQuery{Repos: q.Repos, From: q.From, To: q.To, Sections: true})
	return livespec.ChangedSectionsOf(cs, sections), err
}

// CountChanges answers from the window's events.
func (s *memStore) CountChanges(ctx context.Context, q livespec.ChangeQuery) (map[string]int, error) {
	cs, err := s.Changes(ctx, livespec.ChangeQuery{Repos: q.Repos, From: q.From, To: q.To, Sections: true})
	return livespec.CountChangesOf(cs), err
}

// SectionChanges answers from the events of the sections' files.
func (s *memStore) SectionChanges(ctx context.Context, q livespec.ChangeQuery, sections []livespec.Key) ([]livespec.Change, error) {
	if len(sections) == 0 {
		return nil, ctx.Err()
	}
	cs, err := s.Changes(ctx, livespec.ChangeQuery{Repos: q.Repos, Paths: livespec.SectionPaths(sections), From: q.From, To: q.To, Sections: true})
	return livespec.SectionChangesOf(cs, sections), err
}

package api_test

import (
	"cmp"
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/livespec/livespec"
)

// memStore is an in-memory livespec.Store holding what the API reads:
// repos, file versions, section versions and changes.
type memStore struct {
	mu       sync.Mutex
	repos    []livespec.RepoInfo
	files    []livespec.FileVersion
	versions []livespec.Version
	changes  []livespec.Change
	facts    []livespec.Fact
	fchanges []livespec.FactChange
	down     bool          // every call fails with EUNAVAILABLE
	block    chan struct{} // when non-nil, every call waits for it or ctx
	version  atomic.Uint64
}

var _ livespec.Store = (*memStore)(nil)

func (m *memStore) check(ctx context.Context) error {
	if m.block != nil {
		select {
		case <-m.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return livespec.Errorf(livespec.EUNAVAILABLE, "the store is unreachable")
	}
	return nil
}

func (m *memStore) setDown(d bool) { m.mu.Lock(); m.down = d; m.mu.Unlock() }

func matchAny(globs []string, paths ...string) bool {
	if len(globs) == 0 {
		return true
	}
	for _, g := range globs {
		for _, p := range paths {
			if ok, _ := doublestar.Match(g, p); ok && p != "" {
				return true
			}
		}
	}
	return false
}

func fileValid(f *livespec.FileVersion, v livespec.Validity) bool {
	switch v.Mode {
	case livespec.ValidAsOf:
		return f.ValidAt(v.At)
	case livespec.ValidAny:
		return true
	}
	return f.Current()
}

func (m *memStore) Changes(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Change, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	all := slices.Clone(m.changes)
	slices.SortFunc(all, func(a, b livespec.Change) int {
		return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Seq, b.Seq),
			boolCmp(a.Section, b.Section), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Heading, b.Heading),
			cmp.Compare(a.Part, b.Part), cmp.Compare(a.ID, b.ID))
	})
	var out []livespec.Change
	after := q.After == ""
	for _, c := range all {
		if !after {
			after = c.ID == q.After
			continue
		}
		if (len(q.Repos) > 0 && !slices.Contains(q.Repos, c.Repo)) || !matchAny(q.Paths, c.Path, c.OldPath) ||
			(!q.From.IsZero() && c.Date.Before(q.From)) || (!q.To.IsZero() && !c.Date.Before(q.To)) || (c.Section && !q.Sections) {
			continue
		}
		out = append(out, c)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func (m *memStore) Files(ctx context.Context, q livespec.FileQuery) ([]livespec.FileVersion, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []livespec.FileVersion
	for _, f := range m.files {
		if (len(q.Repos) == 0 || slices.Contains(q.Repos, f.Repo)) && matchAny(q.Paths, f.Path) && fileValid(&f, q.Validity) {
			out = append(out, f)
			if q.Limit > 0 && len(out) == q.Limit {
				break
			}
		}
	}
	return out, nil
}

func (m *memStore) Versions(ctx context.Context, q livespec.VersionQuery) ([]livespec.Version, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []livespec.Version
	for _, v := range m.versions {
		if (len(q.Repos) == 0 || slices.Contains(q.Repos, v.Repo)) && matchAny(q.Paths, v.Path) && q.Validity.Matches(&v) {
			out = append(out, v)
		}
	}
	return out, nil
}

func (m *memStore) Repos(ctx context.Context) ([]livespec.RepoInfo, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.repos), nil
}

func (m *memStore) Index(ctx context.Context) (livespec.IndexInfo, error) {
	return livespec.IndexInfo{}, m.check(ctx)
}

var errFake = livespec.Errorf(livespec.EINTERNAL, "not implemented by the fake store")

func (m *memStore) Apply(context.Context, *livespec.Batch) error { return errFake }
func (m *memStore) Checkpoint(context.Context, string) (livespec.Checkpoint, error) {
	return livespec.Checkpoint{}, errFake
}
func (m *memStore) OpenVersions(context.Context, string, func(livespec.OpenVersion) error) error {
	return errFake
}
func (m *memStore) OpenFiles(context.Context, string, func(livespec.OpenFile) error) error {
	return errFake
}
func (m *memStore) HasVectors(context.Context, string, []string) (map[string]bool, error) {
	return nil, errFake
}
func (m *memStore) DeleteRepo(context.Context, string) error { return errFake }
func (m *memStore) Search(context.Context, livespec.SearchQuery) ([]livespec.Hit, error) {
	return nil, errFake
}
func (m *memStore) Version(context.Context, string) (livespec.Version, error) {
	return livespec.Version{}, errFake
}
func (m *memStore) Stats(context.Context, string) (livespec.Stats, error) {
	return livespec.Stats{}, errFake
}
func (m *memStore) SetIndex(context.Context, livespec.IndexInfo) error { return errFake }
func (m *memStore) Close() error                                       { return nil }
func (m *memStore) ResetVectors(context.Context, livespec.IndexInfo) error {
	return errFake
}
func (m *memStore) AddFeedback(context.Context, livespec.Feedback) error { return errFake }
func (m *memStore) LockWrites(context.Context, func()) (func(), error) {
	return nil, errFake
}
func (m *memStore) EachFeedback(context.Context, func(livespec.Feedback) error) error {
	return errFake
}

// DataVersion tells no write apart: a new number each call, as a store
// that cannot tell (answers are never kept).
func (m *memStore) DataVersion(context.Context) (uint64, error) { return m.version.Add(1), nil }

// Warm has nothing to read ahead.
func (m *memStore) Warm(context.Context) error { return nil }

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour) // commits land at noon UTC
}

// fixtureStore holds the history of two repos:
//
//	acme/shop  spec/checkout.md  added 2025-01-10 (c1), Coupons rewritten 2025-04-02 (c2)
//	acme/shop  spec/auth.md      added 2025-02-01 (c3)
//	acme/docs  spec/auth.md      added 2025-03-01 (d1)
func fixtureStore() *memStore {
	m := &memStore{repos: []livespec.RepoInfo{
		{Checkpoint: livespec.Checkpoint{Repo: "acme/shop"}}, {Checkpoint: livespec.Checkpoint{Repo: "acme/docs"}},
	}}
	ver := func(repo, path, heading, text, commit string, seq int64, from time.Time) livespec.Version {
		k := livespec.Key{Repo: repo, Path: path, Heading: heading}
		return livespec.Version{ID: livespec.VersionID(k, commit), Key: k, Text: text, Hash: livespec.ContentHash(text),
			Commit: commit, Seq: seq, ValidFrom: from, Author: "Ann"}
	}
	c1, c2, c3 := day("2025-01-10"), day("2025-04-02"), day("2025-02-01")
	intro := ver("acme/shop", "spec/checkout.md", "", "Checkout rules.", "c1", 1, c1)
	head := ver("acme/shop", "spec/checkout.md", "Checkout", "# Checkout\nPay by card.", "c1", 1, c1)
	coupons1 := ver("acme/shop", "spec/checkout.md", "Checkout > Coupons", "## Coupons\nNo coupons.", "c1", 1, c1)
	coupons1.EndCommit, coupons1.EndSeq, coupons1.ValidTo = "c2", 3, c2
	coupons2 := ver("acme/shop", "spec/checkout.md", "Checkout > Coupons", "## Coupons\nOne coupon per order.", "c2", 3, c2)
	auth := ver("acme/shop", "spec/auth.md", "Auth", "# Auth\nTokens expire after 1h.", "c3", 2, c3)
	docsAuth := ver("acme/docs", "spec/auth.md", "Auth", "# Auth\nSee shop.", "d1", 1, day("2025-03-01"))
	m.versions = []livespec.Version{intro, head, coupons1, coupons2, auth, docsAuth}

	outline := []livespec.SectionRef{{Heading: ""}, {Heading: "Checkout"}, {Heading: "Checkout > Coupons"}}
	co1 := livespec.FileVersion{ID: "f1", Repo: "acme/shop", Path: "spec/checkout.md", Blob: "b1", Size: 50, Status: livespec.FileText,
		Outline: outline, Commit: "c1", Seq: 1, ValidFrom: c1, EndCommit: "c2", EndSeq: 3, ValidTo: c2}
	co2 := co1
	co2.ID, co2.Blob, co2.Commit, co2.Seq, co2.ValidFrom, co2.EndCommit, co2.EndSeq, co2.ValidTo = "f2", "b2", "c2", 3, c2, "", 0, time.Time{}
	au := livespec.FileVersion{ID: "f3", Repo: "acme/shop", Path: "spec/auth.md", Blob: "b3", Status: livespec.FileText,
		Outline: []livespec.SectionRef{{Heading: "Auth"}}, Commit: "c3", Seq: 2, ValidFrom: c3}
	da := livespec.FileVersion{ID: "f4", Repo: "acme/docs", Path: "spec/auth.md", Blob: "b4", Status: livespec.FileText,
		Outline: []livespec.SectionRef{{Heading: "Auth"}}, Commit: "d1", Seq: 1, ValidFrom: day("2025-03-01")}
	m.files = []livespec.FileVersion{co1, co2, au, da}

	ch := func(repo, commit string, seq int64, date time.Time, path, heading string, kind livespec.ChangeKind) livespec.Change {
		return livespec.Change{ID: livespec.ChangeID(repo, commit, path, heading, 0, heading != ""), Repo: repo, Commit: commit, Seq: seq,
			Date: date, Author: "Ann", Message: "edit " + path, Path: path, Heading: heading, Section: heading != "", Kind: kind,
			Summary: string(kind) + " " + cmp.Or(heading, path)}
	}
	m.changes = []livespec.Change{
		ch("acme/shop", "c1", 1, c1, "spec/checkout.md", "", livespec.Added),
		ch("acme/shop", "c1", 1, c1, "spec/checkout.md", "Checkout", livespec.Added),
		ch("acme/shop", "c1", 1, c1, "spec/checkout.md", "Checkout > Coupons", livespec.Added),
		ch("acme/shop", "c3", 2, c3, "spec/auth.md", "", livespec.Added),
		ch("acme/shop", "c3", 2, c3, "spec/auth.md", "Auth", livespec.Added),
		ch("acme/docs", "d1", 1, day("2025-03-01"), "spec/auth.md", "", livespec.Added),
		ch("acme/shop", "c2", 3, c2, "spec/checkout.md", "", livespec.Modified),
		ch("acme/shop", "c2", 3, c2, "spec/checkout.md", "Checkout > Coupons", livespec.Modified),
	}
	return m
}

// fakeAsker answers with fixed tokens. With block set it sends its tokens
// and then waits for its context to end.
type fakeAsker struct {
	tokens []string
	err    error // returned after the tokens
	block  bool
	gate   chan struct{} // when non-nil, Ask waits for it (or ctx) first
	store  *memStore     // when non-nil, Ask reads it first, as a real one does

	mu       sync.Mutex
	requests []livespec.AskRequest
	running  atomic.Int32
	peak     atomic.Int32
	canceled atomic.Int32
	started  chan struct{} // when non-nil, receives once per Ask
}

func (a *fakeAsker) Ask(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error) {
	n := a.running.Add(1)
	defer a.running.Add(-1)
	for p := a.peak.Load(); n > p && !a.peak.CompareAndSwap(p, n); p = a.peak.Load() {
	}
	a.mu.Lock()
	a.requests = append(a.requests, req)
	a.mu.Unlock()
	if a.started != nil {
		a.started <- struct{}{}
	}
	if a.store != nil {
		if err := a.store.check(ctx); err != nil {
			return nil, err
		}
	}
	if a.gate != nil {
		select {
		case <-a.gate:
		case <-ctx.Done():
			a.canceled.Add(1)
			return nil, ctx.Err()
		}
	}
	for _, t := range a.tokens {
		if onToken != nil {
			if err := onToken(t); err != nil {
				return nil, err
			}
		}
	}
	if a.block {
		<-ctx.Done()
		a.canceled.Add(1)
		return nil, livespec.WrapError(livespec.EUNAVAILABLE, ctx.Err(), "generation stopped")
	}
	if a.err != nil {
		return nil, a.err
	}
	return &livespec.Answer{
		Question: req.Question, Intent: livespec.IntentCurrent, Answer: strings.Join(a.tokens, ""),
		Citations: []livespec.Citation{{N: 1, Repo: "acme/shop", Path: "spec/checkout.md", Heading: "Checkout > Coupons",
			Commit: "c2", Date: livespec.Time{Time: day("2025-04-02")}, ValidFrom: livespec.Time{Time: day("2025-04-02")}, Current: true,
			Excerpt: "One coupon per order."}},
		Model: livespec.ModelInfo{Embedder: "none (BM25 only)", Generator: "extractive"},
	}, nil
}

func (a *fakeAsker) lastRequest() livespec.AskRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.requests) == 0 {
		return livespec.AskRequest{}
	}
	return a.requests[len(a.requests)-1]
}

// fakeHistorian records its query and returns one event.
type fakeHistorian struct {
	mu    sync.Mutex
	query livespec.TimelineQuery
	store *memStore // when non-nil, Timeline reads it first, as a real one does
}

func (h *fakeHistorian) Timeline(ctx context.Context, q livespec.TimelineQuery) (*livespec.Timeline, error) {
	if h.store != nil {
		if err := h.store.check(ctx); err != nil {
			return nil, err
		}
	}
	h.mu.Lock()
	h.query = q
	h.mu.Unlock()
	return &livespec.Timeline{Query: q, Events: []livespec.TimelineEvent{{
		Date: livespec.Time{Time: day("2025-01-10")}, Commit: "c1", Kind: livespec.Added, Repo: "acme/shop",
		Path: "spec/checkout.md", Heading: "Checkout > Coupons", Summary: "added", FirstMention: true}}}, nil
}

// fakeIngester counts runs per repo; with gate set each run waits for a
// value on it (or ctx).
type fakeIngester struct {
	gate    chan struct{}
	err     error
	mu      sync.Mutex
	runs    map[string]int
	active  map[string]int
	overlap bool // two runs of one repo at once were seen
}

func (f *fakeIngester) Ingest(ctx context.Context, repo string, progress func(done, total int)) (any, error) {
	f.mu.Lock()
	if f.runs == nil {
		f.runs, f.active = map[string]int{}, map[string]int{}
	}
	f.active[repo]++
	f.overlap = f.overlap || f.active[repo] > 1
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.active[repo]--
		f.runs[repo]++
		f.mu.Unlock()
	}()
	progress(1, 3)
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	progress(3, 3)
	if f.err != nil {
		return nil, f.err
	}
	return map[string]int{"commits": 3}, nil
}

func (f *fakeIngester) overlapped() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.overlap
}

func (f *fakeIngester) count(repo string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.runs[repo]
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }

// Links holds no links: the API serves none.
func (m *memStore) Links(ctx context.Context, q livespec.LinkQuery) ([]livespec.Link, error) {
	return nil, m.check(ctx)
}

func (m *memStore) Facts(ctx context.Context, q livespec.FactQuery) ([]livespec.Fact, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []livespec.Fact
	for _, f := range m.facts {
		if (len(q.Repos) == 0 || slices.Contains(q.Repos, f.Repo)) && matchAny(q.Paths, f.Path) &&
			(len(q.Fields) == 0 || slices.Contains(q.Fields, f.Field)) {
			out = append(out, f)
		}
	}
	return out, nil
}

func (m *memStore) FactChanges(ctx context.Context, q livespec.FactChangeQuery) ([]livespec.FactChange, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []livespec.FactChange
	for _, c := range m.fchanges {
		if (len(q.Repos) == 0 || slices.Contains(q.Repos, c.Repo)) && matchAny(q.Paths, c.Path, c.OldPath) &&
			(len(q.Fields) == 0 || slices.Contains(q.Fields, c.Field)) &&
			(q.From.IsZero() || !c.Date.Before(q.From)) && (q.To.IsZero() || c.Date.Before(q.To)) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b livespec.FactChange) int { return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.ID, b.ID)) })
	if q.After != "" {
		i := slices.IndexFunc(out, func(c livespec.FactChange) bool { return c.ID == q.After })
		if i < 0 {
			return nil, livespec.Errorf(livespec.EINVALID, "unknown cursor")
		}
		out = out[i+1:]
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func (m *memStore) FactValues(ctx context.Context, repos []string) ([]livespec.FactValue, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	return nil, nil
}

// ChangedFiles and ChangedSections answer from the window's events.
func (m *memStore) ChangedFiles(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Key, error) {
	cs, err := m.Changes(ctx, livespec.ChangeQuery{Repos: q.Repos, From: q.From, To: q.To, Sections: true})
	return livespec.ChangedFilesOf(cs), err
}

func (m *memStore) ChangedSections(ctx context.Context, q livespec.ChangeQuery, sections []livespec.Key) ([]livespec.Key, error) {
	cs, err := m.Changes(ctx, livespec.ChangeQuery{Repos: q.Repos, From: q.From, To: q.To, Sections: true})
	return livespec.ChangedSectionsOf(cs, sections), err
}

// CountChanges answers from the window's events.
func (m *memStore) CountChanges(ctx context.Context, q livespec.ChangeQuery) (map[string]int, error) {
	cs, err := m.Changes(ctx, livespec.ChangeQuery{Repos: q.Repos, From: q.From, To: q.To, Sections: true})
	return livespec.CountChangesOf(cs), err
}

// SectionChanges answers from the events of the sections' files.
func (m *memStore) SectionChanges(ctx context.Context, q livespec.ChangeQuery, sections []livespec.Key) ([]livespec.Change, error) {
	if len(sections) == 0 {
		return nil, m.check(ctx)
	}
	cs, err := m.Changes(ctx, livespec.ChangeQuery{Repos: q.Repos, Paths: livespec.SectionPaths(sections), From: q.From, To: q.To, Sections: true})
	return livespec.SectionChangesOf(cs, sections), err
}

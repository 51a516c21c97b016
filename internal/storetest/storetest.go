package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// Run runs the contract suite. open returns a new, empty store for each
// subtest and arranges for it to be closed (tb.Cleanup). The suite covers
// every capability a Store embeds (DataVersioner, VectorResetter,
// FeedbackStore, WriteLocker: the writers of one store; WriteLock covers
// stores opened on one index).
func Run(t *testing.T, open func(tb testing.TB) livespec.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s livespec.Store)
	}{
		{"Checkpoint", testCheckpoint},
		{"ApplyIdempotent", testApplyIdempotent},
		{"ApplyBatchByBatchEqualsOneBatch", testApplyMerged},
		{"Closes", testCloses},
		{"BadBatch", testBadBatch},
		{"VersionNotFound", testVersionNotFound},
		{"VersionsValidity", testVersionsValidity},
		{"VersionsFilters", testVersionsFilters},
		{"Files", testFiles},
		{"OpenVersionsAndFiles", testOpen},
		{"SearchRareWord", testSearchRareWord},
		{"SearchCurrentIgnoresSuperseded", testSearchSuperseded},
		{"SearchSharedText", testSearchSharedText},
		{"SearchFilters", testSearchFilters},
		{"SearchNoTerms", testSearchNoTerms},
		{"SearchVector", testSearchVector},
		{"SearchHolding", testSearchHolding},
		{"ChangesWindow", testChangesWindow},
		{"ChangesOrder", testChangesOrder},
		{"ChangesPaging", testChangesPaging},
		{"ChangesFilters", testChangesFilters},
		{"ChangesBrief", testChangesBrief},
		{"ChangeIndex", testChangeIndex},
		{"ChangedFilesDays", testChangedFilesDays},
		{"SectionChanges", testSectionChanges},
		{"CountChanges", testCountChanges},
		{"ChangesEditorial", testChangesEditorial},
		{"HasVectors", testHasVectors},
		{"SetIndexMismatch", testSetIndex},
		{"DeleteRepo", testDeleteRepo},
		{"Repos", testRepos},
		{"Checkpoints", testCheckpoints},
		{"TermCounts", testTermCounts},
		{"Stats", testStats},
		{"Cancelled", testCancelled},
		{"FactsValidity", testFactsValidity},
		{"FactsApply", testFactsApply},
		{"FactChanges", testFactChanges},
		{"FactValues", testFactValues},
		{"FactsBadBatch", testFactsBadBatch},
		{"LinksValidity", testLinksValidity},
		{"LinksApply", testLinksApply},
		{"ConcurrentReadsOnAFreshStore", testConcurrentReads},
		{"DataVersion", testDataVersion},
		{"ResetVectors", testResetVectors},
		{"Warm", testWarm},
		{"Feedback", func(t *testing.T, s livespec.Store) { testFeedback(t, s) }},
		{"WriteLock", func(t *testing.T, s livespec.Store) {
			writeLock(t, func(testing.TB) (a, b livespec.Store) { return s, s })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t))
		})
	}
}

func apply(t testing.TB, s livespec.Store, batches ...*livespec.Batch) {
	t.Helper()
	for _, b := range batches {
		if err := s.Apply(context.Background(), b); err != nil {
			t.Fatalf("apply %s@%d: %v", b.Repo, checkpointSeq(b), err)
		}
	}
}

func checkpointSeq(b *livespec.Batch) int64 {
	if b.Checkpoint == nil {
		return 0
	}
	return b.Checkpoint.Seq
}

// loadShop records the test embedder as the index's, as ingest does, then
// applies the shop history with vectors, and returns its batches.
func loadShop(t testing.TB, s livespec.Store) []*livespec.Batch {
	t.Helper()
	if err := s.SetIndex(context.Background(), livespec.IndexInfo{Embedder: embedder, Dimensions: 3}); err != nil {
		t.Fatalf("set index: %v", err)
	}
	_, bs := shop()
	bs[0].Vectors = vectorsFor(bs...)
	apply(t, s, bs...)
	return bs
}

func search(t testing.TB, s livespec.Store, q livespec.SearchQuery) []livespec.Hit {
	t.Helper()
	hits := query(t, "search", s.Search, q)
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Errorf("search %q: hit %d scores %v, more than hit %d (%v): not best first", q.Text, i, hits[i].Score, i-1, hits[i-1].Score)
		}
	}
	return hits
}

func hitIDs(hits []livespec.Hit) []string {
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.Version.ID)
	}
	return ids
}

func versionIDs(vs []livespec.Version) []string {
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	return ids
}

func sorted(ids []string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

// query returns what fn, a Store query, gives for q, failing t with what
// was asked when it fails.
func query[Q, T any](t testing.TB, what string, fn func(context.Context, Q) (T, error), q Q) T {
	t.Helper()
	v, err := fn(context.Background(), q)
	if err != nil {
		t.Fatalf("%s %+v: %v", what, q, err)
	}
	return v
}

func versions(t testing.TB, s livespec.Store, q livespec.VersionQuery) []livespec.Version {
	t.Helper()
	vs := query(t, "versions", s.Versions, q)
	return vs
}

func changes(t testing.TB, s livespec.Store, q livespec.ChangeQuery) []livespec.Change {
	t.Helper()
	cs := query(t, "changes", s.Changes, q)
	return cs
}

// all returns what the batches hold, deduplicated by id.
func all(batches ...*livespec.Batch) (vs map[string]livespec.Version, fs map[string]livespec.FileVersion, cs map[string]livespec.Change) {
	vs, fs, cs = map[string]livespec.Version{}, map[string]livespec.FileVersion{}, map[string]livespec.Change{}
	for _, b := range batches {
		for _, v := range b.Versions {
			vs[v.ID] = v
		}
		for _, f := range b.Files {
			fs[f.ID] = f
		}
		for _, c := range b.Changes {
			cs[c.ID] = c
		}
	}
	return
}

func testCheckpoint(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	_, err := s.Checkpoint(ctx, "shop")
	if livespec.ErrorCode(err) != livespec.ENOTFOUND {
		t.Fatalf("checkpoint before the first apply: got %v, want an ENOTFOUND error", err)
	}
	bs := loadShop(t, s)
	cp, err := s.Checkpoint(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	want := bs[2].Checkpoint
	if cp.Repo != "shop" || cp.Commit != want.Commit || cp.Seq != 3 || !cp.Time.Equal(t3) ||
		cp.Branch != want.Branch || cp.Config != want.Config || cp.Source != want.Source {
		t.Errorf("checkpoint = %+v, want %+v", cp, *want)
	}
	if cp.UpdatedAt.IsZero() {
		t.Errorf("checkpoint has no UpdatedAt")
	}
	if _, err := s.Checkpoint(ctx, "docs"); livespec.ErrorCode(err) != livespec.ENOTFOUND {
		t.Errorf("checkpoint of another repo: got %v, want ENOTFOUND", err)
	}
}

func testApplyIdempotent(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	bs := loadShop(t, s)
	apply(t, s, docs()...)
	want := Snapshot(ctx, t, s, "shop")
	wantStats, err := s.Stats(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	// The same batches again, each twice, the first after the last.
	apply(t, s, bs[0], bs[0], bs[1], bs[1], bs[2], bs[2])
	if got := Snapshot(ctx, t, s, "shop"); got != want {
		t.Errorf("replaying the batches changed the store:\n%s", diff(want, got))
	}
	gotStats, err := s.Stats(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if gotStats != wantStats {
		t.Errorf("stats after replay = %+v, want %+v", gotStats, wantStats)
	}
	// Replays must not resurrect superseded text in current search.
	if hits := search(t, s, livespec.SearchQuery{Text: "quokka", Validity: livespec.Current()}); len(hits) != 0 {
		t.Errorf("current search for superseded text after replay: %v", hitIDs(hits))
	}
}

func testApplyMerged(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	_, bs := shop()
	// One batch holding all three commits: versions created and closed in it.
	merged := &livespec.Batch{Repo: "shop", Checkpoint: bs[2].Checkpoint}
	for _, b := range bs {
		merged.Versions = append(merged.Versions, b.Versions...)
		merged.Files = append(merged.Files, b.Files...)
		merged.Closes = append(merged.Closes, b.Closes...)
		merged.Changes = append(merged.Changes, b.Changes...)
	}
	apply(t, s, merged)
	got := Snapshot(ctx, t, s, "shop")
	if err := s.DeleteRepo(ctx, "shop"); err != nil {
		t.Fatal(err)
	}
	apply(t, s, bs...)
	if want := Snapshot(ctx, t, s, "shop"); got != want {
		t.Errorf("one merged batch differs from three batches:\n%s", diff(want, got))
	}
}

func testCloses(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	loadShop(t, s)
	old, err := s.Version(ctx, vid("shop", "specs/checkout.md", "Checkout > Coupons", 1))
	if err != nil {
		t.Fatal(err)
	}
	if old.Current() || old.EndCommit != sha("shop", 2) || old.EndSeq != 2 || !old.ValidTo.Equal(t2) {
		t.Errorf("superseded version: end %s@%d %v, want %s@2 %v", old.EndCommit, old.EndSeq, old.ValidTo, sha("shop", 2), t2)
	}
	if old.Text != txtCouponsOld || old.Hash != livespec.ContentHash(txtCouponsOld) || !old.ValidFrom.Equal(t1) || old.Seq != 1 || old.Author != "Ada" {
		t.Errorf("superseded version = %+v", old)
	}
	cur, err := s.Version(ctx, vid("shop", "specs/checkout.md", "Checkout > Coupons", 2))
	if err != nil {
		t.Fatal(err)
	}
	if !cur.Current() || !cur.ValidTo.IsZero() || cur.EndSeq != 0 {
		t.Errorf("current version is closed: %+v", cur)
	}
	// A close of a version already closed changes nothing.
	late := &livespec.Batch{Repo: "shop", Closes: []livespec.Close{{ID: old.ID, Commit: sha("shop", 9), Seq: 9, ValidTo: t3.Add(time.Hour)}}}
	before := Snapshot(ctx, t, s, "shop")
	apply(t, s, late)
	if after := Snapshot(ctx, t, s, "shop"); after != before {
		t.Errorf("closing a closed version changed the store:\n%s", diff(before, after))
	}
	// Closing a file version.
	fs, err := s.Files(ctx, livespec.FileQuery{Repos: []string{"shop"}, Paths: []string{"specs/delivery.md"}, Validity: livespec.AnyVersion()})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Current() || fs[0].EndCommit != sha("shop", 3) || fs[0].EndSeq != 3 || !fs[0].ValidTo.Equal(t3) {
		t.Errorf("deleted file = %+v, want one version closed at c3", fs)
	}
}

func testBadBatch(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	bs := loadShop(t, s)
	before := Snapshot(ctx, t, s, "shop")
	good := bs[2].Versions[0]
	noID := good
	noID.ID = ""
	noID.Text, noID.Hash = "# New\nnew text", livespec.ContentHash("# New\nnew text")
	noCommit, badHash := good, good
	noCommit.Commit = ""
	badHash.Hash = "abc"
	change := bs[2].Changes[0]
	change.Kind = "vibes"
	cp := &livespec.Checkpoint{Repo: "shop", Commit: sha("shop", 4), Seq: 4, Time: t3.Add(time.Hour)}
	for name, b := range map[string]*livespec.Batch{
		"no repo":                   {Versions: []livespec.Version{good}},
		"version without id":        {Repo: "shop", Versions: []livespec.Version{noID}, Checkpoint: cp},
		"version without commit":    {Repo: "shop", Versions: []livespec.Version{noCommit}, Checkpoint: cp},
		"version with a short hash": {Repo: "shop", Versions: []livespec.Version{badHash}, Checkpoint: cp},
		"change of an unknown kind": {Repo: "shop", Changes: []livespec.Change{change}, Checkpoint: cp},
	} {
		err := s.Apply(ctx, b)
		if livespec.ErrorCode(err) != livespec.EINVALID {
			t.Errorf("%s: got %v, want an EINVALID error", name, err)
		}
	}
	if after := Snapshot(ctx, t, s, "shop"); after != before {
		t.Errorf("a rejected batch changed the store:\n%s", diff(before, after))
	}
}

func testVersionNotFound(t *testing.T, s livespec.Store) {
	loadShop(t, s)
	_, err := s.Version(context.Background(), vid("shop", "nope.md", "", 1))
	if livespec.ErrorCode(err) != livespec.ENOTFOUND {
		t.Errorf("unknown version: got %v, want ENOTFOUND", err)
	}
}

func testVersionsValidity(t *testing.T, s livespec.Store) {
	loadShop(t, s)
	co := "specs/checkout.md"
	c1 := []string{vid("shop", co, "Checkout", 1), vid("shop", co, "Checkout > Payments", 1), vid("shop", co, "Checkout > Coupons", 1),
		vid("shop", "README.md", "", 1), vid("shop", "README.md", "Overview", 1)}
	c2 := []string{c1[0], c1[1], vid("shop", co, "Checkout > Coupons", 2), c1[3], c1[4], vid("shop", "specs/delivery.md", "Delivery", 2)}
	c3 := []string{c1[0], c2[2], c1[3], c1[4], vid("shop", "specs/returns.md", "Returns", 3), vid("shop", "specs/legal/returns.md", "Returns", 3)}
	every := slices.Concat(c1, c2[2:3], c2[5:], c3[4:])
	for _, tt := range []struct {
		name string
		v    livespec.Validity
		want []string
	}{
		{"before history", livespec.AsOf(t1.Add(-time.Nanosecond)), nil},
		{"at c1 (valid_from inclusive)", livespec.AsOf(t1), c1},
		{"just before c2 (valid_to exclusive)", livespec.AsOf(t2.Add(-time.Nanosecond)), c1},
		{"at c2", livespec.AsOf(t2), c2},
		{"between c2 and c3", livespec.AsOf(t2.Add(24 * time.Hour)), c2},
		{"at c3", livespec.AsOf(t3), c3},
		{"long after", livespec.AsOf(t3.AddDate(5, 0, 0)), c3},
		{"year 3000", livespec.AsOf(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)), c3},
		{"year 1000", livespec.AsOf(time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)), nil},
		{"current", livespec.Current(), c3},
		{"zero validity is current", livespec.Validity{}, c3},
		{"any", livespec.AnyVersion(), every},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := versions(t, s, livespec.VersionQuery{Repos: []string{"shop"}, Validity: tt.v})
			if g, w := sorted(versionIDs(got)), sorted(tt.want); !slices.Equal(g, w) {
				t.Errorf("got %d versions %v, want %d %v", len(g), g, len(w), w)
			}
			for _, v := range got {
				if !tt.v.Matches(&v) {
					t.Errorf("version %s [%v, %v) does not pass %+v", v.Key, v.ValidFrom, v.ValidTo, tt.v)
				}
			}
		})
	}
}

func testVersionsFilters(t *testing.T, s livespec.Store) {
	loadShop(t, s)
	apply(t, s, docs()...)
	any := livespec.AnyVersion()
	co := "specs/checkout.md"

	got := versions(t, s, livespec.VersionQuery{Validity: any})
	if !slices.IsSortedFunc(got, func(a, b livespec.Version) int {
		return cmp.Or(cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Path, b.Path), a.ValidFrom.Compare(b.ValidFrom), cmp.Compare(a.Seq, b.Seq))
	}) {
		t.Errorf("versions are not ordered by repo, path, valid_from, seq")
	}
	if len(got) != 9+3 {
		t.Errorf("all versions of both repos: got %d, want 12", len(got))
	}
	readme := versions(t, s, livespec.VersionQuery{Repos: []string{"shop"}, Paths: []string{"README.md"}, Validity: any})
	if len(readme) != 2 || readme[0].Links == nil && readme[1].Links == nil {
		t.Errorf("README versions = %+v, want 2, the preamble with its links", readme)
	}
	for _, v := range readme {
		if v.Heading == "" && !slices.Equal(v.Links, []string{"specs/checkout.md"}) {
			t.Errorf("preamble links = %v", v.Links)
		}
		if v.Heading == "Overview" && v.Level != 1 {
			t.Errorf("Overview level = %d, want 1", v.Level)
		}
	}

	for _, tt := range []struct {
		name string
		q    livespec.VersionQuery
		want []string
	}{
		{"glob", livespec.VersionQuery{Paths: []string{"specs/**/returns.md"}, Validity: any},
			[]string{vid("shop", "specs/returns.md", "Returns", 3), vid("shop", "specs/legal/returns.md", "Returns", 3)}},
		{"glob one level", livespec.VersionQuery{Paths: []string{"specs/*/returns.md"}, Validity: any},
			[]string{vid("shop", "specs/legal/returns.md", "Returns", 3)}},
		{"repo", livespec.VersionQuery{Repos: []string{"docs"}, Validity: livespec.Current()},
			[]string{vid("docs", "guide.md", "Guide", 1), vid("docs", "guide.md", "Guide > Hours", 2), vid("docs", "index.md", "Overview", 1)}},
		{"key", livespec.VersionQuery{Keys: []livespec.Key{{Repo: "shop", Path: co, Heading: "Checkout > Coupons"}}, Validity: any},
			[]string{vid("shop", co, "Checkout > Coupons", 1), vid("shop", co, "Checkout > Coupons", 2)}},
		{"keys in two repos", livespec.VersionQuery{Keys: []livespec.Key{{Repo: "shop", Path: "README.md", Heading: "Overview"}, {Repo: "docs", Path: "index.md", Heading: "Overview"}}, Validity: any},
			[]string{vid("shop", "README.md", "Overview", 1), vid("docs", "index.md", "Overview", 1)}},
		{"hash across repos", livespec.VersionQuery{Hashes: []string{livespec.ContentHash(txtOverview)}, Validity: any},
			[]string{vid("shop", "README.md", "Overview", 1), vid("docs", "index.md", "Overview", 1)}},
		{"empty heading", livespec.VersionQuery{HeadingSet: true, Validity: any},
			[]string{vid("shop", "README.md", "", 1)}},
		{"heading", livespec.VersionQuery{Heading: "Returns", Validity: livespec.Current()},
			[]string{vid("shop", "specs/returns.md", "Returns", 3), vid("shop", "specs/legal/returns.md", "Returns", 3)}},
		{"heading as of", livespec.VersionQuery{Repos: []string{"shop"}, Heading: "Checkout > Coupons", Validity: livespec.AsOf(t1)},
			[]string{vid("shop", co, "Checkout > Coupons", 1)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := versions(t, s, tt.q)
			if g, w := sorted(versionIDs(got)), sorted(tt.want); !slices.Equal(g, w) {
				t.Errorf("got %v, want %v", g, w)
			}
		})
	}
	t.Run("limit", func(t *testing.T) {
		all := versions(t, s, livespec.VersionQuery{Validity: any})
		got := versions(t, s, livespec.VersionQuery{Validity: any, Limit: 4})
		if len(got) != 4 || !slices.Equal(versionIDs(got), versionIDs(all[:4])) {
			t.Errorf("limit 4 = %v, want the first 4 of %v", versionIDs(got), versionIDs(all))
		}
	})
	t.Run("bad glob", func(t *testing.T) {
		_, err := s.Versions(context.Background(), livespec.VersionQuery{Paths: []string{"specs/[a"}, Validity: any})
		if livespec.ErrorCode(err) != livespec.EINVALID {
			t.Errorf("bad glob: got %v, want EINVALID", err)
		}
	})
}

func testFiles(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	bs := loadShop(t, s)
	paths := func(fs []livespec.FileVersion) []string {
		var ps []string
		for _, f := range fs {
			ps = append(ps, f.Path)
		}
		return ps
	}
	for _, tt := range []struct {
		name string
		q    livespec.FileQuery
		want []string
	}{
		{"current", livespec.FileQuery{Validity: livespec.Current()}, []string{"README.md", "specs/checkout.md", "specs/legal/returns.md", "specs/returns.md"}},
		{"as of c2", livespec.FileQuery{Validity: livespec.AsOf(t2)}, []string{"README.md", "specs/checkout.md", "specs/delivery.md"}},
		{"any", livespec.FileQuery{Validity: livespec.AnyVersion()}, []string{"README.md", "specs/checkout.md", "specs/checkout.md", "specs/checkout.md", "specs/delivery.md", "specs/legal/returns.md", "specs/returns.md"}},
		{"glob", livespec.FileQuery{Paths: []string{"specs/*.md"}, Validity: livespec.Current()}, []string{"specs/checkout.md", "specs/returns.md"}},
		{"other repo", livespec.FileQuery{Repos: []string{"docs"}, Validity: livespec.AnyVersion()}, nil},
		{"limit", livespec.FileQuery{Validity: livespec.Current(), Limit: 1}, []string{"README.md"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Files(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(paths(got), tt.want) {
				t.Errorf("got %v, want %v (ordered by path, valid_from)", paths(got), tt.want)
			}
			// A brief listing is the same versions with only their
			// identity, validity and title.
			bq := tt.q
			bq.Brief = true
			brief, err := s.Files(ctx, bq)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]livespec.FileVersion, len(got))
			for i := range got {
				want[i] = got[i].Brief()
			}
			if len(brief) != len(want) || (len(want) > 0 && !reflect.DeepEqual(brief, want)) {
				t.Errorf("brief listing:\n got %+v\nwant %+v", brief, want)
			}
		})
	}
	got, err := s.Files(ctx, livespec.FileQuery{Paths: []string{"specs/checkout.md"}, Validity: livespec.AsOf(t2)})
	if err != nil {
		t.Fatal(err)
	}
	want := bs[1].Files[0]
	if len(got) != 1 || got[0].ID != want.ID || got[0].Blob != want.Blob || got[0].Size != want.Size ||
		got[0].Status != livespec.FileText || !slices.Equal(got[0].Outline, want.Outline) ||
		got[0].Meta["title"] != "specs/checkout.md" || got[0].Meta["sections"] != float64(3) {
		t.Errorf("checkout.md as of c2 = %+v, want %+v", got, want)
	}
}

func testOpen(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	loadShop(t, s)
	apply(t, s, docs()...)
	cur := versions(t, s, livespec.VersionQuery{Repos: []string{"shop"}, Validity: livespec.Current()})
	want := make(map[string]livespec.OpenVersion)
	for _, v := range cur {
		want[v.ID] = livespec.OpenVersion{ID: v.ID, Key: v.Key, Hash: v.Hash, Seq: v.Seq}
	}
	got := make(map[string]livespec.OpenVersion)
	if err := s.OpenVersions(ctx, "shop", func(o livespec.OpenVersion) error { got[o.ID] = o; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 || len(got) != len(want) {
		t.Errorf("open versions: got %d, want 6 (%d current)", len(got), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("open version %s = %+v, want %+v", id, got[id], w)
		}
	}
	files := make(map[string]livespec.OpenFile)
	if err := s.OpenFiles(ctx, "shop", func(o livespec.OpenFile) error { files[o.Path] = o; return nil }); err != nil {
		t.Fatal(err)
	}
	fs, err := s.Files(ctx, livespec.FileQuery{Repos: []string{"shop"}, Validity: livespec.Current()})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 4 || len(fs) != 4 {
		t.Errorf("open files: got %d, want 4", len(files))
	}
	for _, f := range fs {
		if w := (livespec.OpenFile{ID: f.ID, Path: f.Path, Blob: f.Blob, Seq: f.Seq}); files[f.Path] != w {
			t.Errorf("open file %s = %+v, want %+v", f.Path, files[f.Path], w)
		}
	}
	stop := errors.New("stop")
	if err := s.OpenVersions(ctx, "shop", func(livespec.OpenVersion) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("an error from fn: got %v, want it returned", err)
	}
	n := 0
	if err := s.OpenVersions(ctx, "nobody", func(livespec.OpenVersion) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("open versions of an unknown repo: %d, %v", n, err)
	}
}

func testSearchRareWord(t *testing.T, s livespec.Store) {
	loadShop(t, s)
	apply(t, s, docs()...)
	hits := search(t, s, livespec.SearchQuery{Text: "When does the hangar open?", Validity: livespec.Current()})
	if len(hits) == 0 || hits[0].Version.ID != vid("docs", "guide.md", "Guide", 1) {
		t.Fatalf("search for a rare word: got %v, want the Guide first", hitIDs(hits))
	}
	if h := hits[0].Version; h.Text != txtGuide || h.Repo != "docs" || h.Path != "guide.md" || h.Heading != "Guide" || !h.Current() {
		t.Errorf("hit = %+v", h)
	}
	// Stemming: "discounts" finds "discount".
	hits = search(t, s, livespec.SearchQuery{Text: "Which discounts do coupons give?", Validity: livespec.Current()})
	if len(hits) == 0 || hits[0].Version.ID != vid("shop", "specs/checkout.md", "Checkout > Coupons", 2) {
		t.Errorf("search for coupons: got %v, want the current Coupons first", hitIDs(hits))
	}
	hits = search(t, s, livespec.SearchQuery{Text: "coffee", Validity: livespec.Current(), Limit: 1})
	if len(hits) != 1 {
		t.Errorf("limit 1: got %d hits", len(hits))
	}
	// A hit is the whole version.
	hits = search(t, s, livespec.SearchQuery{Text: "shop specifications", Repos: []string{"shop"}, Validity: livespec.Current()})
	if len(hits) == 0 {
		t.Fatal("no hit for the README preamble")
	}
	if v := hits[0].Version; v.ID != vid("shop", "README.md", "", 1) || v.Text != txtReadme || v.Hash != livespec.ContentHash(txtReadme) ||
		!slices.Equal(v.Links, []string{"specs/checkout.md"}) || v.Commit != sha("shop", 1) || v.Seq != 1 || !v.ValidFrom.Equal(t1) || v.Author != "Ada" {
		t.Errorf("hit = %+v, want the README preamble with its links", v)
	}
}

func testSearchSuperseded(t *testing.T, s livespec.Store) {
	loadShop(t, s)
	old := vid("shop", "specs/checkout.md", "Checkout > Coupons", 1)
	payments := vid("shop", "specs/checkout.md", "Checkout > Payments", 1)
	for _, tt := range []struct {
		name string
		text string
		v    livespec.Validity
		want []string
	}{
		{"current ignores superseded text", "quokka rule", livespec.Current(), nil},
		{"current ignores removed sections", "zeppelin voucher", livespec.Current(), nil},
		{"as of the old date", "quokka rule", livespec.AsOf(t1.Add(time.Hour)), []string{old}},
		{"as of valid_from", "quokka rule", livespec.AsOf(t1), []string{old}},
		{"as of valid_to", "quokka rule", livespec.AsOf(t2), nil},
		{"before history", "quokka rule", livespec.AsOf(t1.Add(-time.Second)), nil},
		{"removed section as of c2", "zeppelin voucher", livespec.AsOf(t2), []string{payments}},
		{"any", "quokka rule", livespec.AnyVersion(), []string{old}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := hitIDs(search(t, s, livespec.SearchQuery{Text: tt.text, Validity: tt.v}))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// Every hit passes the validity filter, whatever matches.
	for _, v := range []livespec.Validity{livespec.Current(), livespec.AsOf(t1), livespec.AsOf(t2), livespec.AsOf(t3)} {
		for _, h := range search(t, s, livespec.SearchQuery{Text: "coupons checkout discount order", Validity: v, Limit: 50}) {
			if !v.Matches(&h.Version) {
				t.Errorf("%+v: hit %s [%v, %v) is not valid", v, h.Version.Key, h.Version.ValidFrom, h.Version.ValidTo)
			}
		}
	}
}

func testSearchSharedText(t *testing.T, s livespec.Store) {
	loadShop(t, s)
	apply(t, s, docs()...)
	got := hitIDs(search(t, s, livespec.SearchQuery{Text: "free returns within thirty days", Validity: livespec.Current()}))
	want := []string{vid("shop", "specs/returns.md", "Returns", 3), vid("shop", "specs/legal/returns.md", "Returns", 3)}
	if !slices.Equal(sorted(got), sorted(want)) {
		t.Errorf("a text in two files: got %v, want both files %v", got, want)
	}
	got = hitIDs(search(t, s, livespec.SearchQuery{Text: "tea coffee", Validity: livespec.AnyVersion()}))
	want = []string{vid("shop", "README.md", "Overview", 1), vid("docs", "index.md", "Overview", 1)}
	if !slices.Equal(sorted(got), sorted(want)) {
		t.Errorf("a text in two repos: got %v, want both %v", got, want)
	}
}

func testSearchFilters(t *testing.T, s livespec.Store) {
	loadShop(t, s)
	apply(t, s, docs()...)
	// Many sections mention the query's words; the filter must still find
	// the one that passes, however far down the unfiltered ranking it is.
	var noise []livespec.Section
	for i := range 300 {
		noise = append(noise, Sec(fmt.Sprintf("Noise %03d", i), fmt.Sprintf("## Noise %d\nzeppelin zeppelin zeppelin hangar hangar hangar dawn", i)))
	}
	h := NewHistory("noise")
	apply(t, s, h.Commit(Commit{SHA: sha("noise", 1), Time: t1, Author: "N", Message: "noise", Files: map[string][]livespec.Section{"noise.md": noise}}))

	guide := vid("docs", "guide.md", "Guide", 1)
	payments := vid("shop", "specs/checkout.md", "Checkout > Payments", 1)
	for _, tt := range []struct {
		name string
		q    livespec.SearchQuery
		want []string
	}{
		{"repo", livespec.SearchQuery{Text: "zeppelin hangar", Repos: []string{"docs"}, Validity: livespec.Current()}, []string{guide}},
		{"path", livespec.SearchQuery{Text: "zeppelin hangar", Paths: []string{"g*.md"}, Validity: livespec.Current()}, []string{guide}},
		{"literal path", livespec.SearchQuery{Text: "zeppelin hangar", Paths: []string{"guide.md"}, Validity: livespec.AnyVersion()}, []string{guide}},
		{"repo as of", livespec.SearchQuery{Text: "zeppelin", Repos: []string{"shop"}, Validity: livespec.AsOf(t2)}, []string{payments}},
		{"repo and path any", livespec.SearchQuery{Text: "zeppelin", Repos: []string{"shop"}, Paths: []string{"specs/**"}, Validity: livespec.AnyVersion()}, []string{payments}},
		{"nothing passes", livespec.SearchQuery{Text: "zeppelin", Repos: []string{"nobody"}, Validity: livespec.AnyVersion()}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := hitIDs(search(t, s, tt.q))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	hits := search(t, s, livespec.SearchQuery{Text: "zeppelin hangar", Validity: livespec.Current(), Limit: 20})
	if len(hits) != 20 {
		t.Errorf("limit 20 with 301 matches: got %d hits", len(hits))
	}
	if hits := search(t, s, livespec.SearchQuery{Text: "zeppelin hangar", Validity: livespec.Current()}); len(hits) != 10 {
		t.Errorf("no limit with 301 matches: got %d hits, want the default 10", len(hits))
	}
	for _, h := range search(t, s, livespec.SearchQuery{Text: "zeppelin noise", Repos: []string{"shop", "docs"}, Validity: livespec.AnyVersion(), Limit: 50}) {
		if h.Version.Repo == "noise" {
			t.Errorf("repo filter let %s through", h.Version.Key)
		}
	}
}

func testSearchNoTerms(t *testing.T, s livespec.Store) {
	loadShop(t, s)
	for _, text := range []string{"", "   ", "what is the", "a b c ? !", `"" - NOT ( OR * :`} {
		hits, err := s.Search(context.Background(), livespec.SearchQuery{Text: text, Validity: livespec.Current()})
		if err != nil || len(hits) != 0 {
			t.Errorf("search %q: got %v, %v; want no hits and no error", text, hitIDs(hits), err)
		}
	}
	// FTS query syntax in a question is just words.
	hits := search(t, s, livespec.SearchQuery{Text: `coupons: "discount" AND NOT (checkout*) - OR`, Validity: livespec.Current()})
	if len(hits) == 0 || hits[0].Version.ID != vid("shop", "specs/checkout.md", "Checkout > Coupons", 2) {
		t.Errorf("question with query syntax: got %v, want the Coupons section first", hitIDs(hits))
	}
}

func testSearchVector(t *testing.T, s livespec.Store) {
	loadShop(t, s)
	coupons := vid("shop", "specs/checkout.md", "Checkout > Coupons", 2)
	returns := []string{vid("shop", "specs/returns.md", "Returns", 3), vid("shop", "specs/legal/returns.md", "Returns", 3)}
	// No word matches; the vector alone finds the section.
	hits := search(t, s, livespec.SearchQuery{Text: "reductions", Vector: []float32{0.9, 0.1, 0}, Embedder: embedder, Validity: livespec.Current()})
	if len(hits) == 0 || hits[0].Version.ID != coupons {
		t.Fatalf("dense search: got %v, want %s first", hitIDs(hits), coupons)
	}
	// Both rankings contribute.
	hits = search(t, s, livespec.SearchQuery{Text: "thirty days", Vector: []float32{1, 0, 0}, Embedder: embedder, Validity: livespec.Current(), Limit: 3})
	got := hitIDs(hits)
	for _, id := range append([]string{coupons}, returns...) {
		if !slices.Contains(got, id) {
			t.Errorf("fused search: %v misses %s", got, id)
		}
	}
	// Filters apply to the dense side too.
	for _, v := range []livespec.Validity{livespec.AsOf(t1), livespec.Current()} {
		hits = search(t, s, livespec.SearchQuery{Vector: []float32{1, 0, 0}, Embedder: embedder, Validity: v, Repos: []string{"shop"}, Paths: []string{"README.md"}, Limit: 20})
		for _, h := range hits {
			if !v.Matches(&h.Version) || h.Version.Path != "README.md" {
				t.Errorf("dense %+v: hit %s does not pass the filters", v, h.Version.Key)
			}
		}
		if len(hits) != 2 {
			t.Errorf("dense %+v on README.md: got %d hits, want its 2 sections", v, len(hits))
		}
	}
	hits = search(t, s, livespec.SearchQuery{Vector: []float32{1, 0, 0}, Embedder: embedder, Validity: livespec.AsOf(t1)})
	if slices.Contains(hitIDs(hits), coupons) {
		t.Errorf("dense as of c1 returned the Coupons text of c2")
	}
}

func testChangesWindow(t *testing.T, s livespec.Store) {
	bs := loadShop(t, s)
	count := func(b *livespec.Batch, sections bool) int {
		n := 0
		for _, c := range b.Changes {
			if sections || !c.Section {
				n++
			}
		}
		return n
	}
	for _, tt := range []struct {
		name     string
		from, to time.Time
		sections bool
		want     int
	}{
		{"all", time.Time{}, time.Time{}, true, count(bs[0], true) + count(bs[1], true) + count(bs[2], true)},
		{"file level only", time.Time{}, time.Time{}, false, count(bs[0], false) + count(bs[1], false) + count(bs[2], false)},
		{"from inclusive to exclusive", t2, t3, true, count(bs[1], true)},
		{"from just after", t2.Add(time.Nanosecond), t3, true, 0},
		{"to just after", t2, t3.Add(time.Nanosecond), true, count(bs[1], true) + count(bs[2], true)},
		{"open end", t2, time.Time{}, true, count(bs[1], true) + count(bs[2], true)},
		{"open start", time.Time{}, t2, false, count(bs[0], false)},
		{"empty window", t2, t2, true, 0},
		{"centuries", time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), true, count(bs[0], true) + count(bs[1], true) + count(bs[2], true)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := changes(t, s, livespec.ChangeQuery{From: tt.from, To: tt.to, Sections: tt.sections})
			if len(got) != tt.want {
				t.Errorf("got %d changes, want %d", len(got), tt.want)
			}
			for _, c := range got {
				if (!tt.from.IsZero() && c.Date.Before(tt.from)) || (!tt.to.IsZero() && !c.Date.Before(tt.to)) || (!tt.sections && c.Section) {
					t.Errorf("change %s %s outside the query", c.Date, c.Path)
				}
			}
		})
	}
	got := changes(t, s, livespec.ChangeQuery{From: t2, To: t3, Sections: true})
	_, _, want := all(bs[1])
	for _, c := range got {
		w := want[c.ID]
		if c.Commit != w.Commit || c.Seq != w.Seq || !c.Date.Equal(w.Date) || !c.AuthorDate.Equal(w.AuthorDate) || c.Author != w.Author ||
			c.Message != w.Message || c.Path != w.Path || c.Heading != w.Heading || c.Kind != w.Kind || c.Section != w.Section ||
			c.Before != w.Before || c.After != w.After || c.Summary != w.Summary || c.Repo != "shop" {
			t.Errorf("change = %+v, want %+v", c, w)
		}
	}
}

// changeCmp is the documented total order of changes.
func changeCmp(a, b livespec.Change) int {
	sec := func(c livespec.Change) int {
		if c.Section {
			return 1
		}
		return 0
	}
	return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Seq, b.Seq), cmp.Compare(sec(a), sec(b)),
		cmp.Compare(a.Path, b.Path), cmp.Compare(a.Heading, b.Heading), cmp.Compare(a.Part, b.Part), cmp.Compare(a.ID, b.ID))
}

func testChangesOrder(t *testing.T, s livespec.Store) {
	bs := loadShop(t, s)
	ds := docs()
	apply(t, s, ds...)
	got := changes(t, s, livespec.ChangeQuery{Sections: true})
	_, _, a := all(bs...)
	_, _, b := all(ds...)
	if len(got) != len(a)+len(b) {
		t.Fatalf("got %d changes, want %d", len(got), len(a)+len(b))
	}
	want := slices.Clone(got)
	slices.SortFunc(want, changeCmp)
	if !slices.EqualFunc(got, want, func(x, y livespec.Change) bool { return x.ID == y.ID }) {
		for i := range got {
			t.Logf("%2d %s %s %d %t %s %s", i, got[i].Date.Format(time.DateOnly), got[i].Repo, got[i].Seq, got[i].Section, got[i].Path, got[i].Heading)
		}
		t.Errorf("changes are not in the order Date, Repo, Seq, file before section, Path, Heading, Part, ID")
	}
	if got[0].Repo != "docs" || got[0].Section {
		t.Errorf("first change = %s %s section=%t, want docs' first file-level change", got[0].Repo, got[0].Path, got[0].Section)
	}
}

func testChangesPaging(t *testing.T, s livespec.Store) {
	loadShop(t, s)
	apply(t, s, docs()...)
	for _, q := range []livespec.ChangeQuery{
		{Sections: true},
		{Sections: false},
		{Sections: true, Repos: []string{"shop"}, Paths: []string{"specs/**"}, From: t2},
	} {
		full := changes(t, s, q)
		var paged []livespec.Change
		for page := 0; ; page++ {
			pq := q
			pq.Limit = 3
			if len(paged) > 0 {
				pq.After = paged[len(paged)-1].ID
			}
			got := changes(t, s, pq)
			if len(got) > 3 {
				t.Fatalf("page of %d changes with limit 3", len(got))
			}
			paged = append(paged, got...)
			if len(got) < 3 || page > 100 {
				break
			}
		}
		if !slices.EqualFunc(full, paged, func(x, y livespec.Change) bool { return x.ID == y.ID }) {
			t.Errorf("%+v: pages of 3 give %d changes, one query %d", q, len(paged), len(full))
		}
	}
}

func testChangesFilters(t *testing.T, s livespec.Store) {
	loadShop(t, s)
	apply(t, s, docs()...)
	rename := livespec.Change{ID: livespec.ChangeID("moves", sha("moves", 1), "new/a.md", "", 0, false), Repo: "moves",
		Commit: sha("moves", 1), Seq: 1, Date: t3, Author: "M", Message: "move", Path: "new/a.md", OldPath: "old/a.md",
		Kind: livespec.Renamed, Summary: "renamed"}
	apply(t, s, &livespec.Batch{Repo: "moves", Changes: []livespec.Change{rename}})
	for _, tt := range []struct {
		name string
		q    livespec.ChangeQuery
		want func(c livespec.Change) bool
	}{
		{"repo", livespec.ChangeQuery{Repos: []string{"docs"}, Sections: true}, func(c livespec.Change) bool { return c.Repo == "docs" }},
		{"two repos", livespec.ChangeQuery{Repos: []string{"docs", "moves"}}, func(c livespec.Change) bool { return c.Repo != "shop" && !c.Section }},
		{"glob", livespec.ChangeQuery{Paths: []string{"specs/*.md"}, Sections: true}, func(c livespec.Change) bool {
			return c.Repo == "shop" && strings.HasPrefix(c.Path, "specs/") && strings.Count(c.Path, "/") == 1
		}},
		{"old path", livespec.ChangeQuery{Paths: []string{"old/**"}}, func(c livespec.Change) bool { return c.ID == rename.ID }},
		{"new path", livespec.ChangeQuery{Paths: []string{"new/a.md"}}, func(c livespec.Change) bool { return c.ID == rename.ID }},
		{"old path in the commit's second", livespec.ChangeQuery{Paths: []string{"old/a.md"}, From: t3, To: t3.Add(time.Second)}, func(c livespec.Change) bool { return c.ID == rename.ID }},
		{"new path in the commit's second", livespec.ChangeQuery{Paths: []string{"new/a.md"}, From: t3, To: t3.Add(time.Second)}, func(c livespec.Change) bool { return c.ID == rename.ID }},
		{"glob in a day", livespec.ChangeQuery{Paths: []string{"old/**"}, From: t3.Add(-time.Hour), To: t3.Add(time.Hour)}, func(c livespec.Change) bool { return c.ID == rename.ID }},
		{"literal and glob", livespec.ChangeQuery{Paths: []string{"new/a.md", "specs/*.md"}}, func(c livespec.Change) bool {
			return c.ID == rename.ID || (!c.Section && c.Repo == "shop" && strings.HasPrefix(c.Path, "specs/") && strings.Count(c.Path, "/") == 1)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			every := changes(t, s, livespec.ChangeQuery{Sections: true})
			got := changes(t, s, tt.q)
			var want []string
			for _, c := range every {
				if tt.want(c) {
					want = append(want, c.ID)
				}
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if len(want) == 0 || !slices.Equal(ids, want) {
				t.Errorf("got %d changes %v, want %d %v", len(ids), ids, len(want), want)
			}
		})
	}
	got := changes(t, s, livespec.ChangeQuery{Paths: []string{"old/a.md"}})
	if len(got) != 1 || got[0].OldPath != "old/a.md" || got[0].Kind != livespec.Renamed {
		t.Errorf("rename = %+v", got)
	}
}

// testChangesBrief checks ChangeQuery.Brief: the same events in the same
// order as the full query, with the report's fields left out and the rest
// as stored.
func testChangesBrief(t *testing.T, s livespec.Store) {
	loadShop(t, s)
	apply(t, s, docs()...)
	for _, q := range []livespec.ChangeQuery{
		{Sections: true},
		{Repos: []string{"shop"}, Paths: []string{"specs/**"}, From: t2, Sections: true},
		{Sections: false, Limit: 3},
	} {
		full := changes(t, s, q)
		q.Brief = true
		brief := changes(t, s, q)
		if len(full) == 0 || len(brief) != len(full) {
			t.Fatalf("%+v: %d brief changes, %d full", q, len(brief), len(full))
		}
		for i, c := range full {
			want := c
			want.Author, want.AuthorDate, want.Message, want.Before, want.After, want.Summary, want.Editorial = "", time.Time{}, "", "", "", "", ""
			if !reflect.DeepEqual(brief[i], want) {
				t.Errorf("%+v: brief change %d = %+v, want %+v", q, i, brief[i], want)
			}
		}
	}
}

// testChangesEditorial checks that a change keeps its editorial kind: read
// back as written, left out of a brief read.
func testChangesEditorial(t *testing.T, s livespec.Store) {
	h := NewHistory("ed")
	apply(t, s, h.Commit(Commit{SHA: "e1", Time: t1, Files: map[string][]livespec.Section{"a.md": {Sec("A", "# A\n\nTeh token expires.\n")}}}))
	fix := h.Commit(Commit{SHA: "e2", Time: t2, Files: map[string][]livespec.Section{"a.md": {Sec("A", "# A\n\nThe token expires.\n")}}})
	for i := range fix.Changes {
		fix.Changes[i].Editorial = livespec.EditTypo
	}
	apply(t, s, fix)
	q := livespec.ChangeQuery{Repos: []string{"ed"}, From: t2, Sections: true}
	got := changes(t, s, q)
	if len(got) != 2 || got[0].Editorial != livespec.EditTypo || got[1].Editorial != livespec.EditTypo {
		t.Fatalf("changes of the typo fix = %+v, want 2 marked %q", got, livespec.EditTypo)
	}
	q.Brief = true
	for _, c := range changes(t, s, q) {
		if c.Editorial != "" {
			t.Errorf("brief change %s has editorial %q, want none", c.ID, c.Editorial)
		}
	}
}

func testHasVectors(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	loadShop(t, s)
	in := []string{livespec.ContentHash(txtCouponsNew), livespec.ContentHash(txtGuide), livespec.ContentHash(txtReturns)}
	got, err := s.HasVectors(ctx, embedder, in)
	if err != nil {
		t.Fatal(err)
	}
	if !got[in[0]] || got[in[1]] || !got[in[2]] {
		t.Errorf("HasVectors = %v, want the first and third", got)
	}
	if got, err := s.HasVectors(ctx, "other/3d", in); err != nil || got[in[0]] {
		t.Errorf("HasVectors of another embedder = %v, %v", got, err)
	}
	if got, err := s.HasVectors(ctx, embedder, nil); err != nil || len(got) != 0 {
		t.Errorf("HasVectors of nothing = %v, %v", got, err)
	}
}

func testSetIndex(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	info, err := s.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info != (livespec.IndexInfo{}) {
		t.Errorf("index of a new store = %+v, want none", info)
	}
	want := livespec.IndexInfo{Embedder: embedder, Dimensions: 3}
	if err := s.SetIndex(ctx, want); err != nil {
		t.Fatal(err)
	}
	loadShop(t, s)
	if err := s.SetIndex(ctx, want); err != nil {
		t.Errorf("setting the same index again: %v", err)
	}
	for _, other := range []livespec.IndexInfo{{Embedder: "other/3d", Dimensions: 3}, {Embedder: embedder, Dimensions: 4}} {
		err := s.SetIndex(ctx, other)
		if livespec.ErrorCode(err) != livespec.EMISMATCH {
			t.Errorf("SetIndex(%+v) over vectors of %+v: got %v, want EMISMATCH", other, want, err)
			continue
		}
		if msg := livespec.ErrorMessage(err); !strings.Contains(msg, "livespec ingest --reembed") {
			t.Errorf("mismatch message %q does not name `livespec ingest --reembed`", msg)
		}
	}
	if info, err := s.Index(ctx); err != nil || info != want {
		t.Errorf("index after refused changes = %+v, %v; want %+v", info, err, want)
	}
}

func testDeleteRepo(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	loadShop(t, s)
	ds := docs()
	apply(t, s, ds...)
	want := Snapshot(ctx, t, s, "docs")
	wantStats, err := s.Stats(ctx, "docs")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRepo(ctx, "shop"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Checkpoint(ctx, "shop"); livespec.ErrorCode(err) != livespec.ENOTFOUND {
		t.Errorf("checkpoint after delete: %v, want ENOTFOUND", err)
	}
	if vs := versions(t, s, livespec.VersionQuery{Repos: []string{"shop"}, Validity: livespec.AnyVersion()}); len(vs) != 0 {
		t.Errorf("%d versions left", len(vs))
	}
	if fs, err := s.Files(ctx, livespec.FileQuery{Repos: []string{"shop"}, Validity: livespec.AnyVersion()}); err != nil || len(fs) != 0 {
		t.Errorf("%d files left (%v)", len(fs), err)
	}
	if cs := changes(t, s, livespec.ChangeQuery{Repos: []string{"shop"}, Sections: true}); len(cs) != 0 {
		t.Errorf("%d changes left", len(cs))
	}
	n := 0
	s.OpenVersions(ctx, "shop", func(livespec.OpenVersion) error { n++; return nil })
	s.OpenFiles(ctx, "shop", func(livespec.OpenFile) error { n++; return nil })
	if n != 0 {
		t.Errorf("%d open versions and files left", n)
	}
	for _, v := range []livespec.Validity{livespec.Current(), livespec.AnyVersion()} {
		for _, h := range search(t, s, livespec.SearchQuery{Text: "coupons returns coffee tea zeppelin checkout", Validity: v, Limit: 50}) {
			if h.Version.Repo == "shop" {
				t.Errorf("search finds deleted %s", h.Version.Key)
			}
		}
	}
	st, err := s.Stats(ctx, "shop")
	if err != nil || st != (livespec.Stats{}) {
		t.Errorf("stats of a deleted repo = %+v, %v", st, err)
	}
	if got := Snapshot(ctx, t, s, "docs"); got != want {
		t.Errorf("deleting shop changed docs:\n%s", diff(want, got))
	}
	if got, err := s.Stats(ctx, "docs"); err != nil || got != wantStats {
		t.Errorf("docs stats %+v, want %+v (%v)", got, wantStats, err)
	}
	// The shared text is still found in docs, current and any.
	for _, v := range []livespec.Validity{livespec.Current(), livespec.AnyVersion()} {
		if got := hitIDs(search(t, s, livespec.SearchQuery{Text: "tea coffee", Validity: v})); !slices.Equal(got, []string{vid("docs", "index.md", "Overview", 1)}) {
			t.Errorf("shared text after delete (%s): %v", v.Mode, got)
		}
	}
	// Vectors are shared by content and stay.
	if has, err := s.HasVectors(ctx, embedder, []string{livespec.ContentHash(txtCouponsNew)}); err != nil || len(has) != 1 {
		t.Errorf("vectors after delete: %v, %v", has, err)
	}
	// The repo can be ingested again.
	loadShop(t, s)
	if hits := search(t, s, livespec.SearchQuery{Text: "coupons", Repos: []string{"shop"}, Validity: livespec.Current()}); len(hits) != 1 {
		t.Errorf("after re-ingest: %v", hitIDs(hits))
	}
}

func testRepos(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	if rs, err := s.Repos(ctx); err != nil || len(rs) != 0 {
		t.Errorf("repos of a new store = %+v, %v", rs, err)
	}
	bs := loadShop(t, s)
	ds := docs()
	apply(t, s, ds...)
	rs, err := s.Repos(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 {
		t.Fatalf("repos = %+v, want docs and shop", rs)
	}
	slices.SortFunc(rs, func(a, b livespec.RepoInfo) int { return cmp.Compare(a.Repo, b.Repo) })
	for i, tt := range []struct {
		batches []*livespec.Batch
		files   int
	}{{ds, 2}, {bs, 4}} {
		vs, _, cs := all(tt.batches...)
		last := tt.batches[len(tt.batches)-1].Checkpoint
		r := rs[i]
		if r.Repo != last.Repo || r.Commit != last.Commit || r.Seq != last.Seq || r.Files != tt.files || r.Versions != len(vs) || r.Changes != len(cs) {
			t.Errorf("repo %s = %+v, want commit %s, %d files, %d versions, %d changes", last.Repo, r, last.Commit, tt.files, len(vs), len(cs))
		}
	}
}

func testStats(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	bs := loadShop(t, s)
	ds := docs()
	apply(t, s, ds...)
	expect := func(batches []*livespec.Batch, vectors int) livespec.Stats {
		vs, fs, cs := all(batches...)
		paths, hashes := map[string]bool{}, map[string]bool{}
		for _, f := range fs {
			paths[f.Repo+"\x00"+f.Path] = true
		}
		for _, v := range vs {
			hashes[v.Hash] = true
		}
		return livespec.Stats{Files: len(paths), FileVersions: len(fs), Versions: len(vs), Changes: len(cs), DistinctTexts: len(hashes), Vectors: vectors}
	}
	shopVectors := len(vectorsFor(bs...))
	for _, tt := range []struct {
		repo string
		want livespec.Stats
	}{
		{"shop", expect(bs, shopVectors)},
		{"docs", expect(ds, 1)}, // the Overview text shared with shop has a vector
		{"", expect(slices.Concat(bs, ds), shopVectors)},
		{"nobody", livespec.Stats{}},
	} {
		got, err := s.Stats(ctx, tt.repo)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("stats(%q) = %+v, want %+v", tt.repo, got, tt.want)
		}
	}
}

func testCancelled(t *testing.T, s livespec.Store) {
	h, bs := shop()
	apply(t, s, bs...)
	before := Snapshot(context.Background(), t, s, "shop")
	next := h.Commit(Commit{SHA: sha("shop", 4), Time: t3.Add(time.Hour), Author: "Ada", Message: "More",
		Files: map[string][]livespec.Section{"specs/more.md": {Sec("More", "# More\nmore text")}}, Deleted: []string{"README.md"}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: got %v, want context.Canceled", op, err)
		}
	}
	check("Apply", s.Apply(ctx, next))
	check("DeleteRepo", s.DeleteRepo(ctx, "shop"))
	check("SetIndex", s.SetIndex(ctx, livespec.IndexInfo{Embedder: embedder, Dimensions: 3}))
	_, err := s.Search(ctx, livespec.SearchQuery{Text: "coupons", Validity: livespec.Current()})
	check("Search", err)
	_, err = s.Changes(ctx, livespec.ChangeQuery{Sections: true})
	check("Changes", err)
	_, err = s.Versions(ctx, livespec.VersionQuery{Validity: livespec.AnyVersion()})
	check("Versions", err)
	_, err = s.Files(ctx, livespec.FileQuery{Validity: livespec.AnyVersion()})
	check("Files", err)
	check("OpenVersions", s.OpenVersions(ctx, "shop", func(livespec.OpenVersion) error { return nil }))
	if after := Snapshot(context.Background(), t, s, "shop"); after != before {
		t.Errorf("cancelled calls changed the store:\n%s", diff(before, after))
	}
	if info, err := s.Index(context.Background()); err != nil || info != (livespec.IndexInfo{}) {
		t.Errorf("index after a cancelled SetIndex = %+v, %v", info, err)
	}
	// The store still works.
	apply(t, s, next)
	if cp, err := s.Checkpoint(context.Background(), "shop"); err != nil || cp.Seq != 4 {
		t.Errorf("after a cancelled apply, apply: %+v, %v", cp, err)
	}
}

func testFeedback(t *testing.T, s livespec.FeedbackStore) {
	ctx := context.Background()
	ans := &livespec.Answer{Question: "does checkout support coupons?", Answer: "Yes [1]."}
	in := []livespec.Feedback{
		{ID: "f2", Time: t2, Source: "api", Rating: -1, Question: "q2"},
		{ID: "f1", Time: t1, Source: "slack", User: "U1", Channel: "C1", Thread: "1.2", Rating: 1, Question: "does checkout support coupons?", Answer: ans},
		{ID: "f3", Time: t3, Source: "slack", Rating: 1, Question: "q3"},
	}
	for _, f := range in {
		if err := s.AddFeedback(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	// Upsert by id.
	in[2].Rating = -1
	if err := s.AddFeedback(ctx, in[2]); err != nil {
		t.Fatal(err)
	}
	var got []livespec.Feedback
	if err := s.EachFeedback(ctx, func(f livespec.Feedback) error { got = append(got, f); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID != "f1" || got[1].ID != "f2" || got[2].ID != "f3" {
		t.Fatalf("feedback = %+v, want f1, f2, f3 oldest first", got)
	}
	f := got[0]
	if !f.Time.Equal(t1) || f.Source != "slack" || f.User != "U1" || f.Channel != "C1" || f.Thread != "1.2" || f.Rating != 1 ||
		f.Question != in[1].Question || f.Answer == nil || f.Answer.Answer != ans.Answer || f.Answer.Question != ans.Question {
		t.Errorf("feedback f1 = %+v", f)
	}
	if got[2].Rating != -1 {
		t.Errorf("re-rated f3 = %d, want -1", got[2].Rating)
	}
	stop := errors.New("stop")
	if err := s.EachFeedback(ctx, func(livespec.Feedback) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("error from fn: %v", err)
	}
}

// diff returns the lines that differ between two snapshots.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, l := range w {
		if !slices.Contains(g, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// linkHistory is three commits of explicit links in repo "app":
//
//	l1 (t1): spec/api.md "API > Routes" covers api/**; a comment of
//	         api/routes.go points at spec/api.md#routes
//	l2 (t2): the section covers api/** and cmd/serve.go; a comment of
//	         cli/main.go points at spec/cli.md (the whole document)
//	l3 (t3): api/routes.go loses its comment; the covers of api/** goes
//
// l3 closes a link written in the same batch when merged, one written
// earlier otherwise.
func linkHistory() []*livespec.Batch {
	const repo = "app"
	commit := func(n int) string { return sha(repo, 200+n) }
	link := func(n int, at time.Time, kind livespec.LinkKind, path, heading, target, anchor string) livespec.Link {
		return livespec.Link{
			ID: livespec.LinkID(repo, kind, path, heading, target, anchor, commit(n)), Repo: repo, Kind: kind,
			Path: path, Heading: heading, Target: target, Anchor: anchor,
			Commit: commit(n), Seq: int64(n), ValidFrom: at,
		}
	}
	closeOf := func(l livespec.Link, n int, at time.Time) livespec.Close {
		return livespec.Close{ID: l.ID, Commit: commit(n), Seq: int64(n), ValidTo: at}
	}
	cp := func(n int, at time.Time) *livespec.Checkpoint {
		return &livespec.Checkpoint{Repo: repo, Branch: "main", Commit: commit(n), Seq: int64(n), Time: at, Config: "test"}
	}
	covers := link(1, t1, livespec.LinkCovers, "spec/api.md", "API > Routes", "api/**", "")
	routes := link(1, t1, livespec.LinkSpec, "api/routes.go", "", "spec/api.md", "routes")
	b1 := &livespec.Batch{Repo: repo, Checkpoint: cp(1, t1), Links: []livespec.Link{covers, routes}}
	serve := link(2, t2, livespec.LinkCovers, "spec/api.md", "API > Routes", "cmd/serve.go", "")
	cli := link(2, t2, livespec.LinkSpec, "cli/main.go", "", "spec/cli.md", "")
	b2 := &livespec.Batch{Repo: repo, Checkpoint: cp(2, t2), Links: []livespec.Link{serve, cli}}
	b3 := &livespec.Batch{Repo: repo, Checkpoint: cp(3, t3),
		LinkCloses: []livespec.Close{closeOf(routes, 3, t3), closeOf(covers, 3, t3)}}
	return []*livespec.Batch{b1, b2, b3}
}

// mergeLinkBatches folds batches into one, closing in place the links the
// same batch writes, as ingest does.
func mergeLinkBatches(bs []*livespec.Batch) *livespec.Batch {
	out := &livespec.Batch{Repo: bs[0].Repo, Checkpoint: bs[len(bs)-1].Checkpoint}
	for _, b := range bs {
		for _, c := range b.LinkCloses {
			i := slices.IndexFunc(out.Links, func(l livespec.Link) bool { return l.ID == c.ID })
			if i < 0 {
				out.LinkCloses = append(out.LinkCloses, c)
				continue
			}
			out.Links[i].EndCommit, out.Links[i].EndSeq, out.Links[i].ValidTo = c.Commit, c.Seq, c.ValidTo
		}
		out.Links = append(out.Links, b.Links...)
	}
	return out
}

// links describes the links q selects, one line each.
func links(t testing.TB, s livespec.Store, q livespec.LinkQuery) []string {
	t.Helper()
	ls := query(t, "links", s.Links, q)
	out := make([]string, len(ls))
	for i, l := range ls {
		end := "open"
		if !l.Current() {
			end = l.ValidTo.Format("01-02") + "@" + l.EndCommit[len(l.EndCommit)-3:]
		}
		out[i] = fmt.Sprintf("%s %s#%s → %s#%s %s..%s", l.Kind, l.Path, l.Heading, l.Target, l.Anchor,
			l.ValidFrom.Format("01-02"), end)
	}
	return out
}

func testLinksValidity(t *testing.T, s livespec.Store) {
	apply(t, s, linkHistory()...)
	q := livespec.LinkQuery{Repos: []string{"app"}, Validity: livespec.Current()}
	equalLines(t, "current", links(t, s, q), []string{
		"spec cli/main.go# → spec/cli.md# 02-10..open",
		"covers spec/api.md#API > Routes → cmd/serve.go# 02-10..open",
	})
	q.Validity = livespec.AsOf(t2.Add(time.Hour))
	equalLines(t, "as of t2", links(t, s, q), []string{
		"spec api/routes.go# → spec/api.md#routes 01-10..03-10@0cb",
		"spec cli/main.go# → spec/cli.md# 02-10..open",
		"covers spec/api.md#API > Routes → api/**# 01-10..03-10@0cb",
		"covers spec/api.md#API > Routes → cmd/serve.go# 02-10..open",
	})
	q.Validity = livespec.AsOf(t1.Add(-time.Hour))
	equalLines(t, "before t1", links(t, s, q), nil)
	q.Validity = livespec.AnyVersion()
	if got := links(t, s, q); len(got) != 4 {
		t.Errorf("any: %d versions, want 4:\n%q", len(got), got)
	}
	q.Kinds, q.Paths = []livespec.LinkKind{livespec.LinkCovers}, []string{"spec/**"}
	if got := links(t, s, q); len(got) != 2 {
		t.Errorf("covers of spec/**: %q, want 2", got)
	}
	q.Kinds, q.Paths = []livespec.LinkKind{livespec.LinkSpec}, []string{"api/*.go"}
	if got := links(t, s, q); len(got) != 1 {
		t.Errorf("spec comments of api/*.go: %q, want 1", got)
	}
	q.Kinds, q.Paths, q.Limit = nil, nil, 3
	if got := links(t, s, q); len(got) != 3 {
		t.Errorf("limit 3: %d links", len(got))
	}
	if got := links(t, s, livespec.LinkQuery{Repos: []string{"other"}, Validity: livespec.AnyVersion()}); len(got) != 0 {
		t.Errorf("another repo: %q", got)
	}
}

func testLinksApply(t *testing.T, s livespec.Store) {
	bs := linkHistory()
	apply(t, s, bs...)
	apply(t, s, bs...) // replayed: no change, closes stay
	all := livespec.LinkQuery{Validity: livespec.AnyVersion()}
	want := links(t, s, all)
	if err := s.DeleteRepo(context.Background(), "app"); err != nil {
		t.Fatal(err)
	}
	if got := links(t, s, all); len(got) != 0 {
		t.Fatalf("after DeleteRepo: %q", got)
	}
	apply(t, s, mergeLinkBatches(bs))
	equalLines(t, "one merged batch vs batch by batch", links(t, s, all), want)

	bad := linkHistory()[0]
	bad.Links[0].Kind = "guess"
	if err := s.Apply(context.Background(), bad); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Errorf("a link of an unknown kind: %v, want EINVALID", err)
	}
	if got := links(t, s, all); len(got) != len(want) {
		t.Errorf("a rejected batch changed the links: %q", got)
	}
}

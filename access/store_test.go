package access_test

import (
	"context"
	"slices"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/access"
)

// recordingStore answers Repos and Changes and records the Repos filter
// each Changes call was given.
type recordingStore struct {
	livespec.Store
	filters [][]string
}

func (r *recordingStore) Repos(context.Context) ([]livespec.RepoInfo, error) {
	return []livespec.RepoInfo{{Checkpoint: livespec.Checkpoint{Repo: "public"}}, {Checkpoint: livespec.Checkpoint{Repo: "secret"}}}, nil
}

func (r *recordingStore) Changes(_ context.Context, q livespec.ChangeQuery) ([]livespec.Change, error) {
	r.filters = append(r.filters, q.Repos)
	var out []livespec.Change
	for _, repo := range []string{"public", "secret"} {
		if len(q.Repos) == 0 || slices.Contains(q.Repos, repo) {
			out = append(out, livespec.Change{Repo: repo})
		}
	}
	return out, nil
}

func TestStoreFiltersByTheCallersScope(t *testing.T) {
	one, _ := livespec.ScopeOf("public")
	for _, tt := range []struct {
		name      string
		ctx       context.Context
		requested []string
		want      []string // repos of the changes returned
		calls     int      // calls reaching the store
	}{
		{"one repository", livespec.WithCaller(t.Context(), livespec.Caller{Scope: one}), nil, []string{"public"}, 1},
		{"one repository, asking for the other", livespec.WithCaller(t.Context(), livespec.Caller{Scope: one}), []string{"secret"}, nil, 0},
		{"every repository", livespec.WithCaller(t.Context(), livespec.Caller{Scope: livespec.AllRepos()}), nil, []string{"public", "secret"}, 1},
		{"no repository", livespec.WithCaller(t.Context(), livespec.Caller{Scope: livespec.NoRepos()}), nil, nil, 0},
		{"no caller", t.Context(), nil, nil, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inner := &recordingStore{}
			chs, err := access.Store(inner).Changes(tt.ctx, livespec.ChangeQuery{Repos: tt.requested})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range chs {
				got = append(got, c.Repo)
			}
			if !slices.Equal(got, tt.want) || len(inner.filters) != tt.calls {
				t.Fatalf("changes of %v in %d calls, want %v in %d", got, len(inner.filters), tt.want, tt.calls)
			}
			if tt.calls > 0 && !livespec.ScopeFrom(tt.ctx).All() && len(inner.filters[0]) == 0 {
				t.Fatal("a scoped read reached the store without a repository filter")
			}
			if r := livespec.ReadRepos(tt.ctx); tt.calls > 0 && !slices.Equal(r, tt.want) {
				t.Errorf("ReadRepos = %v, want %v", r, tt.want)
			}
			infos, _ := access.Store(inner).Repos(tt.ctx)
			if len(infos) != len(tt.want) && tt.requested == nil {
				t.Errorf("Repos lists %d, want %d", len(infos), len(tt.want))
			}
		})
	}
}

func (r *recordingStore) Links(_ context.Context, q livespec.LinkQuery) ([]livespec.Link, error) {
	r.filters = append(r.filters, q.Repos)
	var out []livespec.Link
	for _, repo := range []string{"public", "secret"} {
		if len(q.Repos) == 0 || slices.Contains(q.Repos, repo) {
			out = append(out, livespec.Link{Repo: repo, Kind: livespec.LinkCovers, Path: "spec.md", Target: "api/**"})
		}
	}
	return out, nil
}

func TestLinksKeepToTheCallersScope(t *testing.T) {
	one, _ := livespec.ScopeOf("public")
	inner := &recordingStore{}
	ctx := livespec.WithCaller(t.Context(), livespec.Caller{Scope: one})
	ls, err := access.Store(inner).Links(ctx, livespec.LinkQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 || ls[0].Repo != "public" || len(inner.filters) != 1 || !slices.Equal(inner.filters[0], []string{"public"}) {
		t.Fatalf("links %+v through filters %v, want public's only", ls, inner.filters)
	}
	if ls, _ := access.Store(inner).Links(t.Context(), livespec.LinkQuery{}); len(ls) != 0 {
		t.Errorf("no caller read %d links", len(ls))
	}
}

func (r *recordingStore) ChangedFiles(_ context.Context, q livespec.ChangeQuery) ([]livespec.Key, error) {
	r.filters = append(r.filters, q.Repos)
	var out []livespec.Key
	for _, repo := range []string{"public", "secret"} {
		if len(q.Repos) == 0 || slices.Contains(q.Repos, repo) {
			out = append(out, livespec.Key{Repo: repo, Path: "spec.md"})
		}
	}
	return out, nil
}

func (r *recordingStore) ChangedSections(_ context.Context, q livespec.ChangeQuery, sections []livespec.Key) ([]livespec.Key, error) {
	r.filters = append(r.filters, q.Repos)
	var out []livespec.Key
	for _, k := range sections {
		if len(q.Repos) == 0 || slices.Contains(q.Repos, k.Repo) {
			out = append(out, k)
		}
	}
	return out, nil
}

func (r *recordingStore) CountChanges(_ context.Context, q livespec.ChangeQuery) (map[string]int, error) {
	r.filters = append(r.filters, q.Repos)
	out := map[string]int{}
	for _, repo := range []string{"public", "secret"} {
		if len(q.Repos) == 0 || slices.Contains(q.Repos, repo) {
			out[repo] = 2
		}
	}
	return out, nil
}

func (r *recordingStore) SectionChanges(_ context.Context, q livespec.ChangeQuery, sections []livespec.Key) ([]livespec.Change, error) {
	r.filters = append(r.filters, q.Repos)
	var out []livespec.Change
	for _, k := range sections {
		if len(q.Repos) == 0 || slices.Contains(q.Repos, k.Repo) {
			out = append(out, livespec.Change{Repo: k.Repo, Path: k.Path, Heading: k.Heading, Section: true})
		}
	}
	return out, nil
}

// TestChangeIndexKeepsToTheCallersScope checks that what a window changed,
// and a section's events, are told only of the repositories the caller may read.
func TestChangeIndexKeepsToTheCallersScope(t *testing.T) {
	one, _ := livespec.ScopeOf("public")
	ctx := livespec.WithCaller(t.Context(), livespec.Caller{Scope: one})
	inner := &recordingStore{}
	st := access.Store(inner)
	files, err := st.ChangedFiles(ctx, livespec.ChangeQuery{})
	if err != nil || len(files) != 1 || files[0].Repo != "public" {
		t.Fatalf("changed files %+v (%v), want public's only", files, err)
	}
	both := []livespec.Key{{Repo: "secret", Path: "spec.md"}, {Repo: "public", Path: "spec.md"}}
	secs, err := st.ChangedSections(ctx, livespec.ChangeQuery{}, both)
	if err != nil || len(secs) != 1 || secs[0].Repo != "public" {
		t.Fatalf("changed sections %+v (%v), want public's only", secs, err)
	}
	cs, err := st.SectionChanges(ctx, livespec.ChangeQuery{}, both)
	if err != nil || len(cs) != 1 || cs[0].Repo != "public" {
		t.Fatalf("section changes %+v (%v), want public's only", cs, err)
	}
	n, err := st.CountChanges(ctx, livespec.ChangeQuery{})
	if err != nil || len(n) != 1 || n["public"] != 2 {
		t.Fatalf("counted changes %v (%v), want public's only", n, err)
	}
	if ks, _ := st.ChangedFiles(t.Context(), livespec.ChangeQuery{}); len(ks) != 0 {
		t.Errorf("no caller read %d changed files", len(ks))
	}
	if ks, _ := st.ChangedSections(t.Context(), livespec.ChangeQuery{}, both); len(ks) != 0 {
		t.Errorf("no caller read %d changed sections", len(ks))
	}
	if n, _ := st.CountChanges(t.Context(), livespec.ChangeQuery{}); len(n) != 0 {
		t.Errorf("no caller counted changes in %v", n)
	}
	if cs, _ := st.SectionChanges(t.Context(), livespec.ChangeQuery{}, both); len(cs) != 0 {
		t.Errorf("no caller read %d section changes", len(cs))
	}
}

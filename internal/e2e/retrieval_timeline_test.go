package e2e_test

import (
	"context"
	"errors"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/retrieval"
)

func TestTimeline(t *testing.T) {
	f := newFixture(t)
	a := f.assistant()
	ctx := context.Background()

	type event struct {
		commit string
		kind   livespec.ChangeKind
		path   string
	}
	tests := []struct {
		name  string
		query livespec.TimelineQuery
		// want lists the events expected, oldest first; only events of the
		// listed commits are compared when sections is false.
		want  []event
		first string // commit of the event flagged FirstMention, if any
	}{
		{
			name:  "a file across its rename",
			query: livespec.TimelineQuery{Path: "specs/security/auth.md"},
			want: []event{
				{f.c1, livespec.Added, "specs/auth.md"},
				{f.c2, livespec.Modified, "specs/auth.md"},
				{f.c3, livespec.Modified, "specs/auth.md"},
				{f.c4, livespec.Renamed, "specs/security/auth.md"},
				{f.c5, livespec.Modified, "specs/security/auth.md"},
			},
		},
		{
			name:  "a section across a heading rename and a file rename",
			query: livespec.TimelineQuery{Path: "specs/security/auth.md", Heading: "Auth > Token lifetime"},
			want: []event{
				{f.c1, livespec.Added, "specs/auth.md"},
				{f.c2, livespec.Modified, "specs/auth.md"},
				{f.c3, livespec.Renamed, "specs/auth.md"},
				{f.c4, livespec.Renamed, "specs/security/auth.md"},
			},
		},
		{
			name:  "a topic from its first mention",
			query: livespec.TimelineQuery{Topic: "invoices"},
			want: []event{
				{f.c2, livespec.Added, "specs/billing.md"},
				{f.c6, livespec.Modified, "specs/billing.md"},
			},
			first: f.c2,
		},
		{
			name:  "a topic within a window",
			query: livespec.TimelineQuery{Topic: "invoices", Window: &livespec.Window{From: day("2024-07-01T00:00:00Z")}},
			want:  []event{{f.c6, livespec.Modified, "specs/billing.md"}},
		},
		{
			name:  "a topic that names a file tells the file's history",
			query: livespec.TimelineQuery{Topic: "the billing spec"},
			want: []event{
				{f.c2, livespec.Added, "specs/billing.md"},
				{f.c6, livespec.Modified, "specs/billing.md"},
			},
			first: f.c2,
		},
		{
			name:  "a topic naming a file and a part it gained later",
			query: livespec.TimelineQuery{Topic: "fees in the billing spec"},
			want:  []event{{f.c6, livespec.Added, "specs/billing.md"}},
			first: f.c6,
		},
		{
			name:  "a topic naming a file with words that only describe it",
			query: livespec.TimelineQuery{Topic: "the published billing spec"},
			want: []event{
				{f.c2, livespec.Added, "specs/billing.md"},
				{f.c6, livespec.Modified, "specs/billing.md"},
			},
			first: f.c2,
		},
		{
			name:  "a directory's README goes by the directory's name",
			query: livespec.TimelineQuery{Topic: "the payments spec"},
			want:  []event{{f.c1, livespec.Added, "specs/payments/README.md"}},
			first: f.c1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl, err := a.Timeline(ctx, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			var got []event
			seen := map[string]bool{}
			first := ""
			for _, e := range tl.Events {
				if e.FirstMention {
					first = e.Commit
				}
				// One event per commit: the file-level one for file
				// timelines, the section's own otherwise.
				if seen[e.Commit] {
					continue
				}
				seen[e.Commit] = true
				got = append(got, event{e.Commit, e.Kind, e.Path})
			}
			if len(got) != len(tc.want) {
				t.Fatalf("events = %+v\nwant %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("event %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
			if tc.first != "" && first != tc.first {
				t.Errorf("first mention in %s, want %s", first, tc.first)
			}
		})
	}
}

func TestTimelineErrors(t *testing.T) {
	f := newFixture(t)
	a := f.assistant()
	tests := []struct {
		name  string
		query livespec.TimelineQuery
		code  string
	}{
		{"neither topic nor path", livespec.TimelineQuery{}, livespec.EINVALID},
		{"unknown path", livespec.TimelineQuery{Path: "specs/nope.md"}, livespec.ENOTFOUND},
		{"unknown repo", livespec.TimelineQuery{Topic: "invoices", Repos: []string{"nope"}}, livespec.ENOTFOUND},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.Timeline(context.Background(), tc.query)
			if livespec.ErrorCode(err) != tc.code {
				t.Errorf("error = %v, want %s", err, tc.code)
			}
		})
	}
	t.Run("a topic nothing mentions is an empty timeline", func(t *testing.T) {
		tl, err := a.Timeline(context.Background(), livespec.TimelineQuery{Topic: "quantum entanglement"})
		if err != nil {
			t.Fatal(err)
		}
		if len(tl.Events) != 0 {
			t.Errorf("events = %+v, want none", tl.Events)
		}
	})
}

func TestWarm(t *testing.T) {
	f := newFixture(t)
	a := f.assistant()
	if err := a.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	tl, err := a.Timeline(context.Background(), livespec.TimelineQuery{Topic: "invoices"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl.Events) == 0 || tl.Events[0].Commit != f.c2 {
		t.Errorf("events after Warm = %+v, want the invoices history from %s", tl.Events, f.c2)
	}
	if err := (&retrieval.Assistant{Store: brokenRepos{f.store}}).Warm(context.Background()); livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
		t.Errorf("Warm on a broken store = %v, want EUNAVAILABLE", err)
	}
	// The store reads ahead what its searches need (livespec.Warmer).
	if err := (&retrieval.Assistant{Store: brokenWarm{f.store}}).Warm(context.Background()); livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
		t.Errorf("Warm on a store that fails to warm = %v, want EUNAVAILABLE", err)
	}
}

// brokenWarm is a store that fails to read ahead what its searches need.
type brokenWarm struct{ *sqlite.Store }

func (brokenWarm) Warm(context.Context) error { return errors.New("disk I/O error") }

// brokenRepos is a store that cannot list its repositories.
type brokenRepos struct{ *sqlite.Store }

func (brokenRepos) Repos(context.Context) ([]livespec.RepoInfo, error) {
	return nil, errors.New("disk I/O error")
}

func (brokenRepos) Checkpoints(context.Context) ([]livespec.Checkpoint, error) {
	return nil, errors.New("disk I/O error")
}

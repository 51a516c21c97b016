package loadmix_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/loadmix"
)

// index is an index of a few current sections, whose first change landed
// on first and whose repository was last ingested at newest.
type index struct {
	headings      []string
	first, newest time.Time
}

func (x index) Versions(context.Context, livespec.VersionQuery) ([]livespec.Version, error) {
	var vs []livespec.Version
	for _, h := range x.headings {
		vs = append(vs, livespec.Version{Key: livespec.Key{Heading: h}})
	}
	return vs, nil
}

func (x index) Changes(context.Context, livespec.ChangeQuery) ([]livespec.Change, error) {
	return []livespec.Change{{Date: x.first}}, nil
}

func (x index) Repos(context.Context) ([]livespec.RepoInfo, error) {
	return []livespec.RepoInfo{{Checkpoint: livespec.Checkpoint{Repo: "specs", Time: x.newest}}}, nil
}

func TestQuestions(t *testing.T) {
	ix := index{
		headings: []string{
			"Auth" + livespec.HeadingSep + "Token expiry",
			"Auth" + livespec.HeadingSep + "token EXPIRY", // the same topic
			livespec.FrontMatterHeading,
			"Billing" + livespec.HeadingSep + "Refunds",
			"one two three four five six seven eight nine", // too long to be a topic
		},
		first:  time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC),
		newest: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
	}
	qs, now, err := loadmix.Questions(context.Background(), ix, 8, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !now.Equal(ix.newest) {
		t.Errorf("now = %v, want the newest repository state %v", now, ix.newest)
	}
	if len(qs) != 8 {
		t.Fatalf("got %d questions, want 8: %v", len(qs), qs)
	}
	seen, kinds := map[string]bool{}, map[string]int{}
	for _, q := range qs {
		kinds[q.Kind]++
		if seen[q.Text] {
			t.Errorf("question %q asked twice", q.Text)
		}
		seen[q.Text] = true
		if !strings.Contains(q.Text, "Token expiry") && !strings.Contains(q.Text, "Refunds") {
			t.Errorf("question %q is about no heading of the index", q.Text)
		}
	}
	for _, k := range loadmix.Kinds {
		if kinds[k] == 0 {
			t.Errorf("no %s question among %v", k, qs)
		}
	}
	given := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, now, _ := loadmix.Questions(context.Background(), ix, 1, given); !now.Equal(given) {
		t.Errorf("now = %v, want the given clock %v", now, given)
	}
}

func TestQuestionsEmptyIndex(t *testing.T) {
	_, _, err := loadmix.Questions(context.Background(), index{}, 4, time.Time{})
	if err == nil {
		t.Fatal("an index without headings gave questions, want an error")
	}
}

package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/livespec/livespec"
)

// wordsHistory is a history whose texts hold the words "kube" and
// "scheduler" side by side in some sections and apart in others, with many
// short sections holding them apart that rank above every section holding
// them side by side:
//
//	c1 (t1): notes/NN.md (80 of them), heading.md, hyphen.md, gap.md,
//	         apart.md, reversed.md; other.md in repo "other"
//	c2 (t2): heading.md no longer names the pair
func wordsHistory() []*livespec.Batch {
	h := NewHistory("words")
	files := map[string][]livespec.Section{
		"heading.md":  {Sec("Kube Scheduler", "# Kube Scheduler\nEnd-to-end tests run against a cluster with many nodes and pods.")},
		"hyphen.md":   {Sec("Tuning", "# Tuning\nThe kube-scheduler picks a node for each pod of the workload.")},
		"gap.md":      {Sec("Gap", "# Gap\nThe kube of the scheduler is where placement decisions live.")},
		"apart.md":    {Sec("Apart", "# Apart\nThe scheduler runs in every kube cluster that operators manage.")},
		"reversed.md": {Sec("Reversed", "# Reversed\nScheduler kube settings are documented elsewhere.")},
	}
	for i := range 80 {
		p := fmt.Sprintf("notes/%02d.md", i)
		files[p] = []livespec.Section{Sec("Note", fmt.Sprintf("# Note\nKube kube kube %d. Scheduler scheduler scheduler.", i))}
	}
	b1 := h.Commit(Commit{SHA: sha("words", 1), Time: t1, Author: "Ada", Message: "Words", Files: files})
	b2 := h.Commit(Commit{SHA: sha("words", 2), Time: t2, Author: "Ada", Message: "Rename the tests",
		Files: map[string][]livespec.Section{"heading.md": {Sec("Tests", "# Tests\nEnd-to-end tests run against a cluster with many nodes and pods.")}}})
	o := NewHistory("other")
	b3 := o.Commit(Commit{SHA: sha("other", 1), Time: t1, Author: "Cy", Message: "Other",
		Files: map[string][]livespec.Section{"other.md": {Sec("Other", "# Other\nThe kube scheduler of another repository.")}}})
	return []*livespec.Batch{b1, b2, b3}
}

// testSearchHolding checks searches that keep only the versions holding
// every term of their text (All) or one of their phrases (Phrases): the
// words side by side, in order, stop words aside, whatever outranks them.
func testSearchHolding(t *testing.T, s livespec.Store) {
	apply(t, s, wordsHistory()...)
	any, words := livespec.AnyVersion(), []string{"words"}
	heading := vid("words", "heading.md", "Kube Scheduler", 1)
	hyphen, gap := vid("words", "hyphen.md", "Tuning", 1), vid("words", "gap.md", "Gap", 1)
	apart, reversed := vid("words", "apart.md", "Apart", 1), vid("words", "reversed.md", "Reversed", 1)
	other := vid("other", "other.md", "Other", 1)
	phrase := []string{"kube scheduler"}
	for _, tt := range []struct {
		name string
		q    livespec.SearchQuery
		want []string
	}{
		{"a phrase, below 80 better hits", livespec.SearchQuery{Text: "kube scheduler", Phrases: phrase, Validity: any, Repos: words, Limit: 10},
			[]string{heading, hyphen, gap}},
		{"a phrase in every repository", livespec.SearchQuery{Text: "kube scheduler", Phrases: phrase, Validity: any, Limit: 10},
			[]string{heading, hyphen, gap, other}},
		{"a phrase, current versions", livespec.SearchQuery{Text: "kube scheduler", Phrases: phrase, Validity: livespec.Current(), Repos: words, Limit: 10},
			[]string{hyphen, gap}},
		{"a phrase as of before its heading changed", livespec.SearchQuery{Text: "kube scheduler", Phrases: phrase, Validity: livespec.AsOf(t1), Repos: words, Limit: 10},
			[]string{heading, hyphen, gap}},
		{"the words in the other order", livespec.SearchQuery{Text: "kube scheduler", Phrases: []string{"scheduler kube"}, Validity: any, Repos: words, Limit: 10},
			[]string{reversed}},
		{"one of two phrases", livespec.SearchQuery{Text: "kube scheduler", Phrases: []string{"scheduler kube", "runs every kube"}, Validity: any, Repos: words, Limit: 10},
			[]string{reversed, apart}},
		{"every term and a phrase", livespec.SearchQuery{Text: "kube scheduler placement", All: true, Phrases: phrase, Validity: any, Limit: 10},
			[]string{gap}},
		{"every term", livespec.SearchQuery{Text: "kube scheduler operators", All: true, Validity: any, Limit: 10},
			[]string{apart}},
		{"a phrase of stop words only", livespec.SearchQuery{Text: "kube scheduler", Phrases: []string{"of the"}, Validity: any, Limit: 10}, nil},
		{"a phrase no text holds", livespec.SearchQuery{Text: "kube scheduler", Phrases: []string{"scheduler operators"}, Validity: any, Limit: 10}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := hitIDs(search(t, s, tt.q))
			if g, w := sorted(got), sorted(tt.want); !slices.Equal(g, w) {
				t.Errorf("got %v, want %v", g, w)
			}
		})
	}
	t.Run("limit", func(t *testing.T) {
		all := hitIDs(search(t, s, livespec.SearchQuery{Text: "kube scheduler", Phrases: phrase, Validity: any, Limit: 10}))
		got := hitIDs(search(t, s, livespec.SearchQuery{Text: "kube scheduler", Phrases: phrase, Validity: any, Limit: 2}))
		if len(all) < 2 || !slices.Equal(got, all[:2]) {
			t.Errorf("limit 2 = %v, want the first 2 of %v", got, all)
		}
	})
	t.Run("unfiltered, the notes rank first", func(t *testing.T) {
		got := hitIDs(search(t, s, livespec.SearchQuery{Text: "kube scheduler", Validity: any, Repos: words, Limit: 10}))
		if slices.ContainsFunc(got, func(id string) bool { return id == heading || id == hyphen || id == gap }) {
			t.Errorf("an unfiltered search's first 10 = %v: the fixture needs the notes above the pair", got)
		}
	})
}

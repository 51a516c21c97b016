package storetest

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// testCheckpoints checks that livespec.Checkpoints lists what Repos lists,
// through the store's CheckpointLister when it has one.
func testCheckpoints(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	if cps, err := livespec.Checkpoints(ctx, s); err != nil || len(cps) != 0 {
		t.Errorf("checkpoints of a new store = %+v, %v", cps, err)
	}
	loadShop(t, s)
	apply(t, s, docs()...)
	infos, err := s.Repos(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cps, err := livespec.Checkpoints(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(cps) != len(infos) {
		t.Fatalf("checkpoints = %+v, repos = %+v", cps, infos)
	}
	for i := range cps {
		if !cps[i].Time.Equal(infos[i].Time) || !cps[i].UpdatedAt.Equal(infos[i].UpdatedAt) {
			t.Errorf("checkpoint %d times = %v, %v; repos has %v, %v", i, cps[i].Time, cps[i].UpdatedAt, infos[i].Time, infos[i].UpdatedAt)
		}
		cps[i].Time, cps[i].UpdatedAt = infos[i].Time, infos[i].UpdatedAt
		if cps[i] != infos[i].Checkpoint {
			t.Errorf("checkpoint %d = %+v, repos has %+v", i, cps[i], infos[i].Checkpoint)
		}
	}
}

// testTermCounts checks a TermStore's statistics against counting the
// current sections, as they change: after each batch, after a run whose
// batches say More (unsettled until its last), and after a deletion.
func testTermCounts(t *testing.T, s livespec.Store) {
	ts, ok := s.(livespec.TermStore)
	if !ok {
		t.Skip("the store keeps no term statistics")
	}
	ctx := context.Background()
	checkTerms(t, s, ts, "a new store")
	_, bs := shop()
	for i, b := range bs {
		apply(t, s, b)
		checkTerms(t, s, ts, "shop batch "+string(rune('1'+i)))
	}
	ds := docs()
	ds[0].More = true
	apply(t, s, ds[0])
	if _, settled, err := ts.TermCounts(ctx, []string{"guid"}, nil); err != nil || settled {
		t.Errorf("term counts within a run: settled %v, %v; want unsettled", settled, err)
	}
	apply(t, s, ds[1])
	checkTerms(t, s, ts, "a run of docs")
	if err := s.DeleteRepo(ctx, "shop"); err != nil {
		t.Fatal(err)
	}
	checkTerms(t, s, ts, "shop deleted")
	if err := s.DeleteRepo(ctx, "docs"); err != nil {
		t.Fatal(err)
	}
	checkTerms(t, s, ts, "every repository deleted")
}

// checkTerms compares the store's term statistics with those of its
// current sections.
func checkTerms(t *testing.T, s livespec.Store, ts livespec.TermStore, when string) {
	t.Helper()
	ctx := context.Background()
	vs := versions(t, s, livespec.VersionQuery{Validity: livespec.Current()})
	stems, words := map[string]int{}, map[string]int{}
	for _, v := range vs {
		ss, ws := lex.SectionTerms(v.Text, v.Path, v.Heading)
		for _, x := range ss {
			stems[x]++
		}
		for _, w := range ws {
			words[w]++
		}
	}
	// Ask for every term of every version ever stored and one unknown,
	// so that terms gone from the current text must count 0.
	askStems, askWords := []string{"zzunknown"}, []string{"zzunknown"}
	for _, v := range versions(t, s, livespec.VersionQuery{Validity: livespec.AnyVersion()}) {
		ss, ws := lex.SectionTerms(v.Text, v.Path, v.Heading)
		askStems, askWords = append(askStems, ss...), append(askWords, ws...)
	}
	counts, settled, err := ts.TermCounts(ctx, askStems, askWords)
	if err != nil || !settled {
		t.Fatalf("%s: term counts: settled %v, %v", when, settled, err)
	}
	if counts.Sections != len(vs) {
		t.Errorf("%s: %d sections counted, %d current", when, counts.Sections, len(vs))
	}
	for _, st := range askStems {
		if counts.Stems[st] != stems[st] {
			t.Errorf("%s: stem %q in %d sections, want %d", when, st, counts.Stems[st], stems[st])
		}
	}
	for _, w := range askWords {
		if counts.Words[w] != words[w] {
			t.Errorf("%s: word %q in %d sections, want %d", when, w, counts.Words[w], words[w])
		}
	}
	for _, prefix := range []string{"c", "co", "r", "zz"} {
		got, settled, err := ts.Vocabulary(ctx, prefix)
		if err != nil || !settled {
			t.Fatalf("%s: vocabulary %q: settled %v, %v", when, prefix, settled, err)
		}
		want := map[string]int{}
		for w, n := range words {
			if strings.HasPrefix(w, prefix) {
				want[w] = n
			}
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: vocabulary %q = %v, want %v", when, prefix, slices.Sorted(maps.Keys(got)), want)
		}
	}
}

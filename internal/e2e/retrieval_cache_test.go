package e2e_test

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/retrieval"
)

// countingStore counts the searches and change reads that reach the store.
type countingStore struct {
	*sqlite.Store
	reads atomic.Int64
}

func (s *countingStore) Search(ctx context.Context, q livespec.SearchQuery) ([]livespec.Hit, error) {
	s.reads.Add(1)
	return s.Store.Search(ctx, q)
}

func (s *countingStore) Changes(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Change, error) {
	s.reads.Add(1)
	return s.Store.Changes(ctx, q)
}

// cacheQuestions cover every intent.
var cacheQuestions = []string{
	"How long do access tokens last?",
	"As of February 1, 2024, how long did access tokens last?",
	"What changed in the last 30 days?",
	"How did the token expiry change over time?",
}

func askAll(t *testing.T, a *retrieval.Assistant, now time.Time) []*livespec.Answer {
	t.Helper()
	var out []*livespec.Answer
	for _, q := range cacheQuestions {
		ans, err := a.Ask(context.Background(), livespec.AskRequest{Question: q, Now: now}, nil)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		out = append(out, ans)
	}
	return out
}

// TestAnswerCache checks that a kept answer is served only while it is the
// answer a fresh assistant gives: not after an ingest through the same
// store, nor after one through another store on the same file (as another
// process would write).
func TestAnswerCache(t *testing.T) {
	ctx := context.Background()
	r := gittest.New(t, day(d1))
	r.Do(gittest.Step{Date: d1, Msg: "Initial specs", Write: map[string]string{"specs/auth.md": authV1}})
	st := &countingStore{Store: openIndex(t, r.Dir, nil)}
	cached := &retrieval.Assistant{Store: st}
	uncached := &retrieval.Assistant{Store: st, AnswerCache: -1} // keeps what else it keeps
	fresh := func() []*livespec.Answer {
		return askAll(t, &retrieval.Assistant{Store: st.Store, AnswerCache: -1}, day(d2).Add(time.Hour))
	}
	now := day(d2).Add(time.Hour)

	first := askAll(t, cached, now)
	if want := fresh(); !reflect.DeepEqual(first, want) {
		t.Fatalf("first answers differ from fresh ones:\n%+v\n%+v", first, want)
	}
	reads := st.reads.Load()
	again := askAll(t, cached, now)
	if !reflect.DeepEqual(again, first) {
		t.Errorf("asked again: answers changed")
	}
	if n := st.reads.Load() - reads; n != 0 {
		t.Errorf("asked again: %d store reads, want none (answers kept)", n)
	}
	// A caller changing its answer changes nothing kept.
	again[0].Citations[0].Excerpt = "changed"
	again[0].Answer = "changed"
	if got := askAll(t, cached, now); !reflect.DeepEqual(got, fresh()) {
		t.Errorf("a caller's change reached the kept answers")
	}
	// The same question at another time is another question when the
	// clock sets its window.
	later := askAll(t, cached, now.Add(60*24*time.Hour))
	if reflect.DeepEqual(later[2].Window, first[2].Window) {
		t.Errorf("changes in the last 30 days: the window did not follow the clock: %v", later[2].Window)
	}

	for _, step := range []struct {
		name  string
		write func()
	}{
		{"ingest through the same store", func() {
			r.Do(gittest.Step{Date: d2, Msg: "Longer tokens", Write: map[string]string{
				"specs/auth.md": "# Auth\n\n## Token expiry\n\nAccess tokens expire after 60 minutes of inactivity.\n"}})
			if _, err := ingest.Run(ctx, st.Store, ingest.Options{Repo: "demo", Dir: r.Dir}); err != nil {
				t.Fatal(err)
			}
		}},
		{"ingest through another store", func() {
			r.Do(gittest.Step{Date: d2, Msg: "Even longer tokens", Write: map[string]string{
				"specs/auth.md": "# Auth\n\n## Token expiry\n\nAccess tokens expire after 90 minutes of inactivity.\n"}})
			other, err := sqlite.Open(ctx, st.Path())
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if _, err := ingest.Run(ctx, other, ingest.Options{Repo: "demo", Dir: r.Dir}); err != nil {
				t.Fatal(err)
			}
		}},
		{"ingest adding a file the topic names", func() {
			r.Do(gittest.Step{Date: d2, Msg: "Token expiry spec", Write: map[string]string{
				"specs/token-expiry.md": "# Token expiry\n\nRefresh tokens expire after 30 days.\n"}})
			if _, err := ingest.Run(ctx, st.Store, ingest.Options{Repo: "demo", Dir: r.Dir}); err != nil {
				t.Fatal(err)
			}
		}},
		{"a write that moves no checkpoint", func() {
			// Close every current section without a checkpoint: the
			// corpus statistics stay, only the index version tells.
			vs, err := st.Versions(ctx, livespec.VersionQuery{Validity: livespec.Current()})
			if err != nil {
				t.Fatal(err)
			}
			b := &livespec.Batch{Repo: "demo"}
			for _, v := range vs {
				b.Closes = append(b.Closes, livespec.Close{ID: v.ID, Commit: v.Commit, Seq: v.Seq, ValidTo: day(d3)})
			}
			if err := st.Apply(ctx, b); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(step.name, func(t *testing.T) {
			before := askAll(t, cached, now)
			askAll(t, uncached, now)
			step.write()
			got := askAll(t, cached, now)
			want := fresh()
			if !reflect.DeepEqual(got, want) {
				t.Errorf("after the write, kept answers differ from fresh ones:\n got %+v\nwant %+v", got, want)
			}
			if got := askAll(t, uncached, now); !reflect.DeepEqual(got, want) {
				t.Errorf("after the write, answers from kept files differ from fresh ones:\n got %+v\nwant %+v", got, want)
			}
			if reflect.DeepEqual(got, before) {
				t.Errorf("the write changed no answer; the test proves nothing")
			}
		})
	}
}

// TestAnswerCacheOnlyWhenExact checks that answers are not kept when they
// may differ from one asking to the next.
func TestAnswerCacheOnlyWhenExact(t *testing.T) {
	r := gittest.New(t, day(d1))
	r.Do(gittest.Step{Date: d1, Msg: "Initial specs", Write: map[string]string{"specs/auth.md": authV1}})
	st := &countingStore{Store: openIndex(t, r.Dir, nil)}
	for _, tc := range []struct {
		name string
		a    *retrieval.Assistant
	}{
		{"turned off", &retrieval.Assistant{Store: st, AnswerCache: -1}},
		{"a model generator", &retrieval.Assistant{Store: st, Generator: failingGenerator{}}},
		{"an embedder", &retrieval.Assistant{Store: st, Embedder: wordsEmbedder{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			askAll(t, tc.a, day(d2))
			reads := st.reads.Load()
			askAll(t, tc.a, day(d2))
			if st.reads.Load() == reads {
				t.Errorf("answers were kept")
			}
		})
	}
}

// benchQuestions are the questions of the KEPs benchmarks, by intent.
var benchQuestions = map[string][]string{
	"current": {
		"How does the kubelet decide when to evict pods under memory pressure?",
		"What are the graduation criteria for sidecar containers?",
		"How can I debug a running pod with an ephemeral container?",
		"Does pod topology spread honour node affinity?",
		"What must a KEP say about production readiness and rollback?",
		"How is swap memory supported on Linux nodes?",
		"Which feature gate controls in-place pod resize?",
		"How are volume snapshots restored?",
	},
	"as_of": {
		"As of January 1, 2022, what were the goals of sidecar containers?",
		"As of June 30, 2020, how did ephemeral containers work?",
		"As of March 2023, how was swap supported on nodes?",
		"As of December 31, 2021, what did the production readiness review require?",
	},
	"timeline": {
		"How did the graduation criteria for in-place pod resize evolve?",
		"When was sidecar containers first proposed?",
	},
	"changes_topic": {
		"What changed this year about API priority and fairness?",
		"What changed about dynamic resource allocation in August 2024?",
	},
	"introduced": {
		"When was sidecar containers first proposed?",
		"When did swap support on Linux nodes first appear?",
		"When did `x-kubernetes-`-prefixed OpenAPI extensions first appear?",
		"When was `@deprecated`-style annotation first mentioned?",
	},
	"evolution": {
		"How did the graduation criteria for in-place pod resize evolve?",
		"How has the pod security admission KEP changed?",
	},
}

// BenchmarkAskFresh measures answers computed afresh (no answer cache) and
// kept ones, for current, as-of, timeline and topic change questions over
// the Kubernetes KEPs index (LIVESPEC_BENCH_INDEX), reporting CPU time per
// answer and the p50 and p99 latency.
func BenchmarkAskFresh(b *testing.B) {
	st := benchIndex(b)
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	sets := benchQuestions
	for _, cache := range []struct {
		name string
		size int
	}{{"fresh", -1}, {"kept", 0}} {
		a := &retrieval.Assistant{Store: st, AnswerCache: cache.size}
		if err := a.Warm(context.Background()); err != nil {
			b.Fatal(err)
		}
		for _, name := range []string{"current", "as_of", "timeline", "changes_topic"} {
			qs := sets[name]
			b.Run(cache.name+"/"+name, func(b *testing.B) {
				askTimed(b, a, qs, now)
			})
		}
	}
}

// TestAnswerCacheConcurrent asks from several goroutines while the index
// is written to; afterwards the kept answers are the fresh ones. Run it
// with -race.
func TestAnswerCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	r := gittest.New(t, day(d1))
	r.Do(gittest.Step{Date: d1, Msg: "Initial specs", Write: map[string]string{"specs/auth.md": authV1}})
	st := openIndex(t, r.Dir, nil)
	a := &retrieval.Assistant{Store: st}
	now := day(d3)
	stop := make(chan struct{})
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, q := range cacheQuestions {
					if _, err := a.Ask(ctx, livespec.AskRequest{Question: q, Now: now}, nil); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	for i, minutes := range []string{"45", "60", "75", "90"} {
		r.Do(gittest.Step{Date: day(d2).Add(time.Duration(i) * time.Hour).Format(time.RFC3339), Msg: "tokens " + minutes, Write: map[string]string{
			"specs/auth.md": "# Auth\n\n## Token expiry\n\nAccess tokens expire after " + minutes + " minutes of inactivity.\n"}})
		if _, err := ingest.Run(ctx, st, ingest.Options{Repo: "demo", Dir: r.Dir}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	for range 4 {
		<-done
	}
	got := askAll(t, a, now)
	want := askAll(t, &retrieval.Assistant{Store: st, AnswerCache: -1}, now)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kept answers differ from fresh ones:\n got %+v\nwant %+v", got, want)
	}
}

// historyCounter counts the searches over every version of every file that
// reach the store: the pool a timeline or a topic change report matches
// its topic in.
type historyCounter struct {
	*sqlite.Store
	searches atomic.Int64
}

func (s *historyCounter) Search(ctx context.Context, q livespec.SearchQuery) ([]livespec.Hit, error) {
	if q.Validity == livespec.AnyVersion() && len(q.Paths) == 0 {
		s.searches.Add(1)
	}
	return s.Store.Search(ctx, q)
}

// TestTopicMatchKept checks that the history answers about one topic (a
// timeline, a change report, the same timeline asked again) search the
// topic's history once while nothing is written, that each answer is the
// one a fresh assistant gives, and that after a write the topic is
// searched again and the answer follows the write.
func TestTopicMatchKept(t *testing.T) {
	ctx := context.Background()
	r := gittest.New(t, day(d1))
	r.Do(gittest.Step{Date: d1, Msg: "Initial specs", Write: map[string]string{"specs/auth.md": authV1}})
	st := &historyCounter{Store: openIndex(t, r.Dir, nil)}
	a := &retrieval.Assistant{Store: st, AnswerCache: -1}
	now := day(d3)
	ask := func(q string) (kept, fresh *livespec.Answer) {
		t.Helper()
		kept, err := a.Ask(ctx, livespec.AskRequest{Question: q, Now: now}, nil)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		fresh, err = (&retrieval.Assistant{Store: st.Store, AnswerCache: -1}).Ask(ctx, livespec.AskRequest{Question: q, Now: now}, nil)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if !reflect.DeepEqual(kept, fresh) {
			t.Errorf("%q: the answer differs from a fresh one:\n got %+v\nwant %+v", q, kept, fresh)
		}
		return kept, fresh
	}
	timeline := "How did the token expiry change over time?"
	first, _ := ask(timeline)
	searched := st.searches.Load()
	if searched == 0 {
		t.Fatal("the timeline searched no history; the test proves nothing")
	}
	for _, q := range []string{"What changed about the token expiry in 2024?", timeline} {
		ask(q)
	}
	if n := st.searches.Load() - searched; n != 0 {
		t.Errorf("asked about the same topic again: %d history searches, want none", n)
	}

	r.Do(gittest.Step{Date: d2, Msg: "Longer tokens", Write: map[string]string{
		"specs/auth.md": "# Auth\n\n## Token expiry\n\nAccess tokens expire after 60 minutes of inactivity.\n"}})
	if _, err := ingest.Run(ctx, st.Store, ingest.Options{Repo: "demo", Dir: r.Dir}); err != nil {
		t.Fatal(err)
	}
	searched = st.searches.Load()
	after, _ := ask(timeline)
	if st.searches.Load() == searched {
		t.Errorf("after a write the topic was not searched again")
	}
	if reflect.DeepEqual(after, first) {
		t.Errorf("the write changed no answer; the test proves nothing")
	}
}

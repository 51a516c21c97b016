// Package loadmix makes the questions of a load test from an index's own
// section headings: distinct current, as-of, topic-change and timeline
// questions, each about a heading, so that every answer works on texts
// no earlier question touched. bench/serveload asks them of a served
// index; BenchmarkAskMix (internal/e2e) asks them in process.
package loadmix

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/livespec/livespec"
)

// Kinds are the kinds of question a load cycles through, in order.
var Kinds = []string{"current", "as_of", "changes", "timeline"}

// Clock is the clock load benchmarks ask at unless told otherwise:
// bench/serveload and BenchmarkAskMix both use it, so that served and
// in-process runs on one index ask the same questions.
var Clock = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// Question is one question of a load, with its kind (one of Kinds).
type Question struct{ Kind, Text string }

// Index is what Questions reads of an index.
type Index interface {
	Versions(context.Context, livespec.VersionQuery) ([]livespec.Version, error)
	Changes(context.Context, livespec.ChangeQuery) ([]livespec.Change, error)
	Repos(context.Context) ([]livespec.RepoInfo, error)
}

// Questions makes n distinct questions from the headings of the index's
// current sections, cycling through Kinds, and returns them with their
// clock: now when it is not zero, else the newest change in the index.
// Dates of as-of and change questions spread over the index's history.
func Questions(ctx context.Context, st Index, n int, now time.Time) ([]Question, time.Time, error) {
	topics, err := headings(ctx, st)
	if err != nil {
		return nil, now, err
	}
	newest, first, err := span(ctx, st)
	if err != nil {
		return nil, now, err
	}
	now = cmp.Or(now, newest)
	days := max(int(now.Sub(first).Hours()/24), 1)
	var out []Question
	asked := map[string]bool{}
	for i := 0; len(out) < n && i < n*20; i++ {
		t := topics[i%len(topics)]
		d := first.AddDate(0, 0, (i*7919)%days)
		q := Question{Kind: Kinds[i%len(Kinds)]}
		switch q.Kind {
		case "current":
			q.Text = fmt.Sprintf("What does the spec say about %s?", t)
		case "as_of":
			q.Text = fmt.Sprintf("What did the spec say about %s as of %s?", t, d.Format("January 2, 2006"))
		case "changes":
			q.Text = fmt.Sprintf("What changed about %s in %s?", t, d.Format("January 2006"))
		default:
			q.Text = fmt.Sprintf("When was %s introduced and how did it change?", t)
		}
		if !asked[q.Text] {
			asked[q.Text] = true
			out = append(out, q)
		}
	}
	return out, now, nil
}

// headings returns the distinct last headings (of at most 8 words) of the
// index's current sections, in the store's order.
func headings(ctx context.Context, st Index) ([]string, error) {
	vs, err := st.Versions(ctx, livespec.VersionQuery{Validity: livespec.Current()})
	if err != nil {
		return nil, err
	}
	var topics []string
	seen := map[string]bool{}
	for _, v := range vs {
		hs := strings.Split(v.Heading, livespec.HeadingSep)
		t := strings.TrimSpace(hs[len(hs)-1])
		if n := len(strings.Fields(t)); n == 0 || n > 8 || seen[strings.ToLower(t)] || t == livespec.FrontMatterHeading {
			continue
		}
		seen[strings.ToLower(t)] = true
		topics = append(topics, t)
	}
	if len(topics) == 0 {
		return nil, errors.New("the index has no headings to ask about")
	}
	return topics, nil
}

// span returns the time of the newest repository state and the date of
// the oldest change.
func span(ctx context.Context, st Index) (newest, first time.Time, err error) {
	cs, err := st.Changes(ctx, livespec.ChangeQuery{Limit: 1})
	if err != nil || len(cs) == 0 {
		return newest, first, cmp.Or(err, errors.New("the index holds no change"))
	}
	first = cs[0].Date
	repos, err := st.Repos(ctx)
	if err != nil {
		return newest, first, err
	}
	for _, r := range repos {
		if r.Time.After(newest) {
			newest = r.Time
		}
	}
	return newest, first, nil
}

package e2e_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/e2e"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/loadmix"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/retrieval"
)

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// fixture is a small product spec with a history that exercises every
// intent: a changed requirement, a renamed heading, a moved file, a removed
// section and a top spec linking to sub-specs.
type fixture struct {
	repo                   *gittest.Repo
	store                  *sqlite.Store
	c1, c2, c3, c4, c5, c6 string
}

const (
	d1 = "2024-01-10T12:00:00Z"
	d2 = "2024-03-05T12:00:00Z"
	d3 = "2024-05-20T12:00:00Z"
	d4 = "2024-06-15T12:00:00Z"
	d5 = "2024-07-01T12:00:00Z"
	d6 = "2024-07-03T12:00:00Z"
)

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

const authV1 = `# Auth

## Token expiry

Access tokens expire after 30 minutes of inactivity. A client must then sign in again.

## Passwords

Passwords need at least 12 characters and may not repeat the last five passwords.
`

func newFixture(t testing.TB) *fixture {
	t.Helper()
	r := gittest.New(t, day(d1))
	r.Author = "Ada"
	f := &fixture{repo: r}
	f.c1 = r.Do(gittest.Step{Date: d1, Msg: "Initial specs", Write: map[string]string{
		"README.md":     "# Product\n\nThe product spec. Checkout is described in [checkout](specs/checkout.md); sign-in in [auth](specs/auth.md).\n",
		"specs/auth.md": authV1,
		"specs/checkout.md": `# Checkout

Checkout collects the cart and takes the payment. Checkout applies discounts at checkout time; see [promotions](promotions.md).

## Payment

Checkout takes card payments and bank transfers.
`,
		"specs/promotions.md": `# Promotions

## Coupon codes

A coupon code takes a percentage off the order total. Marketing issues the codes in batches for each campaign, and every code records the campaign, its owner and its expiry date. Only one coupon code applies to an order, and a discount never brings an order total below zero. Codes are case-insensitive and are trimmed of spaces before they are checked.
`,
		"specs/faq.md":             "# FAQ\n\n## Returns\n\nDiscounted items can be returned.\n",
		"specs/payments/README.md": "# Payment methods\n\nCards and bank transfers are accepted.\n",
	}})
	f.c2 = r.Do(gittest.Step{Date: d2, Msg: "Longer token lifetime; add billing", Write: map[string]string{
		"specs/auth.md":    strings.Replace(authV1, "30 minutes", "60 minutes", 1),
		"specs/billing.md": "# Billing\n\n## Invoices\n\nInvoices are sent on the first day of each month.\n",
	}})
	f.c3 = r.Do(gittest.Step{Date: d3, Msg: "Rename the token section", Write: map[string]string{
		"specs/auth.md": strings.Replace(strings.Replace(authV1, "30 minutes", "60 minutes", 1), "## Token expiry", "## Token lifetime", 1),
	}})
	f.c4 = r.Do(gittest.Step{Date: d4, Msg: "Move auth under security", Move: [][2]string{{"specs/auth.md", "specs/security/auth.md"}}, Write: map[string]string{
		"README.md": "# Product\n\nThe product spec. Checkout is described in [checkout](specs/checkout.md); sign-in in [auth](specs/security/auth.md).\n",
	}})
	v5 := strings.Replace(strings.Replace(authV1, "30 minutes", "60 minutes", 1), "## Token expiry", "## Token lifetime", 1)
	v5 = v5[:strings.Index(v5, "## Passwords")]
	f.c5 = r.Do(gittest.Step{Date: d5, Msg: "Drop password rules: sign-in moves to SSO", Write: map[string]string{"specs/security/auth.md": v5}})
	f.c6 = r.Do(gittest.Step{Date: d6, Msg: "Billing: invoices go out weekly", Write: map[string]string{
		"specs/billing.md": "# Billing\n\n## Invoices\n\nInvoices are sent every Monday.\n\n## Late fees\n\nA late fee of 2% applies to invoices unpaid after 30 days.\n",
	}})
	f.store = openIndex(t, r.Dir, nil)
	return f
}

// openIndex ingests the repository at dir as "demo" into a fresh SQLite
// index, with embedder emb when not nil.
func openIndex(t testing.TB, dir string, emb livespec.Embedder) *sqlite.Store {
	t.Helper()
	return e2e.Index(t, ingest.Options{Repo: "demo", Dir: dir, Embedder: emb})
}

const permalink = "https://git.example/{repo}/blob/{commit}/{path}#{anchor}"

func (f *fixture) assistant() *retrieval.Assistant {
	return &retrieval.Assistant{Store: f.store, Permalink: permalink, Now: func() time.Time { return day("2024-08-01T00:00:00Z") }}
}

func ask(t *testing.T, a *retrieval.Assistant, q string, now time.Time) *livespec.Answer {
	t.Helper()
	ans, err := a.Ask(context.Background(), livespec.AskRequest{Question: q, Now: now}, nil)
	if err != nil {
		t.Fatalf("Ask(%q): %v", q, err)
	}
	return ans
}

func TestAsk(t *testing.T) {
	f := newFixture(t)
	a := f.assistant()
	now := day("2024-08-01T00:00:00Z")

	t.Run("current answer cites the current version", func(t *testing.T) {
		ans := ask(t, a, "How long until access tokens expire?", now)
		if ans.Intent != livespec.IntentCurrent {
			t.Fatalf("intent = %s", ans.Intent)
		}
		if len(ans.Citations) == 0 {
			t.Fatal("no citations")
		}
		c := ans.Citations[0]
		if c.Path != "specs/security/auth.md" || c.Heading != "Auth > Token lifetime" {
			t.Errorf("top citation = %s#%s, want specs/security/auth.md#Auth > Token lifetime", c.Path, c.Heading)
		}
		if !c.Current || !c.ValidTo.IsZero() {
			t.Errorf("top citation current=%v valid_to=%v, want current and open", c.Current, c.ValidTo)
		}
		if !strings.Contains(c.Excerpt, "60 minutes") || !strings.Contains(c.Text, "60 minutes") {
			t.Errorf("excerpt %q does not quote the current text", c.Excerpt)
		}
		if c.Commit != f.c4 || !c.Date.Equal(day(d4)) || !c.ValidFrom.Equal(day(d4)) {
			t.Errorf("citation pinned to %s at %v, want the move commit %s at %s", c.Commit, c.Date, f.c4, d4)
		}
		if ans.Model.Embedder != retrieval.NoEmbedder || ans.Model.Generator != "extractive" {
			t.Errorf("model = %+v", ans.Model)
		}
		if !strings.Contains(ans.Answer, "[1]") {
			t.Errorf("answer has no [1] marker:\n%s", ans.Answer)
		}
	})

	t.Run("as_of cites the old version with its validity", func(t *testing.T) {
		ans := ask(t, a, "As of February 1, 2024, after how long did access tokens expire?", now)
		if ans.Intent != livespec.IntentAsOf || ans.AsOf.IsZero() {
			t.Fatalf("intent = %s, as_of = %v", ans.Intent, ans.AsOf)
		}
		if len(ans.Citations) == 0 {
			t.Fatal("no citations")
		}
		c := ans.Citations[0]
		if c.Path != "specs/auth.md" || c.Heading != "Auth > Token expiry" {
			t.Fatalf("top citation = %s#%s, want specs/auth.md#Auth > Token expiry", c.Path, c.Heading)
		}
		if !strings.Contains(c.Text, "30 minutes") {
			t.Errorf("cited text %q is not the February text", c.Text)
		}
		if c.Commit != f.c1 || !c.ValidFrom.Equal(day(d1)) || !c.ValidTo.Equal(day(d2)) || c.Current {
			t.Errorf("citation %s [%v, %v) current=%v, want %s [%s, %s) superseded", c.Commit, c.ValidFrom, c.ValidTo, c.Current, f.c1, d1, d2)
		}
		if !strings.Contains(ans.Answer, "superseded on 2024-03-05") {
			t.Errorf("answer does not say the text was superseded:\n%s", ans.Answer)
		}
		want := "https://git.example/demo/blob/" + f.c1 + "/specs/auth.md#token-expiry"
		if c.URL != want {
			t.Errorf("url = %s, want %s", c.URL, want)
		}
		for _, c := range ans.Citations {
			if !c.ValidFrom.Before(ans.AsOf.Time) || (!c.ValidTo.IsZero() && !ans.AsOf.Before(c.ValidTo.Time)) {
				t.Errorf("citation %s#%s [%v, %v) was not valid at %v", c.Path, c.Heading, c.ValidFrom, c.ValidTo, ans.AsOf)
			}
		}
	})

	changes := []struct {
		name, question string
		window         livespec.Window
	}{
		{"modified and added", "What changed between March 1 and March 31, 2024?", livespec.Window{From: day("2024-03-01T00:00:00Z"), To: day("2024-04-01T00:00:00Z")}},
		{"renamed file", "What changed in June 2024?", livespec.Window{From: day("2024-06-01T00:00:00Z"), To: day("2024-07-01T00:00:00Z")}},
		{"whole history", "What changed in 2024?", livespec.Window{From: day("2024-01-01T00:00:00Z"), To: day("2025-01-01T00:00:00Z")}},
	}
	for _, tc := range changes {
		t.Run("changes file set equals git's: "+tc.name, func(t *testing.T) {
			ans := ask(t, a, tc.question, now)
			if ans.Intent != livespec.IntentChanges {
				t.Fatalf("intent = %s", ans.Intent)
			}
			if ans.Window == nil || !ans.Window.From.Equal(tc.window.From) || !ans.Window.To.Equal(tc.window.To) {
				t.Fatalf("window = %+v, want %+v", ans.Window, tc.window)
			}
			got := map[string]bool{}
			for _, c := range ans.Changes {
				if !tc.window.Contains(c.Date.Time) {
					t.Errorf("change %s %s at %v is outside the window", c.Kind, c.Path, c.Date)
				}
				if c.Heading == "" {
					got[c.Path] = true
					if c.OldPath != "" {
						got[c.OldPath] = true
					}
				}
			}
			if want := f.repo.Touched(tc.window, ".md"); !slices.Equal(sortedKeys(got), want) {
				t.Errorf("files = %v, git says %v", sortedKeys(got), want)
			}
		})
	}

	t.Run("changes without a period cover the last 7 days and say so", func(t *testing.T) {
		ans := ask(t, a, "What changed?", day("2024-07-05T00:00:00Z"))
		want := livespec.Window{From: day("2024-06-28T00:00:00Z"), To: day("2024-07-05T00:00:00Z")}
		if ans.Window == nil || !ans.Window.From.Equal(want.From) || !ans.Window.To.Equal(want.To) {
			t.Fatalf("window = %+v, want %+v", ans.Window, want)
		}
		if !strings.Contains(ans.Answer, "last 7 days") {
			t.Errorf("answer does not name the default period:\n%s", ans.Answer)
		}
		var paths []string
		for _, c := range ans.Changes {
			if c.Heading == "" {
				paths = append(paths, c.Path)
			}
		}
		if !slices.Equal(paths, []string{"specs/security/auth.md", "specs/billing.md"}) {
			t.Errorf("file events = %v", paths)
		}
	})

	t.Run("changes narrowed to a topic", func(t *testing.T) {
		ans := ask(t, a, "What changed about invoices in 2024?", now)
		if len(ans.Changes) == 0 {
			t.Fatal("no changes")
		}
		for _, c := range ans.Changes {
			if c.Path != "specs/billing.md" {
				t.Errorf("change to %s#%s is not about invoices", c.Path, c.Heading)
			}
		}
	})

	t.Run("a topic's changes follow its section through a rename and a move in the period", func(t *testing.T) {
		for _, tt := range []struct{ question, path, oldPath string }{
			{"What changed about token expiry in May 2024?", "specs/auth.md", ""},
			{"What changed about token lifetime in June 2024?", "specs/security/auth.md", "specs/auth.md"},
		} {
			ans := ask(t, a, tt.question, now)
			var found bool
			for _, c := range ans.Changes {
				if c.Path != tt.path && c.OldPath != tt.path {
					t.Errorf("%s: change to %s#%s is not about the token section", tt.question, c.Path, c.Heading)
				}
				found = found || c.Path == tt.path && c.Heading == "Auth > Token lifetime" && c.OldPath == tt.oldPath && c.Kind == livespec.Renamed
			}
			if !found {
				t.Errorf("%s: no renamed Token lifetime section among %+v", tt.question, ans.Changes)
			}
		}
	})

	t.Run("a topic no change of the period is about says how many changes it passed over", func(t *testing.T) {
		ans := ask(t, a, "What changed about invoices in May 2024?", now)
		may, err := f.store.Changes(context.Background(), livespec.ChangeQuery{From: day("2024-05-01T00:00:00Z"), To: day("2024-06-01T00:00:00Z"), Sections: true})
		if err != nil {
			t.Fatal(err)
		}
		note := fmt.Sprintf("%d changes landed in the period, none of them about \"invoices\"", len(retrieval.MergeParts(may)))
		if len(ans.Changes) != 0 || len(may) == 0 || !strings.Contains(ans.Answer, note) {
			t.Errorf("changes %+v, answer:\n%s\nwant %q", ans.Changes, ans.Answer, note)
		}
	})

	t.Run("timeline finds the first mention of a renamed and moved section", func(t *testing.T) {
		ans := ask(t, a, "When was token expiry first described?", now)
		if ans.Intent != livespec.IntentTimeline {
			t.Fatalf("intent = %s", ans.Intent)
		}
		if len(ans.Changes) == 0 {
			t.Fatal("no events")
		}
		first := ans.Changes[0]
		if first.Commit != f.c1 || first.Path != "specs/auth.md" || first.Heading != "Auth > Token expiry" {
			t.Errorf("first event = %s %s#%s, want %s specs/auth.md#Auth > Token expiry", first.Commit, first.Path, first.Heading, f.c1)
		}
		commits := map[string]bool{}
		for i, c := range ans.Changes {
			commits[c.Commit] = true
			if i > 0 && c.Date.Before(ans.Changes[i-1].Date.Time) {
				t.Errorf("events not oldest first at %d", i)
			}
		}
		for _, c := range []string{f.c1, f.c2, f.c3, f.c4} {
			if !commits[c] {
				t.Errorf("timeline misses commit %s", c)
			}
		}
		if commits[f.c6] {
			t.Errorf("timeline lists the unrelated billing commit")
		}
	})

	t.Run("timeline tells a removal", func(t *testing.T) {
		ans := ask(t, a, "When were passwords first described?", now)
		if len(ans.Changes) == 0 {
			t.Fatal("no events")
		}
		if ans.Changes[0].Commit != f.c1 {
			t.Errorf("first event %s, want %s", ans.Changes[0].Commit, f.c1)
		}
		last := ans.Changes[len(ans.Changes)-1]
		if last.Kind != livespec.Removed || last.Commit != f.c5 {
			t.Errorf("last event = %s in %s, want removed in %s", last.Kind, last.Commit, f.c5)
		}
	})
}

func TestAskLinkExpansion(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	q := "How does checkout handle discounts?"
	// The fixture must keep the linked sub-spec out of a plain search's top two.
	hits, err := f.store.Search(ctx, livespec.SearchQuery{Text: q, Validity: livespec.Current(), Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Version.Path == "specs/promotions.md" {
			t.Fatalf("fixture: promotions.md is already in the plain top two; the test would not exercise link expansion")
		}
	}
	a := f.assistant()
	a.Sources = 2
	ans := ask(t, a, q, day("2024-08-01T00:00:00Z"))
	var got []string
	for _, c := range ans.Citations {
		got = append(got, c.Path)
	}
	if !slices.Equal(got, []string{"specs/checkout.md", "specs/promotions.md"}) {
		t.Errorf("citations = %v, want the top spec and the sub-spec it links to", got)
	}
}

func TestAskInvalid(t *testing.T) {
	f := newFixture(t)
	a := f.assistant()
	tests := []struct {
		name, question string
	}{
		{"empty", ""},
		{"blank", "  \n\t "},
		{"too long", strings.Repeat("why ", 501)},
		{"not utf-8", "what about \xff?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.Ask(context.Background(), livespec.AskRequest{Question: tc.question}, nil)
			if livespec.ErrorCode(err) != livespec.EINVALID {
				t.Errorf("Ask(%q) error = %v, want EINVALID", tc.question, err)
			}
		})
	}
	t.Run("unknown repo", func(t *testing.T) {
		_, err := a.Ask(context.Background(), livespec.AskRequest{Question: "What changed?", Repos: []string{"nope"}}, nil)
		if livespec.ErrorCode(err) != livespec.ENOTFOUND {
			t.Errorf("error = %v, want ENOTFOUND", err)
		}
	})
}

// brokenStore is a store whose reads fail, as when the index is unreachable.
type brokenStore struct{ *sqlite.Store }

func (brokenStore) Search(context.Context, livespec.SearchQuery) ([]livespec.Hit, error) {
	return nil, errors.New("connection refused")
}

func (brokenStore) Changes(context.Context, livespec.ChangeQuery) ([]livespec.Change, error) {
	return nil, errors.New("connection refused")
}

func TestAskStoreDown(t *testing.T) {
	f := newFixture(t)
	a := &retrieval.Assistant{Store: brokenStore{f.store}}
	for _, q := range []string{"How long until tokens expire?", "What changed in 2024?", "When was token expiry first described?"} {
		_, err := a.Ask(context.Background(), livespec.AskRequest{Question: q}, nil)
		if livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
			t.Errorf("Ask(%q) error = %v (%s), want EUNAVAILABLE", q, err, livespec.ErrorCode(err))
		}
	}
}

// failingGenerator stands for a model server that cannot be reached.
type failingGenerator struct{ streamFirst bool }

func (failingGenerator) Name() string { return "ollama/test" }

func (g failingGenerator) Generate(ctx context.Context, ev *livespec.Evidence, onToken func(string) error) (string, error) {
	if g.streamFirst && onToken != nil {
		if err := onToken("Partial"); err != nil {
			return "", err
		}
	}
	return "", livespec.Errorf(livespec.EUNAVAILABLE, "model server down")
}

func TestAskGenerator(t *testing.T) {
	f := newFixture(t)
	t.Run("falls back to extractive when the model is down", func(t *testing.T) {
		var log strings.Builder
		a := &retrieval.Assistant{Store: f.store, Generator: failingGenerator{}, Logger: slog.New(slog.NewTextHandler(&log, nil))}
		var streamed strings.Builder
		ans, err := a.Ask(context.Background(), livespec.AskRequest{Question: "How long until access tokens expire?"}, func(s string) error {
			streamed.WriteString(s)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Model.Generator != "extractive" {
			t.Errorf("generator = %s, want extractive", ans.Model.Generator)
		}
		if !strings.Contains(ans.Answer, "ollama/test") || !strings.Contains(ans.Answer, "60 minutes") {
			t.Errorf("answer does not note the fallback or lacks the evidence:\n%s", ans.Answer)
		}
		if streamed.String() != ans.Answer {
			t.Errorf("streamed %q, answer %q", streamed.String(), ans.Answer)
		}
		if !strings.Contains(log.String(), "model server down") {
			t.Errorf("the fallback is not logged with its cause:\n%s", log.String())
		}
	})
	t.Run("a failure mid-stream is an error", func(t *testing.T) {
		a := &retrieval.Assistant{Store: f.store, Generator: failingGenerator{streamFirst: true}}
		_, err := a.Ask(context.Background(), livespec.AskRequest{Question: "How long until access tokens expire?"}, func(string) error { return nil })
		if livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
			t.Errorf("error = %v, want EUNAVAILABLE", err)
		}
	})
	t.Run("the token sink's error stops the answer", func(t *testing.T) {
		a := &retrieval.Assistant{Store: f.store}
		stop := errors.New("client went away")
		_, err := a.Ask(context.Background(), livespec.AskRequest{Question: "How long until access tokens expire?"}, func(string) error { return stop })
		if !errors.Is(err, stop) {
			t.Errorf("error = %v, want the sink's error", err)
		}
	})
}

func TestAskFollowUp(t *testing.T) {
	f := newFixture(t)
	a := f.assistant()
	now := day("2024-08-01T00:00:00Z")
	first := ask(t, a, "How long until access tokens expire?", now)
	history := []livespec.Turn{{Question: first.Question, Answer: first}}
	follow := func(t *testing.T, q string) *livespec.Answer {
		t.Helper()
		ans, err := a.Ask(context.Background(), livespec.AskRequest{Question: q, Now: now, History: history}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return ans
	}
	t.Run("timeline of the earlier topic", func(t *testing.T) {
		ans := follow(t, "When was that first described?")
		if len(ans.Changes) == 0 || ans.Changes[0].Commit != f.c1 || !strings.Contains(ans.Changes[0].Heading, "Token") {
			t.Errorf("follow-up did not carry the topic over: %+v", ans.Changes)
		}
	})
	t.Run("as of a date, same topic", func(t *testing.T) {
		ans := follow(t, "And as of February 1, 2024?")
		if ans.Intent != livespec.IntentAsOf || len(ans.Citations) == 0 || !strings.Contains(ans.Citations[0].Text, "30 minutes") {
			t.Errorf("follow-up as_of = %s, citations %+v", ans.Intent, ans.Citations)
		}
	})
}

func ExampleAssistant_Ask() {
	ctx := context.Background()
	// A repository with two versions of one spec.
	dir, _ := os.MkdirTemp("", "livespec-example")
	defer os.RemoveAll(dir)
	git := func(date string, args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_COMMITTER_NAME=Ada",
			"GIT_COMMITTER_EMAIL=ada@example.com", "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Println(err, string(out))
		}
	}
	git("", "init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(dir, "spec.md"), []byte("# Sessions\n\nSessions expire after 30 minutes.\n"), 0o644)
	git("", "add", "spec.md")
	git("2024-01-10T12:00:00Z", "commit", "-q", "-m", "Add sessions")
	os.WriteFile(filepath.Join(dir, "spec.md"), []byte("# Sessions\n\nSessions expire after 60 minutes.\n"), 0o644)
	git("2024-03-05T12:00:00Z", "commit", "-q", "-am", "Longer sessions")

	// Index its history, then ask what it said on 1 February.
	idx, _ := os.MkdirTemp("", "livespec-index")
	defer os.RemoveAll(idx)
	st, err := sqlite.Open(ctx, filepath.Join(idx, "index.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	if _, err := ingest.Run(ctx, st, ingest.Options{Repo: "demo", Dir: dir}); err != nil {
		fmt.Println(err)
		return
	}
	a := &retrieval.Assistant{Store: st}
	ans, err := a.Ask(ctx, livespec.AskRequest{
		Question: "As of February 1, 2024, when did sessions expire?",
		Now:      time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC),
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := ans.Citations[0]
	fmt.Println(ans.Intent, c.Path, c.Heading)
	fmt.Println(c.Excerpt)
	fmt.Println("valid", c.ValidFrom.Format("2006-01-02"), "to", c.ValidTo.Format("2006-01-02"), "current:", c.Current)
	// Output:
	// as_of spec.md Sessions
	// Sessions expire after 30 minutes.
	// valid 2024-01-10 to 2024-03-05 current: false
}

// benchIndex returns the index the Ask benchmark reads: the SQLite file
// named by LIVESPEC_BENCH_INDEX, or else a fresh index of the Kubernetes
// KEPs bundle (slow: cloned and ingested first). It skips without either.
func benchIndex(b *testing.B) *sqlite.Store {
	b.Helper()
	ctx := context.Background()
	if p := os.Getenv("LIVESPEC_BENCH_INDEX"); p != "" {
		// Open would make an empty index of a path that names nothing.
		if _, err := os.Stat(p); err != nil {
			b.Fatalf("LIVESPEC_BENCH_INDEX: %v (a relative path is relative to the package directory)", err)
		}
		st, err := sqlite.Open(ctx, p)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	}
	bundle := filepath.Join("..", "..", "..", "shared", "corpora", "kubernetes-enhancements.bundle")
	if _, err := os.Stat(bundle); err != nil {
		b.Skip("corpus absent: set LIVESPEC_BENCH_INDEX or provide ../shared/corpora (beside the repository)/kubernetes-enhancements.bundle")
	}
	return openIndex(b, gittest.Clone(b, bundle).Dir, nil)
}

// BenchmarkAsk measures current, as-of, first-appearance, evolution and
// topic change answers with the extractive generator over the Kubernetes
// KEPs index, reporting p50 and p99 latency.
func BenchmarkAsk(b *testing.B) {
	st := benchIndex(b)
	// Every answer computed afresh: the answer cache would serve the
	// repeated questions from memory (BenchmarkAskFresh measures both).
	a := &retrieval.Assistant{Store: st, AnswerCache: -1}
	if err := a.Warm(context.Background()); err != nil { // as a server does at start
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	sets := benchQuestions
	for _, name := range []string{"current", "as_of", "introduced", "evolution", "changes_topic"} {
		qs := sets[name]
		b.Run(name, func(b *testing.B) {
			askTimed(b, a, qs, now)
		})
	}
}

// BenchmarkAskMix asks the questions of bench/serveload in process, one
// at a time and each once (loadmix.Questions: current, as-of, topic
// change and timeline questions about distinct headings of the KEPs
// index), with no answer cache. Unlike BenchmarkAsk, whose few questions
// come back and find their texts analysed, most answers here work on
// texts no earlier question touched, as a busy server's do. It reports
// CPU time per answer and the p50 and p99 latency of each kind.
func BenchmarkAskMix(b *testing.B) {
	st := benchIndex(b)
	ctx := context.Background()
	qs, now, err := loadmix.Questions(ctx, st, 3000, loadmix.Clock)
	if err != nil {
		b.Fatal(err)
	}
	byKind := map[string][]string{}
	for _, q := range qs {
		byKind[q.Kind] = append(byKind[q.Kind], q.Text)
	}
	a := &retrieval.Assistant{Store: st, AnswerCache: -1}
	if err := a.Warm(ctx); err != nil { // as a server does at start
		b.Fatal(err)
	}
	for _, kind := range loadmix.Kinds {
		b.Run(kind, func(b *testing.B) {
			askTimed(b, a, byKind[kind], now)
		})
	}
}

// askTimed asks qs in turn, one per iteration, and reports the CPU time
// per answer (which a busy machine's queue does not inflate) and the p50
// and p99 latency. With LIVESPEC_BENCH_SLOWEST=N it also logs the N
// questions that took the most CPU time (see logSlowest).
func askTimed(b *testing.B, a *retrieval.Assistant, qs []string, now time.Time) {
	ctx := context.Background()
	var lat []time.Duration
	var spent []askCost
	cpu := processCPU()
	for i := 0; b.Loop(); i++ {
		start, c0 := time.Now(), processCPU()
		if _, err := a.Ask(ctx, livespec.AskRequest{Question: qs[i%len(qs)], Now: now}, nil); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		spent = append(spent, askCost{qs[i%len(qs)], processCPU() - c0})
	}
	b.ReportMetric(float64((processCPU()-cpu).Microseconds())/1000/float64(len(lat)), "cpu-ms/op")
	logSlowest(b, spent)
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(scannedHeap())/(1<<20), "scan-MiB")
}

// scannedHeap returns the bytes of heap that a collection scans (those
// of objects holding pointers) after a collection run now: what the
// process keeps (its caches) costs each later collection that much work.
func scannedHeap() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/scan/heap:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// askCost is the CPU time one answer took.
type askCost struct {
	question string
	cpu      time.Duration
}

// logSlowest logs the LIVESPEC_BENCH_SLOWEST costliest of spent, costliest
// first, with their CPU milliseconds: where a kind's tail starts looking.
func logSlowest(b *testing.B, spent []askCost) {
	n, _ := strconv.Atoi(os.Getenv("LIVESPEC_BENCH_SLOWEST"))
	if n <= 0 {
		return
	}
	slices.SortFunc(spent, func(x, y askCost) int { return cmp.Compare(y.cpu, x.cpu) })
	for _, s := range spent[:min(n, len(spent))] {
		b.Logf("%7.2f cpu-ms  %s", float64(s.cpu.Microseconds())/1000, s.question)
	}
}

// processCPU returns the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// wordsEmbedder is a deterministic embedder for tests: a bag of hashed
// words, normalised. It fails every query when broken is set.
type wordsEmbedder struct{ broken bool }

func (wordsEmbedder) ID() string      { return "test/words@64" }
func (wordsEmbedder) Dimensions() int { return 64 }

func (e wordsEmbedder) EmbedDocuments(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = e.vector(t)
	}
	return out, nil
}

func (e wordsEmbedder) EmbedQuery(_ context.Context, text string) ([]float32, error) {
	if e.broken {
		return nil, livespec.Errorf(livespec.EUNAVAILABLE, "embedding server down")
	}
	return e.vector(text), nil
}

func (wordsEmbedder) vector(text string) []float32 {
	v := make([]float32, 64)
	for _, w := range strings.Fields(strings.ToLower(text)) {
		h := 0
		for _, r := range strings.Trim(w, ".,?!:;()[]#") {
			h = h*31 + int(r)
		}
		v[(h%64+64)%64]++
	}
	var n float32
	for _, x := range v {
		n += x * x
	}
	if n > 0 {
		for i := range v {
			v[i] /= float32(math.Sqrt(float64(n)))
		}
	}
	return v
}

func TestAskWithEmbedder(t *testing.T) {
	r := gittest.New(t, day(d1))
	r.Do(gittest.Step{Date: d1, Msg: "Sessions", Write: map[string]string{
		"spec.md": "# Sessions\n\nSessions expire after 30 minutes.\n\n# Exports\n\nReports export to CSV.\n",
	}})
	ctx := context.Background()
	st := openIndex(t, r.Dir, wordsEmbedder{})
	tests := []struct {
		name         string
		embedder     wordsEmbedder
		wantEmbedder string
		wantNote     bool
	}{
		{"hybrid search", wordsEmbedder{}, "test/words@64", false},
		{"embedder down: BM25 and a note", wordsEmbedder{broken: true}, retrieval.NoEmbedder, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var log strings.Builder
			a := &retrieval.Assistant{Store: st, Embedder: tc.embedder, Logger: slog.New(slog.NewTextHandler(&log, nil))}
			ans, err := a.Ask(ctx, livespec.AskRequest{Question: "When do sessions expire?"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(log.String(), "embedding server down"); got != tc.wantNote {
				t.Errorf("the log names the embedder's failure: %v, want %v:\n%s", got, tc.wantNote, log.String())
			}
			if ans.Model.Embedder != tc.wantEmbedder {
				t.Errorf("model embedder = %q, want %q", ans.Model.Embedder, tc.wantEmbedder)
			}
			if len(ans.Citations) == 0 || ans.Citations[0].Heading != "Sessions" {
				t.Errorf("citations = %+v, want Sessions first", ans.Citations)
			}
			if got := strings.Contains(ans.Answer, "keyword (BM25) search only"); got != tc.wantNote {
				t.Errorf("fallback note present = %v, want %v:\n%s", got, tc.wantNote, ans.Answer)
			}
		})
	}
}

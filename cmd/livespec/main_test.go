package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
)

// livespecRun runs the program as main would, with env as its environment,
// and returns stdout, stderr and the error.
func livespecRun(t testing.TB, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err := run(context.Background(), args, getenv, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

// specRepo builds a small spec history:
//
//	2025-01-06 add spec/README.md (links auth.md) and spec/auth.md (24 hours)
//	2025-04-10 auth: tokens now expire after 1 hour
//	2025-05-02 add spec/billing.md
//	2025-05-20 rename billing.md → payments.md
//	2025-06-03 a commit that touches no spec file
//	2025-08-01 remove spec/legacy.md (added on 2025-01-06 too)
func specRepo(t testing.TB) *gittest.Repo {
	r := gittest.New(t, time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC))
	r.Write("spec/README.md", "# Product\n\nThe product spec. Authentication is described in [auth](auth.md).\n")
	r.Write("spec/auth.md", "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 24 hours.\n\n## Login\n\nUsers log in with email and password.\n")
	r.Write("spec/legacy.md", "# Legacy\n\nThe old XML export.\n")
	r.Write("main.go", "package main\n")
	r.Commit("Initial spec")
	r.When = time.Date(2025, 4, 10, 12, 0, 0, 0, time.UTC)
	r.Write("spec/auth.md", "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 1 hour; refresh tokens after 30 days.\n\n## Login\n\nUsers log in with email and password.\n")
	r.Commit("Shorter token lifetime")
	r.When = time.Date(2025, 5, 2, 12, 0, 0, 0, time.UTC)
	r.Write("spec/billing.md", "# Billing\n\n## Invoices\n\nInvoices are sent monthly by email to the account owner.\n")
	r.Commit("Add billing")
	r.When = time.Date(2025, 5, 20, 12, 0, 0, 0, time.UTC)
	r.Move("spec/billing.md", "spec/payments.md")
	r.Commit("Rename billing to payments")
	r.When = time.Date(2025, 6, 3, 12, 0, 0, 0, time.UTC)
	r.Write("main.go", "package main\n\nfunc main() {}\n")
	r.Commit("Code only")
	r.When = time.Date(2025, 8, 1, 12, 0, 0, 0, time.UTC)
	r.Remove("spec/legacy.md")
	r.Commit("Drop legacy export")
	return r
}

// changedFiles is the file set of a change list: every path and old path.
func changedFiles(chs []livespec.AnswerChange) []string {
	set := map[string]bool{}
	for _, c := range chs {
		set[c.Path] = true
		if c.OldPath != "" {
			set[c.OldPath] = true
		}
	}
	files := make([]string, 0, len(set))
	for p := range set {
		files = append(files, p)
	}
	sort.Strings(files)
	return files
}

// q2 is the second quarter of 2025, the window the change tests read.
var q2 = livespec.Window{From: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)}

func TestIngestChangesAsk(t *testing.T) {
	r := specRepo(t)
	index := t.TempDir()
	env := map[string]string{"HOME": t.TempDir()}

	out, _, err := livespecRun(t, env, "ingest", "--repo", r.Dir, "--index", index)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	name := filepath.Base(r.Dir)
	if !strings.HasPrefix(out, name+": 6 commits, ") || !strings.Contains(out, "distinct texts") {
		t.Errorf("ingest summary = %q", out)
	}
	out, _, err = livespecRun(t, env, "ingest", "--repo", r.Dir, "--index", index)
	if err != nil || !strings.Contains(out, "up to date") {
		t.Errorf("second ingest = %q, %v; want up to date", out, err)
	}

	t.Run("changes json equals git", func(t *testing.T) {
		out, _, err := livespecRun(t, env, "changes", "--index", index, "--since", "2025-04-01", "--until", "2025-06-30", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			From, To string
			Changes  []livespec.AnswerChange
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if got.From != "2025-04-01T00:00:00Z" || got.To != "2025-07-01T00:00:00Z" {
			t.Errorf("window = %s..%s", got.From, got.To)
		}
		files, want := changedFiles(got.Changes), r.Touched(q2, ".md")
		if !slices.Equal(files, want) {
			t.Errorf("files = %v, git says %v", files, want)
		}
		var renamed bool
		for _, c := range got.Changes {
			if c.Heading == "" && c.Kind == livespec.Renamed && c.Path == "spec/payments.md" && c.OldPath == "spec/billing.md" {
				renamed = true
			}
		}
		if !renamed {
			t.Errorf("no file-level rename billing.md → payments.md in %+v", got.Changes)
		}
	})

	t.Run("changes text report", func(t *testing.T) {
		out, _, err := livespecRun(t, env, "changes", "--repo", r.Dir, "--index", index, "--since", "2025-08-01", "--until", "2025-08-01")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"1 file change to 1 file in 1 commit", "spec/legacy.md", "removed", "Drop legacy export"} {
			if !strings.Contains(out, want) {
				t.Errorf("report lacks %q:\n%s", want, out)
			}
		}
	})

	ask := func(t *testing.T, now, q string) *livespec.Answer {
		t.Helper()
		out, _, err := livespecRun(t, env, "ask", "--index", index, "--now", now, "--json", q)
		if err != nil {
			t.Fatalf("ask %q: %v", q, err)
		}
		var a livespec.Answer
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return &a
	}

	t.Run("ask current", func(t *testing.T) {
		a := ask(t, "2025-09-01", "How long do access tokens last before they expire?")
		if a.Intent != livespec.IntentCurrent || len(a.Citations) == 0 {
			t.Fatalf("answer = %+v", a)
		}
		c := a.Citations[0]
		if c.Path != "spec/auth.md" || c.Heading != "Authentication > Token expiry" || !c.Current || !strings.Contains(c.Excerpt, "1 hour") {
			t.Errorf("top citation = %+v", c)
		}
		if len(c.Commit) != 40 || c.ValidTo.Time != (time.Time{}) {
			t.Errorf("citation not pinned to the current version: %+v", c)
		}
	})

	t.Run("ask as of", func(t *testing.T) {
		a := ask(t, "2025-09-01", "As of March 1, 2025, how long did access tokens last before they expired?")
		if a.Intent != livespec.IntentAsOf || a.AsOf.IsZero() || len(a.Citations) == 0 {
			t.Fatalf("answer = %+v", a)
		}
		c := a.Citations[0]
		if c.Path != "spec/auth.md" || c.Current || !strings.Contains(c.Excerpt, "24 hours") {
			t.Errorf("top citation = %+v", c)
		}
		if !c.ValidTo.Equal(time.Date(2025, 4, 10, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("superseded at %v, want 2025-04-10T12:00Z", c.ValidTo)
		}
	})

	t.Run("ask changes", func(t *testing.T) {
		a := ask(t, "2025-07-15", "What changed last quarter?")
		if a.Intent != livespec.IntentChanges || a.Window == nil {
			t.Fatalf("answer = %+v", a)
		}
		if !a.Window.From.Equal(time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)) || !a.Window.To.Equal(time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("window = %+v", a.Window)
		}
		paths := map[string]bool{}
		for _, c := range a.Changes {
			paths[c.Path] = true
		}
		for _, p := range []string{"spec/auth.md", "spec/billing.md", "spec/payments.md"} {
			if !paths[p] {
				t.Errorf("changes lack %s: %+v", p, a.Changes)
			}
		}
	})

	t.Run("ask text output lists sources", func(t *testing.T) {
		out, _, err := livespecRun(t, env, "ask", "--index", index, "--now", "2025-09-01", "How long do access tokens last?")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"[1]", "Sources:", "spec/auth.md › Authentication > Token expiry", "Search: keywords (BM25). Answer: quoted from the spec, no model."} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
}

func TestAskRepoIngestsFirst(t *testing.T) {
	r := specRepo(t)
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	out, _, err := livespecRun(t, env, "ask", "--repo", r.Dir, "--now", "2025-08-15", "--json", "what changed this month?")
	if err != nil {
		t.Fatal(err)
	}
	var a livespec.Answer
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if a.Intent != livespec.IntentChanges || len(a.Changes) == 0 || a.Changes[0].Path != "spec/legacy.md" {
		t.Errorf("answer = %+v", a)
	}
	// The default index lives under the cache directory, keyed by the repo.
	if m, _ := filepath.Glob(filepath.Join(env["XDG_CACHE_HOME"], "livespec", "*", "livespec.db")); len(m) != 1 {
		t.Errorf("default index files = %v", m)
	}
}

func TestErrors(t *testing.T) {
	notGit := t.TempDir()
	empty := t.TempDir()
	tests := []struct {
		name string
		args []string
		code string
		msg  string
	}{
		{"no command", nil, livespec.EINVALID, "no command"},
		{"unknown command", []string{"frobnicate"}, livespec.EINVALID, "unknown command"},
		{"ingest without repo", []string{"ingest"}, livespec.EINVALID, "--repo DIR is required"},
		{"ingest not a repo", []string{"ingest", "--repo", notGit, "--index", empty}, livespec.EINVALID, "not in a git repository"},
		{"ingest missing dir", []string{"ingest", "--repo", filepath.Join(notGit, "nope")}, livespec.ENOTFOUND, "no such directory"},
		{"bad flag", []string{"ingest", "--frob"}, livespec.EINVALID, "unknown flag: --frob"},
		{"bad size", []string{"ingest", "--repo", ".", "--max-file-size", "big"}, livespec.EINVALID, "--max-file-size"},
		{"changes without since", []string{"changes", "--index", empty}, livespec.EINVALID, "--since DATE is required"},
		{"changes bad date", []string{"changes", "--index", empty, "--since", "someday"}, livespec.EINVALID, "--since"},
		{"changes reversed", []string{"changes", "--index", empty, "--since", "2025-02-01", "--until", "2025-01-01"}, livespec.EINVALID, "before --since"},
		{"changes empty index", []string{"changes", "--index", empty, "--since", "2025-01-01"}, livespec.ENOTFOUND, "livespec ingest"},
		{"ask no question", []string{"ask", "--index", empty}, livespec.EINVALID, "no question"},
		{"ask bad now", []string{"ask", "--index", empty, "--now", "whenever", "q"}, livespec.EINVALID, "--now"},
		{"qdrant unreachable", []string{"changes", "--store", "qdrant://127.0.0.1:1", "--since", "2025-01-01"}, livespec.EUNAVAILABLE, "qdrant: cannot reach 127.0.0.1:1"},
		{"qdrant bad shards", []string{"changes", "--store", "qdrant://127.0.0.1:1", "--qdrant-shards", "many", "--since", "2025-01-01"}, livespec.EINVALID, "--qdrant-shards"},
		{"unknown store", []string{"changes", "--store", "mongo://x", "--index", empty, "--since", "2025-01-01"}, livespec.EINVALID, "unknown store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := livespecRun(t, map[string]string{"HOME": t.TempDir()}, tt.args...)
			if err == nil {
				t.Fatal("no error")
			}
			if got := livespec.ErrorCode(err); got != tt.code {
				t.Errorf("code = %s, want %s (%v)", got, tt.code, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q lacks %q", err, tt.msg)
			}
		})
	}
}

func TestEnvironmentDefaults(t *testing.T) {
	r := specRepo(t)
	index := t.TempDir()
	env := map[string]string{"LIVESPEC_INDEX": index, "LIVESPEC_REPO": r.Dir, "LIVESPEC_INCLUDE": "spec/auth.md"}
	out, _, err := livespecRun(t, env, "ingest")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "6 commits") {
		t.Errorf("summary = %q", out)
	}
	out, _, err = livespecRun(t, env, "changes", "--since", "2025-01-01", "--json", "--sections=false")
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Changes []livespec.AnswerChange }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	// Only spec/auth.md is included: added, then modified.
	if len(got.Changes) != 2 || got.Changes[0].Path != "spec/auth.md" || got.Changes[1].Kind != livespec.Modified {
		t.Errorf("changes = %+v", got.Changes)
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{livespec.Errorf(livespec.EINVALID, "x"), 2},
		{livespec.Errorf(livespec.ENOTFOUND, "x"), 3},
		{livespec.Errorf(livespec.EUNAVAILABLE, "x"), 4},
		{context.Canceled, 130},
		{exec.ErrNotFound, 1},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err, &bytes.Buffer{}); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestUnreachableOllamaFallsBack(t *testing.T) {
	r := specRepo(t)
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir(), "LIVESPEC_OLLAMA_URL": "http://127.0.0.1:1"}
	out, stderr, err := livespecRun(t, env, "ask", "--repo", r.Dir, "--json", "How long do access tokens last?")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "not reachable") || !strings.Contains(stderr, "using BM25 search and extractive answers") || strings.Count(stderr, "\n") > 3 {
		t.Errorf("stderr = %q, want a one-line fallback notice", stderr)
	}
	var a livespec.Answer
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatal(err)
	}
	if a.Model.Generator != "extractive" || a.Model.Embedder != "none (BM25 only)" || len(a.Citations) == 0 {
		t.Errorf("answer model = %+v, citations %d", a.Model, len(a.Citations))
	}
}

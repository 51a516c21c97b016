package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/sqlite"
)

// TestAskReusesTheIngestSettings ingests with custom globs, then asks with
// --repo and no globs: the index is kept as ingest built it (no rebuild,
// same file set); a command that names other globs rebuilds and says
// what changed.
func TestAskReusesTheIngestSettings(t *testing.T) {
	r := gittest.New(t, time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC))
	for _, f := range []string{"docs/auth.md", "notes/scratch.md", "docs/testdata/fixture.md"} {
		r.Write(f, "# "+f+"\n\nTokens last one hour in "+f+".\n")
	}
	r.Commit("Add files")
	index := t.TempDir()
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	if _, _, err := livespecRun(t, env, "ingest", "--repo", r.Dir, "--index", index, "--include", "docs/**/*.md", "--exclude", "none"); err != nil {
		t.Fatal(err)
	}
	settings := func() (ingest.Settings, string) {
		t.Helper()
		st, err := sqlite.Open(context.Background(), filepath.Join(index, "livespec.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		cp, err := st.Checkpoint(context.Background(), repoName(r.Dir))
		if err != nil {
			t.Fatal(err)
		}
		s, ok := ingest.StoredSettings(cp)
		if !ok {
			t.Fatalf("checkpoint config %q records no settings", cp.Config)
		}
		return s, cp.UpdatedAt.String()
	}
	want, built := settings()
	if strings.Join(want.Include, ",") != "docs/**/*.md" || len(want.Exclude) != 0 {
		t.Fatalf("stored settings %+v, want include docs/**/*.md and no exclude", want)
	}

	_, stderr, err := livespecRun(t, env, "ask", "--repo", r.Dir, "--index", index, "how long do tokens last?")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr, "settings changed") {
		t.Fatalf("ask --repo without globs rebuilt the index:\n%s", stderr)
	}
	if got, at := settings(); got.Diff(want) != "" || at != built {
		t.Fatalf("after ask --repo: settings %+v (written %s), want %+v unchanged (written %s)", got, at, want, built)
	}

	_, stderr, err = livespecRun(t, env, "ask", "--repo", r.Dir, "--index", index, "--include", "**/*.md", "how long do tokens last?")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "settings changed since the last ingest of "+repoName(r.Dir)+" (include docs/**/*.md → **/*.md; exclude (none) → **/testdata/**,**/vendor/**,**/node_modules/**): rebuilding it") {
		t.Fatalf("ask with other globs does not say what changed:\n%s", stderr)
	}
}

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/sqlite"
)

// TestReadOnlyCommandsCreateNoIndex runs every command that only reads an
// index against an empty directory: each fails with not_found naming the
// path it looked at and the ingest command that fills it, and leaves no
// file behind, neither there nor in the cache.
func TestReadOnlyCommandsCreateNoIndex(t *testing.T) {
	questions := filepath.Join(t.TempDir(), "q.jsonl")
	if err := os.WriteFile(questions, []byte(`{"id":"c1","kind":"current","question":"How long do tokens last?","gold_paths":["spec/auth.md"]}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
	}{
		{"ask", []string{"ask", "--index", "INDEX", "how long do tokens last?"}},
		{"changes", []string{"changes", "--index", "INDEX", "--since", "2025-01-01"}},
		{"digest", []string{"digest", "--index", "INDEX", "--since", "2025-01-01"}},
		{"eval", []string{"eval", questions, "--index", "INDEX"}},
		{"serve", []string{"serve", "--addr", "127.0.0.1:0", "--index", "INDEX"}},
		{"feedback export", []string{"feedback", "export", "--index", "INDEX"}},
		{"index file named", []string{"changes", "--index", "INDEX/team.db", "--since", "2025-01-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			index, cache := t.TempDir(), t.TempDir()
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "INDEX", index)
			}
			_, _, err := livespecRun(t, map[string]string{"XDG_CACHE_HOME": cache}, args...)
			if livespec.ErrorCode(err) != livespec.ENOTFOUND {
				t.Fatalf("err = %v, want not_found", err)
			}
			if !strings.Contains(err.Error(), index) || !strings.Contains(err.Error(), "livespec ingest --repo DIR --index "+index) {
				t.Errorf("error %q does not name the index path and the command filling it", err)
			}
			for _, dir := range []string{index, cache} {
				if ents, _ := os.ReadDir(dir); len(ents) > 0 {
					t.Errorf("%s now holds %v", dir, ents)
				}
			}
		})
	}
}

// TestEmptyIndexNamesPath checks an index file that exists but holds no
// repository, and a repository name the index does not hold.
func TestEmptyIndexNamesPath(t *testing.T) {
	index := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(index, "livespec.db"))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, _, err = livespecRun(t, nil, "ask", "--index", index, "what changed?")
	if livespec.ErrorCode(err) != livespec.ENOTFOUND || !strings.Contains(err.Error(), "the index at "+filepath.Join(index, "livespec.db")+" is empty: run `livespec ingest --repo DIR --index "+index+"` first") {
		t.Errorf("empty index: %v", err)
	}

	r := specRepo(t)
	if _, _, err := livespecRun(t, nil, "ingest", "--repo", r.Dir, "--index", index); err != nil {
		t.Fatal(err)
	}
	_, _, err = livespecRun(t, nil, "changes", "--index", index, "--since", "2025-01-01", "--repo", "other")
	if livespec.ErrorCode(err) != livespec.ENOTFOUND || !strings.Contains(err.Error(), `repository "other" is not in the index (it has: `+filepath.Base(r.Dir)+")") {
		t.Errorf("unknown repository: %v", err)
	}
}

// TestAskInsideRepositoryUsesItsIndex runs ask without --index or --repo
// from a subdirectory of a repository: before ingest it names the default
// index and the command that fills it, creating nothing; after
// `livespec ingest --repo .` it answers from that same index.
func TestAskInsideRepositoryUsesItsIndex(t *testing.T) {
	r := specRepo(t)
	cache := t.TempDir()
	env := map[string]string{"XDG_CACHE_HOME": cache}
	t.Chdir(filepath.Join(r.Dir, "spec"))
	root, err := repoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = livespecRun(t, env, "ask", "--now", "2025-09-01", "how long do access tokens last?")
	if livespec.ErrorCode(err) != livespec.ENOTFOUND || !strings.Contains(err.Error(), filepath.Join(cache, "livespec")) ||
		!strings.Contains(err.Error(), "livespec ingest --repo "+root) {
		t.Fatalf("before ingest: %v, want not_found naming the default index and `livespec ingest --repo %s`", err, root)
	}
	if ents, _ := os.ReadDir(cache); len(ents) > 0 {
		t.Fatalf("ask created %v in the cache", ents)
	}
	if _, _, err := livespecRun(t, env, "ingest", "--repo", ".."); err != nil {
		t.Fatal(err)
	}
	out, _, err := livespecRun(t, env, "ask", "--now", "2025-09-01", "how long do access tokens last?")
	if err != nil || !strings.Contains(out, "spec/auth.md") {
		t.Errorf("after ingest: %v\n%s", err, out)
	}
	if m, _ := filepath.Glob(filepath.Join(cache, "livespec", "*", "livespec.db")); len(m) != 1 {
		t.Errorf("default indexes = %v, want one", m)
	}
}

package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
)

// TestDefaultExcludes checks that test fixtures and vendored trees are not
// spec by default, that --exclude and LIVESPEC_EXCLUDE replace the
// defaults (none: leave out nothing), and that a change of excludes
// rebuilds the index to exactly the new file set.
func TestDefaultExcludes(t *testing.T) {
	r := gittest.New(t, time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC))
	files := []string{"spec/auth.md", "spec/testdata/fixture.md", "testdata/top.md", "vendor/lib/README.md",
		"web/node_modules/pkg/README.md", "docs/vendoring.md"}
	for _, f := range files {
		r.Write(f, "# "+f+"\n\nSome text about "+f+".\n")
	}
	r.Commit("Add files")
	index := t.TempDir()
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	specFiles := func(t *testing.T) []string {
		t.Helper()
		out, _, err := livespecRun(t, env, "changes", "--index", index, "--since", "2025-01-01", "--json", "--sections=false")
		if err != nil {
			t.Fatal(err)
		}
		var got struct{ Changes []livespec.AnswerChange }
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, c := range got.Changes {
			paths = append(paths, c.Path)
		}
		slices.Sort(paths)
		return paths
	}
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		want   []string
		warned bool // the settings changed since the previous run
	}{
		{"defaults", nil, nil, []string{"docs/vendoring.md", "spec/auth.md"}, false},
		{"exclude none", nil, []string{"--exclude", "none"}, slices.Sorted(slices.Values(files)), true},
		{"flag replaces defaults", nil, []string{"--exclude", "docs/**"}, []string{"spec/auth.md", "spec/testdata/fixture.md", "testdata/top.md", "vendor/lib/README.md", "web/node_modules/pkg/README.md"}, true},
		{"variable replaces defaults", map[string]string{"LIVESPEC_EXCLUDE": "**/testdata/**"}, nil, []string{"docs/vendoring.md", "spec/auth.md", "vendor/lib/README.md", "web/node_modules/pkg/README.md"}, true},
		{"flag wins over variable", map[string]string{"LIVESPEC_EXCLUDE": "**/testdata/**"}, []string{"--exclude", "**/vendor/**"}, []string{"docs/vendoring.md", "spec/auth.md", "spec/testdata/fixture.md", "testdata/top.md", "web/node_modules/pkg/README.md"}, true},
		{"back to defaults", nil, nil, []string{"docs/vendoring.md", "spec/auth.md"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				env[k] = v
			}
			t.Cleanup(func() {
				for k := range tt.env {
					delete(env, k)
				}
			})
			_, stderr, err := livespecRun(t, env, append([]string{"ingest", "--repo", r.Dir, "--index", index}, tt.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(stderr, "settings changed since the last ingest"); got != tt.warned {
				t.Errorf("rebuild notice = %v, want %v (stderr %q)", got, tt.warned, stderr)
			}
			if got := specFiles(t); !slices.Equal(got, tt.want) {
				t.Errorf("spec files = %v, want %v", got, tt.want)
			}
		})
	}
}

package main

import (
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/qdrant/qdranttest"
)

// TestReadOnlyCommandsCreateNoQdrantCollection runs the read-only commands
// against an empty Qdrant: each fails with not_found naming the command
// that fills the index, and Qdrant still holds no collection.
func TestReadOnlyCommandsCreateNoQdrantCollection(t *testing.T) {
	f := qdranttest.Start(t)
	store := f.URL("team")
	for _, args := range [][]string{
		{"ask", "--store", store, "how long do tokens last?"},
		{"changes", "--store", store, "--since", "2025-01-01"},
		{"digest", "--store", store, "--since", "2025-01-01"},
		{"facts", "--store", store},
		{"feedback", "export", "--store", store},
	} {
		t.Run(args[0], func(t *testing.T) {
			_, _, err := livespecRun(t, map[string]string{"XDG_CACHE_HOME": t.TempDir()}, args...)
			if livespec.ErrorCode(err) != livespec.ENOTFOUND || !strings.Contains(err.Error(), "livespec ingest --repo DIR --store "+store) {
				t.Fatalf("err = %v, want not_found naming the ingest command", err)
			}
			if cs := f.Collections(); len(cs) > 0 {
				t.Fatalf("livespec %s created the collections %v", strings.Join(args, " "), cs)
			}
		})
	}
}

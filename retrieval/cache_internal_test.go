package retrieval

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/internal/storetest"
)

// TestCurrentFilesFollowWrites checks that the kept list of current files
// is the store's after every write, from this store or another.
func TestCurrentFilesFollowWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	other, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	a := &Assistant{Store: st}
	h := storetest.NewHistory("r")
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	files := map[string][]livespec.Section{}
	list := func() string {
		t.Helper()
		fs, err := a.currentFiles(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range fs {
			out = append(out, f.f.path+"="+f.title)
		}
		return strings.Join(out, " ")
	}
	for i, w := range []struct {
		store livespec.Store
		file  string
		title string // "": remove the file
	}{
		{st, "a.md", "Alpha"},
		{st, "b.md", "Beta"},
		{other, "c.md", "Gamma"},
		{other, "a.md", ""},
		{st, "b.md", "Beta two"},
	} {
		c := storetest.Commit{SHA: fmt.Sprintf("%040d", i), Time: t0.Add(time.Duration(i) * time.Hour), Author: "A", Message: "m",
			Files: map[string][]livespec.Section{}}
		if w.title == "" {
			delete(files, w.file)
			c.Deleted = []string{w.file}
		} else {
			files[w.file] = []livespec.Section{storetest.Sec(w.title, "# "+w.title+"\nText.")}
			c.Files[w.file] = files[w.file]
		}
		b := h.Commit(c)
		list() // kept before the write
		if err := w.store.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, p := range slices.Sorted(func(yield func(string) bool) {
			for p := range files {
				if !yield(p) {
					return
				}
			}
		}) {
			want = append(want, p+"="+files[p][0].Heading)
		}
		if got := list(); got != strings.Join(want, " ") {
			t.Errorf("write %d: current files %q, want %q", i, got, strings.Join(want, " "))
		}
	}
}

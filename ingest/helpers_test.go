package ingest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// baseTime is the landing time of the first commit of every test
// repository (gittest.New); each further commit lands one hour later, so
// tests are deterministic.
var baseTime = time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC)

// ingestRepo runs Run on the repository at dir into store with opts
// adjusted by fn, and returns the result and the warnings.
func ingestRepo(tb testing.TB, store livespec.Store, dir, repo string, fn func(*Options)) (*Result, []string) {
	tb.Helper()
	var warnings []string
	opt := Options{Repo: repo, Dir: dir, Warn: func(m string) { warnings = append(warnings, m) }}
	if fn != nil {
		fn(&opt)
	}
	res, err := Run(context.Background(), store, opt)
	if err != nil {
		tb.Fatalf("ingest %s: %v", repo, err)
	}
	return res, warnings
}

// sectionDoc builds a Markdown document from heading/body pairs.
func sectionDoc(title string, pairs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", title)
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", pairs[i], pairs[i+1])
	}
	return b.String()
}

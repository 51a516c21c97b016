package storetest

import (
	"context"
	"fmt"
	"strings"

	"github.com/livespec/livespec"
)

// FailingStore wraps a Store, counts the calls of Apply in Applies and
// fails the FailAt-th (counting from 1; 0 never fails) with an "injected
// failure" error instead of applying it: a writer that dies mid-run.
type FailingStore struct {
	livespec.Store
	FailAt, Applies int
}

// Apply counts the call and applies b, or fails the FailAt-th call.
func (f *FailingStore) Apply(ctx context.Context, b *livespec.Batch) error {
	f.Applies++
	if f.Applies == f.FailAt {
		return fmt.Errorf("injected failure of apply %d", f.Applies)
	}
	return f.Store.Apply(ctx, b)
}

// Diff lists, for a test's failure message, the lines of snapshot a that
// b lacks ("- ") and those b adds ("+ "): the first ten and a count of the
// rest.
func Diff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	in := func(l []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range l {
			m[x] = true
		}
		return m
	}
	am, bm := in(al), in(bl)
	var out []string
	for _, x := range al {
		if !bm[x] {
			out = append(out, "- "+x)
		}
	}
	for _, x := range bl {
		if !am[x] {
			out = append(out, "+ "+x)
		}
	}
	if len(out) > 10 {
		out = append(out[:10], fmt.Sprintf("... %d more", len(out)-10))
	}
	return strings.Join(out, "\n")
}

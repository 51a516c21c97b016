package retrieval

// Temporary stand-in for understand.go, period.go and extractive.go, which
// another helper is writing. Deleted once theirs lands.

import (
	"context"
	"fmt"
	"strings"

	"github.com/livespec/livespec"
)

type Extractive struct{}

func (Extractive) Name() string { return "extractive" }

func (Extractive) Generate(ctx context.Context, ev *livespec.Evidence, onToken func(string) error) (string, error) {
	var b strings.Builder
	for _, n := range ev.Notes {
		b.WriteString(n + "\n")
	}
	for _, s := range ev.Sources {
		fmt.Fprintf(&b, "- %s [%d]\n", s.Excerpt, s.N)
	}
	for _, c := range ev.Changes {
		fmt.Fprintf(&b, "- %s %s %s\n", c.Date.Format("2006-01-02"), c.Kind, c.Path)
	}
	if onToken != nil {
		if err := onToken(b.String()); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

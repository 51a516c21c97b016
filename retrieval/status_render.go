package retrieval

import (
	"fmt"
	"strings"

	"github.com/livespec/livespec"
)

// status lists the facts of a status answer, after the notes that count
// them: per document its title and path, the value, since when (date and
// commit) and the value before, with the citation of the document.
func (r *exRenderer) status() {
	ev := r.ev
	if len(ev.Facts) == 0 {
		return
	}
	cites := map[string]int{}
	for _, c := range ev.Sources {
		k := c.Repo + "\x00" + c.Path
		if _, ok := cites[k]; !ok {
			cites[k] = c.N
		}
	}
	for _, f := range ev.Facts {
		var b strings.Builder
		fmt.Fprintf(&b, "- **%s**", mdEscape(f.Title))
		if f.Title != f.Path {
			fmt.Fprintf(&b, " (`%s`)", f.Path)
		}
		if r.multiRepo {
			fmt.Fprintf(&b, " in %s", f.Repo)
		}
		fmt.Fprintf(&b, ": %s *%s*", f.Field, mdEscape(f.Value))
		if !f.Since.Date.IsZero() {
			fmt.Fprintf(&b, " since %s (%s)", f.Since.Date.UTC().Format("2006-01-02"), livespec.ShortCommit(f.Since.Commit))
		}
		if f.Previous != "" {
			fmt.Fprintf(&b, ", before: *%s*", mdEscape(f.Previous))
		}
		if n, ok := cites[f.Repo+"\x00"+f.Path]; ok {
			fmt.Fprintf(&b, " [%d]", n)
		}
		r.line(b.String())
	}
}

// mdEscape keeps a value's Markdown markers from being read as markup.
func mdEscape(s string) string {
	return strings.NewReplacer("*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`).Replace(s)
}

package retrieval

import (
	"context"

	"github.com/livespec/livespec"
)

// titles names the documents of cs by their titles (front matter, else
// first heading), read from each path's latest version.
func (a *Assistant) titles(ctx context.Context, cs []livespec.AnswerChange) ([]livespec.DocTitle, error) {
	var out []livespec.DocTitle
	seen := map[fileID]bool{}
	cur, err := a.current(ctx, nil)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		f := fileID{c.Repo, c.Path}
		if seen[f] {
			continue
		}
		seen[f] = true
		fv, err := a.latestFile(ctx, c.Repo, c.Path)
		if err != nil {
			return nil, err
		}
		if t := fileTitleOf(fv); t != "" && !cur.untitled[t] {
			out = append(out, livespec.DocTitle{Repo: c.Repo, Path: c.Path, Title: t})
		}
	}
	return out, nil
}

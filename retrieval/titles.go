package retrieval

import (
	"context"

	"github.com/livespec/livespec"
)

// titles names the documents of cs by their titles (front matter, else
// first heading), read from each path's latest version.
func (a *Assistant) titles(ctx context.Context, cs []livespec.AnswerChange) ([]livespec.DocTitle, error) {
	var files []fileID
	seen := map[fileID]bool{}
	for _, c := range cs {
		if f := (fileID{c.Repo, c.Path}); !seen[f] {
			seen[f] = true
			files = append(files, f)
		}
	}
	cur, err := a.current(ctx, nil)
	if err != nil {
		return nil, err
	}
	latest, err := a.currentOutlines(ctx, files)
	if err != nil {
		return nil, err
	}
	var out []livespec.DocTitle
	for _, f := range files {
		fv, ok := latest[f]
		if !ok {
			if fv, err = a.latestFile(ctx, f.repo, f.path); err != nil {
				return nil, err
			}
		}
		if t := fileTitleOf(fv); t != "" && !cur.untitled[t] {
			out = append(out, livespec.DocTitle{Repo: f.repo, Path: f.path, Title: t})
		}
	}
	return out, nil
}

// currentOutlines reads the current versions of files, a read per
// repository, and returns those latestFile would take from them: the
// file's only current version, when it has an outline. The others (a
// removed file, one without an outline) are left out.
func (a *Assistant) currentOutlines(ctx context.Context, files []fileID) (map[fileID]livespec.FileVersion, error) {
	if len(files) == 0 {
		return nil, nil
	}
	byRepo := map[string][]string{}
	var repos []string
	for _, f := range files {
		if byRepo[f.repo] == nil {
			repos = append(repos, f.repo)
		}
		byRepo[f.repo] = append(byRepo[f.repo], livespec.LiteralGlob(f.path))
	}
	out := map[fileID]livespec.FileVersion{}
	for _, r := range repos {
		fs, err := a.Store.Files(ctx, livespec.FileQuery{Repos: []string{r}, Paths: byRepo[r], Validity: livespec.Current()})
		if err != nil {
			return nil, storeError("read files", err)
		}
		count := map[string]int{}
		for _, f := range fs {
			count[f.Path]++
		}
		for _, f := range fs {
			if count[f.Path] == 1 && len(f.Outline) > 0 {
				out[fileID{f.Repo, f.Path}] = f
			}
		}
	}
	return out, nil
}

package retrieval

import (
	"context"
	"sync"

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
	var past *pastTitles
	for _, f := range files {
		var t string
		if fv, ok := latest[f]; ok {
			t = fileTitleOf(fv)
		} else {
			if past == nil {
				if past, err = a.pastTitles.get(ctx, a.Store, "", newPastTitles); err != nil {
					return nil, err
				}
			}
			if t, err = past.title(ctx, a, f); err != nil {
				return nil, err
			}
		}
		if t != "" && !cur.untitled[t] {
			out = append(out, livespec.DocTitle{Repo: f.repo, Path: f.path, Title: t})
		}
	}
	return out, nil
}

// maxPastTitles bounds the titles a pastTitles keeps.
const maxPastTitles = 4096

// pastTitles keeps, for one index version, the titles of files that
// titles reads from their whole history (a removed or renamed file, one
// whose current version has no outline): a timeline names the old paths
// of its sections, and popular documents were moved once.
type pastTitles struct {
	mu sync.Mutex
	m  map[fileID]string
}

func newPastTitles() (*pastTitles, error) { return &pastTitles{m: map[fileID]string{}}, nil }

// title returns the title of f's latest version with an outline
// (latestFile), kept or read.
func (p *pastTitles) title(ctx context.Context, a *Assistant, f fileID) (string, error) {
	p.mu.Lock()
	t, ok := p.m[f]
	p.mu.Unlock()
	if ok {
		return t, nil
	}
	fv, err := a.latestFile(ctx, f.repo, f.path)
	if err != nil {
		return "", err
	}
	t = fileTitleOf(fv)
	p.mu.Lock()
	if len(p.m) < maxPastTitles {
		p.m[f] = t
	}
	p.mu.Unlock()
	return t, nil
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

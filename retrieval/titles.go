package retrieval

import (
	"context"
	"sync"

	"github.com/livespec/livespec"
)

// titles names the documents of cs by their titles (front matter, else
// first heading), read from each path's latest version: a file's title is
// kept until the next write of the index (see docTitles), so only the
// files no earlier answer named since are read.
func (a *Assistant) titles(ctx context.Context, cs []livespec.AnswerChange) ([]livespec.DocTitle, error) {
	var files []fileID
	seen := map[fileID]bool{}
	for _, c := range cs {
		if f := (fileID{c.Repo, c.Path}); !seen[f] {
			seen[f] = true
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil, nil
	}
	cur, err := a.current(ctx, nil)
	if err != nil {
		return nil, err
	}
	kept, err := a.docTitles.get(ctx, a.Store, "", newDocTitles)
	if err != nil {
		return nil, err
	}
	known, missing := kept.lookUp(files)
	latest, err := a.currentOutlines(ctx, missing)
	if err != nil {
		return nil, err
	}
	var out []livespec.DocTitle
	for _, f := range files {
		t, ok := known[f]
		fv, current := latest[f]
		switch {
		case ok:
		case current:
			t = fileTitleOf(fv)
			kept.keep(f, t)
		default:
			if t, err = kept.title(ctx, a, f); err != nil {
				return nil, err
			}
		}
		if t != "" && !cur.untitled[t] {
			out = append(out, livespec.DocTitle{Repo: f.repo, Path: f.path, Title: t})
		}
	}
	return out, nil
}

// maxDocTitles bounds the titles a docTitles keeps.
const maxDocTitles = 1 << 14

// docTitles keeps, for one index version, the titles that titles read:
// from a file's current version, or from its whole history (a removed or
// renamed file, one whose current version has no outline). Timelines and
// change reports name the same documents again and again.
type docTitles struct {
	mu sync.Mutex
	m  map[fileID]string
}

func newDocTitles() (*docTitles, error) { return &docTitles{m: map[fileID]string{}}, nil }

// lookUp returns the kept titles of those of files it keeps, and the
// others.
func (p *docTitles) lookUp(files []fileID) (map[fileID]string, []fileID) {
	known := make(map[fileID]string, len(files))
	var missing []fileID
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range files {
		if t, ok := p.m[f]; ok {
			known[f] = t
		} else {
			missing = append(missing, f)
		}
	}
	return known, missing
}

// keep keeps t as the title of f, while fewer than maxDocTitles are kept.
func (p *docTitles) keep(f fileID, t string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.m) < maxDocTitles {
		p.m[f] = t
	}
}

// title returns the title of f's latest version with an outline
// (latestFile), kept or read.
func (p *docTitles) title(ctx context.Context, a *Assistant, f fileID) (string, error) {
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
	p.keep(f, t)
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

// warmTitles keeps the title of every file of the index (up to
// maxDocTitles), the way titles would read it: from the file's only
// current version when it has an outline, else from its latest version
// with one (latestFile). A fresh server's first timelines then read no
// titles. Per repository it reads the current files, the paths of every
// file version (brief: no outline decoded), and the history of the files
// their current versions do not title (a removed file, one without an
// outline), not the history of every file: the store keeps what it
// decodes. A docTitles already kept at the index's version is left as it
// is.
func (a *Assistant) warmTitles(ctx context.Context) error {
	_, err := a.docTitles.get(ctx, a.Store, "", func() (*docTitles, error) {
		cps, err := livespec.Checkpoints(ctx, a.Store)
		if err != nil {
			return nil, storeError("list repos", err)
		}
		p, _ := newDocTitles()
		for _, cp := range cps {
			if err := a.warmRepoTitles(ctx, cp.Repo, p); err != nil {
				return nil, err
			}
		}
		return p, nil
	})
	return err
}

// warmRepoTitles keeps in p the title of every file of repo (see
// warmTitles).
func (a *Assistant) warmRepoTitles(ctx context.Context, repo string, p *docTitles) error {
	cur, err := a.Store.Files(ctx, livespec.FileQuery{Repos: []string{repo}, Validity: livespec.Current()})
	if err != nil {
		return storeError("read files", err)
	}
	titled := map[string]bool{}
	for _, fs := range pathRuns(cur) {
		if len(fs) == 1 && len(fs[0].Outline) > 0 {
			titled[fs[0].Path] = true
			p.keep(fileID{repo, fs[0].Path}, fileTitleOf(fs[0]))
		}
	}
	all, err := a.Store.Files(ctx, livespec.FileQuery{Repos: []string{repo}, Validity: livespec.AnyVersion(), Brief: true})
	if err != nil {
		return storeError("read files", err)
	}
	// The paths with no glob metacharacter are read at once; a quoted one
	// alone, as latestFile reads it: a store matches a list holding one
	// by each path's prefix, a condition per path.
	reads := [][]string{nil}
	for _, fs := range pathRuns(all) {
		switch f := fs[0].Path; {
		case titled[f]:
		case livespec.LiteralGlob(f) == f:
			reads[0] = append(reads[0], f)
		default:
			reads = append(reads, []string{livespec.LiteralGlob(f)})
		}
	}
	for _, paths := range reads {
		if len(paths) == 0 {
			continue
		}
		hist, err := a.Store.Files(ctx, livespec.FileQuery{Repos: []string{repo}, Paths: paths, Validity: livespec.AnyVersion()})
		if err != nil {
			return storeError("read files", err)
		}
		for _, fs := range pathRuns(hist) {
			p.keep(fileID{repo, fs[0].Path}, fileTitleOf(latestOutline(fs, fs[0].Path)))
		}
	}
	return nil
}

// pathRuns returns fs, in the store's order, split into runs of one path.
func pathRuns(fs []livespec.FileVersion) [][]livespec.FileVersion {
	var out [][]livespec.FileVersion
	for len(fs) > 0 {
		n := 1
		for n < len(fs) && fs[n].Path == fs[0].Path {
			n++
		}
		out = append(out, fs[:n])
		fs = fs[n:]
	}
	return out
}

package web

import (
	"cmp"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

// maxSearchHits is how many sections a search lists.
const maxSearchHits = 20

// browseView is the Browse page.
type browseView struct {
	At    time.Time
	AtDay string
	Query string
	Hits  []searchHit
	Dirs  []treeDir
	Count int
	Repos int
}

type treeDir struct {
	Name  string // "" for the top level
	Files []treeFile
}

type treeFile struct {
	Repo, Path, Name, Title, URL string
}

type searchHit struct {
	Repo, Path, Heading, Excerpt, URL string
	Current                           bool
}

// Browse serves /browse: the spec files as they stood at ?at= (default
// now) by directory, with titles; ?q= searches the sections of that date.
func Browse(st livespec.Store, errs Errors) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := browsePage(r, st)
		if err != nil {
			fail(w, errs, err)
			return
		}
		render(w, http.StatusOK, "browse", page{Title: "Browse", Nav: "browse", Body: v})
	})
}

func browsePage(r *http.Request, st livespec.Store) (*browseView, error) {
	q := r.URL.Query()
	at, err := parseAt("at", q.Get("at"))
	if err != nil {
		return nil, err
	}
	v := &browseView{At: at, AtDay: fmtDay(at), Query: strings.TrimSpace(q.Get("q"))}
	if len(v.Query) > 500 {
		return nil, livespec.Errorf(livespec.EINVALID, "q: over 500 characters")
	}
	ctx := r.Context()
	files, err := st.Files(ctx, livespec.FileQuery{Validity: validity(at)})
	if err != nil {
		return nil, err
	}
	repos := map[string]bool{}
	for _, f := range files {
		repos[f.Repo] = true
	}
	v.Repos, v.Count = len(repos), len(files)
	v.Dirs = tree(files, at, len(repos) > 1)
	if v.Query != "" {
		hits, err := st.Search(ctx, livespec.SearchQuery{Text: v.Query, Validity: validity(at), Limit: maxSearchHits})
		if err != nil {
			return nil, err
		}
		for _, h := range hits {
			sv := h.Version
			u := docURL(sv.Repo, sv.Path, at)
			if a := anchor(sv.Heading); a != "top" { // the page shows a section's parts as one
				u += "#" + a
			}
			v.Hits = append(v.Hits, searchHit{Repo: sv.Repo, Path: sv.Path, Heading: sv.Heading,
				Excerpt: retrieval.Excerpt(sv.Text, v.Query), URL: u, Current: sv.Current()})
		}
	}
	return v, nil
}

// tree groups files by directory (prefixed by their repository when
// several are indexed), directories and files in name order.
func tree(files []livespec.FileVersion, at time.Time, byRepo bool) []treeDir {
	byDir := map[string][]treeFile{}
	for i := range files {
		f := &files[i]
		dir := path.Dir(f.Path)
		if dir == "." {
			dir = ""
		}
		if byRepo {
			dir = strings.TrimSuffix(f.Repo+"/"+dir, "/")
		}
		byDir[dir] = append(byDir[dir], treeFile{Repo: f.Repo, Path: f.Path, Name: path.Base(f.Path),
			Title: fileTitle(f), URL: docURL(f.Repo, f.Path, at)})
	}
	out := make([]treeDir, 0, len(byDir))
	for d, fs := range byDir {
		slices.SortFunc(fs, func(a, b treeFile) int { return cmp.Compare(a.Name, b.Name) })
		out = append(out, treeDir{Name: d, Files: fs})
	}
	slices.SortFunc(out, func(a, b treeDir) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

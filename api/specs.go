package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

// SpecTree is the body of GET /v1/specs: the spec files as they stood at
// At (null: now), with their headings.
type SpecTree struct {
	At    livespec.Time `json:"at"`
	Files []SpecFile    `json:"files"`
}

// SpecFile is one spec file version.
type SpecFile struct {
	Repo      string              `json:"repo"`
	Path      string              `json:"path"`
	Commit    string              `json:"commit"` // the commit that introduced this version
	Blob      string              `json:"blob"`
	Status    livespec.FileStatus `json:"status"`
	Size      int64               `json:"size"`
	ValidFrom livespec.Time       `json:"valid_from"`
	ValidTo   livespec.Time       `json:"valid_to"` // null while current
	Current   bool                `json:"current"`
	Headings  []string            `json:"headings"` // heading paths in document order
}

// SpecText is the body of GET /v1/specs/{path}: one file's text as it
// stood at At (null: now), rebuilt from its sections.
type SpecText struct {
	At livespec.Time `json:"at"`
	SpecFile
	Text string `json:"text"`
}

// specScope reads the parameters both spec routes take: the instant
// (at, empty for now) and the repositories (repo).
func specScope(c *gin.Context, qs queries) (at time.Time, repos []string, err error) {
	if at, err = parseAt("at", c.Query("at")); err != nil {
		return time.Time{}, nil, err
	}
	repos, err = qs.repoParam(c)
	return at, repos, err
}

// specTreeHandler serves GET /v1/specs from store.
func specTreeHandler(store livespec.Store, qs queries) gin.HandlerFunc {
	return handler(func(c *gin.Context) error {
		at, repos, err := specScope(c, qs)
		if err != nil {
			return err
		}
		paths, err := globParam(c, "path")
		if err != nil {
			return err
		}
		files, err := store.Files(c.Request.Context(), livespec.FileQuery{Repos: repos, Paths: paths, Validity: validity(at)})
		if err != nil {
			return err
		}
		tree := SpecTree{At: livespec.Time{Time: at}, Files: make([]SpecFile, 0, len(files))}
		for i := range files {
			tree.Files = append(tree.Files, specFile(&files[i]))
		}
		writeJSON(c, http.StatusOK, tree)
		return nil
	})
}

// specFileHandler serves GET /v1/specs/{path} from store; log gets the
// sections missing from a file's outline.
func specFileHandler(store livespec.Store, qs queries, log *slog.Logger) gin.HandlerFunc {
	return handler(func(c *gin.Context) error {
		path := strings.TrimPrefix(c.Param("path"), "/")
		if path == "" {
			return invalid("path", "missing: GET /v1/specs/{path}")
		}
		at, repos, err := specScope(c, qs)
		if err != nil {
			return err
		}
		fv, err := oneFile(c.Request.Context(), store, repos, path, at)
		if err != nil {
			return err
		}
		out := SpecText{At: livespec.Time{Time: at}, SpecFile: specFile(&fv)}
		if fv.Status == livespec.FileText {
			if out.Text, err = fileText(c, store, log, &fv, at); err != nil {
				return err
			}
		}
		writeJSON(c, http.StatusOK, out)
		return nil
	})
}

// oneFile returns the version of the file at path as of at (zero: now),
// in one of repos (empty: any); ENOTFOUND when there is none, EINVALID
// when several repositories hold one.
func oneFile(ctx context.Context, store livespec.Store, repos []string, path string, at time.Time) (livespec.FileVersion, error) {
	files, err := store.Files(ctx, livespec.FileQuery{Repos: repos, Paths: []string{livespec.LiteralGlob(path)}, Validity: validity(at)})
	if err != nil {
		return livespec.FileVersion{}, err
	}
	var matched []livespec.FileVersion
	for _, f := range files {
		if f.Path == path {
			matched = append(matched, f)
		}
	}
	switch {
	case len(matched) == 0 && at.IsZero():
		return livespec.FileVersion{}, livespec.Errorf(livespec.ENOTFOUND, "no current spec file %q", clip(path, 200))
	case len(matched) == 0:
		return livespec.FileVersion{}, livespec.Errorf(livespec.ENOTFOUND, "no spec file %q as of %s", clip(path, 200), at.UTC().Format(time.RFC3339))
	case len(matched) > 1:
		names := make([]string, len(matched))
		for i, f := range matched {
			names[i] = f.Repo
		}
		return livespec.FileVersion{}, invalid("repo", "%q exists in several repositories (%s); pass repo", clip(path, 200), strings.Join(names, ", "))
	}
	return matched[0], nil
}

// fileText rebuilds the text of fv as of at (zero: now): the section
// versions valid then, in the order of fv's outline, joined by blank lines.
func fileText(c *gin.Context, store livespec.Store, log *slog.Logger, fv *livespec.FileVersion, at time.Time) (string, error) {
	secs, missing, err := retrieval.FileSections(c.Request.Context(), store, fv, validity(at))
	if err != nil {
		return "", err
	}
	for _, ref := range missing {
		log.Warn("api: section missing from a file version's outline",
			"request_id", c.GetString(requestIDKey), "repo", fv.Repo, "path", fv.Path, "heading", ref.Heading, "part", ref.Part, "commit", fv.Commit)
	}
	return retrieval.JoinSections(fv, secs), nil
}

func specFile(f *livespec.FileVersion) SpecFile {
	sf := SpecFile{
		Repo: f.Repo, Path: f.Path, Commit: f.Commit, Blob: f.Blob, Status: f.Status, Size: f.Size,
		ValidFrom: livespec.Time{Time: f.ValidFrom}, Current: f.Current(), Headings: []string{},
	}
	if !f.Current() {
		sf.ValidTo = livespec.Time{Time: f.ValidTo}
	}
	last := ""
	for _, ref := range f.Outline {
		if ref.Heading == "" || ref.Heading == last {
			continue
		}
		sf.Headings = append(sf.Headings, ref.Heading)
		last = ref.Heading
	}
	return sf
}

func validity(at time.Time) livespec.Validity {
	if at.IsZero() {
		return livespec.Current()
	}
	return livespec.AsOf(at)
}

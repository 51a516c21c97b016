package api

import (
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

func (s *Server) specTree(c *gin.Context) {
	at, err := parseAt("at", c.Query("at"))
	if err != nil {
		fail(c, err)
		return
	}
	repos, err := s.repoParam(c)
	if err != nil {
		fail(c, err)
		return
	}
	paths, err := globParam(c, "path")
	if err != nil {
		fail(c, err)
		return
	}
	files, err := s.cfg.Store.Files(c.Request.Context(), livespec.FileQuery{Repos: repos, Paths: paths, Validity: validity(at)})
	if err != nil {
		fail(c, err)
		return
	}
	tree := SpecTree{At: livespec.Time{Time: at}, Files: make([]SpecFile, 0, len(files))}
	for i := range files {
		tree.Files = append(tree.Files, specFile(&files[i]))
	}
	writeJSON(c, http.StatusOK, tree)
}

func (s *Server) specFile(c *gin.Context) {
	path := strings.TrimPrefix(c.Param("path"), "/")
	if path == "" {
		fail(c, invalid("path", "missing: GET /v1/specs/{path}"))
		return
	}
	at, err := parseAt("at", c.Query("at"))
	if err != nil {
		fail(c, err)
		return
	}
	repos, err := s.repoParam(c)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	files, err := s.cfg.Store.Files(ctx, livespec.FileQuery{Repos: repos, Paths: []string{livespec.LiteralGlob(path)}, Validity: validity(at)})
	if err != nil {
		fail(c, err)
		return
	}
	var matched []livespec.FileVersion
	for _, f := range files {
		if f.Path == path {
			matched = append(matched, f)
		}
	}
	switch {
	case len(matched) == 0 && at.IsZero():
		fail(c, livespec.Errorf(livespec.ENOTFOUND, "no current spec file %q", clip(path, 200)))
		return
	case len(matched) == 0:
		fail(c, livespec.Errorf(livespec.ENOTFOUND, "no spec file %q as of %s", clip(path, 200), at.UTC().Format(time.RFC3339)))
		return
	case len(matched) > 1:
		names := make([]string, len(matched))
		for i, f := range matched {
			names[i] = f.Repo
		}
		fail(c, invalid("repo", "%q exists in several repositories (%s); pass repo", clip(path, 200), strings.Join(names, ", ")))
		return
	}
	fv := matched[0]
	out := SpecText{At: livespec.Time{Time: at}, SpecFile: specFile(&fv)}
	if fv.Status == livespec.FileText {
		if out.Text, err = s.fileText(c, &fv, at); err != nil {
			fail(c, err)
			return
		}
	}
	writeJSON(c, http.StatusOK, out)
}

// fileText rebuilds the text of fv as of at (zero: now): the section
// versions valid then, in the order of fv's outline, joined by blank lines.
func (s *Server) fileText(c *gin.Context, fv *livespec.FileVersion, at time.Time) (string, error) {
	secs, missing, err := retrieval.FileSections(c.Request.Context(), s.cfg.Store, fv, validity(at))
	if err != nil {
		return "", err
	}
	for _, ref := range missing {
		s.log.Warn("api: section missing from a file version's outline",
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

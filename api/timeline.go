package api

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/livespec/livespec"
)

func (s *Server) timeline(c *gin.Context) {
	if s.historian == nil {
		fail(c, livespec.Errorf(ENOTCONFIGURED, "timelines are not available on this server"))
		return
	}
	q, err := s.timelineQuery(c)
	if err != nil {
		fail(c, err)
		return
	}
	tl, err := s.historian.Timeline(c.Request.Context(), q)
	if err != nil {
		fail(c, err)
		return
	}
	if tl.Events == nil {
		tl.Events = []livespec.TimelineEvent{}
	}
	writeJSON(c, http.StatusOK, tl)
}

func (s *Server) timelineQuery(c *gin.Context) (livespec.TimelineQuery, error) {
	q := livespec.TimelineQuery{
		Topic:   strings.TrimSpace(c.Query("q")),
		Path:    c.Query("path"),
		Heading: c.Query("heading"),
	}
	switch {
	case q.Topic == "" && q.Path == "":
		return q, invalid("q", "give a topic (q) or a file (path, and optionally heading)")
	case q.Heading != "" && q.Path == "":
		return q, invalid("heading", "needs path: headings are only unique within a file")
	case utf8.RuneCountInString(q.Topic) > MaxQuestionRunes:
		return q, invalid("q", "over %d characters", MaxQuestionRunes)
	case strings.ContainsAny(q.Path, "*?[{"):
		return q, invalid("path", "one file path, not a glob")
	}
	var err error
	if q.Repos, err = s.repoParam(c); err != nil {
		return q, err
	}
	w, ok, err := s.window(c)
	if err != nil {
		return q, err
	}
	if ok {
		q.Window = &w
	}
	if q.Now, err = s.now(c.Query("now")); err != nil {
		return q, err
	}
	if q.Path != "" {
		files, err := s.cfg.Store.Files(c.Request.Context(), livespec.FileQuery{
			Repos: q.Repos, Paths: []string{livespec.LiteralGlob(q.Path)}, Validity: livespec.AnyVersion(), Limit: 1,
		})
		if err != nil {
			return q, err
		}
		if len(files) == 0 {
			return q, livespec.Errorf(livespec.ENOTFOUND, "path: no spec file %q in the index", clip(q.Path, 200))
		}
	}
	return q, nil
}

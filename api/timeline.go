package api

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/livespec/livespec"
)

// timelineHandler serves GET /v1/timeline: h tells the history, store
// checks the path asked exists; 501 without h.
func timelineHandler(h Historian, store livespec.Store, qs queries) gin.HandlerFunc {
	return handler(func(c *gin.Context) error {
		if h == nil {
			return livespec.Errorf(ENOTCONFIGURED, "timelines are not available on this server")
		}
		q, err := qs.timelineQuery(c, store)
		if err != nil {
			return err
		}
		tl, err := h.Timeline(c.Request.Context(), q)
		if err != nil {
			return err
		}
		if tl.Events == nil {
			tl.Events = []livespec.TimelineEvent{}
		}
		writeJSON(c, http.StatusOK, tl)
		return nil
	})
}

func (qs queries) timelineQuery(c *gin.Context, store livespec.Store) (livespec.TimelineQuery, error) {
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
	if q.Repos, err = qs.repoParam(c); err != nil {
		return q, err
	}
	w, ok, err := qs.window(c)
	if err != nil {
		return q, err
	}
	if ok {
		q.Window = &w
	}
	if q.Now, err = qs.now(c.Query("now")); err != nil {
		return q, err
	}
	if q.Path != "" {
		files, err := store.Files(c.Request.Context(), livespec.FileQuery{
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

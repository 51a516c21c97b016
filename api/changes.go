package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/livespec/livespec"
)

// Page sizes of /v1/changes.
const (
	DefaultChangesLimit = 200
	MaxChangesLimit     = 2000
)

// ChangesPage is the body of GET /v1/changes: the change events in the
// window, oldest first, one page at a time.
type ChangesPage struct {
	Window  *livespec.Window  `json:"window"` // null: all history
	Repos   []string          `json:"repos,omitempty"`
	Paths   []string          `json:"paths,omitempty"`
	Changes []livespec.Change `json:"changes"`
	// NextCursor, when set, fetches the next page (?cursor=).
	NextCursor string `json:"next_cursor,omitempty"`
}

func (s *Server) changes(c *gin.Context) {
	q, page, err := s.changeQuery(c)
	if err != nil {
		fail(c, err)
		return
	}
	limit := q.Limit
	q.Limit++ // one more tells whether there is a next page
	chs, err := s.cfg.Store.Changes(c.Request.Context(), q)
	if err != nil {
		fail(c, err)
		return
	}
	if len(chs) > limit {
		chs = chs[:limit]
		page.NextCursor = encodeCursor(chs[limit-1].ID)
	}
	page.Changes = chs
	if page.Changes == nil {
		page.Changes = []livespec.Change{}
	}
	writeJSON(c, http.StatusOK, page)
}

func (s *Server) changeQuery(c *gin.Context) (livespec.ChangeQuery, *ChangesPage, error) {
	var q livespec.ChangeQuery
	w, ok, err := s.window(c)
	if err != nil {
		return q, nil, err
	}
	page := &ChangesPage{}
	if ok {
		page.Window = &w
		q.From, q.To = w.From, w.To
	}
	if q.Repos, err = s.repoParam(c); err != nil {
		return q, nil, err
	}
	if q.Paths, err = globParam(c, "path"); err != nil {
		return q, nil, err
	}
	if q.Sections, err = boolParam(c, "sections", true); err != nil {
		return q, nil, err
	}
	if q.After, err = decodeCursor(c.Query("cursor")); err != nil {
		return q, nil, err
	}
	if q.Limit, err = intParam(c, "limit", DefaultChangesLimit, 1, MaxChangesLimit); err != nil {
		return q, nil, err
	}
	page.Repos, page.Paths = q.Repos, q.Paths
	return q, page, nil
}

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
// window [From, To) (null: open), oldest first, one page at a time. It has
// the shape of `livespec changes --json`, plus the cursor.
type ChangesPage struct {
	From    livespec.Time           `json:"from"`
	To      livespec.Time           `json:"to"`
	Changes []livespec.AnswerChange `json:"changes"`
	// NextCursor, when set, fetches the next page (?cursor=).
	NextCursor string `json:"next_cursor,omitempty"`
}

// changesHandler serves GET /v1/changes from store.
func changesHandler(store livespec.Store, qs queries) gin.HandlerFunc {
	return handler(func(c *gin.Context) error {
		q, page, err := qs.changeQuery(c)
		if err != nil {
			return err
		}
		limit := q.Limit
		q.Limit++ // one more tells whether there is a next page
		chs, err := store.Changes(c.Request.Context(), q)
		if err != nil {
			return err
		}
		if len(chs) > limit {
			chs = chs[:limit]
			page.NextCursor = encodeCursor(chs[limit-1].ID)
		}
		page.Changes = make([]livespec.AnswerChange, len(chs))
		for i, ch := range chs {
			page.Changes[i] = livespec.ChangeOf(ch)
		}
		writeJSON(c, http.StatusOK, page)
		return nil
	})
}

func (qs queries) changeQuery(c *gin.Context) (livespec.ChangeQuery, *ChangesPage, error) {
	var q livespec.ChangeQuery
	w, ok, err := qs.window(c)
	if err != nil {
		return q, nil, err
	}
	page := &ChangesPage{}
	if ok {
		page.From, page.To = livespec.Time{Time: w.From}, livespec.Time{Time: w.To}
		q.From, q.To = w.From, w.To
	}
	if q.Repos, err = qs.repoParam(c); err != nil {
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
	return q, page, nil
}

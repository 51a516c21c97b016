package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/livespec/livespec"
)

// FactsPage is the body of GET /v1/facts: the fact changes (a document's
// status, stage or other field set, changed, removed or moved) in the
// window [From, To) (null: open), oldest first, one page at a time. It has
// the shape of `livespec facts --json`, plus the cursor.
type FactsPage struct {
	From       livespec.Time        `json:"from"`
	To         livespec.Time        `json:"to"`
	Facts      []livespec.FactEvent `json:"facts"`
	NextCursor string               `json:"next_cursor,omitempty"`
}

// factsHandler serves GET /v1/facts from store.
func factsHandler(store livespec.Store, qs queries) gin.HandlerFunc {
	return handler(func(c *gin.Context) error { return facts(c, store, qs) })
}

func facts(c *gin.Context, store livespec.Store, qs queries) error {
	var q livespec.FactChangeQuery
	w, ok, err := qs.window(c)
	if err != nil {
		return err
	}
	page := &FactsPage{Facts: []livespec.FactEvent{}}
	if ok {
		page.From, page.To = livespec.Time{Time: w.From}, livespec.Time{Time: w.To}
		q.From, q.To = w.From, w.To
	}
	if q.Repos, err = qs.repoParam(c); err == nil {
		q.Paths, err = globParam(c, "path")
	}
	var limit int
	if err == nil {
		limit, err = intParam(c, "limit", DefaultChangesLimit, 1, MaxChangesLimit)
	}
	if err == nil {
		q.After, err = decodeCursor(c.Query("cursor"))
	}
	if err != nil {
		return err
	}
	for _, f := range c.QueryArray("field") {
		q.Fields = append(q.Fields, livespec.NormalizeField(f))
	}
	value := c.Query("value")
	// Reads pages of the store until one more change than the page holds
	// passed the value filter (so there is a next page), or none are left.
	var ids []string
	q.Limit = limit + 1
	for len(ids) <= limit {
		chs, err := store.FactChanges(c.Request.Context(), q)
		if err != nil {
			return err
		}
		for _, ch := range chs {
			if ch.MatchesValue(value) && len(ids) <= limit {
				page.Facts = append(page.Facts, livespec.FactEventOf(ch))
				ids = append(ids, ch.ID)
			}
		}
		if len(chs) < q.Limit {
			break
		}
		q.After = chs[len(chs)-1].ID
	}
	if len(ids) > limit {
		page.Facts = page.Facts[:limit]
		page.NextCursor = encodeCursor(ids[limit-1])
	}
	writeJSON(c, http.StatusOK, page)
	return nil
}

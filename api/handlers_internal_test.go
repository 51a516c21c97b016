package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/livespec/livespec"
)

// pagedChanges is a store of n changes, one a day from 2025-01-01, that
// pages them as the contract says; down fails every read.
type pagedChanges struct {
	livespec.Store
	n    int
	down bool
}

func (s pagedChanges) Changes(_ context.Context, q livespec.ChangeQuery) ([]livespec.Change, error) {
	if s.down {
		return nil, livespec.Errorf(livespec.EUNAVAILABLE, "the index at /var/lib/secret is down")
	}
	var out []livespec.Change
	after := q.After == ""
	for i := range s.n {
		id := fmt.Sprintf("c%02d", i)
		if !after {
			after = id == q.After
			continue
		}
		out = append(out, livespec.Change{ID: id, Repo: "r", Path: "a.md", Kind: livespec.Modified,
			Date: time.Date(2025, 1, 1+i, 0, 0, 0, 0, time.UTC)})
		if len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

// TestChangesHandlerAlone builds the /v1/changes handler from just a store
// and the query readers, without a Server: it pages, and a store's error
// reaches the caller as a kind and a safe message.
func TestChangesHandlerAlone(t *testing.T) {
	qs := queries{clock: func() time.Time { return time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) },
		checkRepos: func(context.Context, []string) error { return nil }}
	get := func(t *testing.T, store livespec.Store, target string) *httptest.ResponseRecorder {
		t.Helper()
		e := gin.New()
		e.GET("/v1/changes", changesHandler(store, qs))
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		return w
	}
	for _, tt := range []struct {
		name   string
		store  pagedChanges
		target string
		status int
		ids    int
		next   bool
	}{
		{"first page", pagedChanges{n: 5}, "/v1/changes?limit=2", 200, 2, true},
		{"last page", pagedChanges{n: 2}, "/v1/changes?limit=2", 200, 2, false},
		{"bad limit", pagedChanges{n: 2}, "/v1/changes?limit=0", 400, 0, false},
		{"store down", pagedChanges{down: true}, "/v1/changes", 503, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := get(t, tt.store, tt.target)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.status != 200 {
				var e ErrorBody
				if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code == "" {
					t.Fatalf("error body %s", w.Body)
				}
				if e.Error.Message == "" || strings.Contains(e.Error.Message, "/var/lib") {
					t.Errorf("error message %q", e.Error.Message)
				}
				return
			}
			var page ChangesPage
			if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil {
				t.Fatal(err)
			}
			if len(page.Changes) != tt.ids || (page.NextCursor != "") != tt.next {
				t.Errorf("%d changes, next cursor %q; want %d, next %v", len(page.Changes), page.NextCursor, tt.ids, tt.next)
			}
		})
	}
}

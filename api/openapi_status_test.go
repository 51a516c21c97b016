package api_test

import (
	"cmp"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec/api"
)

// TestOpenAPIDocumentsEveryStatus provokes every route the server routes
// (wrong method, malformed query, missing token, non-JSON and oversized
// bodies, with the store down, hanging past the deadline, ingest switched
// off, the answer queue full) and checks that every status it answered
// is among the responses /openapi.json documents for that operation.
// Every operation documents 400 (a query string that does not parse) and
// 405 (any path answers another method with 405).
func TestOpenAPIDocumentsEveryStatus(t *testing.T) {
	const token = "tok"
	auth := []string{"Authorization", "Bearer " + token}
	states := []struct {
		name string
		edit func(*api.Config, *fixture)
		// before runs once the server exists, and returns what undoes it.
		before func(*fixture) func()
	}{
		{"normal", nil, nil},
		{"store down", func(_ *api.Config, f *fixture) { f.asker.store, f.hist.store = f.store, f.store }, func(f *fixture) func() {
			f.store.setDown(true)
			return func() {}
		}},
		{"store hangs", func(c *api.Config, f *fixture) {
			c.RequestTimeout, c.AskTimeout = 20*time.Millisecond, 20*time.Millisecond
			f.store.block = make(chan struct{})
			f.asker.store, f.hist.store = f.store, f.store
		}, nil},
		{"ingest off", func(c *api.Config, _ *fixture) { c.Ingester, c.Historian, c.ParsePeriod = nil, nil, nil }, nil},
		{"answer queue full", func(c *api.Config, f *fixture) {
			f.asker.gate = make(chan struct{})
			f.asker.started = make(chan struct{}, 1)
			c.MaxInFlight, c.MaxQueue = 1, -1
		}, func(f *fixture) func() {
			done := make(chan struct{})
			go func() {
				defer close(done)
				do(t, f.h, "POST", "/v1/ask", `{"question":"hold the slot"}`, auth...)
			}()
			<-f.asker.started
			return func() { close(f.asker.gate); <-done }
		}},
	}
	seen := map[string]map[int]bool{} // "GET /v1/changes" → statuses
	// bodies are what each POST route accepts, so that it gets past
	// decoding to the statuses of its work.
	bodies := map[string]string{
		"POST /v1/ingest":        `{"repo":"acme/shop"}`,
		"POST /v1/subscriptions": `{"destination":{"kind":"webhook","url":"https://hooks.example.com/x"},"schedule":"weekly"}`,
		"POST /v1/watches":       `{"destination":{"kind":"webhook","url":"https://hooks.example.com/x"},"target":"spec/*.md"}`,
	}
	var documented map[string]map[string]map[string]any
	param := regexp.MustCompile(`[:*]([a-z]+)`)
	for _, st := range states {
		f := newFixture(t, func(c *api.Config, f *fixture) {
			c.Tokens = []string{token}
			if st.edit != nil {
				st.edit(c, f)
			}
		})
		if st.before != nil {
			undo := st.before(f)
			defer undo()
		}
		if documented == nil {
			var doc struct {
				Paths map[string]map[string]map[string]any `json:"paths"`
			}
			if err := json.Unmarshal(do(t, f.h, "GET", "/openapi.json", nil).Body.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			documented = doc.Paths
		}
		for _, r := range routesOf(f.h) {
			op := r.Method + " " + param.ReplaceAllString(r.Path, "{$1}")
			target := param.ReplaceAllStringFunc(r.Path, func(p string) string {
				if p[0] == '*' {
					return "spec/checkout.md"
				}
				return "x"
			})
			if seen[op] == nil {
				seen[op] = map[int]bool{}
			}
			var body any
			if r.Method != "GET" {
				body = cmp.Or(bodies[op], `{"question":"coupons?"}`)
			}
			note := func(w int) { seen[op][w] = true }
			note(do(t, f.h, r.Method, target+"?q=coupons", body, auth...).Code)
			note(do(t, f.h, r.Method, target+"?q=coupons", body).Code)
			note(do(t, f.h, r.Method, target+"?since=%zz", body, auth...).Code)
			note(do(t, f.h, r.Method, target+"?since=yesterday&period=x", body, auth...).Code)
			wrong := "DELETE"
			if r.Method == "DELETE" {
				wrong = "PUT"
			}
			if w := do(t, f.h, wrong, target, nil, auth...); w.Code != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d, want 405", wrong, target, w.Code)
			} else {
				note(w.Code)
			}
			if r.Method == "POST" {
				note(do(t, f.h, r.Method, target, "question=x", append([]string{"Content-Type", "text/plain"}, auth...)...).Code)
				note(do(t, f.h, r.Method, target, strings.Repeat("x", api.MaxWebhookBytes+1), auth...).Code)
				note(do(t, f.h, r.Method, target, "{", auth...).Code)
			}
		}
	}
	// The states above do reach the statuses they are there for: a test
	// that provoked none of them would pass with any document.
	for op, want := range map[string][]int{
		"POST /v1/ask":         {200, 401, 405, 413, 415, 429, 503, 504},
		"GET /v1/changes":      {200, 400, 401, 405, 503, 504},
		"GET /v1/timeline":     {400, 501, 503, 504},
		"POST /v1/ingest":      {202, 413, 415, 501},
		"GET /readyz":          {200, 503},
		"GET /v1/specs/{path}": {200, 400, 503, 504},
	} {
		for _, code := range want {
			if !seen[op][code] {
				t.Errorf("%s never answered %d: the test no longer provokes it", op, code)
			}
		}
	}
	for op, statuses := range seen {
		method, path, _ := strings.Cut(op, " ")
		resp, _ := documented[path][strings.ToLower(method)]["responses"].(map[string]any)
		if resp == nil {
			t.Errorf("%s is not documented", op)
			continue
		}
		for _, must := range []int{400, 405} {
			statuses[must] = true
		}
		var missing []int
		for s := range statuses {
			_, ok := resp[strconv.Itoa(s)]
			if _, any := resp["default"]; any && s != 400 && s != 405 {
				ok = true // the web page and mounted routes say "an HTML page" or "defined by the extension"
			}
			if !ok {
				missing = append(missing, s)
			}
		}
		slices.Sort(missing)
		if len(missing) > 0 {
			t.Errorf("%s answered %v, which /openapi.json does not document", op, missing)
		}
	}
}

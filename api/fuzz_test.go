package api_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// checkResponse asserts what holds for any request: no 500 for client
// input, and a JSON error body on every failure.
func checkResponse(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code >= 500 {
		t.Fatalf("status %d for client input: %s", w.Code, w.Body.String())
	}
	if w.Code >= 400 {
		errorOf(t, w)
		return
	}
	if strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") && !json.Valid(w.Body.Bytes()) {
		t.Fatalf("status %d with invalid JSON: %q", w.Code, w.Body.String())
	}
}

// FuzzAskBody sends arbitrary bodies and content types to /v1/ask. Seeds
// are in testdata/fuzz/FuzzAskBody.
func FuzzAskBody(f *testing.F) {
	f.Add([]byte(`{"question":"does checkout take coupons?"}`), "application/json")
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, body []byte, ctype string) {
		req := httptest.NewRequest("POST", "/v1/ask", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", ctype)
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, req)
		checkResponse(t, w)
	})
}

// FuzzQuery sends arbitrary query strings to the GET routes. Seeds are in
// testdata/fuzz/FuzzQuery.
func FuzzQuery(f *testing.F) {
	f.Add("/v1/changes", "since=2025-01-01&until=2025-03-01&repo=acme/shop")
	fx := newFixture(f)
	routes := []string{"/v1/changes", "/v1/timeline", "/v1/specs", "/v1/specs/spec/checkout.md"}
	f.Fuzz(func(t *testing.T, route, query string) {
		if !strings.HasPrefix(route, "/v1/") {
			route = routes[len(route)%len(routes)]
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.URL.Path, req.URL.RawQuery = route, query
		req.RequestURI = req.URL.RequestURI()
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, req)
		checkResponse(t, w)
	})
}

// Package apitest builds an api.Server for a test and drives an
// http.Handler from tests: one request in, one recorded response out,
// decoded as JSON, and the wait for a condition the handler reaches in
// the background. The api package's
// tests and the end-to-end tests (internal/e2e) share it.
package apitest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec/api"
)

// Serve builds an api.Server from cfg, shut down (within 10 seconds, or
// the test fails) when the test ends.
func Serve(t testing.TB, cfg api.Config) *api.Server {
	t.Helper()
	srv, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return srv
}

// Do serves one request to h and returns the recorded response. A string
// or []byte body is sent as JSON; header holds name, value pairs.
func Do(t testing.TB, h http.Handler, method, target string, body any, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, target, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// ErrorDetail is the error of a JSON error body ({"error": {...}}).
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrorOf decodes an error body, failing unless it has the JSON error shape.
func ErrorOf(t testing.TB, w *httptest.ResponseRecorder) ErrorDetail {
	t.Helper()
	var e struct{ Error ErrorDetail }
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("status %d: body is not a JSON error: %q", w.Code, w.Body.String())
	}
	if !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("error Content-Type = %q", w.Header().Get("Content-Type"))
	}
	return e.Error
}

// WantError checks status, code and that the message mentions each of
// the given fragments.
func WantError(t testing.TB, w *httptest.ResponseRecorder, status int, code string, mentions ...string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d; body %s", w.Code, status, w.Body.String())
	}
	e := ErrorOf(t, w)
	if e.Code != code {
		t.Fatalf("code = %q, want %q (%s)", e.Code, code, e.Message)
	}
	for _, m := range mentions {
		if !strings.Contains(e.Message, m) {
			t.Fatalf("message %q does not mention %q", e.Message, m)
		}
	}
}

// Decode decodes the response body as JSON into a T, failing the test
// when it is not one.
func Decode[T any](t testing.TB, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("status %d: %v: %q", w.Code, err, w.Body.String())
	}
	return v
}

// WaitUntil polls cond until it holds, failing the test after 10 seconds.
func WaitUntil(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// GitHubPush delivers a signed GitHub push event to /v1/webhooks/github.
func GitHubPush(t testing.TB, h http.Handler, secret, delivery, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	hs := append([]string{"X-GitHub-Event", "push", "X-GitHub-Delivery", delivery,
		"X-Hub-Signature-256", GitHubSignature(secret, body)}, header...)
	return Do(t, h, "POST", "/v1/webhooks/github", body, hs...)
}

// GitHubSignature is the X-Hub-Signature-256 GitHub sends with body.
func GitHubSignature(secret, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

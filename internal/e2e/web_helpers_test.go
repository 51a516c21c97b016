package e2e_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/sqlite"
)

// The history the tests' repository holds (all times UTC).
var (
	day1 = time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC)  // Monday: checkout and auth added
	day2 = time.Date(2025, 1, 15, 10, 0, 0, 0, time.UTC) // coupons rule changed (substantive)
	day3 = time.Date(2025, 1, 16, 10, 0, 0, 0, time.UTC) // auth typo fixed (editorial)
	day4 = time.Date(2025, 2, 4, 10, 0, 0, 0, time.UTC)  // docs/guide.md added
	now  = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
)

const (
	coupons1 = "No coupons are accepted."
	coupons2 = "One coupon per order is accepted at checkout."
)

// webFixture is an index built from a repository the test makes.
type webFixture struct {
	store livespec.Store
	repo  *gittest.Repo
}

func newWebFixture(t testing.TB) *webFixture {
	t.Helper()
	r := gittest.New(t, day1)
	r.Write("spec/checkout.md", "# Checkout\n\nPay by card. Sign in first: see [auth](auth.md#tokens).\n\n## Coupons\n\n"+coupons1+"\n")
	r.Write("spec/auth.md", "# Auth\n\n## Tokens\n\nTokens expire afer one hour.\n")
	r.Commit("checkout and auth specs")
	r.When = day2
	r.Write("spec/checkout.md", "# Checkout\n\nPay by card. Sign in first: see [auth](auth.md#tokens).\n\n## Coupons\n\n"+coupons2+"\n")
	r.Commit("allow one coupon")
	r.When = day3
	r.Write("spec/auth.md", "# Auth\n\n## Tokens\n\nTokens expire after one hour.\n")
	r.Commit("fix a typo")
	r.When = day4
	r.Write("docs/guide.md", "# Guide\n\nHow to pay with a coupon.\n")
	r.Commit("add the guide")
	return &webFixture{store: index(t, r), repo: r}
}

// index builds an index of r (as repository "shop") in the test's temp dir.
func index(t testing.TB, r *gittest.Repo) livespec.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "livespec.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := ingest.Run(t.Context(), st, ingest.Options{Repo: "shop", Dir: r.Dir}); err != nil {
		t.Fatal(err)
	}
	return st
}

// errs is a stand-in for the API's error mapping.
func errs(err error) (int, string) {
	switch livespec.ErrorCode(err) {
	case livespec.EINVALID:
		return http.StatusBadRequest, livespec.ErrorMessage(err)
	case livespec.ENOTFOUND:
		return http.StatusNotFound, livespec.ErrorMessage(err)
	}
	return http.StatusInternalServerError, "internal error"
}

// get serves one GET and returns the status and body.
func get(t testing.TB, h http.Handler, target string) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
	return w.Code, w.Body.String()
}

func post(t testing.TB, h http.Handler, target, ct, body string) *http.Response {
	t.Helper()
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", target, strings.NewReader(body))
	r.Header.Set("Content-Type", ct)
	h.ServeHTTP(w, r)
	return w.Result()
}

func readAll(t testing.TB, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var errBoom = errors.New("boom")

// pageCase is one request to a page and what its answer must hold.
type pageCase struct {
	name, target string
	code         int
	want         string
}

// pageCases runs each case as a subtest.
func pageCases(t *testing.T, h http.Handler, cases []pageCase) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			code, body := get(t, h, tt.target)
			if code != tt.code || !strings.Contains(body, tt.want) {
				t.Fatalf("status %d, want %d with %q:\n%s", code, tt.code, tt.want, body)
			}
		})
	}
}

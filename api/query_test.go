package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/livespec/livespec"
)

// TestMalformedQueryIs400OnEveryRoute sends query strings that do not
// parse to every route the server routes (so a route added later is
// covered): each answers 400 invalid naming the parameter, never a 200
// that silently dropped the client's filter.
func TestMalformedQueryIs400OnEveryRoute(t *testing.T) {
	f := newFixture(t)
	if err := f.srv.Mount("POST", "/slack/events", http.NotFoundHandler()); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`[:*][a-z]+`)
	for _, r := range routesOf(f.h) {
		target := param.ReplaceAllStringFunc(r.Path, func(p string) string {
			if p[0] == '*' {
				return "spec/checkout.md"
			}
			return "x"
		})
		var body any
		if r.Method != "GET" {
			body = `{}`
		}
		for _, tt := range []struct {
			name, query, param string
		}{
			{"bad escape in a value", "limit=1&since=%zz", "since"},
			{"bad escape in until", "until=2025-01-01%zz", "until"},
			{"run of percent signs", "cursor=%%%garbage", "cursor"},
			{"bad escape in period", "period=%zz", "period"},
			{"bad escape in at", "at=%zz", "at"},
			{"bad escape after a good filter", "q=server&since=%zz", "since"},
			{"bad escape in a name", "re%zzpo=acme", "re%zzpo"},
			{"semicolon separator", "at=2025-01-01;repo=acme/shop", "at"},
			{"truncated escape at the end", "repo=acme%2", "repo"},
		} {
			t.Run(r.Method+" "+r.Path+"/"+tt.name, func(t *testing.T) {
				w := do(t, f.h, r.Method, target+"?"+tt.query, body)
				if w.Code != http.StatusBadRequest {
					t.Fatalf("status %d, want 400: %s", w.Code, w.Body.String())
				}
				e := errorOf(t, w)
				if e.Code != livespec.EINVALID || !strings.HasPrefix(e.Message, tt.param+": ") {
					t.Fatalf("error %+v, want code invalid naming %q", e, tt.param)
				}
			})
		}
	}
}

// TestWellFormedQueryStillServes checks the query check refuses only what
// does not parse: escapes, '+' and empty pairs are fine.
func TestWellFormedQueryStillServes(t *testing.T) {
	f := newFixture(t)
	for _, target := range []string{
		"/v1/changes?since=2025-01-01&until=2025-03-31&repo=acme%2Fshop",
		"/v1/changes?&&path=spec%2F**&sections=true&",
		"/v1/timeline?q=coupon+rules&repo=acme/shop",
		"/v1/specs/spec/checkout.md?at=2025-02-01&repo=acme%2fshop",
		"/healthz?probe",
	} {
		if w := do(t, f.h, "GET", target, nil); w.Code != http.StatusOK {
			t.Errorf("GET %s: status %d: %s", target, w.Code, w.Body.String())
		}
	}
}

package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
)

// Example serves the API over an Asker and a Store and asks it a question,
// as `curl -H 'Content-Type: application/json' -d '{"question":"..."}'
// localhost:8080/v1/ask` would.
func Example() {
	srv, err := api.New(api.Config{
		Asker:  &fakeAsker{tokens: []string{"One coupon per order [1]."}},
		Store:  fixtureStore(),
		Tokens: []string{"dashboard-token"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown(context.Background())
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	req, _ := http.NewRequest("POST", ts.URL+"/v1/ask", strings.NewReader(`{"question":"Do we take coupons?"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer dashboard-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var ans livespec.Answer
	_ = json.NewDecoder(resp.Body).Decode(&ans)
	fmt.Println(resp.StatusCode, ans.Answer)
	fmt.Println(ans.Citations[0].Path, ans.Citations[0].Heading, ans.Citations[0].Commit)
	// Output:
	// 200 One coupon per order [1].
	// spec/checkout.md Checkout > Coupons c2
}

func BenchmarkAsk(b *testing.B) {
	f := newFixture(b, func(c *api.Config, _ *fixture) { c.MaxInFlight, c.MaxQueue = 64, 1024 })
	body := `{"question":"does checkout take coupons?"}`
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if w := do(b, f.h, "POST", "/v1/ask", body); w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}

func BenchmarkAskStream(b *testing.B) {
	f := newFixture(b, func(c *api.Config, _ *fixture) { c.MaxInFlight, c.MaxQueue = 64, 1024 })
	body := `{"question":"does checkout take coupons?"}`
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if w := do(b, f.h, "POST", "/v1/ask", body, "Accept", "text/event-stream"); w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}

func BenchmarkChanges(b *testing.B) {
	f := newFixture(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if w := do(b, f.h, "GET", "/v1/changes?since=2025-01-01&repo=acme/shop&limit=50", nil); w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}

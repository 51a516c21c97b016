package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/apitest"
	"github.com/livespec/livespec/internal/e2e"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/push"
	"github.com/livespec/livespec/retrieval"
)

// pushFixture is an api.Server over a SQLite index of two repositories,
// acme/shop and acme/docs, each with docs/checkout.md.
type pushFixture struct {
	h     http.Handler
	store livespec.Store
}

// newPushFixture builds the server; edit adjusts its Config first (the
// push service, the tokens).
func newPushFixture(t testing.TB, edit ...func(*api.Config, *pushFixture)) *pushFixture {
	t.Helper()
	idx := e2e.Open(t)
	for _, name := range []string{"acme/shop", "acme/docs"} {
		r := gittest.New(t, time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC),
			gittest.Step{Msg: "checkout", Write: map[string]string{"docs/checkout.md": "# Checkout\n\nOne coupon per order.\n"}})
		if _, err := ingest.Run(context.Background(), idx, ingest.Options{Repo: name, Dir: r.Dir}); err != nil {
			t.Fatal(err)
		}
	}
	f := &pushFixture{store: idx}
	cfg := api.Config{Asker: &retrieval.Assistant{Store: idx}, Store: idx}
	for _, e := range edit {
		e(&cfg, f)
	}
	f.h = apitest.Serve(t, cfg).Handler()
	return f
}

// TestSubscriptionsBelongToTheirToken checks, with named tokens of
// limited scope, that one token neither sees nor deletes another's
// subscriptions, may not subscribe to a repository outside its scope (the
// same 404 as an unknown one), and needs the subscribe right at all.
func TestSubscriptionsBelongToTheirToken(t *testing.T) {
	st := openPush(t)
	shop, _ := livespec.ScopeOf("acme/shop")
	docs, _ := livespec.ScopeOf("acme/docs")
	callers := map[string]livespec.Caller{
		"shop-tok": {Name: "shop", Scope: shop, Subscribe: true},
		"docs-tok": {Name: "docs", Scope: docs, Subscribe: true},
		"read-tok": {Name: "reader", Scope: docs},
	}
	f := newPushFixture(t, func(c *api.Config, f *pushFixture) {
		svc, err := push.New(push.Config{Store: st, Index: f.store, Assistant: &retrieval.Assistant{Store: f.store}})
		if err != nil {
			t.Fatal(err)
		}
		c.Push = svc
		c.Callers = func(tok string) (livespec.Caller, bool) { c, ok := callers[tok]; return c, ok }
	})
	as := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	w := apitest.Do(t, f.h, "POST", "/v1/subscriptions", `{"webhook_url":"https://hooks.example.test/shop","schedule":"daily","repos":["acme/shop"]}`, as("shop-tok")...)
	if w.Code != 201 {
		t.Fatalf("POST = %d %s", w.Code, w.Body)
	}
	var created struct{ Item livespec.Subscription }
	_ = json.Unmarshal(w.Body.Bytes(), &created)
	if created.Item.Dest.User != "shop" {
		t.Errorf("the subscription does not name its token: %+v", created.Item.Dest)
	}
	if w := apitest.Do(t, f.h, "GET", "/v1/subscriptions", nil, as("docs-tok")...); w.Code != 200 || strings.Contains(w.Body.String(), "hooks.example.test/shop") {
		t.Errorf("another token lists it: %d %s", w.Code, w.Body)
	}
	if w := apitest.Do(t, f.h, "GET", "/v1/subscriptions", nil, as("shop-tok")...); !strings.Contains(w.Body.String(), "hooks.example.test/shop") {
		t.Errorf("its token does not list it: %s", w.Body)
	}
	apitest.WantError(t, apitest.Do(t, f.h, "DELETE", "/v1/subscriptions/"+itoa(created.Item.ID), nil, as("docs-tok")...), 404, livespec.ENOTFOUND)
	outside := apitest.Do(t, f.h, "POST", "/v1/subscriptions", `{"webhook_url":"https://hooks.example.test/d","schedule":"daily","repos":["acme/shop"]}`, as("docs-tok")...)
	unknown := apitest.Do(t, f.h, "POST", "/v1/subscriptions", `{"webhook_url":"https://hooks.example.test/d","schedule":"daily","repos":["acme/nope"]}`, as("docs-tok")...)
	if outside.Code != 404 || unknown.Code != 404 || apitest.ErrorOf(t, outside).Code != apitest.ErrorOf(t, unknown).Code {
		t.Errorf("a repository outside the scope: %d %s; unknown: %d %s", outside.Code, outside.Body, unknown.Code, unknown.Body)
	}
	apitest.WantError(t, apitest.Do(t, f.h, "GET", "/v1/watches", nil, as("read-tok")...), 403, api.EFORBIDDEN)
	if w := apitest.Do(t, f.h, "DELETE", "/v1/subscriptions/"+itoa(created.Item.ID), nil, as("shop-tok")...); w.Code != 204 {
		t.Errorf("its token cannot delete it: %d %s", w.Code, w.Body)
	}
}

func TestSubscriptionsAndWatches(t *testing.T) {
	st := openPush(t)
	f := newPushFixture(t, func(c *api.Config, f *pushFixture) {
		svc, err := push.New(push.Config{Store: st, Index: f.store, Assistant: &retrieval.Assistant{Store: f.store},
			Now: func() time.Time { return time.Date(2025, 5, 14, 12, 0, 0, 0, time.UTC) }})
		if err != nil {
			t.Fatal(err)
		}
		c.Push, c.Tokens = svc, []string{"tok"}
	})
	auth := []string{"Authorization", "Bearer tok"}

	t.Run("create, list and delete a subscription", func(t *testing.T) {
		w := apitest.Do(t, f.h, "POST", "/v1/subscriptions", `{"webhook_url":"https://hooks.example.test/x","schedule":"weekly mon 09:00 Europe/Berlin"}`, auth...)
		if w.Code != 201 {
			t.Fatalf("POST = %d %s", w.Code, w.Body)
		}
		var created struct {
			Item   livespec.Subscription
			Secret string
		}
		if err := json.Unmarshal(w.Body.Bytes(), &created); err != nil {
			t.Fatal(err)
		}
		if len(created.Secret) < 32 || created.Item.ID == 0 || !created.Item.Next.Equal(time.Date(2025, 5, 19, 7, 0, 0, 0, time.UTC)) {
			t.Errorf("created = %+v", created)
		}
		w = apitest.Do(t, f.h, "GET", "/v1/subscriptions", nil, auth...)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"schedule":"weekly mon 09:00 Europe/Berlin"`) || strings.Contains(w.Body.String(), created.Secret) {
			t.Errorf("GET = %d %s", w.Code, w.Body)
		}
		if w := apitest.Do(t, f.h, "DELETE", "/v1/subscriptions/"+itoa(created.Item.ID), nil, auth...); w.Code != 204 {
			t.Errorf("DELETE = %d %s", w.Code, w.Body)
		}
		if w := apitest.Do(t, f.h, "DELETE", "/v1/subscriptions/"+itoa(created.Item.ID), nil, auth...); w.Code != 404 {
			t.Errorf("second DELETE = %d %s", w.Code, w.Body)
		}
	})

	t.Run("watches", func(t *testing.T) {
		w := apitest.Do(t, f.h, "POST", "/v1/watches", `{"slack_channel":"C1","target":"docs/checkout.md"}`, auth...)
		if w.Code != 201 || !strings.Contains(w.Body.String(), `"target":"docs/checkout.md"`) {
			t.Fatalf("POST = %d %s", w.Code, w.Body)
		}
		w = apitest.Do(t, f.h, "GET", "/v1/watches", nil, auth...)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"channel":"C1"`) {
			t.Errorf("GET = %d %s", w.Code, w.Body)
		}
	})

	for _, tc := range []struct {
		name, method, path, body string
		header                   []string
		status                   int
	}{
		{"no token", "GET", "/v1/subscriptions", "", nil, 401},
		{"bad schedule", "POST", "/v1/subscriptions", `{"webhook_url":"https://h.example.test","schedule":"fortnightly"}`, auth, 400},
		{"no destination", "POST", "/v1/subscriptions", `{"schedule":"daily"}`, auth, 400},
		{"not a URL", "POST", "/v1/subscriptions", `{"webhook_url":"ftp://x","schedule":"daily"}`, auth, 400},
		{"unknown field", "POST", "/v1/watches", `{"slack_channel":"C1","target":"x","color":"red"}`, auth, 400},
		{"empty target", "POST", "/v1/watches", `{"slack_channel":"C1","target":" "}`, auth, 400},
		{"bad id", "DELETE", "/v1/watches/abc", "", auth, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			if w := apitest.Do(t, f.h, tc.method, tc.path, body, tc.header...); w.Code != tc.status {
				t.Errorf("%s %s = %d %s, want %d", tc.method, tc.path, w.Code, w.Body, tc.status)
			}
		})
	}

	t.Run("not configured", func(t *testing.T) {
		g := newPushFixture(t)
		if w := apitest.Do(t, g.h, "GET", "/v1/watches", nil); w.Code != 501 {
			t.Errorf("GET without push = %d, want 501", w.Code)
		}
	})
}

// openPush opens a fresh SQLite push store, closed when the test ends.
func openPush(t testing.TB) *sqlite.PushStore {
	t.Helper()
	st, err := sqlite.OpenPush(context.Background(), filepath.Join(t.TempDir(), sqlite.PushFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

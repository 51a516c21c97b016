package api_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/push"
	"github.com/livespec/livespec/retrieval"
)

// TestSubscriptionsBelongToTheirToken checks, with named tokens of
// limited scope, that one token neither sees nor deletes another's
// subscriptions, may not subscribe to a repository outside its scope (the
// same 404 as an unknown one), and needs the subscribe right at all.
func TestSubscriptionsBelongToTheirToken(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.OpenPush(ctx, filepath.Join(t.TempDir(), sqlite.PushFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	shop, _ := livespec.ScopeOf("acme/shop")
	docs, _ := livespec.ScopeOf("acme/docs")
	callers := map[string]livespec.Caller{
		"shop-tok": {Name: "shop", Scope: shop, Subscribe: true},
		"docs-tok": {Name: "docs", Scope: docs, Subscribe: true},
		"read-tok": {Name: "reader", Scope: docs},
	}
	f := newFixture(t, func(c *api.Config, f *fixture) {
		svc, err := push.New(push.Config{Store: st, Index: f.store, Assistant: &retrieval.Assistant{Store: f.store}})
		if err != nil {
			t.Fatal(err)
		}
		c.Push = svc
		c.Callers = func(tok string) (livespec.Caller, bool) { c, ok := callers[tok]; return c, ok }
	})
	as := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	w := do(t, f.h, "POST", "/v1/subscriptions", `{"webhook_url":"https://hooks.example.test/shop","schedule":"daily","repos":["acme/shop"]}`, as("shop-tok")...)
	if w.Code != 201 {
		t.Fatalf("POST = %d %s", w.Code, w.Body)
	}
	var created struct{ Item livespec.Subscription }
	_ = json.Unmarshal(w.Body.Bytes(), &created)
	if created.Item.Dest.User != "shop" {
		t.Errorf("the subscription does not name its token: %+v", created.Item.Dest)
	}
	if w := do(t, f.h, "GET", "/v1/subscriptions", nil, as("docs-tok")...); w.Code != 200 || strings.Contains(w.Body.String(), "hooks.example.test/shop") {
		t.Errorf("another token lists it: %d %s", w.Code, w.Body)
	}
	if w := do(t, f.h, "GET", "/v1/subscriptions", nil, as("shop-tok")...); !strings.Contains(w.Body.String(), "hooks.example.test/shop") {
		t.Errorf("its token does not list it: %s", w.Body)
	}
	wantError(t, do(t, f.h, "DELETE", "/v1/subscriptions/"+itoa(created.Item.ID), nil, as("docs-tok")...), 404, livespec.ENOTFOUND)
	outside := do(t, f.h, "POST", "/v1/subscriptions", `{"webhook_url":"https://hooks.example.test/d","schedule":"daily","repos":["acme/shop"]}`, as("docs-tok")...)
	unknown := do(t, f.h, "POST", "/v1/subscriptions", `{"webhook_url":"https://hooks.example.test/d","schedule":"daily","repos":["acme/nope"]}`, as("docs-tok")...)
	if outside.Code != 404 || unknown.Code != 404 || errorOf(t, outside).Code != errorOf(t, unknown).Code {
		t.Errorf("a repository outside the scope: %d %s; unknown: %d %s", outside.Code, outside.Body, unknown.Code, unknown.Body)
	}
	wantError(t, do(t, f.h, "GET", "/v1/watches", nil, as("read-tok")...), 403, api.EFORBIDDEN)
	if w := do(t, f.h, "DELETE", "/v1/subscriptions/"+itoa(created.Item.ID), nil, as("shop-tok")...); w.Code != 204 {
		t.Errorf("its token cannot delete it: %d %s", w.Code, w.Body)
	}
}

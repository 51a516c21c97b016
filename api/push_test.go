package api_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/push"
	"github.com/livespec/livespec/retrieval"
)

func TestSubscriptionsAndWatches(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.OpenPush(ctx, filepath.Join(t.TempDir(), sqlite.PushFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := newFixture(t, func(c *api.Config, f *fixture) {
		svc, err := push.New(push.Config{Store: st, Index: f.store, Assistant: &retrieval.Assistant{Store: f.store},
			Now: func() time.Time { return time.Date(2025, 5, 14, 12, 0, 0, 0, time.UTC) }})
		if err != nil {
			t.Fatal(err)
		}
		c.Push, c.Tokens = svc, []string{"tok"}
	})
	auth := []string{"Authorization", "Bearer tok"}

	t.Run("create, list and delete a subscription", func(t *testing.T) {
		w := do(t, f.h, "POST", "/v1/subscriptions", `{"webhook_url":"https://hooks.example.test/x","schedule":"weekly mon 09:00 Europe/Berlin"}`, auth...)
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
		w = do(t, f.h, "GET", "/v1/subscriptions", nil, auth...)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"schedule":"weekly mon 09:00 Europe/Berlin"`) || strings.Contains(w.Body.String(), created.Secret) {
			t.Errorf("GET = %d %s", w.Code, w.Body)
		}
		if w := do(t, f.h, "DELETE", "/v1/subscriptions/"+itoa(created.Item.ID), nil, auth...); w.Code != 204 {
			t.Errorf("DELETE = %d %s", w.Code, w.Body)
		}
		if w := do(t, f.h, "DELETE", "/v1/subscriptions/"+itoa(created.Item.ID), nil, auth...); w.Code != 404 {
			t.Errorf("second DELETE = %d %s", w.Code, w.Body)
		}
	})

	t.Run("watches", func(t *testing.T) {
		w := do(t, f.h, "POST", "/v1/watches", `{"slack_channel":"C1","target":"docs/checkout.md"}`, auth...)
		if w.Code != 201 || !strings.Contains(w.Body.String(), `"target":"docs/checkout.md"`) {
			t.Fatalf("POST = %d %s", w.Code, w.Body)
		}
		w = do(t, f.h, "GET", "/v1/watches", nil, auth...)
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
			if w := do(t, f.h, tc.method, tc.path, body, tc.header...); w.Code != tc.status {
				t.Errorf("%s %s = %d %s, want %d", tc.method, tc.path, w.Code, w.Body, tc.status)
			}
		})
	}

	t.Run("not configured", func(t *testing.T) {
		g := newFixture(t)
		if w := do(t, g.h, "GET", "/v1/watches", nil); w.Code != 501 {
			t.Errorf("GET without push = %d, want 501", w.Code)
		}
	})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

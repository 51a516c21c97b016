package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/apitest"
	"github.com/livespec/livespec/internal/e2e"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// TestEndToEnd runs the API over the real SQLite store, ingest and
// retrieval: ingest by API call, read a file as of a date, changes,
// timeline, ask, then a new commit ingested by a GitHub push.
func TestEndToEnd(t *testing.T) {
	repo := gittest.New(t, time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC))
	checkout1 := "# Checkout\n\nPay by card.\n\n## Coupons\n\nNo coupons are accepted.\n"
	repo.Write("spec/checkout.md", checkout1)
	repo.Commit("checkout spec")
	repo.When = time.Date(2025, 2, 1, 12, 0, 0, 0, time.UTC)
	checkout2 := "# Checkout\n\nPay by card.\n\n## Coupons\n\nOne coupon per order is accepted.\n"
	repo.Write("spec/checkout.md", checkout2)
	repo.Commit("allow one coupon")

	st := e2e.Open(t)
	ing := api.IngestFunc(func(ctx context.Context, name string, progress func(done, total int)) (any, error) {
		return ingest.Run(ctx, st, ingest.Options{Repo: name, Dir: repo.Dir, Branch: "main",
			Progress: func(p ingest.Progress) { progress(p.Done, p.Total) }})
	})
	asst := &retrieval.Assistant{Store: st, Now: func() time.Time { return time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) }}
	srv, err := api.New(api.Config{
		Asker: asst, Store: st, Ingester: ing, ParsePeriod: retrieval.ParsePeriod,
		Repos:    []api.RepoSource{{Name: "shop", URLs: []string{"https://github.com/acme/shop"}, Branch: "main"}},
		Webhooks: api.Webhooks{GitHubSecret: "s"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	h := srv.Handler()

	if w := apitest.Do(t, h, "GET", "/readyz", nil); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz before any ingest: %d, want 503", w.Code)
	}
	job := apitest.Decode[api.Job](t, apitest.Do(t, h, "POST", "/v1/ingest", `{}`))
	if got := waitJobIn(t, h, job.ID); got.State != api.JobSucceeded || got.Done != got.Total || got.Total != 2 {
		t.Fatalf("ingest job = %+v", got)
	}
	if w := apitest.Do(t, h, "GET", "/readyz", nil); w.Code != 200 {
		t.Fatalf("readyz after ingest: %d %s", w.Code, w.Body.String())
	}

	for _, tt := range []struct{ at, want string }{
		{"2025-01-20", checkout1},
		{"", checkout2},
	} {
		w := apitest.Do(t, h, "GET", "/v1/specs/spec/checkout.md?at="+tt.at, nil)
		st := apitest.Decode[api.SpecText](t, w)
		if w.Code != 200 || st.Text != strings.TrimSpace(tt.want) {
			t.Fatalf("checkout.md at %q: status %d text %q, want %q", tt.at, w.Code, st.Text, strings.TrimSpace(tt.want))
		}
	}
	tree := apitest.Decode[api.SpecTree](t, apitest.Do(t, h, "GET", "/v1/specs", nil))
	if len(tree.Files) != 1 || strings.Join(tree.Files[0].Headings, "|") != "Checkout|Checkout > Coupons" {
		t.Fatalf("tree = %+v", tree)
	}

	page := apitest.Decode[api.ChangesPage](t, apitest.Do(t, h, "GET", "/v1/changes?since=2025-02-01&until=2025-02-01", nil))
	var kinds []string
	for _, c := range page.Changes {
		kinds = append(kinds, string(c.Kind)+" "+c.Heading)
	}
	if strings.Join(kinds, "|") != "modified |modified Checkout > Coupons" {
		t.Fatalf("changes on 2025-02-01 = %q", kinds)
	}

	tl := apitest.Decode[livespec.Timeline](t, apitest.Do(t, h, "GET", "/v1/timeline?path=spec/checkout.md&heading=Checkout+%3E+Coupons", nil))
	if len(tl.Events) != 2 || tl.Events[0].Kind != livespec.Added || tl.Events[1].Kind != livespec.Modified {
		t.Fatalf("timeline = %+v", tl.Events)
	}

	w := apitest.Do(t, h, "POST", "/v1/ask", `{"question":"How many coupons per order?"}`)
	ans := apitest.Decode[livespec.Answer](t, w)
	// What the answer says is retrieval's business; the API carries the
	// contract.
	if w.Code != 200 || ans.Question != "How many coupons per order?" || ans.Model.Generator == "" || ans.Answer == "" {
		t.Fatalf("ask: %d %+v", w.Code, ans)
	}

	// A push lands a new commit; the webhook ingests it.
	repo.When = time.Date(2025, 2, 20, 12, 0, 0, 0, time.UTC)
	repo.Write("spec/auth.md", "# Auth\n\nTokens expire after one hour.\n")
	repo.Commit("auth spec")
	res := apitest.Decode[api.HookResult](t, apitest.GitHubPush(t, h, "s", "delivery-1",
		`{"ref":"refs/heads/main","repository":{"full_name":"acme/shop","html_url":"https://github.com/acme/shop"}}`))
	if len(res.Jobs) != 1 {
		t.Fatalf("push: %+v", res)
	}
	if got := waitJobIn(t, h, res.Jobs[0].ID); got.State != api.JobSucceeded || got.Total != 1 {
		t.Fatalf("incremental ingest job = %+v", got)
	}
	auth := apitest.Decode[api.SpecText](t, apitest.Do(t, h, "GET", "/v1/specs/spec/auth.md", nil))
	if auth.Text != "# Auth\n\nTokens expire after one hour." || auth.Commit != repo.Head() {
		t.Fatalf("auth.md after the push = %+v", auth)
	}
}

func waitJobIn(t testing.TB, h http.Handler, id string) api.Job {
	t.Helper()
	var job api.Job
	apitest.WaitUntil(t, func() bool {
		job = apitest.Decode[api.Job](t, apitest.Do(t, h, "GET", "/v1/ingest/"+id, nil))
		return job.State != api.JobRunning && job.State != api.JobQueued
	})
	return job
}

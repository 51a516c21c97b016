package api_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
)

func changeIDs(cs []livespec.AnswerChange) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Commit + ":" + c.Path + "#" + c.Heading
	}
	return out
}

func TestChanges(t *testing.T) {
	for _, tt := range []struct {
		name  string
		query string
		want  []string
	}{
		{"all history", "", []string{
			"c1:spec/checkout.md#", "c1:spec/checkout.md#Checkout", "c1:spec/checkout.md#Checkout > Coupons",
			"c3:spec/auth.md#", "c3:spec/auth.md#Auth", "d1:spec/auth.md#",
			"c2:spec/checkout.md#", "c2:spec/checkout.md#Checkout > Coupons"}},
		{"dates, until inclusive", "since=2025-02-01&until=2025-03-01", []string{
			"c3:spec/auth.md#", "c3:spec/auth.md#Auth", "d1:spec/auth.md#"}},
		{"RFC 3339, until exclusive", "since=2025-02-01T00:00:00Z&until=2025-03-01T12:00:00Z", []string{
			"c3:spec/auth.md#", "c3:spec/auth.md#Auth"}},
		{"period", "period=last+quarter", []string{
			"c1:spec/checkout.md#", "c1:spec/checkout.md#Checkout", "c1:spec/checkout.md#Checkout > Coupons",
			"c3:spec/auth.md#", "c3:spec/auth.md#Auth", "d1:spec/auth.md#"}},
		{"repo", "repo=acme/docs", []string{"d1:spec/auth.md#"}},
		{"path glob, files only", "path=spec/check*.md&sections=false", []string{"c1:spec/checkout.md#", "c2:spec/checkout.md#"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			w := do(t, f.h, "GET", "/v1/changes?"+tt.query, nil)
			page := decode[api.ChangesPage](t, w)
			if w.Code != 200 || !slices.Equal(changeIDs(page.Changes), tt.want) || page.NextCursor != "" {
				t.Fatalf("status %d, changes %q (next %q), want %q", w.Code, changeIDs(page.Changes), page.NextCursor, tt.want)
			}
		})
	}
}

func TestChangesWindowIsEchoed(t *testing.T) {
	f := newFixture(t)
	w := do(t, f.h, "GET", "/v1/changes?period=last+quarter&now=2025-05-15", nil)
	if !strings.Contains(w.Body.String(), `{"from":"2025-01-01T00:00:00Z","to":"2025-04-01T00:00:00Z","changes":[`) {
		t.Fatalf("window not echoed: %s", w.Body.String())
	}
	if f.periods[len(f.periods)-1] != "last quarter" {
		t.Fatalf("ParsePeriod got %q", f.periods)
	}
}

func TestChangesPagination(t *testing.T) {
	f := newFixture(t)
	all := decode[api.ChangesPage](t, do(t, f.h, "GET", "/v1/changes", nil)).Changes
	var paged []livespec.AnswerChange
	cursor, pages := "", 0
	for {
		w := do(t, f.h, "GET", "/v1/changes?limit=3&cursor="+url.QueryEscape(cursor), nil)
		p := decode[api.ChangesPage](t, w)
		if w.Code != 200 || len(p.Changes) > 3 {
			t.Fatalf("page %d: status %d, %d changes", pages, w.Code, len(p.Changes))
		}
		paged = append(paged, p.Changes...)
		pages++
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if pages != 3 || !slices.Equal(changeIDs(paged), changeIDs(all)) {
		t.Fatalf("%d pages gave %q, want 3 pages giving %q", pages, changeIDs(paged), changeIDs(all))
	}
}

func TestChangesErrors(t *testing.T) {
	for _, tt := range []struct {
		name, query string
		status      int
		code        string
		mentions    []string
	}{
		{"bad since", "since=last+week", 400, livespec.EINVALID, []string{"since", "YYYY-MM-DD"}},
		{"bad until", "until=2025-13-01", 400, livespec.EINVALID, []string{"until"}},
		{"until before since", "since=2025-03-01&until=2025-02-01", 400, livespec.EINVALID, []string{"until", "after"}},
		{"period and since", "period=last+quarter&since=2025-01-01", 400, livespec.EINVALID, []string{"period"}},
		{"unparseable period", "period=the+blue+moon", 422, api.EUNPROCESSABLE, []string{"blue moon"}},
		{"bad now", "period=last+quarter&now=soon", 400, livespec.EINVALID, []string{"now"}},
		{"unknown repo", "repo=acme/nope", 404, livespec.ENOTFOUND, []string{"acme/nope"}},
		{"empty repo", "repo=", 400, livespec.EINVALID, []string{"repo"}},
		{"bad glob", "path=spec/[a", 400, livespec.EINVALID, []string{"path", "glob"}},
		{"bad limit", "limit=0", 400, livespec.EINVALID, []string{"limit", "2000"}},
		{"huge limit", "limit=99999999999999999999", 400, livespec.EINVALID, []string{"limit"}},
		{"bad sections", "sections=maybe", 400, livespec.EINVALID, []string{"sections"}},
		{"forged cursor", "cursor=not-a-cursor", 400, livespec.EINVALID, []string{"cursor"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			wantError(t, do(t, f.h, "GET", "/v1/changes?"+tt.query, nil), tt.status, tt.code, tt.mentions...)
		})
	}
	t.Run("store down", func(t *testing.T) {
		f := newFixture(t)
		f.store.setDown(true)
		wantError(t, do(t, f.h, "GET", "/v1/changes", nil), 503, livespec.EUNAVAILABLE)
	})
	t.Run("no period parser", func(t *testing.T) {
		f := newFixture(t, func(c *api.Config, _ *fixture) { c.ParsePeriod = nil })
		wantError(t, do(t, f.h, "GET", "/v1/changes?period=last+quarter", nil), 501, api.ENOTCONFIGURED, "since")
	})
}

func TestTimeline(t *testing.T) {
	f := newFixture(t)
	w := do(t, f.h, "GET", "/v1/timeline?q=coupons&repo=acme/shop&since=2025-01-01", nil)
	tl := decode[livespec.Timeline](t, w)
	if w.Code != 200 || len(tl.Events) != 1 || !tl.Events[0].FirstMention {
		t.Fatalf("status %d timeline %+v", w.Code, tl)
	}
	q := f.hist.query
	if q.Topic != "coupons" || !slices.Equal(q.Repos, []string{"acme/shop"}) || q.Window == nil || !q.Window.From.Equal(day("2025-01-01").Add(-12*60*60*1e9)) {
		t.Fatalf("the Historian got %+v", q)
	}

	w = do(t, f.h, "GET", "/v1/timeline?path=spec/checkout.md&heading=Checkout+%3E+Coupons", nil)
	if w.Code != 200 || f.hist.query.Path != "spec/checkout.md" || f.hist.query.Heading != "Checkout > Coupons" {
		t.Fatalf("status %d, the Historian got %+v", w.Code, f.hist.query)
	}
}

func TestTimelineErrors(t *testing.T) {
	for _, tt := range []struct {
		name, query string
		status      int
		code        string
		mentions    []string
	}{
		{"nothing", "", 400, livespec.EINVALID, []string{"q", "path"}},
		{"heading without path", "heading=Auth", 400, livespec.EINVALID, []string{"heading", "path"}},
		{"glob path", "path=spec/*.md", 400, livespec.EINVALID, []string{"path"}},
		{"unknown path", "path=spec/nope.md", 404, livespec.ENOTFOUND, []string{"spec/nope.md"}},
		{"unknown repo", "q=x&repo=zzz", 404, livespec.ENOTFOUND, []string{"zzz"}},
		{"topic too long", "q=" + strings.Repeat("x", api.MaxQuestionRunes+1), 400, livespec.EINVALID, []string{"q"}},
		{"bad period", "q=x&period=whenever", 422, api.EUNPROCESSABLE, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			wantError(t, do(t, f.h, "GET", "/v1/timeline?"+tt.query, nil), tt.status, tt.code, tt.mentions...)
		})
	}
	t.Run("no historian", func(t *testing.T) {
		f := newFixture(t, func(c *api.Config, _ *fixture) { c.Historian = nil })
		wantError(t, do(t, f.h, "GET", "/v1/timeline?q=x", nil), 501, api.ENOTCONFIGURED)
	})
}

func TestSpecTree(t *testing.T) {
	f := newFixture(t)
	cur := decode[api.SpecTree](t, do(t, f.h, "GET", "/v1/specs?repo=acme/shop", nil))
	if len(cur.Files) != 2 || !cur.At.IsZero() {
		t.Fatalf("current tree = %+v", cur)
	}
	co := cur.Files[0]
	if co.Path != "spec/checkout.md" || co.Commit != "c2" || !co.Current ||
		!slices.Equal(co.Headings, []string{"Checkout", "Checkout > Coupons"}) {
		t.Fatalf("checkout.md now = %+v", co)
	}

	old := decode[api.SpecTree](t, do(t, f.h, "GET", "/v1/specs?repo=acme/shop&at=2025-01-31", nil))
	if len(old.Files) != 1 || old.Files[0].Commit != "c1" || old.Files[0].Current || old.Files[0].ValidTo.IsZero() {
		t.Fatalf("tree as of 2025-01-31 = %+v, want only checkout.md at c1", old)
	}
	// A date includes that day's commits: auth.md landed at noon on 2025-02-01.
	feb := decode[api.SpecTree](t, do(t, f.h, "GET", "/v1/specs?repo=acme/shop&at=2025-02-01", nil))
	if len(feb.Files) != 2 {
		t.Fatalf("tree as of 2025-02-01 has %d files, want 2", len(feb.Files))
	}
	all := decode[api.SpecTree](t, do(t, f.h, "GET", "/v1/specs?path=**/auth.md", nil))
	if len(all.Files) != 2 || all.Files[0].Repo == all.Files[1].Repo {
		t.Fatalf("auth.md across repos = %+v", all)
	}
}

func TestSpecFile(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		name, query, commit, text string
	}{
		{"current", "", "c2", "Checkout rules.\n\n# Checkout\nPay by card.\n\n## Coupons\nOne coupon per order."},
		{"as of a date", "?at=2025-03-01", "c1", "Checkout rules.\n\n# Checkout\nPay by card.\n\n## Coupons\nNo coupons."},
		{"as of the instant it changed", "?at=2025-04-02T12:00:00Z", "c2", "Checkout rules.\n\n# Checkout\nPay by card.\n\n## Coupons\nOne coupon per order."},
		{"just before", "?at=2025-04-02T11:59:59Z", "c1", "Checkout rules.\n\n# Checkout\nPay by card.\n\n## Coupons\nNo coupons."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, f.h, "GET", "/v1/specs/spec/checkout.md"+tt.query, nil)
			st := decode[api.SpecText](t, w)
			if w.Code != 200 || st.Commit != tt.commit || st.Text != tt.text || st.Repo != "acme/shop" {
				t.Fatalf("status %d: commit %q text %q, want %q %q", w.Code, st.Commit, st.Text, tt.commit, tt.text)
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		wantError(t, do(t, f.h, "GET", "/v1/specs/spec/nope.md", nil), 404, livespec.ENOTFOUND, "spec/nope.md")
		wantError(t, do(t, f.h, "GET", "/v1/specs/spec/auth.md?at=2024-12-31", nil), 404, livespec.ENOTFOUND, "as of")
		wantError(t, do(t, f.h, "GET", "/v1/specs/spec/auth.md", nil), 400, livespec.EINVALID, "acme/shop", "acme/docs")
		wantError(t, do(t, f.h, "GET", "/v1/specs/spec/checkout.md?at=March", nil), 400, livespec.EINVALID, "at")
		wantError(t, do(t, f.h, "GET", "/v1/specs/spec/checkout.md?repo=x", nil), 404, livespec.ENOTFOUND, "x")
		wantError(t, do(t, f.h, "GET", "/v1/specs/spec/*.md", nil), 404, livespec.ENOTFOUND) // a literal path, not a glob
	})
	t.Run("repo disambiguates", func(t *testing.T) {
		st := decode[api.SpecText](t, do(t, f.h, "GET", "/v1/specs/spec/auth.md?repo=acme/docs", nil))
		if st.Text != "# Auth\nSee shop." || st.Commit != "d1" {
			t.Fatalf("acme/docs auth.md = %+v", st)
		}
	})
}

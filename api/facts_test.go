package api_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
)

// withFacts gives the fixture's store the status history of two KEPs.
func withFacts(cfg *api.Config, f *fixture) {
	ch := func(n int, date, repo, path, field, prev, value string) livespec.FactChange {
		d, _ := time.Parse("2006-01-02", date)
		kind := livespec.Modified
		if prev == "" {
			kind = livespec.Added
		}
		return livespec.FactChange{ID: fmt.Sprintf("fc%02d", n), Repo: repo, Commit: fmt.Sprintf("c%02d", n), Date: d,
			Path: path, Field: field, Kind: kind, Value: value, Previous: prev}
	}
	f.store.fchanges = []livespec.FactChange{
		ch(1, "2025-01-10", "acme/shop", "keps/1/README.md", "stage", "", "alpha"),
		ch(2, "2025-01-10", "acme/shop", "keps/1/README.md", "status", "", "provisional"),
		ch(3, "2025-02-01", "acme/shop", "keps/2/README.md", "stage", "", "alpha"),
		ch(4, "2025-03-03", "acme/shop", "keps/1/README.md", "stage", "alpha", "beta"),
		ch(5, "2025-04-20", "acme/docs", "rfcs/7.md", "status", "draft", "Accepted"),
		ch(6, "2025-05-02", "acme/shop", "keps/2/README.md", "stage", "alpha", "beta"),
	}
}

func factIDs(fs []livespec.FactEvent) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Commit + ":" + f.Path + "#" + f.Field + "=" + f.Value
	}
	return out
}

func TestFacts(t *testing.T) {
	for _, tt := range []struct {
		name, query string
		want        []string
	}{
		{"stage reached beta", "field=Stage&value=BETA", []string{"c04:keps/1/README.md#stage=beta", "c06:keps/2/README.md#stage=beta"}},
		{"period and markup in the field name", "field=**Status**&period=last+quarter", []string{"c02:keps/1/README.md#status=provisional"}},
		{"since/until, repo", "since=2025-03-01&until=2025-04-30&repo=acme/docs", []string{"c05:rfcs/7.md#status=Accepted"}},
		{"path glob", "path=keps/2/*", []string{"c03:keps/2/README.md#stage=alpha", "c06:keps/2/README.md#stage=beta"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, withFacts)
			w := do(t, f.h, "GET", "/v1/facts?"+tt.query, nil)
			page := decode[api.FactsPage](t, w)
			if w.Code != 200 || !slices.Equal(factIDs(page.Facts), tt.want) || page.NextCursor != "" {
				t.Fatalf("status %d, facts %q (next %q), want %q", w.Code, factIDs(page.Facts), page.NextCursor, tt.want)
			}
		})
	}
}

func TestFactsPaging(t *testing.T) {
	f := newFixture(t, withFacts)
	var got []string
	cursor := ""
	for range 10 {
		w := do(t, f.h, "GET", "/v1/facts?limit=1&value=a&cursor="+url.QueryEscape(cursor), nil)
		page := decode[api.FactsPage](t, w)
		if w.Code != 200 {
			t.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
		got = append(got, factIDs(page.Facts)...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	want := []string{"c01:keps/1/README.md#stage=alpha", "c02:keps/1/README.md#status=provisional", "c03:keps/2/README.md#stage=alpha",
		"c04:keps/1/README.md#stage=beta", "c05:rfcs/7.md#status=Accepted", "c06:keps/2/README.md#stage=beta"}
	if !slices.Equal(got, want) {
		t.Fatalf("paged facts %q, want %q", got, want)
	}
	wantError(t, do(t, f.h, "GET", "/v1/facts?period=whenever", nil), 422, "unprocessable")
}

package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/retrieval"
)

// TestPushStateSurvivesRestarts opens serve's push state as serve does,
// for a SQLite and for a Qdrant deployment, stores a subscription and a
// watch, and opens it again as a restarted server would: both are there,
// in the file the spec names (beside the SQLite index; under the cache
// directory for Qdrant; --push-state when given).
func TestPushStateSurvivesRestarts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cache, index, named := t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "volume", "push.db")
	e := &env{getenv: func(k string) string { return map[string]string{"XDG_CACHE_HOME": cache}[k] }}
	idx, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	asst := &retrieval.Assistant{Store: idx}
	for _, tc := range []struct {
		name, store, index, state, want string
	}{
		{"sqlite", "sqlite", index, "", filepath.Join(index, sqlite.PushFile)},
		{"qdrant", "qdrant://qdrant.invalid:6334", "", "", filepath.Join(cache, "livespec", "state", sqlite.PushFile)},
		{"qdrant with --push-state", "qdrant://qdrant.invalid:6334", "", named, named},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sf := &storeFlags{index: &tc.index, store: &tc.store}
			on, retention, interval := true, "90d", "30s"
			pf := &pushFlags{on: &on, state: &tc.state, retention: &retention, interval: &interval}
			dest := livespec.Destination{Kind: livespec.DestSlack, Channel: "C" + tc.name}
			start := func() *pushSetup {
				p, err := pf.open(ctx, e, sf, "", idx, asst, "", "", nil, nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
			p := start()
			if _, err := p.svc.Subscribe(ctx, livespec.Subscription{Dest: dest, Schedule: "weekly mon 09:00 Europe/Berlin"}); err != nil {
				t.Fatal(err)
			}
			if _, err := p.svc.Watch(ctx, livespec.Watch{Dest: dest, Target: "docs/checkout.md"}); err != nil {
				t.Fatal(err)
			}
			p.store.Close() // the server stops
			p = start()
			defer p.store.Close()
			subs, err := p.svc.Subscriptions(ctx, dest)
			if err != nil || len(subs) != 1 || subs[0].Schedule != "weekly mon 09:00 Europe/Berlin" {
				t.Errorf("after a restart: subscriptions %+v, %v", subs, err)
			}
			ws, err := p.svc.Watches(ctx, dest)
			if err != nil || len(ws) != 1 || ws[0].Target != "docs/checkout.md" {
				t.Errorf("after a restart: watches %+v, %v", ws, err)
			}
			st, err := sqlite.OpenPush(ctx, tc.want)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if all, err := st.Watches(ctx); err != nil || len(all) != 1 {
				t.Errorf("%s holds watches %+v (%v), want the one stored", tc.want, all, err)
			}
		})
	}
}

// TestPushRetentionFlag reads --push-retention as days or a Go duration
// and refuses what is neither.
func TestPushRetentionFlag(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"90d", 90 * 24 * time.Hour},
		{"7d", 7 * 24 * time.Hour},
		{"720h", 720 * time.Hour},
		{" 30d ", 30 * 24 * time.Hour},
	} {
		if got, err := parseDays(tc.in); err != nil || got != tc.want {
			t.Errorf("parseDays(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "0d", "-3d", "1.5d", "ninety days", "-1h", "0"} {
		if _, err := parseDays(bad); livespec.ErrorCode(err) != livespec.EINVALID {
			t.Errorf("parseDays(%q) = %v, want an invalid error", bad, err)
		}
	}
}

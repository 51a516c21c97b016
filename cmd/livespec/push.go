package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/access"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/push"
	"github.com/livespec/livespec/retrieval"
)

// pushFlags choose where push state lives and how it runs.
type pushFlags struct {
	on        *bool
	state     *string
	retention *string
	interval  *string
}

func addPushFlags(f *flags) *pushFlags {
	return &pushFlags{
		on:        f.bool("push", true, "send digests, watch notifications and stale-answer notices (turn off on replicas that share no push state)"),
		state:     f.string("push-state", "", "push state file (subscriptions, watches, remembered answers, outbox); default: push.db beside the SQLite index, or under the cache directory for Qdrant"),
		retention: f.string("push-retention", "90d", "how long answers are remembered for stale-answer notices, e.g. 90d or 720h"),
		interval:  f.string("push-interval", "30s", "how often push looks for due digests and deliveries (it also looks after every ingest)"),
	}
}

// pushSetup is push as serve runs it.
type pushSetup struct {
	svc   *push.Service
	store *sqlite.PushStore
}

// open builds the push service, or returns nil when --push=false.
func (p *pushFlags) open(ctx context.Context, e *env, sf *storeFlags, root string, st livespec.Store, asst *retrieval.Assistant, slackToken, slackURL string, logger *slog.Logger, ingesting func(string) bool, policy *access.Policy) (*pushSetup, error) {
	if !*p.on {
		return nil, nil
	}
	retention, err := parseDays(*p.retention)
	if err != nil {
		return nil, livespec.Errorf(livespec.EINVALID, "--push-retention %q: want a duration such as 90d or 720h", *p.retention)
	}
	interval, err := time.ParseDuration(*p.interval)
	if err != nil || interval <= 0 {
		return nil, livespec.Errorf(livespec.EINVALID, "--push-interval %q: want a duration such as 30s", *p.interval)
	}
	path := *p.state
	if path == "" {
		if path, err = defaultPushState(e, sf, root); err != nil {
			return nil, err
		}
	}
	ps, err := sqlite.OpenPush(ctx, path)
	if err != nil {
		return nil, err
	}
	cfg := push.Config{Store: ps, Index: st, Assistant: asst, Logger: logger, Retention: retention, Interval: interval, Permalink: asst.Permalink, Ingesting: ingesting}
	if policy != nil {
		// Each destination reads as itself, and what is sent is checked
		// against its scope again when it is sent.
		cfg.Caller = policy.Destination
		cfg.Allow = func(_ context.Context, d livespec.Destination, repo string) bool {
			return policy.Destination(d).Scope.Allows(repo)
		}
	}
	if slackToken != "" {
		opts := []slack.Option{}
		if slackURL != "" {
			opts = append(opts, slack.OptionAPIURL(strings.TrimSuffix(slackURL, "/")+"/"))
		}
		cfg.Slack = slack.New(slackToken, opts...)
	}
	svc, err := push.New(cfg)
	if err != nil {
		ps.Close()
		return nil, err
	}
	return &pushSetup{svc: svc, store: ps}, nil
}

// defaultPushState is push.db beside the SQLite index, or in the cache
// directory for other stores.
func defaultPushState(e *env, sf *storeFlags, root string) (string, error) {
	if u := strings.TrimSpace(*sf.store); u == "" || u == "sqlite" {
		idx, err := indexFile(e.getenv, *sf.index, root)
		if err != nil {
			return "", err
		}
		return filepath.Join(filepath.Dir(idx), sqlite.PushFile), nil
	}
	c, err := cacheDir(e.getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(c, "state", sqlite.PushFile), nil
}

// parseDays reads a Go duration or a number of days ("90d").
func parseDays(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(strings.TrimSpace(s), "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 {
			return 0, livespec.Errorf(livespec.EINVALID, "not a number of days")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		return 0, livespec.Errorf(livespec.EINVALID, "not a duration")
	}
	return v, nil
}

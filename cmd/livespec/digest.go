package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/push"
	"github.com/livespec/livespec/retrieval"
)

func cmdDigest(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "digest", `digest (--period "last week" | --since DATE [--until DATE]) [--index DIR] [--repo NAME|DIR] [--path GLOB]... [--json|--html]`)
	sf := addStoreFlags(f)
	repo := f.string("repo", "", "repository: its name in the index, or its directory (then its default index is used)")
	period := f.string("period", "", `the period in words: "last week", "last quarter", "Q3 2025", "since March"`)
	since := f.string("since", "", "first day (UTC, inclusive): 2025-01-01, or an RFC 3339 time")
	until := f.string("until", "", "last day (UTC, inclusive; default today), or an RFC 3339 time")
	paths := f.list("path", nil, "only files matching this glob (new or old path)")
	asJSON := f.bool("json", false, "print the digest as JSON")
	asHTML := f.bool("html", false, "print the digest as an HTML page (for mail)")
	notable := f.string("notable", "0", "documents told in detail (0: the default, 8)")
	permalink := f.string("permalink", "", "link template, e.g. https://github.com/ORG/REPO/blob/{commit}/{path}#{anchor}")
	now := f.string("now", "", "the clock for relative periods such as 'last week' (default: the real time)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return livespec.Errorf(livespec.EINVALID, "digest: unexpected argument %q", pos[0])
	}
	if *asJSON && *asHTML {
		return livespec.Errorf(livespec.EINVALID, "digest: --json and --html exclude each other")
	}
	n, err := parseCount(*notable)
	if err != nil {
		return livespec.Errorf(livespec.EINVALID, "--notable %q: want a whole number", *notable)
	}
	clock, err := parseNow(*now)
	if err != nil {
		return err
	}
	w, err := digestWindow(*period, *since, *until, clock)
	if err != nil {
		return err
	}
	st, repos, err := openForRead(ctx, e, sf, *repo)
	if err != nil {
		return err
	}
	defer st.Close()
	a := &retrieval.Assistant{Store: st, Permalink: *permalink}
	d, err := a.Digest(ctx, livespec.DigestQuery{Window: w, Repos: repos, Paths: paths.vals, Notable: n, Permalink: *permalink})
	if err != nil {
		return err
	}
	switch {
	case *asJSON:
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	case *asHTML:
		return push.HTML(e.stdout, d)
	}
	_, err = fmt.Fprint(e.stdout, push.Markdown(d))
	return err
}

// digestWindow reads --period, or --since/--until as `livespec changes`
// does (whole UTC days, both inclusive).
func digestWindow(period, since, until string, now time.Time) (livespec.Window, error) {
	switch {
	case period != "" && (since != "" || until != ""):
		return livespec.Window{}, livespec.Errorf(livespec.EINVALID, "digest: give --period or --since/--until, not both")
	case period != "":
		w, err := retrieval.ParsePeriod(period, now)
		if err != nil {
			return livespec.Window{}, livespec.Errorf(livespec.EINVALID, "--period %q: want a period such as \"last week\", \"last quarter\" or \"Q3 2025\"", period)
		}
		return w, nil
	case since != "":
		return dayWindow(since, until, now)
	}
	return livespec.Window{}, livespec.Errorf(livespec.EINVALID, `digest: --period "last week" or --since DATE is required`)
}

func parseCount(s string) (int, error) {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n < 0 {
		return 0, fmt.Errorf("not a count")
	}
	return n, nil
}

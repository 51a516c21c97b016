package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/push"
	"github.com/livespec/livespec/retrieval"
)

// digestFlags are the flags of digest.
type digestFlags struct {
	store                      *storeFlags
	repo, period, since, until *string
	notable, permalink, now    *string
	paths                      *listValue
	asJSON, asHTML, plain      *bool
	statusWords                *string
}

func digestCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   `digest (--period "last week" | --since DATE [--until DATE]) [--index DIR] [--repo NAME|DIR] [--path GLOB]...`,
		Short: "a period's report: totals, notable changes by document, the rest in counts",
		Long: `Report a period's spec changes as a digest: totals that equal livespec changes, the
notable documents with what their text now says, the rest in counts. It reads an
existing index and never creates one.`,
		Example: `  livespec digest --repo . --period "last week"
  livespec digest --index ~/indexes/team --since 2025-07-01 --until 2025-09-30 --html > digest.html
  livespec digest --period "last quarter" --json`,
	}
	f := newFlags(e, c)
	o := &digestFlags{store: addStoreFlags(f)}
	o.repo = f.string("repo", "", "repository: its `NAME` in the index, or its directory (then its default index is used)")
	o.period = f.string("period", "", `the period in words: "last week", "last quarter", "Q3 2025", "since March"`)
	o.since = f.string("since", "", "first day (UTC, inclusive): 2025-01-01, or an RFC 3339 time (`DATE`)")
	o.until = f.string("until", "", "last day (UTC, inclusive; default today), or an RFC 3339 time (`DATE`)")
	o.paths = f.list("path", nil, "only files matching this glob (new or old path)")
	o.asJSON = f.bool("json", false, "print the digest as JSON")
	o.asHTML = f.bool("html", false, "print the digest as an HTML page (for mail)")
	o.plain = f.bool("plain", false, "print plain Markdown even on a terminal (the default when piped)")
	o.notable = f.string("notable", "0", "documents told in detail (`n`; 0: the default, 8)")
	o.permalink = f.string("permalink", "", "link `template`, e.g. https://github.com/ORG/REPO/blob/{commit}/{path}#{anchor}")
	o.now = f.string("now", "", "the clock for relative periods such as 'last week' (`DATE`; default: the real time)")
	o.statusWords = statusWordsFlag(f)
	c.RunE = func(c *cobra.Command, pos []string) error { return cmdDigest(c.Context(), e, o, pos) }
	return c
}

func cmdDigest(ctx context.Context, e *env, o *digestFlags, pos []string) error {
	sf, repo, period, since, until, paths := o.store, o.repo, o.period, o.since, o.until, o.paths
	asJSON, asHTML, notable, permalink, now := o.asJSON, o.asHTML, o.notable, o.permalink, o.now
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
	words, err := loadStatusWords(*o.statusWords)
	if err != nil {
		return err
	}
	st, repos, err := openForRead(ctx, e, sf, *repo)
	if err != nil {
		return err
	}
	defer st.Close()
	a := &retrieval.Assistant{Store: st, Permalink: *permalink, StatusWords: words}
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
	return writeMarkdown(e, push.Markdown(d), *o.plain)
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

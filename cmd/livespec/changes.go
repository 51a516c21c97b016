package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

// changesFlags are the flags of changes.
type changesFlags struct {
	store              *storeFlags
	repo, since, until *string
	now                *string
	paths              *listValue
	asJSON, sections   *bool
}

func changesCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "changes --since DATE [--until DATE] [--repo NAME|DIR] [--path GLOB]...",
		Short: "list what changed in the spec between two dates",
		Long: `List every change that landed between two whole UTC days (both inclusive), grouped
by file: files added, modified, renamed or removed, and the sections each commit touched.
It reads an existing index and never creates one: run livespec ingest first.`,
		Example: `  livespec changes --repo ~/src/specs --since 2025-07-01 --until 2025-09-30
  livespec changes --index ~/indexes/team --repo api-docs --since 2025-01-01 --path 'auth/**' --json
  livespec changes --since "last Monday"           # inside an ingested repository`,
	}
	f := newFlags(e, c)
	o := &changesFlags{store: addStoreFlags(f)}
	o.repo = f.string("repo", "", "repository: its `NAME` in the index, or its directory (then its default index is used)")
	o.since = f.string("since", "", "first day (UTC, inclusive): 2025-01-01, or an RFC 3339 time (`DATE`)")
	o.until = f.string("until", "", "last day (UTC, inclusive; default today), or an RFC 3339 time (`DATE`)")
	o.paths = f.list("path", nil, "only files matching this glob (new or old path)")
	o.asJSON = f.bool("json", false, "print JSON")
	o.sections = f.bool("sections", true, "include section-level events beside the file-level ones")
	o.now = f.string("now", "", "the clock for relative dates such as 'yesterday' (`DATE`; default: the real time)")
	c.RunE = func(c *cobra.Command, pos []string) error { return runChanges(c.Context(), e, o, pos) }
	return c
}

func runChanges(ctx context.Context, e *env, o *changesFlags, pos []string) error {
	if len(pos) > 0 {
		return livespec.Errorf(livespec.EINVALID, "changes: unexpected argument %q", pos[0])
	}
	clock, err := parseNow(*o.now)
	if err != nil {
		return err
	}
	if *o.since == "" {
		return livespec.Errorf(livespec.EINVALID, "changes: --since DATE is required (e.g. --since 2025-01-01)")
	}
	w, err := dayWindow(*o.since, *o.until, clock)
	if err != nil {
		return err
	}
	st, repos, err := openForRead(ctx, e, o.store, *o.repo)
	if err != nil {
		return err
	}
	defer st.Close()
	chs, err := st.Changes(ctx, livespec.ChangeQuery{Repos: repos, Paths: o.paths.vals, From: w.From, To: w.To, Sections: *o.sections})
	if err != nil {
		return err
	}
	// A long section stored in parts is one section: one event per commit,
	// as digests and change answers count it.
	chs = retrieval.MergeParts(chs)
	if *o.asJSON {
		return writeChangesJSON(e.stdout, w, chs)
	}
	writeChangesText(e.stdout, w, chs)
	return nil
}

// openForRead opens the index for a read command, which never creates
// one. repo is a repository name in the index, a repository directory, or
// "" (the repository around the working directory when --index is not
// given).
func openForRead(ctx context.Context, e *env, sf *storeFlags, repo string) (livespec.Store, []string, error) {
	root := ""
	var repos []string
	if repo != "" {
		if fi, err := os.Stat(repo); err == nil && fi.IsDir() {
			r, err := repoRoot(repo)
			if err != nil {
				return nil, nil, err
			}
			root = r
			repos = []string{repoName(r)}
		} else {
			repos = []string{repo}
		}
	} else if *sf.index == "" && sf.isSQLite() {
		r, err := repoRoot(".")
		if err != nil {
			return nil, nil, livespec.Errorf(livespec.EINVALID, "no index: pass --index DIR, or --repo DIR, or run inside an ingested repository")
		}
		root = r
	}
	st, err := sf.openExisting(ctx, e, root)
	if err != nil {
		return nil, nil, err
	}
	if err := checkRepos(ctx, st, repos); err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, repos, nil
}

// checkRepos turns a repository name the index does not hold into a clear
// error listing the ones it holds.
func checkRepos(ctx context.Context, st livespec.Store, repos []string) error {
	if len(repos) == 0 {
		return nil
	}
	infos, err := st.Repos(ctx)
	if err != nil {
		return err
	}
	for _, r := range repos {
		found := false
		var names []string
		for _, in := range infos {
			names = append(names, in.Repo)
			found = found || in.Repo == r
		}
		if !found {
			return livespec.Errorf(livespec.ENOTFOUND, "repository %q is not in the index (it has: %s)", r, strings.Join(names, ", "))
		}
	}
	return nil
}

func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	t, err := retrieval.ParseDay(s, time.Now().UTC())
	if err != nil {
		return time.Time{}, livespec.Errorf(livespec.EINVALID, "--now %q: want a date such as 2025-06-01 or an RFC 3339 time", s)
	}
	// A whole day as "now" means the end of that day.
	return t.Add(24*time.Hour - time.Second), nil
}

// dayWindow turns --since/--until into a half-open window: whole UTC days,
// both inclusive; an RFC 3339 time is used as given (inclusive).
func dayWindow(since, until string, now time.Time) (livespec.Window, error) {
	from, fromDay, err := parseBound(since, now)
	if err != nil {
		return livespec.Window{}, livespec.Errorf(livespec.EINVALID, "--since %q: %v", since, err)
	}
	_ = fromDay
	var to time.Time
	if until == "" {
		to = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	} else {
		t, day, err := parseBound(until, now)
		if err != nil {
			return livespec.Window{}, livespec.Errorf(livespec.EINVALID, "--until %q: %v", until, err)
		}
		if day {
			to = t.AddDate(0, 0, 1)
		} else {
			to = t.Add(time.Nanosecond)
		}
	}
	if !to.After(from) {
		return livespec.Window{}, livespec.Errorf(livespec.EINVALID, "--until is before --since")
	}
	return livespec.Window{From: from, To: to}, nil
}

// parseBound parses an RFC 3339 time (day=false) or a day (day=true, the
// midnight UTC starting it).
func parseBound(s string, now time.Time) (time.Time, bool, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), false, nil
	}
	t, err := retrieval.ParseDay(s, now)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("want a date such as 2025-01-31 or an RFC 3339 time")
	}
	return t, true, nil
}

type changesJSON struct {
	From    livespec.Time           `json:"from"`
	To      livespec.Time           `json:"to"`
	Changes []livespec.AnswerChange `json:"changes"`
}

func writeChangesJSON(w io.Writer, win livespec.Window, chs []livespec.Change) error {
	out := changesJSON{From: livespec.Time{Time: win.From}, To: livespec.Time{Time: win.To}, Changes: []livespec.AnswerChange{}}
	for _, c := range chs {
		out.Changes = append(out.Changes, livespec.ChangeOf(c))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeChangesText prints the ledger grouped by file, the most changed
// files first.
func writeChangesText(w io.Writer, win livespec.Window, chs []livespec.Change) {
	last := win.To.Add(-time.Nanosecond)
	commits := map[string]bool{}
	type fileGroup struct {
		path   string
		events []livespec.Change // file-level, in order
		secs   map[string][]livespec.Change
	}
	groups := map[string]*fileGroup{}
	var order []string
	for _, c := range chs {
		commits[c.Commit] = true
		key := c.Repo + "\x00" + c.Path
		g := groups[key]
		if g == nil {
			name := c.Path
			if c.Repo != "" && len(uniqueRepos(chs)) > 1 {
				name = c.Repo + ": " + c.Path
			}
			g = &fileGroup{path: name, secs: map[string][]livespec.Change{}}
			groups[key] = g
			order = append(order, key)
		}
		if c.Section {
			g.secs[c.Commit] = append(g.secs[c.Commit], c)
		} else {
			g.events = append(g.events, c)
		}
	}
	nfiles := 0
	for _, k := range order {
		if len(groups[k].events) > 0 {
			nfiles++
		}
	}
	fmt.Fprintf(w, "Spec changes from %s to %s (UTC): %s to %s in %s\n",
		win.From.Format("2006-01-02"), last.Format("2006-01-02"),
		livespec.Plural(countFileEvents(chs), "file change"), livespec.Plural(nfiles, "file"), livespec.Plural(len(commits), "commit"))
	if len(chs) == 0 {
		return
	}
	sort.SliceStable(order, func(i, j int) bool { return len(groups[order[i]].events) > len(groups[order[j]].events) })
	for _, k := range order {
		g := groups[k]
		fmt.Fprintf(w, "\n%s (%s)\n", g.path, livespec.Plural(len(g.events), "change"))
		for _, c := range g.events {
			what := string(c.Kind)
			if c.Kind == livespec.Renamed && c.OldPath != "" {
				what += " from " + c.OldPath
			}
			fmt.Fprintf(w, "  %s  %-8s %.7s  %s  %s\n", c.Date.UTC().Format("2006-01-02"), what, c.Commit, c.Author, oneLine(c.Message, 72))
			secs := g.secs[c.Commit]
			if (c.Kind == livespec.Added || c.Kind == livespec.Removed) && len(secs) > 0 {
				// A whole file came or went: its sections are not news.
				fmt.Fprintf(w, "      (%s)\n", livespec.Plural(len(secs), "section"))
				continue
			}
			for i, s := range secs {
				if i == maxSectionLines && len(secs) > maxSectionLines+1 {
					fmt.Fprintf(w, "      ... and %d more sections\n", len(secs)-i)
					break
				}
				fmt.Fprintf(w, "      %s %s%s\n", kindMark(s.Kind), headingOrTop(s.Heading), summarySuffix(s))
			}
		}
	}
}

// maxSectionLines caps the section lines listed under one file event.
const maxSectionLines = 12

func uniqueRepos(chs []livespec.Change) map[string]bool {
	m := map[string]bool{}
	for _, c := range chs {
		m[c.Repo] = true
	}
	return m
}

func countFileEvents(chs []livespec.Change) int {
	n := 0
	for _, c := range chs {
		if !c.Section {
			n++
		}
	}
	return n
}

func kindMark(k livespec.ChangeKind) string {
	switch k {
	case livespec.Added:
		return "+"
	case livespec.Removed:
		return "-"
	case livespec.Renamed:
		return ">"
	}
	return "~"
}

func headingOrTop(h string) string {
	if h == "" {
		return "(top of file)"
	}
	return h
}

func summarySuffix(c livespec.Change) string {
	s := c.Summary
	if c.Kind == livespec.Renamed && c.OldHeading != "" && c.OldHeading != c.Heading {
		if s == "" {
			s = "was " + headingOrTop(c.OldHeading)
		}
	}
	if s == "" {
		return ""
	}
	return ": " + s
}

func oneLine(s string, max int) string {
	s = strings.TrimSpace(strings.SplitN(s, "\n", 2)[0])
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

// factsFlags are the flags of facts.
type factsFlags struct {
	store               *storeFlags
	repo, value, period *string
	since, until, now   *string
	fields, paths       *listValue
	asJSON              *bool
}

func factsCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "facts [--field NAME]... [--value TEXT] [--period TEXT | --since DATE [--until DATE]] [--json]",
		Short: "list how documents' status, stage and other fields changed",
		Long: `List the changes of documents' lifecycle facts (front matter, sidecar files such as
kep.yaml, header lists like "* Status: Accepted"), oldest first: which document, which
field, the value before and after, the commit and its date. Without a period, all history.
It reads an existing index and never creates one: run livespec ingest first.`,
		Example: `  livespec facts --repo ~/src/keps --field stage --value beta --period "this quarter"
  livespec facts --field status --value accepted --since 2024-04-01 --until 2024-06-30 --json`,
	}
	f := newFlags(e, c)
	o := &factsFlags{store: addStoreFlags(f)}
	o.repo = f.string("repo", "", "repository: its `NAME` in the index, or its directory (then its default index is used)")
	o.fields = f.list("field", nil, "only this field (case and markup do not matter: Status, **Status**, status)")
	o.value = f.string("value", "", "only changes to a value containing this `TEXT` (case-insensitive)")
	o.period = f.string("period", "", "a period in words: \"this quarter\", \"Q2 2024\", \"last 30 days\" (`TEXT`)")
	o.since = f.string("since", "", "first day (UTC, inclusive): 2025-01-01, or an RFC 3339 time (`DATE`)")
	o.until = f.string("until", "", "last day (UTC, inclusive; default today), or an RFC 3339 time (`DATE`)")
	o.paths = f.list("path", nil, "only documents matching this glob (new or old path)")
	o.asJSON = f.bool("json", false, "print JSON")
	o.now = f.string("now", "", "the clock for relative periods (`DATE`; default: the real time)")
	c.RunE = func(c *cobra.Command, pos []string) error { return runFacts(c.Context(), e, o, pos) }
	return c
}

// factsOutput is what `livespec facts --json` prints.
type factsOutput struct {
	From  livespec.Time        `json:"from"`
	To    livespec.Time        `json:"to"`
	Facts []livespec.FactEvent `json:"facts"`
}

func runFacts(ctx context.Context, e *env, o *factsFlags, pos []string) error {
	if len(pos) > 0 {
		return livespec.Errorf(livespec.EINVALID, "facts: unexpected argument %q", pos[0])
	}
	clock, err := parseNow(*o.now)
	if err != nil {
		return err
	}
	var w livespec.Window
	switch {
	case *o.period != "" && (*o.since != "" || *o.until != ""):
		return livespec.Errorf(livespec.EINVALID, "facts: give --period or --since/--until, not both")
	case *o.period != "":
		if w, err = retrieval.ParsePeriod(*o.period, clock); err != nil {
			w, err = retrieval.ParsePeriod("in "+*o.period, clock) // a bare "2021"
		}
		if err != nil {
			return livespec.WrapError(livespec.EINVALID, err, "facts: --period %q", *o.period)
		}
	case *o.since != "":
		if w, err = dayWindow(*o.since, *o.until, clock); err != nil {
			return err
		}
	case *o.until != "":
		return livespec.Errorf(livespec.EINVALID, "facts: --until needs --since")
	}
	var fields []string
	for _, f := range o.fields.vals {
		fields = append(fields, livespec.NormalizeField(f))
	}
	st, repos, err := openForRead(ctx, e, o.store, *o.repo)
	if err != nil {
		return err
	}
	defer st.Close()
	chs, err := st.FactChanges(ctx, livespec.FactChangeQuery{Repos: repos, Paths: o.paths.vals, Fields: fields, From: w.From, To: w.To})
	if err != nil {
		return err
	}
	out := factsOutput{From: livespec.Time{Time: w.From}, To: livespec.Time{Time: w.To}, Facts: []livespec.FactEvent{}}
	for _, c := range chs {
		if c.MatchesValue(*o.value) {
			out.Facts = append(out.Facts, livespec.FactEventOf(c))
		}
	}
	if *o.asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	writeFactsText(e.stdout, out)
	return nil
}

// writeFactsText prints one line per fact change, after a count.
func writeFactsText(w io.Writer, out factsOutput) {
	period := "in all history"
	if !out.From.IsZero() || !out.To.IsZero() {
		period = "between " + dayOr(out.From, "the beginning") + " and " + dayOr(livespec.Time{Time: out.To.Add(-1)}, "now")
	}
	s := "s"
	if len(out.Facts) == 1 {
		s = ""
	}
	fmt.Fprintf(w, "%d fact change%s %s\n", len(out.Facts), s, period)
	for _, f := range out.Facts {
		var what string
		switch f.Kind {
		case livespec.Added:
			what = fmt.Sprintf("%s set to %q", f.Field, f.Value)
		case livespec.Removed:
			what = fmt.Sprintf("%s removed (was %q)", f.Field, f.Previous)
		case livespec.Renamed:
			what = fmt.Sprintf("%s %q moved from %s", f.Field, f.Value, f.OldPath)
		default:
			what = fmt.Sprintf("%s %q → %q", f.Field, f.Previous, f.Value)
		}
		msg := ""
		if f.Message != "" {
			msg = " — " + f.Message
		}
		fmt.Fprintf(w, "%s %s %s: %s%s\n", f.Date.UTC().Format("2006-01-02"), livespec.ShortCommit(f.Commit), f.Path, what, msg)
	}
}

func dayOr(t livespec.Time, none string) string {
	if t.IsZero() || t.Year() < 1 {
		return none
	}
	return t.UTC().Format("2006-01-02")
}

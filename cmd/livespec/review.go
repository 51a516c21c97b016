package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/review"
)

// reviewFlags are the flags of review.
type reviewFlags struct {
	repo, branch, permalink, failOn *string
	include, exclude, sidecars      *listValue
	asJSON, comment, plain          *bool
}

func reviewCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "review [BASE..HEAD] [--repo DIR] [--json | --github-comment] [--fail-on stale|undocumented|never]",
		Short: "what a change does to the spec, and where code and spec disagree",
		Long: `Review a range of commits for a person reading a pull request: per spec document, the
sections added, removed and changed with the sentences that differ, the lifecycle facts
that changed and a count of editorial edits; then drift between code and spec where it
is certain: flags, environment variables, routes and other identifiers the code no
longer has while a spec section still names them, new ones no spec section names, and
code whose linked section (<!-- livespec: covers GLOB -->, // spec: FILE.md#anchor)
did not change. It reads the git repository directly and needs no index.
The default range is the merge base of HEAD with the tracked branch up to HEAD;
BASE..HEAD compares two trees, BASE...HEAD the merge base of both with HEAD.`,
		Example: `  livespec review                               # this branch against the tracked branch
  livespec review main..HEAD --fail-on stale     # in CI: fail when the spec names what is gone
  livespec review HEAD~5..HEAD --json
  livespec review origin/main...HEAD --github-comment > comment.md`,
	}
	f := newFlags(e, c)
	o := &reviewFlags{}
	o.repo = f.string("repo", ".", "the git repository (`DIR`)")
	o.branch = f.string("branch", "", "tracked `branch` for the default range (default: origin's HEAD, else origin/main, origin/master, main or master)")
	o.include = f.list("include", ingest.DefaultInclude, "glob of spec files")
	o.exclude = f.list("exclude", ingest.DefaultExclude, excludeUsage)
	o.sidecars = f.list("sidecar", []string{"kep.yaml=README.md"}, "`SIDECAR=DOCUMENT`: the fields of every file named SIDECAR are facts of DOCUMENT beside it (none: no sidecars)")
	o.asJSON = f.bool("json", false, "print the review as JSON")
	o.comment = f.bool("github-comment", false, "print Markdown sized for a pull request comment, with permalinks")
	o.plain = f.bool("plain", false, "print plain Markdown even on a terminal (the default when piped)")
	o.permalink = f.string("permalink", "", "link `template`, e.g. https://github.com/ORG/REPO/blob/{commit}/{path}#{anchor} (default under GitHub Actions: the repository's)")
	o.failOn = f.string("fail-on", "never", "exit with status 1 when there are findings: stale (the spec names what the code no longer has), undocumented (that, or new identifiers no spec names), never")
	c.RunE = func(c *cobra.Command, pos []string) error { return runReview(c.Context(), e, o, pos) }
	return c
}

func runReview(ctx context.Context, e *env, o *reviewFlags, pos []string) error {
	if len(pos) > 1 {
		return livespec.Errorf(livespec.EINVALID, "review: unexpected argument %q (one range, BASE..HEAD)", pos[1])
	}
	fail := strings.TrimSpace(*o.failOn)
	if fail != "stale" && fail != "undocumented" && fail != "never" {
		return livespec.Errorf(livespec.EINVALID, "--fail-on %q: want stale, undocumented or never", fail)
	}
	if *o.asJSON && *o.comment {
		return livespec.Errorf(livespec.EINVALID, "review: --json and --github-comment exclude each other")
	}
	sidecars, err := ingest.ParseSidecars(o.sidecars.vals)
	if err != nil {
		return err
	}
	opt := review.Options{Dir: *o.repo, Branch: *o.branch, Include: globs(o.include.vals), Exclude: globs(o.exclude.vals), Sidecars: sidecars}
	if opt.Exclude == nil {
		opt.Exclude = []string{}
	}
	if len(pos) == 1 {
		opt.Range = pos[0]
	}
	rep, err := review.Run(ctx, opt)
	if err != nil {
		return err
	}
	if err := writeReview(e, o, rep); err != nil {
		return err
	}
	return failOn(fail, rep.Totals)
}

func writeReview(e *env, o *reviewFlags, rep *review.Report) error {
	if *o.asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	mo := review.MarkdownOptions{Permalink: *o.permalink}
	if *o.comment {
		mo.MaxBytes = review.GitHubCommentBytes
		if mo.Permalink == "" {
			mo.Permalink = actionsPermalink(e.getenv)
		}
		_, err := fmt.Fprint(e.stdout, review.Markdown(rep, mo))
		return err
	}
	return writeMarkdown(e, review.Markdown(rep, mo), *o.plain)
}

// actionsPermalink is the permalink template of the repository a GitHub
// Actions run works on, or "".
func actionsPermalink(getenv func(string) string) string {
	server, repo := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY")
	if server == "" || repo == "" {
		return ""
	}
	return strings.TrimRight(server, "/") + "/" + repo + "/blob/{commit}/{path}#{anchor}"
}

// failOn is the error --fail-on asks for, when the findings call for it.
func failOn(mode string, t review.Totals) error {
	n := 0
	switch mode {
	case "stale":
		n = t.Stale
	case "undocumented":
		n = t.Stale + t.Undocumented
	}
	if n == 0 {
		return nil
	}
	return livespec.Errorf(livespec.ECONFLICT, "review: %s (--fail-on %s)", livespec.Plural(n, "finding"), mode)
}

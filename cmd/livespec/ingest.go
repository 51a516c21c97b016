package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
)

// repoFlags are the flags that say which repository to read and how.
type repoFlags struct {
	repo, name, branch *string
	include, exclude   *listValue
	sidecars           *listValue
	maxFileSize        *string
}

func addRepoFlags(f *flags, repoUsage string) *repoFlags {
	r := f.in(groupRepo)
	return &repoFlags{
		repo:        r.string("repo", "", repoUsage),
		name:        r.string("name", "", "`name` of the repository in the index (default: the directory's name)"),
		branch:      r.string("branch", "", "tracked `branch` (default: the branch HEAD points to)"),
		include:     r.list("include", ingest.DefaultInclude, "glob of spec files"),
		exclude:     r.list("exclude", ingest.DefaultExclude, excludeUsage),
		sidecars:    r.list("sidecar", []string{"kep.yaml=README.md"}, "`SIDECAR=DOCUMENT`: the fields of every file named SIDECAR are facts of DOCUMENT beside it (none: no sidecars)"),
		maxFileSize: r.string("max-file-size", "2097152", "files larger than this many `bytes` are recorded but not indexed"),
	}
}

// excludeUsage describes --exclude.
const excludeUsage = "glob of files to leave out; the first one replaces the defaults, none leaves out nothing"

// globs drops the word none (and blanks) from a glob list: `--exclude none`
// is the empty list.
func globs(vals []string) []string {
	var out []string
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" && v != "none" {
			out = append(out, v)
		}
	}
	return out
}

// options resolves the flags into ingest options for the repository at root.
func (r *repoFlags) options(root string) (ingest.Options, error) {
	max, err := strconv.ParseInt(*r.maxFileSize, 10, 64)
	if err != nil || max <= 0 {
		return ingest.Options{}, livespec.Errorf(livespec.EINVALID, "--max-file-size %q: want a positive number of bytes", *r.maxFileSize)
	}
	name := *r.name
	if name == "" {
		name = repoName(root)
	}
	sidecars, err := ingest.ParseSidecars(r.sidecars.vals)
	if err != nil {
		return ingest.Options{}, err
	}
	return ingest.Options{
		Sidecars:     sidecars,
		Repo:         name,
		Dir:          root,
		Branch:       *r.branch,
		Include:      r.include.vals,
		Exclude:      globs(r.exclude.vals),
		MaxFileBytes: max,
	}, nil
}

// open resolves --repo and opens its index (the default one unless
// --index or --store say otherwise).
func (r *repoFlags) open(ctx context.Context, e *env, sf *storeFlags) (livespec.Store, ingest.Options, error) {
	root, err := repoRoot(*r.repo)
	if err != nil {
		return nil, ingest.Options{}, err
	}
	opt, err := r.options(root)
	if err != nil {
		return nil, ingest.Options{}, err
	}
	st, err := sf.open(ctx, e, root)
	return st, opt, err
}

// openFresh opens the index for a read command: with --repo, the
// repository's index after ingesting what is new (answers are then scoped to
// it); without, the index as it is.
func (r *repoFlags) openFresh(ctx context.Context, e *env, sf *storeFlags, emb livespec.Embedder) (st livespec.Store, repos []string, root string, err error) {
	if *r.repo == "" {
		st, repos, err = openForRead(ctx, e, sf, "")
		return st, repos, "", err
	}
	st, opt, err := r.open(ctx, e, sf)
	if err != nil {
		return nil, nil, "", err
	}
	opt.Embedder = emb
	if _, err := runIngest(ctx, e, st, opt); err != nil {
		st.Close()
		return nil, nil, "", err
	}
	return st, []string{opt.Repo}, opt.Dir, nil
}

// ingestFlags are the flags of ingest.
type ingestFlags struct {
	repo             *repoFlags
	store            *storeFlags
	models           *modelFlags
	rebuild, reembed *bool
}

func ingestCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "ingest --repo DIR [--index DIR] [--include GLOB]... [--exclude GLOB]...",
		Short: "read a repository's spec history into an index",
		Long: `Read the first-parent history of a repository's tracked branch into an index. A second
run reads only the new commits; after a force-push the repository's data is rebuilt.
Shows a progress bar on a terminal and ends with a one-line summary.`,
		Example: `  livespec ingest --repo ~/src/product-specs
  livespec ingest --repo ~/src/kubernetes-enhancements --include '**/*.md' --include '**/kep.yaml'
  livespec ingest --repo ~/src/api-docs --index ~/indexes/team   # several repos can share an index`,
	}
	f := newFlags(e, c)
	o := &ingestFlags{
		repo:    addRepoFlags(f, "git repository `DIR` to read (a work tree or a bare clone)"),
		store:   addStoreFlags(f),
		models:  addModelFlags(f),
		rebuild: f.bool("rebuild", false, "drop this repository's data and ingest its whole history again"),
		reembed: f.bool("reembed", false, "embed every distinct text again with the configured embedder"),
	}
	c.RunE = func(c *cobra.Command, pos []string) error { return runIngestCmd(c.Context(), e, o, pos) }
	return c
}

func runIngestCmd(ctx context.Context, e *env, o *ingestFlags, pos []string) error {
	rf := o.repo
	if len(pos) > 0 {
		return livespec.Errorf(livespec.EINVALID, "ingest: unexpected argument %q (use --repo DIR)", pos[0])
	}
	if *rf.repo == "" {
		return livespec.Errorf(livespec.EINVALID, "ingest: --repo DIR is required")
	}
	m, err := o.models.open(ctx, e, false)
	if err != nil {
		return err
	}
	st, opt, err := rf.open(ctx, e, o.store)
	if err != nil {
		return err
	}
	defer st.Close()
	opt.Rebuild, opt.Reembed, opt.Embedder = *o.rebuild, *o.reembed, m.embedder
	res, err := runIngest(ctx, e, st, opt)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, summaryLine(res))
	return nil
}

// runIngest runs ingest with progress on stderr: a progress bar on a
// terminal, plain lines otherwise.
func runIngest(ctx context.Context, e *env, st livespec.Store, opt ingest.Options) (*ingest.Result, error) {
	p := newProgress(e.stderr, "ingest "+opt.Repo)
	defer p.finish()
	w := newWarner(e.stderr, 20)
	opt.Progress = p.update
	opt.Warn = w.warn
	res, err := ingest.Run(ctx, st, opt)
	p.finish()
	w.flush()
	return res, err
}

func summaryLine(r *ingest.Result) string {
	if r.UpToDate {
		return fmt.Sprintf("%s: up to date at %.12s (%.1fs)", r.Repo, r.Head, r.Elapsed.Seconds())
	}
	s := fmt.Sprintf("%s: %d commits, %d files, %d versions, %d changes, %d distinct texts",
		r.Repo, r.Commits, r.Files, r.Versions, r.Changes, r.DistinctTexts)
	if r.Embedded > 0 {
		s += fmt.Sprintf(", %d embedded", r.Embedded)
	}
	if r.Skipped > 0 {
		s += fmt.Sprintf(", %d files not indexed", r.Skipped)
	}
	if r.Rebuilt {
		s += " (rebuilt)"
	}
	return s + fmt.Sprintf(" in %.1fs", r.Elapsed.Seconds())
}

// progress shows ingest progress: a bar on a terminal, a line every few
// seconds otherwise.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	tty   bool
	bar   *progressbar.ProgressBar
	last  time.Time
	start time.Time
	done  bool
}

func newProgress(w io.Writer, label string) *progress {
	p := &progress{w: w, label: label, start: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

func (p *progress) update(pr ingest.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done || pr.Total <= 0 {
		return
	}
	if p.tty {
		if p.bar == nil {
			p.bar = progressbar.NewOptions(pr.Total,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(p.label),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("commits"),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)
		}
		_ = p.bar.Set(pr.Done)
		return
	}
	now := time.Now()
	if p.last.IsZero() {
		// Quick runs print nothing: the summary says it all.
		if pr.Done == pr.Total || now.Sub(p.start) < 2*time.Second {
			return
		}
	} else if pr.Done < pr.Total && now.Sub(p.last) < 5*time.Second {
		return
	}
	p.last = now
	el := now.Sub(p.start).Seconds()
	rate := float64(pr.Done) / max(el, 1e-9)
	eta := ""
	if rate > 0 && pr.Done < pr.Total {
		eta = fmt.Sprintf(", ETA %s", (time.Duration(float64(pr.Total-pr.Done)/rate) * time.Second).Round(time.Second))
	}
	fmt.Fprintf(p.w, "%s: %d/%d commits (%.0f/s%s)\n", p.label, pr.Done, pr.Total, rate, eta)
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	p.done = true
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

// warner prints ingest warnings, at most limit of them, then a count.
type warner struct {
	mu    sync.Mutex
	w     io.Writer
	limit int
	n     int
}

func newWarner(w io.Writer, limit int) *warner { return &warner{w: w, limit: limit} }

func (w *warner) warn(msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n++
	if w.n <= w.limit {
		fmt.Fprintln(w.w, "warning:", msg)
	}
}

func (w *warner) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n > w.limit {
		fmt.Fprintf(w.w, "warning: ... and %d more warnings\n", w.n-w.limit)
	}
}

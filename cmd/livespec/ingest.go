package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

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
		maxFileSize: r.string("max-file-size", defaultMaxFileSize, "files larger than this many `bytes` are recorded but not indexed"),
	}
}

// defaultMaxFileSize is --max-file-size's default.
const defaultMaxFileSize = "2097152"

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

// reuseSettings sets opt's globs, sidecar pairs and size limit to those of
// the last ingest of opt.Repo, when the index records them: commands that
// ingest on the way (`ask --repo`, `eval --repo`, `serve`) and were given
// none of them keep the index as `livespec ingest` built it instead of
// rebuilding it with the defaults.
func reuseSettings(ctx context.Context, st livespec.Store, opt *ingest.Options) {
	if cp, err := st.Checkpoint(ctx, opt.Repo); err == nil {
		if set, ok := ingest.StoredSettings(cp); ok {
			set.Apply(opt)
		}
	}
}

// given reports whether the command names any setting the checkpoint
// records: an include or exclude glob, a sidecar pair or a file size limit,
// by flag or variable.
func (r *repoFlags) given(e *env) bool {
	return r.include.given() || r.exclude.given() || r.sidecars.given() ||
		*r.maxFileSize != defaultMaxFileSize || e.getenv(envName("max-file-size")) != ""
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
	if !r.given(e) {
		reuseSettings(ctx, st, &opt)
	}
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
	lockWait         *string
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
		lockWait: f.string("lock-wait", ingest.DefaultLockWait.String(),
			"how long to wait for another ingest on the same index to end (`DURATION`) before failing"),
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
	wait, err := time.ParseDuration(*o.lockWait)
	if err != nil || wait <= 0 {
		return livespec.Errorf(livespec.EINVALID, "--lock-wait %q: want a positive duration such as 10m", *o.lockWait)
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
	opt.Rebuild, opt.Reembed, opt.Embedder, opt.LockWait = *o.rebuild, *o.reembed, m.embedder, wait
	res, err := runIngest(ctx, e, st, opt)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, summaryLine(res))
	return nil
}

// runIngest runs ingest with progress on stderr: a progress bar on a
// terminal, with warnings printed above it, and plain lines otherwise.
func runIngest(ctx context.Context, e *env, st livespec.Store, opt ingest.Options) (*ingest.Result, error) {
	p := newProgress(e.stderr, "ingest "+opt.Repo)
	defer p.finish()
	w := newWarner(p.println, 20)
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
		s += fmt.Sprintf(", %d files not indexed%s", r.Skipped, skipReasons(r.SkippedBy))
	}
	if r.Rebuilt {
		s += " (rebuilt)"
	}
	return s + fmt.Sprintf(" in %.1fs", r.Elapsed.Seconds())
}

// skipReasons says why files were not indexed: " (3 binary, 1 too large)".
func skipReasons(by map[livespec.FileStatus]int) string {
	var parts []string
	for _, k := range []struct {
		status livespec.FileStatus
		word   string
	}{
		{livespec.FileBinary, "binary"},
		{livespec.FileTooLarge, "too large"},
		{livespec.FileSymlink, "symbolic link"},
		{livespec.FileInvalid, "unparsable"},
	} {
		switch n := by[k.status]; {
		case n > 0 && k.status == livespec.FileSymlink:
			parts = append(parts, livespec.Plural(n, k.word))
		case n > 0:
			parts = append(parts, fmt.Sprintf("%d %s", n, k.word))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// progress shows ingest progress: a bar on a terminal, a line every few
// seconds otherwise. The rate shows once it means something: after
// rateAfter and a few commits.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	tty   bool
	bar   *progressbar.ProgressBar
	last  time.Time
	start time.Time
	done  bool
	n     int // commits done, as last reported
}

// rateAfter is how long a run goes before its rate is shown: the first
// commits of a run come in a burst (a checkpoint's catch-up, a first
// batch) that says nothing about the pace.
const rateAfter = 2 * time.Second

func newProgress(w io.Writer, label string) *progress {
	_, tty := termWidth(w)
	return &progress{w: w, label: label, start: time.Now(), tty: tty}
}

// rate is commits per second so far, or 0 while it means nothing yet.
func (p *progress) rate(now time.Time, done int) float64 {
	el := now.Sub(p.start)
	if el < rateAfter || done < 2 {
		return 0
	}
	return float64(done) / el.Seconds()
}

func (p *progress) update(pr ingest.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done || pr.Total <= 0 {
		return
	}
	p.n = pr.Done
	now := time.Now()
	if p.tty {
		if p.bar == nil {
			p.bar = progressbar.NewOptions(pr.Total,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(p.label),
				progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(false),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)
		}
		if r := p.rate(now, pr.Done); r > 0 {
			eta := time.Duration(float64(pr.Total-pr.Done)/r) * time.Second
			p.bar.Describe(fmt.Sprintf("%s (%.0f commits/s, %s left)", p.label, r, eta.Round(time.Second)))
		}
		_ = p.bar.Set(pr.Done)
		return
	}
	if p.last.IsZero() {
		// Quick runs print nothing: the summary says it all.
		if pr.Done == pr.Total || now.Sub(p.start) < rateAfter {
			return
		}
	} else if pr.Done < pr.Total && now.Sub(p.last) < 5*time.Second {
		return
	}
	p.last = now
	line := fmt.Sprintf("%s: %d/%d commits", p.label, pr.Done, pr.Total)
	if r := p.rate(now, pr.Done); r > 0 && pr.Done < pr.Total {
		line += fmt.Sprintf(" (%.0f/s, ETA %s)", r, (time.Duration(float64(pr.Total-pr.Done)/r) * time.Second).Round(time.Second))
	}
	fmt.Fprintln(p.w, line)
}

// println prints a line above the bar: the bar is cleared, the line
// written, and the bar drawn again below it.
func (p *progress) println(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil && !p.done {
		_ = p.bar.Clear()
	}
	fmt.Fprintln(p.w, line)
	if p.bar != nil && !p.done {
		_ = p.bar.RenderBlank()
	}
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
	print func(string)
	limit int
	n     int
}

func newWarner(print func(string), limit int) *warner { return &warner{print: print, limit: limit} }

func (w *warner) warn(msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n++
	if w.n <= w.limit {
		w.print("warning: " + msg)
	}
}

func (w *warner) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n > w.limit {
		w.print(fmt.Sprintf("warning: ... and %d more warnings", w.n-w.limit))
	}
}

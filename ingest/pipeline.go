package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/livespec/livespec"
)

// DefaultInclude are the globs of the spec files when Options.Include is empty.
var DefaultInclude = []string{"**/*.md", "**/*.markdown"}

// DefaultExclude are the globs of files that are not spec even where they
// match the include globs: test fixtures and vendored trees. The command
// line leaves them out unless --exclude says otherwise; an Options.Exclude
// of nil leaves out nothing. Like every glob setting, they are part of the
// Fingerprint: an index built with other excludes is rebuilt on its next
// ingest.
var DefaultExclude = []string{"**/testdata/**", "**/vendor/**", "**/node_modules/**"}

// DefaultMaxFileBytes is the size limit of a spec file when
// Options.MaxFileBytes is zero.
const DefaultMaxFileBytes = 2 << 20

// fingerprintVersion changes whenever ingest would build different data
// from the same history; a stored checkpoint with another fingerprint makes
// the next run rebuild the repo.
const fingerprintVersion = 1

// factsVersion changes whenever fact extraction would read other facts
// from the same files.
const factsVersion = 4

// Options configures one ingest of one repository.
type Options struct {
	Repo         string   // name of the repo in the index (required)
	Dir          string   // path to the git repository (work tree or bare); "" is "."
	Branch       string   // tracked branch; "" = the branch HEAD points to
	Include      []string // doublestar globs of spec files; empty = DefaultInclude
	Exclude      []string // doublestar globs of files to leave out
	MaxFileBytes int64    // larger files are recorded as FileTooLarge; 0 = DefaultMaxFileBytes
	// Sidecars are the metadata files whose fields become facts of the
	// document beside them; nil = DefaultSidecars, empty = none. A sidecar
	// is read for its facts whether or not Include matches it (it becomes
	// sections only when Include matches it too); Exclude leaves it out.
	Sidecars []SidecarPair

	Embedder livespec.Embedder // nil: BM25 only
	// Progress is called as commits complete, Warn with non-fatal problems
	// (skipped files, submodules, shallow history); never two calls at once.
	Progress func(Progress)
	Warn     func(msg string)
	Rebuild  bool // drop the repo's data and ingest from scratch
	// Reembed rebuilds the repo and embeds every text of it, stored vectors
	// or not; when the index holds another embedder's vectors, the store
	// drops them first (livespec.VectorResetter).
	Reembed bool
	// LockWait bounds the wait for the index's writer lock
	// (livespec.WriteLocker) when another ingest holds it; 0 means
	// DefaultLockWait.
	LockWait time.Duration

	// Tuning changes how the work is cut into batches; the zero value is
	// the defaults.
	Tuning Tuning
}

// Tuning overrides how an ingest cuts its work, for tests and benchmarks:
// the batch limits and open-section loading change when the store is
// written, never what it holds; NoFacts is the one setting that changes
// the data. The zero value means the defaults.
type Tuning struct {
	BatchItems  int // items per store batch; 0 = 16000
	BatchBytes  int // bytes of section text per batch; 0 = 24 MiB
	FirstItems  int // item limit of the first batch; 0 = min(BatchItems, firstBatchItems)
	LazyCommits int // the longest run that reads open sections lazily; 0 = the default, -1 = none
	// NoFacts reads no facts (no sidecars, no fields of documents): the
	// baseline of BenchmarkIngestFacts, which measures what facts cost.
	NoFacts bool
}

// Progress reports how far an ingest has got.
type Progress struct {
	Done, Total int       // commits processed, commits to process
	Commit      string    // the commit just processed
	Date        time.Time // its landing time
}

// Result summarises one ingest.
type Result struct {
	Repo          string        `json:"repo"`
	Head          string        `json:"head"`           // the branch head now stored
	Commits       int           `json:"commits"`        // first-parent commits processed
	Files         int           `json:"files"`          // spec files current at the head
	FileVersions  int           `json:"file_versions"`  // file versions written
	Versions      int           `json:"versions"`       // section versions written
	Changes       int           `json:"changes"`        // change events written
	Facts         int           `json:"facts"`          // fact versions written
	DistinctTexts int           `json:"distinct_texts"` // distinct section texts among the new versions
	Embedded      int           `json:"embedded"`       // texts embedded
	Skipped       int           `json:"skipped"`        // file versions recorded but not indexed, submodules
	Rebuilt       bool          `json:"rebuilt"`        // the repo's data was dropped and rebuilt
	UpToDate      bool          `json:"up_to_date"`     // nothing to do
	Elapsed       time.Duration `json:"elapsed"`

	// SkippedBy counts the skipped file versions by why: binary, too_large,
	// symlink, invalid.
	SkippedBy map[livespec.FileStatus]int `json:"skipped_by,omitempty"`
}

func (o Options) withDefaults() Options {
	if len(o.Include) == 0 {
		o.Include = DefaultInclude
	}
	if o.MaxFileBytes == 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	if o.Sidecars == nil {
		o.Sidecars = DefaultSidecars
	}
	if o.Tuning.BatchItems == 0 {
		// Each batch is one store transaction: on the KEPs history, 16000
		// items per batch write ~5% faster than 8000 for ~10 MB more peak
		// memory; 32000 is slower again.
		o.Tuning.BatchItems = 16000
	}
	if o.Tuning.BatchBytes == 0 {
		o.Tuning.BatchBytes = 24 << 20
	}
	if o.Tuning.FirstItems == 0 {
		o.Tuning.FirstItems = min(o.Tuning.BatchItems, firstBatchItems)
	}
	return o
}

// Fingerprint returns the fingerprint of the settings that shape the
// ingested data (include and exclude globs, size limit, ingest version). It
// is stored in the checkpoint; a run with another fingerprint rebuilds the
// repo.
func Fingerprint(opt Options) string {
	opt = opt.withDefaults()
	inc := slices.Sorted(slices.Values(opt.Include))
	exc := slices.Sorted(slices.Values(opt.Exclude))
	sum := sha256.Sum256(fmt.Appendf(nil, "ingest/%d\n%s\ninclude=%q\nexclude=%q\nmax=%d\nfacts/%d sidecars=%q\nlinks/%d\n",
		fingerprintVersion, SplitterVersion, inc, exc, opt.MaxFileBytes, factsVersion, opt.Sidecars, linksVersion))
	return fmt.Sprintf("v%d:%s", fingerprintVersion, hex.EncodeToString(sum[:8]))
}

// Run ingests the history of the tracked branch of the repository in
// opt.Dir into store under opt.Repo: from the stored checkpoint to the
// branch head when the checkpoint is on the head's first-parent chain, and
// from the root otherwise (after dropping the repo's data). It writes in
// batches, each with the checkpoint of its last commit, so a run that is
// interrupted at any point and run again ends with the same data as an
// uninterrupted run. Every batch but the run's last has Batch.More set, so
// a store may leave work only the end state needs to the last one. A head
// equal to the checkpoint is UpToDate and writes nothing; a changed
// Fingerprint, Rebuild or Reembed rebuild the repo.
//
// Errors are classified: EINVALID for a missing repo name, a bad glob, a
// directory that is not a git repository, a repository with no commits or
// a detached HEAD with no Branch; ENOTFOUND for an unknown branch (the
// message lists the branches). Store and Embedder errors keep their kind
// (EMISMATCH from SetIndex when the index holds another embedder's
// vectors). A run holds the index's writer lock (livespec.WriteLocker) from
// start to end: a second run waits for it (saying so through Warn) at most
// LockWait, then fails with ECONFLICT. Problems that lose nothing (skipped
// files, submodules, a shallow history, no matching files) go to Warn.
func Run(ctx context.Context, store livespec.Store, opt Options) (*Result, error) {
	start := time.Now()
	if store == nil {
		return nil, livespec.Errorf(livespec.EINVALID, "ingest: no store")
	}
	if strings.TrimSpace(opt.Repo) == "" {
		return nil, livespec.Errorf(livespec.EINVALID, "ingest: a repository name is required")
	}
	if opt.MaxFileBytes < 0 {
		return nil, livespec.Errorf(livespec.EINVALID, "ingest: negative file size limit %d", opt.MaxFileBytes)
	}
	opt = opt.withDefaults()
	m, err := newMatcher(opt.Include, opt.Exclude)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	if !opt.Tuning.NoFacts {
		m.sidecars = opt.Sidecars
	}
	p := &pipeline{opt: opt, store: store, match: m, res: &Result{Repo: opt.Repo}}
	p.warnFn = opt.Warn
	unlock, err := p.lockWrites(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	res, err := p.run(ctx)
	if err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// pipeline is the state of one run.
type pipeline struct {
	opt   Options
	store livespec.Store
	match *matcher
	git   *gitRepo
	res   *Result

	branch string
	fp     string
	// shallow marks data built from a shallow clone's truncated history:
	// the checkpoint's Config carries shallowMark, and the first run that
	// sees the full history rebuilds.
	shallow bool

	warnMu        sync.Mutex
	warnFn        func(string)
	submoduleSeen bool

	// walker state (walker goroutine only)
	cache *blobCache

	// differ state (differ goroutine only)
	lazy        bool // open sections are read per file, when first needed
	files       map[string]*openFile
	batch       *livespec.Batch
	pendingV    map[string]int // version id -> index in batch.Versions
	pendingF    map[string]int // file version id -> index in batch.Files
	batchItems  int
	batchBytes  int
	texts       map[string]bool // distinct hashes of new versions
	sawSpecFile bool

	facts    map[string]map[string]*livespec.Fact // source path -> field -> open fact
	factsAt  map[string]bool                      // lazy: sources whose open facts are in facts
	pendingK map[string]int                       // fact id -> index in batch.Facts
	links    map[string]map[linkKey]string        // declaring path -> its open links' ids
	pendingL map[string]int                       // link id -> index in batch.Links

	// writer state (writer goroutine only)
	embedded map[string]bool
}

func (p *pipeline) warn(msg string) {
	if p.warnFn == nil {
		return
	}
	p.warnMu.Lock()
	defer p.warnMu.Unlock()
	p.warnFn(msg)
}

// run ingests the tracked branch from the checkpoint to its head.
func (p *pipeline) run(ctx context.Context) (*Result, error) {
	opt := p.opt
	g, err := openRepo(opt.Dir, opt.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	defer g.close()
	p.git = g
	branch, head, err := g.resolveBranch(opt.Branch)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	p.branch = branch
	p.res.Head = head.String()
	p.fp = Fingerprint(opt)
	if err := p.setIndex(ctx); err != nil {
		return nil, err
	}
	cp, stop, rebuild, err := p.resumeFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !stop.IsZero() && stop == head {
		p.res.UpToDate = true
		p.res.Files, err = p.countOpenFiles(ctx)
		return p.res, err
	}
	chain, found, shallowStop, err := g.firstParentChain(ctx, head, stop, p.warn)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	if shallowStop {
		p.shallow = true
	}
	seq0 := int64(0)
	if !stop.IsZero() {
		if found {
			seq0 = cp.Seq
		} else {
			p.warn(fmt.Sprintf("checkpoint %s of %s is not on the history of %s (force-push?): rebuilding", short(stop), opt.Repo, branch))
			rebuild = true
		}
	}
	if err := p.loadState(ctx, rebuild, found, shallowStop, len(chain)); err != nil {
		return nil, err
	}
	if err := p.process(ctx, chain, seq0); err != nil {
		return nil, err
	}
	p.res.Files = len(p.files)
	if !p.sawSpecFile && len(p.files) == 0 {
		p.warn(fmt.Sprintf("no files match %s on branch %s of %s", p.globDesc(), branch, opt.Repo))
	}
	return p.res, nil
}

// setIndex records the embedder in the store, dropping other embedders'
// vectors when asked to re-embed.
func (p *pipeline) setIndex(ctx context.Context) error {
	e := p.opt.Embedder
	if e == nil {
		return nil
	}
	info := livespec.IndexInfo{Embedder: e.ID(), Dimensions: e.Dimensions()}
	err := p.store.SetIndex(ctx, info)
	if livespec.ErrorCode(err) == livespec.EMISMATCH && p.opt.Reembed {
		p.warn(fmt.Sprintf("dropping the vectors of other embedders: every repository must be re-embedded with %s", info.Embedder))
		err = p.store.ResetVectors(ctx, info)
	}
	return err
}

// resumeFrom reads the repository's checkpoint and returns it with the
// commit to stop the walk at (zero: walk the whole history) and whether
// the repository's data must be rebuilt.
func (p *pipeline) resumeFrom(ctx context.Context) (cp livespec.Checkpoint, stop plumbing.Hash, rebuild bool, err error) {
	opt := p.opt
	cp, err = p.store.Checkpoint(ctx, opt.Repo)
	hasCP := err == nil
	if err != nil && livespec.ErrorCode(err) != livespec.ENOTFOUND {
		return cp, stop, false, fmt.Errorf("ingest: read checkpoint: %w", err)
	}
	rebuild = opt.Rebuild || opt.Reembed
	if !hasCP || rebuild {
		return cp, stop, rebuild, nil
	}
	cfg, truncated, _ := splitConfig(cp.Config)
	switch {
	case cfg != p.fp:
		p.warn(rebuildReason(cp, opt))
		rebuild = true
	case truncated && len(p.git.shallowCommits()) == 0:
		p.warn(fmt.Sprintf("%s was ingested from a shallow clone and now has its full history: rebuilding it", opt.Repo))
		rebuild = true
	default:
		stop = plumbing.NewHash(cp.Commit)
		p.shallow = truncated
	}
	return cp, stop, rebuild, nil
}

// loadState clears the repository's data for a rebuild, or, when the
// checkpoint was found on the history, reads its open files, facts and
// links (lazily for a run of few commits).
func (p *pipeline) loadState(ctx context.Context, rebuild, found, shallowStop bool, commits int) error {
	p.files = map[string]*openFile{}
	p.facts = map[string]map[string]*livespec.Fact{}
	p.links = map[string]map[linkKey]string{}
	if rebuild {
		if err := p.store.DeleteRepo(ctx, p.opt.Repo); err != nil {
			return fmt.Errorf("ingest: rebuild: %w", err)
		}
		p.res.Rebuilt = true
		p.shallow = shallowStop
		return nil
	}
	if !found {
		return nil
	}
	// A short incremental run reads the open sections of the files it
	// touches only; a long one reads them all at once.
	lazyMax := lazyLoadCommits
	if p.opt.Tuning.LazyCommits != 0 {
		lazyMax = p.opt.Tuning.LazyCommits
	}
	p.lazy = commits <= lazyMax
	if err := p.loadOpen(ctx); err != nil {
		return fmt.Errorf("ingest: load open versions: %w", err)
	}
	if p.lazy {
		p.factsAt = map[string]bool{} // read per source, when first needed
	} else if err := p.loadFacts(ctx); err != nil {
		return fmt.Errorf("ingest: load open facts: %w", err)
	}
	if err := p.loadLinks(ctx); err != nil {
		return fmt.Errorf("ingest: load open links: %w", err)
	}
	return nil
}

// rebuildReason says why a checkpoint's fingerprint differs from opt's:
// the settings that changed, or, with the same settings, a livespec that
// reads more of each commit than the one that wrote the checkpoint.
func rebuildReason(cp livespec.Checkpoint, opt Options) string {
	old, ok := StoredSettings(cp)
	if !ok {
		return fmt.Sprintf("settings changed since the last ingest of %s: rebuilding it", opt.Repo)
	}
	if d := old.Diff(settingsOf(opt)); d != "" {
		return fmt.Sprintf("settings changed since the last ingest of %s (%s): rebuilding it", opt.Repo, d)
	}
	return fmt.Sprintf("this livespec reads more of each commit than the one that last ingested %s (links between spec and code, lifecycle facts): rebuilding it", opt.Repo)
}

func (p *pipeline) globDesc() string {
	s := "include " + strings.Join(p.opt.Include, ", ")
	if len(p.opt.Exclude) > 0 {
		s += " (exclude " + strings.Join(p.opt.Exclude, ", ") + ")"
	}
	return s
}

func (p *pipeline) countOpenFiles(ctx context.Context) (int, error) {
	n := 0
	err := p.store.OpenFiles(ctx, p.opt.Repo, func(livespec.OpenFile) error { n++; return nil })
	if err != nil {
		return 0, fmt.Errorf("ingest: %w", err)
	}
	return n, nil
}

// shallowMark ends the Config of a checkpoint built from a shallow clone.
const shallowMark = "+shallow"

// lazyLoadCommits is the longest incremental run that reads open sections
// file by file instead of all at once.
const lazyLoadCommits = 64

// openFile is the current version of one spec file and of its sections.
type openFile struct {
	id       string // "" when the store holds sections but no file version
	blob     string
	unloaded bool              // lazy: sections not read from the store yet
	sections map[secKey]string // -> version id
	hashes   map[secKey]string // -> content hash
}

type secKey struct {
	heading string
	part    int
}

func newOpenFile(id, blob string) *openFile {
	return &openFile{id: id, blob: blob, sections: map[secKey]string{}, hashes: map[secKey]string{}}
}

func (p *pipeline) loadOpen(ctx context.Context) error {
	repo := p.opt.Repo
	err := p.store.OpenFiles(ctx, repo, func(f livespec.OpenFile) error {
		of := newOpenFile(f.ID, f.Blob)
		of.unloaded = p.lazy
		p.files[f.Path] = of
		return nil
	})
	if err != nil || p.lazy {
		return err
	}
	return p.store.OpenVersions(ctx, repo, func(v livespec.OpenVersion) error {
		f := p.files[v.Key.Path]
		if f == nil {
			f = newOpenFile("", "")
			p.files[v.Key.Path] = f
		}
		k := secKey{v.Key.Heading, v.Key.Part}
		f.sections[k] = v.ID
		f.hashes[k] = v.Hash
		return nil
	})
}

// process runs the pipeline over chain: a walker goroutine diffs each
// commit against its first parent and reads the changed blobs; parse
// workers split them; a linker goroutine reads the spec comments of the
// changed source files; the differ (this goroutine) turns each commit into
// versions, closes and changes, in order; a writer goroutine embeds new
// texts and applies the batches.
func (p *pipeline) process(ctx context.Context, chain []chainLink, seq0 int64) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	fail := func(err error) {
		if err != nil {
			cancel(err)
		}
	}

	jobs := make(chan *commitJob, 16)
	tasks := make(chan parseTask, 64)
	batches := make(chan *livespec.Batch, 1)

	code := make(chan codeTask, 16)

	p.cache = newBlobCache(32 << 20)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		defer close(tasks)
		defer close(code)
		fail(p.walk(ctx, chain, seq0, jobs, tasks, code))
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		fail(p.linker(ctx, code))
	}()
	workers := max(1, runtime.GOMAXPROCS(0))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.parseWorker(ctx, tasks)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		fail(p.writer(ctx, batches))
	}()

	fail(p.differ(ctx, jobs, batches, len(chain)))
	close(batches)
	wg.Wait()
	return context.Cause(ctx)
}

// loadSections reads the open sections of the files at paths that are not
// loaded yet (lazy mode).
func (p *pipeline) loadSections(ctx context.Context, paths []string) error {
	var globs []string
	for _, path := range paths {
		if f := p.files[path]; f != nil && f.unloaded {
			globs = append(globs, quoteGlob(path))
			f.unloaded = false
		}
	}
	if len(globs) == 0 {
		return nil
	}
	vs, err := p.store.Versions(ctx, livespec.VersionQuery{Repos: []string{p.opt.Repo}, Paths: globs, Validity: livespec.Current()})
	if err != nil {
		return fmt.Errorf("ingest: load open versions: %w", err)
	}
	for _, v := range vs {
		if f := p.files[v.Path]; f != nil {
			k := secKey{v.Heading, v.Part}
			f.sections[k], f.hashes[k] = v.ID, v.Hash
		}
	}
	return nil
}

// quoteGlob escapes the glob metacharacters of a literal path.
func quoteGlob(path string) string {
	if !strings.ContainsAny(path, `*?[]{}\`) {
		return path
	}
	var b strings.Builder
	for _, r := range path {
		if strings.ContainsRune(`*?[]{}\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

package ingest

import (
	"bytes"
	"container/list"
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/livespec/livespec"
)

// commitJob is one first-parent commit and the spec files it changed, with
// the blobs on both sides being read and parsed.
type commitJob struct {
	hash       string
	seq        int64
	date       time.Time // committer time, UTC
	authorDate time.Time
	author     string
	message    string // first line
	changes    []jobChange
	// code holds the source files it changed, with their spec comments,
	// once codeDone is closed (the linker reads them; nil: none changed).
	code     []codeLinks
	codeDone chan struct{}
}

// waitCode waits until the linker has read job's source files.
func (job *commitJob) waitCode(ctx context.Context) error {
	if job.codeDone == nil {
		return nil
	}
	return waitClosed(ctx, job.codeDone)
}

// waitClosed waits until done is closed or ctx ends.
func waitClosed(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// codeTask asks the linker for the spec comments of the source files a
// commit changed (files, at the commit's tree root).
type codeTask struct {
	job   *commitJob
	root  plumbing.Hash
	files []fileChange
}

type jobChange struct {
	fileChange
	from, to *blobInfo // nil for an absent side
}

// blobInfo is what ingest knows about one blob at one path. It is filled
// by the walker or a parse worker and published by closing done.
type blobInfo struct {
	done   chan struct{}
	status livespec.FileStatus
	size   int64
	target string      // symlink target
	parsed *ParsedFile // for FileText
	reason string      // why a file is FileInvalid
	cost   int
}

func (b *blobInfo) wait(ctx context.Context) error { return waitClosed(ctx, b.done) }

type blobKey struct {
	hash plumbing.Hash
	path string // parsing depends on the path (file type, relative links)
	link bool
}

func (e entry) key() blobKey {
	return blobKey{hash: e.Hash, path: e.Path, link: e.Mode == filemode.Symlink}
}

// blobCache is a bounded LRU of blobInfos by blob and path, so the old side
// of a change is usually parsed already. Walker goroutine only.
type blobCache struct {
	max, used int
	ll        *list.List
	m         map[blobKey]*list.Element
}

type cacheItem struct {
	key  blobKey
	info *blobInfo
}

func newBlobCache(max int) *blobCache {
	return &blobCache{max: max, ll: list.New(), m: map[blobKey]*list.Element{}}
}

func (c *blobCache) get(k blobKey) *blobInfo {
	if e, ok := c.m[k]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*cacheItem).info
	}
	return nil
}

// remove drops k, if cached.
func (c *blobCache) remove(k blobKey) {
	if e, ok := c.m[k]; ok {
		c.ll.Remove(e)
		delete(c.m, k)
		c.used -= e.Value.(*cacheItem).info.cost
	}
}

func (c *blobCache) add(k blobKey, b *blobInfo) {
	c.m[k] = c.ll.PushFront(&cacheItem{key: k, info: b})
	c.used += b.cost
	for c.used > c.max && c.ll.Len() > 1 {
		e := c.ll.Back()
		it := e.Value.(*cacheItem)
		c.ll.Remove(e)
		delete(c.m, it.key)
		c.used -= it.info.cost
	}
}

// parseCheck, when set (by tests), sees every parse of the pipeline: the
// file, the parse it started from (or nil) and the result.
var parseCheck func(path string, content []byte, base, got *ParsedFile, err error)

type parseTask struct {
	info    *blobInfo
	path    string
	content []byte
	base    *blobInfo // another version of the file, or nil
	// metaOnly: a sidecar that is not a spec file, read for its facts only.
	metaOnly bool
	facts    factSource // which of its fields are facts
}

// factSource says which fields of a file are facts.
type factSource int

const (
	noFacts       factSource = iota
	sidecarFacts             // the top level of a sidecar
	documentFacts            // a Markdown document's front matter and header
)

// factSource returns which fields of the file at path are facts.
func (p *pipeline) factSource(path string) factSource {
	if p.opt.Tuning.NoFacts {
		return noFacts
	}
	if _, ok := sidecarDoc(p.match.sidecars, path); ok {
		return sidecarFacts
	}
	if isMarkdown(path) {
		return documentFacts
	}
	return noFacts
}

// walk diffs every commit of chain against its first parent (a root
// against the empty tree), starts reading and parsing the changed blobs and
// sends the commits, oldest first, to jobs.
func (p *pipeline) walk(ctx context.Context, chain []chainLink, seq0 int64, jobs chan<- *commitJob, tasks chan<- parseTask, code chan<- codeTask) error {
	repo := p.git.repo
	tc := newTreeCache(p.git, 4096)
	var prev plumbing.Hash
	for i, link := range chain {
		c, err := repo.CommitObject(link.hash)
		if err != nil {
			return fmt.Errorf("ingest: read commit %s: %w", link.hash, err)
		}
		var parent plumbing.Hash
		switch {
		case link.root:
		case i > 0:
			parent = prev
		default:
			pc, err := repo.CommitObject(c.ParentHashes[0])
			if err != nil {
				return fmt.Errorf("ingest: read parent of %s: %w", link.hash, err)
			}
			parent = pc.TreeHash
		}
		var codeFiles []fileChange
		changes, err := diffTrees(ctx, tc, parent, c.TreeHash, p.match, p.submodule, &codeFiles)
		if err != nil {
			return fmt.Errorf("ingest: commit %s: %w", link.hash, err)
		}
		job := &commitJob{
			hash:       link.hash.String(),
			seq:        seq0 + int64(i) + 1,
			date:       c.Committer.When.UTC(),
			authorDate: c.Author.When.UTC(),
			author:     c.Author.Name,
			message:    firstLine(c.Message),
			changes:    make([]jobChange, len(changes)),
		}
		if len(codeFiles) > 0 {
			job.codeDone = make(chan struct{})
			select {
			case code <- codeTask{job: job, root: c.TreeHash, files: codeFiles}:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		for j, fc := range changes {
			jc := jobChange{fileChange: fc}
			// The old side first (usually cached): the new side's parse
			// starts from it.
			if fc.From.present() {
				if jc.from, err = p.blob(ctx, fc.From, nil, tasks); err != nil {
					return err
				}
			}
			if fc.To.present() {
				if jc.to, err = p.blob(ctx, fc.To, jc.from, tasks); err != nil {
					return err
				}
			}
			if fc.From.present() {
				// The file's next change starts from its new version: the
				// old one leaves the cache (a revert reads it again), so
				// that the cache holds the newest version of more files.
				p.cache.remove(fc.From.key())
			}
			job.changes[j] = jc
		}
		select {
		case jobs <- job:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		prev = c.TreeHash
	}
	return nil
}

func (p *pipeline) submodule(path string) {
	if !p.submoduleSeen {
		p.submoduleSeen = true
		p.warn(fmt.Sprintf("skipping submodule %s (and any other submodule matching the include globs)", path))
	}
}

// blob returns the blobInfo of e, reading the blob and queueing it for
// parsing unless it is cached. base, when not nil, is another version of
// the file, which the parse may start from.
func (p *pipeline) blob(ctx context.Context, e entry, base *blobInfo, tasks chan<- parseTask) (*blobInfo, error) {
	k := e.key()
	if b := p.cache.get(k); b != nil {
		return b, nil
	}
	b := &blobInfo{done: make(chan struct{}), cost: 256}
	content, size, err := p.git.readBlob(e.Hash, p.opt.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("ingest: %s: %w", e.Path, err)
	}
	b.size = size
	// The parsed sections take about as much again, and the parse keeps
	// the content for parsing the next version.
	b.cost += 3 * len(content)
	p.cache.add(k, b)
	switch {
	case k.link:
		b.status = livespec.FileSymlink
		b.target = string(content)
	case content == nil && size > p.opt.MaxFileBytes:
		b.status = livespec.FileTooLarge
	case isBinary(content):
		b.status = livespec.FileBinary
	default:
		select {
		case tasks <- parseTask{info: b, path: e.Path, content: content, base: base, metaOnly: !p.match.spec(e.Path), facts: p.factSource(e.Path)}:
			return b, nil
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
	close(b.done)
	return b, nil
}

// isBinary reports whether content is not UTF-8 text: a NUL byte in the
// first 8000 bytes (git's test) or invalid UTF-8.
func isBinary(content []byte) bool {
	head := content[:min(len(content), 8000)]
	return bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(content)
}

func firstLine(msg string) string {
	msg = strings.TrimLeft(msg, "\r\n")
	if i := strings.IndexAny(msg, "\r\n"); i >= 0 {
		msg = msg[:i]
	}
	return strings.TrimSpace(msg)
}

// parseWorker splits blobs into sections until tasks is closed.
func (p *pipeline) parseWorker(ctx context.Context, tasks <-chan parseTask) {
	for t := range tasks {
		if ctx.Err() != nil {
			continue
		}
		runParse(ctx, t)
	}
}

func runParse(ctx context.Context, t parseTask) {
	b := t.info
	defer close(b.done)
	defer func() {
		if r := recover(); r != nil {
			b.status, b.parsed, b.reason = livespec.FileInvalid, nil, fmt.Sprintf("parser failed: %v", r)
		}
	}()
	if t.metaOnly {
		pf, err := parseSidecarMeta(t.path, t.content)
		if err != nil {
			b.status, b.reason = livespec.FileInvalid, err.Error()
			return
		}
		pf.facts = readFields(t, pf)
		b.status, b.parsed = livespec.FileText, pf
		return
	}
	// Start from the other version. Its parse was queued before this one,
	// so it is done or under way in another worker (which never waits for
	// this one): waiting costs less than a full parse.
	var base *ParsedFile
	if t.base != nil {
		select {
		case <-t.base.done:
			if t.base.status == livespec.FileText {
				base = t.base.parsed
			}
		case <-ctx.Done():
			return
		}
	}
	pf, err := parseFileFrom(t.path, t.content, ParseOptions{}, base)
	if parseCheck != nil {
		parseCheck(t.path, t.content, base, pf, err)
	}
	if err != nil {
		b.status, b.reason = livespec.FileInvalid, err.Error()
		return
	}
	if pf == nil {
		pf = &ParsedFile{}
	}
	pf.facts = readFields(t, pf)
	b.status, b.parsed = livespec.FileText, pf
}

// readFields returns the facts of the file t parsed into pf: in the parse
// workers, so that the differ only compares them.
func readFields(t parseTask, pf *ParsedFile) []rawFact {
	switch t.facts {
	case sidecarFacts:
		return metaFacts(pf.Meta, livespec.FactSidecar)
	case documentFacts:
		return markdownFacts(t.content, pf.Meta)
	}
	return nil
}

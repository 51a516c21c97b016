package ingest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/edit"
)

// differ turns each commit, in order, into versions, closes and changes,
// and hands full batches to the writer.
func (p *pipeline) differ(ctx context.Context, jobs <-chan *commitJob, batches chan<- *livespec.Batch, total int) error {
	p.texts = map[string]bool{}
	p.newBatch()
	// The writer has nothing to do until the first batch: a small first
	// batch starts it early; the limit then doubles up to batchItems.
	limit := p.opt.Tuning.FirstItems
	done := 0
	for {
		var job *commitJob
		var ok bool
		select {
		case job, ok = <-jobs:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		if !ok {
			break
		}
		if err := p.commit(ctx, job); err != nil {
			return err
		}
		done++
		p.res.Commits++
		full := p.batchItems >= limit || p.batchBytes >= p.opt.Tuning.BatchBytes
		if full || done == total {
			if err := p.flush(ctx, job, batches, done < total); err != nil {
				return err
			}
			limit = min(2*limit, p.opt.Tuning.BatchItems)
		}
		if p.opt.Progress != nil {
			p.warnMu.Lock()
			p.opt.Progress(Progress{Done: done, Total: total, Commit: job.hash, Date: job.date})
			p.warnMu.Unlock()
		}
	}
	if done != total {
		// The walker stopped early: its error is the cause.
		if err := context.Cause(ctx); err != nil {
			return err
		}
		return fmt.Errorf("ingest: walked %d of %d commits", done, total)
	}
	return nil
}

// firstBatchItems is the item limit of a run's first batch.
const firstBatchItems = 500

func (p *pipeline) newBatch() {
	p.batch = &livespec.Batch{Repo: p.opt.Repo}
	p.pendingV = map[string]int{}
	p.pendingF = map[string]int{}
	p.pendingK = map[string]int{}
	p.pendingL = map[string]int{}
	p.batchItems, p.batchBytes = 0, 0
}

// flush hands the batch to the writer with the checkpoint of last; more
// tells the store that the run's last batch is still to come.
func (p *pipeline) flush(ctx context.Context, last *commitJob, batches chan<- *livespec.Batch, more bool) error {
	config := configOf(p.fp, p.shallow, p.opt)
	p.batch.Checkpoint = &livespec.Checkpoint{
		Repo:      p.opt.Repo,
		Branch:    p.branch,
		Commit:    last.hash,
		Seq:       last.seq,
		Time:      last.date,
		Config:    config,
		Source:    absDir(p.opt.Dir),
		UpdatedAt: time.Now().UTC(),
	}
	p.batch.More = more
	select {
	case batches <- p.batch:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	p.newBatch()
	return nil
}

// commit adds everything job changed to the batch.
func (p *pipeline) commit(ctx context.Context, job *commitJob) error {
	for _, jc := range job.changes {
		for _, b := range []*blobInfo{jc.from, jc.to} {
			if b != nil {
				if err := b.wait(ctx); err != nil {
					return err
				}
			}
		}
	}
	if p.lazy {
		var paths []string
		for _, jc := range job.changes {
			if jc.From.present() && p.match.spec(jc.From.Path) {
				paths = append(paths, jc.From.Path)
			}
		}
		if err := p.loadSections(ctx, paths); err != nil {
			return err
		}
	}
	changes := p.splitMixed(job.changes)
	start, standing := len(p.batch.Changes), p.standing(len(changes))
	// Detach every old side first: a commit can swap two paths.
	olds := make([]*openFile, len(changes))
	for i, jc := range changes {
		if jc.From.present() && p.match.spec(jc.From.Path) {
			olds[i] = p.files[jc.From.Path]
			delete(p.files, jc.From.Path)
		}
	}
	for i, jc := range changes {
		if p.match.spec(jc.path()) {
			p.file(job, jc, olds[i])
		}
	}
	classifyEdits(p.batch.Changes[start:], standing)
	if !p.opt.Tuning.NoFacts {
		if err := p.loadSourceFacts(ctx, changes); err != nil {
			return err
		}
		p.commitFacts(job, changes)
	}
	if err := job.waitCode(ctx); err != nil {
		return err
	}
	p.commitLinks(job, changes)
	return nil
}

// file records one file change: the file-level Change, the file versions
// and the section versions and changes.
func (p *pipeline) file(job *commitJob, jc jobChange, old *openFile) {
	p.sawSpecFile = true
	fs := &fileSections{job: job, jc: jc, path: jc.path(), kind: jc.kind(), old: old}
	fch := p.change(job, fs.path, "", 0, false)
	fch.Kind = fs.kind
	if fs.kind == livespec.Renamed {
		fch.OldPath = jc.From.Path
	}
	if old != nil && old.id != "" {
		p.closeFile(old.id, job)
		fch.Before = old.id
	}

	var oldSecs, newSecs []livespec.Section
	if old != nil && len(old.sections) > 0 && jc.from != nil && jc.from.status == livespec.FileText {
		oldSecs = jc.from.parsed.Sections
	}
	if jc.To.present() {
		fs.nf, newSecs = p.fileVersion(job, fs.path, jc)
		fch.After = fs.nf.id
	}
	if old != nil {
		fs.oldOpen = old.sections
	}
	if oldSecs != nil || newSecs != nil {
		seen := map[secKey]bool{}
		for _, d := range DiffSections(oldSecs, newSecs) {
			p.section(fs, d, seen)
		}
	}
	p.closeLeft(fs)
	fch.Summary = fileSummary(jc, old, fs.counts)
	p.addChange(fch)
}

// fileSections is the section diff of one file change in progress.
type fileSections struct {
	job     *commitJob
	jc      jobChange
	path    string
	kind    livespec.ChangeKind
	old     *openFile         // nil for a new file
	nf      *openFile         // nil for a removed file
	oldOpen map[secKey]string // the old file's open sections not matched yet
	counts  [5]int            // added, modified, removed, renamed, unchanged
}

// fileVersion adds the file version of the new side of jc to the batch
// and returns it as the open file, with its sections when it is text.
func (p *pipeline) fileVersion(job *commitJob, path string, jc jobChange) (*openFile, []livespec.Section) {
	b := jc.to
	fv := livespec.FileVersion{
		ID:        livespec.FileVersionID(p.opt.Repo, path, job.hash),
		Repo:      p.opt.Repo,
		Path:      path,
		Blob:      jc.To.Hash.String(),
		Size:      b.size,
		Status:    b.status,
		Target:    b.target,
		Commit:    job.hash,
		Seq:       job.seq,
		ValidFrom: job.date,
	}
	var secs []livespec.Section
	if b.status == livespec.FileText {
		secs = b.parsed.Sections
		fv.Meta = b.parsed.Meta
		for _, s := range secs {
			fv.Outline = append(fv.Outline, livespec.SectionRef{Heading: s.Heading, Part: s.Part, Join: s.Join})
		}
	} else {
		p.res.Skipped++
		if p.res.SkippedBy == nil {
			p.res.SkippedBy = map[livespec.FileStatus]int{}
		}
		p.res.SkippedBy[b.status]++
		p.warn(fmt.Sprintf("%s at %s: %s", path, livespec.ShortCommit(job.hash), statusNote(b)))
	}
	p.pendingF[fv.ID] = len(p.batch.Files)
	p.batch.Files = append(p.batch.Files, fv)
	p.batchItems++
	p.res.FileVersions++
	nf := newOpenFile(fv.ID, fv.Blob)
	p.files[path] = nf
	return nf, secs
}

// section records one section diff d of the file change fs: an unchanged
// section stays open, others close, open and record their Change. seen
// holds the new sections' keys so far; a duplicate is ignored.
func (p *pipeline) section(fs *fileSections, d SectionDiff, seen map[secKey]bool) {
	job, path := fs.job, fs.path
	var ok, nk secKey
	var oldID string
	hadOld := false
	if d.Old != nil {
		ok = secKey{d.Old.Heading, d.Old.Part}
		oldID, hadOld = fs.oldOpen[ok]
		if hadOld {
			delete(fs.oldOpen, ok)
		}
	}
	if d.New != nil {
		nk = secKey{d.New.Heading, d.New.Part}
		if seen[nk] {
			p.warn(fmt.Sprintf("%s at %s: duplicate section %q ignored", path, livespec.ShortCommit(job.hash), d.New.Heading))
			return
		}
		seen[nk] = true
	}
	switch {
	case d.New != nil && hadOld:
		if fs.kind != livespec.Renamed && ok == nk && fs.old.hashes[ok] == d.New.Hash {
			fs.nf.sections[nk], fs.nf.hashes[nk] = oldID, d.New.Hash
			fs.counts[4]++
			return
		}
		p.closeVersion(oldID, job)
		v := p.addVersion(job, path, d.New, fs.nf)
		ch := p.change(job, path, d.New.Heading, d.New.Part, true)
		ch.Before, ch.After, ch.Summary = oldID, v.ID, d.Summary
		ch.Kind = livespec.Modified
		if fs.kind == livespec.Renamed || ok != nk {
			ch.Kind = livespec.Renamed
			fs.counts[3]++
			if fs.kind == livespec.Renamed {
				ch.OldPath = fs.jc.From.Path
				if ch.Summary == "" {
					ch.Summary = "moved with the file from " + fs.jc.From.Path
				}
			}
			if ok.heading != nk.heading {
				ch.OldHeading = ok.heading
			}
		} else {
			fs.counts[1]++
		}
		ch.Editorial = edit.Text(ch.Kind, d.Old.Text, d.New.Text) // the commit's kinds replace it
		p.addChange(ch)
	case d.New != nil:
		v := p.addVersion(job, path, d.New, fs.nf)
		ch := p.change(job, path, d.New.Heading, d.New.Part, true)
		ch.Kind, ch.After, ch.Summary = livespec.Added, v.ID, d.Summary
		p.sectionChange(fs, ch, 0)
	case hadOld:
		p.closeVersion(oldID, job)
		ch := p.change(job, path, ok.heading, ok.part, true)
		ch.Kind, ch.Before, ch.Summary = livespec.Removed, oldID, d.Summary
		p.sectionChange(fs, ch, 2)
	}
}

// sectionChange records ch, an added or removed section of the file
// change fs, counted under counts[n].
func (p *pipeline) sectionChange(fs *fileSections, ch livespec.Change, n int) {
	if fs.kind == livespec.Renamed {
		ch.OldPath = fs.jc.From.Path
	}
	fs.counts[n]++
	p.addChange(ch)
}

// closeLeft ends the sections still open under the old path that were not
// in the old text as parsed now (the file stopped being text, or the
// stored state came from another parse).
func (p *pipeline) closeLeft(fs *fileSections) {
	if len(fs.oldOpen) == 0 {
		return
	}
	keys := make([]secKey, 0, len(fs.oldOpen))
	for k := range fs.oldOpen {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].heading != keys[j].heading {
			return keys[i].heading < keys[j].heading
		}
		return keys[i].part < keys[j].part
	})
	for _, k := range keys {
		id := fs.oldOpen[k]
		p.closeVersion(id, fs.job)
		ch := p.change(fs.job, fs.path, k.heading, k.part, true)
		ch.Kind, ch.Before, ch.Summary = livespec.Removed, id, "section removed"
		p.sectionChange(fs, ch, 2)
	}
}

func statusNote(b *blobInfo) string {
	switch b.status {
	case livespec.FileBinary:
		return "binary or not UTF-8, recorded but not indexed"
	case livespec.FileTooLarge:
		return fmt.Sprintf("too large (%d bytes), recorded but not indexed", b.size)
	case livespec.FileSymlink:
		return "symbolic link to " + b.target + ", recorded but not indexed"
	case livespec.FileInvalid:
		return "cannot be parsed (" + b.reason + "), recorded but not indexed"
	}
	return string(b.status)
}

// fileSummary describes a file-level change in a few words.
func fileSummary(jc jobChange, old *openFile, c [5]int) string {
	var parts []string
	switch jc.kind() {
	case livespec.Added:
		parts = append(parts, "file added")
	case livespec.Removed:
		parts = append(parts, "file removed")
	case livespec.Renamed:
		parts = append(parts, "renamed from "+jc.From.Path)
	}
	if jc.To.present() && jc.to.status != livespec.FileText {
		parts = append(parts, string(jc.to.status))
	} else if jc.From.present() && jc.To.present() && jc.from.status != livespec.FileText && jc.to.status == livespec.FileText {
		parts = append(parts, "now text")
	}
	if jc.From.present() && jc.To.present() && jc.From.Mode != jc.To.Mode {
		parts = append(parts, fmt.Sprintf("mode %o → %o", uint32(jc.From.Mode), uint32(jc.To.Mode)))
	}
	for i, w := range []string{"added", "modified", "removed", "renamed"} {
		if c[i] == 0 {
			continue
		}
		s := "s"
		if c[i] == 1 {
			s = ""
		}
		parts = append(parts, fmt.Sprintf("%d section%s %s", c[i], s, w))
	}
	if len(parts) == 0 {
		if jc.From.Hash == jc.To.Hash {
			return "no content change"
		}
		return "whitespace or formatting only"
	}
	return strings.Join(parts, ", ")
}

func (p *pipeline) change(job *commitJob, path, heading string, part int, section bool) livespec.Change {
	return livespec.Change{
		ID:         livespec.ChangeID(p.opt.Repo, job.hash, path, heading, part, section),
		Repo:       p.opt.Repo,
		Commit:     job.hash,
		Seq:        job.seq,
		Date:       job.date,
		AuthorDate: job.authorDate,
		Author:     job.author,
		Message:    job.message,
		Path:       path,
		Heading:    heading,
		Part:       part,
		Section:    section,
	}
}

func (p *pipeline) addChange(c livespec.Change) {
	p.batch.Changes = append(p.batch.Changes, c)
	p.batchItems++
	p.res.Changes++
}

func (p *pipeline) addVersion(job *commitJob, path string, s *livespec.Section, nf *openFile) *livespec.Version {
	key := livespec.Key{Repo: p.opt.Repo, Path: path, Heading: s.Heading, Part: s.Part}
	hash := s.Hash
	if hash == "" {
		hash = livespec.ContentHash(s.Text)
	}
	v := livespec.Version{
		ID:        livespec.VersionID(key, job.hash),
		Key:       key,
		Level:     s.Level,
		Text:      s.Text,
		Hash:      hash,
		Links:     s.Links,
		Commit:    job.hash,
		Seq:       job.seq,
		ValidFrom: job.date,
		Author:    job.author,
	}
	p.pendingV[v.ID] = len(p.batch.Versions)
	p.batch.Versions = append(p.batch.Versions, v)
	p.batchItems++
	p.batchBytes += len(v.Text)
	p.res.Versions++
	if !p.texts[hash] {
		p.texts[hash] = true
		p.res.DistinctTexts++
	}
	k := secKey{s.Heading, s.Part}
	nf.sections[k], nf.hashes[k] = v.ID, hash
	return &p.batch.Versions[len(p.batch.Versions)-1]
}

// closeVersion ends a section version at job: in place when the batch
// holds it, with a Close otherwise.
func (p *pipeline) closeVersion(id string, job *commitJob) {
	if i, ok := p.pendingV[id]; ok {
		v := &p.batch.Versions[i]
		v.EndCommit, v.EndSeq, v.ValidTo = job.hash, job.seq, job.date
		delete(p.pendingV, id)
		return
	}
	p.batch.Closes = append(p.batch.Closes, livespec.Close{ID: id, Commit: job.hash, Seq: job.seq, ValidTo: job.date})
	p.batchItems++
}

func (p *pipeline) closeFile(id string, job *commitJob) {
	if i, ok := p.pendingF[id]; ok {
		f := &p.batch.Files[i]
		f.EndCommit, f.EndSeq, f.ValidTo = job.hash, job.seq, job.date
		delete(p.pendingF, id)
		return
	}
	p.batch.Closes = append(p.batch.Closes, livespec.Close{ID: id, File: true, Commit: job.hash, Seq: job.seq, ValidTo: job.date})
	p.batchItems++
}

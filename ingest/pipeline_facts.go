package ingest

import (
	"context"
	"fmt"
	"slices"

	"github.com/livespec/livespec"
)

// loadFacts reads the repo's open facts, by source file and field.
func (p *pipeline) loadFacts(ctx context.Context) error {
	fs, err := p.store.Facts(ctx, livespec.FactQuery{Repos: []string{p.opt.Repo}, Validity: livespec.Current()})
	if err != nil {
		return err
	}
	p.addOpenFacts(fs, nil)
	return nil
}

// addOpenFacts keeps the open facts fs of the sources in only (nil: all).
func (p *pipeline) addOpenFacts(fs []livespec.Fact, only map[string]bool) {
	for i := range fs {
		f := &fs[i]
		if only != nil && !only[f.Source] {
			continue
		}
		m := p.facts[f.Source]
		if m == nil {
			m = map[string]*livespec.Fact{}
			p.facts[f.Source] = m
		}
		m[f.Field] = f
	}
}

// loadSourceFacts reads, in lazy mode, the open facts of the sources
// changes touch that no earlier commit of the run touched: from the store,
// which holds them as the run found them. A source's facts describe the
// document its path names (itself, or a sidecar's document), so they are
// asked for by those documents.
func (p *pipeline) loadSourceFacts(ctx context.Context, changes []jobChange) error {
	if p.factsAt == nil {
		return nil
	}
	want := map[string]bool{}
	var docs []string
	for _, jc := range changes {
		for _, side := range []entry{jc.From, jc.To} {
			if !side.present() || p.factsAt[side.Path] {
				continue
			}
			p.factsAt[side.Path] = true
			want[side.Path] = true
			doc := side.Path
			if d, ok := sidecarDoc(p.opt.Sidecars, side.Path); ok {
				doc = d
			}
			docs = append(docs, quoteGlob(doc))
		}
	}
	if len(docs) == 0 {
		return nil
	}
	fs, err := p.store.Facts(ctx, livespec.FactQuery{Repos: []string{p.opt.Repo}, Paths: docs, Validity: livespec.Current()})
	if err != nil {
		return fmt.Errorf("ingest: load open facts: %w", err)
	}
	p.addOpenFacts(fs, want)
	return nil
}

// splitMixed turns a change between a spec file and a sidecar that is not
// a spec file (a rename across the two) into a removal and an addition, so
// that every change is either a spec file's or a sidecar's.
func (p *pipeline) splitMixed(changes []jobChange) []jobChange {
	mixed := false
	for _, jc := range changes {
		if jc.From.present() && jc.To.present() && p.match.spec(jc.From.Path) != p.match.spec(jc.To.Path) {
			mixed = true
		}
	}
	if !mixed {
		return changes
	}
	out := make([]jobChange, 0, len(changes)+1)
	for _, jc := range changes {
		if jc.From.present() && jc.To.present() && p.match.spec(jc.From.Path) != p.match.spec(jc.To.Path) {
			out = append(out,
				jobChange{fileChange: fileChange{From: jc.From}, from: jc.from},
				jobChange{fileChange: fileChange{To: jc.To}, to: jc.to})
			continue
		}
		out = append(out, jc)
	}
	return out
}

// commitFacts records the fact versions, closes and changes of the files
// job changed. Every old side is detached first: a commit can swap paths.
func (p *pipeline) commitFacts(job *commitJob, changes []jobChange) {
	olds := make([]map[string]*livespec.Fact, len(changes))
	for i, jc := range changes {
		if jc.From.present() {
			olds[i] = p.facts[jc.From.Path]
			delete(p.facts, jc.From.Path)
		}
	}
	for i, jc := range changes {
		p.sourceFacts(job, jc, olds[i])
	}
}

// readFacts returns the document the new side of jc describes and its
// fields: a sidecar's top-level fields, or a Markdown document's front
// matter and header fields.
func (p *pipeline) readFacts(jc jobChange) (string, []rawFact) {
	if !jc.To.present() || jc.to == nil || jc.to.status != livespec.FileText || jc.to.parsed == nil {
		return "", nil
	}
	path := jc.To.Path
	if doc, ok := sidecarDoc(p.opt.Sidecars, path); ok {
		return doc, jc.to.parsed.facts
	}
	if isMarkdown(path) {
		return path, jc.to.parsed.facts
	}
	return "", nil
}

// sourceFacts diffs the fields of one source file against its open facts
// (old, under its old path).
func (p *pipeline) sourceFacts(job *commitJob, jc jobChange, old map[string]*livespec.Fact) {
	doc, raws := p.readFacts(jc)
	src := jc.To.Path
	renamed := jc.kind() == livespec.Renamed
	var cur map[string]*livespec.Fact
	if len(raws) > 0 {
		cur = make(map[string]*livespec.Fact, len(raws))
		p.facts[src] = cur
	}
	for _, r := range raws {
		o := old[r.field]
		delete(old, r.field)
		if o != nil && !renamed && o.Path == doc && o.Raw == r.raw && o.Name == r.name && o.Origin == r.origin {
			cur[r.field] = o
			continue
		}
		f := livespec.Fact{
			ID: livespec.FactID(p.opt.Repo, src, r.field, job.hash), Repo: p.opt.Repo, Path: doc, Source: src,
			Origin: r.origin, Field: r.field, Name: r.name, Raw: r.raw, Value: r.value, Release: r.release,
			Commit: job.hash, Seq: job.seq, ValidFrom: job.date, SinceCommit: job.hash, Since: job.date,
		}
		ch := p.factChange(job, doc, src, r.field)
		ch.Kind, ch.Value, ch.After = livespec.Added, r.value, f.ID
		if o != nil {
			p.closeFact(o.ID, job)
			ch.Kind, ch.Before, ch.Previous = livespec.Modified, o.ID, o.Value
			if o.Path != doc {
				ch.OldPath = o.Path
			}
			if o.Value == r.value {
				// Moved or reworded, not changed: the value dates from before.
				f.SinceCommit, f.Since, f.Previous = o.SinceCommit, o.Since, o.Previous
				if o.Path != doc {
					ch.Kind = livespec.Renamed
				}
			} else {
				f.Previous = o.Value
			}
		}
		p.addFact(f)
		p.addFactChange(ch)
		cur[r.field] = &f
	}
	gone := make([]string, 0, len(old))
	for field := range old {
		gone = append(gone, field)
	}
	slices.Sort(gone)
	for _, field := range gone {
		o := old[field]
		p.closeFact(o.ID, job)
		path := o.Path
		if doc != "" {
			path = doc
		}
		ch := p.factChange(job, path, o.Source, field)
		ch.Kind, ch.Previous, ch.Before = livespec.Removed, o.Value, o.ID
		if path != o.Path {
			ch.OldPath = o.Path
		}
		p.addFactChange(ch)
	}
}

func (p *pipeline) factChange(job *commitJob, path, source, field string) livespec.FactChange {
	return livespec.FactChange{
		ID: livespec.FactChangeID(p.opt.Repo, job.hash, source, field), Repo: p.opt.Repo,
		Commit: job.hash, Seq: job.seq, Date: job.date, Author: job.author, Message: job.message,
		Path: path, Source: source, Field: field,
	}
}

func (p *pipeline) addFact(f livespec.Fact) {
	p.pendingK[f.ID] = len(p.batch.Facts)
	p.batch.Facts = append(p.batch.Facts, f)
	p.batchItems++
	p.res.Facts++
}

func (p *pipeline) addFactChange(c livespec.FactChange) {
	p.batch.FactChanges = append(p.batch.FactChanges, c)
	p.batchItems++
}

// closeFact ends a fact version at job: in place when the batch holds it,
// with a Close otherwise.
func (p *pipeline) closeFact(id string, job *commitJob) {
	if i, ok := p.pendingK[id]; ok {
		f := &p.batch.Facts[i]
		f.EndCommit, f.EndSeq, f.ValidTo = job.hash, job.seq, job.date
		delete(p.pendingK, id)
		return
	}
	p.batch.FactCloses = append(p.batch.FactCloses, livespec.Close{ID: id, Commit: job.hash, Seq: job.seq, ValidTo: job.date})
	p.batchItems++
}

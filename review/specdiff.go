package review

import (
	"cmp"
	"path"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/retrieval"
)

// wholeSections keeps a section whole however long it is: review quotes
// what differs in a section, not in a part of one.
var wholeSections = ingest.ParseOptions{MaxSectionBytes: 1 << 30}

// fileSide is one version of a changed spec file.
type fileSide struct {
	path    string
	content []byte
	parsed  *ingest.ParsedFile
}

// side reads and parses one side of a change; a missing side, a file
// over the size limit or a sidecar that does not decode gives a nil
// parse.
func (rv *reviewer) side(p string, h plumbing.Hash) (fileSide, error) {
	fs := fileSide{path: p}
	if p == "" {
		return fs, nil
	}
	b, err := rv.rp.blob(h)
	if err != nil {
		return fs, err
	}
	fs.content = b
	if pf, err := ingest.ParseFile(p, b, wholeSections); err == nil {
		fs.parsed = pf
	}
	return fs, nil
}

// specDiff describes each spec document the range changed, in path order.
func (rv *reviewer) specDiff() ([]Document, error) {
	docs := map[string]*Document{}
	var order []string
	doc := func(p string) *Document {
		d := docs[p]
		if d == nil {
			d = &Document{Path: p, Kind: livespec.Modified, Sections: []SectionChange{}, Facts: []FactChange{}}
			docs[p] = d
			order = append(order, p)
		}
		return d
	}
	for _, fc := range rv.files {
		spec := rv.isSpec(fc.From) || rv.isSpec(fc.To)
		side := rv.sidecar(fc.From) || rv.sidecar(fc.To)
		if !spec && !side {
			continue
		}
		before, err := rv.side(fc.From, fc.FromHash)
		if err != nil {
			return nil, err
		}
		after, err := rv.side(fc.To, fc.ToHash)
		if err != nil {
			return nil, err
		}
		if side {
			rv.sidecarFacts(before, after, doc)
			continue
		}
		d := doc(cmp.Or(fc.To, fc.From))
		fillDocument(d, fc, before, after)
	}
	out := make([]Document, 0, len(order))
	slices.Sort(order)
	for _, p := range order {
		d := docs[p]
		if d.Title == "" {
			d.Title = rv.title(p)
		}
		if len(d.Sections) == 0 && len(d.Facts) == 0 && len(d.Editorial) == 0 && d.Kind == livespec.Modified {
			continue // only a sidecar field no one reads, or bytes no section shows
		}
		out = append(out, *d)
	}
	return out, nil
}

// fillDocument sets a document's kind, title, section changes, editorial
// count and facts from the two versions of its file.
func fillDocument(d *Document, fc fileChange, before, after fileSide) {
	switch {
	case fc.From == "":
		d.Kind = livespec.Added
	case fc.To == "":
		d.Kind = livespec.Removed
	case fc.From != fc.To:
		d.Kind, d.OldPath = livespec.Renamed, fc.From
	}
	d.Title = cmp.Or(titleOf(after.parsed), titleOf(before.parsed), d.Title)
	for _, sd := range ingest.DiffSections(sections(before.parsed), sections(after.parsed)) {
		if sd.Kind == "" || isFrontMatter(sd) {
			continue // front matter speaks through its facts
		}
		if sd.Old != nil && sd.New != nil {
			if k := retrieval.EditKind(sd.Old.Text, sd.New.Text); k != "" {
				if d.Editorial == nil {
					d.Editorial = map[string]int{}
				}
				d.Editorial[k]++
				continue
			}
		}
		d.Sections = append(d.Sections, sectionChange(sd))
	}
	_, bf := ingest.FileFacts(before.path, before.content, before.parsed, nil)
	_, af := ingest.FileFacts(after.path, after.content, after.parsed, nil)
	d.Facts = append(d.Facts, factChanges(bf, af)...)
}

// sectionChange says what one section diff did, in the spec's words.
func sectionChange(sd ingest.SectionDiff) SectionChange {
	sc := SectionChange{Kind: sd.Kind}
	switch {
	case sd.New == nil:
		sc.Heading, sc.Before = sd.Old.Heading, retrieval.LeadSentences(sd.Old.Text)
	case sd.Old == nil:
		sc.Heading, sc.Now = sd.New.Heading, retrieval.LeadSentences(sd.New.Text)
	default:
		sc.Heading = sd.New.Heading
		if sd.Old.Heading != sd.New.Heading {
			sc.OldHeading = sd.Old.Heading
		}
		sc.Now, sc.Before = retrieval.SentenceDiff(sd.Old.Text, sd.New.Text)
		if sc.Now == "" && sc.Before == "" {
			sc.Summary = ingest.Summarize(sd.Old.Text, sd.New.Text)
		}
	}
	return sc
}

// sidecarFacts adds the fact changes of a sidecar to its document.
func (rv *reviewer) sidecarFacts(before, after fileSide, doc func(string) *Document) {
	db, bf := ingest.FileFacts(before.path, before.content, before.parsed, rv.opt.Sidecars)
	da, af := ingest.FileFacts(after.path, after.content, after.parsed, rv.opt.Sidecars)
	if before.path == "" {
		db = da
	}
	if after.path == "" {
		da = db
	}
	if db != da {
		doc(db).Facts = append(doc(db).Facts, factChanges(bf, nil)...)
		doc(da).Facts = append(doc(da).Facts, factChanges(nil, af)...)
		return
	}
	fs := factChanges(bf, af)
	if len(fs) > 0 {
		d := doc(da)
		d.Facts = append(d.Facts, fs...)
	}
}

// factChanges pairs facts by field: values that differ, fields added and
// fields removed, in the order of after then before.
func factChanges(before, after []livespec.Fact) []FactChange {
	was := map[string]livespec.Fact{}
	for _, f := range before {
		was[f.Field] = f
	}
	var out []FactChange
	seen := map[string]bool{}
	for _, f := range after {
		seen[f.Field] = true
		if b, ok := was[f.Field]; !ok || b.Value != f.Value {
			out = append(out, FactChange{Field: f.Field, Name: f.Name, Before: b.Value, After: f.Value})
		}
	}
	for _, f := range before {
		if !seen[f.Field] {
			out = append(out, FactChange{Field: f.Field, Name: f.Name, Before: f.Value})
		}
	}
	return out
}

func sections(pf *ingest.ParsedFile) []livespec.Section {
	if pf == nil {
		return nil
	}
	return pf.Sections
}

// titleOf is a document's first heading, or "".
func titleOf(pf *ingest.ParsedFile) string {
	if pf == nil {
		return ""
	}
	for _, s := range pf.Sections {
		if s.Heading != "" && s.Heading != livespec.FrontMatterHeading {
			return livespec.SplitHeading(s.Heading)[0]
		}
	}
	return ""
}

// title is the title of the document at path at head (a document whose
// only change was a sidecar's), else its file name.
func (rv *reviewer) title(p string) string {
	if f, err := rv.rp.headTree.File(p); err == nil {
		if b, err := rv.rp.blob(f.Hash); err == nil {
			if pf, err := ingest.ParseFile(p, b, wholeSections); err == nil {
				if t := titleOf(pf); t != "" {
					return t
				}
			}
		}
	}
	return path.Base(p)
}

func isFrontMatter(sd ingest.SectionDiff) bool {
	return (sd.Old == nil || sd.Old.Heading == livespec.FrontMatterHeading) &&
		(sd.New == nil || sd.New.Heading == livespec.FrontMatterHeading)
}

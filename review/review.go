package review

import (
	"context"
	"slices"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
)

// Options says what to review.
type Options struct {
	Dir    string // the git repository ("" = ".")
	Range  string // "BASE..HEAD", "BASE...HEAD", "BASE", or "" (merge base with the tracked branch..HEAD)
	Branch string // the tracked branch for the default range ("" = origin's HEAD, else origin/main, origin/master, main or master)
	// Include and Exclude select the spec files as ingest does: empty
	// Include = ingest.DefaultInclude; nil Exclude = ingest.DefaultExclude.
	Include, Exclude []string
	Sidecars         []ingest.SidecarPair // nil = ingest.DefaultSidecars
}

// Report is what a range of commits does to the spec.
type Report struct {
	Base    Commit `json:"base"`
	Head    Commit `json:"head"`
	Commits int    `json:"commits"` // commits reachable from head and not from base
	Totals  Totals `json:"totals"`
	// Documents are the spec documents the range changed, in path order.
	Documents []Document `json:"documents"`
	// Findings are drift between code and spec, stale first.
	Findings []Finding `json:"findings"`
}

// Commit is one end of the range.
type Commit struct {
	Hash string    `json:"hash"`
	Date time.Time `json:"date"`
}

// Totals count the report.
type Totals struct {
	Documents    int `json:"documents"`
	Added        int `json:"sections_added"`
	Removed      int `json:"sections_removed"`
	Changed      int `json:"sections_changed"` // modified or renamed, editorial edits not counted
	Editorial    int `json:"editorial"`
	Facts        int `json:"facts"`
	Stale        int `json:"stale"`
	Undocumented int `json:"undocumented"`
	Uncovered    int `json:"uncovered"`
}

// Document is one spec document the range changed.
type Document struct {
	Path    string              `json:"path"`
	OldPath string              `json:"old_path,omitempty"` // its path at base when it was renamed
	Title   string              `json:"title"`
	Kind    livespec.ChangeKind `json:"kind"` // added, removed, modified or renamed
	// Sections are the sections added, removed or changed in substance,
	// in document order (removals last).
	Sections []SectionChange `json:"sections"`
	Facts    []FactChange    `json:"facts"`
	// Editorial counts sections whose edit changed only their form
	// (spacing, heading marks, links, a typo), by kind.
	Editorial map[string]int `json:"editorial,omitempty"`
}

// SectionChange is one section added, removed or changed.
type SectionChange struct {
	Heading    string              `json:"heading"`
	OldHeading string              `json:"old_heading,omitempty"` // when renamed or moved
	Kind       livespec.ChangeKind `json:"kind"`
	// Now is what the section says that it did not (an added section: its
	// first sentences); Before what it said that it no longer does. Both
	// are shortened.
	Now    string `json:"now,omitempty"`
	Before string `json:"before,omitempty"`
	// Summary counts lines when no prose sentence differs ("+2 −1 lines").
	Summary string `json:"summary,omitempty"`
}

// FactChange is one lifecycle fact whose value changed.
type FactChange struct {
	Field  string `json:"field"`
	Name   string `json:"name"`
	Before string `json:"before"` // "" when the field is new
	After  string `json:"after"`  // "" when the field was removed
}

// Run reviews a range of commits of the repository in opt.Dir. Errors are
// classified: EINVALID for a directory that is no git repository, an
// unknown revision or a range with no merge base.
func Run(ctx context.Context, opt Options) (*Report, error) {
	opt = opt.withDefaults()
	for _, g := range slices.Concat(opt.Include, opt.Exclude) {
		if !doublestar.ValidatePattern(g) {
			return nil, livespec.Errorf(livespec.EINVALID, "invalid glob %q", g)
		}
	}
	g, err := openRepo(opt.Dir)
	if err != nil {
		return nil, err
	}
	rp, err := resolveRange(g, opt.Range, opt.Branch)
	if err != nil {
		return nil, err
	}
	files, err := rp.changedFiles(ctx)
	if err != nil {
		return nil, err
	}
	rev := &reviewer{opt: opt, rp: rp, files: files}
	rep := &Report{
		Base:    Commit{Hash: rp.base.Hash.String(), Date: rp.base.Committer.When.UTC()},
		Head:    Commit{Hash: rp.head.Hash.String(), Date: rp.head.Committer.When.UTC()},
		Commits: rp.countCommits(),
	}
	if rep.Documents, err = rev.specDiff(); err != nil {
		return nil, err
	}
	if rep.Findings, err = rev.drift(ctx, rep.Documents); err != nil {
		return nil, err
	}
	rep.Totals = totals(rep)
	if rep.Documents == nil {
		rep.Documents = []Document{}
	}
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	return rep, nil
}

func (o Options) withDefaults() Options {
	if len(o.Include) == 0 {
		o.Include = ingest.DefaultInclude
	}
	if o.Exclude == nil {
		o.Exclude = ingest.DefaultExclude
	}
	if o.Sidecars == nil {
		o.Sidecars = ingest.DefaultSidecars
	}
	return o
}

// reviewer holds one review's state.
type reviewer struct {
	opt   Options
	rp    *repo
	files []fileChange
	idx   *codeIndex // identifiers of the changed code, read by drift
	specs []specSection
}

// isSpec reports whether path is a spec file: Include minus Exclude.
func (rv *reviewer) isSpec(path string) bool {
	return matchAny(rv.opt.Include, path) && !matchAny(rv.opt.Exclude, path)
}

// sidecarDoc returns the document a sidecar describes, and whether path
// is one.
func (rv *reviewer) sidecar(path string) bool {
	if path == "" || matchAny(rv.opt.Exclude, path) {
		return false
	}
	for _, sp := range rv.opt.Sidecars {
		if baseName(path) == sp.Sidecar {
			return true
		}
	}
	return false
}

func matchAny(globs []string, path string) bool {
	for _, g := range globs {
		if ok, _ := doublestar.Match(g, path); ok {
			return true
		}
	}
	return false
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

func totals(r *Report) Totals {
	t := Totals{Documents: len(r.Documents)}
	for _, d := range r.Documents {
		for _, s := range d.Sections {
			switch s.Kind {
			case livespec.Added:
				t.Added++
			case livespec.Removed:
				t.Removed++
			default:
				t.Changed++
			}
		}
		for _, n := range d.Editorial {
			t.Editorial += n
		}
		t.Facts += len(d.Facts)
	}
	for _, f := range r.Findings {
		switch f.Kind {
		case Stale:
			t.Stale++
		case Undocumented:
			t.Undocumented++
		case Uncovered:
			t.Uncovered++
		}
	}
	return t
}

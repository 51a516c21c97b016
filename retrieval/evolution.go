package retrieval

import (
	"context"
	"time"

	"github.com/livespec/livespec"
)

// Repository-wide edits: a commit that modified at least sweepMinFiles
// spec files and at least sweepShare of the spec files that stood before
// it reformatted the repository, whatever it did to one document.
const (
	sweepShare    = 0.5
	sweepMinFiles = 8
)

// editOrder is the order in which an editorial file-level event takes the
// kind of its sections' edits: the most telling first.
var editOrder = []string{livespec.EditTypo, livespec.EditLinks, livespec.EditHeading, livespec.EditMoved, livespec.EditWhitespace}

// commitFile is one file in one commit.
type commitFile struct{ repo, commit, path string }

// editClassifier says which change events of a history are editorial. It
// reads each commit's section events of a file once, the texts they
// replaced and introduced as needed, and each commit's share of the
// repository's files once.
type editClassifier struct {
	a      *Assistant
	events map[commitFile][]livespec.Change
	sweeps map[string]bool // repo + commit
}

// classify sets Editorial on the modifications and renames of cs that
// changed only the form of the text: for a section event, the edit of its
// text (editKind); for a file-level event, the edit its sections share
// (none of them added or removed), or EditSweep when its commit modified
// a large share of the repository's files and added or removed no
// section of this file. Additions and removals are always substance.
func (a *Assistant) classify(ctx context.Context, cs []livespec.AnswerChange) error {
	k := &editClassifier{a: a, events: map[commitFile][]livespec.Change{}, sweeps: map[string]bool{}}
	for i := range cs {
		c := &cs[i]
		if c.Kind != livespec.Modified && (c.Kind != livespec.Renamed || c.IsFile()) {
			continue // additions, removals and file renames are news
		}
		kind, err := k.kindOf(ctx, *c)
		if err != nil {
			return err
		}
		c.Editorial = kind
	}
	return nil
}

// kindOf classifies one modification or rename.
func (k *editClassifier) kindOf(ctx context.Context, c livespec.AnswerChange) (string, error) {
	evs, err := k.sectionEvents(ctx, c)
	if err != nil {
		return "", err
	}
	heading, file := c.Heading, c.IsFile()
	if !file && heading == livespec.PreambleHeading {
		heading = ""
	}
	seen := map[string]bool{}
	structural := false
	for _, e := range evs {
		if file && (e.Kind == livespec.Added || e.Kind == livespec.Removed) {
			structural = true
			break
		}
	}
	substance := false
	for _, e := range evs {
		if !file && e.Heading != heading {
			continue
		}
		kind, err := k.edit(ctx, e)
		if err != nil {
			return "", err
		}
		if kind == "" {
			substance = true
			break
		}
		seen[kind] = true
	}
	if !structural && len(evs) > 0 {
		sweep, err := k.sweep(ctx, c)
		if err != nil {
			return "", err
		}
		if sweep {
			return livespec.EditSweep, nil
		}
	}
	if substance || structural {
		return "", nil
	}
	if file && len(evs) == 0 {
		// The file's bytes changed but no section's normalised text did.
		return livespec.EditWhitespace, nil
	}
	for _, kind := range editOrder {
		if seen[kind] {
			return kind, nil
		}
	}
	return "", nil
}

// edit classifies one section event by its texts: a rename that kept
// the text moved the section in the outline.
func (k *editClassifier) edit(ctx context.Context, e livespec.Change) (string, error) {
	if e.Kind == livespec.Added || e.Kind == livespec.Removed || e.Before == "" || e.After == "" {
		return "", nil
	}
	before, err := k.a.versionText(ctx, e.Before)
	if err != nil {
		return "", err
	}
	after, err := k.a.versionText(ctx, e.After)
	if err != nil {
		return "", err
	}
	if before.ID == "" || after.ID == "" {
		return "", nil
	}
	if e.Kind == livespec.Renamed && before.Text == after.Text {
		return livespec.EditMoved, nil
	}
	return editKind(before.Text, after.Text), nil
}

// sectionEvents returns the section events of c's file in c's commit.
func (k *editClassifier) sectionEvents(ctx context.Context, c livespec.AnswerChange) ([]livespec.Change, error) {
	cf := commitFile{c.Repo, c.Commit, c.Path}
	if evs, ok := k.events[cf]; ok {
		return evs, nil
	}
	cs, err := k.a.Store.Changes(ctx, livespec.ChangeQuery{Repos: []string{c.Repo}, Paths: []string{livespec.LiteralGlob(c.Path)},
		From: c.Date.Time, To: c.Date.Add(time.Second), Sections: true})
	if err != nil {
		return nil, storeError("read changes", err)
	}
	var evs []livespec.Change
	for _, e := range cs {
		if e.Section && e.Commit == c.Commit && e.Path == c.Path {
			evs = append(evs, e)
		}
	}
	k.events[cf] = evs
	return evs, nil
}

// sweep reports whether c's commit modified a large share of the spec
// files of its repository: at least sweepMinFiles, and sweepShare of the
// files that stood before it (listed briefly: only their number counts).
func (k *editClassifier) sweep(ctx context.Context, c livespec.AnswerChange) (bool, error) {
	key := c.Repo + "\x00" + c.Commit
	if s, ok := k.sweeps[key]; ok {
		return s, nil
	}
	cs, err := k.a.Store.Changes(ctx, livespec.ChangeQuery{Repos: []string{c.Repo}, From: c.Date.Time, To: c.Date.Add(time.Second)})
	if err != nil {
		return false, storeError("read changes", err)
	}
	modified := 0
	for _, e := range cs {
		if !e.Section && e.Commit == c.Commit && e.Kind == livespec.Modified {
			modified++
		}
	}
	sweep := false
	if modified >= sweepMinFiles {
		files, err := k.a.Store.Files(ctx, livespec.FileQuery{Repos: []string{c.Repo}, Validity: livespec.AsOf(c.Date.Add(-time.Nanosecond)), Brief: true})
		if err != nil {
			return false, storeError("list files", err)
		}
		sweep = float64(modified) >= sweepShare*float64(len(files))
	}
	k.sweeps[key] = sweep
	return sweep, nil
}

// titles names the documents of cs by their titles (front matter, else
// first heading), read from each path's latest version.
func (a *Assistant) titles(ctx context.Context, cs []livespec.AnswerChange) ([]livespec.DocTitle, error) {
	var out []livespec.DocTitle
	seen := map[fileID]bool{}
	cur, err := a.current(ctx, nil)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		f := fileID{c.Repo, c.Path}
		if seen[f] {
			continue
		}
		seen[f] = true
		fv, err := a.latestFile(ctx, c.Repo, c.Path)
		if err != nil {
			return nil, err
		}
		if t := fileTitleOf(fv); t != "" && !cur.untitled[t] {
			out = append(out, livespec.DocTitle{Repo: c.Repo, Path: c.Path, Title: t})
		}
	}
	return out, nil
}

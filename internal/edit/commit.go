// Package edit says which change events changed only the form of a
// spec's text: Kind compares two texts of a section, Commit classifies
// every event of one commit. Ingest stores each change's kind with the
// change (livespec.Change.Editorial), so an answer reads it instead of
// comparing texts.
package edit

import "github.com/livespec/livespec"

// Repository-wide edits: a commit that modified at least SweepMinFiles
// spec files and at least SweepShare of the spec files that stood before
// it reformatted the repository, whatever it did to one document.
const (
	SweepShare    = 0.5
	SweepMinFiles = 8
)

// order is the order in which an editorial file-level event takes the
// kind of its sections' edits: the most telling first.
var order = []string{livespec.EditTypo, livespec.EditLinks, livespec.EditHeading, livespec.EditMoved, livespec.EditWhitespace}

// Event is what classifying one change event of a commit needs.
type Event struct {
	Section bool
	Kind    livespec.ChangeKind
	Path    string
	Heading string
	// Text is, for a section event, the edit of its own text (Text); ""
	// for a file-level event.
	Text string
}

// Text is the edit of one section event's text, from before (the text
// it replaced) to after (the text it introduced): a rename that kept the
// text moved the section in the outline; a modification or rename is
// classified by Kind; an addition or a removal is substance ("").
func Text(kind livespec.ChangeKind, before, after string) string {
	switch {
	case kind != livespec.Modified && kind != livespec.Renamed:
		return ""
	case kind == livespec.Renamed && before == after:
		return livespec.EditMoved
	}
	return Kind(before, after)
}

// Commit returns the editorial kind of each of evs, every change event of
// one commit in one repository ("" for a change of substance). Only
// modifications and section renames are editorial: a section event by the
// edits of its parts (Event.Text, all of them form-only); a file-level
// event by the edits its sections share, when none was added or removed,
// or EditWhitespace when its bytes changed but no section's text did. In
// a repository-wide edit (SweepMinFiles and SweepShare of files, the files
// that stood before the commit counted by standing, called only then)
// every such event that added or removed no section is EditSweep.
func Commit(evs []Event, standing func() (int, error)) ([]string, error) {
	out := make([]string, len(evs))
	modified := 0
	sections := map[string][]int{} // path → its section events
	for i, e := range evs {
		if e.Section {
			sections[e.Path] = append(sections[e.Path], i)
		} else if e.Kind == livespec.Modified {
			modified++
		}
	}
	sweep := false
	if modified >= SweepMinFiles {
		n, err := standing()
		if err != nil {
			return nil, err
		}
		sweep = float64(modified) >= SweepShare*float64(n)
	}
	for i, e := range evs {
		if e.Kind == livespec.Modified || (e.Kind == livespec.Renamed && e.Section) {
			out[i] = kindOf(e, evs, sections[e.Path], sweep)
		}
	}
	return out, nil
}

// kindOf classifies e, a modification or section rename, by the section
// events secs of its file in its commit.
func kindOf(e Event, evs []Event, secs []int, sweep bool) string {
	file := !e.Section
	structural := false
	for _, j := range secs {
		if file && (evs[j].Kind == livespec.Added || evs[j].Kind == livespec.Removed) {
			structural = true
		}
	}
	substance := false
	seen := map[string]bool{}
	for _, j := range secs {
		s := evs[j]
		if !file && s.Heading != e.Heading {
			continue
		}
		if s.Text == "" {
			substance = true
			break
		}
		seen[s.Text] = true
	}
	switch {
	case sweep && !structural && len(secs) > 0:
		return livespec.EditSweep
	case substance || structural:
		return ""
	case file && len(secs) == 0:
		return livespec.EditWhitespace // the bytes changed, no section's text did
	}
	for _, k := range order {
		if seen[k] {
			return k
		}
	}
	return ""
}

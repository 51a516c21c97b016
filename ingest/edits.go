package ingest

import (
	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/edit"
)

// standing returns the number of spec files that stand before a commit
// of n file changes: only a commit of edit.SweepMinFiles changes or more
// can be a repository-wide edit, so a smaller one counts nothing.
func (p *pipeline) standing(n int) int {
	if n < edit.SweepMinFiles {
		return 0
	}
	count := 0
	for _, f := range p.files {
		if f.id != "" { // sections without a file version are no file
			count++
		}
	}
	return count
}

// classifyEdits sets the Editorial kind of cs, every change of one commit
// (edit.Commit), where each section event holds its text's edit
// (edit.Text, set by section); standing files stood before the commit.
func classifyEdits(cs []livespec.Change, standing int) {
	evs := make([]edit.Event, len(cs))
	for i, c := range cs {
		evs[i] = edit.Event{Section: c.Section, Kind: c.Kind, Path: c.Path, Heading: c.Heading, Text: c.Editorial}
	}
	kinds, _ := edit.Commit(evs, func() (int, error) { return standing, nil })
	for i := range cs {
		cs[i].Editorial = kinds[i]
	}
}

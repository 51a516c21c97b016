package livespec

import (
	"cmp"
	"context"
	"slices"
)

// ChangeIndex tells what the change events of a window touched without
// returning them (every Store does): a report narrowed to a topic asks which
// files changed, then which of the sections that mention the topic did,
// and reads only their events. Both read q's window (From, To) and
// repositories (Repos); q's other fields are ignored.
//
// A section-level event changes the section as it leaves it (Repo, Path,
// Heading) and the section as it was (OldPath for Path and OldHeading for
// Heading, each when set). The events one commit made on the parts of one
// section count as one, with the old names of its first part (in Changes
// order), as a report merges them.
type ChangeIndex interface {
	// ChangedFiles returns the files (Repo and Path; Heading and Part
	// empty) with a section-level event in q's window, by repo then path.
	ChangedFiles(ctx context.Context, q ChangeQuery) ([]Key, error)
	// ChangedSections returns those of sections (Part ignored) that a
	// section-level event in q's window changed, in their order.
	ChangedSections(ctx context.Context, q ChangeQuery, sections []Key) ([]Key, error)
}

// ChangedFilesOf and ChangedSectionsOf answer ChangeIndex from the events
// themselves: cs are the section-level events of the window, in Changes
// order. A store that keeps no index of them reads the window and asks
// these.
func ChangedFilesOf(cs []Change) []Key {
	seen := map[Key]bool{}
	var out []Key
	for _, c := range cs {
		k := Key{Repo: c.Repo, Path: c.Path}
		if c.Section && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b Key) int { return cmp.Or(cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Path, b.Path)) })
	return out
}

// ChangedSectionsOf: see ChangedFilesOf.
func ChangedSectionsOf(cs []Change, sections []Key) []Key {
	type event struct{ repo, commit, path, heading string }
	changed, first := map[Key]bool{}, map[event]bool{}
	for _, c := range cs {
		if !c.Section {
			continue
		}
		changed[Key{Repo: c.Repo, Path: c.Path, Heading: c.Heading}] = true
		if e := (event{c.Repo, c.Commit, c.Path, c.Heading}); !first[e] {
			first[e] = true
			changed[Key{Repo: c.Repo, Path: cmp.Or(c.OldPath, c.Path), Heading: cmp.Or(c.OldHeading, c.Heading)}] = true
		}
	}
	var out []Key
	for _, k := range sections {
		if changed[Key{Repo: k.Repo, Path: k.Path, Heading: k.Heading}] {
			out = append(out, k)
		}
	}
	return out
}

package livespec

import (
	"cmp"
	"context"
	"slices"
)

// ChangeIndex finds change events by what they touched (every Store
// does): a report narrowed to a topic asks which files changed, then which
// of the sections that mention the topic did, and reads only their
// events; a timeline reads the events of a section and of the names it
// had. Each reads q's window (From, To) and repositories (Repos); q's
// other fields are ignored.
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
	// SectionChanges returns the section-level events in q's window that
	// changed one of sections (Part ignored), under its name or, on any
	// part, from it as its old name, in Changes order: a section's
	// history and the renames that lead to and from it, without the
	// events of the rest of its file.
	SectionChanges(ctx context.Context, q ChangeQuery, sections []Key) ([]Change, error)
	// CountChanges returns how many events q's window holds in each
	// repository that has any, counted as a report counts them: each
	// file-level event, and the section-level events one commit made on
	// the parts of one section as one. A report narrowed to a topic that
	// kept no event says how many landed.
	CountChanges(ctx context.Context, q ChangeQuery) (map[string]int, error)
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

// CountChangesOf answers CountChanges from the events cs of the window,
// file-level and section-level.
func CountChangesOf(cs []Change) map[string]int {
	type event struct{ repo, commit, path, heading string }
	n, seen := map[string]int{}, map[event]bool{}
	for _, c := range cs {
		if c.Section {
			e := event{c.Repo, c.Commit, c.Path, c.Heading}
			if seen[e] {
				continue
			}
			seen[e] = true
		}
		n[c.Repo]++
	}
	return n
}

// SectionChangesOf answers SectionChanges from the events cs, in Changes
// order, of the sections' files (SectionPaths), as a store without an
// index of section names does.
func SectionChangesOf(cs []Change, sections []Key) []Change {
	asked := make(map[Key]bool, len(sections))
	for _, k := range sections {
		asked[Key{Repo: k.Repo, Path: k.Path, Heading: k.Heading}] = true
	}
	var out []Change
	for _, c := range cs {
		if !c.Section {
			continue
		}
		if asked[Key{Repo: c.Repo, Path: c.Path, Heading: c.Heading}] ||
			(c.OldPath != "" || c.OldHeading != "") && asked[Key{Repo: c.Repo, Path: cmp.Or(c.OldPath, c.Path), Heading: cmp.Or(c.OldHeading, c.Heading)}] {
			out = append(out, c)
		}
	}
	return out
}

// SectionPaths returns the Paths filter (literal globs) of the files of
// sections, each once: the events a store reads for SectionChangesOf.
func SectionPaths(sections []Key) []string {
	var out []string
	for _, k := range sections {
		if p := LiteralGlob(k.Path); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// CompareChanges orders change events as Changes returns them: by Date,
// then Repo, Seq, file-level before section-level, Path, Heading, Part
// and ID.
func CompareChanges(a, b Change) int {
	return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Seq, b.Seq), compareBool(a.Section, b.Section),
		cmp.Compare(a.Path, b.Path), cmp.Compare(a.Heading, b.Heading), cmp.Compare(a.Part, b.Part), cmp.Compare(a.ID, b.ID))
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

package retrieval

import "github.com/livespec/livespec"

// MergeParts folds the events one commit made on the parts of one long
// section into one event of that section, so reports count a section once
// however many parts it was stored in. cs is in Store.Changes order (the
// parts of a section adjacent, part 0 first); the merged event keeps the
// first part's ids and summary, and its kind is the parts' kind when they
// agree, renamed when any part was renamed, otherwise modified (a section
// that grew or shrank gains or loses parts while it is edited).
func MergeParts(cs []livespec.Change) []livespec.Change {
	type key struct {
		repo, commit, path, heading string
	}
	at := map[key]int{}
	out := make([]livespec.Change, 0, len(cs))
	for _, c := range cs {
		if !c.Section {
			out = append(out, c)
			continue
		}
		k := key{c.Repo, c.Commit, c.Path, c.Heading}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, c)
			continue
		}
		m := &out[i]
		switch {
		case m.Kind == c.Kind:
		case m.Kind == livespec.Renamed || c.Kind == livespec.Renamed:
			m.Kind = livespec.Renamed
		default:
			m.Kind = livespec.Modified
		}
		if m.Part > c.Part {
			m.Part = c.Part
		}
	}
	return out
}
